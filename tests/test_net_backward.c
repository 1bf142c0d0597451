/* gan_net backward semantics, exactly: maxout ties, the backward flags
 * (accumulate, no parameters, logits), gradients as sums over rows. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

/* Ties: pieces with identical weights give identical pre-activations
 * (exact arithmetic on small dyadic numbers); the lowest-index piece of the
 * tie receives the whole gradient. */
static void test_maxout_ties(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 3), GAN_OK);
    assert_int_equal(gan_net_num_params(net), 2 * 9 + 9);
    /* Columns: unit 0 = pieces 0,1,2 (0 and 1 tie, max); unit 1 = pieces
     * 3,4,5 (4 and 5 tie, max; 3 lower); unit 2 = pieces 6,7,8 all equal. */
    float p[27] = {0};
    float *W = p, *b = p + 18;
    const float col[9][2] = {{1, 0.5f}, {1, 0.5f}, {-1, -1}, {0, 0}, {0.5f, -0.25f},
                             {0.5f, -0.25f}, {0.25f, 0.75f}, {0.25f, 0.75f}, {0.25f, 0.75f}};
    const float bias[9] = {0.25f, 0.25f, -3, -5, 1, 1, -0.5f, -0.5f, -0.5f};
    for (int j = 0; j < 9; j++) {
        W[0 * 9 + j] = col[j][0];
        W[1 * 9 + j] = col[j][1];
        b[j] = bias[j];
    }
    assert_int_equal(gan_net_set_params(net, p, 27), GAN_OK);
    const float x[4] = {1, 2, 2, 1};
    const float dy[6] = {1, -2, 0.5f, 0.5f, 3, -1};
    assert_int_equal(gan_net_train_forward(net, NULL, x, 2, 2), GAN_OK);
    const float *y;
    size_t r, c;
    assert_int_equal(gan_net_train_output(&y, &r, &c, net, 0), GAN_OK);
    assert_int_equal(r, 2);
    assert_int_equal(c, 3);
    /* row 0: unit0 1+1+0.25, unit1 0.5-0.5+1, unit2 0.25+1.5-0.5 */
    assert_true(y[0] == 2.25f && y[1] == 1.0f && y[2] == 1.25f);
    assert_true(y[3] == 2.75f && y[4] == 1.75f && y[5] == 0.75f);
    float dx[4];
    assert_int_equal(gan_net_backward(dx, net, dy, 2, 3, 0), GAN_OK);
    float g[27];
    assert_int_equal(gan_net_get_grads(g, 27, net), GAN_OK);
    const int winner[3] = {0, 4, 6};
    float want[27] = {0};
    for (int u = 0; u < 3; u++) {
        int j = winner[u];
        for (int i = 0; i < 2; i++)
            want[i * 9 + j] = x[0 * 2 + i] * dy[0 * 3 + u] + x[1 * 2 + i] * dy[1 * 3 + u];
        want[18 + j] = dy[0 * 3 + u] + dy[1 * 3 + u];
    }
    for (int k = 0; k < 27; k++) {
        if (g[k] != want[k])
            print_error("maxout tie: grad[%d] = %g, expected %g\n", k, g[k], want[k]);
        assert_true(g[k] == want[k]);
    }
    for (int rr = 0; rr < 2; rr++)
        for (int i = 0; i < 2; i++) {
            float s = 0;
            for (int u = 0; u < 3; u++)
                s += W[i * 9 + winner[u]] * dy[rr * 3 + u];
            assert_true(dx[rr * 2 + i] == s);
        }
    gan_net_free(net);
}

/* dense tanh -> maxout -> dense sigmoid, random parameters and biases. */
static gan_net *flags_net(gan_rng *rng)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 4), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 6, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    randomize(net, rng, 0.8f);
    return net;
}

static void test_backward_flags(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 21), GAN_OK);
    gan_net *net = flags_net(rng);
    const size_t rows = 5, in = 4, ow = 2, np = gan_net_num_params(net);
    float *x1 = rand_array(rng, rows * in, -1, 1), *x2 = rand_array(rng, rows * in, -1, 1);
    float *d1 = rand_array(rng, rows * ow, -1, 1), *d2 = rand_array(rng, rows * ow, -1, 1);
    float dxa[5 * 4], dxb[5 * 4], dxc[5 * 4];

    /* g(x1, d1), g(x1, d2), g(x2, d2) and their input gradients. */
    assert_int_equal(gan_net_train_forward(net, NULL, x1, rows, in), GAN_OK);
    assert_int_equal(gan_net_backward(dxa, net, d1, rows, ow, 0), GAN_OK);
    float *g11 = net_grads(net);
    assert_int_equal(gan_net_backward(dxb, net, d2, rows, ow, 0), GAN_OK);
    float *g12 = net_grads(net);
    /* dx may be NULL: same parameter gradients. */
    assert_int_equal(gan_net_backward(NULL, net, d1, rows, ow, 0), GAN_OK);
    float *g11n = net_grads(net);
    assert_memory_equal(g11, g11n, np * sizeof(float));
    /* A repeated backward without ACCUMULATE overwrites. */
    assert_int_equal(gan_net_backward(dxc, net, d1, rows, ow, 0), GAN_OK);
    assert_memory_equal(dxa, dxc, sizeof dxa);

    /* ACCUMULATE on the same forward: g11 + g12. */
    assert_int_equal(gan_net_backward(NULL, net, d2, rows, ow, GAN_BACKWARD_ACCUMULATE), GAN_OK);
    float *acc = net_grads(net);
    float *sum = xmalloc(np * sizeof *sum);
    for (size_t k = 0; k < np; k++)
        sum[k] = g11[k] + g12[k];
    assert_arrays_close(acc, sum, np, 1e-5, "accumulate, same forward");
    free(acc);

    /* ACCUMULATE across two forwards (D's real and fake passes). */
    assert_int_equal(gan_net_train_forward(net, NULL, x2, rows, in), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, d2, rows, ow, 0), GAN_OK);
    float *g22 = net_grads(net);
    assert_int_equal(gan_net_train_forward(net, NULL, x1, rows, in), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, d1, rows, ow, 0), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, NULL, x2, rows, in), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, d2, rows, ow, GAN_BACKWARD_ACCUMULATE), GAN_OK);
    acc = net_grads(net);
    for (size_t k = 0; k < np; k++)
        sum[k] = g11[k] + g22[k];
    assert_arrays_close(acc, sum, np, 1e-5, "accumulate, two forwards");
    free(acc);

    /* NO_PARAMS: gradients untouched (bit for bit), dx as usual. */
    float *before = net_grads(net);
    assert_int_equal(gan_net_train_forward(net, NULL, x1, rows, in), GAN_OK);
    float dxn[5 * 4];
    assert_int_equal(gan_net_backward(dxn, net, d2, rows, ow, GAN_BACKWARD_NO_PARAMS), GAN_OK);
    float *after = net_grads(net);
    assert_memory_equal(before, after, np * sizeof(float));
    assert_arrays_close(dxn, dxb, rows * in, 1e-6, "no-params dx");
    /* NO_PARAMS combined with LOGITS (the G step through D). */
    float dxl[5 * 4], dxl2[5 * 4];
    assert_int_equal(gan_net_backward(dxl, net, d2, rows, ow,
                                      GAN_BACKWARD_NO_PARAMS | GAN_BACKWARD_LOGITS),
                     GAN_OK);
    free(after);
    after = net_grads(net);
    assert_memory_equal(before, after, np * sizeof(float));
    assert_int_equal(gan_net_backward(dxl2, net, d2, rows, ow, GAN_BACKWARD_LOGITS), GAN_OK);
    assert_arrays_close(dxl, dxl2, rows * in, 1e-6, "no-params logits dx");

    free(before);
    free(after);
    free(sum);
    free(g11);
    free(g11n);
    free(g12);
    free(g22);
    free(x1);
    free(x2);
    free(d1);
    free(d2);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* Parameter gradients are sums over rows (no 1/rows). */
static void test_grads_are_sums(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 22), GAN_OK);
    gan_net *net = flags_net(rng);
    size_t np = gan_net_num_params(net);
    float *x1 = rand_array(rng, 4, -1, 1), *d1 = rand_array(rng, 2, -1, 1);
    float x3[12], d3[6];
    for (int r = 0; r < 3; r++) {
        memcpy(x3 + 4 * r, x1, 4 * sizeof(float));
        memcpy(d3 + 2 * r, d1, 2 * sizeof(float));
    }
    assert_int_equal(gan_net_train_forward(net, NULL, x1, 1, 4), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, d1, 1, 2, 0), GAN_OK);
    float *g1 = net_grads(net);
    assert_int_equal(gan_net_train_forward(net, NULL, x3, 3, 4), GAN_OK);
    assert_int_equal(gan_net_backward(NULL, net, d3, 3, 2, 0), GAN_OK);
    float *g3 = net_grads(net);
    for (size_t k = 0; k < np; k++)
        assert_close(g3[k], 3.0 * g1[k], 1e-5, 1e-7, "3 identical rows", k);
    free(g1);
    free(g3);
    free(x1);
    free(d1);
    gan_net_free(net);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_maxout_ties),
        cmocka_unit_test(test_backward_flags),
        cmocka_unit_test(test_grads_are_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
