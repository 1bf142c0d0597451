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

/* With xhat = (x - mean) / std over the N = batch_rows * pixels values of a
 * channel: dgamma = sum dy xhat, dbeta = sum dy and
 * dx = gamma / std (dy - dbeta / N - xhat dgamma / N), the sums running
 * over the rows given (the others' dy being zero). */
void gan__bn_backward(const gan__layer *l, const float *params, float *dx, float *gout,
                      const float *dy, const float *xhat, const float *stat, size_t rows,
                      size_t batch_rows, float alpha, float beta)
{
    const size_t C = l->oc, hw = l->oh * l->ow;
    const double n = (double)(batch_rows * hw);
    const float *gamma = params;
    for (size_t c = 0; c < C; c++) {
        double s1 = 0.0, s2 = 0.0;
        for (size_t r = 0; r < rows; r++) {
            const size_t o = r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++) {
                s1 += dy[o + p];
                s2 += (double)dy[o + p] * xhat[o + p];
            }
        }
        if (gout != NULL) {
            fold(&gout[c], s2, alpha, beta);
            fold(&gout[C + c], s1, alpha, beta);
        }
        if (dx == NULL)
            continue;
        const float k = gamma[c] * stat[C + c];
        const float m1 = (float)(s1 / n), m2 = (float)(s2 / n);
        for (size_t r = 0; r < rows; r++) {
            const size_t o = r * l->in + c * hw;
            for (size_t p = 0; p < hw; p++)
                dx[o + p] = k * (dy[o + p] - m1 - xhat[o + p] * m2);
        }
    }
}
