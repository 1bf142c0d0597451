/* Value ranges: [0, 1] <-> [-1, 1] on float arrays and on datasets. */
#include "dataset.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_range(const char *fn, const char *arg, int r)
{
    if (r != GAN_RANGE_UNIT && r != GAN_RANGE_SYMMETRIC)
        return gan__error(GAN_EINVAL, "%s: %s %d is not a gan_range", fn, arg, r);
    return GAN_OK;
}

static void map(float *x, size_t n, int from, int to)
{
    if (from == to)
        return;
    if (from == GAN_RANGE_UNIT) /* [0, 1] -> [-1, 1] */
        for (size_t i = 0; i < n; i++)
            x[i] = 2.0f * x[i] - 1.0f;
    else /* [-1, 1] -> [0, 1] */
        for (size_t i = 0; i < n; i++)
            x[i] = 0.5f * (x[i] + 1.0f);
}

int gan_scale(float *x, size_t n, int from, int to)
{
    static const char fn[] = "gan_scale";
    GAN_CHECK_NULL(fn, x);
    int rc = check_range(fn, "from", from);
    if (rc == GAN_OK)
        rc = check_range(fn, "to", to);
    if (rc)
        return rc;
    map(x, n, from, to);
    return GAN_OK;
}

int gan_dataset_scale(gan_dataset **out, const gan_dataset *src, int from, int to)
{
    static const char fn[] = "gan_dataset_scale";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, src);
    int rc = check_range(fn, "from", from);
    if (rc == GAN_OK)
        rc = check_range(fn, "to", to);
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
    map(x, n, from, to);
    /* Finite inputs in float range stay finite, except near FLT_MAX. */
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) {
            free(x);
            free(labels);
            return gan__error(GAN_EINVAL, "%s: row %zu, column %zu overflows when scaled", fn,
                              i / src->cols, i % src->cols);
        }
    return gan__dataset_create_owned(out, x, labels, src->rows, src->cols, fn);
}
