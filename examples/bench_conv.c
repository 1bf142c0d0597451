/* bench_conv: time the DCGAN's convolution layers at batch 64 beside the
 * time cblas_sgemm alone needs for exactly the products the layer makes
 * (the "sgemm floor"), measured in the same run, and print the ratio.
 *
 * The layers lower a chunk of B examples per product (net_conv.c; B is the
 * layer's planned chunk, read from the layer: 64 for the two large layers,
 * so one product per batch, and 1 for the one-channel layers), with P the
 * output (conv) or input (deconv) pixels of one example:
 *   conv2d   forward  Y (oc x B P)  = W (oc x K) col (K x B P),  K = ic k k
 *            backward dW (oc x K)   = dY col^T,  dcol (K x B P) = W^T dY
 *   deconv2d forward  col (K' x B Pin) = W^T (K' x ic) X (ic x B Pin),
 *            K' = oc k k
 *            backward dW (ic x K')  = X dcol^T,  dX (ic x B Pin) = W dcol
 * What the layer adds is im2col / col2im, the copies between the rows and
 * the products' (channel, example, pixel) layout, the bias and the
 * activation.
 *
 * Each layer has the activation it has in examples/dcgan_model.h: none on
 * the three inner layers (a batch norm or an activation layer follows them
 * there) and sigmoid on G's output layer. "fwd" and "bwd" time the layer's
 * own forward and backward functions (net_conv.c), which is the
 * convolution the goal is about; "in a net" times gan_net_train_forward +
 * gan_net_backward of a net of a reshape and the layer, which adds the
 * copy of the batch into the net and the reshape's copy of the input
 * gradient (3.2 MB each way for the deconv 64 -> 1).
 *
 *   usage: bench_conv [repetitions] [warmup]
 *
 * Each repetition times the layer, the same layer in a net, and then the
 * bare products, interleaved so that all see the same machine; medians are
 * reported. Goal: the layer within 1.5x of the floor. */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "blas.h"
#include "net_conv.h"
#include "net_layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 64
#define MAX_REPS 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct layer_case {
    const char *name;
    int deconv;
    size_t ic, h, w, oc, k, s, p;
    gan_activation act;
} layer_case;

static float *filled(size_t n, gan_rng *rng)
{
    float *a = malloc((n ? n : 1) * sizeof *a);
    if (a == NULL || gan_rng_uniform(a, n, rng, -1.0f, 1.0f) != GAN_OK) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return a;
}

static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, size_t m, size_t n, size_t k,
                 const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
                 size_t ldc)
{
    cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb,
                beta, c, (int)ldc);
}

/* The bare products' row-side operand for the chunk at example n0: one
 * example at a time (chunk 1) each example's own row of row_floats, as the
 * layer reads and writes it; otherwise the one staging buffer, reused. */
static float *row_operand(float *stage, size_t chunk, size_t n0, size_t row_floats)
{
    return chunk == 1 ? stage + n0 * row_floats : stage;
}

static int run_case(const layer_case *lc, gan_rng *rng, int reps, int warmup)
{
    gan_net *net;
    const size_t in = lc->ic * lc->h * lc->w;
    int rc = gan_net_create(&net, in);
    if (rc == GAN_OK)
        rc = gan_net_add_reshape(net, lc->ic, lc->h, lc->w);
    if (rc == GAN_OK)
        rc = lc->deconv ? gan_net_add_deconv2d(net, lc->oc, lc->k, lc->s, lc->p, 0, lc->act)
                        : gan_net_add_conv2d(net, lc->oc, lc->k, lc->s, lc->p, lc->act);
    if (rc == GAN_OK)
        rc = gan_net_init(net, rng, GAN_INIT_NORMAL, 0.02f);
    float *x = NULL, *dy = NULL, *dx = NULL;
    if (rc == GAN_OK) {
        x = filled(BATCH * in, rng);
        /* Sets up the layer's training workspace that the timed passes
         * write to. */
        rc = gan_net_train_forward(net, NULL, x, BATCH, in);
    }
    if (rc != GAN_OK) {
        fprintf(stderr, "%s: %s\n", lc->name, gan_error_last());
        free(x);
        gan_net_free(net);
        return 1;
    }
    gan_layer_shape sh;
    gan_net_layer_shape(&sh, net, 1);
    const size_t out = gan_net_output_width(net);
    const size_t kk = lc->k * lc->k, pin = lc->h * lc->w;
    const size_t pout = (size_t)(sh.out_height * sh.out_width);
    dy = filled(BATCH * out, rng);
    dx = filled(BATCH * in, rng);
    /* Operands of the bare products, at the layer's own chunk. */
    const gan__layer *l = &net->layers[1];
    const size_t chunk = l->colw / gan__conv_row_floats(l);
    const size_t K = lc->deconv ? lc->oc * kk : lc->ic * kk;
    const size_t P = lc->deconv ? pin : pout;
    const size_t other = lc->deconv ? lc->ic : lc->oc; /* staged channels */
    float *w = filled(lc->ic * lc->oc * kk, rng), *col = filled(K * chunk * P, rng);
    /* The row-side operand (the product's output in a conv forward, its
     * input elsewhere): one example at a time (B = 1) the layer reads and
     * writes it in place in each example's own row, so the bare products
     * do too; a chunk of B > 1 goes through one staging buffer, reused. */
    float *gw = filled(lc->ic * lc->oc * kk, rng);
    float *stage = filled(other * (chunk == 1 ? BATCH : chunk) * P, rng);

    /* The layer's passes as the training forward and backward call them
     * (net_forward.c, net_backward.c). */
    const float *params = net->params + l->poff;
    const gan__conv_grad grad = {
        .dx = dx, .gout = net->grads + l->poff, .g = dy,
        .pre = lc->act != GAN_ACT_IDENTITY ? l->pre : NULL, .y = l->y,
        .dpre = net->scratch[2], .x = x, .rows = BATCH, .alpha = 1.0f, .beta = 0.0f};

    double tf[MAX_REPS], tb[MAX_REPS], tn[MAX_REPS], ff[MAX_REPS], fb[MAX_REPS];
    for (int r = -warmup; r < reps; r++) {
        double t0 = now();
        gan__conv_forward(l, params, l->pre, l->y, x, BATCH, net->col);
        double t1 = now();
        gan__conv_backward(l, params, &grad, net->col);
        double t2 = now();
        if (gan_net_train_forward(net, NULL, x, BATCH, in) != GAN_OK ||
            gan_net_backward(dx, net, dy, BATCH, out, 0) != GAN_OK)
            return fprintf(stderr, "%s\n", gan_error_last()), 1;
        const double t2n = now();
        for (size_t n0 = 0; n0 < BATCH; n0 += chunk) {
            const size_t ld = (BATCH - n0 < chunk ? BATCH - n0 : chunk) * P;
            float *st = row_operand(stage, chunk, n0, other * P);
            if (!lc->deconv)
                gemm(CblasNoTrans, CblasNoTrans, lc->oc, ld, K, w, K, col, ld, 0.0f, st, ld);
            else
                gemm(CblasTrans, CblasNoTrans, K, ld, lc->ic, w, K, st, ld, 0.0f, col, ld);
        }
        double t3 = now();
        for (size_t n0 = 0; n0 < BATCH; n0 += chunk) {
            const size_t ld = (BATCH - n0 < chunk ? BATCH - n0 : chunk) * P;
            const float beta = n0 ? 1.0f : 0.0f;
            float *st = row_operand(stage, chunk, n0, other * P);
            if (!lc->deconv) {
                gemm(CblasNoTrans, CblasTrans, lc->oc, K, ld, st, ld, col, ld, beta, gw, K);
                gemm(CblasTrans, CblasNoTrans, K, ld, lc->oc, w, K, st, ld, 0.0f, col, ld);
            } else {
                gemm(CblasNoTrans, CblasTrans, lc->ic, K, ld, st, ld, col, ld, beta, gw, K);
                gemm(CblasNoTrans, CblasNoTrans, lc->ic, ld, K, w, K, col, ld, 0.0f, st, ld);
            }
        }
        double t4 = now();
        if (r >= 0) {
            tf[r] = t1 - t0, tb[r] = t2 - t1, ff[r] = t3 - t2n, fb[r] = t4 - t3;
            tn[r] = t2n - t2;
        }
    }
    const double mf = median(tf, reps), mb = median(tb, reps), mn = median(tn, reps);
    const double sf = median(ff, reps), sb = median(fb, reps);
    printf("%-40s B %2zu fwd %7.3f ms (floor %7.3f, %.2fx)  bwd %7.3f ms (floor %7.3f, %.2fx)  "
           "total %.2fx  in a net %.2fx\n",
           lc->name, chunk, 1e3 * mf, 1e3 * sf, mf / sf, 1e3 * mb, 1e3 * sb, mb / sb,
           (mf + mb) / (sf + sb), mn / (sf + sb));
    free(x), free(dy), free(dx), free(w), free(col), free(gw), free(stage);
    gan_net_free(net);
    return 0;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench_conv [repetitions 1..1000] [warmup>=0]\n";
    unsigned reps_arg = 20, warm_arg = 3;
    if (argc > 1 && args_is_help(argv[1])) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 3 ||
        (argc > 1 && args_unsigned(&reps_arg, "bench_conv", "repetitions", argv[1], 1,
                                   MAX_REPS) != 0) ||
        (argc > 2 && args_unsigned(&warm_arg, "bench_conv", "warmup", argv[2], 0, 1000) != 0)) {
        fputs(usage, stderr);
        return ARGS_EXIT_USAGE;
    }
    const int reps = (int)reps_arg, warmup = (int)warm_arg;
    const char *thr = getenv("OPENBLAS_NUM_THREADS");
    static const layer_case cases[] = {
        {"conv 1->64 4x4 s2 p1 on 28x28", 0, 1, 28, 28, 64, 4, 2, 1, GAN_ACT_IDENTITY},
        {"conv 64->128 4x4 s2 p1 on 14x14", 0, 64, 14, 14, 128, 4, 2, 1, GAN_ACT_IDENTITY},
        {"deconv 128->64 4x4 s2 p1 on 7x7", 1, 128, 7, 7, 64, 4, 2, 1, GAN_ACT_IDENTITY},
        {"deconv 64->1 4x4 s2 p1 on 14x14 sigmoid", 1, 64, 14, 14, 1, 4, 2, 1, GAN_ACT_SIGMOID},
    };
    gan_rng *rng;
    if (gan_rng_create(&rng, 1) != GAN_OK)
        return 1;
    printf("bench_conv: batch %d, median of %d, OPENBLAS_NUM_THREADS=%s (BLAS: %s)\n",
           BATCH, reps, thr ? thr : "unset", gan_blas_info());
    int fail = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fail |= run_case(&cases[i], rng, reps, warmup);
    gan_rng_free(rng);
    return fail;
}
