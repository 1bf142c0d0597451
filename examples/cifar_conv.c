/* cifar_conv: the paper's convolutional CIFAR-10 model (Goodfellow et al.
 * 2014, the original code's cifar10_convolutional.yaml; docs/paper.md §6),
 * on any 32 x 32 RGB data: CIFAR-10 binary files, or a synthetic set of
 * coloured shapes when the real data are not at hand.
 *
 *   G: z (100, U(-sqrt 3, sqrt 3)) -> dense 8000 ReLU -> dense 8000 sigmoid
 *      -> reshape 80 x 10 x 10 -> deconv 3 channels, 5 x 5, stride 3, pad 0
 *      (32 x 32), linear (sigmoid with --gcn 0)
 *   D: dropout 0.8 -> conv 64 8 x 8 pad 4 -> maxout 2 -> max pool 4 stride 2
 *      -> dropout 0.5 -> conv 64 8 x 8 pad 3 -> maxout 2 -> max pool 4 stride 2
 *      -> dropout 0.5 -> conv 384 5 x 5 pad 3 -> maxout 2 -> max pool 2 stride 2
 *      -> dropout 0.5 -> maxout 500 x 5 -> dropout 0.5 -> dense 1 sigmoid
 *   Data: global contrast normalisation, scale 55. Training: batch 128, SGD
 *   0.004 divided by 1.000004 a step (floor 1e-6), momentum 0.5 rising to
 *   0.7 over epochs 1-250, the original code's simultaneous update.
 *
 * docs/dcgan.md ("The paper's CIFAR-10 model") lists what had to be
 * assumed.
 *
 *   usage: cifar_conv (--cifar FILE... | --synthetic N) [--iterations N]
 *                     [--batch N] [--gcn SCALE] [--grid-every N] [--log-every N]
 *                     [--save-every N] [--resume CHECKPOINT] [--seed S]
 *                     [--out DIR] [--threads N]
 *
 * OUT/last.ckpt is saved every --save-every iterations and at the end;
 * --resume OUT/last.ckpt, with the options the run was started with,
 * continues a run up to --iterations (the synthetic set is drawn again
 * from --seed, so it is the same set).
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

#define SIDE 32
#define PIXELS (3 * SIDE * SIDE)
#define Z 100
#define GRID 10
#define MAX_FILES 16

struct options {
    const char *files[MAX_FILES];
    size_t n_files;
    size_t synthetic; /* rows of the synthetic set; 0: --cifar */
    unsigned iterations, batch, grid_every, log_every, save_every, threads;
    const char *resume; /* a checkpoint to continue, or NULL */
    double gcn;       /* scale; 0: no GCN, data stay in [0, 1] */
    unsigned long long seed;
    const char *out_dir;
};

static int report(const char *what, int rc)
{
    fprintf(stderr, "cifar_conv: %s failed: %s: %s\n", what, gan_strerror(rc), gan_error_last());
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
            "usage: cifar_conv (--cifar FILE... | --synthetic N) [--iterations N] [--batch N]\n"
            "                  [--gcn SCALE] [--grid-every N] [--log-every N] [--save-every N]\n"
            "                  [--resume CHECKPOINT] [--seed S] [--out DIR] [--threads N]\n"
            "--cifar FILE...: CIFAR-10 binary files (data_batch_1.bin ...); the paper trained\n"
            "          on train[0:40000], data_batch_1.bin to data_batch_4.bin\n"
            "--synthetic N: N images of coloured shapes (a disc or a square on a plain\n"
            "          background) instead\n"
            "defaults: --iterations 300 --batch 128 --gcn 55 --grid-every 100 --log-every 10\n"
            "          --save-every 100 --seed 1 --out cifar_conv_out --threads 0\n"
            "--gcn SCALE: global contrast normalisation to norm SCALE (0: none; the data stay in\n"
            "          [0, 1] and G's last layer is a sigmoid instead of linear)\n"
            "--grid-every N: OUT/grid_iterNNNNNN.png, 10 x 10 samples from fixed noise\n"
            "--save-every N: OUT/last.ckpt every N iterations (0: only at the end)\n"
            "--resume CHECKPOINT: continue a run (OUT/last.ckpt) up to --iterations, with the\n"
            "          options it was started with\n");
}

static int parse_args(struct options *o, int argc, char **argv)
{
    static const char prog[] = "cifar_conv";
    memset(o, 0, sizeof *o);
    o->iterations = 300;
    o->batch = 128;
    o->gcn = 55.0;
    o->grid_every = 100;
    o->log_every = 10;
    o->save_every = 100;
    o->seed = 1;
    o->out_dir = "cifar_conv_out";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (args_is_help(a)) {
            usage(stdout);
            return 1;
        }
        if (strcmp(a, "--cifar") == 0) {
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                if (o->n_files == MAX_FILES) {
                    fprintf(stderr, "cifar_conv: at most %d --cifar files\n", MAX_FILES);
                    return -1;
                }
                o->files[o->n_files++] = argv[++i];
            }
            if (o->n_files == 0) {
                fprintf(stderr, "cifar_conv: --cifar needs at least one file\n");
                return -1;
            }
            continue;
        }
        static const char *const known[] = {"--synthetic", "--iterations", "--batch", "--gcn",
                                            "--grid-every", "--log-every", "--seed", "--out",
                                            "--threads", "--save-every", "--resume"};
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(a, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof *known) {
            fprintf(stderr, "cifar_conv: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        const char *v = args_value(prog, argc, argv, &i);
        if (v == NULL)
            return -1;
        int bad = 0;
        switch (k) {
        case 0: bad = args_size(&o->synthetic, prog, a, v, 1, 1000000); break;
        case 1: bad = args_unsigned(&o->iterations, prog, a, v, 1, 100000000); break;
        case 2: bad = args_unsigned(&o->batch, prog, a, v, 1, 4096); break;
        case 3: bad = args_double(&o->gcn, prog, a, v, 0.0, 1e6); break;
        case 4: bad = args_unsigned(&o->grid_every, prog, a, v, 0, 100000000); break;
        case 5: bad = args_unsigned(&o->log_every, prog, a, v, 1, 100000000); break;
        case 6: {
            uint64_t s;
            bad = args_u64(&s, prog, a, v, 0, UINT64_MAX);
            o->seed = s;
            break;
        }
        case 7:
            if (v[0] == '\0') {
                fprintf(stderr, "cifar_conv: --out needs a non-empty path\n");
                bad = -1;
            }
            o->out_dir = v;
            break;
        case 8: bad = args_unsigned(&o->threads, prog, a, v, 0, 64); break;
        case 9: bad = args_unsigned(&o->save_every, prog, a, v, 0, 100000000); break;
        default:
            if (v[0] == '\0') {
                fprintf(stderr, "cifar_conv: --resume needs a non-empty path\n");
                bad = -1;
            }
            o->resume = v;
            break;
        }
        if (bad)
            return -1;
    }
    if ((o->n_files > 0) == (o->synthetic > 0)) {
        fprintf(stderr, "cifar_conv: give either --cifar FILE... or --synthetic N\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

/* n synthetic 32 x 32 RGB images in [0, 1], channel-major: a plain
 * background and one disc or square of another colour, of random size and
 * place. */
static int make_shapes(gan_dataset **out, size_t n, unsigned long long seed)
{
    gan_rng *rng = NULL;
    float *x = malloc(n * PIXELS * sizeof *x);
    if (x == NULL)
        return report("allocating the synthetic set", GAN_ENOMEM);
    int rc = gan_rng_create(&rng, seed ^ 0x5a9e5ull);
    for (size_t r = 0; r < n && rc == GAN_OK; r++) {
        float colour[6];
        int64_t kind = 0, size = 0, cx = 0, cy = 0;
        rc = gan_rng_uniform(colour, 6, rng, 0.0f, 1.0f);
        if (!rc) rc = gan_rng_int(&kind, rng, 0, 1);
        if (!rc) rc = gan_rng_int(&size, rng, 4, 11); /* radius or half side */
        if (!rc) rc = gan_rng_int(&cx, rng, size, SIDE - 1 - size);
        if (!rc) rc = gan_rng_int(&cy, rng, size, SIDE - 1 - size);
        float *img = x + r * PIXELS;
        for (int y = 0; y < SIDE; y++)
            for (int xx = 0; xx < SIDE; xx++) {
                const long dx = xx - cx, dy = y - cy;
                const int inside = kind ? labs(dx) <= size && labs(dy) <= size
                                        : dx * dx + dy * dy <= size * size;
                for (int c = 0; c < 3; c++)
                    img[(size_t)c * SIDE * SIDE + (size_t)y * SIDE + (size_t)xx] =
                        colour[inside ? 3 + c : c];
            }
    }
    gan_rng_free(rng);
    if (rc == GAN_OK)
        rc = gan_dataset_create(out, x, n, PIXELS);
    free(x);
    return rc ? report("making the synthetic set", rc) : GAN_OK;
}

/* Samples for a picture: with GCN each image is mapped to [0, 1] by its
 * own largest magnitude, x / (2 max|x|) + 1/2, as pylearn2's patch viewer
 * shows GCN images; without GCN they are drawn as they are. */
static void to_picture(float *x, size_t rows, double gcn)
{
    if (gcn == 0.0)
        return;
    for (size_t r = 0; r < rows; r++) {
        float *img = x + r * PIXELS, m = 1e-8f;
        for (size_t i = 0; i < PIXELS; i++)
            m = fmaxf(m, fabsf(img[i]));
        for (size_t i = 0; i < PIXELS; i++)
            img[i] = img[i] / (2.0f * m) + 0.5f;
    }
}

static int build(gan_net **g, gan_net **d, const struct options *o)
{
    gan_rng *rng = NULL;
    TRY("init rng", gan_rng_create(&rng, o->seed ^ 0x5eedull));
    int rc = gan_net_create(g, Z);
    if (!rc) rc = gan_net_add_dense(*g, 8000, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(*g, 8000, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_add_reshape(*g, 80, 10, 10);
    if (!rc)
        rc = gan_net_add_deconv2d(*g, 3, 5, 3, 0, 0,
                                  o->gcn > 0.0 ? GAN_ACT_IDENTITY : GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(*g, rng, GAN_INIT_UNIFORM, 0.05f);

    if (!rc) rc = gan_net_create(d, PIXELS);
    if (!rc) rc = gan_net_add_reshape(*d, 3, SIDE, SIDE);
    if (!rc) rc = gan_net_add_dropout(*d, 0.8f);
    if (!rc) rc = gan_net_add_conv2d(*d, 32 * 2, 8, 1, 4, GAN_ACT_IDENTITY); /* 33 x 33 */
    if (!rc) rc = gan_net_add_channel_maxout(*d, 2);
    if (!rc) rc = gan_net_add_maxpool(*d, 4, 2, 0);                          /* 16 x 16 */
    if (!rc) rc = gan_net_add_dropout(*d, 0.5f);
    if (!rc) rc = gan_net_add_conv2d(*d, 32 * 2, 8, 1, 3, GAN_ACT_IDENTITY); /* 15 x 15 */
    if (!rc) rc = gan_net_add_channel_maxout(*d, 2);
    if (!rc) rc = gan_net_add_maxpool(*d, 4, 2, 0);                          /* 7 x 7 */
    if (!rc) rc = gan_net_add_dropout(*d, 0.5f);
    if (!rc) rc = gan_net_add_conv2d(*d, 192 * 2, 5, 1, 3, GAN_ACT_IDENTITY); /* 9 x 9 */
    if (!rc) rc = gan_net_add_channel_maxout(*d, 2);
    if (!rc) rc = gan_net_add_maxpool(*d, 2, 2, 0);                           /* 5 x 5 */
    if (!rc) rc = gan_net_add_dropout(*d, 0.5f);
    if (!rc) rc = gan_net_add_maxout(*d, 500, 5);
    if (!rc) rc = gan_net_add_dropout(*d, 0.5f);
    if (!rc) rc = gan_net_add_dense(*d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(*d, rng, GAN_INIT_UNIFORM, 0.005f);
    gan_rng_free(rng);
    TRY("building the networks", rc);
    return GAN_OK;
}

static void print_shapes(const gan_net *net, const char *name)
{
    printf("%s:", name);
    for (size_t l = 0; l < gan_net_num_layers(net); l++) {
        gan_layer_shape s;
        gan_net_layer_shape(&s, net, l);
        printf(" %llux%llux%llu", (unsigned long long)s.out_channels,
               (unsigned long long)s.out_height, (unsigned long long)s.out_width);
    }
    printf(" (%zu parameters)\n", gan_net_num_params(net));
}

static int write_grid(gan_session *s, const float *z, double gcn, const char *dir,
                      unsigned long long it)
{
    static float images[GRID * GRID * PIXELS];
    char path[1024];
    TRY("sampling G", gan_session_sample(images, GRID * GRID, PIXELS, s, z));
    to_picture(images, GRID * GRID, gcn);
    snprintf(path, sizeof path, "%s/grid_iter%06llu.png", dir, it);
    TRY("writing a grid", gan_png_write_grid_chw(path, images, GRID, GRID, SIDE, SIDE, NULL));
    printf("wrote %s\n", path);
    return GAN_OK;
}

struct sums {
    double d_loss, g_loss, d_real, d_fake;
    unsigned n;
};

static int on_progress(const gan_stats *st, void *ud)
{
    struct sums *s = ud;
    s->d_loss += st->d_loss, s->g_loss += st->g_loss;
    s->d_real += st->d_real, s->d_fake += st->d_fake;
    s->n++;
    return 0;
}

static int run(const struct options *o, gan_dataset *data)
{
    gan_net *g = NULL, *d = NULL;
    gan_optimizer *go = NULL, *dopt = NULL;
    gan_session *s = NULL;
    float *grid_z = malloc(GRID * GRID * Z * sizeof *grid_z);
    gan_rng *grid_rng = NULL;
    int rc = grid_z ? build(&g, &d, o) : GAN_ENOMEM;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    oo.kind = GAN_OPT_SGD;
    oo.learning_rate = 0.004f;
    oo.lr_decay = 1.000004f;
    oo.lr_min = 1e-6f;
    oo.momentum = 0.5f;
    oo.momentum_final = 0.7f;
    oo.momentum_start_epoch = 1;
    oo.momentum_saturate_epoch = 250;
    if (!rc) rc = gan_optimizer_create(&go, g, &oo);
    if (!rc) rc = gan_optimizer_create(&dopt, d, &oo);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = o->batch;
    so.noise_kind = GAN_NOISE_UNIFORM;
    so.noise_scale = sqrtf(3.0f);
    so.noise_width = Z;
    so.seed = o->seed;
    so.update_order = GAN_ORDER_SIMULTANEOUS;
    so.d_loss_half = 1;
    so.threads = o->threads;
    if (!rc) rc = gan_session_create(&s, g, d, go, dopt, data, &so);
    if (!rc) rc = gan_rng_create(&grid_rng, o->seed ^ 0x6a1dull);
    if (!rc) rc = gan_rng_uniform(grid_z, GRID * GRID * Z, grid_rng, -sqrtf(3.0f), sqrtf(3.0f));
    if (rc) {
        report("setting up", rc);
        goto done;
    }
    if (o->resume != NULL) {
        if ((rc = gan_session_load(s, o->resume)) != GAN_OK) {
            report(o->resume, rc);
            fprintf(stderr, "cifar_conv: resume with the options the run was started with\n");
            goto done;
        }
        printf("resumed %s at iteration %llu\n", o->resume,
               (unsigned long long)gan_session_iteration(s));
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/last.ckpt", o->out_dir);
    print_shapes(g, "G");
    print_shapes(d, "D");
    printf("libgan %s, BLAS %s; %zu training images, batch %u, GCN %g, SGD 0.004\n",
           gan_version_string(), gan_blas_info(), gan_dataset_rows(data), o->batch, o->gcn);
    fflush(stdout);
    double total = 0;
    const uint64_t first = gan_session_iteration(s);
    while (gan_session_iteration(s) < o->iterations) {
        const uint64_t left = o->iterations - gan_session_iteration(s);
        struct sums sum = {0};
        const double t0 = now_seconds();
        rc = gan_session_train(s, left < o->log_every ? left : o->log_every, on_progress, &sum);
        const double dt = now_seconds() - t0;
        if (rc) {
            report("training", rc);
            goto done;
        }
        total += dt;
        const unsigned long long it = (unsigned long long)gan_session_iteration(s);
        /* Six decimals: with the paper's small initial weights D's output
         * starts within 1e-4 of 1/2 and moves slowly at first. */
        printf("iteration %llu: D loss %.6f  G loss %.6f  D(x) %.6f  D(G(z)) %.6f  "
               "%.0f ms/iteration\n",
               it, sum.d_loss / sum.n, sum.g_loss / sum.n, sum.d_real / sum.n, sum.d_fake / sum.n,
               1e3 * dt / sum.n);
        fflush(stdout);
        if (o->grid_every && (it % o->grid_every == 0 || it == o->iterations) &&
            (rc = write_grid(s, grid_z, o->gcn, o->out_dir, it)) != GAN_OK)
            goto done;
        if (o->save_every && it % o->save_every == 0 && it < o->iterations &&
            (rc = gan_session_save(s, path)) != GAN_OK) {
            report("saving the checkpoint", rc);
            goto done;
        }
    }
    const uint64_t ran = gan_session_iteration(s) - first;
    if (ran > 0)
        printf("%llu iterations in %.1f s: %.0f ms/iteration\n", (unsigned long long)ran, total,
               1e3 * total / (double)ran);
    if ((rc = gan_session_save(s, path)) != GAN_OK)
        report("saving the checkpoint", rc);
    else
        printf("saved %s\n", path);
done:
    gan_rng_free(grid_rng);
    free(grid_z);
    gan_session_free(s);
    gan_optimizer_free(go);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    const int prc = parse_args(&o, argc, argv);
    if (prc != 0)
        return prc > 0 ? 0 : ARGS_EXIT_USAGE;
    if (mkdir(o.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cifar_conv: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    gan_dataset *raw = NULL, *data = NULL;
    int rc = o.synthetic ? make_shapes(&raw, o.synthetic, o.seed)
                         : gan_dataset_load_cifar10(&raw, o.files, o.n_files);
    if (rc) {
        if (!o.synthetic)
            report("loading the CIFAR-10 files", rc);
        return 1;
    }
    if (o.gcn > 0.0) {
        gan_gcn_options go = GAN_GCN_OPTIONS_INIT;
        go.scale = (float)o.gcn;
        rc = gan_dataset_gcn(&data, raw, &go);
        gan_dataset_free(raw);
        if (rc)
            return report("contrast normalisation", rc), 1;
    } else
        data = raw;
    /* The training images as the grids draw samples: a check of the
     * picture mapping and of the data. */
    static float real[GRID * GRID * PIXELS];
    const size_t n = gan_dataset_rows(data) < GRID * GRID ? gan_dataset_rows(data) : GRID * GRID;
    memcpy(real, gan_dataset_data(data), n * PIXELS * sizeof *real);
    to_picture(real, n, o.gcn);
    char path[1024];
    snprintf(path, sizeof path, "%s/data.png", o.out_dir);
    if (n == GRID * GRID && gan_png_write_grid_chw(path, real, GRID, GRID, SIDE, SIDE, NULL) == 0)
        printf("wrote %s (training images)\n", path);
    rc = run(&o, data);
    gan_dataset_free(data);
    struct rusage ru;
    if (rc == GAN_OK && getrusage(RUSAGE_SELF, &ru) == 0)
        printf("peak memory (RSS) %.0f MB\n", ru.ru_maxrss / 1024.0);
    return rc == GAN_OK ? 0 : 1;
}
