/* bench_net: time training passes of the paper's MNIST nets at batch 100
 * beside the time cblas_sgemm alone needs for exactly the same products,
 * measured in the same run, and print the layer code's overhead.
 *
 *   G = 100 -> 1200 ReLU -> 1200 ReLU -> 784 sigmoid
 *   D = 784 -> dropout .8 -> maxout 240x5 -> dropout .5 -> maxout 240x5
 *           -> dropout .5 -> 1 sigmoid
 *
 * Passes timed (each a training forward followed by a backward):
 *   G params  : G forward, backward with parameter gradients (no dx)
 *   D params  : D forward, backward from the logit with parameter
 *               gradients (no dx)  -- D's own step
 *   D -> input: D forward, backward from the logit into D's input, no
 *               parameter gradients -- G's step through D
 *   G infer   : gan_net_forward of G (inference, allocates its scratch)
 * Products per layer with parameters: forward Y = X W (rows x out x in),
 * dW = X^T dY (in x out x rows), dX = dY W^T (rows x in x out); the first
 * layer needs no dX unless the input gradient is asked for.
 *
 *   usage: bench_net [repetitions] [warmup]
 *
 * Each repetition times one libgan pass and then one pass of the pure
 * sgemm list, interleaved so both see the same machine; medians are
 * reported. Target: the layer code adds no more than 25% over sgemm.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "blas.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One row-major product C (m x n) = op(A) op(B), with its own buffers. */
struct gemm {
    int ta, tb, m, n, k;
    float *a, *b, *c;
};

struct gemm_list {
    struct gemm g[16];
    int n;
};

static void add(struct gemm_list *L, int ta, int tb, int m, int n, int k)
{
    struct gemm *q = &L->g[L->n++];
    q->ta = ta;
    q->tb = tb;
    q->m = m;
    q->n = n;
    q->k = k;
    q->a = q->b = q->c = NULL;
}

/* Products of a stack of layers with parameters (in[l] -> cols[l]). */
static void add_forward(struct gemm_list *L, const int *in, const int *cols, int nl)
{
    for (int l = 0; l < nl; l++)
        add(L, 0, 0, BATCH, cols[l], in[l]);
}

static void add_backward(struct gemm_list *L, const int *in, const int *cols, int nl, int params,
                         int first_dx)
{
    for (int l = nl - 1; l >= 0; l--) {
        if (params)
            add(L, 1, 0, in[l], cols[l], BATCH);
        if (l > 0 || first_dx)
            add(L, 0, 1, BATCH, in[l], cols[l]);
    }
}

static double flops(const struct gemm_list *L)
{
    double f = 0;
    for (int i = 0; i < L->n; i++)
        f += 2.0 * L->g[i].m * L->g[i].n * L->g[i].k;
    return f;
}

static float *rand_buf(gan_rng *rng, size_t n)
{
    float *p = malloc(n * sizeof *p);
    if (p != NULL && gan_rng_uniform(p, n, rng, -1.0f, 1.0f) != GAN_OK) {
        free(p);
        p = NULL;
    }
    return p;
}

static int alloc_list(struct gemm_list *L, gan_rng *rng)
{
    for (int i = 0; i < L->n; i++) {
        struct gemm *q = &L->g[i];
        q->a = rand_buf(rng, (size_t)q->m * q->k);
        q->b = rand_buf(rng, (size_t)q->k * q->n);
        q->c = rand_buf(rng, (size_t)q->m * q->n);
        if (!q->a || !q->b || !q->c)
            return -1;
    }
    return 0;
}

static void free_list(struct gemm_list *L)
{
    for (int i = 0; i < L->n; i++) {
        free(L->g[i].a);
        free(L->g[i].b);
        free(L->g[i].c);
    }
}

static double run_list(const struct gemm_list *L)
{
    double t0 = now();
    for (int i = 0; i < L->n; i++) {
        const struct gemm *q = &L->g[i];
        cblas_sgemm(CblasRowMajor, q->ta ? CblasTrans : CblasNoTrans,
                    q->tb ? CblasTrans : CblasNoTrans, q->m, q->n, q->k, 1.0f, q->a,
                    q->ta ? q->m : q->k, q->b, q->tb ? q->k : q->n, 0.0f, q->c, q->n);
    }
    return now() - t0;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_net: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

/* The libgan side of a case. */
enum pass { G_PARAMS, D_PARAMS, D_INPUT, G_INFER };

struct rig {
    gan_net *g, *d;
    gan_rng *rng;
    float *z, *x, *dy_g, *dy_d, *dx_d, *out_g;
};

static int lib_pass(struct rig *r, enum pass p)
{
    int rc;
    switch (p) {
    case G_PARAMS:
        if ((rc = gan_net_train_forward(r->g, NULL, r->z, BATCH, 100)) != GAN_OK)
            return rc;
        return gan_net_backward(NULL, r->g, r->dy_g, BATCH, 784, 0);
    case D_PARAMS:
        if ((rc = gan_net_train_forward(r->d, r->rng, r->x, BATCH, 784)) != GAN_OK)
            return rc;
        return gan_net_backward(NULL, r->d, r->dy_d, BATCH, 1, GAN_BACKWARD_LOGITS);
    case D_INPUT:
        if ((rc = gan_net_train_forward(r->d, r->rng, r->x, BATCH, 784)) != GAN_OK)
            return rc;
        return gan_net_backward(r->dx_d, r->d, r->dy_d, BATCH, 1,
                                GAN_BACKWARD_LOGITS | GAN_BACKWARD_NO_PARAMS);
    case G_INFER:
        return gan_net_forward(r->out_g, 784, r->g, r->z, BATCH, 100, 0);
    }
    return GAN_EINVAL;
}

static int build(struct rig *r)
{
    int rc = gan_rng_create(&r->rng, 7);
    if (!rc) rc = gan_net_create(&r->g, 100);
    if (!rc) rc = gan_net_add_dense(r->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(r->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(r->g, 784, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(r->g, r->rng, GAN_INIT_UNIFORM, 0.05f);
    if (!rc) rc = gan_net_create(&r->d, 784);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.8f);
    if (!rc) rc = gan_net_add_maxout(r->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.5f);
    if (!rc) rc = gan_net_add_maxout(r->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.5f);
    if (!rc) rc = gan_net_add_dense(r->d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(r->d, r->rng, GAN_INIT_UNIFORM, 0.005f);
    if (rc)
        return rc;
    r->z = rand_buf(r->rng, BATCH * 100);
    r->x = rand_buf(r->rng, BATCH * 784);
    r->dy_g = rand_buf(r->rng, BATCH * 784);
    r->dy_d = rand_buf(r->rng, BATCH);
    r->dx_d = rand_buf(r->rng, BATCH * 784);
    r->out_g = rand_buf(r->rng, BATCH * 784);
    if (!r->z || !r->x || !r->dy_g || !r->dy_d || !r->dx_d || !r->out_g)
        return GAN_ENOMEM;
    /* x in [0, 1] like pixels. */
    for (size_t i = 0; i < BATCH * 784; i++)
        r->x[i] = 0.5f + 0.5f * r->x[i];
    return GAN_OK;
}

static void unbuild(struct rig *r)
{
    gan_net_free(r->g);
    gan_net_free(r->d);
    gan_rng_free(r->rng);
    free(r->z);
    free(r->x);
    free(r->dy_g);
    free(r->dy_d);
    free(r->dx_d);
    free(r->out_g);
}

static const int g_in[3] = {100, 1200, 1200}, g_cols[3] = {1200, 1200, 784};
static const int d_in[3] = {784, 240, 240}, d_cols[3] = {1200, 1200, 1};

static void case_gemms(struct gemm_list *L, enum pass p)
{
    L->n = 0;
    switch (p) {
    case G_PARAMS:
        add_forward(L, g_in, g_cols, 3);
        add_backward(L, g_in, g_cols, 3, 1, 0);
        break;
    case D_PARAMS:
        add_forward(L, d_in, d_cols, 3);
        add_backward(L, d_in, d_cols, 3, 1, 0);
        break;
    case D_INPUT:
        add_forward(L, d_in, d_cols, 3);
        add_backward(L, d_in, d_cols, 3, 0, 1);
        break;
    case G_INFER:
        add_forward(L, g_in, g_cols, 3);
        break;
    }
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench_net [repetitions>0] [warmup>=0]\n";
    unsigned reps_arg = 200, warm_arg = 20;
    if (argc > 1 && args_is_help(argv[1])) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 3 ||
        (argc > 1 && args_unsigned(&reps_arg, "bench_net", "repetitions", argv[1], 1,
                                   1000000) != 0) ||
        (argc > 2 && args_unsigned(&warm_arg, "bench_net", "warmup", argv[2], 0, 1000000) != 0)) {
        fputs(usage, stderr);
        return ARGS_EXIT_USAGE;
    }
    const int reps = (int)reps_arg, warm = (int)warm_arg;
    const char *core = getenv("OPENBLAS_CORETYPE"), *thr = getenv("OPENBLAS_NUM_THREADS");
    printf("libgan %s, BLAS: %s\n", gan_version_string(), gan_blas_info());
    printf("OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s, batch %d, %d repetitions "
           "(median), %d warm-up\n",
           core ? core : "(unset)", thr ? thr : "(unset)", BATCH, reps, warm);

    struct rig r;
    memset(&r, 0, sizeof r);
    int rc = build(&r);
    if (rc)
        return fail("building G and D", rc);

    static const char *names[4] = {"G fwd+bwd (params)", "D fwd+bwd (params)",
                                   "D fwd+bwd -> input", "G inference forward"};
    double *tl = malloc((size_t)reps * sizeof *tl), *tg = malloc((size_t)reps * sizeof *tg);
    double *tx = malloc((size_t)reps * sizeof *tx);
    if (!tl || !tg || !tx)
        return fail("allocating", GAN_ENOMEM);
    double sum_lib = 0, sum_gemm = 0, sum_flops = 0;
    int worst_ok = 1;
    for (int c = 0; c < 4; c++) {
        enum pass p = (enum pass)c;
        struct gemm_list L, X;
        case_gemms(&L, p);
        /* D params: the same list plus the first maxout layer's input
         * gradient, which D's own step does not need (diagnostic). */
        X = L;
        if (p == D_PARAMS)
            add(&X, 0, 1, BATCH, d_in[0], d_cols[0]);
        if (alloc_list(&L, r.rng) || (p == D_PARAMS && alloc_list(&X, r.rng)))
            return fail("allocating sgemm operands", GAN_ENOMEM);
        for (int i = 0; i < warm; i++) {
            if ((rc = lib_pass(&r, p)) != GAN_OK)
                return fail(names[c], rc);
            run_list(&L);
        }
        for (int i = 0; i < reps; i++) {
            double t0 = now();
            if ((rc = lib_pass(&r, p)) != GAN_OK)
                return fail(names[c], rc);
            tl[i] = now() - t0;
            tg[i] = run_list(&L);
            tx[i] = p == D_PARAMS ? run_list(&X) : 0;
        }
        double f = flops(&L), ml = median(tl, reps), mg = median(tg, reps);
        double over = ml / mg - 1.0;
        printf("%-20s: %7.3f ms %6.1f GFLOP/s | sgemm %7.3f ms %6.1f GFLOP/s | "
               "%.3f GFLOP, %2d GEMMs | overhead %+6.1f%% %s\n",
               names[c], ml * 1e3, f / ml * 1e-9, mg * 1e3, f / mg * 1e-9, f * 1e-9, L.n,
               100 * over, over <= 0.25 ? "(<= 25%: ok)" : "(> 25%: over target)");
        if (p == D_PARAMS) {
            double mx = median(tx, reps);
            printf("%-20s  sgemm incl. the unneeded first-layer dX (%d GEMMs, %.3f GFLOP): "
                   "%.3f ms; libgan vs that: %+.1f%%\n",
                   "", X.n, flops(&X) * 1e-9, mx * 1e3, 100 * (ml / mx - 1.0));
            free_list(&X);
        }
        if (p != G_INFER) {
            sum_lib += ml;
            sum_gemm += mg;
            sum_flops += f;
            worst_ok &= over <= 0.25;
        }
        free_list(&L);
    }
    printf("%-20s: %7.3f ms %6.1f GFLOP/s | sgemm %7.3f ms %6.1f GFLOP/s | overhead %+6.1f%%\n",
           "training passes", sum_lib * 1e3, sum_flops / sum_lib * 1e-9, sum_gemm * 1e3,
           sum_flops / sum_gemm * 1e-9, 100 * (sum_lib / sum_gemm - 1.0));
    printf("target (layer code <= 25%% over pure sgemm on every training pass): %s\n",
           worst_ok ? "met" : "NOT met");
    free(tl);
    free(tg);
    free(tx);
    unbuild(&r);
    return 0;
}
