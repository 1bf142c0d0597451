/* A vectorisable exp for non-positive arguments (private), shared by the
 * Parzen estimator and the sigmoid activation. */
#ifndef GAN_VEXP_H
#define GAN_VEXP_H

#include <stdint.h>
#include <string.h>

/* exp(a) for a <= 0 (a >= lo after clamping), relative error < 3e-7; a
 * NaN argument is clamped to lo too, which keeps the integer conversion
 * below defined (callers that must propagate NaN do so themselves).
 * lo is a parameter rather than a constant so the compiler cannot split the
 * clamp into a branch (which would stop the vectoriser). */
static inline float gan__exp_neg(float a, float lo)
{
    a = a >= lo ? a : lo;
    /* n = round(a / ln 2): a <= 0, so truncating a/ln2 - 0.5 rounds. */
    int32_t k = (int32_t)(a * 1.44269504f - 0.5f);
    float fk = (float)k;
    float r = a - fk * 0.693145752f; /* ln 2 in two parts (Cody-Waite) */
    r = r - fk * 1.42860677e-6f;
    float q = 1.0f / 720.0f;        /* Taylor to r^6, |r| <= ln2/2 */
    q = q * r + 1.0f / 120.0f;
    q = q * r + 1.0f / 24.0f;
    q = q * r + 1.0f / 6.0f;
    q = q * r + 0.5f;
    q = q * r + 1.0f;
    q = q * r + 1.0f;
    int32_t bits = (k + 127) * 8388608; /* 2^k, k >= -126 */
    float s;
    memcpy(&s, &bits, sizeof s);
    return q * s;
}

#endif
