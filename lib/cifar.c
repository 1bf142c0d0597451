/* gan_dataset_load_cifar10: CIFAR-10's binary files.
 *
 * Layout of a file: records of 3073 bytes, one label byte (0..9) and 3072
 * pixel bytes, the red, green and blue 32 x 32 planes one after the other,
 * each row by row. That is already the channel-major (C x H x W) order of
 * a dataset row, so a record converts byte by byte.
 *
 * Two passes: the first opens every file and checks its length (a whole,
 * non-zero number of records), so the total is known and one allocation
 * holds all rows; the second reads each file whole and converts it,
 * checking the labels and that the file still has the length seen first. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "fs.h"
#include "status.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CIFAR_PIXELS 3072u
#define CIFAR_RECORD (1u + CIFAR_PIXELS)
#define CIFAR100_RECORD (2u + CIFAR_PIXELS) /* coarse and fine label bytes */
#define CIFAR_CLASSES 10u
#define CIFAR_MAX_FILE ((size_t)1 << 31)

static const char FN[] = "gan_dataset_load_cifar10";
static const char EXPECTED[] = "a CIFAR-10 binary file";

/* A hint for a file whose length is not a whole number of records: what
 * it looks like instead, from its first bytes and its length. */
static const char *length_hint(int fd, unsigned long long size)
{
    unsigned char head[2] = {0, 0};
    ssize_t got;
    do
        got = pread(fd, head, sizeof head, 0);
    while (got < 0 && errno == EINTR);
    if (got == 2 && head[0] == 0x1f && head[1] == 0x8b)
        return "; it is gzip-compressed: unpack cifar-10-binary.tar.gz first";
    if (got >= 1 && head[0] == 0x80)
        return "; it looks like a Python pickle of CIFAR's Python version: use the binary "
               "version (cifar-10-binary.tar.gz)";
    if (size % CIFAR100_RECORD == 0)
        return "; it holds a whole number of 3074-byte records, CIFAR-100's binary format";
    return "";
}

/* Pass 1: the file's length, checked; *records receives its record count. */
static int check_file(size_t *records, size_t *size, const char *path)
{
    int fd;
    struct stat st;
    int rc = gan__open_regular(&fd, &st, path, EXPECTED);
    if (rc)
        return rc;
    const unsigned long long n = (unsigned long long)st.st_size;
    if (n == 0)
        rc = gan__error(GAN_EFORMAT, "%s: empty file, expected %s (records of %u bytes)", path,
                        EXPECTED, CIFAR_RECORD);
    else if (n > CIFAR_MAX_FILE)
        rc = gan__error(GAN_EFORMAT, "%s: file too large (%llu bytes, at most %zu for %s)", path,
                        n, CIFAR_MAX_FILE, EXPECTED);
    else if (n % CIFAR_RECORD != 0)
        rc = gan__error(GAN_EFORMAT, "%s: %llu bytes is not a whole number of %u-byte CIFAR-10 records "
                        "(%llu records and a partial one of %llu bytes)%s", path, n, CIFAR_RECORD,
                        n / CIFAR_RECORD, n % CIFAR_RECORD, length_hint(fd, n));
    close(fd);
    if (rc)
        return rc;
    *size = (size_t)n;
    *records = (size_t)(n / CIFAR_RECORD);
    return GAN_OK;
}

/* Pass 2: read path (expected to be size bytes) and convert its records
 * into x (records x 3072 floats) and labels. */
static int read_file(float *x, int32_t *labels, const char *path, size_t size)
{
    void *data;
    size_t len;
    int rc = gan__file_read_all(&data, &len, path, CIFAR_MAX_FILE, EXPECTED);
    if (rc)
        return rc;
    if (len != size) {
        free(data);
        return gan__error(GAN_EIO, "%s: changed while loading (%zu bytes, then %zu)", path, size, len);
    }
    const unsigned char *rec = data;
    const size_t records = size / CIFAR_RECORD;
    for (size_t r = 0; r < records; r++, rec += CIFAR_RECORD) {
        if (rec[0] >= CIFAR_CLASSES) {
            rc = gan__error(GAN_EFORMAT, "%s: record %zu (0-based, at byte %zu) has label %u; "
                            "CIFAR-10 labels are 0 to 9", path, r, r * CIFAR_RECORD, (unsigned)rec[0]);
            break;
        }
        labels[r] = rec[0];
        float *row = x + r * CIFAR_PIXELS;
        for (size_t k = 0; k < CIFAR_PIXELS; k++)
            row[k] = (float)rec[1 + k] / 255.0f;
    }
    free(data);
    return rc;
}

int gan_dataset_load_cifar10(gan_dataset **out, const char *const *paths, size_t n_paths)
{
    GAN_CHECK_NULL(FN, out);
    *out = NULL;
    GAN_CHECK_NULL(FN, paths);
    GAN_CHECK_NONZERO(FN, n_paths);
    for (size_t i = 0; i < n_paths; i++) {
        char arg[48];
        snprintf(arg, sizeof arg, "paths[%zu]", i);
        int rc = gan__check_path(FN, arg, paths[i]);
        if (rc)
            return rc;
    }

    size_t *sizes = malloc(n_paths * sizeof *sizes); /* n_paths pointers exist: no overflow */
    if (sizes == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu file sizes", FN, n_paths);
    size_t rows = 0;
    for (size_t i = 0; i < n_paths; i++) {
        size_t records;
        int rc = check_file(&records, &sizes[i], paths[i]);
        if (rc) {
            free(sizes);
            return rc;
        }
        if (records > SIZE_MAX - rows) {
            free(sizes);
            return gan__error(GAN_ENOMEM, "%s: the files hold more than SIZE_MAX images", FN);
        }
        rows += records;
    }
    size_t n_floats;
    if (gan__mul_size(&n_floats, rows, CIFAR_PIXELS) != 0 || n_floats > SIZE_MAX / sizeof(float)) {
        free(sizes);
        return gan__error(GAN_ENOMEM, "%s: %zu images of %u values overflow size_t", FN, rows,
                          CIFAR_PIXELS);
    }
    float *x = malloc(n_floats * sizeof *x);
    int32_t *labels = malloc(rows * sizeof *labels);
    if (x == NULL || labels == NULL) {
        free(sizes);
        free(x);
        free(labels);
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu images of %u values", FN, rows,
                          CIFAR_PIXELS);
    }
    size_t row = 0;
    for (size_t i = 0; i < n_paths; i++) {
        int rc = read_file(x + row * CIFAR_PIXELS, labels + row, paths[i], sizes[i]);
        if (rc) {
            free(sizes);
            free(x);
            free(labels);
            return rc;
        }
        row += sizes[i] / CIFAR_RECORD;
    }
    free(sizes);
    return gan__dataset_create_owned(out, x, labels, rows, CIFAR_PIXELS, FN);
}
