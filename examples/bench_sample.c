/* Cost of shipping a generator: file size, load time, time per 1,000
 * samples and peak memory of an application that loads a generator file
 * and samples it (docs/deploy.md).
 *
 *   bench_sample [--rows N] [--runs N] [--file PATH] [--keep]
 *
 * A child process builds the paper's MNIST generator (100 -> 1200 ReLU ->
 * 1200 ReLU -> 784 sigmoid, uniform noise in [-sqrt(3), sqrt(3)]) with
 * random weights (timing does not depend on their values) and saves it
 * with gan_generator_save_net. The parent, like an application, then only
 * loads the file (gan_generator_load) and times gan_generator_sample of
 * --rows samples (default 1000) --runs times (default 11) after one
 * warm-up call, and reports the median. Building G happens in the child so
 * that the parent's peak RSS (getrusage) is the application's alone.
 * The file is removed at the end unless --keep is given.
 * Prints figures only; never asserts on time. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gan.h"

#include "args.h"

#define NOISE 100
#define HIDDEN 1200
#define PIXELS 784
#define MAX_RUNS 1001

static double now_s(void)
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

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* The child's job: G with random weights, saved as a generator file. */
static int build_and_save(const char *path)
{
    gan_net *g = NULL;
    gan_rng *rng = NULL;
    int rc = gan_net_create(&g, NOISE);
    if (!rc) rc = gan_net_add_dense(g, HIDDEN, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(g, HIDDEN, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(g, PIXELS, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_rng_create(&rng, 1);
    if (!rc) rc = gan_net_init(g, rng, GAN_INIT_UNIFORM, 0.05f);
    /* The prior the paper's MNIST recipe trains with (examples/mnist). */
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = sqrtf(3.0f);
    so.noise_width = NOISE;
    gan_generator_options go;
    if (!rc) rc = gan_generator_options_from_session(&go, &so);
    if (!rc) rc = gan_generator_save_net(g, &go, path);
    if (rc)
        fprintf(stderr, "bench_sample: %s\n", gan_error_last());
    else
        printf("G: %zu -> %d relu -> %d relu -> %d sigmoid, %zu parameters\n", gan_net_input_width(g),
               HIDDEN, HIDDEN, PIXELS, gan_net_num_params(g));
    fflush(stdout); /* the child leaves with _exit, which does not flush */
    gan_rng_free(rng);
    gan_net_free(g);
    return rc ? 1 : 0;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: bench_sample [--rows N] [--runs N] [--file PATH] [--keep]\n"
                "  --rows N     samples per timed call (default 1000)\n"
                "  --runs N     timed calls, median reported (default 11)\n"
                "  --file PATH  generator file written and loaded (default bench_sample.gan)\n"
                "  --keep       keep the file afterwards\n");
}

int main(int argc, char **argv)
{
    size_t rows = 1000;
    unsigned runs = 11;
    const char *path = "bench_sample.gan";
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--rows") == 0) {
            if (args_size(&rows, "bench_sample", a, args_value("bench_sample", argc, argv, &i), 1,
                          100000) != 0)
                return ARGS_EXIT_USAGE;
        } else if (strcmp(a, "--runs") == 0) {
            if (args_unsigned(&runs, "bench_sample", a, args_value("bench_sample", argc, argv, &i),
                              1, MAX_RUNS) != 0)
                return ARGS_EXIT_USAGE;
        } else if (strcmp(a, "--file") == 0) {
            path = args_value("bench_sample", argc, argv, &i);
            if (path == NULL)
                return ARGS_EXIT_USAGE;
        } else if (strcmp(a, "--keep") == 0) {
            keep = 1;
        } else {
            fprintf(stderr, "bench_sample: unknown option '%s'\n", a);
            usage(stderr);
            return ARGS_EXIT_USAGE;
        }
    }

    const char *core = getenv("OPENBLAS_CORETYPE");
    const char *threads = getenv("OPENBLAS_NUM_THREADS");
    printf("libgan %s, BLAS: %s, OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s\n",
           gan_version_string(), gan_blas_info(), core ? core : "(unset)",
           threads ? threads : "(unset)");
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_sample: fork");
        return 1;
    }
    if (pid == 0)
        _exit(build_and_save(path));
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_sample: building %s failed\n", path);
        return 1;
    }

    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_sample: %s was not written\n", path);
        return 1;
    }
    const double rss_before = peak_rss_mb();

    gan_generator *gen = NULL;
    double t0 = now_s();
    int rc = gan_generator_load(&gen, path);
    const double t_load = now_s() - t0;
    if (rc != GAN_OK) {
        fprintf(stderr, "bench_sample: %s\n", gan_error_last());
        return 1;
    }
    const double rss_loaded = peak_rss_mb();
    const size_t cols = gan_generator_output_width(gen);
    float *out = malloc(rows * cols * sizeof *out);
    gan_rng *rng = NULL;
    double *t = malloc(runs * sizeof *t);
    if (out == NULL || t == NULL || gan_rng_create(&rng, 7) != GAN_OK) {
        fprintf(stderr, "bench_sample: out of memory\n");
        return 1;
    }
    t0 = now_s();
    rc = gan_generator_sample(out, rows, cols, gen, rng); /* warm-up */
    const double t_first = now_s() - t0;
    for (unsigned r = 0; rc == GAN_OK && r < runs; r++) {
        t0 = now_s();
        rc = gan_generator_sample(out, rows, cols, gen, rng);
        t[r] = now_s() - t0;
    }
    if (rc != GAN_OK) {
        fprintf(stderr, "bench_sample: %s\n", gan_error_last());
        return 1;
    }
    double mean = 0.0;
    for (size_t i = 0; i < rows * cols; i++)
        mean += out[i];
    mean /= (double)(rows * cols);
    qsort(t, runs, sizeof t[0], cmp_double);
    const double med = t[runs / 2];

    printf("generator file %s: %.2f MB (%lld bytes), loaded in %.1f ms\n", path,
           (double)st.st_size / 1e6, (long long)st.st_size, t_load * 1e3);
    printf("gan_generator_sample of %zu samples (%zu values each), %u runs: best %.1f ms, "
           "median %.1f ms, worst %.1f ms; first call %.1f ms\n",
           rows, cols, runs, t[0] * 1e3, med * 1e3, t[runs - 1] * 1e3, t_first * 1e3);
    printf("per 1,000 samples (median): %.1f ms, %.1f us per sample; mean pixel %.3f\n",
           med * 1e3 * 1000.0 / (double)rows, med * 1e6 / (double)rows, mean);
    printf("peak RSS: %.1f MB before loading, %.1f MB after loading, %.1f MB after sampling "
           "(output buffer %.1f MB)\n",
           rss_before, rss_loaded, peak_rss_mb(), (double)(rows * cols * sizeof *out) / 1e6);

    free(t);
    free(out);
    gan_rng_free(rng);
    gan_generator_free(gen);
    if (!keep)
        remove(path);
    return 0;
}
