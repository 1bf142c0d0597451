/* ext_mnist.h: the parts the MNIST extension examples share (mnist_cgan,
 * mnist_inpaint, mnist_inference, mnist_semisup; docs/extensions.md):
 * loading MNIST, the common command-line options, two conditional GANs
 * (G reads [z | c], D reads [x | c]): a small MLP pair with Adam (the
 * default) and the paper's MNIST nets with the original code's SGD recipe
 * (--model paper), and a training loop that prints an epoch line, saves
 * OUT/last.ckpt after every epoch and resumes.
 *
 * Define EXT_PROG (the program's name, a string literal) before including.
 */
#ifndef GAN_EXAMPLES_EXT_MNIST_H
#define GAN_EXAMPLES_EXT_MNIST_H

#include <gan.h>

#include "args.h"
#include "run_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef EXT_PROG
#error "define EXT_PROG before including ext_mnist.h"
#endif

#define EXT_PIXELS 784
#define EXT_NOISE 100
#define EXT_BATCH 100

static inline int ext_report(const char *what, int rc)
{
    fprintf(stderr, EXT_PROG ": %s failed: %s: %s\n", what, gan_strerror(rc), gan_error_last());
    return rc;
}

#define TRY(what, call)                     \
    do {                                    \
        int rc_ = (call);                   \
        if (rc_ != GAN_OK)                  \
            return ext_report((what), rc_); \
    } while (0)

/* The options every extension example has. */
struct ext_options {
    const char *data_dir;
    const char *out_dir;
    const char *resume; /* a checkpoint to continue, or NULL */
    int force;          /* start over in an --out that holds a run */
    unsigned epochs;
    unsigned long long seed;
    unsigned threads;
    double average_decay; /* moving average of G; 0: off */
    int paper;            /* --model paper (else small) */
    int order;            /* --order: -1 the model's, else a gan_update_order */
};

static inline void ext_options_default(struct ext_options *o, const char *out_dir,
                                       unsigned epochs)
{
    o->data_dir = "data";
    o->out_dir = out_dir;
    o->resume = NULL;
    o->force = 0;
    o->epochs = epochs;
    o->seed = 1;
    o->threads = 1;
    o->average_decay = 0.999;
    o->paper = 0;
    o->order = -1;
}

#define EXT_COMMON_USAGE                                                                   \
    "common options: [--data DIR] [--out DIR] [--epochs N] [--seed S] [--threads N]\n"    \
    "                [--model small|paper] [--order alternating|simultaneous]\n"          \
    "                [--average-decay X]\n"                                               \
    "                [--resume CHECKPOINT | --force]\n"                                   \
    "--model small: G 256-512 leaky ReLU, D 512-256 leaky ReLU with dropout, Adam 2e-4\n" \
    "          (the default); paper: the paper's MNIST nets and SGD recipe (slower)\n"   \
    "--order: the update order (default: alternating for small, simultaneous for\n"     \
    "          paper, with which the alternating order collapses)\n"                     \
    "--data DIR: the four MNIST IDX files, plain or gzipped (default ./data)\n"           \
    "--threads N: threads of the element-wise loops (default 1; matrix products use\n"    \
    "          OPENBLAS_NUM_THREADS)\n"                                                    \
    "--average-decay X: moving average of G, sampled and saved (default 0.999; 0: off)\n" \
    "--resume CHECKPOINT: continue a run (OUT/last.ckpt) with the same options;\n"        \
    "          --force: start over in an --out that already holds a run\n"

/* One common option at argv[*i]: 1 when it was one (and was read, *i
 * advanced past its value), 0 when it is not a common option, -1 after a
 * message on a bad value. */
static inline int ext_parse_common(struct ext_options *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--force") == 0) {
        o->force = 1;
        return 1;
    }
    static const char *const known[] = {"--data",    "--out",     "--resume",        "--epochs",
                                        "--seed",    "--threads", "--average-decay", "--model", "--order"};
    size_t k = 0;
    while (k < sizeof known / sizeof *known && strcmp(a, known[k]) != 0)
        k++;
    if (k == sizeof known / sizeof *known)
        return 0;
    const char *v = args_value(EXT_PROG, argc, argv, i);
    if (v == NULL)
        return -1;
    if (k <= 2 && v[0] == '\0') {
        fprintf(stderr, EXT_PROG ": %s needs a non-empty path\n", a);
        return -1;
    }
    int bad = 0;
    if (k == 0)
        o->data_dir = v;
    else if (k == 1)
        o->out_dir = v;
    else if (k == 2)
        o->resume = v;
    else if (k == 3)
        bad = args_unsigned(&o->epochs, EXT_PROG, a, v, 1, 100000);
    else if (k == 4) {
        uint64_t s;
        bad = args_u64(&s, EXT_PROG, a, v, 0, UINT64_MAX);
        o->seed = s;
    } else if (k == 5)
        bad = args_unsigned(&o->threads, EXT_PROG, a, v, 0, 64);
    else if (k == 7) {
        if (strcmp(v, "paper") == 0 || strcmp(v, "small") == 0)
            o->paper = strcmp(v, "paper") == 0;
        else {
            fprintf(stderr, EXT_PROG ": --model must be small or paper, not '%s'\n", v);
            bad = -1;
        }
    } else if (k == 8) {
        if (strcmp(v, "alternating") == 0)
            o->order = GAN_ORDER_ALTERNATING;
        else if (strcmp(v, "simultaneous") == 0)
            o->order = GAN_ORDER_SIMULTANEOUS;
        else {
            fprintf(stderr, EXT_PROG ": --order must be alternating or simultaneous, not '%s'\n",
                    v);
            bad = -1;
        }
    } else
        bad = args_double(&o->average_decay, EXT_PROG, a, v, 0.0, 0.999999);
    return bad ? -1 : 1;
}

/* After parsing: --force and --resume exclude each other. 0 or -1. */
static inline int ext_check_common(const struct ext_options *o)
{
    if (o->force && o->resume != NULL) {
        fprintf(stderr, EXT_PROG ": --force starts over and --resume continues: pick one\n");
        return -1;
    }
    return 0;
}

/* Create OUT; a new run (no --resume) refuses an OUT holding
 * OUT/last.ckpt unless --force (which removes it). 0, 1 (failure) or
 * ARGS_EXIT_USAGE. */
static inline int ext_prepare_out(const struct ext_options *o)
{
    char path[1024];
    struct stat st;
    if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, EXT_PROG ": cannot create %s: %s\n", o->out_dir, strerror(errno));
        return 1;
    }
    if (o->resume != NULL)
        return 0;
    snprintf(path, sizeof path, "%s/last.ckpt", o->out_dir);
    if (lstat(path, &st) != 0)
        return 0;
    if (!o->force) {
        fprintf(stderr,
                EXT_PROG ": %s already holds a run (last.ckpt); pass --resume %s to continue "
                         "it, --force to start over, or another --out\n",
                o->out_dir, path);
        return ARGS_EXIT_USAGE;
    }
    if (remove(path) != 0) {
        fprintf(stderr, EXT_PROG ": --force: cannot remove %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* The 60,000 training and 10,000 test images (labels kept, values in [0, 1]). */
static inline int ext_load_mnist(gan_dataset **train, gan_dataset **test, const char *dir)
{
    char img[1024], lab[1024];
    idx_path(img, sizeof img, dir, "train-images-idx3-ubyte");
    idx_path(lab, sizeof lab, dir, "train-labels-idx1-ubyte");
    TRY("loading the MNIST training set (--data names the folder of the IDX files)",
        gan_dataset_load_idx(train, img, lab));
    idx_path(img, sizeof img, dir, "t10k-images-idx3-ubyte");
    idx_path(lab, sizeof lab, dir, "t10k-labels-idx1-ubyte");
    TRY("loading the MNIST test set", gan_dataset_load_idx(test, img, lab));
    return GAN_OK;
}

/* z ~ U(-sqrt 3, sqrt 3), the original code's prior (unit variance). */
static inline int ext_noise(float *z, size_t n, gan_rng *rng)
{
    const float a = sqrtf(3.0f);
    return gan_rng_uniform(z, n, rng, -a, a);
}

/* A conditional GAN with the paper's MNIST nets. */
struct ext_gan {
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_session *s;
    int averaged; /* the session keeps an average of G */
};

/* --model paper: G: [z | c] (100 + cond wide) -> 1200 relu -> 1200 relu ->
 * x_cols sigmoid; D: [x | c] -> dropout 0.8 -> maxout 240x5 -> dropout 0.5
 * -> maxout 240x5 -> dropout 0.5 -> sigmoid; SGD 0.1 (lr / 1.000004 per
 * step, momentum 0.5 -> 0.7 over 250 epochs), the simultaneous update, D's
 * loss halved: the original code's recipe (docs/paper.md §2), with which
 * the alternating order collapses.
 * --model small: G: [z | c] -> 256 leaky ReLU -> 512 leaky ReLU -> x_cols
 * sigmoid; D: [x | c] -> 512 leaky ReLU -> dropout 0.7 -> 256 leaky ReLU
 * -> dropout 0.7 -> sigmoid (no dropout on the input, which would drop the
 * condition); Glorot initialisation, Adam 2e-4 (beta1 0.5), the
 * alternating order with k = 1, real label 0.9. About six times fewer
 * multiply-adds per step than the paper's nets.
 * Both: G's output bias from the data mean, z ~ U(-sqrt 3, sqrt 3). data's
 * rows are [x | c], x_cols + cond wide. */
static inline int ext_build_nets(struct ext_gan *m, const float *mean, size_t x_cols, size_t cond,
                                 const struct ext_options *o, gan_rng *init_rng)
{
    int rc = gan_net_create(&m->g, EXT_NOISE + cond);
    if (o->paper) {
        if (!rc) rc = gan_net_add_dense(m->g, 1200, GAN_ACT_RELU);
        if (!rc) rc = gan_net_add_dense(m->g, 1200, GAN_ACT_RELU);
        if (!rc) rc = gan_net_add_dense(m->g, x_cols, GAN_ACT_SIGMOID);
        if (!rc) rc = gan_net_init(m->g, init_rng, GAN_INIT_UNIFORM, 0.05f);
        if (!rc) rc = gan_net_create(&m->d, x_cols + cond);
        if (!rc) rc = gan_net_add_dropout(m->d, 0.8f);
        if (!rc) rc = gan_net_add_maxout(m->d, 240, 5);
        if (!rc) rc = gan_net_add_dropout(m->d, 0.5f);
        if (!rc) rc = gan_net_add_maxout(m->d, 240, 5);
        if (!rc) rc = gan_net_add_dropout(m->d, 0.5f);
        if (!rc) rc = gan_net_add_dense(m->d, 1, GAN_ACT_SIGMOID);
        if (!rc) rc = gan_net_init(m->d, init_rng, GAN_INIT_UNIFORM, 0.005f);
    } else {
        if (!rc) rc = gan_net_add_dense(m->g, 256, GAN_ACT_LEAKY_RELU);
        if (!rc) rc = gan_net_add_dense(m->g, 512, GAN_ACT_LEAKY_RELU);
        if (!rc) rc = gan_net_add_dense(m->g, x_cols, GAN_ACT_SIGMOID);
        if (!rc) rc = gan_net_init(m->g, init_rng, GAN_INIT_GLOROT_UNIFORM, 0.0f);
        if (!rc) rc = gan_net_create(&m->d, x_cols + cond);
        if (!rc) rc = gan_net_add_dense(m->d, 512, GAN_ACT_LEAKY_RELU);
        if (!rc) rc = gan_net_add_dropout(m->d, 0.7f);
        if (!rc) rc = gan_net_add_dense(m->d, 256, GAN_ACT_LEAKY_RELU);
        if (!rc) rc = gan_net_add_dropout(m->d, 0.7f);
        if (!rc) rc = gan_net_add_dense(m->d, 1, GAN_ACT_SIGMOID);
        if (!rc) rc = gan_net_init(m->d, init_rng, GAN_INIT_GLOROT_UNIFORM, 0.0f);
    }
    if (!rc) rc = gan_net_init_output_bias_from_mean(m->g, mean, x_cols);
    return rc;
}

static inline int ext_build_gan(struct ext_gan *m, gan_dataset *data, size_t x_cols, size_t cond,
                                const struct ext_options *o)
{
    gan_rng *init_rng = NULL;
    const size_t cols = gan_dataset_cols(data);
    if (cols != x_cols + cond)
        return ext_report("building the nets", GAN_ESHAPE);
    float *mean = malloc(cols * sizeof *mean);
    if (mean == NULL)
        return ext_report("building the nets", GAN_ENOMEM);
    /* The mean of the x columns is the first x_cols of it: the condition
     * columns follow them. */
    int rc = gan_dataset_column_mean(mean, cols, data);
    if (!rc) rc = gan_rng_create(&init_rng, o->seed ^ 0x5eedull);
    if (!rc) rc = ext_build_nets(m, mean, x_cols, cond, o, init_rng);
    gan_rng_free(init_rng);
    free(mean);
    if (rc)
        return ext_report("building the nets", rc);

    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    if (o->paper) {
        oo.kind = GAN_OPT_SGD;
        oo.learning_rate = 0.1f;
        oo.lr_decay = 1.000004f;
        oo.lr_min = 1e-6f;
        oo.momentum = 0.5f;
        oo.momentum_final = 0.7f;
        oo.momentum_start_epoch = 1;
        oo.momentum_saturate_epoch = 250;
    } else {
        oo.kind = GAN_OPT_ADAM;
        oo.learning_rate = 2e-4f;
        oo.beta1 = 0.5f;
    }
    TRY("G optimizer", gan_optimizer_create(&m->g_opt, m->g, &oo));
    TRY("D optimizer", gan_optimizer_create(&m->d_opt, m->d, &oo));

    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = EXT_BATCH;
    so.g_loss = GAN_G_LOSS_NON_SATURATING;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = sqrtf(3.0f);
    so.noise_width = EXT_NOISE;
    so.seed = o->seed;
    so.update_order = o->order >= 0       ? (uint32_t)o->order
                      : o->paper ? GAN_ORDER_SIMULTANEOUS
                                 : GAN_ORDER_ALTERNATING;
    so.k = 1;
    so.d_loss_half = o->paper ? 1 : 0;
    so.real_label = o->paper ? 1.0f : 0.9f;
    so.threads = o->threads;
    so.g_average_decay = (float)o->average_decay;
    so.cond_width = (uint32_t)cond;
    TRY("session", gan_session_create(&m->s, m->g, m->d, m->g_opt, m->d_opt, data, &so));
    m->averaged = o->average_decay > 0.0;
    return GAN_OK;
}

static inline void ext_free_gan(struct ext_gan *m)
{
    gan_session_free(m->s);
    gan_optimizer_free(m->g_opt);
    gan_optimizer_free(m->d_opt);
    gan_net_free(m->g);
    gan_net_free(m->d);
}

/* G as sampled and saved: its moving average when kept, else G. */
static inline const gan_net *ext_g(const struct ext_gan *m)
{
    const gan_net *avg = NULL;
    if (m->averaged && gan_session_average_net(&avg, m->s) == GAN_OK)
        return avg;
    return m->g;
}

struct ext_epoch_sums {
    double d_loss, g_loss, d_real, d_fake;
    unsigned long long n;
};

static inline int ext_on_progress(const gan_stats *s, void *ud)
{
    struct ext_epoch_sums *e = ud;
    e->d_loss += s->d_loss;
    e->g_loss += s->g_loss;
    e->d_real += s->d_real;
    e->d_fake += s->d_fake;
    e->n++;
    return 0;
}

/* Resume from o->resume when given, then train up to o->epochs epochs,
 * one line per epoch, OUT/last.ckpt after each. */
static inline int ext_train(struct ext_gan *m, const struct ext_options *o)
{
    char last[1024];
    snprintf(last, sizeof last, "%s/last.ckpt", o->out_dir);
    if (o->resume != NULL) {
        TRY("resuming (rerun with the options the checkpoint was written with)",
            gan_session_load(m->s, o->resume));
        printf("resumed from %s at epoch %llu\n", o->resume,
               (unsigned long long)gan_session_epoch(m->s));
    }
    const int sim = o->order >= 0 ? o->order == GAN_ORDER_SIMULTANEOUS : o->paper;
    printf("libgan %s, BLAS %s; seed %llu, %u epochs, model %s, %s order, average of G %g\n",
           gan_version_string(), gan_blas_info(), o->seed, o->epochs,
           o->paper ? "paper (SGD 0.1)" : "small (Adam 2e-4)",
           sim ? "simultaneous" : "alternating", o->average_decay);
    fflush(stdout);
    double total = 0, total_cpu = 0;
    while (gan_session_epoch(m->s) < o->epochs) {
        struct ext_epoch_sums es = {0};
        const double t0 = now_seconds(), c0 = cpu_seconds();
        TRY("training", gan_session_train_epochs(m->s, 1, ext_on_progress, &es));
        const double dt = now_seconds() - t0, dc = cpu_seconds() - c0;
        total += dt;
        total_cpu += dc;
        const double n = es.n ? (double)es.n : 1.0;
        printf("epoch %llu/%u: D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.1f s  "
               "cpu %.1f s\n",
               (unsigned long long)gan_session_epoch(m->s), o->epochs, es.d_loss / n,
               es.g_loss / n, es.d_real / n, es.d_fake / n, dt, dc);
        fflush(stdout);
        TRY("saving the checkpoint", gan_session_save(m->s, last));
    }
    if (total > 0)
        printf("training: %.1f s wall-clock, %.1f s CPU in this run; checkpoint %s\n", total,
               total_cpu, last);
    return GAN_OK;
}

#endif
