/* IDX loader (the MNIST file format), plain or gzip-compressed.
 *
 * Layout: magic 0x00 0x00 <type> <ndims>, then ndims big-endian u32 sizes,
 * then the elements. Only type 0x08 (unsigned byte) is accepted: images are
 * idx3 (count x height x width), labels idx1 (count). Every file goes through
 * zlib's gzopen/gzread, which reads plain files transparently. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "serial.h"
#include "status.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08
/* Bytes read per gzread call while converting (stays in L2 cache). */
#define IDX_CHUNK (256u * 1024u)
/* Deflate cannot expand data by more than about 1032:1; a gzip file
 * claiming more content than this bound allows is truncated for sure. */
#define IDX_MAX_DEFLATE_RATIO 1040u

typedef struct idx_file {
    const char *path;
    gzFile gz;
    uint64_t file_size; /* bytes on disk */
    int compressed;     /* gzip stream (not read transparently) */
    unsigned ndims;
    uint32_t dims[3];
    size_t header_len;
    size_t body_len; /* product of dims (element bytes) */
} idx_file;

static void idx_close(idx_file *f)
{
    if (f->gz != NULL)
        gzclose(f->gz);
    f->gz = NULL;
}

/* Read up to n bytes; returns bytes read or -1 after raising an error. */
static long long idx_read(idx_file *f, void *buf, size_t n)
{
    size_t got = 0;
    unsigned char *p = buf;
    while (got < n) {
        size_t want = n - got;
        if (want > (size_t)INT_MAX / 2)
            want = (size_t)INT_MAX / 2;
        int r = gzread(f->gz, p + got, (unsigned)want);
        if (r < 0) {
            int zerr = 0;
            const char *msg = gzerror(f->gz, &zerr);
            if (zerr == Z_ERRNO) {
                char eb[GAN_ERRNO_TEXT_MAX];
                return gan__error(GAN_EIO, "%s: read failed: %s", f->path,
                                  gan__errno_text(errno, eb));
            }
            return gan__error(GAN_EFORMAT, "%s: corrupt gzip data: %s", f->path, msg);
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    if (got < n && f->compressed) {
        /* zlib reports a gzip stream cut short as Z_BUF_ERROR; that is a
         * truncated file, which the caller reports with its context. A
         * corrupt stream gives Z_DATA_ERROR. */
        int zerr = 0;
        const char *msg = gzerror(f->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_BUF_ERROR)
            return gan__error(GAN_EFORMAT, "%s: corrupt gzip data: %s", f->path, msg);
    }
    return (long long)got;
}

/* Open path, read and validate the header. want_dims is 3 (images) or 1
 * (labels); kind names the expected content for messages. */
static int idx_open(idx_file *f, const char *path, unsigned want_dims, const char *kind)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    struct stat st;
    char expected[64];
    snprintf(expected, sizeof expected, "an IDX %s file", kind);
    int fd;
    int rc = gan__open_regular(&fd, &st, path, expected);
    if (rc)
        return rc;
    f->file_size = (uint64_t)st.st_size;
    errno = 0;
    f->gz = gzdopen(fd, "rb");
    if (f->gz == NULL) {
        /* zlib sets errno only for some failures. */
        const int e = errno;
        char eb[GAN_ERRNO_TEXT_MAX];
        close(fd);
        return gan__error(e == ENOMEM ? GAN_ENOMEM : GAN_EIO, "%s: cannot open %s file: %s",
                          path, kind, e ? gan__errno_text(e, eb) : "gzdopen failed");
    }
    gzbuffer(f->gz, 1u << 17);

    unsigned char magic[4];
    long long got = idx_read(f, magic, 4);
    if (got < 0)
        goto fail;
    if (got < 4) {
        if (got == 0 && f->file_size == 0)
            gan__error(GAN_EFORMAT, "%s: truncated: empty file, expected an IDX %s file", path, kind);
        else
            gan__error(GAN_EFORMAT, "%s: truncated header (%lld of 4 magic bytes)", path, got);
        goto fail;
    }
    f->compressed = !gzdirect(f->gz);
    if (magic[0] != 0 || magic[1] != 0) {
        gan__error(GAN_EFORMAT, "%s: bad magic 0x%02x%02x%02x%02x, not an IDX file", path,
                   magic[0], magic[1], magic[2], magic[3]);
        goto fail;
    }
    if (magic[2] != IDX_TYPE_UBYTE) {
        gan__error(GAN_EFORMAT, "%s: element type code 0x%02x is not supported, only unsigned bytes (0x08)",
                   path, magic[2]);
        goto fail;
    }
    if (magic[3] != want_dims) {
        gan__error(GAN_EFORMAT, "%s: has %u dimensions, an IDX %s file has %u", path,
                   (unsigned)magic[3], kind, want_dims);
        goto fail;
    }
    f->ndims = want_dims;
    unsigned char dimbuf[12];
    size_t dim_bytes = 4u * want_dims;
    got = idx_read(f, dimbuf, dim_bytes);
    if (got < 0)
        goto fail;
    if ((size_t)got < dim_bytes) {
        gan__error(GAN_EFORMAT, "%s: truncated header (%lld of %zu size bytes)", path, got, dim_bytes);
        goto fail;
    }
    size_t body = 1;
    for (unsigned i = 0; i < want_dims; i++) {
        const unsigned char *d = dimbuf + 4 * i;
        f->dims[i] = ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) | ((uint32_t)d[2] << 8) | d[3];
        if (f->dims[i] == 0) {
            gan__error(GAN_EFORMAT, "%s: size %u of the header is 0", path, i);
            goto fail;
        }
        if (gan__mul_size(&body, body, f->dims[i]) != 0) {
            gan__error(GAN_EFORMAT, "%s: sizes %lu x %lu x %lu overflow size_t", path,
                       (unsigned long)f->dims[0], (unsigned long)(want_dims > 1 ? f->dims[1] : 1),
                       (unsigned long)(want_dims > 2 ? f->dims[2] : 1));
            goto fail;
        }
    }
    f->header_len = 4 + dim_bytes;
    f->body_len = body;
    /* Check the claimed size against the file before allocating anything. */
    if (!f->compressed) {
        uint64_t have = f->file_size - f->header_len;
        if (have < (uint64_t)body) {
            gan__error(GAN_EFORMAT, "%s: truncated: the header announces %zu data bytes, the file holds %llu",
                       path, body, (unsigned long long)have);
            goto fail;
        }
        if (have > (uint64_t)body) {
            gan__error(GAN_EFORMAT, "%s: %llu bytes of trailing garbage after the %zu data bytes",
                       path, (unsigned long long)(have - body), body);
            goto fail;
        }
    } else if ((uint64_t)body / IDX_MAX_DEFLATE_RATIO > f->file_size) {
        gan__error(GAN_EFORMAT, "%s: truncated: the header announces %zu data bytes, more than a "
                   "%llu-byte gzip file can hold", path, body, (unsigned long long)f->file_size);
        goto fail;
    }
    return GAN_OK;
fail:
    {
        int code = gan_error_last_code();
        idx_close(f);
        return code;
    }
}

/* After the body: the file must end here. Closes f. */
static int idx_finish(idx_file *f)
{
    unsigned char extra[64];
    long long got = idx_read(f, extra, sizeof extra);
    int rc = GAN_OK;
    if (got < 0)
        rc = gan_error_last_code();
    else if (got > 0)
        rc = gan__error(GAN_EFORMAT, "%s: trailing garbage after the %zu data bytes", f->path,
                        f->body_len);
    idx_close(f);
    return rc;
}

static int idx_truncated_body(const idx_file *f, size_t got)
{
    return gan__error(GAN_EFORMAT, "%s: truncated: %zu of %zu data bytes present", f->path,
                      got, f->body_len);
}

/* Body as floats scaled to [0, 1], chunk by chunk. */
static int idx_read_pixels(idx_file *f, float *dst, unsigned char *chunk)
{
    size_t done = 0;
    while (done < f->body_len) {
        size_t want = f->body_len - done;
        if (want > IDX_CHUNK)
            want = IDX_CHUNK;
        long long got = idx_read(f, chunk, want);
        if (got < 0)
            return gan_error_last_code();
        float *o = dst + done;
        for (size_t i = 0; i < (size_t)got; i++)
            o[i] = (float)chunk[i] / 255.0f;
        done += (size_t)got;
        if ((size_t)got < want)
            return idx_truncated_body(f, done);
    }
    return GAN_OK;
}

static int idx_read_labels(idx_file *f, int32_t *dst, unsigned char *chunk)
{
    size_t done = 0;
    while (done < f->body_len) {
        size_t want = f->body_len - done;
        if (want > IDX_CHUNK)
            want = IDX_CHUNK;
        long long got = idx_read(f, chunk, want);
        if (got < 0)
            return gan_error_last_code();
        for (size_t i = 0; i < (size_t)got; i++)
            dst[done + i] = chunk[i];
        done += (size_t)got;
        if ((size_t)got < want)
            return idx_truncated_body(f, done);
    }
    return GAN_OK;
}

int gan_dataset_load_idx(gan_dataset **out, const char *images_path, const char *labels_path)
{
    static const char fn[] = "gan_dataset_load_idx";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, images_path);

    idx_file img, lab;
    int rc = idx_open(&img, images_path, 3, "images");
    if (rc != GAN_OK)
        return rc;
    const size_t rows = img.dims[0];
    size_t cols = (size_t)img.dims[1] * img.dims[2]; /* <= body, no overflow */
    size_t fbytes;
    if (gan__mul_size(&fbytes, img.body_len, sizeof(float)) != 0) {
        idx_close(&img);
        return gan__error(GAN_EFORMAT, "%s: %zu x %zu floats overflow size_t", images_path, rows, cols);
    }

    unsigned char *chunk = malloc(IDX_CHUNK);
    if (chunk == NULL) {
        idx_close(&img);
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    }
    int32_t *labels = NULL;
    float *x = NULL;
    if (labels_path != NULL) {
        rc = idx_open(&lab, labels_path, 1, "labels");
        if (rc != GAN_OK)
            goto done;
        if (lab.dims[0] != rows) {
            idx_close(&lab);
            rc = gan__error(GAN_ESHAPE, "%s: %lu labels, but %s holds %zu images", labels_path,
                            (unsigned long)lab.dims[0], images_path, rows);
            goto done;
        }
        labels = malloc(rows * sizeof *labels);
        if (labels == NULL) {
            idx_close(&lab);
            rc = gan__error(GAN_ENOMEM, "%s: out of memory for %zu labels", labels_path, rows);
            goto done;
        }
        rc = idx_read_labels(&lab, labels, chunk);
        if (rc != GAN_OK) {
            idx_close(&lab);
            goto done;
        }
        rc = idx_finish(&lab);
        if (rc != GAN_OK)
            goto done;
    }
    x = malloc(fbytes);
    if (x == NULL) {
        rc = gan__error(GAN_ENOMEM, "%s: out of memory for %zu x %zu floats", images_path, rows, cols);
        goto done;
    }
    rc = idx_read_pixels(&img, x, chunk);
    if (rc != GAN_OK)
        goto done;
    rc = idx_finish(&img);
    if (rc != GAN_OK)
        goto done;
    free(chunk);
    return gan__dataset_create_owned(out, x, labels, rows, cols, fn);
done:
    idx_close(&img);
    free(chunk);
    free(x);
    free(labels);
    return rc;
}
