/* gan_optimizer: SGD with classic momentum and the paper's schedules, Adam,
 * an optional max-norm constraint; state bound to one net. */
#include "clones.h"
#include "net.h"
#include "numeric.h"
#include "optim.h"
#include "pool.h"
#include "serial.h"
#include "status.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char OPT_MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'O', 'P', 'T', '\0', '\1'};
#define OPT_FORMAT_VERSION 2u /* 2 added the velocity scale; 1 still loads */

struct gan_optimizer {
    gan_optimizer_options o;
    gan_net *net;
    size_t n;          /* parameters of the bound net at creation */
    float *m;          /* SGD: velocity / vscale; Adam: first moment */
    float *v;          /* Adam: second moment (NULL for SGD) */
    float *colnorm;    /* max-norm scratch (widest layer's columns) */
    uint64_t steps;
    uint64_t epoch;    /* 1-based, drives the momentum ramp */
    float lr;          /* learning rate of the next step */
    float mu;          /* momentum of the next step */
    double vscale;     /* SGD: the velocity is vscale * m (see fused_sgd) */
};

GAN__DEFINE_OPTIONS_INIT(gan_optimizer_options_init, gan_optimizer_options,
                         GAN_OPTIMIZER_OPTIONS_VERSION, GAN_OPTIMIZER_OPTIONS_INIT)

static int check_options(const gan_optimizer_options *o)
{
    const char *fn = "gan_optimizer_create";
    if (o->version != GAN_OPTIMIZER_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u unknown (expected %u)", fn,
                          o->version, GAN_OPTIMIZER_OPTIONS_VERSION);
    if (o->kind != GAN_OPT_SGD && o->kind != GAN_OPT_ADAM)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->kind %u unknown", fn, o->kind);
    if (!(o->learning_rate > 0.0f) || !isfinite(o->learning_rate))
        return gan__error(GAN_EINVAL, "%s: opts->learning_rate must be finite and > 0", fn);
    if (!(o->lr_decay >= 1.0f) || !isfinite(o->lr_decay))
        return gan__error(GAN_EINVAL, "%s: opts->lr_decay must be finite and >= 1", fn);
    if (!(o->lr_min >= 0.0f) || !isfinite(o->lr_min))
        return gan__error(GAN_EINVAL, "%s: opts->lr_min must be finite and >= 0", fn);
    /* Negative momentum (Gidel et al. 2019) is allowed: it damps the
     * oscillation of alternating game updates. */
    if (!(o->momentum > -1.0f && o->momentum < 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->momentum must be in (-1, 1)", fn);
    if (!(o->momentum_final > -1.0f && o->momentum_final < 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->momentum_final must be in (-1, 1)", fn);
    if (o->momentum_start_epoch < 1)
        return gan__error(GAN_EINVAL, "%s: opts->momentum_start_epoch must be >= 1", fn);
    if (o->momentum_saturate_epoch < o->momentum_start_epoch)
        return gan__error(GAN_EINVAL,
                          "%s: opts->momentum_saturate_epoch must be >= momentum_start_epoch", fn);
    if (!(o->beta1 >= 0.0f && o->beta1 < 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->beta1 must be in [0, 1)", fn);
    if (!(o->beta2 >= 0.0f && o->beta2 < 1.0f))
        return gan__error(GAN_EINVAL, "%s: opts->beta2 must be in [0, 1)", fn);
    if (!(o->epsilon > 0.0f) || !isfinite(o->epsilon))
        return gan__error(GAN_EINVAL, "%s: opts->epsilon must be finite and > 0", fn);
    if (!(o->max_norm >= 0.0f) || !isfinite(o->max_norm))
        return gan__error(GAN_EINVAL, "%s: opts->max_norm must be finite and >= 0", fn);
    return GAN_OK;
}

/* Momentum at a 1-based epoch: linear ramp from momentum at the start
 * epoch to momentum_final at the saturate epoch. */
static float momentum_at(const gan_optimizer_options *o, uint64_t epoch)
{
    const double s = o->momentum_start_epoch, e = o->momentum_saturate_epoch;
    double t;
    if (e == s)
        t = (double)epoch >= s ? 1.0 : 0.0;
    else
        t = ((double)epoch - s) / (e - s);
    if (t < 0.0)
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    return (float)(o->momentum + (o->momentum_final - o->momentum) * t);
}

/* Learning rate after `steps` steps: lr0 / decay^steps, floored. Computed
 * from the step count (not by repeated division) so it does not drift. */
static float lr_at(const gan_optimizer_options *o, uint64_t steps)
{
    double lr = (double)o->learning_rate;
    if (o->lr_decay > 1.0f)
        lr *= pow((double)o->lr_decay, -(double)steps);
    if (lr < (double)o->lr_min)
        lr = (double)o->lr_min;
    return (float)lr;
}

int gan_optimizer_create(gan_optimizer **out, gan_net *net, const gan_optimizer_options *opts)
{
    GAN_CHECK_NULL("gan_optimizer_create", out);
    *out = NULL;
    GAN_CHECK_NULL("gan_optimizer_create", net);
    GAN_CHECK_NULL("gan_optimizer_create", opts);
    int rc = check_options(opts);
    if (rc)
        return rc;
    if (gan_net_num_params(net) == 0)
        return gan__error(GAN_ESTATE, "gan_optimizer_create: net has no parameters");
    gan_optimizer *o = calloc(1, sizeof *o);
    if (o == NULL)
        return gan__error(GAN_ENOMEM, "gan_optimizer_create: out of memory");
    o->o = *opts;
    o->net = net;
    o->n = gan_net_num_params(net);
    o->m = calloc(o->n, sizeof *o->m);
    if (opts->kind == GAN_OPT_ADAM)
        o->v = calloc(o->n, sizeof *o->v);
    o->colnorm = malloc(gan__net_max_norm_scratch(net) * sizeof *o->colnorm);
    if (o->m == NULL || (opts->kind == GAN_OPT_ADAM && o->v == NULL) || o->colnorm == NULL) {
        gan_optimizer_free(o);
        return gan__error(GAN_ENOMEM, "gan_optimizer_create: out of memory for %zu parameters",
                          gan_net_num_params(net));
    }
    o->epoch = 1;
    o->vscale = 1.0;
    o->lr = lr_at(opts, 0);
    o->mu = momentum_at(opts, 1);
    *out = o;
    return GAN_OK;
}

void gan_optimizer_free(gan_optimizer *opt)
{
    if (opt == NULL)
        return;
    free(opt->m);
    free(opt->v);
    free(opt->colnorm);
    free(opt);
}

/* One update over a range of parameters (the pool splits the array). */
typedef struct step_job {
    float *p, *m, *v;
    const float *g;
    float lr, mu, b1, b2, eps, c1, c2;
    float scale;       /* fused SGD: the velocity scale applied to m */
    atomic_uint bad;
} step_job;

GAN__VECTOR_CLONES
static void sgd_range(void *ctx, size_t begin, size_t end)
{
    step_job *j = ctx;
    float *restrict p = j->p, *restrict m = j->m;
    const float *restrict g = j->g;
    const float mu = j->mu, lr = j->lr;
    uint32_t bad = 0;
    for (size_t i = begin; i < end; i++) {
        const float vi = mu * m[i] - lr * g[i];
        m[i] = vi;
        p[i] += vi;
        bad |= gan__nonfinite_bit(p[i]);
    }
    if (bad)
        atomic_fetch_or(&j->bad, 1u);
}

GAN__VECTOR_CLONES
static void adam_range(void *ctx, size_t begin, size_t end)
{
    step_job *j = ctx;
    float *restrict p = j->p, *restrict m = j->m, *restrict v = j->v;
    const float *restrict g = j->g;
    const float lr = j->lr, b1 = j->b1, b2 = j->b2, eps = j->eps, c1 = j->c1, c2 = j->c2;
    uint32_t bad = 0;
    for (size_t i = begin; i < end; i++) {
        const float mi = b1 * m[i] + (1.0f - b1) * g[i];
        const float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi * c1) / (sqrtf(vi * c2) + eps);
        bad |= gan__nonfinite_bit(p[i]);
    }
    if (bad)
        atomic_fetch_or(&j->bad, 1u);
}

/* The second half of a fused SGD step: p += scale * m (m already holds the
 * momentum update). */
GAN__VECTOR_CLONES
static void apply_velocity_range(void *ctx, size_t begin, size_t end)
{
    step_job *j = ctx;
    float *restrict p = j->p;
    const float *restrict m = j->m;
    const float scale = j->scale;
    uint32_t bad = 0;
    for (size_t i = begin; i < end; i++) {
        p[i] += scale * m[i];
        bad |= gan__nonfinite_bit(p[i]);
    }
    if (bad)
        atomic_fetch_or(&j->bad, 1u);
}

/* Max-norm, counters and schedules after the parameters moved. */
static int finish_step(gan_optimizer *opt, unsigned bad)
{
    if (opt->o.max_norm > 0.0f)
        gan__net_apply_max_norm(opt->net, opt->o.max_norm, opt->colnorm);
    opt->steps++;
    opt->lr = lr_at(&opt->o, opt->steps);
    if (bad)
        return gan__error(GAN_EDIVERGED, "gan_optimizer_step: a parameter became NaN or Inf at step %llu",
                          (unsigned long long)opt->steps);
    return GAN_OK;
}

/* The velocity is kept as vscale * m. The momentum step v' = mu v - lr g
 * then needs no pass scaling m by mu: with vscale' = mu * vscale,
 * m' = m - (lr / vscale') g, a product with beta = 1, which the BLAS runs
 * without its separate pass over C. When vscale' would get small, or
 * mu <= 0 (negative momentum would flip its sign), the step folds the
 * scale back in (beta = mu * vscale, vscale' = 1), so m never exceeds the
 * true velocity by more than 2^20. */
#define VSCALE_MIN 0x1.0p-20

/* An SGD step with the gradient folded into the velocity, then
 * p += vscale * m. */
static int fused_sgd(gan_optimizer *opt, gan__pool *pool, gan__grad_fold_fn fold, void *ctx)
{
    double next = opt->vscale * (double)opt->mu;
    float alpha, beta;
    if (next >= VSCALE_MIN) {
        alpha = (float)(-(double)opt->lr / next);
        beta = 1.0f;
    } else {
        alpha = -opt->lr;
        beta = (float)next;
        next = 1.0;
    }
    int rc = fold(ctx, opt->m, alpha, beta);
    if (rc)
        return rc;
    opt->vscale = next;
    step_job j = {0};
    j.p = gan__net_param_array(opt->net);
    j.m = opt->m;
    j.scale = (float)opt->vscale;
    atomic_init(&j.bad, 0u);
    gan__pool_run(pool, apply_velocity_range, &j, opt->n, 1024, GAN__PARALLEL_MIN);
    return finish_step(opt, atomic_load(&j.bad));
}

/* A step from the net's gradient array. */
static int plain_step(gan_optimizer *opt, gan__pool *pool)
{
    step_job j = {0};
    j.p = gan__net_param_array(opt->net);
    j.g = gan__net_grad_array(opt->net);
    j.m = opt->m;
    j.v = opt->v;
    j.lr = opt->lr;
    j.mu = opt->mu;
    atomic_init(&j.bad, 0u);
    if (opt->o.kind == GAN_OPT_SGD) {
        /* v = mu (vscale m) - lr g: fold a pending velocity scale in. */
        j.mu = (float)(opt->vscale * (double)opt->mu);
        opt->vscale = 1.0;
        gan__pool_run(pool, sgd_range, &j, opt->n, 1024, GAN__PARALLEL_MIN);
    } else {
        const double t = (double)(opt->steps + 1);
        j.b1 = opt->o.beta1;
        j.b2 = opt->o.beta2;
        j.eps = opt->o.epsilon;
        j.c1 = (float)(1.0 / (1.0 - pow((double)j.b1, t)));
        j.c2 = (float)(1.0 / (1.0 - pow((double)j.b2, t)));
        gan__pool_run(pool, adam_range, &j, opt->n, 1024, GAN__PARALLEL_MIN);
    }
    return finish_step(opt, atomic_load(&j.bad));
}

int gan__optimizer_check_net(const gan_optimizer *opt, const char *fn)
{
    if (gan_net_num_params(opt->net) != opt->n)
        return gan__error(GAN_ESTATE,
                          "%s: the net has %zu parameters, %zu when the optimizer was created (layers were added)",
                          fn, gan_net_num_params(opt->net), opt->n);
    return GAN_OK;
}

int gan__optimizer_step_fold(gan_optimizer *opt, gan__pool *pool, gan__grad_fold_fn fold,
                             void *ctx)
{
    int rc = gan__optimizer_check_net(opt, "gan_optimizer_step");
    if (rc)
        return rc;
    if (opt->o.kind == GAN_OPT_SGD)
        return fused_sgd(opt, pool, fold, ctx);
    if ((rc = fold(ctx, gan__net_grad_array(opt->net), 1.0f, 0.0f)) != GAN_OK)
        return rc;
    return plain_step(opt, pool);
}

/* Without a session the loops run on the calling thread. */
int gan_optimizer_step(gan_optimizer *opt)
{
    GAN_CHECK_NULL("gan_optimizer_step", opt);
    int rc = gan__optimizer_check_net(opt, "gan_optimizer_step");
    return rc ? rc : plain_step(opt, NULL);
}

int gan_optimizer_set_epoch(gan_optimizer *opt, uint64_t epoch)
{
    GAN_CHECK_NULL("gan_optimizer_set_epoch", opt);
    if (epoch < 1)
        return gan__error(GAN_EINVAL, "gan_optimizer_set_epoch: epoch is 1-based, got 0");
    opt->epoch = epoch;
    opt->mu = momentum_at(&opt->o, epoch);
    return GAN_OK;
}

float gan_optimizer_learning_rate(const gan_optimizer *opt)
{
    return opt ? opt->lr : 0.0f;
}

float gan_optimizer_momentum(const gan_optimizer *opt)
{
    if (opt == NULL)
        return 0.0f;
    return opt->o.kind == GAN_OPT_SGD ? opt->mu : opt->o.beta1;
}

uint64_t gan_optimizer_steps(const gan_optimizer *opt)
{
    return opt ? opt->steps : 0;
}

/* Payload: u32 kind | u64 n | u64 steps | u64 epoch | f64 vscale | m[n] |
 * v[n] (Adam). Format 1 had no vscale (read as 1). */
static void write_state(gan__writer *w, const gan_optimizer *o)
{
    gan__put_u32(w, o->o.kind);
    gan__put_u64(w, o->n);
    gan__put_u64(w, o->steps);
    gan__put_u64(w, o->epoch);
    gan__put_f64(w, o->vscale);
    gan__put_f32_array(w, o->m, o->n);
    if (o->v)
        gan__put_f32_array(w, o->v, o->n);
}

size_t gan_optimizer_state_size(const gan_optimizer *opt)
{
    if (opt == NULL)
        return 0;
    const size_t arrays = opt->v ? 2 : 1;
    return GAN_CONTAINER_OVERHEAD + 4 + 4 * 8 + arrays * opt->n * sizeof(float);
}

int gan_optimizer_get_state(void *buf, size_t size, const gan_optimizer *opt)
{
    GAN_CHECK_NULL("gan_optimizer_get_state", buf);
    GAN_CHECK_NULL("gan_optimizer_get_state", opt);
    const size_t need = gan_optimizer_state_size(opt);
    if (size < need)
        return gan__error(GAN_EINVAL, "gan_optimizer_get_state: size is %zu, need %zu", size, need);
    gan__writer payload, c;
    gan__writer_init(&payload);
    gan__writer_init(&c);
    write_state(&payload, opt);
    if (!payload.failed)
        gan__container_build(&c, OPT_MAGIC, OPT_FORMAT_VERSION, payload.data, payload.len);
    int rc = GAN_OK;
    if (payload.failed || c.failed)
        rc = gan__error(GAN_ENOMEM, "gan_optimizer_get_state: out of memory");
    else
        memcpy(buf, c.data, c.len);
    gan__writer_free(&payload);
    gan__writer_free(&c);
    return rc;
}

/* A state blob that passed every check, its reader at the arrays. */
typedef struct {
    gan__reader arrays;
    uint64_t steps, epoch;
    double vscale;
} parsed_state;

/* Every value finite, and Adam's second moments not negative: a restored
 * NaN would otherwise poison every later step, and the session's rollback
 * snapshot with it. */
static int arrays_valid(gan__reader r, const gan_optimizer *opt, const char *fn)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < opt->n; i++)
        bad |= !isfinite(gan__get_f32(&r));
    if (bad)
        return gan__error(GAN_EFORMAT, "%s: state holds NaN or Inf", fn);
    for (size_t i = 0; opt->v != NULL && i < opt->n; i++) {
        const float x = gan__get_f32(&r);
        bad |= !(x >= 0.0f) || !isfinite(x);
    }
    if (bad)
        return gan__error(GAN_EFORMAT, "%s: state holds a negative or non-finite second moment",
                          fn);
    return GAN_OK;
}

/* Check a state blob against opt without changing opt. */
static int parse_state(parsed_state *ps, const gan_optimizer *opt, const void *buf, size_t size,
                       const char *fn)
{
    GAN_CHECK_NULL(fn, opt);
    GAN_CHECK_NULL(fn, buf);
    gan__reader r;
    uint32_t version;
    int rc = gan__container_open(&r, &version, buf, size, OPT_MAGIC, fn);
    if (rc)
        return rc;
    if (version < 1 || version > OPT_FORMAT_VERSION)
        return gan__error(GAN_EFORMAT, "%s: state format version %u unknown", fn, version);
    const uint32_t kind = gan__get_u32(&r);
    const uint64_t n = gan__get_u64(&r);
    ps->steps = gan__get_u64(&r);
    ps->epoch = gan__get_u64(&r);
    ps->vscale = version >= 2 ? gan__get_f64(&r) : 1.0;
    if (r.failed || ps->epoch < 1 || !(ps->vscale > 0.0 && ps->vscale <= 1.0))
        return gan__error(GAN_EFORMAT, "%s: malformed state header", fn);
    if (kind != opt->o.kind)
        return gan__error(GAN_ESHAPE, "%s: state is for optimizer kind %u, this one is %u", fn,
                          kind, opt->o.kind);
    if (n != opt->n)
        return gan__error(GAN_ESHAPE, "%s: state holds %llu parameters, the net has %zu", fn,
                          (unsigned long long)n, opt->n);
    const size_t arrays = opt->v ? 2 : 1;
    if (gan__reader_left(&r) != arrays * opt->n * sizeof(float))
        return gan__error(GAN_EFORMAT, "%s: state arrays have the wrong length", fn);
    ps->arrays = r;
    return arrays_valid(r, opt, fn);
}

int gan__optimizer_check_state(const gan_optimizer *opt, const void *buf, size_t size)
{
    parsed_state ps;
    return parse_state(&ps, opt, buf, size, "gan_optimizer_set_state");
}

int gan_optimizer_set_state(gan_optimizer *opt, const void *buf, size_t size)
{
    parsed_state ps;
    int rc = parse_state(&ps, opt, buf, size, "gan_optimizer_set_state");
    if (rc)
        return rc;
    gan__get_f32_array(&ps.arrays, opt->m, opt->n);
    if (opt->v)
        gan__get_f32_array(&ps.arrays, opt->v, opt->n);
    opt->steps = ps.steps;
    opt->epoch = ps.epoch;
    opt->vscale = ps.vscale;
    opt->lr = lr_at(&opt->o, ps.steps);
    opt->mu = momentum_at(&opt->o, ps.epoch);
    return GAN_OK;
}

gan_net *gan__optimizer_net(const gan_optimizer *opt)
{
    return opt->net;
}
