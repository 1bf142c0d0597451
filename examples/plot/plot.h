/* plot.h: small line and scatter plots written to PNG with cairo, for the
 * example programs (the library itself draws no plots).
 *
 * A plot is a row of panels of equal size. Select a panel with plot_panel,
 * which draws its frame, ticks, tick labels and title and sets its data
 * ranges; the drawing calls that follow use data coordinates and are
 * clipped to the panel's frame. plot_save writes the PNG.
 */
#ifndef GAN_EXAMPLES_PLOT_H
#define GAN_EXAMPLES_PLOT_H

#include <stddef.h>

typedef struct plot plot;

typedef struct plot_style {
    double r, g, b;  /* colour, each in [0, 1] */
    double alpha;    /* opacity in [0, 1] */
    double width;    /* line width or point radius, in pixels */
    int dashed;      /* 0 solid, 1 dashed, 2 dotted (lines only) */
} plot_style;

/* A plot of n_panels panels side by side, each panel_w x panel_h pixels;
 * NULL when out of memory or the size is unusable. */
plot *plot_create(int n_panels, int panel_w, int panel_h);

/* Selects panel i (0-based) and draws its frame, ticks and title. With
 * equal_aspect a data unit has the same length on both axes (the ranges
 * grow to fit the panel). */
void plot_panel(plot *p, int i, double xmin, double xmax, double ymin, double ymax,
                const char *title, int equal_aspect);

/* A polyline through (x[i], y[i]), i < n. */
void plot_line(plot *p, const double *x, const double *y, size_t n, plot_style s);

/* n points; point i at (xy[i * stride], xy[i * stride + 1]). */
void plot_points(plot *p, const float *xy, size_t n, size_t stride, plot_style s);

/* A circle of radius r in data units around (x, y), outlined. */
void plot_circle(plot *p, double x, double y, double r, plot_style s);

/* Legend entries in the selected panel's top-right corner: a short line in
 * each style beside its label. */
void plot_legend(plot *p, const char *const *labels, const plot_style *styles, int n);

/* Writes the PNG; 0 on success, -1 after a message on stderr naming path. */
int plot_save(plot *p, const char *path);

void plot_free(plot *p);

#endif
