/* Parzen-window estimator: against a direct double-precision computation,
 * block-size invariance, closed forms, sigma selection, the paper's grid,
 * bad inputs. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

/* The estimator straight from its definition, in double. */
static double direct_ll(const float *x, const float *mu, size_t n, size_t d, double sigma)
{
    double *e = xmalloc(n * sizeof *e);
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double diff = (double)x[j] - (double)mu[i * d + j];
            s += diff * diff;
        }
        e[i] = -s / (2.0 * sigma * sigma);
        if (e[i] > mx)
            mx = e[i];
    }
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += exp(e[i] - mx);
    free(e);
    return mx + log(sum) - log((double)n) - (double)d * log(sigma * sqrt(2.0 * TEST_PI));
}

static double rel_err(double got, double want)
{
    double den = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) / den;
}

/* n spans two full 256-float chunks and a tail. */
enum { N = 600, D = 20, ROWS = 40 };

static void test_matches_direct(void **state)
{
    (void)state;
    float *mu = seeded_normal((size_t)N * D, 1, 0.0f, 1.0f);
    float *x = seeded_normal((size_t)ROWS * D, 2, 0.1f, 1.2f);
    gan_parzen *p;
    assert_int_equal(gan_parzen_create(&p, mu, N, D), GAN_OK);
    /* The handle copied the samples. */
    memset(mu, 0, sizeof(float) * N * D);
    free(mu);
    mu = seeded_normal((size_t)N * D, 1, 0.0f, 1.0f);

    const double sigmas[] = {0.2, 0.5, 1.0, 3.0};
    for (size_t k = 0; k < 4; k++) {
        double ll[ROWS], mean, se;
        assert_int_equal(gan_parzen_log_likelihood(ll, &mean, &se, p, x, ROWS, D, sigmas[k]), GAN_OK);
        double want[ROWS], wmean = 0.0;
        for (size_t r = 0; r < ROWS; r++) {
            want[r] = direct_ll(x + r * D, mu, N, D, sigmas[k]);
            assert_true(rel_err(ll[r], want[r]) < 1e-5);
            wmean += want[r];
        }
        wmean /= ROWS;
        double var = 0.0;
        for (size_t r = 0; r < ROWS; r++)
            var += (want[r] - wmean) * (want[r] - wmean);
        double wse = sqrt(var / ROWS) / sqrt((double)ROWS);
        assert_true(rel_err(mean, wmean) < 1e-5);
        assert_true(fabs(se - wse) <= 1e-5 * wse + 1e-9);
        /* Optional outputs. */
        double mean2 = 0.0;
        assert_int_equal(gan_parzen_log_likelihood(NULL, &mean2, NULL, p, x, ROWS, D, sigmas[k]), GAN_OK);
        assert_true(mean2 == mean);
        assert_int_equal(gan_parzen_log_likelihood(NULL, NULL, NULL, p, x, ROWS, D, sigmas[k]), GAN_OK);
    }
    /* A tiny bandwidth: only the nearest sample counts, still finite. */
    double ll0;
    assert_int_equal(gan_parzen_log_likelihood(&ll0, NULL, NULL, p, x, 1, D, 1e-3), GAN_OK);
    assert_true(isfinite(ll0));
    assert_true(rel_err(ll0, direct_ll(x, mu, N, D, 1e-3)) < 1e-5);
    gan_parzen_free(p);
    free(mu);
    free(x);
}

/* Low dimension, small values: distances are nearly exact in float and many
 * terms of every sum matter, so this checks the exponentials themselves
 * (absolute error of the log-likelihood < 1e-6; a bandwidth much smaller
 * than the spread would let float rounding of the distances dominate). */
static void test_exp_accuracy(void **state)
{
    (void)state;
    enum { NS = 777, NR = 200, DD = 2 };
    float *mu = seeded_normal(NS * DD, 21, 0.0f, 0.5f);
    float *x = seeded_normal(NR * DD, 22, 0.0f, 0.6f);
    gan_parzen *p;
    assert_int_equal(gan_parzen_create(&p, mu, NS, DD), GAN_OK);
    const double sigmas[] = {0.35, 0.5, 0.9};
    for (size_t k = 0; k < 3; k++) {
        double ll[NR];
        assert_int_equal(gan_parzen_log_likelihood(ll, NULL, NULL, p, x, NR, DD, sigmas[k]), GAN_OK);
        for (size_t r = 0; r < NR; r++)
            assert_true(fabs(ll[r] - direct_ll(x + r * DD, mu, NS, DD, sigmas[k])) < 1e-6);
    }
    gan_parzen_free(p);
    free(mu);
    free(x);
}

static void test_block_invariance(void **state)
{
    (void)state;
    float *mu = seeded_normal((size_t)N * D, 3, 0.0f, 1.0f);
    float *x = seeded_normal((size_t)ROWS * D, 4, 0.0f, 1.0f);
    gan_parzen *p;
    assert_int_equal(gan_parzen_create(&p, mu, N, D), GAN_OK);
    double ref[ROWS], ref_mean, ref_se;
    assert_int_equal(gan_parzen_log_likelihood(ref, &ref_mean, &ref_se, p, x, ROWS, D, 0.7), GAN_OK);
    const size_t blocks[] = {1, 7, ROWS, 1000};
    for (size_t b = 0; b < 4; b++) {
        assert_int_equal(gan_parzen_set_block_rows(p, blocks[b]), GAN_OK);
        double ll[ROWS], mean, se;
        assert_int_equal(gan_parzen_log_likelihood(ll, &mean, &se, p, x, ROWS, D, 0.7), GAN_OK);
        for (size_t r = 0; r < ROWS; r++)
            assert_true(rel_err(ll[r], ref[r]) < 1e-6);
        assert_true(rel_err(mean, ref_mean) < 1e-6);
        assert_true(fabs(se - ref_se) <= 1e-6 * ref_se + 1e-9);
        double best, grid[3];
        const double sig[3] = {0.35, 0.7, 1.4};
        assert_int_equal(gan_parzen_select_sigma(&best, grid, p, x, ROWS, D, sig, 3), GAN_OK);
        assert_true(rel_err(grid[1], ref_mean) < 1e-6);
    }
    gan_parzen_free(p);
    free(mu);
    free(x);
}

/* Every sample at one point: the estimate is the Gaussian log-density. */
static void check_single_point(size_t d, double sigma)
{
    enum { NS = 300, NR = 25 };
    float *centre = seeded_normal(d, 5 + d, 0.5f, 1.0f);
    float *mu = xmalloc(NS * d * sizeof *mu);
    for (size_t i = 0; i < NS; i++)
        memcpy(mu + i * d, centre, d * sizeof *mu);
    float *x = seeded_normal(NR * d, 7 + d, 0.5f, 1.0f);
    gan_parzen *p;
    assert_int_equal(gan_parzen_create(&p, mu, NS, d), GAN_OK);
    double ll[NR];
    assert_int_equal(gan_parzen_log_likelihood(ll, NULL, NULL, p, x, NR, d, sigma), GAN_OK);
    for (size_t r = 0; r < NR; r++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++) {
            double diff = (double)x[r * d + j] - (double)centre[j];
            s += diff * diff;
        }
        double want = -s / (2.0 * sigma * sigma) - (double)d * log(sigma * sqrt(2.0 * TEST_PI));
        assert_true(rel_err(ll[r], want) < 1e-5);
    }
    /* At the point itself: the peak of the density. */
    double peak;
    assert_int_equal(gan_parzen_log_likelihood(&peak, NULL, NULL, p, centre, 1, d, sigma), GAN_OK);
    assert_true(rel_err(peak, -(double)d * log(sigma * sqrt(2.0 * TEST_PI))) < 1e-5);
    gan_parzen_free(p);
    free(centre);
    free(mu);
    free(x);
}

static void test_closed_form(void **state)
{
    (void)state;
    check_single_point(1, 0.25);
    check_single_point(1, 2.0);
    check_single_point(3, 0.4);
    check_single_point(50, 1.5);
}

/* Far-apart centres, rows = centre + N(0, s^2): the expected log-likelihood
 * is maximal at sigma = s, which is grid value 4. */
static void test_select_sigma(void **state)
{
    (void)state;
    enum { NC = 64, DD = 10, NR = 2000 };
    double grid[GAN_PARZEN_PAPER_GRID_SIZE];
    assert_int_equal(gan_parzen_paper_grid(grid, GAN_PARZEN_PAPER_GRID_SIZE), GAN_OK);
    const double s = grid[4];
    float *centres = seeded_normal(NC * DD, 11, 0.0f, 100.0f);
    float *x = seeded_normal((size_t)NR * DD, 12, 0.0f, (float)s);
    for (size_t r = 0; r < NR; r++)
        for (size_t j = 0; j < DD; j++)
            x[r * DD + j] += centres[(r % NC) * DD + j];
    gan_parzen *p;
    assert_int_equal(gan_parzen_create(&p, centres, NC, DD), GAN_OK);
    double best = 0.0, mean_ll[GAN_PARZEN_PAPER_GRID_SIZE];
    assert_int_equal(gan_parzen_select_sigma(&best, mean_ll, p, x, NR, DD, grid,
                                             GAN_PARZEN_PAPER_GRID_SIZE), GAN_OK);
    assert_true(best == s);
    for (size_t k = 0; k < GAN_PARZEN_PAPER_GRID_SIZE; k++) {
        if (k != 4)
            assert_true(mean_ll[k] < mean_ll[4]);
        double m;
        assert_int_equal(gan_parzen_log_likelihood(NULL, &m, NULL, p, x, NR, DD, grid[k]), GAN_OK);
        assert_true(rel_err(mean_ll[k], m) < 1e-9);
    }
    /* mean_ll may be NULL; a one-value grid picks that value. */
    double best2 = 0.0;
    assert_int_equal(gan_parzen_select_sigma(&best2, NULL, p, x, NR, DD, grid, GAN_PARZEN_PAPER_GRID_SIZE), GAN_OK);
    assert_true(best2 == s);
    assert_int_equal(gan_parzen_select_sigma(&best2, NULL, p, x, NR, DD, grid + 9, 1), GAN_OK);
    assert_true(best2 == grid[9]);
    /* Several sigmas in one pass: exactly the numbers of one call each. */
    double means[GAN_PARZEN_PAPER_GRID_SIZE], ses[GAN_PARZEN_PAPER_GRID_SIZE];
    assert_int_equal(gan_parzen_log_likelihood_sigmas(means, ses, p, x, NR, DD, grid,
                                                      GAN_PARZEN_PAPER_GRID_SIZE), GAN_OK);
    for (size_t k = 0; k < GAN_PARZEN_PAPER_GRID_SIZE; k++) {
        double m, se;
        assert_int_equal(gan_parzen_log_likelihood(NULL, &m, &se, p, x, NR, DD, grid[k]), GAN_OK);
        assert_true(means[k] == m && ses[k] == se);
        assert_true(means[k] == mean_ll[k]);
    }
    assert_int_equal(gan_parzen_log_likelihood_sigmas(means, NULL, p, x, NR, DD, grid + 4, 1),
                     GAN_OK);
    assert_true(means[0] == mean_ll[4]);
    gan_parzen_free(p);
    free(centres);
    free(x);
}

static void test_paper_grid(void **state)
{
    (void)state;
    double g[10];
    assert_int_equal(gan_parzen_paper_grid(g, 10), GAN_OK);
    assert_true(g[0] == 0.1);
    assert_true(fabs(g[1] - 0.12915496650148839) < 1e-15);
    assert_true(fabs(g[5] - 0.35938136638046275) < 1e-15);
    assert_true(g[9] == 1.0);
    for (size_t i = 1; i < 10; i++)
        assert_true(g[i] > g[i - 1]);
    double two[2];
    assert_int_equal(gan_parzen_paper_grid(two, 2), GAN_OK);
    assert_true(two[0] == 0.1 && two[1] == 1.0);
    assert_int_equal(gan_parzen_paper_grid(g, 1), GAN_EINVAL);
    assert_int_equal(gan_parzen_paper_grid(g, 0), GAN_EINVAL);
    assert_int_equal(gan_parzen_paper_grid(NULL, 10), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_parzen_paper_grid"));
}

static void test_bad_inputs(void **state)
{
    (void)state;
    float mu[6] = {0, 1, 2, 3, 4, 5};
    float x[4] = {1, 1, 2, 2};
    gan_parzen *p = (gan_parzen *)&p;
    const char *c = "gan_parzen_create";
    expect_error(gan_parzen_create(NULL, mu, 3, 2), GAN_EINVAL, c);
    expect_error(gan_parzen_create(&p, NULL, 3, 2), GAN_EINVAL, c);
    assert_null(p);
    expect_error(gan_parzen_create(&p, mu, 0, 2), GAN_EINVAL, c);
    expect_error(gan_parzen_create(&p, mu, 3, 0), GAN_EINVAL, c);
    expect_error(gan_parzen_create(&p, mu, SIZE_MAX / 2, 4), GAN_EINVAL, c);
    mu[3] = NAN;
    expect_error(gan_parzen_create(&p, mu, 3, 2), GAN_EINVAL, c);
    assert_non_null(strstr(gan_error_last(), "row 1"));
    mu[3] = INFINITY;
    expect_error(gan_parzen_create(&p, mu, 3, 2), GAN_EINVAL, c);
    mu[3] = 3;
    assert_int_equal(gan_parzen_create(&p, mu, 3, 2), GAN_OK);

    const char *l = "gan_parzen_log_likelihood";
    double ll[2], mean, se;
    const double bad_sigmas[] = {0.0, -1.0, NAN, INFINITY, -INFINITY, 1e-300};
    for (size_t i = 0; i < sizeof bad_sigmas / sizeof bad_sigmas[0]; i++)
        expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 2, 2, bad_sigmas[i]), GAN_EINVAL, l);
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, NULL, x, 2, 2, 1.0), GAN_EINVAL, l);
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, NULL, 2, 2, 1.0), GAN_EINVAL, l);
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 0, 2, 1.0), GAN_EINVAL, l);
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 2, 0, 1.0), GAN_EINVAL, l);
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 1, 4, 1.0), GAN_ESHAPE, l);
    x[2] = NAN;
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 2, 2, 1.0), GAN_EINVAL, l);
    x[2] = -INFINITY;
    expect_error(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 2, 2, 1.0), GAN_EINVAL, l);
    x[2] = 2;
    assert_int_equal(gan_parzen_log_likelihood(ll, &mean, &se, p, x, 2, 2, 1.0), GAN_OK);

    const char *s = "gan_parzen_select_sigma";
    double grid[3] = {0.5, 1.0, 2.0}, best, means[3];
    expect_error(gan_parzen_select_sigma(NULL, means, p, x, 2, 2, grid, 3), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, NULL, x, 2, 2, grid, 3), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, p, NULL, 2, 2, grid, 3), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 2, 2, NULL, 3), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 2, 2, grid, 0), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 0, 2, grid, 3), GAN_EINVAL, s);
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 2, 1, grid, 3), GAN_ESHAPE, s);
    grid[1] = -1.0;
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 2, 2, grid, 3), GAN_EINVAL, s);
    assert_non_null(strstr(gan_error_last(), "sigmas[1]"));
    grid[1] = NAN;
    expect_error(gan_parzen_select_sigma(&best, means, p, x, 2, 2, grid, 3), GAN_EINVAL, s);
    grid[1] = 1.0;
    assert_int_equal(gan_parzen_select_sigma(&best, means, p, x, 2, 2, grid, 3), GAN_OK);

    const char *m = "gan_parzen_log_likelihood_sigmas";
    double ses[3];
    expect_error(gan_parzen_log_likelihood_sigmas(NULL, ses, p, x, 2, 2, grid, 3), GAN_EINVAL, m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, NULL, x, 2, 2, grid, 3), GAN_EINVAL,
                 m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, NULL, 2, 2, grid, 3), GAN_EINVAL,
                 m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 2, NULL, 3), GAN_EINVAL, m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 2, grid, 0), GAN_EINVAL, m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 2, grid, SIZE_MAX),
                 GAN_EINVAL, m);
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 1, grid, 3), GAN_ESHAPE, m);
    grid[2] = INFINITY;
    expect_error(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 2, grid, 3), GAN_EINVAL, m);
    assert_non_null(strstr(gan_error_last(), "sigmas[2]"));
    grid[2] = 2.0;
    assert_int_equal(gan_parzen_log_likelihood_sigmas(means, ses, p, x, 2, 2, grid, 3), GAN_OK);

    expect_error(gan_parzen_set_block_rows(NULL, 4), GAN_EINVAL, "gan_parzen_set_block_rows");
    expect_error(gan_parzen_set_block_rows(p, 0), GAN_EINVAL, "gan_parzen_set_block_rows");
    expect_error(gan_parzen_set_block_rows(p, SIZE_MAX), GAN_EINVAL, "gan_parzen_set_block_rows");
    assert_int_equal(gan_parzen_set_block_rows(p, 1), GAN_OK);
    gan_parzen_free(p);
    gan_parzen_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_direct),
        cmocka_unit_test(test_exp_accuracy),
        cmocka_unit_test(test_block_invariance),
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_select_sigma),
        cmocka_unit_test(test_paper_grid),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
