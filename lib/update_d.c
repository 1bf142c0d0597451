/* One discriminator step: ascend E[log D(x)] + E[log(1 - D(G(z)))] on a
 * real and a fake minibatch, run through D as one fused batch. */
#include "optim.h"
#include "status.h"
#include "update.h"

#include <math.h>

int gan__check_discriminator(const gan_net *d, const char *fn)
{
    if (d->n_layers == 0)
        return gan__error(GAN_ESTATE, "%s: d has no layers", fn);
    const gan__layer *l = gan__net_last_layer(d);
    if (l->kind != GAN_LAYER_DENSE || l->out != 1 ||
        (l->act != GAN_ACT_SIGMOID && l->act != GAN_ACT_IDENTITY))
        return gan__error(GAN_ESHAPE,
                          "%s: d must end in a dense layer of 1 unit with sigmoid or identity activation",
                          fn);
    return GAN_OK;
}

double gan__mean_sigmoid(const float *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double x = a[i];
        s += x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
    }
    return n ? s / (double)n : NAN;
}

int gan__check_logits_finite(const float *a, size_t n, const char *fn)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i]))
            return gan__error(GAN_EDIVERGED, "%s: discriminator logit %zu is %g", fn, i, (double)a[i]);
    return GAN_OK;
}

int gan__backward_for_step(int *fused, gan_net *net, gan_optimizer *opt, const float *dy,
                           size_t rows, size_t cols, unsigned flags)
{
    float alpha, beta;
    float *velocity = gan__optimizer_fused_begin(opt, &alpha, &beta);
    *fused = velocity != NULL;
    if (velocity == NULL)
        return gan_net_backward(NULL, net, dy, rows, cols, flags);
    if (rows != net->last_rows || cols != gan_net_output_width(net))
        return gan__error(GAN_ESHAPE, "backward: %zu x %zu gradient for a %zu x %zu output", rows,
                          cols, net->last_rows, gan_net_output_width(net));
    return gan__net_backward_fused(net, dy, rows, flags, velocity, alpha, beta);
}

int gan__step_finish(gan_optimizer *opt, int fused)
{
    return fused ? gan__optimizer_fused_finish(opt) : gan_optimizer_step(opt);
}

int gan_update_d(gan_step_stats *stats, gan_net *d, gan_optimizer *d_opt, gan_rng *rng,
                 const float *real, const float *fake, size_t rows, size_t cols, unsigned flags)
{
    const char *fn = "gan_update_d";
    GAN_CHECK_NULL(fn, d);
    GAN_CHECK_NULL(fn, d_opt);
    GAN_CHECK_NULL(fn, real);
    GAN_CHECK_NULL(fn, fake);
    GAN_CHECK_NONZERO(fn, rows);
    if (flags & ~GAN_LOSS_D_HALF)
        return gan__error(GAN_EINVAL, "%s: unknown bits in flags 0x%x", fn, flags);
    if (gan__optimizer_net(d_opt) != d)
        return gan__error(GAN_EINVAL, "%s: d_opt is not bound to d", fn);
    int rc = gan__check_discriminator(d, fn);
    if (rc)
        return rc;
    if (rows > SIZE_MAX / 2)
        return gan__error(GAN_EINVAL, "%s: rows too large", fn);
    if ((rc = gan__net_train_forward_pair(d, rng, real, rows, fake, rows, cols)) != GAN_OK)
        return rc;
    const float *a = gan__d_logits(d);
    if ((rc = gan__check_logits_finite(a, 2 * rows, fn)) != GAN_OK)
        return rc;
    double loss;
    float *dy = d->dout;
    if ((rc = gan_loss_d(&loss, dy, dy + rows, a, rows, a + rows, rows, flags)) != GAN_OK)
        return rc;
    const double d_real = gan__mean_sigmoid(a, rows);
    const double d_fake = gan__mean_sigmoid(a + rows, rows);
    int fused;
    rc = gan__backward_for_step(&fused, d, d_opt, dy, 2 * rows, 1, GAN_BACKWARD_LOGITS);
    if (rc)
        return rc;
    rc = gan__step_finish(d_opt, fused);
    if (stats) {
        stats->d_loss = loss;
        stats->g_loss = NAN;
        stats->d_real = d_real;
        stats->d_fake = d_fake;
    }
    return rc;
}
