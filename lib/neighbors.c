/* Nearest reference row of each query row (the memorisation check of the
 * paper's Figure 2).
 *
 * Squared distances |q|^2 + |r|^2 - 2 q.r come from one cblas_sgemm per tile
 * of (query block x reference block), bounded to a few tens of MB; the
 * argmin runs over them in reference order with a strict comparison, so
 * equal computed distances resolve to the lowest reference index. The
 * distance reported for the winner is recomputed directly, in double, from
 * the two rows (so it is exact to float rounding and never negative).
 */
#include "blas.h"
#include "distance.h"
#include "status.h"

#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

/* Largest distance tile, in bytes of floats, and reference rows per tile. */
#define NN_TILE_BYTES ((size_t)64 << 20)
#define NN_REF_BLOCK ((size_t)16384)

int gan_nearest_neighbors(int64_t *index_out, float *dist_out,
                          const float *queries, size_t q_rows, size_t cols,
                          const float *ref, size_t ref_rows, size_t ref_cols)
{
    static const char fn[] = "gan_nearest_neighbors";
    GAN_CHECK_NULL(fn, queries);
    GAN_CHECK_NULL(fn, ref);
    GAN_CHECK_NONZERO(fn, q_rows);
    GAN_CHECK_NONZERO(fn, cols);
    GAN_CHECK_NONZERO(fn, ref_rows);
    GAN_CHECK_NONZERO(fn, ref_cols);
    if (cols != ref_cols)
        return gan__error(GAN_ESHAPE, "%s: queries have %zu columns but ref has %zu", fn, cols, ref_cols);
    size_t qcount, rcount;
    if (cols > INT_MAX || gan__mul_size(&qcount, q_rows, cols) != 0 ||
        gan__mul_size(&rcount, ref_rows, cols) != 0 || q_rows > SIZE_MAX / sizeof(int64_t) ||
        ref_rows > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: %zu queries or %zu ref rows of %zu columns are too many",
                          fn, q_rows, ref_rows, cols);

    const size_t rb_max = ref_rows < NN_REF_BLOCK ? ref_rows : NN_REF_BLOCK;
    size_t qb_max = NN_TILE_BYTES / sizeof(float) / rb_max;
    if (qb_max == 0)
        qb_max = 1;
    if (qb_max > q_rows)
        qb_max = q_rows;

    float *qn = malloc(q_rows * sizeof(float));
    float *rn = malloc(ref_rows * sizeof(float));
    float *best_d = malloc(q_rows * sizeof(float));
    size_t *best_i = malloc(q_rows * sizeof(size_t));
    float *tile = malloc(qb_max * rb_max * sizeof(float));
    int rc = GAN_OK;
    if (qn == NULL || rn == NULL || best_d == NULL || best_i == NULL || tile == NULL) {
        rc = gan__error(GAN_ENOMEM, "%s: out of memory for %zu queries x %zu ref rows", fn, q_rows, ref_rows);
        goto done;
    }
    size_t bad = gan__row_sq_norms(qn, queries, q_rows, cols);
    if (bad != SIZE_MAX) {
        rc = gan__error(GAN_EINVAL, "%s: queries row %zu holds NaN, Inf or values too large", fn, bad);
        goto done;
    }
    bad = gan__row_sq_norms(rn, ref, ref_rows, cols);
    if (bad != SIZE_MAX) {
        rc = gan__error(GAN_EINVAL, "%s: ref row %zu holds NaN, Inf or values too large", fn, bad);
        goto done;
    }
    for (size_t i = 0; i < q_rows; i++) {
        best_d[i] = FLT_MAX;
        best_i[i] = 0;
    }

    for (size_t r0 = 0; r0 < ref_rows; r0 += rb_max) {
        size_t rb = ref_rows - r0 < rb_max ? ref_rows - r0 : rb_max;
        for (size_t q0 = 0; q0 < q_rows; q0 += qb_max) {
            size_t qb = q_rows - q0 < qb_max ? q_rows - q0 : qb_max;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)qb, (int)rb, (int)cols, -2.0f,
                        queries + q0 * cols, (int)cols, ref + r0 * cols, (int)cols, 0.0f, tile, (int)rb);
            for (size_t i = 0; i < qb; i++) {
                const float *t = tile + i * rb;
                const float xn = qn[q0 + i];
                float bd = best_d[q0 + i];
                size_t bi = best_i[q0 + i];
                for (size_t j = 0; j < rb; j++) {
                    float v = xn + rn[r0 + j] + t[j];
                    v = v > 0.0f ? v : 0.0f;
                    if (v < bd) {
                        bd = v;
                        bi = r0 + j;
                    }
                }
                best_d[q0 + i] = bd;
                best_i[q0 + i] = bi;
            }
        }
    }

    for (size_t i = 0; i < q_rows; i++) {
        if (index_out != NULL)
            index_out[i] = (int64_t)best_i[i];
        if (dist_out != NULL) {
            const float *a = queries + i * cols, *b = ref + best_i[i] * cols;
            double s = 0.0;
            for (size_t j = 0; j < cols; j++) {
                double diff = (double)a[j] - (double)b[j];
                s += diff * diff;
            }
            dist_out[i] = (float)s;
        }
    }

done:
    free(qn);
    free(rn);
    free(best_d);
    free(best_i);
    free(tile);
    return rc;
}
