/* gan_optimizer internals other modules need (private). The optimizer
 * sees its net only as flat parameter and gradient arrays (net.h). */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include "gan.h"
#include "pool.h"

/* The net the optimizer is bound to. */
gan_net *gan__optimizer_net(const gan_optimizer *opt);

/* GAN_ESTATE naming fn when layers were added to the optimizer's net
 * after the optimizer was created. */
int gan__optimizer_check_net(const gan_optimizer *opt, const char *fn);

/* Folds the gradient of the step being taken into out, laid out like the
 * net's parameters: out = alpha * g + beta * out. It may fail only before
 * writing anything. */
typedef int (*gan__grad_fold_fn)(void *ctx, float *out, float alpha, float beta);

/* One step of opt whose gradient comes from fold, the element-wise loops
 * on pool (NULL: the calling thread). The optimizer picks where the
 * gradient goes: SGD folds it straight into the momentum velocity, so no
 * gradient array is written and re-read; Adam has it written into the
 * net's gradient array first. Otherwise as gan_optimizer_step. */
int gan__optimizer_step_fold(gan_optimizer *opt, gan__pool *pool, gan__grad_fold_fn fold,
                             void *ctx);

/* Run every check of gan_optimizer_set_state without changing opt: after
 * GAN_OK, set_state with the same blob cannot fail. */
int gan__optimizer_check_state(const gan_optimizer *opt, const void *buf, size_t size);

#endif
