/* gan_net gradients against central differences of a double-precision
 * reference forward pass, for every activation, maxout stacks and the
 * logits flag. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include "net.h"

#include <stdio.h>

/* ------------------------------------------------------------------------
 * Double-precision reference forward pass, built only from the documented
 * parameter layout and the layer infos. Dropout is the identity (inference
 * or keep = 1). `br` (may be NULL) records the branch taken at every kink
 * (ReLU sign, maxout arg-max) so finite differences that cross a kink can
 * be recognised; returns the number of branches recorded.
 * ---------------------------------------------------------------------- */

/* Value (c, y, x) of row r of a channel-major image batch, 0 outside. */
static double px(const double *a, size_t r, size_t width, size_t c, ptrdiff_t y, ptrdiff_t x,
                 size_t h, size_t w)
{
    if (y < 0 || x < 0 || y >= (ptrdiff_t)h || x >= (ptrdiff_t)w)
        return 0.0;
    return a[r * width + (c * h + (size_t)y) * w + (size_t)x];
}

/* One image layer of the reference, straight from the documented
 * definitions (no im2col). Returns the layer's output (rows x out_width).
 * `running` (may be NULL: use the batch's statistics) holds the batch norm
 * layers' running means and variances, C + C per layer in layer order;
 * *run_at walks it. */
static double *ref_image_layer(const gan_layer_info *li, const gan_layer_shape *sh,
                               const double *p, const double *cur, size_t rows, int skip_act,
                               unsigned char *br, size_t *nb, const double *running,
                               size_t *run_at)
{
    const size_t ic = sh->in_channels, ih = sh->in_height, iw = sh->in_width;
    const size_t oc = sh->out_channels, oh = sh->out_height, ow = sh->out_width;
    const size_t in = li->in_width, out = li->out_width;
    const ptrdiff_t k = (ptrdiff_t)sh->kernel, s = (ptrdiff_t)sh->stride, pd = (ptrdiff_t)sh->pad;
    assert_int_equal(ic * ih * iw, in);
    assert_int_equal(oc * oh * ow, out);
    double *z = xmalloc(rows * out * sizeof *z);
    const double *W = p + li->param_offset;
    switch (li->kind) {
    case GAN_LAYER_CONV2D:
    case GAN_LAYER_DECONV2D: {
        const size_t kk = (size_t)(k * k);
        const double *b = W + (li->kind == GAN_LAYER_CONV2D ? oc * ic * kk : ic * oc * kk);
        for (size_t r = 0; r < rows; r++)
            for (size_t o = 0; o < oc; o++)
                for (size_t y = 0; y < oh * ow; y++)
                    z[r * out + o * oh * ow + y] = b[o];
        for (size_t r = 0; r < rows; r++)
            for (size_t o = 0; o < oc; o++)
                for (size_t c = 0; c < ic; c++)
                    for (ptrdiff_t ky = 0; ky < k; ky++)
                        for (ptrdiff_t kx = 0; kx < k; kx++) {
                            if (li->kind == GAN_LAYER_CONV2D) {
                                /* out(o, y, x) += W[o][c][ky][kx] in(c, ys + ky - p, ...) */
                                const double wv = W[((o * ic + c) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx];
                                for (size_t y = 0; y < oh; y++)
                                    for (size_t x = 0; x < ow; x++)
                                        z[r * out + (o * oh + y) * ow + x] +=
                                            wv * px(cur, r, in, c, (ptrdiff_t)y * s + ky - pd,
                                                    (ptrdiff_t)x * s + kx - pd, ih, iw);
                            } else {
                                /* out(o, ys + ky - p, xs + kx - p) += W[c][o][ky][kx] in(c, y, x) */
                                const double wv = W[((c * oc + o) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx];
                                for (size_t y = 0; y < ih; y++)
                                    for (size_t x = 0; x < iw; x++) {
                                        const ptrdiff_t ty = (ptrdiff_t)y * s + ky - pd;
                                        const ptrdiff_t tx = (ptrdiff_t)x * s + kx - pd;
                                        if (ty < 0 || tx < 0 || ty >= (ptrdiff_t)oh || tx >= (ptrdiff_t)ow)
                                            continue;
                                        z[r * out + (o * oh + (size_t)ty) * ow + (size_t)tx] +=
                                            wv * cur[r * in + (c * ih + y) * iw + x];
                                    }
                            }
                        }
        for (size_t q = 0; q < rows * out; q++) {
            if (li->activation == GAN_ACT_RELU || li->activation == GAN_ACT_LEAKY_RELU) {
                if (br != NULL)
                    br[*nb] = z[q] > 0;
                (*nb)++;
            }
            if (!skip_act)
                z[q] = act_ref((int)li->activation, z[q], li->leaky_slope);
        }
        break;
    }
    case GAN_LAYER_CHANNEL_MAXOUT: {
        const size_t pieces = (size_t)li->pieces, hw = ih * iw;
        for (size_t r = 0; r < rows; r++)
            for (size_t o = 0; o < oc; o++)
                for (size_t q = 0; q < hw; q++) {
                    size_t best = 0;
                    for (size_t j = 1; j < pieces; j++)
                        if (cur[r * in + (o * pieces + j) * hw + q] >
                            cur[r * in + (o * pieces + best) * hw + q])
                            best = j;
                    if (br != NULL)
                        br[*nb] = (unsigned char)best;
                    (*nb)++;
                    z[r * out + o * hw + q] = cur[r * in + (o * pieces + best) * hw + q];
                }
        break;
    }
    case GAN_LAYER_MAXPOOL:
        /* Windows clipped to the image; padding never wins. */
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < ic; c++)
                for (size_t y = 0; y < oh; y++)
                    for (size_t x = 0; x < ow; x++) {
                        double m = -INFINITY;
                        size_t best = 0, at = 0;
                        for (ptrdiff_t ky = 0; ky < k; ky++)
                            for (ptrdiff_t kx = 0; kx < k; kx++, at++) {
                                const ptrdiff_t yy = (ptrdiff_t)y * s + ky - pd;
                                const ptrdiff_t xx = (ptrdiff_t)x * s + kx - pd;
                                if (yy < 0 || xx < 0 || yy >= (ptrdiff_t)ih || xx >= (ptrdiff_t)iw)
                                    continue;
                                const double v = cur[r * in + (c * ih + (size_t)yy) * iw + (size_t)xx];
                                if (v > m) {
                                    m = v;
                                    best = at;
                                }
                            }
                        assert_true(isfinite(m));
                        if (br != NULL)
                            br[*nb] = (unsigned char)best;
                        (*nb)++;
                        z[r * out + (c * oh + y) * ow + x] = m;
                    }
        break;
    default: { /* batch norm */
        const size_t hw = ih * iw, n = rows * hw;
        assert_int_equal(li->kind, GAN_LAYER_BATCHNORM);
        const double *gamma = W, *beta = W + ic;
        for (size_t c = 0; c < ic; c++) {
            double mean = 0, var = 0;
            if (running != NULL) {
                mean = running[*run_at + c];
                var = running[*run_at + ic + c];
            } else {
                for (size_t r = 0; r < rows; r++)
                    for (size_t q = 0; q < hw; q++)
                        mean += cur[r * in + c * hw + q];
                mean /= (double)n;
                for (size_t r = 0; r < rows; r++)
                    for (size_t q = 0; q < hw; q++)
                        var += pow(cur[r * in + c * hw + q] - mean, 2);
                var /= (double)n;
            }
            for (size_t r = 0; r < rows; r++)
                for (size_t q = 0; q < hw; q++)
                    z[r * out + c * hw + q] =
                        gamma[c] * (cur[r * in + c * hw + q] - mean) / sqrt(var + sh->eps) + beta[c];
        }
        *run_at += 2 * ic;
        break;
    }
    }
    return z;
}

static size_t ref_forward_run(double *out, const gan_net *net, const double *p, const double *x,
                              size_t rows, int logits, unsigned char *br, const double *running);

static size_t ref_forward(double *out, const gan_net *net, const double *p, const double *x,
                          size_t rows, int logits, unsigned char *br)
{
    return ref_forward_run(out, net, p, x, rows, logits, br, NULL);
}

static size_t ref_forward_run(double *out, const gan_net *net, const double *p, const double *x,
                              size_t rows, int logits, unsigned char *br, const double *running)
{
    size_t run_at = 0;
    size_t nl = gan_net_num_layers(net);
    size_t w = gan_net_input_width(net);
    double *cur = xmalloc(rows * w * sizeof *cur);
    memcpy(cur, x, rows * w * sizeof *cur);
    size_t nb = 0;
    for (size_t l = 0; l < nl; l++) {
        gan_layer_info li;
        assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
        assert_int_equal(li.in_width, w);
        if (li.kind == GAN_LAYER_DROPOUT || li.kind == GAN_LAYER_RESHAPE)
            continue;
        if (li.kind == GAN_LAYER_ACTIVATION) {
            /* Always applied, logits or not (gan_net_add_activation). */
            for (size_t k = 0; k < rows * w; k++) {
                if (li.activation == GAN_ACT_RELU || li.activation == GAN_ACT_LEAKY_RELU) {
                    if (br != NULL)
                        br[nb] = cur[k] > 0;
                    nb++;
                }
                cur[k] = act_ref((int)li.activation, cur[k], li.leaky_slope);
            }
            continue;
        }
        if (li.kind >= GAN_LAYER_CONV2D) {
            gan_layer_shape sh;
            assert_int_equal(gan_net_layer_shape(&sh, net, l), GAN_OK);
            double *z = ref_image_layer(&li, &sh, p, cur, rows, logits && l == nl - 1, br, &nb,
                                        running, &run_at);
            free(cur);
            cur = z;
            w = (size_t)li.out_width;
            continue;
        }
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
    /* Logits are defined for a last layer with an activation. */
    int n_lg = last.kind == GAN_LAYER_DENSE || last.kind == GAN_LAYER_CONV2D ||
                       last.kind == GAN_LAYER_DECONV2D
                   ? 2
                   : 1;
    /* Inference uses batch norm's running statistics (test_batchnorm_*). */
    int has_bn = 0;
    for (size_t l = 0; l < gan_net_num_layers(net); l++) {
        gan_layer_info li;
        assert_int_equal(gan_net_layer_info(&li, net, l), GAN_OK);
        has_bn |= li.kind == GAN_LAYER_BATCHNORM;
    }
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
            if (!has_bn)
                assert_close(out[k], ref[k], 1e-5, 1e-5, lg ? "forward logits" : "forward output",
                             k);
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

/* ------------------------------------------------------------------------
 * Image layers
 * ---------------------------------------------------------------------- */

static gan_net *new_net(size_t in)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, in), GAN_OK);
    return net;
}

static void both_flags(gan_net *net, gan_rng *rng, size_t rows, const char *label)
{
    char l2[96];
    grad_case(net, rng, rows, 0, label);
    snprintf(l2, sizeof l2, "%s logits", label);
    grad_case(net, rng, rows, GAN_BACKWARD_LOGITS, l2);
}

static void test_grad_conv2d(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 21), GAN_OK);
    gan_net *net = new_net(50);
    assert_int_equal(gan_net_add_reshape(net, 2, 5, 5), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 3, 1, 1, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 2, 3, 2, 0, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 2 * 2);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    both_flags(net, rng, 3, "conv 3x3 s1 p1 relu -> conv 3x3 s2 tanh -> dense");
    gan_net_free(net);
    /* A conv2d last layer with a sigmoid, kernel 4 stride 2 pad 1. */
    net = new_net(36);
    assert_int_equal(gan_net_add_reshape(net, 1, 6, 6), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 2, 4, 2, 1, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 3 * 3);
    both_flags(net, rng, 2, "conv 4x4 s2 p1 sigmoid (last)");
    gan_net_free(net);
    /* Non-square image, leaky ReLU, identity. */
    net = new_net(56);
    assert_int_equal(gan_net_add_reshape(net, 2, 4, 7), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 3, 2, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    gan_layer_shape sh;
    assert_int_equal(gan_net_layer_shape(&sh, net, 1), GAN_OK);
    assert_int_equal(sh.out_height, 2);
    assert_int_equal(sh.out_width, 4);
    assert_int_equal(gan_net_add_conv2d(net, 2, 1, 1, 0, GAN_ACT_IDENTITY), GAN_OK);
    grad_case(net, rng, 3, 0, "conv on 4 x 7, leaky, then 1x1 identity");
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_grad_deconv2d(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 22), GAN_OK);
    /* From a flat input (4 x 1 x 1), as a generator's first layer. */
    gan_net *net = new_net(4);
    assert_int_equal(gan_net_add_deconv2d(net, 3, 3, 1, 0, 0, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 3 * 3 * 3);
    assert_int_equal(gan_net_add_deconv2d(net, 2, 4, 2, 1, 0, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 6 * 6);
    both_flags(net, rng, 3, "deconv 3x3 relu -> deconv 4x4 s2 p1 tanh");
    gan_net_free(net);
    /* Stride above 1 with out_pad, and pad. */
    net = new_net(18);
    assert_int_equal(gan_net_add_reshape(net, 2, 3, 3), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 2, 5, 3, 1, 2, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 11 * 11); /* 2*3 + 5 - 2 + 2 */
    both_flags(net, rng, 2, "deconv 5x5 s3 p1 out_pad 2 sigmoid");
    gan_net_free(net);
    /* The paper's 10 x 10 -> 32 x 32: kernel 5, stride 3. */
    net = new_net(100);
    assert_int_equal(gan_net_add_reshape(net, 1, 10, 10), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 1, 5, 3, 0, 0, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 32 * 32);
    grad_case(net, rng, 1, 0, "deconv 10x10 -> 32x32");
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_grad_pool_and_channel_maxout(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 23), GAN_OK);
    gan_net *net = new_net(100);
    assert_int_equal(gan_net_add_reshape(net, 4, 5, 5), GAN_OK);
    assert_int_equal(gan_net_add_channel_maxout(net, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(net, 3, 2, 1), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 3 * 3);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_IDENTITY), GAN_OK);
    grad_case(net, rng, 3, 0, "channel maxout 2 -> max pool 3 s2 p1 -> dense");
    gan_net_free(net);
    /* pylearn2's rule: 7 x 7, pool 4 stride 2 -> 3 x 3, the last window
     * clipped; a conv below so parameters are checked through the pool. */
    net = new_net(49);
    assert_int_equal(gan_net_add_reshape(net, 1, 7, 7), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 4, 1, 1, 0, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_channel_maxout(net, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(net, 4, 2, 0), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 3 * 3);
    assert_int_equal(gan_net_add_maxpool(net, 2, 2, 0), GAN_OK);
    assert_int_equal(gan_net_output_width(net), 2 * 2 * 2);
    grad_case(net, rng, 2, 0, "conv 1x1 -> channel maxout -> pool 4 s2 -> pool 2 s2");
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_grad_batchnorm(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 24), GAN_OK);
    gan_net *net = new_net(3);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_TANH), GAN_OK);
    both_flags(net, rng, 6, "dense -> batch norm (flat) -> dense tanh");
    gan_net_free(net);
    net = new_net(18);
    assert_int_equal(gan_net_add_reshape(net, 2, 3, 3), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 2, 1, 0, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.5f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 2, 2, 1, 0, 0, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.5f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    both_flags(net, rng, 4, "conv -> batch norm (image) -> deconv relu -> batch norm -> dense");
    gan_net_free(net);
    gan_rng_free(rng);
}

/* Activation layers of every kind, after flat and image layers, first and
 * last in the net, a leaky ReLU with a set slope and one with the default. */
static void test_grad_activation_layer(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 28), GAN_OK);
    gan_net *net = new_net(3);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_set_leaky_slope(net, 1, 0.1f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 3, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_SIGMOID), GAN_OK);
    both_flags(net, rng, 5, "dense -> leaky 0.1 -> dense -> tanh -> dense -> relu -> dense -> sigmoid");
    gan_net_free(net);

    net = new_net(18);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 2, 3, 3), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 2, 1, 0, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 2, 2, 1, 0, 0, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    both_flags(net, rng, 4, "tanh -> conv -> BN -> relu -> deconv -> leaky -> identity -> dense");
    gan_net_free(net);
    gan_rng_free(rng);
}

/* Inference uses the running statistics, which each training forward moves
 * by momentum towards the batch's mean and unbiased variance, from mean 0
 * and variance 1. */
static void test_batchnorm_running_statistics(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 25), GAN_OK);
    const size_t C = 2, HW = 4, in = C * HW, rows = 5;
    const double m = 0.3;
    gan_net *net = new_net(in);
    assert_int_equal(gan_net_add_reshape(net, C, 2, 2), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, (float)m, 1e-3f), GAN_OK);
    randomize(net, rng, 0.9f);
    double run[4] = {0, 0, 1, 1}; /* mean C, var C */
    size_t np = gan_net_num_params(net);
    float *pf = net_params(net);
    double *p = xmalloc(np * sizeof *p);
    for (size_t k = 0; k < np; k++)
        p[k] = pf[k];
    for (int step = 0; step < 2; step++) {
        float *x = rand_array(rng, rows * in, -2.0f + (float)step, 3.0f);
        assert_int_equal(gan_net_train_forward(net, NULL, x, rows, in), GAN_OK);
        for (size_t c = 0; c < C; c++) {
            double mean = 0, var = 0;
            for (size_t r = 0; r < rows; r++)
                for (size_t q = 0; q < HW; q++)
                    mean += x[r * in + c * HW + q];
            mean /= (double)(rows * HW);
            for (size_t r = 0; r < rows; r++)
                for (size_t q = 0; q < HW; q++)
                    var += pow(x[r * in + c * HW + q] - mean, 2);
            var /= (double)(rows * HW - 1);
            run[c] = (1 - m) * run[c] + m * mean;
            run[C + c] = (1 - m) * run[C + c] + m * var;
        }
        float *y = rand_array(rng, 3 * in, -1, 1), *out = xmalloc(3 * in * sizeof *out);
        double *yd = xmalloc(3 * in * sizeof *yd), *ref = xmalloc(3 * in * sizeof *ref);
        for (size_t k = 0; k < 3 * in; k++)
            yd[k] = y[k];
        assert_int_equal(gan_net_forward(out, in, net, y, 3, in, 0), GAN_OK);
        ref_forward_run(ref, net, p, yd, 3, 0, NULL, run);
        for (size_t k = 0; k < 3 * in; k++)
            assert_close(out[k], ref[k], 1e-5, 1e-5, "inference with running statistics", k);
        free(x);
        free(y);
        free(out);
        free(yd);
        free(ref);
    }
    free(p);
    free(pf);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* Batch statistics of a large batch whose values share a large offset
 * (1000 + noise of std 0.1): the float partial sums must not lose the
 * noise to the offset. With momentum 1 the running statistics are the
 * batch's mean and unbiased variance, compared with a double reference;
 * the training output (gamma 1, beta 0) has mean 0 and variance
 * var / (var + eps). Image
 * rows (pixel lanes) and flat rows (plain sums). */
static void test_batchnorm_large_batch_large_mean(void **state)
{
    (void)state;
    const size_t shapes[2][3] = {{2, 8, 8}, {3, 1, 1}};
    const size_t rows_of[2] = {1024, 8192};
    for (int t = 0; t < 2; t++) {
        const size_t C = shapes[t][0], hw = shapes[t][1] * shapes[t][2], in = C * hw;
        const size_t rows = rows_of[t], n = rows * hw;
        gan_net *net = new_net(in);
        assert_int_equal(gan_net_add_reshape(net, C, shapes[t][1], shapes[t][2]), GAN_OK);
        assert_int_equal(gan_net_add_batchnorm(net, 1.0f, 1e-5f), GAN_OK);
        float *x = seeded_normal(rows * in, 31 + (uint64_t)t, 0.0f, 0.1f);
        for (size_t k = 0; k < rows * in; k++)
            x[k] += 1000.0f + 0.5f * (float)(k % in / hw); /* channel c: 1000 + c / 2 */
        assert_int_equal(gan_net_train_forward(net, NULL, x, rows, in), GAN_OK);
        const float *st = gan__net_state_array(net), *y;
        assert_int_equal(gan_net_train_output(&y, NULL, NULL, net, 0), GAN_OK);
        for (size_t c = 0; c < C; c++) {
            double mean = 0, var = 0, ym = 0, yv = 0;
            for (size_t r = 0; r < rows; r++)
                for (size_t q = 0; q < hw; q++) {
                    mean += x[r * in + c * hw + q];
                    ym += y[r * in + c * hw + q];
                }
            mean /= (double)n;
            ym /= (double)n;
            for (size_t r = 0; r < rows; r++)
                for (size_t q = 0; q < hw; q++) {
                    var += pow(x[r * in + c * hw + q] - mean, 2);
                    yv += pow(y[r * in + c * hw + q] - ym, 2);
                }
            var /= (double)(n - 1);
            yv /= (double)n;
            /* The mean is stored as a float: half an ulp of 1000 is 3e-5. */
            assert_close(st[c], mean, 0, 4e-5, "running mean", c);
            assert_close(st[C + c], var, 1e-4, 0, "running variance", c);
            assert_true(fabs(var - 0.01) < 0.001);
            assert_close(ym, 0, 0, 1e-3, "mean of the normalised output", c);
            const double vb = var * (double)(n - 1) / (double)n; /* eps 1e-5 counts */
            assert_close(yv, vb / (vb + 1e-5), 1e-4, 0, "variance of the normalised output", c);
        }
        free(x);
        gan_net_free(net);
    }
}

/* The session's G gradient goes back through the fake half of D's fused
 * pass (gan__net_backward_input on a row range): with batch norm the rows
 * are coupled, and the result must be the full backward's with the other
 * rows' output gradients zero. */
static void test_batchnorm_backward_row_range(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 26), GAN_OK);
    gan_net *net = new_net(18);
    assert_int_equal(gan_net_add_reshape(net, 2, 3, 3), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 2, 1, 0, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    randomize(net, rng, 0.7f);
    const size_t r1 = 3, r2 = 4, in = 18;
    float *x1 = rand_array(rng, r1 * in, -1, 1), *x2 = rand_array(rng, r2 * in, -1, 1);
    float *dy = xmalloc((r1 + r2) * sizeof *dy);
    float *dyh = rand_array(rng, r2, -1, 1);
    memset(dy, 0, r1 * sizeof *dy);
    memcpy(dy + r1, dyh, r2 * sizeof *dy);
    float *dx_part = xmalloc(r2 * in * sizeof *dx_part);
    float *dx_full = xmalloc((r1 + r2) * in * sizeof *dx_full);
    assert_int_equal(gan__net_train_forward_pair(net, NULL, NULL, x1, r1, x2, r2, in, "test"),
                     GAN_OK);
    /* Ranges: the second part (the G step's), then one straddling both
     * parts (rows 1 .. r1 + 1), each part's rows using its own statistics. */
    const size_t begin[2] = {r1, 1}, count[2] = {r2, r1 + 1};
    for (int t = 0; t < 2; t++) {
        memset(dy, 0, (r1 + r2) * sizeof *dy);
        memcpy(dy + begin[t], dyh, count[t] * sizeof *dy);
        gan__net_backward_input(dx_part, net, NULL, dyh, begin[t], count[t], GAN_BACKWARD_LOGITS);
        assert_int_equal(gan_net_backward(dx_full, net, dy, r1 + r2, 1, GAN_BACKWARD_LOGITS),
                         GAN_OK);
        double norm = 0;
        for (size_t k = 0; k < count[t] * in; k++) {
            assert_close(dx_part[k], dx_full[begin[t] * in + k], 1e-4, 1e-6,
                         "row-range input gradient", k);
            norm += fabs(dx_part[k]);
        }
        assert_true(norm > 1e-3);
    }
    free(x1);
    free(x2);
    free(dy);
    free(dyh);
    free(dx_part);
    free(dx_full);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* A two-part training forward (gan__net_train_forward_pair, D's fused
 * real + fake pass): batch norm normalises each part with its own
 * statistics, so the loss is the reference loss of part 1 plus that of
 * part 2, each a batch of its own. Parameter and input gradients of
 * gan_net_backward over both parts against central differences of that
 * sum (smooth activations only: no kinks to step over). */
static void check_pair_grads(gan_net *net, gan_rng *rng, size_t r1, size_t r2, unsigned bflags,
                             const char *label)
{
    const int logits = (bflags & GAN_BACKWARD_LOGITS) != 0;
    const size_t in = gan_net_input_width(net), ow = gan_net_output_width(net);
    const size_t np = gan_net_num_params(net), rows = r1 + r2;
    randomize(net, rng, 0.7f);
    /* Parts of different means and spreads: mixed statistics would differ. */
    float *x = rand_array(rng, rows * in, -1, 1);
    for (size_t k = r1 * in; k < rows * in; k++)
        x[k] = 0.5f + 2.0f * x[k];
    float *c = rand_array(rng, rows * ow, -1, 1);
    assert_int_equal(gan__net_train_forward_pair(net, NULL, NULL, x, r1, x + r1 * in, r2, in,
                                                 "test"),
                     GAN_OK);
    float *dx = xmalloc(rows * in * sizeof *dx);
    assert_int_equal(gan_net_backward(dx, net, c, rows, ow, bflags), GAN_OK);
    float *g = net_grads(net), *pf = net_params(net);
    double *p = xmalloc(np * sizeof *p), *xd = xmalloc(rows * in * sizeof *xd);
    for (size_t k = 0; k < np; k++)
        p[k] = pf[k];
    for (size_t k = 0; k < rows * in; k++)
        xd[k] = x[k];

    /* The training outputs are each part's own forward. */
    double *ref = xmalloc(rows * ow * sizeof *ref);
    ref_forward(ref, net, p, xd, r1, logits, NULL);
    ref_forward(ref + r1 * ow, net, p, xd + r1 * in, r2, logits, NULL);
    const float *to;
    assert_int_equal(gan_net_train_output(&to, NULL, NULL, net, logits ? GAN_FORWARD_LOGITS : 0),
                     GAN_OK);
    for (size_t k = 0; k < rows * ow; k++)
        assert_close(to[k], ref[k], 1e-5, 1e-5, "two-part training output", k);

    char what[128];
    for (int pass = 0; pass < 2; pass++) {
        double *v = pass == 0 ? p : xd;
        const size_t n = pass == 0 ? np : rows * in;
        const float *ana = pass == 0 ? g : dx;
        snprintf(what, sizeof what, "%s: %s gradient", label, pass == 0 ? "parameter" : "input");
        for (size_t k = 0; k < n; k++) {
            const double save = v[k], h = 1e-6 * fmax(1.0, fabs(save));
            double L[2];
            for (int s = 0; s < 2; s++) {
                v[k] = save + (s == 0 ? h : -h);
                L[s] = ref_loss(net, p, xd, r1, c, logits, NULL) +
                       ref_loss(net, p, xd + r1 * in, r2, c + r1 * ow, logits, NULL);
            }
            v[k] = save;
            assert_close(ana[k], (L[0] - L[1]) / (2 * h), 2e-3, 2e-4, what, k);
        }
    }
    free(ref);
    free(p);
    free(xd);
    free(pf);
    free(g);
    free(dx);
    free(x);
    free(c);
}

static void test_grad_batchnorm_two_parts(void **state)
{
    (void)state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 27), GAN_OK);
    gan_net *net = new_net(18);
    assert_int_equal(gan_net_add_reshape(net, 2, 3, 3), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 2, 1, 0, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-3f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    check_pair_grads(net, rng, 3, 4, GAN_BACKWARD_LOGITS, "two parts, logits");
    check_pair_grads(net, rng, 4, 2, 0, "two parts");
    gan_net_free(net);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_dense_activations),
        cmocka_unit_test(test_grad_maxout),
        cmocka_unit_test(test_grad_conv2d),
        cmocka_unit_test(test_grad_deconv2d),
        cmocka_unit_test(test_grad_pool_and_channel_maxout),
        cmocka_unit_test(test_grad_batchnorm),
        cmocka_unit_test(test_grad_activation_layer),
        cmocka_unit_test(test_batchnorm_running_statistics),
        cmocka_unit_test(test_batchnorm_backward_row_range),
        cmocka_unit_test(test_batchnorm_large_batch_large_mean),
        cmocka_unit_test(test_grad_batchnorm_two_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
