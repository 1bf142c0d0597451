/* toy1d: the paper's Figure 1, in numbers and as a picture.
 *
 * Data: a 1-D Gaussian N(2, 0.5^2) (GAN_TOY_GAUSSIAN_1D, 50,000 rows).
 * Noise: z ~ U(-1, 1)^W, W = 8 components by default. G: W -> 32 leaky
 * ReLU -> 32 leaky ReLU -> 1 identity. D: 1 -> 32 leaky ReLU -> 32 leaky
 * ReLU -> 1 sigmoid. Both trained with Adam (lr 5e-4, beta1 0.5) by
 * gan_session (Algorithm 1, batch 100, k D steps per G step), everything
 * from one seed.
 *
 * Every iterations/10 iterations it prints
 *   - JS: a histogram estimate of the Jensen-Shannon divergence (nats, at
 *     most log 2 = 0.693) between p_g (20,000 samples of G) and p_data,
 *     whose bin probabilities are the exact density (gan_toy_density)
 *     integrated over each bin with Simpson's rule; bins of std/8 over
 *     mean +- 6 std plus two tail bins. Sampling noise alone (20,000
 *     exact draws of p_data) gives about 0.0004;
 *   - mean and max |D(x) - 1/2| over 201 points evenly spread on the
 *     data's support, mean +- 3 std;
 *   - the mean and std of G's samples.
 * The evaluation draws its noise from its own generator, so evaluating
 * does not change the training run.
 *
 * Expected output: as in Figure 1 (d), p_g approaches p_data and D(x)
 * approaches 1/2. With the defaults (3000 iterations, well under a second)
 * the run ends with a line like
 *   final: JS = 0.004 (nats), mean |D(x)-1/2| over support = 0.002 (max 0.005)
 * The digits depend on the CPU and on the BLAS kernel that runs the matrix
 * products (OpenBLAS picks one per CPU; OPENBLAS_CORETYPE forces one):
 * seeds 1-6 under the Haswell, SkylakeX and Sandybridge kernels ended with
 * JS 0.0026-0.017 and mean |D - 1/2| below 0.008, seed 1 with the line
 * above under all three. The GAN keeps oscillating a little around p_data,
 * so JS moves between lines (values up to ~0.04 occur).
 *
 * Why W = 8: with the paper's one-dimensional z, G must learn the
 * Gaussian's inverse CDF from bounded noise; it matches mean and std
 * quickly, but not the shape or the tails, and runs vary a lot from seed
 * to seed (--noise-width 1: final JS between 0.03 and 0.30 over seeds 1-6).
 *
 * At the end it draws Figure 1 to toy1d.png (--plot FILE, --no-plot): four
 * panels (start, after iterations/60, after the first tenth, end), each with the
 * data's density (dotted), G's density (solid, from the histogram above)
 * and D(x) (dashed). The picture needs cairo at build time.
 *
 *   usage: toy1d [--iterations N] [--seed S] [--loss ns|minimax] [--k K]
 *                [--noise-width W] [--plot FILE.png | --no-plot]
 */
#include <gan.h>

#include "args.h"
#ifdef GAN_EXAMPLES_HAVE_CAIRO
#include "plot/plot.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_MEAN 2.0f
#define DATA_STD 0.5f
#define DATA_ROWS 50000
#define HIDDEN 32
#define EVAL_SAMPLES 20000
#define BINS_PER_STD 8
#define RANGE_STD 6
#define NBINS (2 * RANGE_STD * BINS_PER_STD + 2) /* + the two tails */
#define GRID 201

typedef struct toy_run {
    gan_toy_options toy;
    gan_session *session;
    gan_net *d;
    gan_rng *eval_rng;
    float *z;       /* EVAL_SAMPLES noise vectors */
    float *samples; /* EVAL_SAMPLES samples of G */
    double p_data[NBINS];
} toy_run;

static int fail(const char *what, int rc)
{
    fprintf(stderr, "toy1d: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return rc;
}

/* Bin b of NBINS: 0 is (-inf, lo), NBINS-1 is [hi, inf), the others have
 * width std / BINS_PER_STD. */
static size_t bin_of(double x, double lo, double width)
{
    if (!(x >= lo)) /* also NaN */
        return 0;
    double b = (x - lo) / width;
    if (b >= (double)(NBINS - 2))
        return NBINS - 1;
    return 1 + (size_t)b;
}

/* Probabilities of the data's bins: Simpson's rule on gan_toy_density
 * over every inner bin; the tails get what remains, split evenly (the
 * Gaussian is symmetric about its mean). */
static int data_bins(toy_run *r)
{
    enum { SUB = 16 }; /* Simpson intervals per bin (even) */
    const double width = (double)r->toy.std / BINS_PER_STD;
    const double lo = (double)r->toy.mean - RANGE_STD * (double)r->toy.std;
    float x[SUB + 1];
    double dens[SUB + 1], inner = 0.0;
    for (size_t b = 1; b + 1 < NBINS; b++) {
        const double a = lo + (double)(b - 1) * width, h = width / SUB;
        for (int i = 0; i <= SUB; i++)
            x[i] = (float)(a + i * h);
        int rc = gan_toy_density(dens, &r->toy, x, SUB + 1, 1);
        if (rc)
            return fail("gan_toy_density", rc);
        double s = dens[0] + dens[SUB];
        for (int i = 1; i < SUB; i++)
            s += (i % 2 ? 4.0 : 2.0) * dens[i];
        r->p_data[b] = s * h / 3.0;
        inner += r->p_data[b];
    }
    const double tail = inner < 1.0 ? (1.0 - inner) / 2.0 : 0.0;
    r->p_data[0] = r->p_data[NBINS - 1] = tail;
    return GAN_OK;
}

/* JS(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2, in nats. */
static double js_divergence(const double *p, const double *q, size_t n)
{
    double js = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double m = 0.5 * (p[i] + q[i]);
        if (p[i] > 0.0)
            js += 0.5 * p[i] * log(p[i] / m);
        if (q[i] > 0.0)
            js += 0.5 * q[i] * log(q[i] / m);
    }
    return js;
}

typedef struct toy_eval {
    double js, d_mean_dev, d_max_dev, g_mean, g_std;
    double p_g[NBINS]; /* G's samples per bin, as shares */
} toy_eval;

static int evaluate(toy_eval *e, toy_run *r)
{
    int rc = gan_session_sample(r->samples, EVAL_SAMPLES, 1, r->session, r->z);
    if (rc)
        return fail("gan_session_sample", rc);
    const double width = (double)r->toy.std / BINS_PER_STD;
    const double lo = (double)r->toy.mean - RANGE_STD * (double)r->toy.std;
    double *p_g = e->p_g, s = 0.0, s2 = 0.0;
    memset(e->p_g, 0, sizeof e->p_g);
    for (size_t i = 0; i < EVAL_SAMPLES; i++) {
        const double x = r->samples[i];
        p_g[bin_of(x, lo, width)] += 1.0 / EVAL_SAMPLES;
        s += x;
        s2 += x * x;
    }
    e->js = js_divergence(r->p_data, p_g, NBINS);
    e->g_mean = s / EVAL_SAMPLES;
    e->g_std = sqrt(fmax(0.0, s2 / EVAL_SAMPLES - e->g_mean * e->g_mean));

    float grid[GRID], dx[GRID];
    const double a = (double)r->toy.mean - 3.0 * (double)r->toy.std;
    const double step = 6.0 * (double)r->toy.std / (GRID - 1);
    for (size_t i = 0; i < GRID; i++)
        grid[i] = (float)(a + (double)i * step);
    if ((rc = gan_net_forward(dx, 1, r->d, grid, GRID, 1, 0)) != GAN_OK)
        return fail("gan_net_forward", rc);
    e->d_mean_dev = 0.0;
    e->d_max_dev = 0.0;
    for (size_t i = 0; i < GRID; i++) {
        const double dev = fabs((double)dx[i] - 0.5);
        e->d_mean_dev += dev / GRID;
        if (dev > e->d_max_dev)
            e->d_max_dev = dev;
    }
    return GAN_OK;
}

/* The picture (Figure 1 of the paper): up to FIG_PANELS moments of the
 * run, each with the data's density (black, dotted), G's density from the
 * histogram of its samples (green) and D(x) (blue, dashed) over the
 * histogram's range, mean +- 6 std. */
#define FIG_PANELS 4
#define FIG_POINTS 241

typedef struct figure {
    int n; /* panels filled */
    unsigned long long it[FIG_PANELS];
    double js[FIG_PANELS];
    double p_g[FIG_PANELS][NBINS];
    double d[FIG_PANELS][FIG_POINTS];
} figure;

static void figure_x(float *x, const gan_toy_options *toy)
{
    const double lo = (double)toy->mean - RANGE_STD * (double)toy->std;
    const double step = 2.0 * RANGE_STD * (double)toy->std / (FIG_POINTS - 1);
    for (size_t i = 0; i < FIG_POINTS; i++)
        x[i] = (float)(lo + (double)i * step);
}

/* Records the evaluation e at iteration it as the next panel. */
static int figure_add(figure *f, toy_run *r, const toy_eval *e, unsigned long long it)
{
    if (f->n >= FIG_PANELS)
        return GAN_OK;
    float x[FIG_POINTS], dx[FIG_POINTS];
    figure_x(x, &r->toy);
    int rc = gan_net_forward(dx, 1, r->d, x, FIG_POINTS, 1, 0);
    if (rc != GAN_OK)
        return fail("gan_net_forward", rc);
    f->it[f->n] = it;
    f->js[f->n] = e->js;
    memcpy(f->p_g[f->n], e->p_g, sizeof e->p_g);
    for (size_t i = 0; i < FIG_POINTS; i++)
        f->d[f->n][i] = dx[i];
    f->n++;
    return GAN_OK;
}

#ifdef GAN_EXAMPLES_HAVE_CAIRO
static int figure_draw(const figure *f, const toy_run *r, const char *path)
{
    float xf[FIG_POINTS];
    double x[FIG_POINTS], dens[FIG_POINTS];
    double gx[NBINS - 2], gy[NBINS - 2];
    figure_x(xf, &r->toy);
    for (size_t i = 0; i < FIG_POINTS; i++)
        x[i] = xf[i];
    int rc = gan_toy_density(dens, &r->toy, xf, FIG_POINTS, 1);
    if (rc != GAN_OK)
        return fail("gan_toy_density", rc);
    const double width = (double)r->toy.std / BINS_PER_STD;
    const double lo = (double)r->toy.mean - RANGE_STD * (double)r->toy.std;
    /* One y range for every panel: the densities and D's [0, 1], with room
     * for a narrow G (capped, so the data's density stays readable). */
    double ymax = 1.05;
    for (int p = 0; p < f->n; p++)
        for (size_t b = 1; b + 1 < NBINS; b++)
            ymax = fmax(ymax, 1.05 * f->p_g[p][b] / width);
    ymax = fmin(ymax, 3.0);
    plot *pl = plot_create(f->n, 330, 290);
    if (pl == NULL) {
        fprintf(stderr, "toy1d: cannot create the plot\n");
        return GAN_ENOMEM;
    }
    const plot_style data = {0, 0, 0, 1, 2.0, 2}, gen = {0.0, 0.55, 0.0, 1, 1.8, 0},
                     disc = {0.1, 0.25, 0.9, 1, 1.8, 1};
    for (int p = 0; p < f->n; p++) {
        char title[96];
        snprintf(title, sizeof title, "(%c) iteration %llu, JS %.3f", 'a' + p, f->it[p],
                 f->js[p]);
        plot_panel(pl, p, x[0], x[FIG_POINTS - 1], 0.0, ymax, title, 0);
        for (size_t b = 1; b + 1 < NBINS; b++) {
            gx[b - 1] = lo + ((double)b - 0.5) * width;
            gy[b - 1] = f->p_g[p][b] / width;
        }
        plot_line(pl, x, dens, FIG_POINTS, data);
        plot_line(pl, gx, gy, NBINS - 2, gen);
        plot_line(pl, x, f->d[p], FIG_POINTS, disc);
        if (p == 0) {
            const char *const labels[3] = {"data density", "generator density",
                                           "discriminator D(x)"};
            const plot_style styles[3] = {data, gen, disc};
            plot_legend(pl, labels, styles, 3);
        }
    }
    rc = plot_save(pl, path) == 0 ? GAN_OK : GAN_EIO;
    plot_free(pl);
    if (rc == GAN_OK)
        printf("wrote %s (Figure 1: data density dotted, generator density solid, D(x) dashed)\n",
               path);
    return rc;
}
#else
static int figure_draw(const figure *f, const toy_run *r, const char *path)
{
    (void)f;
    (void)r;
    printf("toy1d: no %s: built without cairo (install libcairo2-dev and rebuild)\n", path);
    return GAN_OK;
}
#endif

static void print_eval(unsigned long long it, const toy_eval *e)
{
    printf("%9llu  %8.4f  %10.4f  %10.4f  %7.3f  %6.3f\n", it, e->js, e->d_mean_dev, e->d_max_dev,
           e->g_mean, e->g_std);
}

static int make_net(gan_net **out, size_t in, size_t out_units, int out_act, gan_rng *rng)
{
    gan_net *n = NULL;
    int rc = gan_net_create(&n, in);
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, HIDDEN, GAN_ACT_LEAKY_RELU);
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, HIDDEN, GAN_ACT_LEAKY_RELU);
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, out_units, out_act);
    if (rc == GAN_OK)
        rc = gan_net_init(n, rng, GAN_INIT_GLOROT_UNIFORM, 0.0f);
    if (rc) {
        gan_net_free(n);
        return fail("building a net", rc);
    }
    *out = n;
    return GAN_OK;
}

static int make_adam(gan_optimizer **out, gan_net *net)
{
    gan_optimizer_options o;
    gan_optimizer_options_init(&o, GAN_OPTIMIZER_OPTIONS_VERSION);
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 5e-4f;
    o.beta1 = 0.5f;
    o.beta2 = 0.999f;
    int rc = gan_optimizer_create(out, net, &o);
    return rc ? fail("gan_optimizer_create", rc) : GAN_OK;
}

typedef struct toy_args {
    uint64_t iterations, seed;
    unsigned k;
    size_t nz;
    int g_loss;
    const char *plot_path; /* NULL: --no-plot */
} toy_args;

static void usage(FILE *fp)
{
    fprintf(fp, "usage: toy1d [--iterations N] [--seed S] [--loss ns|minimax] [--k K]\n"
                "             [--noise-width W] [--plot FILE.png | --no-plot]\n"
                "defaults: --iterations 3000 --seed 1 --loss ns --k 1 --noise-width 8\n"
                "          --plot toy1d.png (Figure 1: data density, G's density, D(x))\n");
}

/* 0: run; 1: --help printed; -1: bad command line (message printed). */
static int parse_args(toy_args *a, int argc, char **argv)
{
    static const char prog[] = "toy1d";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (args_is_help(o)) {
            usage(stdout);
            return 1;
        }
        if (strcmp(o, "--no-plot") == 0) {
            a->plot_path = NULL;
            continue;
        }
        if (strcmp(o, "--iterations") != 0 && strcmp(o, "--seed") != 0 &&
            strcmp(o, "--k") != 0 && strcmp(o, "--noise-width") != 0 &&
            strcmp(o, "--loss") != 0 && strcmp(o, "--plot") != 0) {
            fprintf(stderr, "toy1d: unknown option %s\n", o);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(prog, argc, argv, &i);
        if (v == NULL)
            return -1;
        int bad = 0;
        if (strcmp(o, "--iterations") == 0)
            bad = args_u64(&a->iterations, prog, o, v, 1, 100000000);
        else if (strcmp(o, "--seed") == 0)
            bad = args_u64(&a->seed, prog, o, v, 0, UINT64_MAX);
        else if (strcmp(o, "--k") == 0)
            bad = args_unsigned(&a->k, prog, o, v, 1, 1000);
        else if (strcmp(o, "--noise-width") == 0)
            bad = args_size(&a->nz, prog, o, v, 1, 1000);
        else if (strcmp(o, "--plot") == 0) {
            if (v[0] == '\0') {
                fprintf(stderr, "toy1d: --plot needs a file name (or use --no-plot)\n");
                bad = -1;
            }
            a->plot_path = v;
        } else if (strcmp(v, "ns") == 0)
            a->g_loss = GAN_G_LOSS_NON_SATURATING;
        else if (strcmp(v, "minimax") == 0)
            a->g_loss = GAN_G_LOSS_MINIMAX;
        else {
            fprintf(stderr, "toy1d: --loss must be ns or minimax, not '%s'\n", v);
            bad = -1;
        }
        if (bad)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    toy_args args = {3000, 1, 1, 8, GAN_G_LOSS_NON_SATURATING, "toy1d.png"};
    const int prc = parse_args(&args, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    const unsigned long long iterations = args.iterations, seed = args.seed;
    const unsigned long k = args.k;
    const int g_loss = args.g_loss;
    const size_t nz = args.nz;

    toy_run r;
    memset(&r, 0, sizeof r);
    static figure fig;
    gan_rng *rng = NULL;
    gan_net *g = NULL;
    gan_optimizer *g_opt = NULL, *d_opt = NULL;
    gan_dataset *data = NULL;
    int rc = GAN_OK;
    gan_toy_options_init(&r.toy, GAN_TOY_OPTIONS_VERSION);
    r.toy.kind = GAN_TOY_GAUSSIAN_1D;
    r.toy.mean = DATA_MEAN;
    r.toy.std = DATA_STD;
    r.z = malloc(EVAL_SAMPLES * nz * sizeof *r.z);
    r.samples = malloc(EVAL_SAMPLES * sizeof *r.samples);
    if (r.z == NULL || r.samples == NULL) {
        fprintf(stderr, "toy1d: out of memory\n");
        rc = GAN_ENOMEM;
        goto done;
    }
    if ((rc = gan_rng_create(&rng, seed)) != GAN_OK ||
        (rc = gan_rng_create(&r.eval_rng, seed ^ 0x9e3779b97f4a7c15ull)) != GAN_OK) {
        fail("gan_rng_create", rc);
        goto done;
    }
    if ((rc = gan_dataset_create_toy(&data, &r.toy, DATA_ROWS, rng)) != GAN_OK) {
        fail("gan_dataset_create_toy", rc);
        goto done;
    }
    if ((rc = make_net(&g, nz, 1, GAN_ACT_IDENTITY, rng)) != GAN_OK ||
        (rc = make_net(&r.d, 1, 1, GAN_ACT_SIGMOID, rng)) != GAN_OK ||
        (rc = make_adam(&g_opt, g)) != GAN_OK || (rc = make_adam(&d_opt, r.d)) != GAN_OK)
        goto done;

    gan_session_options so;
    gan_session_options_init(&so, GAN_SESSION_OPTIONS_VERSION);
    so.batch_size = 100;
    so.k = (uint32_t)k;
    so.g_loss = (uint32_t)g_loss;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = 1.0f;
    so.noise_width = (uint32_t)nz;
    so.seed = seed;
    /* The nets are tiny: handing their element-wise loops to a thread pool
     * costs more than it saves (results are the same either way). */
    so.threads = 1;
    if ((rc = gan_session_create(&r.session, g, r.d, g_opt, d_opt, data, &so)) != GAN_OK) {
        fail("gan_session_create", rc);
        goto done;
    }
    if ((rc = data_bins(&r)) != GAN_OK)
        goto done;
    /* One fixed set of evaluation noise, so successive lines differ only
     * through training. */
    if ((rc = gan_rng_uniform(r.z, EVAL_SAMPLES * nz, r.eval_rng, -1.0f, 1.0f)) != GAN_OK) {
        fail("gan_rng_uniform", rc);
        goto done;
    }

    printf("toy1d: data N(%.2f, %.2f^2), noise U(-1,1)^%zu, %s G loss, k = %lu, %llu iterations, seed %llu\n",
           (double)DATA_MEAN, (double)DATA_STD, nz,
           g_loss == GAN_G_LOSS_MINIMAX ? "minimax" : "non-saturating", k, iterations, seed);
    printf("JS: histogram estimate (nats, max log 2 = 0.693) from %d samples of G; "
           "D(x) on %d points over mean +- 3 std\n", EVAL_SAMPLES, GRID);
    printf("%9s  %8s  %10s  %10s  %7s  %6s\n", "iteration", "JS", "mean|D-.5|", "max|D-.5|",
           "G mean", "G std");
    toy_eval e;
    if ((rc = evaluate(&e, &r)) != GAN_OK || (rc = figure_add(&fig, &r, &e, 0)) != GAN_OK)
        goto done;
    print_eval(0, &e);
    const unsigned long long every = iterations >= 10 ? iterations / 10 : 1;
    /* The figure's panels: the start, early (iterations / 60), the first
     * printed line and the end. Stopping to evaluate does not change the
     * run (the evaluation has its own noise). */
    const unsigned long long early = iterations >= 60 ? iterations / 60 : 1;
    unsigned long long next_print = every < iterations ? every : iterations;
    for (unsigned long long done_it = 0; done_it < iterations;) {
        const unsigned long long stop = done_it < early && early < next_print ? early : next_print;
        if ((rc = gan_session_train(r.session, stop - done_it, NULL, NULL)) != GAN_OK) {
            fail("gan_session_train", rc);
            goto done;
        }
        done_it = stop;
        if ((rc = evaluate(&e, &r)) != GAN_OK)
            goto done;
        if ((done_it == early || done_it == every || done_it == iterations) &&
            fig.it[fig.n - 1] != done_it && (rc = figure_add(&fig, &r, &e, done_it)) != GAN_OK)
            goto done;
        if (done_it == next_print) {
            print_eval(done_it, &e);
            next_print = iterations - next_print < every ? iterations : next_print + every;
        }
    }
    printf("final: JS = %.4f (nats), mean |D(x)-1/2| over support = %.4f (max %.4f)\n", e.js,
           e.d_mean_dev, e.d_max_dev);
    if (args.plot_path != NULL)
        rc = figure_draw(&fig, &r, args.plot_path);

done:
    gan_session_free(r.session);
    gan_optimizer_free(g_opt);
    gan_optimizer_free(d_opt);
    gan_net_free(g);
    gan_net_free(r.d);
    gan_dataset_free(data);
    gan_rng_free(rng);
    gan_rng_free(r.eval_rng);
    free(r.z);
    free(r.samples);
    return rc == GAN_OK ? 0 : 1;
}
