/* gan_optimizer internals other modules need (private). */
#ifndef GAN_OPTIM_H
#define GAN_OPTIM_H

#include "gan.h"

/* The net the optimizer is bound to. */
gan_net *gan__optimizer_net(const gan_optimizer *opt);

#endif
