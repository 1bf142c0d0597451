/* mnist_inpaint: the paper's §7.3 conditionals p(x_S | x_not S): G learns
 * to complete a digit from its visible top half.
 *
 *   usage: mnist_inpaint [common options] [--eval N] [--completions K]
 *
 * The data are [x | x * mask] (gan_dataset_append_masked(), mask 1 on
 * image rows 0-13, the top half), so G reads [z | visible half] and D
 * reads [x | visible half] (examples/ext_mnist.h has the nets and recipes).
 * After training it completes the first N (default 1,000) test digits K
 * (default 10) times each and reports the mean squared error over the 392
 * hidden pixels, for the best of the K completions and for their mean,
 * beside two baselines: the bottom half of the training digit nearest by
 * the visible half, and the mean training bottom half. It writes
 * OUT/inpaint.png: one test digit per row, first its visible half, then
 * completions (the visible half pasted over G's top half), the truth
 * framed in the last column; OUT/last.ckpt and OUT/generator_inpaint.gan
 * (input [z (100) | the digit with its bottom half zeroed (784)]), and
 * OUT/discriminator_inpaint.gan (D, input [x | x with its bottom half
 * zeroed]; examples/mnist_semisup uses its hidden layers as features).
 */
#define _POSIX_C_SOURCE 200809L
#define EXT_PROG "mnist_inpaint"
#include "ext_mnist.h"

#define VISIBLE (14 * 28) /* the top 14 image rows */
#define HIDDEN (EXT_PIXELS - VISIBLE)
#define PICTURE_ROWS 10
#define PICTURE_COMPLETIONS 8

struct inpaint_options {
    struct ext_options c;
    size_t n_eval;
    size_t k;
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: mnist_inpaint [common options] [--eval N] [--completions K]\n"
                "defaults: --out mnist_inpaint_out --epochs 30 --eval 1000 --completions 10\n"
                EXT_COMMON_USAGE
                "--eval N: complete the first N test digits; --completions K: K each\n");
}

static int parse_args(struct inpaint_options *o, int argc, char **argv)
{
    ext_options_default(&o->c, "mnist_inpaint_out", 30);
    o->n_eval = 1000;
    o->k = 10;
    for (int i = 1; i < argc; i++) {
        if (args_is_help(argv[i])) {
            usage(stdout);
            return 1;
        }
        const int common = ext_parse_common(&o->c, argc, argv, &i);
        if (common < 0)
            return -1;
        if (common > 0)
            continue;
        const char *a = argv[i];
        if (strcmp(a, "--eval") == 0 || strcmp(a, "--completions") == 0) {
            const char *v = args_value(EXT_PROG, argc, argv, &i);
            if (v == NULL)
                return -1;
            if (a[2] == 'e' ? args_size(&o->n_eval, EXT_PROG, a, v, PICTURE_ROWS, 10000)
                            : args_size(&o->k, EXT_PROG, a, v, 1, 1000))
                return -1;
            continue;
        }
        fprintf(stderr, "mnist_inpaint: unknown option %s\n", a);
        usage(stderr);
        return -1;
    }
    return ext_check_common(&o->c);
}

/* Mean squared difference of the hidden (bottom) halves of a and b. */
static double hidden_mse(const float *a, const float *b)
{
    double s = 0;
    for (size_t p = VISIBLE; p < EXT_PIXELS; p++) {
        const double d = (double)a[p] - (double)b[p];
        s += d * d;
    }
    return s / HIDDEN;
}

/* The top halves of rows x (rows x 784) into out (rows x 392). */
static void top_halves(float *out, const float *x, size_t rows)
{
    for (size_t i = 0; i < rows; i++)
        memcpy(out + i * VISIBLE, x + i * EXT_PIXELS, VISIBLE * sizeof *out);
}

struct scores {
    double best, mean, visible; /* best of K, mean of K, G's top half vs the visible */
    double nearest, mean_image; /* the baselines */
};

/* K completions of each of the first n test digits: the scores, and the
 * picture's rows. */
static int complete(struct scores *sc, struct ext_gan *m, const struct inpaint_options *o,
                    const gan_dataset *train, const gan_dataset *test, float *picture)
{
    const size_t n = o->n_eval, k = o->k;
    const float *tx = gan_dataset_data(test);
    float *c = malloc(k * EXT_PIXELS * sizeof *c);
    float *z = malloc(k * EXT_NOISE * sizeof *z);
    float *x = malloc(k * EXT_PIXELS * sizeof *x);
    gan_rng *rng = NULL;
    int rc = c && z && x ? gan_rng_create(&rng, o->c.seed ^ 0x1a9a1ull) : GAN_ENOMEM;
    memset(sc, 0, sizeof *sc);
    for (size_t i = 0; i < n && rc == GAN_OK; i++) {
        const float *truth = tx + i * EXT_PIXELS;
        for (size_t j = 0; j < k; j++) {
            memcpy(c + j * EXT_PIXELS, truth, VISIBLE * sizeof *c);
            memset(c + j * EXT_PIXELS + VISIBLE, 0, HIDDEN * sizeof *c);
        }
        rc = ext_noise(z, k * EXT_NOISE, rng);
        if (rc == GAN_OK)
            rc = gan_session_sample_cond(x, k, EXT_PIXELS, m->s, z, c,
                                         m->averaged ? GAN_SAMPLE_AVERAGE : 0);
        if (rc != GAN_OK)
            break;
        double best = INFINITY, sum = 0, vis = 0;
        for (size_t j = 0; j < k; j++) {
            const float *xj = x + j * EXT_PIXELS;
            const double e = hidden_mse(xj, truth);
            best = e < best ? e : best;
            sum += e;
            for (size_t p = 0; p < VISIBLE; p++)
                vis += ((double)xj[p] - truth[p]) * ((double)xj[p] - truth[p]);
        }
        sc->best += best;
        sc->mean += sum / (double)k;
        sc->visible += vis / (double)(k * VISIBLE);
        if (i < PICTURE_ROWS) {
            /* Row i: the visible half, then completions with it pasted in. */
            float *row = picture + i * (1 + PICTURE_COMPLETIONS) * EXT_PIXELS;
            memcpy(row, c, EXT_PIXELS * sizeof *row);
            for (size_t j = 0; j < PICTURE_COMPLETIONS; j++) {
                float *cell = row + (1 + j) * EXT_PIXELS;
                memcpy(cell, x + (j % k) * EXT_PIXELS, EXT_PIXELS * sizeof *cell);
                memcpy(cell, truth, VISIBLE * sizeof *cell);
            }
        }
    }
    sc->best /= (double)n;
    sc->mean /= (double)n;
    sc->visible /= (double)n;

    /* Baselines: the nearest training digit by the visible half, and the
     * mean training digit. */
    const size_t nt = gan_dataset_rows(train);
    float *tq = malloc(n * VISIBLE * sizeof *tq);
    float *tr = malloc(nt * VISIBLE * sizeof *tr);
    int64_t *idx = malloc(n * sizeof *idx);
    float mean[EXT_PIXELS];
    if (rc == GAN_OK && (tq == NULL || tr == NULL || idx == NULL))
        rc = GAN_ENOMEM;
    if (rc == GAN_OK) {
        top_halves(tq, tx, n);
        top_halves(tr, gan_dataset_data(train), nt);
        rc = gan_nearest_neighbors(idx, NULL, tq, n, VISIBLE, tr, nt, VISIBLE);
    }
    if (rc == GAN_OK)
        rc = gan_dataset_column_mean(mean, EXT_PIXELS, train);
    if (rc == GAN_OK)
        for (size_t i = 0; i < n; i++) {
            sc->nearest += hidden_mse(gan_dataset_data(train) + (size_t)idx[i] * EXT_PIXELS,
                                      tx + i * EXT_PIXELS) / (double)n;
            sc->mean_image += hidden_mse(mean, tx + i * EXT_PIXELS) / (double)n;
        }
    free(tq);
    free(tr);
    free(idx);
    gan_rng_free(rng);
    free(c);
    free(z);
    free(x);
    return rc ? ext_report("completing the test digits", rc) : GAN_OK;
}

static int run(struct ext_gan *m, const struct inpaint_options *o, const gan_dataset *train,
               const gan_dataset *test)
{
    static float picture[PICTURE_ROWS * (1 + PICTURE_COMPLETIONS) * EXT_PIXELS];
    TRY("training", ext_train(m, &o->c));
    struct scores sc;
    const double t0 = now_seconds();
    TRY("completing", complete(&sc, m, o, train, test, picture));
    printf("inpainting the bottom half of test[0:%zu], %zu completions each (%.1f s):\n",
           o->n_eval, o->k, now_seconds() - t0);
    printf("  mean squared error per hidden pixel: best of %zu completions %.4f, their mean "
           "%.4f\n",
           o->k, sc.best, sc.mean);
    printf("  baselines: nearest training digit by the visible half %.4f, mean training digit "
           "%.4f\n",
           sc.nearest, sc.mean_image);
    printf("  G's top half against the visible half it was given: %.4f\n", sc.visible);

    char path[1024];
    const float *truth = gan_dataset_data(test);
    snprintf(path, sizeof path, "%s/inpaint.png", o->c.out_dir);
    TRY("writing the picture", gan_png_write_grid(path, picture, PICTURE_ROWS,
                                                  1 + PICTURE_COMPLETIONS, 28, 28, truth));
    printf("wrote %s (per row: the visible half, %d completions, the truth framed)\n", path,
           PICTURE_COMPLETIONS);
    snprintf(path, sizeof path, "%s/generator_inpaint.gan", o->c.out_dir);
    TRY("saving G", gan_net_save(ext_g(m), path));
    printf("saved %s%s: input [z (100, U(-sqrt 3, sqrt 3)) | digit with rows 14-27 zeroed "
           "(784)], output 784\n",
           m->averaged ? "the average of G to " : "G to ", path);
    /* D's hidden layers are features for examples/mnist_semisup. */
    snprintf(path, sizeof path, "%s/discriminator_inpaint.gan", o->c.out_dir);
    TRY("saving D", gan_net_save(m->d, path));
    printf("saved D to %s: input [x (784) | x with rows 14-27 zeroed (784)]\n", path);
    return GAN_OK;
}

int main(int argc, char **argv)
{
    struct inpaint_options o;
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    const int orc = ext_prepare_out(&o.c);
    if (orc != 0)
        return orc;
    static float mask[EXT_PIXELS];
    for (size_t p = 0; p < VISIBLE; p++)
        mask[p] = 1.0f;
    gan_dataset *train = NULL, *test = NULL, *data = NULL;
    struct ext_gan m = {0};
    int rc = ext_load_mnist(&train, &test, o.c.data_dir);
    if (rc == GAN_OK && o.n_eval > gan_dataset_rows(test)) {
        fprintf(stderr, "mnist_inpaint: --eval %zu is more than the %zu test digits\n", o.n_eval,
                gan_dataset_rows(test));
        rc = GAN_EINVAL;
    }
    if (rc == GAN_OK) {
        rc = gan_dataset_append_masked(&data, train, mask, EXT_PIXELS);
        if (rc != GAN_OK)
            ext_report("building [x | x * mask]", rc);
    }
    if (rc == GAN_OK)
        rc = ext_build_gan(&m, data, EXT_PIXELS, EXT_PIXELS, &o.c);
    if (rc == GAN_OK)
        rc = run(&m, &o, train, test);
    ext_free_gan(&m);
    gan_dataset_free(data);
    gan_dataset_free(train);
    gan_dataset_free(test);
    return rc == GAN_OK ? 0 : 1;
}
