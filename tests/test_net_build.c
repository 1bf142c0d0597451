/* gan_net construction: layer infos, the parameter layout, size limits,
 * a net without parameters, truncation and argument checking of the
 * builders and accessors. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdlib.h>
#include <unistd.h>

static void test_layer_infos(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 7), GAN_OK);
    assert_int_equal(gan_net_input_width(net), 7);
    assert_int_equal(gan_net_num_layers(net), 0);
    assert_int_equal(gan_net_num_params(net), 0);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 4, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 1.0f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_num_layers(net), 5);
    assert_int_equal(gan_net_output_width(net), 2);
    size_t n_max = 7 * 12 + 12, n_dense = 4 * 5 + 5, n_out = 5 * 2 + 2;
    assert_int_equal(gan_net_num_params(net), n_max + n_dense + n_out);

    gan_layer_info li;
    assert_int_equal(gan_net_layer_info(&li, net, 0), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_DROPOUT);
    assert_int_equal(li.in_width, 7);
    assert_int_equal(li.out_width, 7);
    assert_true(li.keep == 0.8f);
    assert_int_equal(li.num_params, 0);
    assert_int_equal(li.pieces, 1);

    assert_int_equal(gan_net_layer_info(&li, net, 1), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_MAXOUT);
    assert_int_equal(li.in_width, 7);
    assert_int_equal(li.out_width, 4);
    assert_int_equal(li.units, 4);
    assert_int_equal(li.pieces, 3);
    assert_true(li.keep == 1.0f);
    assert_int_equal(li.param_offset, 0);
    assert_int_equal(li.num_params, n_max);

    assert_int_equal(gan_net_layer_info(&li, net, 2), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_DENSE);
    assert_int_equal(li.activation, GAN_ACT_LEAKY_RELU);
    assert_int_equal(li.in_width, 4);
    assert_int_equal(li.out_width, 5);
    assert_int_equal(li.units, 5);
    assert_int_equal(li.pieces, 1);
    assert_true(li.leaky_slope == 0.2f);
    assert_int_equal(li.param_offset, n_max);
    assert_int_equal(li.num_params, n_dense);
    assert_int_equal(gan_net_set_leaky_slope(net, 2, 0.05f), GAN_OK);
    assert_int_equal(gan_net_layer_info(&li, net, 2), GAN_OK);
    assert_true(li.leaky_slope == 0.05f);

    assert_int_equal(gan_net_layer_info(&li, net, 3), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_DROPOUT);
    assert_true(li.keep == 1.0f);
    assert_int_equal(li.out_width, 5);

    assert_int_equal(gan_net_layer_info(&li, net, 4), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_DENSE);
    assert_int_equal(li.activation, GAN_ACT_SIGMOID);
    assert_int_equal(li.param_offset, n_max + n_dense);
    assert_int_equal(li.num_params, n_out);

    /* Parameters start at zero; set/get round trip. */
    size_t np = gan_net_num_params(net);
    float *p = net_params(net);
    for (size_t k = 0; k < np; k++)
        assert_true(p[k] == 0.0f);
    for (size_t k = 0; k < np; k++)
        p[k] = (float)k * 0.25f - 3.0f;
    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
    float *q = net_params(net);
    assert_memory_equal(p, q, np * sizeof *p);
    free(p);
    free(q);
    gan_net_free(net);
    gan_net_free(NULL);
}

/* y = x W + b with W row-major in x out: checked by hand on one layer. */
static void test_param_layout_by_hand(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 3, GAN_ACT_IDENTITY), GAN_OK);
    /* W = [[1 2 3]; [4 5 6]], b = [10 20 30] */
    const float p[9] = {1, 2, 3, 4, 5, 6, 10, 20, 30};
    assert_int_equal(gan_net_set_params(net, p, 9), GAN_OK);
    const float x[4] = {1, 0.5f, -2, 1};
    float y[6];
    assert_int_equal(gan_net_forward(y, 3, net, x, 2, 2, 0), GAN_OK);
    const float want[6] = {1 + 2 + 10, 2 + 2.5f + 20, 3 + 3 + 30, -2 + 4 + 10, -4 + 5 + 20,
                           -6 + 6 + 30};
    for (int k = 0; k < 6; k++)
        assert_true(y[k] == want[k]);
    /* Maxout: unit j = max of pieces j*p .. j*p + p - 1. */
    gan_net *m;
    assert_int_equal(gan_net_create(&m, 1), GAN_OK);
    assert_int_equal(gan_net_add_maxout(m, 2, 3), GAN_OK);
    const float mp[12] = {1, -1, 2, 3, 0, -3, /* W */ 0, 0, -1, 0, 0, 1 /* b */};
    assert_int_equal(gan_net_set_params(m, mp, 12), GAN_OK);
    const float mx[2] = {2, -1};
    float my[4];
    assert_int_equal(gan_net_forward(my, 2, m, mx, 2, 1, 0), GAN_OK);
    /* x = 2: pieces (2,-2,3) -> 3; (6,0,-5) -> 6. x = -1: (-1,1,-3) -> 1; (-3,0,4) -> 4 */
    assert_true(my[0] == 3 && my[1] == 6 && my[2] == 1 && my[3] == 4);
    gan_net_free(m);
    gan_net_free(net);
}

static void test_bad_construction(void **state)
{
    (void)state;
    gan_net *net = NULL;
    EXPECT_ERR(gan_net_create(NULL, 3), GAN_EINVAL, "gan_net_create", "out");
    EXPECT_ERR(gan_net_create(&net, 0), GAN_EINVAL, "gan_net_create", "input_width");
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);

    EXPECT_ERR(gan_net_add_dense(NULL, 3, GAN_ACT_RELU), GAN_EINVAL, "gan_net_add_dense", "net");
    EXPECT_ERR(gan_net_add_dense(net, 0, GAN_ACT_RELU), GAN_EINVAL, "gan_net_add_dense", "units");
    gan_error_clear();
    int rc = gan_net_add_dense(net, 3, 42);
    assert_true(rc == GAN_EINVAL || rc == GAN_EUNSUPPORTED);
    check_msg("gan_net_add_dense", "activation");
    rc = gan_net_add_dense(net, 3, -1);
    assert_true(rc == GAN_EINVAL || rc == GAN_EUNSUPPORTED);

    EXPECT_ERR(gan_net_add_maxout(NULL, 3, 2), GAN_EINVAL, "gan_net_add_maxout", "net");
    EXPECT_ERR(gan_net_add_maxout(net, 0, 2), GAN_EINVAL, "gan_net_add_maxout", "units");
    EXPECT_ERR(gan_net_add_maxout(net, 3, 0), GAN_EINVAL, "gan_net_add_maxout", "pieces");

    EXPECT_ERR(gan_net_add_dropout(NULL, 0.5f), GAN_EINVAL, "gan_net_add_dropout", "net");
    const float bad_keep[6] = {0.0f, -0.5f, 1.0001f, 2.0f, NAN, INFINITY};
    for (int i = 0; i < 6; i++)
        EXPECT_ERR(gan_net_add_dropout(net, bad_keep[i]), GAN_EINVAL, "gan_net_add_dropout",
                   "keep");
    /* Nothing was appended by the failed calls. */
    assert_int_equal(gan_net_num_layers(net), 0);
    assert_int_equal(gan_net_output_width(net), 3);

    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_TANH), GAN_OK);
    EXPECT_ERR(gan_net_set_leaky_slope(NULL, 0, 0.1f), GAN_EINVAL, "gan_net_set_leaky_slope", "net");
    EXPECT_ERR(gan_net_set_leaky_slope(net, 3, 0.1f), GAN_EINVAL, "gan_net_set_leaky_slope",
               "layer");
    /* Not a leaky layer / a dropout layer / NaN slope. */
    assert_int_not_equal(gan_net_set_leaky_slope(net, 2, 0.1f), GAN_OK);
    assert_int_not_equal(gan_net_set_leaky_slope(net, 1, 0.1f), GAN_OK);
    assert_int_not_equal(gan_net_set_leaky_slope(net, 0, NAN), GAN_OK);

    gan_layer_info li;
    EXPECT_ERR(gan_net_layer_info(NULL, net, 0), GAN_EINVAL, "gan_net_layer_info", "out");
    EXPECT_ERR(gan_net_layer_info(&li, NULL, 0), GAN_EINVAL, "gan_net_layer_info", "net");
    EXPECT_ERR(gan_net_layer_info(&li, net, 3), GAN_EINVAL, "gan_net_layer_info", "layer");
    EXPECT_ERR(gan_net_layer_info(&li, net, (size_t)-1), GAN_EINVAL, "gan_net_layer_info",
               "layer");

    /* Getters on NULL do not crash. */
    assert_int_equal(gan_net_input_width(NULL), 0);
    assert_int_equal(gan_net_output_width(NULL), 0);
    assert_int_equal(gan_net_num_layers(NULL), 0);
    assert_int_equal(gan_net_num_params(NULL), 0);

    /* Init. */
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    EXPECT_ERR(gan_net_init(NULL, rng, GAN_INIT_UNIFORM, 0.1f), GAN_EINVAL, "gan_net_init", "net");
    EXPECT_ERR(gan_net_init(net, NULL, GAN_INIT_UNIFORM, 0.1f), GAN_EINVAL, "gan_net_init", "rng");
    gan_error_clear();
    rc = gan_net_init(net, rng, 17, 0.1f);
    assert_true(rc == GAN_EINVAL || rc == GAN_EUNSUPPORTED);
    check_msg("gan_net_init", "init");
    assert_int_not_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, NAN), GAN_OK);
    assert_int_not_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, -1.0f), GAN_OK);
    EXPECT_ERR(gan_net_init_layer(net, 3, rng, GAN_INIT_UNIFORM, 0.1f), GAN_EINVAL,
               "gan_net_init_layer", "layer");
    /* The dropout layer has no parameters. */
    gan_error_clear();
    assert_int_equal(gan_net_init_layer(net, 1, rng, GAN_INIT_UNIFORM, 0.1f), GAN_EINVAL);
    check_msg("gan_net_init_layer", "layer");
    EXPECT_ERR(gan_net_init_layer(net, 0, NULL, GAN_INIT_UNIFORM, 0.1f), GAN_EINVAL,
               "gan_net_init_layer", "rng");

    /* Biases. */
    float b4[4] = {1, 2, 3, 4};
    EXPECT_ERR(gan_net_set_bias(NULL, 0, b4, 4), GAN_EINVAL, "gan_net_set_bias", "net");
    EXPECT_ERR(gan_net_set_bias(net, 0, NULL, 4), GAN_EINVAL, "gan_net_set_bias", "bias");
    EXPECT_ERR(gan_net_set_bias(net, 9, b4, 4), GAN_EINVAL, "gan_net_set_bias", "layer");
    EXPECT_SHAPE_ERR(gan_net_set_bias(net, 0, b4, 3), "gan_net_set_bias", "n");
    assert_int_equal(gan_net_set_bias(net, 1, b4, 4), GAN_EINVAL);
    check_msg("gan_net_set_bias", "layer");

    /* Parameters. */
    size_t np = gan_net_num_params(net);
    assert_int_equal(np, 3 * 4 + 4 + 4 * 2 + 2);
    float *p = xmalloc((np + 1) * sizeof *p);
    EXPECT_ERR(gan_net_get_params(NULL, np, net), GAN_EINVAL, "gan_net_get_params", "out");
    EXPECT_ERR(gan_net_get_params(p, np, NULL), GAN_EINVAL, "gan_net_get_params", "net");
    EXPECT_SHAPE_ERR(gan_net_get_params(p, np - 1, net), "gan_net_get_params", "n");
    EXPECT_SHAPE_ERR(gan_net_get_params(p, np + 1, net), "gan_net_get_params", "n");
    EXPECT_ERR(gan_net_set_params(NULL, p, np), GAN_EINVAL, "gan_net_set_params", "net");
    EXPECT_ERR(gan_net_set_params(net, NULL, np), GAN_EINVAL, "gan_net_set_params", "params");
    EXPECT_SHAPE_ERR(gan_net_set_params(net, p, np - 1), "gan_net_set_params", "n");
    EXPECT_ERR(gan_net_get_grads(NULL, np, net), GAN_EINVAL, "gan_net_get_grads", "out");
    EXPECT_ERR(gan_net_get_grads(p, np, NULL), GAN_EINVAL, "gan_net_get_grads", "net");
    EXPECT_SHAPE_ERR(gan_net_get_grads(p, np + 1, net), "gan_net_get_grads", "n");
    free(p);
    /* Scales whose draws would overflow a float. */
    EXPECT_ERR(gan_net_init(net, rng, GAN_INIT_UNIFORM, 3e38f), GAN_EINVAL, "gan_net_init",
               "scale");
    EXPECT_ERR(gan_net_init(net, rng, GAN_INIT_NORMAL, 1e38f), GAN_EINVAL, "gan_net_init",
               "scale");
    gan_rng_free(rng);
    gan_net_free(net);
}

/* The limits of the net file format hold when a net is built, so every
 * net that can be built can be saved and loaded. */
static void test_size_limits(void **state)
{
    (void)state;
    gan_net *net;
    if (sizeof(size_t) > 4) {
        const size_t huge = (size_t)UINT32_MAX + 1;
        EXPECT_ERR(gan_net_create(&net, huge), GAN_EINVAL, "gan_net_create", "input_width");
        assert_int_equal(gan_net_create(&net, 2), GAN_OK);
        EXPECT_ERR(gan_net_add_dense(net, huge, GAN_ACT_RELU), GAN_EINVAL, "gan_net_add_dense",
                   "units");
        gan_net_free(net);
    }
    assert_int_equal(gan_net_create(&net, 2), GAN_OK);
    for (int i = 0; i < 4096; i++)
        assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    EXPECT_ERR(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_EINVAL, "gan_net_add_dense",
               "4096 layers");
    assert_int_equal(gan_net_num_layers(net), 4096);
    gan_net_free(net);
}

/* A net without parameters (only dropout) has no parameter array; its
 * accessors and passes still work (UBSan checks the NULL handling). */
static void test_no_parameters(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_num_params(net), 0);
    float p[1] = {7.0f};
    assert_int_equal(gan_net_get_params(p, 0, net), GAN_OK);
    assert_int_equal(gan_net_set_params(net, p, 0), GAN_OK);
    assert_int_equal(gan_net_get_grads(p, 0, net), GAN_OK);
    assert_true(p[0] == 7.0f);
    const float x[6] = {1, 2, 3, 4, 5, 6};
    float y[6];
    assert_int_equal(gan_net_forward(y, 3, net, x, 2, 3, 0), GAN_OK);
    assert_memory_equal(x, y, sizeof x); /* dropout is the identity at inference */
    gan_net_free(net);
}

/* reshape 1x6x6 -> conv 4, 3x3 pad 1 ReLU -> batch norm -> max pool 2 ->
 * dense 5 tanh -> dense 1 sigmoid, or (full 0) only its first 4 layers. */
static gan_net *image_net(int full)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 36), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 1, 6, 6), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 4, 3, 1, 1, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.5f, 1e-5f), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(net, 2, 2, 0), GAN_OK);
    if (full) {
        assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_TANH), GAN_OK);
        assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    }
    return net;
}

/* A truncated net computes what a net built of the same first layers, with
 * the same parameters and running statistics, computes; layers can be
 * appended again; a bound optimizer notices. */
static void test_truncate(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    gan_net *net = image_net(1), *prefix = image_net(0);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_NORMAL, 0.3f), GAN_OK);
    const size_t n_all = gan_net_num_params(net), n_prefix = gan_net_num_params(prefix);
    float *p = xmalloc(n_all * sizeof *p);
    assert_int_equal(gan_net_get_params(p, n_all, net), GAN_OK);
    assert_int_equal(gan_net_set_params(prefix, p, n_prefix), GAN_OK);
    /* Move the running statistics away from their defaults, alike in both. */
    float *x = rand_array(rng, 8 * 36, -1.0f, 2.0f);
    assert_int_equal(gan_net_train_forward(net, NULL, x, 8, 36), GAN_OK);
    assert_int_equal(gan_net_train_forward(prefix, NULL, x, 8, 36), GAN_OK);

    EXPECT_ERR(gan_net_truncate(net, 0), GAN_EINVAL, "gan_net_truncate", "layers");
    EXPECT_ERR(gan_net_truncate(net, 7), GAN_EINVAL, "gan_net_truncate", "layers");
    assert_int_equal(gan_net_num_layers(net), 6);
    assert_int_equal(gan_net_truncate(net, 6), GAN_OK); /* keeping all: nothing changes */
    assert_int_equal(gan_net_num_params(net), n_all);

    assert_int_equal(gan_net_truncate(net, 4), GAN_OK);
    assert_int_equal(gan_net_num_layers(net), 4);
    assert_int_equal(gan_net_num_params(net), n_prefix);
    assert_int_equal(gan_net_output_width(net), gan_net_output_width(prefix));
    const size_t w = gan_net_output_width(net);
    float *y1 = xmalloc(8 * w * sizeof *y1), *y2 = xmalloc(8 * w * sizeof *y2);
    assert_int_equal(gan_net_forward(y1, w, net, x, 8, 36, 0), GAN_OK);
    assert_int_equal(gan_net_forward(y2, w, prefix, x, 8, 36, 0), GAN_OK);
    assert_memory_equal(y1, y2, 8 * w * sizeof *y1);
    /* The training forward before the truncation is forgotten. */
    EXPECT_ERR(gan_net_backward(NULL, net, y1, 8, w, 0), GAN_ESTATE, "gan_net_backward", NULL);

    /* Appending again: a fresh layer after the kept ones. */
    assert_int_equal(gan_net_add_dense(net, 3, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_num_params(net), n_prefix + w * 3 + 3);
    float y3[8 * 3];
    assert_int_equal(gan_net_forward(y3, 3, net, x, 8, 36, 0), GAN_OK);
    for (size_t i = 0; i < 8 * 3; i++)
        assert_true(y3[i] == 0.0f); /* a new layer's parameters start at zero */

    /* An optimizer made before a truncation refuses to step. */
    gan_optimizer *opt;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    assert_int_equal(gan_optimizer_create(&opt, net, &oo), GAN_OK);
    assert_int_equal(gan_net_truncate(net, 2), GAN_OK);
    EXPECT_ERR(gan_optimizer_step(opt), GAN_ESTATE, "gan_optimizer_step", NULL);
    gan_optimizer_free(opt);
    free(p);
    free(x);
    free(y1);
    free(y2);
    gan_net_free(net);
    gan_net_free(prefix);
    gan_rng_free(rng);
}

/* A leaky ReLU conv2d / deconv2d has the default slope 0.2 (earlier
 * versions gave them 0: a plain ReLU), which gan_net_set_leaky_slope sets
 * and the net file keeps, 0 included. */
static void test_conv_leaky_slope(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 4), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 1, 2, 2), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 1, 1, 1, 0, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 1, 1, 1, 0, 0, GAN_ACT_LEAKY_RELU), GAN_OK);
    gan_layer_info li;
    for (size_t l = 1; l <= 2; l++) {
        assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
        assert_true(li.leaky_slope == 0.2f);
    }
    const float p[4] = {1, 0, 1, 0}; /* both layers: weight 1, bias 0 */
    assert_int_equal(gan_net_set_params(net, p, 4), GAN_OK);
    const float x[4] = {-1, 2, -3, 4};
    float y[4];
    assert_int_equal(gan_net_forward(y, 4, net, x, 1, 4, 0), GAN_OK);
    const float want[4] = {-0.04f, 2, -0.12f, 4}; /* 0.2 twice */
    assert_arrays_close(y, want, 4, 1e-6, "y");
    assert_int_equal(gan_net_set_leaky_slope(net, 1, 0.5f), GAN_OK);
    assert_int_equal(gan_net_set_leaky_slope(net, 2, 0.0f), GAN_OK);
    char path[] = "/tmp/gan_test_leaky_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    gan_net *back;
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    unlink(path);
    assert_int_equal(gan_net_layer_info(&li, back, 1), GAN_OK);
    assert_true(li.leaky_slope == 0.5f);
    assert_int_equal(gan_net_layer_info(&li, back, 2), GAN_OK);
    assert_true(li.leaky_slope == 0.0f);
    assert_int_equal(gan_net_forward(y, 4, back, x, 1, 4, 0), GAN_OK);
    const float want2[4] = {0, 2, 0, 4}; /* 0.5, then a plain ReLU */
    assert_arrays_close(y, want2, 4, 1e-6, "y");
    gan_net_free(back);
    gan_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layer_infos),
        cmocka_unit_test(test_param_layout_by_hand),
        cmocka_unit_test(test_bad_construction),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_conv_leaky_slope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
