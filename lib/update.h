/* Shared pieces of the discriminator and generator steps (private); the
 * session's simultaneous update is assembled from the same parts. */
#ifndef GAN_UPDATE_H
#define GAN_UPDATE_H

#include "net.h"
#include "optim.h"

/* D must end in a dense layer of width 1 with sigmoid (or identity)
 * activation, whose pre-activation is the logit. */
int gan__check_discriminator(const gan_net *d, const char *fn);
/* D's logits from its last training forward (one per row). */
static inline const float *gan__d_logits(const gan_net *d)
{
    return gan__net_last_layer(d)->pre;
}
/* Mean of sigmoid(a) over n logits, in double. */
double gan__mean_sigmoid(const float *a, size_t n);
/* GAN_OK, or GAN_EDIVERGED naming fn when a logit is NaN or Inf. */
int gan__check_logits_finite(const float *a, size_t n, const char *fn);

/* The parameter backward of net (bound to opt) for opt's next step. For
 * SGD the gradient is folded straight into the velocity (no gradient array
 * pass; the net's gradient array is then not updated) and *fused is set;
 * otherwise an ordinary backward. Finish with gan__step_finish. */
int gan__backward_for_step(int *fused, gan_net *net, gan_optimizer *opt, const float *dy,
                           size_t rows, size_t cols, unsigned flags);
int gan__step_finish(gan_optimizer *opt, int fused);

#endif
