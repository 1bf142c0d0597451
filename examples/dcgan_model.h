/* dcgan_model.h: the DCGAN (Radford et al. 2016) at MNIST size that
 * examples/dcgan.c trains and examples/bench_dcgan.c times, built as
 * examples/torch_dcgan.py builds it (see that file's header) within what
 * libgan's layers express. Shared by both programs so they time and train
 * one model.
 *
 *   G: z (100) -> dense 6272 -> reshape 128 x 7 x 7 -> batch norm -> ReLU
 *      -> deconv 64, 4 x 4, stride 2, pad 1 (14 x 14) -> batch norm -> ReLU
 *      -> deconv 1, 4 x 4, stride 2, pad 1, sigmoid (28 x 28)
 *   D: reshape 1 x 28 x 28 -> conv 64, 4 x 4, stride 2, pad 1 -> leaky ReLU
 *      0.2 (14 x 14) -> conv 128, 4 x 4, stride 2, pad 1 (7 x 7) -> batch
 *      norm (unless d_batchnorm is 0) -> leaky ReLU 0.2 -> dense 1, sigmoid
 *
 * The layer order of the PyTorch model: the layers before a batch norm
 * have the identity activation and the ReLU / leaky ReLU is an activation
 * layer (gan_net_add_activation) after the batch norm. D's leaky ReLUs are
 * activation layers too (slope 0.2, PyTorch's LeakyReLU(0.2)). The session
 * normalises D's real and fake rows apart, as the peer's two D passes do.
 *
 * Batch norm: momentum 0.1, eps 1e-5 (PyTorch's defaults). Weights
 * N(0, 0.02^2), biases 0, batch-norm scales 1 and shifts 0.
 */
#ifndef GAN_EXAMPLES_DCGAN_MODEL_H
#define GAN_EXAMPLES_DCGAN_MODEL_H

#include <gan.h>

#define DCGAN_Z 100
#define DCGAN_SIDE 28
#define DCGAN_PIXELS (DCGAN_SIDE * DCGAN_SIDE)
#define DCGAN_BATCH 64
#define DCGAN_BN_MOMENTUM 0.1f
#define DCGAN_BN_EPS 1e-5f

/* Build and initialise G and D; on error both are NULL and the return code
 * is libgan's (gan_error_last() says what failed). d_batchnorm 0 leaves out
 * D's batch norm (docs/dcgan.md). */
static inline int dcgan_build(gan_net **g_out, gan_net **d_out, gan_rng *rng, int d_batchnorm)
{
    gan_net *g = NULL, *d = NULL;
    int rc = gan_net_create(&g, DCGAN_Z);
    if (!rc) rc = gan_net_add_dense(g, 128 * 7 * 7, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_add_reshape(g, 128, 7, 7);
    if (!rc) rc = gan_net_add_batchnorm(g, DCGAN_BN_MOMENTUM, DCGAN_BN_EPS);
    if (!rc) rc = gan_net_add_activation(g, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_deconv2d(g, 64, 4, 2, 1, 0, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_add_batchnorm(g, DCGAN_BN_MOMENTUM, DCGAN_BN_EPS);
    if (!rc) rc = gan_net_add_activation(g, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_deconv2d(g, 1, 4, 2, 1, 0, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(g, rng, GAN_INIT_NORMAL, 0.02f);

    if (!rc) rc = gan_net_create(&d, DCGAN_PIXELS);
    if (!rc) rc = gan_net_add_reshape(d, 1, DCGAN_SIDE, DCGAN_SIDE);
    /* Leaky ReLUs as activation layers (default slope 0.2). */
    if (!rc) rc = gan_net_add_conv2d(d, 64, 4, 2, 1, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_add_activation(d, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_add_conv2d(d, 128, 4, 2, 1, GAN_ACT_IDENTITY);
    if (!rc && d_batchnorm) rc = gan_net_add_batchnorm(d, DCGAN_BN_MOMENTUM, DCGAN_BN_EPS);
    if (!rc) rc = gan_net_add_activation(d, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_add_dense(d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(d, rng, GAN_INIT_NORMAL, 0.02f);
    if (rc) {
        gan_net_free(g);
        gan_net_free(d);
        g = d = NULL;
    }
    *g_out = g;
    *d_out = d;
    return rc;
}

/* Adam 2e-4, beta1 0.5, beta2 0.999, eps 1e-8 (the PyTorch peer's). */
static inline gan_optimizer_options dcgan_adam(void)
{
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    oo.kind = GAN_OPT_ADAM;
    oo.learning_rate = 2e-4f;
    oo.beta1 = 0.5f;
    oo.beta2 = 0.999f;
    oo.epsilon = 1e-8f;
    return oo;
}

/* Batch 64, one D step then one G step (k 1, alternating), the
 * non-saturating G loss, z ~ U(-1, 1) of width 100, D's loss the sum of the
 * real and fake means (no 1/2, as in the peer). */
static inline gan_session_options dcgan_session_options(uint64_t seed)
{
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = DCGAN_BATCH;
    so.k = 1;
    so.g_loss = GAN_G_LOSS_NON_SATURATING;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = 1.0f;
    so.noise_width = DCGAN_Z;
    so.seed = seed;
    so.update_order = GAN_ORDER_ALTERNATING;
    so.d_loss_half = 0;
    return so;
}

#endif
