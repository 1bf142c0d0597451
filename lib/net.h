/* gan_net internals (private): the layer table, the training workspace and
 * the helpers other modules (optimizer, updates, session) need. */
#ifndef GAN_NET_H
#define GAN_NET_H

#include "gan.h"
#include "pool.h"
#include "serial.h"

#include <stdint.h>
#include <string.h>

/* Limits of the net file format, enforced when a net is built so that every
 * net can be saved and loaded again (they also bound what a hostile file can
 * ask for before its sizes are checked against the bytes present). */
#define GAN__NET_MAX_LAYERS 4096u
#define GAN__NET_MAX_WIDTH UINT32_MAX

typedef struct gan__layer {
    uint32_t kind;   /* gan_layer_kind */
    uint32_t act;    /* gan_activation (dense only) */
    size_t in, out;  /* input width, output width */
    size_t units, pieces;
    size_t cols;     /* pre-activation columns: dense units, maxout
                        units * pieces, dropout in */
    float keep;      /* dropout */
    float slope;     /* leaky ReLU */
    size_t poff, np; /* offset of W in the flat parameters, count of W + b */

    /* Training workspace, rows_cap rows each (see gan_net.rows_cap). */
    float *pre;      /* dense / maxout: pre-activations (rows x cols) */
    float *y;        /* output (rows x out); aliases pre for identity dense */
    uint32_t *arg;   /* maxout: column of the winning piece (rows x units) */
    float *mask;     /* dropout: 0 or 1/keep (rows x in) */
} gan__layer;

struct gan_net {
    size_t input_width;
    gan__layer *layers;
    size_t n_layers, cap_layers;
    float *params, *grads;
    size_t n_params;

    /* Training workspace: grown to the largest batch seen, then reused. */
    size_t rows_cap;
    size_t max_width;   /* widest input, output or pre-activation */
    float *input;       /* copy of the last training input (rows x input_width) */
    float *scratch[3];  /* backward buffers (rows_cap x max_width each) */
    float *dout;        /* rows_cap x output width: room for the caller's
                           output gradient (used by the update modules) */
    size_t last_rows;   /* rows of the last training forward, 0 if none */
    gan__pool *pool;    /* borrowed from a session for the training loops */
};

/* c > 0 ? a : b, picked with a bit mask: a comparison in a select stops
 * GCC's vectoriser (it may trap), a mask does not. */
static inline float gan__select_pos(float c, float a, float b)
{
    const uint32_t m = (uint32_t)0 - (uint32_t)(c > 0.0f);
    uint32_t ab, bb;
    memcpy(&ab, &a, sizeof ab);
    memcpy(&bb, &b, sizeof bb);
    const uint32_t r = (ab & m) | (bb & ~m);
    float f;
    memcpy(&f, &r, sizeof f);
    return f;
}

/* Below this many floats an element-wise loop stays on the caller. */
#define GAN__PARALLEL_MIN 65536u

/* Rows per job so that a parallel job has at least GAN__PARALLEL_MIN
 * floats of width cols. */
static inline size_t gan__min_rows(size_t cols)
{
    return GAN__PARALLEL_MIN / (cols ? cols : 1) + 1;
}

static inline const gan__layer *gan__net_last_layer(const gan_net *net)
{
    return &net->layers[net->n_layers - 1];
}

/* Training forward on the rows of x1 (rows1) followed by those of x2
 * (rows2, x2 may be NULL when rows2 is 0), as one batch: the fused real +
 * fake pass of the discriminator. Same contract as gan_net_train_forward. */
int gan__net_train_forward_pair(gan_net *net, gan_rng *rng, const float *x1, size_t rows1,
                                const float *x2, size_t rows2, size_t cols);

/* Backward through rows [row_begin, row_begin + rows) of the last training
 * forward only; dy holds those rows. Same flags as gan_net_backward. Used to
 * take G's gradient from the fake half of a fused real+fake D pass. */
int gan__net_backward_range(float *dx, gan_net *net, const float *dy,
                            size_t row_begin, size_t rows, unsigned flags);

/* Release the training workspace (it is rebuilt on the next training
 * forward); the net forgets its last training forward. */
void gan__net_free_workspace(gan_net *net);

/* Backward through the whole last training forward (dx not computed),
 * folding each parameter gradient g into out (laid out like the
 * parameters): out = alpha * g + beta * out. With out = an SGD velocity,
 * alpha = -lr and beta = momentum this is the momentum update without a
 * gradient array in between. Only GAN_BACKWARD_LOGITS is honoured. */
int gan__net_backward_fused(gan_net *net, const float *dy, size_t rows, unsigned flags,
                            float *out, float alpha, float beta);

int gan__net_has_dropout(const gan_net *net);

/* Lend a thread pool for the element-wise training loops (NULL: none). */
void gan__net_set_pool(gan_net *net, gan__pool *pool);

/* Architecture and parameters, appended to w (the payload of gan_net_save). */
void gan__net_write(gan__writer *w, const gan_net *net);
/* A new net read from r; GAN_EFORMAT naming `what` on malformed input. */
int gan__net_read(gan_net **out, gan__reader *r, const char *what);
/* Nonzero when both nets have the same input width and layers. */
int gan__net_same_arch(const gan_net *a, const gan_net *b);

#endif
