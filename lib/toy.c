/* Toy distributions with known densities, and the mode coverage of
 * samples on them: equal-weight mixtures of isotropic Gaussians (std per
 * coordinate) around fixed centres.
 *   GAUSSIAN_1D: one mode at mean.
 *   RING_2D:     mode i at radius * (cos, sin)(2 pi i / modes).
 *   GRID_2D:     mode m = i * side + j at ((i - (side-1)/2) spacing,
 *                                          (j - (side-1)/2) spacing).
 * Geometry and densities are computed in double. */
#include "dataset.h"
#include "rng.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOY_PI 3.14159265358979323846

static int check_kind(const char *fn, const gan_toy_options *opts)
{
    if (opts->version != GAN_TOY_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->version is %u, this library knows %d",
                          fn, opts->version, GAN_TOY_OPTIONS_VERSION);
    if (!(opts->std > 0.0f && opts->std <= GAN__RNG_SCALE_MAX))
        return gan__error(GAN_EINVAL, "%s: opts->std must be > 0 and at most %g, got %g",
                          fn, (double)GAN__RNG_SCALE_MAX, (double)opts->std);
    switch (opts->kind) {
    case GAN_TOY_GAUSSIAN_1D:
        if (!isfinite(opts->mean))
            return gan__error(GAN_EINVAL, "%s: opts->mean is not finite", fn);
        return GAN_OK;
    case GAN_TOY_RING_2D:
        if (opts->modes == 0)
            return gan__error(GAN_EINVAL, "%s: opts->modes is 0", fn);
        if (opts->modes > INT32_MAX)
            return gan__error(GAN_EINVAL, "%s: opts->modes (%lu) is too large", fn,
                              (unsigned long)opts->modes);
        if (!isfinite(opts->radius) || opts->radius < 0.0f)
            return gan__error(GAN_EINVAL, "%s: opts->radius must be finite and >= 0, got %g",
                              fn, (double)opts->radius);
        return GAN_OK;
    case GAN_TOY_GRID_2D:
        if (opts->grid_side == 0)
            return gan__error(GAN_EINVAL, "%s: opts->grid_side is 0", fn);
        /* side^2 modes must fit the int32 mode indices. */
        if (opts->grid_side > 46340u)
            return gan__error(GAN_EINVAL, "%s: opts->grid_side (%lu) is too large", fn,
                              (unsigned long)opts->grid_side);
        if (!isfinite(opts->spacing) || opts->spacing < 0.0f)
            return gan__error(GAN_EINVAL, "%s: opts->spacing must be finite and >= 0, got %g",
                              fn, (double)opts->spacing);
        return GAN_OK;
    default:
        return gan__error(GAN_EUNSUPPORTED, "%s: opts->kind %lu is not a gan_toy_kind", fn,
                          (unsigned long)opts->kind);
    }
}

/* The centre coordinate farthest from 0 (its sign does not matter). */
static double farthest_centre(const gan_toy_options *opts)
{
    switch (opts->kind) {
    case GAN_TOY_RING_2D: return (double)opts->radius;
    case GAN_TOY_GRID_2D: return ((double)opts->grid_side - 1.0) / 2.0 * (double)opts->spacing;
    default: return (double)opts->mean;
    }
}

static int toy_check(const char *fn, const gan_toy_options *opts)
{
    GAN_CHECK_NULL(fn, opts);
    int rc = check_kind(fn, opts);
    if (rc)
        return rc;
    /* Every point is a centre plus a normal draw; keep them all finite. */
    if (!gan__normal_draws_finite(farthest_centre(opts), opts->std))
        return gan__error(GAN_EINVAL, "%s: the centres and opts->std reach beyond the float range",
                          fn);
    return GAN_OK;
}

static size_t toy_width(const gan_toy_options *opts)
{
    return opts->kind == GAN_TOY_GAUSSIAN_1D ? 1 : 2;
}

static size_t toy_modes(const gan_toy_options *opts)
{
    switch (opts->kind) {
    case GAN_TOY_RING_2D: return opts->modes;
    case GAN_TOY_GRID_2D: return (size_t)opts->grid_side * opts->grid_side;
    default: return 1;
    }
}

static void toy_center(double c[2], const gan_toy_options *opts, size_t m)
{
    switch (opts->kind) {
    case GAN_TOY_RING_2D: {
        double a = 2.0 * TOY_PI * (double)m / (double)opts->modes;
        c[0] = (double)opts->radius * cos(a);
        c[1] = (double)opts->radius * sin(a);
        break;
    }
    case GAN_TOY_GRID_2D: {
        double half = ((double)opts->grid_side - 1.0) / 2.0;
        c[0] = ((double)(m / opts->grid_side) - half) * (double)opts->spacing;
        c[1] = ((double)(m % opts->grid_side) - half) * (double)opts->spacing;
        break;
    }
    default:
        c[0] = opts->mean;
        c[1] = 0.0;
        break;
    }
}

static void toy_nearest(int32_t *mode, double *dist_std, const gan_toy_options *opts,
                      const float *p)
{
    const size_t width = toy_width(opts), modes = toy_modes(opts);
    double q[2] = {p[0], width > 1 ? p[1] : 0.0};
    if (!isfinite(q[0]) || !isfinite(q[1])) {
        *mode = -1;
        *dist_std = NAN;
        return;
    }
    size_t best = 0;
    double best_d2 = INFINITY;
    for (size_t m = 0; m < modes; m++) {
        double c[2];
        toy_center(c, opts, m);
        double d0 = q[0] - c[0], d1 = width > 1 ? q[1] - c[1] : 0.0;
        double d2 = d0 * d0 + d1 * d1;
        if (d2 < best_d2) {
            best_d2 = d2;
            best = m;
        }
    }
    *mode = (int32_t)best;
    *dist_std = sqrt(best_d2) / (double)opts->std;
}

GAN__DEFINE_OPTIONS_INIT(gan_toy_options_init, gan_toy_options, GAN_TOY_OPTIONS_VERSION,
                         GAN_TOY_OPTIONS_INIT)

size_t gan_toy_width(const gan_toy_options *opts)
{
    if (toy_check("gan_toy_width", opts) != GAN_OK)
        return 0;
    return toy_width(opts);
}

size_t gan_toy_num_modes(const gan_toy_options *opts)
{
    if (toy_check("gan_toy_num_modes", opts) != GAN_OK)
        return 0;
    return toy_modes(opts);
}

/* Common checks of the functions taking x (rows x cols). */
static int check_points(const char *fn, const gan_toy_options *opts, const float *x,
                        const char *x_name, size_t rows, size_t cols)
{
    int rc = toy_check(fn, opts);
    if (rc != GAN_OK)
        return rc;
    if (x == NULL)
        return gan__error(GAN_EINVAL, "%s: %s is NULL", fn, x_name);
    GAN_CHECK_NONZERO(fn, rows);
    if (cols != toy_width(opts))
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, the toy's points have width %zu",
                          fn, cols, toy_width(opts));
    size_t n;
    if (gan__mul_size(&n, rows, cols) != 0 || n > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows (%zu) is more than an array can hold", fn, rows);
    return GAN_OK;
}

int gan_toy_centers(float *out, size_t n, const gan_toy_options *opts)
{
    static const char fn[] = "gan_toy_centers";
    int rc = toy_check(fn, opts);
    if (rc != GAN_OK)
        return rc;
    GAN_CHECK_NULL(fn, out);
    const size_t width = toy_width(opts), modes = toy_modes(opts);
    if (n != modes * width)
        return gan__error(GAN_ESHAPE, "%s: n is %zu, expected num_modes x width = %zu x %zu = %zu floats",
                          fn, n, modes, width, modes * width);
    for (size_t m = 0; m < modes; m++) {
        double c[2];
        toy_center(c, opts, m);
        for (size_t j = 0; j < width; j++)
            out[m * width + j] = (float)c[j];
    }
    return GAN_OK;
}

/* rows samples into out and (if not NULL) their modes into labels. Draws
 * all the Gaussian noise first, then one mode per row, so gan_toy_sample
 * and gan_dataset_create_toy give the same points for the same generator. */
static void toy_sample(float *out, int32_t *labels, size_t rows, const gan_toy_options *opts,
                       gan_rng *rng)
{
    const size_t width = toy_width(opts), modes = toy_modes(opts);
    gan__rng_fill_normal(rng, out, rows * width, 0.0f, opts->std);
    for (size_t i = 0; i < rows; i++) {
        size_t m = modes > 1 ? (size_t)gan__rng_below(rng, modes) : 0;
        double c[2];
        toy_center(c, opts, m);
        for (size_t j = 0; j < width; j++)
            out[i * width + j] = (float)(c[j] + (double)out[i * width + j]);
        if (labels != NULL)
            labels[i] = (int32_t)m;
    }
}

int gan_toy_sample(float *out, size_t rows, size_t cols, const gan_toy_options *opts,
                   gan_rng *rng)
{
    static const char fn[] = "gan_toy_sample";
    GAN_CHECK_NULL(fn, out);
    int rc = check_points(fn, opts, out, "out", rows, cols);
    if (rc != GAN_OK)
        return rc;
    GAN_CHECK_NULL(fn, rng);
    toy_sample(out, NULL, rows, opts, rng);
    return GAN_OK;
}

/* A row with a NaN coordinate gets a NaN density. */
int gan_toy_density(double *out, const gan_toy_options *opts, const float *x,
                    size_t rows, size_t cols)
{
    static const char fn[] = "gan_toy_density";
    GAN_CHECK_NULL(fn, out);
    int rc = check_points(fn, opts, x, "x", rows, cols);
    if (rc != GAN_OK)
        return rc;
    const size_t width = toy_width(opts), modes = toy_modes(opts);
    const double s = opts->std, var = s * s;
    /* (2 pi s^2)^(-d/2) / modes */
    const double norm = pow(2.0 * TOY_PI * var, -0.5 * (double)width) / (double)modes;
    for (size_t i = 0; i < rows; i++) {
        const float *p = x + i * width;
        double sum = 0.0;
        for (size_t m = 0; m < modes; m++) {
            double c[2];
            toy_center(c, opts, m);
            double d2 = 0.0;
            for (size_t j = 0; j < width; j++) {
                double d = (double)p[j] - c[j];
                d2 += d * d;
            }
            sum += exp(-d2 / (2.0 * var));
        }
        out[i] = norm * sum;
    }
    return GAN_OK;
}

/* A row with a NaN or infinite coordinate gets mode -1 and distance NaN. */
int gan_toy_assign(int32_t *mode_out, float *dist_std_out, const gan_toy_options *opts,
                   const float *x, size_t rows, size_t cols)
{
    int rc = check_points("gan_toy_assign", opts, x, "x", rows, cols);
    if (rc != GAN_OK)
        return rc;
    const size_t width = toy_width(opts);
    for (size_t i = 0; i < rows; i++) {
        int32_t m;
        double d;
        toy_nearest(&m, &d, opts, x + i * width);
        if (mode_out != NULL)
            mode_out[i] = m;
        if (dist_std_out != NULL)
            dist_std_out[i] = (float)d;
    }
    return GAN_OK;
}

/* Labels of the dataset: the mode each sample was drawn from. */
int gan_dataset_create_toy(gan_dataset **out, const gan_toy_options *opts, size_t rows,
                           gan_rng *rng)
{
    static const char fn[] = "gan_dataset_create_toy";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    int rc = toy_check(fn, opts);
    if (rc != GAN_OK)
        return rc;
    GAN_CHECK_NONZERO(fn, rows);
    GAN_CHECK_NULL(fn, rng);
    const size_t width = toy_width(opts);
    size_t n, bytes, lbytes;
    if (gan__mul_size(&n, rows, width) != 0 || gan__mul_size(&bytes, n, sizeof(float)) != 0 ||
        gan__mul_size(&lbytes, rows, sizeof(int32_t)) != 0)
        return gan__error(GAN_EINVAL, "%s: rows (%zu) overflows size_t", fn, rows);
    float *x = malloc(bytes);
    int32_t *labels = malloc(lbytes);
    if (x == NULL || labels == NULL) {
        free(x);
        free(labels);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu rows", fn, rows);
    }
    toy_sample(x, labels, rows, opts, rng);
    return gan__dataset_create_owned(out, x, labels, rows, width, fn);
}

/* Mode coverage: each sample is assigned to its nearest centre; it is "high
 * quality" when within 3 std of that centre, and a mode is covered when at
 * least min_count high-quality samples are assigned to it. Samples with NaN
 * or infinite coordinates are never high quality. */
int gan_toy_coverage(gan_coverage *out, const gan_toy_options *opts, const float *samples,
                     size_t rows, size_t cols, size_t min_count)
{
    static const char fn[] = "gan_toy_coverage";
    GAN_CHECK_NULL(fn, out);
    int rc = check_points(fn, opts, samples, "samples", rows, cols);
    if (rc != GAN_OK)
        return rc;
    GAN_CHECK_NONZERO(fn, min_count);
    const size_t width = toy_width(opts), modes = toy_modes(opts);
    size_t *count = calloc(modes, sizeof *count);
    if (count == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu modes", fn, modes);
    size_t good = 0;
    for (size_t i = 0; i < rows; i++) {
        int32_t m;
        double d;
        toy_nearest(&m, &d, opts, samples + i * width);
        if (m >= 0 && d <= 3.0) {
            count[m]++;
            good++;
        }
    }
    uint32_t covered = 0;
    for (size_t m = 0; m < modes; m++)
        covered += count[m] >= min_count;
    free(count);
    out->modes_total = (uint32_t)modes;
    out->modes_covered = covered;
    out->high_quality_share = (double)good / (double)rows;
    return GAN_OK;
}
