/* Global contrast normalisation (gan_gcn, gan_dataset_gcn) against values
 * computed by hand from pylearn2's definition, its properties on larger
 * rows (mean 0, norm = scale, the input's range does not matter), and the
 * refusals, which leave the input unchanged. */
#include "common.h"

#include <float.h>

static const char FN[] = "gan_gcn";

static gan_gcn_options opts_with(float scale, int subtract_mean, int use_std, float sqrt_bias)
{
    gan_gcn_options o = GAN_GCN_OPTIONS_INIT;
    o.scale = scale;
    o.subtract_mean = (uint32_t)subtract_mean;
    o.use_std = (uint32_t)use_std;
    o.sqrt_bias = sqrt_bias;
    return o;
}

static void test_by_hand(void **state)
{
    (void)state;
    /* Row (1, 2, 3, 4): mean 2.5, deviations (-1.5, -0.5, 0.5, 1.5), sum of
     * squares 5, norm sqrt(5) = 2.2360680. */
    const float row[4] = {1, 2, 3, 4};
    float x[4];

    memcpy(x, row, sizeof x); /* defaults: y / sqrt(5) */
    assert_int_equal(gan_gcn(x, 1, 4, NULL), GAN_OK);
    const float unit[4] = {-0.67082039f, -0.22360680f, 0.22360680f, 0.67082039f};
    assert_arrays_close(x, unit, 4, 1e-6, "defaults");

    memcpy(x, row, sizeof x); /* scale 55: 55 y / sqrt(5) */
    gan_gcn_options o = opts_with(55.0f, 1, 0, 0.0f);
    assert_int_equal(gan_gcn(x, 1, 4, &o), GAN_OK);
    const float s55[4] = {-36.895122f, -12.298374f, 12.298374f, 36.895122f};
    assert_arrays_close(x, s55, 4, 1e-6, "scale 55");

    memcpy(x, row, sizeof x); /* std (n - 1 = 3): d = sqrt(5/3) = 1.2909944 */
    o = opts_with(1.0f, 1, 1, 0.0f);
    assert_int_equal(gan_gcn(x, 1, 4, &o), GAN_OK);
    const float sd[4] = {-1.1618950f, -0.38729833f, 0.38729833f, 1.1618950f};
    assert_arrays_close(x, sd, 4, 1e-6, "use_std");

    memcpy(x, row, sizeof x); /* Coates et al.: std, bias 10: d = sqrt(35/3) = 3.4156502 */
    o = opts_with(1.0f, 1, 1, 10.0f);
    assert_int_equal(gan_gcn(x, 1, 4, &o), GAN_OK);
    const float coates[4] = {-0.43915503f, -0.14638501f, 0.14638501f, 0.43915503f};
    assert_arrays_close(x, coates, 4, 1e-6, "use_std, sqrt_bias 10");

    /* No mean subtraction: (3, 4) has norm 5; bias 11 makes d = 6. */
    float y[2] = {3, 4};
    o = opts_with(2.0f, 0, 0, 0.0f);
    assert_int_equal(gan_gcn(y, 1, 2, &o), GAN_OK);
    assert_arrays_close(y, (const float[]){1.2f, 1.6f}, 2, 1e-6, "no mean");
    float z[2] = {3, 4};
    o = opts_with(1.0f, 0, 0, 11.0f);
    assert_int_equal(gan_gcn(z, 1, 2, &o), GAN_OK);
    assert_arrays_close(z, (const float[]){0.5f, 2.0f / 3.0f}, 2, 1e-6, "sqrt_bias");

    /* Rows are independent; a constant row becomes 0 (divisor 0 < 1e-8 is
     * replaced by 1), also with min_divisor 0; a row whose divisor is below
     * min_divisor is only centred. */
    float m[3 * 3] = {2, 2, 2, 0, 0, 1e-9f, 1, 2, 3};
    assert_int_equal(gan_gcn(m, 3, 3, NULL), GAN_OK);
    for (int i = 0; i < 3; i++)
        assert_true(m[i] == 0.0f);
    assert_close(m[3], -1e-9 / 3, 1e-5, 0, "tiny row", 0);
    assert_close(m[5], 2e-9 / 3, 1e-5, 0, "tiny row", 2);
    assert_arrays_close(m + 6, (const float[]){-0.70710678f, 0, 0.70710678f}, 3, 1e-6, "row 2");
    float c[3] = {5, 5, 5};
    o = (gan_gcn_options)GAN_GCN_OPTIONS_INIT;
    o.min_divisor = 0.0f;
    assert_int_equal(gan_gcn(c, 1, 3, &o), GAN_OK);
    for (int i = 0; i < 3; i++)
        assert_true(c[i] == 0.0f);
    /* rows 0 is a no-op. */
    assert_int_equal(gan_gcn(c, 0, 3, NULL), GAN_OK);
}

/* Rows of 3072 values: mean 0 and norm 55 (the paper's CIFAR-10 setting),
 * the same rows from [0, 1] and [0, 255] data, and a double reference. */
static void test_properties(void **state)
{
    (void)state;
    enum { R = 6, C = 3072 };
    float *a = seeded_uniform(R * C, 3, 0.0f, 1.0f), *b = xmalloc(R * C * sizeof *b);
    double *ref = xmalloc(R * C * sizeof *ref);
    for (size_t i = 0; i < R * C; i++)
        b[i] = a[i] * 255.0f;
    for (size_t r = 0; r < R; r++) {
        double mean = 0, ss = 0;
        for (size_t k = 0; k < C; k++)
            mean += a[r * C + k];
        mean /= C;
        for (size_t k = 0; k < C; k++)
            ss += (a[r * C + k] - mean) * (a[r * C + k] - mean);
        for (size_t k = 0; k < C; k++)
            ref[r * C + k] = (a[r * C + k] - mean) / (sqrt(ss) / 55.0);
    }
    const gan_gcn_options o = opts_with(55.0f, 1, 0, 0.0f);
    assert_int_equal(gan_gcn(a, R, C, &o), GAN_OK);
    assert_int_equal(gan_gcn(b, R, C, &o), GAN_OK);
    for (size_t r = 0; r < R; r++) {
        double mean = 0, ss = 0;
        for (size_t k = 0; k < C; k++) {
            mean += a[r * C + k];
            ss += (double)a[r * C + k] * a[r * C + k];
            assert_close(a[r * C + k], ref[r * C + k], 1e-6, 1e-6, "reference", r * C + k);
            assert_close(b[r * C + k], a[r * C + k], 1e-5, 1e-5, "0..255 input", r * C + k);
        }
        assert_close(mean / C, 0.0, 0, 1e-6, "row mean", r);
        assert_close(sqrt(ss), 55.0, 1e-6, 0, "row norm", r);
    }
    free(a);
    free(b);
    free(ref);
}

static void test_dataset(void **state)
{
    float x[3 * 4] = {1, 2, 3, 4, 0, 0, 3, 4, 7, 7, 7, 7};
    const float keep[3 * 4] = {1, 2, 3, 4, 0, 0, 3, 4, 7, 7, 7, 7};
    gan_dataset *src, *ds, *sub, *ds2;
    assert_int_equal(gan_dataset_create(&src, x, 3, 4), GAN_OK);
    assert_int_equal(gan_dataset_gcn(&ds, src, NULL), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    assert_int_equal(gan_dataset_cols(ds), 4);
    assert_null(gan_dataset_labels(ds));
    float want[3 * 4];
    memcpy(want, keep, sizeof want);
    assert_int_equal(gan_gcn(want, 3, 4, NULL), GAN_OK);
    assert_arrays_close(gan_dataset_data(ds), want, 12, 0, "dataset rows");
    assert_arrays_close(gan_dataset_data(src), keep, 12, 0, "source unchanged");
    /* A subset: only its rows, normalised the same. */
    assert_int_equal(gan_dataset_subset(&sub, src, 1, 2), GAN_OK);
    assert_int_equal(gan_dataset_gcn(&ds2, sub, NULL), GAN_OK);
    assert_arrays_close(gan_dataset_data(ds2), want + 4, 8, 0, "subset rows");
    gan_dataset_free(ds2);
    gan_dataset_free(sub);
    gan_dataset_free(ds);
    gan_dataset_free(src);

    /* Labels are kept (a CSV with a label column gives a labelled set). */
    char p[512];
    path_join(p, sizeof p, *state, "l.csv");
    write_file(p, "1,2,3,7\n4,4,6,2\n", 16);
    gan_csv_options co = GAN_CSV_OPTIONS_INIT;
    co.label_column = 3;
    assert_int_equal(gan_dataset_load_csv(&src, p, &co), GAN_OK);
    assert_int_equal(gan_dataset_gcn(&ds, src, NULL), GAN_OK);
    assert_int_equal(gan_dataset_labels(ds)[0], 7);
    assert_int_equal(gan_dataset_labels(ds)[1], 2);
    assert_arrays_close(gan_dataset_data(ds), (const float[]){-0.70710678f, 0, 0.70710678f}, 3,
                        1e-6, "labelled rows");
    gan_dataset_free(ds);
    gan_dataset_free(src);
}

static void test_refusals(void **state)
{
    (void)state;
    float x[2 * 3] = {1, 2, 3, 4, 5, 6};
    const float keep[2 * 3] = {1, 2, 3, 4, 5, 6};
    gan_gcn_options o;
    EXPECT_ERR(gan_gcn(NULL, 2, 3, NULL), GAN_EINVAL, FN, "x");
    EXPECT_ERR(gan_gcn(x, 2, 0, NULL), GAN_EINVAL, FN, "cols");
    const float bad_scales[] = {0.0f, -1.0f, NAN, INFINITY};
    for (size_t i = 0; i < 4; i++) {
        o = opts_with(bad_scales[i], 1, 0, 0.0f);
        EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EINVAL, FN, "scale");
    }
    o = opts_with(1.0f, 1, 0, -1.0f);
    EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EINVAL, FN, "sqrt_bias");
    o = opts_with(1.0f, 1, 0, NAN);
    EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EINVAL, FN, "sqrt_bias");
    o = (gan_gcn_options)GAN_GCN_OPTIONS_INIT;
    o.min_divisor = -1e-3f;
    EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EINVAL, FN, "min_divisor");
    o.min_divisor = INFINITY;
    EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EINVAL, FN, "min_divisor");
    o = (gan_gcn_options)GAN_GCN_OPTIONS_INIT;
    o.version = 99;
    EXPECT_ERR(gan_gcn(x, 2, 3, &o), GAN_EUNSUPPORTED, FN, "version");
    o = opts_with(1.0f, 1, 1, 0.0f);
    EXPECT_ERR(gan_gcn(x, 2, 1, &o), GAN_EINVAL, FN, "use_std");
    EXPECT_ERR(gan_gcn(x, SIZE_MAX / 2, 3, NULL), GAN_EINVAL, FN, "overflow");
    assert_arrays_close(x, keep, 6, 0, "unchanged after bad arguments");

    /* Bad values: nothing written, the value named. */
    x[4] = NAN;
    EXPECT_ERR(gan_gcn(x, 2, 3, NULL), GAN_EINVAL, FN, "row 1, column 1");
    assert_true(x[0] == 1.0f && x[3] == 4.0f && isnan(x[4]));
    x[4] = -INFINITY;
    EXPECT_ERR(gan_gcn(x, 2, 3, NULL), GAN_EINVAL, FN, "not finite");
    x[4] = 5.0f;
    /* Beyond float range: with the standard deviation and scale FLT_MAX
     * (min_divisor 0, so the tiny divisors are used), row 1's largest value
     * becomes (2/3) / sqrt(1/3) FLT_MAX > FLT_MAX; row 0, which fits, is
     * left unchanged too. */
    float big[2 * 3] = {1, 2, 3, 0, 0, 1};
    const float big_keep[2 * 3] = {1, 2, 3, 0, 0, 1};
    o = opts_with(FLT_MAX, 1, 1, 0.0f);
    o.min_divisor = 0.0f;
    EXPECT_ERR(gan_gcn(big, 2, 3, &o), GAN_EINVAL, FN, "float range");
    assert_arrays_close(big, big_keep, 6, 0, "unchanged after overflow");

    gan_dataset *src, *ds = (gan_dataset *)&ds;
    assert_int_equal(gan_dataset_create(&src, big_keep, 2, 3), GAN_OK);
    EXPECT_ERR(gan_dataset_gcn(NULL, src, NULL), GAN_EINVAL, "gan_dataset_gcn", "out");
    EXPECT_ERR(gan_dataset_gcn(&ds, NULL, NULL), GAN_EINVAL, "gan_dataset_gcn", "src");
    assert_null(ds);
    o = opts_with(0.0f, 1, 0, 0.0f);
    EXPECT_ERR(gan_dataset_gcn(&ds, src, &o), GAN_EINVAL, "gan_dataset_gcn", "scale");
    o = opts_with(FLT_MAX, 1, 1, 0.0f);
    o.min_divisor = 0.0f;
    EXPECT_ERR(gan_dataset_gcn(&ds, src, &o), GAN_EINVAL, "gan_dataset_gcn", "float range");
    assert_null(ds);
    assert_arrays_close(gan_dataset_data(src), big_keep, 6, 0, "source unchanged");
    gan_dataset_free(src);
}

static void test_options_init(void **state)
{
    (void)state;
    const gan_gcn_options a = GAN_GCN_OPTIONS_INIT;
    gan_gcn_options b;
    memset(&b, 0xab, sizeof b);
    assert_int_equal(gan_gcn_options_init(&b, GAN_GCN_OPTIONS_VERSION), GAN_OK);
    assert_true(a.version == b.version && a.scale == b.scale &&
                a.subtract_mean == b.subtract_mean && a.use_std == b.use_std &&
                a.sqrt_bias == b.sqrt_bias && a.min_divisor == b.min_divisor);
    /* pylearn2's defaults. */
    assert_true(b.scale == 1.0f && b.subtract_mean && !b.use_std && b.sqrt_bias == 0.0f &&
                b.min_divisor == 1e-8f);
    EXPECT_ERR(gan_gcn_options_init(&b, 2), GAN_EUNSUPPORTED, "gan_gcn_options_init", "version 2");
    EXPECT_ERR(gan_gcn_options_init(NULL, GAN_GCN_OPTIONS_VERSION), GAN_EINVAL,
               "gan_gcn_options_init", "opts");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_properties),
        TMPDIR_TEST(test_dataset),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_options_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
