/* File-system access: regular-file opens and reads, atomic replacement of a
 * file with cleanup of interrupted saves, errno text. */
#define _DEFAULT_SOURCE /* flock, realpath, fdopendir, strerror_r (XSI) */
#include "fs.h"
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files are ".<name>" TMP_TAG "XXXXXX" beside the destination:
 * hidden, and recognisable as belonging to that one destination. */
#define TMP_TAG ".gan-tmp."
#define TMP_TAG_LEN (sizeof TMP_TAG - 1)
#define TMP_RAND_LEN 6 /* mkstemp's XXXXXX */
/* mkstemp attempts when a stale-file cleaner took the fresh name first. */
#define TMP_ATTEMPTS 8

const char *gan__errno_text(int e, char buf[GAN_ERRNO_TEXT_MAX])
{
    if (strerror_r(e, buf, GAN_ERRNO_TEXT_MAX) != 0)
        snprintf(buf, GAN_ERRNO_TEXT_MAX, "error %d", e);
    return buf;
}

int gan__check_path(const char *fn, const char *arg, const char *path)
{
    if (path == NULL)
        return gan__error(GAN_EINVAL, "%s: %s is NULL", fn, arg);
    if (path[0] == '\0')
        return gan__error(GAN_EINVAL, "%s: %s is empty", fn, arg);
    return GAN_OK;
}

/* "a FIFO", "a directory", ... for messages about a file that is not a
 * regular one. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "a special file";
}

int gan__open_regular(int *fd_out, struct stat *st, const char *path, const char *expected)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    *fd_out = -1;
    if (path[0] == '\0')
        return gan__error(GAN_EINVAL, "the path is empty, expected %s", expected);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
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
        return gan__error(GAN_EIO, "%s: is %s, not a regular file; expected %s", path,
                          file_kind(st->st_mode), expected);
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    *fd_out = fd;
    return GAN_OK;
}

int gan__file_read_all(void **data, size_t *len, const char *path, size_t max_len,
                       const char *expected)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    struct stat st;
    *data = NULL;
    *len = 0;
    int fd;
    int rc = gan__open_regular(&fd, &st, path, expected);
    if (rc)
        return rc;
    if ((uintmax_t)st.st_size > (uintmax_t)max_len) {
        close(fd);
        return gan__error(GAN_EFORMAT, "%s: file too large (%lld bytes, at most %zu for %s)", path,
                          (long long)st.st_size, max_len, expected);
    }
    const size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + 1); /* n + 1: room for the NUL after the data */
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

/* Make a rename in dir durable: without this a power loss can bring the old
 * file back after the save reported success. Only EIO counts as a failure;
 * file systems that cannot sync a folder say EINVAL. */
static int sync_dir(const char *dir)
{
    int e = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0 && errno == EIO)
            e = EIO;
        close(fd);
    }
    return e;
}

/* Whether s is ".<name>.gan-tmp.XXXXXX" with XXXXXX as mkstemp makes it. */
static int is_temp_of(const char *s, const char *name, size_t name_len)
{
    if (s[0] != '.' || strncmp(s + 1, name, name_len) != 0)
        return 0;
    s += 1 + name_len;
    if (strncmp(s, TMP_TAG, TMP_TAG_LEN) != 0)
        return 0;
    s += TMP_TAG_LEN;
    for (int i = 0; i < TMP_RAND_LEN; i++) {
        const char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return s[TMP_RAND_LEN] == '\0';
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int gan__fs_remove_stale_temps(const char *dir, const char *name)
{
    const size_t name_len = strlen(name);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return 0;
    }
    const uid_t me = geteuid();
    int removed = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!is_temp_of(ent->d_name, name, name_len))
            continue;
        /* Look before opening: a FIFO or a device is never opened, a
         * symbolic link never followed. */
        struct stat st, fst, again;
        if (fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != me)
            continue;
        int fd = openat(dfd, ent->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            continue;
        /* The lock fails while a save is still writing this file; a save
         * that was killed holds no lock any more. The name must still be
         * the file we locked when it is removed. */
        if (fstat(fd, &fst) == 0 && same_file(&st, &fst) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            fstatat(dfd, ent->d_name, &again, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&fst, &again) &&
            unlinkat(dfd, ent->d_name, 0) == 0) {
            removed++;
            gan__log(GAN_LOG_INFO, "%s/%s: removed the temporary file of an interrupted save", dir,
                     ent->d_name);
        }
        close(fd);
    }
    closedir(d);
    return removed;
}

/* Create and lock the temporary file for a save into tmp (a template ending
 * in XXXXXX, rewritten on each attempt). Returns the descriptor, or -1 with
 * errno set. */
static int create_temp(char *tmp, size_t rand_at)
{
    for (int attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
        memset(tmp + rand_at, 'X', TMP_RAND_LEN);
        int fd = mkstemp(tmp);
        if (fd < 0)
            return -1;
        /* The lock tells a concurrent save's cleanup that this file is in
         * use. A cleanup may have grabbed the new file between mkstemp and
         * flock: then it holds the lock or has already unlinked the file,
         * and a fresh name is tried. File systems without flock go on
         * unlocked (their cleanups cannot lock either, so remove nothing). */
        struct stat st;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) {
            close(fd);
            continue;
        }
        if (fstat(fd, &st) == 0 && st.st_nlink == 0) {
            close(fd);
            continue;
        }
        return fd;
    }
    errno = EEXIST;
    return -1;
}

/* The atomic write to target; messages name fn and shown, the caller's name
 * for the file. */
static int write_atomic(const char *fn, const char *target, const char *shown, const void *data,
                        size_t len)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    const char *slash = strrchr(target, '/');
    const char *name = slash != NULL ? slash + 1 : target;
    if (name[0] == '\0')
        return gan__error(GAN_EINVAL, "%s: %s: the path ends with '/', expected a file name", fn, shown);
    const size_t dir_len = (size_t)(name - target); /* with the slash */
    const size_t name_len = strlen(name);
    /* dir/ "." name TMP_TAG XXXXXX NUL, and the folder alone. */
    char *tmp = malloc(dir_len + 1 + name_len + TMP_TAG_LEN + TMP_RAND_LEN + 1);
    char *dir = slash == NULL ? strdup(".") : strndup(target, slash == target ? 1 : dir_len - 1);
    if (tmp == NULL || dir == NULL) {
        free(tmp);
        free(dir);
        return gan__error(GAN_ENOMEM, "%s: %s: out of memory", fn, shown);
    }
    memcpy(tmp, target, dir_len);
    tmp[dir_len] = '.';
    memcpy(tmp + dir_len + 1, name, name_len);
    memcpy(tmp + dir_len + 1 + name_len, TMP_TAG, TMP_TAG_LEN);
    const size_t rand_at = dir_len + 1 + name_len + TMP_TAG_LEN;
    tmp[rand_at + TMP_RAND_LEN] = '\0';

    int rc = GAN_OK;
    int fd = create_temp(tmp, rand_at);
    if (fd < 0) {
        int e = errno;
        rc = gan__error(GAN_EIO, "%s: %s: cannot create a temporary file in %s: %s", fn, shown, dir,
                        gan__errno_text(e, eb));
        goto out;
    }
    /* mkstemp creates 0600; give the file the mode a plain fopen would. */
    if (fchmod(fd, new_file_mode(target)) != 0) {
        int e = errno;
        unlink(tmp);
        close(fd);
        rc = gan__error(GAN_EIO, "%s: %s: cannot set the temporary file's mode: %s", fn, shown,
                        gan__errno_text(e, eb));
        goto out;
    }
    /* e: the errno of the first call that failed. */
    int e = 0;
    const uint8_t *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left < (size_t)1 << 30 ? left : (size_t)1 << 30);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (e == 0 && fsync(fd) != 0)
        e = errno;
    if (e != 0) {
        unlink(tmp);
        close(fd);
        rc = gan__error(GAN_EIO, "%s: %s: write failed: %s", fn, shown, gan__errno_text(e, eb));
        goto out;
    }
    /* The lock is held until the rename, so no cleanup removes the file
     * before it is in place. */
    if (rename(tmp, target) != 0) {
        e = errno;
        unlink(tmp);
        close(fd);
        rc = gan__error(GAN_EIO, "%s: %s: cannot rename the temporary file into place: %s", fn, shown,
                        gan__errno_text(e, eb));
        goto out;
    }
    if (close(fd) != 0 && errno != EINTR) {
        e = errno;
        rc = gan__error(GAN_EIO, "%s: %s: written, but closing it failed: %s", fn, shown,
                        gan__errno_text(e, eb));
        goto out;
    }
    gan__fs_remove_stale_temps(dir, name);
    if ((e = sync_dir(dir)) != 0)
        rc = gan__error(GAN_EIO, "%s: %s: written, but syncing its folder failed: %s", fn, shown,
                        gan__errno_text(e, eb));
out:
    free(tmp);
    free(dir);
    return rc;
}

int gan__file_write_atomic(const char *fn, const char *path, const void *data, size_t len)
{
    int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    /* Saving through a symbolic link updates the file it points to and
     * keeps the link, as writing the file in place would; renaming over
     * the link would replace it with a regular file. A dangling link is
     * replaced. */
    struct stat st;
    char *resolved = NULL;
    int exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        errno = 0;
        resolved = realpath(path, NULL);
        if (resolved == NULL && errno == ENOMEM)
            return gan__error(GAN_ENOMEM, "%s: %s: out of memory resolving the symbolic link", fn, path);
        exists = resolved != NULL && stat(resolved, &st) == 0;
    }
    /* A FIFO or a device would be replaced by a regular file, and a folder
     * cannot be; both are refused before anything is written. */
    if (exists && !S_ISREG(st.st_mode)) {
        if (resolved != NULL)
            rc = gan__error(GAN_EIO, "%s: %s points to %s, which is %s, not a regular file; refusing to replace it",
                            fn, path, resolved, file_kind(st.st_mode));
        else
            rc = gan__error(GAN_EIO, "%s: %s is %s, not a regular file; refusing to replace it", fn,
                            path, file_kind(st.st_mode));
    } else {
        rc = write_atomic(fn, resolved != NULL ? resolved : path, path, data, len);
    }
    free(resolved);
    return rc;
}
