/* Linear interpolation between anchor vectors (the paper's Figure 3, where
 * the anchors are noise vectors z and each row is then fed to G).
 *
 * Segment i (anchors i -> i+1) contributes rows t = 0 .. steps-1 with
 *   row = a_i + (t / steps) (a_{i+1} - a_i),
 * computed in double; the final row is a copy of the last anchor. Row t = 0
 * of each segment is therefore its anchor exactly.
 */
#include "status.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int gan_interpolate(float *out, size_t out_rows, const float *anchors,
                    size_t n_anchors, size_t cols, size_t steps)
{
    static const char fn[] = "gan_interpolate";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, anchors);
    GAN_CHECK_NONZERO(fn, cols);
    GAN_CHECK_NONZERO(fn, steps);
    if (n_anchors < 2)
        return gan__error(GAN_EINVAL, "%s: n_anchors is %zu; at least 2 are needed", fn, n_anchors);
    size_t expect, total, bytes;
    if (gan__mul_size(&expect, n_anchors - 1, steps) != 0 || expect == SIZE_MAX ||
        gan__mul_size(&total, expect + 1, cols) != 0 ||
        gan__mul_size(&bytes, total, sizeof(float)) != 0)
        return gan__error(GAN_EINVAL, "%s: %zu anchors x %zu steps x %zu columns overflows",
                          fn, n_anchors, steps, cols);
    expect += 1;
    if (out_rows != expect)
        return gan__error(GAN_ESHAPE, "%s: out_rows is %zu but (n_anchors - 1) * steps + 1 = %zu",
                          fn, out_rows, expect);
    for (size_t k = 0; k < n_anchors * cols; k++)
        if (!isfinite(anchors[k]))
            return gan__error(GAN_EINVAL, "%s: anchor %zu holds NaN or Inf (column %zu)",
                              fn, k / cols, k % cols);

    float *row = out;
    for (size_t i = 0; i + 1 < n_anchors; i++) {
        const float *a = anchors + i * cols, *b = a + cols;
        for (size_t t = 0; t < steps; t++, row += cols) {
            const double f = (double)t / (double)steps;
            for (size_t j = 0; j < cols; j++)
                row[j] = (float)((double)a[j] + f * ((double)b[j] - (double)a[j]));
        }
    }
    memcpy(row, anchors + (n_anchors - 1) * cols, cols * sizeof(float));
    return GAN_OK;
}
