/* mnist_inference: the paper's §7.2 learned approximate inference. Given a
 * trained MNIST generator G, train an inference net E: x -> z on pairs
 * (G(z), z), z from G's prior, by least squares on z (the library's
 * gan_encoder_trainer), then measure how well G(E(x)) reconstructs test
 * digits.
 *
 *   usage: mnist_inference --generator FILE [--data DIR] [--out DIR]
 *                          [--steps N] [--hidden N] [--lr X] [--seed S]
 *                          [--eval N] [--force]
 *
 * FILE is a generator file (gan_generator_save_net(), e.g. the
 * generator.gan that examples/mnist writes). E is 784 -> hidden relu ->
 * hidden relu -> noise width (identity), trained with Adam on minibatches
 * of 100 fresh pairs. It reports the squared error in z on fresh pairs,
 * then for the first N (default 1,000) test digits the squared error
 * ||G(E(x)) - x||^2 (sum over the 784 pixels, mean over digits) beside
 * G(z) for a random z, the nearest of 10,000 samples of G, and the nearest
 * training digit. Writes OUT/encoder.gan (E, gan_net_save()) and
 * OUT/reconstructions.png (rows in pairs: ten test digits, then G(E(x)) of
 * each).
 */
#define _POSIX_C_SOURCE 200809L
#define EXT_PROG "mnist_inference"
#include "ext_mnist.h"

#define PAIR_ROWS 4   /* the picture: 4 pairs of rows */
#define PAIR_COLS 10  /* of 10 digits */
#define G_SAMPLES 10000

struct inf_options {
    const char *data_dir, *out_dir, *generator;
    int force;
    unsigned steps, hidden;
    double lr;
    unsigned long long seed;
    size_t n_eval;
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: mnist_inference --generator FILE [--data DIR] [--out DIR] [--steps N]\n"
                "                       [--hidden N] [--lr X] [--seed S] [--eval N] [--force]\n"
                "defaults: --data data --out mnist_inference_out --steps 6000 --hidden 1200\n"
                "          --lr 0.001 (Adam) --seed 1 --eval 1000\n"
                "--generator FILE: a generator file (e.g. examples/mnist's OUT/generator.gan)\n"
                "--force: overwrite OUT/encoder.gan\n");
}

static int parse_args(struct inf_options *o, int argc, char **argv)
{
    o->data_dir = "data";
    o->out_dir = "mnist_inference_out";
    o->generator = NULL;
    o->force = 0;
    o->steps = 6000;
    o->hidden = 1200;
    o->lr = 1e-3;
    o->seed = 1;
    o->n_eval = 1000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 1;
        }
        if (strcmp(a, "--force") == 0) {
            o->force = 1;
            continue;
        }
        static const char *const known[] = {"--data", "--out",  "--generator", "--steps",
                                            "--hidden", "--lr", "--seed",      "--eval"};
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(a, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known) {
            fprintf(stderr, "mnist_inference: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(EXT_PROG, argc, argv, &i);
        if (v == NULL)
            return -1;
        if (k <= 2 && v[0] == '\0') {
            fprintf(stderr, "mnist_inference: %s needs a non-empty path\n", a);
            return -1;
        }
        int bad = 0;
        uint64_t s;
        switch (k) {
        case 0: o->data_dir = v; break;
        case 1: o->out_dir = v; break;
        case 2: o->generator = v; break;
        case 3: bad = args_unsigned(&o->steps, EXT_PROG, a, v, 1, 10000000); break;
        case 4: bad = args_unsigned(&o->hidden, EXT_PROG, a, v, 1, 100000); break;
        case 5: bad = args_double(&o->lr, EXT_PROG, a, v, 1e-9, 1.0); break;
        case 6:
            bad = args_u64(&s, EXT_PROG, a, v, 0, UINT64_MAX);
            o->seed = s;
            break;
        default: bad = args_size(&o->n_eval, EXT_PROG, a, v, PAIR_ROWS * PAIR_COLS, 10000); break;
        }
        if (bad)
            return -1;
    }
    if (o->generator == NULL) {
        fprintf(stderr, "mnist_inference: --generator FILE is required\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

struct model {
    gan_generator *gen;
    size_t nz;
    double prior_var; /* of one component of z */
    gan_net *e;
    gan_optimizer *opt;
    gan_rng *rng;
};

static int build(struct model *m, const struct inf_options *o)
{
    TRY("loading the generator", gan_generator_load(&m->gen, o->generator));
    m->nz = gan_generator_noise_width(m->gen);
    gan_generator_options go;
    TRY("the generator's prior", gan_generator_get_options(&go, m->gen));
    /* U(-s, s): s^2 / 3; N(0, s^2): s^2. */
    m->prior_var = (double)go.noise_scale * go.noise_scale / (go.noise_kind == GAN_NOISE_UNIFORM ? 3.0 : 1.0);
    if (gan_generator_output_width(m->gen) != EXT_PIXELS) {
        fprintf(stderr, "mnist_inference: %s makes %zu values, not 784 (an MNIST generator)\n",
                o->generator, gan_generator_output_width(m->gen));
        return GAN_ESHAPE;
    }
    TRY("rng", gan_rng_create(&m->rng, o->seed));
    int rc = gan_net_create(&m->e, EXT_PIXELS);
    if (!rc) rc = gan_net_add_dense(m->e, o->hidden, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(m->e, o->hidden, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(m->e, m->nz, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_init(m->e, m->rng, GAN_INIT_UNIFORM, 0.05f);
    TRY("building E", rc);
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    oo.kind = GAN_OPT_ADAM;
    oo.learning_rate = (float)o->lr;
    TRY("E's optimizer", gan_optimizer_create(&m->opt, m->e, &oo));
    return GAN_OK;
}

/* One Adam step of E on rows fresh pairs (G(z), z): loss = the mean over
 * rows and noise components of (E(G(z)) - z)^2, so dloss/dE(x) =
 * 2 (E(x) - z) / (rows nz). Returns the loss in *loss. */
static int train_e(struct model *m, const struct inf_options *o)
{
    /* The library's trainer (gan.h, learned approximate inference): fresh
     * pairs (z, G(z)) from its own rng, one Adam step of the squared error
     * in z a step. */
    gan_encoder_trainer *t = NULL;
    int rc = gan_encoder_trainer_create(&t, m->e, m->opt, m->gen, EXT_BATCH, o->seed ^ 0xe4c0deull);
    if (rc)
        return ext_report("the encoder trainer", rc);
    double sum = 0, t0 = now_seconds(), c0 = cpu_seconds();
    const unsigned every = o->steps < 500 ? o->steps : 500;
    for (unsigned step = 1; step <= o->steps && rc == GAN_OK; step++) {
        double loss = 0;
        rc = gan_encoder_trainer_step(&loss, t);
        if (rc) {
            ext_report("training E", rc);
            break;
        }
        sum += loss;
        if (step % every == 0) {
            printf("step %u/%u: squared error in z per component %.4f (predicting 0: %.4f, the "
                   "prior's variance)  %.1f s  cpu %.1f s\n",
                   step, o->steps, sum / every, m->prior_var, now_seconds() - t0, cpu_seconds() - c0);
            fflush(stdout);
            sum = 0;
        }
    }
    gan_encoder_trainer_free(t);
    return rc;
}

/* Squared distance (sum over the pixels) of a and b. */
static double sq_dist(const float *a, const float *b)
{
    double s = 0;
    for (size_t p = 0; p < EXT_PIXELS; p++)
        s += ((double)a[p] - b[p]) * ((double)a[p] - b[p]);
    return s;
}

static int evaluate(struct model *m, const struct inf_options *o, const gan_dataset *train,
                    const gan_dataset *test)
{
    const size_t n = o->n_eval, nz = m->nz;
    const float *tx = gan_dataset_data(test);
    float *zh = malloc(n * nz * sizeof *zh);
    float *xr = malloc(n * EXT_PIXELS * sizeof *xr);
    float *xg = malloc((size_t)G_SAMPLES * EXT_PIXELS * sizeof *xg);
    float *dist = malloc(n * sizeof *dist);
    double recon = 0, random = 0, nearest_g = 0, nearest_t = 0, z_norm = 0;
    int rc = zh && xr && xg && dist ? GAN_OK : GAN_ENOMEM;
    if (rc == GAN_OK)
        rc = gan_net_forward(zh, nz, m->e, tx, n, EXT_PIXELS, 0);
    if (rc == GAN_OK)
        rc = gan_generator_forward(xr, n, EXT_PIXELS, m->gen, zh, nz);
    for (size_t i = 0; rc == GAN_OK && i < n; i++) {
        recon += sq_dist(xr + i * EXT_PIXELS, tx + i * EXT_PIXELS) / (double)n;
        for (size_t j = 0; j < nz; j++)
            z_norm += (double)zh[i * nz + j] * zh[i * nz + j] / (double)(n * nz);
    }
    /* Baselines: G of a random z (the first n of the samples), the
     * nearest of 10,000 samples of G, the nearest training digit. */
    if (rc == GAN_OK)
        rc = gan_generator_sample(xg, G_SAMPLES, EXT_PIXELS, m->gen, m->rng);
    for (size_t i = 0; rc == GAN_OK && i < n; i++)
        random += sq_dist(xg + i * EXT_PIXELS, tx + i * EXT_PIXELS) / (double)n;
    if (rc == GAN_OK)
        rc = gan_nearest_neighbors(NULL, dist, tx, n, EXT_PIXELS, xg, G_SAMPLES, EXT_PIXELS);
    for (size_t i = 0; rc == GAN_OK && i < n; i++)
        nearest_g += dist[i] / (double)n;
    if (rc == GAN_OK)
        rc = gan_nearest_neighbors(NULL, dist, tx, n, EXT_PIXELS, gan_dataset_data(train),
                                   gan_dataset_rows(train), EXT_PIXELS);
    for (size_t i = 0; rc == GAN_OK && i < n; i++)
        nearest_t += dist[i] / (double)n;
    if (rc == GAN_OK) {
        printf("reconstruction of test[0:%zu], squared error summed over the 784 pixels, mean "
               "over digits:\n",
               n);
        printf("  G(E(x)) %.2f;  G(z), z random %.2f;  nearest of %d samples of G %.2f;  "
               "nearest training digit %.2f\n",
               recon, random, G_SAMPLES, nearest_g, nearest_t);
        printf("  E(x) of test digits: mean square %.3f per component (the prior's: %.3f)\n",
               z_norm, m->prior_var);
    }
    /* The picture: pairs of rows, ten test digits above their G(E(x)). */
    static float picture[2 * PAIR_ROWS * PAIR_COLS * EXT_PIXELS];
    for (size_t r = 0; rc == GAN_OK && r < PAIR_ROWS; r++)
        for (size_t c = 0; c < PAIR_COLS; c++) {
            const size_t i = r * PAIR_COLS + c;
            memcpy(picture + ((2 * r) * PAIR_COLS + c) * EXT_PIXELS, tx + i * EXT_PIXELS,
                   EXT_PIXELS * sizeof *picture);
            memcpy(picture + ((2 * r + 1) * PAIR_COLS + c) * EXT_PIXELS, xr + i * EXT_PIXELS,
                   EXT_PIXELS * sizeof *picture);
        }
    char path[1024];
    snprintf(path, sizeof path, "%s/reconstructions.png", o->out_dir);
    if (rc == GAN_OK)
        rc = gan_png_write_grid(path, picture, 2 * PAIR_ROWS, PAIR_COLS, 28, 28, NULL);
    if (rc == GAN_OK)
        printf("wrote %s (rows in pairs: test digits, then G(E(x)))\n", path);
    free(zh);
    free(xr);
    free(xg);
    free(dist);
    return rc ? ext_report("evaluating E", rc) : GAN_OK;
}

int main(int argc, char **argv)
{
    struct inf_options o;
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    char e_path[1024];
    struct stat st;
    if (mkdir(o.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mnist_inference: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    snprintf(e_path, sizeof e_path, "%s/encoder.gan", o.out_dir);
    if (!o.force && lstat(e_path, &st) == 0) {
        fprintf(stderr, "mnist_inference: %s exists; pass --force to overwrite it, or another "
                        "--out\n", e_path);
        return ARGS_EXIT_USAGE;
    }
    struct model m = {0};
    gan_dataset *train = NULL, *test = NULL;
    int rc = ext_load_mnist(&train, &test, o.data_dir);
    if (rc == GAN_OK)
        rc = build(&m, &o);
    if (rc == GAN_OK) {
        printf("libgan %s; generator %s (noise width %zu); E 784-%u-%u-%zu, Adam %g, %u steps "
               "of 100 pairs, seed %llu\n",
               gan_version_string(), o.generator, m.nz, o.hidden, o.hidden, m.nz, o.lr, o.steps,
               o.seed);
        rc = train_e(&m, &o);
    }
    if (rc == GAN_OK) {
        rc = gan_net_save(m.e, e_path);
        if (rc == GAN_OK)
            printf("saved E to %s\n", e_path);
        else
            ext_report("saving E", rc);
    }
    if (rc == GAN_OK)
        rc = evaluate(&m, &o, train, test);
    gan_optimizer_free(m.opt);
    gan_net_free(m.e);
    gan_rng_free(m.rng);
    gan_generator_free(m.gen);
    gan_dataset_free(train);
    gan_dataset_free(test);
    return rc == GAN_OK ? 0 : 1;
}
