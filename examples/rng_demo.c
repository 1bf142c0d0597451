/* rng_demo: the smallest libgan program. Prints the library version, the
 * BLAS backend, and statistics of seeded uniform and normal draws, showing
 * that one seed gives one stream.
 *
 *   usage: rng_demo [seed]
 */
#include <gan.h>

#include "args.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000000

static int fail(const char *what, int rc)
{
    fprintf(stderr, "rng_demo: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t seed = 2014;
    if (argc > 1 && args_is_help(argv[1])) {
        printf("usage: rng_demo [seed]   (seed: a whole number, default 2014)\n");
        return 0;
    }
    if (argc > 2) {
        fprintf(stderr, "usage: rng_demo [seed]\n");
        return ARGS_EXIT_USAGE;
    }
    if (argc > 1 && args_u64(&seed, "rng_demo", "seed", argv[1], 0, UINT64_MAX) != 0)
        return ARGS_EXIT_USAGE;
    gan_rng *rng = NULL;
    float *buf = malloc(N * sizeof *buf);
    int rc;
    if (buf == NULL)
        return 1;
    printf("libgan %s, BLAS: %s\n", gan_version_string(), gan_blas_info());
    if ((rc = gan_rng_create(&rng, seed)) != GAN_OK)
        return free(buf), fail("gan_rng_create", rc);

    const char *names[2] = {"uniform[-sqrt3,sqrt3)", "normal(0,1)"};
    for (int kind = 0; kind < 2; kind++) {
        rc = kind == 0 ? gan_rng_uniform(buf, N, rng, -sqrtf(3.0f), sqrtf(3.0f))
                       : gan_rng_normal(buf, N, rng, 0.0f, 1.0f);
        if (rc != GAN_OK)
            break;
        double s = 0, s2 = 0;
        for (size_t i = 0; i < N; i++) {
            s += buf[i];
            s2 += (double)buf[i] * buf[i];
        }
        double mean = s / N;
        printf("%-22s n=%d mean=% .5f var=%.5f (expected 0 and 1)\n", names[kind], N, mean,
               s2 / N - mean * mean);
    }
    uint64_t first = 0;
    if (rc == GAN_OK && (rc = gan_rng_seed(rng, seed)) == GAN_OK)
        rc = gan_rng_u64(&first, rng);
    gan_rng_free(rng);
    free(buf);
    if (rc != GAN_OK)
        return fail("drawing", rc);
    printf("seed %llu: first 64-bit draw 0x%016llx\n", (unsigned long long)seed,
           (unsigned long long)first);
    return 0;
}
