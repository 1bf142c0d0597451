/* File-system access (private): opening files to read, whole-file reads,
 * atomic replacement of a file, and errno text. The file formats live
 * elsewhere (serial.h for libgan's containers, idx.c, png_grid.c). */
#ifndef GAN_FS_H
#define GAN_FS_H

#include <stddef.h>
#include <sys/stat.h>

/* strerror(e) in buf, without strerror's shared buffer (the library may be
 * used from several threads). Returns buf. */
#define GAN_ERRNO_TEXT_MAX 128
const char *gan__errno_text(int e, char buf[GAN_ERRNO_TEXT_MAX]);

/* GAN_OK, or GAN_EINVAL "fn: arg is NULL" / "fn: arg is empty". */
int gan__check_path(const char *fn, const char *arg, const char *path);

/* Open path read-only as *fd_out and its status in *st. Fails with GAN_EIO
 * unless it is a regular file; never blocks on a FIFO. expected names the
 * wanted content in messages ("a libgan file"). */
int gan__open_regular(int *fd_out, struct stat *st, const char *path, const char *expected);

/* Read a whole regular file (at most max_len bytes) into a malloc'ed
 * buffer, with one NUL byte after its len bytes so text parsers may stop on
 * it. expected names the wanted content in messages ("a libgan file", "a
 * CSV file"). Returns GAN_OK, GAN_EINVAL (empty path), GAN_EIO (missing,
 * not a regular file, unreadable), GAN_ENOMEM or GAN_EFORMAT (larger than
 * max_len). */
int gan__file_read_all(void **data, size_t *len, const char *path, size_t max_len,
                       const char *expected);

/* Write data to path atomically; fn names the public caller in messages.
 *
 * - The data goes to a temporary file ".<name>.gan-tmp.XXXXXX" beside the
 *   destination, is fsync'ed, renamed over path, and then the folder is
 *   fsync'ed so the rename survives a power loss.
 * - Through a symbolic link, the file it points to is replaced and the link
 *   kept.
 * - An existing path (or link target) that is not a regular file (a FIFO, a
 *   device, a socket, a folder) is refused with GAN_EIO and left alone.
 * - After a successful save, stale temporary files of this destination left
 *   by interrupted saves are removed (see gan__fs_remove_stale_temps).
 *
 * Returns GAN_OK, GAN_EINVAL (empty path), GAN_ENOMEM or GAN_EIO; on a
 * failure before the rename path is untouched and the temporary file
 * removed (a failed folder sync is reported after the new file is in
 * place). */
int gan__file_write_atomic(const char *fn, const char *path, const void *data, size_t len);

/* Remove the temporary files of earlier, interrupted atomic writes to the
 * file `name` in folder `dir`: regular files (never following symbolic
 * links) owned by this user and named exactly ".<name>.gan-tmp.XXXXXX",
 * that no save holds open (a save keeps an exclusive flock on its temporary
 * file until it is renamed). Best effort: returns how many were removed. */
int gan__fs_remove_stale_temps(const char *dir, const char *name);

#endif
