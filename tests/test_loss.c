/* Losses from logits: values and gradients against direct formulas,
 * stability at extreme logits, bad input. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

static const float LOGITS[] = {-100.0f, -30.0f, -5.0f, -1.0f, -0.25f, 0.0f,
                               0.25f,   1.0f,   5.0f,  30.0f, 100.0f};
#define N_LOGITS (sizeof LOGITS / sizeof LOGITS[0])

/* Direct formulas in long double: D = 1 / (1 + e^-a). */
static long double sig(long double a)
{
    return 1.0L / (1.0L + expl(-a));
}
static long double log_d(long double a) /* log D(a) */
{
    return -log1pl(expl(-a));
}
static long double log_1m_d(long double a) /* log(1 - D(a)) */
{
    return -log1pl(expl(a));
}

/* A long double reference; the tolerance is rel x max(|want|, 1). */
static void assert_rel_close(double got, long double want, double rel)
{
    const double tol = rel * (fabs((double)want) > 1.0 ? fabs((double)want) : 1.0);
    if (fabs(got - (double)want) > tol)
        fail_msg("got %.17g want %.17Lg", got, want);
}

static void test_d_loss_values(void **state)
{
    (void)state;
    float gr[N_LOGITS], gf[N_LOGITS];
    double loss;
    for (unsigned half = 0; half < 2; half++) {
        assert_int_equal(gan_loss_d(&loss, gr, gf, LOGITS, N_LOGITS, LOGITS, N_LOGITS,
                                    half ? GAN_LOSS_D_HALF : 0u), GAN_OK);
        const long double w = half ? 0.5L : 1.0L;
        long double sr = 0, sf = 0;
        for (size_t i = 0; i < N_LOGITS; i++) {
            sr += -log_d(LOGITS[i]);
            sf += -log_1m_d(LOGITS[i]);
        }
        assert_true(isfinite(loss));
        assert_rel_close(loss, w * (sr / N_LOGITS + sf / N_LOGITS), 1e-12);
        for (size_t i = 0; i < N_LOGITS; i++) {
            /* d/da of -log D = D - 1; of -log(1 - D) = D. */
            assert_rel_close(gr[i], w * (sig(LOGITS[i]) - 1.0L) / N_LOGITS, 1e-6);
            assert_rel_close(gf[i], w * sig(LOGITS[i]) / N_LOGITS, 1e-6);
        }
    }
}

static void test_g_loss_values(void **state)
{
    (void)state;
    float g[N_LOGITS];
    double loss;
    assert_int_equal(gan_loss_g(&loss, g, LOGITS, N_LOGITS, GAN_G_LOSS_NON_SATURATING), GAN_OK);
    long double s = 0;
    for (size_t i = 0; i < N_LOGITS; i++)
        s += -log_d(LOGITS[i]);
    assert_rel_close(loss, s / N_LOGITS, 1e-12);
    for (size_t i = 0; i < N_LOGITS; i++)
        assert_rel_close(g[i], (sig(LOGITS[i]) - 1.0L) / N_LOGITS, 1e-6);

    assert_int_equal(gan_loss_g(&loss, g, LOGITS, N_LOGITS, GAN_G_LOSS_MINIMAX), GAN_OK);
    s = 0;
    for (size_t i = 0; i < N_LOGITS; i++)
        s += log_1m_d(LOGITS[i]);
    assert_rel_close(loss, s / N_LOGITS, 1e-12);
    for (size_t i = 0; i < N_LOGITS; i++)
        assert_rel_close(g[i], -sig(LOGITS[i]) / N_LOGITS, 1e-6);
}

/* Central differences of the loss in double agree with the gradients. */
static void test_gradients_match_differences(void **state)
{
    (void)state;
    float a[6] = {-3.0f, -0.7f, 0.0f, 0.4f, 2.0f, 6.0f};
    float g[6], gr[6], gf[6];
    const float h = 1e-3f;
    for (int kind = 0; kind < 2; kind++) {
        double loss;
        assert_int_equal(gan_loss_g(&loss, g, a, 6, kind), GAN_OK);
        for (int i = 0; i < 6; i++) {
            float b[6];
            double lp, lm;
            memcpy(b, a, sizeof b);
            b[i] = a[i] + h;
            gan_loss_g(&lp, NULL, b, 6, kind);
            b[i] = a[i] - h;
            gan_loss_g(&lm, NULL, b, 6, kind);
            const double fd = (lp - lm) / ((double)(a[i] + h) - (double)(a[i] - h));
            assert_true(fabs(fd - g[i]) < 1e-4);
        }
    }
    double loss;
    assert_int_equal(gan_loss_d(&loss, gr, gf, a, 6, a, 3, 0), GAN_OK);
    for (int i = 0; i < 6; i++) {
        float b[6];
        double lp, lm;
        memcpy(b, a, sizeof b);
        b[i] = a[i] + h;
        gan_loss_d(&lp, NULL, NULL, b, 6, a, 3, 0);
        b[i] = a[i] - h;
        gan_loss_d(&lm, NULL, NULL, b, 6, a, 3, 0);
        assert_true(fabs((lp - lm) / ((double)(a[i] + h) - (double)(a[i] - h)) - gr[i]) < 1e-4);
    }
    for (int i = 0; i < 3; i++) {
        float b[6];
        double lp, lm;
        memcpy(b, a, sizeof b);
        b[i] = a[i] + h;
        gan_loss_d(&lp, NULL, NULL, a, 6, b, 3, 0);
        b[i] = a[i] - h;
        gan_loss_d(&lm, NULL, NULL, a, 6, b, 3, 0);
        assert_true(fabs((lp - lm) / ((double)(a[i] + h) - (double)(a[i] - h)) - gf[i]) < 1e-4);
    }
}

/* One-sided label smoothing: values against the long double reference
 * -[t log D + (1 - t) log(1 - D)] on real rows, gradients against central
 * differences, and t = 1 is gan_loss_d bit for bit. */
static void test_smoothed_d_loss(void **state)
{
    (void)state;
    float gr[N_LOGITS], gf[N_LOGITS], gr1[N_LOGITS], gf1[N_LOGITS];
    double loss, loss1;
    assert_int_equal(gan_loss_d_smoothed(&loss, gr, gf, LOGITS, N_LOGITS, LOGITS, N_LOGITS,
                                         GAN_LOSS_D_HALF, 1.0f), GAN_OK);
    assert_int_equal(gan_loss_d(&loss1, gr1, gf1, LOGITS, N_LOGITS, LOGITS, N_LOGITS,
                                GAN_LOSS_D_HALF), GAN_OK);
    assert_memory_equal(&loss, &loss1, sizeof loss);
    assert_memory_equal(gr, gr1, sizeof gr);
    assert_memory_equal(gf, gf1, sizeof gf);
    const float targets[2] = {0.9f, 0.5f};
    for (int k = 0; k < 2; k++) {
        const long double t = targets[k];
        for (unsigned half = 0; half < 2; half++) {
            const unsigned flags = half ? GAN_LOSS_D_HALF : 0u;
            assert_int_equal(gan_loss_d_smoothed(&loss, gr, gf, LOGITS, N_LOGITS, LOGITS, N_LOGITS,
                                                 flags, targets[k]), GAN_OK);
            const long double w = half ? 0.5L : 1.0L;
            long double sr = 0, sf = 0;
            for (size_t i = 0; i < N_LOGITS; i++) {
                sr += -t * log_d(LOGITS[i]) - (1.0L - t) * log_1m_d(LOGITS[i]);
                sf += -log_1m_d(LOGITS[i]);
            }
            assert_rel_close(loss, w * (sr / N_LOGITS + sf / N_LOGITS), 1e-12);
            for (size_t i = 0; i < N_LOGITS; i++) {
                assert_rel_close(gr[i], w * (sig(LOGITS[i]) - t) / N_LOGITS, 1e-6);
                assert_rel_close(gf[i], w * sig(LOGITS[i]) / N_LOGITS, 1e-6);
            }
        }
        float a[6] = {-3.0f, -0.7f, 0.0f, 0.4f, 2.0f, 6.0f};
        const float h = 1e-3f;
        assert_int_equal(gan_loss_d_smoothed(&loss, gr, gf, a, 6, a, 3, 0, targets[k]), GAN_OK);
        for (int i = 0; i < 6; i++) {
            float b[6];
            double lp, lm;
            memcpy(b, a, sizeof b);
            b[i] = a[i] + h;
            gan_loss_d_smoothed(&lp, NULL, NULL, b, 6, a, 3, 0, targets[k]);
            b[i] = a[i] - h;
            gan_loss_d_smoothed(&lm, NULL, NULL, b, 6, a, 3, 0, targets[k]);
            assert_true(fabs((lp - lm) / ((double)(a[i] + h) - (double)(a[i] - h)) - gr[i]) < 1e-4);
        }
    }
    /* The smoothed loss keeps a pull on real logits that are already very
     * large: the gradient tends to (1 - t) / n, not 0. */
    const float big = 30.0f;
    assert_int_equal(gan_loss_d_smoothed(&loss, gr, gf, &big, 1, &big, 1, 0, 0.9f), GAN_OK);
    assert_true(fabs(gr[0] - 0.1) < 1e-6);
}

/* A saturated D (fake logits very negative) leaves the minimax G loss with
 * a vanishing gradient and the non-saturating one with a strong one: the
 * reason for the paper's Section 3 remark. */
static void test_saturation(void **state)
{
    (void)state;
    const float a = -30.0f;
    float gm, gn;
    double lm, ln;
    assert_int_equal(gan_loss_g(&lm, &gm, &a, 1, GAN_G_LOSS_MINIMAX), GAN_OK);
    assert_int_equal(gan_loss_g(&ln, &gn, &a, 1, GAN_G_LOSS_NON_SATURATING), GAN_OK);
    assert_true(fabsf(gm) < 1e-12f);
    assert_true(fabsf(gn + 1.0f) < 1e-6f);
    assert_true(fabs(ln - 30.0) < 1e-9);
}

static void test_bad_input(void **state)
{
    (void)state;
    float a[2] = {0.0f, 1.0f}, g[2];
    double loss;
    assert_int_equal(gan_loss_g(NULL, g, a, 2, 0), GAN_EINVAL);
    assert_int_equal(gan_loss_g(&loss, g, NULL, 2, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "logit_fake"));
    assert_int_equal(gan_loss_g(&loss, g, a, 0, 0), GAN_EINVAL);
    assert_int_equal(gan_loss_g(&loss, g, a, 2, 7), GAN_EUNSUPPORTED);
    assert_non_null(strstr(gan_error_last(), "kind"));
    a[1] = NAN;
    assert_int_equal(gan_loss_g(&loss, g, a, 2, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "logit_fake[1]"));
    assert_int_equal(gan_loss_d(&loss, NULL, NULL, a, 1, a, 2, 0), GAN_EINVAL);
    a[1] = INFINITY;
    assert_int_equal(gan_loss_d(&loss, NULL, NULL, a, 2, a, 1, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "logit_real[1]"));
    a[1] = 0.5f;
    assert_int_equal(gan_loss_d(&loss, NULL, NULL, a, 2, a, 0, 0), GAN_EINVAL);
    assert_int_equal(gan_loss_d(&loss, NULL, NULL, a, 2, a, 2, 0x10), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "flags"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_d_loss_values),
        cmocka_unit_test(test_g_loss_values),
        cmocka_unit_test(test_gradients_match_differences),
        cmocka_unit_test(test_smoothed_d_loss),
        cmocka_unit_test(test_saturation),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
