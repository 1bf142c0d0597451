/* A tiny fork-join thread pool (private) for the element-wise loops around
 * the matrix products: optimizer updates, activations, maxout. A session
 * owns one and passes it to every training pass and optimizer step it runs;
 * without a pool (NULL) every loop runs on the calling thread. Work is split into contiguous ranges
 * and no reduction crosses ranges, so results do not depend on the thread
 * count. */
#ifndef GAN_POOL_H
#define GAN_POOL_H

#include <stddef.h>

typedef struct gan__pool gan__pool;

/* Work on [begin, end) of a job; ctx is the caller's. */
typedef void (*gan__pool_fn)(void *ctx, size_t begin, size_t end);

/* threads counts the calling thread: 1 makes a pool without workers. */
int gan__pool_create(gan__pool **out, unsigned threads);
void gan__pool_free(gan__pool *pool);

/* Run fn over [0, n) split into one contiguous range per thread (ranges
 * are multiples of grain, except the last), the caller taking the first;
 * returns when every range is done. pool may be NULL (runs inline); small
 * jobs (n < min_parallel) also run inline. */
void gan__pool_run(gan__pool *pool, gan__pool_fn fn, void *ctx, size_t n, size_t grain,
                   size_t min_parallel);

/* Below this many floats an element-wise loop stays on the caller: a
 * parallel job then costs more in hand-offs than it saves. */
#define GAN__PARALLEL_MIN 65536u

/* Rows per job so that a parallel job over rows of width cols has at
 * least GAN__PARALLEL_MIN floats. */
static inline size_t gan__min_rows(size_t cols)
{
    return GAN__PARALLEL_MIN / (cols ? cols : 1) + 1;
}

/* Threads a session uses by default: the online CPUs, at most 4. */
unsigned gan__pool_default_threads(void);

#endif
