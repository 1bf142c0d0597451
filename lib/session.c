/* gan_session: the training loop's policy — Algorithm 1 of the paper (k
 * discriminator steps, then one generator step) or the original code's
 * simultaneous update, noise, minibatches, epochs, statistics, progress
 * callbacks, divergence rollback and sampling. The steps themselves are
 * update.c's. */
#include "session.h"
#include "net.h"
#include "numeric.h"
#include "optim.h"
#include "rng.h"
#include "status.h"
#include "update.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Iterations between in-memory snapshots used to roll back a divergence.
 * A snapshot costs about one iteration's time for the paper's model. */
#define SNAPSHOT_INTERVAL 500u

/* The size of an older version's gan_session_options: version 1 ends
 * before the version-2 fields, version 2 before the version-3 one. 0 for
 * the current version and unknown ones. */
static size_t options_size(unsigned version)
{
    switch (version) {
    case 1:
        return offsetof(gan_session_options, g_average_decay);
    case 2:
        return offsetof(gan_session_options, d_r1_gamma);
    default:
        return 0;
    }
}

int gan_session_options_init(gan_session_options *opts, unsigned int version)
{
    static const char fn[] = "gan_session_options_init";
    GAN_CHECK_NULL(fn, opts);
    const gan_session_options init = GAN_SESSION_OPTIONS_INIT;
    if (options_size(version) > 0) {
        /* An older caller's struct is shorter: fill only its fields. */
        memcpy(opts, &init, options_size(version));
        opts->version = version;
    } else if (version == GAN_SESSION_OPTIONS_VERSION) {
        *opts = init;
    } else {
        return gan__error(GAN_EUNSUPPORTED, "%s: version %u is unknown, this library knows 1 to %u",
                          fn, version, (unsigned)GAN_SESSION_OPTIONS_VERSION);
    }
    return GAN_OK;
}

int gan__session_options_read(gan_session_options *o, const gan_session_options *opts,
                              const char *fn)
{
    if (options_size(opts->version) > 0) {
        const gan_session_options init = GAN_SESSION_OPTIONS_INIT;
        *o = init;
        memcpy(o, opts, options_size(opts->version));
        o->version = GAN_SESSION_OPTIONS_VERSION;
        return GAN_OK;
    }
    if (opts->version != GAN_SESSION_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u unknown (expected 1 to %u)", fn,
                          opts->version, GAN_SESSION_OPTIONS_VERSION);
    *o = *opts;
    return GAN_OK;
}

static int check_options(const gan_session_options *o, const char *fn)
{
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
    if (!(o->g_average_decay >= 0.0f && o->g_average_decay < 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->g_average_decay must be 0 (off) or in (0, 1), got %g",
                          fn, (double)o->g_average_decay);
    if (!(o->real_label >= 0.5f && o->real_label <= 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->real_label must be in [0.5, 1], got %g", fn,
                          (double)o->real_label);
    if (!(o->d_r1_gamma >= 0.0f && o->d_r1_gamma <= 1e6f))
        return gan__error(GAN_EINVAL, "%s: opts->d_r1_gamma must be 0 (off) or in (0, 1e6], got %g",
                          fn, (double)o->d_r1_gamma);
    if (o->cond_width > INT32_MAX / 2)
        return gan__error(GAN_EINVAL, "%s: opts->cond_width is %u, at most %d", fn, o->cond_width,
                          INT32_MAX / 2);
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
    if (gan_net_num_layers(g) == 0)
        return gan__error(GAN_ESTATE, "%s: g has no layers", fn);
    if ((rc = gan__check_discriminator(d, fn)) != GAN_OK)
        return rc;
    /* The penalty's second pass over the real rows would move batch
     * statistics (gan__net_train_forward_same_masks). */
    for (size_t i = 0; opts->d_r1_gamma > 0.0f && i < gan_net_num_layers(d); i++) {
        gan_layer_info l;
        gan_net_layer_info(&l, d, i);
        if (l.kind == GAN_LAYER_BATCHNORM)
            return gan__error(GAN_EUNSUPPORTED,
                              "%s: opts->d_r1_gamma needs a d without batch normalisation (layer %zu is)",
                              fn, i);
    }
    const size_t c = opts->cond_width;
    if (c == 0) {
        if (gan_net_input_width(g) != opts->noise_width)
            return gan__error(GAN_ESHAPE, "%s: g's input width %zu differs from opts->noise_width %u",
                              fn, gan_net_input_width(g), opts->noise_width);
        const size_t width = gan_net_output_width(g);
        if (width != gan_net_input_width(d))
            return gan__error(GAN_ESHAPE, "%s: g's output width %zu differs from d's input width %zu",
                              fn, width, gan_net_input_width(d));
        if (gan_dataset_cols(data) != width)
            return gan__error(GAN_ESHAPE, "%s: the data width %zu differs from g's output width %zu",
                              fn, gan_dataset_cols(data), width);
        return GAN_OK;
    }
    /* A conditional GAN: G reads [z | c], D and the data rows are [x | c]. */
    if (gan_net_input_width(g) != (size_t)opts->noise_width + c)
        return gan__error(GAN_ESHAPE,
                          "%s: g's input width %zu differs from opts->noise_width %u + opts->cond_width %zu",
                          fn, gan_net_input_width(g), opts->noise_width, c);
    const size_t width = gan_net_output_width(g) + c;
    if (width != gan_net_input_width(d))
        return gan__error(GAN_ESHAPE,
                          "%s: d's input width %zu differs from g's output width %zu + opts->cond_width %zu",
                          fn, gan_net_input_width(d), gan_net_output_width(g), c);
    if (gan_dataset_cols(data) != width)
        return gan__error(GAN_ESHAPE,
                          "%s: the data width %zu differs from g's output width %zu + opts->cond_width %zu",
                          fn, gan_dataset_cols(data), gan_net_output_width(g), c);
    return GAN_OK;
}

/* A copy of net (architecture and parameters): the average of G starts
 * as G. */
static int clone_net(gan_net **out, const gan_net *net, const char *fn)
{
    gan__writer w;
    gan__writer_init(&w);
    gan__net_write(&w, net);
    int rc;
    if (w.failed) {
        rc = gan__error(GAN_ENOMEM, "%s: out of memory for the average of G", fn);
    } else {
        gan__reader r;
        gan__reader_init(&r, w.data, w.len);
        rc = gan__net_read(out, &r, "the average of G");
        if (rc != GAN_OK)
            rc = gan__error(rc, "%s: copying G for its average: %s", fn, gan_error_last());
    }
    gan__writer_free(&w);
    return rc;
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
    gan_session_options o;
    int rc = gan__session_options_read(&o, opts, fn);
    if (rc == GAN_OK)
        rc = check_options(&o, fn);
    if (rc)
        return rc;
    opts = &o;
    if (g == d)
        return gan__error(GAN_EINVAL, "%s: g and d are the same net", fn);
    if (gan__optimizer_net(g_opt) != g)
        return gan__error(GAN_EINVAL, "%s: g_opt is not bound to g", fn);
    if (gan__optimizer_net(d_opt) != d)
        return gan__error(GAN_EINVAL, "%s: d_opt is not bound to d", fn);
    if ((rc = check_shapes(g, d, data, opts, fn)) != GAN_OK)
        return rc;
    const size_t width = gan_net_input_width(d);

    gan_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    atomic_init(&s->interrupt, 0);
    s->o = *opts;
    s->g = g;
    s->d = d;
    s->g_opt = g_opt;
    s->d_opt = d_opt;
    s->data = data;
    gan_rng_seed(&s->rng, opts->seed);
    const size_t m = opts->batch_size, c = opts->cond_width;
    size_t real_n, z_n, real_bytes, z_bytes, c_bytes;
    const int too_big = gan__mul_size(&real_n, m, width) ||
                        gan__mul_size(&z_n, m, (size_t)opts->noise_width + c) ||
                        gan__mul_size(&real_bytes, real_n, sizeof *s->real) ||
                        gan__mul_size(&z_bytes, z_n, sizeof *s->z) ||
                        gan__mul_size(&c_bytes, m * sizeof *s->cond, c);
    gan__writer_init(&s->snap);
    gan__step_ws_init(&s->ws, NULL);
    if (too_big) {
        gan_session_free(s);
        return gan__error(GAN_EINVAL, "%s: batches of %zu rows are too large", fn, m);
    }
    s->real = malloc(real_bytes);
    s->z = malloc(z_bytes);
    if (c > 0) {
        s->fake = malloc(real_bytes);
        s->cond = malloc(c_bytes);
    }
    if (s->real == NULL || s->z == NULL || (c > 0 && (s->fake == NULL || s->cond == NULL))) {
        gan_session_free(s);
        return gan__error(GAN_ENOMEM, "%s: out of memory for batch buffers", fn);
    }
    if ((rc = gan__step_ws_reserve(&s->ws, m, width, fn)) != GAN_OK) {
        gan_session_free(s);
        return rc;
    }
    const unsigned threads = opts->threads ? opts->threads : gan__pool_default_threads();
    if (threads > 1 && (rc = gan__pool_create(&s->pool, threads)) != GAN_OK) {
        gan_session_free(s);
        return rc;
    }
    s->ws.pool = s->pool;
    if (opts->g_average_decay > 0.0f && (rc = clone_net(&s->g_avg, g, fn)) != GAN_OK) {
        gan_session_free(s);
        return rc;
    }
    *out = s;
    return GAN_OK;
}

void gan_session_free(gan_session *s)
{
    if (s == NULL)
        return;
    gan__pool_free(s->pool);
    gan__step_ws_free(&s->ws);
    free(s->real);
    free(s->z);
    free(s->fake);
    free(s->cond);
    gan__writer_free(&s->snap);
    gan_net_free(s->g_avg);
    free(s);
}

static void draw_noise(float *z, size_t n, gan_session *s)
{
    if (s->o.noise_kind == GAN_NOISE_UNIFORM)
        gan_rng_uniform(z, n, &s->rng, -s->o.noise_scale, s->o.noise_scale);
    else
        gan__rng_fill_normal(&s->rng, z, n, 0.0f, s->o.noise_scale);
}

/* rows noise rows into s->z; for a conditional GAN each row is [z | c]
 * with c the condition of real row i % real_rows of s->real (the last
 * minibatch), which is also copied to s->cond. An unconditional session
 * draws the rows x noise_width values in one call, as it always did. */
static void draw_inputs(gan_session *s, size_t rows, size_t real_rows)
{
    const size_t nw = s->o.noise_width, c = s->o.cond_width;
    if (c == 0) {
        draw_noise(s->z, rows * nw, s);
        return;
    }
    const size_t width = gan_net_input_width(s->d), w = width - c;
    for (size_t i = 0; i < rows; i++) {
        const float *ci = s->real + (i % real_rows) * width + w;
        draw_noise(s->z + i * (nw + c), nw, s);
        memcpy(s->z + i * (nw + c) + nw, ci, c * sizeof *ci);
        memcpy(s->cond + i * c, ci, c * sizeof *ci);
    }
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

static int iterate_alternating(gan_step_stats *st, gan_session *s, const char *fn)
{
    const size_t nw = s->o.noise_width + s->o.cond_width, width = gan_net_input_width(s->d);
    const unsigned dflags = s->o.d_loss_half ? GAN_LOSS_D_HALF : 0u;
    const gan__step_cond cond = {s->cond, s->o.cond_width};
    gan_step_stats ds = {0}, gs = {0};
    size_t n = 0;
    int rc;
    for (uint32_t j = 0; j < s->o.k; j++) {
        if ((rc = next_real(&n, s)) != GAN_OK)
            return rc;
        draw_inputs(s, n, n);
        rc = gan__net_train_forward_pair(s->g, s->pool, &s->rng, s->z, n, NULL, 0, nw, fn);
        if (rc)
            return rc;
        const float *fake = gan__net_train_output(s->g, 0);
        if (cond.cols > 0) {
            gan__concat_rows(s->fake, fake, n, width - cond.cols, &cond);
            fake = s->fake;
        }
        rc = gan__step_d(&ds, &s->ws, s->d, s->d_opt, &s->rng, s->real, fake, n, width, dflags,
                         s->o.real_label, s->o.d_r1_gamma, fn);
        if (rc)
            return rc;
    }
    const size_t m = s->o.batch_size;
    draw_inputs(s, m, n);
    rc = gan__step_g(&gs, &s->ws, s->g, s->g_opt, s->d, &s->rng, s->z, m, nw, (int)s->o.g_loss,
                     &cond, fn);
    if (rc)
        return rc;
    st->d_loss = ds.d_loss;
    st->d_real = ds.d_real;
    st->d_fake = ds.d_fake;
    st->g_loss = gs.g_loss;
    return GAN_OK;
}

static int iterate_simultaneous(gan_step_stats *st, gan_session *s, const char *fn)
{
    size_t n;
    int rc = next_real(&n, s);
    if (rc)
        return rc;
    draw_inputs(s, n, n);
    const gan__step_cond cond = {s->cond, s->o.cond_width};
    return gan__step_both(st, &s->ws, s->g, s->g_opt, s->d, s->d_opt, &s->rng, s->real, s->z, n,
                          (size_t)s->o.noise_width + s->o.cond_width,
                          s->o.d_loss_half ? GAN_LOSS_D_HALF : 0u, s->o.real_label,
                          s->o.d_r1_gamma, (int)s->o.g_loss, &cond, fn);
}

typedef struct average_ctx {
    float *avg;
    const float *g;
    float keep; /* decay */
} average_ctx;

static void average_range(void *ctx, size_t begin, size_t end)
{
    const average_ctx *c = ctx;
    float *restrict avg = c->avg;
    const float *restrict g = c->g;
    const float keep = c->keep, take = 1.0f - keep;
    for (size_t i = begin; i < end; i++)
        avg[i] = keep * avg[i] + take * g[i];
}

/* avg = decay * avg + (1 - decay) * G, after each iteration's G step; the
 * batch-normalisation running statistics are averaged the same way. */
static void update_average(gan_session *s)
{
    average_ctx c = {gan__net_param_array(s->g_avg), gan__net_param_array(s->g),
                     s->o.g_average_decay};
    gan__pool_run(s->pool, average_range, &c, gan_net_num_params(s->g), 16, GAN__PARALLEL_MIN);
    average_ctx st = {gan__net_state_array(s->g_avg), gan__net_state_array(s->g),
                      s->o.g_average_decay};
    if (gan__net_state_size(s->g) > 0)
        average_range(&st, 0, gan__net_state_size(s->g));
}

/* One iteration on a session whose shapes and workspaces were checked
 * (gan_session_step; a replay after a rollback repeats iterations that
 * passed those checks). */
static int iterate(gan_stats *st, gan_session *s, const char *fn)
{
    const uint64_t epoch = s->epochs_done + 1;
    gan_optimizer_set_epoch(s->g_opt, epoch);
    gan_optimizer_set_epoch(s->d_opt, epoch);
    memset(st, 0, sizeof *st);
    st->learning_rate = gan_optimizer_learning_rate(s->d_opt);
    st->momentum = gan_optimizer_momentum(s->d_opt);
    gan_step_stats ss = {0};
    int rc = s->o.update_order == GAN_ORDER_SIMULTANEOUS ? iterate_simultaneous(&ss, s, fn)
                                                         : iterate_alternating(&ss, s, fn);
    if (rc)
        return rc;
    st->d_loss = ss.d_loss;
    st->g_loss = ss.g_loss;
    st->d_real = ss.d_real;
    st->d_fake = ss.d_fake;
    if (!isfinite(st->d_loss) || !isfinite(st->g_loss))
        return gan__error(GAN_EDIVERGED, "%s: loss is not finite (D %g, G %g)", fn, st->d_loss,
                          st->g_loss);
    if (s->g_avg != NULL)
        update_average(s);
    s->iteration++;
    st->iteration = s->iteration;
    st->epoch = epoch;
    return GAN_OK;
}

/* Everything an iteration needs that could fail for a reason other than
 * divergence, checked and allocated before it changes anything: the
 * borrowed nets' shapes (a layer added after creation must give an error,
 * not a read past G's output) and room in both nets' workspaces for the
 * largest batch (G: batch_size rows, D: real and fake ones). */
static int prepare_step(gan_session *s, const char *fn)
{
    int rc = check_shapes(s->g, s->d, s->data, &s->o, fn);
    /* The average has G's architecture as it was at creation; blending
     * needs the same layout of parameters and running statistics (the same
     * parameter count is not enough: a truncated and rebuilt G can have it
     * with other layers and statistics). */
    if (rc == GAN_OK && s->g_avg != NULL && !gan__net_same_layout(s->g, s->g_avg))
        rc = gan__error(GAN_ESTATE, "%s: g has %zu layers, %zu parameters and %zu running statistics, its average (taken when the session was created) %zu, %zu and %zu, or their layers differ: g's layers were changed",
                        fn, gan_net_num_layers(s->g), gan_net_num_params(s->g),
                        gan__net_state_size(s->g), gan_net_num_layers(s->g_avg),
                        gan_net_num_params(s->g_avg), gan__net_state_size(s->g_avg));
    if (rc == GAN_OK)
        rc = gan__optimizer_check_net(s->g_opt, fn);
    if (rc == GAN_OK)
        rc = gan__optimizer_check_net(s->d_opt, fn);
    const size_t m = s->o.batch_size;
    if (rc == GAN_OK)
        rc = gan__net_reserve(s->g, m, fn);
    if (rc == GAN_OK)
        rc = gan__net_reserve(s->d, 2 * m, fn);
    return rc;
}

/* Take the rollback snapshot when the last one is stale. A state with
 * non-finite parameters (set from outside) is never snapshotted. */
static int maybe_snapshot(gan_session *s, const char *fn)
{
    if (s->have_snap && s->iteration - s->snap_iteration < SNAPSHOT_INTERVAL)
        return GAN_OK;
    const size_t bad_g = gan__net_nonfinite_layer(s->g), bad_d = gan__net_nonfinite_layer(s->d);
    if (bad_g != SIZE_MAX || bad_d != SIZE_MAX)
        return gan__error(GAN_EDIVERGED,
                          "%s: %s's layer %zu holds NaN or Inf before iteration %llu (set from outside the session)",
                          fn, bad_g != SIZE_MAX ? "G" : "D", bad_g != SIZE_MAX ? bad_g : bad_d,
                          (unsigned long long)s->iteration + 1);
    s->snap.len = 0; /* reuse the buffer */
    s->snap.failed = 0;
    gan__session_serialize(&s->snap, s);
    if (s->snap.failed) {
        s->have_snap = 0;
        return gan__error(GAN_ENOMEM, "%s: out of memory for the rollback snapshot", fn);
    }
    s->snap_iteration = s->iteration;
    s->have_snap = 1;
    return GAN_OK;
}

/* After iteration `failed` returned error code (a divergence; any other
 * error is caught before the step changes anything, see prepare_step, but
 * is rolled back the same way should one ever slip through): restore the
 * snapshot and replay the good iterations after it. Training is
 * deterministic for a seed and the restore allocates nothing, so this
 * brings back the state before the failed step. */
static int roll_back(gan_session *s, uint64_t failed, int code, const char *why, const char *fn)
{
    char msg[GAN__ERROR_MAX];
    snprintf(msg, sizeof msg, "%s", why);
    int rc = gan__session_restore(s, s->snap.data, s->snap.len, GAN__CKPT_FORMAT_VERSION,
                                   "rollback snapshot");
    gan_stats st;
    while (rc == GAN_OK && s->iteration + 1 < failed)
        rc = iterate(&st, s, fn);
    if (rc)
        return gan__error(code,
                          "%s: iteration %llu failed (%s) and the last good state could not be restored",
                          fn, (unsigned long long)failed, msg);
    if (code == GAN_EDIVERGED)
        return gan__error(code, "%s: diverged at iteration %llu (%s); state restored to iteration %llu",
                          fn, (unsigned long long)failed, msg, (unsigned long long)s->iteration);
    return gan__error(code, "%s (state restored to iteration %llu)", msg,
                      (unsigned long long)s->iteration);
}

/* One all-or-nothing iteration; fn names the public function called. */
static int step(gan_stats *stats, gan_session *s, const char *fn)
{
    int rc = prepare_step(s, fn);
    if (rc == GAN_OK)
        rc = maybe_snapshot(s, fn);
    if (rc)
        return rc;
    gan_stats st;
    const uint64_t attempt = s->iteration + 1;
    rc = iterate(&st, s, fn);
    if (rc)
        return roll_back(s, attempt, rc, gan_error_last(), fn);
    if (stats)
        *stats = st;
    return GAN_OK;
}

int gan_session_step(gan_stats *stats, gan_session *s)
{
    GAN_CHECK_NULL("gan_session_step", s);
    return step(stats, s, "gan_session_step");
}

int gan_session_interrupt(gan_session *s)
{
    /* No gan__error here: recording a message is not async-signal-safe. */
    if (s == NULL)
        return GAN_EINVAL;
    atomic_store(&s->interrupt, 1);
    return GAN_OK;
}

/* A pending gan_session_interrupt, reported (and cleared) as GAN_EABORTED. */
static int take_interrupt(gan_session *s, const char *fn)
{
    if (atomic_exchange(&s->interrupt, 0) == 0)
        return GAN_OK;
    return gan__error(GAN_EABORTED, "%s: interrupted (gan_session_interrupt) after iteration %llu",
                      fn, (unsigned long long)s->iteration);
}

int gan_session_train(gan_session *s, uint64_t iterations, gan_progress_fn progress,
                      void *userdata)
{
    GAN_CHECK_NULL("gan_session_train", s);
    int irc = take_interrupt(s, "gan_session_train");
    if (irc)
        return irc;
    for (uint64_t i = 0; i < iterations; i++) {
        if (i > 0 && (irc = take_interrupt(s, "gan_session_train")) != GAN_OK)
            return irc;
        gan_stats st;
        int rc = step(&st, s, "gan_session_train");
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
    if (epochs > UINT64_MAX - s->epochs_done)
        return gan__error(GAN_EINVAL,
                          "gan_session_train_epochs: epochs %llu after the %llu done overflows the epoch count",
                          (unsigned long long)epochs, (unsigned long long)s->epochs_done);
    int irc = take_interrupt(s, "gan_session_train_epochs");
    if (irc)
        return irc;
    const uint64_t target = s->epochs_done + epochs;
    for (int first = 1; s->epochs_done < target; first = 0) {
        if (!first && (irc = take_interrupt(s, "gan_session_train_epochs")) != GAN_OK)
            return irc;
        gan_stats st;
        int rc = step(&st, s, "gan_session_train_epochs");
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

/* rows samples of net (G or its average) from z, or from fresh noise of
 * the session's RNG when z is NULL. */
static int sample_net(float *out, size_t rows, size_t cols, gan_session *s, const gan_net *net,
                      const float *z, const char *fn)
{
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NONZERO(fn, rows);
    if (s->o.cond_width > 0)
        return gan__error(GAN_ESTATE,
                          "%s: a conditional session (opts->cond_width %u) samples with gan_session_sample_cond",
                          fn, s->o.cond_width);
    const size_t width = gan_net_output_width(net);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, g's output width is %zu", fn, cols, width);
    /* gan_net_forward's limit, checked here so that the message names this
     * function and comes before any noise is drawn. */
    size_t n;
    if (rows > INT32_MAX || gan__mul_size(&n, rows, s->o.noise_width) ||
        n > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows is %zu, at most %d in one call", fn, rows,
                          INT32_MAX);
    if (z != NULL)
        return gan_net_forward(out, cols, net, z, rows, s->o.noise_width, 0);
    float *noise = malloc(n * sizeof *noise);
    if (noise == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu noise vectors", fn, rows);
    int rc = gan_session_noise(noise, rows, s->o.noise_width, s);
    if (rc == GAN_OK)
        rc = gan_net_forward(out, cols, net, noise, rows, s->o.noise_width, 0);
    free(noise);
    return rc;
}

int gan_session_sample(float *out, size_t rows, size_t cols, gan_session *s, const float *z)
{
    GAN_CHECK_NULL("gan_session_sample", s);
    return sample_net(out, rows, cols, s, s->g, z, "gan_session_sample");
}

int gan_session_average_net(const gan_net **out, const gan_session *s)
{
    static const char fn[] = "gan_session_average_net";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, s);
    if (s->g_avg == NULL)
        return gan__error(GAN_ESTATE, "%s: the session keeps no average of G (opts->g_average_decay is 0)",
                          fn);
    *out = s->g_avg;
    return GAN_OK;
}

int gan_session_sample_average(float *out, size_t rows, size_t cols, gan_session *s,
                               const float *z)
{
    static const char fn[] = "gan_session_sample_average";
    GAN_CHECK_NULL(fn, s);
    if (s->g_avg == NULL)
        return gan__error(GAN_ESTATE, "%s: the session keeps no average of G (opts->g_average_decay is 0)",
                          fn);
    return sample_net(out, rows, cols, s, s->g_avg, z, fn);
}

int gan_session_sample_cond(float *out, size_t rows, size_t cols, gan_session *s, const float *z,
                            const float *c, unsigned flags)
{
    static const char fn[] = "gan_session_sample_cond";
    GAN_CHECK_NULL(fn, s);
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, c);
    GAN_CHECK_NONZERO(fn, rows);
    if (flags & ~GAN_SAMPLE_AVERAGE)
        return gan__error(GAN_EINVAL, "%s: unknown bits in flags 0x%x", fn, flags);
    const size_t nw = s->o.noise_width, cw = s->o.cond_width, in_w = nw + cw;
    if (cw == 0)
        return gan__error(GAN_ESTATE,
                          "%s: not a conditional session (opts->cond_width is 0): use gan_session_sample",
                          fn);
    const gan_net *net = (flags & GAN_SAMPLE_AVERAGE) ? s->g_avg : s->g;
    if (net == NULL)
        return gan__error(GAN_ESTATE, "%s: the session keeps no average of G (opts->g_average_decay is 0)",
                          fn);
    const size_t width = gan_net_output_width(net);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, g's output width is %zu", fn, cols, width);
    size_t n;
    if (rows > INT32_MAX || gan__mul_size(&n, rows, in_w) || n > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows is %zu, at most %d in one call", fn, rows,
                          INT32_MAX);
    for (size_t i = 0; i < rows * cw; i++)
        if (!isfinite(c[i]))
            return gan__error(GAN_EINVAL, "%s: c row %zu holds %g at column %zu", fn, i / cw,
                              (double)c[i], i % cw);
    float *in = malloc(n * sizeof *in);
    if (in == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu inputs", fn, rows);
    int rc = GAN_OK;
    if (z == NULL)
        rc = gan_session_noise(in, rows, nw, s); /* packed rows x nw, spread below */
    else
        memcpy(in, z, rows * nw * sizeof *in);
    if (rc == GAN_OK) {
        /* [z_i | c_i] from the last row back, so packed z rows are read
         * before they are overwritten. */
        for (size_t i = rows; i-- > 0;) {
            memmove(in + i * in_w, in + i * nw, nw * sizeof *in);
            memcpy(in + i * in_w + nw, c + i * cw, cw * sizeof *in);
        }
        rc = gan_net_forward(out, cols, net, in, rows, in_w, 0);
    }
    free(in);
    return rc;
}
