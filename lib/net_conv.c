/* Convolution and transposed convolution on channel-major rows, lowered to
 * CBLAS products over a chunk of B examples at a time. The columns of the
 * chunk's examples sit side by side, so one product covers the chunk:
 *
 *   conv2d    Y (oc x B P)     = W (oc x K) . [im2col(x_1) .. im2col(x_B)]
 *             (K x B P), K = ic k k, P = oh ow;
 *   deconv2d  col (K' x B Pin) = W^T (K' x ic) . [x_1 .. x_B] (ic x B Pin),
 *             then y_n = col2im(col_n), K' = oc k k, Pin = ih iw (the
 *             conv2d's input gradient).
 *
 * Backward is the same products transposed: the weight gradient is one
 * product per chunk (beta accumulates across chunks), the bias gradient
 * one pass over all rows. The layer's activation and its derivative are
 * applied here too, a chunk at a time while its rows are in cache, so that
 * these functions are the whole layer (examples/bench_conv.c times them).
 *
 * Rows are (example, channel, pixel) while the products want (channel,
 * example, pixel): a staging block of (conv: oc, deconv: ic) x B P floats
 * next to the columns takes the products' result or operand, copied from
 * or to the rows a pixel run at a time (the conv2d forward adds the bias in
 * that copy). Columns plus staging are net->col, sized when the layer is
 * planned (gan__conv_col_floats): B is the most examples whose scratch
 * fits GAN__CONV_CHUNK_FLOATS (16 MiB), at most GAN__CONV_CHUNK_ROWS, at
 * least 1; a layer whose columns have at most GAN__CONV_DIRECT_K rows
 * takes one example at a time, and one example needs no staging (the
 * products read and write its rows directly; the space after its columns
 * holds the phase planes of im2col_rows instead). For the DCGAN of
 * examples/dcgan_model.h the whole batch of 64 is one chunk in the two
 * large layers (14.5 MB for the 64 -> 128 conv) and the one-channel layers
 * (16 column rows) go example by example; the paper's CIFAR-10 conv
 * 3 -> 64 8 x 8 on 32 x 32 (1.1 MB an example) gets B = 15, so batch 128
 * is 9 products. Lowered per example, the large layers' products had
 * N = P = 49 or 196 columns and repacked W (128 x 1024) every time, which
 * is what made them slow; a 16-column W costs nothing to repack.
 *
 * im2col of the input is redone in backward rather than kept, which costs
 * one pass over the columns and saves rows x K x P floats of memory. */
#include "net_conv.h"

#include "blas.h"
#include "clones.h"
#include "status.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The geometry of one im2col / col2im: an image of c x h x w, windows of
 * k x k at stride s with padding p, on a grid of gh x gw positions. */
typedef struct geom {
    size_t c, h, w, k, s, p, gh, gw;
} geom;

/* conv2d windows its input onto its output grid; deconv2d windows its
 * output onto its input grid. */
static geom geom_of(const gan__layer *l)
{
    if (l->kind == GAN_LAYER_CONV2D)
        return (geom){l->ic, l->ih, l->iw, l->kernel, l->stride, l->pad, l->oh, l->ow};
    return (geom){l->oc, l->oh, l->ow, l->kernel, l->stride, l->pad, l->ih, l->iw};
}

/* Whether a layer's columns have so few rows (K = c k k small: the
 * DCGAN's one-channel layers have K = 16) that it lowers one example per
 * product. There the staging copy of a chunk would move one float per
 * 2 K flops of the product, as much time as the product itself, and one
 * example needs no staging (its row already is (channel, pixel)). */
static int direct(const geom *g)
{
    return g->c * g->k * g->k <= GAN__CONV_DIRECT_K;
}

size_t gan__conv_row_floats(const gan__layer *l)
{
    const geom g = geom_of(l);
    /* Columns (c k k) x (gh gw), staging (channels of the other side) x
     * (gh gw): conv2d oc x P, deconv2d ic x Pin. A direct layer stages
     * nothing and keeps the phase planes of the image it windows there
     * instead (im2col_rows), so it gets room for the larger of the two. */
    const size_t other = l->kind == GAN_LAYER_CONV2D ? l->oc : l->ic;
    size_t kk, ck, np, cols, stage, plane, image;
    if (gan__mul_size(&kk, g.k, g.k) || gan__mul_size(&ck, g.c, kk) ||
        gan__mul_size(&np, g.gh, g.gw) || gan__mul_size(&cols, ck, np) ||
        gan__mul_size(&stage, other, np) || gan__mul_size(&plane, g.h, g.w) ||
        gan__mul_size(&image, g.c, plane))
        return SIZE_MAX;
    if (direct(&g) && image > stage)
        stage = image;
    if (cols > SIZE_MAX - stage)
        return SIZE_MAX;
    return cols + stage;
}

size_t gan__conv_col_floats(const gan__layer *l)
{
    const size_t per = gan__conv_row_floats(l);
    if (per == SIZE_MAX || per == 0)
        return per;
    const geom g = geom_of(l);
    if (direct(&g))
        return per;
    size_t chunk = GAN__CONV_CHUNK_FLOATS / per;
    if (chunk < 1)
        chunk = 1;
    if (chunk > GAN__CONV_CHUNK_ROWS)
        chunk = GAN__CONV_CHUNK_ROWS;
    return chunk * per; /* <= max(per, GAN__CONV_CHUNK_FLOATS) */
}

/* Examples per product: what the planner sized net->col for. */
static size_t chunk_of(const gan__layer *l)
{
    const size_t b = l->colw / gan__conv_row_floats(l);
    return b > 0 ? b : 1;
}

/* The grid positions [*lo, *hi) of n whose tap o s + off falls inside
 * [0, len): outside it the window reads padding. Computed once per kernel
 * row or column so the copy loops carry no bounds test. */
static void tap_range(size_t *lo, size_t *hi, ptrdiff_t off, size_t s, size_t len, size_t n)
{
    size_t a = 0, b = 0;
    if (off < 0)
        a = ((size_t)(-off) + s - 1) / s;
    const ptrdiff_t last = (ptrdiff_t)len - 1 - off; /* largest o s allowed */
    if (last >= 0)
        b = (size_t)last / s + 1;
    if (b > n)
        b = n;
    if (a > b)
        a = b;
    *lo = a;
    *hi = b;
}

/* dst[i] = src[i s], i < n; stride 2 (the DCGAN's) and 1 spelled out so
 * the compiler vectorises them. */
static inline void gather_taps(float *restrict dst, const float *restrict src, size_t n, size_t s)
{
    if (s == 1) {
        memcpy(dst, src, n * sizeof *dst);
    } else if (s == 2) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[2 * i];
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i * s];
    }
}

/* dst[i s] += src[i], i < n. */
static inline void add_taps(float *restrict dst, const float *restrict src, size_t n, size_t s)
{
    if (s == 1) {
        for (size_t i = 0; i < n; i++)
            dst[i] += src[i];
    } else if (s == 2) {
        for (size_t i = 0; i < n; i++)
            dst[2 * i] += src[i];
    } else {
        for (size_t i = 0; i < n; i++)
            dst[i * s] += src[i];
    }
}

/* The windows of img as columns: row (c, ky, kx) of col (leading dimension
 * ld) gets the gh gw taps of that kernel position; padding reads as 0. */
GAN__VECTOR_CLONES
static void im2col(float *col, size_t ld, const float *img, const geom *g)
{
    const size_t gh = g->gh, gw = g->gw, s = g->s, k = g->k, plane = g->h * g->w;
    for (size_t ky = 0; ky < k; ky++) {
        const ptrdiff_t y0 = (ptrdiff_t)ky - (ptrdiff_t)g->p;
        size_t ylo, yhi;
        tap_range(&ylo, &yhi, y0, s, g->h, gh);
        for (size_t kx = 0; kx < k; kx++) {
            const ptrdiff_t x0 = (ptrdiff_t)kx - (ptrdiff_t)g->p;
            size_t xlo, xhi;
            tap_range(&xlo, &xhi, x0, s, g->w, gw);
            for (size_t c = 0; c < g->c; c++) {
                float *row = col + ((c * k + ky) * k + kx) * ld;
                memset(row, 0, ylo * gw * sizeof *row);
                for (size_t oy = ylo; oy < yhi; oy++) {
                    float *out = row + oy * gw;
                    const float *in =
                        img + c * plane + (size_t)((ptrdiff_t)(oy * s) + y0) * g->w;
                    for (size_t ox = 0; ox < xlo; ox++)
                        out[ox] = 0.0f;
                    if (xhi > xlo)
                        gather_taps(out + xlo, in + (size_t)((ptrdiff_t)(xlo * s) + x0),
                                    xhi - xlo, s);
                    for (size_t ox = xhi; ox < gw; ox++)
                        out[ox] = 0.0f;
                }
                memset(row + yhi * gw, 0, (gh - yhi) * gw * sizeof *row);
            }
        }
    }
}

/* im2col_chunk's table: at most this many grid positions, grid rows
 * shorter than TAP_TABLE_ROW (below one AVX-512 vector of floats, where
 * im2col's row loops stop vectorising), and at least TAP_TABLE_USES
 * (channel, example) planes to share each table (building one costs as
 * much as one plane's gathers). */
#define TAP_TABLE 1024
#define TAP_TABLE_ROW 16
#define TAP_TABLE_USES 8
/* A table entry: the source offset, with this bit set where the tap
 * reads padding (read as 0, from offset 0). One array of them keeps the
 * tables' stack small (4 KiB and 8 KiB). */
#define PAD_BIT 0x80000000u
#define OFFSET_MASK 0x7fffffffu

/* dst[j] = src[off[j]], 0 where off[j] has PAD_BIT. The loads are
 * unconditional (offset 0 for padding) so that the loop becomes vector
 * gathers. */
static inline void gather_table(float *restrict dst, const float *restrict src,
                                const uint32_t *restrict off, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        const float v = src[off[j] & OFFSET_MASK];
        dst[j] = (off[j] & PAD_BIT) ? 0.0f : v;
    }
}

/* dst[j] += src[off[j]], + 0 where off[j] has PAD_BIT. */
static inline void add_table(float *restrict dst, const float *restrict src,
                             const uint32_t *restrict off, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        const float v = src[off[j] & OFFSET_MASK];
        dst[j] += (off[j] & PAD_BIT) ? 0.0f : v;
    }
}

/* im2col of the b images img, img + stride, ... into the b column blocks
 * of col (example n's at col + n gh gw). A small grid goes through a table
 * of each tap's source offsets, shared by every channel and example: one
 * loop of gh gw gathers per (tap, channel, example), which vectorises,
 * where im2col makes gh loops of gw (7 for the DCGAN's 7 x 7 grid). */
GAN__VECTOR_CLONES
static void im2col_chunk(float *col, size_t ld, const float *img, size_t stride, size_t b,
                         const geom *g)
{
    const size_t gh = g->gh, gw = g->gw, np = gh * gw, plane = g->h * g->w, k = g->k;
    if (np > TAP_TABLE || gw >= TAP_TABLE_ROW || g->c * b < TAP_TABLE_USES ||
        plane > OFFSET_MASK) {
        for (size_t n = 0; n < b; n++)
            im2col(col + n * np, ld, img + n * stride, g);
        return;
    }
    uint32_t off[TAP_TABLE];
    for (size_t ky = 0; ky < k; ky++)
        for (size_t kx = 0; kx < k; kx++) {
            for (size_t oy = 0; oy < gh; oy++)
                for (size_t ox = 0; ox < gw; ox++) {
                    const ptrdiff_t iy = (ptrdiff_t)(oy * g->s + ky) - (ptrdiff_t)g->p;
                    const ptrdiff_t ix = (ptrdiff_t)(ox * g->s + kx) - (ptrdiff_t)g->p;
                    const int in = iy >= 0 && iy < (ptrdiff_t)g->h && ix >= 0 &&
                                   ix < (ptrdiff_t)g->w;
                    off[oy * gw + ox] =
                        in ? (uint32_t)((size_t)iy * g->w + (size_t)ix) : PAD_BIT;
                }
            for (size_t c = 0; c < g->c; c++) {
                float *row = col + ((c * k + ky) * k + kx) * ld;
                for (size_t n = 0; n < b; n++)
                    gather_table(row + n * np, img + n * stride + c * plane, off, np);
            }
        }
}

/* img += the windows of col (the adjoint of im2col); padding is dropped. */
GAN__VECTOR_CLONES
static void col2im_add(float *img, const float *col, size_t ld, const geom *g)
{
    const size_t gw = g->gw, s = g->s, k = g->k, plane = g->h * g->w;
    for (size_t ky = 0; ky < k; ky++) {
        const ptrdiff_t y0 = (ptrdiff_t)ky - (ptrdiff_t)g->p;
        size_t ylo, yhi;
        tap_range(&ylo, &yhi, y0, s, g->h, g->gh);
        for (size_t kx = 0; kx < k; kx++) {
            const ptrdiff_t x0 = (ptrdiff_t)kx - (ptrdiff_t)g->p;
            size_t xlo, xhi;
            tap_range(&xlo, &xhi, x0, s, g->w, gw);
            if (xhi == xlo)
                continue;
            for (size_t c = 0; c < g->c; c++) {
                const float *row = col + ((c * k + ky) * k + kx) * ld;
                for (size_t oy = ylo; oy < yhi; oy++) {
                    float *out = img + c * plane + (size_t)((ptrdiff_t)(oy * s) + y0) * g->w;
                    add_taps(out + (size_t)((ptrdiff_t)(xlo * s) + x0), row + oy * gw + xlo,
                             xhi - xlo, s);
                }
            }
        }
    }
}

/* col2im_chunk's table: at most this many (pixel, tap) entries; the same
 * grid-row and sharing limits as im2col_chunk's. */
#define PIXEL_TABLE 2048

/* img_n += the windows of col's block n, for the b images img, img +
 * stride, ... (col2im_add of each). A small grid is gathered per image
 * pixel instead: a table lists, for each pixel, the col offsets of the
 * taps that read it (at most ceil(k / s)^2, in the (ky, kx) order
 * col2im_add adds them, so the sums round the same), shared by every
 * channel and example; the adds then run along the image's pixels, which
 * vectorises, instead of along gw-long grid rows. */
GAN__VECTOR_CLONES
static void col2im_chunk(float *img, size_t stride, const float *col, size_t ld, size_t b,
                         const geom *g)
{
    const size_t np = g->gh * g->gw, plane = g->h * g->w, k = g->k, s = g->s;
    const size_t per_pixel = ((k + s - 1) / s) * ((k + s - 1) / s);
    if (g->gw >= TAP_TABLE_ROW || g->c * b < TAP_TABLE_USES || per_pixel > PIXEL_TABLE ||
        plane > PIXEL_TABLE / per_pixel || k * k > OFFSET_MASK / ld) {
        for (size_t n = 0; n < b; n++)
            col2im_add(img + n * stride, col + n * np, ld, g);
        return;
    }
    uint32_t off[PIXEL_TABLE];
    /* Entry m of pixel i at m plane + i; unused entries add 0. */
    for (size_t e = 0; e < per_pixel * plane; e++)
        off[e] = PAD_BIT;
    for (size_t iy = 0; iy < g->h; iy++)
        for (size_t ix = 0; ix < g->w; ix++) {
            const size_t i = iy * g->w + ix;
            size_t m = 0;
            for (size_t ky = 0; ky < k; ky++) {
                /* Grid row oy reads image row oy s + ky - p. */
                const size_t ty = iy + g->p;
                if (ty < ky || (ty - ky) % s != 0 || (ty - ky) / s >= g->gh)
                    continue;
                for (size_t kx = 0; kx < k; kx++) {
                    const size_t tx = ix + g->p;
                    if (tx < kx || (tx - kx) % s != 0 || (tx - kx) / s >= g->gw)
                        continue;
                    off[m * plane + i] =
                        (uint32_t)((ky * k + kx) * ld + (ty - ky) / s * g->gw + (tx - kx) / s);
                    m++;
                }
            }
        }
    for (size_t c = 0; c < g->c; c++)
        for (size_t n = 0; n < b; n++) {
            const float *base = col + c * k * k * ld + n * np;
            float *dst = img + n * stride + c * plane;
            for (size_t m = 0; m < per_pixel; m++)
                add_table(dst, base, off + m * plane, plane);
        }
}

/* Phase planes. Where k - 2 p = s and s divides h and w, the grid is
 * (h / s) x (w / s) and tap (ky, kx) at grid position (oy, ox) reads
 * pixel (s oy + ky - p, s ox + kx - p), which is pixel (oy + dy, ox + dx)
 * of the image's phase plane (py, px), with ky - p = s dy + py and
 * 0 <= py < s (likewise kx). A phase plane has the grid's shape, so each
 * tap's column row is its phase plane shifted by dy gw + dx: one
 * contiguous copy, where im2col makes gh strided copies of gw floats
 * (14 for the DCGAN's one-channel layers, too short to vectorise). The
 * 4 x 4, stride 2, padding 1 convolutions of DCGANs have this shape. */
static int phase_geom(const geom *g)
{
    return g->k >= g->s && g->k - g->s == 2 * g->p && g->h % g->s == 0 &&
           g->w % g->s == 0 && g->gh == g->h / g->s && g->gw == g->w / g->s;
}

/* t = s *d + *ph with 0 <= *ph < s. */
static void phase_of(ptrdiff_t *d, size_t *ph, ptrdiff_t t, size_t s)
{
    ptrdiff_t q = t / (ptrdiff_t)s, r = t % (ptrdiff_t)s;
    if (r < 0) {
        r += (ptrdiff_t)s;
        q--;
    }
    *d = q;
    *ph = (size_t)r;
}

/* ph (c s s planes of gh gw, plane (c, py, px) at ((c s + py) s + px)
 * gh gw) = the phase planes of img (c x h x w). */
GAN__VECTOR_CLONES
static void to_phases(float *restrict ph, const float *restrict img, const geom *g)
{
    const size_t s = g->s, gw = g->gw, np = g->gh * gw;
    for (size_t c = 0; c < g->c; c++)
        for (size_t y = 0; y < g->h; y++) {
            const float *src = img + (c * g->h + y) * g->w;
            float *dst = ph + (c * s + y % s) * s * np + (y / s) * gw;
            if (s == 2) {
                for (size_t x = 0; x < gw; x++) {
                    dst[x] = src[2 * x];
                    dst[np + x] = src[2 * x + 1];
                }
            } else {
                for (size_t px = 0; px < s; px++)
                    for (size_t x = 0; x < gw; x++)
                        dst[px * np + x] = src[x * s + px];
            }
        }
}

/* im2col of one image from its phase planes ph (to_phases). */
static void im2col_phases(float *col, size_t ld, const float *ph, const geom *g)
{
    const size_t s = g->s, k = g->k, gh = g->gh, gw = g->gw, np = gh * gw;
    for (size_t ky = 0; ky < k; ky++) {
        ptrdiff_t dy;
        size_t py, ylo, yhi;
        phase_of(&dy, &py, (ptrdiff_t)ky - (ptrdiff_t)g->p, s);
        tap_range(&ylo, &yhi, dy, 1, gh, gh); /* oy + dy inside */
        for (size_t kx = 0; kx < k; kx++) {
            ptrdiff_t dx;
            size_t px, xlo, xhi;
            phase_of(&dx, &px, (ptrdiff_t)kx - (ptrdiff_t)g->p, s);
            tap_range(&xlo, &xhi, dx, 1, gw, gw);
            const ptrdiff_t shift = dy * (ptrdiff_t)gw + dx;
            for (size_t c = 0; c < g->c; c++) {
                float *row = col + ((c * k + ky) * k + kx) * ld;
                const float *plane = ph + ((c * s + py) * s + px) * np;
                if (yhi == ylo || xhi == xlo) {
                    memset(row, 0, np * sizeof *row);
                    continue;
                }
                memset(row, 0, ylo * gw * sizeof *row);
                memset(row + yhi * gw, 0, (gh - yhi) * gw * sizeof *row);
                /* One copy from the first position inside to the last;
                 * what it puts in the columns outside (neighbouring rows'
                 * ends) is zeroed after. */
                const size_t first = ylo * gw + xlo, end = (yhi - 1) * gw + xhi;
                memcpy(row + first, plane + ((ptrdiff_t)first + shift),
                       (end - first) * sizeof *row);
                if (xlo > 0 || xhi < gw)
                    for (size_t oy = ylo; oy < yhi; oy++) {
                        for (size_t ox = 0; ox < xlo; ox++)
                            row[oy * gw + ox] = 0.0f;
                        for (size_t ox = xhi; ox < gw; ox++)
                            row[oy * gw + ox] = 0.0f;
                    }
            }
        }
    }
}

/* im2col_chunk, except that a direct layer's single example in phase
 * geometry goes through its phase planes, kept in the scratch after the
 * columns (gan__conv_row_floats leaves room for them there). */
static void im2col_rows(float *col, size_t ld, const float *img, size_t stride, size_t b,
                        const geom *g)
{
    if (b == 1 && direct(g) && phase_geom(g)) {
        float *ph = col + g->c * g->k * g->k * ld;
        to_phases(ph, img, g);
        im2col_phases(col, ld, ph, g);
        return;
    }
    im2col_chunk(col, ld, img, stride, b, g);
}

/* stage (ch x b np) = the b rows of x (width ch np each, starting at row
 * x), example by example: the layout the products take. */
static void rows_to_stage(float *stage, const float *x, size_t b, size_t ch, size_t np)
{
    const size_t ld = b * np;
    for (size_t n = 0; n < b; n++)
        for (size_t c = 0; c < ch; c++)
            memcpy(stage + c * ld + n * np, x + (n * ch + c) * np, np * sizeof *stage);
}

/* The inverse: y (b rows of ch np) = stage (ch x b np). */
static void stage_to_rows(float *y, const float *stage, size_t b, size_t ch, size_t np)
{
    const size_t ld = b * np;
    for (size_t n = 0; n < b; n++)
        for (size_t c = 0; c < ch; c++)
            memcpy(y + (n * ch + c) * np, stage + c * ld + n * np, np * sizeof *y);
}

/* The same into pre with bias[c] added to channel c, and, when y is
 * non-NULL, the layer's activation of each example's row into y while the
 * row is in cache. */
GAN__VECTOR_CLONES
static void stage_to_rows_bias(float *pre, float *y, const float *stage, const float *bias,
                               size_t b, size_t ch, size_t np, const gan__layer *l)
{
    const size_t ld = b * np;
    for (size_t n = 0; n < b; n++) {
        for (size_t c = 0; c < ch; c++) {
            float *restrict dst = pre + (n * ch + c) * np;
            const float *restrict src = stage + c * ld + n * np;
            const float bc = bias[c];
            for (size_t p = 0; p < np; p++)
                dst[p] = src[p] + bc;
        }
        if (y != NULL)
            gan__activate(y + n * ch * np, pre + n * ch * np, ch * np, l->act, l->slope);
    }
}

/* Each of the oc planes of one row y starts as the channel's bias. */
static void fill_bias(float *y, const float *bias, size_t oc, size_t pixels)
{
    for (size_t c = 0; c < oc; c++) {
        float *restrict dst = y + c * pixels;
        const float bc = bias[c];
        for (size_t p = 0; p < pixels; p++)
            dst[p] = bc;
    }
}

/* The products' operand for the b rows at rows: copied to stage in the
 * (channel, example, pixel) layout, or, for one example, the row itself,
 * which already is (channel, pixel). */
static const float *staged(float *stage, const float *rows, size_t b, size_t ch, size_t np)
{
    if (b == 1)
        return rows;
    rows_to_stage(stage, rows, b, ch, np);
    return stage;
}

void gan__conv_forward(const gan__layer *l, const float *params, float *pre, float *y,
                       const float *x, size_t rows, float *col)
{
    const geom g = geom_of(l);
    const float *w = params, *bias = params + l->nw;
    const size_t chunk = chunk_of(l), kk = l->kernel * l->kernel;
    const size_t pout = l->oh * l->ow, pin = l->ih * l->iw;
    for (size_t n0 = 0; n0 < rows; n0 += chunk) {
        const size_t b = rows - n0 < chunk ? rows - n0 : chunk;
        float *pn = pre + n0 * l->out, *yn = y != NULL ? y + n0 * l->out : NULL;
        if (l->kind == GAN_LAYER_CONV2D) {
            const size_t K = l->ic * kk, ld = b * pout;
            im2col_rows(col, ld, x + n0 * l->in, l->in, b, &g);
            if (b > 1) {
                float *stage = col + K * ld;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->oc, (int)ld,
                            (int)K, 1.0f, w, (int)K, col, (int)ld, 0.0f, stage, (int)ld);
                stage_to_rows_bias(pn, yn, stage, bias, b, l->oc, pout, l);
                continue;
            }
            /* One example: the product adds onto its row, which starts as
             * the bias; no staging. */
            fill_bias(pn, bias, l->oc, pout);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->oc, (int)ld, (int)K,
                        1.0f, w, (int)K, col, (int)ld, 1.0f, pn, (int)ld);
        } else {
            const size_t K = l->oc * kk, ld = b * pin;
            const float *xs = staged(col + K * ld, x + n0 * l->in, b, l->ic, pin);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)ld, (int)l->ic,
                        1.0f, w, (int)K, xs, (int)ld, 0.0f, col, (int)ld);
            for (size_t n = 0; n < b; n++)
                fill_bias(pn + n * l->out, bias, l->oc, pout);
            col2im_chunk(pn, l->out, col, ld, b, &g);
        }
        /* The layer's activation, while the chunk's rows are in cache. */
        if (yn != NULL)
            gan__activate(yn, pn, b * l->out, l->act, l->slope);
    }
}

/* db (oc) folded: out = alpha * (sum over rows and pixels of d) + beta *
 * out. Eight partial sums per pixel run keep the adds independent (they
 * vectorise without reassociating anything the compiler must preserve). */
GAN__VECTOR_CLONES
static void bias_grad(float *db, const float *d, size_t rows, size_t oc, size_t pixels,
                      float alpha, float beta)
{
    for (size_t c = 0; c < oc; c++) {
        float s = 0.0f;
        for (size_t n = 0; n < rows; n++) {
            const float *src = d + (n * oc + c) * pixels;
            float part[8] = {0};
            size_t p = 0;
            for (; p + 8 <= pixels; p += 8)
                for (int i = 0; i < 8; i++)
                    part[i] += src[p + (size_t)i];
            float t = ((part[0] + part[4]) + (part[1] + part[5])) +
                      ((part[2] + part[6]) + (part[3] + part[7]));
            for (; p < pixels; p++)
                t += src[p];
            s += t;
        }
        db[c] = alpha * s + (beta == 0.0f ? 0.0f : beta * db[c]);
    }
}

void gan__conv_backward(const gan__layer *l, const float *params, const gan__conv_grad *a,
                        float *col)
{
    if (a->rows == 0)
        return;
    const geom g = geom_of(l);
    const float *w = params;
    const size_t chunk = chunk_of(l), kk = l->kernel * l->kernel;
    const size_t pout = l->oh * l->ow, pin = l->ih * l->iw;
    float *gout = a->gout;
    for (size_t n0 = 0; n0 < a->rows; n0 += chunk) {
        const size_t b = a->rows - n0 < chunk ? a->rows - n0 : chunk;
        /* The first chunk applies the caller's beta, the rest add. */
        const float bw = n0 == 0 ? a->beta : 1.0f;
        const float *x = a->x + n0 * l->in;
        float *dx = a->dx != NULL ? a->dx + n0 * l->in : NULL;
        /* The chunk's pre-activation gradient (b x out), through the
         * activation while its rows are in cache. */
        const float *dpre = a->g + n0 * l->out;
        if (a->pre != NULL) {
            const size_t o = n0 * l->out;
            gan__activation_backward(a->dpre + o, dpre, a->pre + o, a->y + o, b * l->out, l->act,
                                     l->slope);
            dpre = a->dpre + o;
        }
        if (l->kind == GAN_LAYER_CONV2D) {
            const size_t K = l->ic * kk, ld = b * pout;
            /* dY (oc x B P) */
            const float *dys = staged(col + K * ld, dpre, b, l->oc, pout);
            if (gout != NULL) {
                im2col_rows(col, ld, x, l->in, b, &g);
                /* dW (oc x K) = dY . col^T */
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)l->oc, (int)K, (int)ld,
                            a->alpha, dys, (int)ld, col, (int)ld, bw, gout, (int)K);
            }
            if (dx != NULL) {
                /* dcol (K x B P) = W^T dY, then back onto each image. */
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)K, (int)ld, (int)l->oc,
                            1.0f, w, (int)K, dys, (int)ld, 0.0f, col, (int)ld);
                memset(dx, 0, b * l->in * sizeof *dx);
                col2im_chunk(dx, l->in, col, ld, b, &g);
            }
        } else {
            const size_t K = l->oc * kk, ld = b * pin;
            float *stage = col + K * ld;
            im2col_rows(col, ld, dpre, l->out, b, &g); /* dcol (K' x B Pin) */
            if (gout != NULL) {
                /* dW (ic x K') = X (ic x B Pin) . dcol^T */
                const float *xs = staged(stage, x, b, l->ic, pin);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)l->ic, (int)K, (int)ld,
                            a->alpha, xs, (int)ld, col, (int)ld, bw, gout, (int)K);
            }
            if (dx != NULL) {
                /* dX (ic x B Pin) = W dcol, straight into the row for one
                 * example. */
                float *dxs = b == 1 ? dx : stage;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)l->ic, (int)ld, (int)K,
                            1.0f, w, (int)K, col, (int)ld, 0.0f, dxs, (int)ld);
                if (b > 1)
                    stage_to_rows(dx, stage, b, l->ic, pin);
            }
        }
    }
    /* The bias gradient over all rows at once, in the order it always
     * summed them. */
    if (gout != NULL)
        bias_grad(gout + l->nw, a->pre != NULL ? a->dpre : a->g, a->rows, l->oc, pout, a->alpha,
                  a->beta);
}
