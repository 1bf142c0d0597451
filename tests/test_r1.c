/* The R1 penalty of D's step (session option d_r1_gamma): its parameter
 * gradient, taken inside the step as a difference of D's gradient along
 * grad_x of the logit, against central finite differences in the
 * parameters of R1 = (gamma / 2) mean_i |grad_x a(x_i)|^2 computed from
 * input gradients; the loss it adds; the session's checks and
 * checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include "net.h"
#include "update.h"

#include <stdio.h>
#include <string.h>

#define XW 6
#define ROWS 5
#define GAMMA 3.0f
#define LR 0.25f

/* input dropout 0.8 -> maxout 4 x 3 -> dropout 0.6 -> dense 3 leaky ReLU
 * -> dense 1 sigmoid: piecewise linear up to the logit, with dropout. */
static gan_net *make_d(uint64_t seed, int dropout)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    gan_net *d;
    assert_int_equal(gan_net_create(&d, XW), GAN_OK);
    if (dropout)
        assert_int_equal(gan_net_add_dropout(d, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(d, 4, 3), GAN_OK);
    if (dropout)
        assert_int_equal(gan_net_add_dropout(d, 0.6f), GAN_OK);
    assert_int_equal(gan_net_add_dense(d, 3, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(d, 1, GAN_ACT_SIGMOID), GAN_OK);
    randomize(d, rng, 0.9f);
    gan_rng_free(rng);
    return d;
}

/* R1 at D's current parameters, under the masks a forward of (real, fake)
 * draws from a generator seeded with mask_seed (the step's own draw). */
static double r1_value(gan_net *d, const float *real, const float *fake, uint64_t mask_seed)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, mask_seed), GAN_OK);
    assert_int_equal(gan__net_train_forward_pair(d, NULL, rng, real, ROWS, fake, ROWS, XW, "test"),
                     GAN_OK);
    gan_rng_free(rng);
    float ones[ROWS], g[ROWS * XW];
    for (size_t i = 0; i < ROWS; i++)
        ones[i] = 1.0f;
    gan__net_backward_input(g, d, NULL, ones, 0, ROWS, GAN_BACKWARD_LOGITS);
    double s = 0.0;
    for (size_t k = 0; k < ROWS * XW; k++)
        s += (double)g[k] * g[k];
    return 0.5 * GAMMA * s / ROWS;
}

/* One D step with the given gamma, masks from mask_seed; returns the
 * parameters after it and the reported loss. */
static float *step(double *loss, uint64_t seed, int dropout, const float *real, const float *fake,
                   float gamma, uint64_t mask_seed)
{
    gan_net *d = make_d(seed, dropout);
    gan_optimizer *opt = plain_sgd(d, LR);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, mask_seed), GAN_OK);
    gan__step_ws ws;
    gan__step_ws_init(&ws, NULL);
    assert_int_equal(gan__step_ws_reserve(&ws, ROWS, XW, "test"), GAN_OK);
    gan_step_stats st;
    assert_int_equal(
        gan__step_d(&st, &ws, d, opt, rng, real, fake, ROWS, XW, 0, 1.0f, gamma, "test"), GAN_OK);
    *loss = st.d_loss;
    float *p = net_params(d);
    gan__step_ws_free(&ws);
    gan_rng_free(rng);
    gan_optimizer_free(opt);
    gan_net_free(d);
    return p;
}

/* The step with the penalty minus the step without it is -lr grad R1;
 * grad R1 by central differences of r1_value in each parameter. */
static void check_gradient(uint64_t seed, int dropout)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed + 100), GAN_OK);
    float *real = rand_array(rng, ROWS * XW, 0.0f, 1.0f);
    float *fake = rand_array(rng, ROWS * XW, 0.0f, 1.0f);
    gan_rng_free(rng);
    const uint64_t mask_seed = seed + 7;
    double loss0, loss1;
    float *p0 = step(&loss0, seed, dropout, real, fake, 0.0f, mask_seed);
    float *p1 = step(&loss1, seed, dropout, real, fake, GAMMA, mask_seed);

    gan_net *d = make_d(seed, dropout);
    const size_t np = gan_net_num_params(d);
    float *theta = net_params(d);
    const double r1 = r1_value(d, real, fake, mask_seed);
    assert_true(r1 > 1e-3);
    assert_close(loss1 - loss0, r1, 1e-4, 1e-6, "reported penalty", 0);
    double err = 0.0, norm = 0.0;
    for (size_t k = 0; k < np; k++) {
        const float keep = theta[k], h = 1e-3f;
        theta[k] = keep + h;
        assert_int_equal(gan_net_set_params(d, theta, np), GAN_OK);
        const double up = r1_value(d, real, fake, mask_seed);
        theta[k] = keep - h;
        assert_int_equal(gan_net_set_params(d, theta, np), GAN_OK);
        const double down = r1_value(d, real, fake, mask_seed);
        theta[k] = keep;
        const double numeric = (up - down) / (2.0 * (double)h);
        const double in_step = ((double)p0[k] - (double)p1[k]) / LR;
        err = fmax(err, fabs(in_step - numeric));
        norm = fmax(norm, fabs(numeric));
        assert_close(in_step, numeric, 2e-3, 2e-4, "R1 gradient", k);
    }
    assert_true(norm > 1e-2); /* the penalty moves the parameters */
    free(theta);
    gan_net_free(d);
    free(p0);
    free(p1);
    free(real);
    free(fake);
}

static void test_gradient_matches_finite_differences(void **state)
{
    (void)state;
    check_gradient(1, 0);
    check_gradient(2, 1); /* with dropout: the penalty under the step's masks */
    check_gradient(3, 1);
}

/* A session refuses gamma out of range and batch norm in D; the option is
 * kept in checkpoints and a resumed session must match it. */
static void test_session_checks_and_checkpoints(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    float *rows = rand_array(rng, 40 * XW, 0.0f, 1.0f);
    gan_dataset *data;
    assert_int_equal(gan_dataset_create(&data, rows, 40, XW), GAN_OK);
    gan_net *g;
    assert_int_equal(gan_net_create(&g, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(g, XW, GAN_ACT_SIGMOID), GAN_OK);
    randomize(g, rng, 0.5f);
    gan_net *d = make_d(4, 1);
    gan_optimizer *go = plain_sgd(g, LR), *dopt = plain_sgd(d, LR);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = 8;
    so.noise_width = 2;
    gan_session *s = NULL;
    const float bad[] = {-1.0f, NAN, INFINITY, 2e6f};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        so.d_r1_gamma = bad[i];
        EXPECT_ERR(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_EINVAL,
                   "gan_session_create", "d_r1_gamma");
    }
    /* (gamma lr above 2 would make the penalty alone diverge.) */
    so.d_r1_gamma = 1.0f;
    for (int order = 0; order < 2; order++) {
        so.update_order = order ? GAN_ORDER_SIMULTANEOUS : GAN_ORDER_ALTERNATING;
        assert_int_equal(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_OK);
        const int rc = gan_session_train_epochs(s, 2, NULL, NULL);
        if (rc != GAN_OK)
            print_error("order %d: %s\n", order, gan_error_last());
        assert_int_equal(rc, GAN_OK);
        gan_session_free(s);
    }
    char path[512];
    path_join(path, sizeof path, dir, "r1.ckpt");
    assert_int_equal(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_OK);
    assert_int_equal(gan_session_save(s, path), GAN_OK);
    gan_session_free(s);
    so.d_r1_gamma = 2.0f;
    assert_int_equal(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_OK);
    EXPECT_ERR(gan_session_load(s, path), GAN_ESHAPE, path, "d_r1_gamma = 1, this session has 2");
    gan_session_free(s);
    so.d_r1_gamma = 1.0f;
    assert_int_equal(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_OK);
    assert_int_equal(gan_session_load(s, path), GAN_OK);
    gan_session_free(s);
    remove(path);

    gan_net *dbn;
    assert_int_equal(gan_net_create(&dbn, XW), GAN_OK);
    assert_int_equal(gan_net_add_dense(dbn, 4, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(dbn, 0.1f, 1e-5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(dbn, 1, GAN_ACT_SIGMOID), GAN_OK);
    gan_optimizer *bno = plain_sgd(dbn, LR);
    EXPECT_ERR(gan_session_create(&s, g, dbn, go, bno, data, &so), GAN_EUNSUPPORTED,
               "gan_session_create", "batch normalisation");
    gan_optimizer_free(bno);
    gan_net_free(dbn);
    gan_optimizer_free(go);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_dataset_free(data);
    free(rows);
    gan_rng_free(rng);
}

/* The same-masks forward: both parts see the first part's masks, so equal
 * inputs give equal outputs; it refuses without a suitable last forward. */
static void test_same_masks_forward(void **state)
{
    (void)state;
    gan_net *d = make_d(9, 1);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 11), GAN_OK);
    float *x = rand_array(rng, ROWS * XW, 0.0f, 1.0f);
    EXPECT_ERR(gan__net_train_forward_same_masks(d, NULL, x, x, ROWS, "test"), GAN_ESTATE, "test",
               "last forward");
    assert_int_equal(gan__net_train_forward_pair(d, NULL, rng, x, ROWS, x, ROWS, XW, "test"),
                     GAN_OK);
    float first[ROWS];
    memcpy(first, gan__net_train_output(d, 1), sizeof first);
    assert_int_equal(gan__net_train_forward_same_masks(d, NULL, x, x, ROWS, "test"), GAN_OK);
    const float *a = gan__net_train_output(d, 1);
    for (size_t i = 0; i < ROWS; i++) {
        assert_close(a[i], first[i], 1e-6, 1e-6, "first part, same masks", i);
        assert_close(a[ROWS + i], first[i], 1e-6, 1e-6, "second part, first part's masks", i);
    }
    EXPECT_ERR(gan__net_train_forward_same_masks(d, NULL, x, x, ROWS + 1, "test"), GAN_ESTATE,
               "test", "at least 6 rows");
    free(x);
    gan_rng_free(rng);
    gan_net_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_matches_finite_differences),
        TMPDIR_TEST(test_session_checks_and_checkpoints),
        cmocka_unit_test(test_same_masks_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
