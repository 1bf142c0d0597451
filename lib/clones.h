/* GAN__VECTOR_CLONES: compile a hot element-wise loop for several x86-64
 * levels and let the dynamic loader pick the best for the running CPU
 * (target_clones, resolved once through an ifunc). The library is built
 * for baseline x86-64 so that it runs anywhere; this is how AVX2 and
 * AVX-512 machines still get wide vectors where it pays (about 5% of a
 * training step on the 2-core Zen 5 machine). Every clone computes the
 * same bits: the library is compiled with -ffp-contract=off and these
 * loops never reassociate. GCC only: Clang 14 exports the resolver of each
 * clone as a global symbol despite -fvisibility=hidden. Elsewhere, or with
 * -DGAN_NO_TARGET_CLONES, the macro is empty. */
#ifndef GAN_CLONES_H
#define GAN_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__) && \
    defined(__has_attribute) && !defined(GAN_NO_TARGET_CLONES)
#if __has_attribute(target_clones)
#define GAN__VECTOR_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#endif

#ifndef GAN__VECTOR_CLONES
#define GAN__VECTOR_CLONES
#endif

#endif
