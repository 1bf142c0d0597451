/* Little-endian serialisation, CRC-checked containers, container files. */
#include "serial.h"
#include "fs.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void gan__writer_init(gan__writer *w)
{
    w->data = NULL;
    w->len = w->cap = 0;
    w->failed = 0;
}

void gan__writer_free(gan__writer *w)
{
    free(w->data);
    gan__writer_init(w);
}

uint8_t *gan__put_reserve(gan__writer *w, size_t n)
{
    if (w->failed)
        return NULL;
    if (n > SIZE_MAX - w->len) {
        w->failed = 1;
        return NULL;
    }
    if (w->len + n > w->cap || w->data == NULL) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap = cap > SIZE_MAX / 2 ? w->len + n : cap * 2;
        uint8_t *d = realloc(w->data, cap);
        if (d == NULL) {
            w->failed = 1;
            return NULL;
        }
        w->data = d;
        w->cap = cap;
    }
    uint8_t *at = w->data + w->len;
    w->len += n;
    return at;
}

void gan__put_bytes(gan__writer *w, const void *p, size_t n)
{
    uint8_t *at = n ? gan__put_reserve(w, n) : NULL;
    if (at != NULL)
        memcpy(at, p, n);
}

void gan__put_u32(gan__writer *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    gan__put_bytes(w, b, 4);
}

void gan__put_u64(gan__writer *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    gan__put_bytes(w, b, 8);
}

void gan__put_f32(gan__writer *w, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    gan__put_u32(w, u);
}

void gan__put_f64(gan__writer *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    gan__put_u64(w, u);
}

void gan__put_f32_array(gan__writer *w, const float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gan__put_f32(w, p[i]);
}

void gan__reader_init(gan__reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->failed = 0;
}

int gan__get_bytes(gan__reader *r, void *out, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        if (n)
            memset(out, 0, n);
        return -1;
    }
    if (n)
        memcpy(out, r->data + r->pos, n);
    r->pos += n;
    return 0;
}

uint32_t gan__get_u32(gan__reader *r)
{
    uint8_t b[4];
    if (gan__get_bytes(r, b, 4))
        return 0;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t gan__get_u64(gan__reader *r)
{
    uint64_t lo = gan__get_u32(r);
    uint64_t hi = gan__get_u32(r);
    return lo | hi << 32;
}

float gan__get_f32(gan__reader *r)
{
    uint32_t u = gan__get_u32(r);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

double gan__get_f64(gan__reader *r)
{
    uint64_t u = gan__get_u64(r);
    double v;
    memcpy(&v, &u, 8);
    return v;
}

int gan__get_f32_array(gan__reader *r, float *out, size_t n)
{
    if (r->failed || n > (r->len - r->pos) / 4) {
        r->failed = 1;
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = gan__get_f32(r);
    return 0;
}

uint32_t gan__crc32(const void *data, size_t len)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const Bytef *p = data;
    while (len > 0) {
        uInt chunk = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return (uint32_t)crc;
}

void gan__container_build(gan__writer *out, const char magic[GAN_MAGIC_LEN],
                          uint32_t version, const void *payload, size_t payload_len)
{
    gan__put_bytes(out, magic, GAN_MAGIC_LEN);
    gan__put_u32(out, version);
    gan__put_u64(out, (uint64_t)payload_len);
    gan__put_bytes(out, payload, payload_len);
    if (!out->failed)
        gan__put_u32(out, gan__crc32(out->data, out->len));
}

/* Length of the printable ASCII start of a magic number, for messages (the
 * magics end in a version byte or NUL). */
static int printable_prefix(const char magic[GAN_MAGIC_LEN])
{
    int n = 0;
    while (n < GAN_MAGIC_LEN && magic[n] >= 0x20 && magic[n] < 0x7f)
        n++;
    return n;
}

int gan__container_open(gan__reader *payload, uint32_t *version,
                        const void *data, size_t len,
                        const char magic[GAN_MAGIC_LEN], const char *what)
{
    gan__reader r;
    char m[GAN_MAGIC_LEN];
    if (len < GAN_CONTAINER_OVERHEAD)
        return gan__error(GAN_EFORMAT, "%s: file too short (%zu bytes) to be a libgan file", what, len);
    gan__reader_init(&r, data, len);
    gan__get_bytes(&r, m, GAN_MAGIC_LEN);
    if (memcmp(m, magic, GAN_MAGIC_LEN) != 0)
        return gan__error(GAN_EFORMAT, "%s: wrong magic number (not a %.*s file)", what,
                          printable_prefix(magic), magic);
    *version = gan__get_u32(&r);
    const uint64_t plen = gan__get_u64(&r);
    const uint64_t have = (uint64_t)(len - GAN_CONTAINER_OVERHEAD);
    if (plen < have)
        return gan__error(GAN_EFORMAT, "%s: %llu trailing byte%s after the %llu-byte payload", what,
                          (unsigned long long)(have - plen), have - plen == 1 ? "" : "s",
                          (unsigned long long)plen);
    if (plen > have)
        return gan__error(GAN_EFORMAT, "%s: truncated: the header announces a %llu-byte payload, "
                          "%llu byte%s missing", what, (unsigned long long)plen,
                          (unsigned long long)(plen - have), plen - have == 1 ? " is" : "s are");
    const uint8_t *bytes = data;
    size_t body = len - 4;
    uint32_t stored = (uint32_t)bytes[body] | (uint32_t)bytes[body + 1] << 8 |
                      (uint32_t)bytes[body + 2] << 16 | (uint32_t)bytes[body + 3] << 24;
    if (stored != gan__crc32(data, body))
        return gan__error(GAN_EFORMAT, "%s: checksum mismatch (file corrupted)", what);
    gan__reader_init(payload, bytes + GAN_MAGIC_LEN + 12, (size_t)plen);
    return GAN_OK;
}

int gan__container_save(const char *path, const char magic[GAN_MAGIC_LEN], uint32_t version,
                        const gan__writer *payload, const char *fn)
{
    int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    if (payload->failed)
        return gan__error(GAN_ENOMEM, "%s: out of memory serialising", fn);
    gan__writer file;
    gan__writer_init(&file);
    gan__container_build(&file, magic, version, payload->data, payload->len);
    rc = file.failed ? gan__error(GAN_ENOMEM, "%s: out of memory serialising", fn)
                     : gan__file_write_atomic(fn, path, file.data, file.len);
    gan__writer_free(&file);
    return rc;
}

int gan__container_load_versions(void **data, gan__reader *payload, uint32_t *found,
                                 const char *path, const char magic[GAN_MAGIC_LEN],
                                 uint32_t oldest, uint32_t newest, size_t max_len,
                                 const char *what)
{
    size_t len;
    *data = NULL;
    if (path[0] == '\0')
        return gan__error(GAN_EINVAL, "the %s path is empty", what);
    int rc = gan__file_read_all(data, &len, path, max_len, "a libgan file");
    if (rc)
        return rc;
    rc = gan__container_open(payload, found, *data, len, magic, path);
    if (rc == GAN_OK && (*found < oldest || *found > newest)) {
        if (oldest == newest)
            rc = gan__error(GAN_EFORMAT, "%s: %s format version %u is not supported (expected %u)",
                            path, what, *found, newest);
        else
            rc = gan__error(GAN_EFORMAT,
                            "%s: %s format version %u is not supported (expected %u to %u)", path,
                            what, *found, oldest, newest);
    }
    if (rc) {
        free(*data);
        *data = NULL;
    }
    return rc;
}

int gan__container_load(void **data, gan__reader *payload, const char *path,
                        const char magic[GAN_MAGIC_LEN], uint32_t version, size_t max_len,
                        const char *what)
{
    uint32_t found;
    return gan__container_load_versions(data, payload, &found, path, magic, version, version,
                                        max_len, what);
}
