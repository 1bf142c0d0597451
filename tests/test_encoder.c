/* gan_encoder_trainer (learned approximate inference, paper §7.2): the
 * step's gradient against finite differences of the squared error on the
 * same pairs, an encoder that learns to invert a linear generator,
 * reproducibility from the seed, and the checks. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#define NZ 2
#define WIDTH 3
#define ROWS 16

/* G: z (2, U(-1, 1)) -> dense 3, identity: x = (z0 + 0.5, z1 - 0.5, z0 + z1). */
static gan_generator *linear_generator(void)
{
    gan_net *g;
    assert_int_equal(gan_net_create(&g, NZ), GAN_OK);
    assert_int_equal(gan_net_add_dense(g, WIDTH, GAN_ACT_IDENTITY), GAN_OK);
    /* W is in x in_width rows of out_cols (gan.h), then the biases. */
    const float p[NZ * WIDTH + WIDTH] = {1, 0, 1, 0, 1, 1, 0.5f, -0.5f, 0};
    assert_int_equal(gan_net_set_params(g, p, NZ * WIDTH + WIDTH), GAN_OK);
    gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT;
    gan_generator *gen;
    assert_int_equal(gan_generator_create(&gen, g, &o), GAN_OK);
    gan_net_free(g);
    return gen;
}

/* E: 3 -> hidden tanh -> 2 identity, small random weights. */
static gan_net *encoder(uint64_t seed)
{
    gan_net *e;
    assert_int_equal(gan_net_create(&e, WIDTH), GAN_OK);
    assert_int_equal(gan_net_add_dense(e, 5, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(e, NZ, GAN_ACT_IDENTITY), GAN_OK);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    assert_int_equal(gan_net_init(e, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    gan_rng_free(rng);
    return e;
}

/* (1/(rows k)) sum (E(x) - z)^2 in double. */
static double squared_error(const gan_net *e, const float *x, const float *z)
{
    float zh[ROWS * NZ];
    assert_int_equal(gan_net_forward(zh, NZ, e, x, ROWS, WIDTH, 0), GAN_OK);
    double s = 0;
    for (size_t i = 0; i < ROWS * NZ; i++)
        s += ((double)zh[i] - z[i]) * ((double)zh[i] - z[i]);
    return s / (ROWS * NZ);
}

/* One SGD step of rate lr moves the parameters by -lr times the gradient of
 * the squared error on the step's pairs, which a twin rng with the
 * trainer's seed redraws; the loss reported is the error before the step. */
static void test_step_gradient(void **state)
{
    (void)state;
    gan_generator *gen = linear_generator();
    gan_net *e = encoder(3);
    const float lr = 0.5f;
    gan_optimizer *opt = plain_sgd(e, lr);
    gan_encoder_trainer *t;
    assert_int_equal(gan_encoder_trainer_create(&t, e, opt, gen, ROWS, 77), GAN_OK);
    float z[ROWS * NZ], x[ROWS * WIDTH];
    gan_rng *twin;
    assert_int_equal(gan_rng_create(&twin, 77), GAN_OK);
    assert_int_equal(gan_generator_noise(z, ROWS, NZ, gen, twin), GAN_OK);
    assert_int_equal(gan_generator_forward(x, ROWS, WIDTH, gen, z, NZ), GAN_OK);
    const size_t n = gan_net_num_params(e);
    float *before = xmalloc(n * sizeof *before), *after = xmalloc(n * sizeof *after);
    assert_int_equal(gan_net_get_params(before, n, e), GAN_OK);
    const double l0 = squared_error(e, x, z);
    double loss = -1;
    assert_int_equal(gan_encoder_trainer_step(&loss, t), GAN_OK);
    assert_close(loss, l0, 1e-5, 1e-7, "loss", 0);
    assert_int_equal(gan_net_get_params(after, n, e), GAN_OK);
    /* Central differences on a copy of E at the parameters before. */
    gan_net *probe = encoder(3);
    for (size_t i = 0; i < n; i++) {
        const float h = 1e-3f;
        before[i] += h;
        assert_int_equal(gan_net_set_params(probe, before, n), GAN_OK);
        const double up = squared_error(probe, x, z);
        before[i] -= 2 * h;
        assert_int_equal(gan_net_set_params(probe, before, n), GAN_OK);
        const double down = squared_error(probe, x, z);
        before[i] += h;
        const double grad = (up - down) / (2.0 * h);
        const double step = ((double)before[i] - after[i]) / lr;
        assert_close(step, grad, 2e-2, 2e-4, "gradient", i);
    }
    gan_net_free(probe);
    free(before);
    free(after);
    gan_rng_free(twin);
    gan_encoder_trainer_free(t);
    gan_optimizer_free(opt);
    gan_net_free(e);
    gan_generator_free(gen);
}

/* E learns to invert G: the error falls from about E[z^2] = 1/3 to near
 * 0, and E(G(z)) recovers fresh z. */
static void test_inverts_linear_generator(void **state)
{
    (void)state;
    gan_generator *gen = linear_generator();
    gan_net *e;
    assert_int_equal(gan_net_create(&e, WIDTH), GAN_OK);
    assert_int_equal(gan_net_add_dense(e, NZ, GAN_ACT_IDENTITY), GAN_OK);
    gan_optimizer *opt = plain_sgd(e, 0.1f);
    gan_encoder_trainer *t;
    assert_int_equal(gan_encoder_trainer_create(&t, e, opt, gen, 32, 5), GAN_OK);
    double first = 0, last = 0;
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(gan_encoder_trainer_step(&last, t), GAN_OK);
        if (i == 0)
            first = last;
    }
    assert_true(first > 0.15 && first < 0.6); /* zero weights: E(x) = 0 */
    assert_true(last < 1e-4);
    const float z[NZ * 2] = {0.3f, -0.8f, -0.9f, 0.1f};
    float x[WIDTH * 2], zh[NZ * 2];
    assert_int_equal(gan_generator_forward(x, 2, WIDTH, gen, z, NZ), GAN_OK);
    assert_int_equal(gan_net_forward(zh, NZ, e, x, 2, WIDTH, 0), GAN_OK);
    assert_arrays_close(zh, z, NZ * 2, 0.0, "E(G(z))");
    gan_encoder_trainer_free(t);
    gan_optimizer_free(opt);
    gan_net_free(e);
    gan_generator_free(gen);
}

/* The same seed gives the same encoder; another seed another one. */
static void test_reproducible(void **state)
{
    (void)state;
    gan_generator *gen = linear_generator();
    float p[3][5 * NZ + NZ + WIDTH * 5 + 5];
    const uint64_t seeds[3] = {9, 9, 10};
    for (int k = 0; k < 3; k++) {
        gan_net *e = encoder(1);
        gan_optimizer *opt = plain_sgd(e, 0.05f);
        gan_encoder_trainer *t;
        assert_int_equal(gan_encoder_trainer_create(&t, e, opt, gen, 8, seeds[k]), GAN_OK);
        for (int i = 0; i < 5; i++)
            assert_int_equal(gan_encoder_trainer_step(NULL, t), GAN_OK);
        assert_int_equal(gan_net_num_params(e), sizeof p[0] / sizeof p[0][0]);
        assert_int_equal(gan_net_get_params(p[k], sizeof p[0] / sizeof p[0][0], e), GAN_OK);
        gan_encoder_trainer_free(t);
        gan_optimizer_free(opt);
        gan_net_free(e);
    }
    assert_memory_equal(p[0], p[1], sizeof p[0]);
    assert_memory_not_equal(p[0], p[2], sizeof p[0]);
    gan_generator_free(gen);
}

static void test_checks(void **state)
{
    (void)state;
    gan_generator *gen = linear_generator();
    gan_net *e = encoder(1), *other = encoder(2), *wide;
    gan_optimizer *opt = plain_sgd(e, 0.1f), *other_opt = plain_sgd(other, 0.1f);
    gan_encoder_trainer *t = (gan_encoder_trainer *)&t; /* must be reset to NULL */
    EXPECT_ERR(gan_encoder_trainer_create(&t, e, opt, gen, 0, 1), GAN_EINVAL,
               "gan_encoder_trainer_create", "rows");
    assert_null(t);
    EXPECT_ERR(gan_encoder_trainer_create(&t, e, other_opt, gen, 4, 1), GAN_EINVAL,
               "gan_encoder_trainer_create", "e_opt");
    assert_int_equal(gan_net_create(&wide, WIDTH + 1), GAN_OK);
    assert_int_equal(gan_net_add_dense(wide, NZ, GAN_ACT_IDENTITY), GAN_OK);
    gan_optimizer *wide_opt = plain_sgd(wide, 0.1f);
    EXPECT_ERR(gan_encoder_trainer_create(&t, wide, wide_opt, gen, 4, 1), GAN_ESHAPE,
               "gan_encoder_trainer_create", "generator's output");
    assert_int_equal(gan_net_add_dense(other, NZ + 1, GAN_ACT_IDENTITY), GAN_OK);
    gan_optimizer_free(other_opt);
    other_opt = plain_sgd(other, 0.1f);
    EXPECT_ERR(gan_encoder_trainer_create(&t, other, other_opt, gen, 4, 1), GAN_ESHAPE,
               "gan_encoder_trainer_create", "noise");
    /* A layer added after the trainer was made. */
    assert_int_equal(gan_encoder_trainer_create(&t, e, opt, gen, 4, 1), GAN_OK);
    assert_int_equal(gan_encoder_trainer_step(NULL, t), GAN_OK);
    assert_int_equal(gan_net_add_dropout(e, 1.0f), GAN_OK);
    EXPECT_ERR(gan_encoder_trainer_step(NULL, t), GAN_ESTATE, "gan_encoder_trainer_step", "e");
    gan_encoder_trainer_free(t);
    gan_encoder_trainer_free(NULL);
    gan_optimizer_free(opt);
    gan_optimizer_free(other_opt);
    gan_optimizer_free(wide_opt);
    gan_net_free(e);
    gan_net_free(other);
    gan_net_free(wide);
    gan_generator_free(gen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_gradient),
        cmocka_unit_test(test_inverts_linear_generator),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
