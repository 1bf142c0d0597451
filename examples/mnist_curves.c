/* mnist_curves: Parzen log-likelihood against training minutes, read from
 * the logs of examples/mnist (or examples/dcgan), for several runs in one
 * picture.
 *
 *   usage: mnist_curves [--out PNG] [--clock cpu|wall] [--minutes M]
 *                       [--target LL] LABEL=LOG...
 *
 * Each LOG is what mnist printed (several logs of one resumed run may be
 * concatenated into one file: the epoch lines carry on where they stopped).
 * Training time is the sum of the epoch lines' seconds, CPU seconds by
 * default (a run on one thread, OPENBLAS_NUM_THREADS=1 --threads 1, spends
 * about as much CPU time as an idle core's wall-clock time, also on a busy
 * machine; --clock wall takes the wall-clock figures). Evaluation time is
 * not counted.
 *
 * It prints, for every run and both σ grids (the paper's 10 values and the
 * fine one), the best test LL, when it came, and the first minute the LL
 * reached --target (225 by default); with cairo it also draws the curves,
 * one panel per grid, into --out (default mnist_curves.png). Runs whose
 * labels share the text before a '/' ("fast-sim/seed1") share a colour.
 * The log's path is what follows the last '=', so a label may hold one
 * ("γ=0.1/seed 1=run.log").
 */
#define _POSIX_C_SOURCE 200809L
#include "args.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef GAN_EXAMPLES_HAVE_CAIRO
#include "plot/plot.h"
#endif

#define MAX_RUNS 32
#define MAX_POINTS 4096

struct run {
    const char *label;
    size_t n;                  /* evaluations read */
    double minutes[MAX_POINTS];
    double coarse[MAX_POINTS]; /* test LL, σ on the 10-value grid */
    double fine[MAX_POINTS];   /* test LL, σ on the fine grid (NAN: none) */
};

/* The training seconds of one epoch line, or -1 when line is not one:
 * examples/mnist's "epoch 7/300: ... mom 0.500  12.3 s  cpu 11.9 s" (older
 * logs have no cpu field) and examples/dcgan's "epoch 2/12: ... D(G(z))
 * 0.370  201.4 s  cpu 165.2 s ...". -2: the CPU time was asked for and the
 * line has none. */
static double epoch_seconds(const char *line, int cpu)
{
    unsigned e, total;
    if (sscanf(line, "epoch %u/%u:", &e, &total) != 2)
        return -1;
    const char *at = strstr(line, " s  cpu ");
    if (at != NULL) {
        const char *w = at;
        while (w > line && w[-1] != ' ')
            w--;
        char *end;
        const double wall = strtod(w, &end), c = strtod(at + strlen(" s  cpu "), NULL);
        if (end != at)
            return -1;
        return cpu ? c : wall;
    }
    at = strstr(line, "mom ");
    double wall;
    if (at == NULL || sscanf(at, "mom %*f %lf s", &wall) != 1)
        return -1;
    return cpu ? -2 : wall;
}

/* 0 after reading path into r; -1 after a message. */
static int read_log(struct run *r, const char *path, int cpu)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        fprintf(stderr, "mnist_curves: cannot open %s\n", path);
        return -1;
    }
    char line[1024];
    double seconds = 0;
    unsigned last_epoch = 0;
    r->n = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        const double s = epoch_seconds(line, cpu);
        if (s == -2) {
            fprintf(stderr, "mnist_curves: %s has epoch lines without CPU time: use --clock wall\n",
                    path);
            fclose(fp);
            return -1;
        }
        unsigned e;
        if (s >= 0 && sscanf(line, "epoch %u/", &e) == 1) {
            /* A resumed run repeats no epoch; one that went back (resumed
             * from an older checkpoint) restarts its clock there. */
            if (e <= last_epoch) {
                r->n = 0;
                seconds = 0;
            }
            last_epoch = e;
            seconds += s;
            continue;
        }
        double ll, se, fine = NAN;
        if (sscanf(line, "epoch %u: Parzen LL = %lf ± %lf", &e, &ll, &se) == 3) {
            const char *f = strstr(line, "-value σ grid: ");
            if (f != NULL)
                fine = strtod(f + strlen("-value σ grid: "), NULL);
            if (r->n < MAX_POINTS) {
                r->minutes[r->n] = seconds / 60.0;
                r->coarse[r->n] = ll;
                r->fine[r->n] = fine;
                r->n++;
            }
        }
    }
    fclose(fp);
    if (r->n == 0) {
        fprintf(stderr, "mnist_curves: %s holds no Parzen evaluations\n", path);
        return -1;
    }
    return 0;
}

static void report(const struct run *r, const double *ll, const char *grid, double target)
{
    size_t best = 0, first = SIZE_MAX;
    for (size_t i = 0; i < r->n; i++) {
        if (ll[i] > ll[best])
            best = i;
        if (first == SIZE_MAX && ll[i] >= target)
            first = i;
    }
    if (isnan(ll[best]))
        return;
    printf("%-24s %-8s best %6.1f at %6.1f min", r->label, grid, ll[best], r->minutes[best]);
    if (first != SIZE_MAX)
        printf(", %.0f first at %6.1f min\n", target, r->minutes[first]);
    else
        printf(", never %.0f (last %.1f at %.1f min)\n", target, ll[r->n - 1],
               r->minutes[r->n - 1]);
}

#ifdef GAN_EXAMPLES_HAVE_CAIRO
/* The same text before '/' (or the whole label). */
static int same_prefix(const char *a, const char *b)
{
    const size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
    return la == lb && strncmp(a, b, la) == 0;
}

/* Colour of run i: one per distinct label prefix, in order of appearance. */
static plot_style style_of(const struct run *runs, size_t i)
{
    static const double palette[][3] = {{0.12, 0.47, 0.71}, {0.84, 0.15, 0.16}, {0.17, 0.63, 0.17},
                                        {0.58, 0.40, 0.74}, {1.00, 0.50, 0.05}, {0.55, 0.34, 0.29},
                                        {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50}};
    const size_t colours = sizeof palette / sizeof *palette;
    size_t group = 0;
    for (size_t j = 0; j < i; j++) {
        int first_of_its_group = 1;
        for (size_t k = 0; k < j; k++)
            if (same_prefix(runs[k].label, runs[j].label))
                first_of_its_group = 0;
        if (same_prefix(runs[j].label, runs[i].label))
            break;
        group += first_of_its_group;
    }
    const double *c = palette[group % colours];
    plot_style s = {c[0], c[1], c[2], 0.9, 1.6, (int)(group / colours) % 3};
    return s;
}

static int draw(const struct run *runs, size_t n, const char *out, double max_minutes,
                double target, int cpu)
{
    double xmax = 0, ymin = target, ymax = target;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < runs[i].n; j++) {
            if (runs[i].minutes[j] > xmax)
                xmax = runs[i].minutes[j];
            const double v[2] = {runs[i].coarse[j], runs[i].fine[j]};
            for (int k = 0; k < 2; k++) {
                if (isnan(v[k]))
                    continue;
                if (v[k] > ymax)
                    ymax = v[k];
                if (v[k] < ymin)
                    ymin = v[k];
            }
        }
    if (max_minutes > 0)
        xmax = max_minutes;
    /* The interesting part is near the target and where the runs end:
     * start 100 nats below the target, or 50 below the lowest run's last
     * value when that is lower, at most. */
    double floor_y = target - 100;
    for (size_t i = 0; i < n; i++)
        if (runs[i].n > 0 && runs[i].coarse[runs[i].n - 1] - 50 < floor_y)
            floor_y = runs[i].coarse[runs[i].n - 1] - 50;
    if (ymin < floor_y)
        ymin = floor_y;
    ymax += 5;
    /* examples/dcgan's logs have no fine-grid figures: one panel then. */
    int panels = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < runs[i].n; j++)
            if (!isnan(runs[i].fine[j]))
                panels = 2;
    plot *p = plot_create(panels, 560, 420);
    if (p == NULL) {
        fprintf(stderr, "mnist_curves: cannot create the plot\n");
        return -1;
    }
    const char *titles[2][2] = {{"Parzen LL vs CPU minutes of training, 10-value sigma grid",
                                 "Parzen LL vs CPU minutes of training, fine sigma grid"},
                                {"Parzen LL vs minutes of training, 10-value sigma grid",
                                 "Parzen LL vs minutes of training, fine sigma grid"}};
    const char *labels[MAX_RUNS];
    plot_style styles[MAX_RUNS];
    double *y = malloc(MAX_POINTS * sizeof *y);
    if (y == NULL) {
        plot_free(p);
        return -1;
    }
    for (int panel = 0; panel < panels; panel++) {
        plot_panel(p, panel, 0, xmax, ymin, ymax, titles[cpu ? 0 : 1][panel], 0);
        const double tx[2] = {0, xmax}, ty[2] = {target, target};
        plot_style ts = {0, 0, 0, 0.6, 1.0, 1};
        plot_line(p, tx, ty, 2, ts);
        for (size_t i = 0; i < n; i++) {
            size_t m = 0;
            for (size_t j = 0; j < runs[i].n; j++) {
                const double v = panel == 0 ? runs[i].coarse[j] : runs[i].fine[j];
                y[m++] = isnan(v) ? ymin : v;
            }
            styles[i] = style_of(runs, i);
            labels[i] = runs[i].label;
            plot_line(p, runs[i].minutes, y, m, styles[i]);
        }
    }
    plot_legend(p, labels, styles, (int)n);
    free(y);
    const int rc = plot_save(p, out);
    plot_free(p);
    if (rc == 0)
        printf("wrote %s (x: training minutes, dotted: %.0f)\n", out, target);
    return rc;
}
#endif

int main(int argc, char **argv)
{
    static const char prog[] = "mnist_curves";
    const char *out = "mnist_curves.png";
    int cpu = 1;
    double max_minutes = 0, target = 225;
    static struct run runs[MAX_RUNS];
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            printf("usage: mnist_curves [--out PNG] [--clock cpu|wall] [--minutes M] [--target LL]\n"
                   "                    LABEL=LOG...\n"
                   "Parzen LL of examples/mnist logs against training minutes (CPU time by\n"
                   "default); labels sharing the text before '/' share a colour; the log is\n"
                   "what follows the last '='.\n");
            return 0;
        }
        if (strncmp(a, "--", 2) == 0) {
            const char *v = args_value(prog, argc, argv, &i);
            if (v == NULL)
                return ARGS_EXIT_USAGE;
            int bad = 0;
            if (strcmp(a, "--out") == 0)
                out = v;
            else if (strcmp(a, "--clock") == 0 && (strcmp(v, "cpu") == 0 || strcmp(v, "wall") == 0))
                cpu = strcmp(v, "cpu") == 0;
            else if (strcmp(a, "--minutes") == 0)
                bad = args_double(&max_minutes, prog, a, v, 0, 1e6);
            else if (strcmp(a, "--target") == 0)
                bad = args_double(&target, prog, a, v, -1e6, 1e6);
            else {
                fprintf(stderr, "%s: unknown option or value: %s %s\n", prog, a, v);
                bad = -1;
            }
            if (bad)
                return ARGS_EXIT_USAGE;
            continue;
        }
        const char *eq = strrchr(a, '=');
        if (eq == NULL || eq == a || eq[1] == '\0') {
            fprintf(stderr, "%s: expected LABEL=LOG, not '%s'\n", prog, a);
            return ARGS_EXIT_USAGE;
        }
        if (n == MAX_RUNS) {
            fprintf(stderr, "%s: at most %d runs\n", prog, MAX_RUNS);
            return ARGS_EXIT_USAGE;
        }
        argv[i][eq - a] = '\0';
        runs[n].label = a;
        if (read_log(&runs[n], eq + 1, cpu) != 0)
            return 1;
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "%s: no LABEL=LOG given (see --help)\n", prog);
        return ARGS_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        report(&runs[i], runs[i].coarse, "10-grid", target);
        report(&runs[i], runs[i].fine, "fine", target);
    }
#ifdef GAN_EXAMPLES_HAVE_CAIRO
    return draw(runs, n, out, max_minutes, target, cpu) == 0 ? 0 : 1;
#else
    printf("built without cairo (libcairo2-dev): no picture drawn\n");
    return 0;
#endif
}
