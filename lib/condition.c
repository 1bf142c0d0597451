/* Datasets for conditional GANs (paper §7.1 and §7.3): every row followed
 * by its condition, the one-hot code of its label or a masked copy of
 * itself, which is the layout a session with cond_width > 0 reads. */
#include "dataset.h"
#include "status.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A new rows x (cols + extra) array holding src's rows at the start of each
 * row and the rest zero, and a copy of src's labels (NULL without). */
static int widen(float **x, int32_t **labels, const gan_dataset *src, size_t extra,
                 const char *fn)
{
    const size_t width = src->cols + extra;
    size_t n, bytes;
    *x = NULL;
    *labels = NULL;
    /* Nets take widths CBLAS can index (int). */
    if (width < extra || width > INT32_MAX || gan__mul_size(&n, src->rows, width) ||
        gan__mul_size(&bytes, n, sizeof **x))
        return gan__error(GAN_EINVAL, "%s: %zu rows of %zu columns are too many", fn, src->rows,
                          width);
    *x = calloc(n, sizeof **x);
    if (src->labels != NULL)
        *labels = malloc(src->rows * sizeof **labels);
    if (*x == NULL || (src->labels != NULL && *labels == NULL)) {
        free(*x);
        free(*labels);
        *x = NULL;
        *labels = NULL;
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu floats", fn, src->rows,
                          width);
    }
    for (size_t i = 0; i < src->rows; i++)
        memcpy(*x + i * width, src->x + i * src->cols, src->cols * sizeof **x);
    if (*labels != NULL)
        memcpy(*labels, src->labels, src->rows * sizeof **labels);
    return GAN_OK;
}

int gan_dataset_append_onehot(gan_dataset **out, const gan_dataset *src, uint32_t classes)
{
    static const char fn[] = "gan_dataset_append_onehot";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, src);
    GAN_CHECK_NONZERO(fn, classes);
    if (src->labels == NULL)
        return gan__error(GAN_EINVAL, "%s: src has no labels", fn);
    for (size_t i = 0; i < src->rows; i++)
        if (src->labels[i] < 0 || (uint32_t)src->labels[i] >= classes)
            return gan__error(GAN_EINVAL, "%s: row %zu has label %ld, outside [0, classes = %u)",
                              fn, i, (long)src->labels[i], classes);
    float *x;
    int32_t *labels;
    int rc = widen(&x, &labels, src, classes, fn);
    if (rc)
        return rc;
    const size_t width = src->cols + classes;
    for (size_t i = 0; i < src->rows; i++)
        x[i * width + src->cols + (size_t)src->labels[i]] = 1.0f;
    return gan__dataset_create_owned(out, x, labels, src->rows, width, fn);
}

int gan_dataset_append_masked(gan_dataset **out, const gan_dataset *src, const float *mask,
                              size_t cols)
{
    static const char fn[] = "gan_dataset_append_masked";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, src);
    GAN_CHECK_NULL(fn, mask);
    if (cols != src->cols)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, src has %zu columns", fn, cols, src->cols);
    for (size_t j = 0; j < cols; j++)
        if (mask[j] != 0.0f && mask[j] != 1.0f)
            return gan__error(GAN_EINVAL, "%s: mask[%zu] is %g, not 0 or 1", fn, j,
                              (double)mask[j]);
    float *x;
    int32_t *labels;
    int rc = widen(&x, &labels, src, cols, fn);
    if (rc)
        return rc;
    const size_t width = 2 * cols;
    for (size_t i = 0; i < src->rows; i++)
        for (size_t j = 0; j < cols; j++)
            x[i * width + cols + j] = src->x[i * cols + j] * mask[j];
    return gan__dataset_create_owned(out, x, labels, src->rows, width, fn);
}
