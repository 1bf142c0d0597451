/* gan_dataset_load_png_dir: a folder of PNG images (optionally one
 * subfolder per class) into a dataset, decoded by libpng.
 *
 * Files are listed, sorted by name (strcmp) and decoded one by one into
 * their row: the first image fixes height, width and channels, and the
 * dataset's storage is allocated then. Each file is read whole (at most
 * PNG_MAX_FILE bytes) and decoded from memory, so a file that changes
 * while it is read cannot confuse the decoder; bytes after IEND are
 * refused. Before the pixels are inflated, the announced image size is
 * checked against the file's length with deflate's largest ratio, so a
 * tiny file cannot claim an image that would exhaust memory. */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "fs.h"
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PNG_MAX_FILE ((size_t)256 << 20)
#define PNG_MAX_SIDE_LOAD (1u << 24)
#define PNG_DEFAULT_MAX_FILES (1u << 24)
/* Entries read from one folder at most (files of any kind). */
#define PNG_MAX_ENTRIES (1u << 26)
/* Deflate expands by at most about 1032:1. */
#define PNG_MAX_DEFLATE_RATIO 1040u

GAN__DEFINE_OPTIONS_INIT(gan_png_dir_options_init, gan_png_dir_options,
                         GAN_PNG_DIR_OPTIONS_VERSION, GAN_PNG_DIR_OPTIONS_INIT)

static const char FN[] = "gan_dataset_load_png_dir";

/* ---- folder listings ---- */

typedef struct name_list {
    char **names;
    size_t n, cap;
} name_list;

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = l->cap = 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "dir/name", malloc'ed, or NULL. */
static char *join(const char *dir, const char *name)
{
    const size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    size_t at = a;
    if (a > 0 && dir[a - 1] != '/')
        p[at++] = '/';
    memcpy(p + at, name, b + 1);
    return p;
}

/* The non-hidden entries of folder dir, sorted. */
static int list_folder(name_list *out, const char *dir)
{
    char eb[GAN_ERRNO_TEXT_MAX];
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (d == NULL) {
        const int e = errno;
        return gan__error(GAN_EIO, "%s: cannot open the folder: %s", dir, gan__errno_text(e, eb));
    }
    int rc = GAN_OK;
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(d);
        if (ent == NULL) {
            if (errno != 0) {
                const int e = errno;
                rc = gan__error(GAN_EIO, "%s: cannot list the folder: %s", dir, gan__errno_text(e, eb));
            }
            break;
        }
        if (ent->d_name[0] == '.')
            continue;
        if (out->n == PNG_MAX_ENTRIES) {
            rc = gan__error(GAN_EFORMAT, "%s: more than %u entries in the folder", dir,
                            PNG_MAX_ENTRIES);
            break;
        }
        if (out->n == out->cap) {
            const size_t cap = out->cap ? 2 * out->cap : 64;
            char **nn = realloc(out->names, cap * sizeof *nn);
            if (nn == NULL) {
                rc = gan__error(GAN_ENOMEM, "%s: out of memory listing the folder", dir);
                break;
            }
            out->names = nn;
            out->cap = cap;
        }
        char *copy = malloc(strlen(ent->d_name) + 1);
        if (copy == NULL) {
            rc = gan__error(GAN_ENOMEM, "%s: out of memory listing the folder", dir);
            break;
        }
        strcpy(copy, ent->d_name);
        out->names[out->n++] = copy;
    }
    closedir(d);
    if (rc != GAN_OK) {
        names_free(out);
        return rc;
    }
    if (out->n > 1)
        qsort(out->names, out->n, sizeof *out->names, cmp_names);
    return GAN_OK;
}

static int is_png_name(const char *name)
{
    const size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

static int is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The images to load: paths and labels, in row order. */
typedef struct item_list {
    char **paths;
    int32_t *labels;
    size_t n, cap, max;
} item_list;

static void items_free(item_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->labels);
}

static int items_add(item_list *l, const char *dir, const char *name, int32_t label,
                     const char *root)
{
    if (l->n == l->max)
        return gan__error(GAN_EFORMAT, "%s: more than %zu PNG images (the max_files option)", root,
                          l->max);
    if (l->n == l->cap) {
        const size_t cap = l->cap ? 2 * l->cap : 64;
        char **np = realloc(l->paths, cap * sizeof *np);
        if (np == NULL)
            return gan__error(GAN_ENOMEM, "%s: out of memory listing images", root);
        l->paths = np;
        int32_t *nl = realloc(l->labels, cap * sizeof *nl);
        if (nl == NULL)
            return gan__error(GAN_ENOMEM, "%s: out of memory listing images", root);
        l->labels = nl;
        l->cap = cap;
    }
    char *p = join(dir, name);
    if (p == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory listing images", root);
    l->paths[l->n] = p;
    l->labels[l->n] = label;
    l->n++;
    return GAN_OK;
}

/* Append the PNG files of folder dir with the given label. */
static int add_pngs(item_list *items, const char *dir, int32_t label, const char *root)
{
    name_list names;
    int rc = list_folder(&names, dir);
    for (size_t i = 0; rc == GAN_OK && i < names.n; i++)
        if (is_png_name(names.names[i]))
            rc = items_add(items, dir, names.names[i], label, root);
    names_free(&names);
    return rc;
}

/* One class per subfolder of root, in name order. */
static int add_classes(item_list *items, const char *root)
{
    name_list names;
    int rc = list_folder(&names, root);
    int32_t label = 0;
    for (size_t i = 0; rc == GAN_OK && i < names.n; i++) {
        char *p = join(root, names.names[i]);
        if (p == NULL) {
            rc = gan__error(GAN_ENOMEM, "%s: out of memory listing images", root);
            break;
        }
        if (is_folder(p)) {
            if (label == INT32_MAX)
                rc = gan__error(GAN_EFORMAT, "%s: too many class folders", root);
            else
                rc = add_pngs(items, p, label++, root);
        } else if (is_png_name(names.names[i])) {
            rc = gan__error(GAN_EFORMAT, "%s: a PNG image outside the class folders; with the labels "
                            "option every image must be in a subfolder named after its class", p);
        }
        free(p);
    }
    names_free(&names);
    return rc;
}

/* ---- decoding ---- */

typedef struct png_load {
    /* the file being decoded */
    const char *path;
    const unsigned char *data;
    size_t len, pos;
    char msg[256];
    uint32_t alpha;
    /* the shape every image must have (set by the first) */
    int have_shape;
    uint32_t h, w, ch;
    size_t cols;
    /* per image */
    unsigned char *img;
    png_bytep *rowp;
    uint32_t bit_depth;
    /* the dataset */
    float *x;
    size_t rows;
    int mismatch; /* set when the image's shape differs from the first's */
    uint32_t got_h, got_w, got_ch;
} png_load;

static void load_error(png_structp png, png_const_charp msg)
{
    png_load *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void load_warning(png_structp png, png_const_charp msg)
{
    png_load *c = png_get_error_ptr(png);
    gan__log(GAN_LOG_WARN, "%s: %s: libpng: %s", FN, c->path, msg);
}

static void load_read(png_structp png, png_bytep out, size_t n)
{
    png_load *c = png_get_io_ptr(png);
    if (n > c->len - c->pos)
        png_error(png, "truncated: the file ends inside a chunk");
    memcpy(out, c->data + c->pos, n);
    c->pos += n;
}

static int out_of_memory_msg(const char *msg)
{
    return strstr(msg, "ut of memory") != NULL || strstr(msg, "nsufficient memory") != NULL;
}

/* Channels after our transforms, from the colour type and tRNS. */
static uint32_t out_channels(int color_type, int has_trns, uint32_t alpha)
{
    uint32_t base = (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
    const int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) || has_trns;
    return base + (has_alpha && alpha == GAN_PNG_ALPHA_KEEP ? 1 : 0);
}

/* Decode c->data into row `row` of c->x (allocating c->x on the first
 * image). Raises its own errors. Everything that changes after setjmp
 * lives in *c. */
static int decode(png_load *c, size_t row)
{
    c->pos = 0;
    c->msg[0] = '\0';
    c->mismatch = 0;
    if (c->len < 8 || png_sig_cmp(c->data, 0, 8) != 0)
        return gan__error(GAN_EFORMAT, "%s: not a PNG image (%s)", c->path,
                          c->len < 8 ? "shorter than the 8-byte signature" : "bad signature");
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, load_error, load_warning);
    if (png == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for the libpng decoder", c->path);
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return gan__error(GAN_ENOMEM, "%s: out of memory for the libpng decoder", c->path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        if (out_of_memory_msg(c->msg))
            return gan__error(GAN_ENOMEM, "%s: out of memory decoding the image", c->path);
        if (c->mismatch)
            return gan__error(GAN_ESHAPE, "%s: %lu x %lu pixels with %lu channel%s, but the first "
                              "image is %lu x %lu with %lu channel%s", c->path,
                              (unsigned long)c->got_h, (unsigned long)c->got_w,
                              (unsigned long)c->got_ch, c->got_ch == 1 ? "" : "s",
                              (unsigned long)c->h, (unsigned long)c->w, (unsigned long)c->ch,
                              c->ch == 1 ? "" : "s");
        return gan__error(GAN_EFORMAT, "%s: not a valid PNG image: %s", c->path, c->msg);
    }
    png_set_read_fn(png, c, load_read);
    png_set_user_limits(png, PNG_MAX_SIDE_LOAD, PNG_MAX_SIDE_LOAD);
    /* A damaged chunk is an error, ancillary ones included. */
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    png_read_info(png, info);
    png_uint_32 w, h;
    int depth, color, interlace;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    const int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    const size_t file_rowbytes = png_get_rowbytes(png, info); /* as stored */
    c->got_h = h;
    c->got_w = w;
    c->got_ch = out_channels(color, has_trns, c->alpha);
    if (c->have_shape && (h != c->h || w != c->w || c->got_ch != c->ch)) {
        c->mismatch = 1;
        png_error(png, "shape mismatch");
    }
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns)
        png_set_tRNS_to_alpha(png);
    if (c->alpha == GAN_PNG_ALPHA_DROP)
        png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const uint32_t ch = png_get_channels(png, info);
    c->bit_depth = png_get_bit_depth(png, info);
    const size_t rowbytes = png_get_rowbytes(png, info);
    if (ch != c->got_ch || (c->bit_depth != 8 && c->bit_depth != 16) ||
        rowbytes != (size_t)w * ch * (c->bit_depth / 8))
        png_error(png, "unexpected layout after the transforms");
    /* The filtered image (one filter byte a row) is inflated from the
     * file's IDAT chunks; more than the ratio allows cannot be there. */
    const size_t raw = (file_rowbytes + 1) * h;
    if (raw / PNG_MAX_DEFLATE_RATIO > c->len) {
        snprintf(c->msg, sizeof c->msg, "truncated: a %lu x %lu image cannot be stored in %zu bytes",
                 (unsigned long)h, (unsigned long)w, c->len);
        png_longjmp(png, 1);
    }
    if (!c->have_shape) {
        size_t cols, bytes;
        if (gan__mul_size(&cols, (size_t)h * w, ch) != 0 ||
            gan__mul_size(&bytes, cols, c->rows) != 0 ||
            gan__mul_size(&bytes, bytes, sizeof(float)) != 0) {
            snprintf(c->msg, sizeof c->msg, "%zu images of %lu x %lu x %lu floats overflow size_t",
                     c->rows, (unsigned long)h, (unsigned long)w, (unsigned long)ch);
            png_longjmp(png, 1);
        }
        c->x = malloc(bytes);
        if (c->x == NULL) {
            snprintf(c->msg, sizeof c->msg, "out of memory for %zu images of %zu floats", c->rows,
                     cols);
            png_longjmp(png, 1);
        }
        c->h = h;
        c->w = w;
        c->ch = ch;
        c->cols = cols;
        c->have_shape = 1;
    }
    c->img = malloc(rowbytes * h);
    c->rowp = malloc(sizeof *c->rowp * h);
    if (c->img == NULL || c->rowp == NULL) {
        snprintf(c->msg, sizeof c->msg, "out of memory for the pixels");
        png_longjmp(png, 1);
    }
    for (uint32_t y = 0; y < h; y++)
        c->rowp[y] = c->img + (size_t)y * rowbytes;
    png_read_image(png, c->rowp);
    png_read_end(png, NULL);
    if (c->pos != c->len) {
        snprintf(c->msg, sizeof c->msg, "%zu bytes after the end of the image (IEND)",
                 c->len - c->pos);
        png_longjmp(png, 1);
    }
    png_destroy_read_struct(&png, &info, NULL);

    float *dst = c->x + row * c->cols;
    if (c->bit_depth == 8) {
        for (size_t i = 0; i < c->cols; i++)
            dst[i] = (float)c->img[i] / 255.0f;
    } else {
        for (size_t i = 0; i < c->cols; i++)
            dst[i] = (float)(((unsigned)c->img[2 * i] << 8) | c->img[2 * i + 1]) / 65535.0f;
    }
    return GAN_OK;
}

int gan_dataset_load_png_dir(gan_dataset **out, const char *path, const gan_png_dir_options *opts)
{
    GAN_CHECK_NULL(FN, out);
    *out = NULL;
    int rc = gan__check_path(FN, "path", path);
    if (rc)
        return rc;
    gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version != GAN_PNG_DIR_OPTIONS_VERSION)
            return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u is unknown, this library knows %u",
                              FN, opts->version, (unsigned)GAN_PNG_DIR_OPTIONS_VERSION);
        o = *opts;
    }
    if (o.alpha != GAN_PNG_ALPHA_DROP && o.alpha != GAN_PNG_ALPHA_KEEP)
        return gan__error(GAN_EINVAL, "%s: opts->alpha %lu is not a gan_png_alpha", FN,
                          (unsigned long)o.alpha);

    item_list items = {0};
    items.max = o.max_files ? o.max_files : PNG_DEFAULT_MAX_FILES;
    rc = o.labels ? add_classes(&items, path) : add_pngs(&items, path, 0, path);
    if (rc == GAN_OK && items.n == 0)
        rc = gan__error(GAN_EFORMAT, "%s: no PNG image (*.png) found%s", path,
                        o.labels ? " in its subfolders" : "");
    if (rc != GAN_OK) {
        items_free(&items);
        return rc;
    }

    png_load c;
    memset(&c, 0, sizeof c);
    c.alpha = o.alpha;
    c.rows = items.n;
    for (size_t i = 0; i < items.n && rc == GAN_OK; i++) {
        void *buf;
        c.path = items.paths[i];
        rc = gan__file_read_all(&buf, &c.len, c.path, PNG_MAX_FILE, "a PNG image");
        if (rc != GAN_OK)
            break;
        c.data = (const unsigned char *)buf;
        rc = decode(&c, i);
        free(buf);
        free(c.img);
        free(c.rowp);
        c.img = NULL;
        c.rowp = NULL;
    }
    int32_t *labels = NULL;
    if (rc == GAN_OK && o.labels) {
        labels = items.labels;
        items.labels = NULL;
    }
    items_free(&items);
    if (rc != GAN_OK) {
        free(c.x);
        return rc;
    }
    return gan__dataset_create_owned(out, c.x, labels, c.rows, c.cols, FN);
}
