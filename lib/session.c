/* gan_session: Algorithm 1 of the paper — k discriminator steps, then one
 * generator step — or the original code's simultaneous update, with noise,
 * statistics, progress callbacks, divergence rollback and sampling. */
#include "session.h"
#include "dataset.h"
#include "net.h"
#include "optim.h"
#include "rng.h"
#include "status.h"
#include "update.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Iterations between in-memory snapshots used to roll back a divergence.
 * A snapshot costs about one iteration's time for the paper's model. */
#define SNAPSHOT_INTERVAL 500u

int gan_session_options_init(gan_session_options *opts, unsigned int version)
{
    GAN_CHECK_NULL("gan_session_options_init", opts);
    if (version != GAN_SESSION_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "gan_session_options_init: version %u unknown", version);
    const gan_session_options init = GAN_SESSION_OPTIONS_INIT;
    *opts = init;
    return GAN_OK;
}

static int check_options(const gan_session_options *o, const char *fn)
{
    if (o->version != GAN_SESSION_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u unknown (expected %u)", fn,
                          o->version, GAN_SESSION_OPTIONS_VERSION);
    if (o->batch_size == 0)
        return gan__error(GAN_EINVAL, "%s: opts->batch_size is 0", fn);
    /* The simultaneous update passes 2 x batch_size rows to CBLAS (int). */
    if (o->batch_size > INT32_MAX / 2)
        return gan__error(GAN_EINVAL, "%s: opts->batch_size is %u, at most %d", fn, o->batch_size,
                          INT32_MAX / 2);
    if (o->k == 0)
        return gan__error(GAN_EINVAL, "%s: opts->k is 0", fn);
    if (o->g_loss != GAN_G_LOSS_NON_SATURATING && o->g_loss != GAN_G_LOSS_MINIMAX)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->g_loss %u unknown", fn, o->g_loss);
    if (o->noise_kind != GAN_NOISE_UNIFORM && o->noise_kind != GAN_NOISE_NORMAL)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->noise_kind %u unknown", fn, o->noise_kind);
    if (!(o->noise_scale > 0.0f && o->noise_scale <= GAN__RNG_SCALE_MAX))
        return gan__error(GAN_EINVAL, "%s: opts->noise_scale must be > 0 and at most %g, got %g",
                          fn, (double)GAN__RNG_SCALE_MAX, (double)o->noise_scale);
    if (o->noise_width == 0)
        return gan__error(GAN_EINVAL, "%s: opts->noise_width is 0", fn);
    if (o->update_order != GAN_ORDER_ALTERNATING && o->update_order != GAN_ORDER_SIMULTANEOUS)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->update_order %u unknown", fn, o->update_order);
    if (o->threads > 16)
        return gan__error(GAN_EINVAL, "%s: opts->threads is %u, at most 16", fn, o->threads);
    if (o->update_order == GAN_ORDER_SIMULTANEOUS && o->k != 1)
        return gan__error(GAN_EINVAL, "%s: the simultaneous update needs opts->k = 1, got %u", fn,
                          o->k);
    return GAN_OK;
}

/* The nets, the noise and the data fit together. The session borrows the
 * nets, so a step checks this again: a layer added after creation must give
 * an error, not a read past G's output. */
static int check_shapes(const gan_net *g, const gan_net *d, const gan_dataset *data,
                        const gan_session_options *opts, const char *fn)
{
    int rc;
    if (g->n_layers == 0)
        return gan__error(GAN_ESTATE, "%s: g has no layers", fn);
    if ((rc = gan__check_discriminator(d, fn)) != GAN_OK)
        return rc;
    if (g->input_width != opts->noise_width)
        return gan__error(GAN_ESHAPE, "%s: g's input width %zu differs from opts->noise_width %u", fn,
                          g->input_width, opts->noise_width);
    const size_t width = gan_net_output_width(g);
    if (width != d->input_width)
        return gan__error(GAN_ESHAPE, "%s: g's output width %zu differs from d's input width %zu",
                          fn, width, d->input_width);
    if (gan_dataset_cols(data) != width)
        return gan__error(GAN_ESHAPE, "%s: the data width %zu differs from g's output width %zu",
                          fn, gan_dataset_cols(data), width);
    return GAN_OK;
}

int gan_session_create(gan_session **out, gan_net *g, gan_net *d, gan_optimizer *g_opt,
                       gan_optimizer *d_opt, gan_dataset *data, const gan_session_options *opts)
{
    const char *fn = "gan_session_create";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, g);
    GAN_CHECK_NULL(fn, d);
    GAN_CHECK_NULL(fn, g_opt);
    GAN_CHECK_NULL(fn, d_opt);
    GAN_CHECK_NULL(fn, data);
    GAN_CHECK_NULL(fn, opts);
    int rc = check_options(opts, fn);
    if (rc)
        return rc;
    if (g == d)
        return gan__error(GAN_EINVAL, "%s: g and d are the same net", fn);
    if (gan__optimizer_net(g_opt) != g)
        return gan__error(GAN_EINVAL, "%s: g_opt is not bound to g", fn);
    if (gan__optimizer_net(d_opt) != d)
        return gan__error(GAN_EINVAL, "%s: d_opt is not bound to d", fn);
    if ((rc = check_shapes(g, d, data, opts, fn)) != GAN_OK)
        return rc;
    const size_t width = d->input_width;

    gan_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    s->o = *opts;
    s->g = g;
    s->d = d;
    s->g_opt = g_opt;
    s->d_opt = d_opt;
    s->data = data;
    gan_rng_seed(&s->rng, opts->seed);
    const size_t m = opts->batch_size;
    size_t real_n, z_n, real_bytes, z_bytes;
    const int too_big = gan__mul_size(&real_n, m, width) || gan__mul_size(&z_n, m, opts->noise_width) ||
                        gan__mul_size(&real_bytes, real_n, sizeof *s->real) ||
                        gan__mul_size(&z_bytes, z_n, sizeof *s->z);
    if (!too_big) {
        s->real = malloc(real_bytes);
        s->z = malloc(z_bytes);
        s->dy_g = malloc(m * sizeof *s->dy_g);
    }
    gan__writer_init(&s->snap);
    if (s->real == NULL || s->z == NULL || s->dy_g == NULL) {
        gan_session_free(s);
        return gan__error(GAN_ENOMEM, "%s: out of memory for batch buffers", fn);
    }
    const unsigned threads = opts->threads ? opts->threads : gan__pool_default_threads();
    if (threads > 1 && (rc = gan__pool_create(&s->pool, threads)) != GAN_OK) {
        gan_session_free(s);
        return rc;
    }
    gan__net_set_pool(g, s->pool);
    gan__net_set_pool(d, s->pool);
    gan__optimizer_set_pool(g_opt, s->pool);
    gan__optimizer_set_pool(d_opt, s->pool);
    *out = s;
    return GAN_OK;
}

void gan_session_free(gan_session *s)
{
    if (s == NULL)
        return;
    if (s->pool) {
        gan__net_set_pool(s->g, NULL);
        gan__net_set_pool(s->d, NULL);
        gan__optimizer_set_pool(s->g_opt, NULL);
        gan__optimizer_set_pool(s->d_opt, NULL);
        gan__pool_free(s->pool);
    }
    free(s->real);
    free(s->z);
    free(s->dy_g);
    gan__writer_free(&s->snap);
    free(s);
}

static void draw_noise(float *z, size_t n, gan_session *s)
{
    if (s->o.noise_kind == GAN_NOISE_UNIFORM)
        gan_rng_uniform(z, n, &s->rng, -s->o.noise_scale, s->o.noise_scale);
    else
        gan__rng_fill_normal(&s->rng, z, n, 0.0f, s->o.noise_scale);
}

/* The next real minibatch; counts a completed epoch. */
static int next_real(size_t *rows, gan_session *s)
{
    const uint64_t before = gan_dataset_epoch(s->data);
    int rc = gan_dataset_next_batch(s->real, NULL, rows, s->data, &s->rng, s->o.batch_size);
    if (rc == GAN_OK && gan_dataset_epoch(s->data) != before)
        s->epochs_done++;
    return rc;
}

/* G's samples of the last training forward of g. */
static const float *g_output(const gan_session *s)
{
    return gan__net_last_layer(s->g)->y;
}

static int iterate_alternating(gan_stats *st, gan_session *s)
{
    const size_t nw = s->o.noise_width, width = s->d->input_width;
    const unsigned dflags = s->o.d_loss_half ? GAN_LOSS_D_HALF : 0u;
    gan_step_stats ds = {0}, gs = {0};
    int rc;
    for (uint32_t j = 0; j < s->o.k; j++) {
        size_t n;
        if ((rc = next_real(&n, s)) != GAN_OK)
            return rc;
        draw_noise(s->z, n * nw, s);
        if ((rc = gan_net_train_forward(s->g, &s->rng, s->z, n, nw)) != GAN_OK)
            return rc;
        rc = gan_update_d(&ds, s->d, s->d_opt, &s->rng, s->real, g_output(s), n, width, dflags);
        if (rc)
            return rc;
    }
    const size_t m = s->o.batch_size;
    draw_noise(s->z, m * nw, s);
    rc = gan_update_g(&gs, s->g, s->g_opt, s->d, &s->rng, s->z, m, nw, (int)s->o.g_loss);
    if (rc)
        return rc;
    st->d_loss = ds.d_loss;
    st->d_real = ds.d_real;
    st->d_fake = ds.d_fake;
    st->g_loss = gs.g_loss;
    return GAN_OK;
}

/* The original code's update: one minibatch, one fused D pass over real and
 * fake rows; D's gradient from all of it and G's gradient through the same
 * (dropped-out) fake rows; then both steps. */
static int iterate_simultaneous(gan_stats *st, gan_session *s)
{
    const char *fn = "gan_session_step";
    const size_t nw = s->o.noise_width, width = s->d->input_width;
    size_t n;
    int rc;
    if ((rc = next_real(&n, s)) != GAN_OK)
        return rc;
    draw_noise(s->z, n * nw, s);
    if ((rc = gan_net_train_forward(s->g, &s->rng, s->z, n, nw)) != GAN_OK)
        return rc;
    rc = gan__net_train_forward_pair(s->d, &s->rng, s->real, n, g_output(s), n, width);
    if (rc)
        return rc;
    const float *a = gan__d_logits(s->d);
    if ((rc = gan__check_logits_finite(a, 2 * n, fn)) != GAN_OK)
        return rc;
    double d_loss, g_loss;
    float *dy_d = s->d->dout;
    rc = gan_loss_d(&d_loss, dy_d, dy_d + n, a, n, a + n, n, s->o.d_loss_half ? GAN_LOSS_D_HALF : 0u);
    if (rc == GAN_OK)
        rc = gan_loss_g(&g_loss, s->dy_g, a + n, n, (int)s->o.g_loss);
    if (rc)
        return rc;
    st->d_real = gan__mean_sigmoid(a, n);
    st->d_fake = gan__mean_sigmoid(a + n, n);
    st->d_loss = d_loss;
    st->g_loss = g_loss;
    /* G's input gradient first, while D's parameters are still those the
     * forward pass used; then D's parameter gradients; then G's. */
    rc = gan__net_backward_range(s->g->dout, s->d, s->dy_g, n, n,
                                 GAN_BACKWARD_LOGITS | GAN_BACKWARD_NO_PARAMS);
    int fused_d = 0, fused_g = 0;
    if (rc == GAN_OK)
        rc = gan__backward_for_step(&fused_d, s->d, s->d_opt, dy_d, 2 * n, 1, GAN_BACKWARD_LOGITS);
    if (rc == GAN_OK)
        rc = gan__backward_for_step(&fused_g, s->g, s->g_opt, s->g->dout, n, width, 0);
    if (rc)
        return rc;
    const int rd = gan__step_finish(s->d_opt, fused_d);
    const int rg = gan__step_finish(s->g_opt, fused_g);
    return rd ? rd : rg;
}

int gan__session_iterate(gan_stats *st, gan_session *s)
{
    int rc = check_shapes(s->g, s->d, s->data, &s->o, "gan_session_step");
    if (rc)
        return rc;
    const uint64_t epoch = s->epochs_done + 1;
    gan_optimizer_set_epoch(s->g_opt, epoch);
    gan_optimizer_set_epoch(s->d_opt, epoch);
    memset(st, 0, sizeof *st);
    st->learning_rate = gan_optimizer_learning_rate(s->d_opt);
    st->momentum = gan_optimizer_momentum(s->d_opt);
    rc = s->o.update_order == GAN_ORDER_SIMULTANEOUS ? iterate_simultaneous(st, s)
                                                     : iterate_alternating(st, s);
    if (rc)
        return rc;
    if (!isfinite(st->d_loss) || !isfinite(st->g_loss))
        return gan__error(GAN_EDIVERGED, "gan_session_step: loss is not finite (D %g, G %g)",
                          st->d_loss, st->g_loss);
    s->iteration++;
    st->iteration = s->iteration;
    st->epoch = epoch;
    return GAN_OK;
}

static int params_finite(const gan_net *net)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < net->n_params; i++) {
        uint32_t u;
        memcpy(&u, &net->params[i], sizeof u);
        bad |= (u & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

/* Take the rollback snapshot when the last one is stale. A state with
 * non-finite parameters (set from outside) is never snapshotted. */
static int maybe_snapshot(gan_session *s)
{
    if (s->have_snap && s->iteration - s->snap_iteration < SNAPSHOT_INTERVAL)
        return GAN_OK;
    if (!params_finite(s->g) || !params_finite(s->d))
        return gan__error(GAN_EDIVERGED, "gan_session_step: the nets hold NaN or Inf before iteration %llu",
                          (unsigned long long)s->iteration + 1);
    s->snap.len = 0; /* reuse the buffer */
    s->snap.failed = 0;
    gan__session_serialize(&s->snap, s);
    if (s->snap.failed) {
        s->have_snap = 0;
        return gan__error(GAN_ENOMEM, "gan_session_step: out of memory for the rollback snapshot");
    }
    s->snap_iteration = s->iteration;
    s->have_snap = 1;
    return GAN_OK;
}

/* After a divergence at iteration failed: restore the snapshot and replay
 * the good iterations after it (training is deterministic). */
static int roll_back(gan_session *s, uint64_t failed, const char *why)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", why);
    int rc = gan__session_restore(s, s->snap.data, s->snap.len, "rollback snapshot");
    gan_stats st;
    while (rc == GAN_OK && s->iteration + 1 < failed)
        rc = gan__session_iterate(&st, s);
    if (rc)
        return gan__error(GAN_EDIVERGED,
                          "gan_session_step: diverged at iteration %llu (%s) and could not restore the last good state",
                          (unsigned long long)failed, msg);
    return gan__error(GAN_EDIVERGED,
                      "gan_session_step: diverged at iteration %llu (%s); state restored to iteration %llu",
                      (unsigned long long)failed, msg, (unsigned long long)s->iteration);
}

int gan_session_step(gan_stats *stats, gan_session *s)
{
    GAN_CHECK_NULL("gan_session_step", s);
    int rc = maybe_snapshot(s);
    if (rc)
        return rc;
    gan_stats st;
    const uint64_t attempt = s->iteration + 1;
    rc = gan__session_iterate(&st, s);
    if (rc == GAN_EDIVERGED)
        return roll_back(s, attempt, gan_error_last());
    if (rc)
        return rc;
    if (stats)
        *stats = st;
    return GAN_OK;
}

int gan_session_train(gan_session *s, uint64_t iterations, gan_progress_fn progress,
                      void *userdata)
{
    GAN_CHECK_NULL("gan_session_train", s);
    for (uint64_t i = 0; i < iterations; i++) {
        gan_stats st;
        int rc = gan_session_step(&st, s);
        if (rc)
            return rc;
        if (progress && progress(&st, userdata))
            return gan__error(GAN_EABORTED, "gan_session_train: stopped by the progress callback after iteration %llu",
                              (unsigned long long)s->iteration);
    }
    return GAN_OK;
}

int gan_session_train_epochs(gan_session *s, uint64_t epochs, gan_progress_fn progress,
                             void *userdata)
{
    GAN_CHECK_NULL("gan_session_train_epochs", s);
    const uint64_t target = s->epochs_done + epochs;
    while (s->epochs_done < target) {
        gan_stats st;
        int rc = gan_session_step(&st, s);
        if (rc)
            return rc;
        if (progress && progress(&st, userdata))
            return gan__error(GAN_EABORTED, "gan_session_train_epochs: stopped by the progress callback after iteration %llu",
                              (unsigned long long)s->iteration);
    }
    return GAN_OK;
}

uint64_t gan_session_iteration(const gan_session *s)
{
    return s ? s->iteration : 0;
}

uint64_t gan_session_epoch(const gan_session *s)
{
    return s ? s->epochs_done : 0;
}

int gan_session_noise(float *out, size_t rows, size_t cols, gan_session *s)
{
    GAN_CHECK_NULL("gan_session_noise", s);
    GAN_CHECK_NULL("gan_session_noise", out);
    GAN_CHECK_NONZERO("gan_session_noise", rows);
    if (cols != s->o.noise_width)
        return gan__error(GAN_ESHAPE, "gan_session_noise: cols is %zu, noise width is %u", cols,
                          s->o.noise_width);
    size_t n;
    if (gan__mul_size(&n, rows, cols))
        return gan__error(GAN_EINVAL, "gan_session_noise: rows * cols overflows");
    draw_noise(out, n, s);
    /* The stream moved outside training: a replay from the old snapshot
     * would no longer reproduce it. */
    s->have_snap = 0;
    return GAN_OK;
}

int gan_session_sample(float *out, size_t rows, size_t cols, gan_session *s, const float *z)
{
    const char *fn = "gan_session_sample";
    GAN_CHECK_NULL(fn, s);
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NONZERO(fn, rows);
    const size_t width = gan_net_output_width(s->g);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, g's output width is %zu", fn, cols, width);
    if (z != NULL)
        return gan_net_forward(out, cols, s->g, z, rows, s->o.noise_width, 0);
    size_t n;
    if (gan__mul_size(&n, rows, s->o.noise_width) || n > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows too large", fn);
    float *noise = malloc(n * sizeof *noise);
    if (noise == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu noise vectors", fn, rows);
    int rc = gan_session_noise(noise, rows, s->o.noise_width, s);
    if (rc == GAN_OK)
        rc = gan_net_forward(out, cols, s->g, noise, rows, s->o.noise_width, 0);
    free(noise);
    return rc;
}
