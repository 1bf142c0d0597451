/* CSV loading (gan_dataset_load_csv) and value ranges (gan_scale,
 * gan_dataset_scale): headers, label columns, delimiters, line endings,
 * and a clear error naming line and column for every bad cell. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static const char FN[] = "gan_dataset_load_csv";

static void put(const char *p, const char *text)
{
    write_file(p, text, strlen(text));
}

static void test_plain(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "a.csv");
    put(p, "1,2.5,-3\n 4 ,\t5e-1, 0x1p2\r\n\n7,8,9");
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_csv(&ds, p, NULL), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    assert_int_equal(gan_dataset_cols(ds), 3);
    const float want[9] = {1, 2.5f, -3, 4, 0.5f, 4, 7, 8, 9};
    assert_memory_equal(gan_dataset_data(ds), want, sizeof want);
    assert_null(gan_dataset_labels(ds));
    gan_dataset_free(ds);
}

static void test_header_labels(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "b.csv");
    put(p, "x;\"class\";y\n0.5;3;-1\n1.5;-2;2\n");
    gan_csv_options o;
    assert_int_equal(gan_csv_options_init(&o, GAN_CSV_OPTIONS_VERSION), GAN_OK);
    o.header = 1;
    o.label_column = 1;
    o.delimiter = ';';
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_csv(&ds, p, &o), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 2);
    assert_int_equal(gan_dataset_cols(ds), 2);
    const float want[4] = {0.5f, -1, 1.5f, 2};
    assert_memory_equal(gan_dataset_data(ds), want, sizeof want);
    const int32_t *l = gan_dataset_labels(ds);
    assert_non_null(l);
    assert_int_equal(l[0], 3);
    assert_int_equal(l[1], -2);
    gan_dataset_free(ds);
    /* Without the header option the header is a bad cell. */
    o.header = 0;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, &o), GAN_EFORMAT, "line 1, column 1", "'x'");
    /* Tabs. */
    put(p, "1\t2\n3\t4\n");
    o.label_column = -1;
    o.delimiter = '\t';
    assert_int_equal(gan_dataset_load_csv(&ds, p, &o), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), 2);
    gan_dataset_free(ds);
}

static void expect_bad(const char *p, const char *text, const gan_csv_options *o,
                       const char *where, const char *what)
{
    put(p, text);
    gan_dataset *ds = (gan_dataset *)1;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, o), GAN_EFORMAT, where, what);
    assert_null(ds);
    check_msg("c.csv", NULL);
}

static void test_bad_cells(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "c.csv");
    expect_bad(p, "1,2\n3,x\n", NULL, "line 2, column 2", "not a number");
    expect_bad(p, "1,2\n3,4abc\n", NULL, "line 2, column 2", "'4abc'");
    expect_bad(p, "1,2\n\n3,,\n", NULL, "line 3", "cells");
    expect_bad(p, "1,2\n3,\n", NULL, "line 2, column 2", "empty");
    expect_bad(p, "1,2\n3, \n", NULL, "line 2, column 2", "empty");
    expect_bad(p, "1,2,3\n4,5\n", NULL, "line 2", "2 cells");
    expect_bad(p, "1,nan\n", NULL, "line 1, column 2", "not finite");
    expect_bad(p, "inf,1\n", NULL, "line 1, column 1", "not finite");
    expect_bad(p, "1e39,1\n", NULL, "line 1, column 1", "range");
    expect_bad(p, "1,\"2\"\n", NULL, "line 1, column 2", "not a number");
    expect_bad(p, "1 2,3\n", NULL, "line 1, column 1", "'1 2'");
    expect_bad(p, "", NULL, "c.csv", "no data");
    expect_bad(p, "\n\r\n  \n", NULL, "c.csv", "no data");
    gan_csv_options o = GAN_CSV_OPTIONS_INIT;
    o.header = 1;
    expect_bad(p, "a,b\n", &o, "c.csv", "after the header");
    o.header = 0;
    o.label_column = 2;
    expect_bad(p, "1,2\n", &o, "line 1", "label column 2");
    o.label_column = 0;
    expect_bad(p, "1\n", &o, "line 1", "only the label");
    expect_bad(p, "1,2\n1.5,2\n", &o, "line 2, column 1", "not an integer");
    expect_bad(p, "3000000000,2\n", &o, "line 1, column 1", "int32");
    /* A long cell, and a NUL byte. */
    char longcell[400];
    memset(longcell, '1', 300);
    strcpy(longcell + 300, ",2\n");
    expect_bad(p, longcell, NULL, "line 1, column 1", "300 characters");
    write_file(p, "1,2\n3,\0004\n", 9);
    gan_dataset *ds;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, NULL), GAN_EFORMAT, "line 2", "NUL");
    /* Tiny values underflow to the nearest float, without an error. */
    put(p, "1e-50,1e-40\n");
    assert_int_equal(gan_dataset_load_csv(&ds, p, NULL), GAN_OK);
    assert_true(gan_dataset_data(ds)[0] == 0.0f);
    assert_true(gan_dataset_data(ds)[1] == strtof("1e-40", NULL));
    gan_dataset_free(ds);
}

/* A program's decimal-comma locale does not change how numbers read. */
static void test_locale(void **state)
{
    const char *names[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", "C.UTF-8"};
    const char *set = NULL;
    for (size_t i = 0; i < 4 && set == NULL; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    char p[512];
    path_join(p, sizeof p, *state, "d.csv");
    put(p, "0.5,1.25\n");
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_csv(&ds, p, NULL), GAN_OK);
    assert_true(gan_dataset_data(ds)[0] == 0.5f);
    assert_true(gan_dataset_data(ds)[1] == 1.25f);
    gan_dataset_free(ds);
    setlocale(LC_NUMERIC, "C");
}

static void test_misuse(void **state)
{
    gan_dataset *ds = (gan_dataset *)1;
    gan_csv_options o = GAN_CSV_OPTIONS_INIT;
    char p[512];
    path_join(p, sizeof p, *state, "e.csv");
    put(p, "1\n");
    EXPECT_ERR(gan_dataset_load_csv(NULL, p, NULL), GAN_EINVAL, FN, "out");
    EXPECT_ERR(gan_dataset_load_csv(&ds, NULL, NULL), GAN_EINVAL, FN, "path");
    assert_null(ds);
    EXPECT_ERR(gan_dataset_load_csv(&ds, "", NULL), GAN_EINVAL, FN, "path");
    o.version = 2;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, &o), GAN_EUNSUPPORTED, FN, "version");
    o.version = GAN_CSV_OPTIONS_VERSION;
    o.label_column = -2;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, &o), GAN_EINVAL, FN, "label_column");
    o.label_column = -1;
    o.delimiter = '.';
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, &o), GAN_EINVAL, FN, "delimiter");
    o.delimiter = 0;
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, &o), GAN_EINVAL, FN, "delimiter");
    EXPECT_ERR(gan_csv_options_init(NULL, GAN_CSV_OPTIONS_VERSION), GAN_EINVAL,
               "gan_csv_options_init", "opts");
    EXPECT_ERR(gan_csv_options_init(&o, 9), GAN_EUNSUPPORTED, "gan_csv_options_init", "version");
    path_join(p, sizeof p, *state, "missing.csv");
    EXPECT_ERR(gan_dataset_load_csv(&ds, p, NULL), GAN_EIO, "missing.csv", "CSV");
    EXPECT_ERR(gan_dataset_load_csv(&ds, *state, NULL), GAN_EIO, *state, "regular file");
}

/* ---- ranges ---- */

static void test_scale(void **state)
{
    (void)state;
    float x[5] = {0, 0.25f, 0.5f, 1, 2};
    assert_int_equal(gan_scale(x, 5, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC), GAN_OK);
    const float sym[5] = {-1, -0.5f, 0, 1, 3};
    assert_memory_equal(x, sym, sizeof x);
    assert_int_equal(gan_scale(x, 5, GAN_RANGE_SYMMETRIC, GAN_RANGE_SYMMETRIC), GAN_OK);
    assert_memory_equal(x, sym, sizeof x);
    assert_int_equal(gan_scale(x, 5, GAN_RANGE_SYMMETRIC, GAN_RANGE_UNIT), GAN_OK);
    const float unit[5] = {0, 0.25f, 0.5f, 1, 2};
    assert_memory_equal(x, unit, sizeof x);
    assert_int_equal(gan_scale(x, 0, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC), GAN_OK);
    EXPECT_ERR(gan_scale(NULL, 5, GAN_RANGE_UNIT, GAN_RANGE_UNIT), GAN_EINVAL, "gan_scale", "x");
    EXPECT_ERR(gan_scale(x, 5, 2, GAN_RANGE_UNIT), GAN_EINVAL, "gan_scale", "from");
    EXPECT_ERR(gan_scale(x, 5, GAN_RANGE_UNIT, -1), GAN_EINVAL, "gan_scale", "to");
}

static void test_dataset_scale(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "f.csv");
    put(p, "0,1,7\n0.5,0.25,8\n");
    gan_csv_options o = GAN_CSV_OPTIONS_INIT;
    o.label_column = 2;
    gan_dataset *ds, *sym;
    assert_int_equal(gan_dataset_load_csv(&ds, p, &o), GAN_OK);
    assert_int_equal(gan_dataset_scale(&sym, ds, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC), GAN_OK);
    const float want[4] = {-1, 1, 0, -0.5f};
    assert_memory_equal(gan_dataset_data(sym), want, sizeof want);
    assert_int_equal(gan_dataset_labels(sym)[0], 7);
    assert_int_equal(gan_dataset_labels(sym)[1], 8);
    const float orig[4] = {0, 1, 0.5f, 0.25f};
    assert_memory_equal(gan_dataset_data(ds), orig, sizeof orig);
    const char *fn = "gan_dataset_scale";
    gan_dataset *bad = (gan_dataset *)1;
    EXPECT_ERR(gan_dataset_scale(NULL, ds, GAN_RANGE_UNIT, GAN_RANGE_UNIT), GAN_EINVAL, fn, "out");
    EXPECT_ERR(gan_dataset_scale(&bad, NULL, GAN_RANGE_UNIT, GAN_RANGE_UNIT), GAN_EINVAL, fn, "src");
    assert_null(bad);
    EXPECT_ERR(gan_dataset_scale(&bad, ds, 5, GAN_RANGE_UNIT), GAN_EINVAL, fn, "from");
    EXPECT_ERR(gan_dataset_scale(&bad, ds, GAN_RANGE_UNIT, 5), GAN_EINVAL, fn, "to");
    gan_dataset_free(sym);
    gan_dataset_free(ds);
    /* Values near FLT_MAX overflow when mapped. */
    const float huge[2] = {3e38f, 0};
    assert_int_equal(gan_dataset_create(&ds, huge, 1, 2), GAN_OK);
    EXPECT_ERR(gan_dataset_scale(&bad, ds, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC), GAN_EINVAL, fn,
               "overflows");
    gan_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_plain),
        TMPDIR_TEST(test_header_labels),
        TMPDIR_TEST(test_bad_cells),
        TMPDIR_TEST(test_locale),
        TMPDIR_TEST(test_misuse),
        TMPDIR_TEST(test_scale),
        TMPDIR_TEST(test_dataset_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
