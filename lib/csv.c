/* gan_dataset_load_csv: a CSV file of numbers, one row per line.
 *
 * The file is read whole (it is text, larger than the floats it holds)
 * and parsed in one pass into a growing array. Every cell is copied into
 * a small buffer before strtof reads it, so the parser never reads past a
 * cell, and strtof must consume the whole cell: no silent garbage. Numbers
 * are read in the C locale through a per-thread uselocale(), so a program
 * that set a locale with a decimal comma still reads "0.5". */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"
#include "fs.h"
#include "status.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FILE ((size_t)4 << 30)
#define CSV_MAX_CELL 255

GAN__DEFINE_OPTIONS_INIT(gan_csv_options_init, gan_csv_options, GAN_CSV_OPTIONS_VERSION,
                         GAN_CSV_OPTIONS_INIT)

static const char FN[] = "gan_dataset_load_csv";

typedef struct csv_out {
    float *x;
    int32_t *labels;
    size_t rows, cap, cols;
} csv_out;

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The cell [b, e) trimmed into buf (NUL-terminated); GAN_OK or an error
 * naming line and column. */
static int cell_text(char buf[CSV_MAX_CELL + 1], const char *b, const char *e, const char *path,
                     size_t line, size_t col)
{
    while (b < e && is_blank(*b))
        b++;
    while (e > b && is_blank(e[-1]))
        e--;
    if (b == e)
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: empty cell", path, line, col);
    const size_t n = (size_t)(e - b);
    if (n > CSV_MAX_CELL)
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: cell of %zu characters, more than %d",
                          path, line, col, n, CSV_MAX_CELL);
    memcpy(buf, b, n);
    buf[n] = '\0';
    return GAN_OK;
}

static int parse_value(float *out, const char *text, const char *path, size_t line, size_t col)
{
    char *end;
    errno = 0;
    const float v = strtof(text, &end);
    if (end == text || *end != '\0')
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: '%s' is not a number", path, line,
                          col, text);
    if (errno == ERANGE && !(fabsf(v) <= 1.0f)) /* overflow: strtof gave HUGE_VALF */
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: '%s' is beyond float32's range",
                          path, line, col, text);
    if (!isfinite(v))
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: '%s' is not finite", path, line,
                          col, text);
    /* An underflow (ERANGE with a tiny result) keeps strtof's nearest value. */
    *out = v;
    return GAN_OK;
}

static int parse_label(int32_t *out, const char *text, const char *path, size_t line, size_t col)
{
    char *end;
    errno = 0;
    const long v = strtol(text, &end, 10);
    if (end == text || *end != '\0')
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: label '%s' is not an integer", path,
                          line, col, text);
    if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
        return gan__error(GAN_EFORMAT, "%s: line %zu, column %zu: label '%s' is beyond int32's range",
                          path, line, col, text);
    *out = (int32_t)v;
    return GAN_OK;
}

/* Cells of the line [b, e). */
static size_t count_cells(const char *b, const char *e, char delim)
{
    size_t n = 1;
    for (const char *p = b; p < e; p++)
        n += *p == delim;
    return n;
}

/* Room for one more row. */
static int grow(csv_out *o, int with_labels, const char *path)
{
    if (o->rows < o->cap)
        return GAN_OK;
    const size_t cap = o->cap ? 2 * o->cap : 256;
    size_t bytes;
    if (gan__mul_size(&bytes, cap, o->cols) != 0 || gan__mul_size(&bytes, bytes, sizeof(float)) != 0)
        return gan__error(GAN_ENOMEM, "%s: %zu rows of %zu values overflow size_t", path, cap, o->cols);
    float *x = realloc(o->x, bytes);
    if (x == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu rows of %zu values", path, cap,
                          o->cols);
    o->x = x;
    if (with_labels) {
        int32_t *l = realloc(o->labels, cap * sizeof *l);
        if (l == NULL)
            return gan__error(GAN_ENOMEM, "%s: out of memory for %zu labels", path, cap);
        o->labels = l;
    }
    o->cap = cap;
    return GAN_OK;
}

/* Parse the text (len bytes, NUL after it) into o. */
static int parse(csv_out *o, const char *text, size_t len, const gan_csv_options *opts,
                 const char *path)
{
    const char delim = (char)opts->delimiter;
    const int with_labels = opts->label_column >= 0;
    const size_t label_col = with_labels ? (size_t)opts->label_column : 0;
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        size_t line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        return gan__error(GAN_EFORMAT, "%s: line %zu: a NUL byte, not CSV text", path, line);
    }
    const char *p = text, *end = text + len;
    size_t line = 0, ncells = 0;
    int header_pending = opts->header != 0;
    char buf[CSV_MAX_CELL + 1];
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *next = nl != NULL ? nl + 1 : end;
        if (le > p && le[-1] == '\r')
            le--;
        const char *q = p;
        while (q < le && is_blank(*q))
            q++;
        if (q == le) { /* blank line */
            p = next;
            continue;
        }
        if (header_pending) {
            header_pending = 0;
            p = next;
            continue;
        }
        const size_t n = count_cells(p, le, delim);
        if (ncells == 0) {
            ncells = n;
            if (with_labels && label_col >= n)
                return gan__error(GAN_EFORMAT, "%s: line %zu has %zu cells, no label column %zu "
                                  "(0-based)", path, line, n, label_col);
            o->cols = with_labels ? n - 1 : n;
            if (o->cols == 0)
                return gan__error(GAN_EFORMAT, "%s: line %zu holds only the label column, no values",
                                  path, line);
        } else if (n != ncells) {
            return gan__error(GAN_EFORMAT, "%s: line %zu has %zu cells, the first data line has %zu",
                              path, line, n, ncells);
        }
        int rc = grow(o, with_labels, path);
        if (rc)
            return rc;
        float *row = o->x + o->rows * o->cols;
        const char *cb = p;
        size_t out_col = 0;
        for (size_t col = 0; col < n; col++) {
            const char *ce = cb;
            while (ce < le && *ce != delim)
                ce++;
            rc = cell_text(buf, cb, ce, path, line, col + 1);
            if (rc == GAN_OK) {
                if (with_labels && col == label_col)
                    rc = parse_label(&o->labels[o->rows], buf, path, line, col + 1);
                else
                    rc = parse_value(&row[out_col++], buf, path, line, col + 1);
            }
            if (rc)
                return rc;
            cb = ce + 1;
        }
        o->rows++;
        p = next;
    }
    if (o->rows == 0)
        return gan__error(GAN_EFORMAT, "%s: no data line%s", path,
                          opts->header ? " after the header" : "");
    /* Give back the unused capacity (keeping the block if that fails). */
    float *fit = realloc(o->x, o->rows * o->cols * sizeof *fit);
    if (fit != NULL)
        o->x = fit;
    return GAN_OK;
}

int gan_dataset_load_csv(gan_dataset **out, const char *path, const gan_csv_options *opts)
{
    GAN_CHECK_NULL(FN, out);
    *out = NULL;
    int rc = gan__check_path(FN, "path", path);
    if (rc)
        return rc;
    gan_csv_options o = GAN_CSV_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version != GAN_CSV_OPTIONS_VERSION)
            return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u is unknown, this library knows %u",
                              FN, opts->version, (unsigned)GAN_CSV_OPTIONS_VERSION);
        o = *opts;
    }
    if (o.label_column < -1)
        return gan__error(GAN_EINVAL, "%s: opts->label_column is %ld; -1 (none) or a 0-based column",
                          FN, (long)o.label_column);
    if (o.delimiter != ',' && o.delimiter != ';' && o.delimiter != '\t' && o.delimiter != '|' &&
        o.delimiter != ':')
        return gan__error(GAN_EINVAL, "%s: opts->delimiter %lu is not one of ',' ';' '\\t' '|' ':'",
                          FN, (unsigned long)o.delimiter);

    void *file;
    size_t len;
    rc = gan__file_read_all(&file, &len, path, CSV_MAX_FILE, "a CSV file");
    if (rc)
        return rc;
    char *text = file; /* NUL-terminated */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0) {
        free(text);
        return gan__error(GAN_ENOMEM, "%s: cannot create the C locale for reading numbers", FN);
    }
    const locale_t previous = uselocale(c_locale);
    csv_out co = {0};
    rc = parse(&co, text, len, &o, path);
    uselocale(previous);
    freelocale(c_locale);
    free(text);
    if (rc) {
        free(co.x);
        free(co.labels);
        return rc;
    }
    return gan__dataset_create_owned(out, co.x, co.labels, co.rows, co.cols, FN);
}
