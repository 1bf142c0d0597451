/* gan_dataset_load_npy: numpy's NPY format.
 *
 * Layout: "\x93NUMPY", major, minor (1.0: u16 header length; 2.0 and 3.0:
 * u32), then the header, a Python dict literal such as
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }
 * padded with spaces and ending in '\n', then the raw elements.
 *
 * The header is parsed by a small bounded parser that knows only what
 * numpy writes there: string keys, string values, True / False and tuples
 * of non-negative integers; anything else (a list descr of a structured
 * dtype, escapes, unknown keys) is refused. The elements are read in
 * chunks and converted to float32 one by one, each checked finite. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "fs.h"
#include "status.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NPY_MAX_HEADER 65536u
#define NPY_MAX_DIMS 32
#define NPY_CHUNK (256u * 1024u)

static const char FN[] = "gan_dataset_load_npy";

typedef enum { NPY_F4, NPY_F8, NPY_U1 } npy_dtype;

typedef struct npy_header {
    npy_dtype dtype;
    int big_endian;
    size_t itemsize;
    int fortran;
    size_t ndim;
    uint64_t shape[NPY_MAX_DIMS];
} npy_header;

/* ---- the header dict ---- */

typedef struct cursor {
    const char *p, *end;
    const char *path;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int bad_header(const cursor *c, const char *what)
{
    return gan__error(GAN_EFORMAT, "%s: bad NPY header: %s", c->path, what);
}

/* A quoted string without escapes: *s, *n point into the header. */
static int parse_string(cursor *c, const char **s, size_t *n)
{
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return bad_header(c, "expected a quoted string");
    const char q = *c->p++;
    const char *b = c->p;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\')
            return bad_header(c, "escapes in strings are not supported");
        c->p++;
    }
    if (c->p >= c->end)
        return bad_header(c, "unterminated string");
    *s = b;
    *n = (size_t)(c->p - b);
    c->p++;
    return GAN_OK;
}

static int match_word(cursor *c, const char *w)
{
    const size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

static int parse_descr(cursor *c, npy_header *h)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == '[')
        return gan__error(GAN_EFORMAT, "%s: structured arrays (a list descr) are not supported; "
                          "only float32, float64 and uint8", c->path);
    const char *s;
    size_t n;
    int rc = parse_string(c, &s, &n);
    if (rc)
        return rc;
    char d[16];
    if (n >= sizeof d)
        return gan__error(GAN_EFORMAT, "%s: dtype '%.*s...' is not supported; only float32 ('<f4'), "
                          "float64 ('<f8') and uint8 ('|u1')", c->path, 12, s);
    memcpy(d, s, n);
    d[n] = '\0';
    if (strcmp(d, "<f4") == 0 || strcmp(d, ">f4") == 0) {
        h->dtype = NPY_F4;
        h->itemsize = 4;
        h->big_endian = d[0] == '>';
    } else if (strcmp(d, "<f8") == 0 || strcmp(d, ">f8") == 0) {
        h->dtype = NPY_F8;
        h->itemsize = 8;
        h->big_endian = d[0] == '>';
    } else if (strcmp(d, "|u1") == 0 || strcmp(d, "<u1") == 0 || strcmp(d, ">u1") == 0) {
        h->dtype = NPY_U1;
        h->itemsize = 1;
    } else if (n >= 2 && d[1] == 'O') {
        return gan__error(GAN_EFORMAT, "%s: object arrays (dtype '%s') are not supported; only "
                          "float32, float64 and uint8", c->path, d);
    } else {
        return gan__error(GAN_EFORMAT, "%s: dtype '%s' is not supported; only float32 ('<f4'), "
                          "float64 ('<f8') and uint8 ('|u1')", c->path, d);
    }
    return GAN_OK;
}

static int parse_bool(cursor *c, int *out)
{
    skip_ws(c);
    if (match_word(c, "True"))
        *out = 1;
    else if (match_word(c, "False"))
        *out = 0;
    else
        return bad_header(c, "fortran_order is neither True nor False");
    return GAN_OK;
}

static int parse_shape(cursor *c, npy_header *h)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p != '(')
        return bad_header(c, "shape is not a tuple");
    c->p++;
    h->ndim = 0;
    for (;;) {
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            return GAN_OK;
        }
        if (c->p >= c->end || *c->p < '0' || *c->p > '9')
            return bad_header(c, "shape holds something other than non-negative integers");
        uint64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            const unsigned dgt = (unsigned)(*c->p - '0');
            if (v > (UINT64_MAX - dgt) / 10)
                return bad_header(c, "a dimension of shape overflows 64 bits");
            v = v * 10 + dgt;
            c->p++;
        }
        /* Python long literals ("3L") of files written by Python 2. */
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        if (h->ndim == NPY_MAX_DIMS)
            return bad_header(c, "shape has more than 32 dimensions");
        h->shape[h->ndim++] = v;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            return GAN_OK;
        }
        return bad_header(c, "shape is not a tuple of integers");
    }
}

static int parse_header(npy_header *h, const char *text, size_t len, const char *path)
{
    cursor c = {text, text + len, path};
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return bad_header(&c, "not a dict");
    c.p++;
    for (;;) {
        skip_ws(&c);
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        const char *k;
        size_t kn;
        int rc = parse_string(&c, &k, &kn);
        if (rc)
            return rc;
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return bad_header(&c, "expected ':' after a key");
        c.p++;
        if (kn == 5 && memcmp(k, "descr", 5) == 0 && !seen_descr) {
            seen_descr = 1;
            rc = parse_descr(&c, h);
        } else if (kn == 13 && memcmp(k, "fortran_order", 13) == 0 && !seen_fortran) {
            seen_fortran = 1;
            rc = parse_bool(&c, &h->fortran);
        } else if (kn == 5 && memcmp(k, "shape", 5) == 0 && !seen_shape) {
            seen_shape = 1;
            rc = parse_shape(&c, h);
        } else {
            return gan__error(GAN_EFORMAT, "%s: bad NPY header: unexpected or repeated key '%.*s'",
                              path, (int)(kn > 40 ? 40 : kn), k);
        }
        if (rc)
            return rc;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',')
            c.p++;
        else if (c.p >= c.end || *c.p != '}')
            return bad_header(&c, "expected ',' or '}' after a value");
    }
    skip_ws(&c);
    if (c.p != c.end)
        return bad_header(&c, "bytes after the dict");
    if (!seen_descr || !seen_fortran || !seen_shape)
        return bad_header(&c, !seen_descr ? "no 'descr' key" : !seen_fortran ? "no 'fortran_order' key"
                                                                           : "no 'shape' key");
    return GAN_OK;
}

/* ---- the file ---- */

/* Read exactly n bytes; returns the bytes read (fewer at end of file) or
 * -1 with errno set. */
static long long read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

static int read_error(const char *path)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    const int e = errno;
    return gan__error(GAN_EIO, "%s: read failed: %s", path, gan__errno_text(e, eb));
}

static uint64_t load_u(const unsigned char *p, size_t n, int big)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
    return v;
}

/* Convert n elements of the chunk into x[done...], checking each. */
static int convert(float *x, size_t done, const unsigned char *chunk, size_t n,
                   const npy_header *h, size_t cols, const char *path)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = chunk + i * h->itemsize;
        float v;
        if (h->dtype == NPY_U1) {
            v = (float)p[0] / 255.0f;
        } else if (h->dtype == NPY_F4) {
            const uint32_t u = (uint32_t)load_u(p, 4, h->big_endian);
            memcpy(&v, &u, 4);
        } else {
            const uint64_t u = load_u(p, 8, h->big_endian);
            double d;
            memcpy(&d, &u, 8);
            if (isfinite(d) && fabs(d) > FLT_MAX)
                return gan__error(GAN_EFORMAT, "%s: element [%zu][%zu] = %g is beyond float32's range",
                                  path, (done + i) / cols, (done + i) % cols, d);
            v = (float)d;
        }
        if (!isfinite(v))
            return gan__error(GAN_EFORMAT, "%s: element [%zu][%zu] is %s", path, (done + i) / cols,
                              (done + i) % cols, isnan(v) ? "NaN" : "infinite");
        x[done + i] = v;
    }
    return GAN_OK;
}

static int load(gan_dataset **out, int fd, uint64_t file_size, const char *path)
{
    unsigned char pre[12];
    long long got = read_full(fd, pre, 10);
    if (got < 0)
        return read_error(path);
    if (got < 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        if (got >= 6 && memcmp(pre, "\x93NUMPY", 6) != 0)
            return gan__error(GAN_EFORMAT, "%s: bad magic, not an NPY file", path);
        return gan__error(GAN_EFORMAT, "%s: truncated: %lld bytes, shorter than an NPY preamble",
                          path, got);
    }
    const unsigned major = pre[6], minor = pre[7];
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return gan__error(GAN_EFORMAT, "%s: NPY format version %u.%u is not supported (1.0, 2.0, 3.0)",
                          path, major, minor);
    size_t pre_len = 10;
    uint64_t hlen = load_u(pre + 8, 2, 0);
    if (major >= 2) {
        got = read_full(fd, pre + 10, 2);
        if (got < 0)
            return read_error(path);
        if (got < 2)
            return gan__error(GAN_EFORMAT, "%s: truncated NPY preamble", path);
        pre_len = 12;
        hlen = load_u(pre + 8, 4, 0);
    }
    if (hlen > NPY_MAX_HEADER)
        return gan__error(GAN_EFORMAT, "%s: NPY header of %llu bytes, more than the %u allowed",
                          path, (unsigned long long)hlen, NPY_MAX_HEADER);
    if (hlen > file_size - pre_len)
        return gan__error(GAN_EFORMAT, "%s: truncated: the NPY header announces %llu bytes, the file "
                          "holds %llu after the preamble", path, (unsigned long long)hlen,
                          (unsigned long long)(file_size - pre_len));
    char *text = malloc(hlen ? (size_t)hlen : 1);
    if (text == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for the NPY header", path);
    got = read_full(fd, text, (size_t)hlen);
    if (got < 0) {
        free(text);
        return read_error(path);
    }
    if ((uint64_t)got != hlen) {
        free(text);
        return gan__error(GAN_EFORMAT, "%s: truncated NPY header", path);
    }
    npy_header h;
    memset(&h, 0, sizeof h);
    int rc = parse_header(&h, text, (size_t)hlen, path);
    free(text);
    if (rc)
        return rc;
    if (h.fortran)
        return gan__error(GAN_EFORMAT, "%s: the array is in Fortran order; save it in C order "
                          "(numpy.ascontiguousarray)", path);
    if (h.ndim == 0)
        return gan__error(GAN_EFORMAT, "%s: a 0-d array (a scalar), not rows of data", path);
    size_t rows, cols = 1, count, bytes;
    for (size_t i = 0; i < h.ndim; i++)
        if (h.shape[i] == 0)
            return gan__error(GAN_EFORMAT, "%s: dimension %zu of the shape is 0 (no data)", path, i);
    if (h.shape[0] > SIZE_MAX)
        return gan__error(GAN_EFORMAT, "%s: the shape overflows size_t", path);
    rows = (size_t)h.shape[0];
    for (size_t i = 1; i < h.ndim; i++)
        if (h.shape[i] > SIZE_MAX || gan__mul_size(&cols, cols, (size_t)h.shape[i]) != 0)
            return gan__error(GAN_EFORMAT, "%s: the shape overflows size_t", path);
    if (gan__mul_size(&count, rows, cols) != 0 || gan__mul_size(&bytes, count, h.itemsize) != 0)
        return gan__error(GAN_EFORMAT, "%s: the shape overflows size_t", path);
    const uint64_t data_len = file_size - pre_len - hlen;
    if (data_len < (uint64_t)bytes)
        return gan__error(GAN_EFORMAT, "%s: truncated: the shape needs %zu data bytes, the file holds %llu",
                          path, bytes, (unsigned long long)data_len);
    if (data_len > (uint64_t)bytes)
        return gan__error(GAN_EFORMAT, "%s: %llu bytes after the %zu data bytes", path,
                          (unsigned long long)(data_len - bytes), bytes);
    size_t fbytes;
    if (gan__mul_size(&fbytes, count, sizeof(float)) != 0)
        return gan__error(GAN_EFORMAT, "%s: the shape overflows size_t", path);
    float *x = malloc(fbytes);
    unsigned char *chunk = malloc(NPY_CHUNK);
    if (x == NULL || chunk == NULL) {
        free(x);
        free(chunk);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu floats", path, rows, cols);
    }
    const size_t per_chunk = NPY_CHUNK / h.itemsize;
    size_t done = 0;
    while (done < count) {
        const size_t n = count - done < per_chunk ? count - done : per_chunk;
        got = read_full(fd, chunk, n * h.itemsize);
        if (got < 0) {
            rc = read_error(path);
            break;
        }
        if ((size_t)got != n * h.itemsize) {
            rc = gan__error(GAN_EIO, "%s: read failed: the file shrank while reading", path);
            break;
        }
        rc = convert(x, done, chunk, n, &h, cols, path);
        if (rc)
            break;
        done += n;
    }
    free(chunk);
    if (rc) {
        free(x);
        return rc;
    }
    return gan__dataset_create_owned(out, x, NULL, rows, cols, FN);
}

int gan_dataset_load_npy(gan_dataset **out, const char *path)
{
    GAN_CHECK_NULL(FN, out);
    *out = NULL;
    int rc = gan__check_path(FN, "path", path);
    if (rc)
        return rc;
    int fd;
    struct stat st;
    rc = gan__open_regular(&fd, &st, path, "an NPY file");
    if (rc)
        return rc;
    rc = load(out, fd, (uint64_t)st.st_size, path);
    close(fd);
    return rc;
}
