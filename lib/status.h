/* Error reporting and logging shared by every module (private). */
#ifndef GAN_STATUS_H
#define GAN_STATUS_H

#include "gan.h"

#if defined(__GNUC__) || defined(__clang__)
#define GAN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GAN_PRINTF(a, b)
#endif

/* Longest error message: room for two paths of PATH_MAX (4096) bytes and
 * the reason. Longer messages lose their middle, never their end. A caller
 * that copies the last error to re-raise it with more context uses a
 * buffer this size. */
#define GAN__ERROR_MAX 8704

/* Record code and a formatted message as the calling thread's last error,
 * log it at GAN_LOG_ERROR, and return code, so callers can write
 *     return gan__error(GAN_EINVAL, "gan_net_create: input_width is 0"); */
int gan__error(int code, const char *fmt, ...) GAN_PRINTF(2, 3);

/* Deliver a message to the calling thread's log callback, if any. */
void gan__log(int level, const char *fmt, ...) GAN_PRINTF(2, 3);

/* Common argument checks; each returns GAN_OK or raises GAN_EINVAL naming
 * the function and the argument. */
#define GAN_CHECK_NULL(fn, arg) \
    do { if ((arg) == NULL) return gan__error(GAN_EINVAL, "%s: %s is NULL", (fn), #arg); } while (0)
#define GAN_CHECK_NONZERO(fn, arg) \
    do { if ((arg) == 0) return gan__error(GAN_EINVAL, "%s: %s is 0", (fn), #arg); } while (0)

/* The body of every public gan_x_options_init: check the version, then
 * copy the library's defaults, the GAN_X_OPTIONS_INIT macro of gan.h. */
#define GAN__DEFINE_OPTIONS_INIT(name, type, VERSION, INIT)                                   \
    int name(type *opts, unsigned int version)                                               \
    {                                                                                        \
        GAN_CHECK_NULL(#name, opts);                                                         \
        if (version != (VERSION))                                                            \
            return gan__error(GAN_EUNSUPPORTED, "%s: version %u is unknown, this library knows %u", \
                              #name, version, (unsigned)(VERSION));                          \
        const type init = INIT;                                                              \
        *opts = init;                                                                        \
        return GAN_OK;                                                                       \
    }

/* a * b without overflow of size_t: returns 0 and sets *out, or -1. */
static inline int gan__mul_size(size_t *out, size_t a, size_t b)
{
    if (a != 0 && b > (size_t)-1 / a)
        return -1;
    *out = a * b;
    return 0;
}

#endif
