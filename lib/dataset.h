/* Datasets (private): the gan_dataset struct, its shared storage block,
 * and the iteration state written into session checkpoints. */
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
    size_t *perm_spare; /* rows entries: where a checkpoint's permutation is
                           parsed before it is committed */
};

/* Make a dataset that takes ownership of x (rows x cols, malloc'ed) and
 * labels (rows, malloc'ed, may be NULL). On failure both are freed. fn names
 * the public function for error messages. */
int gan__dataset_create_owned(gan_dataset **out, float *x, int32_t *labels,
                              size_t rows, size_t cols, const char *fn);

/* Write the iteration state (epoch, position, current permutation). */
void gan__dataset_iter_write(gan__writer *w, const gan_dataset *ds);
/* Read it back in two steps, for callers that must check everything
 * before changing anything: parse checks a state against ds (entries in
 * range, a true permutation; GAN_EFORMAT naming `what` otherwise) into ds's
 * spare permutation buffer, so it allocates nothing; the iteration state
 * itself is unchanged until commit applies it, which cannot fail. At most
 * one parsed state per dataset may wait for its commit. */
typedef struct {
    size_t pos;
    uint64_t epoch;
} gan__dataset_iter;
int gan__dataset_iter_parse(gan__dataset_iter *it, gan_dataset *ds, gan__reader *r,
                            const char *what);
void gan__dataset_iter_commit(gan_dataset *ds, const gan__dataset_iter *it);

#endif
