/* gan_dataset: rows x cols float32 in memory with optional int32 labels,
 * shared-storage subsets, shuffled minibatches, column means, and the
 * iteration state written into session checkpoints. */
#include "dataset.h"
#include "rng.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Format version of the iteration-state record of gan__dataset_iter_write. */
#define ITER_STATE_VERSION 1u

static void block_release(gan__dataset_block *b)
{
    if (b == NULL)
        return;
    if (atomic_fetch_sub(&b->refs, 1) == 1) {
        free(b->x);
        free(b->labels);
        free(b);
    }
}

/* A new dataset viewing rows [begin, begin + rows) of block b; takes one
 * reference to b on success only. */
static int view_create(gan_dataset **out, gan__dataset_block *b, size_t begin, size_t rows,
                       const char *fn)
{
    gan_dataset *ds = malloc(sizeof *ds);
    size_t *perm = malloc(rows * sizeof *perm);
    size_t *spare = malloc(rows * sizeof *spare);
    if (ds == NULL || perm == NULL || spare == NULL) {
        free(ds);
        free(perm);
        free(spare);
        return gan__error(GAN_ENOMEM, "%s: out of memory for a dataset of %zu rows", fn, rows);
    }
    for (size_t i = 0; i < rows; i++)
        perm[i] = i;
    atomic_fetch_add(&b->refs, 1);
    ds->block = b;
    ds->x = b->x + begin * b->cols;
    ds->labels = b->labels != NULL ? b->labels + begin : NULL;
    ds->rows = rows;
    ds->cols = b->cols;
    ds->perm = perm;
    ds->perm_spare = spare;
    ds->pos = 0;
    ds->epoch = 0;
    *out = ds;
    return GAN_OK;
}

int gan__dataset_create_owned(gan_dataset **out, float *x, int32_t *labels,
                              size_t rows, size_t cols, const char *fn)
{
    size_t perm_bytes;
    if (gan__mul_size(&perm_bytes, rows, sizeof(size_t)) != 0) {
        free(x);
        free(labels);
        return gan__error(GAN_EINVAL, "%s: %zu rows overflow size_t", fn, rows);
    }
    gan__dataset_block *b = malloc(sizeof *b);
    if (b == NULL) {
        free(x);
        free(labels);
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    }
    atomic_init(&b->refs, 0);
    b->x = x;
    b->labels = labels;
    b->rows = rows;
    b->cols = cols;
    int rc = view_create(out, b, 0, rows, fn);
    if (rc != GAN_OK) {
        free(x);
        free(labels);
        free(b);
    }
    return rc;
}

int gan_dataset_create(gan_dataset **out, const float *x, size_t rows, size_t cols)
{
    static const char fn[] = "gan_dataset_create";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, x);
    GAN_CHECK_NONZERO(fn, rows);
    GAN_CHECK_NONZERO(fn, cols);
    size_t n, bytes;
    if (gan__mul_size(&n, rows, cols) != 0 || gan__mul_size(&bytes, n, sizeof(float)) != 0)
        return gan__error(GAN_EINVAL, "%s: rows x cols = %zu x %zu overflows size_t", fn, rows, cols);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return gan__error(GAN_EINVAL, "%s: x[%zu][%zu] is not finite (%g)", fn,
                              i / cols, i % cols, (double)x[i]);
    }
    float *copy = malloc(bytes);
    if (copy == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu floats", fn, rows, cols);
    memcpy(copy, x, bytes);
    return gan__dataset_create_owned(out, copy, NULL, rows, cols, fn);
}

int gan_dataset_subset(gan_dataset **out, const gan_dataset *src, size_t begin, size_t count)
{
    static const char fn[] = "gan_dataset_subset";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, src);
    GAN_CHECK_NONZERO(fn, count);
    if (begin > src->rows || count > src->rows - begin)
        return gan__error(GAN_EINVAL, "%s: rows [%zu, %zu + %zu) exceed the source's %zu rows",
                          fn, begin, begin, count, src->rows);
    /* The view's offset inside the block. */
    size_t block_begin = (size_t)(src->x - src->block->x) / src->cols + begin;
    return view_create(out, src->block, block_begin, count, fn);
}

void gan_dataset_free(gan_dataset *ds)
{
    if (ds == NULL)
        return;
    block_release(ds->block);
    free(ds->perm);
    free(ds->perm_spare);
    free(ds);
}

size_t gan_dataset_rows(const gan_dataset *ds)
{
    return ds != NULL ? ds->rows : 0;
}

size_t gan_dataset_cols(const gan_dataset *ds)
{
    return ds != NULL ? ds->cols : 0;
}

const float *gan_dataset_data(const gan_dataset *ds)
{
    return ds != NULL ? ds->x : NULL;
}

const int32_t *gan_dataset_labels(const gan_dataset *ds)
{
    return ds != NULL ? ds->labels : NULL;
}

int gan_dataset_column_mean(float *out, size_t cols, const gan_dataset *ds)
{
    static const char fn[] = "gan_dataset_column_mean";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, ds);
    if (cols != ds->cols)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu but the dataset has %zu columns",
                          fn, cols, ds->cols);
    double *acc = calloc(cols, sizeof *acc);
    if (acc == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu columns", fn, cols);
    for (size_t i = 0; i < ds->rows; i++) {
        const float *row = ds->x + i * cols;
        for (size_t j = 0; j < cols; j++)
            acc[j] += row[j];
    }
    for (size_t j = 0; j < cols; j++)
        out[j] = (float)(acc[j] / (double)ds->rows);
    free(acc);
    return GAN_OK;
}

/* labels_out with a dataset that has no labels: every returned row gets the
 * label -1 (documented choice), so generic code can always pass a buffer. */
int gan_dataset_next_batch(float *out, int32_t *labels_out, size_t *rows_out,
                           gan_dataset *ds, gan_rng *rng, size_t batch)
{
    static const char fn[] = "gan_dataset_next_batch";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, rows_out);
    GAN_CHECK_NULL(fn, ds);
    GAN_CHECK_NULL(fn, rng);
    GAN_CHECK_NONZERO(fn, batch);
    const size_t rows = ds->rows, cols = ds->cols;
    if (ds->pos == 0) {
        /* A fresh permutation for the new epoch (Fisher-Yates from the
         * identity, so the order depends only on the generator's state). */
        size_t *p = ds->perm;
        for (size_t i = 0; i < rows; i++)
            p[i] = i;
        for (size_t i = rows - 1; i > 0; i--) {
            size_t j = (size_t)gan__rng_below(rng, (uint64_t)i + 1);
            size_t t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
    size_t left = rows - ds->pos;
    size_t n = batch < left ? batch : left;
    const size_t *idx = ds->perm + ds->pos;
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * cols, ds->x + idx[i] * cols, cols * sizeof(float));
    if (labels_out != NULL) {
        for (size_t i = 0; i < n; i++)
            labels_out[i] = ds->labels != NULL ? ds->labels[idx[i]] : -1;
    }
    ds->pos += n;
    if (ds->pos == rows) {
        ds->pos = 0;
        ds->epoch++;
    }
    *rows_out = n;
    return GAN_OK;
}

uint64_t gan_dataset_epoch(const gan_dataset *ds)
{
    return ds != NULL ? ds->epoch : 0;
}

int gan_dataset_rewind(gan_dataset *ds)
{
    GAN_CHECK_NULL("gan_dataset_rewind", ds);
    ds->pos = 0;
    ds->epoch = 0;
    return GAN_OK;
}

/* Record: u32 version | u64 rows | u64 epoch | u64 pos | rows x u64 perm. */
void gan__dataset_iter_write(gan__writer *w, const gan_dataset *ds)
{
    gan__put_u32(w, ITER_STATE_VERSION);
    gan__put_u64(w, (uint64_t)ds->rows);
    gan__put_u64(w, ds->epoch);
    gan__put_u64(w, (uint64_t)ds->pos);
    for (size_t i = 0; i < ds->rows; i++)
        gan__put_u64(w, (uint64_t)ds->perm[i]);
}

/* Marks a row as seen while a permutation is checked in place: row
 * indices are below rows <= SIZE_MAX / sizeof(size_t), so the top bit is
 * free. */
#define SEEN_BIT ((size_t)1 << (sizeof(size_t) * 8 - 1))

int gan__dataset_iter_parse(gan__dataset_iter *it, gan_dataset *ds, gan__reader *r,
                            const char *what)
{
    if (what == NULL)
        what = "dataset state";
    uint32_t version = gan__get_u32(r);
    uint64_t rows = gan__get_u64(r);
    uint64_t epoch = gan__get_u64(r);
    uint64_t pos = gan__get_u64(r);
    if (r->failed)
        return gan__error(GAN_EFORMAT, "%s: dataset iteration state is truncated", what);
    if (version != ITER_STATE_VERSION)
        return gan__error(GAN_EFORMAT, "%s: dataset iteration state has version %u, expected %u",
                          what, (unsigned)version, ITER_STATE_VERSION);
    if (rows != (uint64_t)ds->rows)
        return gan__error(GAN_EFORMAT, "%s: dataset iteration state is for %llu rows, the dataset has %zu",
                          what, (unsigned long long)rows, ds->rows);
    if (pos >= rows)
        return gan__error(GAN_EFORMAT, "%s: dataset position %llu is out of range (rows %zu)",
                          what, (unsigned long long)pos, ds->rows);
    if (gan__reader_left(r) / 8 < ds->rows)
        return gan__error(GAN_EFORMAT, "%s: dataset permutation is truncated", what);
    /* Into the spare buffer, each entry's SEEN_BIT marking that the row of
     * that index was already listed: no allocation, so a restore cannot run
     * out of memory here. */
    const size_t n = ds->rows;
    size_t *perm = ds->perm_spare;
    memset(perm, 0, n * sizeof *perm);
    for (size_t i = 0; i < n; i++) {
        const uint64_t v = gan__get_u64(r);
        if (v >= rows)
            return gan__error(GAN_EFORMAT, "%s: dataset permutation entry %zu is %llu, out of range (rows %zu)",
                              what, i, (unsigned long long)v, n);
        if (perm[v] & SEEN_BIT)
            return gan__error(GAN_EFORMAT, "%s: dataset permutation repeats row %llu, not a permutation",
                              what, (unsigned long long)v);
        perm[v] |= SEEN_BIT;
        perm[i] = (perm[i] & SEEN_BIT) | (size_t)v;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] &= ~SEEN_BIT;
    it->pos = (size_t)pos;
    it->epoch = epoch;
    return GAN_OK;
}

void gan__dataset_iter_commit(gan_dataset *ds, const gan__dataset_iter *it)
{
    size_t *t = ds->perm;
    ds->perm = ds->perm_spare;
    ds->perm_spare = t;
    ds->pos = it->pos;
    ds->epoch = it->epoch;
}
