/* libFuzzer target: gan_generator_load on arbitrary bytes (generator files
 * and, for other magics, plain net files). A generator that loads is
 * sampled once, so a bad prior or net that slipped through shows up. */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char path[64];

static int write_input(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (f == NULL)
        return 0;
    const int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (path[0] == '\0') {
        static char dir[] = "/tmp/gan_fuzz_generator_XXXXXX";
        if (mkdtemp(dir) == NULL)
            abort();
        snprintf(path, sizeof path, "%s/in.gan", dir);
    }
    if (!write_input(path, data, size))
        abort();
    gan_generator *gen = NULL;
    const int rc = gan_generator_load(&gen, path);
    if ((rc == GAN_OK) != (gen != NULL))
        abort();
    if (gen != NULL) {
        const size_t w = gan_generator_output_width(gen);
        /* Sample only small nets: the input bounds the net's size, not
         * the time one forward pass takes. */
        if (w <= 4096 && gan_net_num_params(gan_generator_net(gen)) <= (1u << 20)) {
            float *out = malloc(2 * w * sizeof *out);
            gan_rng *rng = NULL;
            if (out == NULL || gan_rng_create(&rng, 1) != GAN_OK)
                abort();
            if (gan_generator_sample(out, 2, w, gen, rng) != GAN_OK)
                abort();
            gan_rng_free(rng);
            free(out);
        }
        gan_generator_free(gen);
    }
    return 0;
}
