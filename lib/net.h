/* What other modules may do with a gan_net beyond the public API
 * (private): training passes whose loops run on a pool the caller passes,
 * the flat parameter arrays for the optimizer, and the net's part of
 * checkpoints. The
 * representation is in net_layers.h, which only net*.c include. */
#ifndef GAN_NET_H
#define GAN_NET_H

#include "gan.h"
#include "pool.h"
#include "serial.h"

#include <stddef.h>

/* ---- Training passes (net_forward.c, net_backward.c) ----
 * Each takes the pool that runs its element-wise loops (NULL: the calling
 * thread), so threading is the caller's choice, and fn, the public
 * function named in error messages. */

/* Grow the training workspace to at least rows rows (nothing happens when
 * it is large enough). A caller that must not fail halfway reserves first. */
int gan__net_reserve(gan_net *net, size_t rows, const char *fn);

/* Training forward on the rows of x1 (rows1) followed by those of x2
 * (rows2, x2 may be NULL when rows2 is 0) in one pass: the fused real +
 * fake pass of the discriminator. Every layer but batch norm treats the
 * rows alike; batch norm treats each part (when both hold rows) as a batch
 * of its own, as two gan_net_train_forward calls would, and the backward
 * passes follow. Otherwise the contract of gan_net_train_forward. */
int gan__net_train_forward_pair(gan_net *net, gan__pool *pool, gan_rng *rng, const float *x1,
                                size_t rows1, const float *x2, size_t rows2, size_t cols,
                                const char *fn);

/* A training forward on x1 then x2 (rows rows each, the net's input width)
 * with the dropout masks of the last training forward's first part: each
 * part gets that part's mask rows [0, rows). Both parts then see the same
 * function of their input, which the R1 penalty's difference along the
 * input gradient needs (update.c). The last forward's first part must have
 * had at least rows rows; nets with batch normalisation are refused
 * (GAN_EUNSUPPORTED: a pass changes its statistics). */
int gan__net_train_forward_same_masks(gan_net *net, gan__pool *pool, const float *x1,
                                      const float *x2, size_t rows, const char *fn);

/* The last training forward's output (rows x output width), its
 * pre-activations when logits is set and the last layer is dense; NULL
 * when there is none. */
const float *gan__net_train_output(const gan_net *net, int logits);

/* Input gradient only, through rows [row_begin, row_begin + rows) of the
 * last training forward (dy holds those rows): parameter gradients are not
 * touched. Flags as gan_net_backward (GAN_BACKWARD_LOGITS is honoured).
 * Used to take G's gradient from the fake half of D's fused pass. */
void gan__net_backward_input(float *dx, gan_net *net, gan__pool *pool, const float *dy,
                             size_t row_begin, size_t rows, unsigned flags);

/* Backward through the whole last training forward (no input gradient),
 * folding each parameter gradient g into out (laid out like the
 * parameters): out = alpha * g + beta * out. With out = an SGD velocity,
 * alpha = -lr and beta = momentum this is the momentum update without a
 * gradient array in between. Only GAN_BACKWARD_LOGITS is honoured. The
 * caller guarantees dy is rows x output width with rows those of the last
 * training forward. */
void gan__net_fold_param_grads(gan_net *net, gan__pool *pool, const float *dy, size_t rows,
                               unsigned flags, float *out, float alpha, float beta);

/* Release the training workspace (it is rebuilt on the next training
 * forward); the net forgets its last training forward. */
void gan__net_free_workspace(gan_net *net);
/* Forget the last training forward (its activations no longer match the
 * parameters, e.g. after a checkpoint was restored). */
void gan__net_forget_forward(gan_net *net);

int gan__net_has_dropout(const gan_net *net);

/* ---- Parameters, for the optimizer and the session ----
 * The flat arrays hold gan_net_num_params floats; they move when a layer is
 * added, so callers ask again for every step. */
float *gan__net_param_array(gan_net *net);
float *gan__net_grad_array(gan_net *net);
/* The non-parameter state (batch normalisation's running statistics):
 * gan__net_state_size floats, NULL when there are none. */
float *gan__net_state_array(gan_net *net);
size_t gan__net_state_size(const gan_net *net);
/* 1 when a and b have the same layers in the same places: input width,
 * layer kinds and widths, and the offsets and sizes of their parameters
 * and running statistics (what copying or blending one net's arrays into
 * the other's needs); 0 otherwise. */
int gan__net_same_layout(const gan_net *a, const gan_net *b);
/* The first layer whose parameters hold NaN or Inf, or SIZE_MAX. */
size_t gan__net_nonfinite_layer(const gan_net *net);
/* Max-norm: scale each column of every weight matrix (one unit's incoming
 * weights) whose L2 norm exceeds c back to c. scratch holds
 * gan__net_max_norm_scratch(net) floats. */
size_t gan__net_max_norm_scratch(const gan_net *net);
void gan__net_apply_max_norm(gan_net *net, float c, float *scratch);

/* ---- Files (net_io.c) ---- */
/* Architecture and parameters, appended to w (the payload of gan_net_save). */
void gan__net_write(gan__writer *w, const gan_net *net);
/* A new net read from r; GAN_EFORMAT naming `what` on malformed input,
 * GAN_ENOMEM when memory runs out. */
int gan__net_read(gan_net **out, gan__reader *r, const char *what);
/* Two phases for restoring into an existing net without allocating: check
 * reads a record from r and checks that it has net's architecture and
 * finite parameters (net unchanged; `what` and `name` ("G", "D") name it
 * in messages); apply then copies the parameters of a record that passed
 * check and cannot fail. */
int gan__net_check_record(gan__reader *r, const gan_net *net, const char *what, const char *name);
void gan__net_apply_record(gan_net *net, gan__reader *r);

#endif
