/* gan_net gradients against central differences of a double-precision
 * reference forward pass, for every activation, maxout stacks and the
 * logits flag. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>

/* ------------------------------------------------------------------------
 * Double-precision reference forward pass, built only from the documented
 * parameter layout and the layer infos. Dropout is the identity (inference
 * or keep = 1). `br` (may be NULL) records the branch taken at every kink
 * (ReLU sign, maxout arg-max) so finite differences that cross a kink can
 * be recognised; returns the number of branches recorded.
 * ---------------------------------------------------------------------- */

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
                    z[k] = act_ref((int)li.activation, z[k], li.leaky_slope);
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
            gan_net *net = make_mlp(4, 6, act, 3, act);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_dense_activations),
        cmocka_unit_test(test_grad_maxout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
