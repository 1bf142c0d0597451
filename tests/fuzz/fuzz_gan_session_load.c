/* Fuzz target: gan_session_load.
 *
 * A fixed session (fuzz_common.h) is saved once as the baseline. Every input
 * is loaded as it is and resealed. After a failed load the session must
 * save to the baseline bytes exactly (a failed load changes nothing). After
 * a successful one both nets must be finite and the checkpoint must round
 * trip (save, load, save gives the same bytes); the baseline is then loaded
 * back for the next input. */
#include "fuzz_common.h"

static fuzz_session fx;
static char in_path[256], out_path[256], base_path[256];
static uint8_t *base;
static size_t base_len;

static void remove_files(void)
{
    unlink(in_path);
    unlink(out_path);
    unlink(base_path);
}

static void teardown(void)
{
    fuzz_session_free(&fx);
    free(base);
    remove_files();
}

static uint8_t *save_bytes(const char *path, size_t *len)
{
    FUZZ_REQUIRE(gan_session_save(fx.s, path) == GAN_OK, "save: %s", gan_error_last());
    return fuzz_read_file(path, len);
}

static void init_once(void)
{
    if (fx.s != NULL)
        return;
    fuzz_scratch_path(in_path, sizeof in_path, "ckpt_in");
    fuzz_scratch_path(out_path, sizeof out_path, "ckpt_out");
    fuzz_scratch_path(base_path, sizeof base_path, "ckpt_base");
    fuzz_remove_files = remove_files;
    fuzz_session_make(&fx);
    /* One step, so the optimizer states and dataset position are not the
     * initial ones. */
    FUZZ_REQUIRE(gan_session_step(NULL, fx.s) == GAN_OK, "step: %s", gan_error_last());
    base = save_bytes(base_path, &base_len);
    atexit(teardown);
}

static void check_load(const uint8_t *data, size_t size)
{
    fuzz_write_file(in_path, data, size);
    int rc = gan_session_load(fx.s, in_path);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc < 0 && rc >= GAN_EABORTED, "unknown status %d", rc);
        FUZZ_REQUIRE(rc != GAN_EINVAL && rc != GAN_ESTATE, "status %d for a file: %s", rc,
                     gan_error_last());
        size_t len;
        uint8_t *now = save_bytes(out_path, &len);
        FUZZ_REQUIRE(fuzz_same_bytes(now, len, base, base_len),
                     "a failed load (%s) changed the session", gan_error_last());
        free(now);
        return;
    }
    FUZZ_REQUIRE(fuzz_net_params_finite(fx.g), "a checkpoint with NaN or Inf in G loaded");
    FUZZ_REQUIRE(fuzz_net_params_finite(fx.d), "a checkpoint with NaN or Inf in D loaded");
    const gan_net *avg = NULL;
    FUZZ_REQUIRE(gan_session_average_net(&avg, fx.s) == GAN_OK, "%s", gan_error_last());
    FUZZ_REQUIRE(fuzz_net_params_finite(avg), "a checkpoint with NaN or Inf in G's average loaded");
    size_t l1, l2;
    uint8_t *once = save_bytes(out_path, &l1);
    FUZZ_REQUIRE(gan_session_load(fx.s, out_path) == GAN_OK, "reload: %s", gan_error_last());
    uint8_t *twice = save_bytes(out_path, &l2);
    FUZZ_REQUIRE(fuzz_same_bytes(once, l1, twice, l2), "a checkpoint does not round trip");
    free(once);
    free(twice);
    FUZZ_REQUIRE(gan_session_load(fx.s, base_path) == GAN_OK, "baseline: %s", gan_error_last());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    check_load(data, size);
    uint8_t *sealed = fuzz_reseal(data, size);
    if (sealed != NULL && !fuzz_same_bytes(sealed, size, data, size))
        check_load(sealed, size);
    free(sealed);
    return 0;
}
