/* Reading a user's data file whole (private to the dataset loaders). */
#ifndef GAN_LOAD_FILE_H
#define GAN_LOAD_FILE_H

#include <stddef.h>

/* Read the regular file path (at most max_len bytes, else GAN_EFORMAT)
 * into a malloc'ed buffer with one NUL byte after its len bytes, so text
 * parsers may stop on it. expected names the wanted content in messages
 * ("a PNG image"). GAN_EIO when path is missing, not a regular file or
 * unreadable; GAN_ENOMEM. */
int gan__load_file(char **data, size_t *len, const char *path, size_t max_len,
                   const char *expected);

#endif
