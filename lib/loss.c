/* GAN losses from the discriminator's logits a (D = sigmoid(a)), through
 * softplus so they stay finite for logits of any size:
 *   log D = -softplus(-a),  log(1 - D) = -softplus(a). */
#include "numeric.h"
#include "status.h"

#include <math.h>

static inline double softplus(double x)
{
    return x > 0.0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static int check_logits(const float *a, size_t n, const char *fn, const char *name)
{
    if (a == NULL)
        return gan__error(GAN_EINVAL, "%s: %s is NULL", fn, name);
    if (n == 0)
        return gan__error(GAN_EINVAL, "%s: %s is empty", fn, name);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i]))
            return gan__error(GAN_EINVAL, "%s: %s[%zu] is not finite", fn, name, i);
    return GAN_OK;
}

/* D's loss with target t on real rows (t = 1: the paper's loss); fn names
 * the public function in messages. */
static int loss_d(double *loss, float *grad_real, float *grad_fake, const float *logit_real,
                  size_t n_real, const float *logit_fake, size_t n_fake, unsigned flags, float t,
                  const char *fn)
{
    GAN_CHECK_NULL(fn, loss);
    if (flags & ~GAN_LOSS_D_HALF)
        return gan__error(GAN_EINVAL, "%s: unknown bits in flags 0x%x", fn, flags);
    if (!(t >= 0.5f && t <= 1.0f))
        return gan__error(GAN_EINVAL, "%s: real_label must be in [0.5, 1], got %g", fn, (double)t);
    int rc = check_logits(logit_real, n_real, fn, "logit_real");
    if (rc == GAN_OK)
        rc = check_logits(logit_fake, n_fake, fn, "logit_fake");
    if (rc)
        return rc;
    const double w = (flags & GAN_LOSS_D_HALF) ? 0.5 : 1.0, td = t;
    double sr = 0.0, sf = 0.0;
    for (size_t i = 0; i < n_real; i++) {
        const double a = logit_real[i];
        /* -[t log D + (1 - t) log(1 - D)]; the second term is skipped at
         * t = 1 so the paper's loss is computed exactly as before. */
        sr += td == 1.0 ? softplus(-a) : td * softplus(-a) + (1.0 - td) * softplus(a);
        if (grad_real)
            grad_real[i] = (float)(w * (gan__sigmoid(a) - td) / (double)n_real);
    }
    for (size_t i = 0; i < n_fake; i++) {
        const double a = logit_fake[i];
        sf += softplus(a);
        if (grad_fake)
            grad_fake[i] = (float)(w * gan__sigmoid(a) / (double)n_fake);
    }
    *loss = w * (sr / (double)n_real + sf / (double)n_fake);
    return GAN_OK;
}

int gan_loss_d(double *loss, float *grad_real, float *grad_fake, const float *logit_real,
               size_t n_real, const float *logit_fake, size_t n_fake, unsigned flags)
{
    return loss_d(loss, grad_real, grad_fake, logit_real, n_real, logit_fake, n_fake, flags, 1.0f,
                  "gan_loss_d");
}

int gan_loss_d_smoothed(double *loss, float *grad_real, float *grad_fake, const float *logit_real,
                        size_t n_real, const float *logit_fake, size_t n_fake, unsigned flags,
                        float real_label)
{
    return loss_d(loss, grad_real, grad_fake, logit_real, n_real, logit_fake, n_fake, flags,
                  real_label, "gan_loss_d_smoothed");
}

int gan_loss_g(double *loss, float *grad, const float *logit_fake, size_t n, int kind)
{
    const char *fn = "gan_loss_g";
    GAN_CHECK_NULL(fn, loss);
    if (kind != GAN_G_LOSS_NON_SATURATING && kind != GAN_G_LOSS_MINIMAX)
        return gan__error(GAN_EUNSUPPORTED, "%s: kind %d is not a gan_g_loss", fn, kind);
    int rc = check_logits(logit_fake, n, fn, "logit_fake");
    if (rc)
        return rc;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double a = logit_fake[i];
        if (kind == GAN_G_LOSS_NON_SATURATING) {
            s += softplus(-a);
            if (grad)
                grad[i] = (float)((gan__sigmoid(a) - 1.0) / (double)n);
        } else {
            s -= softplus(a);
            if (grad)
                grad[i] = (float)(-gan__sigmoid(a) / (double)n);
        }
    }
    *loss = s / (double)n;
    return GAN_OK;
}
