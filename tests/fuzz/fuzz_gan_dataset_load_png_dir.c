/* Fuzz target: gan_dataset_load_png_dir. The first input byte picks the
 * options (alpha kept or dropped) and whether the rest is one image or is
 * split at its middle into two files, so the checks between images run
 * too. The images go into a per-process scratch folder, which is loaded.
 * A failed load must return an error code with *out NULL; a successful one
 * must give one row per file, values in [0, 1]. */
#include "fuzz_common.h"

static char dir[256], file_a[300], file_b[300];

static void remove_files(void)
{
    unlink(file_a);
    unlink(file_b);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dir[0] == '\0') {
        fuzz_scratch_path(dir, sizeof dir, "png_dir");
        FUZZ_REQUIRE(mkdir(dir, 0700) == 0 || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
        snprintf(file_a, sizeof file_a, "%s/a.png", dir);
        snprintf(file_b, sizeof file_b, "%s/b.png", dir);
        fuzz_remove_files = remove_files;
        atexit(remove_files);
    }
    if (size == 0)
        return 0;
    gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT;
    o.alpha = (data[0] & 1) ? GAN_PNG_ALPHA_KEEP : GAN_PNG_ALPHA_DROP;
    const int two = (data[0] & 2) != 0;
    data++;
    size--;
    const size_t first = two ? size / 2 : size;
    unlink(file_b);
    fuzz_write_file(file_a, data, first);
    if (two)
        fuzz_write_file(file_b, data + first, size - first);
    gan_dataset *ds = (gan_dataset *)&ds; /* must be overwritten */
    const int rc = gan_dataset_load_png_dir(&ds, dir, &o);
    FUZZ_REQUIRE((rc == GAN_OK) == (ds != NULL), "status %d, dataset %p", rc, (void *)ds);
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc != GAN_EINVAL && rc != GAN_ESTATE, "status %d for a file: %s", rc,
                     gan_error_last());
        return 0;
    }
    const size_t rows = gan_dataset_rows(ds), cols = gan_dataset_cols(ds);
    FUZZ_REQUIRE(rows == (two ? 2u : 1u) && cols > 0, "%zu x %zu dataset", rows, cols);
    const float *x = gan_dataset_data(ds);
    for (size_t i = 0; i < rows * cols; i++)
        FUZZ_REQUIRE(x[i] >= 0.0f && x[i] <= 1.0f, "value %zu is %g", i, (double)x[i]);
    gan_dataset_free(ds);
    return 0;
}
