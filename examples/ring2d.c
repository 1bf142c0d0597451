/* ring2d: mode coverage on 8 Gaussians on a ring.
 *
 * Data: 8 Gaussians of std 0.02 evenly on a circle of radius 2
 * (GAN_TOY_RING_2D, the setting of the mode-collapse literature), 100,000
 * rows. Noise z ~ U(-1, 1)^16. G: 16 -> 64 leaky ReLU -> 64 leaky ReLU ->
 * 2 identity; D: 2 -> 64 leaky ReLU -> 64 leaky ReLU -> 1 sigmoid. Adam
 * (lr 1e-3 divided by 1.0002 every step, beta1 0.5), batch 128, k = 1.
 * The GAN is trained twice from the same seed (same data, same initial
 * nets): once with the non-saturating G loss, once with the minimax one.
 *
 * Every iterations/10 iterations, for 10,000 samples of G drawn from one
 * fixed set of evaluation noise (gan_toy_coverage):
 *   - modes: modes that received at least 100 high-quality samples, i.e.
 *     1% of the samples (a mode's fair share is 12.5%), so a handful of
 *     stray points does not count as covering a mode;
 *   - HQ share: the share of samples within 3 std (0.06) of their nearest
 *     mode;
 * and D's last mean outputs on real and fake rows.
 *
 * At the end it draws ring2d.png (--plot FILE, --no-plot; needs cairo at
 * build time): the final 10,000 samples of each run against circles of
 * 3 std around the 8 modes. A mode count alone hides where the other
 * samples are: in the six runs we drew (seed 1 under the Haswell and
 * SkylakeX kernels, seed 3 under Sandybridge; both losses), most of them
 * lie along the octagon's edges between neighbouring modes, and the
 * minimax runs scatter more of them inside the ring.
 *
 * What varies: the digits depend on the seed, the CPU and the BLAS kernel
 * that runs the matrix products (OpenBLAS picks one per CPU;
 * OPENBLAS_CORETYPE forces one). Seeds 1-4 with the defaults (a few
 * seconds per run on one core) under the Haswell, SkylakeX and Sandybridge
 * kernels gave
 *   modes covered:  non-saturating 6-8, minimax 5-8, with neither loss
 *                   ahead on every run (seed 1: 7 and 6 under Haswell, 8
 *                   and 5 under SkylakeX, 7 and 7 under Sandybridge);
 *   HQ share:       non-saturating 0.70-0.79, minimax 0.59-0.69.
 * What held in all 12: the minimax loss put fewer samples near a mode (its
 * gradient vanishes while D rejects G's samples, so it starts slower).
 * With --noise-width 2, both losses covered 8 / 8 modes in 15 of 16 runs
 * (seeds 1-4, Haswell and SkylakeX; once 7 / 8 for non-saturating), HQ
 * share 0.77-0.84 (non-saturating) and 0.75-0.78 (minimax).
 *
 *   usage: ring2d [--iterations N] [--seed S] [--noise-width W]
 *                 [--plot FILE.png | --no-plot]
 */
#include <gan.h>

#include "args.h"
#ifdef GAN_EXAMPLES_HAVE_CAIRO
#include "plot/plot.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_ROWS 100000
#define EVAL_SAMPLES 10000
#define MIN_COUNT (EVAL_SAMPLES / 100) /* 1% of the samples */
#define HIDDEN 64
#define BATCH 128
#define LEARNING_RATE 1e-3f
#define LR_DECAY 1.0002f /* lr / 1.0002^t: x0.135 after 10,000 steps */

static int fail(const char *what, int rc)
{
    fprintf(stderr, "ring2d: %s: %s (%s)\n", what, gan_strerror(rc), gan_error_last());
    return rc;
}

static int make_net(gan_net **out, size_t in, size_t hidden, size_t out_units, int out_act,
                    gan_rng *rng)
{
    gan_net *n = NULL;
    int rc = gan_net_create(&n, in);
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, hidden, GAN_ACT_LEAKY_RELU);
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, hidden, GAN_ACT_LEAKY_RELU);
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

static int make_adam(gan_optimizer **out, gan_net *net, float lr)
{
    gan_optimizer_options o;
    gan_optimizer_options_init(&o, GAN_OPTIMIZER_OPTIONS_VERSION);
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = lr;
    o.beta1 = 0.5f;
    o.lr_decay = LR_DECAY;
    o.lr_min = 1e-5f;
    o.beta2 = 0.999f;
    int rc = gan_optimizer_create(out, net, &o);
    return rc ? fail("gan_optimizer_create", rc) : GAN_OK;
}

typedef struct ring_result {
    gan_coverage cov;
    float *samples; /* the last evaluation's EVAL_SAMPLES x 2 samples of G */
} ring_result;

/* Coverage of G's samples from the fixed evaluation noise z. */
static int evaluate(gan_coverage *cov, gan_session *s, const gan_toy_options *toy,
                    const float *z, float *samples)
{
    int rc = gan_session_sample(samples, EVAL_SAMPLES, 2, s, z);
    if (rc)
        return fail("gan_session_sample", rc);
    if ((rc = gan_toy_coverage(cov, toy, samples, EVAL_SAMPLES, 2, MIN_COUNT)) != GAN_OK)
        return fail("gan_toy_coverage", rc);
    return GAN_OK;
}

static int last_stats(const gan_stats *st, void *userdata)
{
    *(gan_stats *)userdata = *st;
    return 0;
}

/* One training run with the given G loss; everything from seed. */
static int train(ring_result *res, const gan_toy_options *toy, int g_loss,
                 unsigned long long iterations, unsigned long long seed, size_t nz)
{
    gan_rng *rng = NULL, *eval_rng = NULL;
    gan_net *g = NULL, *d = NULL;
    gan_optimizer *g_opt = NULL, *d_opt = NULL;
    gan_dataset *data = NULL;
    gan_session *s = NULL;
    float *z = malloc(EVAL_SAMPLES * nz * sizeof *z);
    float *samples = malloc(EVAL_SAMPLES * 2 * sizeof *samples);
    int rc = GAN_OK;
    if (z == NULL || samples == NULL) {
        fprintf(stderr, "ring2d: out of memory\n");
        rc = GAN_ENOMEM;
        goto done;
    }
    if ((rc = gan_rng_create(&rng, seed)) != GAN_OK ||
        (rc = gan_rng_create(&eval_rng, seed ^ 0x9e3779b97f4a7c15ull)) != GAN_OK) {
        fail("gan_rng_create", rc);
        goto done;
    }
    if ((rc = gan_dataset_create_toy(&data, toy, DATA_ROWS, rng)) != GAN_OK) {
        fail("gan_dataset_create_toy", rc);
        goto done;
    }
    if ((rc = make_net(&g, nz, HIDDEN, 2, GAN_ACT_IDENTITY, rng)) != GAN_OK ||
        (rc = make_net(&d, 2, HIDDEN, 1, GAN_ACT_SIGMOID, rng)) != GAN_OK ||
        (rc = make_adam(&g_opt, g, LEARNING_RATE)) != GAN_OK ||
        (rc = make_adam(&d_opt, d, LEARNING_RATE)) != GAN_OK)
        goto done;
    gan_session_options so;
    gan_session_options_init(&so, GAN_SESSION_OPTIONS_VERSION);
    so.batch_size = BATCH;
    so.k = 1;
    so.g_loss = (uint32_t)g_loss;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = 1.0f;
    so.noise_width = (uint32_t)nz;
    so.seed = seed;
    /* The nets are tiny: handing their element-wise loops to a thread pool
     * costs more than it saves (results are the same either way). */
    so.threads = 1;
    if ((rc = gan_session_create(&s, g, d, g_opt, d_opt, data, &so)) != GAN_OK) {
        fail("gan_session_create", rc);
        goto done;
    }
    if ((rc = gan_rng_uniform(z, EVAL_SAMPLES * nz, eval_rng, -1.0f, 1.0f)) != GAN_OK) {
        fail("gan_rng_uniform", rc);
        goto done;
    }
    printf("\n%s G loss\n%9s  %5s  %8s  %7s  %7s\n",
           g_loss == GAN_G_LOSS_MINIMAX ? "minimax" : "non-saturating", "iteration", "modes",
           "HQ share", "D(x)", "D(G(z))");
    const unsigned long long every = iterations >= 10 ? iterations / 10 : 1;
    gan_stats st;
    memset(&st, 0, sizeof st);
    for (unsigned long long done_it = 0; done_it < iterations;) {
        unsigned long long n = iterations - done_it < every ? iterations - done_it : every;
        if ((rc = gan_session_train(s, n, last_stats, &st)) != GAN_OK) {
            fail("gan_session_train", rc);
            goto done;
        }
        done_it += n;
        if ((rc = evaluate(&res->cov, s, toy, z, samples)) != GAN_OK)
            goto done;
        printf("%9llu  %2u / %u  %8.4f  %7.3f  %7.3f\n", done_it, res->cov.modes_covered,
               res->cov.modes_total, res->cov.high_quality_share, st.d_real, st.d_fake);
    }

done:
    gan_session_free(s);
    gan_optimizer_free(g_opt);
    gan_optimizer_free(d_opt);
    gan_net_free(g);
    gan_net_free(d);
    gan_dataset_free(data);
    gan_rng_free(rng);
    gan_rng_free(eval_rng);
    free(z);
    /* The caller keeps the last samples for the scatter plot. */
    res->samples = samples;
    return rc;
}

typedef struct ring_args {
    uint64_t iterations, seed;
    size_t nz;
    const char *plot_path; /* NULL: --no-plot */
} ring_args;

static void usage(FILE *fp)
{
    fprintf(fp, "usage: ring2d [--iterations N] [--seed S] [--noise-width W]\n"
                "              [--plot FILE.png | --no-plot]\n"
                "defaults: --iterations 10000 --seed 1 --noise-width 16 --plot ring2d.png\n");
}

/* 0: run; 1: --help printed; -1: bad command line (message printed). */
static int parse_args(ring_args *a, int argc, char **argv)
{
    static const char prog[] = "ring2d";
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
            strcmp(o, "--noise-width") != 0 && strcmp(o, "--plot") != 0) {
            fprintf(stderr, "ring2d: unknown option %s\n", o);
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
        else if (strcmp(o, "--noise-width") == 0)
            bad = args_size(&a->nz, prog, o, v, 1, 1000);
        else if (v[0] == '\0') {
            fprintf(stderr, "ring2d: --plot needs a file name (or use --no-plot)\n");
            bad = -1;
        } else
            a->plot_path = v;
        if (bad)
            return -1;
    }
    return 0;
}

#ifdef GAN_EXAMPLES_HAVE_CAIRO
/* Two panels, one per G loss: G's samples (translucent dots, so dense
 * regions show darker) and a circle of radius 3 std around each mode, the
 * area that gan_toy_coverage counts as high quality. */
static int draw_scatter(const ring_result *res, const gan_toy_options *toy, const char *path)
{
    static const char *const names[2] = {"non-saturating", "minimax"};
    const size_t n_modes = gan_toy_num_modes(toy);
    float centers[2 * 64];
    if (n_modes > 64)
        return GAN_EINVAL;
    int rc = gan_toy_centers(centers, 2 * n_modes, toy);
    if (rc != GAN_OK)
        return fail("gan_toy_centers", rc);
    plot *pl = plot_create(2, 440, 440);
    if (pl == NULL) {
        fprintf(stderr, "ring2d: cannot create the plot\n");
        return GAN_ENOMEM;
    }
    const double lim = 1.3 * (double)toy->radius;
    const plot_style dots = {0.1, 0.25, 0.8, 0.25, 1.1, 0}, ring = {0.85, 0.1, 0.1, 1, 1.5, 0};
    for (int p = 0; p < 2; p++) {
        char title[128];
        snprintf(title, sizeof title, "%s G loss: %u / %u modes, HQ share %.2f", names[p],
                 res[p].cov.modes_covered, res[p].cov.modes_total,
                 res[p].cov.high_quality_share);
        plot_panel(pl, p, -lim, lim, -lim, lim, title, 1);
        plot_points(pl, res[p].samples, EVAL_SAMPLES, 2, dots);
        for (size_t m = 0; m < n_modes; m++)
            plot_circle(pl, centers[2 * m], centers[2 * m + 1], 3.0 * (double)toy->std, ring);
    }
    rc = plot_save(pl, path) == 0 ? GAN_OK : GAN_EIO;
    plot_free(pl);
    if (rc == GAN_OK)
        printf("wrote %s (%d samples of G per loss; red circles: 3 std around each mode)\n", path,
               EVAL_SAMPLES);
    return rc;
}
#else
static int draw_scatter(const ring_result *res, const gan_toy_options *toy, const char *path)
{
    (void)res;
    (void)toy;
    printf("ring2d: no %s: built without cairo (install libcairo2-dev and rebuild)\n", path);
    return GAN_OK;
}
#endif

int main(int argc, char **argv)
{
    ring_args args = {10000, 1, 16, "ring2d.png"};
    const int prc = parse_args(&args, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    const unsigned long long iterations = args.iterations, seed = args.seed;
    const unsigned long nz = (unsigned long)args.nz;

    gan_toy_options toy;
    gan_toy_options_init(&toy, GAN_TOY_OPTIONS_VERSION);
    toy.kind = GAN_TOY_RING_2D;
    toy.modes = 8;
    toy.radius = 2.0f;
    toy.std = 0.02f;
    printf("ring2d: %u Gaussians on a circle of radius %.1f, std %.3f; noise U(-1,1)^%lu; %llu iterations, seed %llu\n",
           toy.modes, (double)toy.radius, (double)toy.std, nz, iterations, seed);
    printf("modes: modes holding >= %d of %d samples within 3 std; "
           "HQ share: share of samples within 3 std of a mode\n", MIN_COUNT, EVAL_SAMPLES);

    ring_result res[2];
    memset(res, 0, sizeof res);
    int rc = train(&res[0], &toy, GAN_G_LOSS_NON_SATURATING, iterations, seed, nz);
    if (rc == GAN_OK)
        rc = train(&res[1], &toy, GAN_G_LOSS_MINIMAX, iterations, seed, nz);
    if (rc == GAN_OK) {
        printf("\nfinal (%llu iterations, seed %llu):\n", iterations, seed);
        printf("  non-saturating: %u / %u modes covered, high-quality share %.4f\n",
               res[0].cov.modes_covered, res[0].cov.modes_total, res[0].cov.high_quality_share);
        printf("  minimax:        %u / %u modes covered, high-quality share %.4f\n",
               res[1].cov.modes_covered, res[1].cov.modes_total, res[1].cov.high_quality_share);
        if (args.plot_path != NULL)
            rc = draw_scatter(res, &toy, args.plot_path);
    }
    free(res[0].samples);
    free(res[1].samples);
    return rc == GAN_OK ? 0 : 1;
}
