/* Gaussian Parzen-window log-likelihood (the estimator of the paper's
 * Table 1, protocol of docs/paper.md section 3).
 *
 *   log p(x) = logsumexp_i(-D_i / (2 sigma^2)) - log n - d log(sigma sqrt(2 pi)),
 *   D_i = |x - mu_i|^2 = |x|^2 + |mu_i|^2 - 2 x.mu_i
 *
 * Distances come from one cblas_sgemm per block of rows of x (clamped at 0);
 * each row's distances are then reused for every sigma. The max shift of the
 * log-sum-exp is the row's smallest distance, shared by all sigmas, so every
 * exponent is <= 0 and the largest term is exactly 1. The exponentials are
 * computed in float by a branch-free polynomial the compiler vectorises, and
 * summed in double.
 */
#include "clones.h"
#include "distance.h"
#include "status.h"
#include "vexp.h"
#include "blas.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Default distance block: at most this many bytes of floats. */
#define PZ_BLOCK_BYTES ((size_t)64 << 20)
/* Rows are processed in chunks of this many floats (fixed trip counts let
 * the vectoriser work even at -O2). */
#define PZ_CHUNK 256
/* exp(-87) ~ 1.6e-38 is still a normal float; every term below it is
 * negligible beside the row's largest term, which is 1. */
#define PZ_EXP_FLOOR (-87.0f)

struct gan_parzen {
    float *samples;    /* n x d, copied */
    float *snorm;      /* n squared norms */
    size_t n, d;
    size_t block_rows; /* 0: automatic */
    float *work;       /* distance block, grown on demand */
    size_t work_cap;   /* floats */
};

/* dist[i] = max(xn + snorm[i] + dist[i], 0) in place (dist holds -2 x.mu);
 * returns the smallest. */
GAN__VECTOR_CLONES
static float pz_dist_row(float *restrict dist, const float *restrict snorm, float xn, size_t n)
{
    float lane[8];
    for (size_t j = 0; j < 8; j++)
        lane[j] = FLT_MAX;
    size_t i = 0;
    for (; i + PZ_CHUNK <= n; i += PZ_CHUNK) {
        float *dc = dist + i;
        const float *sc = snorm + i;
        for (size_t t = 0; t < PZ_CHUNK; t++) {
            float v = xn + sc[t] + dc[t];
            dc[t] = v > 0.0f ? v : 0.0f;
        }
        for (size_t t = 0; t < PZ_CHUNK; t += 8)
            for (size_t j = 0; j < 8; j++)
                lane[j] = dc[t + j] < lane[j] ? dc[t + j] : lane[j];
    }
    float m = FLT_MAX;
    for (; i < n; i++) {
        float v = xn + snorm[i] + dist[i];
        dist[i] = v > 0.0f ? v : 0.0f;
        m = dist[i] < m ? dist[i] : m;
    }
    for (size_t j = 0; j < 8; j++)
        m = lane[j] < m ? lane[j] : m;
    return m;
}

/* sum_i exp((m - dist[i]) * c) in double; every exponent is <= 0. */
GAN__VECTOR_CLONES
static double pz_sum_exp(const float *restrict dist, size_t n, float m, float c, float lo)
{
    float tmp[PZ_CHUNK];
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + PZ_CHUNK <= n; i += PZ_CHUNK) {
        const float *dc = dist + i;
        for (size_t t = 0; t < PZ_CHUNK; t++)
            tmp[t] = gan__exp_neg((m - dc[t]) * c, lo);
        for (size_t t = 0; t < PZ_CHUNK; t += 8)
            for (size_t j = 0; j < 8; j++)
                acc[j] += (double)tmp[t + j];
    }
    double s = 0.0;
    for (; i < n; i++)
        s += (double)gan__exp_neg((m - dist[i]) * c, lo);
    return s + (((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
}

static int pz_check_sigma(const char *fn, const char *what, double sigma)
{
    if (!(sigma > 0.0) || !isfinite(sigma) || !isfinite(1.0 / (2.0 * sigma * sigma)) ||
        !isfinite(2.0 * sigma * sigma))
        return gan__error(GAN_EINVAL, "%s: %s = %g is not a positive finite bandwidth", fn, what, sigma);
    return GAN_OK;
}

int gan_parzen_create(gan_parzen **out, const float *samples, size_t n, size_t d)
{
    static const char fn[] = "gan_parzen_create";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, samples);
    GAN_CHECK_NONZERO(fn, n);
    GAN_CHECK_NONZERO(fn, d);
    size_t count, bytes;
    if (n > INT_MAX || d > INT_MAX || gan__mul_size(&count, n, d) != 0 ||
        gan__mul_size(&bytes, count, sizeof(float)) != 0)
        return gan__error(GAN_EINVAL, "%s: %zu x %zu samples are too many for the BLAS", fn, n, d);
    gan_parzen *p = calloc(1, sizeof *p);
    if (p == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    p->samples = malloc(bytes);
    p->snorm = malloc(n * sizeof(float));
    if (p->samples == NULL || p->snorm == NULL) {
        gan_parzen_free(p);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu samples", fn, n, d);
    }
    size_t bad = gan__row_sq_norms(p->snorm, samples, n, d);
    if (bad != SIZE_MAX) {
        gan_parzen_free(p);
        return gan__error(GAN_EINVAL, "%s: samples row %zu holds NaN, Inf or values too large", fn, bad);
    }
    memcpy(p->samples, samples, bytes);
    p->n = n;
    p->d = d;
    *out = p;
    return GAN_OK;
}

void gan_parzen_free(gan_parzen *p)
{
    if (p == NULL)
        return;
    free(p->samples);
    free(p->snorm);
    free(p->work);
    free(p);
}

int gan_parzen_set_block_rows(gan_parzen *p, size_t block_rows)
{
    static const char fn[] = "gan_parzen_set_block_rows";
    GAN_CHECK_NULL(fn, p);
    GAN_CHECK_NONZERO(fn, block_rows);
    size_t floats;
    if (block_rows > INT_MAX || gan__mul_size(&floats, block_rows, p->n) != 0 ||
        floats > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: block_rows %zu x %zu samples overflows", fn, block_rows, p->n);
    p->block_rows = block_rows;
    return GAN_OK;
}

/* Validate x (shape, finite values) and compute its row norms into a new
 * array (*norms, rows floats). */
static int pz_check_x(float **norms, const char *fn, const gan_parzen *p, const float *x,
                      size_t rows, size_t cols)
{
    *norms = NULL;
    GAN_CHECK_NULL(fn, p);
    GAN_CHECK_NULL(fn, x);
    GAN_CHECK_NONZERO(fn, rows);
    GAN_CHECK_NONZERO(fn, cols);
    if (cols != p->d)
        return gan__error(GAN_ESHAPE, "%s: x has %zu columns but the samples have %zu", fn, cols, p->d);
    size_t count;
    if (gan__mul_size(&count, rows, cols) != 0 || rows > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: x of %zu x %zu overflows", fn, rows, cols);
    float *nx = malloc(rows * sizeof(float));
    if (nx == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu row norms", fn, rows);
    size_t bad = gan__row_sq_norms(nx, x, rows, cols);
    if (bad != SIZE_MAX) {
        free(nx);
        return gan__error(GAN_EINVAL, "%s: x row %zu holds NaN, Inf or values too large", fn, bad);
    }
    *norms = nx;
    return GAN_OK;
}

/* Rows per block and a workspace large enough for one block. */
static int pz_workspace(size_t *block, const char *fn, gan_parzen *p, size_t rows)
{
    size_t br = p->block_rows;
    if (br == 0) {
        br = PZ_BLOCK_BYTES / (p->n * sizeof(float));
        if (br == 0)
            br = 1;
        if (br > INT_MAX)
            br = INT_MAX;
    }
    if (br > rows)
        br = rows;
    size_t floats;
    if (gan__mul_size(&floats, br, p->n) != 0 || floats > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: distance block of %zu x %zu overflows", fn, br, p->n);
    if (floats > p->work_cap) {
        free(p->work);
        p->work_cap = 0;
        p->work = malloc(floats * sizeof(float));
        if (p->work == NULL)
            return gan__error(GAN_ENOMEM, "%s: out of memory for a %zu x %zu distance block", fn, br, p->n);
        p->work_cap = floats;
    }
    *block = br;
    return GAN_OK;
}

/* Per-sigma constants. */
typedef struct pz_sigma {
    double c;      /* 1 / (2 sigma^2) */
    float cf;      /* the same in float, capped at FLT_MAX */
    double offset; /* -log n - d log(sigma sqrt(2 pi)) */
} pz_sigma;

static void pz_sigma_init(pz_sigma *s, double sigma, size_t n, size_t d)
{
    s->c = 1.0 / (2.0 * sigma * sigma);
    s->cf = s->c > (double)FLT_MAX ? FLT_MAX : (float)s->c;
    s->offset = -log((double)n) - (double)d * (log(sigma) + 0.5 * log(2.0 * 3.14159265358979323846));
}

/* The core: for every row of x and every sigma the log-likelihood, handed to
 * Welford accumulators (mean[k], m2[k]) and, when ll_out is not NULL (one
 * sigma), stored per row. */
static int pz_run(const char *fn, gan_parzen *p, const float *x, const float *xnorm, size_t rows,
                  const pz_sigma *sig, size_t ns, double *ll_out, double *mean, double *m2)
{
    size_t br = 0;
    int rc = pz_workspace(&br, fn, p, rows);
    if (rc != GAN_OK)
        return rc;
    const size_t n = p->n, d = p->d;
    float *work = p->work;
    for (size_t k = 0; k < ns; k++)
        mean[k] = m2[k] = 0.0;
    for (size_t r0 = 0; r0 < rows; r0 += br) {
        size_t b = rows - r0 < br ? rows - r0 : br;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)n, (int)d, -2.0f,
                    x + r0 * d, (int)d, p->samples, (int)d, 0.0f, work, (int)n);
        for (size_t i = 0; i < b; i++) {
            float *row = work + i * n;
            float m = pz_dist_row(row, p->snorm, xnorm[r0 + i], n);
            double cnt = (double)(r0 + i + 1);
            for (size_t k = 0; k < ns; k++) {
                double s = pz_sum_exp(row, n, m, sig[k].cf, PZ_EXP_FLOOR);
                double ll = log(s) + sig[k].offset - (m > 0.0f ? (double)m * sig[k].c : 0.0);
                if (ll_out != NULL)
                    ll_out[r0 + i] = ll;
                double delta = ll - mean[k];
                mean[k] += delta / cnt;
                m2[k] += delta * (ll - mean[k]);
            }
        }
    }
    return GAN_OK;
}

/* Welford's m2 over rows to the standard error std(ddof=0)/sqrt(rows). */
static double pz_std_error(double m2, size_t rows)
{
    return sqrt(m2 / (double)rows) / sqrt((double)rows);
}

int gan_parzen_log_likelihood(double *ll_out, double *mean, double *std_error, gan_parzen *p,
                              const float *x, size_t rows, size_t cols, double sigma)
{
    static const char fn[] = "gan_parzen_log_likelihood";
    int rc = pz_check_sigma(fn, "sigma", sigma);
    if (rc != GAN_OK)
        return rc;
    float *xnorm;
    rc = pz_check_x(&xnorm, fn, p, x, rows, cols);
    if (rc != GAN_OK)
        return rc;
    pz_sigma sig;
    pz_sigma_init(&sig, sigma, p->n, p->d);
    double mu, m2;
    rc = pz_run(fn, p, x, xnorm, rows, &sig, 1, ll_out, &mu, &m2);
    free(xnorm);
    if (rc != GAN_OK)
        return rc;
    if (mean != NULL)
        *mean = mu;
    if (std_error != NULL)
        *std_error = pz_std_error(m2, rows);
    return GAN_OK;
}

/* Mean and m2 accumulators of x under every sigma, one pass over the
 * distances: *acc_out (malloc'ed, the caller frees) holds the n_sigmas
 * means, then the n_sigmas m2 values. */
static int pz_run_sigmas(double **acc_out, const char *fn, gan_parzen *p, const float *x,
                         size_t rows, size_t cols, const double *sigmas, size_t n_sigmas)
{
    *acc_out = NULL;
    GAN_CHECK_NULL(fn, sigmas);
    GAN_CHECK_NONZERO(fn, n_sigmas);
    if (n_sigmas > SIZE_MAX / (sizeof(pz_sigma) + 2 * sizeof(double)))
        return gan__error(GAN_EINVAL, "%s: n_sigmas %zu is too large", fn, n_sigmas);
    for (size_t k = 0; k < n_sigmas; k++) {
        char what[48];
        snprintf(what, sizeof what, "sigmas[%zu]", k);
        int rc = pz_check_sigma(fn, what, sigmas[k]);
        if (rc != GAN_OK)
            return rc;
    }
    float *xnorm;
    int rc = pz_check_x(&xnorm, fn, p, x, rows, cols);
    if (rc != GAN_OK)
        return rc;
    pz_sigma *sig = malloc(n_sigmas * sizeof *sig);
    double *acc = malloc(2 * n_sigmas * sizeof *acc);
    if (sig == NULL || acc == NULL) {
        free(sig);
        free(acc);
        free(xnorm);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu sigmas", fn, n_sigmas);
    }
    for (size_t k = 0; k < n_sigmas; k++)
        pz_sigma_init(&sig[k], sigmas[k], p->n, p->d);
    rc = pz_run(fn, p, x, xnorm, rows, sig, n_sigmas, NULL, acc, acc + n_sigmas);
    free(sig);
    free(xnorm);
    if (rc != GAN_OK)
        free(acc);
    else
        *acc_out = acc;
    return rc;
}

int gan_parzen_select_sigma(double *best_sigma, double *mean_ll, gan_parzen *p, const float *x,
                            size_t rows, size_t cols, const double *sigmas, size_t n_sigmas)
{
    static const char fn[] = "gan_parzen_select_sigma";
    GAN_CHECK_NULL(fn, best_sigma);
    double *acc;
    int rc = pz_run_sigmas(&acc, fn, p, x, rows, cols, sigmas, n_sigmas);
    if (rc != GAN_OK)
        return rc;
    size_t best = 0;
    for (size_t k = 0; k < n_sigmas; k++) {
        if (mean_ll != NULL)
            mean_ll[k] = acc[k];
        if (acc[k] > acc[best])
            best = k;
    }
    *best_sigma = sigmas[best];
    free(acc);
    return GAN_OK;
}

int gan_parzen_log_likelihood_sigmas(double *mean, double *std_error, gan_parzen *p,
                                     const float *x, size_t rows, size_t cols,
                                     const double *sigmas, size_t n_sigmas)
{
    static const char fn[] = "gan_parzen_log_likelihood_sigmas";
    GAN_CHECK_NULL(fn, mean);
    double *acc;
    int rc = pz_run_sigmas(&acc, fn, p, x, rows, cols, sigmas, n_sigmas);
    if (rc != GAN_OK)
        return rc;
    for (size_t k = 0; k < n_sigmas; k++) {
        mean[k] = acc[k];
        if (std_error != NULL)
            std_error[k] = pz_std_error(acc[n_sigmas + k], rows);
    }
    free(acc);
    return GAN_OK;
}

int gan_parzen_paper_grid(double *out, size_t n)
{
    static const char fn[] = "gan_parzen_paper_grid";
    GAN_CHECK_NULL(fn, out);
    if (n < 2)
        return gan__error(GAN_EINVAL, "%s: n is %zu; logspace(-1, 0, n) needs n >= 2", fn, n);
    for (size_t i = 0; i < n; i++)
        out[i] = pow(10.0, -1.0 + (double)i / (double)(n - 1));
    out[0] = 0.1;
    out[n - 1] = 1.0;
    return GAN_OK;
}
