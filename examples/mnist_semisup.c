/* mnist_semisup: the paper's §7.4 semi-supervised learning. Features from
 * the hidden layers of a net trained without labels (D of a GAN, or the
 * inference net E of examples/mnist_inference) feed a linear softmax
 * classifier trained on few labelled digits; the same classifier on the raw
 * pixels is the baseline.
 *
 *   usage: mnist_semisup --features FILE [--layers L] [--pool K] [--reinit S]
 *                        [--data DIR]
 *                        [--labels N,N,...] [--subsets R] [--test N]
 *                        [--steps N] [--decay X] [--seed S]
 *
 * FILE is a net saved with gan_net_save() whose input is either 784 wide
 * (x: e.g. OUT/encoder.gan of examples/mnist_inference) or 1568 wide
 * ([x | x with image rows 14-27 zeroed]: OUT/discriminator_inpaint.gan of
 * examples/mnist_inpaint; or OUT/discriminator.gan of examples/dcgan). The
 * net is truncated to its first L layers (gan_net_truncate; default: all
 * but the last), optionally followed by a K x K max pool (--pool K, for
 * convolutional features); its output on a digit is the digit's features.
 * --reinit S redraws the kept layers' weights (gan_net_init, N(0, S^2)):
 * the same features from a net that never trained, the control that says
 * what training added. For each label count (default 100 and 1,000) and each of R
 * (default 5) random labelled subsets of the 60,000 training digits, a
 * softmax classifier (features standardised with the labelled rows' mean
 * and deviation, L2 decay X, full-batch gradient descent, in double) is
 * trained on the features and on the pixels, and both are scored on the
 * first N test digits (default 10,000). Reports mean ± standard deviation
 * of the test error over the subsets.
 */
#define _POSIX_C_SOURCE 200809L
#define EXT_PROG "mnist_semisup"
#include "ext_mnist.h"

#define CLASSES 10
#define VISIBLE (14 * 28)
#define MAX_COUNTS 8

struct semi_options {
    const char *data_dir, *features;
    long layers; /* -1: all but the last */
    size_t pool; /* 0: none */
    double reinit; /* > 0: the control, the kept layers redrawn from N(0, reinit^2) */
    size_t counts[MAX_COUNTS], n_counts;
    unsigned subsets, steps;
    size_t n_test;
    double decay;
    unsigned long long seed;
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: mnist_semisup --features FILE [--layers L] [--pool K] [--reinit S]\n"
            "                     [--data DIR] [--labels N,N,...]\n"
            "                     [--subsets R] [--test N] [--steps N] [--decay X] [--seed S]\n"
            "defaults: --layers (all but the last) --data data --labels 100,1000 --subsets 5\n"
            "          --test 10000 --steps 300 --decay 0.01 --seed 1\n"
            "--features FILE: a net file, input 784 (x) or 1568 ([x | x, rows 14-27 zeroed]);\n"
            "          its first L layers give the features\n"
            "--pool K: max-pool image-shaped features over K x K windows at stride K\n"
            "--reinit S: the control: the kept layers' weights redrawn from N(0, S^2)\n"
            "          (biases 0) with --seed, an untrained net of the same shape\n");
}

/* "100,1000" into o->counts. 0 or -1. */
static int parse_counts(struct semi_options *o, const char *v)
{
    o->n_counts = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        if (o->n_counts == MAX_COUNTS) {
            fprintf(stderr, "mnist_semisup: --labels takes at most %d counts\n", MAX_COUNTS);
            return -1;
        }
        if (args_size(&o->counts[o->n_counts++], EXT_PROG, "--labels", t, CLASSES, 60000))
            return -1;
    }
    if (o->n_counts == 0) {
        fprintf(stderr, "mnist_semisup: --labels needs at least one count\n");
        return -1;
    }
    return 0;
}

static int parse_args(struct semi_options *o, int argc, char **argv)
{
    o->data_dir = "data";
    o->features = NULL;
    o->layers = -1;
    o->pool = 0;
    o->reinit = 0.0;
    o->counts[0] = 100;
    o->counts[1] = 1000;
    o->n_counts = 2;
    o->subsets = 5;
    o->steps = 300;
    o->n_test = 10000;
    o->decay = 0.01;
    o->seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 1;
        }
        static const char *const known[] = {"--data",  "--features", "--layers", "--labels",
                                            "--subsets", "--test",   "--steps",  "--decay",
                                            "--seed", "--pool", "--reinit"};
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(a, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known) {
            fprintf(stderr, "mnist_semisup: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(EXT_PROG, argc, argv, &i);
        if (v == NULL)
            return -1;
        if (k <= 1 && v[0] == '\0') {
            fprintf(stderr, "mnist_semisup: %s needs a non-empty path\n", a);
            return -1;
        }
        int bad = 0;
        unsigned u;
        uint64_t s;
        switch (k) {
        case 0: o->data_dir = v; break;
        case 1: o->features = v; break;
        case 2:
            bad = args_unsigned(&u, EXT_PROG, a, v, 1, 1000);
            o->layers = (long)u;
            break;
        case 3: bad = parse_counts(o, v); break;
        case 4: bad = args_unsigned(&o->subsets, EXT_PROG, a, v, 1, 100); break;
        case 5: bad = args_size(&o->n_test, EXT_PROG, a, v, 1, 10000); break;
        case 6: bad = args_unsigned(&o->steps, EXT_PROG, a, v, 1, 1000000); break;
        case 7: bad = args_double(&o->decay, EXT_PROG, a, v, 0.0, 100.0); break;
        case 8:
            bad = args_u64(&s, EXT_PROG, a, v, 0, UINT64_MAX);
            o->seed = s;
            break;
        case 9: bad = args_size(&o->pool, EXT_PROG, a, v, 1, 28); break;
        default: bad = args_double(&o->reinit, EXT_PROG, a, v, 1e-6, 10.0); break;
        }
        if (bad)
            return -1;
    }
    if (o->features == NULL) {
        fprintf(stderr, "mnist_semisup: --features FILE is required\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

/* With --pool K, a max pool of K x K windows at stride K after the kept
 * layers when their output is an image (a convolutional D's feature maps:
 * the 4 x 4 grids of Radford et al. 2016, §5.1, come from K = 4 on 14 x 14
 * and K = 2 on 7 x 7). */
static int add_pool(gan_net *net, size_t k)
{
    gan_layer_shape sh;
    int rc = gan_net_layer_shape(&sh, net, gan_net_num_layers(net) - 1);
    if (rc == GAN_OK && sh.out_height == 1 && sh.out_width == 1) {
        fprintf(stderr, "mnist_semisup: --pool needs image-shaped features; layer %zu is flat\n",
                gan_net_num_layers(net) - 1);
        return GAN_ESHAPE;
    }
    if (rc == GAN_OK)
        rc = gan_net_add_maxpool(net, k, k, 0);
    return rc ? ext_report("--pool", rc) : GAN_OK;
}

/* The control: the net's parameters redrawn, N(0, scale^2) weights. */
static int reinit(gan_net *net, double scale, unsigned long long seed)
{
    gan_rng *rng;
    int rc = gan_rng_create(&rng, seed);
    if (rc == GAN_OK)
        rc = gan_net_init(net, rng, GAN_INIT_NORMAL, (float)scale);
    gan_rng_free(rng);
    return rc ? ext_report("--reinit", rc) : GAN_OK;
}

/* The features of rows x (rows x 784) into f (rows x width), in chunks. */
static int features_of(float *f, const gan_net *net, const float *x, size_t rows)
{
    enum { CHUNK = 500 };
    const size_t in = gan_net_input_width(net), width = gan_net_output_width(net);
    float *buf = malloc(CHUNK * in * sizeof *buf);
    if (buf == NULL)
        return ext_report("features", GAN_ENOMEM);
    int rc = GAN_OK;
    for (size_t r0 = 0; r0 < rows && rc == GAN_OK; r0 += CHUNK) {
        const size_t n = rows - r0 < CHUNK ? rows - r0 : CHUNK;
        for (size_t i = 0; i < n; i++) {
            const float *xi = x + (r0 + i) * EXT_PIXELS;
            float *bi = buf + i * in;
            memcpy(bi, xi, EXT_PIXELS * sizeof *bi);
            if (in == 2 * EXT_PIXELS) { /* [x | x with its bottom half zeroed] */
                memcpy(bi + EXT_PIXELS, xi, VISIBLE * sizeof *bi);
                memset(bi + EXT_PIXELS + VISIBLE, 0, (EXT_PIXELS - VISIBLE) * sizeof *bi);
            }
        }
        rc = gan_net_forward(f + r0 * width, width, net, buf, n, in, 0);
    }
    free(buf);
    return rc ? ext_report("features", rc) : GAN_OK;
}

/* Softmax regression on n rows of d features (standardised with these
 * rows' mean and deviation), full-batch gradient descent with L2 decay;
 * returns the test error on the m test rows. In double throughout. */
static double softmax_error(const float *x, const int32_t *y, size_t n, const float *tx,
                            const int32_t *ty, size_t m, size_t d, const struct semi_options *o)
{
    double *mu = calloc(d, sizeof *mu), *sd = calloc(d, sizeof *sd);
    double *w = calloc((d + 1) * CLASSES, sizeof *w), *g = calloc((d + 1) * CLASSES, sizeof *g);
    double *xs = malloc(n * d * sizeof *xs);
    double err = NAN;
    if (!mu || !sd || !w || !g || !xs)
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mu[j] += x[i * d + j] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            sd[j] += (x[i * d + j] - mu[j]) * (x[i * d + j] - mu[j]) / (double)n;
    for (size_t j = 0; j < d; j++)
        sd[j] = sqrt(sd[j]) + 1e-3; /* constant columns (border pixels) stay 0 */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xs[i * d + j] = (x[i * d + j] - mu[j]) / sd[j];
    /* w: (d + 1) x CLASSES, the last row the bias. Step 1 / (1 + d / n)
     * keeps the full-batch steps stable for standardised features. */
    const double lr = 1.0 / (1.0 + (double)d / (double)n);
    for (unsigned step = 0; step < o->steps; step++) {
        memset(g, 0, (d + 1) * CLASSES * sizeof *g);
        for (size_t i = 0; i < n; i++) {
            double z[CLASSES], mx = -INFINITY, s = 0;
            const double *xi = xs + i * d;
            for (size_t c = 0; c < CLASSES; c++) {
                z[c] = w[d * CLASSES + c];
                for (size_t j = 0; j < d; j++)
                    z[c] += xi[j] * w[j * CLASSES + c];
                mx = z[c] > mx ? z[c] : mx;
            }
            for (size_t c = 0; c < CLASSES; c++)
                s += (z[c] = exp(z[c] - mx));
            for (size_t c = 0; c < CLASSES; c++) {
                const double dz = (z[c] / s - (y[i] == (int32_t)c)) / (double)n;
                g[d * CLASSES + c] += dz;
                for (size_t j = 0; j < d; j++)
                    g[j * CLASSES + c] += xi[j] * dz;
            }
        }
        for (size_t k = 0; k < d * CLASSES; k++)
            w[k] -= lr * (g[k] + o->decay * w[k]);
        for (size_t c = 0; c < CLASSES; c++)
            w[d * CLASSES + c] -= lr * g[d * CLASSES + c];
    }
    size_t wrong = 0;
    for (size_t i = 0; i < m; i++) {
        size_t best = 0;
        double bz = -INFINITY;
        for (size_t c = 0; c < CLASSES; c++) {
            double z = w[d * CLASSES + c];
            for (size_t j = 0; j < d; j++)
                z += (tx[i * d + j] - mu[j]) / sd[j] * w[j * CLASSES + c];
            if (z > bz) {
                bz = z;
                best = c;
            }
        }
        wrong += best != (size_t)ty[i];
    }
    err = (double)wrong / (double)m;
done:
    free(mu);
    free(sd);
    free(w);
    free(g);
    free(xs);
    return err;
}

static void mean_std(double *mean, double *sd, const double *v, size_t n)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - *mean) * (v[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

static int run(const struct semi_options *o, const gan_net *fnet, const gan_dataset *train,
               const gan_dataset *test)
{
    const size_t width = gan_net_output_width(fnet), nt = o->n_test;
    size_t max_n = 0;
    for (size_t k = 0; k < o->n_counts; k++)
        max_n = o->counts[k] > max_n ? o->counts[k] : max_n;
    float *tf = malloc(nt * width * sizeof *tf);
    float *lf = malloc(max_n * width * sizeof *lf);
    float *lx = malloc(max_n * EXT_PIXELS * sizeof *lx);
    int32_t *ly = malloc(max_n * sizeof *ly);
    int64_t *perm = malloc(gan_dataset_rows(train) * sizeof *perm);
    double *err_f = malloc(o->subsets * sizeof *err_f), *err_p = malloc(o->subsets * sizeof *err_p);
    gan_rng *rng = NULL;
    int rc = tf && lf && lx && ly && perm && err_f && err_p ? GAN_OK : GAN_ENOMEM;
    const double t0 = now_seconds();
    if (rc == GAN_OK)
        rc = features_of(tf, fnet, gan_dataset_data(test), nt);
    if (rc == GAN_OK) {
        printf("features of %zu test digits: %zu wide (%.1f s)\n", nt, width, now_seconds() - t0);
        rc = gan_rng_create(&rng, o->seed);
    }
    const size_t ntrain = gan_dataset_rows(train);
    for (size_t k = 0; k < o->n_counts && rc == GAN_OK; k++) {
        const size_t n = o->counts[k];
        for (unsigned r = 0; r < o->subsets && rc == GAN_OK; r++) {
            /* A random subset: the first n of a partial Fisher-Yates shuffle. */
            for (size_t i = 0; i < ntrain; i++)
                perm[i] = (int64_t)i;
            for (size_t i = 0; i < n && rc == GAN_OK; i++) {
                int64_t j;
                rc = gan_rng_int(&j, rng, (int64_t)i, (int64_t)ntrain - 1);
                const int64_t t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (size_t i = 0; i < n; i++) {
                memcpy(lx + i * EXT_PIXELS, gan_dataset_data(train) + perm[i] * EXT_PIXELS,
                       EXT_PIXELS * sizeof *lx);
                ly[i] = gan_dataset_labels(train)[perm[i]];
            }
            if (rc == GAN_OK)
                rc = features_of(lf, fnet, lx, n);
            if (rc != GAN_OK)
                break;
            err_f[r] = softmax_error(lf, ly, n, tf, gan_dataset_labels(test), nt, width, o);
            err_p[r] = softmax_error(lx, ly, n, gan_dataset_data(test), gan_dataset_labels(test),
                                     nt, EXT_PIXELS, o);
            if (isnan(err_f[r]) || isnan(err_p[r]))
                rc = ext_report("the softmax classifier", GAN_ENOMEM);
            else
                printf("%zu labels, subset %u: test error features %.2f%%, pixels %.2f%%\n", n,
                       r + 1, 100 * err_f[r], 100 * err_p[r]);
            fflush(stdout);
        }
        if (rc != GAN_OK)
            break;
        double mf, sf, mp, sp;
        mean_std(&mf, &sf, err_f, o->subsets);
        mean_std(&mp, &sp, err_p, o->subsets);
        printf("%zu labels (%u subsets): test error with the features %.2f ± %.2f%%, with the "
               "pixels %.2f ± %.2f%%\n",
               n, o->subsets, 100 * mf, 100 * sf, 100 * mp, 100 * sp);
    }
    gan_rng_free(rng);
    free(tf);
    free(lf);
    free(lx);
    free(ly);
    free(perm);
    free(err_f);
    free(err_p);
    return rc;
}

int main(int argc, char **argv)
{
    struct semi_options o;
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    gan_net *fnet = NULL;
    gan_dataset *train = NULL, *test = NULL;
    int rc = ext_load_mnist(&train, &test, o.data_dir);
    if (rc == GAN_OK) {
        rc = gan_net_load(&fnet, o.features);
        if (rc != GAN_OK)
            ext_report("loading --features", rc);
    }
    if (rc == GAN_OK) {
        const size_t in = gan_net_input_width(fnet), nl = gan_net_num_layers(fnet);
        const size_t layers = o.layers < 0 ? nl - 1 : (size_t)o.layers;
        if (in != EXT_PIXELS && in != 2 * EXT_PIXELS) {
            fprintf(stderr, "mnist_semisup: %s reads %zu values; want 784 or 1568\n", o.features,
                    in);
            rc = GAN_ESHAPE;
        } else if (layers == 0 || layers > nl) {
            fprintf(stderr, "mnist_semisup: --layers must be 1..%zu for %s\n", nl, o.features);
            rc = GAN_EINVAL;
        } else if ((rc = gan_net_truncate(fnet, layers)) != GAN_OK)
            ext_report("truncating --features", rc);
        if (rc == GAN_OK && o.reinit > 0)
            rc = reinit(fnet, o.reinit, o.seed);
        if (rc == GAN_OK && o.pool > 0)
            rc = add_pool(fnet, o.pool);
        if (rc == GAN_OK)
            printf("libgan %s; features: the first %zu of the %zu layers of %s%s%s (%zu wide); "
                   "softmax: %u steps, decay %g; seed %llu\n",
                   gan_version_string(), layers, nl, o.features,
                   o.reinit > 0 ? " with weights redrawn (the untrained control)" : "",
                   o.pool > 0 ? ", max-pooled" : "", gan_net_output_width(fnet), o.steps,
                   o.decay, o.seed);
    }
    if (rc == GAN_OK)
        rc = run(&o, fnet, train, test);
    gan_net_free(fnet);
    gan_dataset_free(train);
    gan_dataset_free(test);
    return rc == GAN_OK ? 0 : 1;
}
