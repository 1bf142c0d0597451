/* conv2d and deconv2d lower a chunk of examples per product (net_conv.c).
 * Their forward, parameter and input gradients against a direct
 * double-precision reference, for row counts that are not a multiple of
 * the chunk, 1 row, a chunk larger than the rows and a chunk of 1 (which
 * uses the rows directly, no staging): the chunk is forced by shrinking
 * the layer's colw (the layer takes its chunk back as colw /
 * gan__conv_row_floats). Layers with few column rows plan a chunk of 1;
 * those whose kernel, stride and padding tile the image (k - 2 p = s)
 * take im2col through phase planes. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include "net_conv.h"
#include "net_layers.h"

#include <math.h>
#include <stdio.h>

typedef struct conv_case {
    const char *name;
    int deconv;
    size_t ic, h, w, oc, k, s, p, out_pad;
} conv_case;

/* Direct reference of one layer with identity activation, and its
 * gradients for the output gradient dy: y, dW, db, dx (all double). */
typedef struct ref {
    double *y, *gw, *gb, *dx;
} ref;

static void reference(ref *r, const conv_case *cc, const gan_layer_shape *sh, const float *p,
                      const float *x, const float *dy, size_t rows)
{
    const size_t ic = cc->ic, ih = cc->h, iw = cc->w, oc = cc->oc, k = cc->k;
    const size_t oh = (size_t)sh->out_height, ow = (size_t)sh->out_width;
    const size_t in = ic * ih * iw, out = oc * oh * ow, nw = ic * oc * k * k;
    r->y = calloc(rows * out, sizeof(double));
    r->gw = calloc(nw, sizeof(double));
    r->gb = calloc(oc, sizeof(double));
    r->dx = calloc(rows * in, sizeof(double));
    assert_non_null(r->y);
    assert_non_null(r->gw);
    assert_non_null(r->gb);
    assert_non_null(r->dx);
    const float *b = p + nw;
    for (size_t n = 0; n < rows; n++)
        for (size_t o = 0; o < oc; o++)
            for (size_t q = 0; q < oh * ow; q++) {
                r->y[n * out + o * oh * ow + q] = b[o];
                r->gb[o] += dy[n * out + o * oh * ow + q];
            }
    /* Every (input pixel, output pixel, weight) triple the layer connects:
     * conv2d reads x at (o y) s + ky - p, deconv2d writes y at
     * (i y) s + ky - p. */
    for (size_t n = 0; n < rows; n++)
        for (size_t c = 0; c < ic; c++)
            for (size_t o = 0; o < oc; o++)
                for (size_t ky = 0; ky < k; ky++)
                    for (size_t kx = 0; kx < k; kx++) {
                        const size_t wi = cc->deconv ? ((c * oc + o) * k + ky) * k + kx
                                                     : ((o * ic + c) * k + ky) * k + kx;
                        const size_t gh = cc->deconv ? ih : oh, gwid = cc->deconv ? iw : ow;
                        for (size_t gy = 0; gy < gh; gy++)
                            for (size_t gx = 0; gx < gwid; gx++) {
                                const ptrdiff_t ty = (ptrdiff_t)(gy * cc->s + ky) - (ptrdiff_t)cc->p;
                                const ptrdiff_t tx = (ptrdiff_t)(gx * cc->s + kx) - (ptrdiff_t)cc->p;
                                size_t xi, yi;
                                if (cc->deconv) {
                                    if (ty < 0 || tx < 0 || ty >= (ptrdiff_t)oh ||
                                        tx >= (ptrdiff_t)ow)
                                        continue;
                                    xi = n * in + (c * ih + gy) * iw + gx;
                                    yi = n * out + (o * oh + (size_t)ty) * ow + (size_t)tx;
                                } else {
                                    if (ty < 0 || tx < 0 || ty >= (ptrdiff_t)ih ||
                                        tx >= (ptrdiff_t)iw)
                                        continue;
                                    xi = n * in + (c * ih + (size_t)ty) * iw + (size_t)tx;
                                    yi = n * out + (o * oh + gy) * ow + gx;
                                }
                                r->y[yi] += (double)p[wi] * x[xi];
                                r->gw[wi] += (double)dy[yi] * x[xi];
                                r->dx[xi] += (double)dy[yi] * p[wi];
                            }
                    }
}

static void ref_free(ref *r)
{
    free(r->y), free(r->gw), free(r->gb), free(r->dx);
}

static void check(const float *got, const double *want, size_t n, double scale, const char *what,
                  const char *name, size_t rows, size_t chunk)
{
    for (size_t i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-5 * scale + 1e-5 * fabs(want[i]))) {
            print_error("%s, %zu rows, chunk %zu: %s[%zu] = %.9g, reference %.9g\n", name, rows,
                        chunk, what, i, got[i], want[i]);
            fail();
        }
}

static void run_case(const conv_case *cc)
{
    gan_net *net;
    const size_t in = cc->ic * cc->h * cc->w;
    assert_int_equal(gan_net_create(&net, in), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, cc->ic, cc->h, cc->w), GAN_OK);
    if (cc->deconv)
        assert_int_equal(gan_net_add_deconv2d(net, cc->oc, cc->k, cc->s, cc->p, cc->out_pad,
                                              GAN_ACT_IDENTITY),
                         GAN_OK);
    else
        assert_int_equal(gan_net_add_conv2d(net, cc->oc, cc->k, cc->s, cc->p, GAN_ACT_IDENTITY),
                         GAN_OK);
    gan_layer_shape sh;
    assert_int_equal(gan_net_layer_shape(&sh, net, 1), GAN_OK);
    const size_t out = gan_net_output_width(net), np = gan_net_num_params(net);
    gan__layer *l = &net->layers[1];
    const size_t per = gan__conv_row_floats(l), planned = l->colw / per;
    assert_true(planned >= 1 && l->colw % per == 0);
    /* Few column rows plan one example per product, the rest a chunk of
     * more than all the rows tested (so the chunks below are all run). */
    const size_t col_rows = (cc->deconv ? cc->oc : cc->ic) * cc->k * cc->k;
    if (col_rows <= GAN__CONV_DIRECT_K)
        assert_int_equal(planned, 1);
    else
        assert_true(planned > 7);

    const size_t max_rows = 7;
    float *p = seeded_uniform(np, 11, -1.0f, 1.0f);
    float *x = seeded_uniform(max_rows * in, 12, -1.0f, 1.0f);
    float *dy = seeded_uniform(max_rows * out, 13, -1.0f, 1.0f);
    float *dx = xmalloc(max_rows * in * sizeof *dx), *g = xmalloc(np * sizeof *g);
    float *y = xmalloc(max_rows * out * sizeof *y);
    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
    /* Magnitude of a sum of k k ic (or oc) products of values below 1. */
    const double scale = (double)(cc->k * cc->k * (cc->ic > cc->oc ? cc->ic : cc->oc));

    const size_t row_counts[] = {1, 2, 5, 7};
    const size_t chunks[] = {1, 2, 3, 64};
    for (size_t ri = 0; ri < sizeof row_counts / sizeof *row_counts; ri++) {
        const size_t rows = row_counts[ri];
        ref r;
        reference(&r, cc, &sh, p, x, dy, rows);
        for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++) {
            const size_t chunk = chunks[ci] < planned ? chunks[ci] : planned;
            l->colw = chunk * per; /* net->col keeps its planned size */
            assert_int_equal(gan_net_train_forward(net, NULL, x, rows, in), GAN_OK);
            const float *ty;
            size_t tr, tc;
            assert_int_equal(gan_net_train_output(&ty, &tr, &tc, net, 0), GAN_OK);
            check(ty, r.y, rows * out, scale, "y", cc->name, rows, chunk);
            assert_int_equal(gan_net_forward(y, out, net, x, rows, in, 0), GAN_OK);
            check(y, r.y, rows * out, scale, "inference y", cc->name, rows, chunk);

            assert_int_equal(gan_net_backward(dx, net, dy, rows, out, 0), GAN_OK);
            assert_int_equal(gan_net_get_grads(g, np, net), GAN_OK);
            check(dx, r.dx, rows * in, scale, "dx", cc->name, rows, chunk);
            check(g, r.gw, np - cc->oc, scale * (double)rows, "dW", cc->name, rows, chunk);
            check(g + np - cc->oc, r.gb, cc->oc, scale * (double)rows, "db", cc->name, rows,
                  chunk);
            /* Accumulating: every chunk adds to what the first one found. */
            assert_int_equal(gan_net_backward(NULL, net, dy, rows, out, GAN_BACKWARD_ACCUMULATE),
                             GAN_OK);
            assert_int_equal(gan_net_get_grads(g, np, net), GAN_OK);
            for (size_t i = 0; i < np; i++)
                g[i] *= 0.5f;
            check(g, r.gw, np - cc->oc, scale * (double)rows, "accumulated dW", cc->name, rows,
                  chunk);
            check(g + np - cc->oc, r.gb, cc->oc, scale * (double)rows, "accumulated db",
                  cc->name, rows, chunk);
        }
        ref_free(&r);
    }
    free(p), free(x), free(dy), free(dx), free(g), free(y);
    gan_net_free(net);
}

static void test_conv_chunks(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {"conv 5->4 4x4 s2 p1 on 9x8", 0, 5, 9, 8, 4, 4, 2, 1, 0},
        {"conv 8->3 3x3 s1 p1 on 5x6", 0, 8, 5, 6, 3, 3, 1, 1, 0},
        {"conv 3->2 5x5 s3 p2 on 7x7", 0, 3, 7, 7, 2, 5, 3, 2, 0},
        /* c k k <= GAN__CONV_DIRECT_K: one example per product. */
        {"conv 3->4 4x4 s2 p1 on 9x8", 0, 3, 9, 8, 4, 4, 2, 1, 0},
        {"conv 1->2 1x1 s1 p0 on 3x3", 0, 1, 3, 3, 2, 1, 1, 0, 0},
        /* ... in phase geometry (k - 2 p = s, s divides the image): im2col
         * through the image's phase planes, with taps shifted by up to
         * two rows and columns, and taps wholly in the padding. */
        {"conv 1->4 4x4 s2 p1 on 8x10", 0, 1, 8, 10, 4, 4, 2, 1, 0},
        {"conv 1->3 3x3 s1 p1 on 5x6", 0, 1, 5, 6, 3, 3, 1, 1, 0},
        {"conv 2->3 5x5 s3 p1 on 9x6", 0, 2, 9, 6, 3, 5, 3, 1, 0},
        {"conv 1->2 8x8 s2 p3 on 8x6", 0, 1, 8, 6, 2, 8, 2, 3, 0},
        {"conv 1->2 8x8 s2 p3 on 2x4", 0, 1, 2, 4, 2, 8, 2, 3, 0},
        {"conv 1->2 2x2 s2 p0 on 6x4", 0, 1, 6, 4, 2, 2, 2, 0, 0},
        /* More than 1024 output positions: im2col without its tap table. */
        {"conv 8->2 3x3 s1 p1 on 33x33", 0, 8, 33, 33, 2, 3, 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_case(&cases[i]);
}

static void test_deconv_chunks(void **state)
{
    (void)state;
    static const conv_case cases[] = {
        {"deconv 4->5 4x4 s2 p1 on 4x5", 1, 4, 4, 5, 5, 4, 2, 1, 0},
        {"deconv 3->8 3x3 s1 p0 on 3x3", 1, 3, 3, 3, 8, 3, 1, 0, 0},
        {"deconv 2->3 5x5 s3 p1 out_pad 2 on 3x4", 1, 2, 3, 4, 3, 5, 3, 1, 2},
        /* oc k k <= GAN__CONV_DIRECT_K: one example per product. */
        {"deconv 4->3 4x4 s2 p1 on 4x5", 1, 4, 4, 5, 3, 4, 2, 1, 0},
        /* ... in phase geometry: im2col of the output gradient through its
         * phase planes. */
        {"deconv 3->1 4x4 s2 p1 on 4x5", 1, 3, 4, 5, 1, 4, 2, 1, 0},
        {"deconv 2->2 3x3 s1 p1 on 5x4", 1, 2, 5, 4, 2, 3, 1, 1, 0},
        /* More than 1024 input positions: im2col without its tap table. */
        {"deconv 2->5 3x3 s1 p1 on 33x33", 1, 2, 33, 33, 5, 3, 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        run_case(&cases[i]);
}

/* The planned chunk: the DCGAN's large layers take the whole batch of 64,
 * its one-channel ones one example, a big layer (the CIFAR-10 model's
 * first conv) is capped near 16 MiB. */
static void test_planned_chunk(void **state)
{
    (void)state;
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 64 * 14 * 14), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 64, 14, 14), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 128, 4, 2, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    const gan__layer *l = &net->layers[1];
    assert_int_equal(l->colw / gan__conv_row_floats(l), GAN__CONV_CHUNK_ROWS);
    gan_net_free(net);

    assert_int_equal(gan_net_create(&net, 28 * 28), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 1, 28, 28), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 64, 4, 2, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    l = &net->layers[1];
    assert_int_equal(l->colw, gan__conv_row_floats(l));
    gan_net_free(net);

    assert_int_equal(gan_net_create(&net, 64 * 14 * 14), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 64, 14, 14), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 1, 4, 2, 1, 0, GAN_ACT_SIGMOID), GAN_OK);
    l = &net->layers[1];
    assert_int_equal(l->colw, gan__conv_row_floats(l));
    gan_net_free(net);

    assert_int_equal(gan_net_create(&net, 3 * 32 * 32), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 3, 32, 32), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 64, 8, 1, 4, GAN_ACT_IDENTITY), GAN_OK);
    l = &net->layers[1];
    const size_t per = gan__conv_row_floats(l);
    assert_int_equal(per, 3 * 64 * 33 * 33 + 64 * 33 * 33);
    assert_true(l->colw <= GAN__CONV_CHUNK_FLOATS);
    assert_int_equal(l->colw / per, GAN__CONV_CHUNK_FLOATS / per);
    gan_net_free(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_chunks),
        cmocka_unit_test(test_deconv_chunks),
        cmocka_unit_test(test_planned_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
