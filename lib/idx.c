/* IDX loader (the MNIST file format), plain or gzip-compressed.
 *
 * Layout: magic 0x00 0x00 <type> <ndims>, then ndims big-endian u32 sizes,
 * then the elements. Only type 0x08 (unsigned byte) is accepted: images are
 * idx3 (count x height x width), labels idx1 (count). A file starting with
 * the gzip magic 0x1f 0x8b is decompressed with zlib's inflate, which checks
 * each member's CRC-32 and size trailer; anything else is read as is.
 *
 * Both kinds must end where the data ends: a plain file with bytes after
 * the announced elements, or a gzip file with bytes after its last member,
 * is refused, and so is a gzip stream cut off anywhere, its trailer
 * included. Several gzip members in a row (as `cat a.gz b.gz > c.gz` makes)
 * are supported and read as one stream, as gzip -d reads them. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "fs.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IDX_TYPE_UBYTE 0x08
/* Element bytes converted per step (stays in L2 cache). */
#define IDX_CHUNK (256u * 1024u)
/* Bytes read from the file per read() call. */
#define IDX_IN_SIZE (128u * 1024u)
/* Deflate cannot expand data by more than about 1032:1; a gzip file
 * claiming more content than this bound allows is truncated for sure. */
#define IDX_MAX_DEFLATE_RATIO 1040u

typedef struct idx_file {
    const char *path;
    int fd;
    uint64_t file_size; /* bytes on disk */
    uint64_t raw_pos;   /* bytes read from fd so far */
    int raw_eof;        /* read() has returned 0 */
    /* Bytes read but not yet used live at zs.next_in / zs.avail_in, for
     * plain files too. */
    unsigned char *in;
    z_stream zs;
    int compressed;  /* gzip: zs is initialised for inflate */
    int member_done; /* inflate finished a gzip member, none started since */
    int cut_short;   /* the gzip input ended inside a member */
    uint32_t dims[3];
    size_t header_len;
    size_t body_len; /* product of dims (element bytes) */
} idx_file;

static void idx_close(idx_file *f)
{
    if (f->compressed)
        inflateEnd(&f->zs);
    f->compressed = 0;
    free(f->in);
    f->in = NULL;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

static int idx_read_error(const idx_file *f, int e)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    return gan__error(GAN_EIO, "%s: read failed: %s", f->path, gan__errno_text(e, eb));
}

/* Status for a zlib return code other than Z_OK, Z_STREAM_END and
 * Z_BUF_ERROR: only Z_MEM_ERROR is not the file's fault. */
static int idx_zlib_status(int zret)
{
    return zret == Z_MEM_ERROR ? GAN_ENOMEM : GAN_EFORMAT;
}

static int idx_zlib_error(const idx_file *f, int zret)
{
    const int code = idx_zlib_status(zret);
    if (code == GAN_ENOMEM)
        return gan__error(code, "%s: out of memory decompressing the gzip data", f->path);
    return gan__error(code, "%s: corrupt gzip data: %s", f->path,
                      f->zs.msg != NULL ? f->zs.msg : zError(zret));
}

/* Have at least min unused input bytes, unless the file ends first. Returns
 * GAN_OK or an error (raised). */
static int idx_fill(idx_file *f, size_t min)
{
    while (f->zs.avail_in < min && !f->raw_eof) {
        if (f->zs.avail_in > 0 && f->zs.next_in != f->in)
            memmove(f->in, f->zs.next_in, f->zs.avail_in);
        f->zs.next_in = f->in;
        ssize_t r = read(f->fd, f->in + f->zs.avail_in, IDX_IN_SIZE - f->zs.avail_in);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return idx_read_error(f, errno);
        if (r == 0)
            f->raw_eof = 1;
        f->zs.avail_in += (uInt)r;
        f->raw_pos += (uint64_t)r;
    }
    return GAN_OK;
}

/* Bytes of the file not yet consumed. */
static uint64_t idx_left(const idx_file *f)
{
    const uint64_t rest = f->file_size > f->raw_pos ? f->file_size - f->raw_pos : 0;
    return f->zs.avail_in + rest;
}

static long long idx_read_plain(idx_file *f, unsigned char *p, size_t n)
{
    size_t got = f->zs.avail_in < n ? f->zs.avail_in : n;
    if (got > 0) {
        memcpy(p, f->zs.next_in, got);
        f->zs.next_in += got;
        f->zs.avail_in -= (uInt)got;
    }
    while (got < n) {
        ssize_t r = read(f->fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return idx_read_error(f, errno);
        if (r == 0)
            break;
        got += (size_t)r;
        f->raw_pos += (uint64_t)r;
    }
    return (long long)got;
}

static long long idx_read_gzip(idx_file *f, unsigned char *p, size_t n)
{
    f->zs.next_out = p;
    f->zs.avail_out = (uInt)n;
    while (f->zs.avail_out > 0) {
        if (f->member_done) {
            /* Between members: the file ends here, or another member
             * starts with the gzip magic. */
            if (idx_fill(f, 2) != GAN_OK)
                return -1;
            if (f->zs.avail_in == 0)
                break;
            if (f->zs.avail_in < 2 || f->zs.next_in[0] != 0x1f || f->zs.next_in[1] != 0x8b) {
                const uint64_t left = idx_left(f);
                return gan__error(GAN_EFORMAT, "%s: %llu trailing byte%s after the end of the gzip data",
                                  f->path, (unsigned long long)left, left == 1 ? "" : "s");
            }
            inflateReset(&f->zs);
            f->member_done = 0;
        }
        if (idx_fill(f, 1) != GAN_OK)
            return -1;
        if (f->zs.avail_in == 0) {
            f->cut_short = 1;
            break;
        }
        const int ret = inflate(&f->zs, Z_NO_FLUSH);
        if (ret == Z_STREAM_END)
            f->member_done = 1;
        else if (ret != Z_OK && ret != Z_BUF_ERROR)
            return idx_zlib_error(f, ret);
    }
    return (long long)(n - f->zs.avail_out);
}

/* Read up to n (< UINT_MAX) element bytes; returns the bytes read (fewer
 * at the end of the data) or -1 after raising an error. */
static long long idx_read(idx_file *f, void *buf, size_t n)
{
    return f->compressed ? idx_read_gzip(f, buf, n) : idx_read_plain(f, buf, n);
}

/* Open path, read and validate the header. want_dims is 3 (images) or 1
 * (labels); kind names the expected content for messages. */
static int idx_open(idx_file *f, const char *path, unsigned want_dims, const char *kind)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = -1;
    struct stat st;
    char expected[64];
    snprintf(expected, sizeof expected, "an IDX %s file", kind);
    int rc = gan__open_regular(&f->fd, &st, path, expected);
    if (rc)
        return rc;
    f->file_size = (uint64_t)st.st_size;
    f->in = malloc(IDX_IN_SIZE);
    if (f->in == NULL) {
        idx_close(f);
        return gan__error(GAN_ENOMEM, "%s: out of memory for the read buffer", path);
    }
    f->zs.next_in = f->in;
    if (idx_fill(f, 2) != GAN_OK)
        goto fail;
    if (f->zs.avail_in >= 2 && f->in[0] == 0x1f && f->in[1] == 0x8b) {
        /* 16 + MAX_WBITS: gzip wrapper only, trailer checked. */
        const int ret = inflateInit2(&f->zs, 16 + MAX_WBITS);
        if (ret != Z_OK) {
            idx_zlib_error(f, ret);
            goto fail;
        }
        f->compressed = 1;
    }

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

/* After the body: the data and the file must end here. Closes f. */
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
    else if (f->cut_short)
        rc = gan__error(GAN_EFORMAT, "%s: truncated: the gzip data stops after the %zu data bytes, "
                        "before the end of its stream (CRC-32 and size trailer missing)",
                        f->path, f->body_len);
    idx_close(f);
    return rc;
}

/* The body, chunk by chunk, as floats scaled to [0, 1] into pixels or as
 * integers into labels (exactly one is non-NULL). */
static int idx_read_body(idx_file *f, unsigned char *chunk, float *pixels, int32_t *labels)
{
    size_t done = 0;
    while (done < f->body_len) {
        size_t want = f->body_len - done;
        if (want > IDX_CHUNK)
            want = IDX_CHUNK;
        long long got = idx_read(f, chunk, want);
        if (got < 0)
            return gan_error_last_code();
        if (pixels != NULL)
            for (size_t i = 0; i < (size_t)got; i++)
                pixels[done + i] = (float)chunk[i] / 255.0f;
        else
            for (size_t i = 0; i < (size_t)got; i++)
                labels[done + i] = chunk[i];
        done += (size_t)got;
        if ((size_t)got < want)
            return gan__error(GAN_EFORMAT, "%s: truncated: %zu of %zu data bytes present", f->path,
                              done, f->body_len);
    }
    return GAN_OK;
}

int gan_dataset_load_idx(gan_dataset **out, const char *images_path, const char *labels_path)
{
    static const char fn[] = "gan_dataset_load_idx";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    int rc = gan__check_path(fn, "images_path", images_path);
    if (rc == GAN_OK && labels_path != NULL)
        rc = gan__check_path(fn, "labels_path", labels_path);
    if (rc != GAN_OK)
        return rc;

    idx_file img, lab;
    rc = idx_open(&img, images_path, 3, "images");
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
        rc = idx_read_body(&lab, chunk, NULL, labels);
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
    rc = idx_read_body(&img, chunk, x, NULL);
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
