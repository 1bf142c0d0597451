/* Little-endian serialisation, CRC-checked containers, atomic writes. */
#define _XOPEN_SOURCE 700 /* POSIX 2008 with realpath */
#include "serial.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
                          GAN_MAGIC_LEN, magic);
    *version = gan__get_u32(&r);
    uint64_t plen = gan__get_u64(&r);
    if (plen != (uint64_t)(len - GAN_CONTAINER_OVERHEAD))
        return gan__error(GAN_EFORMAT, "%s: payload length %llu does not match file size %zu (truncated?)",
                          what, (unsigned long long)plen, len);
    const uint8_t *bytes = data;
    size_t body = len - 4;
    uint32_t stored = (uint32_t)bytes[body] | (uint32_t)bytes[body + 1] << 8 |
                      (uint32_t)bytes[body + 2] << 16 | (uint32_t)bytes[body + 3] << 24;
    if (stored != gan__crc32(data, body))
        return gan__error(GAN_EFORMAT, "%s: checksum mismatch (file corrupted)", what);
    gan__reader_init(payload, bytes + GAN_MAGIC_LEN + 12, (size_t)plen);
    return GAN_OK;
}

/* Mode for the file replacing path: an existing file's permission bits
 * (never its set-id bits), else 0666 less the process umask (read from
 * /proc, since umask() can only be queried by changing it, which would race
 * with other threads). */
static mode_t new_file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 0777;
    unsigned mask = 022;
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "Umask: %o", &mask) == 1)
                break;
        fclose(f);
    }
    return (mode_t)(0666 & ~mask);
}

const char *gan__errno_text(int e, char buf[GAN_ERRNO_TEXT_MAX])
{
    if (strerror_r(e, buf, GAN_ERRNO_TEXT_MAX) != 0)
        snprintf(buf, GAN_ERRNO_TEXT_MAX, "error %d", e);
    return buf;
}

/* Make a rename in the folder of path durable: without this a power loss
 * can bring the old file back after the save reported success. Only EIO
 * counts as a failure; file systems that cannot sync a folder say EINVAL. */
static int sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? strdup(".") : strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (dir == NULL)
        return ENOMEM;
    int e = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0 && errno == EIO)
            e = EIO;
        close(fd);
    }
    free(dir);
    return e;
}

/* The atomic write to target; messages name shown, the caller's name for it. */
static int write_atomic(const char *target, const char *shown, const void *data, size_t len)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    size_t plen = strlen(target);
    char *tmp = malloc(plen + 16);
    if (tmp == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory", shown);
    memcpy(tmp, target, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return gan__error(GAN_EIO, "%s: cannot create temporary file: %s", shown,
                          gan__errno_text(e, eb));
    }
    /* mkstemp creates 0600; give the file the mode a plain fopen would. */
    if (fchmod(fd, new_file_mode(target)) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return gan__error(GAN_EIO, "%s: cannot set the temporary file's mode: %s", shown,
                          gan__errno_text(e, eb));
    }
    FILE *f = fdopen(fd, "wb");
    if (f == NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return gan__error(GAN_EIO, "%s: cannot open temporary file: %s", shown,
                          gan__errno_text(e, eb));
    }
    /* e: the errno of the first call that failed. */
    int e = 0;
    errno = 0;
    if (fwrite(data, 1, len, f) != len)
        e = errno ? errno : EIO;
    if (fflush(f) != 0 && e == 0)
        e = errno;
    if (fsync(fileno(f)) != 0 && e == 0)
        e = errno;
    if (fclose(f) != 0 && e == 0)
        e = errno;
    if (e != 0) {
        unlink(tmp);
        free(tmp);
        return gan__error(GAN_EIO, "%s: write failed: %s", shown, gan__errno_text(e, eb));
    }
    if (rename(tmp, target) != 0) {
        e = errno;
        unlink(tmp);
        free(tmp);
        return gan__error(GAN_EIO, "%s: cannot rename temporary file into place: %s", shown,
                          gan__errno_text(e, eb));
    }
    free(tmp);
    if ((e = sync_parent_dir(target)) != 0)
        return gan__error(e == ENOMEM ? GAN_ENOMEM : GAN_EIO,
                          "%s: written, but syncing its folder failed: %s", shown,
                          gan__errno_text(e, eb));
    return GAN_OK;
}

int gan__file_write_atomic(const char *path, const void *data, size_t len)
{
    /* Saving through a symbolic link updates the file it points to and
     * keeps the link, as writing the file in place would; renaming over
     * the link would replace it with a regular file. */
    struct stat st;
    char *resolved = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        resolved = realpath(path, NULL);
    int rc = write_atomic(resolved != NULL ? resolved : path, path, data, len);
    free(resolved);
    return rc;
}

int gan__open_regular(int *fd_out, struct stat *st, const char *path, const char *expected)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    *fd_out = -1;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return gan__error(GAN_EIO, "%s: cannot open %s: %s", path, expected,
                          gan__errno_text(e, eb));
    }
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return gan__error(GAN_EIO, "%s: cannot stat: %s", path, gan__errno_text(e, eb));
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        if (S_ISDIR(st->st_mode))
            return gan__error(GAN_EIO, "%s: is a directory, expected %s", path, expected);
        return gan__error(GAN_EIO, "%s: not a regular file, expected %s", path, expected);
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    *fd_out = fd;
    return GAN_OK;
}

int gan__file_read_all(void **data, size_t *len, const char *path, size_t max_len)
{
    struct stat st;
    *data = NULL;
    *len = 0;
    int fd;
    int rc = gan__open_regular(&fd, &st, path, "a libgan file");
    if (rc)
        return rc;
    if ((uintmax_t)st.st_size > (uintmax_t)max_len) {
        close(fd);
        return gan__error(GAN_EFORMAT, "%s: file too large (%lld bytes)", path, (long long)st.st_size);
    }
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        close(fd);
        return gan__error(GAN_ENOMEM, "%s: out of memory opening the file", path);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL) {
        fclose(f);
        return gan__error(GAN_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = fread(buf, 1, n, f);
    int err = ferror(f);
    fclose(f);
    if (err || got != n) {
        free(buf);
        return gan__error(GAN_EIO, "%s: read failed", path);
    }
    *data = buf;
    *len = n;
    return GAN_OK;
}

int gan__container_save(const char *path, const char magic[GAN_MAGIC_LEN], uint32_t version,
                        const gan__writer *payload, const char *fn)
{
    if (payload->failed)
        return gan__error(GAN_ENOMEM, "%s: out of memory serialising", fn);
    gan__writer file;
    gan__writer_init(&file);
    gan__container_build(&file, magic, version, payload->data, payload->len);
    int rc = file.failed ? gan__error(GAN_ENOMEM, "%s: out of memory serialising", fn)
                         : gan__file_write_atomic(path, file.data, file.len);
    gan__writer_free(&file);
    return rc;
}

int gan__container_load(void **data, gan__reader *payload, const char *path,
                        const char magic[GAN_MAGIC_LEN], uint32_t version, size_t max_len,
                        const char *what)
{
    size_t len;
    int rc = gan__file_read_all(data, &len, path, max_len);
    if (rc)
        return rc;
    uint32_t found;
    rc = gan__container_open(payload, &found, *data, len, magic, path);
    if (rc == GAN_OK && found != version)
        rc = gan__error(GAN_EFORMAT, "%s: %s format version %u is not supported (expected %u)",
                        path, what, found, version);
    if (rc) {
        free(*data);
        *data = NULL;
    }
    return rc;
}
