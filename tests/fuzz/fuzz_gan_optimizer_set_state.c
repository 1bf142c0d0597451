/* Fuzz target: gan_optimizer_set_state, from memory.
 *
 * Every input (as it is, and resealed) is offered to an SGD and an Adam
 * optimizer. A refused blob must leave the optimizer's state bytes as they
 * were; an accepted one must round trip (get, set, get gives the same
 * bytes). The baseline state is restored afterwards. */
#include "fuzz_common.h"

static fuzz_session fx; /* G has SGD, D has Adam */
static gan_optimizer *opts[2];
static uint8_t *base[2];
static size_t base_len[2];

static void teardown(void)
{
    free(base[0]);
    free(base[1]);
    fuzz_session_free(&fx);
}

static uint8_t *state_of(const gan_optimizer *opt, size_t *len)
{
    *len = gan_optimizer_state_size(opt);
    uint8_t *b = malloc(*len);
    FUZZ_REQUIRE(b != NULL, "out of memory");
    FUZZ_REQUIRE(gan_optimizer_get_state(b, *len, opt) == GAN_OK, "%s", gan_error_last());
    return b;
}

static void init_once(void)
{
    if (fx.s != NULL)
        return;
    fuzz_session_make(&fx);
    FUZZ_REQUIRE(gan_session_step(NULL, fx.s) == GAN_OK, "step: %s", gan_error_last());
    opts[0] = fx.gopt;
    opts[1] = fx.dopt;
    for (int i = 0; i < 2; i++)
        base[i] = state_of(opts[i], &base_len[i]);
    atexit(teardown);
}

static void check_set(int which, const uint8_t *data, size_t size)
{
    gan_optimizer *opt = opts[which];
    int rc = gan_optimizer_set_state(opt, data, size);
    size_t len;
    uint8_t *now = state_of(opt, &len);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc == GAN_EFORMAT || rc == GAN_ESHAPE, "status %d: %s", rc, gan_error_last());
        FUZZ_REQUIRE(fuzz_same_bytes(now, len, base[which], base_len[which]),
                     "a refused state (%s) changed the optimizer", gan_error_last());
        free(now);
        return;
    }
    FUZZ_REQUIRE(gan_optimizer_set_state(opt, now, len) == GAN_OK, "own state refused: %s",
                 gan_error_last());
    size_t len2;
    uint8_t *again = state_of(opt, &len2);
    FUZZ_REQUIRE(fuzz_same_bytes(now, len, again, len2), "a state does not round trip");
    free(again);
    free(now);
    FUZZ_REQUIRE(gan_optimizer_set_state(opt, base[which], base_len[which]) == GAN_OK,
                 "baseline: %s", gan_error_last());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    uint8_t *sealed = fuzz_reseal(data, size);
    for (int i = 0; i < 2; i++) {
        check_set(i, data, size);
        if (sealed != NULL && !fuzz_same_bytes(sealed, size, data, size))
            check_set(i, sealed, size);
    }
    free(sealed);
    return 0;
}
