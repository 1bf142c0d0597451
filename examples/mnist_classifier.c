/* mnist_classifier: train a digit (MNIST) or clothing (Fashion-MNIST)
 * classifier with libgan's layers and its softmax cross-entropy loss, report
 * the test accuracy after every epoch, and save the net (gan_net_save) for
 * examples/mode_coverage, which classifies generated samples with it.
 *
 *   usage: mnist_classifier [--data DIR] [--out FILE] [--arch mlp|conv]
 *                           [--epochs N] [--batch N] [--lr X] [--lr-final X]
 *                           [--seed N] [--train-rows N]
 *
 * The training loop is the public net API, nothing private:
 *   gan_dataset_next_batch -> gan_net_train_forward -> gan_net_train_output
 *   (GAN_FORWARD_LOGITS) -> gan_loss_softmax_cross_entropy ->
 *   gan_net_backward (GAN_BACKWARD_LOGITS) -> gan_optimizer_step (Adam, its
 *   learning rate falling geometrically from --lr to --lr-final).
 * The test set is classified with gan_net_forward, where dropout is off.
 *
 * Architectures (the last layer is dense with identity activation: its
 * output are the logits):
 *   mlp:  784 -> dropout 0.8 -> maxout 240x5 -> dropout 0.5 -> maxout 240x5
 *         -> dropout 0.5 -> dense 10 (the paper's maxout MLP shape; default)
 *   conv: 1x28x28 -> conv 5x5 32 (pad 2) relu -> max pool 2 -> conv 5x5 64
 *         (pad 2) relu -> max pool 2 -> dropout 0.5 -> dense 10
 * The net's input is 784 values in [0, 1], the IDX scaling, which is also
 * the output range of the MNIST generators of examples/mnist.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "run_util.h"

#include <sys/stat.h>
#include <time.h>

#define PROG "mnist_classifier"
#define PIXELS 784
#define CLASSES 10
#define EVAL_CHUNK 500

struct options {
    const char *data_dir, *out, *arch;
    uint64_t epochs, batch, seed, train_rows;
    double lr, lr_final;
};

static void usage(FILE *to)
{
    fprintf(to,
            "usage: " PROG " [--data DIR] [--out FILE] [--arch mlp|conv] [--epochs N]\n"
            "       [--batch N] [--lr X] [--lr-final X] [--seed N] [--train-rows N]\n"
            "  --data DIR      the four IDX files of MNIST or Fashion-MNIST, plain or .gz\n"
            "                  (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],\n"
            "                  t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]);\n"
            "                  default ./data\n"
            "  --out FILE      where the trained net is saved after every epoch\n"
            "                  (gan_net_save); default: not saved\n"
            "  --arch mlp|conv a maxout MLP with dropout (default) or a small conv net\n"
            "  --epochs N      passes over the training set (default 10)\n"
            "  --batch N       minibatch size (default 64)\n"
            "  --lr X          Adam learning rate of the first step (default 0.001)\n"
            "  --lr-final X    learning rate of the last step (default: --lr / 20); it falls\n"
            "                  geometrically, by the same factor after every step\n"
            "  --seed N        seed of the initialisation, the shuffles and dropout (default 1)\n"
            "  --train-rows N  train on the first N training images only (default: all)\n");
}

static int parse(struct options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 0;
        }
        const int known = strcmp(a, "--data") == 0 || strcmp(a, "--out") == 0 ||
                          strcmp(a, "--arch") == 0 || strcmp(a, "--epochs") == 0 ||
                          strcmp(a, "--batch") == 0 || strcmp(a, "--lr") == 0 ||
                          strcmp(a, "--seed") == 0 || strcmp(a, "--train-rows") == 0 ||
                          strcmp(a, "--lr-final") == 0;
        if (!known) {
            fprintf(stderr, PROG ": unknown option %s\n", a);
            usage(stderr);
            return ARGS_EXIT_USAGE;
        }
        const char *v = args_value(PROG, argc, argv, &i);
        if (v == NULL)
            return ARGS_EXIT_USAGE;
        int bad = 0;
        if (strcmp(a, "--data") == 0)
            o->data_dir = v;
        else if (strcmp(a, "--out") == 0)
            o->out = v;
        else if (strcmp(a, "--arch") == 0) {
            o->arch = v;
            if (strcmp(v, "conv") != 0 && strcmp(v, "mlp") != 0) {
                fprintf(stderr, PROG ": --arch is conv or mlp, not '%s'\n", v);
                bad = 1;
            }
        } else if (strcmp(a, "--epochs") == 0)
            bad = args_u64(&o->epochs, PROG, a, v, 1, 10000);
        else if (strcmp(a, "--batch") == 0)
            bad = args_u64(&o->batch, PROG, a, v, 1, 60000);
        else if (strcmp(a, "--lr") == 0) {
            bad = args_double(&o->lr, PROG, a, v, 0.0, 1.0);
            if (!bad && o->lr == 0.0) {
                fprintf(stderr, PROG ": --lr must be above 0\n");
                bad = 1;
            }
        } else if (strcmp(a, "--lr-final") == 0) {
            bad = args_double(&o->lr_final, PROG, a, v, 0.0, 1.0);
            if (!bad && o->lr_final == 0.0) {
                fprintf(stderr, PROG ": --lr-final must be above 0\n");
                bad = 1;
            }
        } else if (strcmp(a, "--seed") == 0)
            bad = args_u64(&o->seed, PROG, a, v, 0, UINT64_MAX);
        else
            bad = args_u64(&o->train_rows, PROG, a, v, 1, UINT64_MAX);
        if (v[0] == '\0' && (strcmp(a, "--data") == 0 || strcmp(a, "--out") == 0)) {
            fprintf(stderr, PROG ": %s wants a path, not an empty word\n", a);
            bad = 1;
        }
        if (bad)
            return ARGS_EXIT_USAGE;
    }
    return -1; /* go on */
}

static int fail(const char *what)
{
    fprintf(stderr, PROG ": %s: %s\n", what, gan_error_last());
    return 1;
}

#define TRY(what, call) \
    do { \
        if ((call) != GAN_OK) { \
            status = fail(what); \
            goto done; \
        } \
    } while (0)

static int load_split(gan_dataset **out, const char *dir, const char *prefix)
{
    char img[2048], lab[2048], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    idx_path(img, sizeof img, dir, name);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    idx_path(lab, sizeof lab, dir, name);
    int rc = gan_dataset_load_idx(out, img, lab);
    if (rc == GAN_OK && gan_dataset_cols(*out) != PIXELS) {
        fprintf(stderr, PROG ": %s holds images of %zu pixels, not 28 x 28\n", img,
                gan_dataset_cols(*out));
        gan_dataset_free(*out);
        *out = NULL;
        return -1;
    }
    if (rc != GAN_OK) {
        fprintf(stderr, PROG ": loading %s and %s: %s\n", img, lab, gan_error_last());
        return -1;
    }
    return 0;
}

static int build(gan_net **out, const char *arch, gan_rng *rng)
{
    gan_net *n = NULL;
    int rc = gan_net_create(&n, PIXELS);
    if (rc == GAN_OK && strcmp(arch, "conv") == 0) {
        if (rc == GAN_OK) rc = gan_net_add_reshape(n, 1, 28, 28);
        if (rc == GAN_OK) rc = gan_net_add_conv2d(n, 32, 5, 1, 2, GAN_ACT_RELU);
        if (rc == GAN_OK) rc = gan_net_add_maxpool(n, 2, 2, 0);
        if (rc == GAN_OK) rc = gan_net_add_conv2d(n, 64, 5, 1, 2, GAN_ACT_RELU);
        if (rc == GAN_OK) rc = gan_net_add_maxpool(n, 2, 2, 0);
        if (rc == GAN_OK) rc = gan_net_add_dropout(n, 0.5f);
    } else if (rc == GAN_OK) {
        if (rc == GAN_OK) rc = gan_net_add_dropout(n, 0.8f);
        if (rc == GAN_OK) rc = gan_net_add_maxout(n, 240, 5);
        if (rc == GAN_OK) rc = gan_net_add_dropout(n, 0.5f);
        if (rc == GAN_OK) rc = gan_net_add_maxout(n, 240, 5);
        if (rc == GAN_OK) rc = gan_net_add_dropout(n, 0.5f);
    }
    if (rc == GAN_OK)
        rc = gan_net_add_dense(n, CLASSES, GAN_ACT_IDENTITY);
    /* Glorot for the maxout pieces; He for the ReLU convolutions. */
    if (rc == GAN_OK)
        rc = gan_net_init(n, rng, strcmp(arch, "conv") == 0 ? GAN_INIT_HE_NORMAL
                                                            : GAN_INIT_GLOROT_UNIFORM, 0.0f);
    if (rc != GAN_OK) {
        gan_net_free(n);
        return rc;
    }
    *out = n;
    return GAN_OK;
}

static size_t argmax(const float *row, size_t n)
{
    size_t best = 0;
    for (size_t c = 1; c < n; c++)
        if (row[c] > row[best])
            best = c;
    return best;
}

/* Share of ds classified right by net (inference: no dropout). */
static int accuracy(double *acc, const gan_net *net, const gan_dataset *ds)
{
    const size_t n = gan_dataset_rows(ds);
    const float *x = gan_dataset_data(ds);
    const int32_t *y = gan_dataset_labels(ds);
    float logits[EVAL_CHUNK * CLASSES];
    size_t right = 0;
    for (size_t at = 0; at < n; at += EVAL_CHUNK) {
        const size_t rows = n - at < EVAL_CHUNK ? n - at : EVAL_CHUNK;
        int rc = gan_net_forward(logits, CLASSES, net, x + at * PIXELS, rows, PIXELS,
                                 GAN_FORWARD_LOGITS);
        if (rc != GAN_OK)
            return rc;
        for (size_t r = 0; r < rows; r++)
            right += argmax(logits + r * CLASSES, CLASSES) == (size_t)y[at + r];
    }
    *acc = (double)right / (double)n;
    return GAN_OK;
}

static double seconds_since(const struct timespec *t0, clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

int main(int argc, char **argv)
{
    struct options o = {"data", NULL, "mlp", 10, 64, 1, 0, 1e-3, 0.0};
    const int parsed = parse(&o, argc, argv);
    if (parsed >= 0)
        return parsed;
    if (o.lr_final == 0.0)
        o.lr_final = o.lr / 20.0;
    if (o.lr_final > o.lr) {
        fprintf(stderr, PROG ": --lr-final %g is above --lr %g\n", o.lr_final, o.lr);
        return ARGS_EXIT_USAGE;
    }

    int status = 0;
    gan_dataset *train_all = NULL, *train = NULL, *test = NULL;
    gan_rng *rng = NULL;
    gan_net *net = NULL;
    gan_optimizer *opt = NULL;
    float *x = NULL, *grad = NULL;
    int32_t *labels = NULL;

    if (load_split(&train_all, o.data_dir, "train") != 0 ||
        load_split(&test, o.data_dir, "t10k") != 0) {
        status = 1;
        goto done;
    }
    const size_t n_all = gan_dataset_rows(train_all);
    const size_t n_train = o.train_rows != 0 && o.train_rows < n_all ? (size_t)o.train_rows
                                                                       : n_all;
    TRY("taking the training rows", gan_dataset_subset(&train, train_all, 0, n_train));
    TRY("creating the rng", gan_rng_create(&rng, o.seed));
    TRY("building the net", build(&net, o.arch, rng));
    gan_optimizer_options oo;
    TRY("optimizer options", gan_optimizer_options_init(&oo, GAN_OPTIMIZER_OPTIONS_VERSION));
    oo.kind = GAN_OPT_ADAM;
    const size_t batch = (size_t)o.batch;
    const size_t steps = (n_train + batch - 1) / batch;
    oo.learning_rate = (float)o.lr;
    /* lr / decay^(steps - 1) = lr_final after the last of epochs x steps. */
    const double total = (double)o.epochs * (double)steps;
    oo.lr_decay = total > 1.0 ? (float)pow(o.lr / o.lr_final, 1.0 / (total - 1.0)) : 1.0f;
    oo.lr_min = (float)o.lr_final;
    TRY("creating the optimizer", gan_optimizer_create(&opt, net, &oo));

    x = malloc(batch * PIXELS * sizeof *x);
    grad = malloc(batch * CLASSES * sizeof *grad);
    labels = malloc(batch * sizeof *labels);
    if (x == NULL || grad == NULL || labels == NULL) {
        fprintf(stderr, PROG ": out of memory for a batch of %zu\n", batch);
        status = 1;
        goto done;
    }
    printf("%s net: %zu layers, %zu parameters; %zu training and %zu test images from %s\n",
           o.arch, gan_net_num_layers(net), gan_net_num_params(net), n_train,
           gan_dataset_rows(test), o.data_dir);
    fflush(stdout);

    struct timespec wall0, cpu0;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    for (uint64_t epoch = 1; epoch <= o.epochs; epoch++) {
        double loss_sum = 0.0;
        size_t right = 0, seen = 0;
        for (size_t s = 0; s < steps; s++) {
            size_t rows;
            const float *logits;
            size_t lr, lc;
            double loss;
            TRY("drawing a batch", gan_dataset_next_batch(x, labels, &rows, train, rng, batch));
            TRY("training forward", gan_net_train_forward(net, rng, x, rows, PIXELS));
            TRY("training output", gan_net_train_output(&logits, &lr, &lc, net, GAN_FORWARD_LOGITS));
            TRY("the loss", gan_loss_softmax_cross_entropy(&loss, grad, logits, rows, CLASSES,
                                                           labels));
            for (size_t r = 0; r < rows; r++)
                right += argmax(logits + r * CLASSES, CLASSES) == (size_t)labels[r];
            loss_sum += loss * (double)rows;
            seen += rows;
            TRY("backward", gan_net_backward(NULL, net, grad, rows, CLASSES, GAN_BACKWARD_LOGITS));
            TRY("optimizer step", gan_optimizer_step(opt));
        }
        double test_acc;
        TRY("classifying the test set", accuracy(&test_acc, net, test));
        /* Training accuracy is measured with dropout on, during the epoch. */
        printf("epoch %3llu  lr %.2e  train loss %.4f  train acc %.2f%%  test acc %.2f%%  "
               "(%.0f s wall, %.0f s CPU so far)\n",
               (unsigned long long)epoch, (double)gan_optimizer_learning_rate(opt),
               loss_sum / (double)seen,
               100.0 * (double)right / (double)seen, 100.0 * test_acc,
               seconds_since(&wall0, CLOCK_MONOTONIC),
               seconds_since(&cpu0, CLOCK_PROCESS_CPUTIME_ID));
        fflush(stdout);
        if (o.out != NULL)
            TRY(o.out, gan_net_save(net, o.out));
    }
    if (o.out != NULL)
        printf("saved the classifier to %s\n", o.out);

done:
    free(x);
    free(grad);
    free(labels);
    gan_optimizer_free(opt);
    gan_net_free(net);
    gan_rng_free(rng);
    gan_dataset_free(train);
    gan_dataset_free(train_all);
    gan_dataset_free(test);
    return status;
}
