/* Whole-file reads for the loaders of users' data (PNG, CSV): like
 * gan__file_read_all, with the expected content named in messages and a
 * NUL byte after the data. */
#define _POSIX_C_SOURCE 200809L
#include "load_file.h"
#include "fs.h"
#include "status.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int gan__load_file(char **data, size_t *len, const char *path, size_t max_len,
                   const char *expected)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    struct stat st;
    int fd;
    *data = NULL;
    *len = 0;
    int rc = gan__open_regular(&fd, &st, path, expected);
    if (rc)
        return rc;
    if ((uintmax_t)st.st_size > (uintmax_t)max_len) {
        close(fd);
        return gan__error(GAN_EFORMAT, "%s: %lld bytes, more than the %zu allowed for %s", path,
                          (long long)st.st_size, max_len, expected);
    }
    const size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (buf == NULL) {
        close(fd);
        return gan__error(GAN_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = 0;
    int e = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            break;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (e != 0 || got != n) {
        free(buf);
        if (e != 0)
            return gan__error(GAN_EIO, "%s: read failed: %s", path, gan__errno_text(e, eb));
        return gan__error(GAN_EIO, "%s: read failed: the file shrank from %zu to %zu bytes while reading",
                          path, n, got);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return GAN_OK;
}
