/* Learned approximate inference (paper §7.2): an encoder E trained to
 * predict z from x = G(z) for a fixed generator, one optimizer step of the
 * squared error on fresh pairs at a time. The trainer owns the noise rng
 * and the scratch of a step; E's gradients go through the public net
 * calls, so any layer E has works. */
#include "gan.h"
#include "optim.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>

struct gan_encoder_trainer {
    gan_net *e;
    gan_optimizer *opt;
    const gan_generator *gen;
    gan_rng *rng;
    size_t rows, nz, width, e_layers;
    float *z;  /* rows x nz: the codes drawn */
    float *x;  /* rows x width: G(z) */
    float *dy; /* rows x nz: the loss gradient at E's output */
};

void gan_encoder_trainer_free(gan_encoder_trainer *t)
{
    if (t == NULL)
        return;
    gan_rng_free(t->rng);
    free(t->z);
    free(t->x);
    free(t->dy);
    free(t);
}

/* e must fit gen: input = the output width, output = the noise width. */
static int check_e(const gan_net *e, size_t nz, size_t width, const char *fn)
{
    if (gan_net_num_layers(e) == 0)
        return gan__error(GAN_ESTATE, "%s: e has no layers", fn);
    if (gan_net_input_width(e) != width)
        return gan__error(GAN_ESHAPE, "%s: e reads rows of %zu, the generator's output is %zu wide",
                          fn, gan_net_input_width(e), width);
    if (gan_net_output_width(e) != nz)
        return gan__error(GAN_ESHAPE, "%s: e outputs %zu values, the generator's noise is %zu wide",
                          fn, gan_net_output_width(e), nz);
    return GAN_OK;
}

int gan_encoder_trainer_create(gan_encoder_trainer **out, gan_net *e, gan_optimizer *e_opt,
                               const gan_generator *gen, size_t rows, uint64_t seed)
{
    static const char fn[] = "gan_encoder_trainer_create";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, e);
    GAN_CHECK_NULL(fn, e_opt);
    GAN_CHECK_NULL(fn, gen);
    const size_t nz = gan_generator_noise_width(gen), width = gan_generator_output_width(gen);
    size_t n_x, n_z;
    if (rows == 0 || gan__mul_size(&n_x, rows, width) || gan__mul_size(&n_z, rows, nz) ||
        n_x > SIZE_MAX / sizeof(float) || n_z > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows is %zu: want 1 to a size whose scratch fits", fn,
                          rows);
    int rc = check_e(e, nz, width, fn);
    if (rc)
        return rc;
    if (gan__optimizer_net(e_opt) != e)
        return gan__error(GAN_EINVAL, "%s: e_opt is bound to another net than e", fn);
    gan_encoder_trainer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    t->e = e;
    t->opt = e_opt;
    t->gen = gen;
    t->rows = rows;
    t->nz = nz;
    t->width = width;
    t->e_layers = gan_net_num_layers(e);
    t->z = malloc(n_z * sizeof *t->z);
    t->x = malloc(n_x * sizeof *t->x);
    t->dy = malloc(n_z * sizeof *t->dy);
    if (t->z == NULL || t->x == NULL || t->dy == NULL) {
        gan_encoder_trainer_free(t);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu rows of scratch", fn, rows);
    }
    if ((rc = gan_rng_create(&t->rng, seed)) != GAN_OK) {
        gan_encoder_trainer_free(t);
        return rc;
    }
    *out = t;
    return GAN_OK;
}

int gan_encoder_trainer_step(double *loss, gan_encoder_trainer *t)
{
    static const char fn[] = "gan_encoder_trainer_step";
    GAN_CHECK_NULL(fn, t);
    /* Layers added to e since the trainer was made. */
    int rc = check_e(t->e, t->nz, t->width, fn);
    if (rc == GAN_OK && gan_net_num_layers(t->e) != t->e_layers)
        rc = gan__error(GAN_ESTATE, "%s: layers were added to e after the trainer was made", fn);
    if (rc)
        return rc;
    const size_t rows = t->rows, nz = t->nz;
    if ((rc = gan_generator_noise(t->z, rows, nz, t->gen, t->rng)) != GAN_OK ||
        (rc = gan_generator_forward(t->x, rows, t->width, t->gen, t->z, nz)) != GAN_OK ||
        (rc = gan_net_train_forward(t->e, t->rng, t->x, rows, t->width)) != GAN_OK)
        return rc;
    const float *zh;
    if ((rc = gan_net_train_output(&zh, NULL, NULL, t->e, 0)) != GAN_OK)
        return rc;
    /* d/dzh of (1/(rows nz)) sum (zh - z)^2, in double for the loss. */
    const float scale = 2.0f / (float)((double)rows * (double)nz);
    double sum = 0.0;
    for (size_t i = 0; i < rows * nz; i++) {
        const float d = zh[i] - t->z[i];
        sum += (double)d * d;
        t->dy[i] = scale * d;
    }
    const double mse = sum / ((double)rows * (double)nz);
    if (!(mse < INFINITY))
        return gan__error(GAN_EDIVERGED, "%s: e's output is not finite (squared error %g)", fn,
                          mse);
    if ((rc = gan_net_backward(NULL, t->e, t->dy, rows, nz, 0)) != GAN_OK ||
        (rc = gan_optimizer_step(t->opt)) != GAN_OK)
        return rc;
    if (loss != NULL)
        *loss = mse;
    return GAN_OK;
}
