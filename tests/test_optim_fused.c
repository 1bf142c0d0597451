/* The fused SGD step (the gradient product writes the momentum update, the
 * velocity kept as a scale times an array): it follows plain momentum SGD
 * computed in double, mixed with unfused steps, across the points where the
 * scale is folded back in; its state blob keeps the scale, so a restored
 * optimizer continues bit for bit; a format-1 blob (no scale) still loads. */
#include "common.h"

#include "net.h"
#include "optim.h"
#include "serial.h"

#define IN 6
#define OUT 4
#define ROWS 8

typedef struct rig {
    gan_net *net;
    gan_optimizer *opt;
    float x[ROWS * IN], dy[ROWS * OUT];
} rig;

static void rig_make(rig *r, uint64_t seed, float momentum, float momentum_final)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    assert_int_equal(gan_net_create(&r->net, IN), GAN_OK);
    assert_int_equal(gan_net_add_dense(r->net, OUT, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_init(r->net, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    assert_int_equal(gan_rng_uniform(r->x, ROWS * IN, rng, -1.0f, 1.0f), GAN_OK);
    assert_int_equal(gan_rng_uniform(r->dy, ROWS * OUT, rng, -1.0f, 1.0f), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 0.05f;
    o.lr_decay = 1.01f;
    o.momentum = momentum;
    o.momentum_final = momentum_final;
    o.momentum_start_epoch = 1;
    o.momentum_saturate_epoch = 4;
    assert_int_equal(gan_optimizer_create(&r->opt, r->net, &o), GAN_OK);
}

static void rig_free(rig *r)
{
    gan_optimizer_free(r->opt);
    gan_net_free(r->net);
}

/* The fold of the rig's gradient (gan__grad_fold_fn). */
static int fold_rig_grads(void *ctx, float *out, float alpha, float beta)
{
    rig *r = ctx;
    gan__net_fold_param_grads(r->net, NULL, r->dy, ROWS, 0, out, alpha, beta);
    return GAN_OK;
}

/* One step on the rig's fixed batch; the gradient used goes to g (may be
 * NULL). fused picks the fused path. */
static void step(rig *r, int fused, float *g)
{
    assert_int_equal(gan_net_train_forward(r->net, NULL, r->x, ROWS, IN), GAN_OK);
    const size_t np = gan_net_num_params(r->net);
    if (g != NULL || !fused) {
        assert_int_equal(gan_net_backward(NULL, r->net, r->dy, ROWS, OUT, 0), GAN_OK);
        if (g != NULL)
            assert_int_equal(gan_net_get_grads(g, np, r->net), GAN_OK);
    }
    if (!fused) {
        assert_int_equal(gan_optimizer_step(r->opt), GAN_OK);
        return;
    }
    assert_int_equal(gan__optimizer_step_fold(r->opt, NULL, fold_rig_grads, r), GAN_OK);
}

/* steps steps of the rig (every unfused_every-th unfused; with
 * steps_per_epoch > 0 the epoch advances every steps_per_epoch steps)
 * against v = mu v - lr g; theta += v in double. */
static void expect_follows(rig *r, int steps, int unfused_every, int steps_per_epoch)
{
    const size_t np = gan_net_num_params(r->net);
    float *g = malloc(np * sizeof *g), *p0 = net_params(r->net);
    double *theta = malloc(np * sizeof *theta), *v = calloc(np, sizeof *v);
    assert_non_null(g);
    assert_non_null(theta);
    assert_non_null(v);
    for (size_t k = 0; k < np; k++)
        theta[k] = p0[k];
    for (int s = 0; s < steps; s++) {
        if (steps_per_epoch > 0) {
            const uint64_t epoch = 1 + (uint64_t)(s / steps_per_epoch);
            assert_int_equal(gan_optimizer_set_epoch(r->opt, epoch), GAN_OK);
        }
        const double mu = gan_optimizer_momentum(r->opt), lr = gan_optimizer_learning_rate(r->opt);
        step(r, s % unfused_every != unfused_every - 1, g);
        for (size_t k = 0; k < np; k++) {
            v[k] = mu * v[k] - lr * g[k];
            theta[k] += v[k];
        }
        float *p = net_params(r->net);
        for (size_t k = 0; k < np; k++)
            if (!(fabs(p[k] - theta[k]) <= 1e-5 + 1e-4 * fabs(theta[k]))) {
                print_error("step %d, parameter %zu: %.9g, expected %.9g\n", s, k, p[k], theta[k]);
                fail();
            }
        free(p);
    }
    free(g);
    free(p0);
    free(theta);
    free(v);
}

/* 80 steps, momentum 0.5 ramping to 0.9 over epochs 1-4 (the scale falls
 * below 2^-20 and is folded back in several times), every seventh step
 * unfused. */
static void test_follows_momentum_sgd(void **state)
{
    (void)state;
    rig r;
    rig_make(&r, 1, 0.5f, 0.9f);
    expect_follows(&r, 80, 7, 20);
    rig_free(&r);
}

/* Negative momentum: the velocity scale would change sign every step, so
 * each fused step folds it back in; every fifth step unfused. */
static void test_follows_negative_momentum(void **state)
{
    (void)state;
    rig r;
    rig_make(&r, 3, -0.5f, -0.5f);
    assert_true(gan_optimizer_momentum(r.opt) == -0.5f);
    expect_follows(&r, 30, 5, 0);
    rig_free(&r);
}

/* A state taken between fused steps restores an optimizer that continues
 * exactly like the original. */
static void test_state_keeps_scale(void **state)
{
    (void)state;
    rig a, b;
    rig_make(&a, 2, 0.7f, 0.7f);
    rig_make(&b, 2, 0.7f, 0.7f);
    for (int s = 0; s < 9; s++)
        step(&a, 1, NULL);
    const size_t size = gan_optimizer_state_size(a.opt), np = gan_net_num_params(a.net);
    unsigned char *blob = xmalloc(size);
    assert_int_equal(gan_optimizer_get_state(blob, size, a.opt), GAN_OK);
    float *pa = net_params(a.net);
    assert_int_equal(gan_net_set_params(b.net, pa, np), GAN_OK);
    assert_int_equal(gan_optimizer_set_state(b.opt, blob, size), GAN_OK);
    for (int s = 0; s < 9; s++) {
        step(&a, 1, NULL);
        step(&b, 1, NULL);
    }
    float *p1 = net_params(a.net), *p2 = net_params(b.net);
    assert_memory_equal(p1, p2, np * sizeof *p1);
    free(p1);
    free(p2);
    free(pa);
    free(blob);
    rig_free(&a);
    rig_free(&b);
}

/* A format-1 blob (no velocity scale: the array is the velocity) loads,
 * and the next step uses that velocity. */
static void test_loads_format_1(void **state)
{
    (void)state;
    rig r;
    rig_make(&r, 3, 0.5f, 0.5f);
    const size_t np = gan_net_num_params(r.net);
    gan__writer payload, c;
    gan__writer_init(&payload);
    gan__writer_init(&c);
    gan__put_u32(&payload, GAN_OPT_SGD);
    gan__put_u64(&payload, np);
    gan__put_u64(&payload, 0); /* steps */
    gan__put_u64(&payload, 1); /* epoch */
    float *vel = xmalloc(np * sizeof *vel);
    for (size_t k = 0; k < np; k++)
        vel[k] = 0.01f * (float)(k % 5);
    gan__put_f32_array(&payload, vel, np);
    static const char MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'O', 'P', 'T', '\0', '\1'};
    gan__container_build(&c, MAGIC, 1, payload.data, payload.len);
    assert_false(c.failed);
    assert_int_equal(gan_optimizer_set_state(r.opt, c.data, c.len), GAN_OK);

    float *p0 = net_params(r.net), *g = malloc(np * sizeof *g);
    assert_non_null(g);
    const double lr = gan_optimizer_learning_rate(r.opt);
    step(&r, 1, g);
    float *p1 = net_params(r.net);
    for (size_t k = 0; k < np; k++) {
        const double want = p0[k] + (0.5 * vel[k] - lr * g[k]);
        assert_true(fabs(p1[k] - want) <= 1e-6 + 1e-5 * fabs(want));
    }
    free(p0);
    free(p1);
    free(g);
    free(vel);
    gan__writer_free(&payload);
    gan__writer_free(&c);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follows_momentum_sgd),
        cmocka_unit_test(test_follows_negative_momentum),
        cmocka_unit_test(test_state_keeps_scale),
        cmocka_unit_test(test_loads_format_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
