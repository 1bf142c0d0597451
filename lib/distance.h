/* Squared Euclidean distances by one matrix product (private), shared by
 * the Parzen estimator and the nearest-neighbour search:
 *   |x - y|^2 = |x|^2 + |y|^2 - 2 x.y
 * Both need the squared norm of every row first. */
#ifndef GAN_DISTANCE_H
#define GAN_DISTANCE_H

#include <stddef.h>

/* Rows whose squared norm exceeds this would overflow the float product. */
#define GAN__ROW_NORM_MAX 1e36

/* out[r] = |x_r|^2 for rows x cols, summed in double and stored as float.
 * Returns the first row holding NaN or Inf or whose norm exceeds
 * GAN__ROW_NORM_MAX (out is then partly written), or SIZE_MAX. */
size_t gan__row_sq_norms(float *out, const float *x, size_t rows, size_t cols);

#endif
