/* xoshiro256** generator (private): the struct and fast inline draws used
 * by the hot loops of other modules. */
#ifndef GAN_RNG_H
#define GAN_RNG_H

#include "gan.h"

#include <float.h>
#include <math.h>

struct gan_rng {
    uint64_t s[4];
};

static inline uint64_t gan__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t gan__rng_next(gan_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = gan__rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gan__rotl(s[3], 45);
    return result;
}

/* A normal draw is at most about 12 standard deviations from its mean
 * (the polar method's s is at least 2^-104), so draws around centre, at
 * distance |centre| from 0, stay finite floats when this holds. */
static inline int gan__normal_draws_finite(double centre, double stddev)
{
    return fabs(centre) + 13.0 * stddev <= (double)FLT_MAX;
}

/* The largest uniform half-width or normal stddev for which every draw
 * around 0 is a finite float. */
#define GAN__RNG_SCALE_MAX (FLT_MAX / 16)

/* Uniform float in [0, 1): the top 24 bits, exactly representable. */
static inline float gan__rng_float01(gan_rng *r)
{
    return (float)(gan__rng_next(r) >> 40) * 0x1.0p-24f;
}

/* Uniform double in [0, 1) from the top 53 bits. */
static inline double gan__rng_double01(gan_rng *r)
{
    return (double)(gan__rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, bound), bound > 0, without modulo bias
 * (Lemire's multiply-and-reject). */
uint64_t gan__rng_below(gan_rng *r, uint64_t bound);

/* Seed *out as sub-stream `index` of `key`: its state is words 4*index ..
 * 4*index+3 of the splitmix64 sequence from key, so distinct indices get
 * unrelated states. Lets one draw of a handle's generator key several
 * generators that run side by side (the dropout masks' lanes). */
void gan__rng_seed_stream(gan_rng *out, uint64_t key, uint64_t index);

/* Fill out[0..n) with standard normal draws (Marsaglia polar method in
 * double precision; pairs are used in order, an odd tail discards one). */
void gan__rng_fill_normal(gan_rng *r, float *out, size_t n, float mean, float stddev);

#endif
