/* Fuzz target: gan_generator_load (generator files and, for other magics,
 * plain net files). Every input is loaded as it is and, resealed
 * (container length and CRC fixed, see fuzz_common.h), a second time. A
 * failed load must return an error code with *out NULL; a generator that
 * loads must hold finite parameters and sample finite values (small nets
 * only: the input bounds a net's size, not a forward pass's time). */
#include "fuzz_common.h"

static char in_path[256];

static void remove_files(void)
{
    unlink(in_path);
}

static void check_load(const uint8_t *data, size_t size)
{
    fuzz_write_file(in_path, data, size);
    gan_generator *gen = (gan_generator *)&gen; /* must be overwritten */
    const int rc = gan_generator_load(&gen, in_path);
    FUZZ_REQUIRE((rc == GAN_OK) == (gen != NULL), "status %d, generator %p", rc, (void *)gen);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc != GAN_EINVAL && rc != GAN_ESTATE, "status %d for a file: %s", rc,
                     gan_error_last());
        return;
    }
    const gan_net *net = gan_generator_net(gen);
    FUZZ_REQUIRE(fuzz_net_params_finite(net), "a loaded generator holds NaN or Inf");
    const size_t w = gan_generator_output_width(gen);
    if (w <= 4096 && gan_net_num_params(net) <= (1u << 20)) {
        float *out = malloc(2 * w * sizeof *out);
        gan_rng *rng = NULL;
        FUZZ_REQUIRE(out != NULL && gan_rng_create(&rng, 1) == GAN_OK, "setup");
        FUZZ_REQUIRE(gan_generator_sample(out, 2, w, gen, rng) == GAN_OK, "sample: %s",
                     gan_error_last());
        gan_rng_free(rng);
        free(out);
    }
    gan_generator_free(gen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (in_path[0] == '\0') {
        fuzz_scratch_path(in_path, sizeof in_path, "generator_in");
        fuzz_remove_files = remove_files;
        atexit(remove_files);
    }
    check_load(data, size);
    uint8_t *sealed = fuzz_reseal(data, size);
    if (sealed != NULL) {
        check_load(sealed, size);
        free(sealed);
    }
    return 0;
}
