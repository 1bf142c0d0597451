/* IDX loading: round trips (plain and gzip), malformed files, MNIST and
 * Fashion-MNIST when present. */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE /* RTLD_NEXT */
#include "common.h"

#include <dlfcn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* Write bytes to path, gzip-compressed when gz. */
static void write_idx_file(const char *path, const void *data, size_t n, int gz)
{
    if (!gz) {
        write_file(path, data, n);
        return;
    }
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    if (n > 0)
        assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Header type/dims and sizes followed by body_len bytes of pattern; returns
 * the malloc'ed buffer and its length. */
static uint8_t *make_idx(size_t *len, uint8_t type, uint8_t ndims, const uint32_t *dims,
                         size_t body_len)
{
    size_t hdr = 4 + 4 * (size_t)ndims;
    uint8_t *b = xmalloc(hdr + body_len + 1);
    b[0] = 0;
    b[1] = 0;
    b[2] = type;
    b[3] = ndims;
    for (unsigned i = 0; i < ndims; i++)
        put_be32(b + 4 + 4 * i, dims[i]);
    for (size_t i = 0; i < body_len; i++)
        b[hdr + i] = (uint8_t)((i * 37u + 11u) & 0xFF);
    *len = hdr + body_len;
    return b;
}

static void write_images(const char *path, uint32_t n, uint32_t h, uint32_t w, int gz)
{
    uint32_t dims[3] = {n, h, w};
    size_t len;
    uint8_t *b = make_idx(&len, 0x08, 3, dims, (size_t)n * h * w);
    write_idx_file(path, b, len, gz);
    free(b);
}

static void write_labels(const char *path, uint32_t n, int gz)
{
    uint32_t dims[1] = {n};
    size_t len;
    uint8_t *b = make_idx(&len, 0x08, 1, dims, n);
    write_idx_file(path, b, len, gz);
    free(b);
}

static void check_round_trip(const char *dir, uint32_t n, uint32_t h, uint32_t w, int gz)
{
    char ip[128], lp[128];
    path_join(ip, sizeof ip, dir, gz ? "img.gz" : "img");
    path_join(lp, sizeof lp, dir, gz ? "lab.gz" : "lab");
    write_images(ip, n, h, w, gz);
    write_labels(lp, n, gz);

    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, lp), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), n);
    assert_int_equal(gan_dataset_cols(ds), (size_t)h * w);
    const float *x = gan_dataset_data(ds);
    const int32_t *lab = gan_dataset_labels(ds);
    assert_non_null(x);
    assert_non_null(lab);
    size_t total = (size_t)n * h * w;
    for (size_t i = 0; i < total; i++) {
        uint8_t byte = (uint8_t)((i * 37u + 11u) & 0xFF);
        if (x[i] != (float)byte / 255.0f)
            fail_msg("pixel %zu is %g, expected %u/255", i, (double)x[i], byte);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(lab[i], (int32_t)((i * 37u + 11u) & 0xFF));
    /* Extremes map to exactly 0 and 1. */
    float lo = 1, hi = 0;
    for (size_t i = 0; i < total; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    assert_true(lo >= 0.0f && hi <= 1.0f);
    gan_dataset_free(ds);

    /* Without labels. */
    ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, NULL), GAN_OK);
    assert_null(gan_dataset_labels(ds));
    assert_int_equal(gan_dataset_rows(ds), n);
    gan_dataset_free(ds);
    unlink(ip);
    unlink(lp);
}

static void test_round_trip_plain(void **state)
{
    const char *dir = *state;
    check_round_trip(dir, 5, 3, 2, 0);
    check_round_trip(dir, 1, 1, 1, 0);
    /* Larger than the loader's read chunk. */
    check_round_trip(dir, 400, 28, 28, 0);
}

static void test_round_trip_gzip(void **state)
{
    const char *dir = *state;
    check_round_trip(dir, 5, 3, 2, 1);
    check_round_trip(dir, 1, 1, 1, 1);
    check_round_trip(dir, 400, 28, 28, 1);
}

/* Mixed: gzipped images with plain labels. */
static void test_round_trip_mixed(void **state)
{
    const char *dir = *state;
    char ip[128], lp[128];
    path_join(ip, sizeof ip, dir, "mixed_img.gz");
    path_join(lp, sizeof lp, dir, "mixed_lab");
    write_images(ip, 7, 4, 4, 1);
    write_labels(lp, 7, 0);
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, lp), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 7);
    assert_int_equal(gan_dataset_cols(ds), 16);
    gan_dataset_free(ds);
    unlink(ip);
    unlink(lp);
}

/* Build malformed file number `which` (see BAD below) into path. */
static void build_bad(const char *path, int which, int gz)
{
    uint32_t d3[3] = {2, 2, 2};
    uint32_t d1[1] = {2};
    size_t len = 0;
    uint8_t *b = NULL;
    switch (which) {
    case 0: /* wrong magic */
        b = make_idx(&len, 0x08, 3, d3, 8);
        b[0] = 0x01;
        break;
    case 1: /* wrong type code (0x0D = float) */
        b = make_idx(&len, 0x0D, 3, d3, 8);
        break;
    case 2: /* images file with 2 dimensions */
        b = make_idx(&len, 0x08, 2, d3, 8);
        break;
    case 3: /* truncated header: magic and 1.5 sizes */
        b = make_idx(&len, 0x08, 3, d3, 0);
        len = 4 + 6;
        break;
    case 4: /* truncated body */
        b = make_idx(&len, 0x08, 3, d3, 7);
        break;
    case 5: /* trailing garbage */
        b = make_idx(&len, 0x08, 3, d3, 9);
        break;
    case 6: { /* sizes whose product overflows size_t */
        uint32_t big[3] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
        b = make_idx(&len, 0x08, 3, big, 8);
        break;
    }
    case 7: { /* sizes that fit size_t but far exceed the file */
        uint32_t big[3] = {0xFFFFFFFFu, 0xFFFFu, 1};
        b = make_idx(&len, 0x08, 3, big, 8);
        break;
    }
    case 8: { /* a zero size */
        uint32_t z[3] = {0, 28, 28};
        b = make_idx(&len, 0x08, 3, z, 0);
        break;
    }
    case 9: /* empty file */
        b = make_idx(&len, 0x08, 3, d3, 0);
        len = 0;
        break;
    case 10: /* magic only */
        b = make_idx(&len, 0x08, 3, d3, 0);
        len = 3;
        break;
    case 11: { /* labels: count mismatch (3 labels for 2 images) */
        uint32_t n3[1] = {3};
        b = make_idx(&len, 0x08, 1, n3, 3);
        break;
    }
    case 12: /* labels with 3 dimensions */
        b = make_idx(&len, 0x08, 3, d3, 8);
        break;
    case 13: /* labels truncated */
        b = make_idx(&len, 0x08, 1, d1, 1);
        break;
    case 14: /* labels with trailing garbage */
        b = make_idx(&len, 0x08, 1, d1, 3);
        break;
    default:
        fail();
    }
    write_idx_file(path, b, len, gz);
    free(b);
}

/* in_labels: the bad file is the labels file (the images are valid). */
static const struct {
    const char *name;
    int in_labels;
    int expect;
} BAD[] = {
    {"wrong magic", 0, GAN_EFORMAT},
    {"wrong type code", 0, GAN_EFORMAT},
    {"wrong dims", 0, GAN_EFORMAT},
    {"truncated header", 0, GAN_EFORMAT},
    {"truncated body", 0, GAN_EFORMAT},
    {"trailing garbage", 0, GAN_EFORMAT},
    {"sizes overflow size_t", 0, GAN_EFORMAT},
    {"sizes exceed the file", 0, GAN_EFORMAT},
    {"zero size", 0, GAN_EFORMAT},
    {"empty file", 0, GAN_EFORMAT},
    {"magic cut short", 0, GAN_EFORMAT},
    {"label count mismatch", 1, GAN_ESHAPE},
    {"labels with 3 dims", 1, GAN_EFORMAT},
    {"labels truncated", 1, GAN_EFORMAT},
    {"labels trailing garbage", 1, GAN_EFORMAT},
};

static void test_malformed(void **state)
{
    const char *dir = *state;
    char good_img[128], good_lab[128], bad[128];
    path_join(good_img, sizeof good_img, dir, "good_img");
    path_join(good_lab, sizeof good_lab, dir, "good_lab");
    write_images(good_img, 2, 2, 2, 0);
    write_labels(good_lab, 2, 0);
    for (int gz = 0; gz <= 1; gz++) {
        for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
            path_join(bad, sizeof bad, dir, gz ? "bad.gz" : "bad");
            build_bad(bad, (int)i, gz);
            gan_dataset *ds = (gan_dataset *)(uintptr_t)1;
            int rc = BAD[i].in_labels ? gan_dataset_load_idx(&ds, good_img, bad)
                                      : gan_dataset_load_idx(&ds, bad, good_lab);
            if (rc != BAD[i].expect)
                fail_msg("%s (%s): got %d (%s), expected %d", BAD[i].name, gz ? "gzip" : "plain",
                         rc, gan_error_last(), BAD[i].expect);
            assert_null(ds);
            assert_int_equal(gan_error_last_code(), rc);
            /* The message names the file at fault. */
            if (strstr(gan_error_last(), bad) == NULL)
                fail_msg("%s: message does not name %s: %s", BAD[i].name, bad, gan_error_last());
            unlink(bad);
        }
    }
    /* The count mismatch names both files. */
    path_join(bad, sizeof bad, dir, "bad");
    build_bad(bad, 11, 0);
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, good_img, bad), GAN_ESHAPE);
    assert_non_null(strstr(gan_error_last(), good_img));
    assert_non_null(strstr(gan_error_last(), bad));
    /* Truncations report "truncated". */
    build_bad(bad, 4, 0);
    assert_int_equal(gan_dataset_load_idx(&ds, bad, NULL), GAN_EFORMAT);
    assert_non_null(strstr(gan_error_last(), "truncated"));
    unlink(bad);
    unlink(good_img);
    unlink(good_lab);
}

/* A gzip stream cut short, and one with corrupted compressed bytes. */
static void test_bad_gzip(void **state)
{
    const char *dir = *state;
    char ip[128], bad[128];
    path_join(ip, sizeof ip, dir, "img.gz");
    path_join(bad, sizeof bad, dir, "bad.gz");
    write_images(ip, 50, 28, 28, 1);
    FILE *f = fopen(ip, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 100 && n < sizeof buf);

    /* Every cut of the compressed file is rejected with a format error. */
    for (size_t cut = 0; cut < n; cut += (cut < 64 ? 1 : 97)) {
        f = fopen(bad, "wb");
        assert_non_null(f);
        if (cut > 0)
            assert_int_equal(fwrite(buf, 1, cut, f), cut);
        fclose(f);
        gan_dataset *ds = NULL;
        int rc = gan_dataset_load_idx(&ds, bad, NULL);
        if (rc != GAN_EFORMAT)
            fail_msg("gzip cut at %zu of %zu: got %d (%s)", cut, n, rc, gan_error_last());
        assert_null(ds);
    }
    /* Corrupt bytes inside the deflate stream. */
    for (size_t pos = 20; pos < n - 8; pos += 53) {
        buf[pos] ^= 0x5A;
        f = fopen(bad, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, n, f), n);
        fclose(f);
        gan_dataset *ds = NULL;
        int rc = gan_dataset_load_idx(&ds, bad, NULL);
        /* Either the stream is detected as corrupt or (rarely) it decodes to
         * different pixels; never a crash or out-of-bounds read. */
        if (rc != GAN_OK && rc != GAN_EFORMAT)
            fail_msg("gzip corrupted at %zu: got %d (%s)", pos, rc, gan_error_last());
        gan_dataset_free(ds);
        buf[pos] ^= 0x5A;
    }
    unlink(ip);
    unlink(bad);
}

static void test_bad_paths(void **state)
{
    const char *dir = *state;
    char ip[128], missing[128];
    path_join(ip, sizeof ip, dir, "img");
    path_join(missing, sizeof missing, dir, "no_such_file");
    write_images(ip, 2, 2, 2, 0);
    gan_dataset *ds = NULL;
    /* A directory, for images and for labels. */
    assert_int_equal(gan_dataset_load_idx(&ds, dir, NULL), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), dir));
    assert_null(ds);
    assert_int_equal(gan_dataset_load_idx(&ds, ip, dir), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), dir));
    assert_null(ds);
    /* Missing files. */
    assert_int_equal(gan_dataset_load_idx(&ds, missing, NULL), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), missing));
    assert_int_equal(gan_dataset_load_idx(&ds, ip, missing), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), missing));
    assert_null(ds);
    /* A FIFO is refused at once, not waited on for a writer. */
    char fifo[128];
    path_join(fifo, sizeof fifo, dir, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(gan_dataset_load_idx(&ds, fifo, NULL), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), "not a regular file"));
    assert_int_equal(gan_dataset_load_idx(&ds, ip, fifo), GAN_EIO);
    assert_null(ds);
    unlink(fifo);
    /* Bad arguments. */
    assert_int_equal(gan_dataset_load_idx(NULL, ip, NULL), GAN_EINVAL);
    assert_int_equal(gan_dataset_load_idx(&ds, NULL, NULL), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_dataset_load_idx"));
    unlink(ip);
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void test_mnist(void **state)
{
    (void)state;
    char ip[4096], lp[4096], tip[4096], tlp[4096];
    snprintf(ip, sizeof ip, "%s/train-images-idx3-ubyte", GAN_TEST_DATA_DIR);
    snprintf(lp, sizeof lp, "%s/train-labels-idx1-ubyte", GAN_TEST_DATA_DIR);
    snprintf(tip, sizeof tip, "%s/t10k-images-idx3-ubyte", GAN_TEST_DATA_DIR);
    snprintf(tlp, sizeof tlp, "%s/t10k-labels-idx1-ubyte", GAN_TEST_DATA_DIR);
    if (!file_exists(ip) || !file_exists(lp) || !file_exists(tip) || !file_exists(tlp)) {
        print_message("MNIST not found in %s (run the fetch-mnist target): skipping\n",
                      GAN_TEST_DATA_DIR);
        skip();
    }
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, lp), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 60000);
    assert_int_equal(gan_dataset_cols(ds), 784);
    const float *x = gan_dataset_data(ds);
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)60000 * 784; i++)
        sum += x[i];
    double mean = sum / (60000.0 * 784.0);
    assert_true(fabs(mean - 0.13066) < 1e-4);
    /* The column means agree. */
    float *cm = xmalloc(784 * sizeof *cm);
    assert_int_equal(gan_dataset_column_mean(cm, 784, ds), GAN_OK);
    double s2 = 0.0;
    for (int j = 0; j < 784; j++)
        s2 += cm[j];
    assert_true(fabs(s2 / 784.0 - mean) < 1e-6);
    free(cm);
    static const int expected[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    int counts[10] = {0};
    const int32_t *lab = gan_dataset_labels(ds);
    assert_non_null(lab);
    for (size_t i = 0; i < 60000; i++) {
        assert_in_range(lab[i], 0, 9);
        counts[lab[i]]++;
    }
    for (int c = 0; c < 10; c++)
        assert_int_equal(counts[c], expected[c]);
    gan_dataset_free(ds);

    ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, tip, tlp), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 10000);
    assert_int_equal(gan_dataset_cols(ds), 784);
    assert_non_null(gan_dataset_labels(ds));
    gan_dataset_free(ds);

    /* Train images with the test labels: count mismatch. */
    ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, tlp), GAN_ESHAPE);
    assert_null(ds);
}

static void test_fashion_mnist(void **state)
{
    (void)state;
    /* Under valgrind only the smaller test set is decompressed. */
    const int small = under_valgrind();
    const char *prefix = small ? "t10k" : "train";
    const size_t rows = small ? 10000 : 60000;
    char ip[256], lp[256];
    snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte.gz", FASHION_DIR, prefix);
    snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte.gz", FASHION_DIR, prefix);
    if (!file_exists(ip) || !file_exists(lp)) {
        print_message("Fashion-MNIST not found in %s (Debian package dataset-fashion-mnist): skipping\n",
                      FASHION_DIR);
        skip();
    }
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_load_idx(&ds, ip, lp), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), rows);
    assert_int_equal(gan_dataset_cols(ds), 784);
    /* Fashion-MNIST is balanced: rows / 10 images per class. */
    const int32_t *lab = gan_dataset_labels(ds);
    assert_non_null(lab);
    size_t counts[10] = {0};
    for (size_t i = 0; i < rows; i++) {
        assert_in_range(lab[i], 0, 9);
        counts[lab[i]]++;
    }
    for (int c = 0; c < 10; c++)
        assert_int_equal(counts[c], rows / 10);
    const float *x = gan_dataset_data(ds);
    double sum = 0.0;
    for (size_t i = 0; i < rows * 784; i++)
        sum += x[i];
    /* Mean pixel of Fashion-MNIST is about 0.286. */
    double mean = sum / ((double)rows * 784.0);
    assert_true(mean > 0.27 && mean < 0.30);
    gan_dataset_free(ds);
}

/* ---- gzip framing: trailer, trailing bytes, several members ---------- */

/* data gzip-compressed into a malloc'ed buffer. */
static uint8_t *gzip_bytes(size_t *out_len, const void *data, size_t n)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    const size_t cap = deflateBound(&zs, (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void write_raw(const char *path, const void *a, size_t na, const void *b, size_t nb)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (na > 0)
        assert_int_equal(fwrite(a, 1, na, f), na);
    if (nb > 0)
        assert_int_equal(fwrite(b, 1, nb, f), nb);
    assert_int_equal(fclose(f), 0);
}

/* Load path as images; expect code and (if not NULL) words in the message. */
static void expect_load(const char *path, int code, const char *words, const char *what)
{
    gan_dataset *ds = (gan_dataset *)(uintptr_t)1;
    int rc = gan_dataset_load_idx(&ds, path, NULL);
    if (rc != code || (words != NULL && strstr(gan_error_last(), words) == NULL))
        fail_msg("%s: got %d (%s), expected %d with \"%s\"", what, rc, gan_error_last(), code,
                 words != NULL ? words : "");
    if (code == GAN_OK)
        gan_dataset_free(ds);
    else
        assert_null(ds);
}

/* The 8-byte trailer (CRC-32, size) is checked: cut anywhere inside it,
 * or with a wrong byte, the file is refused. */
static void test_gzip_trailer(void **state)
{
    const char *dir = *state;
    uint32_t dims[3] = {6, 5, 4};
    size_t len, gz_len;
    uint8_t *raw = make_idx(&len, 0x08, 3, dims, 120);
    uint8_t *gz = gzip_bytes(&gz_len, raw, len);
    char path[128];
    path_join(path, sizeof path, dir, "trailer.gz");
    write_raw(path, gz, gz_len, NULL, 0);
    expect_load(path, GAN_OK, NULL, "whole file");
    for (size_t cut = 1; cut <= 8; cut++) {
        write_raw(path, gz, gz_len - cut, NULL, 0);
        char what[64];
        snprintf(what, sizeof what, "%zu trailer bytes cut", cut);
        expect_load(path, GAN_EFORMAT, "truncated", what);
    }
    for (size_t at = gz_len - 8; at < gz_len; at++) {
        gz[at] ^= 0x01;
        write_raw(path, gz, gz_len, NULL, 0);
        char what[64];
        snprintf(what, sizeof what, "trailer byte %zu flipped", at - (gz_len - 8));
        expect_load(path, GAN_EFORMAT, at < gz_len - 4 ? "incorrect data check" : "incorrect length check",
                    what);
        gz[at] ^= 0x01;
    }
    unlink(path);
    free(gz);
    free(raw);
}

/* Bytes after the gzip data are refused, as after a plain file's data. */
static void test_gzip_trailing_bytes(void **state)
{
    const char *dir = *state;
    uint32_t dims[3] = {3, 2, 2};
    size_t len, gz_len;
    uint8_t *raw = make_idx(&len, 0x08, 3, dims, 12);
    uint8_t *gz = gzip_bytes(&gz_len, raw, len);
    char path[128];
    path_join(path, sizeof path, dir, "trailing.gz");
    static const uint8_t zeros[16] = {0};
    static const uint8_t half_magic[1] = {0x1f};
    write_raw(path, gz, gz_len, "x", 1);
    expect_load(path, GAN_EFORMAT, "1 trailing byte after the end of the gzip data", "one byte");
    write_raw(path, gz, gz_len, zeros, sizeof zeros);
    expect_load(path, GAN_EFORMAT, "16 trailing bytes", "zero padding");
    write_raw(path, gz, gz_len, half_magic, 1);
    expect_load(path, GAN_EFORMAT, "1 trailing byte", "half a gzip magic");
    /* A gzip magic that does not start a valid member. */
    write_raw(path, gz, gz_len, gz, 10);
    expect_load(path, GAN_EFORMAT, NULL, "a member cut after its header");
    unlink(path);
    free(gz);
    free(raw);
}

/* Several gzip members in a row (cat a.gz b.gz) are one stream, as for
 * gzip -d; also with an empty member and a split inside the header. */
static void test_gzip_members(void **state)
{
    const char *dir = *state;
    uint32_t dims[3] = {4, 3, 3};
    size_t len;
    uint8_t *raw = make_idx(&len, 0x08, 3, dims, 36);
    char plain[128], path[128];
    path_join(plain, sizeof plain, dir, "members_plain");
    path_join(path, sizeof path, dir, "members.gz");
    write_raw(plain, raw, len, NULL, 0);
    gan_dataset *want;
    assert_int_equal(gan_dataset_load_idx(&want, plain, NULL), GAN_OK);
    const size_t splits[] = {0, 3, 9, 16, 30, len};
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        size_t la, lb;
        uint8_t *a = gzip_bytes(&la, raw, splits[i]);
        uint8_t *b = gzip_bytes(&lb, raw + splits[i], len - splits[i]);
        write_raw(path, a, la, b, lb);
        gan_dataset *ds;
        if (gan_dataset_load_idx(&ds, path, NULL) != GAN_OK)
            fail_msg("split at %zu: %s", splits[i], gan_error_last());
        assert_int_equal(gan_dataset_rows(ds), 4);
        assert_memory_equal(gan_dataset_data(ds), gan_dataset_data(want), 36 * sizeof(float));
        gan_dataset_free(ds);
        /* The second member is checked like the first. */
        write_raw(path, a, la, b, lb - 1);
        expect_load(path, GAN_EFORMAT, "truncated", "second member cut short");
        free(a);
        free(b);
    }
    gan_dataset_free(want);
    unlink(plain);
    unlink(path);
    free(raw);
}

/* ---- out of memory inside zlib ------------------------------------------
 * These definitions take the place of zlib's for the library linked into
 * this program; when asked they fail as zlib does when an allocation
 * fails, else they pass the call on. */
static int g_fail_inflate_init, g_fail_inflate;

static void *real_symbol(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    assert_non_null(p);
    return p;
}

int inflateInit2_(z_streamp strm, int window_bits, const char *version, int stream_size)
{
    if (g_fail_inflate_init)
        return Z_MEM_ERROR;
    int (*real)(z_streamp, int, const char *, int);
    void *sym = real_symbol("inflateInit2_");
    memcpy(&real, &sym, sizeof real);
    return real(strm, window_bits, version, stream_size);
}

int inflate(z_streamp strm, int flush)
{
    if (g_fail_inflate)
        return Z_MEM_ERROR;
    int (*real)(z_streamp, int);
    void *sym = real_symbol("inflate");
    memcpy(&real, &sym, sizeof real);
    return real(strm, flush);
}

static void test_zlib_out_of_memory(void **state)
{
    const char *dir = *state;
    char gz[128], plain[128];
    path_join(gz, sizeof gz, dir, "oom.gz");
    path_join(plain, sizeof plain, dir, "oom_plain");
    write_images(gz, 3, 2, 2, 1);
    write_images(plain, 3, 2, 2, 0);
    g_fail_inflate_init = 1;
    expect_load(gz, GAN_ENOMEM, "out of memory", "inflateInit2 fails");
    /* A plain file does not need zlib at all. */
    expect_load(plain, GAN_OK, NULL, "plain file, inflateInit2 failing");
    g_fail_inflate_init = 0;
    g_fail_inflate = 1;
    expect_load(gz, GAN_ENOMEM, "out of memory", "inflate fails");
    g_fail_inflate = 0;
    expect_load(gz, GAN_OK, NULL, "zlib working again");
    unlink(gz);
    unlink(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_round_trip_plain),
        TMPDIR_TEST(test_round_trip_gzip),
        TMPDIR_TEST(test_round_trip_mixed),
        TMPDIR_TEST(test_malformed),
        TMPDIR_TEST(test_bad_gzip),
        TMPDIR_TEST(test_bad_paths),
        TMPDIR_TEST(test_gzip_trailer),
        TMPDIR_TEST(test_gzip_trailing_bytes),
        TMPDIR_TEST(test_gzip_members),
        TMPDIR_TEST(test_zlib_out_of_memory),
        cmocka_unit_test(test_mnist),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
