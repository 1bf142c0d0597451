/* Squared row norms for distances by one matrix product (distance.h). */
#include "distance.h"

#include <stdint.h>

size_t gan__row_sq_norms(float *out, const float *x, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double s = 0.0;
        for (size_t j = 0; j < cols; j++)
            s += (double)row[j] * (double)row[j];
        if (!(s <= GAN__ROW_NORM_MAX)) /* also catches NaN */
            return r;
        out[r] = (float)s;
    }
    return SIZE_MAX;
}
