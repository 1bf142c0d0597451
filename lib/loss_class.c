/* Classification: softmax probabilities and the softmax cross-entropy loss
 * from logits, for classifiers trained with the net API (the mode coverage
 * and conditional accuracy measures of generated samples use them).
 *
 * Each row is shifted by its maximum before exponentiation (log-sum-exp),
 * so every exponent is <= 0: any finite logits give finite results. Sums
 * run in double. Every argument and every value is checked before anything
 * is written, so a refused call leaves the outputs untouched. */
#include "status.h"

#include <math.h>
#include <stdint.h>

/* The checks shared by both functions: logits non-NULL, rows and classes
 * positive, rows x classes representable, every logit finite. */
static int check_logits(const float *logits, size_t rows, size_t classes, const char *fn)
{
    if (logits == NULL)
        return gan__error(GAN_EINVAL, "%s: logits is NULL", fn);
    if (rows == 0)
        return gan__error(GAN_EINVAL, "%s: rows is 0", fn);
    if (classes == 0)
        return gan__error(GAN_EINVAL, "%s: classes is 0", fn);
    if (rows > SIZE_MAX / sizeof(float) / classes)
        return gan__error(GAN_EINVAL, "%s: rows %zu x classes %zu overflows", fn, rows, classes);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < classes; c++)
            if (!isfinite(logits[r * classes + c]))
                return gan__error(GAN_EINVAL, "%s: logits[%zu] (row %zu, class %zu) is not finite",
                                  fn, r * classes + c, r, c);
    return GAN_OK;
}

/* Maximum of a row and sum of exp(a - max), in double. */
static void row_lse_parts(double *max, double *sum, const float *a, size_t classes)
{
    double m = a[0];
    for (size_t c = 1; c < classes; c++)
        if (a[c] > m)
            m = a[c];
    double s = 0.0;
    for (size_t c = 0; c < classes; c++)
        s += exp((double)a[c] - m);
    *max = m;
    *sum = s; /* >= 1: the maximum contributes exp(0) */
}

int gan_softmax(float *out, const float *logits, size_t rows, size_t classes)
{
    const char *fn = "gan_softmax";
    GAN_CHECK_NULL(fn, out);
    int rc = check_logits(logits, rows, classes, fn);
    if (rc)
        return rc;
    for (size_t r = 0; r < rows; r++) {
        const float *a = logits + r * classes;
        float *p = out + r * classes;
        double m, s;
        row_lse_parts(&m, &s, a, classes);
        /* Reads a[c] before writing p[c]: out may be logits. */
        for (size_t c = 0; c < classes; c++)
            p[c] = (float)(exp((double)a[c] - m) / s);
    }
    return GAN_OK;
}

int gan_loss_softmax_cross_entropy(double *loss, float *grad, const float *logits, size_t rows,
                                   size_t classes, const int32_t *labels)
{
    const char *fn = "gan_loss_softmax_cross_entropy";
    GAN_CHECK_NULL(fn, loss);
    int rc = check_logits(logits, rows, classes, fn);
    if (rc)
        return rc;
    GAN_CHECK_NULL(fn, labels);
    for (size_t r = 0; r < rows; r++)
        if (labels[r] < 0 || (uint64_t)labels[r] >= (uint64_t)classes)
            return gan__error(GAN_EINVAL, "%s: labels[%zu] is %d, outside [0, %zu)", fn, r,
                              (int)labels[r], classes);
    double total = 0.0;
    const double inv_rows = 1.0 / (double)rows;
    for (size_t r = 0; r < rows; r++) {
        const float *a = logits + r * classes;
        const size_t y = (size_t)labels[r];
        double m, s;
        row_lse_parts(&m, &s, a, classes);
        /* -log softmax(a)_y = log sum exp(a) - a_y = m + log s - a_y. */
        total += m + log(s) - (double)a[y];
        if (grad) {
            float *g = grad + r * classes;
            /* Reads a[c] before writing g[c]: grad may be logits. */
            for (size_t c = 0; c < classes; c++) {
                const double p = exp((double)a[c] - m) / s;
                g[c] = (float)((p - (c == y ? 1.0 : 0.0)) * inv_rows);
            }
        }
    }
    *loss = total * inv_rows;
    return GAN_OK;
}
