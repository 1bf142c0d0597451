/* Status codes, the thread-local last error and the per-thread log callback. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAN_ELLIPSIS "..."

/* Per-thread, by design: the error message and the log callback belong to
 * the thread making the call, so handles used on different threads never
 * see each other's errors. */
static _Thread_local char tls_error[GAN__ERROR_MAX];
static _Thread_local int tls_error_code;
static _Thread_local gan_log_fn tls_log_fn;
static _Thread_local void *tls_log_userdata;
static _Thread_local int tls_log_max_level;

const char *gan_strerror(int code)
{
    switch (code) {
    case GAN_OK: return "success";
    case GAN_EINVAL: return "invalid argument";
    case GAN_ENOMEM: return "out of memory";
    case GAN_EIO: return "input/output error";
    case GAN_EFORMAT: return "bad file format";
    case GAN_ESHAPE: return "shape mismatch";
    case GAN_EDIVERGED: return "training diverged (NaN or Inf)";
    case GAN_ESTATE: return "invalid state for this call";
    case GAN_EUNSUPPORTED: return "unsupported version, kind or feature";
    case GAN_EABORTED: return "aborted by callback";
    default: return "unknown status code";
    }
}

const char *gan_error_last(void)
{
    return tls_error_code == GAN_OK ? "no error" : tls_error;
}

int gan_error_last_code(void)
{
    return tls_error_code;
}

void gan_error_clear(void)
{
    tls_error_code = GAN_OK;
    tls_error[0] = '\0';
}

static void deliver(int level, const char *msg)
{
    if (tls_log_fn != NULL && level <= tls_log_max_level)
        tls_log_fn(level, msg, tls_log_userdata);
}

/* vsnprintf into buf (size > 16) that keeps the end of a message too long
 * for buf: messages put the path first and the reason last, so the middle
 * of an overlong path is dropped for GAN_ELLIPSIS. Cuts avoid splitting a
 * UTF-8 sequence. Without memory for the whole text, the start is kept. */
static void format_message(char *buf, size_t size, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    const int n = vsnprintf(buf, size, fmt, ap);
    if (n >= 0 && (size_t)n >= size) {
        char *full = malloc((size_t)n + 1);
        if (full != NULL) {
            vsnprintf(full, (size_t)n + 1, fmt, again);
            const size_t dots = sizeof GAN_ELLIPSIS - 1;
            size_t head = (size - 1 - dots) / 3;
            size_t tail_at = (size_t)n - (size - 1 - dots - head);
            while (head > 0 && ((unsigned char)full[head] & 0xc0) == 0x80)
                head--;
            while (((unsigned char)full[tail_at] & 0xc0) == 0x80)
                tail_at++;
            memcpy(buf + head, GAN_ELLIPSIS, dots);
            memcpy(buf + head + dots, full + tail_at, (size_t)n - tail_at + 1);
            free(full);
        }
    }
    va_end(again);
}

int gan__error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_message(tls_error, sizeof tls_error, fmt, ap);
    va_end(ap);
    tls_error_code = code;
    deliver(GAN_LOG_ERROR, tls_error);
    return code;
}

void gan__log(int level, const char *fmt, ...)
{
    char buf[GAN__ERROR_MAX];
    va_list ap;
    if (tls_log_fn == NULL || level > tls_log_max_level)
        return;
    va_start(ap, fmt);
    format_message(buf, sizeof buf, fmt, ap);
    va_end(ap);
    deliver(level, buf);
}

int gan_log_set_callback(gan_log_fn fn, void *userdata, int max_level)
{
    if (fn != NULL && (max_level < GAN_LOG_ERROR || max_level > GAN_LOG_DEBUG))
        return gan__error(GAN_EINVAL, "gan_log_set_callback: max_level %d is not a gan_log_level", max_level);
    tls_log_fn = fn;
    tls_log_userdata = userdata;
    tls_log_max_level = max_level;
    return GAN_OK;
}
