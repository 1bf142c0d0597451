/* bench_parzen: the paper's Parzen-window protocol (docs/paper.md §3),
 * timed phase by phase.
 *
 *   usage: bench_parzen [data_dir] [block_rows]
 *
 * With MNIST in data_dir (default "data"): the "samples" are the real images
 * train[0:10000], sigma is chosen over the paper's grid on the validation
 * rows train[50000:51000], then the mean log-likelihood +- standard error of
 * the 10000 test images is computed at that sigma (reference: about 241).
 * Without MNIST the same shapes run on random data (timing only).
 *
 * Beside each phase it prints the GFLOP/s of its distance products, and the
 * time cblas_sgemm alone takes for exactly those products (same blocks),
 * measured in the same run: the floor the phase can approach.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "blas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_SAMPLES 10000
#define N_VALID 1000
#define N_TEST 10000
#define VALID_BEGIN 50000
#define PIX 784
/* The library's default block: at most 64 MB of distances. */
#define DEFAULT_BLOCK_BYTES ((size_t)64 << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_parzen: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

/* Time cblas_sgemm alone on the distance products of `rows` rows of x
 * against n samples, in blocks of block rows (as gan_parzen does). */
static double gemm_only(float *work, const float *x, size_t rows, const float *mu, size_t n,
                        size_t d, size_t block)
{
    double t0 = now();
    for (size_t r0 = 0; r0 < rows; r0 += block) {
        size_t b = rows - r0 < block ? rows - r0 : block;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, (int)d, -2.0f,
                    x + r0 * d, (int)d, mu, (int)d, 0.0f, work, (int)n);
    }
    return now() - t0;
}

static gan_dataset *load(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gan_dataset *ds = NULL;
    if (gan_dataset_load_idx(&ds, path, NULL) != GAN_OK)
        return NULL;
    return ds;
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: bench_parzen [data_dir] [block_rows > 0]\n";
    const char *dir = argc > 1 ? argv[1] : "data";
    size_t block = 0;
    if (argc > 1 && args_is_help(argv[1])) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc > 3 ||
        (argc > 2 && args_size(&block, "bench_parzen", "block_rows", argv[2], 1, 1000000) != 0)) {
        fputs(usage, stderr);
        return ARGS_EXIT_USAGE;
    }

    printf("libgan %s, BLAS: %s\n", gan_version_string(), gan_blas_info());
    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("OPENBLAS_CORETYPE=%s\n", ct != NULL ? ct : "(unset)");

    /* Inputs: MNIST or random numbers of the same shape. */
    gan_dataset *train = load(dir, "train-images-idx3-ubyte");
    gan_dataset *test = train != NULL ? load(dir, "t10k-images-idx3-ubyte") : NULL;
    const float *samples, *valid, *testx;
    float *fake = NULL;
    int real = train != NULL && test != NULL && gan_dataset_rows(train) >= VALID_BEGIN + N_VALID &&
               gan_dataset_cols(train) == PIX && gan_dataset_rows(test) >= N_TEST &&
               gan_dataset_cols(test) == PIX;
    if (real) {
        samples = gan_dataset_data(train);
        valid = samples + (size_t)VALID_BEGIN * PIX;
        testx = gan_dataset_data(test);
        printf("data: MNIST from %s: samples train[0:%d], validation train[%d:%d], test t10k[0:%d]\n",
               dir, N_SAMPLES, VALID_BEGIN, VALID_BEGIN + N_VALID, N_TEST);
    } else {
        printf("data: MNIST not found in %s: RANDOM uniform [0,1) data of the same shapes "
               "(timing only; the log-likelihood means nothing)\n", dir);
        size_t total = (size_t)(N_SAMPLES + N_VALID + N_TEST) * PIX;
        fake = malloc(total * sizeof *fake);
        gan_rng *rng = NULL;
        int rc = fake == NULL ? GAN_ENOMEM : gan_rng_create(&rng, 42);
        if (rc == GAN_OK)
            rc = gan_rng_uniform(fake, total, rng, 0.0f, 1.0f);
        gan_rng_free(rng);
        if (rc != GAN_OK)
            return fail("random data", rc);
        samples = fake;
        valid = fake + (size_t)N_SAMPLES * PIX;
        testx = valid + (size_t)N_VALID * PIX;
    }

    double grid[GAN_PARZEN_PAPER_GRID_SIZE], mean_ll[GAN_PARZEN_PAPER_GRID_SIZE];
    int rc = gan_parzen_paper_grid(grid, GAN_PARZEN_PAPER_GRID_SIZE);
    if (rc != GAN_OK)
        return fail("paper grid", rc);

    /* Warm up the BLAS threads outside the timed protocol. */
    size_t blk = block != 0 ? block : DEFAULT_BLOCK_BYTES / (N_SAMPLES * sizeof(float));
    float *work = malloc((blk > N_TEST ? N_TEST : blk) * (size_t)N_SAMPLES * sizeof *work);
    if (work == NULL)
        return fail("workspace", GAN_ENOMEM);
    gemm_only(work, valid, 64, samples, N_SAMPLES, PIX, 64);

    /* ---- the protocol ---- */
    double t0 = now();
    gan_parzen *p = NULL;
    rc = gan_parzen_create(&p, samples, N_SAMPLES, PIX);
    if (rc != GAN_OK)
        return fail("gan_parzen_create", rc);
    if (block != 0 && (rc = gan_parzen_set_block_rows(p, block)) != GAN_OK)
        return fail("gan_parzen_set_block_rows", rc);
    double t1 = now();
    double best = 0.0;
    rc = gan_parzen_select_sigma(&best, mean_ll, p, valid, N_VALID, PIX, grid, GAN_PARZEN_PAPER_GRID_SIZE);
    if (rc != GAN_OK)
        return fail("gan_parzen_select_sigma", rc);
    double t2 = now();
    double mean = 0.0, se = 0.0;
    rc = gan_parzen_log_likelihood(NULL, &mean, &se, p, testx, N_TEST, PIX, best);
    if (rc != GAN_OK)
        return fail("gan_parzen_log_likelihood", rc);
    double t3 = now();

    /* ---- sgemm alone on the same products ---- */
    double g_sel = gemm_only(work, valid, N_VALID, samples, N_SAMPLES, PIX, blk);
    double g_test = gemm_only(work, testx, N_TEST, samples, N_SAMPLES, PIX, blk);

    const double fl_sel = 2.0 * N_VALID * N_SAMPLES * PIX, fl_test = 2.0 * N_TEST * N_SAMPLES * PIX;
    printf("block rows: %zu (%s)\n", blk, block != 0 ? "set" : "default, <= 64 MB of distances");
    printf("\nsigma grid (mean log-likelihood on the %d validation rows):\n", N_VALID);
    for (size_t k = 0; k < GAN_PARZEN_PAPER_GRID_SIZE; k++)
        printf("  sigma %.5f  %10.3f%s\n", grid[k], mean_ll[k], grid[k] == best ? "  <- best" : "");
    printf("\n%-34s %8s %10s %14s %10s\n", "phase", "time s", "GFLOP/s", "sgemm alone s", "GFLOP/s");
    printf("%-34s %8.3f\n", "create (copy + norms)", t1 - t0);
    printf("%-34s %8.3f %10.1f %14.3f %10.1f\n", "select sigma (1000 rows x 10)", t2 - t1,
           fl_sel / (t2 - t1) * 1e-9, g_sel, fl_sel / g_sel * 1e-9);
    printf("%-34s %8.3f %10.1f %14.3f %10.1f\n", "test log-likelihood (10000 rows)", t3 - t2,
           fl_test / (t3 - t2) * 1e-9, g_test, fl_test / g_test * 1e-9);
    printf("%-34s %8.3f %10.1f %14.3f %10.1f\n", "whole protocol", t3 - t0,
           (fl_sel + fl_test) / (t3 - t0) * 1e-9, g_sel + g_test, (fl_sel + fl_test) / (g_sel + g_test) * 1e-9);
    printf("\nchosen sigma: %.5f\n", best);
    printf("test mean log-likelihood: %.2f +- %.2f (%s)\n", mean, se,
           real ? "MNIST; reference about 241" : "random data, meaningless");

    free(work);
    gan_parzen_free(p);
    gan_dataset_free(train);
    gan_dataset_free(test);
    free(fake);
    return 0;
}
