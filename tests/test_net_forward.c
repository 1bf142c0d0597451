/* gan_net forward passes: every activation by value, the sigmoid over its
 * range, training against inference across batch sizes, two threads on
 * one net, and argument checking of the passes. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>

/* Every activation, by value. */
static void test_activations_by_value(void **state)
{
    (void)state;
    const float x[5] = {-2, -0.5f, 0, 0.5f, 3};
    for (int act = GAN_ACT_IDENTITY; act <= GAN_ACT_SIGMOID; act++) {
        gan_net *net;
        assert_int_equal(gan_net_create(&net, 1), GAN_OK);
        assert_int_equal(gan_net_add_dense(net, 1, act), GAN_OK);
        const float p[2] = {1, 0};
        assert_int_equal(gan_net_set_params(net, p, 2), GAN_OK);
        float y[5], z[5];
        assert_int_equal(gan_net_forward(y, 1, net, x, 5, 1, 0), GAN_OK);
        assert_int_equal(gan_net_forward(z, 1, net, x, 5, 1, GAN_FORWARD_LOGITS), GAN_OK);
        for (int k = 0; k < 5; k++) {
            assert_close(y[k], act_ref(act, x[k], 0.2), 1e-6, 1e-7, "activation", (size_t)k);
            assert_true(z[k] == x[k]);
        }
        if (act == GAN_ACT_LEAKY_RELU) {
            assert_int_equal(gan_net_set_leaky_slope(net, 0, 0.01f), GAN_OK);
            assert_int_equal(gan_net_forward(y, 1, net, x, 5, 1, 0), GAN_OK);
            for (int k = 0; k < 5; k++)
                assert_close(y[k], act_ref(act, x[k], 0.01), 1e-6, 1e-7, "leaky 0.01",
                             (size_t)k);
        }
        gan_net_free(net);
    }
}

/* The sigmoid over its whole range, against double precision: relative
 * error below 1e-6 wherever the true value is a normal float above
 * exp(-87), in [0, 1] everywhere, the same from the training forward
 * as from inference, NaN for NaN. */
static void test_sigmoid_accuracy(void **state)
{
    (void)state;
    enum { N = 4003 };
    static float x[N], y[N];
    for (int k = 0; k < N - 3; k++)
        x[k] = -100.0f + 0.05f * (float)k;
    x[N - 3] = -0.0f;
    x[N - 2] = 1e-30f;
    x[N - 1] = -1e-30f;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 1), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    const float p[2] = {1, 0};
    assert_int_equal(gan_net_set_params(net, p, 2), GAN_OK);
    assert_int_equal(gan_net_forward(y, 1, net, x, N, 1, 0), GAN_OK);
    for (int k = 0; k < N; k++) {
        const double want = 1.0 / (1.0 + exp(-(double)x[k]));
        assert_true(y[k] >= 0.0f && y[k] <= 1.0f);
        if (want > 1.7e-38)
            assert_close(y[k], want, 1e-6, 0, "sigmoid", (size_t)k);
        else
            assert_true(y[k] <= 1.7e-38f); /* exp(-87) */
    }
    assert_int_equal(gan_net_train_forward(net, NULL, x, N, 1), GAN_OK);
    const float *t;
    size_t rows, cols;
    assert_int_equal(gan_net_train_output(&t, &rows, &cols, net, 0), GAN_OK);
    assert_memory_equal(t, y, sizeof y);
    /* NaN stays NaN (divergence must show); the infinities saturate. */
    const float odd[3] = {NAN, INFINITY, -INFINITY};
    float z[3];
    assert_int_equal(gan_net_forward(z, 1, net, odd, 3, 1, 0), GAN_OK);
    assert_true(isnan(z[0]));
    assert_true(z[1] == 1.0f);
    assert_true(z[2] >= 0.0f && z[2] <= 1.7e-38f);
    gan_net_free(net);
}

/* train_forward and forward agree without dropout, across batch sizes that
 * grow and shrink (workspace reuse). */
static void test_forward_agrees(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 23), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 30), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 40, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 1.0f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 10, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 7, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.3f), GAN_OK);
    const size_t sizes[5] = {10, 3, 64, 1, 10};
    float *x = rand_array(rng, 64 * 30, -1, 1);
    float *y = xmalloc(64 * 7 * sizeof *y), *y1 = xmalloc(7 * sizeof *y1);
    for (int s = 0; s < 5; s++) {
        size_t rows = sizes[s];
        assert_int_equal(gan_net_forward(y, 7, net, x, rows, 30, 0), GAN_OK);
        assert_int_equal(gan_net_train_forward(net, rng, x, rows, 30), GAN_OK);
        const float *o;
        size_t r, c;
        assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_OK);
        assert_int_equal(r, rows);
        assert_int_equal(c, 7);
        assert_arrays_close(o, y, rows * 7, 1e-6, "train vs inference");
        /* Row results do not depend on the batch they came in. */
        for (size_t i = 0; i < rows; i += 3) {
            assert_int_equal(gan_net_forward(y1, 7, net, x + i * 30, 1, 30, 0), GAN_OK);
            assert_arrays_close(y1, y + i * 7, 7, 1e-5, "single row vs batch");
        }
    }
    free(x);
    free(y);
    free(y1);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* ------------------------------------------------------------------------
 * Threads: forward from two threads on one net gives identical results.
 * ---------------------------------------------------------------------- */

struct thread_job {
    const gan_net *net;
    const float *x, *want;
    size_t rows, in, out;
    int iters;
    int mismatches, errors;
};

static void *thread_main(void *arg)
{
    struct thread_job *j = arg;
    float *y = malloc(j->rows * j->out * sizeof *y);
    if (y == NULL) {
        j->errors++;
        return NULL;
    }
    for (int i = 0; i < j->iters; i++) {
        if (gan_net_forward(y, j->out, j->net, j->x, j->rows, j->in, 0) != GAN_OK)
            j->errors++;
        else if (memcmp(y, j->want, j->rows * j->out * sizeof *y) != 0)
            j->mismatches++;
    }
    free(y);
    return NULL;
}

static void test_forward_threads(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 24), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 50), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 64, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 16, 3), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 10, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_NORMAL, 0.2f), GAN_OK);
    const size_t rows = 37;
    float *x = rand_array(rng, rows * 50, -1, 1);
    float *want = xmalloc(rows * 10 * sizeof *want);
    assert_int_equal(gan_net_forward(want, 10, net, x, rows, 50, 0), GAN_OK);
    struct thread_job jobs[2];
    pthread_t th[2];
    for (int t = 0; t < 2; t++) {
        jobs[t] = (struct thread_job){net, x, want, rows, 50, 10, under_valgrind() ? 20 : 300, 0, 0};
        assert_int_equal(pthread_create(&th[t], NULL, thread_main, &jobs[t]), 0);
    }
    for (int t = 0; t < 2; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(jobs[t].errors, 0);
        assert_int_equal(jobs[t].mismatches, 0);
    }
    free(x);
    free(want);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_bad_passes(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 2), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    float x[5 * 3] = {0}, y[5 * 2], dy[5 * 2] = {0}, dx[5 * 3];
    const char *F = "gan_net_forward";
    EXPECT_ERR(gan_net_forward(NULL, 2, net, x, 5, 3, 0), GAN_EINVAL, F, "out");
    EXPECT_ERR(gan_net_forward(y, 2, NULL, x, 5, 3, 0), GAN_EINVAL, F, "net");
    EXPECT_ERR(gan_net_forward(y, 2, net, NULL, 5, 3, 0), GAN_EINVAL, F, "x");
    EXPECT_ERR(gan_net_forward(y, 2, net, x, 0, 3, 0), GAN_EINVAL, F, "rows");
    EXPECT_SHAPE_ERR(gan_net_forward(y, 2, net, x, 5, 4, 0), F, "cols");
    EXPECT_SHAPE_ERR(gan_net_forward(y, 2, net, x, 5, 2, 0), F, "cols");
    EXPECT_SHAPE_ERR(gan_net_forward(y, 3, net, x, 5, 3, 0), F, "out_cols");
    /* rows * cols overflowing size_t is rejected, not allocated. */
    gan_error_clear();
    int rc = gan_net_forward(y, 2, net, x, (size_t)-1 / 2, 3, 0);
    assert_true(rc == GAN_EINVAL || rc == GAN_ENOMEM || rc == GAN_ESHAPE);

    const char *T = "gan_net_train_forward";
    EXPECT_ERR(gan_net_train_forward(NULL, rng, x, 5, 3), GAN_EINVAL, T, "net");
    /* The net has dropout: rng is required. */
    EXPECT_ERR(gan_net_train_forward(net, NULL, x, 5, 3), GAN_EINVAL, T, "rng");
    EXPECT_ERR(gan_net_train_forward(net, rng, NULL, 5, 3), GAN_EINVAL, T, "x");
    EXPECT_ERR(gan_net_train_forward(net, rng, x, 0, 3), GAN_EINVAL, T, "rows");
    EXPECT_SHAPE_ERR(gan_net_train_forward(net, rng, x, 5, 2), T, "cols");

    /* Before any training forward: no output, no backward. */
    const float *o;
    size_t r, c;
    const char *O = "gan_net_train_output";
    gan_error_clear();
    assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_ESTATE);
    check_msg(O, NULL);
    const char *B = "gan_net_backward";
    gan_error_clear();
    assert_int_equal(gan_net_backward(dx, net, dy, 5, 2, 0), GAN_ESTATE);
    check_msg(B, NULL);

    assert_int_equal(gan_net_train_forward(net, rng, x, 5, 3), GAN_OK);
    EXPECT_ERR(gan_net_train_output(NULL, &r, &c, net, 0), GAN_EINVAL, O, "out");
    EXPECT_ERR(gan_net_train_output(&o, &r, &c, NULL, 0), GAN_EINVAL, O, "net");
    EXPECT_ERR(gan_net_backward(dx, NULL, dy, 5, 2, 0), GAN_EINVAL, B, "net");
    EXPECT_ERR(gan_net_backward(dx, net, NULL, 5, 2, 0), GAN_EINVAL, B, "dy");
    EXPECT_SHAPE_ERR(gan_net_backward(dx, net, dy, 4, 2, 0), B, "rows");
    EXPECT_SHAPE_ERR(gan_net_backward(dx, net, dy, 6, 2, 0), B, "rows");
    EXPECT_SHAPE_ERR(gan_net_backward(dx, net, dy, 5, 3, 0), B, "cols");
    EXPECT_SHAPE_ERR(gan_net_backward(dx, net, dy, 5, 1, 0), B, "cols");
    assert_int_equal(gan_net_backward(dx, net, dy, 5, 2, 0), GAN_OK);

    /* After a larger batch, the old row count no longer fits. */
    float big[8 * 3] = {0}, dbig[8 * 2] = {0};
    assert_int_equal(gan_net_train_forward(net, rng, big, 8, 3), GAN_OK);
    EXPECT_SHAPE_ERR(gan_net_backward(dx, net, dy, 5, 2, 0), B, "rows");
    assert_int_equal(gan_net_backward(NULL, net, dbig, 8, 2, GAN_BACKWARD_NO_PARAMS), GAN_OK);
    gan_net_free(net);

    /* A net without dropout accepts a NULL rng. */
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, NULL, x, 5, 3), GAN_OK);
    gan_net_free(net);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activations_by_value),
        cmocka_unit_test(test_sigmoid_accuracy),
        cmocka_unit_test(test_forward_agrees),
        cmocka_unit_test(test_forward_threads),
        cmocka_unit_test(test_bad_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
