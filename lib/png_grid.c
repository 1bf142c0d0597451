/* PNG grids of grey or RGB images (the paper's Figures 2 and 3).
 *
 * Layout (8-bit grey, or 8-bit RGB for gan_png_write_grid_rgb, whose
 * images are height x width x 3, HWC, and gan_png_write_grid_chw, whose
 * images are 3 x height x width, CHW; in pixels):
 *   - tiles of h x w, separated by PNG_SEP grey (PNG_BG) lines, with a
 *     PNG_SEP border around the grid;
 *   - with last_column: a further PNG_GAP grey columns, then one more column
 *     of tiles whose border and separators are white (PNG_FRAME), so the
 *     column stands out as a framed strip.
 * Values are clamped to [0, 1] (NaN counts as 0) and scaled to 0..255.
 * The file is encoded in memory and written atomically (temporary file in
 * the same folder, fsync, rename).
 */
#include "fs.h"
#include "serial.h"
#include "status.h"

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PNG_SEP 2
#define PNG_GAP 4
#define PNG_BG 128
#define PNG_FRAME 255
#define PNG_MAX_SIDE 1000000 /* libpng's default user limit */

typedef struct png_ctx {
    gan__writer out;
    char msg[200];
} png_ctx;

static void png_ctx_error(png_structp png, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(png);
    if (c != NULL) {
        size_t n = strlen(msg);
        if (n >= sizeof c->msg)
            n = sizeof c->msg - 1;
        memcpy(c->msg, msg, n);
        c->msg[n] = '\0';
    }
    png_longjmp(png, 1);
}

static void png_ctx_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    gan__log(GAN_LOG_WARN, "PNG grid: libpng: %s", msg);
}

static void png_ctx_write(png_structp png, png_bytep data, size_t len)
{
    png_ctx *c = png_get_io_ptr(png);
    gan__put_bytes(&c->out, data, len);
    if (c->out.failed)
        png_error(png, "out of memory for the encoded image");
}

static void png_ctx_flush(png_structp png)
{
    (void)png;
}

/* Whether a libpng error message reports a failed allocation: png_malloc
 * says "Out of memory", a failed zlib initialisation (Z_MEM_ERROR) says
 * "insufficient memory". */
static int is_out_of_memory(const char *msg)
{
    return strstr(msg, "ut of memory") != NULL || strstr(msg, "nsufficient memory") != NULL;
}

/* Encode pixels (height x width x channels bytes, channels 1 or 3) into
 * c->out; fn names the public caller. Only png and info live across
 * setjmp, and neither changes after it. */
static int png_encode(png_ctx *c, const uint8_t *pixels, uint32_t width, uint32_t height,
                      size_t channels, const char *fn)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, png_ctx_error, png_ctx_warning);
    if (png == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for the libpng encoder", fn);
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return gan__error(GAN_ENOMEM, "%s: out of memory for the libpng encoder", fn);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        if (c->out.failed || is_out_of_memory(c->msg))
            return gan__error(GAN_ENOMEM, "%s: out of memory encoding the image", fn);
        return gan__error(GAN_EIO, "%s: libpng: %s", fn, c->msg);
    }
    png_set_write_fn(png, c, png_ctx_write, png_ctx_flush);
    png_set_IHDR(png, info, width, height, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    const size_t stride = (size_t)width * channels;
    for (uint32_t y = 0; y < height; y++)
        png_write_row(png, pixels + (size_t)y * stride);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return GAN_OK;
}

static uint8_t px(float v)
{
    if (!(v > 0.0f)) /* also NaN */
        return 0;
    if (v >= 1.0f)
        return 255;
    return (uint8_t)(v * 255.0f + 0.5f);
}

/* Copy one h x w image of ch channels (HWC, or CHW when chw) into the
 * canvas (width pixels of ch bytes a row) at pixel (x0, y0). */
static void draw_tile(uint8_t *canvas, size_t width, size_t ch, size_t x0, size_t y0,
                      const float *img, size_t h, size_t w, int chw)
{
    for (size_t y = 0; y < h; y++) {
        uint8_t *dst = canvas + ((y0 + y) * width + x0) * ch;
        if (!chw) {
            const float *src = img + y * w * ch;
            for (size_t x = 0; x < w * ch; x++)
                dst[x] = px(src[x]);
            continue;
        }
        for (size_t c = 0; c < ch; c++) {
            const float *src = img + (c * h + y) * w;
            for (size_t x = 0; x < w; x++)
                dst[x * ch + c] = px(src[x]);
        }
    }
}

/* Fill a rectangle (in pixels) with the grey v. */
static void fill(uint8_t *canvas, size_t width, size_t ch, size_t x0, size_t y0, size_t rw,
                 size_t rh, uint8_t v)
{
    for (size_t y = y0; y < y0 + rh; y++)
        memset(canvas + (y * width + x0) * ch, v, rw * ch);
}

/* The public writers: ch is 1 (grey) or 3 (RGB, HWC, or CHW when chw). */
static int write_grid(const char *fn, const char *path, const float *images, size_t grid_rows,
                      size_t grid_cols, size_t h, size_t w, const float *last_column, size_t ch,
                      int chw)
{
    int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    GAN_CHECK_NULL(fn, images);
    GAN_CHECK_NONZERO(fn, grid_rows);
    GAN_CHECK_NONZERO(fn, grid_cols);
    GAN_CHECK_NONZERO(fn, h);
    GAN_CHECK_NONZERO(fn, w);
    /* Pixel sizes, each checked against overflow and PNG's limit. */
    size_t main_w, width, height, area;
    const size_t extra = last_column != NULL ? PNG_GAP + PNG_SEP + PNG_SEP : 0;
    if (w > PNG_MAX_SIDE || h > PNG_MAX_SIDE ||
        gan__mul_size(&main_w, grid_cols, w + PNG_SEP) != 0 || main_w > PNG_MAX_SIDE ||
        gan__mul_size(&height, grid_rows, h + PNG_SEP) != 0 || height > PNG_MAX_SIDE)
        return gan__error(GAN_EINVAL, "%s: a %zu x %zu grid of %zu x %zu images is more than PNG's %d pixels a side",
                          fn, grid_rows, grid_cols, h, w, PNG_MAX_SIDE);
    main_w += PNG_SEP;
    height += PNG_SEP;
    width = main_w + (last_column != NULL ? extra + w : 0);
    if (width > PNG_MAX_SIDE || height > PNG_MAX_SIDE || gan__mul_size(&area, width, height) != 0 ||
        gan__mul_size(&area, area, ch) != 0)
        return gan__error(GAN_EINVAL, "%s: the grid would be %zu x %zu pixels, more than PNG's %d a side",
                          fn, height, width, PNG_MAX_SIDE);

    uint8_t *canvas = malloc(area);
    if (canvas == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for a %zu x %zu canvas", fn, height, width);
    memset(canvas, PNG_BG, area);
    const size_t tile = h * w * ch;
    for (size_t r = 0; r < grid_rows; r++)
        for (size_t c = 0; c < grid_cols; c++)
            draw_tile(canvas, width, ch, PNG_SEP + c * (w + PNG_SEP), PNG_SEP + r * (h + PNG_SEP),
                      images + (r * grid_cols + c) * tile, h, w, chw);
    if (last_column != NULL) {
        const size_t fx = main_w + PNG_GAP; /* left edge of the frame */
        fill(canvas, width, ch, fx, 0, PNG_SEP + w + PNG_SEP, height, PNG_FRAME);
        for (size_t r = 0; r < grid_rows; r++)
            draw_tile(canvas, width, ch, fx + PNG_SEP, PNG_SEP + r * (h + PNG_SEP),
                      last_column + r * tile, h, w, chw);
    }

    png_ctx *ctx = malloc(sizeof *ctx);
    if (ctx == NULL) {
        free(canvas);
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    }
    gan__writer_init(&ctx->out);
    ctx->msg[0] = '\0';
    rc = png_encode(ctx, canvas, (uint32_t)width, (uint32_t)height, ch, fn);
    free(canvas);
    if (rc == GAN_OK)
        rc = gan__file_write_atomic(fn, path, ctx->out.data, ctx->out.len);
    gan__writer_free(&ctx->out);
    free(ctx);
    return rc;
}

int gan_png_write_grid(const char *path, const float *images,
                       size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                       const float *last_column)
{
    return write_grid("gan_png_write_grid", path, images, grid_rows, grid_cols, h, w,
                      last_column, 1, 0);
}

int gan_png_write_grid_rgb(const char *path, const float *images,
                           size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                           const float *last_column)
{
    return write_grid("gan_png_write_grid_rgb", path, images, grid_rows, grid_cols, h, w,
                      last_column, 3, 0);
}

int gan_png_write_grid_chw(const char *path, const float *images,
                           size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                           const float *last_column)
{
    return write_grid("gan_png_write_grid_chw", path, images, grid_rows, grid_cols, h, w,
                      last_column, 3, 1);
}
