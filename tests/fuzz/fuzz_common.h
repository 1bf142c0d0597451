/* Shared by the fuzz targets: scratch files, CRC resealing, the fixed
 * session the session and optimizer targets load into, and the replay
 * main used when the target is not linked with libFuzzer.
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with
 * -fsanitize=fuzzer (GAN_LIBFUZZER defined) libFuzzer drives it; otherwise
 * the main below replays every file of the folders (or files) named on the
 * command line, which is how ctest runs the seed corpora. A target reports
 * a broken promise with abort(), which both modes treat as a failure. */
#ifndef GAN_FUZZ_COMMON_H
#define GAN_FUZZ_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by a target: removes its scratch files (abort skips atexit). */
static void (*fuzz_remove_files)(void);

/* Report a broken promise and stop: libFuzzer saves the input as a crash,
 * the replay main names the file. */
#define FUZZ_REQUIRE(cond, ...) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__); \
            fprintf(stderr, "\n"); \
            if (fuzz_remove_files != NULL) \
                fuzz_remove_files(); \
            abort(); \
        } \
    } while (0)

/* A per-process scratch path in /dev/shm (or /tmp), "gan_fuzz_<tag>_<pid>". */
static inline void fuzz_scratch_path(char *buf, size_t n, const char *tag)
{
    struct stat st;
    const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                              access("/dev/shm", W_OK) == 0
                          ? "/dev/shm"
                          : "/tmp";
    snprintf(buf, n, "%s/gan_fuzz_%s_%ld", dir, tag, (long)getpid());
}

/* Overwrite path with data[0, size). */
static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_REQUIRE(fd >= 0, "cannot create %s: %s", path, strerror(errno));
    const uint8_t *p = data;
    while (size > 0) {
        ssize_t w = write(fd, p, size);
        FUZZ_REQUIRE(w > 0, "cannot write %s: %s", path, strerror(errno));
        p += w;
        size -= (size_t)w;
    }
    close(fd);
}

/* Whole file into a malloc'ed buffer (*len bytes). */
static inline uint8_t *fuzz_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    FUZZ_REQUIRE(f != NULL, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    FUZZ_REQUIRE(buf != NULL, "out of memory");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            FUZZ_REQUIRE(buf != NULL, "out of memory");
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    FUZZ_REQUIRE(!ferror(f), "cannot read %s", path);
    fclose(f);
    *len = n;
    return buf;
}

/* libgan files are containers: magic[8] | u32 version | u64 payload length
 * | payload | u32 CRC-32 of everything before. A mutated file almost never
 * has a matching length and CRC, so targets also try a copy with both fixed
 * ("resealed"), which lets the fuzzer reach the payload parsers. Returns a
 * malloc'ed copy, or NULL when size is below the container overhead. */
static inline uint8_t *fuzz_reseal(const uint8_t *data, size_t size)
{
    if (size < 24)
        return NULL;
    uint8_t *c = malloc(size);
    FUZZ_REQUIRE(c != NULL, "out of memory");
    memcpy(c, data, size);
    const uint64_t payload = size - 24;
    for (int i = 0; i < 8; i++)
        c[12 + i] = (uint8_t)(payload >> (8 * i));
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, c, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        c[size - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
    return c;
}

static inline int fuzz_same_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

/* Every parameter of net finite (a loaded file must not hold NaN or Inf). */
static inline int fuzz_net_params_finite(const gan_net *net)
{
    const size_t n = gan_net_num_params(net);
    float *p = malloc(n ? n * sizeof *p : 1);
    FUZZ_REQUIRE(p != NULL, "out of memory");
    FUZZ_REQUIRE(gan_net_get_params(p, n, net) == GAN_OK, "%s", gan_error_last());
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= isfinite(p[i]) != 0;
    free(p);
    return ok;
}

/* The session the session and optimizer targets work on, and whose
 * checkpoints make_seeds writes: a toy-ring GAN small enough that a load
 * costs microseconds. Everything is deterministic, so a checkpoint written
 * by make_seeds loads into the target's session. */
typedef struct fuzz_session {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} fuzz_session;

#define FUZZ_Z 3

static inline void fuzz_session_free(fuzz_session *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_dataset_free(f->data);
    gan_net_free(f->g);
    gan_net_free(f->d);
    memset(f, 0, sizeof *f);
}

/* SGD for G, Adam for D, so a checkpoint holds both state kinds. */
static inline void fuzz_session_make(fuzz_session *f)
{
    memset(f, 0, sizeof *f);
    gan_rng *rng;
    int rc = gan_rng_create(&rng, 7);
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    if (!rc) rc = gan_dataset_create_toy(&f->data, &t, 10, rng);
    if (!rc) rc = gan_net_create(&f->g, FUZZ_Z);
    if (!rc) rc = gan_net_add_dense(f->g, 4, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_add_dense(f->g, 2, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_init(f->g, rng, GAN_INIT_GLOROT_UNIFORM, 0);
    if (!rc) rc = gan_net_create(&f->d, 2);
    if (!rc) rc = gan_net_add_dropout(f->d, 0.8f);
    if (!rc) rc = gan_net_add_maxout(f->d, 3, 2);
    if (!rc) rc = gan_net_add_dense(f->d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(f->d, rng, GAN_INIT_UNIFORM, 0.1f);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    if (!rc) rc = gan_optimizer_create(&f->gopt, f->g, &o);
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.01f;
    if (!rc) rc = gan_optimizer_create(&f->dopt, f->d, &o);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = 4;
    so.noise_width = FUZZ_Z;
    so.seed = 11;
    so.threads = 1;
    /* A checkpoint then also holds the average of G and both version-2
     * options. */
    so.g_average_decay = 0.9f;
    so.real_label = 0.9f;
    if (!rc) rc = gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so);
    FUZZ_REQUIRE(rc == GAN_OK, "building the session: %s", gan_error_last());
}

#if !defined(GAN_LIBFUZZER) && !defined(GAN_FUZZ_NO_MAIN)
/* Replay: run every regular file of each folder or file argument. At
 * least one input must run, so an empty corpus fails rather than passes. */
static void fuzz_replay_one(const char *path, size_t *count)
{
    size_t len;
    uint8_t *buf = fuzz_read_file(path, &len);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    (*count)++;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            fprintf(stderr, "%s: %s\n", argv[a], strerror(errno));
            return 2;
        }
        if (!S_ISDIR(st.st_mode)) {
            fuzz_replay_one(argv[a], &count);
            continue;
        }
        DIR *dir = opendir(argv[a]);
        if (dir == NULL) {
            fprintf(stderr, "%s: %s\n", argv[a], strerror(errno));
            return 2;
        }
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                fprintf(stderr, "replaying %s\n", path);
                fuzz_replay_one(path, &count);
            }
        }
        closedir(dir);
    }
    printf("%zu inputs replayed\n", count);
    return count > 0 ? 0 : 1;
}
#endif

#endif
