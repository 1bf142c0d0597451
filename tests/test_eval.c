/* Evaluation helpers: nearest neighbours, PNG grids, interpolation. */
#define _POSIX_C_SOURCE 200809L
#define _GNU_SOURCE /* RTLD_NEXT */
#include "common.h"

#include <dirent.h>
#include <dlfcn.h>
#include <png.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

static double sqdist(const float *a, const float *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        double diff = (double)a[j] - (double)b[j];
        s += diff * diff;
    }
    return s;
}

/* ---- nearest neighbours ------------------------------------------------ */

static void test_nn_brute_force(void **state)
{
    (void)state;
    enum { Q = 37, R = 1500, DIM = 13 };
    float *q = seeded_uniform(Q * DIM, 1, -1.0f, 1.0f);
    float *ref = seeded_uniform(R * DIM, 2, -1.0f, 1.0f);
    /* Some queries are exact copies of reference rows. */
    memcpy(q + 3 * DIM, ref + 1234 * DIM, DIM * sizeof(float));
    memcpy(q + 20 * DIM, ref + 0 * DIM, DIM * sizeof(float));
    int64_t idx[Q];
    float dist[Q];
    assert_int_equal(gan_nearest_neighbors(idx, dist, q, Q, DIM, ref, R, DIM), GAN_OK);
    for (size_t i = 0; i < Q; i++) {
        size_t best = 0, second = 0;
        double bd = INFINITY, sd = INFINITY;
        for (size_t j = 0; j < R; j++) {
            double dd = sqdist(q + i * DIM, ref + j * DIM, DIM);
            if (dd < bd) {
                second = best;
                sd = bd;
                best = j;
                bd = dd;
            } else if (dd < sd) {
                second = j;
                sd = dd;
            }
        }
        (void)second;
        assert_true(idx[i] >= 0 && idx[i] < R);
        /* The reported distance is that of the reported index. */
        double own = sqdist(q + i * DIM, ref + (size_t)idx[i] * DIM, DIM);
        assert_true(fabs((double)dist[i] - own) <= 1e-6 * own + 1e-12);
        assert_true(dist[i] >= 0.0f);
        /* Whenever the winner is clear of float rounding, it is the same. */
        if (sd - bd > 1e-4)
            assert_int_equal(idx[i], (int64_t)best);
        else
            assert_true(own <= bd + 1e-4);
    }
    assert_int_equal(idx[3], 1234);
    assert_true(dist[3] == 0.0f);
    assert_int_equal(idx[20], 0);

    /* Either output may be NULL. */
    int64_t idx2[Q];
    float dist2[Q];
    assert_int_equal(gan_nearest_neighbors(idx2, NULL, q, Q, DIM, ref, R, DIM), GAN_OK);
    assert_memory_equal(idx, idx2, sizeof idx);
    assert_int_equal(gan_nearest_neighbors(NULL, dist2, q, Q, DIM, ref, R, DIM), GAN_OK);
    assert_memory_equal(dist, dist2, sizeof dist);
    assert_int_equal(gan_nearest_neighbors(NULL, NULL, q, Q, DIM, ref, R, DIM), GAN_OK);
    free(q);
    free(ref);
}

/* Integer coordinates make every distance exact, so ties are real ties:
 * the lowest index wins, also across reference blocks (16384 rows). */
static void test_nn_ties(void **state)
{
    (void)state;
    enum { R = 20000, DIM = 4 };
    float *ref = xmalloc(R * DIM * sizeof *ref);
    for (size_t i = 0; i < R * DIM; i++)
        ref[i] = (float)(10 + (i * 7919) % 97);
    const float target[DIM] = {1, 2, 3, 4};
    memcpy(ref + 19000 * DIM, target, sizeof target);
    memcpy(ref + 17 * DIM, target, sizeof target);
    memcpy(ref + 18000 * DIM, target, sizeof target);
    /* Two rows at distance 1 from (0,0,0,0) on either side. */
    const float a[DIM] = {-200, 0, 0, 1}, b[DIM] = {-200, 0, 0, -1};
    memcpy(ref + 16500 * DIM, a, sizeof a);
    memcpy(ref + 16400 * DIM, b, sizeof b);
    const float q[2 * DIM] = {1, 2, 3, 4, -200, 0, 0, 0};
    int64_t idx[2];
    float dist[2];
    assert_int_equal(gan_nearest_neighbors(idx, dist, q, 2, DIM, ref, R, DIM), GAN_OK);
    assert_int_equal(idx[0], 17);
    assert_true(dist[0] == 0.0f);
    assert_int_equal(idx[1], 16400);
    assert_true(dist[1] == 1.0f);
    free(ref);
}

static void test_nn_bad_inputs(void **state)
{
    (void)state;
    float q[4] = {0, 1, 2, 3}, ref[6] = {0, 0, 1, 1, 2, 2};
    int64_t idx[2];
    float dist[2];
    const char *fn = "gan_nearest_neighbors";
    expect_error(gan_nearest_neighbors(idx, dist, NULL, 2, 2, ref, 3, 2), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, NULL, 3, 2), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 0, 2, ref, 3, 2), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 0, ref, 3, 2), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 0, 2), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 3, 0), GAN_EINVAL, fn);
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 2, 3), GAN_ESHAPE, fn);
    q[1] = NAN;
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 3, 2), GAN_EINVAL, fn);
    q[1] = 1;
    ref[5] = INFINITY;
    expect_error(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 3, 2), GAN_EINVAL, fn);
    ref[5] = 2;
    assert_int_equal(gan_nearest_neighbors(idx, dist, q, 2, 2, ref, 3, 2), GAN_OK);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 2);
    assert_true(dist[1] == 1.0f); /* (2,3) to (2,2) */
    assert_true(dist[0] == 1.0f); /* (0,1): a tie between rows 0 and 1 */
}

/* ---- PNG grids --------------------------------------------------------- */

typedef struct image {
    uint32_t width, height;
    uint8_t *px;
} image;

static void read_png(image *im, const char *path)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&pi, path));
    assert_int_equal(pi.format & PNG_FORMAT_FLAG_COLOR, 0); /* stored grey */
    pi.format = PNG_FORMAT_GRAY;
    im->width = pi.width;
    im->height = pi.height;
    im->px = malloc(PNG_IMAGE_SIZE(pi));
    assert_non_null(im->px);
    assert_true(png_image_finish_read(&pi, NULL, im->px, 0, NULL));
}

static uint8_t at(const image *im, uint32_t x, uint32_t y)
{
    assert_true(x < im->width && y < im->height);
    return im->px[(size_t)y * im->width + x];
}

/* Layout constants documented in docs/parzen.md. */
enum { SEP = 2, GAP = 4, BG = 128, FRAME = 255 };
enum { GR = 2, GC = 3, H = 4, W = 5 };

static void test_png_grid(void **state)
{
    const char *dir = *state;
    char path[256], path2[256];
    path_join(path, sizeof path, dir, "grid.png");
    path_join(path2, sizeof path2, dir, "plain.png");

    /* Image k, pixel (y, x) = (40 k + 5 y + x) / 255: every byte distinct. */
    float images[GR * GC * H * W], last[GR * H * W];
    for (size_t k = 0; k < GR * GC; k++)
        for (size_t y = 0; y < H; y++)
            for (size_t x = 0; x < W; x++)
                images[(k * H + y) * W + x] = (float)(40 * k + 5 * y + x) / 255.0f;
    for (size_t i = 0; i < GR * H * W; i++)
        last[i] = 0.25f;
    /* Clamping: below 0, above 1, NaN. */
    images[0] = -3.0f;
    images[1] = 7.0f;
    images[2] = NAN;

    assert_int_equal(gan_png_write_grid(path2, images, GR, GC, H, W, NULL), GAN_OK);
    image im;
    read_png(&im, path2);
    assert_int_equal(im.width, SEP + GC * (W + SEP));
    assert_int_equal(im.height, SEP + GR * (H + SEP));
    free(im.px);

    assert_int_equal(gan_png_write_grid(path, images, GR, GC, H, W, last), GAN_OK);
    read_png(&im, path);
    const uint32_t main_w = SEP + GC * (W + SEP);
    assert_int_equal(im.width, main_w + GAP + SEP + W + SEP);
    assert_int_equal(im.height, SEP + GR * (H + SEP));
    /* Every tile in place. */
    for (uint32_t r = 0; r < GR; r++)
        for (uint32_t c = 0; c < GC; c++)
            for (uint32_t y = 0; y < H; y++)
                for (uint32_t x = 0; x < W; x++) {
                    uint32_t k = r * GC + c;
                    if (k == 0 && y == 0 && x < 3)
                        continue;
                    assert_int_equal(at(&im, SEP + c * (W + SEP) + x, SEP + r * (H + SEP) + y),
                                     40 * k + 5 * y + x);
                }
    assert_int_equal(at(&im, SEP + 0, SEP), 0);   /* -3 */
    assert_int_equal(at(&im, SEP + 1, SEP), 255); /* 7 */
    assert_int_equal(at(&im, SEP + 2, SEP), 0);   /* NaN */
    /* Separators, border and gap are grey. */
    assert_int_equal(at(&im, 0, 0), BG);
    assert_int_equal(at(&im, SEP + W, SEP), BG);
    assert_int_equal(at(&im, SEP, SEP + H), BG);
    assert_int_equal(at(&im, main_w + GAP - 1, 3), BG);
    /* The extra column: white frame around and between its tiles. */
    const uint32_t fx = main_w + GAP;
    for (uint32_t y = 0; y < im.height; y++) {
        assert_int_equal(at(&im, fx, y), FRAME);
        assert_int_equal(at(&im, fx + SEP + W + SEP - 1, y), FRAME);
    }
    for (uint32_t x = fx; x < im.width; x++) {
        assert_int_equal(at(&im, x, 0), FRAME);
        assert_int_equal(at(&im, x, SEP + H), FRAME);
        assert_int_equal(at(&im, x, im.height - 1), FRAME);
    }
    for (uint32_t r = 0; r < GR; r++)
        for (uint32_t y = 0; y < H; y++)
            for (uint32_t x = 0; x < W; x++)
                assert_int_equal(at(&im, fx + SEP + x, SEP + r * (H + SEP) + y), 64); /* 0.25 */
    free(im.px);

    /* Overwrite: atomic, no temporary files left behind. */
    for (size_t i = 0; i < GR * H * W; i++)
        last[i] = 1.0f;
    assert_int_equal(gan_png_write_grid(path, images, GR, GC, H, W, last), GAN_OK);
    read_png(&im, path);
    assert_int_equal(at(&im, fx + SEP, SEP), 255);
    free(im.px);
    assert_int_equal(dir_count_entries(dir), 2);

    /* Unwritable destinations fail with GAN_EIO and leave nothing behind. */
    char bad[300];
    path_join(bad, sizeof bad, dir, "missing/grid.png");
    expect_error(gan_png_write_grid(bad, images, GR, GC, H, W, NULL), GAN_EIO, "gan_png_write_grid");
    assert_non_null(strstr(gan_error_last(), bad));
    expect_error(gan_png_write_grid(dir, images, GR, GC, H, W, NULL), GAN_EIO, "gan_png_write_grid");
    assert_int_equal(dir_count_entries(dir), 2);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(unlink(path2), 0);
    assert_int_equal(dir_count_entries(dir), 0);
}

/* libpng's compressor set-up goes through zlib's deflateInit2_; this
 * definition takes its place for libpng in this program (exported, so the
 * dynamic linker binds libpng's call to it) and, when asked, fails as zlib
 * does when an allocation fails. */
static int g_fail_deflate_init;

__attribute__((visibility("default"))) int deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                  int strategy, const char *version, int stream_size)
{
    if (g_fail_deflate_init)
        return Z_MEM_ERROR;
    int (*real)(z_streamp, int, int, int, int, int, const char *, int);
    void *sym = dlsym(RTLD_NEXT, "deflateInit2_");
    assert_non_null(sym);
    memcpy(&real, &sym, sizeof real);
    return real(strm, level, method, window_bits, mem_level, strategy, version, stream_size);
}

/* Out of memory inside libpng is GAN_ENOMEM, and nothing is written. */
static void test_png_out_of_memory(void **state)
{
    (void)state;
    char dir[] = "/tmp/gan_png_oom_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/grid.png", dir);
    const float img[4] = {0, 0.5f, 1, 0.25f};
    g_fail_deflate_init = 1;
    const int rc = gan_png_write_grid(path, img, 1, 1, 2, 2, NULL);
    g_fail_deflate_init = 0;
    if (rc != GAN_ENOMEM)
        fail_msg("got %d (%s), expected GAN_ENOMEM", rc, gan_error_last());
    assert_non_null(strstr(gan_error_last(), "gan_png_write_grid: out of memory"));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(gan_png_write_grid(path, img, 1, 1, 2, 2, NULL), GAN_OK);
    unlink(path);
    rmdir(dir);
}

static void test_png_bad_inputs(void **state)
{
    (void)state;
    float img[4] = {0, 0.5f, 1, 0};
    const char *fn = "gan_png_write_grid";
    const char *p = "/tmp/never_written.png";
    expect_error(gan_png_write_grid(NULL, img, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid("", img, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, NULL, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 0, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 1, 0, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 1, 1, 0, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 1, 1, 2, 0, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 1, 1, 2, SIZE_MAX, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, SIZE_MAX / 2, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid(p, img, 1, 400000, 2, 2, NULL), GAN_EINVAL, fn);
    assert_int_equal(access(p, F_OK), -1);
}

/* ---- interpolation ----------------------------------------------------- */

static void test_interpolate(void **state)
{
    (void)state;
    enum { NA = 3, C = 4, STEPS = 4, ROWS = (NA - 1) * STEPS + 1 };
    const float anchors[NA * C] = {0, 1, -2, 0.1f, 4, 1, 2, 0.3f, -4, 3, 2, 1e-3f};
    float out[ROWS * C];
    assert_int_equal(gan_interpolate(out, ROWS, anchors, NA, C, STEPS), GAN_OK);
    /* Anchors exactly at rows 0, STEPS, 2 STEPS. */
    for (size_t a = 0; a < NA; a++)
        assert_memory_equal(out + a * STEPS * C, anchors + a * C, C * sizeof(float));
    for (size_t seg = 0; seg + 1 < NA; seg++)
        for (size_t t = 0; t < STEPS; t++)
            for (size_t j = 0; j < C; j++) {
                double a = anchors[seg * C + j], b = anchors[(seg + 1) * C + j];
                double want = a + (double)t / STEPS * (b - a);
                assert_true(fabs(out[(seg * STEPS + t) * C + j] - want) <= 1e-6 * (fabs(want) + 1));
            }
    /* Midpoint of the first segment. */
    assert_true(out[2 * C + 0] == 2.0f);
    assert_true(out[2 * C + 2] == 0.0f);
    /* steps = 1: just the anchors. */
    float two[NA * C];
    assert_int_equal(gan_interpolate(two, NA, anchors, NA, C, 1), GAN_OK);
    assert_memory_equal(two, anchors, sizeof two);

    const char *fn = "gan_interpolate";
    expect_error(gan_interpolate(out, ROWS - 1, anchors, NA, C, STEPS), GAN_ESHAPE, fn);
    expect_error(gan_interpolate(out, ROWS + 1, anchors, NA, C, STEPS), GAN_ESHAPE, fn);
    expect_error(gan_interpolate(NULL, ROWS, anchors, NA, C, STEPS), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, ROWS, NULL, NA, C, STEPS), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, 1, anchors, 1, C, STEPS), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, 0, anchors, 0, C, STEPS), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, ROWS, anchors, NA, 0, STEPS), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, 1, anchors, NA, C, 0), GAN_EINVAL, fn);
    expect_error(gan_interpolate(out, ROWS, anchors, NA, C, SIZE_MAX), GAN_EINVAL, fn);
    float nan_anchor[2 * C] = {0, 0, 0, 0, 1, NAN, 1, 1};
    expect_error(gan_interpolate(out, STEPS + 1, nan_anchor, 2, C, STEPS), GAN_EINVAL, fn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nn_brute_force),
        cmocka_unit_test(test_nn_ties),
        cmocka_unit_test(test_nn_bad_inputs),
        TMPDIR_TEST(test_png_grid),
        cmocka_unit_test(test_png_bad_inputs),
        cmocka_unit_test(test_png_out_of_memory),
        cmocka_unit_test(test_interpolate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
