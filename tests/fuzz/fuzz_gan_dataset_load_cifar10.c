/* Fuzz target: gan_dataset_load_cifar10. The first byte picks how many
 * files (1 + byte % 3) the rest is cut into, in equal consecutive pieces
 * (the last takes the remainder). The oracle is complete: the load must
 * succeed exactly when every piece is a non-empty whole number of 3073-byte
 * records whose label bytes are all 0..9, fail with GAN_EFORMAT otherwise
 * (*out NULL), and on success hold every record: its label, and its 3072
 * pixel bytes scaled by 1/255 in file order. */
#include "fuzz_common.h"

#define REC 3073u
#define FILES_MAX 3

static char in_path[FILES_MAX][256];

static void remove_files(void)
{
    for (int i = 0; i < FILES_MAX; i++)
        unlink(in_path[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (in_path[0][0] == '\0') {
        for (int i = 0; i < FILES_MAX; i++) {
            char tag[32];
            snprintf(tag, sizeof tag, "cifar_in%d", i);
            fuzz_scratch_path(in_path[i], sizeof in_path[i], tag);
        }
        fuzz_remove_files = remove_files;
        atexit(remove_files);
    }
    if (size < 1)
        return 0;
    const size_t k = 1 + data[0] % FILES_MAX;
    const uint8_t *body = data + 1;
    const size_t len = size - 1;
    const char *paths[FILES_MAX];
    size_t off[FILES_MAX + 1];
    int expect_ok = 1;
    size_t rows = 0;
    for (size_t i = 0; i < k; i++) {
        off[i] = i * (len / k);
        off[i + 1] = i + 1 == k ? len : (i + 1) * (len / k);
        const size_t n = off[i + 1] - off[i];
        fuzz_write_file(in_path[i], body + off[i], n);
        paths[i] = in_path[i];
        if (n == 0 || n % REC != 0)
            expect_ok = 0;
        for (size_t r = 0; r + REC <= n; r += REC)
            if (body[off[i] + r] > 9)
                expect_ok = 0;
        rows += n / REC;
    }
    gan_dataset *ds = (gan_dataset *)&ds; /* must be overwritten */
    const int rc = gan_dataset_load_cifar10(&ds, paths, k);
    FUZZ_REQUIRE((rc == GAN_OK) == (ds != NULL), "status %d, dataset %p", rc, (void *)ds);
    FUZZ_REQUIRE((rc == GAN_OK) == expect_ok, "status %d (%s), expected %s", rc,
                 rc ? gan_error_last() : "", expect_ok ? "success" : "a refusal");
    if (rc != GAN_OK) {
        FUZZ_REQUIRE(rc == GAN_EFORMAT, "status %d for files: %s", rc, gan_error_last());
        return 0;
    }
    FUZZ_REQUIRE(gan_dataset_rows(ds) == rows && gan_dataset_cols(ds) == REC - 1,
                 "%zu x %zu dataset, expected %zu x %u", gan_dataset_rows(ds), gan_dataset_cols(ds),
                 rows, REC - 1);
    const float *x = gan_dataset_data(ds);
    const int32_t *labels = gan_dataset_labels(ds);
    size_t row = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t r = off[i]; r < off[i + 1]; r += REC, row++) {
            FUZZ_REQUIRE(labels[row] == body[r], "row %zu label %d, file byte %u", row,
                         (int)labels[row], (unsigned)body[r]);
            for (size_t c = 0; c < REC - 1; c++)
                FUZZ_REQUIRE(x[row * (REC - 1) + c] == (float)body[r + 1 + c] / 255.0f,
                             "row %zu value %zu is %g, file byte %u", row, c,
                             (double)x[row * (REC - 1) + c], (unsigned)body[r + 1 + c]);
        }
    gan_dataset_free(ds);
    return 0;
}
