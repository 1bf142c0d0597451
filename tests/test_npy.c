/* NPY loading (gan_dataset_load_npy): every accepted dtype and format
 * version, and the refusals: Fortran order, object and structured arrays,
 * other dtypes, damaged headers, truncated data, trailing bytes, non-finite
 * values. The files are written here byte by byte, as numpy writes them. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <float.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char FN[] = "gan_dataset_load_npy";

/* An NPY file of format major.0 with the given header dict (padded with
 * spaces to a multiple of 64 and ended by '\n', as numpy does) and data. */
static unsigned char *make_npy(size_t *len, unsigned major, const char *dict, const void *data,
                               size_t data_len)
{
    const size_t pre = major == 1 ? 10 : 12;
    size_t hlen = strlen(dict) + 1;
    while ((pre + hlen) % 64 != 0)
        hlen++;
    unsigned char *b = xmalloc(pre + hlen + data_len);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    if (major == 1) {
        b[8] = (unsigned char)hlen;
        b[9] = (unsigned char)(hlen >> 8);
    } else {
        for (int i = 0; i < 4; i++)
            b[8 + i] = (unsigned char)(hlen >> (8 * i));
    }
    memset(b + pre, ' ', hlen);
    memcpy(b + pre, dict, strlen(dict));
    b[pre + hlen - 1] = '\n';
    if (data_len > 0)
        memcpy(b + pre + hlen, data, data_len);
    *len = pre + hlen + data_len;
    return b;
}

static void write_npy(const char *path, unsigned major, const char *dict, const void *data,
                      size_t data_len)
{
    size_t len;
    unsigned char *b = make_npy(&len, major, dict, data, data_len);
    write_file(path, b, len);
    free(b);
}

static void test_float32(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "a.npy");
    float v[2 * 3 * 4];
    for (int i = 0; i < 24; i++)
        v[i] = (float)i * 0.25f - 3.0f;
    for (unsigned major = 1; major <= 3; major++) {
        write_npy(p, major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", v,
                  sizeof v);
        gan_dataset *ds;
        assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_OK);
        assert_int_equal(gan_dataset_rows(ds), 2);
        assert_int_equal(gan_dataset_cols(ds), 12);
        assert_memory_equal(gan_dataset_data(ds), v, sizeof v);
        assert_null(gan_dataset_labels(ds));
        gan_dataset_free(ds);
    }
    /* 1-D: one column; keys in another order, double quotes, no spaces,
     * no trailing comma. */
    write_npy(p, 1, "{\"shape\":(24,),\"fortran_order\":False,\"descr\":\"<f4\"}", v, sizeof v);
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 24);
    assert_int_equal(gan_dataset_cols(ds), 1);
    assert_memory_equal(gan_dataset_data(ds), v, sizeof v);
    gan_dataset_free(ds);
    /* Big-endian. */
    unsigned char be[sizeof v];
    for (int i = 0; i < 24; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int k = 0; k < 4; k++)
            be[4 * i + k] = (unsigned char)(u >> (24 - 8 * k));
    }
    write_npy(p, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (6, 4), }", be, sizeof be);
    assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), 4);
    assert_memory_equal(gan_dataset_data(ds), v, sizeof v);
    gan_dataset_free(ds);
}

static void test_float64_uint8(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "b.npy");
    double d[6] = {0.1, -2.5, 1e-30, 3.0e38, -1.0 / 3.0, 7};
    write_npy(p, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", d, sizeof d);
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    assert_int_equal(gan_dataset_cols(ds), 2);
    for (int i = 0; i < 6; i++)
        assert_true(gan_dataset_data(ds)[i] == (float)d[i]);
    gan_dataset_free(ds);
    /* Beyond float32. */
    d[4] = 1e39;
    write_npy(p, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", d, sizeof d);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "b.npy", "[2][0]");
    assert_null(ds);
    unsigned char u[5 * 2] = {0, 255, 1, 128, 7, 9, 10, 11, 12, 254};
    write_npy(p, 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 2), }", u, sizeof u);
    assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_OK);
    for (int i = 0; i < 10; i++)
        assert_close(gan_dataset_data(ds)[i], u[i] / 255.0, 0, 1e-7, "u1", (size_t)i);
    gan_dataset_free(ds);
}

static void expect_bad(const char *p, unsigned major, const char *dict, const void *data,
                       size_t data_len, const char *needle)
{
    write_npy(p, major, dict, data, data_len);
    gan_dataset *ds = (gan_dataset *)1;
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", needle);
    assert_null(ds);
}

static void test_refused(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "c.npy");
    float v[16] = {0}; /* room for the 64 data bytes of the object case */
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 4), }", v, 32,
               "Fortran");
    expect_bad(p, 1, "{'descr': '|O', 'fortran_order': False, 'shape': (8,), }", v, 64, "object");
    expect_bad(p, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (8,), }", v, 32, "'<i4'");
    expect_bad(p, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }", v, 16, "'<f2'");
    expect_bad(p, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (8,), }", v, 32,
               "structured");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", v, 4, "0-d");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", v, 0, "is 0");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", v, 31,
               "truncated");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v, 32,
               "8 bytes after");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, }", v, 32, "no 'shape'");
    expect_bad(p, 1, "{'descr': '<f4', 'shape': (8,), }", v, 32, "no 'fortran_order'");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), 'x': 1}", v, 32,
               "'x'");
    expect_bad(p, 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (8,)}", v,
               32, "repeated");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (8,), }", v, 32, "True");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8, -1), }", v, 32,
               "shape");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': [8], }", v, 32, "tuple");
    expect_bad(p, 1, "{'descr': '<f\\4', 'fortran_order': False, 'shape': (8,), }", v, 32,
               "escape");
    expect_bad(p, 1, "{'descr': '<f4, 'fortran_order': False, 'shape': (8,), }", v, 32,
               "not supported");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), 'x", v, 32,
               "unterminated");
    expect_bad(p, 1, "['descr']", v, 32, "not a dict");
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), } x", v, 32,
               "after the dict");
    expect_bad(p, 1,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
               v, 32, "overflow");
    expect_bad(p, 1,
               "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, ), }",
               v, 32, "64 bits");
    /* Non-finite values. */
    v[5] = NAN;
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", v, 32,
               "[1][1] is NaN");
    v[5] = 0;
    v[2] = INFINITY;
    expect_bad(p, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", v, 32,
               "[0][2] is infinite");
}

static void test_damaged_preamble(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "c.npy");
    float v[4] = {1, 2, 3, 4};
    size_t len;
    unsigned char *b = make_npy(&len, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                                v, sizeof v);
    gan_dataset *ds;
    /* Truncated anywhere. */
    for (size_t cut = 0; cut < len; cut++) {
        write_file(p, b, cut);
        gan_error_clear();
        assert_int_equal(gan_dataset_load_npy(&ds, p), GAN_EFORMAT);
        check_msg("c.npy", NULL);
        assert_null(ds);
    }
    unsigned char *c = xmalloc(len);
    memcpy(c, b, len);
    c[0] = 'X';
    write_file(p, c, len);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", "magic");
    memcpy(c, b, len);
    c[6] = 4;
    write_file(p, c, len);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", "version 4.0");
    memcpy(c, b, len);
    c[7] = 1;
    write_file(p, c, len);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", "version 1.1");
    /* A header length beyond the file, and beyond the limit. */
    memcpy(c, b, len);
    c[8] = 0xff;
    c[9] = 0x7f;
    write_file(p, c, len);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", "truncated");
    free(c);
    free(b);
    b = make_npy(&len, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", v, sizeof v);
    b[11] = 1; /* 16 MiB header */
    write_file(p, b, len);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EFORMAT, "c.npy", "allowed");
    free(b);
}

static void test_misuse(void **state)
{
    gan_dataset *ds = (gan_dataset *)1;
    EXPECT_ERR(gan_dataset_load_npy(NULL, "x.npy"), GAN_EINVAL, FN, "out");
    EXPECT_ERR(gan_dataset_load_npy(&ds, NULL), GAN_EINVAL, FN, "path");
    assert_null(ds);
    EXPECT_ERR(gan_dataset_load_npy(&ds, ""), GAN_EINVAL, FN, "path");
    char p[512];
    path_join(p, sizeof p, *state, "missing.npy");
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EIO, "missing.npy", "NPY");
    EXPECT_ERR(gan_dataset_load_npy(&ds, *state), GAN_EIO, *state, "regular file");
    path_join(p, sizeof p, *state, "fifo.npy");
    assert_int_equal(mkfifo(p, 0600), 0);
    EXPECT_ERR(gan_dataset_load_npy(&ds, p), GAN_EIO, "fifo.npy", "regular file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_float32),
        TMPDIR_TEST(test_float64_uint8),
        TMPDIR_TEST(test_refused),
        TMPDIR_TEST(test_damaged_preamble),
        TMPDIR_TEST(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
