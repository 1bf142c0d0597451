/* Arguments and states the net's passes refuse, with messages a user can
 * act on: unknown flag bits, oversized batches, and passes that need a
 * training forward after layers were added. */
#include "common.h"


static gan_net *two_layers(void)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    return net;
}

static void test_unknown_flags(void **state)
{
    (void)state;
    gan_net *net = two_layers();
    const float x[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    float y[4];
    assert_int_equal(gan_net_forward(y, 2, net, x, 2, 3, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_net_forward(y, 2, net, x, 2, 3, 2u), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_net_forward: unknown bits in flags 0x2"));
    assert_int_equal(gan_net_train_forward(net, NULL, x, 2, 3), GAN_OK);
    const float *out;
    size_t rows, cols;
    assert_int_equal(gan_net_train_output(&out, &rows, &cols, net, GAN_FORWARD_LOGITS), GAN_OK);
    assert_int_equal(gan_net_train_output(&out, &rows, &cols, net, 0x80u), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_net_train_output: unknown bits in flags 0x80"));
    gan_net_free(net);
}

static void test_rows_limit_names_rows(void **state)
{
    (void)state;
    gan_net *net = two_layers();
    const float x[3] = {0};
    float y[2];
    /* Refused before x is read: the message names rows, not a layer. */
    assert_int_equal(gan_net_forward(y, 2, net, x, (size_t)INT32_MAX + 1, 3, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_net_forward: rows is 2147483648, at most"));
    assert_int_equal(gan_net_train_forward(net, NULL, x, (size_t)INT32_MAX + 1, 3), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_net_train_forward: rows is"));
    gan_net_free(net);
}

static void test_layers_added_after_forward(void **state)
{
    (void)state;
    gan_net *net = two_layers();
    const float *out;
    float dy[2] = {1.0f, 1.0f};
    assert_int_equal(gan_net_train_output(&out, NULL, NULL, net, 0), GAN_ESTATE);
    assert_non_null(strstr(gan_error_last(), "no training forward has run"));
    const float x[3] = {0.1f, 0.2f, 0.3f};
    assert_int_equal(gan_net_train_forward(net, NULL, x, 1, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_train_output(&out, NULL, NULL, net, 0), GAN_ESTATE);
    assert_non_null(strstr(gan_error_last(), "layers were added since the last training forward"));
    assert_int_equal(gan_net_backward(NULL, net, dy, 1, 2, 0), GAN_ESTATE);
    assert_non_null(strstr(gan_error_last(), "gan_net_backward: layers were added"));
    /* A new forward clears it. */
    assert_int_equal(gan_net_train_forward(net, NULL, x, 1, 3), GAN_OK);
    assert_int_equal(gan_net_train_output(&out, NULL, NULL, net, 0), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, dy, 1, 2, 0), GAN_OK);
    gan_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_flags),
        cmocka_unit_test(test_rows_limit_names_rows),
        cmocka_unit_test(test_layers_added_after_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
