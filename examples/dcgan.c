/* dcgan: a DCGAN (Radford et al. 2016) trained on MNIST or Fashion-MNIST.
 *
 * The model of examples/dcgan_model.h (the one examples/torch_dcgan.py
 * builds and examples/bench_dcgan times), D's batch norm included unless
 * --no-d-batchnorm: Adam 2e-4 with beta1 0.5, batch
 * 64, one D step then one G step, z ~ U(-1, 1) of width 100. Trains on
 * train[0:50000]; every --eval-every epochs it evaluates the Parzen-window
 * log-likelihood with the protocol of examples/mnist.c (docs/paper.md §3:
 * --samples samples of G, σ on the paper's 10-value grid from
 * train[50000:51000], then the 10,000 test images); every --grid-every
 * epochs it writes OUT/grid_epochNNNN.png (10 x 10 samples from fixed
 * noise); every epoch OUT/last.ckpt, OUT/generator.gan (G, or its average
 * with --average-decay, with its noise prior) and OUT/discriminator.gan (D,
 * gan_net_save()).
 *
 *   usage: dcgan [--dataset mnist|fashion] [--data DIR] [--epochs N]
 *                [--eval-every E] [--grid-every N] [--seed S] [--out DIR]
 *                [--resume CHECKPOINT | --force] [--samples N]
 *                [--average-decay X] [--threads N]
 *                [--d-batchnorm | --no-d-batchnorm]
 *
 * docs/dcgan.md has the model, the figures and how they were made.
 */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include "args.h"
#include "run_util.h"
#include "dcgan_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define GRID_SIDE 10

/* Where CMake found Debian's dataset-fashion-mnist (examples/CMakeLists.txt). */
#ifndef GAN_FASHION_MNIST_DIR
#define GAN_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif

struct options {
    int fashion;          /* --dataset fashion */
    const char *data_dir; /* NULL: the dataset's default */
    const char *out_dir;
    const char *resume;
    int force;
    int d_batchnorm;      /* D's batch norm as in the PyTorch peer (default);
                             0 with --no-d-batchnorm */
    unsigned epochs, eval_every, grid_every, threads;
    unsigned long long seed;
    size_t n_samples;
    double average_decay;
};

struct model {
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_session *session;
    gan_rng *eval_rng; /* Parzen noise: its own stream, apart from training */
    float *grid_z;     /* fixed noise of the grids */
    int average;       /* sample the average of G */
};

struct data {
    gan_dataset *train_all, *test, *train, *valid;
};

struct epoch_stats {
    double d_loss, g_loss, d_real, d_fake;
    unsigned long long n;
};

static int report(const char *what, int rc)
{
    fprintf(stderr, "dcgan: %s failed: %s: %s\n", what, gan_strerror(rc), gan_error_last());
    return rc;
}

#define TRY(what, call)                 \
    do {                                \
        int rc_ = (call);               \
        if (rc_ != GAN_OK)              \
            return report((what), rc_); \
    } while (0)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: dcgan [--dataset mnist|fashion] [--data DIR] [--epochs N]\n"
            "             [--eval-every E] [--grid-every N] [--seed S] [--out DIR]\n"
            "             [--resume CHECKPOINT | --force] [--samples N]\n"
            "             [--average-decay X] [--threads N]\n"
            "             [--d-batchnorm | --no-d-batchnorm]\n"
            "defaults: --dataset mnist --data data (fashion: %s)\n"
            "          --epochs 25 --eval-every 1 --grid-every 1 --seed 1 --out dcgan_out\n"
            "          --samples 10000 --average-decay 0 --threads 0\n"
            "--data DIR: the four IDX files, plain or gzipped (train-images-idx3-ubyte[.gz], ...)\n"
            "--eval-every E: Parzen log-likelihood every E epochs (docs/paper.md §3); 0: off\n"
            "--grid-every N: OUT/grid_epochNNNN.png, 10 x 10 samples from fixed noise; 0: off\n"
            "--resume CHECKPOINT: continue a run (OUT/last.ckpt) with the same options;\n"
            "          --force: start over in an --out that already holds a run\n"
            "--average-decay X: keep a moving average of G (e.g. 0.999) and evaluate, draw\n"
            "          and save it instead of G; 0: off\n"
            "--d-batchnorm: D with the batch norm of the PyTorch peer's D (the default);\n"
            "          --no-d-batchnorm: D without it (docs/dcgan.md)\n"
            "--threads N: threads of the element-wise loops (0: the online CPUs, at most 4);\n"
            "          matrix products use OPENBLAS_NUM_THREADS. Results do not depend on it.\n",
            GAN_FASHION_MNIST_DIR);
}

static int parse_args(struct options *o, int argc, char **argv)
{
    static const char prog[] = "dcgan";
    *o = (struct options){0, NULL, "dcgan_out", NULL, 0, 1, 25, 1, 1, 0, 1, 10000, 0.0};
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
        if (strcmp(a, "--d-batchnorm") == 0 || strcmp(a, "--no-d-batchnorm") == 0) {
            o->d_batchnorm = a[2] == 'd';
            continue;
        }
        static const char *const known[] = {"--dataset", "--data", "--epochs", "--eval-every",
                                            "--grid-every", "--seed", "--out", "--resume",
                                            "--samples", "--average-decay", "--threads"};
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(a, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known) {
            fprintf(stderr, "dcgan: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(prog, argc, argv, &i);
        if (v == NULL)
            return -1;
        int bad = 0;
        if (v[0] == '\0' && (k == 1 || k == 6 || k == 7)) {
            fprintf(stderr, "dcgan: %s needs a non-empty path\n", a);
            return -1;
        }
        switch (k) {
        case 0:
            if (strcmp(v, "mnist") == 0 || strcmp(v, "fashion") == 0)
                o->fashion = strcmp(v, "fashion") == 0;
            else {
                fprintf(stderr, "dcgan: --dataset must be mnist or fashion, not '%s'\n", v);
                bad = -1;
            }
            break;
        case 1: o->data_dir = v; break;
        case 2: bad = args_unsigned(&o->epochs, prog, a, v, 1, 10000000); break;
        case 3: bad = args_unsigned(&o->eval_every, prog, a, v, 0, 10000000); break;
        case 4: bad = args_unsigned(&o->grid_every, prog, a, v, 0, 10000000); break;
        case 5: {
            uint64_t s;
            bad = args_u64(&s, prog, a, v, 0, UINT64_MAX);
            o->seed = s;
            break;
        }
        case 6: o->out_dir = v; break;
        case 7: o->resume = v; break;
        case 8: bad = args_size(&o->n_samples, prog, a, v, 1, 1000000); break;
        case 9: bad = args_double(&o->average_decay, prog, a, v, 0.0, 0.999999); break;
        default: bad = args_unsigned(&o->threads, prog, a, v, 0, 64); break;
        }
        if (bad)
            return -1;
    }
    if (o->force && o->resume != NULL) {
        fprintf(stderr, "dcgan: --force starts over and --resume continues: pick one\n");
        return -1;
    }
    return 0;
}

static int load_data(struct data *dd, const struct options *o)
{
    const char *dir = o->data_dir ? o->data_dir : o->fashion ? GAN_FASHION_MNIST_DIR : "data";
    char img[1024], lab[1024], what[1200];
    snprintf(what, sizeof what,
             "loading the %s training set from %s (--data names a folder holding "
             "train-images-idx3-ubyte[.gz] and the three other IDX files%s)",
             o->fashion ? "Fashion-MNIST" : "MNIST", dir,
             o->fashion ? "; Debian: apt install dataset-fashion-mnist" : "");
    idx_path(img, sizeof img, dir, "train-images-idx3-ubyte");
    idx_path(lab, sizeof lab, dir, "train-labels-idx1-ubyte");
    TRY(what, gan_dataset_load_idx(&dd->train_all, img, lab));
    idx_path(img, sizeof img, dir, "t10k-images-idx3-ubyte");
    idx_path(lab, sizeof lab, dir, "t10k-labels-idx1-ubyte");
    TRY("loading the test set", gan_dataset_load_idx(&dd->test, img, lab));
    if (gan_dataset_cols(dd->train_all) != DCGAN_PIXELS) {
        fprintf(stderr, "dcgan: %s holds images of %zu pixels, not 28 x 28\n", dir,
                gan_dataset_cols(dd->train_all));
        return GAN_ESHAPE;
    }
    TRY("train[0:50000]", gan_dataset_subset(&dd->train, dd->train_all, 0, 50000));
    TRY("train[50000:51000]", gan_dataset_subset(&dd->valid, dd->train_all, 50000, 1000));
    return GAN_OK;
}

static int build_model(struct model *m, struct data *dd, const struct options *o)
{
    gan_rng *init_rng = NULL;
    TRY("init rng", gan_rng_create(&init_rng, o->seed ^ 0x5eedull));
    int rc = dcgan_build(&m->g, &m->d, init_rng, o->d_batchnorm);
    gan_rng_free(init_rng);
    TRY("building the networks", rc);
    gan_optimizer_options oo = dcgan_adam();
    TRY("G optimizer", gan_optimizer_create(&m->g_opt, m->g, &oo));
    TRY("D optimizer", gan_optimizer_create(&m->d_opt, m->d, &oo));
    gan_session_options so = dcgan_session_options(o->seed);
    so.threads = o->threads;
    so.g_average_decay = (float)o->average_decay;
    m->average = o->average_decay > 0.0;
    TRY("session", gan_session_create(&m->session, m->g, m->d, m->g_opt, m->d_opt, dd->train, &so));
    TRY("evaluation rng", gan_rng_create(&m->eval_rng, o->seed ^ 0xe7a1ull));
    m->grid_z = malloc(GRID_SIDE * GRID_SIDE * DCGAN_Z * sizeof *m->grid_z);
    if (m->grid_z == NULL)
        return report("allocating the grid noise", GAN_ENOMEM);
    gan_rng *grid_rng = NULL;
    TRY("grid rng", gan_rng_create(&grid_rng, o->seed ^ 0x6a1dull));
    rc = gan_rng_uniform(m->grid_z, GRID_SIDE * GRID_SIDE * DCGAN_Z, grid_rng, -1.0f, 1.0f);
    gan_rng_free(grid_rng);
    TRY("grid noise", rc);
    return GAN_OK;
}

static void free_all(struct model *m, struct data *dd)
{
    gan_rng_free(m->eval_rng);
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
    e->n++;
    return 0;
}

/* G (or its average) on rows noise rows z; batch norm uses its running
 * statistics (inference). */
static int sample_eval(float *out, size_t rows, struct model *m, const float *z)
{
    return m->average ? gan_session_sample_average(out, rows, DCGAN_PIXELS, m->session, z)
                      : gan_session_sample(out, rows, DCGAN_PIXELS, m->session, z);
}

struct parzen_result {
    double sigma, valid_ll, test_ll, test_se, seconds;
};

/* docs/paper.md §3, as examples/mnist.c does it with the paper's grid:
 * n samples, σ from the first 1000 validation rows, then the test set. */
static int parzen_eval(struct parzen_result *r, struct model *m, struct data *dd, float *samples,
                       size_t n)
{
    const double t0 = now_seconds();
    double grid[GAN_PARZEN_PAPER_GRID_SIZE], means[GAN_PARZEN_PAPER_GRID_SIZE];
    float *z = malloc(n * DCGAN_Z * sizeof *z);
    if (z == NULL)
        return report("Parzen evaluation", GAN_ENOMEM);
    gan_parzen *p = NULL;
    int rc = gan_rng_uniform(z, n * DCGAN_Z, m->eval_rng, -1.0f, 1.0f);
    if (!rc) rc = sample_eval(samples, n, m, z);
    if (!rc) rc = gan_parzen_create(&p, samples, n, DCGAN_PIXELS);
    if (!rc) rc = gan_parzen_paper_grid(grid, GAN_PARZEN_PAPER_GRID_SIZE);
    if (!rc)
        rc = gan_parzen_log_likelihood_sigmas(means, NULL, p, gan_dataset_data(dd->valid),
                                              gan_dataset_rows(dd->valid), DCGAN_PIXELS, grid,
                                              GAN_PARZEN_PAPER_GRID_SIZE);
    if (!rc) {
        size_t best = 0;
        for (size_t i = 1; i < GAN_PARZEN_PAPER_GRID_SIZE; i++)
            if (means[i] > means[best])
                best = i;
        r->sigma = grid[best];
        r->valid_ll = means[best];
        rc = gan_parzen_log_likelihood_sigmas(&r->test_ll, &r->test_se, p,
                                              gan_dataset_data(dd->test),
                                              gan_dataset_rows(dd->test), DCGAN_PIXELS,
                                              &r->sigma, 1);
    }
    gan_parzen_free(p);
    free(z);
    r->seconds = now_seconds() - t0;
    return rc ? report("Parzen evaluation", rc) : GAN_OK;
}

static int write_grid(struct model *m, const char *out_dir, unsigned epoch)
{
    static float images[GRID_SIDE * GRID_SIDE * DCGAN_PIXELS];
    char path[1024];
    TRY("sampling G", sample_eval(images, GRID_SIDE * GRID_SIDE, m, m->grid_z));
    snprintf(path, sizeof path, "%s/grid_epoch%04u.png", out_dir, epoch);
    TRY("writing the sample grid",
        gan_png_write_grid(path, images, GRID_SIDE, GRID_SIDE, DCGAN_SIDE, DCGAN_SIDE, NULL));
    printf("wrote %s\n", path);
    return GAN_OK;
}

static int resume(struct model *m, const char *path)
{
    const int rc = gan_session_load(m->session, path);
    if (rc == GAN_OK)
        return GAN_OK;
    fprintf(stderr, "dcgan: resuming from %s failed: %s: %s\n", path, gan_strerror(rc),
            gan_error_last());
    if (strstr(gan_error_last(), "g_average_decay") != NULL)
        fprintf(stderr, "dcgan: rerun with the --average-decay the run was started with\n");
    else if (strstr(gan_error_last(), "option seed") != NULL)
        fprintf(stderr, "dcgan: rerun with the --seed the run was started with\n");
    else if (strstr(gan_error_last(), "nets differ") != NULL)
        fprintf(stderr, "dcgan: rerun with --no-d-batchnorm if the run was started with it, "
                        "without it if not (checkpoints of versions before the activation "
                        "layers hold another model and do not resume)\n");
    return rc;
}

/* OUT/generator.gan and OUT/discriminator.gan, after every epoch (so a
 * stopped run has them) and at the end (verbose: say so). */
static int save_nets(struct model *m, const char *out_dir, int verbose)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/generator.gan", out_dir);
    gan_session_options so = dcgan_session_options(0);
    gan_generator_options go;
    TRY("generator options", gan_generator_options_from_session(&go, &so));
    const gan_net *g = m->g;
    if (m->average)
        TRY("the average of G", gan_session_average_net(&g, m->session));
    TRY("saving G", gan_generator_save_net(g, &go, path));
    if (verbose)
        printf("saved %s (with its noise prior U(-1, 1)^100) to %s\n",
               m->average ? "the average of G" : "G", path);
    /* D too: its layers are features for examples/mnist_semisup. */
    snprintf(path, sizeof path, "%s/discriminator.gan", out_dir);
    TRY("saving D", gan_net_save(m->d, path));
    if (verbose)
        printf("saved D to %s\n", path);
    return GAN_OK;
}

static int run(const struct options *o, struct model *m, struct data *dd, float *samples)
{
    char last_path[1024];
    snprintf(last_path, sizeof last_path, "%s/last.ckpt", o->out_dir);
    if (o->resume != NULL) {
        const int rrc = resume(m, o->resume);
        if (rrc != GAN_OK)
            return rrc;
        printf("resumed from %s at epoch %llu (iteration %llu)\n", o->resume,
               (unsigned long long)gan_session_epoch(m->session),
               (unsigned long long)gan_session_iteration(m->session));
    }
    printf("libgan %s, BLAS %s; DCGAN on %s, seed %llu, %u epochs, batch %d, Adam 2e-4 "
           "(beta1 0.5), average of G %g; G %zu parameters, D %zu (%s batch norm)\n",
           gan_version_string(), gan_blas_info(), o->fashion ? "Fashion-MNIST" : "MNIST", o->seed,
           o->epochs, DCGAN_BATCH, o->average_decay, gan_net_num_params(m->g),
           gan_net_num_params(m->d), o->d_batchnorm ? "with" : "without");
    fflush(stdout);
    unsigned done = (unsigned)gan_session_epoch(m->session);
    const unsigned first = done;
    double train_seconds = 0, eval_seconds = 0;
    char eta[32];
    while (done < o->epochs) {
        struct epoch_stats es = {0};
        const double t0 = now_seconds(), c0 = cpu_seconds();
        const int rc = gan_session_train_epochs(m->session, 1, on_progress, &es);
        const double dt = now_seconds() - t0, dc = cpu_seconds() - c0;
        if (rc != GAN_OK)
            return report("training", rc);
        train_seconds += dt;
        done = (unsigned)gan_session_epoch(m->session);
        const double n = es.n ? (double)es.n : 1.0;
        const unsigned left = o->epochs - done;
        const unsigned evals_left =
            o->eval_every ? left / o->eval_every + (left % o->eval_every != 0) : 0;
        const double remaining = train_seconds / (done - first) * left + eval_seconds * evals_left;
        printf("epoch %u/%u: D loss %.4f  G loss %.4f  D(x) %.3f  D(G(z)) %.3f  %.1f s  "
               "cpu %.1f s  %.1f it/s  ETA %s\n",
               done, o->epochs, es.d_loss / n, es.g_loss / n, es.d_real / n, es.d_fake / n, dt, dc,
               (double)es.n / dt, format_duration(eta, sizeof eta, remaining));
        fflush(stdout);
        if (o->eval_every && (done % o->eval_every == 0 || done == o->epochs)) {
            struct parzen_result r;
            TRY("Parzen", parzen_eval(&r, m, dd, samples, o->n_samples));
            eval_seconds = r.seconds;
            printf("epoch %u: Parzen LL = %.1f ± %.1f (σ = %.4f; validation %.1f; %.1f s)\n", done,
                   r.test_ll, r.test_se, r.sigma, r.valid_ll, r.seconds);
            fflush(stdout);
        }
        if (o->grid_every && (done % o->grid_every == 0 || done == o->epochs))
            TRY("grid", write_grid(m, o->out_dir, done));
        TRY("saving the last checkpoint", gan_session_save(m->session, last_path));
        TRY("saving the nets", save_nets(m, o->out_dir, 0));
    }
    printf("training time %.1f s (%.1f min)\n", train_seconds, train_seconds / 60);
    return save_nets(m, o->out_dir, 1);
}

/* A new run refuses an --out holding a run's checkpoint unless --force. */
static int check_out_dir(const struct options *o)
{
    char path[1024];
    struct stat st;
    if (o->resume != NULL)
        return 0;
    snprintf(path, sizeof path, "%s/last.ckpt", o->out_dir);
    if (lstat(path, &st) != 0)
        return 0;
    if (!o->force) {
        fprintf(stderr,
                "dcgan: %s already holds a run (last.ckpt); pass --resume %s/last.ckpt to "
                "continue it, --force to start over, or another --out\n",
                o->out_dir, o->out_dir);
        return ARGS_EXIT_USAGE;
    }
    if (remove(path) != 0) {
        fprintf(stderr, "dcgan: --force: cannot remove %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct model m = {0};
    struct data dd = {0};
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    if (mkdir(o.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "dcgan: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    const int orc = check_out_dir(&o);
    if (orc != 0)
        return orc;
    float *samples = malloc(o.n_samples * DCGAN_PIXELS * sizeof *samples);
    if (samples == NULL) {
        fprintf(stderr, "dcgan: out of memory\n");
        return 1;
    }
    int rc = load_data(&dd, &o);
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
