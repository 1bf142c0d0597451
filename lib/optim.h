/* gan_optimizer internals other modules need (private). */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include "gan.h"
#include "pool.h"

/* The net the optimizer is bound to. */
gan_net *gan__optimizer_net(const gan_optimizer *opt);
/* Fused SGD step, in two halves around a gan__net_backward_fused: begin
 * returns the velocity array and sets *alpha = -lr, *beta = momentum, or
 * returns NULL when the optimizer cannot fuse (Adam); finish then adds the
 * velocity to the parameters and does the rest of gan_optimizer_step
 * (divergence check, max-norm, schedules). */
float *gan__optimizer_fused_begin(gan_optimizer *opt, float *alpha, float *beta);
int gan__optimizer_fused_finish(gan_optimizer *opt);

/* Run every check of gan_optimizer_set_state without changing opt: after
 * GAN_OK, set_state with the same blob cannot fail. */
int gan__optimizer_check_state(const gan_optimizer *opt, const void *buf, size_t size);

/* Lend a thread pool for the update loops (NULL: run on the caller). */
void gan__optimizer_set_pool(gan_optimizer *opt, gan__pool *pool);

#endif
