/* Datasets (private): the gan_dataset struct, its shared storage block,
 * iteration-state serialisation for checkpoints, and toy helpers shared
 * with the coverage module. */
#ifndef GAN_DATASET_H
#define GAN_DATASET_H

#include <stdatomic.h>

#include "gan.h"
#include "serial.h"

/* Storage shared by a dataset and all its subsets. Freed when the last
 * dataset referring to it is freed. The count is atomic so a source and its
 * subsets (different handles) may be freed from different threads. */
typedef struct gan__dataset_block {
    atomic_size_t refs;
    float *x;        /* rows x cols, row-major */
    int32_t *labels; /* rows, or NULL */
    size_t rows, cols;
} gan__dataset_block;

struct gan_dataset {
    gan__dataset_block *block;
    const float *x;        /* first row of this view inside block->x */
    const int32_t *labels; /* first label of this view, or NULL */
    size_t rows, cols;
    /* Iteration state of gan_dataset_next_batch. perm always holds a
     * permutation of [0, rows) (identity after create); a fresh one is drawn
     * whenever pos == 0, i.e. at the start of every epoch. pos is the number
     * of rows of the current epoch already returned (always < rows). */
    size_t *perm;
    size_t pos;
    uint64_t epoch;
};

/* Make a dataset that takes ownership of x (rows x cols, malloc'ed) and
 * labels (rows, malloc'ed, may be NULL). On failure both are freed. fn names
 * the public function for error messages. */
int gan__dataset_create_owned(gan_dataset **out, float *x, int32_t *labels,
                              size_t rows, size_t cols, const char *fn);

/* Write the iteration state (epoch, position, current permutation). */
void gan__dataset_iter_write(gan__writer *w, const gan_dataset *ds);
/* Read it back; validates that it fits ds (same row count, permutation
 * entries in range and a true permutation); on any error returns
 * GAN_EFORMAT naming `what` and leaves ds unchanged (GAN_ENOMEM, also
 * leaving ds unchanged, if the scratch for the check cannot be allocated). */
int gan__dataset_iter_read(gan_dataset *ds, gan__reader *r, const char *what);

/* The same in two steps, for callers that must check everything before
 * changing anything: parse checks a state against ds and allocates its
 * permutation into *it (ds unchanged; nothing to free on error); commit then
 * applies it and cannot fail; discard frees a parsed state not committed. */
typedef struct {
    size_t *perm;
    size_t pos;
    uint64_t epoch;
} gan__dataset_iter;
int gan__dataset_iter_parse(gan__dataset_iter *it, const gan_dataset *ds, gan__reader *r,
                            const char *what);
void gan__dataset_iter_commit(gan_dataset *ds, gan__dataset_iter *it);
void gan__dataset_iter_discard(gan__dataset_iter *it);

/* Toy helpers. gan__toy_check validates opts (GAN_EINVAL for NULL or bad
 * values, GAN_EUNSUPPORTED for an unknown version or kind), raising an error
 * that names fn. The others assume valid options. */
int gan__toy_check(const char *fn, const gan_toy_options *opts);
size_t gan__toy_width(const gan_toy_options *opts);
size_t gan__toy_modes(const gan_toy_options *opts);
/* Centre of mode m (c[1] unused in 1-D). */
void gan__toy_center(double c[2], const gan_toy_options *opts, size_t m);
/* Nearest mode of the point p (width floats) and its distance in units of
 * std. A point with a NaN or infinite coordinate gets mode -1 and NaN. */
void gan__toy_nearest(int32_t *mode, double *dist_std, const gan_toy_options *opts,
                      const float *p);

#endif
