/* Conditional GANs (paper §7.1, §7.3): the datasets that append a
 * condition to every row (one-hot labels, masked copies), a session with
 * cond_width > 0 (G reads [z | c], D reads [x | c]) in both update orders,
 * sampling per condition, checkpoints, and a small conditional GAN that
 * learns to put each class on its own mode. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <unistd.h>

#define MODES 4
#define ZW 4
#define BATCH 50

static gan_dataset *toy_ring(size_t rows, uint64_t seed)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    t.modes = MODES;
    t.radius = 2.0f;
    t.std = 0.05f;
    gan_dataset *ds;
    assert_int_equal(gan_dataset_create_toy(&ds, &t, rows, rng), GAN_OK);
    gan_rng_free(rng);
    return ds;
}

static void test_append_onehot_and_masked(void **state)
{
    (void)state;
    gan_dataset *src = toy_ring(20, 3), *oh, *mk;
    assert_int_equal(gan_dataset_append_onehot(&oh, src, MODES), GAN_OK);
    assert_int_equal(gan_dataset_rows(oh), 20);
    assert_int_equal(gan_dataset_cols(oh), 2 + MODES);
    const float *x = gan_dataset_data(src), *y = gan_dataset_data(oh);
    const int32_t *lx = gan_dataset_labels(src), *ly = gan_dataset_labels(oh);
    assert_non_null(ly);
    for (size_t i = 0; i < 20; i++) {
        assert_int_equal(ly[i], lx[i]);
        assert_memory_equal(y + i * (2 + MODES), x + i * 2, 2 * sizeof *x);
        for (int k = 0; k < MODES; k++)
            assert_true(y[i * (2 + MODES) + 2 + (size_t)k] == (k == lx[i] ? 1.0f : 0.0f));
    }
    const float mask[2] = {1.0f, 0.0f};
    assert_int_equal(gan_dataset_append_masked(&mk, src, mask, 2), GAN_OK);
    assert_int_equal(gan_dataset_cols(mk), 4);
    const float *z = gan_dataset_data(mk);
    for (size_t i = 0; i < 20; i++) {
        assert_true(z[i * 4] == x[i * 2] && z[i * 4 + 1] == x[i * 2 + 1]);
        assert_true(z[i * 4 + 2] == x[i * 2] && z[i * 4 + 3] == 0.0f);
    }
    gan_dataset_free(mk);
    gan_dataset_free(oh);
    gan_dataset_free(src);
}

typedef struct cgan {
    gan_dataset *data;
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_session *s;
} cgan;

/* G: [z | onehot] -> 32 relu -> 2; D: [x | onehot] -> maxout 16x2 -> 1. */
static void cgan_make(cgan *f, uint32_t order, float decay)
{
    gan_dataset *src = toy_ring(2000, 5);
    assert_int_equal(gan_dataset_append_onehot(&f->data, src, MODES), GAN_OK);
    gan_dataset_free(src);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 17), GAN_OK);
    f->g = make_mlp(ZW + MODES, 32, GAN_ACT_RELU, 2, GAN_ACT_IDENTITY);
    assert_int_equal(gan_net_init(f->g, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    f->d = make_maxout_d(2 + MODES, 16, 2, 0.0f, 0.0f);
    assert_int_equal(gan_net_init(f->d, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 5e-3f;
    o.beta1 = 0.5f;
    assert_int_equal(gan_optimizer_create(&f->gopt, f->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->dopt, f->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.noise_width = ZW;
    so.noise_kind = GAN_NOISE_NORMAL;
    so.seed = 23;
    so.threads = 1;
    so.update_order = order;
    so.cond_width = MODES;
    so.g_average_decay = decay;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so), GAN_OK);
}

static void cgan_free(cgan *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_net_free(f->g);
    gan_net_free(f->d);
    gan_dataset_free(f->data);
}

/* rows one-hot conditions of class k. */
static float *onehots(size_t rows, int k)
{
    float *c = xmalloc(rows * MODES * sizeof *c);
    memset(c, 0, rows * MODES * sizeof *c);
    for (size_t i = 0; i < rows; i++)
        c[i * MODES + (size_t)k] = 1.0f;
    return c;
}

/* The toy ring's mode nearest to (x, y): mode m sits at angle 2 pi m / MODES. */
static int nearest_mode(float x, float y)
{
    int best = 0;
    double bd = INFINITY;
    for (int m = 0; m < MODES; m++) {
        const double a = 2.0 * TEST_PI * m / MODES;
        const double dx = x - 2.0 * cos(a), dy = y - 2.0 * sin(a);
        if (dx * dx + dy * dy < bd) {
            bd = dx * dx + dy * dy;
            best = m;
        }
    }
    return best;
}

/* Each class's samples land on that class's mode: the condition reaches
 * both nets and G's gradient flows through D's [x | c] input. */
static void test_conditional_gan_learns_classes(void **state)
{
    (void)state;
    const int iterations = under_valgrind() ? 300 : 1500;
    for (uint32_t order = 0; order < 2; order++) {
        cgan f;
        cgan_make(&f, order, 0.0f);
        /* Mode m of the toy is label m: check the data agree with
         * nearest_mode, so the test below measures G, not the geometry. */
        const float *x = gan_dataset_data(f.data);
        const int32_t *lab = gan_dataset_labels(f.data);
        for (size_t i = 0; i < 50; i++)
            assert_int_equal(nearest_mode(x[i * (2 + MODES)], x[i * (2 + MODES) + 1]), lab[i]);
        assert_int_equal(gan_session_train(f.s, (uint64_t)iterations, NULL, NULL), GAN_OK);
        size_t right = 0;
        const size_t n = 200;
        float out[200 * 2];
        for (int k = 0; k < MODES; k++) {
            float *c = onehots(n, k);
            assert_int_equal(gan_session_sample_cond(out, n, 2, f.s, NULL, c, 0), GAN_OK);
            for (size_t i = 0; i < n; i++)
                right += nearest_mode(out[2 * i], out[2 * i + 1]) == k;
            free(c);
        }
        const double share = (double)right / (double)(n * MODES);
        if (share < 0.9)
            print_error("order %u: %.3f of the samples on their class's mode\n", order, share);
        assert_true(share >= 0.9);
        cgan_free(&f);
    }
}

/* Sampling per condition is G's forward on [z | c], for G and its
 * average; checkpoints of a conditional session resume bit for bit. */
static void test_sampling_and_checkpoint(void **state)
{
    const char *dir = *state;
    char path[512];
    path_join(path, sizeof path, dir, "cgan.ckpt");
    cgan a, b;
    cgan_make(&a, GAN_ORDER_SIMULTANEOUS, 0.9f);
    assert_int_equal(gan_session_train(a.s, 30, NULL, NULL), GAN_OK);
    float z[3 * ZW], in[3 * (ZW + MODES)], out[6], want[6];
    for (size_t i = 0; i < 3 * ZW; i++)
        z[i] = (float)i / 7.0f - 0.8f;
    float *c = onehots(3, 2);
    c[0 * MODES + 2] = 0.0f;
    c[0 * MODES + 1] = 1.0f; /* rows of different classes */
    for (size_t i = 0; i < 3; i++) {
        memcpy(in + i * (ZW + MODES), z + i * ZW, ZW * sizeof *z);
        memcpy(in + i * (ZW + MODES) + ZW, c + i * MODES, MODES * sizeof *c);
    }
    assert_int_equal(gan_session_sample_cond(out, 3, 2, a.s, z, c, 0), GAN_OK);
    assert_int_equal(gan_net_forward(want, 2, a.g, in, 3, ZW + MODES, 0), GAN_OK);
    assert_memory_equal(out, want, sizeof out);
    const gan_net *avg;
    assert_int_equal(gan_session_average_net(&avg, a.s), GAN_OK);
    assert_int_equal(gan_session_sample_cond(out, 3, 2, a.s, z, c, GAN_SAMPLE_AVERAGE), GAN_OK);
    assert_int_equal(gan_net_forward(want, 2, avg, in, 3, ZW + MODES, 0), GAN_OK);
    assert_memory_equal(out, want, sizeof out);
    /* An ordinary sampler has no c to give. */
    EXPECT_ERR(gan_session_sample(out, 3, 2, a.s, z), GAN_ESTATE, "gan_session_sample",
               "gan_session_sample_cond");

    assert_int_equal(gan_session_save(a.s, path), GAN_OK);
    assert_int_equal(gan_session_train(a.s, 20, NULL, NULL), GAN_OK);
    cgan_make(&b, GAN_ORDER_SIMULTANEOUS, 0.9f);
    assert_int_equal(gan_session_load(b.s, path), GAN_OK);
    assert_int_equal(gan_session_train(b.s, 20, NULL, NULL), GAN_OK);
    float *pa = net_params(a.g), *pb = net_params(b.g);
    assert_memory_equal(pa, pb, gan_net_num_params(a.g) * sizeof *pa);
    free(pa);
    free(pb);
    free(c);
    cgan_free(&b);
    cgan_free(&a);
    unlink(path);
}

/* Shapes: G must read noise_width + cond_width, D and the data G's output
 * + cond_width; each mismatch is named. */
static void test_shapes_refused(void **state)
{
    (void)state;
    cgan f;
    cgan_make(&f, GAN_ORDER_ALTERNATING, 0.0f);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_width = ZW;
    so.cond_width = MODES + 1;
    gan_session *s = NULL;
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_ESHAPE,
               "gan_session_create", "cond_width");
    so.cond_width = MODES;
    so.noise_width = ZW + 1;
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_ESHAPE,
               "gan_session_create", "noise_width");
    gan_dataset *plain = toy_ring(10, 1);
    so.noise_width = ZW;
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, plain, &so), GAN_ESHAPE,
               "gan_session_create", "data width");
    assert_null(s);
    gan_dataset_free(plain);
    cgan_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_onehot_and_masked),
        cmocka_unit_test(test_conditional_gan_learns_classes),
        TMPDIR_TEST(test_sampling_and_checkpoint),
        cmocka_unit_test(test_shapes_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
