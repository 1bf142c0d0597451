/* A session training a tiny convolutional G and D (transposed
 * convolutions, batch norm, convolution, channel maxout, max pooling):
 * a few steps run and move the parameters, and the batch norm running
 * statistics, which are not parameters, travel with checkpoints and the
 * divergence rollback (checked through inference outputs, which use
 * them). */
#define _POSIX_C_SOURCE 200809L
#include "common.h"
#include "net.h"

#include <stdio.h>
#include <unistd.h>

#define ZW 8
#define SIDE 8
#define ROWS 64
#define BATCH 16

typedef struct conv_fixture {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} conv_fixture;

static void fixture_make(conv_fixture *f, float lr)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 7), GAN_OK);
    /* Images: a bright square at a random place on a dark background. */
    float *x = xmalloc(ROWS * SIDE * SIDE * sizeof *x);
    for (size_t r = 0; r < ROWS; r++) {
        int64_t at;
        assert_int_equal(gan_rng_int(&at, rng, 0, SIDE - 3), GAN_OK);
        for (size_t i = 0; i < SIDE * SIDE; i++) {
            const size_t y = i / SIDE, xx = i % SIDE;
            x[r * SIDE * SIDE + i] =
                y >= (size_t)at && y < (size_t)at + 3 && xx >= 2 && xx < 5 ? 0.9f : 0.1f;
        }
    }
    assert_int_equal(gan_dataset_create(&f->data, x, ROWS, SIDE * SIDE), GAN_OK);
    free(x);

    assert_int_equal(gan_net_create(&f->g, ZW), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(f->g, 8, 4, 1, 0, 0, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(f->g, 0.1f, 1e-5f), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(f->g, 1, 4, 2, 1, 0, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_output_width(f->g), SIDE * SIDE);
    assert_int_equal(gan_net_init(f->g, rng, GAN_INIT_NORMAL, 0.1f), GAN_OK);

    assert_int_equal(gan_net_create(&f->d, SIDE * SIDE), GAN_OK);
    assert_int_equal(gan_net_add_reshape(f->d, 1, SIDE, SIDE), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(f->d, 8, 4, 2, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(f->d, 0.1f, 1e-5f), GAN_OK);
    assert_int_equal(gan_net_add_channel_maxout(f->d, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(f->d, 2, 2, 0), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->d, 1, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(f->d, rng, GAN_INIT_NORMAL, 0.1f), GAN_OK);
    gan_rng_free(rng);

    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = lr;
    o.momentum = 0.5f;
    o.momentum_final = 0.5f;
    assert_int_equal(gan_optimizer_create(&f->gopt, f->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->dopt, f->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.noise_width = ZW;
    so.seed = 99;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so), GAN_OK);
}

static void fixture_free(conv_fixture *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_net_free(f->g);
    gan_net_free(f->d);
    gan_dataset_free(f->data);
}

/* Both nets' parameters and their inference outputs on fixed inputs, one
 * array (malloc'ed). */
static float *fingerprint(const conv_fixture *f, size_t *n)
{
    const size_t ng = gan_net_num_params(f->g), nd = gan_net_num_params(f->d);
    const size_t rows = 4, go = 4 * SIDE * SIDE;
    *n = ng + nd + go + rows;
    float *p = xmalloc(*n * sizeof *p);
    assert_int_equal(gan_net_get_params(p, ng, f->g), GAN_OK);
    assert_int_equal(gan_net_get_params(p + ng, nd, f->d), GAN_OK);
    float *z = seeded_uniform(rows * ZW, 5, -1, 1);
    assert_int_equal(gan_net_forward(p + ng + nd, SIDE * SIDE, f->g, z, rows, ZW, 0), GAN_OK);
    assert_int_equal(gan_net_forward(p + ng + nd + go, 1, f->d, p + ng + nd, rows, SIDE * SIDE, 0),
                     GAN_OK);
    free(z);
    return p;
}

static void test_conv_gan_trains(void **state)
{
    (void)state;
    conv_fixture f;
    fixture_make(&f, 0.05f);
    size_t n;
    float *before = fingerprint(&f, &n);
    gan_stats st;
    for (int i = 0; i < 8; i++)
        assert_int_equal(gan_session_step(&st, f.s), GAN_OK);
    assert_true(isfinite(st.d_loss) && isfinite(st.g_loss));
    float *after = fingerprint(&f, &n);
    size_t changed = 0;
    for (size_t k = 0; k < n; k++) {
        assert_true(isfinite(after[k]));
        changed += after[k] != before[k];
    }
    assert_true(changed > n / 2);
    free(before);
    free(after);
    fixture_free(&f);
}

/* Train 10 = 5 + save + load + 5: parameters and inference outputs (so the
 * running statistics too) are bit-identical to an uninterrupted run. */
static void test_conv_resume_is_bit_identical(void **state)
{
    const char *dir = *state;
    char path[512];
    path_join(path, sizeof path, dir, "conv.ckpt");
    conv_fixture a, b, c;
    fixture_make(&a, 0.05f);
    assert_int_equal(gan_session_train(a.s, 10, NULL, NULL), GAN_OK);
    fixture_make(&b, 0.05f);
    assert_int_equal(gan_session_train(b.s, 5, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_save(b.s, path), GAN_OK);
    fixture_free(&b);
    fixture_make(&c, 0.05f);
    /* Some training before the load, so stale running statistics would
     * show. */
    assert_int_equal(gan_session_train(c.s, 2, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_load(c.s, path), GAN_OK);
    assert_int_equal(gan_session_train(c.s, 5, NULL, NULL), GAN_OK);
    size_t na, nc;
    float *pa = fingerprint(&a, &na), *pc = fingerprint(&c, &nc);
    assert_int_equal(na, nc);
    assert_memory_equal(pa, pc, na * sizeof *pa);
    free(pa);
    free(pc);
    fixture_free(&a);
    fixture_free(&c);
    unlink(path);
}

/* A learning rate far too large blows training up; the rollback replays
 * from the last snapshot, so parameters and running statistics (and with
 * them the inference outputs) must be those of a run stopped at the last
 * good iteration. Without the statistics in the snapshot, the replayed
 * steps would move them a second time. */
static void test_conv_divergence_restores_running_statistics(void **state)
{
    (void)state;
    conv_fixture a;
    fixture_make(&a, 1e12f);
    int rc = GAN_OK;
    uint64_t steps = 0;
    while (rc == GAN_OK && steps < 200) {
        rc = gan_session_step(NULL, a.s);
        steps++;
    }
    assert_int_equal(rc, GAN_EDIVERGED);
    const uint64_t good = gan_session_iteration(a.s);
    assert_int_equal(good, steps - 1);
    assert_true(good >= 1);
    conv_fixture b;
    fixture_make(&b, 1e12f);
    assert_int_equal(gan_session_train(b.s, good, NULL, NULL), GAN_OK);
    size_t na, nb;
    float *pa = fingerprint(&a, &na), *pb = fingerprint(&b, &nb);
    assert_memory_equal(pa, pb, na * sizeof *pa);
    free(pa);
    free(pb);
    fixture_free(&a);
    fixture_free(&b);
}

/* The moving average of a G with batch normalisation averages its running
 * statistics too (read through the net's private state array), so the
 * averaged net's inference uses averaged statistics, not stale ones. */
static void test_average_of_batchnorm_g(void **state)
{
    (void)state;
    conv_fixture f;
    fixture_make(&f, 0.05f);
    gan_session_free(f.s);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.noise_width = ZW;
    so.seed = 99;
    so.g_average_decay = 0.5f;
    assert_int_equal(gan_session_create(&f.s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_OK);
    const gan_net *avg;
    assert_int_equal(gan_session_average_net(&avg, f.s), GAN_OK);
    const size_t n = gan__net_state_size(f.g);
    assert_true(n > 0);
    assert_int_equal(gan__net_state_size((gan_net *)avg), n);
    float *a0 = xmalloc(n * sizeof *a0);
    memcpy(a0, gan__net_state_array((gan_net *)avg), n * sizeof *a0);
    assert_memory_equal(a0, gan__net_state_array(f.g), n * sizeof *a0);
    assert_int_equal(gan_session_step(NULL, f.s), GAN_OK);
    const float *g1 = gan__net_state_array(f.g), *a1 = gan__net_state_array((gan_net *)avg);
    size_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fabsf(a1[i] - (0.5f * a0[i] + 0.5f * g1[i])) <= 1e-6f * (1.0f + fabsf(g1[i])));
        moved += g1[i] != a0[i];
    }
    assert_true(moved > 0);
    free(a0);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_gan_trains),
        TMPDIR_TEST(test_conv_resume_is_bit_identical),
        cmocka_unit_test(test_conv_divergence_restores_running_statistics),
        cmocka_unit_test(test_average_of_batchnorm_g),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
