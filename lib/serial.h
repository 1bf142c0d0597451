/* Little-endian serialisation and checksummed containers (private); the
 * container files go through fs.h. Every file libgan writes is a container:
 *   magic[8] | u32 format version | u64 payload length | payload | u32 CRC-32
 * where the CRC covers everything before it. */
#ifndef GAN_SERIAL_H
#define GAN_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#define GAN_MAGIC_LEN 8
#define GAN_CONTAINER_OVERHEAD (GAN_MAGIC_LEN + 4 + 8 + 4)

/* Growable output buffer. A failed allocation sets failed; later puts are
 * ignored, so callers check once at the end. */
typedef struct gan__writer {
    uint8_t *data;
    size_t len, cap;
    int failed;
} gan__writer;

void gan__writer_init(gan__writer *w);
void gan__writer_free(gan__writer *w);
void gan__put_bytes(gan__writer *w, const void *p, size_t n);
/* Append n bytes for the caller to fill; NULL (and failed set, or already
 * set) when out of memory. */
uint8_t *gan__put_reserve(gan__writer *w, size_t n);
void gan__put_u32(gan__writer *w, uint32_t v);
void gan__put_u64(gan__writer *w, uint64_t v);
void gan__put_f32(gan__writer *w, float v);
void gan__put_f64(gan__writer *w, double v);
void gan__put_f32_array(gan__writer *w, const float *p, size_t n);

/* Bounded input cursor: reading past the end sets failed and yields 0. */
typedef struct gan__reader {
    const uint8_t *data;
    size_t len, pos;
    int failed;
} gan__reader;

void gan__reader_init(gan__reader *r, const void *data, size_t len);
int gan__get_bytes(gan__reader *r, void *out, size_t n);
uint32_t gan__get_u32(gan__reader *r);
uint64_t gan__get_u64(gan__reader *r);
float gan__get_f32(gan__reader *r);
double gan__get_f64(gan__reader *r);
int gan__get_f32_array(gan__reader *r, float *out, size_t n);
static inline size_t gan__reader_left(const gan__reader *r) { return r->len - r->pos; }

uint32_t gan__crc32(const void *data, size_t len);

/* Wrap payload into a container in out (out must be initialised). */
void gan__container_build(gan__writer *out, const char magic[GAN_MAGIC_LEN],
                          uint32_t version, const void *payload, size_t payload_len);
/* Check magic, length and CRC of a container held in data; on success
 * *payload covers the payload and *version holds the format version.
 * Returns GAN_OK or GAN_EFORMAT with a message naming `what` (a path). */
int gan__container_open(gan__reader *payload, uint32_t *version,
                        const void *data, size_t len,
                        const char magic[GAN_MAGIC_LEN], const char *what);

/* Save payload (its failed flag means out of memory) as a container file at
 * path with gan__file_write_atomic (fs.h); fn names the caller in messages.
 * Frees nothing. */
int gan__container_save(const char *path, const char magic[GAN_MAGIC_LEN], uint32_t version,
                        const gan__writer *payload, const char *fn);
/* Read the container file at path (at most max_len bytes), check magic,
 * checksum and that its format version is `version`; on success *payload
 * covers the payload inside *data, which the caller frees. `what` names the
 * kind of file in messages ("net", "checkpoint"). */
int gan__container_load(void **data, gan__reader *payload, const char *path,
                        const char magic[GAN_MAGIC_LEN], uint32_t version, size_t max_len,
                        const char *what);
/* The same for a reader of several format versions: accepts oldest to
 * newest and stores the file's in *found. */
int gan__container_load_versions(void **data, gan__reader *payload, uint32_t *found,
                                 const char *path, const char magic[GAN_MAGIC_LEN],
                                 uint32_t oldest, uint32_t newest, size_t max_len,
                                 const char *what);

#endif
