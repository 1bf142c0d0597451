/* A tiny program built against an installed libgan. */
#include <gan.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    int major = -1;
    gan_rng *rng = NULL;
    uint64_t a = 0, b = 1;
    gan_version(&major, NULL, NULL);
    if (major != GAN_VERSION_MAJOR || strcmp(gan_version_string(), GAN_VERSION_STRING) != 0)
        return 1;
    if (gan_rng_create(&rng, 42) != GAN_OK || gan_rng_u64(&a, rng) != GAN_OK)
        return 2;
    gan_rng_seed(rng, 42);
    gan_rng_u64(&b, rng);
    gan_rng_free(rng);
    if (a != b)
        return 3;
    if (gan_rng_create(NULL, 3) != GAN_EINVAL || strstr(gan_error_last(), "out") == NULL)
        return 4;
    printf("consumer OK: libgan %s, %s\n", gan_version_string(), gan_blas_info());
    return 0;
}
