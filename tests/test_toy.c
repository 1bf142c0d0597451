/* Toy distributions: options, centres, sampling statistics, densities,
 * mode assignment, toy datasets and mode coverage. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

static gan_toy_options toy(int kind)
{
    gan_toy_options o = GAN_TOY_OPTIONS_INIT;
    o.kind = (uint32_t)kind;
    if (kind == GAN_TOY_GAUSSIAN_1D) {
        o.mean = 1.5f;
        o.std = 0.5f;
    }
    return o;
}

static size_t sample_rows(void)
{
    return under_valgrind() ? 20000 : 200000;
}

static void test_options(void **state)
{
    (void)state;
    gan_toy_options o;
    memset(&o, 0xAB, sizeof o);
    assert_int_equal(gan_toy_options_init(&o, GAN_TOY_OPTIONS_VERSION), GAN_OK);
    const gan_toy_options def = GAN_TOY_OPTIONS_INIT;
    assert_memory_equal(&o, &def, sizeof o);
    assert_int_equal(o.kind, GAN_TOY_RING_2D);
    assert_int_equal(o.modes, 8);
    assert_int_equal(gan_toy_options_init(&o, GAN_TOY_OPTIONS_VERSION + 1), GAN_EUNSUPPORTED);
    assert_int_equal(gan_toy_options_init(NULL, GAN_TOY_OPTIONS_VERSION), GAN_EINVAL);

    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D), r = toy(GAN_TOY_RING_2D), q = toy(GAN_TOY_GRID_2D);
    assert_int_equal(gan_toy_width(&g), 1);
    assert_int_equal(gan_toy_width(&r), 2);
    assert_int_equal(gan_toy_width(&q), 2);
    assert_int_equal(gan_toy_num_modes(&g), 1);
    assert_int_equal(gan_toy_num_modes(&r), 8);
    assert_int_equal(gan_toy_num_modes(&q), 25);
    r.modes = 3;
    assert_int_equal(gan_toy_num_modes(&r), 3);
    q.grid_side = 1;
    assert_int_equal(gan_toy_num_modes(&q), 1);

    /* Finite options whose points would overflow a float are refused. */
    gan_rng *rng;
    gan_dataset *ds = NULL;
    assert_int_equal(gan_rng_create(&rng, 3), GAN_OK);
    g.std = 1e38f;
    assert_int_equal(gan_dataset_create_toy(&ds, &g, 4, rng), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "std"));
    r.radius = 3.4e38f; /* finite centres, but the noise would push past FLT_MAX */
    r.std = 1e37f;
    assert_int_equal(gan_dataset_create_toy(&ds, &r, 4, rng), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "float range"));
    q = toy(GAN_TOY_GRID_2D);
    q.spacing = 3e38f;
    assert_int_equal(gan_dataset_create_toy(&ds, &q, 4, rng), GAN_EINVAL);
    assert_null(ds);
    gan_rng_free(rng);
}

static void test_centers(void **state)
{
    (void)state;
    gan_toy_options r = toy(GAN_TOY_RING_2D);
    float c[50];
    assert_int_equal(gan_toy_centers(c, 16, &r), GAN_OK);
    for (int i = 0; i < 8; i++) {
        double a = 2.0 * TEST_PI * i / 8.0;
        assert_true(fabs(c[2 * i] - 2.0 * cos(a)) < 1e-6);
        assert_true(fabs(c[2 * i + 1] - 2.0 * sin(a)) < 1e-6);
    }
    /* Mode 0 sits on the positive x axis. */
    assert_true(c[0] == 2.0f && c[1] == 0.0f);

    gan_toy_options q = toy(GAN_TOY_GRID_2D);
    assert_int_equal(gan_toy_centers(c, 50, &q), GAN_OK);
    /* Centred on the origin, spacing apart: -4, -2, 0, 2, 4 on each axis. */
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) {
            assert_true(c[2 * (i * 5 + j)] == (float)(2 * i - 4));
            assert_true(c[2 * (i * 5 + j) + 1] == (float)(2 * j - 4));
        }
    }
    q.grid_side = 4;
    q.spacing = 1.0f;
    assert_int_equal(gan_toy_centers(c, 32, &q), GAN_OK);
    assert_true(c[0] == -1.5f && c[1] == -1.5f && c[30] == 1.5f && c[31] == 1.5f);

    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D);
    assert_int_equal(gan_toy_centers(c, 1, &g), GAN_OK);
    assert_true(c[0] == 1.5f);

    /* n counts floats: num_modes x width. */
    assert_int_equal(gan_toy_centers(c, 8, &r), GAN_ESHAPE);
    assert_int_equal(gan_toy_centers(c, 2, &g), GAN_ESHAPE);
    assert_int_equal(gan_toy_centers(NULL, 16, &r), GAN_EINVAL);
}

/* Samples of a toy dataset around their generating modes (the labels):
 * residual mean ~ 0 and variance ~ std^2 per coordinate, modes equally
 * likely, and the nearest centre is the generating one. */
static void check_samples(gan_toy_options *o, uint64_t seed)
{
    const size_t n = sample_rows();
    const size_t width = gan_toy_width(o), modes = gan_toy_num_modes(o);
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_create_toy(&ds, o, n, rng), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), n);
    assert_int_equal(gan_dataset_cols(ds), width);
    const float *x = gan_dataset_data(ds);
    const int32_t *lab = gan_dataset_labels(ds);
    assert_non_null(lab);

    /* gan_toy_sample gives the same points for the same generator state. */
    float *y = xmalloc(n * width * sizeof *y);
    assert_int_equal(gan_rng_seed(rng, seed), GAN_OK);
    assert_int_equal(gan_toy_sample(y, n, width, o, rng), GAN_OK);
    assert_memory_equal(x, y, n * width * sizeof *y);

    float *c = malloc(modes * width * sizeof *c);
    size_t *count = calloc(modes, sizeof *count);
    assert_non_null(c);
    assert_non_null(count);
    assert_int_equal(gan_toy_centers(c, modes * width, o), GAN_OK);
    double sum[2] = {0, 0}, sq[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        assert_in_range(lab[i], 0, (int32_t)modes - 1);
        count[lab[i]]++;
        for (size_t j = 0; j < width; j++) {
            double d = (double)x[i * width + j] - c[(size_t)lab[i] * width + j];
            sum[j] += d;
            sq[j] += d * d;
        }
    }
    const double s = o->std;
    for (size_t j = 0; j < width; j++) {
        double mean = sum[j] / (double)n;
        double var = sq[j] / (double)n - mean * mean;
        if (fabs(mean) > 6.0 * s / sqrt((double)n))
            fail_msg("kind %u coordinate %zu: residual mean %g", o->kind, j, mean);
        if (fabs(var / (s * s) - 1.0) > 6.0 * sqrt(2.0 / (double)n))
            fail_msg("kind %u coordinate %zu: variance %g, expected %g", o->kind, j, var, s * s);
    }
    const double p = 1.0 / (double)modes;
    for (size_t m = 0; m < modes; m++) {
        if (fabs((double)count[m] - (double)n * p) > 6.0 * sqrt((double)n * p * (1.0 - p)) + 1.0)
            fail_msg("kind %u mode %zu: %zu samples of %zu", o->kind, m, count[m], n);
    }
    /* Modes are far apart (many std): the nearest centre is the generating
     * one. */
    int32_t *mode = malloc(n * sizeof *mode);
    float *dist = malloc(n * sizeof *dist);
    assert_non_null(mode);
    assert_non_null(dist);
    assert_int_equal(gan_toy_assign(mode, dist, o, x, n, width), GAN_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(mode[i], lab[i]);
        assert_true(dist[i] >= 0.0f && dist[i] < 8.0f);
    }
    /* Whole-distribution moments. */
    double tot[2] = {0, 0}, tot2[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < width; j++) {
            tot[j] += x[i * width + j];
            tot2[j] += (double)x[i * width + j] * x[i * width + j];
        }
    double exp_mean = 0.0, exp_var = s * s;
    if (o->kind == GAN_TOY_GAUSSIAN_1D)
        exp_mean = o->mean;
    else if (o->kind == GAN_TOY_RING_2D)
        exp_var += (double)o->radius * o->radius / 2.0; /* modes >= 3 */
    else {
        double side = o->grid_side;
        exp_var += (double)o->spacing * o->spacing * (side * side - 1.0) / 12.0;
    }
    for (size_t j = 0; j < width; j++) {
        double mean = tot[j] / (double)n, var = tot2[j] / (double)n - mean * mean;
        if (fabs(mean - exp_mean) > 6.0 * sqrt(exp_var / (double)n))
            fail_msg("kind %u: mean %g, expected %g", o->kind, mean, exp_mean);
        if (fabs(var / exp_var - 1.0) > 0.05)
            fail_msg("kind %u: variance %g, expected %g", o->kind, var, exp_var);
    }
    free(mode);
    free(dist);
    free(c);
    free(count);
    free(y);
    gan_dataset_free(ds);
    gan_rng_free(rng);
}

static void test_samples(void **state)
{
    (void)state;
    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D), r = toy(GAN_TOY_RING_2D), q = toy(GAN_TOY_GRID_2D);
    check_samples(&g, 1);
    check_samples(&r, 2);
    check_samples(&q, 3);
    /* Non-default parameters. */
    r.radius = 5.0f;
    r.std = 0.1f;
    r.modes = 5;
    check_samples(&r, 4);
    q.grid_side = 3;
    q.spacing = 1.0f;
    q.std = 0.05f;
    check_samples(&q, 5);
    g.mean = -3.0f;
    g.std = 2.0f;
    check_samples(&g, 6);
}

/* Midpoint-rule integral of the density over the square [lo, hi]^2. */
static double integrate_2d(const gan_toy_options *o, double lo, double hi, size_t steps)
{
    const double h = (hi - lo) / (double)steps;
    float *pts = malloc(steps * 2 * sizeof *pts);
    double *dens = malloc(steps * sizeof *dens);
    assert_non_null(pts);
    assert_non_null(dens);
    double total = 0.0;
    for (size_t i = 0; i < steps; i++) {
        for (size_t j = 0; j < steps; j++) {
            pts[2 * j] = (float)(lo + (i + 0.5) * h);
            pts[2 * j + 1] = (float)(lo + (j + 0.5) * h);
        }
        assert_int_equal(gan_toy_density(dens, o, pts, steps, 2), GAN_OK);
        for (size_t j = 0; j < steps; j++)
            total += dens[j];
    }
    free(pts);
    free(dens);
    return total * h * h;
}

static void test_density(void **state)
{
    (void)state;
    /* 1-D: the normal density, and it integrates to 1. */
    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D);
    float x[3] = {1.5f, 2.0f, 0.5f};
    double d[3];
    assert_int_equal(gan_toy_density(d, &g, x, 3, 1), GAN_OK);
    const double peak = 1.0 / (0.5 * sqrt(2.0 * TEST_PI));
    assert_true(fabs(d[0] - peak) < 1e-12);
    assert_true(fabs(d[1] - peak * exp(-0.5)) < 1e-12);
    assert_true(fabs(d[2] - peak * exp(-2.0)) < 1e-12);
    enum { N1 = 4001 };
    float *line = malloc(N1 * sizeof *line);
    double *dl = malloc(N1 * sizeof *dl);
    assert_non_null(line);
    assert_non_null(dl);
    const double h1 = 10.0 / (N1 - 1);
    for (int i = 0; i < N1; i++)
        line[i] = (float)(1.5 - 5.0 + i * h1);
    assert_int_equal(gan_toy_density(dl, &g, line, N1, 1), GAN_OK);
    double integral = 0.0;
    for (int i = 0; i < N1; i++)
        integral += dl[i] * h1;
    assert_true(fabs(integral - 1.0) < 1e-3);
    free(line);
    free(dl);

    /* Ring: the mixture formula at a few points, and unit mass. */
    gan_toy_options r = toy(GAN_TOY_RING_2D);
    r.std = 0.3f;
    float p[8] = {2.0f, 0.0f, 0.0f, 0.0f, 1.0f, 1.2f, -1.4f, 1.5f};
    double dp[4];
    assert_int_equal(gan_toy_density(dp, &r, p, 4, 2), GAN_OK);
    const double s2 = (double)0.3f * (double)0.3f;
    for (int i = 0; i < 4; i++) {
        double ref = 0.0;
        for (int m = 0; m < 8; m++) {
            double a = 2.0 * TEST_PI * m / 8.0;
            double dx = p[2 * i] - 2.0 * cos(a), dy = p[2 * i + 1] - 2.0 * sin(a);
            ref += exp(-(dx * dx + dy * dy) / (2.0 * s2)) / (2.0 * TEST_PI * s2);
        }
        ref /= 8.0;
        assert_true(fabs(dp[i] - ref) <= 1e-9 * ref + 1e-300);
    }
    assert_true(dp[0] > dp[2]); /* on a mode vs between modes */
    assert_true(fabs(integrate_2d(&r, -4.0, 4.0, 400) - 1.0) < 2e-3);

    /* Grid: unit mass. */
    gan_toy_options q = toy(GAN_TOY_GRID_2D);
    q.grid_side = 3;
    q.spacing = 1.0f;
    q.std = 0.25f;
    assert_true(fabs(integrate_2d(&q, -3.0, 3.0, 400) - 1.0) < 2e-3);

    /* NaN rows give NaN; far points give 0. */
    float odd[4] = {NAN, 0.0f, 1e30f, 1e30f};
    assert_int_equal(gan_toy_density(dp, &r, odd, 2, 2), GAN_OK);
    assert_true(isnan(dp[0]));
    assert_true(dp[1] == 0.0);

    /* Shape and arguments. */
    assert_int_equal(gan_toy_density(dp, &r, p, 4, 1), GAN_ESHAPE);
    assert_int_equal(gan_toy_density(dp, &g, p, 4, 2), GAN_ESHAPE);
    assert_int_equal(gan_toy_density(NULL, &r, p, 4, 2), GAN_EINVAL);
    assert_int_equal(gan_toy_density(dp, &r, NULL, 4, 2), GAN_EINVAL);
    assert_int_equal(gan_toy_density(dp, &r, p, 0, 2), GAN_EINVAL);
}

static void test_assign(void **state)
{
    (void)state;
    gan_toy_options r = toy(GAN_TOY_RING_2D);
    float c[16];
    assert_int_equal(gan_toy_centers(c, 16, &r), GAN_OK);
    int32_t mode[8];
    float dist[8];
    assert_int_equal(gan_toy_assign(mode, dist, &r, c, 8, 2), GAN_OK);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(mode[i], i);
        assert_true(dist[i] < 1e-3f);
    }
    /* Displaced by 1.5 std radially: same mode, distance 1.5. */
    float p[16];
    for (int i = 0; i < 8; i++) {
        double a = 2.0 * TEST_PI * i / 8.0, rr = 2.0 + 1.5 * 0.02;
        p[2 * i] = (float)(rr * cos(a));
        p[2 * i + 1] = (float)(rr * sin(a));
    }
    assert_int_equal(gan_toy_assign(mode, dist, &r, p, 8, 2), GAN_OK);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(mode[i], i);
        assert_true(fabs(dist[i] - 1.5) < 1e-3);
    }
    /* A point nearer mode 2 (at (0, 2)) than anything else. */
    float near2[2] = {0.3f, 1.5f};
    assert_int_equal(gan_toy_assign(mode, dist, &r, near2, 1, 2), GAN_OK);
    assert_int_equal(mode[0], 2);
    assert_true(fabs(dist[0] - sqrt(0.09 + 0.25) / 0.02) < 1e-2);

    /* Grid. */
    gan_toy_options q = toy(GAN_TOY_GRID_2D);
    float gp[4] = {-3.9f, 4.2f, 0.1f, -0.1f};
    assert_int_equal(gan_toy_assign(mode, dist, &q, gp, 2, 2), GAN_OK);
    assert_int_equal(mode[0], 0 * 5 + 4); /* x = -4 (i = 0), y = 4 (j = 4) */
    assert_int_equal(mode[1], 2 * 5 + 2); /* the origin */
    assert_true(fabs(dist[0] - sqrt(0.01 + 0.04) / 0.02) < 1e-2);

    /* 1-D. */
    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D);
    float gx[2] = {2.75f, 1.5f};
    assert_int_equal(gan_toy_assign(mode, dist, &g, gx, 2, 1), GAN_OK);
    assert_int_equal(mode[0], 0);
    assert_true(fabs(dist[0] - 2.5) < 1e-5);
    assert_true(dist[1] == 0.0f);

    /* Ties go to the lowest mode index: a ring of radius 0. */
    gan_toy_options z = toy(GAN_TOY_RING_2D);
    z.radius = 0.0f;
    z.modes = 3;
    float origin[2] = {0.01f, -0.01f};
    assert_int_equal(gan_toy_assign(mode, NULL, &z, origin, 1, 2), GAN_OK);
    assert_int_equal(mode[0], 0);

    /* Either output may be NULL. */
    assert_int_equal(gan_toy_assign(NULL, dist, &r, p, 8, 2), GAN_OK);
    assert_int_equal(gan_toy_assign(mode, NULL, &r, p, 8, 2), GAN_OK);
    assert_int_equal(gan_toy_assign(NULL, NULL, &r, p, 8, 2), GAN_OK);
    /* Non-finite points: mode -1, distance NaN. */
    float bad[4] = {NAN, 1.0f, INFINITY, 0.0f};
    assert_int_equal(gan_toy_assign(mode, dist, &r, bad, 2, 2), GAN_OK);
    assert_int_equal(mode[0], -1);
    assert_int_equal(mode[1], -1);
    assert_true(isnan(dist[0]) && isnan(dist[1]));
    /* Shape and arguments. */
    assert_int_equal(gan_toy_assign(mode, dist, &r, p, 8, 1), GAN_ESHAPE);
    assert_int_equal(gan_toy_assign(mode, dist, &r, NULL, 8, 2), GAN_EINVAL);
    assert_int_equal(gan_toy_assign(mode, dist, &r, p, 0, 2), GAN_EINVAL);
}

static void test_coverage(void **state)
{
    (void)state;
    gan_toy_options r = toy(GAN_TOY_RING_2D); /* 8 modes, radius 2, std 0.02 */
    float c[16];
    assert_int_equal(gan_toy_centers(c, 16, &r), GAN_OK);
    enum { ROWS = 70 };
    float s[2 * ROWS];
    size_t k = 0;
    /* Modes 0..4: 10 samples each, 2 std away from the centre. */
    for (int m = 0; m < 5; m++)
        for (int i = 0; i < 10; i++) {
            double a = 2.0 * TEST_PI * i / 10.0;
            s[2 * k] = c[2 * m] + (float)(2.0 * 0.02 * cos(a));
            s[2 * k + 1] = c[2 * m + 1] + (float)(2.0 * 0.02 * sin(a));
            k++;
        }
    /* Mode 5: 3 samples on the centre. */
    for (int i = 0; i < 3; i++, k++) {
        s[2 * k] = c[10];
        s[2 * k + 1] = c[11];
    }
    /* Mode 6: 10 samples 3.5 std away (nearest is 6, but not high quality). */
    for (int i = 0; i < 10; i++, k++) {
        s[2 * k] = c[12] + 3.5f * 0.02f;
        s[2 * k + 1] = c[13];
    }
    /* 7 samples at the origin, far from every mode. */
    for (int i = 0; i < 7; i++, k++) {
        s[2 * k] = 0.0f;
        s[2 * k + 1] = 0.0f;
    }
    assert_int_equal(k, ROWS);
    gan_coverage cov;
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 2, 5), GAN_OK);
    assert_int_equal(cov.modes_total, 8);
    assert_int_equal(cov.modes_covered, 5);
    assert_true(fabs(cov.high_quality_share - 53.0 / 70.0) < 1e-12);
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 2, 3), GAN_OK);
    assert_int_equal(cov.modes_covered, 6);
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 2, 11), GAN_OK);
    assert_int_equal(cov.modes_covered, 0);
    /* NaN samples are never high quality. */
    s[0] = NAN;
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 2, 10), GAN_OK);
    assert_int_equal(cov.modes_covered, 4);
    assert_true(fabs(cov.high_quality_share - 52.0 / 70.0) < 1e-12);

    /* Real samples of the grid: every mode covered; the share within 3 std
     * of a 2-D isotropic Gaussian is 1 - exp(-9/2) = 0.98889. */
    gan_toy_options q = toy(GAN_TOY_GRID_2D);
    const size_t n = sample_rows() / 4;
    float *x = xmalloc(n * 2 * sizeof *x);
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, 77), GAN_OK);
    assert_int_equal(gan_toy_sample(x, n, 2, &q, rng), GAN_OK);
    assert_int_equal(gan_toy_coverage(&cov, &q, x, n, 2, 10), GAN_OK);
    assert_int_equal(cov.modes_total, 25);
    assert_int_equal(cov.modes_covered, 25);
    const double p = 1.0 - exp(-4.5);
    assert_true(fabs(cov.high_quality_share - p) < 6.0 * sqrt(p * (1 - p) / (double)n));
    /* 1-D. */
    gan_toy_options g = toy(GAN_TOY_GAUSSIAN_1D);
    assert_int_equal(gan_toy_sample(x, n, 1, &g, rng), GAN_OK);
    assert_int_equal(gan_toy_coverage(&cov, &g, x, n, 1, 1), GAN_OK);
    assert_int_equal(cov.modes_total, 1);
    assert_int_equal(cov.modes_covered, 1);
    assert_true(cov.high_quality_share > 0.99);
    gan_rng_free(rng);
    free(x);

    /* Arguments. */
    assert_int_equal(gan_toy_coverage(NULL, &r, s, ROWS, 2, 5), GAN_EINVAL);
    assert_int_equal(gan_toy_coverage(&cov, &r, NULL, ROWS, 2, 5), GAN_EINVAL);
    assert_int_equal(gan_toy_coverage(&cov, &r, s, 0, 2, 5), GAN_EINVAL);
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 2, 0), GAN_EINVAL);
    assert_int_equal(gan_toy_coverage(&cov, &r, s, ROWS, 1, 5), GAN_ESHAPE);
    assert_non_null(strstr(gan_error_last(), "gan_toy_coverage"));
}

static void test_bad_options(void **state)
{
    (void)state;
    struct {
        const char *name;
        gan_toy_options o;
        int expect;
    } cases[12];
    size_t nc = 0;
#define BAD(label, kind, field, value, code)          \
    do {                                               \
        cases[nc].name = label;                        \
        cases[nc].o = toy(kind);                       \
        cases[nc].o.field = value;                     \
        cases[nc].expect = code;                       \
        nc++;                                          \
    } while (0)
    BAD("version", GAN_TOY_RING_2D, version, GAN_TOY_OPTIONS_VERSION + 1, GAN_EUNSUPPORTED);
    BAD("kind", GAN_TOY_RING_2D, kind, 17, GAN_EUNSUPPORTED);
    BAD("std 0", GAN_TOY_RING_2D, std, 0.0f, GAN_EINVAL);
    BAD("std < 0", GAN_TOY_GRID_2D, std, -1.0f, GAN_EINVAL);
    BAD("std NaN", GAN_TOY_GAUSSIAN_1D, std, NAN, GAN_EINVAL);
    BAD("std inf", GAN_TOY_RING_2D, std, INFINITY, GAN_EINVAL);
    BAD("mean NaN", GAN_TOY_GAUSSIAN_1D, mean, NAN, GAN_EINVAL);
    BAD("modes 0", GAN_TOY_RING_2D, modes, 0, GAN_EINVAL);
    BAD("radius NaN", GAN_TOY_RING_2D, radius, NAN, GAN_EINVAL);
    BAD("grid_side 0", GAN_TOY_GRID_2D, grid_side, 0, GAN_EINVAL);
    BAD("spacing inf", GAN_TOY_GRID_2D, spacing, INFINITY, GAN_EINVAL);
    BAD("spacing < 0", GAN_TOY_GRID_2D, spacing, -2.0f, GAN_EINVAL);
#undef BAD
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    float buf[64] = {0};
    double dens[8];
    int32_t mode[8];
    gan_coverage cov;
    for (size_t i = 0; i < nc; i++) {
        const gan_toy_options *o = &cases[i].o;
        const int e = cases[i].expect;
        const size_t w = cases[i].o.kind == GAN_TOY_GAUSSIAN_1D ? 1 : 2;
        if (gan_toy_width(o) != 0 || gan_toy_num_modes(o) != 0)
            fail_msg("%s: size functions must return 0", cases[i].name);
        int rc[6];
        rc[0] = gan_toy_centers(buf, 16, o);
        rc[1] = gan_toy_sample(buf, 4, w, o, rng);
        rc[2] = gan_toy_density(dens, o, buf, 4, w);
        rc[3] = gan_toy_assign(mode, NULL, o, buf, 4, w);
        gan_dataset *ds = (gan_dataset *)(uintptr_t)1;
        rc[4] = gan_dataset_create_toy(&ds, o, 4, rng);
        assert_null(ds);
        rc[5] = gan_toy_coverage(&cov, o, buf, 4, w, 1);
        for (int k = 0; k < 6; k++)
            if (rc[k] != e)
                fail_msg("%s: call %d returned %d (%s), expected %d", cases[i].name, k, rc[k],
                         gan_error_last(), e);
    }
    /* NULL options. */
    assert_int_equal(gan_toy_width(NULL), 0);
    assert_int_equal(gan_toy_num_modes(NULL), 0);
    assert_int_equal(gan_toy_sample(buf, 4, 2, NULL, rng), GAN_EINVAL);
    /* Other arguments. */
    gan_toy_options r = toy(GAN_TOY_RING_2D);
    assert_int_equal(gan_toy_sample(buf, 4, 1, &r, rng), GAN_ESHAPE);
    assert_int_equal(gan_toy_sample(buf, 4, 2, &r, NULL), GAN_EINVAL);
    assert_int_equal(gan_toy_sample(NULL, 4, 2, &r, rng), GAN_EINVAL);
    assert_int_equal(gan_toy_sample(buf, 0, 2, &r, rng), GAN_EINVAL);
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_create_toy(&ds, &r, 0, rng), GAN_EINVAL);
    assert_int_equal(gan_dataset_create_toy(&ds, &r, 4, NULL), GAN_EINVAL);
    assert_int_equal(gan_dataset_create_toy(NULL, &r, 4, rng), GAN_EINVAL);
    assert_int_equal(gan_dataset_create_toy(&ds, &r, SIZE_MAX / 4, rng), GAN_EINVAL);
    assert_null(ds);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_centers),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_density),
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
