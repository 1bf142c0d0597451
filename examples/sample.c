/* sample: turn a generator file into a PNG grid of samples. The file
 * carries its own noise prior and output scaling (gan_generator_save /
 * gan_generator_save_net), so nothing else is needed; a plain net file of
 * gan_net_save works too, with uniform noise in [-1, 1].
 *
 *   usage: sample --generator FILE --out GRID.png [--rows N] [--cols N]
 *                 [--seed N] [--channels 1|3] [--height H --width W]
 *
 * Each sample is one image of height x width x channels values (HWC for
 * colour). Without --height and --width the image is square: the output
 * width divided by the channels must then be a square number (784 = 28 x
 * 28 for MNIST). The same --seed gives the same grid.
 */
#include <gan.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to,
            "usage: sample --generator FILE --out GRID.png [--rows N] [--cols N] [--seed N]\n"
            "              [--channels 1|3] [--height H --width W]\n"
            "  --generator FILE  generator file (gan_generator_save) or net file (gan_net_save)\n"
            "  --out GRID.png    where the PNG grid is written\n"
            "  --rows N, --cols N  grid size (default 10 x 10, at most 1000 each)\n"
            "  --seed N          noise seed (default 1)\n"
            "  --channels 1|3    grey (default) or RGB images, HWC\n"
            "  --height H, --width W  image size (default: square)\n");
}

/* A decimal integer in [min, max], the whole text; else a message naming
 * the option and 0. */
static int parse_u64(uint64_t *out, const char *opt, const char *text, uint64_t min, uint64_t max)
{
    const char *p = text;
    if (*p < '0' || *p > '9') {
        fprintf(stderr, "sample: %s: '%s' is not a non-negative integer\n", opt, text);
        return 0;
    }
    char *end;
    errno = 0;
    const unsigned long long v = strtoull(p, &end, 10);
    if (*end != '\0') {
        fprintf(stderr, "sample: %s: '%s' has trailing characters after the number\n", opt, text);
        return 0;
    }
    if (errno == ERANGE || v < min || v > max) {
        fprintf(stderr, "sample: %s: %s is out of range [%llu, %llu]\n", opt, text,
                (unsigned long long)min, (unsigned long long)max);
        return 0;
    }
    *out = v;
    return 1;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "sample: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return 1;
}

/* The side of a square of n pixels, or 0. */
static uint64_t square_side(uint64_t n)
{
    uint64_t s = 1;
    while (s * s < n)
        s++;
    return s * s == n ? s : 0;
}

int main(int argc, char **argv)
{
    const char *gen_path = NULL, *out_path = NULL;
    uint64_t rows = 10, cols = 10, seed = 1, channels = 1, height = 0, width = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "sample: %s needs a value (or is unknown)\n", a);
            usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(a, "--generator") == 0)
            gen_path = v;
        else if (strcmp(a, "--out") == 0)
            out_path = v;
        else if (strcmp(a, "--rows") == 0)
            ok = parse_u64(&rows, a, v, 1, 1000);
        else if (strcmp(a, "--cols") == 0)
            ok = parse_u64(&cols, a, v, 1, 1000);
        else if (strcmp(a, "--seed") == 0)
            ok = parse_u64(&seed, a, v, 0, UINT64_MAX);
        else if (strcmp(a, "--channels") == 0) {
            ok = parse_u64(&channels, a, v, 1, 3);
            if (ok && channels == 2) {
                fprintf(stderr, "sample: --channels: 1 (grey) or 3 (RGB), not 2\n");
                ok = 0;
            }
        }
        else if (strcmp(a, "--height") == 0)
            ok = parse_u64(&height, a, v, 1, 100000);
        else if (strcmp(a, "--width") == 0)
            ok = parse_u64(&width, a, v, 1, 100000);
        else {
            fprintf(stderr, "sample: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
        if (!ok)
            return 2;
    }
    if (gen_path == NULL || out_path == NULL) {
        fprintf(stderr, "sample: --generator and --out are required\n");
        usage(stderr);
        return 2;
    }
    if ((height == 0) != (width == 0)) {
        fprintf(stderr, "sample: give both --height and --width, or neither\n");
        return 2;
    }

    gan_generator *gen = NULL;
    int rc = gan_generator_load(&gen, gen_path);
    if (rc != GAN_OK)
        return fail(gen_path, rc);
    const uint64_t out_w = gan_generator_output_width(gen);
    if (height == 0) {
        const uint64_t side = out_w % channels == 0 ? square_side(out_w / channels) : 0;
        if (side == 0) {
            fprintf(stderr, "sample: the generator's output width %llu is not a square image of %llu "
                    "channel(s); give --height and --width\n", (unsigned long long)out_w,
                    (unsigned long long)channels);
            gan_generator_free(gen);
            return 2;
        }
        height = width = side;
    }
    if (height * width * channels != out_w) {
        fprintf(stderr, "sample: --height %llu x --width %llu x %llu channel(s) = %llu values, but the "
                "generator's output width is %llu\n", (unsigned long long)height,
                (unsigned long long)width, (unsigned long long)channels,
                (unsigned long long)(height * width * channels), (unsigned long long)out_w);
        gan_generator_free(gen);
        return 2;
    }
    const size_t n = (size_t)(rows * cols);
    float *images = malloc(n * (size_t)out_w * sizeof *images);
    gan_rng *rng = NULL;
    if (images == NULL) {
        gan_generator_free(gen);
        fprintf(stderr, "sample: out of memory for %zu samples\n", n);
        return 1;
    }
    rc = gan_rng_create(&rng, seed);
    if (rc == GAN_OK)
        rc = gan_generator_sample(images, n, (size_t)out_w, gen, rng);
    if (rc == GAN_OK)
        rc = channels == 3
                 ? gan_png_write_grid_rgb(out_path, images, rows, cols, height, width, NULL)
                 : gan_png_write_grid(out_path, images, rows, cols, height, width, NULL);
    gan_rng_free(rng);
    gan_generator_free(gen);
    free(images);
    if (rc != GAN_OK)
        return fail("sampling", rc);
    printf("wrote %llu x %llu samples of %llu x %llu x %llu to %s (seed %llu)\n",
           (unsigned long long)rows, (unsigned long long)cols, (unsigned long long)height,
           (unsigned long long)width, (unsigned long long)channels, out_path,
           (unsigned long long)seed);
    return 0;
}
