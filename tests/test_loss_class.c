/* Softmax and the softmax cross-entropy loss: values against a long double
 * reference, gradients against central differences, extreme logits, in
 * place use, refused input that writes nothing, and a small classifier
 * trained through the net API with them. */
#include "common.h"

#include <float.h>

#define ROWS 5
#define CLASSES 4

/* Rows of logits: ordinary, all equal, large of both signs (the naive
 * exp(80) sum would still fit a float, exp(±800) would not), far apart. */
static const float LOGITS[ROWS * CLASSES] = {
    0.5f,   -1.25f, 2.0f,   0.0f,   /* */
    3.0f,   3.0f,   3.0f,   3.0f,   /* */
    80.0f,  -80.0f, 79.0f,  0.0f,   /* */
    -80.0f, -80.0f, -79.5f, -80.0f, /* */
    800.0f, -800.0f, 0.25f, 799.0f,
};
static const int32_t LABELS[ROWS] = {2, 1, 1, 0, 3};

/* log sum_k exp(a_k) in long double, shifted by the maximum. */
static long double lse_ref(const float *a, size_t n)
{
    long double m = a[0];
    for (size_t k = 1; k < n; k++)
        if (a[k] > m)
            m = a[k];
    long double s = 0;
    for (size_t k = 0; k < n; k++)
        s += expl((long double)a[k] - m);
    return m + logl(s);
}

static void test_values_against_reference(void **state)
{
    (void)state;
    double loss;
    float grad[ROWS * CLASSES], p[ROWS * CLASSES];
    assert_int_equal(gan_loss_softmax_cross_entropy(&loss, grad, LOGITS, ROWS, CLASSES, LABELS),
                     GAN_OK);
    assert_int_equal(gan_softmax(p, LOGITS, ROWS, CLASSES), GAN_OK);
    long double total = 0;
    for (size_t r = 0; r < ROWS; r++) {
        const float *a = LOGITS + r * CLASSES;
        const long double lse = lse_ref(a, CLASSES);
        total += lse - a[LABELS[r]];
        long double sum = 0;
        for (size_t c = 0; c < CLASSES; c++) {
            const long double pr = expl((long double)a[c] - lse);
            const size_t i = r * CLASSES + c;
            assert_true(isfinite(p[i]) && isfinite(grad[i]));
            assert_close(p[i], (double)pr, 1e-6, 1e-30, "softmax", i);
            const long double want = (pr - (c == (size_t)LABELS[r] ? 1.0L : 0.0L)) / ROWS;
            assert_close(grad[i], (double)want, 1e-6, 1e-12, "grad", i);
            sum += p[i];
        }
        assert_close((double)sum, 1.0, 0, 1e-6, "row sum", r);
    }
    assert_true(isfinite(loss));
    assert_close(loss, (double)(total / ROWS), 1e-12, 0, "loss", 0);
}

/* Extreme logits: a confident right answer costs ~0, a confident wrong one
 * the logit gap; everything stays finite up to the float range. */
static void test_extreme_logits(void **state)
{
    (void)state;
    const float a[2 * 2] = {80.0f, -80.0f, -80.0f, 80.0f};
    const int32_t right[2] = {0, 1}, wrong[2] = {1, 0};
    double loss;
    float g[4];
    assert_int_equal(gan_loss_softmax_cross_entropy(&loss, g, a, 2, 2, right), GAN_OK);
    assert_true(loss >= 0.0 && loss < 1e-60);
    for (int i = 0; i < 4; i++)
        assert_true(isfinite(g[i]) && fabsf(g[i]) < 1e-30f);
    assert_int_equal(gan_loss_softmax_cross_entropy(&loss, g, a, 2, 2, wrong), GAN_OK);
    assert_close(loss, 160.0, 1e-12, 0, "wrong loss", 0);
    assert_close(g[0], 0.5, 0, 1e-7, "grad", 0);
    assert_close(g[1], -0.5, 0, 1e-7, "grad", 1);

    const float huge[3] = {FLT_MAX, -FLT_MAX, 0.0f};
    const int32_t lab = 1;
    float p[3];
    assert_int_equal(gan_loss_softmax_cross_entropy(&loss, g, huge, 1, 3, &lab), GAN_OK);
    assert_true(isfinite(loss));
    assert_close(loss, 2.0 * FLT_MAX, 1e-12, 0, "loss at FLT_MAX", 0);
    assert_int_equal(gan_softmax(p, huge, 1, 3), GAN_OK);
    assert_true(p[0] == 1.0f && p[1] == 0.0f && p[2] == 0.0f);
}

/* Softmax is invariant to adding a constant to a row; the loss too. */
static void test_shift_invariance(void **state)
{
    (void)state;
    float shifted[ROWS * CLASSES], p0[ROWS * CLASSES], p1[ROWS * CLASSES];
    for (size_t i = 0; i < ROWS * CLASSES; i++)
        shifted[i] = LOGITS[i] - 37.0f;
    assert_int_equal(gan_softmax(p0, LOGITS, ROWS, CLASSES), GAN_OK);
    assert_int_equal(gan_softmax(p1, shifted, ROWS, CLASSES), GAN_OK);
    assert_arrays_close(p0, p1, ROWS * CLASSES, 1e-6, "shifted softmax");
    double l0, l1;
    assert_int_equal(gan_loss_softmax_cross_entropy(&l0, NULL, LOGITS, ROWS, CLASSES, LABELS),
                     GAN_OK);
    assert_int_equal(gan_loss_softmax_cross_entropy(&l1, NULL, shifted, ROWS, CLASSES, LABELS),
                     GAN_OK);
    assert_close(l0, l1, 1e-6, 1e-9, "shifted loss", 0);
}

static void test_gradient_matches_differences(void **state)
{
    (void)state;
    float a[3 * 5], g[3 * 5];
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 11), GAN_OK);
    assert_int_equal(gan_rng_normal(a, 15, rng, 0.0f, 2.0f), GAN_OK);
    gan_rng_free(rng);
    const int32_t lab[3] = {4, 0, 2};
    double loss;
    assert_int_equal(gan_loss_softmax_cross_entropy(&loss, g, a, 3, 5, lab), GAN_OK);
    const float h = 1e-2f;
    for (size_t i = 0; i < 15; i++) {
        float b[15];
        double lp, lm;
        memcpy(b, a, sizeof b);
        b[i] = a[i] + h;
        assert_int_equal(gan_loss_softmax_cross_entropy(&lp, NULL, b, 3, 5, lab), GAN_OK);
        const double up = b[i];
        b[i] = a[i] - h;
        assert_int_equal(gan_loss_softmax_cross_entropy(&lm, NULL, b, 3, 5, lab), GAN_OK);
        const double fd = (lp - lm) / (up - (double)b[i]);
        assert_close(g[i], fd, 1e-3, 1e-6, "grad vs central difference", i);
    }
}

/* grad = logits and out = logits give the results of separate buffers. */
static void test_in_place(void **state)
{
    (void)state;
    float a[ROWS * CLASSES], g[ROWS * CLASSES];
    double l0, l1;
    memcpy(a, LOGITS, sizeof a);
    assert_int_equal(gan_loss_softmax_cross_entropy(&l0, g, LOGITS, ROWS, CLASSES, LABELS), GAN_OK);
    assert_int_equal(gan_loss_softmax_cross_entropy(&l1, a, a, ROWS, CLASSES, LABELS), GAN_OK);
    assert_memory_equal(&l0, &l1, sizeof l0);
    assert_memory_equal(a, g, sizeof a);
    memcpy(a, LOGITS, sizeof a);
    assert_int_equal(gan_softmax(g, LOGITS, ROWS, CLASSES), GAN_OK);
    assert_int_equal(gan_softmax(a, a, ROWS, CLASSES), GAN_OK);
    assert_memory_equal(a, g, sizeof a);
}

/* A refused call names the bad row and writes neither loss nor grad: the
 * checks run over every row before the first output. */
static void test_refused_writes_nothing(void **state)
{
    (void)state;
    float a[ROWS * CLASSES], g[ROWS * CLASSES], p[ROWS * CLASSES];
    memcpy(a, LOGITS, sizeof a);
    int32_t lab[ROWS];
    memcpy(lab, LABELS, sizeof lab);
    lab[ROWS - 1] = CLASSES;
    double loss = 42.0;
    for (size_t i = 0; i < ROWS * CLASSES; i++)
        g[i] = p[i] = 42.0f;
    EXPECT_ERR(gan_loss_softmax_cross_entropy(&loss, g, a, ROWS, CLASSES, lab), GAN_EINVAL,
               "gan_loss_softmax_cross_entropy", "labels[4] is 4");
    lab[ROWS - 1] = 3;
    a[ROWS * CLASSES - 1] = NAN;
    EXPECT_ERR(gan_loss_softmax_cross_entropy(&loss, g, a, ROWS, CLASSES, lab), GAN_EINVAL,
               "gan_loss_softmax_cross_entropy", "row 4, class 3");
    EXPECT_ERR(gan_softmax(p, a, ROWS, CLASSES), GAN_EINVAL, "gan_softmax", "row 4, class 3");
    assert_true(loss == 42.0);
    for (size_t i = 0; i < ROWS * CLASSES; i++)
        assert_true(g[i] == 42.0f && p[i] == 42.0f);
}

/* The loss drives the net API: a 2-D, 3-class problem (three Gaussian
 * blobs) learnt by dense -> relu -> dense logits with SGD, from the
 * training forward's logits through gan_net_backward(GAN_BACKWARD_LOGITS);
 * the inference forward then classifies held-out points. */
static void test_trains_a_classifier(void **state)
{
    (void)state;
    enum { N = 300, K = 3, BATCH = 30 };
    const float centres[K][2] = {{-2.0f, 0.0f}, {2.0f, 0.0f}, {0.0f, 2.5f}};
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    float *x = xmalloc(2 * N * sizeof *x), *noise = xmalloc(2 * N * sizeof *noise);
    int32_t *y = xmalloc(N * sizeof *y);
    assert_int_equal(gan_rng_normal(noise, 2 * N, rng, 0.0f, 0.7f), GAN_OK);
    for (size_t i = 0; i < N; i++) {
        y[i] = (int32_t)(i % K);
        x[2 * i] = centres[y[i]][0] + noise[2 * i];
        x[2 * i + 1] = centres[y[i]][1] + noise[2 * i + 1];
    }
    gan_net *net = make_mlp(2, 16, GAN_ACT_RELU, K, GAN_ACT_IDENTITY);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_HE_NORMAL, 0.0f), GAN_OK);
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    oo.learning_rate = 0.1f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &oo), GAN_OK);
    float g[BATCH * K];
    double first = 0.0, loss = 0.0;
    const size_t train = N - 60;
    for (int epoch = 0; epoch < 30; epoch++)
        for (size_t b = 0; b + BATCH <= train; b += BATCH) {
            assert_int_equal(gan_net_train_forward(net, rng, x + 2 * b, BATCH, 2), GAN_OK);
            const float *logits;
            size_t rows, cols;
            assert_int_equal(gan_net_train_output(&logits, &rows, &cols, net, GAN_FORWARD_LOGITS),
                             GAN_OK);
            assert_true(rows == BATCH && cols == K);
            assert_int_equal(gan_loss_softmax_cross_entropy(&loss, g, logits, BATCH, K, y + b),
                             GAN_OK);
            if (epoch == 0 && b == 0)
                first = loss;
            assert_int_equal(gan_net_backward(NULL, net, g, BATCH, K, GAN_BACKWARD_LOGITS), GAN_OK);
            assert_int_equal(gan_optimizer_step(opt), GAN_OK);
        }
    assert_true(loss < 0.5 * first);
    float out[60 * K];
    assert_int_equal(gan_net_forward(out, K, net, x + 2 * train, 60, 2, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_softmax(out, out, 60, K), GAN_OK);
    size_t right = 0;
    for (size_t i = 0; i < 60; i++) {
        size_t best = 0;
        for (size_t c = 1; c < K; c++)
            if (out[i * K + c] > out[i * K + best])
                best = c;
        right += best == (size_t)y[train + i];
    }
    assert_true(right >= 54); /* the blobs overlap a little: >= 90% */
    gan_optimizer_free(opt);
    gan_net_free(net);
    gan_rng_free(rng);
    free(x);
    free(noise);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_against_reference),
        cmocka_unit_test(test_extreme_logits),
        cmocka_unit_test(test_shift_invariance),
        cmocka_unit_test(test_gradient_matches_differences),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_refused_writes_nothing),
        cmocka_unit_test(test_trains_a_classifier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
