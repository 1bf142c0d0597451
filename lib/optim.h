/* gan_optimizer internals other modules need (private). */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include "gan.h"
#include "pool.h"

/* The net the optimizer is bound to. */
gan_net *gan__optimizer_net(const gan_optimizer *opt);
/* Lend a thread pool for the update loops (NULL: run on the caller). */
void gan__optimizer_set_pool(gan_optimizer *opt, gan__pool *pool);

#endif
