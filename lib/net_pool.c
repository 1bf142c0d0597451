/* Max pooling and channel maxout on channel-major rows: both pick one
 * input value per output, remembered (arg, the index in the input row) for
 * the backward pass, which routes each output's gradient to its winner. */
#include "net_layers.h"

#include <string.h>

/* One channel: out (oh x ow) = the max over each window of img (h x w),
 * clipped to the image (padding never wins). */
static void pool_channel(float *out, uint32_t *arg, const float *img, size_t base,
                         const gan__layer *l)
{
    const size_t h = l->ih, w = l->iw, k = l->kernel, s = l->stride, p = l->pad;
    for (size_t oy = 0; oy < l->oh; oy++) {
        /* Rows y0 <= y < y1 of the window inside the image; the add-time
         * checks make the window hold at least one image row and column. */
        const size_t y0 = oy * s > p ? oy * s - p : 0;
        const size_t ye = oy * s + k - p;
        const size_t y1 = ye < h ? ye : h;
        for (size_t ox = 0; ox < l->ow; ox++) {
            const size_t x0 = ox * s > p ? ox * s - p : 0;
            const size_t xe = ox * s + k - p;
            const size_t x1 = xe < w ? xe : w;
            size_t best = y0 * w + x0;
            float m = img[best];
            for (size_t y = y0; y < y1; y++)
                for (size_t x = x0; x < x1; x++) {
                    const float v = img[y * w + x];
                    const int gt = v > m;
                    m = gt ? v : m;
                    best = gt ? y * w + x : best;
                }
            out[oy * l->ow + ox] = m;
            if (arg)
                arg[oy * l->ow + ox] = (uint32_t)(base + best);
        }
    }
}

/* Channel maxout: output channel u takes, per pixel, the max of input
 * channels u*pieces ... u*pieces + pieces - 1. */
static void maxout_channels(float *out, uint32_t *arg, const float *x, const gan__layer *l)
{
    const size_t hw = l->ih * l->iw, pieces = l->pieces;
    for (size_t u = 0; u < l->oc; u++) {
        const float *first = x + u * pieces * hw;
        float *o = out + u * hw;
        uint32_t *a = arg ? arg + u * hw : NULL;
        memcpy(o, first, hw * sizeof *o);
        if (a)
            for (size_t p = 0; p < hw; p++)
                a[p] = (uint32_t)(u * pieces * hw + p);
        for (size_t j = 1; j < pieces; j++) {
            const float *c = first + j * hw;
            const uint32_t at = (uint32_t)((u * pieces + j) * hw);
            for (size_t p = 0; p < hw; p++) {
                const int gt = c[p] > o[p];
                o[p] = gt ? c[p] : o[p];
                if (a)
                    a[p] = gt ? at + (uint32_t)p : a[p];
            }
        }
    }
}

void gan__pool_forward(const gan__layer *l, float *y, uint32_t *arg, const float *x, size_t rows)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * l->in;
        float *yr = y + r * l->out;
        uint32_t *ar = arg ? arg + r * l->out : NULL;
        if (l->kind == GAN_LAYER_CHANNEL_MAXOUT) {
            maxout_channels(yr, ar, xr, l);
            continue;
        }
        const size_t hw = l->ih * l->iw, ohw = l->oh * l->ow;
        for (size_t c = 0; c < l->ic; c++)
            pool_channel(yr + c * ohw, ar ? ar + c * ohw : NULL, xr + c * hw, c * hw, l);
    }
}

void gan__pool_backward(const gan__layer *l, float *dx, const float *dy, const uint32_t *arg,
                        size_t rows)
{
    memset(dx, 0, rows * l->in * sizeof *dx);
    for (size_t r = 0; r < rows; r++) {
        float *d = dx + r * l->in;
        const float *g = dy + r * l->out;
        const uint32_t *a = arg + r * l->out;
        /* Overlapping pool windows can share a winner: add. */
        for (size_t o = 0; o < l->out; o++)
            d[a[o]] += g[o];
    }
}
