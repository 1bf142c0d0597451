/* gan_abi_version: the number a program loading libgan at run time
 * compares with the GAN_ABI_VERSION it was written for. It must equal the
 * header's macro and the shared library's SONAME number (CMake derives the
 * SOVERSION from gan.h), and the shared library built beside this test
 * must report it too. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <dlfcn.h>
#include <stdio.h>

static void test_abi_version_matches_header(void **state)
{
    (void)state;
    assert_int_equal(gan_abi_version(), GAN_ABI_VERSION);
    assert_true(GAN_ABI_VERSION >= 0);
}

static void test_shared_library_soname(void **state)
{
    (void)state;
    /* libgan.so.N: N is the ABI version. */
    char want[64];
    snprintf(want, sizeof want, "libgan.so.%d", GAN_ABI_VERSION);
    assert_string_equal(GAN_TEST_SONAME, want);
    /* The shared library reports it at run time. */
    void *h = dlopen(GAN_TEST_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        fail_msg("dlopen %s: %s", GAN_TEST_SHARED_LIBRARY, dlerror());
    int (*abi)(void);
    *(void **)&abi = dlsym(h, "gan_abi_version");
    assert_non_null(abi);
    assert_int_equal(abi(), GAN_ABI_VERSION);
    dlclose(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abi_version_matches_header),
        cmocka_unit_test(test_shared_library_soname),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
