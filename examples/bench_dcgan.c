/* bench_dcgan: time one DCGAN training iteration at batch 64 (one D step
 * then one G step, Adam) with the model of examples/dcgan_model.h, the one
 * examples/torch_dcgan.py times in PyTorch, and print one JSON line of the
 * same kind as the peer's (examples/bench_dcgan_vs_peer.sh reads both).
 *
 *   usage: bench_dcgan [THREADS] [ITERATIONS] [WARMUP]
 *
 * THREADS (default $OPENBLAS_NUM_THREADS, else 1) is the session's thread
 * count for the element-wise loops; the matrix products use OpenBLAS's
 * threads, so run it with OPENBLAS_NUM_THREADS=THREADS as the script does.
 * ITERATIONS defaults to 50, WARMUP to 10. Data are random numbers of
 * MNIST's shape in [0, 1], as in the peer: timing does not depend on pixel
 * values. Each iteration is timed on its own; the median is
 * "ms_per_iteration", the median process CPU time (all threads)
 * "cpu_ms_per_iteration", as the peer reports them.
 *
 * D has its batch norm, as in the peer (dcgan trains without it by default).
 * The per-layer passes against the sgemm floor are examples/bench_conv's.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "dcgan_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define ROWS 50000
#define MAX_ITERS 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_dcgan: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench_dcgan [THREADS 1..64] [ITERATIONS 1..100000] "
                                "[WARMUP>=0]\n";
    const char *env = getenv("OPENBLAS_NUM_THREADS");
    unsigned threads = 1, iters = 50, warmup = 10;
    if (argc > 1 && args_is_help(argv[1])) {
        fputs(usage, stdout);
        return 0;
    }
    if (env != NULL && args_unsigned(&threads, "bench_dcgan", "OPENBLAS_NUM_THREADS", env, 1,
                                     64) != 0)
        return ARGS_EXIT_USAGE;
    if (argc > 4 ||
        (argc > 1 && args_unsigned(&threads, "bench_dcgan", "THREADS", argv[1], 1, 64) != 0) ||
        (argc > 2 &&
         args_unsigned(&iters, "bench_dcgan", "ITERATIONS", argv[2], 1, MAX_ITERS) != 0) ||
        (argc > 3 && args_unsigned(&warmup, "bench_dcgan", "WARMUP", argv[3], 0, 100000) != 0)) {
        fputs(usage, stderr);
        return ARGS_EXIT_USAGE;
    }

    gan_rng *rng;
    int rc = gan_rng_create(&rng, 1);
    if (rc)
        return fail("rng", rc);
    float *x = malloc((size_t)ROWS * DCGAN_PIXELS * sizeof *x);
    double *times = malloc(2 * iters * sizeof *times), *cpu = times + iters;
    if (x == NULL || times == NULL)
        return fail("memory", GAN_ENOMEM);
    gan_dataset *data = NULL;
    gan_net *g = NULL, *d = NULL;
    gan_optimizer *go = NULL, *dopt = NULL;
    gan_session *s = NULL;
    rc = gan_rng_uniform(x, (size_t)ROWS * DCGAN_PIXELS, rng, 0.0f, 1.0f);
    if (!rc) rc = gan_dataset_create(&data, x, ROWS, DCGAN_PIXELS);
    free(x);
    if (!rc) rc = dcgan_build(&g, &d, rng, 1);
    gan_optimizer_options oo = dcgan_adam();
    if (!rc) rc = gan_optimizer_create(&go, g, &oo);
    if (!rc) rc = gan_optimizer_create(&dopt, d, &oo);
    gan_session_options so = dcgan_session_options(3);
    so.threads = threads;
    if (!rc) rc = gan_session_create(&s, g, d, go, dopt, data, &so);
    if (rc)
        return fail("building the model", rc);

    for (unsigned i = 0; i < warmup; i++)
        if ((rc = gan_session_step(NULL, s)) != GAN_OK)
            return fail("step", rc);
    double sum = 0;
    for (unsigned i = 0; i < iters; i++) {
        const double t0 = now(), c0 = cpu_now();
        if ((rc = gan_session_step(NULL, s)) != GAN_OK)
            return fail("step", rc);
        times[i] = (now() - t0) * 1e3;
        cpu[i] = (cpu_now() - c0) * 1e3;
        sum += times[i];
    }
    const double med = median(times, iters), cpu_med = median(cpu, iters);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"peer\": \"libgan %s\", \"model\": \"dcgan_mnist_28x28\", \"threads\": %u, "
           "\"batch\": %d, \"warmup\": %u, \"iterations\": %u, \"ms_per_iteration\": %.2f, "
           "\"ms_mean\": %.2f, \"ms_min\": %.2f, \"cpu_ms_per_iteration\": %.2f, \"blas_info\": \"%s\", "
           "\"parameters_g\": %zu, \"parameters_d\": %zu, \"peak_rss_mb\": %.1f}\n",
           gan_version_string(), threads, DCGAN_BATCH, warmup, iters, med, sum / iters, times[0], cpu_med,
           gan_blas_info(), gan_net_num_params(g), gan_net_num_params(d),
           ru.ru_maxrss / 1024.0);
    free(times);
    gan_session_free(s);
    gan_optimizer_free(go);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_dataset_free(data);
    gan_rng_free(rng);
    return 0;
}
