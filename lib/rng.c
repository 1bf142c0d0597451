/* Seeded random numbers: xoshiro256** (Blackman & Vigna) seeded through
 * splitmix64. State lives in the handle; nothing is global. */
#include "rng.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void seed_state(gan_rng *r, uint64_t x)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* splitmix64 never yields four zero words in a row, but stay safe. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

void gan__rng_seed_stream(gan_rng *out, uint64_t key, uint64_t index)
{
    seed_state(out, key + 4u * index * 0x9e3779b97f4a7c15ull);
}

int gan_rng_create(gan_rng **out, uint64_t seed)
{
    GAN_CHECK_NULL("gan_rng_create", out);
    *out = NULL;
    gan_rng *r = malloc(sizeof *r);
    if (r == NULL)
        return gan__error(GAN_ENOMEM, "gan_rng_create: out of memory");
    seed_state(r, seed);
    *out = r;
    return GAN_OK;
}

void gan_rng_free(gan_rng *rng)
{
    free(rng);
}

int gan_rng_seed(gan_rng *rng, uint64_t seed)
{
    GAN_CHECK_NULL("gan_rng_seed", rng);
    seed_state(rng, seed);
    return GAN_OK;
}

int gan_rng_uniform(float *out, size_t n, gan_rng *rng, float lo, float hi)
{
    GAN_CHECK_NULL("gan_rng_uniform", rng);
    if (n > 0)
        GAN_CHECK_NULL("gan_rng_uniform", out);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return gan__error(GAN_EINVAL, "gan_rng_uniform: need finite lo < hi, got lo=%g hi=%g",
                          (double)lo, (double)hi);
    const float span = hi - lo;
    if (!isfinite(span))
        return gan__error(GAN_EINVAL, "gan_rng_uniform: hi - lo overflows a float (lo=%g hi=%g)",
                          (double)lo, (double)hi);
    for (size_t i = 0; i < n; i++) {
        float v = lo + span * gan__rng_float01(rng);
        /* Rounding can land exactly on hi; keep the interval half-open. */
        out[i] = v < hi ? v : nextafterf(hi, lo);
    }
    return GAN_OK;
}

void gan__rng_fill_normal(gan_rng *r, float *out, size_t n, float mean, float stddev)
{
    size_t i = 0;
    while (i < n) {
        double u, v, s;
        do {
            u = 2.0 * gan__rng_double01(r) - 1.0;
            v = 2.0 * gan__rng_double01(r) - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = sqrt(-2.0 * log(s) / s);
        out[i++] = (float)(mean + stddev * u * f);
        if (i < n)
            out[i++] = (float)(mean + stddev * v * f);
    }
}

int gan_rng_normal(float *out, size_t n, gan_rng *rng, float mean, float stddev)
{
    GAN_CHECK_NULL("gan_rng_normal", rng);
    if (n > 0)
        GAN_CHECK_NULL("gan_rng_normal", out);
    if (!isfinite(mean) || !isfinite(stddev) || stddev < 0)
        return gan__error(GAN_EINVAL, "gan_rng_normal: need finite mean and stddev >= 0, got mean=%g stddev=%g",
                          (double)mean, (double)stddev);
    if (!gan__normal_draws_finite(mean, stddev))
        return gan__error(GAN_EINVAL, "gan_rng_normal: mean=%g stddev=%g would draw values beyond the float range",
                          (double)mean, (double)stddev);
    gan__rng_fill_normal(rng, out, n, mean, stddev);
    return GAN_OK;
}

/* GCC/Clang 128-bit type; __extension__ keeps -Wpedantic quiet. */
__extension__ typedef unsigned __int128 gan_u128;

uint64_t gan__rng_below(gan_rng *r, uint64_t bound)
{
    /* 128-bit multiply; reject the few low products that would bias. */
    gan_u128 m = (gan_u128)gan__rng_next(r) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        const uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = (gan_u128)gan__rng_next(r) * bound;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int gan_rng_int(int64_t *out, gan_rng *rng, int64_t lo, int64_t hi)
{
    GAN_CHECK_NULL("gan_rng_int", out);
    GAN_CHECK_NULL("gan_rng_int", rng);
    if (lo > hi)
        return gan__error(GAN_EINVAL, "gan_rng_int: lo (%lld) > hi (%lld)", (long long)lo, (long long)hi);
    const uint64_t span = (uint64_t)hi - (uint64_t)lo; /* hi - lo, modulo 2^64 */
    uint64_t draw = span == UINT64_MAX ? gan__rng_next(rng) : gan__rng_below(rng, span + 1);
    *out = (int64_t)((uint64_t)lo + draw);
    return GAN_OK;
}

int gan_rng_u64(uint64_t *out, gan_rng *rng)
{
    GAN_CHECK_NULL("gan_rng_u64", out);
    GAN_CHECK_NULL("gan_rng_u64", rng);
    *out = gan__rng_next(rng);
    return GAN_OK;
}

int gan_rng_get_state(uint64_t out[GAN_RNG_STATE_WORDS], const gan_rng *rng)
{
    GAN_CHECK_NULL("gan_rng_get_state", out);
    GAN_CHECK_NULL("gan_rng_get_state", rng);
    for (int i = 0; i < GAN_RNG_STATE_WORDS; i++)
        out[i] = rng->s[i];
    return GAN_OK;
}

int gan_rng_set_state(gan_rng *rng, const uint64_t state[GAN_RNG_STATE_WORDS])
{
    GAN_CHECK_NULL("gan_rng_set_state", rng);
    GAN_CHECK_NULL("gan_rng_set_state", state);
    if ((state[0] | state[1] | state[2] | state[3]) == 0)
        return gan__error(GAN_EINVAL, "gan_rng_set_state: state is all zero (not a valid xoshiro256** state)");
    for (int i = 0; i < GAN_RNG_STATE_WORDS; i++)
        rng->s[i] = state[i];
    return GAN_OK;
}
