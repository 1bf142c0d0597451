/* bench_iteration: time one training iteration of the paper's MNIST model
 * (batch 100, k = 1) in both update orders, beside the sgemm-bound floor:
 * the time cblas_sgemm alone takes for exactly the products an iteration
 * performs, measured in the same run.
 *
 *   usage: bench_iteration [iterations] [warmup]
 *
 * Data are random numbers of MNIST's shape (timing does not depend on pixel
 * values), as in the PyTorch peer (docs/paper.md §5).
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "blas.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define M 100
#define Z 100
#define PIX 784

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One matrix product of an iteration, in row-major terms. */
struct gemm {
    int ta, tb;   /* transpose A / B */
    int m, n, k;
    int count;    /* how many times per iteration */
};

/* Layer widths: G 100-1200-1200-784, D 784-1200(maxout 240x5)-1200(240x5)-1. */
static const int g_in[3] = {Z, 1200, 1200}, g_out[3] = {1200, 1200, PIX};
static const int d_in[3] = {PIX, 240, 240}, d_out[3] = {1200, 1200, 1};

static int add(struct gemm *g, int n, int ta, int tb, int mm, int nn, int kk)
{
    g[n].ta = ta;
    g[n].tb = tb;
    g[n].m = mm;
    g[n].n = nn;
    g[n].k = kk;
    g[n].count = 1;
    return n + 1;
}

/* forward: Y = X W; dW = X^T dY; dX = dY W^T */
static int fwd(struct gemm *g, int n, const int *in, const int *out, int rows)
{
    for (int l = 0; l < 3; l++)
        n = add(g, n, 0, 0, rows, out[l], in[l]);
    return n;
}

static int bwd(struct gemm *g, int n, const int *in, const int *out, int rows, int params,
               int first_dx)
{
    for (int l = 0; l < 3; l++) {
        if (params)
            n = add(g, n, 1, 0, in[l], out[l], rows);
        if (l > 0 || first_dx)
            n = add(g, n, 0, 1, rows, in[l], out[l]);
    }
    return n;
}

static int iteration_gemms(struct gemm *g, int simultaneous)
{
    int n = 0;
    if (!simultaneous) {
        n = fwd(g, n, g_in, g_out, M);          /* D step: G(z) */
        n = fwd(g, n, d_in, d_out, 2 * M);      /* D on [real; fake] */
        n = bwd(g, n, d_in, d_out, 2 * M, 1, 0);
        n = fwd(g, n, g_in, g_out, M);          /* G step: G(z') */
        n = fwd(g, n, d_in, d_out, M);          /* D(G(z')) */
        n = bwd(g, n, d_in, d_out, M, 0, 1);    /* into G's output */
        n = bwd(g, n, g_in, g_out, M, 1, 0);
    } else {
        n = fwd(g, n, g_in, g_out, M);
        n = fwd(g, n, d_in, d_out, 2 * M);
        n = bwd(g, n, d_in, d_out, 2 * M, 1, 0);
        n = bwd(g, n, d_in, d_out, M, 0, 1);
        n = bwd(g, n, g_in, g_out, M, 1, 0);
    }
    return n;
}

static double gemm_flops(const struct gemm *g, int n)
{
    double f = 0;
    for (int i = 0; i < n; i++)
        f += 2.0 * g[i].m * g[i].n * g[i].k * g[i].count;
    return f;
}

/* Seconds per iteration that sgemm alone needs for these products. */
static double sgemm_floor(const struct gemm *g, int n, int reps)
{
    size_t big = 1200 * 1200 * 2;
    float *a = calloc(big, sizeof(float)), *b = calloc(big, sizeof(float)),
          *c = calloc(big, sizeof(float));
    double best = INFINITY;
    for (size_t i = 0; i < big; i++) {
        a[i] = (float)((i * 7) % 13) * 0.01f;
        b[i] = (float)((i * 5) % 11) * 0.01f;
    }
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < n; i++) {
            const struct gemm *q = &g[i];
            int lda = q->ta ? q->m : q->k, ldb = q->tb ? q->k : q->n;
            cblas_sgemm(CblasRowMajor, q->ta ? CblasTrans : CblasNoTrans,
                        q->tb ? CblasTrans : CblasNoTrans, q->m, q->n, q->k, 1.0f, a, lda, b, ldb,
                        0.0f, c, q->n);
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_iteration: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

struct rig {
    gan_net *g, *d;
    gan_optimizer *go, *dopt;
    gan_session *s;
};

static int build(struct rig *r, gan_dataset *data, int order)
{
    gan_rng *rng;
    int rc = gan_rng_create(&rng, 7);
    if (!rc) rc = gan_net_create(&r->g, Z);
    if (!rc) rc = gan_net_add_dense(r->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(r->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(r->g, PIX, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(r->g, rng, GAN_INIT_UNIFORM, 0.05f);
    if (!rc) rc = gan_net_create(&r->d, PIX);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.8f);
    if (!rc) rc = gan_net_add_maxout(r->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.5f);
    if (!rc) rc = gan_net_add_maxout(r->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(r->d, 0.5f);
    if (!rc) rc = gan_net_add_dense(r->d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(r->d, rng, GAN_INIT_UNIFORM, 0.005f);
    gan_rng_free(rng);
    if (rc)
        return rc;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    oo.lr_decay = 1.000004f;
    oo.lr_min = 1e-6f;
    oo.momentum_final = 0.7f;
    oo.momentum_saturate_epoch = 250;
    if ((rc = gan_optimizer_create(&r->go, r->g, &oo)) != GAN_OK)
        return rc;
    if ((rc = gan_optimizer_create(&r->dopt, r->d, &oo)) != GAN_OK)
        return rc;
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_scale = sqrtf(3.0f);
    so.update_order = (uint32_t)order;
    so.d_loss_half = 1;
    so.seed = 3;
    return gan_session_create(&r->s, r->g, r->d, r->go, r->dopt, data, &so);
}

static void unbuild(struct rig *r)
{
    gan_session_free(r->s);
    gan_optimizer_free(r->go);
    gan_optimizer_free(r->dopt);
    gan_net_free(r->g);
    gan_net_free(r->d);
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench_iteration [iterations>0] [warmup>=0]\n";
    unsigned iters_arg = 200, warm_arg = 20;
    if (argc > 1 && args_is_help(argv[1])) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 3 ||
        (argc > 1 && args_unsigned(&iters_arg, "bench_iteration", "iterations", argv[1], 1,
                                   1000000) != 0) ||
        (argc > 2 && args_unsigned(&warm_arg, "bench_iteration", "warmup", argv[2], 0,
                                   1000000) != 0)) {
        fputs(usage, stderr);
        return ARGS_EXIT_USAGE;
    }
    const int iters = (int)iters_arg, warm = (int)warm_arg;
    const char *core = getenv("OPENBLAS_CORETYPE");
    printf("libgan %s, BLAS: %s, OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s\n",
           gan_version_string(), gan_blas_info(), core ? core : "(unset)",
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "(unset)");

    size_t rows = 50000;
    float *x = malloc(rows * PIX * sizeof *x);
    gan_rng *rng;
    gan_dataset *data;
    if (x == NULL || gan_rng_create(&rng, 1) != GAN_OK)
        return 1;
    gan_rng_uniform(x, rows * PIX, rng, 0.0f, 1.0f);
    gan_rng_free(rng);
    int rc = gan_dataset_create(&data, x, rows, PIX);
    free(x);
    if (rc)
        return fail("dataset", rc);

    const char *names[2] = {"alternating", "simultaneous"};
    for (int order = 0; order < 2; order++) {
        struct gemm g[64];
        int n = iteration_gemms(g, order);
        double flops = gemm_flops(g, n);
        struct rig r = {0};
        if ((rc = build(&r, data, order)) != GAN_OK)
            return fail("building the model", rc);
        for (int i = 0; i < warm; i++)
            if ((rc = gan_session_step(NULL, r.s)) != GAN_OK)
                return fail("step", rc);
        /* Interleave libgan and the sgemm floor in rounds so both see the
         * same machine conditions; report the best round of each. */
        double best_iter = INFINITY, best_floor = INFINITY;
        int rounds = 5, per = iters / rounds > 0 ? iters / rounds : 1;
        for (int round = 0; round < rounds; round++) {
            double t0 = now();
            for (int i = 0; i < per; i++)
                if ((rc = gan_session_step(NULL, r.s)) != GAN_OK)
                    return fail("step", rc);
            double dt = (now() - t0) / per;
            if (dt < best_iter)
                best_iter = dt;
            double fl = sgemm_floor(g, n, per > 10 ? 10 : per);
            if (fl < best_floor)
                best_floor = fl;
        }
        printf("%-12s: %7.2f ms/iteration  %6.1f GFLOP/s  (%.2f GFLOP/iteration); "
               "sgemm floor %6.2f ms (%6.1f GFLOP/s); ratio to floor %.2fx\n",
               names[order], best_iter * 1e3, flops / best_iter * 1e-9, flops * 1e-9,
               best_floor * 1e3, flops / best_floor * 1e-9, best_iter / best_floor);
        fflush(stdout);
        unbuild(&r);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
    gan_dataset_free(data);
    return 0;
}
