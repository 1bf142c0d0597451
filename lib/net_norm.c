/* Batch normalisation on channel-major rows: statistics per channel over
 * the rows and pixels of the batch (a flat input is channels x 1 x 1, so
 * per feature). Sums run in double: a channel of a large batch adds up
 * hundreds of thousands of values. */
#include "net_layers.h"

#include <math.h>

static void fold(float *out, double g, float alpha, float beta)
{
    *out = (float)(alpha * g) + (beta == 0.0f ? 0.0f : beta * *out);
}

void gan__bn_train_forward(const gan__layer *l, const float *params, float *state, float *y,
                           float *xhat, float *stat, const float *x, size_t rows)
{
    const size_t C = l->oc, hw = l->oh * l->ow, n = rows * hw;
    const float *gamma = params, *beta = params + C;
    float *rmean = state, *rvar = state + C;
    const float m = l->momentum;
    for (size_t c = 0; c < C; c++) {
        double s = 0.0;
        for (size_t r = 0; r < rows; r++) {
            const float *xc = x + r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++)
                s += xc[p];
        }
        const double mean = s / (double)n;
        double v = 0.0;
        for (size_t r = 0; r < rows; r++) {
            const float *xc = x + r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++)
                v += ((double)xc[p] - mean) * ((double)xc[p] - mean);
        }
        const double var = v / (double)n;
        const float inv = (float)(1.0 / sqrt(var + (double)l->eps));
        const float mf = (float)mean;
        stat[c] = mf;
        stat[C + c] = inv;
        for (size_t r = 0; r < rows; r++) {
            const size_t o = r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++) {
                const float h = (x[o + p] - mf) * inv;
                xhat[o + p] = h;
                y[o + p] = gamma[c] * h + beta[c];
            }
        }
        /* The running variance is the unbiased estimate (as PyTorch). */
        const double unbiased = n > 1 ? var * (double)n / (double)(n - 1) : var;
        rmean[c] = (1.0f - m) * rmean[c] + m * mf;
        rvar[c] = (1.0f - m) * rvar[c] + m * (float)unbiased;
    }
}

void gan__bn_infer(const gan__layer *l, const float *params, const float *state, float *y,
                   const float *x, size_t rows)
{
    const size_t C = l->oc, hw = l->oh * l->ow;
    const float *gamma = params, *beta = params + C;
    const float *rmean = state, *rvar = state + C;
    for (size_t c = 0; c < C; c++) {
        const float scale = gamma[c] / sqrtf(rvar[c] + l->eps);
        const float shift = beta[c] - rmean[c] * scale;
        for (size_t r = 0; r < rows; r++) {
            const size_t o = r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++)
                y[o + p] = x[o + p] * scale + shift;
        }
    }
}

/* With xhat = (x - mean) / std over the N = part_rows * pixels values of a
 * channel in one part of the batch: dgamma = sum dy xhat, dbeta = sum dy
 * and, for the rows of that part, dx = gamma / std (dy - s1 / N - xhat s2 / N)
 * where s1 = sum dy and s2 = sum dy xhat over that part's rows. Rows
 * outside [row_begin, row_begin + rows) have dy = 0 by contract, so the sums
 * run over the part's rows inside the range. */
void gan__bn_backward(const gan__layer *l, const float *params, float *dx, float *gout,
                      const float *dy, const float *xhat, const float *stat, size_t row_begin,
                      size_t rows, size_t split, size_t batch_rows, float alpha, float beta)
{
    const size_t C = l->oc, hw = l->oh * l->ow, end = row_begin + rows;
    const float *gamma = params;
    /* The parts [0, split) and [split, batch_rows) clipped to the range,
     * as rows relative to row_begin ([r0, r1), possibly empty). */
    const size_t a[2] = {0, split}, b[2] = {split, batch_rows};
    size_t r0[2], r1[2];
    double n[2];
    for (int p = 0; p < 2; p++) {
        const size_t lo = a[p] > row_begin ? a[p] : row_begin;
        const size_t hi = b[p] < end ? b[p] : end;
        r0[p] = lo < hi ? lo - row_begin : 0;
        r1[p] = lo < hi ? hi - row_begin : 0;
        n[p] = (double)((b[p] - a[p]) * hw);
    }
    for (size_t c = 0; c < C; c++) {
        double s1[2] = {0.0, 0.0}, s2[2] = {0.0, 0.0};
        for (int p = 0; p < 2; p++)
            for (size_t r = r0[p]; r < r1[p]; r++) {
                const size_t o = r * l->in + c * hw;
                for (size_t q = 0; q < hw; q++) {
                    s1[p] += dy[o + q];
                    s2[p] += (double)dy[o + q] * xhat[o + q];
                }
            }
        if (gout != NULL) {
            fold(&gout[c], s2[0] + s2[1], alpha, beta);
            fold(&gout[C + c], s1[0] + s1[1], alpha, beta);
        }
        if (dx == NULL)
            continue;
        for (int p = 0; p < 2; p++) {
            if (r0[p] == r1[p])
                continue;
            const float k = gamma[c] * stat[2 * C * (size_t)p + C + c];
            const float m1 = (float)(s1[p] / n[p]), m2 = (float)(s2[p] / n[p]);
            for (size_t r = r0[p]; r < r1[p]; r++) {
                const size_t o = r * l->in + c * hw;
                for (size_t q = 0; q < hw; q++)
                    dx[o + q] = k * (dy[o + q] - m1 - xhat[o + q] * m2);
            }
        }
    }
}
