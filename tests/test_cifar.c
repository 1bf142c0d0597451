/* CIFAR-10 binary loading (gan_dataset_load_cifar10) on synthetic files
 * written here record by record: values, labels and layout, several
 * files, and the refusals (partial records with their hints, bad labels,
 * empty, missing, a folder, a FIFO, bad arguments). Also the channel-major
 * grid writer (gan_png_write_grid_chw), which draws what the loader
 * returns. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char FN[] = "gan_dataset_load_cifar10";

#define PIX 3072u
#define REC (1u + PIX)

/* Pixel byte k of record r of file f: every byte value occurs, and records
 * and files differ. */
static unsigned char pixel(unsigned f, size_t r, size_t k)
{
    return (unsigned char)((r * 31u + k * 7u + f * 13u + k / 1024u) % 256u);
}

static unsigned char label_of(unsigned f, size_t r)
{
    return (unsigned char)((f * 7u + r) % 10u);
}

/* File f of n records (extra bytes of a partial record appended), written
 * to dir/name; the path goes to out. */
static void write_cifar(char *out, size_t out_len, const char *dir, const char *name, unsigned f,
                        size_t n, size_t extra)
{
    path_join(out, out_len, dir, name);
    const size_t len = n * REC + extra;
    unsigned char *b = xmalloc(len);
    for (size_t r = 0; r < n; r++) {
        b[r * REC] = label_of(f, r);
        for (size_t k = 0; k < PIX; k++)
            b[r * REC + 1 + k] = pixel(f, r, k);
    }
    for (size_t i = 0; i < extra; i++)
        b[n * REC + i] = (unsigned char)i;
    write_file(out, b, len);
    free(b);
}

/* Rows [row0, row0 + n) of ds are file f's n records. */
static void check_rows(const gan_dataset *ds, size_t row0, unsigned f, size_t n)
{
    const float *x = gan_dataset_data(ds);
    const int32_t *lab = gan_dataset_labels(ds);
    assert_non_null(lab);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(lab[row0 + r], label_of(f, r));
        const float *row = x + (row0 + r) * PIX;
        for (size_t k = 0; k < PIX; k++)
            if (row[k] != (float)pixel(f, r, k) / 255.0f)
                fail_msg("file %u record %zu value %zu: %g, expected %u/255", f, r, k,
                         (double)row[k], (unsigned)pixel(f, r, k));
    }
}

static void test_values_labels_layout(void **state)
{
    char p[512];
    write_cifar(p, sizeof p, *state, "data_batch_1.bin", 0, 3, 0);
    const char *paths[] = {p};
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_cifar10(&ds, paths, 1), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    assert_int_equal(gan_dataset_cols(ds), PIX);
    check_rows(ds, 0, 0, 3);
    gan_dataset_free(ds);

    /* Layout, spelled out: one record whose pixel (c, y, x) is a distinct
     * value lands at column c*1024 + y*32 + x. */
    unsigned char rec[REC];
    rec[0] = 9;
    memset(rec + 1, 0, PIX);
    rec[1 + 0 * 1024 + 0 * 32 + 1] = 10;   /* red, y 0, x 1 */
    rec[1 + 1 * 1024 + 2 * 32 + 3] = 20;   /* green, y 2, x 3 */
    rec[1 + 2 * 1024 + 31 * 32 + 31] = 255; /* blue, last pixel */
    write_file(p, rec, sizeof rec);
    assert_int_equal(gan_dataset_load_cifar10(&ds, paths, 1), GAN_OK);
    const float *x = gan_dataset_data(ds);
    assert_int_equal(gan_dataset_labels(ds)[0], 9);
    assert_true(x[1] == 10.0f / 255.0f);
    assert_true(x[1024 + 2 * 32 + 3] == 20.0f / 255.0f);
    assert_true(x[2 * 1024 + 1023] == 1.0f);
    float sum = 0;
    for (size_t k = 0; k < PIX; k++)
        sum += x[k];
    assert_true(sum == 10.0f / 255.0f + 20.0f / 255.0f + 1.0f);
    gan_dataset_free(ds);
}

static void test_several_files(void **state)
{
    char a[512], b[512], c[512];
    write_cifar(a, sizeof a, *state, "data_batch_1.bin", 1, 2, 0);
    write_cifar(b, sizeof b, *state, "data_batch_2.bin", 2, 1, 0);
    write_cifar(c, sizeof c, *state, "test_batch.bin", 3, 4, 0);
    const char *paths[] = {a, b, c, a};
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_cifar10(&ds, paths, 4), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 9);
    check_rows(ds, 0, 1, 2);
    check_rows(ds, 2, 2, 1);
    check_rows(ds, 3, 3, 4);
    check_rows(ds, 7, 1, 2); /* a file named twice is loaded twice */
    gan_dataset_free(ds);
    /* n_paths counts: only the first two. */
    assert_int_equal(gan_dataset_load_cifar10(&ds, paths, 2), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    gan_dataset_free(ds);
}

/* The load fails with code, *out NULL, and the message holds every text of
 * want (NULL-terminated). */
static void expect_refused(const char *const *paths, size_t n, int code, const char *const *want)
{
    gan_dataset *ds = (gan_dataset *)&ds;
    gan_error_clear();
    const int rc = gan_dataset_load_cifar10(&ds, paths, n);
    if (rc != code)
        fail_msg("status %d (%s), expected %d", rc, gan_error_last(), code);
    assert_int_equal(gan_error_last_code(), code);
    assert_null(ds);
    for (; *want != NULL; want++)
        if (strstr(gan_error_last(), *want) == NULL)
            fail_msg("the message \"%s\" lacks \"%s\"", gan_error_last(), *want);
}

static void test_partial_record(void **state)
{
    char good[512], p[512];
    write_cifar(good, sizeof good, *state, "data_batch_1.bin", 0, 2, 0);
    write_cifar(p, sizeof p, *state, "data_batch_2.bin", 0, 2, 100);
    const char *paths[] = {good, p};
    /* 2 * 3073 + 100 = 6246 */
    expect_refused(paths, 2, GAN_EFORMAT,
                   (const char *[]){"data_batch_2.bin", "6246 bytes", "3073-byte", "2 records",
                                    "100 bytes", NULL});
    /* One byte short of a record, alone. */
    write_cifar(p, sizeof p, *state, "short.bin", 0, 0, REC - 1);
    expect_refused((const char *[]){p}, 1, GAN_EFORMAT,
                   (const char *[]){"short.bin", "3072 bytes", "0 records", NULL});

    /* The hints: CIFAR-100 records, gzip, a Python pickle. */
    unsigned char *b = xmalloc(2 * (REC + 1));
    memset(b, 3, 2 * (REC + 1));
    path_join(p, sizeof p, *state, "c100.bin");
    write_file(p, b, 2 * (REC + 1));
    expect_refused((const char *[]){p}, 1, GAN_EFORMAT,
                   (const char *[]){"c100.bin", "CIFAR-100", NULL});
    b[0] = 0x1f;
    b[1] = 0x8b;
    path_join(p, sizeof p, *state, "cifar.tar.gz");
    write_file(p, b, 500);
    expect_refused((const char *[]){p}, 1, GAN_EFORMAT,
                   (const char *[]){"cifar.tar.gz", "500 bytes", "gzip", NULL});
    b[0] = 0x80;
    b[1] = 0x02;
    path_join(p, sizeof p, *state, "data_batch_1");
    write_file(p, b, 1000);
    expect_refused((const char *[]){p}, 1, GAN_EFORMAT,
                   (const char *[]){"data_batch_1", "pickle", NULL});
    free(b);
}

static void test_bad_label(void **state)
{
    char good[512], p[512];
    write_cifar(good, sizeof good, *state, "data_batch_1.bin", 0, 2, 0);
    write_cifar(p, sizeof p, *state, "bad.bin", 0, 3, 0);
    size_t len;
    unsigned char *b = read_file(p, &len);
    b[1 * REC] = 10;
    write_file(p, b, len);
    const char *paths[] = {good, p};
    expect_refused(paths, 2, GAN_EFORMAT,
                   (const char *[]){"bad.bin", "record 1", "label 10", "0 to 9", NULL});
    b[1 * REC] = 1;
    b[2 * REC] = 255;
    write_file(p, b, len);
    expect_refused(paths, 2, GAN_EFORMAT, (const char *[]){"record 2", "label 255", NULL});
    free(b);
}

static void test_files_refused(void **state)
{
    char good[512], p[512];
    write_cifar(good, sizeof good, *state, "data_batch_1.bin", 0, 1, 0);
    path_join(p, sizeof p, *state, "empty.bin");
    write_file(p, "", 0);
    expect_refused((const char *[]){good, p}, 2, GAN_EFORMAT,
                   (const char *[]){"empty.bin", "empty file", NULL});
    path_join(p, sizeof p, *state, "missing.bin");
    expect_refused((const char *[]){good, p}, 2, GAN_EIO,
                   (const char *[]){"missing.bin", "CIFAR-10", "No such file", NULL});
    expect_refused((const char *[]){*state}, 1, GAN_EIO,
                   (const char *[]){"directory", "not a regular file", NULL});
    /* More than 2^31 bytes (a sparse file, whole records): refused before
     * anything is read. */
    path_join(p, sizeof p, *state, "huge.bin");
    write_file(p, "\x01", 1);
    assert_int_equal(truncate(p, (off_t)(((1u << 31) / REC + 1) * (size_t)REC)), 0);
    expect_refused((const char *[]){p}, 1, GAN_EFORMAT, (const char *[]){"huge.bin", "too large", NULL});
    unlink(p);
    path_join(p, sizeof p, *state, "fifo.bin");
    assert_int_equal(mkfifo(p, 0600), 0);
    expect_refused((const char *[]){good, p}, 2, GAN_EIO, (const char *[]){"fifo.bin", "FIFO", NULL});
}

static void test_arguments(void **state)
{
    char good[512];
    write_cifar(good, sizeof good, *state, "data_batch_1.bin", 0, 1, 0);
    const char *paths[] = {good, NULL};
    gan_dataset *ds = (gan_dataset *)&ds;
    EXPECT_ERR(gan_dataset_load_cifar10(NULL, paths, 1), GAN_EINVAL, FN, "out");
    EXPECT_ERR(gan_dataset_load_cifar10(&ds, NULL, 1), GAN_EINVAL, FN, "paths");
    assert_null(ds);
    EXPECT_ERR(gan_dataset_load_cifar10(&ds, paths, 0), GAN_EINVAL, FN, "n_paths");
    EXPECT_ERR(gan_dataset_load_cifar10(&ds, paths, 2), GAN_EINVAL, FN, "paths[1] is NULL");
    const char *empty[] = {good, good, ""};
    EXPECT_ERR(gan_dataset_load_cifar10(&ds, empty, 3), GAN_EINVAL, FN, "paths[2] is empty");
    assert_null(ds);
}

/* gan_png_write_grid_chw draws what gan_png_write_grid_rgb draws for the
 * same images in HWC order, and refuses what it refuses. */
static void test_grid_chw(void **state)
{
    enum { GR = 2, GC = 3, H = 5, W = 4, N = GR * GC * 3 * H * W, L = GR * 3 * H * W };
    float *chw = seeded_uniform(N + L, 11, -0.2f, 1.2f), *hwc = xmalloc((N + L) * sizeof *hwc);
    for (size_t img = 0; img < GR * GC + GR; img++)
        for (size_t c = 0; c < 3; c++)
            for (size_t y = 0; y < H; y++)
                for (size_t x = 0; x < W; x++)
                    hwc[img * 3 * H * W + (y * W + x) * 3 + c] =
                        chw[img * 3 * H * W + (c * H + y) * W + x];
    char a[512], b[512];
    path_join(a, sizeof a, *state, "chw.png");
    path_join(b, sizeof b, *state, "hwc.png");
    assert_int_equal(gan_png_write_grid_chw(a, chw, GR, GC, H, W, chw + N), GAN_OK);
    assert_int_equal(gan_png_write_grid_rgb(b, hwc, GR, GC, H, W, hwc + N), GAN_OK);
    assert_files_equal(a, b);
    assert_int_equal(gan_png_write_grid_chw(a, chw, GR, GC, H, W, NULL), GAN_OK);
    assert_int_equal(gan_png_write_grid_rgb(b, hwc, GR, GC, H, W, NULL), GAN_OK);
    assert_files_equal(a, b);
    /* A red-only image is red: CHW's first plane is the red channel. */
    float one[3 * 2 * 2] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    float red[3 * 2 * 2] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
    assert_int_equal(gan_png_write_grid_chw(a, one, 1, 1, 2, 2, NULL), GAN_OK);
    assert_int_equal(gan_png_write_grid_rgb(b, red, 1, 1, 2, 2, NULL), GAN_OK);
    assert_files_equal(a, b);

    const char *fn = "gan_png_write_grid_chw";
    expect_error(gan_png_write_grid_chw(NULL, chw, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_chw(a, NULL, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_chw(a, chw, 1, 0, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_chw(a, chw, 1, 1, 2, 0, NULL), GAN_EINVAL, fn);
    free(chw);
    free(hwc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_values_labels_layout),
        TMPDIR_TEST(test_several_files),
        TMPDIR_TEST(test_partial_record),
        TMPDIR_TEST(test_bad_label),
        TMPDIR_TEST(test_files_refused),
        TMPDIR_TEST(test_arguments),
        TMPDIR_TEST(test_grid_chw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
