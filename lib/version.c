/* Runtime version, ABI version and BLAS backend queries. */
#include "gan.h"
#include "blas.h"

#ifndef GAN_BLAS_NAME
#define GAN_BLAS_NAME "CBLAS"
#endif

#if defined(GAN_HAVE_OPENBLAS)
char *openblas_get_corename(void);
#endif

int gan_version(int *major, int *minor, int *patch)
{
    if (major) *major = GAN_VERSION_MAJOR;
    if (minor) *minor = GAN_VERSION_MINOR;
    if (patch) *patch = GAN_VERSION_PATCH;
    return GAN_OK;
}

int gan_abi_version(void)
{
    return GAN_ABI_VERSION;
}

const char *gan_version_string(void)
{
    return GAN_VERSION_STRING;
}

const char *gan_blas_info(void)
{
#if defined(GAN_HAVE_OPENBLAS)
    /* The core is chosen once per process by OpenBLAS (from the CPU or
     * OPENBLAS_CORETYPE); map it to static strings so we keep no state. */
    const char *core = openblas_get_corename();
    static const char *const names[] = {"Haswell", "SkylakeX", "Zen", "Sandybridge",
                                        "Cooperlake", "Sapphirerapids", "Prescott", "Nehalem"};
    static const char *const labels[] = {
        "OpenBLAS (Haswell)", "OpenBLAS (SkylakeX)", "OpenBLAS (Zen)", "OpenBLAS (Sandybridge)",
        "OpenBLAS (Cooperlake)", "OpenBLAS (Sapphirerapids)", "OpenBLAS (Prescott)", "OpenBLAS (Nehalem)"};
    if (core != NULL) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const char *a = names[i], *b = core;
            while (*a && *b && ((*a | 32) == (*b | 32))) { a++; b++; }
            if (*a == '\0' && *b == '\0')
                return labels[i];
        }
    }
    return "OpenBLAS (other core)";
#else
    return GAN_BLAS_NAME " (reference)";
#endif
}
