/* plot.c: the plots of plot.h, drawn with cairo's image surface and its
 * built-in text API (enough for tick labels and titles). */
#include "plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Margins around each panel's frame, in pixels. */
#define MARGIN_LEFT 52.0
#define MARGIN_RIGHT 14.0
#define MARGIN_TOP 28.0
#define MARGIN_BOTTOM 30.0
#define FONT_SIZE 12.0
#define PLOT_PI 3.14159265358979323846

struct plot {
    cairo_surface_t *surface;
    cairo_t *cr;
    int n_panels, panel_w, panel_h;
    /* The selected panel: frame in pixels and data ranges. */
    double fx, fy, fw, fh;
    double xmin, xmax, ymin, ymax;
};

plot *plot_create(int n_panels, int panel_w, int panel_h)
{
    if (n_panels < 1 || n_panels > 16 || panel_w < 120 || panel_h < 100 || panel_w > 4000 ||
        panel_h > 4000)
        return NULL;
    plot *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, n_panels * panel_w, panel_h);
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        plot_free(p);
        return NULL;
    }
    p->n_panels = n_panels;
    p->panel_w = panel_w;
    p->panel_h = panel_h;
    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_paint(p->cr);
    cairo_select_font_face(p->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(p->cr, FONT_SIZE);
    return p;
}

void plot_free(plot *p)
{
    if (p == NULL)
        return;
    if (p->cr != NULL)
        cairo_destroy(p->cr);
    if (p->surface != NULL)
        cairo_surface_destroy(p->surface);
    free(p);
}

static double px(const plot *p, double x)
{
    return p->fx + (x - p->xmin) / (p->xmax - p->xmin) * p->fw;
}

static double py(const plot *p, double y)
{
    return p->fy + p->fh - (y - p->ymin) / (p->ymax - p->ymin) * p->fh;
}

/* A round tick spacing (1, 2 or 5 times a power of ten) giving about
 * 5 ticks over span. */
static double tick_step(double span)
{
    const double raw = span / 5.0;
    const double mag = pow(10.0, floor(log10(raw)));
    const double f = raw / mag;
    return mag * (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0);
}

static void text_at(plot *p, double x, double y, const char *s, double align_x, double align_y)
{
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, s, &e);
    cairo_move_to(p->cr, x - align_x * e.width - e.x_bearing,
                  y - align_y * e.height - e.y_bearing);
    cairo_show_text(p->cr, s);
}

static void ticks(plot *p)
{
    cairo_t *cr = p->cr;
    char label[32];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.0);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    const double sx = tick_step(p->xmax - p->xmin), sy = tick_step(p->ymax - p->ymin);
    for (double t = ceil(p->xmin / sx) * sx; t <= p->xmax + 1e-9 * sx; t += sx) {
        const double x = floor(px(p, t)) + 0.5, y = p->fy + p->fh;
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x, y + 4);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%g", fabs(t) < 1e-9 * sx ? 0.0 : t);
        text_at(p, x, y + 7, label, 0.5, 0.0);
    }
    for (double t = ceil(p->ymin / sy) * sy; t <= p->ymax + 1e-9 * sy; t += sy) {
        const double y = floor(py(p, t)) + 0.5;
        cairo_move_to(cr, p->fx - 4, y);
        cairo_line_to(cr, p->fx, y);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%g", fabs(t) < 1e-9 * sy ? 0.0 : t);
        text_at(p, p->fx - 7, y, label, 1.0, 0.5);
    }
}

void plot_panel(plot *p, int i, double xmin, double xmax, double ymin, double ymax,
                const char *title, int equal_aspect)
{
    if (i < 0 || i >= p->n_panels || !(xmax > xmin) || !(ymax > ymin))
        return;
    cairo_t *cr = p->cr;
    cairo_reset_clip(cr);
    p->fx = i * p->panel_w + MARGIN_LEFT;
    p->fy = MARGIN_TOP;
    p->fw = p->panel_w - MARGIN_LEFT - MARGIN_RIGHT;
    p->fh = p->panel_h - MARGIN_TOP - MARGIN_BOTTOM;
    if (equal_aspect) {
        /* Widen the range that has fewer pixels per unit to match. */
        const double ux = p->fw / (xmax - xmin), uy = p->fh / (ymax - ymin);
        if (ux > uy) {
            const double grow = (p->fw / uy - (xmax - xmin)) / 2;
            xmin -= grow;
            xmax += grow;
        } else {
            const double grow = (p->fh / ux - (ymax - ymin)) / 2;
            ymin -= grow;
            ymax += grow;
        }
    }
    p->xmin = xmin;
    p->xmax = xmax;
    p->ymin = ymin;
    p->ymax = ymax;
    ticks(p);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, floor(p->fx) + 0.5, floor(p->fy) + 0.5, floor(p->fw), floor(p->fh));
    cairo_stroke(cr);
    if (title != NULL)
        text_at(p, p->fx + p->fw / 2, p->fy - 8, title, 0.5, 1.0);
    cairo_rectangle(cr, p->fx, p->fy, p->fw, p->fh);
    cairo_clip(cr);
}

static void set_style(cairo_t *cr, plot_style s, int for_line)
{
    cairo_set_source_rgba(cr, s.r, s.g, s.b, s.alpha);
    cairo_set_line_width(cr, s.width);
    static const double dash[] = {7.0, 4.0}, dot[] = {1.5, 3.0};
    if (for_line && s.dashed == 1)
        cairo_set_dash(cr, dash, 2, 0);
    else if (for_line && s.dashed == 2)
        cairo_set_dash(cr, dot, 2, 0);
    else
        cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_cap(cr, s.dashed == 2 ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
}

void plot_line(plot *p, const double *x, const double *y, size_t n, plot_style s)
{
    if (n < 2)
        return;
    set_style(p->cr, s, 1);
    cairo_move_to(p->cr, px(p, x[0]), py(p, y[0]));
    for (size_t i = 1; i < n; i++)
        cairo_line_to(p->cr, px(p, x[i]), py(p, y[i]));
    cairo_stroke(p->cr);
}

void plot_points(plot *p, const float *xy, size_t n, size_t stride, plot_style s)
{
    set_style(p->cr, s, 0);
    for (size_t i = 0; i < n; i++) {
        const double x = px(p, xy[i * stride]), y = py(p, xy[i * stride + 1]);
        cairo_new_sub_path(p->cr);
        cairo_arc(p->cr, x, y, s.width, 0, 2 * PLOT_PI);
        /* One fill per point: overlapping points darken, showing density. */
        cairo_fill(p->cr);
    }
}

void plot_circle(plot *p, double x, double y, double r, plot_style s)
{
    set_style(p->cr, s, 1);
    cairo_new_sub_path(p->cr);
    cairo_arc(p->cr, px(p, x), py(p, y), r / (p->xmax - p->xmin) * p->fw, 0, 2 * PLOT_PI);
    cairo_stroke(p->cr);
}

void plot_legend(plot *p, const char *const *labels, const plot_style *styles, int n)
{
    const double line = FONT_SIZE + 5;
    double text_w = 0;
    for (int i = 0; i < n; i++) {
        cairo_text_extents_t e;
        cairo_text_extents(p->cr, labels[i], &e);
        text_w = fmax(text_w, e.x_advance);
    }
    /* Top-right corner, on a white box so curves do not hide the text. */
    const double box_w = 32 + text_w + 12, box_h = n * line + 8;
    const double x = p->fx + p->fw - box_w;
    cairo_set_source_rgba(p->cr, 1, 1, 1, 0.85);
    cairo_rectangle(p->cr, x - 4, p->fy + 4, box_w, box_h);
    cairo_fill(p->cr);
    for (int i = 0; i < n; i++) {
        const double y = p->fy + 12 + i * line;
        set_style(p->cr, styles[i], 1);
        cairo_move_to(p->cr, x, y);
        cairo_line_to(p->cr, x + 26, y);
        cairo_stroke(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
        text_at(p, x + 32, y, labels[i], 0.0, 0.5);
    }
}

int plot_save(plot *p, const char *path)
{
    cairo_surface_flush(p->surface);
    const cairo_status_t st = cairo_surface_write_to_png(p->surface, path);
    if (st != CAIRO_STATUS_SUCCESS) {
        fprintf(stderr, "plot: cannot write %s: %s\n", path, cairo_status_to_string(st));
        return -1;
    }
    return 0;
}
