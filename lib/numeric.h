/* Small numeric helpers shared by the hot loops and the checks around them
 * (private). Everything here is inline and branch-free where it sits in a
 * loop the compiler should vectorise. */
#ifndef GAN_NUMERIC_H
#define GAN_NUMERIC_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 1 if x is Inf or NaN (exponent bits all ones), else 0; tested on the bit
 * pattern so that a loop or-ing it over an array still vectorises. */
static inline uint32_t gan__nonfinite_bit(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7f800000u) == 0x7f800000u;
}

/* Index of the first NaN or Inf among x[0..n), or n when all are finite.
 * The scan or-s whole blocks and only looks closer at a bad block, so the
 * common all-finite case runs at memory speed. */
static inline size_t gan__first_nonfinite(const float *x, size_t n)
{
    enum { BLOCK = 1024 };
    for (size_t b = 0; b < n; b += BLOCK) {
        const size_t e = n - b < BLOCK ? n : b + BLOCK;
        uint32_t bad = 0;
        for (size_t i = b; i < e; i++)
            bad |= gan__nonfinite_bit(x[i]);
        if (bad)
            for (size_t i = b; i < e; i++)
                if (gan__nonfinite_bit(x[i]))
                    return i;
    }
    return n;
}

/* c > 0 ? a : b, picked with a bit mask: a comparison in a select stops
 * GCC's vectoriser (it may trap), a mask does not. */
static inline float gan__select_pos(float c, float a, float b)
{
    const uint32_t m = (uint32_t)0 - (uint32_t)(c > 0.0f);
    uint32_t ab, bb;
    memcpy(&ab, &a, sizeof ab);
    memcpy(&bb, &b, sizeof bb);
    const uint32_t r = (ab & m) | (bb & ~m);
    float f;
    memcpy(&f, &r, sizeof f);
    return f;
}

/* The logistic function in double, without overflow for any x. */
static inline double gan__sigmoid(double x)
{
    if (x >= 0.0)
        return 1.0 / (1.0 + exp(-x));
    const double e = exp(x);
    return e / (1.0 + e);
}

#endif
