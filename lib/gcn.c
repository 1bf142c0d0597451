/* Global contrast normalisation (pylearn2's global_contrast_normalize):
 * per row, subtract the mean, divide by the norm or standard deviation
 * over a scale. On float arrays in place and on datasets.
 *
 * All or nothing in place: every row's mean and divisor are computed and
 * the results bounded before any value is written. */
#include "dataset.h"
#include "status.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

GAN__DEFINE_OPTIONS_INIT(gan_gcn_options_init, gan_gcn_options, GAN_GCN_OPTIONS_VERSION,
                         GAN_GCN_OPTIONS_INIT)

static int check_options(gan_gcn_options *o, const gan_gcn_options *opts, const char *fn)
{
    const gan_gcn_options defaults = GAN_GCN_OPTIONS_INIT;
    *o = defaults;
    if (opts == NULL)
        return GAN_OK;
    if (opts->version != GAN_GCN_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u is unknown, this library knows %u",
                          fn, opts->version, (unsigned)GAN_GCN_OPTIONS_VERSION);
    *o = *opts;
    if (!(isfinite(o->scale) && o->scale > 0.0f))
        return gan__error(GAN_EINVAL, "%s: opts->scale is %g; it must be finite and > 0", fn,
                          (double)o->scale);
    if (!(isfinite(o->sqrt_bias) && o->sqrt_bias >= 0.0f))
        return gan__error(GAN_EINVAL, "%s: opts->sqrt_bias is %g; it must be finite and >= 0", fn,
                          (double)o->sqrt_bias);
    if (!(isfinite(o->min_divisor) && o->min_divisor >= 0.0f))
        return gan__error(GAN_EINVAL, "%s: opts->min_divisor is %g; it must be finite and >= 0", fn,
                          (double)o->min_divisor);
    return GAN_OK;
}

/* The normalisation of x (rows x cols, checked), all or nothing. */
static int gcn(float *x, size_t rows, size_t cols, const gan_gcn_options *o, const char *fn)
{
    if (o->use_std && cols < 2)
        return gan__error(GAN_EINVAL, "%s: opts->use_std needs cols >= 2 (the standard deviation "
                          "divides by cols - 1), cols is %zu", fn, cols);
    if (rows == 0)
        return GAN_OK;
    size_t n;
    if (gan__mul_size(&n, rows, cols) != 0 || n > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows x cols (%zu x %zu) overflows", fn, rows, cols);
    /* Two doubles a row: the mean and the divisor. */
    double *stat = malloc(rows * 2 * sizeof *stat);
    if (stat == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu rows", fn, rows);
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double sum = 0.0;
        for (size_t c = 0; c < cols; c++) {
            if (!isfinite(row[c])) {
                free(stat);
                return gan__error(GAN_EINVAL, "%s: row %zu, column %zu is %g, not finite", fn, r, c,
                                  (double)row[c]);
            }
            sum += row[c];
        }
        const double mean = o->subtract_mean ? sum / (double)cols : 0.0;
        /* Squares of floats fit a double, and so do their sums. */
        double ss = 0.0, max_dev = 0.0;
        for (size_t c = 0; c < cols; c++) {
            const double y = (double)row[c] - mean;
            ss += y * y;
            if (fabs(y) > max_dev)
                max_dev = fabs(y);
        }
        if (o->use_std)
            ss /= (double)(cols - 1);
        double d = sqrt((double)o->sqrt_bias + ss) / (double)o->scale;
        if (d < (double)o->min_divisor || d == 0.0) /* 0: a constant row, min_divisor 0 */
            d = 1.0;
        if (max_dev / d > FLT_MAX) {
            free(stat);
            return gan__error(GAN_EINVAL, "%s: row %zu leaves float range when normalised "
                              "(opts->scale %g is too large)", fn, r, (double)o->scale);
        }
        stat[2 * r] = mean;
        stat[2 * r + 1] = d;
    }
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * cols;
        const double mean = stat[2 * r], d = stat[2 * r + 1];
        for (size_t c = 0; c < cols; c++)
            row[c] = (float)(((double)row[c] - mean) / d);
    }
    free(stat);
    return GAN_OK;
}

int gan_gcn(float *x, size_t rows, size_t cols, const gan_gcn_options *opts)
{
    static const char fn[] = "gan_gcn";
    GAN_CHECK_NULL(fn, x);
    GAN_CHECK_NONZERO(fn, cols);
    gan_gcn_options o;
    int rc = check_options(&o, opts, fn);
    if (rc)
        return rc;
    return gcn(x, rows, cols, &o, fn);
}

int gan_dataset_gcn(gan_dataset **out, const gan_dataset *src, const gan_gcn_options *opts)
{
    static const char fn[] = "gan_dataset_gcn";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, src);
    gan_gcn_options o;
    int rc = check_options(&o, opts, fn);
    if (rc)
        return rc;
    const size_t n = src->rows * src->cols; /* fits: src holds them */
    float *x = malloc(n * sizeof *x);
    int32_t *labels = src->labels != NULL ? malloc(src->rows * sizeof *labels) : NULL;
    if (x == NULL || (src->labels != NULL && labels == NULL)) {
        free(x);
        free(labels);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu floats", fn, src->rows,
                          src->cols);
    }
    memcpy(x, src->x, n * sizeof *x);
    if (labels != NULL)
        memcpy(labels, src->labels, src->rows * sizeof *labels);
    rc = gcn(x, src->rows, src->cols, &o, fn);
    if (rc) {
        free(x);
        free(labels);
        return rc;
    }
    return gan__dataset_create_owned(out, x, labels, src->rows, src->cols, fn);
}
