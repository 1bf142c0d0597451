/* Convolution and transposed convolution on channel-major rows, lowered to
 * CBLAS products one example at a time (the columns of one example fit in
 * the cache-sized buffer net->col, sized when the layer is added):
 *
 *   conv2d    y_n (oc x P)    = W (oc x K) . im2col(x_n) (K x P),
 *             K = ic k k, P = oh ow;
 *   deconv2d  y_n              = col2im(W^T (K' x ic) . x_n (ic x Pin)),
 *             K' = oc k k, Pin = ih iw (the conv2d's input gradient).
 *
 * Backward is the same products transposed; im2col of the input is redone
 * rather than kept, which costs one pass over the columns and saves
 * rows x K x P floats of memory. */
#include "blas.h"
#include "net_layers.h"

#include <string.h>

/* The geometry of one im2col / col2im: an image of c x h x w, windows of
 * k x k at stride s with padding p, on a grid of gh x gw positions. */
typedef struct geom {
    size_t c, h, w, k, s, p, gh, gw;
} geom;

/* col ((c k k) x (gh gw)) = the windows of img; padding reads as 0. */
static void im2col(float *col, const float *img, const geom *g)
{
    const size_t np = g->gh * g->gw;
    for (size_t c = 0; c < g->c; c++)
        for (size_t ky = 0; ky < g->k; ky++)
            for (size_t kx = 0; kx < g->k; kx++) {
                float *row = col + ((c * g->k + ky) * g->k + kx) * np;
                for (size_t oy = 0; oy < g->gh; oy++) {
                    float *out = row + oy * g->gw;
                    /* iy = oy s + ky - p, in signed arithmetic. */
                    const ptrdiff_t iy = (ptrdiff_t)(oy * g->s + ky) - (ptrdiff_t)g->p;
                    if (iy < 0 || iy >= (ptrdiff_t)g->h) {
                        memset(out, 0, g->gw * sizeof *out);
                        continue;
                    }
                    const float *in = img + (c * g->h + (size_t)iy) * g->w;
                    const ptrdiff_t x0 = (ptrdiff_t)kx - (ptrdiff_t)g->p;
                    if (g->s == 1 && x0 >= 0 && x0 + (ptrdiff_t)g->gw <= (ptrdiff_t)g->w) {
                        memcpy(out, in + x0, g->gw * sizeof *out);
                        continue;
                    }
                    for (size_t ox = 0; ox < g->gw; ox++) {
                        const ptrdiff_t ix = (ptrdiff_t)(ox * g->s) + x0;
                        out[ox] = ix >= 0 && ix < (ptrdiff_t)g->w ? in[ix] : 0.0f;
                    }
                }
            }
}

/* img += the windows of col (the adjoint of im2col); padding is dropped. */
static void col2im_add(float *img, const float *col, const geom *g)
{
    const size_t np = g->gh * g->gw;
    for (size_t c = 0; c < g->c; c++)
        for (size_t ky = 0; ky < g->k; ky++)
            for (size_t kx = 0; kx < g->k; kx++) {
                const float *row = col + ((c * g->k + ky) * g->k + kx) * np;
                for (size_t oy = 0; oy < g->gh; oy++) {
                    const ptrdiff_t iy = (ptrdiff_t)(oy * g->s + ky) - (ptrdiff_t)g->p;
                    if (iy < 0 || iy >= (ptrdiff_t)g->h)
                        continue;
                    const float *src = row + oy * g->gw;
                    float *out = img + (c * g->h + (size_t)iy) * g->w;
                    const ptrdiff_t x0 = (ptrdiff_t)kx - (ptrdiff_t)g->p;
                    if (g->s == 1 && x0 >= 0 && x0 + (ptrdiff_t)g->gw <= (ptrdiff_t)g->w) {
                        for (size_t ox = 0; ox < g->gw; ox++)
                            out[(size_t)x0 + ox] += src[ox];
                        continue;
                    }
                    for (size_t ox = 0; ox < g->gw; ox++) {
                        const ptrdiff_t ix = (ptrdiff_t)(ox * g->s) + x0;
                        if (ix >= 0 && ix < (ptrdiff_t)g->w)
                            out[ix] += src[ox];
                    }
                }
            }
}

/* conv2d windows its input onto its output grid; deconv2d windows its
 * output onto its input grid. */
static geom geom_of(const gan__layer *l)
{
    if (l->kind == GAN_LAYER_CONV2D)
        return (geom){l->ic, l->ih, l->iw, l->kernel, l->stride, l->pad, l->oh, l->ow};
    return (geom){l->oc, l->oh, l->ow, l->kernel, l->stride, l->pad, l->ih, l->iw};
}

/* Each of the rows of y (oc x pixels per row) starts as the channel's bias. */
static void fill_bias(float *y, const float *bias, size_t oc, size_t pixels)
{
    for (size_t c = 0; c < oc; c++)
        for (size_t p = 0; p < pixels; p++)
            y[c * pixels + p] = bias[c];
}

void gan__conv_forward(const gan__layer *l, const float *params, float *y, const float *x,
                       size_t rows, float *col)
{
    const geom g = geom_of(l);
    const float *w = params, *bias = params + l->nw;
    const size_t kk = l->kernel * l->kernel, pout = l->oh * l->ow, pin = l->ih * l->iw;
    for (size_t n = 0; n < rows; n++) {
        const float *xn = x + n * l->in;
        float *yn = y + n * l->out;
        fill_bias(yn, bias, l->oc, pout);
        if (l->kind == GAN_LAYER_CONV2D) {
            const size_t K = l->ic * kk;
            im2col(col, xn, &g);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->oc, (int)pout, (int)K,
                        1.0f, w, (int)K, col, (int)pout, 1.0f, yn, (int)pout);
        } else {
            const size_t K = l->oc * kk;
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)pin, (int)l->ic,
                        1.0f, w, (int)K, xn, (int)pin, 0.0f, col, (int)pin);
            col2im_add(yn, col, &g);
        }
    }
}

/* db (oc) folded: out = alpha * sum over the example's pixels + beta * out. */
static void bias_grad(float *db, const float *d, size_t oc, size_t pixels, float alpha,
                      float beta)
{
    for (size_t c = 0; c < oc; c++) {
        float s = 0.0f;
        for (size_t p = 0; p < pixels; p++)
            s += d[c * pixels + p];
        db[c] = alpha * s + (beta == 0.0f ? 0.0f : beta * db[c]);
    }
}

void gan__conv_backward(const gan__layer *l, const float *params, float *dx, float *gout,
                        const float *dpre, const float *x, size_t rows, float *col, float alpha,
                        float beta)
{
    const geom g = geom_of(l);
    const float *w = params;
    const size_t kk = l->kernel * l->kernel, pout = l->oh * l->ow, pin = l->ih * l->iw;
    for (size_t n = 0; n < rows; n++) {
        const float *xn = x + n * l->in, *dn = dpre + n * l->out;
        float *dxn = dx ? dx + n * l->in : NULL;
        /* The first example applies the caller's beta, the rest add. */
        const float b = n == 0 ? beta : 1.0f;
        if (l->kind == GAN_LAYER_CONV2D) {
            const size_t K = l->ic * kk;
            if (gout != NULL) {
                im2col(col, xn, &g);
                /* dW (oc x K) = dy_n (oc x P) . col^T */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)l->oc, (int)K,
                            (int)pout, alpha, dn, (int)pout, col, (int)pout, b, gout, (int)K);
                bias_grad(gout + l->nw, dn, l->oc, pout, alpha, b);
            }
            if (dxn != NULL) {
                /* dcol (K x P) = W^T dy_n, then back onto the image. */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)pout,
                            (int)l->oc, 1.0f, w, (int)K, dn, (int)pout, 0.0f, col, (int)pout);
                memset(dxn, 0, l->in * sizeof *dxn);
                col2im_add(dxn, col, &g);
            }
        } else {
            const size_t K = l->oc * kk;
            im2col(col, dn, &g); /* dcol (K x Pin) */
            if (gout != NULL) {
                /* dW (ic x K) = x_n (ic x Pin) . dcol^T */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)l->ic, (int)K,
                            (int)pin, alpha, xn, (int)pin, col, (int)pin, b, gout, (int)K);
                bias_grad(gout + l->nw, dn, l->oc, pout, alpha, b);
            }
            if (dxn != NULL)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->ic, (int)pin,
                            (int)K, 1.0f, w, (int)K, col, (int)pin, 0.0f, dxn, (int)pin);
        }
    }
}
