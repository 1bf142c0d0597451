/* gan_optimizer: SGD with classic momentum and schedules, Adam, max-norm,
 * divergence detection, state blobs, options checking, and a small
 * learning test with each optimizer. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>

#include "serial.h"

/* A dense identity net in -> out. With x = I (in rows) and dy = G the
 * weight gradient is exactly G, whatever the parameters: a way to set
 * gradients. */
static gan_net *lin_net(size_t in, size_t out)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, in), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, out, GAN_ACT_IDENTITY), GAN_OK);
    return net;
}

static void set_grads(gan_net *net, const float *G)
{
    size_t in = gan_net_input_width(net), out = gan_net_output_width(net);
    float *eye = xmalloc(in * in * sizeof *eye);
    for (size_t i = 0; i < in * in; i++)
        eye[i] = (i % (in + 1)) == 0 ? 1.0f : 0.0f;
    assert_int_equal(gan_net_train_forward(net, NULL, eye, in, in), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, G, in, out, 0), GAN_OK);
    free(eye);
}

static void set_random_grads(gan_net *net, gan_rng *rng, float scale)
{
    size_t in = gan_net_input_width(net), out = gan_net_output_width(net);
    float *G = xmalloc(in * out * sizeof *G);
    assert_int_equal(gan_rng_uniform(G, in * out, rng, -scale, scale), GAN_OK);
    set_grads(net, G);
    free(G);
}

/* ------------------------------------------------------------------------
 * Double-precision reference optimizer.
 * ---------------------------------------------------------------------- */

struct ref_opt {
    gan_optimizer_options o;
    size_t np;
    double *theta, *v, *m;
    double lr, mu;
    uint64_t t;
};

static void ref_init(struct ref_opt *r, const gan_optimizer_options *o, const gan_net *net)
{
    r->o = *o;
    r->np = gan_net_num_params(net);
    r->theta = xmalloc(r->np * sizeof(double));
    r->v = calloc(r->np, sizeof(double));
    r->m = calloc(r->np, sizeof(double));
    assert_non_null(r->v);
    assert_non_null(r->m);
    float *p = net_params(net);
    for (size_t k = 0; k < r->np; k++)
        r->theta[k] = p[k];
    free(p);
    r->lr = o->learning_rate;
    r->mu = o->momentum;
    r->t = 0;
}

static void ref_free(struct ref_opt *r)
{
    free(r->theta);
    free(r->v);
    free(r->m);
}

static double schedule(const gan_optimizer_options *o, double e)
{
    double s = o->momentum_start_epoch, f = o->momentum_saturate_epoch;
    if (f == s)
        return e >= s ? o->momentum_final : o->momentum;
    double a = (e - s) / (f - s);
    a = a < 0 ? 0 : a > 1 ? 1 : a;
    return o->momentum + (o->momentum_final - o->momentum) * a;
}

static void ref_step(struct ref_opt *r, const gan_net *net)
{
    float *g = net_grads(net);
    r->t++;
    for (size_t k = 0; k < r->np; k++) {
        if (r->o.kind == GAN_OPT_SGD) {
            r->v[k] = r->mu * r->v[k] - r->lr * g[k];
            r->theta[k] += r->v[k];
        } else {
            double b1 = r->o.beta1, b2 = r->o.beta2;
            r->m[k] = b1 * r->m[k] + (1 - b1) * g[k];
            r->v[k] = b2 * r->v[k] + (1 - b2) * (double)g[k] * g[k];
            double mh = r->m[k] / (1 - pow(b1, (double)r->t));
            double vh = r->v[k] / (1 - pow(b2, (double)r->t));
            r->theta[k] -= r->lr * mh / (sqrt(vh) + r->o.epsilon);
        }
    }
    if (r->o.max_norm > 0) {
        for (size_t l = 0; l < gan_net_num_layers(net); l++) {
            gan_layer_info li;
            assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
            if (li.kind == GAN_LAYER_DROPOUT)
                continue;
            size_t oc = (size_t)(li.units * li.pieces), in = (size_t)li.in_width;
            double *W = r->theta + li.param_offset;
            for (size_t j = 0; j < oc; j++) {
                double s = 0;
                for (size_t i = 0; i < in; i++)
                    s += W[i * oc + j] * W[i * oc + j];
                double n = sqrt(s);
                if (n > r->o.max_norm)
                    for (size_t i = 0; i < in; i++)
                        W[i * oc + j] *= r->o.max_norm / n;
            }
        }
    }
    double nl = r->lr / r->o.lr_decay;
    r->lr = nl > r->o.lr_min ? nl : r->o.lr_min;
    free(g);
}

static void ref_compare(const struct ref_opt *r, const gan_net *net, double rel, double abs_tol,
                        const char *what)
{
    float *p = net_params(net);
    for (size_t k = 0; k < r->np; k++)
        assert_close(p[k], r->theta[k], rel, abs_tol, what, k);
    free(p);
}

/* ------------------------------------------------------------------------
 * Options
 * ---------------------------------------------------------------------- */

static void test_options(void **state)
{
    (void)state;
    gan_optimizer_options o, d = GAN_OPTIMIZER_OPTIONS_INIT;
    memset(&o, 0xab, sizeof o);
    assert_int_equal(gan_optimizer_options_init(&o, GAN_OPTIMIZER_OPTIONS_VERSION), GAN_OK);
    assert_int_equal(o.version, GAN_OPTIMIZER_OPTIONS_VERSION);
    assert_int_equal(o.kind, d.kind);
    assert_true(o.learning_rate == d.learning_rate && o.lr_decay == d.lr_decay &&
                o.lr_min == d.lr_min && o.momentum == d.momentum &&
                o.momentum_final == d.momentum_final && o.beta1 == d.beta1 &&
                o.beta2 == d.beta2 && o.epsilon == d.epsilon && o.max_norm == d.max_norm);
    assert_int_equal(o.momentum_start_epoch, d.momentum_start_epoch);
    assert_int_equal(o.momentum_saturate_epoch, d.momentum_saturate_epoch);
    EXPECT_ERR(gan_optimizer_options_init(&o, 999), GAN_EUNSUPPORTED, "gan_optimizer_options_init",
               NULL);
    EXPECT_ERR(gan_optimizer_options_init(&o, 0), GAN_EUNSUPPORTED, "gan_optimizer_options_init",
               NULL);
    EXPECT_ERR(gan_optimizer_options_init(NULL, 1), GAN_EINVAL, "gan_optimizer_options_init",
               "opts");

    gan_net *net = lin_net(3, 2);
    gan_optimizer *opt = NULL;
    const char *C = "gan_optimizer_create";
    EXPECT_ERR(gan_optimizer_create(NULL, net, &d), GAN_EINVAL, C, "out");
    EXPECT_ERR(gan_optimizer_create(&opt, NULL, &d), GAN_EINVAL, C, "net");
    EXPECT_ERR(gan_optimizer_create(&opt, net, NULL), GAN_EINVAL, C, "opts");
    o = d;
    o.version = 2;
    EXPECT_ERR(gan_optimizer_create(&opt, net, &o), GAN_EUNSUPPORTED, C, "version");
    o.version = 0;
    EXPECT_ERR(gan_optimizer_create(&opt, net, &o), GAN_EUNSUPPORTED, C, "version");

    for (int kind = 0; kind < 2; kind++) {
        struct {
            const char *field;
            int which;
            float value;
        } cases[] = {
            {"learning_rate", 0, 0.0f}, {"learning_rate", 0, -0.1f}, {"learning_rate", 0, NAN},
            {"learning_rate", 0, INFINITY},
            {"lr_decay", 1, 0.999f},    {"lr_decay", 1, 0.0f},     {"lr_decay", 1, NAN},
            {"lr_min", 2, -1e-6f},      {"lr_min", 2, NAN},
            {"momentum", 3, -1.0f},     {"momentum", 3, 1.0f},     {"momentum", 3, NAN},
            {"momentum_final", 4, 1.0f}, {"momentum_final", 4, -1.5f},
            {"momentum_final", 4, NAN},
            {"beta1", 5, 1.0f},         {"beta1", 5, -0.1f},       {"beta1", 5, NAN},
            {"beta2", 6, 1.0f},         {"beta2", 6, -0.1f},       {"beta2", 6, NAN},
            {"epsilon", 7, 0.0f},       {"epsilon", 7, -1e-8f},    {"epsilon", 7, NAN},
            {"max_norm", 8, -1.0f},     {"max_norm", 8, NAN},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            o = d;
            o.kind = (uint32_t)kind;
            float *f[9] = {&o.learning_rate, &o.lr_decay, &o.lr_min, &o.momentum,
                           &o.momentum_final, &o.beta1, &o.beta2, &o.epsilon, &o.max_norm};
            *f[cases[i].which] = cases[i].value;
            opt = NULL;
            gan_error_clear();
            int rc = gan_optimizer_create(&opt, net, &o);
            if (rc != GAN_EINVAL)
                print_error("kind %d, %s = %g: returned %d, expected EINVAL\n", kind,
                            cases[i].field, (double)cases[i].value, rc);
            assert_int_equal(rc, GAN_EINVAL);
            check_msg(C, cases[i].field);
            assert_null(opt);
        }
        o = d;
        o.kind = (uint32_t)kind;
        o.momentum_start_epoch = 10;
        o.momentum_saturate_epoch = 9;
        EXPECT_ERR(gan_optimizer_create(&opt, net, &o), GAN_EINVAL, C, "momentum_saturate_epoch");
    }
    o = d;
    o.kind = 7;
    gan_error_clear();
    int rc = gan_optimizer_create(&opt, net, &o);
    assert_true(rc == GAN_EINVAL || rc == GAN_EUNSUPPORTED);
    check_msg(C, "kind");

    /* Edge values that are valid. */
    o = d;
    o.lr_decay = 1.0f;
    o.lr_min = 0.0f;
    o.momentum = 0.0f;
    o.momentum_final = 0.0f;
    o.beta1 = 0.0f;
    o.beta2 = 0.0f;
    o.max_norm = 0.0f;
    o.momentum_start_epoch = o.momentum_saturate_epoch = 7;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    gan_optimizer_free(opt);
    gan_optimizer_free(NULL);

    /* Calls on NULL. */
    EXPECT_ERR(gan_optimizer_step(NULL), GAN_EINVAL, "gan_optimizer_step", "opt");
    EXPECT_ERR(gan_optimizer_set_epoch(NULL, 1), GAN_EINVAL, "gan_optimizer_set_epoch", "opt");
    unsigned char buf[8];
    EXPECT_ERR(gan_optimizer_get_state(buf, 8, NULL), GAN_EINVAL, "gan_optimizer_get_state",
               "opt");
    EXPECT_ERR(gan_optimizer_set_state(NULL, buf, 8), GAN_EINVAL, "gan_optimizer_set_state",
               "opt");
    assert_int_equal(gan_optimizer_steps(NULL), 0);
    assert_int_equal(gan_optimizer_state_size(NULL), 0);
    gan_net_free(net);
}

/* ------------------------------------------------------------------------
 * SGD and Adam by hand
 * ---------------------------------------------------------------------- */

static void step_scalar(gan_net *net, gan_optimizer *opt, float g)
{
    const float x = 1.0f;
    assert_int_equal(gan_net_train_forward(net, NULL, &x, 1, 1), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, &g, 1, 1, 0), GAN_OK);
    float gg[2];
    assert_int_equal(gan_net_get_grads(gg, 2, net), GAN_OK);
    assert_true(gg[0] == g && gg[1] == g);
    assert_int_equal(gan_optimizer_step(opt), GAN_OK);
}

static void test_sgd_by_hand(void **state)
{
    (void)state;
    gan_net *net = lin_net(1, 1);
    const float p0[2] = {1.0f, 0.0f}; /* W, b */
    assert_int_equal(gan_net_set_params(net, p0, 2), GAN_OK);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_SGD;
    o.learning_rate = 0.1f;
    o.lr_decay = 2.0f;
    o.lr_min = 0.03f;
    o.momentum = 0.5f;
    o.momentum_final = 0.5f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    assert_int_equal(gan_optimizer_steps(opt), 0);
    assert_close(gan_optimizer_learning_rate(opt), 0.1, 1e-6, 0, "lr", 0);
    assert_close(gan_optimizer_momentum(opt), 0.5, 1e-6, 0, "momentum", 0);
    /* step 1: lr 0.1, v = -0.1;            W 0.9,  b -0.1; lr -> 0.05
     * step 2: lr 0.05, v = -0.05 - 0.05;   W 0.8,  b -0.2; lr -> 0.03 (floor)
     * step 3: lr 0.03, g = -2: v = -0.05 + 0.06 = 0.01; W 0.81, b -0.19 */
    const float g[3] = {1, 1, -2};
    const double W[3] = {0.9, 0.8, 0.81}, B[3] = {-0.1, -0.2, -0.19}, LR[3] = {0.05, 0.03, 0.03};
    for (int s = 0; s < 3; s++) {
        step_scalar(net, opt, g[s]);
        float p[2];
        assert_int_equal(gan_net_get_params(p, 2, net), GAN_OK);
        assert_close(p[0], W[s], 0, 2e-7, "sgd W", (size_t)s);
        assert_close(p[1], B[s], 0, 2e-7, "sgd b", (size_t)s);
        assert_close(gan_optimizer_learning_rate(opt), LR[s], 1e-6, 0, "sgd lr", (size_t)s);
        assert_int_equal(gan_optimizer_steps(opt), (uint64_t)s + 1);
    }
    gan_optimizer_free(opt);

    /* Without momentum it is plain gradient descent; no decay keeps lr. */
    assert_int_equal(gan_net_set_params(net, p0, 2), GAN_OK);
    o.momentum = o.momentum_final = 0.0f;
    o.lr_decay = 1.0f;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    step_scalar(net, opt, 3.0f);
    step_scalar(net, opt, 3.0f);
    float p[2];
    assert_int_equal(gan_net_get_params(p, 2, net), GAN_OK);
    assert_close(p[0], 1.0 - 0.6, 0, 2e-7, "gd W", 0);
    assert_close(p[1], -0.6, 0, 2e-7, "gd b", 0);
    assert_true(gan_optimizer_learning_rate(opt) == 0.1f);
    gan_optimizer_free(opt);
    gan_net_free(net);
}

static void test_adam_by_hand(void **state)
{
    (void)state;
    gan_net *net = lin_net(1, 1);
    const float p0[2] = {1.0f, 0.0f};
    assert_int_equal(gan_net_set_params(net, p0, 2), GAN_OK);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.1f;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.epsilon = 1e-8f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    /* Step 1, g = 2: m = 0.2, v = 0.004, m^ = 2, v^ = 4: theta -= 0.1. */
    step_scalar(net, opt, 2.0f);
    float p[2];
    assert_int_equal(gan_net_get_params(p, 2, net), GAN_OK);
    assert_close(p[0], 0.9, 0, 1e-6, "adam W", 1);
    assert_close(p[1], -0.1, 0, 1e-6, "adam b", 1);
    /* Step 2, g = -1: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001,
     * m^ = 0.08 / 0.19, v^ = 0.004996 / 0.001999. */
    step_scalar(net, opt, -1.0f);
    double mh = 0.08 / 0.19, vh = 0.004996 / (1 - 0.999 * 0.999);
    double d2 = 0.1 * mh / (sqrt(vh) + 1e-8);
    assert_int_equal(gan_net_get_params(p, 2, net), GAN_OK);
    /* m stays positive, so theta keeps decreasing. */
    assert_close(p[0], 0.9 - d2, 0, 2e-6, "adam W", 2);
    assert_close(p[1], -0.1 - d2, 0, 2e-6, "adam b", 2);
    assert_close(d2, 0.0266340, 0, 1e-6, "hand value", 2);
    assert_int_equal(gan_optimizer_steps(opt), 2);
    gan_optimizer_free(opt);
    gan_net_free(net);
}

/* Several steps with random gradients against the double reference, with
 * decay, floor, momentum ramp and max-norm, for both kinds. */
static void run_against_ref(gan_optimizer_options *o, uint64_t seed, const char *label)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    gan_net *net = lin_net(5, 4);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.6f), GAN_OK);
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, o), GAN_OK);
    struct ref_opt r;
    ref_init(&r, o, net);
    for (int s = 0; s < 12; s++) {
        if (s == 4 || s == 8) {
            uint64_t e = s == 4 ? 2 : 3;
            assert_int_equal(gan_optimizer_set_epoch(opt, e), GAN_OK);
            r.mu = schedule(o, (double)e);
        }
        /* (For Adam the momentum getter is not the schedule: not checked.) */
        if (o->kind == GAN_OPT_SGD)
            assert_close(gan_optimizer_momentum(opt), r.mu, 1e-6, 0, "momentum", (size_t)s);
        set_random_grads(net, rng, 1.0f);
        ref_step(&r, net);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
        ref_compare(&r, net, 1e-5, 1e-6, label);
        assert_close(gan_optimizer_learning_rate(opt), r.lr, 1e-5, 0, "lr", (size_t)s);
    }
    assert_int_equal(gan_optimizer_steps(opt), 12);
    ref_free(&r);
    gan_optimizer_free(opt);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_against_reference(void **state)
{
    (void)state;
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 0.2f;
    o.lr_decay = 1.3f;
    o.lr_min = 0.05f;
    o.momentum = 0.5f;
    o.momentum_final = 0.9f;
    o.momentum_start_epoch = 1;
    o.momentum_saturate_epoch = 3;
    run_against_ref(&o, 1, "sgd, decay, floor, ramp");
    o.max_norm = 0.8f;
    run_against_ref(&o, 2, "sgd, max-norm");
    o.max_norm = 0.0f;
    o.momentum = -0.5f; /* negative momentum, ramping through 0 */
    o.momentum_final = 0.3f;
    run_against_ref(&o, 5, "sgd, negative momentum");
    o.momentum = o.momentum_final = -0.9f;
    run_against_ref(&o, 6, "sgd, momentum -0.9");
    o.kind = GAN_OPT_ADAM;
    o.max_norm = 0.0f;
    o.learning_rate = 0.05f;
    o.beta1 = 0.8f;
    o.beta2 = 0.99f;
    o.epsilon = 1e-3f;
    run_against_ref(&o, 3, "adam, decay, floor");
    o.max_norm = 0.5f;
    run_against_ref(&o, 4, "adam, max-norm");
}

/* ------------------------------------------------------------------------
 * Schedules
 * ---------------------------------------------------------------------- */

static void test_momentum_schedule(void **state)
{
    (void)state;
    gan_net *net = lin_net(2, 2);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.momentum = 0.5f;
    o.momentum_final = 0.7f;
    o.momentum_start_epoch = 1;
    o.momentum_saturate_epoch = 250;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    /* Initial epoch is 1. */
    assert_close(gan_optimizer_momentum(opt), 0.5, 1e-6, 0, "initial momentum", 0);
    const uint64_t ep[7] = {1, 2, 126, 249, 250, 400, 1};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(gan_optimizer_set_epoch(opt, ep[i]), GAN_OK);
        double want = 0.5 + 0.2 * fmin(1.0, (double)(ep[i] - 1) / 249.0);
        assert_close(gan_optimizer_momentum(opt), want, 1e-6, 0, "paper momentum", (size_t)ep[i]);
    }
    assert_int_equal(gan_optimizer_set_epoch(opt, 126), GAN_OK);
    assert_close(gan_optimizer_momentum(opt), 0.5 + 0.2 * 125.0 / 249.0, 1e-6, 0, "e=126", 0);
    gan_optimizer_free(opt);

    /* A ramp that starts later. */
    o.momentum = 0.2f;
    o.momentum_final = 0.9f;
    o.momentum_start_epoch = 5;
    o.momentum_saturate_epoch = 10;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    assert_close(gan_optimizer_momentum(opt), 0.2, 1e-6, 0, "late ramp, initial", 0);
    for (uint64_t e = 1; e <= 12; e++) {
        assert_int_equal(gan_optimizer_set_epoch(opt, e), GAN_OK);
        assert_close(gan_optimizer_momentum(opt), schedule(&o, (double)e), 1e-6, 0, "late ramp",
                     (size_t)e);
    }
    gan_optimizer_free(opt);

    /* saturate == start: a step. */
    o.momentum_start_epoch = o.momentum_saturate_epoch = 3;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    const double want[5] = {0.2, 0.2, 0.9, 0.9, 0.9};
    for (uint64_t e = 1; e <= 5; e++) {
        assert_int_equal(gan_optimizer_set_epoch(opt, e), GAN_OK);
        assert_close(gan_optimizer_momentum(opt), want[e - 1], 1e-6, 0, "step schedule",
                     (size_t)e);
    }
    gan_optimizer_free(opt);
    o.momentum_start_epoch = o.momentum_saturate_epoch = 1;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    assert_close(gan_optimizer_momentum(opt), 0.9, 1e-6, 0, "start = saturate = 1", 0);
    gan_optimizer_free(opt);
    gan_net_free(net);
}

static void test_lr_floor(void **state)
{
    (void)state;
    gan_net *net = lin_net(2, 1);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 0.1f;
    o.lr_decay = 10.0f;
    o.lr_min = 1e-3f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    const float G[2] = {0, 0};
    const double want[5] = {0.01, 1e-3, 1e-3, 1e-3, 1e-3};
    for (int s = 0; s < 5; s++) {
        set_grads(net, G);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
        assert_close(gan_optimizer_learning_rate(opt), want[s], 1e-6, 0, "lr floor", (size_t)s);
    }
    gan_optimizer_free(opt);

    /* The paper's rate: 0.1 / 1.000004^t; far from the floor after 1000. */
    o.lr_decay = 1.000004f;
    o.lr_min = 1e-6f;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    set_grads(net, G);
    for (int s = 0; s < 1000; s++)
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
    assert_close(gan_optimizer_learning_rate(opt), 0.1 / pow((double)1.000004f, 1000), 1e-4, 0,
                 "paper lr after 1000", 0);
    assert_int_equal(gan_optimizer_steps(opt), 1000);
    gan_optimizer_free(opt);

    /* Adam decays too. */
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.01f;
    o.lr_decay = 2.0f;
    o.lr_min = 0.004f;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    const double want_a[3] = {0.005, 0.004, 0.004};
    for (int s = 0; s < 3; s++) {
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
        assert_close(gan_optimizer_learning_rate(opt), want_a[s], 1e-6, 0, "adam lr", (size_t)s);
    }
    gan_optimizer_free(opt);
    gan_net_free(net);
}

/* The momentum of the schedule is the one used by the update. */
static void test_momentum_used_in_update(void **state)
{
    (void)state;
    gan_net *net = lin_net(1, 1);
    const float p0[2] = {0, 0};
    assert_int_equal(gan_net_set_params(net, p0, 2), GAN_OK);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 1.0f;
    o.momentum = 0.5f;
    o.momentum_final = 0.75f;
    o.momentum_start_epoch = 1;
    o.momentum_saturate_epoch = 2;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    step_scalar(net, opt, 1.0f); /* v = -1, W = -1 */
    assert_int_equal(gan_optimizer_set_epoch(opt, 2), GAN_OK);
    step_scalar(net, opt, 0.0f); /* v = 0.75 * -1 = -0.75, W = -1.75 */
    float p[2];
    assert_int_equal(gan_net_get_params(p, 2, net), GAN_OK);
    assert_true(p[0] == -1.75f && p[1] == -1.75f);
    gan_optimizer_free(opt);
    gan_net_free(net);
}

/* ------------------------------------------------------------------------
 * Max-norm
 * ---------------------------------------------------------------------- */

static void test_max_norm(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; kind++) {
        gan_net *net;
        assert_int_equal(gan_net_create(&net, 3), GAN_OK);
        assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_IDENTITY), GAN_OK);
        assert_int_equal(gan_net_add_dropout(net, 1.0f), GAN_OK);
        assert_int_equal(gan_net_add_maxout(net, 2, 3), GAN_OK);
        size_t np = gan_net_num_params(net);
        assert_int_equal(np, 3 * 4 + 4 + 4 * 6 + 6);
        float *p = xmalloc(np * sizeof *p);
        /* Column j of W1 scaled by (j + 1) * 0.4; W2 column j by 0.3 * j;
         * biases large (must not be touched). */
        for (size_t i = 0; i < 3; i++)
            for (size_t j = 0; j < 4; j++)
                p[i * 4 + j] = (float)((j + 1) * 0.4 * (i == 1 ? -1 : 1) / sqrt(3.0));
        for (size_t j = 0; j < 4; j++)
            p[12 + j] = 5.0f + (float)j;
        for (size_t i = 0; i < 4; i++)
            for (size_t j = 0; j < 6; j++)
                p[16 + i * 6 + j] = (float)(0.3 * (double)j * (i % 2 ? 1 : -1) / 2.0);
        for (size_t j = 0; j < 6; j++)
            p[40 + j] = -7.0f;
        assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
        gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
        o.kind = (uint32_t)kind;
        o.max_norm = 1.0f;
        gan_optimizer *opt;
        gan_rng *rng;
        assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
        assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
        /* Zero gradients: the update is zero, only the constraint acts. */
        float x[3] = {1, 2, 3}, dy[2] = {0, 0};
        assert_int_equal(gan_net_train_forward(net, rng, x, 1, 3), GAN_OK);
        assert_int_equal(gan_net_backward(NULL, net, dy, 1, 2, 0), GAN_OK);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
        float *q = net_params(net);
        /* Layer 1: column norms 0.4, 0.8, 1.2, 1.6. */
        for (size_t j = 0; j < 4; j++) {
            double n = (double)(j + 1) * 0.4;
            double f = n > 1.0 ? 1.0 / n : 1.0;
            for (size_t i = 0; i < 3; i++)
                assert_close(q[i * 4 + j], p[i * 4 + j] * f, 1e-6, 1e-7, "dense column",
                             i * 4 + j);
            assert_true(q[12 + j] == p[12 + j]);
        }
        /* Layer 2: each of the 6 piece columns, norms 0.3 j. */
        for (size_t j = 0; j < 6; j++) {
            double n = 0.3 * (double)j;
            double f = n > 1.0 ? 1.0 / n : 1.0;
            double s = 0;
            for (size_t i = 0; i < 4; i++) {
                assert_close(q[16 + i * 6 + j], p[16 + i * 6 + j] * f, 1e-6, 1e-7,
                             "maxout column", i * 6 + j);
                s += (double)q[16 + i * 6 + j] * q[16 + i * 6 + j];
            }
            assert_true(sqrt(s) <= 1.0 + 1e-6);
            assert_true(q[40 + j] == -7.0f);
        }
        free(q);
        free(p);
        gan_optimizer_free(opt);
        gan_net_free(net);
        gan_rng_free(rng);
    }
}

/* ------------------------------------------------------------------------
 * Divergence
 * ---------------------------------------------------------------------- */

static void test_diverged(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; kind++) {
        gan_net *net = lin_net(2, 2);
        gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
        o.kind = (uint32_t)kind;
        gan_optimizer *opt;
        assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
        /* A NaN gradient (if backward accepts a NaN dy), else an Inf one
         * from an overflowing product. */
        float G[4] = {0.5f, NAN, 0, 1};
        float eye[4] = {1, 0, 0, 1};
        assert_int_equal(gan_net_train_forward(net, NULL, eye, 2, 2), GAN_OK);
        if (gan_net_backward(NULL, net, G, 2, 2, 0) != GAN_OK) {
            float big[4] = {1e30f, 0, 0, 1e30f}, gb[4] = {1e30f, 0, 0, 1};
            assert_int_equal(gan_net_train_forward(net, NULL, big, 2, 2), GAN_OK);
            assert_int_equal(gan_net_backward(NULL, net, gb, 2, 2, 0), GAN_OK);
        }
        float g[6];
        assert_int_equal(gan_net_get_grads(g, 6, net), GAN_OK);
        int finite = 1;
        for (int k = 0; k < 6; k++)
            finite &= isfinite(g[k]) != 0;
        assert_false(finite);
        assert_int_equal(gan_optimizer_step(opt), GAN_EDIVERGED);
        gan_optimizer_free(opt);

        /* Finite gradients, but the new parameter overflows. */
        const float huge[6] = {3e38f, 0, 0, 0, 0, 0};
        assert_int_equal(gan_net_set_params(net, huge, 6), GAN_OK);
        o.learning_rate = 1.0f;
        o.momentum = o.momentum_final = 0.0f;
        assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
        float G2[4] = {-3e38f, 0, 0, 0};
        set_grads(net, G2);
        assert_int_equal(gan_net_get_grads(g, 6, net), GAN_OK);
        for (int k = 0; k < 6; k++)
            assert_true(isfinite(g[k]));
        /* (SGD only: Adam's step is bounded by lr.) */
        if (kind == GAN_OPT_SGD)
            assert_int_equal(gan_optimizer_step(opt), GAN_EDIVERGED);
        gan_optimizer_free(opt);
        gan_net_free(net);
    }
}

/* ------------------------------------------------------------------------
 * State blobs
 * ---------------------------------------------------------------------- */

static void state_round_trip(uint32_t kind)
{
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = kind;
    o.learning_rate = kind == GAN_OPT_SGD ? 0.1f : 0.01f;
    o.lr_decay = 1.01f;
    o.lr_min = 1e-4f;
    o.momentum = 0.5f;
    o.momentum_final = 0.7f;
    o.momentum_saturate_epoch = 4;
    o.max_norm = 2.0f;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 41), GAN_OK);
    gan_net *net = lin_net(4, 3);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_NORMAL, 0.5f), GAN_OK);
    size_t np = gan_net_num_params(net);
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    for (int s = 0; s < 5; s++) {
        if (s == 3)
            assert_int_equal(gan_optimizer_set_epoch(opt, 2), GAN_OK);
        set_random_grads(net, rng, 1.0f);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
    }
    size_t size = gan_optimizer_state_size(opt);
    assert_true(size > np * sizeof(float));
    unsigned char *s5 = xmalloc(size), *tmp = xmalloc(size + 16);
    assert_int_equal(gan_optimizer_get_state(s5, size, opt), GAN_OK);
    /* A larger buffer is fine too. */
    assert_int_equal(gan_optimizer_get_state(tmp, size + 16, opt), GAN_OK);
    assert_memory_equal(tmp, s5, size);
    float *p5 = net_params(net);
    uint64_t r5[GAN_RNG_STATE_WORDS];
    assert_int_equal(gan_rng_get_state(r5, rng), GAN_OK);
    float lr5 = gan_optimizer_learning_rate(opt), mu5 = gan_optimizer_momentum(opt);

    for (int s = 0; s < 5; s++) {
        if (s == 2)
            assert_int_equal(gan_optimizer_set_epoch(opt, 3), GAN_OK);
        set_random_grads(net, rng, 1.0f);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
    }
    float *p10 = net_params(net);
    float lr10 = gan_optimizer_learning_rate(opt);

    /* A fresh optimizer on a twin net continues bit-identically. */
    gan_net *twin = lin_net(4, 3);
    assert_int_equal(gan_net_set_params(twin, p5, np), GAN_OK);
    gan_optimizer *o2;
    assert_int_equal(gan_optimizer_create(&o2, twin, &o), GAN_OK);
    assert_int_equal(gan_optimizer_state_size(o2), size);
    assert_int_equal(gan_optimizer_set_state(o2, s5, size), GAN_OK);
    assert_int_equal(gan_optimizer_steps(o2), 5);
    assert_true(gan_optimizer_learning_rate(o2) == lr5);
    assert_true(gan_optimizer_momentum(o2) == mu5);
    assert_int_equal(gan_optimizer_get_state(tmp, size, o2), GAN_OK);
    assert_memory_equal(tmp, s5, size);
    assert_int_equal(gan_rng_set_state(rng, r5), GAN_OK);
    for (int s = 0; s < 5; s++) {
        if (s == 2)
            assert_int_equal(gan_optimizer_set_epoch(o2, 3), GAN_OK);
        set_random_grads(twin, rng, 1.0f);
        assert_int_equal(gan_optimizer_step(o2), GAN_OK);
    }
    float *q10 = net_params(twin);
    assert_memory_equal(p10, q10, np * sizeof(float));
    assert_true(gan_optimizer_learning_rate(o2) == lr10);
    assert_int_equal(gan_optimizer_steps(o2), 10);

    /* Rewinding the original optimizer works as well. */
    assert_int_equal(gan_net_set_params(net, p5, np), GAN_OK);
    assert_int_equal(gan_optimizer_set_state(opt, s5, size), GAN_OK);
    assert_int_equal(gan_rng_set_state(rng, r5), GAN_OK);
    for (int s = 0; s < 5; s++) {
        if (s == 2)
            assert_int_equal(gan_optimizer_set_epoch(opt, 3), GAN_OK);
        set_random_grads(net, rng, 1.0f);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
    }
    free(q10);
    q10 = net_params(net);
    assert_memory_equal(p10, q10, np * sizeof(float));

    /* Corrupted, truncated, foreign blobs: GAN_EFORMAT, state unchanged. */
    unsigned char *before = xmalloc(size);
    assert_int_equal(gan_optimizer_get_state(before, size, o2), GAN_OK);
    memcpy(tmp, s5, size);
    for (size_t i = 0; i < size; i++) {
        tmp[i] ^= 0x10;
        int rc = gan_optimizer_set_state(o2, tmp, size);
        if (rc != GAN_EFORMAT)
            print_error("flipped byte %zu of %zu: set_state returned %d\n", i, size, rc);
        assert_int_equal(rc, GAN_EFORMAT);
        tmp[i] ^= 0x10;
    }
    for (size_t n = 1; n < size; n++)
        assert_int_equal(gan_optimizer_set_state(o2, s5, n), GAN_EFORMAT);
    int rc = gan_optimizer_set_state(o2, s5, 0);
    assert_true(rc == GAN_EFORMAT || rc == GAN_EINVAL);
    assert_int_equal(gan_rng_uniform((float *)(void *)tmp, size / sizeof(float), rng, -1, 1),
                     GAN_OK);
    assert_int_equal(gan_optimizer_set_state(o2, tmp, size), GAN_EFORMAT);
    memset(tmp, 0, size);
    assert_int_equal(gan_optimizer_set_state(o2, tmp, size), GAN_EFORMAT);
    unsigned char *after = xmalloc(size);
    assert_int_equal(gan_optimizer_get_state(after, size, o2), GAN_OK);
    assert_memory_equal(before, after, size);
    EXPECT_ERR(gan_optimizer_set_state(o2, NULL, size), GAN_EINVAL, "gan_optimizer_set_state",
               "buf");

    /* State of a different net size. */
    gan_net *other = lin_net(4, 4);
    gan_optimizer *o3;
    assert_int_equal(gan_optimizer_create(&o3, other, &o), GAN_OK);
    gan_error_clear();
    rc = gan_optimizer_set_state(o3, s5, size);
    assert_true(rc == GAN_ESHAPE || rc == GAN_EFORMAT);
    check_msg("gan_optimizer_set_state", NULL);
    size_t s3 = gan_optimizer_state_size(o3);
    unsigned char *b3 = xmalloc(s3);
    assert_int_equal(gan_optimizer_get_state(b3, s3, o3), GAN_OK);
    rc = gan_optimizer_set_state(o2, b3, s3);
    assert_true(rc == GAN_ESHAPE || rc == GAN_EFORMAT);

    /* State of the other kind of optimizer on the same net. */
    gan_optimizer_options ko = o;
    ko.kind = kind == GAN_OPT_SGD ? GAN_OPT_ADAM : GAN_OPT_SGD;
    gan_optimizer *o4;
    assert_int_equal(gan_optimizer_create(&o4, twin, &ko), GAN_OK);
    rc = gan_optimizer_set_state(o4, s5, size);
    assert_true(rc == GAN_ESHAPE || rc == GAN_EFORMAT);
    gan_optimizer_free(o4);

    /* get_state into a short buffer. */
    gan_error_clear();
    rc = gan_optimizer_get_state(tmp, size - 1, o2);
    assert_true(rc == GAN_EINVAL || rc == GAN_ESHAPE);
    check_msg("gan_optimizer_get_state", "size");
    EXPECT_ERR(gan_optimizer_get_state(NULL, size, o2), GAN_EINVAL, "gan_optimizer_get_state",
               "buf");

    free(b3);
    gan_optimizer_free(o3);
    gan_net_free(other);
    free(before);
    free(after);
    free(s5);
    free(tmp);
    free(p5);
    free(p10);
    free(q10);
    gan_optimizer_free(o2);
    gan_net_free(twin);
    gan_optimizer_free(opt);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_state_sgd(void **state)
{
    (void)state;
    state_round_trip(GAN_OPT_SGD);
}

static void test_state_adam(void **state)
{
    (void)state;
    state_round_trip(GAN_OPT_ADAM);
}

/* ------------------------------------------------------------------------
 * Learning: 2 -> 16 tanh -> 1 sigmoid on XOR of the signs of U(-1,1)^2.
 * ---------------------------------------------------------------------- */

static void xor_data(float *x, float *y, size_t n, gan_rng *rng)
{
    assert_int_equal(gan_rng_uniform(x, 2 * n, rng, -1, 1), GAN_OK);
    for (size_t i = 0; i < n; i++)
        y[i] = (x[2 * i] > 0) == (x[2 * i + 1] > 0) ? 1.0f : 0.0f;
}

static double accuracy(const gan_net *net, const float *x, const float *y, size_t n)
{
    float *p = xmalloc(n * sizeof *p);
    assert_int_equal(gan_net_forward(p, 1, net, x, n, 2, 0), GAN_OK);
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += (p[i] > 0.5f) == (y[i] > 0.5f);
    free(p);
    return (double)ok / (double)n;
}

/* Under valgrind (GAN_TEST_VALGRIND) a smaller training set and fewer
 * full-batch steps keep the run short; the accuracy bar is the same. */
static void learn(const gan_optimizer_options *o, int steps, const char *label)
{
    int vg = under_valgrind();
    const size_t n = vg ? 256 : 512, nt = 4000;
    if (vg)
        steps /= 3;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 2024), GAN_OK);
    float *x = xmalloc(2 * n * sizeof *x), *y = xmalloc(n * sizeof *y);
    float *xt = xmalloc(2 * nt * sizeof *xt), *yt = xmalloc(nt * sizeof *yt);
    xor_data(x, y, n, rng);
    xor_data(xt, yt, nt, rng);
    gan_net *net = make_mlp(2, 16, GAN_ACT_TANH, 1, GAN_ACT_SIGMOID);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, o), GAN_OK);
    float *da = xmalloc(n * sizeof *da);
    double first_loss = 0, loss = 0;
    for (int s = 0; s < steps; s++) {
        assert_int_equal(gan_net_train_forward(net, NULL, x, n, 2), GAN_OK);
        const float *a;
        size_t r, c;
        assert_int_equal(gan_net_train_output(&a, &r, &c, net, GAN_FORWARD_LOGITS), GAN_OK);
        assert_int_equal(r, n);
        assert_int_equal(c, 1);
        /* Binary cross-entropy from logits, mean over rows. */
        loss = 0;
        for (size_t i = 0; i < n; i++) {
            double ai = a[i];
            loss += (ai > 0 ? ai + log1p(exp(-ai)) : log1p(exp(ai))) - y[i] * ai;
            da[i] = (float)((1.0 / (1.0 + exp(-ai)) - y[i]) / (double)n);
        }
        loss /= (double)n;
        if (s == 0)
            first_loss = loss;
        assert_int_equal(gan_net_backward(NULL, net, da, n, 1, GAN_BACKWARD_LOGITS), GAN_OK);
        assert_int_equal(gan_optimizer_step(opt), GAN_OK);
    }
    double acc_train = accuracy(net, x, y, n), acc = accuracy(net, xt, yt, nt);
    print_message("%s: loss %.4f -> %.4f, accuracy train %.3f, test %.3f\n", label, first_loss,
                  loss, acc_train, acc);
    assert_true(loss < 0.5 * first_loss);
    assert_true(acc >= 0.95);
    free(da);
    free(x);
    free(y);
    free(xt);
    free(yt);
    gan_optimizer_free(opt);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* A well-formed state blob holding NaN, Inf or a negative second moment is
 * refused and leaves the optimizer as it was. */
static void test_state_non_finite(void **state)
{
    (void)state;
    gan_net *net = lin_net(3, 2);
    const size_t np = gan_net_num_params(net);
    for (int kind = GAN_OPT_SGD; kind <= GAN_OPT_ADAM; kind++) {
        gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
        o.kind = (uint32_t)kind;
        gan_optimizer *opt;
        assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
        const size_t size = gan_optimizer_state_size(opt);
        unsigned char *good = xmalloc(size), *bad = xmalloc(size), *after = xmalloc(size);
        assert_int_equal(gan_optimizer_get_state(good, size, opt), GAN_OK);
        /* Container header 20 bytes, state header 36, then the arrays. */
        const size_t arrays = GAN_CONTAINER_OVERHEAD - 4 + 36;
        const size_t n_arrays = kind == GAN_OPT_ADAM ? 2 : 1;
        assert_int_equal(size, arrays + n_arrays * np * 4 + 4);
        const float values[] = {NAN, INFINITY, -INFINITY};
        for (size_t a = 0; a < n_arrays; a++) {
            for (size_t i = 0; i < 3; i++) {
                memcpy(bad, good, size);
                put_f32_at(bad, arrays + (a * np + np - 1) * 4, values[i]);
                reseal_container(bad, size);
                EXPECT_ERR(gan_optimizer_set_state(opt, bad, size), GAN_EFORMAT,
                           "gan_optimizer_set_state", NULL);
            }
        }
        if (kind == GAN_OPT_ADAM) {
            memcpy(bad, good, size);
            put_f32_at(bad, arrays + (np + 1) * 4, -1.0f);
            reseal_container(bad, size);
            EXPECT_ERR(gan_optimizer_set_state(opt, bad, size), GAN_EFORMAT,
                       "gan_optimizer_set_state", "second moment");
        }
        /* The check itself does not refuse a good blob with a finite edit. */
        memcpy(bad, good, size);
        put_f32_at(bad, arrays, 0.25f);
        reseal_container(bad, size);
        assert_int_equal(gan_optimizer_get_state(after, size, opt), GAN_OK);
        assert_memory_equal(good, after, size);
        assert_int_equal(gan_optimizer_set_state(opt, bad, size), GAN_OK);
        free(good);
        free(bad);
        free(after);
        gan_optimizer_free(opt);
    }
    gan_net_free(net);
}

static void test_learn_sgd(void **state)
{
    (void)state;
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_SGD;
    o.learning_rate = 0.5f;
    o.momentum = o.momentum_final = 0.9f;
    learn(&o, 3000, "SGD momentum");
}

static void test_learn_adam(void **state)
{
    (void)state;
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.02f;
    learn(&o, 2000, "Adam");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_sgd_by_hand),
        cmocka_unit_test(test_adam_by_hand),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_momentum_schedule),
        cmocka_unit_test(test_lr_floor),
        cmocka_unit_test(test_momentum_used_in_update),
        cmocka_unit_test(test_max_norm),
        cmocka_unit_test(test_diverged),
        cmocka_unit_test(test_state_sgd),
        cmocka_unit_test(test_state_adam),
        cmocka_unit_test(test_state_non_finite),
        cmocka_unit_test(test_learn_sgd),
        cmocka_unit_test(test_learn_adam),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
