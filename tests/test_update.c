/* The discriminator and generator steps on their own: gradients against
 * finite differences, D's loss falls on separable data, the G step leaves
 * D untouched, divergence and bad input. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#define ZW 3
#define XW 5
#define ROWS 16

static gan_net *make_g(gan_rng *rng)
{
    gan_net *g = make_mlp(ZW, 8, GAN_ACT_RELU, XW, GAN_ACT_SIGMOID);
    assert_int_equal(gan_net_init(g, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    return g;
}

static gan_net *make_d(gan_rng *rng, int dropout)
{
    gan_net *d = make_maxout_d(XW, 4, 3, dropout ? 0.8f : 0.0f, 0.0f);
    assert_int_equal(gan_net_init(d, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    return d;
}

/* Plain gradient descent: the parameter change of one step is -grad. */
static gan_optimizer *make_gd(gan_net *net)
{
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 1.0f;
    o.momentum = o.momentum_final = 0.0f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    return opt;
}

/* Non-saturating G loss through D, by inference passes (no dropout). */
static double g_loss_direct(const gan_net *g, const gan_net *d, const float *z)
{
    float x[ROWS * XW], a[ROWS];
    double loss;
    assert_int_equal(gan_net_forward(x, XW, g, z, ROWS, ZW, 0), GAN_OK);
    assert_int_equal(gan_net_forward(a, 1, d, x, ROWS, XW, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_loss_g(&loss, NULL, a, ROWS, GAN_G_LOSS_NON_SATURATING), GAN_OK);
    return loss;
}

static double d_loss_direct(const gan_net *d, const float *real, const float *fake, size_t rows)
{
    float ar[64], af[64];
    double loss;
    assert_true(rows <= 64);
    assert_int_equal(gan_net_forward(ar, 1, d, real, rows, XW, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_net_forward(af, 1, d, fake, rows, XW, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_loss_d(&loss, NULL, NULL, ar, rows, af, rows, 0), GAN_OK);
    return loss;
}

/* Compare the parameter change of one step (= -grad) with central
 * differences of f over every parameter of net. */
static void check_step_is_gradient(gan_net *net, const float *before, const float *after,
                                   double (*f)(void *), void *ctx)
{
    const size_t n = gan_net_num_params(net);
    float *p = xmalloc(n * sizeof *p);
    memcpy(p, before, n * sizeof *p);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        const float h = 2e-3f, v = p[i];
        p[i] = v + h;
        gan_net_set_params(net, p, n);
        const double lp = f(ctx);
        p[i] = v - h;
        gan_net_set_params(net, p, n);
        const double lm = f(ctx);
        p[i] = v;
        const double fd = (lp - lm) / ((double)(v + h) - (double)(v - h));
        const double an = -((double)after[i] - (double)before[i]);
        /* Float forward passes: allow rounding noise of the differences. */
        const double err = fabs(fd - an) / (5e-3 + 0.05 * fabs(an));
        if (err > worst)
            worst = err;
        if (err > 1.0)
            print_message("param %zu: differences %g, step %g\n", i, fd, an);
    }
    gan_net_set_params(net, before, n);
    free(p);
    if (worst > 1.0)
        fail_msg("gradient differs from finite differences (worst %g x tolerance)", worst);
}

struct g_ctx {
    gan_net *g, *d;
    const float *z;
};
static double g_ctx_loss(void *c)
{
    struct g_ctx *x = c;
    return g_loss_direct(x->g, x->d, x->z);
}

static void test_g_step_gradient_and_d_untouched(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 11), GAN_OK);
    gan_net *g = make_g(rng), *d = make_d(rng, 0);
    gan_optimizer *gopt = make_gd(g);
    float z[ROWS * ZW];
    gan_rng_uniform(z, ROWS * ZW, rng, -1.0f, 1.0f);

    /* Give D's gradients a recognisable state the G step must not touch. */
    float xr[ROWS * XW], dy[2 * ROWS];
    gan_rng_uniform(xr, ROWS * XW, rng, 0.0f, 1.0f);
    for (int i = 0; i < 2 * ROWS; i++)
        dy[i] = 0.1f * (float)(i % 5);
    assert_int_equal(gan_net_train_forward(d, rng, xr, ROWS, XW), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, d, dy, ROWS, 1, GAN_BACKWARD_LOGITS), GAN_OK);

    const size_t ng = gan_net_num_params(g), nd = gan_net_num_params(d);
    float *g0 = malloc(ng * 4), *g1 = malloc(ng * 4), *d0 = malloc(nd * 4), *d1 = malloc(nd * 4),
          *dg0 = malloc(nd * 4), *dg1 = malloc(nd * 4);
    gan_net_get_params(g0, ng, g);
    gan_net_get_params(d0, nd, d);
    gan_net_get_grads(dg0, nd, d);

    gan_step_stats st;
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW, GAN_G_LOSS_NON_SATURATING), GAN_OK);
    assert_true(fabs(st.g_loss - g_loss_direct(g, d, z)) > 0); /* G moved */
    assert_true(isnan(st.d_loss));
    assert_true(st.d_fake > 0.0 && st.d_fake < 1.0);
    gan_net_get_params(g1, ng, g);
    gan_net_get_params(d1, nd, d);
    gan_net_get_grads(dg1, nd, d);
    assert_memory_equal(d0, d1, nd * 4);
    assert_memory_equal(dg0, dg1, nd * 4);

    /* The loss reported is the loss before the step. */
    gan_net_set_params(g, g0, ng);
    assert_true(fabs(st.g_loss - g_loss_direct(g, d, z)) < 1e-5);
    struct g_ctx c = {g, d, z};
    check_step_is_gradient(g, g0, g1, g_ctx_loss, &c);

    free(g0), free(g1), free(d0), free(d1), free(dg0), free(dg1);
    gan_optimizer_free(gopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_rng_free(rng);
}

struct d_ctx {
    gan_net *d;
    const float *real, *fake;
};
static double d_ctx_loss(void *c)
{
    struct d_ctx *x = c;
    return d_loss_direct(x->d, x->real, x->fake, ROWS);
}

static void test_d_step_gradient(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 12), GAN_OK);
    gan_net *d = make_d(rng, 0);
    gan_optimizer *dopt = make_gd(d);
    float real[ROWS * XW], fake[ROWS * XW];
    gan_rng_uniform(real, ROWS * XW, rng, 0.0f, 1.0f);
    gan_rng_uniform(fake, ROWS * XW, rng, 0.0f, 1.0f);
    const size_t nd = gan_net_num_params(d);
    float *d0 = malloc(nd * 4), *d1 = malloc(nd * 4);
    gan_net_get_params(d0, nd, d);
    gan_step_stats st;
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, 0), GAN_OK);
    gan_net_get_params(d1, nd, d);
    gan_net_set_params(d, d0, nd);
    assert_true(fabs(st.d_loss - d_loss_direct(d, real, fake, ROWS)) < 1e-5);
    assert_true(isnan(st.g_loss));
    struct d_ctx c = {d, real, fake};
    check_step_is_gradient(d, d0, d1, d_ctx_loss, &c);

    /* GAN_LOSS_D_HALF halves the step. */
    float *dh = malloc(nd * 4);
    gan_net_set_params(d, d0, nd);
    gan_optimizer_free(dopt);
    dopt = make_gd(d);
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, GAN_LOSS_D_HALF), GAN_OK);
    gan_net_get_params(dh, nd, d);
    for (size_t i = 0; i < nd; i++)
        assert_true(fabsf((dh[i] - d0[i]) * 2.0f - (d1[i] - d0[i])) < 1e-5f);
    free(d0), free(d1), free(dh);
    gan_optimizer_free(dopt);
    gan_net_free(d);
    gan_rng_free(rng);
}

/* Real points near 0.8, fake near 0.2 in every coordinate: a few D steps
 * with dropout make D's loss fall and separate the two. */
static void test_d_learns_separable(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 13), GAN_OK);
    gan_net *d = make_d(rng, 1);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 0.1f;
    gan_optimizer *dopt;
    assert_int_equal(gan_optimizer_create(&dopt, d, &o), GAN_OK);
    float real[ROWS * XW], fake[ROWS * XW];
    gan_rng_normal(real, ROWS * XW, rng, 0.8f, 0.05f);
    gan_rng_normal(fake, ROWS * XW, rng, 0.2f, 0.05f);
    const double before = d_loss_direct(d, real, fake, ROWS);
    gan_step_stats st;
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, 0), GAN_OK);
    assert_true(d_loss_direct(d, real, fake, ROWS) < before);
    for (int i = 0; i < 50; i++)
        assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, 0), GAN_OK);
    assert_true(d_loss_direct(d, real, fake, ROWS) < 0.5 * before);
    assert_true(st.d_real > 0.6 && st.d_fake < 0.4);
    gan_optimizer_free(dopt);
    gan_net_free(d);
    gan_rng_free(rng);
}

static void test_divergence_and_bad_input(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 14), GAN_OK);
    gan_net *g = make_g(rng), *d = make_d(rng, 1);
    gan_optimizer *gopt = make_gd(g), *dopt = make_gd(d);
    float z[ROWS * ZW], real[ROWS * XW];
    gan_rng_uniform(z, ROWS * ZW, rng, -1.0f, 1.0f);
    gan_rng_uniform(real, ROWS * XW, rng, 0.0f, 1.0f);
    gan_step_stats st;

    /* Optimizers must be bound to the right nets. */
    assert_int_equal(gan_update_d(&st, d, gopt, rng, real, real, ROWS, XW, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "d_opt"));
    assert_int_equal(gan_update_g(&st, g, dopt, d, rng, z, ROWS, ZW, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "g_opt"));
    assert_int_equal(gan_update_d(&st, d, dopt, NULL, real, real, ROWS, XW, 0), GAN_EINVAL);
    assert_int_equal(gan_update_d(&st, d, dopt, rng, NULL, real, ROWS, XW, 0), GAN_EINVAL);
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, real, 0, XW, 0), GAN_EINVAL);
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, real, ROWS, XW + 1, 0), GAN_ESHAPE);
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW + 1, 0), GAN_ESHAPE);
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW, 9), GAN_EUNSUPPORTED);
    /* D must end in one sigmoid/identity unit; G must feed D. */
    gan_net *d2;
    assert_int_equal(gan_net_create(&d2, XW), GAN_OK);
    assert_int_equal(gan_net_add_dense(d2, 2, GAN_ACT_SIGMOID), GAN_OK);
    gan_optimizer *d2opt = make_gd(d2);
    assert_int_equal(gan_update_d(&st, d2, d2opt, rng, real, real, ROWS, XW, 0), GAN_ESHAPE);
    assert_int_equal(gan_update_g(&st, g, gopt, d2, rng, z, ROWS, ZW, 0), GAN_ESHAPE);
    gan_net *g2;
    assert_int_equal(gan_net_create(&g2, ZW), GAN_OK);
    assert_int_equal(gan_net_add_dense(g2, XW + 1, GAN_ACT_SIGMOID), GAN_OK);
    gan_optimizer *g2opt = make_gd(g2);
    assert_int_equal(gan_update_g(&st, g2, g2opt, d, rng, z, ROWS, ZW, 0), GAN_ESHAPE);
    assert_non_null(strstr(gan_error_last(), "input width"));

    /* A NaN parameter in D gives NaN logits: reported as divergence. */
    const size_t nd = gan_net_num_params(d);
    float *p = malloc(nd * 4);
    gan_net_get_params(p, nd, d);
    p[nd - 1] = NAN; /* the output bias */
    gan_net_set_params(d, p, nd);
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, real, ROWS, XW, 0), GAN_EDIVERGED);
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW, 0), GAN_EDIVERGED);
    free(p);

    gan_optimizer_free(g2opt);
    gan_optimizer_free(d2opt);
    gan_net_free(g2);
    gan_net_free(d2);
    gan_optimizer_free(gopt);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_rng_free(rng);
}

/* Params and optimizer state of a net, concatenated (malloc'ed). */
static unsigned char *snapshot(const gan_net *net, const gan_optimizer *opt, size_t *n)
{
    const size_t np = gan_net_num_params(net) * sizeof(float), ns = gan_optimizer_state_size(opt);
    unsigned char *b = malloc(np + ns);
    assert_non_null(b);
    assert_int_equal(gan_net_get_params((float *)(void *)b, np / sizeof(float), net), GAN_OK);
    assert_int_equal(gan_optimizer_get_state(b + np, ns, opt), GAN_OK);
    *n = np + ns;
    return b;
}

static void assert_unchanged(const gan_net *net, const gan_optimizer *opt, const unsigned char *b0,
                             size_t n0)
{
    size_t n1;
    unsigned char *b1 = snapshot(net, opt, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(b0, b1, n0);
    free(b1);
}

/* A NaN or Inf in real, fake or z is refused naming the argument and the
 * row, the nets and optimizers stay exactly as they were, and the next
 * clean step works (before, ReLU mapped the NaN to 0, the logit check
 * passed and the first layer's weights became NaN for good). */
static void test_nonfinite_input_changes_nothing(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 15), GAN_OK);
    gan_net *g = make_g(rng), *d = make_d(rng, 1);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.momentum = o.momentum_final = 0.7f;
    gan_optimizer *gopt, *dopt;
    assert_int_equal(gan_optimizer_create(&gopt, g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&dopt, d, &o), GAN_OK);
    float z[ROWS * ZW], real[ROWS * XW], fake[ROWS * XW];
    gan_rng_uniform(z, ROWS * ZW, rng, -1.0f, 1.0f);
    gan_rng_uniform(real, ROWS * XW, rng, 0.0f, 1.0f);
    gan_rng_uniform(fake, ROWS * XW, rng, 0.0f, 1.0f);
    gan_step_stats st;
    /* One clean step each first, so the momentum state is not all zero. */
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, 0), GAN_OK);
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW, 0), GAN_OK);

    size_t nd, ng;
    unsigned char *d0 = snapshot(d, dopt, &nd), *g0 = snapshot(g, gopt, &ng);
    const float bad[] = {NAN, INFINITY, -INFINITY};
    for (int k = 0; k < 3; k++) {
        float r2[ROWS * XW], f2[ROWS * XW], z2[ROWS * ZW];
        memcpy(r2, real, sizeof r2);
        memcpy(f2, fake, sizeof f2);
        memcpy(z2, z, sizeof z2);
        r2[3 * XW + 2] = bad[k];
        assert_int_equal(gan_update_d(&st, d, dopt, rng, r2, fake, ROWS, XW, 0), GAN_EINVAL);
        assert_non_null(strstr(gan_error_last(), "gan_update_d: real row 3"));
        assert_unchanged(d, dopt, d0, nd);
        f2[(ROWS - 1) * XW] = bad[k];
        assert_int_equal(gan_update_d(&st, d, dopt, rng, real, f2, ROWS, XW, 0), GAN_EINVAL);
        assert_non_null(strstr(gan_error_last(), "gan_update_d: fake row 15"));
        assert_unchanged(d, dopt, d0, nd);
        z2[5 * ZW + 1] = bad[k];
        assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z2, ROWS, ZW, 0), GAN_EINVAL);
        assert_non_null(strstr(gan_error_last(), "gan_update_g: z row 5"));
        assert_unchanged(g, gopt, g0, ng);
        assert_unchanged(d, dopt, d0, nd);
    }
    /* Errors name the public function, never an internal callee. */
    assert_int_equal(gan_update_d(&st, d, dopt, NULL, real, fake, ROWS, XW, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_update_d: rng is NULL"));
    assert_unchanged(d, dopt, d0, nd);
    /* Clean input still trains. */
    assert_int_equal(gan_update_d(&st, d, dopt, rng, real, fake, ROWS, XW, 0), GAN_OK);
    assert_int_equal(gan_update_g(&st, g, gopt, d, rng, z, ROWS, ZW, 0), GAN_OK);
    assert_true(isfinite(st.g_loss));
    free(d0);
    free(g0);
    gan_optimizer_free(gopt);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g_step_gradient_and_d_untouched),
        cmocka_unit_test(test_d_step_gradient),
        cmocka_unit_test(test_d_learns_separable),
        cmocka_unit_test(test_divergence_and_bad_input),
        cmocka_unit_test(test_nonfinite_input_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
