/* Batch normalisation on channel-major rows: statistics per channel over
 * the rows and pixels of the batch (a flat input is channels x 1 x 1, so
 * per feature).
 *
 * A channel of a large batch adds up hundreds of thousands of values, so
 * the sums end in double; but a double add per value is one long
 * dependency chain (it was 6.7% of a DCGAN iteration). Each row's pixels
 * of a channel are summed instead in LANES float partial sums side by side
 * (the compiler turns the lanes into one vector), which are folded into
 * the channel's double once per row: float error grows with the pixels of
 * one row only. The mean's sum runs over x - K with K a value of the
 * channel (its first), so a large common offset (values 1000 + noise)
 * cancels before the float sums rather than swamping them; the variance is
 * the two-pass sum of (x - mean)^2. The lanes are fixed in the source, so
 * every clone and every compiler computes the same bits. Rows of fewer
 * than LANES pixels (flat inputs) keep the plain double sums. */
#include "clones.h"
#include "net_layers.h"

#include <math.h>

#define LANES 8

static void fold(float *out, double g, float alpha, float beta)
{
    *out = (float)(alpha * g) + (beta == 0.0f ? 0.0f : beta * *out);
}

/* sum of x[p] - k over p < n. */
GAN__VECTOR_CLONES
static double sum_shifted(const float *restrict x, size_t n, float k)
{
    float acc[LANES] = {0.0f};
    size_t p = 0;
    for (; p + LANES <= n; p += LANES)
        for (size_t j = 0; j < LANES; j++)
            acc[j] += x[p + j] - k;
    double s = 0.0;
    for (; p < n; p++)
        s += (double)(x[p] - k);
    for (size_t j = 0; j < LANES; j++)
        s += acc[j];
    return s;
}

/* sum of (x[p] - m)^2 over p < n. */
GAN__VECTOR_CLONES
static double sum_sq_dev(const float *restrict x, size_t n, float m)
{
    float acc[LANES] = {0.0f};
    size_t p = 0;
    for (; p + LANES <= n; p += LANES)
        for (size_t j = 0; j < LANES; j++) {
            const float d = x[p + j] - m;
            acc[j] += d * d;
        }
    double s = 0.0;
    for (; p < n; p++) {
        const double d = (double)(x[p] - m);
        s += d * d;
    }
    for (size_t j = 0; j < LANES; j++)
        s += acc[j];
    return s;
}

/* *s1 += sum dy, *s2 += sum dy xhat over p < n. */
GAN__VECTOR_CLONES
static void sum_grads(double *s1, double *s2, const float *restrict dy,
                      const float *restrict xhat, size_t n)
{
    float a1[LANES] = {0.0f}, a2[LANES] = {0.0f};
    size_t p = 0;
    for (; p + LANES <= n; p += LANES)
        for (size_t j = 0; j < LANES; j++) {
            a1[j] += dy[p + j];
            a2[j] += dy[p + j] * xhat[p + j];
        }
    double t1 = 0.0, t2 = 0.0;
    for (; p < n; p++) {
        t1 += dy[p];
        t2 += (double)dy[p] * xhat[p];
    }
    for (size_t j = 0; j < LANES; j++) {
        t1 += a1[j];
        t2 += a2[j];
    }
    *s1 += t1;
    *s2 += t2;
}

GAN__VECTOR_CLONES
static void normalise(float *restrict y, float *restrict xhat, const float *restrict x, size_t n,
                      float mean, float inv, float gamma, float beta)
{
    for (size_t p = 0; p < n; p++) {
        const float h = (x[p] - mean) * inv;
        xhat[p] = h;
        y[p] = gamma * h + beta;
    }
}

GAN__VECTOR_CLONES
static void scale_shift(float *restrict y, const float *restrict x, size_t n, float scale,
                        float shift)
{
    for (size_t p = 0; p < n; p++)
        y[p] = x[p] * scale + shift;
}

GAN__VECTOR_CLONES
static void input_grad(float *restrict dx, const float *restrict dy, const float *restrict xhat,
                       size_t n, float k, float m1, float m2)
{
    for (size_t p = 0; p < n; p++)
        dx[p] = k * (dy[p] - m1 - xhat[p] * m2);
}

void gan__bn_train_forward(const gan__layer *l, const float *params, float *state, float *y,
                           float *xhat, float *stat, const float *x, size_t rows)
{
    const size_t C = l->oc, hw = l->oh * l->ow, n = rows * hw;
    const float *gamma = params, *beta = params + C;
    float *rmean = state, *rvar = state + C;
    const float m = l->momentum;
    const int lanes = hw >= LANES;
    for (size_t c = 0; c < C; c++) {
        const float k = x[c * hw];
        double s = 0.0;
        for (size_t r = 0; r < rows; r++) {
            const float *xc = x + r * l->in + c * hw;
            if (lanes) {
                s += sum_shifted(xc, hw, k);
            } else {
                for (size_t p = 0; p < hw; p++)
                    s += (double)xc[p] - (double)k;
            }
        }
        const double mean = (double)k + s / (double)n;
        const float mf = (float)mean;
        double v = 0.0;
        for (size_t r = 0; r < rows; r++) {
            const float *xc = x + r * l->in + c * hw;
            if (lanes) {
                v += sum_sq_dev(xc, hw, mf);
            } else {
                for (size_t p = 0; p < hw; p++)
                    v += ((double)xc[p] - mean) * ((double)xc[p] - mean);
            }
        }
        const double var = v / (double)n;
        const float inv = (float)(1.0 / sqrt(var + (double)l->eps));
        stat[c] = mf;
        stat[C + c] = inv;
        for (size_t r = 0; r < rows; r++) {
            const size_t o = r * l->in + c * hw;
            normalise(y + o, xhat + o, x + o, hw, mf, inv, gamma[c], beta[c]);
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
            scale_shift(y + o, x + o, hw, scale, shift);
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
                if (hw >= LANES) {
                    sum_grads(&s1[p], &s2[p], dy + o, xhat + o, hw);
                    continue;
                }
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
                input_grad(dx + o, dy + o, xhat + o, hw, k, m1, m2);
            }
        }
    }
}
