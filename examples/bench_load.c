/* Time gan_dataset_load_idx on the MNIST training images.
 *
 *   bench_load [data_dir [file.gz]]
 *
 * data_dir defaults to "data" and must hold train-images-idx3-ubyte. If a
 * second argument is given, that (typically gzip-compressed) IDX images
 * file is timed too, e.g. Fashion-MNIST's
 * /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz.
 * Prints figures only; never asserts on time. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gan.h"

#include "args.h"

#define REPEATS 5

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

static int bench(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_load: %s not found (fetch MNIST with `cmake --build <build> --target fetch-mnist`)\n",
                path);
        return 1;
    }
    double t[REPEATS];
    size_t rows = 0, cols = 0;
    for (int i = 0; i < REPEATS; i++) {
        gan_dataset *ds = NULL;
        double t0 = now_s();
        int rc = gan_dataset_load_idx(&ds, path, NULL);
        t[i] = now_s() - t0;
        if (rc != GAN_OK) {
            fprintf(stderr, "bench_load: %s\n", gan_error_last());
            return 1;
        }
        rows = gan_dataset_rows(ds);
        cols = gan_dataset_cols(ds);
        gan_dataset_free(ds);
    }
    qsort(t, REPEATS, sizeof t[0], cmp_double);
    const double file_mb = (double)st.st_size / 1e6;
    const double raw_mb = (double)rows * (double)cols / 1e6; /* decoded pixel bytes */
    printf("%s\n  %zu x %zu, file %.1f MB, %d runs: best %.1f ms, median %.1f ms, worst %.1f ms\n",
           path, rows, cols, file_mb, REPEATS, 1e3 * t[0], 1e3 * t[REPEATS / 2],
           1e3 * t[REPEATS - 1]);
    printf("  throughput (median): %.0f MB/s of file, %.0f MB/s of pixels\n",
           file_mb / t[REPEATS / 2], raw_mb / t[REPEATS / 2]);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc > 1 && args_is_help(argv[1])) || argc > 3) {
        fputs("usage: bench_load [data_dir [file.gz]]\n", argc > 3 ? stderr : stdout);
        return argc > 3 ? ARGS_EXIT_USAGE : 0;
    }
    const char *dir = argc > 1 ? argv[1] : "data";
    char path[4096];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir);
    int rc = bench(path);
    if (argc > 2)
        rc |= bench(argv[2]);
    return rc;
}
