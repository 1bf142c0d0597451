/* Fuzz target: gan_dataset_load_idx, plain and gzip files.
 *
 * Input: one mode byte, then the file. Mode bit 0 clear: the file is the
 * images file (no labels). Set: it is the labels file, next to a fixed
 * valid images file of FIX_ROWS images.
 *
 * An independent checker decides whether the bytes are a valid IDX file:
 * a file starting with the gzip magic 1f 8b must be one or more complete
 * gzip members (header, deflate data, CRC-32 and length trailer) and
 * nothing else, and what they decompress to must be valid; anything else
 * must be valid as it is. Valid means magic 00 00 08 <ndims> (ndims 3 for
 * images, 1 for labels), ndims nonzero big-endian u32 sizes, and exactly
 * their product of data bytes after the header. The library must accept
 * exactly the valid files (labels also need FIX_ROWS entries), and then
 * hold every byte / 255 as a float and every label as an int32. */
#include "fuzz_common.h"

#define FIX_ROWS 3u
#define FIX_H 2u
#define FIX_W 2u

static char in_path[256], img_path[256];
static uint8_t fixed_img[16 + FIX_ROWS * FIX_H * FIX_W];

static void remove_files(void)
{
    unlink(in_path);
    unlink(img_path);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void init_once(void)
{
    if (in_path[0] != '\0')
        return;
    fuzz_scratch_path(in_path, sizeof in_path, "idx_in");
    fuzz_scratch_path(img_path, sizeof img_path, "idx_img");
    fixed_img[2] = 0x08;
    fixed_img[3] = 3;
    put_be32(fixed_img + 4, FIX_ROWS);
    put_be32(fixed_img + 8, FIX_H);
    put_be32(fixed_img + 12, FIX_W);
    for (size_t i = 16; i < sizeof fixed_img; i++)
        fixed_img[i] = (uint8_t)(i * 37);
    fuzz_write_file(img_path, fixed_img, sizeof fixed_img);
    fuzz_remove_files = remove_files;
    atexit(remove_files);
}

/* Decompress a gzip file (one or more members, nothing after) into a
 * malloc'ed buffer; NULL if it is not exactly that. Output is capped at
 * cap bytes (NULL beyond: the library's deflate-ratio bound refuses such
 * files too, see the caller). */
static uint8_t *gunzip_all(const uint8_t *in, size_t n, size_t cap, size_t *out_len)
{
    size_t alloc = 4096, len = 0;
    uint8_t *out = malloc(alloc);
    FUZZ_REQUIRE(out != NULL, "out of memory");
    size_t pos = 0;
    int ok = 1;
    while (ok && pos < n) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        FUZZ_REQUIRE(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, "inflateInit2");
        zs.next_in = (Bytef *)(uintptr_t)(in + pos);
        zs.avail_in = (uInt)(n - pos);
        int zr;
        do {
            if (len == alloc) {
                if (alloc >= cap) {
                    ok = 0;
                    break;
                }
                alloc *= 2;
                out = realloc(out, alloc);
                FUZZ_REQUIRE(out != NULL, "out of memory");
            }
            zs.next_out = out + len;
            zs.avail_out = (uInt)(alloc - len);
            zr = inflate(&zs, Z_NO_FLUSH);
            len = alloc - zs.avail_out;
        } while (zr == Z_OK);
        if (zr != Z_STREAM_END)
            ok = 0; /* corrupt, or input ended before the trailer */
        pos = n - zs.avail_in;
        inflateEnd(&zs);
    }
    if (!ok) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return out;
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Valid IDX of unsigned bytes with ndims sizes: fills dims and *body. */
static int idx_valid(const uint8_t *p, size_t n, unsigned ndims, uint32_t dims[3],
                     const uint8_t **body)
{
    const size_t header = 4 + 4 * (size_t)ndims;
    if (n < header || p[0] != 0 || p[1] != 0 || p[2] != 0x08 || p[3] != ndims)
        return 0;
    uint64_t count = 1;
    for (unsigned i = 0; i < ndims; i++) {
        dims[i] = be32(p + 4 + 4 * i);
        if (dims[i] == 0 || count > (n - header) / dims[i])
            return 0; /* a zero size, or more data announced than present */
        count *= dims[i];
    }
    if (count != n - header)
        return 0;
    *body = p + header;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    if (size < 1)
        return 0;
    const int labels_mode = data[0] & 1;
    const uint8_t *file = data + 1;
    const size_t n = size - 1;
    fuzz_write_file(in_path, file, n);

    /* The independent verdict. */
    const uint8_t *content = file;
    size_t content_len = n;
    uint8_t *unzipped = NULL;
    int valid;
    if (n >= 2 && file[0] == 0x1f && file[1] == 0x8b) {
        /* Deflate expands at most 1032:1; the library may refuse a file
         * claiming more from the header alone, so cap there. */
        unzipped = gunzip_all(file, n, 1040 * n + 64, &content_len);
        content = unzipped;
        valid = unzipped != NULL;
    } else {
        valid = 1;
    }
    uint32_t dims[3] = {0, 0, 0};
    const uint8_t *body = NULL;
    valid = valid && idx_valid(content, content_len, labels_mode ? 1 : 3, dims, &body);
    if (labels_mode)
        valid = valid && dims[0] == FIX_ROWS;

    gan_dataset *ds = (gan_dataset *)&ds; /* must become NULL on failure */
    int rc = labels_mode ? gan_dataset_load_idx(&ds, img_path, in_path)
                         : gan_dataset_load_idx(&ds, in_path, NULL);
    if (!valid) {
        FUZZ_REQUIRE(rc != GAN_OK, "an invalid %s %s file loaded", n >= 2 && file[0] == 0x1f ? "gzip" : "plain",
                     labels_mode ? "labels" : "images");
        FUZZ_REQUIRE(rc == GAN_EFORMAT || rc == GAN_ESHAPE, "status %d for an invalid file: %s",
                     rc, gan_error_last());
        FUZZ_REQUIRE(ds == NULL, "failed load left *out set");
        free(unzipped);
        return 0;
    }
    FUZZ_REQUIRE(rc == GAN_OK, "a valid %s file was refused: %s", labels_mode ? "labels" : "images",
                 gan_error_last());
    if (labels_mode) {
        const int32_t *lab = gan_dataset_labels(ds);
        FUZZ_REQUIRE(lab != NULL && gan_dataset_rows(ds) == FIX_ROWS, "labels missing");
        for (size_t i = 0; i < FIX_ROWS; i++)
            FUZZ_REQUIRE(lab[i] == body[i], "label %zu is %d, file says %u", i, lab[i], body[i]);
        body = fixed_img + 16;
        dims[0] = FIX_ROWS;
        dims[1] = FIX_H;
        dims[2] = FIX_W;
    } else {
        FUZZ_REQUIRE(gan_dataset_labels(ds) == NULL, "labels without a labels file");
    }
    const size_t rows = dims[0], cols = (size_t)dims[1] * dims[2];
    FUZZ_REQUIRE(gan_dataset_rows(ds) == rows && gan_dataset_cols(ds) == cols,
                 "shape %zu x %zu, file says %zu x %zu", gan_dataset_rows(ds),
                 gan_dataset_cols(ds), rows, cols);
    const float *x = gan_dataset_data(ds);
    for (size_t i = 0; i < rows * cols; i++)
        FUZZ_REQUIRE(x[i] == (float)body[i] / 255.0f, "value %zu is %g, file says %u", i,
                     (double)x[i], body[i]);
    gan_dataset_free(ds);
    free(unzipped);
    return 0;
}
