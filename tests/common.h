/* Helpers shared by the CMocka test programs. Include after <cmocka.h>
 * (and its prerequisites). Everything is static inline, so a program that
 * does not use a helper gets no unused-function warning. */
#ifndef GAN_TESTS_COMMON_H
#define GAN_TESTS_COMMON_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gan.h"
#include "serial.h"

/* Smaller budgets under valgrind (.ci/run sets GAN_TEST_VALGRIND). */
static inline int under_valgrind(void)
{
    return getenv("GAN_TEST_VALGRIND") != NULL;
}

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

/* The last error names the function and the argument (either may be
 * NULL: not checked). */
static inline void check_msg(const char *fn, const char *arg)
{
    const char *msg = gan_error_last();
    assert_non_null(msg);
    if (fn != NULL && strstr(msg, fn) == NULL) {
        print_error("error message \"%s\" does not name the function \"%s\"\n", msg, fn);
        fail();
    }
    if (arg != NULL && strstr(msg, arg) == NULL) {
        print_error("error message \"%s\" does not name the argument \"%s\"\n", msg, arg);
        fail();
    }
}

/* call returns code, and the message names fn and arg. */
#define EXPECT_ERR(call, code, fn, arg) \
    do { \
        gan_error_clear(); \
        int rc_ = (call); \
        if (rc_ != (code)) \
            print_error("%s returned %d (%s), expected %d\n", #call, rc_, gan_error_last(), \
                        (int)(code)); \
        assert_int_equal(rc_, (code)); \
        check_msg((fn), (arg)); \
    } while (0)

/* Store a float at byte offset at of buf, little-endian, and fix the CRC
 * in the last 4 bytes of the container buf[0, len): crafts a well-formed
 * file holding a chosen bad value. */
static inline void put_f32_at(unsigned char *buf, size_t at, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        buf[at + (size_t)i] = (unsigned char)(u >> (8 * i));
}

static inline void reseal_container(unsigned char *buf, size_t len)
{
    const uint32_t crc = gan__crc32(buf, len - 4);
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

/* |got - want| <= abs_tol + rel |want|, else fail naming what[index]. */
static inline void assert_close(double got, double want, double rel, double abs_tol,
                                const char *what, size_t index)
{
    double tol = abs_tol + rel * fabs(want);
    if (!(fabs(got - want) <= tol)) {
        print_error("%s[%zu]: got %.9g, expected %.9g (tol %.3g)\n", what, index, got, want, tol);
        fail();
    }
}

#endif
