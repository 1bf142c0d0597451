/* Fuzz target: gan_dataset_load_npy. A failed load must return an error
 * code with *out NULL; a successful one must give at least one row, every
 * value finite. */
#include "fuzz_common.h"

static char in_path[256];

static void remove_files(void)
{
    unlink(in_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (in_path[0] == '\0') {
        fuzz_scratch_path(in_path, sizeof in_path, "npy_in");
        fuzz_remove_files = remove_files;
        atexit(remove_files);
    }
    fuzz_write_file(in_path, data, size);
    gan_dataset *ds = (gan_dataset *)&ds; /* must be overwritten */
    const int rc = gan_dataset_load_npy(&ds, in_path);
    FUZZ_REQUIRE((rc == GAN_OK) == (ds != NULL), "status %d, dataset %p", rc, (void *)ds);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc != GAN_EINVAL && rc != GAN_ESTATE, "status %d for a file: %s", rc,
                     gan_error_last());
        return 0;
    }
    const size_t rows = gan_dataset_rows(ds), cols = gan_dataset_cols(ds);
    FUZZ_REQUIRE(rows > 0 && cols > 0, "%zu x %zu dataset", rows, cols);
    const float *x = gan_dataset_data(ds);
    for (size_t i = 0; i < rows * cols; i++)
        FUZZ_REQUIRE(isfinite(x[i]), "value %zu is %g", i, (double)x[i]);
    gan_dataset_free(ds);
    return 0;
}
