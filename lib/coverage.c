/* Mode coverage of samples on a toy distribution: each sample is assigned
 * to its nearest centre; it is "high quality" when within 3 std of that
 * centre, and a mode is covered when at least min_count high-quality
 * samples are assigned to it. Samples with NaN or infinite coordinates are
 * never high quality. */
#include "dataset.h"
#include "status.h"

#include <stdlib.h>

int gan_toy_coverage(gan_coverage *out, const gan_toy_options *opts, const float *samples,
                     size_t rows, size_t cols, size_t min_count)
{
    static const char fn[] = "gan_toy_coverage";
    GAN_CHECK_NULL(fn, out);
    int rc = gan__toy_check(fn, opts);
    if (rc != GAN_OK)
        return rc;
    GAN_CHECK_NULL(fn, samples);
    GAN_CHECK_NONZERO(fn, rows);
    GAN_CHECK_NONZERO(fn, min_count);
    const size_t width = gan__toy_width(opts), modes = gan__toy_modes(opts);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, the toy's points have width %zu",
                          fn, cols, width);
    size_t *count = calloc(modes, sizeof *count);
    if (count == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu modes", fn, modes);
    size_t good = 0;
    for (size_t i = 0; i < rows; i++) {
        int32_t m;
        double d;
        gan__toy_nearest(&m, &d, opts, samples + i * width);
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
