/* gan_net: layers, initialisation, forward passes, gradient checks
 * (finite differences against a double-precision reference), dropout,
 * backward flags, threads and argument checking. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan.h"
#include "common.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------- */

/* Mismatched shapes: the invalid-argument code (the issue) or the shape
 * code (gan.h's description) are both accepted. */
#define EXPECT_SHAPE_ERR(call, fn, arg) \
    do { \
        gan_error_clear(); \
        int rc_ = (call); \
        if (rc_ != GAN_EINVAL && rc_ != GAN_ESHAPE) \
            print_error("%s returned %d (%s), expected EINVAL or ESHAPE\n", #call, rc_, \
                        gan_error_last()); \
        assert_true(rc_ == GAN_EINVAL || rc_ == GAN_ESHAPE); \
        check_msg((fn), (arg)); \
    } while (0)

static float *rand_array(gan_rng *rng, size_t n, float lo, float hi)
{
    float *p = xmalloc(n * sizeof *p);
    assert_int_equal(gan_rng_uniform(p, n, rng, lo, hi), GAN_OK);
    return p;
}

static float *net_params(const gan_net *net)
{
    size_t np = gan_net_num_params(net);
    float *p = xmalloc(np * sizeof *p);
    assert_int_equal(gan_net_get_params(p, np, net), GAN_OK);
    return p;
}

static float *net_grads(const gan_net *net)
{
    size_t np = gan_net_num_params(net);
    float *p = xmalloc(np * sizeof *p);
    assert_int_equal(gan_net_get_grads(p, np, net), GAN_OK);
    return p;
}

/* Randomly initialised net, weights U(-scale, scale), biases random too so
 * that bias gradients matter. */
static void randomize(gan_net *net, gan_rng *rng, float scale)
{
    size_t np = gan_net_num_params(net);
    float *p = rand_array(rng, np, -scale, scale);
    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
    free(p);
}

/* ------------------------------------------------------------------------
 * Double-precision reference forward pass, built only from the documented
 * parameter layout and the layer infos. Dropout is the identity (inference
 * or keep = 1). `br` (may be NULL) records the branch taken at every kink
 * (ReLU sign, maxout arg-max) so finite differences that cross a kink can
 * be recognised; returns the number of branches recorded.
 * ---------------------------------------------------------------------- */

static double act_apply(int act, double z, double slope)
{
    switch (act) {
    case GAN_ACT_IDENTITY: return z;
    case GAN_ACT_RELU: return z > 0 ? z : 0;
    case GAN_ACT_LEAKY_RELU: return z > 0 ? z : slope * z;
    case GAN_ACT_TANH: return tanh(z);
    case GAN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    default: fail_msg("unknown activation %d", act);
    }
    return 0;
}

static size_t ref_forward(double *out, const gan_net *net, const double *p, const double *x,
                          size_t rows, int logits, unsigned char *br)
{
    size_t nl = gan_net_num_layers(net);
    size_t w = gan_net_input_width(net);
    double *cur = xmalloc(rows * w * sizeof *cur);
    memcpy(cur, x, rows * w * sizeof *cur);
    size_t nb = 0;
    for (size_t l = 0; l < nl; l++) {
        gan_layer_info li;
        assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
        assert_int_equal(li.in_width, w);
        if (li.kind == GAN_LAYER_DROPOUT)
            continue;
        size_t in = (size_t)li.in_width;
        size_t oc = (size_t)(li.units * li.pieces);
        const double *W = p + li.param_offset, *b = W + in * oc;
        double *z = xmalloc(rows * oc * sizeof *z);
        for (size_t r = 0; r < rows; r++)
            for (size_t j = 0; j < oc; j++) {
                double s = b[j];
                for (size_t i = 0; i < in; i++)
                    s += cur[r * in + i] * W[i * oc + j];
                z[r * oc + j] = s;
            }
        free(cur);
        if (li.kind == GAN_LAYER_DENSE) {
            int skip = logits && l == nl - 1;
            for (size_t k = 0; k < rows * oc; k++) {
                if ((li.activation == GAN_ACT_RELU || li.activation == GAN_ACT_LEAKY_RELU) &&
                    br != NULL)
                    br[nb] = z[k] > 0;
                if (li.activation == GAN_ACT_RELU || li.activation == GAN_ACT_LEAKY_RELU)
                    nb++;
                if (!skip)
                    z[k] = act_apply((int)li.activation, z[k], li.leaky_slope);
            }
            cur = z;
        } else {
            size_t units = (size_t)li.units, pieces = (size_t)li.pieces;
            cur = xmalloc(rows * units * sizeof *cur);
            for (size_t r = 0; r < rows; r++)
                for (size_t u = 0; u < units; u++) {
                    const double *zz = z + r * oc + u * pieces;
                    size_t best = 0;
                    for (size_t q = 1; q < pieces; q++)
                        if (zz[q] > zz[best])
                            best = q;
                    if (br != NULL)
                        br[nb] = (unsigned char)best;
                    nb++;
                    cur[r * units + u] = zz[best];
                }
            free(z);
        }
        w = (size_t)li.out_width;
    }
    assert_int_equal(w, gan_net_output_width(net));
    if (out != NULL)
        memcpy(out, cur, rows * w * sizeof *cur);
    free(cur);
    return nb;
}

static double ref_loss(const gan_net *net, const double *p, const double *x, size_t rows,
                       const float *c, int logits, unsigned char *br)
{
    size_t ow = gan_net_output_width(net);
    double *out = xmalloc(rows * ow * sizeof *out);
    ref_forward(out, net, p, x, rows, logits, br);
    double L = 0;
    for (size_t k = 0; k < rows * ow; k++)
        L += (double)c[k] * out[k];
    free(out);
    return L;
}

/* Gradient check of a net without active dropout against central
 * differences of the double reference (h = 1e-6): every parameter and
 * every input. Loss L = sum(c .* output) (or .* logits with
 * GAN_BACKWARD_LOGITS). Also checks the library's forward outputs. */
static void check_grads_ref(gan_net *net, const float *x, size_t rows, const float *c,
                            unsigned bflags, const char *label)
{
    int logits = (bflags & GAN_BACKWARD_LOGITS) != 0;
    size_t in = gan_net_input_width(net), ow = gan_net_output_width(net);
    size_t np = gan_net_num_params(net);

    assert_int_equal(gan_net_train_forward(net, NULL, x, rows, in), GAN_OK);
    float *dx = xmalloc(rows * in * sizeof *dx);
    assert_int_equal(gan_net_backward(dx, net, c, rows, ow, bflags), GAN_OK);
    float *g = net_grads(net);

    double *p = xmalloc(np * sizeof *p), *xd = xmalloc(rows * in * sizeof *xd);
    float *pf = net_params(net);
    for (size_t k = 0; k < np; k++)
        p[k] = pf[k];
    for (size_t k = 0; k < rows * in; k++)
        xd[k] = x[k];

    /* Forward outputs: training and inference, with and without logits. */
    double *ref = xmalloc(rows * ow * sizeof *ref);
    float *out = xmalloc(rows * ow * sizeof *out);
    gan_layer_info last;
    assert_int_equal(gan_net_layer_info(&last, net, gan_net_num_layers(net) - 1), GAN_OK);
    /* Logits are defined for a dense last layer. */
    int n_lg = last.kind == GAN_LAYER_DENSE ? 2 : 1;
    for (int lg = 0; lg < n_lg; lg++) {
        ref_forward(ref, net, p, xd, rows, lg, NULL);
        const float *to;
        size_t tr = 0, tc = 0;
        assert_int_equal(gan_net_train_output(&to, &tr, &tc, net, lg ? GAN_FORWARD_LOGITS : 0),
                         GAN_OK);
        assert_int_equal(tr, rows);
        assert_int_equal(tc, ow);
        assert_int_equal(gan_net_forward(out, ow, net, x, rows, in, lg ? GAN_FORWARD_LOGITS : 0),
                         GAN_OK);
        for (size_t k = 0; k < rows * ow; k++) {
            assert_close(to[k], ref[k], 1e-5, 1e-5, lg ? "train logits" : "train output", k);
            assert_close(out[k], ref[k], 1e-5, 1e-5, lg ? "forward logits" : "forward output", k);
        }
    }

    size_t nb = ref_forward(NULL, net, p, xd, rows, logits, NULL);
    unsigned char *b0 = xmalloc(nb + 1), *b1 = xmalloc(nb + 1), *b2 = xmalloc(nb + 1);
    ref_forward(NULL, net, p, xd, rows, logits, b0);

    size_t skipped = 0, checked = 0;
    char what[128];
    for (int pass = 0; pass < 2; pass++) {
        double *v = pass == 0 ? p : xd;
        size_t n = pass == 0 ? np : rows * in;
        const float *ana = pass == 0 ? g : dx;
        snprintf(what, sizeof what, "%s: %s gradient", label, pass == 0 ? "parameter" : "input");
        for (size_t k = 0; k < n; k++) {
            double save = v[k], h = 1e-6 * fmax(1.0, fabs(save));
            v[k] = save + h;
            double Lp = ref_loss(net, p, xd, rows, c, logits, b1);
            v[k] = save - h;
            double Lm = ref_loss(net, p, xd, rows, c, logits, b2);
            v[k] = save;
            if (memcmp(b0, b1, nb) != 0 || memcmp(b0, b2, nb) != 0) {
                skipped++;
                continue;
            }
            checked++;
            double num = (Lp - Lm) / (2 * h);
            assert_close(ana[k], num, 2e-3, 2e-4, what, k);
        }
    }
    /* Kinks hit by a 1e-6 step are rare; a systematic skip is a test bug. */
    if (skipped * 20 > checked + skipped) {
        print_error("%s: %zu of %zu coordinates sat on a kink\n", label, skipped,
                    checked + skipped);
        fail();
    }
    free(b0);
    free(b1);
    free(b2);
    free(ref);
    free(out);
    free(pf);
    free(p);
    free(xd);
    free(g);
    free(dx);
}

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

/* ------------------------------------------------------------------------
 * Construction, layer infos, parameter layout
 * ---------------------------------------------------------------------- */

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
            assert_close(y[k], act_apply(act, x[k], 0.2), 1e-6, 1e-7, "activation", (size_t)k);
            assert_true(z[k] == x[k]);
        }
        if (act == GAN_ACT_LEAKY_RELU) {
            assert_int_equal(gan_net_set_leaky_slope(net, 0, 0.01f), GAN_OK);
            assert_int_equal(gan_net_forward(y, 1, net, x, 5, 1, 0), GAN_OK);
            for (int k = 0; k < 5; k++)
                assert_close(y[k], act_apply(act, x[k], 0.01), 1e-6, 1e-7, "leaky 0.01",
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

/* ------------------------------------------------------------------------
 * Gradient checks
 * ---------------------------------------------------------------------- */

static void grad_case(gan_net *net, gan_rng *rng, size_t rows, unsigned bflags, const char *label)
{
    size_t in = gan_net_input_width(net), ow = gan_net_output_width(net);
    randomize(net, rng, 0.7f);
    float *x = rand_array(rng, rows * in, -1, 1);
    float *c = rand_array(rng, rows * ow, -1, 1);
    check_grads_ref(net, x, rows, c, bflags, label);
    free(x);
    free(c);
}

static void test_grad_dense_activations(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 11), GAN_OK);
    static const char *names[] = {"identity", "relu", "leaky", "tanh", "sigmoid"};
    for (int act = GAN_ACT_IDENTITY; act <= GAN_ACT_SIGMOID; act++) {
        for (int logits = 0; logits < 2; logits++) {
            char label[64];
            /* Hidden and output layer both of this activation. */
            gan_net *net;
            assert_int_equal(gan_net_create(&net, 4), GAN_OK);
            assert_int_equal(gan_net_add_dense(net, 6, act), GAN_OK);
            assert_int_equal(gan_net_add_dense(net, 3, act), GAN_OK);
            snprintf(label, sizeof label, "dense %s%s", names[act], logits ? " logits" : "");
            grad_case(net, rng, 5, logits ? GAN_BACKWARD_LOGITS : 0, label);
            if (act == GAN_ACT_LEAKY_RELU) {
                assert_int_equal(gan_net_set_leaky_slope(net, 0, 0.05f), GAN_OK);
                assert_int_equal(gan_net_set_leaky_slope(net, 1, 0.3f), GAN_OK);
                snprintf(label, sizeof label, "dense leaky(0.05, 0.3)%s", logits ? " logits" : "");
                grad_case(net, rng, 5, logits ? GAN_BACKWARD_LOGITS : 0, label);
            }
            gan_net_free(net);
        }
    }
    /* A deeper mixed stack, one row. */
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 6, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    grad_case(net, rng, 1, 0, "mixed stack, 1 row");
    grad_case(net, rng, 8, GAN_BACKWARD_LOGITS, "mixed stack logits");
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_grad_maxout(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 12), GAN_OK);
    gan_net *net;
    /* maxout -> sigmoid */
    assert_int_equal(gan_net_create(&net, 4), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 4), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    grad_case(net, rng, 6, 0, "maxout -> sigmoid");
    grad_case(net, rng, 6, GAN_BACKWARD_LOGITS, "maxout -> sigmoid logits");
    gan_net_free(net);
    /* maxout as the last layer; pieces = 1 */
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 2, 1), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 2), GAN_OK);
    grad_case(net, rng, 4, 0, "maxout stack (last layer maxout, pieces 1)");
    gan_net_free(net);
    /* The paper's D without dropout, small. */
    assert_int_equal(gan_net_create(&net, 5), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 4, 5), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 5), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    grad_case(net, rng, 7, GAN_BACKWARD_LOGITS, "small paper D (no dropout)");
    grad_case(net, rng, 7, 0, "small paper D (no dropout), sigmoid output");
    gan_net_free(net);
    gan_rng_free(rng);
}

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

/* ------------------------------------------------------------------------
 * Backward flags, sums over rows, repeated backward, batch-size changes
 * ---------------------------------------------------------------------- */

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

static void assert_arrays_close(const float *a, const float *b, size_t n, double rel,
                                const char *what)
{
    for (size_t k = 0; k < n; k++)
        assert_close(a[k], b[k], rel, 1e-6, what, k);
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
    assert_int_equal(gan_net_create(&net, 200), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 100, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 300, GAN_ACT_RELU), GAN_OK);
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
    gan_net *twin;
    assert_int_equal(gan_net_create(&twin, 200), GAN_OK);
    assert_int_equal(gan_net_add_dense(twin, 100, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(twin, 300, GAN_ACT_RELU), GAN_OK);
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
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_SIGMOID), GAN_OK);
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

/* ------------------------------------------------------------------------
 * Bad input
 * ---------------------------------------------------------------------- */

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
        cmocka_unit_test(test_layer_infos),
        cmocka_unit_test(test_param_layout_by_hand),
        cmocka_unit_test(test_activations_by_value),
        cmocka_unit_test(test_sigmoid_accuracy),
        cmocka_unit_test(test_grad_dense_activations),
        cmocka_unit_test(test_grad_maxout),
        cmocka_unit_test(test_maxout_ties),
        cmocka_unit_test(test_grad_dropout),
        cmocka_unit_test(test_dropout_semantics),
        cmocka_unit_test(test_dropout_mask_statistics),
        cmocka_unit_test(test_backward_flags),
        cmocka_unit_test(test_grads_are_sums),
        cmocka_unit_test(test_forward_agrees),
        cmocka_unit_test(test_forward_threads),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_bias_and_output_bias),
        cmocka_unit_test(test_bad_construction),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_no_parameters),
        cmocka_unit_test(test_bad_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
