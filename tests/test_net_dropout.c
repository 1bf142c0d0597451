/* gan_net dropout: gradients through fixed masks against float central
 * differences, the semantics of training and inference passes, and the
 * masks' statistics. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>

/* Float central differences through the library itself, re-seeding the rng
 * before every training forward so dropout masks stay fixed. Each
 * coordinate is differenced with eps and eps/2; when the two disagree the
 * step crossed a kink and the coordinate is skipped (a wrong analytic
 * gradient shows as agreement of both with each other, not with it). */
static double lib_loss(gan_net *net, gan_rng *rng, uint64_t seed, const float *x, size_t rows,
                       const float *c, int logits)
{
    size_t in = gan_net_input_width(net);
    if (rng != NULL)
        assert_int_equal(gan_rng_seed(rng, seed), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, in), GAN_OK);
    const float *o;
    size_t r, cc;
    assert_int_equal(gan_net_train_output(&o, &r, &cc, net, logits ? GAN_FORWARD_LOGITS : 0),
                     GAN_OK);
    double L = 0;
    for (size_t k = 0; k < r * cc; k++)
        L += (double)c[k] * o[k];
    return L;
}

static void check_grads_fd(gan_net *net, gan_rng *rng, uint64_t seed, const float *x,
                           size_t rows, const float *c, unsigned bflags, const char *label)
{
    int logits = (bflags & GAN_BACKWARD_LOGITS) != 0;
    size_t in = gan_net_input_width(net), ow = gan_net_output_width(net);
    size_t np = gan_net_num_params(net);

    assert_int_equal(gan_rng_seed(rng, seed), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, in), GAN_OK);
    float *dx = xmalloc(rows * in * sizeof *dx);
    assert_int_equal(gan_net_backward(dx, net, c, rows, ow, bflags), GAN_OK);
    float *g = net_grads(net);

    float *p = net_params(net);
    float *xv = xmalloc(rows * in * sizeof *xv);
    memcpy(xv, x, rows * in * sizeof *xv);

    size_t skipped = 0, checked = 0;
    char what[128];
    for (int pass = 0; pass < 2; pass++) {
        float *v = pass == 0 ? p : xv;
        size_t n = pass == 0 ? np : rows * in;
        const float *ana = pass == 0 ? g : dx;
        snprintf(what, sizeof what, "%s: %s gradient", label, pass == 0 ? "parameter" : "input");
        for (size_t k = 0; k < n; k++) {
            float save = v[k];
            double num[2];
            for (int e = 0; e < 2; e++) {
                float eps = e == 0 ? 1e-2f : 5e-3f;
                float hi = save + eps, lo = save - eps;
                v[k] = hi;
                if (pass == 0)
                    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
                double Lp = lib_loss(net, rng, seed, xv, rows, c, logits);
                v[k] = lo;
                if (pass == 0)
                    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
                double Lm = lib_loss(net, rng, seed, xv, rows, c, logits);
                num[e] = (Lp - Lm) / ((double)hi - (double)lo);
            }
            v[k] = save;
            if (pass == 0)
                assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
            if (fabs(num[0] - num[1]) > 2e-3 * fabs(num[1]) + 5e-4) {
                skipped++;
                continue;
            }
            checked++;
            assert_close(ana[k], num[1], 1e-2, 5e-4, what, k);
        }
    }
    if (skipped * 10 > checked + skipped) {
        print_error("%s: %zu of %zu coordinates sat on a kink\n", label, skipped,
                    checked + skipped);
        fail();
    }
    free(p);
    free(xv);
    free(g);
    free(dx);
}

/* Dropout gradient with the mask fixed by re-seeding the rng. */
static void test_grad_dropout(void **state)
{
    (void)state;
    gan_rng *rng, *data;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    assert_int_equal(gan_rng_create(&data, 13), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 5), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 6, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 3, GAN_ACT_SIGMOID), GAN_OK);
    randomize(net, data, 0.7f);
    float *x = rand_array(data, 4 * 5, -1, 1), *c = rand_array(data, 4 * 3, -1, 1);
    check_grads_fd(net, rng, 77, x, 4, c, 0, "dropout tanh/sigmoid");
    check_grads_fd(net, rng, 78, x, 4, c, GAN_BACKWARD_LOGITS, "dropout tanh/sigmoid logits");
    free(x);
    free(c);
    gan_net_free(net);

    /* The paper's D shape, small: dropout -> maxout -> dropout -> maxout
     * -> dropout -> sigmoid. */
    assert_int_equal(gan_net_create(&net, 6), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 4, 3), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 2), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    randomize(net, data, 0.7f);
    x = rand_array(data, 5 * 6, -1, 1);
    c = rand_array(data, 5, -1, 1);
    check_grads_fd(net, rng, 5, x, 5, c, GAN_BACKWARD_LOGITS, "small paper D with dropout");
    check_grads_fd(net, rng, 6, x, 5, c, 0, "small paper D with dropout, sigmoid");
    free(x);
    free(c);
    gan_net_free(net);
    gan_rng_free(rng);
    gan_rng_free(data);
}

/* ------------------------------------------------------------------------
 * Dropout semantics
 * ---------------------------------------------------------------------- */

/* The masks' statistics: the keep rate overall and at every position of
 * the generator lanes' pattern (entry i comes from lane (i / 2) % 8), and
 * no dependence between neighbours, entries of neighbouring lanes or
 * entries one lane round apart. A width that is no multiple of the lanes'
 * 16 entries checks the tail. */
static void test_dropout_mask_statistics(void **state)
{
    (void)state;
    const size_t rows = 3, cols = 33335, n = rows * cols; /* n = 100005 */
    const float keep = 0.7f;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, cols), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, keep), GAN_OK);
    float *x = xmalloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0f;
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, cols), GAN_OK);
    const float *o;
    size_t r, c;
    assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_OK);
    size_t kept = 0, pos[16] = {0}, pos_n[16] = {0}, pairs1 = 0, pairs2 = 0, pairs16 = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(o[i] == 0.0f || o[i] == 1.0f / keep);
        const int k = o[i] != 0.0f;
        kept += (size_t)k;
        pos[i % 16] += (size_t)k;
        pos_n[i % 16]++;
        if (i + 1 < n)
            pairs1 += (size_t)(k && o[i + 1] != 0.0f);
        if (i + 2 < n)
            pairs2 += (size_t)(k && o[i + 2] != 0.0f);
        if (i + 16 < n)
            pairs16 += (size_t)(k && o[i + 16] != 0.0f);
    }
    /* 5 standard deviations of a binomial proportion. */
    assert_true(fabs((double)kept / (double)n - keep) < 5 * sqrt(keep * (1 - keep) / (double)n));
    for (int p = 0; p < 16; p++) {
        const double f = (double)pos[p] / (double)pos_n[p];
        assert_true(fabs(f - keep) < 5 * sqrt(keep * (1 - keep) / (double)pos_n[p]));
    }
    const double both = (double)keep * keep, sd = sqrt(both * (1 - both) / (double)n);
    assert_true(fabs((double)pairs1 / (double)(n - 1) - both) < 5 * sd);
    assert_true(fabs((double)pairs2 / (double)(n - 2) - both) < 5 * sd);
    assert_true(fabs((double)pairs16 / (double)(n - 16) - both) < 5 * sd);
    free(x);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_dropout_semantics(void **state)
{
    (void)state;
    const size_t rows = 200, cols = 50;
    const float keep = 0.8f;
    gan_net *net;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 99), GAN_OK);
    assert_int_equal(gan_net_create(&net, cols), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, keep), GAN_OK);
    float *x = rand_array(rng, rows * cols, 0.5f, 1.5f);
    float *y = xmalloc(rows * cols * sizeof *y), *y2 = xmalloc(rows * cols * sizeof *y2);

    /* Inference: the identity, exactly. */
    assert_int_equal(gan_net_forward(y, cols, net, x, rows, cols, 0), GAN_OK);
    assert_memory_equal(x, y, rows * cols * sizeof *x);

    /* Training: each entry is 0 or x / keep; about keep of them survive. */
    uint64_t st[GAN_RNG_STATE_WORDS];
    assert_int_equal(gan_rng_get_state(st, rng), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, cols), GAN_OK);
    const float *o;
    size_t r, c;
    assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_OK);
    assert_int_equal(r, rows);
    assert_int_equal(c, cols);
    memcpy(y, o, rows * cols * sizeof *y);
    size_t kept = 0;
    unsigned char *mask = xmalloc(rows * cols);
    for (size_t k = 0; k < rows * cols; k++) {
        if (y[k] == 0.0f) {
            mask[k] = 0;
            continue;
        }
        mask[k] = 1;
        kept++;
        assert_close(y[k], x[k] / keep, 1e-6, 0, "dropout scale", k);
    }
    double frac = (double)kept / (double)(rows * cols);
    assert_true(fabs(frac - keep) < 0.03);
    /* Per example: rows do not share one mask. */
    assert_true(memcmp(mask, mask + cols, cols) != 0 || memcmp(mask, mask + 2 * cols, cols) != 0);
    /* Per unit within a row: not all equal. */
    size_t first_row = 0;
    for (size_t k = 0; k < cols; k++)
        first_row += mask[k];
    assert_true(first_row > 0 && first_row < cols);

    /* Backward: dx = dy * mask / keep. */
    float *dy = rand_array(rng, rows * cols, -1, 1), *dx = xmalloc(rows * cols * sizeof *dx);
    assert_int_equal(gan_net_backward(dx, net, dy, rows, cols, 0), GAN_OK);
    for (size_t k = 0; k < rows * cols; k++)
        assert_close(dx[k], mask[k] ? dy[k] / keep : 0.0, 1e-6, 0, "dropout dx", k);

    /* The same rng state gives the same mask; the next draw another. */
    assert_int_equal(gan_rng_set_state(rng, st), GAN_OK);
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, cols), GAN_OK);
    assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_OK);
    assert_memory_equal(o, y, rows * cols * sizeof *y);
    assert_int_equal(gan_net_train_forward(net, rng, x, rows, cols), GAN_OK);
    assert_int_equal(gan_net_train_output(&o, &r, &c, net, 0), GAN_OK);
    assert_true(memcmp(o, y, rows * cols * sizeof *y) != 0);

    /* keep = 1: training is the identity too. */
    gan_net *one;
    assert_int_equal(gan_net_create(&one, cols), GAN_OK);
    assert_int_equal(gan_net_add_dropout(one, 1.0f), GAN_OK);
    assert_int_equal(gan_net_train_forward(one, rng, x, rows, cols), GAN_OK);
    assert_int_equal(gan_net_train_output(&o, &r, &c, one, 0), GAN_OK);
    assert_memory_equal(o, x, rows * cols * sizeof *x);
    gan_net_free(one);

    free(mask);
    free(dy);
    free(dx);
    free(x);
    free(y);
    free(y2);
    gan_net_free(net);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_dropout),
        cmocka_unit_test(test_dropout_semantics),
        cmocka_unit_test(test_dropout_mask_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
