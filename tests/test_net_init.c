/* gan_net initialisation: the schemes' statistics, seeding, one layer at
 * a time, biases and the output bias from the data mean. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

/* ------------------------------------------------------------------------
 * Initialisation
 * ---------------------------------------------------------------------- */

struct wstats {
    double mean, std, maxabs;
    size_t n;
};

/* Statistics of a dense/maxout layer's weights; asserts biases are zero. */
static struct wstats layer_stats(const gan_net *net, size_t layer)
{
    gan_layer_info li;
    assert_int_equal(gan_net_layer_info(&li, net, layer), GAN_OK);
    float *p = net_params(net);
    size_t oc = (size_t)(li.units * li.pieces), nw = (size_t)li.in_width * oc;
    assert_int_equal(li.num_params, nw + oc);
    const float *W = p + li.param_offset;
    struct wstats s = {0, 0, 0, nw};
    double s2 = 0;
    for (size_t k = 0; k < nw; k++) {
        s.mean += W[k];
        s2 += (double)W[k] * W[k];
        if (fabs(W[k]) > s.maxabs)
            s.maxabs = fabs(W[k]);
    }
    s.mean /= (double)nw;
    s.std = sqrt(s2 / (double)nw - s.mean * s.mean);
    for (size_t k = 0; k < oc; k++)
        assert_true(W[nw + k] == 0.0f);
    free(p);
    return s;
}

static void set_all_biases(gan_net *net, float v)
{
    for (size_t l = 0; l < gan_net_num_layers(net); l++) {
        gan_layer_info li;
        assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
        if (li.kind == GAN_LAYER_DROPOUT)
            continue;
        size_t oc = (size_t)(li.units * li.pieces);
        float *b = xmalloc(oc * sizeof *b);
        for (size_t k = 0; k < oc; k++)
            b[k] = v;
        assert_int_equal(gan_net_set_bias(net, l, b, oc), GAN_OK);
        free(b);
    }
}

static void test_init(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 31), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 200), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 100, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 40, 5), GAN_OK);

    /* Uniform within +-scale, variance scale^2 / 3. */
    const float scale = 0.3f;
    set_all_biases(net, 1.5f);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, scale), GAN_OK);
    for (size_t l = 0; l < 3; l += 2) {
        struct wstats s = layer_stats(net, l);
        assert_true(s.maxabs <= scale);
        assert_true(s.maxabs > 0.99 * scale);
        assert_true(fabs(s.mean) < 0.02 * scale);
        assert_close(s.std, scale / sqrt(3.0), 0.03, 0, "uniform std", l);
    }
    /* Normal with std scale. */
    set_all_biases(net, -1.0f);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_NORMAL, scale), GAN_OK);
    for (size_t l = 0; l < 3; l += 2) {
        struct wstats s = layer_stats(net, l);
        assert_true(fabs(s.mean) < 0.03 * scale);
        assert_close(s.std, scale, 0.03, 0, "normal std", l);
        assert_true(s.maxabs > 2.5 * scale);
    }
    gan_net_free(net);

    /* Glorot uniform and He normal on dense layers (scale ignored). */
    net = make_mlp(200, 100, GAN_ACT_TANH, 300, GAN_ACT_RELU);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_GLOROT_UNIFORM, 123.0f), GAN_OK);
    const double fin[2] = {200, 100}, fout[2] = {100, 300};
    for (size_t l = 0; l < 2; l++) {
        struct wstats s = layer_stats(net, l);
        double bound = sqrt(6.0 / (fin[l] + fout[l]));
        assert_true(s.maxabs <= bound * (1 + 1e-6));
        assert_true(s.maxabs > 0.98 * bound);
        assert_close(s.std, bound / sqrt(3.0), 0.03, 0, "glorot std", l);
    }
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_HE_NORMAL, 123.0f), GAN_OK);
    for (size_t l = 0; l < 2; l++) {
        struct wstats s = layer_stats(net, l);
        assert_close(s.std, sqrt(2.0 / fin[l]), 0.03, 0, "he std", l);
        assert_true(fabs(s.mean) < 0.03 * sqrt(2.0 / fin[l]));
    }

    /* Same seed, same weights; init_layer touches one layer only. */
    gan_net *twin = make_mlp(200, 100, GAN_ACT_TANH, 300, GAN_ACT_RELU);
    assert_int_equal(gan_rng_seed(rng, 5), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    assert_int_equal(gan_rng_seed(rng, 5), GAN_OK);
    assert_int_equal(gan_net_init(twin, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    size_t np = gan_net_num_params(net);
    float *a = net_params(net), *b = net_params(twin);
    assert_memory_equal(a, b, np * sizeof *a);
    assert_int_equal(gan_net_init_layer(net, 1, rng, GAN_INIT_UNIFORM, 0.05f), GAN_OK);
    free(b);
    b = net_params(net);
    gan_layer_info l1;
    assert_int_equal(gan_net_layer_info(&l1, net, 1), GAN_OK);
    assert_memory_equal(a, b, (size_t)l1.param_offset * sizeof *a);
    assert_true(memcmp(a + l1.param_offset, b + l1.param_offset, 100 * 300 * sizeof *a) != 0);
    struct wstats s1 = layer_stats(net, 1);
    assert_true(s1.maxabs <= 0.05f);
    free(a);
    free(b);
    gan_net_free(twin);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_bias_and_output_bias(void **state)
{
    (void)state;
    gan_net *net = make_mlp(3, 2, GAN_ACT_RELU, 5, GAN_ACT_SIGMOID);
    const float b2[2] = {0.5f, -0.25f};
    assert_int_equal(gan_net_set_bias(net, 0, b2, 2), GAN_OK);
    float p[8 + 15];
    assert_int_equal(gan_net_get_params(p, 23, net), GAN_OK);
    assert_true(p[6] == 0.5f && p[7] == -0.25f);

    const float mean[5] = {0.0f, 0.5f, 1.0f, 0.13066f, 0.9f};
    assert_int_equal(gan_net_init_output_bias_from_mean(net, mean, 5), GAN_OK);
    assert_int_equal(gan_net_get_params(p, 23, net), GAN_OK);
    const float *b = p + 8 + 10;
    for (int j = 0; j < 5; j++) {
        double m = fmin(fmax(mean[j], 1e-7), 1 - 1e-7);
        double want = log(m / (1 - m));
        /* The clipped ends may be computed in float (1 - 1e-7 rounds). */
        double tol = (mean[j] == 0.0f || mean[j] == 1.0f) ? 0.25 : 1e-5;
        assert_close(b[j], want, 0, tol, "output bias", (size_t)j);
    }
    assert_true(b[1] == 0.0f || fabs(b[1]) < 1e-6);
    /* Layer 0 untouched. */
    assert_true(p[6] == 0.5f && p[7] == -0.25f);
    /* With zero weights, the output is the clipped mean. */
    float x[3] = {0.3f, -1, 2}, y[5];
    memset(p, 0, 8 * sizeof(float) + 10 * sizeof(float));
    assert_int_equal(gan_net_set_params(net, p, 23), GAN_OK);
    assert_int_equal(gan_net_forward(y, 5, net, x, 1, 3, 0), GAN_OK);
    assert_close(y[1], 0.5, 0, 1e-6, "sigmoid(bias)", 1);
    assert_close(y[3], 0.13066, 0, 1e-5, "sigmoid(bias)", 3);
    assert_close(y[4], 0.9, 0, 1e-5, "sigmoid(bias)", 4);
    assert_true(y[0] < 1e-6 && y[2] > 1 - 1e-6);

    /* Wrong width; non-sigmoid last layer; maxout last layer. */
    EXPECT_SHAPE_ERR(gan_net_init_output_bias_from_mean(net, mean, 4),
                     "gan_net_init_output_bias_from_mean", "n");
    EXPECT_ERR(gan_net_init_output_bias_from_mean(net, NULL, 5), GAN_EINVAL,
               "gan_net_init_output_bias_from_mean", "mean");
    EXPECT_ERR(gan_net_init_output_bias_from_mean(NULL, mean, 5), GAN_EINVAL,
               "gan_net_init_output_bias_from_mean", "net");
    gan_net_free(net);
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_TANH), GAN_OK);
    gan_error_clear();
    assert_int_equal(gan_net_init_output_bias_from_mean(net, mean, 5), GAN_EINVAL);
    check_msg("gan_net_init_output_bias_from_mean", NULL);
    gan_net_free(net);
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 5, 2), GAN_OK);
    assert_int_equal(gan_net_init_output_bias_from_mean(net, mean, 5), GAN_EINVAL);
    gan_net_free(net);
    /* No layers at all. */
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_not_equal(gan_net_init_output_bias_from_mean(net, mean, 3), GAN_OK);
    gan_net_free(net);
    /* NaN past the first entry: refused before any bias is written. */
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_SIGMOID), GAN_OK);
    const float with_nan[5] = {0.2f, 0.4f, 0.6f, NAN, 0.5f};
    EXPECT_ERR(gan_net_init_output_bias_from_mean(net, with_nan, 5), GAN_EINVAL,
               "gan_net_init_output_bias_from_mean", "mean[3]");
    assert_int_equal(gan_net_get_params(p, 20, net), GAN_OK);
    for (int j = 0; j < 20; j++)
        assert_true(p[j] == 0.0f);
    gan_net_free(net);
}

/* gan_net_init gives a fresh net: batch norm's running statistics, moved
 * by training forwards, are reset too (the same inference as a new net
 * initialised with the same draws). */
static void test_init_resets_running_statistics(void **state)
{
    (void)state;
    gan_net *nets[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(gan_net_create(&nets[i], 3), GAN_OK);
        assert_int_equal(gan_net_add_dense(nets[i], 4, GAN_ACT_IDENTITY), GAN_OK);
        assert_int_equal(gan_net_add_batchnorm(nets[i], 0.5f, 1e-5f), GAN_OK);
        assert_int_equal(gan_net_add_dense(nets[i], 2, GAN_ACT_TANH), GAN_OK);
    }
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    assert_int_equal(gan_net_init(nets[0], rng, GAN_INIT_NORMAL, 0.5f), GAN_OK);
    float *x = rand_array(rng, 16 * 3, 2.0f, 5.0f);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gan_net_train_forward(nets[0], NULL, x, 16, 3), GAN_OK);
    gan_rng_free(rng);
    float y[2][16 * 2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(gan_rng_create(&rng, 2), GAN_OK);
        assert_int_equal(gan_net_init(nets[i], rng, GAN_INIT_NORMAL, 0.5f), GAN_OK);
        gan_rng_free(rng);
        assert_int_equal(gan_net_forward(y[i], 2, nets[i], x, 16, 3, 0), GAN_OK);
    }
    assert_memory_equal(y[0], y[1], sizeof y[0]);
    free(x);
    gan_net_free(nets[0]);
    gan_net_free(nets[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_init_resets_running_statistics),
        cmocka_unit_test(test_bias_and_output_bias),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
