/* mode_coverage: how a generator spreads its samples over the classes of a
 * data set, judged by a classifier (issue 19). It draws N samples from a
 * generator file with a seeded rng, classifies each with a classifier net
 * (examples/mnist_classifier), and prints the class histogram and a
 * summary.
 *
 *   usage: mode_coverage --classifier NET (--generator GEN | --images IDX)
 *                        [--samples N] [--seed N] [--threshold P]
 *                        [--class-names mnist|fashion]
 *
 * --images IDX classifies the images of an IDX file (e.g. the test set)
 * instead, the first --samples of them: the same figures for real data,
 * the reference a generator's are read against.
 *
 * A sample's class is the classifier's most probable class (argmax of the
 * softmax of its logits). A sample is "confident" when that probability is
 * at least the threshold (default 0.9): samples the classifier cannot place
 * (blurry, between digits, no digit at all) fall below it, so the confident
 * share is a rough measure of how recognisable the samples are. The
 * histogram counts every sample and, beside it, the confident ones.
 *
 * Summary: classes present (at least one sample; also at least 1% of the
 * samples, since a classifier puts a few stray samples anywhere), the
 * smallest and largest class shares, and the KL divergence KL(p || u) =
 * sum p_c log(p_c K) (nats) of the class distribution p from the uniform u
 * over the K classes: 0 when every class gets 1/K of the samples, log K
 * when every sample is one class. The labels of MNIST's test set give
 * 0.0017 (its classes hold 892 to 1135 of the 10,000 images): the value a
 * generator that covers every mode as the data do would reach, up to the
 * classifier's errors.
 *
 * The generator's output (after its output scaling) must have the
 * classifier's input width; both files are checked by the library on load.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"

#define PROG "mode_coverage"
#define CHUNK 500

static const char *const MNIST_NAMES[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
static const char *const FASHION_NAMES[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                                              "Coat",        "Sandal",  "Shirt",    "Sneaker",
                                              "Bag",         "Ankle boot"};

struct options {
    const char *classifier, *generator, *images, *names;
    uint64_t samples, seed;
    double threshold;
};

static void usage(FILE *to)
{
    fprintf(to,
            "usage: " PROG " --classifier NET (--generator GEN | --images IDX) [--samples N]\n"
            "       [--seed N] [--threshold P] [--class-names mnist|fashion]\n"
            "  --classifier NET  a classifier net file (gan_net_save; examples/mnist_classifier)\n"
            "                    whose outputs are class logits\n"
            "  --generator GEN   a generator file (gan_generator_save) or a plain G net file\n"
            "  --images IDX      classify the first N images of an IDX file (plain or .gz)\n"
            "                    instead: the reference figures of real data\n"
            "  --samples N       samples drawn (default 10000)\n"
            "  --seed N          seed of the noise (default 1)\n"
            "  --threshold P     a sample is confident when its top class probability is\n"
            "                    >= P (default 0.9)\n"
            "  --class-names     print classes as MNIST digits (default) or Fashion-MNIST\n"
            "                    names; the classifier must then have 10 classes\n");
}

static int parse(struct options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 0;
        }
        const int known = strcmp(a, "--classifier") == 0 || strcmp(a, "--generator") == 0 ||
                          strcmp(a, "--images") == 0 ||
                          strcmp(a, "--samples") == 0 || strcmp(a, "--seed") == 0 ||
                          strcmp(a, "--threshold") == 0 || strcmp(a, "--class-names") == 0;
        if (!known) {
            fprintf(stderr, PROG ": unknown option %s\n", a);
            usage(stderr);
            return ARGS_EXIT_USAGE;
        }
        const char *v = args_value(PROG, argc, argv, &i);
        if (v == NULL)
            return ARGS_EXIT_USAGE;
        int bad = 0;
        if (strcmp(a, "--classifier") == 0)
            o->classifier = v;
        else if (strcmp(a, "--generator") == 0)
            o->generator = v;
        else if (strcmp(a, "--images") == 0)
            o->images = v;
        else if (strcmp(a, "--samples") == 0)
            bad = args_u64(&o->samples, PROG, a, v, 1, 100000000);
        else if (strcmp(a, "--seed") == 0)
            bad = args_u64(&o->seed, PROG, a, v, 0, UINT64_MAX);
        else if (strcmp(a, "--threshold") == 0)
            bad = args_double(&o->threshold, PROG, a, v, 0.0, 1.0);
        else {
            o->names = v;
            if (strcmp(v, "mnist") != 0 && strcmp(v, "fashion") != 0) {
                fprintf(stderr, PROG ": --class-names is mnist or fashion, not '%s'\n", v);
                bad = 1;
            }
        }
        if (bad)
            return ARGS_EXIT_USAGE;
    }
    if (o->classifier == NULL || (o->generator == NULL) == (o->images == NULL)) {
        fprintf(stderr, PROG ": --classifier and one of --generator and --images are required\n");
        usage(stderr);
        return ARGS_EXIT_USAGE;
    }
    return -1; /* go on */
}

int main(int argc, char **argv)
{
    struct options o = {NULL, NULL, NULL, NULL, 10000, 1, 0.9};
    const int parsed = parse(&o, argc, argv);
    if (parsed >= 0)
        return parsed;

    int status = 1;
    gan_net *clf = NULL;
    gan_generator *gen = NULL;
    gan_dataset *images = NULL;
    gan_rng *rng = NULL;
    float *samples = NULL, *probs = NULL;
    uint64_t *count = NULL, *confident = NULL;

    if (gan_net_load(&clf, o.classifier) != GAN_OK) {
        fprintf(stderr, PROG ": loading the classifier %s: %s\n", o.classifier, gan_error_last());
        goto done;
    }
    if (o.generator != NULL && gan_generator_load(&gen, o.generator) != GAN_OK) {
        fprintf(stderr, PROG ": loading the generator %s: %s\n", o.generator, gan_error_last());
        goto done;
    }
    if (o.images != NULL && gan_dataset_load_idx(&images, o.images, NULL) != GAN_OK) {
        fprintf(stderr, PROG ": loading the images %s: %s\n", o.images, gan_error_last());
        goto done;
    }
    if (images != NULL && gan_dataset_rows(images) < o.samples)
        o.samples = gan_dataset_rows(images);
    const size_t width = gen ? gan_generator_output_width(gen) : gan_dataset_cols(images);
    const size_t classes = gan_net_output_width(clf);
    if (gan_net_input_width(clf) != width) {
        fprintf(stderr, PROG ": the %s %zu values, but the classifier reads rows of %zu\n",
                gen ? "generator makes samples of" : "images have", width,
                gan_net_input_width(clf));
        goto done;
    }
    if (classes < 2) {
        fprintf(stderr, PROG ": the classifier has %zu output, not class logits\n", classes);
        goto done;
    }
    const char *const *names = NULL;
    if (o.names != NULL) {
        if (classes != 10) {
            fprintf(stderr, PROG ": --class-names %s names 10 classes, the classifier has %zu\n",
                    o.names, classes);
            goto done;
        }
        names = strcmp(o.names, "fashion") == 0 ? FASHION_NAMES : MNIST_NAMES;
    }
    samples = malloc(CHUNK * width * sizeof *samples);
    probs = malloc(CHUNK * classes * sizeof *probs);
    count = calloc(classes, sizeof *count);
    confident = calloc(classes, sizeof *confident);
    if (samples == NULL || probs == NULL || count == NULL || confident == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        goto done;
    }
    if (gan_rng_create(&rng, o.seed) != GAN_OK) {
        fprintf(stderr, PROG ": creating the rng: %s\n", gan_error_last());
        goto done;
    }
    /* Chunks of CHUNK samples keep memory small. */
    uint64_t n_conf = 0;
    for (uint64_t at = 0; at < o.samples; at += CHUNK) {
        const size_t rows = o.samples - at < CHUNK ? (size_t)(o.samples - at) : CHUNK;
        const float *x = samples;
        if (gen != NULL && gan_generator_sample(samples, rows, width, gen, rng) != GAN_OK)
            x = NULL;
        else if (gen == NULL)
            x = gan_dataset_data(images) + at * width;
        if (x == NULL ||
            gan_net_forward(probs, classes, clf, x, rows, width, GAN_FORWARD_LOGITS) != GAN_OK ||
            gan_softmax(probs, probs, rows, classes) != GAN_OK) {
            fprintf(stderr, PROG ": classifying samples %llu to %llu: %s\n",
                    (unsigned long long)at, (unsigned long long)(at + rows - 1), gan_error_last());
            goto done;
        }
        for (size_t r = 0; r < rows; r++) {
            const float *p = probs + r * classes;
            size_t best = 0;
            for (size_t c = 1; c < classes; c++)
                if (p[c] > p[best])
                    best = c;
            count[best]++;
            if (p[best] >= o.threshold) {
                confident[best]++;
                n_conf++;
            }
        }
    }

    const double n = (double)o.samples;
    if (gen != NULL)
        printf("%llu samples of %s (seed %llu) classified by %s\n",
               (unsigned long long)o.samples, o.generator, (unsigned long long)o.seed,
               o.classifier);
    else
        printf("the first %llu images of %s classified by %s\n", (unsigned long long)o.samples,
               o.images, o.classifier);
    printf("confident: top class probability >= %g\n\n", o.threshold);
    printf("%-12s %8s %7s %10s\n", "class", "samples", "share", "confident");
    size_t present = 0, present_1pc = 0;
    double min_share = 1.0, max_share = 0.0, kl = 0.0;
    for (size_t c = 0; c < classes; c++) {
        const double share = (double)count[c] / n;
        char label[32];
        if (names != NULL)
            snprintf(label, sizeof label, "%s", names[c]);
        else
            snprintf(label, sizeof label, "%zu", c);
        printf("%-12s %8llu %6.2f%% %10llu\n", label, (unsigned long long)count[c], 100.0 * share,
               (unsigned long long)confident[c]);
        present += count[c] > 0;
        present_1pc += share >= 0.01;
        if (share < min_share)
            min_share = share;
        if (share > max_share)
            max_share = share;
        if (count[c] > 0)
            kl += share * log(share * (double)classes);
    }
    printf("\nconfident samples: %llu of %llu (%.2f%%)\n", (unsigned long long)n_conf,
           (unsigned long long)o.samples, 100.0 * (double)n_conf / n);
    printf("classes present: %zu of %zu (%zu with at least 1%% of the samples)\n", present,
           classes, present_1pc);
    printf("class share: min %.2f%%, max %.2f%% (uniform: %.2f%%)\n", 100.0 * min_share,
           100.0 * max_share, 100.0 / (double)classes);
    printf("KL(classes || uniform) = %.4f nats (0: uniform; %.4f: a single class)\n", kl,
           log((double)classes));
    status = 0;

done:
    free(samples);
    free(probs);
    free(count);
    free(confident);
    gan_rng_free(rng);
    gan_generator_free(gen);
    gan_dataset_free(images);
    gan_net_free(clf);
    return status;
}
