/* Fuzz target: gan_net_load.
 *
 * Every input is loaded as it is and, resealed (container length and CRC
 * fixed, see fuzz_common.h), a second time. A failed load must return an
 * error code with *out NULL; a successful one must give a net with finite
 * parameters that saves and reloads to the same architecture and bits. */
#include "fuzz_common.h"

static char in_path[256], out_path[256];

static void remove_files(void)
{
    unlink(in_path);
    unlink(out_path);
}

static void init_once(void)
{
    if (in_path[0] != '\0')
        return;
    fuzz_scratch_path(in_path, sizeof in_path, "net_in");
    fuzz_scratch_path(out_path, sizeof out_path, "net_out");
    fuzz_remove_files = remove_files;
    atexit(remove_files);
}

static uint8_t *params_of(const gan_net *net, size_t *n)
{
    *n = gan_net_num_params(net);
    float *p = malloc(*n ? *n * sizeof *p : 1);
    FUZZ_REQUIRE(p != NULL, "out of memory");
    FUZZ_REQUIRE(gan_net_get_params(p, *n, net) == GAN_OK, "%s", gan_error_last());
    return (uint8_t *)p;
}

static void check_load(const uint8_t *data, size_t size)
{
    fuzz_write_file(in_path, data, size);
    gan_net *net = (gan_net *)&net; /* must be overwritten with NULL on failure */
    int rc = gan_net_load(&net, in_path);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc < 0 && rc >= GAN_EABORTED, "unknown status %d", rc);
        FUZZ_REQUIRE(rc != GAN_EINVAL && rc != GAN_ESTATE, "status %d for a file: %s", rc,
                     gan_error_last());
        FUZZ_REQUIRE(net == NULL, "failed load left *out set");
        FUZZ_REQUIRE(gan_error_last_code() == rc, "last error code %d, returned %d",
                     gan_error_last_code(), rc);
        return;
    }
    FUZZ_REQUIRE(net != NULL, "GAN_OK without a net");
    FUZZ_REQUIRE(fuzz_net_params_finite(net), "a net holding NaN or Inf loaded");

    /* Round trip: save, reload, compare architecture and parameter bits. */
    FUZZ_REQUIRE(gan_net_save(net, out_path) == GAN_OK, "re-save: %s", gan_error_last());
    gan_net *again = NULL;
    FUZZ_REQUIRE(gan_net_load(&again, out_path) == GAN_OK, "reload: %s", gan_error_last());
    FUZZ_REQUIRE(gan_net_input_width(net) == gan_net_input_width(again), "input width");
    FUZZ_REQUIRE(gan_net_num_layers(net) == gan_net_num_layers(again), "layer count");
    for (size_t i = 0; i < gan_net_num_layers(net); i++) {
        gan_layer_info a, b;
        FUZZ_REQUIRE(gan_net_layer_info(&a, net, i) == GAN_OK, "%s", gan_error_last());
        FUZZ_REQUIRE(gan_net_layer_info(&b, again, i) == GAN_OK, "%s", gan_error_last());
        FUZZ_REQUIRE(a.kind == b.kind && a.activation == b.activation &&
                         a.in_width == b.in_width && a.out_width == b.out_width &&
                         a.units == b.units && a.pieces == b.pieces &&
                         memcmp(&a.keep, &b.keep, sizeof a.keep) == 0 &&
                         a.param_offset == b.param_offset && a.num_params == b.num_params,
                     "layer %zu differs after a round trip", i);
        if (a.activation == GAN_ACT_LEAKY_RELU && a.kind == GAN_LAYER_DENSE)
            FUZZ_REQUIRE(memcmp(&a.leaky_slope, &b.leaky_slope, sizeof a.leaky_slope) == 0,
                         "layer %zu slope differs after a round trip", i);
    }
    size_t na, nb;
    uint8_t *pa = params_of(net, &na), *pb = params_of(again, &nb);
    FUZZ_REQUIRE(na == nb && memcmp(pa, pb, na * sizeof(float)) == 0,
                 "parameters differ after a round trip");
    free(pa);
    free(pb);
    gan_net_free(again);
    gan_net_free(net);
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
