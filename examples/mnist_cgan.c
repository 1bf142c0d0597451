/* mnist_cgan: a conditional MNIST GAN p(x | class), the paper's §7.1
 * extension (Mirza & Osindero 2014): the one-hot class is fed to both nets
 * at the input, G reads [z | onehot(y)] and D reads [x | onehot(y)].
 *
 *   usage: mnist_cgan [common options] [--classifier FILE] [--per-class N]
 *                     [--cond-scale X]
 *
 * The class code is X (default 5) times the one-hot vector: with a plain
 * one-hot code (X = 1) ten 0/1 inputs beside 784 pixels were too weak a
 * signal, D won on image quality alone and G ignored the class (11.7% of
 * its samples in the class asked for after 9 epochs, docs/extensions.md);
 * with X = 5 the classes separate within a few epochs.
 *
 * Trains a conditional GAN (examples/ext_mnist.h: --model small, the
 * default, or the paper's nets) on the 60,000 training digits, then
 * writes OUT/classes.png (10 x 10: row k holds ten samples of class k,
 * column j the same z in every row), OUT/last.ckpt (the session) and
 * OUT/generator_cond.gan (G, or its moving average when kept, saved with
 * gan_net_save(): its input is 110 wide, z ~ U(-sqrt 3, sqrt 3) in the
 * first 100 columns and X times the one-hot class in the last 10).
 *
 * With --classifier FILE (a net saved with gan_net_save(), 784 inputs, 10
 * outputs, the argmax the predicted class) it reports the classifier's own
 * MNIST test accuracy, then draws N (default 1,000) samples per class and
 * reports the share the classifier puts in the class asked for, per class
 * and overall, with the mean softmax probability of that class.
 */
#define _POSIX_C_SOURCE 200809L
#define EXT_PROG "mnist_cgan"
#include "ext_mnist.h"

#define CLASSES 10

struct cgan_options {
    struct ext_options c;
    const char *classifier;
    size_t per_class;
    double cond_scale; /* the value of the hot entry of the class code */
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: mnist_cgan [common options] [--classifier FILE] [--per-class N]\n"
                "                  [--cond-scale X]\n"
                "defaults: --out mnist_cgan_out --epochs 30 --per-class 1000 --cond-scale 5\n"
                EXT_COMMON_USAGE
                "--cond-scale X: the class code is X times the one-hot vector (in training\n"
                "          and sampling); with 1 (a plain one-hot code) G learnt to ignore the class\n"
                "--classifier FILE: an MNIST classifier net (784 -> 10, argmax = class);\n"
                "          scores N samples per class with it\n");
}

/* 0: run; 1: --help; -1: bad command line. */
static int parse_args(struct cgan_options *o, int argc, char **argv)
{
    ext_options_default(&o->c, "mnist_cgan_out", 30);
    o->classifier = NULL;
    o->per_class = 1000;
    o->cond_scale = 5.0;
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
        if (strcmp(a, "--classifier") == 0 || strcmp(a, "--per-class") == 0 ||
            strcmp(a, "--cond-scale") == 0) {
            const char *v = args_value(EXT_PROG, argc, argv, &i);
            if (v == NULL)
                return -1;
            if (strcmp(a, "--cond-scale") == 0) {
                if (args_double(&o->cond_scale, EXT_PROG, a, v, 1e-3, 1e3) != 0)
                    return -1;
            } else if (a[2] == 'c')
                o->classifier = v;
            else if (args_size(&o->per_class, EXT_PROG, a, v, 1, 100000) != 0)
                return -1;
            continue;
        }
        fprintf(stderr, "mnist_cgan: unknown option %s\n", a);
        usage(stderr);
        return -1;
    }
    return ext_check_common(&o->c);
}

static size_t argmax(const float *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* Softmax probability of class k from the classifier's outputs, in double. */
static double softmax_of(const float *out, size_t n, size_t k)
{
    double mx = out[0], sum = 0;
    for (size_t i = 1; i < n; i++)
        mx = out[i] > mx ? out[i] : mx;
    for (size_t i = 0; i < n; i++)
        sum += exp((double)out[i] - mx);
    return exp((double)out[k] - mx) / sum;
}

/* Row k: ten samples of class k; column j: the same z in every row. */
static int write_class_grid(struct ext_gan *m, const char *out_dir, gan_rng *rng, float scale)
{
    static float images[CLASSES * CLASSES * EXT_PIXELS];
    float z[CLASSES * CLASSES * EXT_NOISE], col_z[CLASSES * EXT_NOISE];
    float c[CLASSES * CLASSES * CLASSES] = {0};
    char path[1024];
    TRY("noise", ext_noise(col_z, sizeof col_z / sizeof *col_z, rng));
    for (size_t k = 0; k < CLASSES; k++)
        for (size_t j = 0; j < CLASSES; j++) {
            const size_t row = k * CLASSES + j;
            memcpy(z + row * EXT_NOISE, col_z + j * EXT_NOISE, EXT_NOISE * sizeof *z);
            c[row * CLASSES + k] = scale;
        }
    TRY("sampling G", gan_session_sample_cond(images, CLASSES * CLASSES, EXT_PIXELS, m->s, z, c,
                                              m->averaged ? GAN_SAMPLE_AVERAGE : 0));
    snprintf(path, sizeof path, "%s/classes.png", out_dir);
    TRY("writing the class grid",
        gan_png_write_grid(path, images, CLASSES, CLASSES, 28, 28, NULL));
    printf("wrote %s (row k: class k; column j: the same z)\n", path);
    return GAN_OK;
}

/* The classifier's accuracy on the test set; *ok 1 when it is usable. */
static int classifier_test_accuracy(double *acc, const gan_net *cls, const gan_dataset *test)
{
    const size_t n = gan_dataset_rows(test);
    float *out = malloc(n * CLASSES * sizeof *out);
    if (out == NULL)
        return ext_report("classifying", GAN_ENOMEM);
    int rc = gan_net_forward(out, CLASSES, cls, gan_dataset_data(test), n, EXT_PIXELS, 0);
    if (rc != GAN_OK) {
        free(out);
        return ext_report("classifying the test set", rc);
    }
    const int32_t *labels = gan_dataset_labels(test);
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += argmax(out + i * CLASSES, CLASSES) == (size_t)labels[i];
    free(out);
    *acc = (double)right / (double)n;
    return GAN_OK;
}

/* per_class samples of every class, classified. */
static int score_samples(struct ext_gan *m, const gan_net *cls, size_t per_class, gan_rng *rng,
                         float scale)
{
    float *z = malloc(per_class * EXT_NOISE * sizeof *z);
    float *c = calloc(per_class * CLASSES, sizeof *c);
    float *x = malloc(per_class * EXT_PIXELS * sizeof *x);
    float *out = malloc(per_class * CLASSES * sizeof *out);
    size_t right_all = 0;
    double conf_all = 0;
    int rc = z && c && x && out ? GAN_OK : GAN_ENOMEM;
    if (rc == GAN_OK)
        printf("class  asked-for share  mean softmax p(asked class)\n");
    for (size_t k = 0; k < CLASSES && rc == GAN_OK; k++) {
        memset(c, 0, per_class * CLASSES * sizeof *c);
        for (size_t i = 0; i < per_class; i++)
            c[i * CLASSES + k] = scale;
        rc = ext_noise(z, per_class * EXT_NOISE, rng);
        if (rc == GAN_OK)
            rc = gan_session_sample_cond(x, per_class, EXT_PIXELS, m->s, z, c,
                                         m->averaged ? GAN_SAMPLE_AVERAGE : 0);
        if (rc == GAN_OK)
            rc = gan_net_forward(out, CLASSES, cls, x, per_class, EXT_PIXELS, 0);
        if (rc != GAN_OK)
            break;
        size_t right = 0;
        double conf = 0;
        for (size_t i = 0; i < per_class; i++) {
            right += argmax(out + i * CLASSES, CLASSES) == k;
            conf += softmax_of(out + i * CLASSES, CLASSES, k);
        }
        printf("%5zu  %14.1f%%  %.3f\n", k, 100.0 * (double)right / (double)per_class,
               conf / (double)per_class);
        right_all += right;
        conf_all += conf;
    }
    if (rc == GAN_OK) {
        const double n = (double)(per_class * CLASSES);
        printf("conditional samples classified as the class asked for: %.2f%% of %zu "
               "(mean softmax p %.3f)\n",
               100.0 * (double)right_all / n, per_class * CLASSES, conf_all / n);
    }
    free(z);
    free(c);
    free(x);
    free(out);
    return rc ? ext_report("scoring the conditional samples", rc) : GAN_OK;
}

static int evaluate(struct ext_gan *m, const struct cgan_options *o, const gan_dataset *test)
{
    gan_net *cls = NULL;
    gan_rng *rng = NULL;
    TRY("loading the classifier", gan_net_load(&cls, o->classifier));
    int rc = GAN_OK;
    if (gan_net_input_width(cls) != EXT_PIXELS || gan_net_output_width(cls) != CLASSES) {
        fprintf(stderr, "mnist_cgan: %s is a %zu -> %zu net, not an MNIST classifier (784 -> 10)\n",
                o->classifier, gan_net_input_width(cls), gan_net_output_width(cls));
        rc = GAN_ESHAPE;
    }
    double acc = 0;
    if (rc == GAN_OK)
        rc = classifier_test_accuracy(&acc, cls, test);
    if (rc == GAN_OK) {
        printf("classifier %s: MNIST test accuracy %.2f%%\n", o->classifier, 100.0 * acc);
        rc = gan_rng_create(&rng, o->c.seed ^ 0xc1a55ull);
    }
    if (rc == GAN_OK)
        rc = score_samples(m, cls, o->per_class, rng, (float)o->cond_scale);
    gan_rng_free(rng);
    gan_net_free(cls);
    return rc;
}

static int run(struct ext_gan *m, const struct cgan_options *o, const gan_dataset *test)
{
    TRY("training", ext_train(m, &o->c));
    gan_rng *rng = NULL;
    TRY("figure rng", gan_rng_create(&rng, o->c.seed ^ 0x6a1dull));
    int rc = write_class_grid(m, o->c.out_dir, rng, (float)o->cond_scale);
    gan_rng_free(rng);
    if (rc != GAN_OK)
        return rc;
    char path[1024];
    snprintf(path, sizeof path, "%s/generator_cond.gan", o->c.out_dir);
    TRY("saving G", gan_net_save(ext_g(m), path));
    printf("saved %s%s: input [z (100, U(-sqrt 3, sqrt 3)) | %g x one-hot class (10)], output "
           "784\n",
           m->averaged ? "the average of G to " : "G to ", path, o->cond_scale);
    if (o->classifier != NULL)
        return evaluate(m, o, test);
    return GAN_OK;
}

/* [x | onehot] into [x | scale * onehot] (a new dataset; labels are not
 * needed past this point). */
static int scale_condition(gan_dataset **data, float scale)
{
    const size_t rows = gan_dataset_rows(*data), cols = gan_dataset_cols(*data);
    float *x = malloc(rows * cols * sizeof *x);
    if (x == NULL)
        return ext_report("--cond-scale", GAN_ENOMEM);
    memcpy(x, gan_dataset_data(*data), rows * cols * sizeof *x);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = cols - CLASSES; j < cols; j++)
            x[i * cols + j] *= scale;
    gan_dataset *scaled = NULL;
    const int rc = gan_dataset_create(&scaled, x, rows, cols);
    free(x);
    if (rc != GAN_OK)
        return ext_report("--cond-scale", rc);
    gan_dataset_free(*data);
    *data = scaled;
    return GAN_OK;
}

int main(int argc, char **argv)
{
    struct cgan_options o;
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    const int orc = ext_prepare_out(&o.c);
    if (orc != 0)
        return orc;
    gan_dataset *train = NULL, *test = NULL, *data = NULL;
    struct ext_gan m = {0};
    int rc = ext_load_mnist(&train, &test, o.c.data_dir);
    if (rc == GAN_OK) {
        rc = gan_dataset_append_onehot(&data, train, CLASSES);
        if (rc != GAN_OK)
            ext_report("building [x | onehot(label)]", rc);
    }
    if (rc == GAN_OK && o.cond_scale != 1.0)
        rc = scale_condition(&data, (float)o.cond_scale);
    if (rc == GAN_OK)
        rc = ext_build_gan(&m, data, EXT_PIXELS, CLASSES, &o.c);
    if (rc == GAN_OK)
        rc = run(&m, &o, test);
    ext_free_gan(&m);
    gan_dataset_free(data);
    gan_dataset_free(train);
    gan_dataset_free(test);
    return rc == GAN_OK ? 0 : 1;
}
