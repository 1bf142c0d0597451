/* Loading a folder of PNG images (gan_dataset_load_png_dir) and writing
 * RGB grids (gan_png_write_grid_rgb): every colour type and bit depth,
 * sorted order, class subfolders, shape mismatches, malformed files. The
 * images are written here with libpng. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <png.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char FN[] = "gan_dataset_load_png_dir";

typedef struct spec {
    uint32_t w, h;
    int color;     /* PNG_COLOR_TYPE_* */
    int depth;     /* bits per sample */
    int interlace; /* PNG_INTERLACE_* */
    int trns;      /* write a tRNS chunk (palette: alpha 0 for entry 0) */
} spec;

/* Sample i of the image as a number in [0, 2^depth). */
static unsigned sample_at(size_t i, int depth, unsigned salt)
{
    const unsigned max = (1u << depth) - 1;
    return (unsigned)((i * 7919u + salt * 31u + 3u) % (max + 1u));
}

static int color_channels(int color)
{
    switch (color) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* palette: one index */
    }
}

/* The palette of the tests: entry k = (k, 255 - k, 2k mod 256). */
static void palette_rgb(unsigned k, unsigned rgb[3])
{
    rgb[0] = k;
    rgb[1] = 255 - k;
    rgb[2] = (2 * k) & 255;
}

/* Write a PNG with the samples sample_at(i, depth, salt), i counting the
 * samples of the image in HWC order (palette: the indices, below 16). */
static void write_png(const char *path, const spec *s, unsigned salt)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    assert_non_null(png);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng failed writing %s", path);
    png_init_io(png, f);
    png_set_IHDR(png, info, s->w, s->h, s->depth, s->color, s->interlace,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        for (unsigned k = 0; k < 16; k++) {
            unsigned rgb[3];
            palette_rgb(k, rgb);
            pal[k].red = (png_byte)rgb[0];
            pal[k].green = (png_byte)rgb[1];
            pal[k].blue = (png_byte)rgb[2];
        }
        png_set_PLTE(png, info, pal, 16);
        if (s->trns) {
            png_byte alpha[1] = {0};
            png_set_tRNS(png, info, alpha, 1, NULL);
        }
    } else if (s->trns) {
        png_color_16 t = {0};
        png_set_tRNS(png, info, NULL, 0, &t);
    }
    png_write_info(png, info);
    const int ch = color_channels(s->color);
    const size_t per_row = (size_t)s->w * ch;
    const size_t rowbytes = png_get_rowbytes(png, info);
    unsigned char *img = xmalloc(rowbytes * s->h);
    memset(img, 0, rowbytes * s->h);
    for (uint32_t y = 0; y < s->h; y++) {
        unsigned char *row = img + y * rowbytes;
        for (size_t x = 0; x < per_row; x++) {
            const unsigned v = sample_at(y * per_row + x, s->color == PNG_COLOR_TYPE_PALETTE ? 4 : s->depth,
                                         salt);
            if (s->depth == 16) {
                row[2 * x] = (unsigned char)(v >> 8);
                row[2 * x + 1] = (unsigned char)v;
            } else if (s->depth == 8) {
                row[x] = (unsigned char)v;
            } else { /* packed, most significant bits first */
                const size_t bit = x * (size_t)s->depth;
                row[bit / 8] |= (unsigned char)(v << (8 - s->depth - bit % 8));
            }
        }
    }
    png_bytep *rows = xmalloc(sizeof *rows * s->h);
    for (uint32_t y = 0; y < s->h; y++)
        rows[y] = img + y * rowbytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    assert_int_equal(fclose(f), 0);
    free(rows);
    free(img);
}

static void write_in(const char *dir, const char *name, const spec *s, unsigned salt)
{
    char p[512];
    path_join(p, sizeof p, dir, name);
    write_png(p, s, salt);
}

static void make_dir(char *out, size_t n, const char *dir, const char *name)
{
    path_join(out, n, dir, name);
    assert_int_equal(mkdir(out, 0700), 0);
}

/* Load dir with alpha / labels options. */
static int load(gan_dataset **ds, const char *dir, uint32_t alpha, uint32_t labels)
{
    gan_png_dir_options o;
    assert_int_equal(gan_png_dir_options_init(&o, GAN_PNG_DIR_OPTIONS_VERSION), GAN_OK);
    o.alpha = alpha;
    o.labels = labels;
    return gan_dataset_load_png_dir(ds, dir, &o);
}

/* Row `row` of ds holds the samples of an image written with salt, every
 * channel kept (no palette). */
static void check_samples(const gan_dataset *ds, size_t row, const spec *s, unsigned salt,
                          int keep_every)
{
    const int ch = color_channels(s->color);
    const int has_alpha = s->color == PNG_COLOR_TYPE_GRAY_ALPHA || s->color == PNG_COLOR_TYPE_RGB_ALPHA;
    const int out_ch = keep_every || !has_alpha ? ch : ch - 1;
    assert_int_equal(gan_dataset_cols(ds), (size_t)s->w * s->h * out_ch);
    const float *x = gan_dataset_data(ds) + row * gan_dataset_cols(ds);
    const double max = s->depth == 16 ? 65535.0 : 255.0;
    for (size_t p = 0; p < (size_t)s->w * s->h; p++)
        for (int c = 0; c < out_ch; c++) {
            unsigned v = sample_at(p * ch + c, s->depth, salt);
            if (s->depth < 8) /* libpng widens grey by repeating the bits */
                v = v * 255u / ((1u << s->depth) - 1u);
            assert_close(x[p * out_ch + c], v / max, 0, 1e-7, "pixel", p * out_ch + c);
        }
}

static void test_grey_sorted(void **state)
{
    const char *dir = *state;
    const spec s = {5, 3, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0};
    write_in(dir, "b.png", &s, 2);
    write_in(dir, "a.png", &s, 1);
    write_in(dir, "c.PNG", &s, 3);
    write_in(dir, ".hidden.png", &s, 9);
    char p[512];
    path_join(p, sizeof p, dir, "notes.txt");
    write_file(p, "not an image", 12);
    char sub[512];
    make_dir(sub, sizeof sub, dir, "sub");
    write_in(sub, "z.png", &s, 7);
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_png_dir(&ds, dir, NULL), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    assert_null(gan_dataset_labels(ds));
    for (unsigned r = 0; r < 3; r++)
        check_samples(ds, r, &s, r + 1, 1);
    gan_dataset_free(ds);
}

static void test_color_types(void **state)
{
    const char *dir = *state;
    static const spec specs[] = {
        {4, 3, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_GRAY_ALPHA, 16, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_RGB, 16, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_RGB_ALPHA, 8, PNG_INTERLACE_NONE, 0},
        {4, 3, PNG_COLOR_TYPE_RGB_ALPHA, 16, PNG_INTERLACE_NONE, 0},
        {9, 7, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_ADAM7, 0},
        {9, 7, PNG_COLOR_TYPE_GRAY, 1, PNG_INTERLACE_NONE, 0},
        {9, 7, PNG_COLOR_TYPE_GRAY, 2, PNG_INTERLACE_NONE, 0},
        {9, 7, PNG_COLOR_TYPE_GRAY, 4, PNG_INTERLACE_ADAM7, 0},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        char sub[512], name[32];
        snprintf(name, sizeof name, "case%zu", i);
        make_dir(sub, sizeof sub, dir, name);
        write_in(sub, "0.png", &specs[i], 5);
        write_in(sub, "1.png", &specs[i], 6);
        for (int keep = 0; keep < 2; keep++) {
            gan_dataset *ds;
            int rc = load(&ds, sub, keep ? GAN_PNG_ALPHA_KEEP : GAN_PNG_ALPHA_DROP, 0);
            if (rc != GAN_OK)
                fail_msg("case %zu: %s", i, gan_error_last());
            assert_int_equal(gan_dataset_rows(ds), 2);
            check_samples(ds, 0, &specs[i], 5, keep);
            check_samples(ds, 1, &specs[i], 6, keep);
            gan_dataset_free(ds);
        }
    }
}

static void test_palette(void **state)
{
    const char *dir = *state;
    const spec s = {6, 2, PNG_COLOR_TYPE_PALETTE, 8, PNG_INTERLACE_NONE, 0};
    write_in(dir, "p.png", &s, 4);
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_png_dir(&ds, dir, NULL), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), 6 * 2 * 3);
    const float *x = gan_dataset_data(ds);
    for (size_t p = 0; p < 12; p++) {
        unsigned rgb[3];
        palette_rgb(sample_at(p, 4, 4), rgb);
        for (int c = 0; c < 3; c++)
            assert_close(x[3 * p + c], rgb[c] / 255.0, 0, 1e-7, "palette pixel", p);
    }
    gan_dataset_free(ds);
    /* A tRNS chunk gives an alpha channel: entry 0 transparent. */
    const spec t = {6, 2, PNG_COLOR_TYPE_PALETTE, 4, PNG_INTERLACE_NONE, 1};
    char sub[512];
    make_dir(sub, sizeof sub, dir, "trns");
    write_in(sub, "t.png", &t, 4);
    assert_int_equal(load(&ds, sub, GAN_PNG_ALPHA_KEEP, 0), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), 6 * 2 * 4);
    x = gan_dataset_data(ds);
    for (size_t p = 0; p < 12; p++)
        assert_close(x[4 * p + 3], sample_at(p, 4, 4) == 0 ? 0.0 : 1.0, 0, 0, "alpha", p);
    gan_dataset_free(ds);
    assert_int_equal(load(&ds, sub, GAN_PNG_ALPHA_DROP, 0), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), 6 * 2 * 3);
    gan_dataset_free(ds);
}

static void test_labels(void **state)
{
    const char *dir = *state;
    const spec s = {3, 3, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 0};
    char cat[512], dog[512], empty[512];
    make_dir(dog, sizeof dog, dir, "dog");
    make_dir(cat, sizeof cat, dir, "cat");
    make_dir(empty, sizeof empty, dir, "empty");
    write_in(dog, "1.png", &s, 1);
    write_in(cat, "2.png", &s, 2);
    write_in(cat, "1.png", &s, 3);
    char p[512];
    path_join(p, sizeof p, dir, "README");
    write_file(p, "x", 1);
    gan_dataset *ds;
    assert_int_equal(load(&ds, dir, GAN_PNG_ALPHA_DROP, 1), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    const int32_t *l = gan_dataset_labels(ds);
    assert_non_null(l);
    /* cat (0): 1.png, 2.png; dog (1): 1.png; empty (2). */
    assert_int_equal(l[0], 0);
    assert_int_equal(l[1], 0);
    assert_int_equal(l[2], 1);
    check_samples(ds, 0, &s, 3, 0);
    check_samples(ds, 1, &s, 2, 0);
    check_samples(ds, 2, &s, 1, 0);
    gan_dataset_free(ds);
    /* A PNG beside the class folders. */
    write_in(dir, "stray.png", &s, 1);
    EXPECT_ERR(load(&ds, dir, GAN_PNG_ALPHA_DROP, 1), GAN_EFORMAT, "stray.png", "class");
    assert_null(ds);
    /* Without labels only stray.png is loaded. */
    assert_int_equal(load(&ds, dir, GAN_PNG_ALPHA_DROP, 0), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 1);
    gan_dataset_free(ds);
    /* Only empty class folders. */
    char only[512], e2[512];
    make_dir(only, sizeof only, dir, "only");
    make_dir(e2, sizeof e2, only, "a");
    EXPECT_ERR(load(&ds, only, GAN_PNG_ALPHA_DROP, 1), GAN_EFORMAT, "only", "no PNG");
}

static void test_mismatch(void **state)
{
    const char *dir = *state;
    const spec a = {4, 4, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0};
    const spec wide = {5, 4, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0};
    const spec rgb = {4, 4, PNG_COLOR_TYPE_RGB, 8, PNG_INTERLACE_NONE, 0};
    const spec g16 = {4, 4, PNG_COLOR_TYPE_GRAY, 16, PNG_INTERLACE_NONE, 0};
    const spec ga = {4, 4, PNG_COLOR_TYPE_GRAY_ALPHA, 8, PNG_INTERLACE_NONE, 0};
    write_in(dir, "a.png", &a, 1);
    write_in(dir, "b.png", &g16, 1); /* another depth is fine */
    write_in(dir, "c.png", &ga, 1);  /* alpha dropped: fine */
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_png_dir(&ds, dir, NULL), GAN_OK);
    assert_int_equal(gan_dataset_rows(ds), 3);
    gan_dataset_free(ds);
    /* Kept alpha: c.png differs in channels. */
    EXPECT_ERR(load(&ds, dir, GAN_PNG_ALPHA_KEEP, 0), GAN_ESHAPE, "c.png", "2 channels");
    assert_null(ds);
    write_in(dir, "d.png", &wide, 1);
    write_in(dir, "e.png", &rgb, 1);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, dir, NULL), GAN_ESHAPE, "d.png", "4 x 5");
    assert_null(ds);
    char p[512];
    path_join(p, sizeof p, dir, "d.png");
    assert_int_equal(unlink(p), 0);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, dir, NULL), GAN_ESHAPE, "e.png", "3 channels");
}

/* A valid 8 x 8 grey PNG in memory. */
static unsigned char *valid_png(const char *dir, size_t *len)
{
    const spec s = {8, 8, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0};
    char p[512];
    path_join(p, sizeof p, dir, "valid.tmp");
    write_png(p, &s, 1);
    unsigned char *b = read_file(p, len);
    assert_int_equal(unlink(p), 0);
    return b;
}

static void expect_bad_file(const char *dir, const void *data, size_t len, int code,
                            const char *needle)
{
    char sub[512], p[512];
    static unsigned n;
    char name[32];
    snprintf(name, sizeof name, "bad%u", n++);
    make_dir(sub, sizeof sub, dir, name);
    path_join(p, sizeof p, sub, "x.png");
    write_file(p, data, len);
    gan_dataset *ds = (gan_dataset *)1;
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, sub, NULL), code, "x.png", needle);
    assert_null(ds);
}

static void test_malformed(void **state)
{
    const char *dir = *state;
    size_t len;
    unsigned char *b = valid_png(dir, &len);
    /* Truncated anywhere after the signature. */
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 7))
        expect_bad_file(dir, b, cut, GAN_EFORMAT, cut < 8 ? "not a PNG" : "not a valid PNG");
    /* Wrong signature. */
    unsigned char *c = xmalloc(len + 16);
    memcpy(c, b, len);
    c[1] ^= 0x20;
    expect_bad_file(dir, c, len, GAN_EFORMAT, "signature");
    /* A damaged CRC (in IHDR, then in IDAT's data). */
    memcpy(c, b, len);
    c[8 + 8 + 4] ^= 1; /* IHDR's width */
    expect_bad_file(dir, c, len, GAN_EFORMAT, "CRC");
    memcpy(c, b, len);
    c[len - 12 - 6] ^= 0x55; /* inside IDAT */
    expect_bad_file(dir, c, len, GAN_EFORMAT, "not a valid PNG");
    /* Bytes after IEND. */
    memcpy(c, b, len);
    memcpy(c + len, "garbage", 7);
    expect_bad_file(dir, c, len + 7, GAN_EFORMAT, "after the end");
    /* A header announcing a huge image in a tiny file: refused before
     * anything is allocated (IHDR width 1,000,000 with a fixed CRC). */
    memcpy(c, b, len);
    const uint32_t big = 1000000;
    c[16] = (unsigned char)(big >> 24);
    c[17] = (unsigned char)(big >> 16);
    c[18] = (unsigned char)(big >> 8);
    c[19] = (unsigned char)big;
    c[20] = c[16];
    c[21] = c[17];
    c[22] = c[18];
    c[23] = c[19];
    const unsigned long crc = crc32(crc32(0L, NULL, 0), c + 12, 17);
    c[29] = (unsigned char)(crc >> 24);
    c[30] = (unsigned char)(crc >> 16);
    c[31] = (unsigned char)(crc >> 8);
    c[32] = (unsigned char)crc;
    expect_bad_file(dir, c, len, GAN_EFORMAT, "cannot be stored");
    free(c);
    free(b);
}

static void test_files_and_folders(void **state)
{
    const char *dir = *state;
    gan_dataset *ds;
    char p[512], sub[512];
    /* An empty folder, a missing one, a file instead of a folder. */
    make_dir(sub, sizeof sub, dir, "empty");
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, sub, NULL), GAN_EFORMAT, "empty", "no PNG");
    path_join(p, sizeof p, dir, "missing");
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, p, NULL), GAN_EIO, "missing", "folder");
    path_join(p, sizeof p, dir, "file");
    write_file(p, "x", 1);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, p, NULL), GAN_EIO, "file", "folder");
    /* A FIFO and a folder named like images: GAN_EIO at once. */
    char fifo_dir[512], fifo[512];
    make_dir(fifo_dir, sizeof fifo_dir, dir, "fifo");
    path_join(fifo, sizeof fifo, fifo_dir, "x.png");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, fifo_dir, NULL), GAN_EIO, "x.png", "regular file");
    char dd[512], inner[512];
    make_dir(dd, sizeof dd, dir, "dirpng");
    make_dir(inner, sizeof inner, dd, "y.png");
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, dd, NULL), GAN_EIO, "y.png", "regular file");
    /* An empty image file. */
    char ef[512];
    make_dir(sub, sizeof sub, dir, "emptyfile");
    path_join(ef, sizeof ef, sub, "e.png");
    write_file(ef, "", 0);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, sub, NULL), GAN_EFORMAT, "e.png", "not a PNG");
    /* max_files. */
    const spec s = {2, 2, PNG_COLOR_TYPE_GRAY, 8, PNG_INTERLACE_NONE, 0};
    make_dir(sub, sizeof sub, dir, "three");
    write_in(sub, "1.png", &s, 1);
    write_in(sub, "2.png", &s, 1);
    write_in(sub, "3.png", &s, 1);
    gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT;
    o.max_files = 2;
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, sub, &o), GAN_EFORMAT, "three", "max_files");
    o.max_files = 3;
    assert_int_equal(gan_dataset_load_png_dir(&ds, sub, &o), GAN_OK);
    gan_dataset_free(ds);
}

static void test_misuse(void **state)
{
    const char *dir = *state;
    gan_dataset *ds = (gan_dataset *)1;
    gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT;
    EXPECT_ERR(gan_dataset_load_png_dir(NULL, dir, NULL), GAN_EINVAL, FN, "out");
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, NULL, NULL), GAN_EINVAL, FN, "path");
    assert_null(ds);
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, "", NULL), GAN_EINVAL, FN, "path");
    o.version = 99;
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, dir, &o), GAN_EUNSUPPORTED, FN, "version");
    o.version = GAN_PNG_DIR_OPTIONS_VERSION;
    o.alpha = 7;
    EXPECT_ERR(gan_dataset_load_png_dir(&ds, dir, &o), GAN_EINVAL, FN, "alpha");
    EXPECT_ERR(gan_png_dir_options_init(NULL, GAN_PNG_DIR_OPTIONS_VERSION), GAN_EINVAL,
               "gan_png_dir_options_init", "opts");
    EXPECT_ERR(gan_png_dir_options_init(&o, 0), GAN_EUNSUPPORTED, "gan_png_dir_options_init",
               "version");
    const gan_png_dir_options init = GAN_PNG_DIR_OPTIONS_INIT;
    assert_int_equal(gan_png_dir_options_init(&o, GAN_PNG_DIR_OPTIONS_VERSION), GAN_OK);
    assert_memory_equal(&o, &init, sizeof o);
}

/* ---- RGB grids ---------------------------------------------------------- */

/* An RGB grid read back by the loader gives the tiles' values at their
 * places, and the grey background between them. */
static void test_rgb_grid(void **state)
{
    const char *dir = *state;
    enum { GR = 2, GC = 3, H = 4, W = 5, TILE = H * W * 3 };
    float *images = seeded_uniform(GR * GC * TILE, 11, 0.0f, 1.0f);
    images[0] = -1.0f; /* clamped */
    images[1] = 2.0f;
    float *last = seeded_uniform(GR * TILE, 12, 0.0f, 1.0f);
    char sub[512], p[512];
    make_dir(sub, sizeof sub, dir, "grid");
    path_join(p, sizeof p, sub, "g.png");
    assert_int_equal(gan_png_write_grid_rgb(p, images, GR, GC, H, W, last), GAN_OK);
    gan_dataset *ds;
    assert_int_equal(gan_dataset_load_png_dir(&ds, sub, NULL), GAN_OK);
    /* Geometry of png_grid.c: separators of 2, gap 4, framed last column. */
    const size_t width = 2 + GC * (W + 2) + 4 + 2 + W + 2, height = 2 + GR * (H + 2);
    assert_int_equal(gan_dataset_cols(ds), width * height * 3);
    const float *x = gan_dataset_data(ds);
    for (size_t r = 0; r < GR; r++)
        for (size_t c = 0; c <= GC; c++)
            for (size_t y = 0; y < H; y++)
                for (size_t xx = 0; xx < W; xx++)
                    for (size_t k = 0; k < 3; k++) {
                        const size_t px = c < GC ? 2 + c * (W + 2) + xx : 2 + GC * (W + 2) + 4 + 2 + xx;
                        const size_t py = 2 + r * (H + 2) + y;
                        const float *src = c < GC ? images + (r * GC + c) * TILE : last + r * TILE;
                        float v = src[(y * W + xx) * 3 + k];
                        v = v < 0 ? 0 : v > 1 ? 1 : v;
                        const float want = (float)(int)(v * 255.0f + 0.5f) / 255.0f;
                        assert_close(x[(py * width + px) * 3 + k], want, 0, 1e-6, "rgb", k);
                    }
    /* Background grey at the corner, white frame around the last column. */
    assert_close(x[0], 128 / 255.0, 0, 1e-6, "background", 0);
    const size_t fx = 2 + GC * (W + 2) + 4;
    for (size_t k = 0; k < 3; k++)
        assert_close(x[fx * 3 + k], 1.0, 0, 0, "frame", k);
    gan_dataset_free(ds);
    /* Without the last column. */
    assert_int_equal(gan_png_write_grid_rgb(p, images, GR, GC, H, W, NULL), GAN_OK);
    assert_int_equal(gan_dataset_load_png_dir(&ds, sub, NULL), GAN_OK);
    assert_int_equal(gan_dataset_cols(ds), (2 + GC * (W + 2)) * height * 3);
    gan_dataset_free(ds);
    free(images);
    free(last);
}

static void test_rgb_grid_bad_inputs(void **state)
{
    const char *dir = *state;
    float img[12] = {0};
    const char *fn = "gan_png_write_grid_rgb";
    char p[512];
    path_join(p, sizeof p, dir, "never.png");
    expect_error(gan_png_write_grid_rgb(NULL, img, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb("", img, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, NULL, 1, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 0, 1, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 1, 0, 2, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 1, 1, 0, 2, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 1, 1, 2, 0, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 1, 1, 2, SIZE_MAX, NULL), GAN_EINVAL, fn);
    expect_error(gan_png_write_grid_rgb(p, img, 1, 400000, 2, 2, NULL), GAN_EINVAL, fn);
    assert_int_equal(access(p, F_OK), -1);
    expect_error(gan_png_write_grid_rgb(dir, img, 1, 1, 2, 2, NULL), GAN_EIO, fn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_grey_sorted),
        TMPDIR_TEST(test_color_types),
        TMPDIR_TEST(test_palette),
        TMPDIR_TEST(test_labels),
        TMPDIR_TEST(test_mismatch),
        TMPDIR_TEST(test_malformed),
        TMPDIR_TEST(test_files_and_folders),
        TMPDIR_TEST(test_misuse),
        TMPDIR_TEST(test_rgb_grid),
        TMPDIR_TEST(test_rgb_grid_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
