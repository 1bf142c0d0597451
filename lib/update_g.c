/* One generator step: G forward, D forward on G's samples, backpropagation
 * through D into G (D's parameters and gradients untouched), G's step. */
#include "optim.h"
#include "status.h"
#include "update.h"

#include <math.h>

int gan_update_g(gan_step_stats *stats, gan_net *g, gan_optimizer *g_opt, gan_net *d,
                 gan_rng *rng, const float *z, size_t rows, size_t z_cols, int g_loss)
{
    const char *fn = "gan_update_g";
    GAN_CHECK_NULL(fn, g);
    GAN_CHECK_NULL(fn, g_opt);
    GAN_CHECK_NULL(fn, d);
    GAN_CHECK_NULL(fn, z);
    GAN_CHECK_NONZERO(fn, rows);
    if (g_loss != GAN_G_LOSS_NON_SATURATING && g_loss != GAN_G_LOSS_MINIMAX)
        return gan__error(GAN_EUNSUPPORTED, "%s: g_loss %d is not a gan_g_loss", fn, g_loss);
    if (gan__optimizer_net(g_opt) != g)
        return gan__error(GAN_EINVAL, "%s: g_opt is not bound to g", fn);
    if (g == d)
        return gan__error(GAN_EINVAL, "%s: g and d are the same net", fn);
    int rc = gan__check_discriminator(d, fn);
    if (rc)
        return rc;
    const size_t width = gan_net_output_width(g);
    if (width != d->input_width)
        return gan__error(GAN_ESHAPE, "%s: g's output width %zu differs from d's input width %zu",
                          fn, width, d->input_width);
    if ((rc = gan_net_train_forward(g, rng, z, rows, z_cols)) != GAN_OK)
        return rc;
    const float *fake = gan__net_last_layer(g)->y;
    if ((rc = gan_net_train_forward(d, rng, fake, rows, width)) != GAN_OK)
        return rc;
    const float *a = gan__d_logits(d);
    if ((rc = gan__check_logits_finite(a, rows, fn)) != GAN_OK)
        return rc;
    double loss;
    if ((rc = gan_loss_g(&loss, d->dout, a, rows, g_loss)) != GAN_OK)
        return rc;
    const double d_fake = gan__mean_sigmoid(a, rows);
    rc = gan__net_backward_range(g->dout, d, d->dout, 0, rows,
                                 GAN_BACKWARD_LOGITS | GAN_BACKWARD_NO_PARAMS);
    int fused = 0;
    if (rc == GAN_OK)
        rc = gan__backward_for_step(&fused, g, g_opt, g->dout, rows, width, 0);
    if (rc)
        return rc;
    rc = gan__step_finish(g_opt, fused);
    if (stats) {
        stats->d_loss = NAN;
        stats->g_loss = loss;
        stats->d_real = NAN;
        stats->d_fake = d_fake;
    }
    return rc;
}
