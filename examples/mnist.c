/* mnist: the paper's MNIST experiment (Goodfellow et al. 2014, Table 1).
 *
 * Trains the original code's model and recipe (docs/paper.md §2) on
 * train[0:50000], evaluates the Parzen-window log-likelihood every few
 * epochs (σ from train[50000:51000], then the 10,000 test images), keeps the
 * best checkpoint by validation log-likelihood, and at the end writes a
 * sample grid with nearest-training-image column (Figure 2a) and a z
 * interpolation strip (Figure 3).
 *
 *   usage: mnist [--data DIR] [--epochs N] [--eval-every E] [--seed S]
 *                [--order simultaneous|alternating] [--out DIR]
 *                [--resume CHECKPOINT | --force] [--samples N]
 *                [--d-max-norm C] [--sigma-grid N] [--grid-every N]
 *                [--threads N] [--recipe paper|fast] [--opt sgd|adam]
 *                [--g-lr X] [--d-lr X] [--beta1 X] [--k N]
 *                [--average-decay X] [--real-label X]
 *                [--noise uniform|normal] [--lr-decay X] [--momentum-epochs N]
 *                [--g-momentum X] [--d-momentum X] [--r1 GAMMA]
 *                [--evaluate average|g]
 *
 * --recipe paper (the default) is the original code's recipe; --recipe fast
 * adds a moving average of G (docs/reproducing.md). The options after --recipe override
 * single parts of it (the ablation uses them); with an average of G, the
 * average is what is evaluated, drawn and saved as generator.gan.
 *
 * Defaults: data in ./data (plain or gzipped IDX files), 2000 epochs,
 * Parzen every 5, seed 1, the simultaneous update, output in ./mnist_out,
 * 10,000 Parzen samples, no max-norm on D, a 100-value fine σ grid, a 10 x 10
 * sample grid every 10 epochs. A new run refuses an --out that already holds
 * checkpoints unless --force is given; --resume continues one. Matrix
 * products use OpenBLAS's threads (OPENBLAS_NUM_THREADS).
 *
 * σ is cross-validated twice from the same samples and validation rows:
 * on the original code's 10-value grid (docs/paper.md §3; this figure picks the
 * best checkpoint) and on --sigma-grid values over the same range [0.1, 1].
 * The paper says only that σ was cross-validated; the 10-value grid is
 * coarse enough to cost about 4 nats here (docs/reproducing.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "run_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define NOISE_WIDTH 100
#define PIXELS 784
#define BATCH 100
#define GRID_SIDE 10 /* the --grid-every pictures: 10 x 10 samples */

struct options {
    const char *data_dir;
    int data_given; /* --data was on the command line */
    const char *out_dir;
    const char *resume;
    int force;      /* start over in an --out that holds a run */
    unsigned epochs;
    unsigned eval_every;
    unsigned long long seed;
    unsigned order;
    size_t n_samples;
    float d_max_norm;
    unsigned sigma_grid; /* fine σ grid size; 0: off */
    unsigned grid_every; /* sample grid every N epochs; 0: off */
    unsigned threads;    /* the session's element-wise threads; 0: online CPUs */
    /* The training recipe: --recipe, then any of the options below that
     * the command line sets (NAN / 0: the recipe's value). */
    int fast;            /* --recipe fast */
    int adam;            /* --opt: -1 the recipe's, 0 SGD, 1 Adam */
    unsigned k;          /* --k */
    int normal_noise;    /* --noise: -1 the recipe's, 0 uniform, 1 normal */
    double g_lr, d_lr, beta1, average_decay, real_label, lr_decay;
    unsigned momentum_epochs; /* --momentum-epochs: 0 the recipe's */
    double g_momentum, d_momentum; /* --g-momentum, --d-momentum: NAN the recipe's */
    double r1;                     /* --r1: NAN the recipe's */
    int evaluate_g;                /* --evaluate g: G even when an average is kept */
};

/* What a recipe sets; docs/reproducing.md describes both. */
struct recipe {
    int adam;             /* 0: SGD with the original schedule */
    float g_lr, d_lr;     /* learning rates of G's and D's optimizers */
    float beta1;          /* Adam's beta1 */
    float average_decay;  /* moving average of G (0: off) */
    float real_label;     /* D's target on real examples */
    unsigned k;           /* D steps per G step (alternating order) */
    int normal_noise;     /* z ~ N(0, 1) instead of U(-sqrt 3, sqrt 3) */
    float lr_decay;       /* SGD: lr /= lr_decay after every step */
    unsigned momentum_epochs; /* SGD: momentum 0.5 -> 0.7 over epochs 1..N */
    float g_momentum, d_momentum; /* SGD: a constant momentum; NAN: that schedule */
    float r1;             /* D's R1 penalty weight gamma (0: off) */
};

/* The original code's recipe (docs/paper.md §2). */
static const struct recipe PAPER = {0, 0.1f, 0.1f, 0.5f, 0.0f, 1.0f, 1, 0, 1.000004f, 250, NAN, NAN, 0.0f};
/* The original recipe with a moving average of G over about the last
 * 10,000 iterations (Yazici et al. 2019), which is what is evaluated and
 * saved: the change that helped, of those tried (Adam with beta1 0.5,
 * separate learning rates, label smoothing, max-norm on D, faster
 * schedules, a shorter average: docs/reproducing.md). */
static const struct recipe FAST = {0, 0.1f, 0.1f, 0.5f, 0.9999f, 1.0f, 1, 0, 1.000004f, 250, NAN, NAN, 0.0f};
/* The fast recipe in the alternating order (Algorithm 1, k = 1). Without
 * help D wins outright there from some seeds within a few epochs; D's R1
 * penalty at gamma 0.1 (Mescheder et al. 2018) keeps every seed out of
 * that, and G, which then trains more slowly, is averaged over about the
 * last 20,000 iterations instead of 10,000 (docs/reproducing.md has the
 * runs and the ablation). */
static const struct recipe FAST_ALTERNATING = {0, 0.1f, 0.1f, 0.5f, 0.99995f, 1.0f, 1, 0, 1.000004f, 250, NAN, NAN, 0.1f};

struct model {
    struct recipe recipe;
    int evaluate_g; /* --evaluate g */
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_session *session;
    /* Noise for evaluation and figures: a generator of its own, so the
     * training stream does not depend on how often we evaluate. */
    gan_rng *eval_rng;
    float *eval_z;
    /* Fixed noise of the --grid-every pictures, drawn once from a generator
     * of its own: every grid shows the same z, and the Parzen figures do
     * not depend on whether grids are written. */
    float *grid_z;
};

struct data {
    gan_dataset *train_all, *test, *train, *valid;
};

/* Per-epoch sums filled by the progress callback. */
struct epoch_stats {
    double d_loss, g_loss, d_real, d_fake;
    unsigned long long n;
    float lr, momentum;
};

static int report(const char *what, int rc)
{
    fprintf(stderr, "mnist: %s failed: %s: %s\n", what, gan_strerror(rc), gan_error_last());
    return rc;
}

#define TRY(what, call)                    \
    do {                                   \
        int rc_ = (call);                  \
        if (rc_ != GAN_OK)                 \
            return report((what), rc_);    \
    } while (0)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: mnist [--data DIR] [--epochs N] [--eval-every E] [--seed S]\n"
            "             [--order simultaneous|alternating] [--out DIR]\n"
            "             [--resume CHECKPOINT | --force] [--samples N] [--d-max-norm C]\n"
            "             [--sigma-grid N] [--grid-every N] [--threads N]\n"
            "             [--recipe paper|fast] [--opt sgd|adam] [--g-lr X] [--d-lr X]\n"
            "             [--beta1 X] [--k N] [--average-decay X] [--real-label X]\n"
            "             [--noise uniform|normal] [--lr-decay X] [--momentum-epochs N]\n"
            "             [--g-momentum X] [--d-momentum X] [--r1 GAMMA]\n"
            "             [--evaluate average|g]\n"
            "defaults: --data data --epochs 2000 --eval-every 5 --seed 1 --order simultaneous\n"
            "          --out mnist_out --samples 10000 (D max-norm off) --sigma-grid 100\n"
            "          --grid-every 10 --threads 0\n"
            "--data DIR: the four MNIST IDX files, plain or gzipped (train-images-idx3-ubyte\n"
            "          or train-images-idx3-ubyte.gz, and so on)\n"
            "--resume CHECKPOINT: continue a run (e.g. mnist_out/last.ckpt) with the same\n"
            "          options; --force: start over in an --out that already holds a run\n"
            "--sigma-grid N: also report the test LL with σ chosen on N log-spaced values\n"
            "          in [0.1, 1] (the paper's protocol uses 10; 0 turns this off)\n"
            "--grid-every N: write OUT/grid_epochNNNN.png, 10 x 10 samples of G from fixed\n"
            "          noise, every N epochs (0 turns this off)\n"
            "--threads N: threads of the element-wise loops (0: the online CPUs, at most 4);\n"
            "          matrix products use OPENBLAS_NUM_THREADS. Results do not depend on it.\n"
            "Each epoch line gives its wall-clock and CPU seconds.\n"
            "--recipe paper: SGD 0.1 with the original schedule (the default);\n"
            "--recipe fast: the same with a moving average of G (decay 0.9999), which is\n"
            "          evaluated and saved (docs/reproducing.md); with --order alternating\n"
            "          also D's R1 penalty (--r1 0.1) and a longer average (decay 0.99995).\n"
            "          --evaluate g evaluates, draws and saves G itself instead (the run\n"
            "          without the average).\n"
            "--opt, --g-lr, --d-lr, --beta1, --k (alternating order only), --average-decay\n"
            "          (0: off), --real-label (1: off), --noise, --lr-decay,\n"
            "          --momentum-epochs, --g-momentum, --d-momentum (SGD: a constant\n"
            "          momentum in (-0.99, 0.99) for that optimizer) and --r1 (D's R1\n"
            "          penalty weight, 0: off): override one part of the recipe. A resumed\n"
            "          run needs the options it was started with.\n");
}

/* 0: run; 1: --help was printed; -1: bad command line (message printed). */
static int parse_args(struct options *o, int argc, char **argv)
{
    static const char prog[] = "mnist";
    o->data_dir = "data";
    o->data_given = 0;
    o->out_dir = "mnist_out";
    o->resume = NULL;
    o->force = 0;
    o->epochs = 2000;
    o->eval_every = 5;
    o->seed = 1;
    /* The original code's update, the one that produced Table 1; with this
     * recipe the alternating order of Algorithm 1 lets D win outright
     * within a few epochs (docs/reproducing.md). */
    o->order = GAN_ORDER_SIMULTANEOUS;
    o->n_samples = 10000;
    o->d_max_norm = 0.0f;
    o->sigma_grid = 100;
    o->grid_every = 10;
    o->threads = 0;
    o->fast = 0;
    o->adam = -1;
    o->k = 0;
    o->normal_noise = -1;
    o->g_lr = o->d_lr = o->beta1 = o->average_decay = o->real_label = o->lr_decay = NAN;
    o->momentum_epochs = 0;
    o->g_momentum = o->d_momentum = o->r1 = NAN;
    o->evaluate_g = 0;
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
        const int known = strcmp(a, "--data") == 0 || strcmp(a, "--out") == 0 ||
                          strcmp(a, "--resume") == 0 || strcmp(a, "--epochs") == 0 ||
                          strcmp(a, "--eval-every") == 0 || strcmp(a, "--seed") == 0 ||
                          strcmp(a, "--samples") == 0 || strcmp(a, "--d-max-norm") == 0 ||
                          strcmp(a, "--sigma-grid") == 0 || strcmp(a, "--grid-every") == 0 ||
                          strcmp(a, "--order") == 0 || strcmp(a, "--threads") == 0 ||
                          strcmp(a, "--recipe") == 0 || strcmp(a, "--opt") == 0 ||
                          strcmp(a, "--k") == 0 || strcmp(a, "--noise") == 0 ||
                          strcmp(a, "--g-lr") == 0 || strcmp(a, "--d-lr") == 0 ||
                          strcmp(a, "--beta1") == 0 || strcmp(a, "--average-decay") == 0 ||
                          strcmp(a, "--real-label") == 0 || strcmp(a, "--lr-decay") == 0 ||
                          strcmp(a, "--momentum-epochs") == 0 ||
                          strcmp(a, "--g-momentum") == 0 || strcmp(a, "--d-momentum") == 0 ||
                          strcmp(a, "--r1") == 0 || strcmp(a, "--evaluate") == 0;
        if (!known) {
            fprintf(stderr, "mnist: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(prog, argc, argv, &i);
        if (v == NULL)
            return -1;
        int bad = 0;
        if (v[0] == '\0' && (strcmp(a, "--data") == 0 || strcmp(a, "--out") == 0 ||
                             strcmp(a, "--resume") == 0)) {
            fprintf(stderr, "mnist: %s needs a non-empty path\n", a);
            return -1;
        }
        if (strcmp(a, "--data") == 0) {
            o->data_dir = v;
            o->data_given = 1;
        } else if (strcmp(a, "--out") == 0)
            o->out_dir = v;
        else if (strcmp(a, "--resume") == 0)
            o->resume = v;
        else if (strcmp(a, "--epochs") == 0)
            bad = args_unsigned(&o->epochs, prog, a, v, 1, 10000000);
        else if (strcmp(a, "--eval-every") == 0)
            bad = args_unsigned(&o->eval_every, prog, a, v, 1, 10000000);
        else if (strcmp(a, "--grid-every") == 0)
            bad = args_unsigned(&o->grid_every, prog, a, v, 0, 10000000);
        else if (strcmp(a, "--seed") == 0) {
            uint64_t seed;
            bad = args_u64(&seed, prog, a, v, 0, UINT64_MAX);
            o->seed = seed;
        } else if (strcmp(a, "--samples") == 0)
            bad = args_size(&o->n_samples, prog, a, v, 1, 1000000);
        else if (strcmp(a, "--d-max-norm") == 0) {
            double c;
            bad = args_double(&c, prog, a, v, 0.0, 1e6);
            o->d_max_norm = (float)c;
        } else if (strcmp(a, "--threads") == 0) {
            bad = args_unsigned(&o->threads, prog, a, v, 0, 64);
        } else if (strcmp(a, "--lr-decay") == 0) {
            bad = args_double(&o->lr_decay, prog, a, v, 1.0, 2.0);
        } else if (strcmp(a, "--momentum-epochs") == 0) {
            bad = args_unsigned(&o->momentum_epochs, prog, a, v, 1, 100000);
        } else if (strcmp(a, "--g-momentum") == 0 || strcmp(a, "--d-momentum") == 0) {
            bad = args_double(a[2] == 'g' ? &o->g_momentum : &o->d_momentum, prog, a, v, -0.99,
                              0.99);
        } else if (strcmp(a, "--r1") == 0) {
            bad = args_double(&o->r1, prog, a, v, 0.0, 1e6);
        } else if (strcmp(a, "--k") == 0) {
            bad = args_unsigned(&o->k, prog, a, v, 1, 100);
        } else if (strcmp(a, "--g-lr") == 0 || strcmp(a, "--d-lr") == 0) {
            bad = args_double(a[2] == 'g' ? &o->g_lr : &o->d_lr, prog, a, v, 1e-9, 10.0);
        } else if (strcmp(a, "--beta1") == 0) {
            bad = args_double(&o->beta1, prog, a, v, 0.0, 0.999);
        } else if (strcmp(a, "--average-decay") == 0) {
            bad = args_double(&o->average_decay, prog, a, v, 0.0, 0.999999);
        } else if (strcmp(a, "--real-label") == 0) {
            bad = args_double(&o->real_label, prog, a, v, 0.5, 1.0);
        } else if (strcmp(a, "--recipe") == 0 || strcmp(a, "--opt") == 0 ||
                   strcmp(a, "--noise") == 0 || strcmp(a, "--evaluate") == 0) {
            /* name=value pairs: option, then its two words for 0 and 1 */
            static const char *const words[][3] = {{"--recipe", "paper", "fast"},
                                                   {"--opt", "sgd", "adam"},
                                                   {"--noise", "uniform", "normal"},
                                                   {"--evaluate", "average", "g"}};
            int *dst[] = {&o->fast, &o->adam, &o->normal_noise, &o->evaluate_g};
            for (size_t w = 0; w < 4; w++) {
                if (strcmp(a, words[w][0]) != 0)
                    continue;
                if (strcmp(v, words[w][1]) == 0 || strcmp(v, words[w][2]) == 0) {
                    *dst[w] = strcmp(v, words[w][2]) == 0;
                } else {
                    fprintf(stderr, "mnist: %s must be %s or %s, not '%s'\n", a, words[w][1],
                            words[w][2], v);
                    bad = -1;
                }
            }
        } else if (strcmp(a, "--sigma-grid") == 0) {
            bad = args_unsigned(&o->sigma_grid, prog, a, v, 0, 10000);
            if (!bad && o->sigma_grid == 1) {
                fprintf(stderr, "mnist: --sigma-grid must be 0 (off) or 2..10000, not 1\n");
                bad = -1;
            }
        } else { /* --order */
            if (strcmp(v, "alternating") == 0)
                o->order = GAN_ORDER_ALTERNATING;
            else if (strcmp(v, "simultaneous") == 0)
                o->order = GAN_ORDER_SIMULTANEOUS;
            else {
                fprintf(stderr, "mnist: --order must be alternating or simultaneous, not '%s'\n",
                        v);
                bad = -1;
            }
        }
        if (bad)
            return -1;
    }
    if (o->k > 1 && o->order == GAN_ORDER_SIMULTANEOUS) {
        fprintf(stderr, "mnist: --k %u needs --order alternating (the simultaneous update has k = 1)\n",
                o->k);
        return -1;
    }
    if (o->force && o->resume != NULL) {
        fprintf(stderr, "mnist: --force starts over and --resume continues: pick one\n");
        return -1;
    }
    return 0;
}

/* The recipe with the command line's overrides. */
static struct recipe resolve_recipe(const struct options *o)
{
    struct recipe r = !o->fast                              ? PAPER
                      : o->order == GAN_ORDER_ALTERNATING ? FAST_ALTERNATING
                                                          : FAST;
    if (o->adam >= 0)
        r.adam = o->adam;
    if (!isnan(o->g_lr))
        r.g_lr = (float)o->g_lr;
    if (!isnan(o->d_lr))
        r.d_lr = (float)o->d_lr;
    if (!isnan(o->beta1))
        r.beta1 = (float)o->beta1;
    if (!isnan(o->average_decay))
        r.average_decay = (float)o->average_decay;
    if (!isnan(o->real_label))
        r.real_label = (float)o->real_label;
    if (o->k)
        r.k = o->k;
    if (o->normal_noise >= 0)
        r.normal_noise = o->normal_noise;
    if (!isnan(o->lr_decay))
        r.lr_decay = (float)o->lr_decay;
    if (o->momentum_epochs)
        r.momentum_epochs = o->momentum_epochs;
    if (!isnan(o->g_momentum))
        r.g_momentum = (float)o->g_momentum;
    if (!isnan(o->d_momentum))
        r.d_momentum = (float)o->d_momentum;
    if (!isnan(o->r1))
        r.r1 = (float)o->r1;
    return r;
}

static int load_data(struct data *dd, const struct options *o)
{
    char img[1024], lab[1024];
    /* The fetch target fills the default folder: suggest it only then. */
    const char *what = o->data_given
                           ? "loading the MNIST training set (--data names a folder holding "
                             "train-images-idx3-ubyte[.gz] and the three other IDX files)"
                           : "loading the MNIST training set from ./data (run: cmake --build "
                             "build --target fetch-mnist, or pass --data DIR)";
    idx_path(img, sizeof img, o->data_dir, "train-images-idx3-ubyte");
    idx_path(lab, sizeof lab, o->data_dir, "train-labels-idx1-ubyte");
    TRY(what, gan_dataset_load_idx(&dd->train_all, img, lab));
    idx_path(img, sizeof img, o->data_dir, "t10k-images-idx3-ubyte");
    idx_path(lab, sizeof lab, o->data_dir, "t10k-labels-idx1-ubyte");
    TRY("loading the MNIST test set", gan_dataset_load_idx(&dd->test, img, lab));
    TRY("train[0:50000]", gan_dataset_subset(&dd->train, dd->train_all, 0, 50000));
    /* Only the first 1000 validation rows choose σ (the original protocol). */
    TRY("train[50000:51000]", gan_dataset_subset(&dd->valid, dd->train_all, 50000, 1000));
    return GAN_OK;
}

/* n noise values from the recipe's prior: U(-sqrt 3, sqrt 3) (the
 * original code's) or N(0, 1), both of unit variance. */
static int draw_prior(float *z, size_t n, gan_rng *rng, const struct recipe *re)
{
    const float a = sqrtf(3.0f);
    return re->normal_noise ? gan_rng_normal(z, n, rng, 0.0f, 1.0f)
                            : gan_rng_uniform(z, n, rng, -a, a);
}

/* Whether the moving average of G is what is evaluated, drawn and saved:
 * when the recipe keeps one (it is the better generator) unless --evaluate
 * g asks for G itself (the average never feeds back into training, so
 * that is the run without it: the ablation). */
static int uses_average(const struct model *m)
{
    return m->recipe.average_decay > 0.0f && !m->evaluate_g;
}

static int sample_eval(float *out, size_t rows, struct model *m, const float *z)
{
    return uses_average(m) ? gan_session_sample_average(out, rows, PIXELS, m->session, z)
                           : gan_session_sample(out, rows, PIXELS, m->session, z);
}

/* The original code's model (docs/paper.md §2). */
static int build_model(struct model *m, struct data *dd, const struct options *o)
{
    gan_rng *init_rng = NULL;
    float mean[PIXELS];
    TRY("init rng", gan_rng_create(&init_rng, o->seed ^ 0x5eedull));

    int rc = gan_net_create(&m->g, NOISE_WIDTH);
    if (!rc) rc = gan_net_add_dense(m->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(m->g, 1200, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(m->g, PIXELS, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(m->g, init_rng, GAN_INIT_UNIFORM, 0.05f);
    if (!rc) rc = gan_dataset_column_mean(mean, PIXELS, dd->train);
    if (!rc) rc = gan_net_init_output_bias_from_mean(m->g, mean, PIXELS);

    if (!rc) rc = gan_net_create(&m->d, PIXELS);
    if (!rc) rc = gan_net_add_dropout(m->d, 0.8f);
    if (!rc) rc = gan_net_add_maxout(m->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(m->d, 0.5f);
    if (!rc) rc = gan_net_add_maxout(m->d, 240, 5);
    if (!rc) rc = gan_net_add_dropout(m->d, 0.5f);
    if (!rc) rc = gan_net_add_dense(m->d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(m->d, init_rng, GAN_INIT_UNIFORM, 0.005f);
    gan_rng_free(init_rng);
    if (rc)
        return report("building the networks", rc);

    const struct recipe *re = &m->recipe;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    if (re->adam) {
        oo.kind = GAN_OPT_ADAM;
        oo.beta1 = re->beta1;
    } else {
        oo.kind = GAN_OPT_SGD;
        oo.lr_decay = re->lr_decay;
        oo.lr_min = 1e-6f;
        oo.momentum = 0.5f;
        oo.momentum_final = 0.7f;
        oo.momentum_start_epoch = 1;
        oo.momentum_saturate_epoch = re->momentum_epochs;
    }
    gan_optimizer_options go = oo, dopts = oo;
    if (!re->adam && !isnan(re->g_momentum))
        go.momentum = go.momentum_final = re->g_momentum;
    if (!re->adam && !isnan(re->d_momentum))
        dopts.momentum = dopts.momentum_final = re->d_momentum;
    go.learning_rate = re->g_lr;
    TRY("G optimizer", gan_optimizer_create(&m->g_opt, m->g, &go));
    dopts.learning_rate = re->d_lr;
    dopts.max_norm = o->d_max_norm;
    TRY("D optimizer", gan_optimizer_create(&m->d_opt, m->d, &dopts));

    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.k = re->k;
    so.g_loss = GAN_G_LOSS_NON_SATURATING;
    so.noise_kind = re->normal_noise ? GAN_NOISE_NORMAL : GAN_NOISE_UNIFORM;
    so.noise_scale = re->normal_noise ? 1.0f : sqrtf(3.0f);
    so.g_average_decay = re->average_decay;
    so.real_label = re->real_label;
    so.d_r1_gamma = re->r1;
    so.noise_width = NOISE_WIDTH;
    so.seed = o->seed;
    so.update_order = o->order;
    so.d_loss_half = 1;
    so.threads = o->threads;
    TRY("session", gan_session_create(&m->session, m->g, m->d, m->g_opt, m->d_opt, dd->train, &so));
    TRY("evaluation rng", gan_rng_create(&m->eval_rng, o->seed ^ 0xe7a1ull));
    /* Room for the Parzen samples and for the 64 of the figure. */
    const size_t zrows = o->n_samples > 64 ? o->n_samples : 64;
    m->eval_z = malloc(zrows * NOISE_WIDTH * sizeof *m->eval_z);
    m->grid_z = malloc(GRID_SIDE * GRID_SIDE * NOISE_WIDTH * sizeof *m->grid_z);
    if (m->eval_z == NULL || m->grid_z == NULL)
        return report("allocating evaluation noise", GAN_ENOMEM);
    gan_rng *grid_rng = NULL;
    TRY("grid rng", gan_rng_create(&grid_rng, o->seed ^ 0x6a1dull));
    rc = draw_prior(m->grid_z, GRID_SIDE * GRID_SIDE * NOISE_WIDTH, grid_rng, re);
    gan_rng_free(grid_rng);
    TRY("grid noise", rc);
    return GAN_OK;
}

static void free_all(struct model *m, struct data *dd)
{
    gan_rng_free(m->eval_rng);
    free(m->eval_z);
    free(m->grid_z);
    gan_session_free(m->session);
    gan_optimizer_free(m->g_opt);
    gan_optimizer_free(m->d_opt);
    gan_net_free(m->g);
    gan_net_free(m->d);
    gan_dataset_free(dd->valid);
    gan_dataset_free(dd->train);
    gan_dataset_free(dd->test);
    gan_dataset_free(dd->train_all);
}

static int on_progress(const gan_stats *s, void *ud)
{
    struct epoch_stats *e = ud;
    e->d_loss += s->d_loss;
    e->g_loss += s->g_loss;
    e->d_real += s->d_real;
    e->d_fake += s->d_fake;
    e->lr = s->learning_rate;
    e->momentum = s->momentum;
    e->n++;
    return 0;
}

/* rows samples of G from the evaluation noise generator (rows <= --samples). */
static int sample_g(float *out, size_t rows, struct model *m)
{
    TRY("evaluation noise", draw_prior(m->eval_z, rows * NOISE_WIDTH, m->eval_rng, &m->recipe));
    TRY("sampling G", sample_eval(out, rows, m, m->eval_z));
    return GAN_OK;
}

struct parzen_result {
    double sigma, valid_ll, test_ll, test_se, seconds;
    /* σ cross-validated on the fine grid; NAN when it is off. */
    double fine_sigma, fine_test_ll, fine_test_se;
};

#define NO_FINE NAN, NAN, NAN

/* Index of the largest of v[0, n). */
static size_t argmax(const double *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* docs/paper.md §3: n samples of G, σ on the first 1000 validation rows, then
 * the whole test set at that σ. One pass over the validation distances
 * scores the paper's 10 σ values and the fine grid's together. */
static int parzen_eval(struct parzen_result *r, struct model *m, struct data *dd,
                       float *samples, size_t n, unsigned fine)
{
    const size_t np = GAN_PARZEN_PAPER_GRID_SIZE, ns = np + fine;
    double *grid = malloc(2 * ns * sizeof *grid);
    if (grid == NULL)
        return report("Parzen evaluation", GAN_ENOMEM);
    double *means = grid + ns;
    gan_parzen *p = NULL;
    double t0 = now_seconds();
    int rc = sample_g(samples, n, m);
    if (!rc)
        rc = gan_parzen_create(&p, samples, n, PIXELS);
    if (!rc)
        rc = gan_parzen_paper_grid(grid, np);
    if (!rc && fine)
        rc = gan_parzen_paper_grid(grid + np, fine);
    if (!rc)
        rc = gan_parzen_log_likelihood_sigmas(means, NULL, p, gan_dataset_data(dd->valid),
                                              gan_dataset_rows(dd->valid), PIXELS, grid, ns);
    r->fine_sigma = r->fine_test_ll = r->fine_test_se = NAN;
    if (!rc) {
        /* Both chosen σ in one pass over the test distances. */
        const size_t i = argmax(means, np);
        r->sigma = grid[i];
        r->valid_ll = means[i];
        const double sigmas[2] = {r->sigma, fine ? grid[np + argmax(means + np, fine)] : 0.0};
        double ll[2], se[2];
        rc = gan_parzen_log_likelihood_sigmas(ll, se, p, gan_dataset_data(dd->test),
                                              gan_dataset_rows(dd->test), PIXELS, sigmas,
                                              fine ? 2 : 1);
        if (!rc) {
            r->test_ll = ll[0];
            r->test_se = se[0];
            if (fine) {
                r->fine_sigma = sigmas[1];
                r->fine_test_ll = ll[1];
                r->fine_test_se = se[1];
            }
        }
    }
    gan_parzen_free(p);
    free(grid);
    r->seconds = now_seconds() - t0;
    return rc ? report("Parzen evaluation", rc) : GAN_OK;
}

/* "; 100-value σ grid: X ± SE (σ = s)", or nothing when that is off. */
static void print_fine(const struct parzen_result *r, unsigned fine)
{
    if (fine && !isnan(r->fine_test_ll))
        printf("; %u-value σ grid: %.1f ± %.1f (σ = %.4f)", fine, r->fine_test_ll,
               r->fine_test_se, r->fine_sigma);
}

/* Figure 2a: 8 rows of 8 samples, the last column the nearest training
 * image of each row's last sample. Figure 3: interpolations in z. */
static int write_figures(struct model *m, struct data *dd, const char *out_dir)
{
    enum { ROWS = 8, COLS = 8, STEPS = 9, LINES = 8 };
    float samples[ROWS * COLS * PIXELS], nearest[ROWS * PIXELS], last[ROWS * PIXELS];
    float anchors[2 * NOISE_WIDTH], z[(STEPS + 1) * NOISE_WIDTH];
    static float strip[LINES * (STEPS + 1) * PIXELS];
    int64_t idx[ROWS];
    char path[1024];

    TRY("sampling G", sample_g(samples, ROWS * COLS, m));
    for (int r = 0; r < ROWS; r++)
        memcpy(last + (size_t)r * PIXELS, samples + ((size_t)r * COLS + COLS - 1) * PIXELS,
               PIXELS * sizeof(float));
    TRY("nearest neighbours", gan_nearest_neighbors(idx, NULL, last, ROWS, PIXELS,
                                                    gan_dataset_data(dd->train),
                                                    gan_dataset_rows(dd->train), PIXELS));
    for (int r = 0; r < ROWS; r++)
        memcpy(nearest + (size_t)r * PIXELS, gan_dataset_data(dd->train) + (size_t)idx[r] * PIXELS,
               PIXELS * sizeof(float));
    snprintf(path, sizeof path, "%s/samples_nearest.png", out_dir);
    TRY("writing the sample grid", gan_png_write_grid(path, samples, ROWS, COLS, 28, 28, nearest));
    printf("wrote %s (last column: nearest training image of the sample beside it)\n", path);

    for (int line = 0; line < LINES; line++) {
        TRY("noise", draw_prior(anchors, 2 * NOISE_WIDTH, m->eval_rng, &m->recipe));
        TRY("interpolation", gan_interpolate(z, STEPS + 1, anchors, 2, NOISE_WIDTH, STEPS));
        TRY("sampling G", sample_eval(strip + (size_t)line * (STEPS + 1) * PIXELS, STEPS + 1, m, z));
    }
    snprintf(path, sizeof path, "%s/interpolation.png", out_dir);
    TRY("writing the interpolation strip",
        gan_png_write_grid(path, strip, LINES, STEPS + 1, 28, 28, NULL));
    printf("wrote %s (each row: G along a straight line between two z)\n", path);
    return GAN_OK;
}

/* best.txt beside best.ckpt records its epoch and scores, so a resumed
 * run keeps comparing against it. */
static void save_best_record(const char *dir, unsigned epoch, const struct parzen_result *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/best.txt", dir);
    FILE *fp = fopen(path, "w");
    if (fp == NULL)
        return;
    fprintf(fp, "%u %.17g %.17g %.17g %.17g %.17g %.17g %.17g\n", epoch, r->valid_ll, r->test_ll,
            r->test_se, r->sigma, r->fine_test_ll, r->fine_test_se, r->fine_sigma);
    fclose(fp);
}

static void load_best_record(const char *dir, unsigned *epoch, struct parzen_result *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/best.txt", dir);
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return;
    struct parzen_result t = {0, 0, 0, 0, 0, NO_FINE};
    unsigned e;
    /* Records written before the fine grid have the first five fields. */
    const int got = fscanf(fp, "%u %lf %lf %lf %lf %lf %lf %lf", &e, &t.valid_ll, &t.test_ll,
                           &t.test_se, &t.sigma, &t.fine_test_ll, &t.fine_test_se, &t.fine_sigma);
    if (got == 5 || got == 8) {
        *epoch = e;
        *r = t;
    }
    fclose(fp);
}

/* OUT/grid_epochNNNN.png: G on the fixed grid noise. */
static int write_epoch_grid(struct model *m, const char *out_dir, unsigned epoch)
{
    static float images[GRID_SIDE * GRID_SIDE * PIXELS];
    char path[1024];
    TRY("sampling G", sample_eval(images, GRID_SIDE * GRID_SIDE, m, m->grid_z));
    snprintf(path, sizeof path, "%s/grid_epoch%04u.png", out_dir, epoch);
    TRY("writing the sample grid",
        gan_png_write_grid(path, images, GRID_SIDE, GRID_SIDE, 28, 28, NULL));
    printf("wrote %s\n", path);
    return GAN_OK;
}

/* The command-line option behind a session option that a checkpoint's
 * message names ("session option update_order = 0, this session has 1"). */
static const char *option_behind(const char *message)
{
    /* GAN_ORDER_ALTERNATING is 0 and GAN_ORDER_SIMULTANEOUS 1 (gan.h). */
    if (strstr(message, "option update_order ") != NULL)
        return "--order (update_order 0 is alternating, 1 simultaneous)";
    if (strstr(message, "option seed ") != NULL)
        return "--seed";
    if (strstr(message, "option k ") != NULL)
        return "--k";
    if (strstr(message, "option g_average_decay ") != NULL)
        return "--average-decay (or --recipe)";
    if (strstr(message, "option real_label ") != NULL)
        return "--real-label (or --recipe)";
    if (strstr(message, "option noise_") != NULL)
        return "--noise (or --recipe)";
    if (strstr(message, "session option ") != NULL)
        return "none: the checkpoint was written by a different training recipe";
    return NULL;
}

static int resume(struct model *m, const char *path)
{
    const int rc = gan_session_load(m->session, path);
    if (rc == GAN_OK)
        return GAN_OK;
    char message[512];
    snprintf(message, sizeof message, "%s", gan_error_last());
    fprintf(stderr, "mnist: resuming from %s failed: %s: %s\n", path, gan_strerror(rc), message);
    const char *opt = option_behind(message);
    if (opt != NULL)
        fprintf(stderr, "mnist: rerun with the options the checkpoint was written with; "
                        "the mnist option that differs: %s\n", opt);
    return rc;
}

static int run(const struct options *o, struct model *m, struct data *dd, float *samples)
{
    char best_path[1024], last_path[1024];
    struct parzen_result best = {0, -INFINITY, 0, 0, 0, NO_FINE};
    unsigned best_epoch = 0;
    double train_seconds = 0;

    snprintf(best_path, sizeof best_path, "%s/best.ckpt", o->out_dir);
    snprintf(last_path, sizeof last_path, "%s/last.ckpt", o->out_dir);
    if (o->resume != NULL) {
        int rrc = resume(m, o->resume);
        if (rrc != GAN_OK)
            return rrc;
        printf("resumed from %s at epoch %llu (iteration %llu)\n", o->resume,
               (unsigned long long)gan_session_epoch(m->session),
               (unsigned long long)gan_session_iteration(m->session));
        load_best_record(o->out_dir, &best_epoch, &best);
        if (best_epoch > 0)
            printf("best so far: epoch %u, Parzen LL = %.1f ± %.1f\n", best_epoch, best.test_ll,
                   best.test_se);
    }
    const struct recipe *re = &m->recipe;
    printf("libgan %s, BLAS %s; order %s, seed %llu, %u epochs, Parzen every %u\n",
           gan_version_string(), gan_blas_info(),
           o->order == GAN_ORDER_ALTERNATING ? "alternating" : "simultaneous", o->seed, o->epochs,
           o->eval_every);
    char opt[160], mom[2][40];
    for (int i = 0; i < 2; i++) {
        const float mu = i == 0 ? re->g_momentum : re->d_momentum;
        if (isnan(mu))
            snprintf(mom[i], sizeof mom[i], "0.5-0.7 over %u epochs", re->momentum_epochs);
        else
            snprintf(mom[i], sizeof mom[i], "%g", (double)mu);
    }
    if (re->adam)
        snprintf(opt, sizeof opt, "Adam (beta1 %g)", (double)re->beta1);
    else if (strcmp(mom[0], mom[1]) == 0)
        snprintf(opt, sizeof opt, "SGD (lr / %.7g per step, momentum %s)", (double)re->lr_decay,
                 mom[0]);
    else
        snprintf(opt, sizeof opt, "SGD (lr / %.7g per step, momentum G %s, D %s)",
                 (double)re->lr_decay, mom[0], mom[1]);
    printf("recipe %s: %s, lr G %g D %g, k %u, average of G %g, real label %g, R1 %g, z %s\n",
           o->fast ? "fast" : "paper", opt, (double)re->g_lr, (double)re->d_lr, re->k,
           (double)re->average_decay, (double)re->real_label, (double)re->r1,
           re->normal_noise ? "N(0, 1)" : "U(-sqrt 3, sqrt 3)");
    fflush(stdout);

    unsigned done = (unsigned)gan_session_epoch(m->session);
    const unsigned first = done;
    double eval_seconds = 0; /* the last evaluation's, for the ETA */
    char eta[32];
    while (done < o->epochs) {
        struct epoch_stats es = {0};
        double t0 = now_seconds(), c0 = cpu_seconds();
        int rc = gan_session_train_epochs(m->session, 1, on_progress, &es);
        double dt = now_seconds() - t0, dc = cpu_seconds() - c0;
        train_seconds += dt;
        if (rc != GAN_OK)
            return report("training", rc);
        done = (unsigned)gan_session_epoch(m->session);
        double n = es.n ? (double)es.n : 1.0;
        /* ETA: this run's mean epoch time, plus the evaluations still due
         * at the last one's cost. */
        const unsigned left = o->epochs - done;
        const unsigned evals_left = o->epochs / o->eval_every - done / o->eval_every +
                                    (o->epochs % o->eval_every != 0);
        const double remaining = train_seconds / (done - first) * left + eval_seconds * evals_left;
        printf("epoch %u/%u: D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  lr %.5f  "
               "mom %.3f  %.1f s  cpu %.1f s  %.1f it/s  ETA %s\n",
               done, o->epochs, es.d_loss / n, es.g_loss / n, es.d_real / n, es.d_fake / n,
               (double)es.lr, (double)es.momentum, dt, dc, (double)es.n / dt,
               format_duration(eta, sizeof eta, remaining));
        fflush(stdout);
        if (done % o->eval_every == 0 || done == o->epochs) {
            struct parzen_result r;
            TRY("Parzen", parzen_eval(&r, m, dd, samples, o->n_samples, o->sigma_grid));
            eval_seconds = r.seconds;
            printf("epoch %u: Parzen LL = %.1f ± %.1f (σ = %.4f; validation %.1f; %.1f s)", done,
                   r.test_ll, r.test_se, r.sigma, r.valid_ll, r.seconds);
            print_fine(&r, o->sigma_grid);
            printf("\n");
            if (r.valid_ll > best.valid_ll) {
                best = r;
                best_epoch = done;
                TRY("saving the best checkpoint", gan_session_save(m->session, best_path));
                save_best_record(o->out_dir, best_epoch, &best);
            }
            fflush(stdout);
        }
        if (o->grid_every != 0 && (done % o->grid_every == 0 || done == o->epochs))
            TRY("grid", write_epoch_grid(m, o->out_dir, done));
        /* Every epoch, so a stopped run resumes where it stopped. */
        TRY("saving the last checkpoint", gan_session_save(m->session, last_path));
    }
    printf("training time %.1f s (%.1f min)\n", train_seconds, train_seconds / 60);
    if (best_epoch == 0) {
        /* Nothing evaluated in this run (resumed at or past --epochs):
         * evaluate the state we have. */
        TRY("Parzen", parzen_eval(&best, m, dd, samples, o->n_samples, o->sigma_grid));
        best_epoch = done;
        TRY("saving the best checkpoint", gan_session_save(m->session, best_path));
        save_best_record(o->out_dir, best_epoch, &best);
    }
    printf("best checkpoint: epoch %u, Parzen LL = %.1f ± %.1f on the MNIST test set (σ = %.4f)",
           best_epoch, best.test_ll, best.test_se, best.sigma);
    print_fine(&best, o->sigma_grid);
    printf("; paper: 225 ± 2\n");
    TRY("reloading the best checkpoint", gan_session_load(m->session, best_path));
    char g_path[1024];
    snprintf(g_path, sizeof g_path, "%s/generator.gan", o->out_dir);
    /* A generator file: G (or its average, the one evaluated) with the
     * session's noise prior, so examples/sample and gan_generator_load need
     * nothing else to sample it. */
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_kind = m->recipe.normal_noise ? GAN_NOISE_NORMAL : GAN_NOISE_UNIFORM;
    so.noise_scale = m->recipe.normal_noise ? 1.0f : sqrtf(3.0f);
    so.noise_width = NOISE_WIDTH;
    gan_generator_options go;
    TRY("generator options", gan_generator_options_from_session(&go, &so));
    const gan_net *g_out = m->g;
    if (uses_average(m))
        TRY("the average of G", gan_session_average_net(&g_out, m->session));
    TRY("saving G", gan_generator_save_net(g_out, &go, g_path));
    printf("saved the best generator%s (with its noise prior) to %s\n",
           uses_average(m) ? " (the average of G)" : "", g_path);
    return write_figures(m, dd, o->out_dir);
}

/* A new run (no --resume) must not overwrite another run's checkpoints
 * unless --force says so; --force then removes them, with best.txt, so a
 * later --resume does not compare against the old run's best. */
static int check_out_dir(const struct options *o)
{
    static const char *const files[] = {"last.ckpt", "best.ckpt", "best.txt"};
    char path[1024];
    struct stat st;
    if (o->resume != NULL)
        return 0;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", o->out_dir, files[i]);
        if (lstat(path, &st) != 0)
            continue;
        if (!o->force) {
            fprintf(stderr,
                    "mnist: %s already holds a run (%s); pass --resume %s/last.ckpt to continue "
                    "it, --force to start over, or another --out\n",
                    o->out_dir, files[i], o->out_dir);
            return ARGS_EXIT_USAGE;
        }
        if (remove(path) != 0) {
            fprintf(stderr, "mnist: --force: cannot remove %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct model m = {0};
    struct data dd = {0};
    int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    if (mkdir(o.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mnist: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    int orc = check_out_dir(&o);
    if (orc != 0)
        return orc;
    float *samples = malloc(o.n_samples * PIXELS * sizeof *samples);
    if (samples == NULL) {
        fprintf(stderr, "mnist: out of memory\n");
        return 1;
    }
    int rc = load_data(&dd, &o);
    m.recipe = resolve_recipe(&o);
    m.evaluate_g = o.evaluate_g;
    if (rc == GAN_OK)
        rc = build_model(&m, &dd, &o);
    if (rc == GAN_OK)
        rc = run(&o, &m, &dd, samples);
    free(samples);
    free_all(&m, &dd);
    struct rusage ru;
    if (rc == GAN_OK && getrusage(RUSAGE_SELF, &ru) == 0)
        printf("peak memory (RSS) %.0f MB\n", ru.ru_maxrss / 1024.0);
    return rc == GAN_OK ? 0 : 1;
}
