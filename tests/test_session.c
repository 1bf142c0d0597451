/* gan_session: Algorithm 1 bookkeeping (k D steps per G step, epochs),
 * determinism, checkpoint/resume bit-identity, corrupted checkpoints,
 * divergence rollback, callbacks and sampling. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"
#include "serial.h"

#include <stdio.h>
#include <unistd.h>

#define ZW 4
#define ROWS 1000
#define BATCH 50

/* A small GAN on the 8-Gaussian ring, with dropout in D like the paper. */
typedef struct gan_fixture {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} gan_fixture;

/* The fixture with a moving average of G (decay; 0: off) and D's target
 * on real rows. */
static void fixture_make_recipe(gan_fixture *f, uint32_t order, uint32_t k, float lr, float decay,
                                float real_label)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 99), GAN_OK);
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    assert_int_equal(gan_dataset_create_toy(&f->data, &t, ROWS, rng), GAN_OK);
    f->g = make_mlp(ZW, 16, GAN_ACT_RELU, 2, GAN_ACT_IDENTITY);
    assert_int_equal(gan_net_init(f->g, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    f->d = make_maxout_d(2, 8, 3, 0.8f, 0.5f);
    assert_int_equal(gan_net_init(f->d, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = lr;
    o.lr_decay = 1.0001f;
    o.momentum = 0.5f;
    o.momentum_final = 0.7f;
    o.momentum_start_epoch = 1;
    o.momentum_saturate_epoch = 5;
    assert_int_equal(gan_optimizer_create(&f->gopt, f->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->dopt, f->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.k = k;
    so.noise_width = ZW;
    so.seed = 1234;
    so.update_order = order;
    so.d_loss_half = 1;
    so.g_average_decay = decay;
    so.real_label = real_label;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so), GAN_OK);
}

static void fixture_make(gan_fixture *f, uint32_t order, uint32_t k, float lr)
{
    fixture_make_recipe(f, order, k, lr, 0.0f, 1.0f);
}

static void fixture_free(gan_fixture *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_net_free(f->g);
    gan_net_free(f->d);
    gan_dataset_free(f->data);
}

/* Both nets' parameters, concatenated (malloc'ed). */
static float *params_of(const gan_fixture *f, size_t *n)
{
    const size_t ng = gan_net_num_params(f->g), nd = gan_net_num_params(f->d);
    float *p = xmalloc((ng + nd) * sizeof *p);
    gan_net_get_params(p, ng, f->g);
    gan_net_get_params(p + ng, nd, f->d);
    *n = ng + nd;
    return p;
}

static void test_k_steps_and_epochs(void **state)
{
    (void)state;
    for (uint32_t k = 1; k <= 3; k += 2) {
        gan_fixture f;
        fixture_make(&f, GAN_ORDER_ALTERNATING, k, 0.05f);
        assert_int_equal(gan_session_train(f.s, 7, NULL, NULL), GAN_OK);
        assert_int_equal(gan_optimizer_steps(f.dopt), 7 * k);
        assert_int_equal(gan_optimizer_steps(f.gopt), 7);
        assert_int_equal(gan_session_iteration(f.s), 7);
        fixture_free(&f);
    }
    /* One epoch = ROWS / BATCH D minibatches. */
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 2, 0.05f);
    assert_int_equal(gan_session_train_epochs(f.s, 2, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_epoch(f.s), 2);
    assert_int_equal(gan_optimizer_steps(f.dopt), 2 * ROWS / BATCH);
    assert_int_equal(gan_session_iteration(f.s), ROWS / BATCH);
    fixture_free(&f);
    fixture_make(&f, GAN_ORDER_SIMULTANEOUS, 1, 0.05f);
    assert_int_equal(gan_session_train_epochs(f.s, 1, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_iteration(f.s), ROWS / BATCH);
    assert_int_equal(gan_optimizer_steps(f.dopt), ROWS / BATCH);
    assert_int_equal(gan_optimizer_steps(f.gopt), ROWS / BATCH);
    fixture_free(&f);
}

struct seen {
    uint64_t calls, last_iteration, last_epoch, stop_at;
    float first_momentum, last_momentum;
    int finite;
};

static int on_progress(const gan_stats *st, void *ud)
{
    struct seen *s = ud;
    if (s->calls == 0)
        s->first_momentum = st->momentum;
    s->calls++;
    s->last_iteration = st->iteration;
    s->last_epoch = st->epoch;
    s->last_momentum = st->momentum;
    s->finite &= isfinite(st->d_loss) && isfinite(st->g_loss) && st->d_real > 0 &&
                 st->d_real < 1 && st->d_fake > 0 && st->d_fake < 1 && st->learning_rate > 0;
    return s->stop_at != 0 && st->iteration == s->stop_at;
}

static void test_progress_and_schedule(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    struct seen s = {0};
    s.finite = 1;
    /* 5 epochs: momentum ramps 0.5 -> 0.7 over epochs 1..5. */
    assert_int_equal(gan_session_train_epochs(f.s, 5, on_progress, &s), GAN_OK);
    assert_int_equal(s.calls, 5 * ROWS / BATCH);
    assert_int_equal(s.last_iteration, 5 * ROWS / BATCH);
    assert_int_equal(s.last_epoch, 5);
    assert_true(s.finite);
    assert_true(fabsf(s.first_momentum - 0.5f) < 1e-6f);
    assert_true(fabsf(s.last_momentum - 0.7f) < 1e-6f);
    /* A nonzero return stops cleanly. */
    s.stop_at = gan_session_iteration(f.s) + 3;
    assert_int_equal(gan_session_train(f.s, 100, on_progress, &s), GAN_EABORTED);
    assert_int_equal(gan_session_iteration(f.s), s.stop_at);
    fixture_free(&f);
}

static void test_determinism(void **state)
{
    (void)state;
    for (uint32_t order = 0; order < 2; order++) {
        gan_fixture a, b;
        fixture_make(&a, order, 1, 0.05f);
        fixture_make(&b, order, 1, 0.05f);
        assert_int_equal(gan_session_train(a.s, 45, NULL, NULL), GAN_OK);
        assert_int_equal(gan_session_train(b.s, 45, NULL, NULL), GAN_OK);
        size_t na, nb;
        float *pa = params_of(&a, &na), *pb = params_of(&b, &nb);
        assert_int_equal(na, nb);
        assert_memory_equal(pa, pb, na * sizeof *pa);
        free(pa);
        free(pb);
        fixture_free(&a);
        fixture_free(&b);
    }
}

/* Nets wide enough that the element-wise loops and the optimizer run on
 * the session's thread pool: results must not depend on the thread count. */
static void test_threads_do_not_change_results(void **state)
{
    (void)state;
    float *result[2] = {NULL, NULL};
    size_t n = 0;
    for (int t = 0; t < 2; t++) {
        gan_rng *rng;
        assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
        gan_toy_options to = GAN_TOY_OPTIONS_INIT;
        gan_fixture f;
        assert_int_equal(gan_dataset_create_toy(&f.data, &to, 400, rng), GAN_OK);
        assert_int_equal(gan_net_create(&f.g, ZW), GAN_OK);
        assert_int_equal(gan_net_add_dense(f.g, 512, GAN_ACT_RELU), GAN_OK);
        assert_int_equal(gan_net_add_dense(f.g, 512, GAN_ACT_TANH), GAN_OK);
        assert_int_equal(gan_net_add_dense(f.g, 2, GAN_ACT_IDENTITY), GAN_OK);
        assert_int_equal(gan_net_init(f.g, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
        assert_int_equal(gan_net_create(&f.d, 2), GAN_OK);
        assert_int_equal(gan_net_add_maxout(f.d, 256, 3), GAN_OK);
        assert_int_equal(gan_net_add_dropout(f.d, 0.5f), GAN_OK);
        assert_int_equal(gan_net_add_dense(f.d, 1, GAN_ACT_SIGMOID), GAN_OK);
        assert_int_equal(gan_net_init(f.d, rng, GAN_INIT_UNIFORM, 0.05f), GAN_OK);
        gan_rng_free(rng);
        gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
        o.learning_rate = 0.01f;
        assert_int_equal(gan_optimizer_create(&f.gopt, f.g, &o), GAN_OK);
        o.kind = GAN_OPT_ADAM;
        assert_int_equal(gan_optimizer_create(&f.dopt, f.d, &o), GAN_OK);
        gan_session_options so = GAN_SESSION_OPTIONS_INIT;
        so.batch_size = 200;
        so.noise_width = ZW;
        so.threads = t == 0 ? 1 : 3;
        assert_int_equal(gan_session_create(&f.s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_OK);
        assert_int_equal(gan_session_train(f.s, 6, NULL, NULL), GAN_OK);
        result[t] = params_of(&f, &n);
        fixture_free(&f);
    }
    assert_memory_equal(result[0], result[1], n * sizeof(float));
    free(result[0]);
    free(result[1]);
}

/* Train 30 + 25 iterations with a save/load in between (into fresh
 * objects) = 55 iterations straight, bit for bit. */
static void test_resume_is_bit_identical(void **state)
{
    const char *dir = *state;
    char path[512];
    path_join(path, sizeof path, dir, "ckpt.gan");
    for (uint32_t order = 0; order < 2; order++) {
        gan_fixture a, b, c;
        fixture_make(&a, order, 1, 0.05f);
        assert_int_equal(gan_session_train(a.s, 55, NULL, NULL), GAN_OK);

        fixture_make(&b, order, 1, 0.05f);
        assert_int_equal(gan_session_train(b.s, 30, NULL, NULL), GAN_OK);
        assert_int_equal(gan_session_save(b.s, path), GAN_OK);
        /* Saving again over the same file works and leaves nothing else. */
        assert_int_equal(gan_session_save(b.s, path), GAN_OK);
        assert_int_equal(dir_count_entries(dir), 1);
        fixture_free(&b);

        fixture_make(&c, order, 1, 0.05f);
        assert_int_equal(gan_session_load(c.s, path), GAN_OK);
        assert_int_equal(gan_session_iteration(c.s), 30);
        assert_int_equal(gan_session_train(c.s, 25, NULL, NULL), GAN_OK);
        assert_int_equal(gan_session_epoch(c.s), gan_session_epoch(a.s));
        assert_int_equal(gan_optimizer_steps(c.dopt), gan_optimizer_steps(a.dopt));

        size_t na, nc;
        float *pa = params_of(&a, &na), *pc = params_of(&c, &nc);
        assert_memory_equal(pa, pc, na * sizeof *pa);
        free(pa);
        free(pc);
        fixture_free(&a);
        fixture_free(&c);
    }
    unlink(path);
    assert_int_equal(dir_count_entries(dir), 0);
}

static void test_bad_checkpoints(void **state)
{
    const char *dir = *state;
    char path[512], bad[512];
    path_join(path, sizeof path, dir, "good.gan");
    path_join(bad, sizeof bad, dir, "bad.gan");
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    assert_int_equal(gan_session_train(f.s, 10, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_save(f.s, path), GAN_OK);
    assert_int_equal(gan_session_train(f.s, 5, NULL, NULL), GAN_OK);
    size_t n0;
    float *p0 = params_of(&f, &n0);

    size_t len;
    unsigned char *buf = read_file(path, &len);
    /* Flipped bytes at several places, and truncations. */
    const size_t flips[] = {0, 9, 30, len / 2, len - 5, len - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        buf[flips[i]] ^= 0x40;
        write_file(bad, buf, len);
        buf[flips[i]] ^= 0x40;
        assert_int_equal(gan_session_load(f.s, bad), GAN_EFORMAT);
    }
    const size_t cuts[] = {0, 7, 20, len / 3, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_file(bad, buf, cuts[i]);
        assert_int_equal(gan_session_load(f.s, bad), GAN_EFORMAT);
    }
    assert_int_equal(gan_session_load(f.s, dir), GAN_EIO);
    path_join(bad, sizeof bad, dir, "missing.gan");
    assert_int_equal(gan_session_load(f.s, bad), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), "missing.gan"));
    /* A net file is not a checkpoint. */
    path_join(bad, sizeof bad, dir, "net.gan");
    assert_int_equal(gan_net_save(f.g, bad), GAN_OK);
    assert_int_equal(gan_session_load(f.s, bad), GAN_EFORMAT);
    unlink(bad);

    /* Nothing above changed the session. */
    size_t n1;
    float *p1 = params_of(&f, &n1);
    assert_memory_equal(p0, p1, n0 * sizeof *p0);
    assert_int_equal(gan_session_iteration(f.s), 15);
    free(p1);

    /* A checkpoint of a session with other options or nets is refused, and
     * the session is left as it was. */
    gan_fixture o;
    fixture_make(&o, GAN_ORDER_SIMULTANEOUS, 1, 0.05f);
    assert_int_equal(gan_session_load(o.s, path), GAN_ESHAPE);
    assert_non_null(strstr(gan_error_last(), "session option update_order = 0, this session has 1"));
    assert_int_equal(gan_session_iteration(o.s), 0);
    fixture_free(&o);

    free(p0);
    free(buf);
    fixture_free(&f);
    path_join(bad, sizeof bad, dir, "bad.gan");
    unlink(bad);
    unlink(path);
    assert_int_equal(dir_count_entries(dir), 0);
}

/* The optimizer states, concatenated (malloc'ed). */
static unsigned char *opt_states_of(const gan_fixture *f, size_t *n)
{
    const size_t ng = gan_optimizer_state_size(f->gopt), nd = gan_optimizer_state_size(f->dopt);
    unsigned char *b = xmalloc(ng + nd);
    assert_int_equal(gan_optimizer_get_state(b, ng, f->gopt), GAN_OK);
    assert_int_equal(gan_optimizer_get_state(b + ng, nd, f->dopt), GAN_OK);
    *n = ng + nd;
    return b;
}

/* A checkpoint whose every checksum is right but whose D optimizer state
 * (the last part) holds NaN is refused before anything is applied: nets,
 * optimizers and iteration stay as they were, and training goes on. */
static void test_poisoned_checkpoint(void **state)
{
    const char *dir = *state;
    char path[512];
    path_join(path, sizeof path, dir, "poisoned.gan");
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_SIMULTANEOUS, 1, 0.05f);
    assert_int_equal(gan_session_train(f.s, 10, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_save(f.s, path), GAN_OK);
    assert_int_equal(gan_session_train(f.s, 7, NULL, NULL), GAN_OK);
    size_t len, np0, ns0;
    unsigned char *buf = read_file(path, &len);
    /* File: ... | D optimizer blob | file CRC; the blob ends with its last
     * velocity and its own CRC. */
    const size_t blob = gan_optimizer_state_size(f.dopt);
    const size_t blob_at = len - 4 - blob;
    put_f32_at(buf, blob_at + blob - 8, NAN);
    reseal_container(buf + blob_at, blob);
    reseal_container(buf, len);
    write_file(path, buf, len);
    float *p0 = params_of(&f, &np0);
    unsigned char *s0 = opt_states_of(&f, &ns0);
    EXPECT_ERR(gan_session_load(f.s, path), GAN_EFORMAT, "poisoned.gan", "D's optimizer");
    assert_non_null(strstr(gan_error_last(), "NaN"));
    size_t np1, ns1;
    float *p1 = params_of(&f, &np1);
    unsigned char *s1 = opt_states_of(&f, &ns1);
    assert_memory_equal(p0, p1, np0 * sizeof *p0);
    assert_memory_equal(s0, s1, ns0);
    assert_int_equal(gan_session_iteration(f.s), 17);
    assert_int_equal(gan_session_train(f.s, 3, NULL, NULL), GAN_OK);
    free(p0);
    free(p1);
    free(s0);
    free(s1);
    free(buf);
    fixture_free(&f);
    unlink(path);
    assert_int_equal(dir_count_entries(dir), 0);
}

/* The session borrows its nets: a layer added to G after creation changes
 * G's output width, and the next step reports it instead of reading past
 * G's output. */
static void test_nets_changed_after_create(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    assert_int_equal(gan_session_train(f.s, 2, NULL, NULL), GAN_OK);
    const size_t nd = gan_net_num_params(f.d);
    float *d0 = xmalloc(nd * sizeof *d0), *d1 = xmalloc(nd * sizeof *d1);
    assert_int_equal(gan_net_get_params(d0, nd, f.d), GAN_OK);
    assert_int_equal(gan_net_add_dense(f.g, 1, GAN_ACT_IDENTITY), GAN_OK);
    EXPECT_ERR(gan_session_step(NULL, f.s), GAN_ESHAPE, "gan_session_step", "width");
    assert_int_equal(gan_session_iteration(f.s), 2);
    /* D was not trained on whatever lay past G's one-column output. */
    assert_int_equal(gan_net_get_params(d1, nd, f.d), GAN_OK);
    assert_memory_equal(d0, d1, nd * sizeof *d0);
    free(d0);
    free(d1);
    fixture_free(&f);
}

/* A NaN injected into a parameter is detected; the session goes back to
 * its last good iteration and can go on training. */
static void test_nan_injection_rolls_back(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    assert_int_equal(gan_session_train(f.s, 12, NULL, NULL), GAN_OK);
    size_t n;
    float *good = params_of(&f, &n);
    const size_t ng = gan_net_num_params(f.g);
    float *p = malloc(ng * sizeof *p);
    memcpy(p, good, ng * sizeof *p);
    p[3] = NAN;
    gan_net_set_params(f.g, p, ng);
    assert_int_equal(gan_session_step(NULL, f.s), GAN_EDIVERGED);
    assert_int_equal(gan_session_iteration(f.s), 12);
    float *after = params_of(&f, &n);
    assert_memory_equal(good, after, n * sizeof *good);
    assert_int_equal(gan_session_train(f.s, 3, NULL, NULL), GAN_OK);
    free(after);
    free(p);
    free(good);
    fixture_free(&f);
}

/* A learning rate far too large blows training up; the session stops
 * with GAN_EDIVERGED holding exactly the parameters of the last good
 * iteration (checked against a run stopped there). */
static void test_divergence_restores_last_good(void **state)
{
    (void)state;
    gan_fixture a;
    fixture_make(&a, GAN_ORDER_ALTERNATING, 1, 1e19f);
    int rc = GAN_OK;
    uint64_t steps = 0;
    while (rc == GAN_OK && steps < 200) {
        rc = gan_session_step(NULL, a.s);
        steps++;
    }
    assert_int_equal(rc, GAN_EDIVERGED);
    const uint64_t good = gan_session_iteration(a.s);
    assert_int_equal(good, steps - 1);
    gan_fixture b;
    fixture_make(&b, GAN_ORDER_ALTERNATING, 1, 1e19f);
    assert_int_equal(gan_session_train(b.s, good, NULL, NULL), GAN_OK);
    size_t na, nb;
    float *pa = params_of(&a, &na), *pb = params_of(&b, &nb);
    assert_memory_equal(pa, pb, na * sizeof *pa);
    free(pa);
    free(pb);
    fixture_free(&a);
    fixture_free(&b);
}

static void test_sampling(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    float z[8 * ZW], x1[8 * 2], x2[8 * 2];
    assert_int_equal(gan_session_noise(z, 8, ZW, f.s), GAN_OK);
    for (int i = 0; i < 8 * ZW; i++)
        assert_true(z[i] >= -1.0f && z[i] < 1.0f);
    assert_int_equal(gan_session_sample(x1, 8, 2, f.s, z), GAN_OK);
    assert_int_equal(gan_net_forward(x2, 2, f.g, z, 8, ZW, 0), GAN_OK);
    assert_memory_equal(x1, x2, sizeof x1);
    assert_int_equal(gan_session_sample(x1, 8, 2, f.s, NULL), GAN_OK);
    assert_int_equal(gan_session_sample(x1, 8, 3, f.s, NULL), GAN_ESHAPE);
    assert_int_equal(gan_session_noise(z, 8, ZW + 1, f.s), GAN_ESHAPE);
    assert_int_equal(gan_session_sample(x1, 0, 2, f.s, NULL), GAN_EINVAL);
    fixture_free(&f);
}

/* avg = decay * avg + (1 - decay) * G after every iteration, from G at
 * creation; sampled and read through the API. */
static void test_average_of_g(void **state)
{
    (void)state;
    for (uint32_t order = 0; order < 2; order++) {
        gan_fixture f;
        fixture_make_recipe(&f, order, 1, 0.05f, 0.9f, 1.0f);
        const gan_net *avg = NULL;
        assert_int_equal(gan_session_average_net(&avg, f.s), GAN_OK);
        assert_non_null(avg);
        const size_t n = gan_net_num_params(f.g);
        assert_int_equal(gan_net_num_params(avg), n);
        float *a = net_params(avg), *g = net_params(f.g);
        assert_memory_equal(a, g, n * sizeof *a);
        for (int it = 0; it < 3; it++) {
            assert_int_equal(gan_session_step(NULL, f.s), GAN_OK);
            float *g1 = net_params(f.g), *a1 = net_params(avg);
            size_t moved = 0;
            for (size_t i = 0; i < n; i++) {
                const float want = 0.9f * a[i] + 0.1f * g1[i];
                assert_true(fabsf(a1[i] - want) <= 1e-6f * (1.0f + fabsf(want)));
                moved += g1[i] != g[i];
            }
            assert_true(moved > n / 2); /* G did move: the check means something */
            free(a);
            free(g);
            a = a1;
            g = g1;
        }
        /* Sampling the average is G's forward with the averaged weights. */
        float z[5 * ZW], x[5 * 2], want[5 * 2], plain[5 * 2];
        for (size_t i = 0; i < sizeof z / sizeof *z; i++)
            z[i] = (float)i / 10.0f - 0.9f;
        assert_int_equal(gan_session_sample_average(x, 5, 2, f.s, z), GAN_OK);
        assert_int_equal(gan_net_forward(want, 2, avg, z, 5, ZW, 0), GAN_OK);
        assert_memory_equal(x, want, sizeof x);
        assert_int_equal(gan_session_sample(plain, 5, 2, f.s, z), GAN_OK);
        assert_memory_not_equal(x, plain, sizeof x);
        assert_int_equal(gan_session_sample_average(x, 5, 2, f.s, NULL), GAN_OK);
        assert_int_equal(gan_session_sample_average(x, 5, 3, f.s, z), GAN_ESHAPE);
        free(a);
        free(g);
        fixture_free(&f);
    }
    /* Off by default: no average to read or sample. */
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    const gan_net *avg = (const gan_net *)&f; /* must be reset to NULL */
    assert_int_equal(gan_session_average_net(&avg, f.s), GAN_ESTATE);
    assert_null(avg);
    assert_non_null(strstr(gan_error_last(), "g_average_decay"));
    float x[2];
    assert_int_equal(gan_session_sample_average(x, 1, 2, f.s, NULL), GAN_ESTATE);
    fixture_free(&f);
}

/* G's layers changed under a session that keeps its average, with the
 * parameter count unchanged (gan_net_truncate, then other layers): the
 * next step is refused rather than blending arrays of another layout. */
static void test_average_layout_changed(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make_recipe(&f, GAN_ORDER_ALTERNATING, 1, 0.05f, 0.9f, 1.0f);
    assert_int_equal(gan_session_step(NULL, f.s), GAN_OK);
    const size_t n = gan_net_num_params(f.g);
    assert_int_equal(gan_net_truncate(f.g, 1), GAN_OK); /* dense 16 ReLU */
    assert_int_equal(gan_net_add_dropout(f.g, 1.0f), GAN_OK);
    assert_int_equal(gan_net_add_dense(f.g, 2, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_num_params(f.g), n);
    EXPECT_ERR(gan_session_step(NULL, f.s), GAN_ESTATE, "gan_session_step", "average");
    fixture_free(&f);
}

/* The average is part of the checkpoint: a resumed run continues it
 * bit for bit; a session with other averaging or smoothing options refuses
 * the file naming the option. */
static void test_average_in_checkpoint(void **state)
{
    const char *dir = *state;
    char path[512];
    path_join(path, sizeof path, dir, "avg.gan");
    gan_fixture a, b;
    fixture_make_recipe(&a, GAN_ORDER_SIMULTANEOUS, 1, 0.05f, 0.99f, 0.9f);
    assert_int_equal(gan_session_train(a.s, 20, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_save(a.s, path), GAN_OK);
    assert_int_equal(gan_session_train(a.s, 7, NULL, NULL), GAN_OK);
    const gan_net *avg_a, *avg_b;
    assert_int_equal(gan_session_average_net(&avg_a, a.s), GAN_OK);

    fixture_make_recipe(&b, GAN_ORDER_SIMULTANEOUS, 1, 0.05f, 0.99f, 0.9f);
    assert_int_equal(gan_session_load(b.s, path), GAN_OK);
    assert_int_equal(gan_session_train(b.s, 7, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_average_net(&avg_b, b.s), GAN_OK);
    float *pa = net_params(avg_a), *pb = net_params(avg_b);
    assert_memory_equal(pa, pb, gan_net_num_params(avg_a) * sizeof *pa);
    free(pa);
    free(pb);
    fixture_free(&b);

    const float other[3][2] = {{0.0f, 0.9f}, {0.98f, 0.9f}, {0.99f, 1.0f}};
    const char *named[3] = {"g_average_decay", "g_average_decay", "real_label"};
    for (int i = 0; i < 3; i++) {
        fixture_make_recipe(&b, GAN_ORDER_SIMULTANEOUS, 1, 0.05f, other[i][0], other[i][1]);
        assert_int_equal(gan_session_load(b.s, path), GAN_ESHAPE);
        assert_non_null(strstr(gan_error_last(), named[i]));
        assert_int_equal(gan_session_iteration(b.s), 0);
        fixture_free(&b);
    }
    fixture_free(&a);
    unlink(path);
}

/* path holds the checkpoint of path3 (format 4) rewritten in an older
 * format: without the options that follow the first nine (40 bytes), 16
 * bytes of them for format 1 (g_average_decay, real_label, cond_width,
 * d_r1_gamma), 8 for format 2 (cond_width, d_r1_gamma), 4 for format 3
 * (d_r1_gamma). */
static void write_older_checkpoint(const char *path, const char *path3, uint32_t format)
{
    size_t len;
    unsigned char *file = read_file(path3, &len);
    gan__reader r;
    uint32_t version;
    static const char magic[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\1'};
    assert_int_equal(gan__container_open(&r, &version, file, len, magic, "v4"), GAN_OK);
    assert_int_equal(version, 4);
    const uint8_t *pl = r.data + r.pos;
    const size_t plen = gan__reader_left(&r);
    const size_t keep = format == 1 ? 40 : format == 2 ? 48 : 52;
    const size_t drop = format == 1 ? 16 : format == 2 ? 8 : 4;
    uint8_t *old = xmalloc(plen - drop);
    memcpy(old, pl, keep);
    memcpy(old + keep, pl + keep + drop, plen - keep - drop);
    gan__writer w;
    gan__writer_init(&w);
    gan__container_build(&w, magic, format, old, plen - drop);
    assert_false(w.failed);
    write_file(path, w.data, w.len);
    gan__writer_free(&w);
    free(old);
    free(file);
}

/* Checkpoints of formats 1 (before the average and label smoothing), 2
 * (before conditional GANs) and 3 (before the R1 penalty) still load, as sessions with the defaults of
 * the options they lack, and training goes on as from the current file. */
static void test_older_checkpoints_load(void **state)
{
    const char *dir = *state;
    char p3[512], p[512];
    path_join(p3, sizeof p3, dir, "v3.gan");
    path_join(p, sizeof p, dir, "old.gan");
    for (uint32_t format = 1; format <= 3; format++) {
        gan_fixture a, b, c;
        /* Formats 2 and 3 can hold an average; format 1 cannot. */
        const float decay = format >= 2 ? 0.5f : 0.0f;
        fixture_make_recipe(&a, GAN_ORDER_ALTERNATING, 1, 0.05f, decay, 1.0f);
        assert_int_equal(gan_session_train(a.s, 12, NULL, NULL), GAN_OK);
        assert_int_equal(gan_session_save(a.s, p3), GAN_OK);
        write_older_checkpoint(p, p3, format);

        fixture_make_recipe(&b, GAN_ORDER_ALTERNATING, 1, 0.05f, decay, 1.0f);
        assert_int_equal(gan_session_load(b.s, p), GAN_OK);
        fixture_make_recipe(&c, GAN_ORDER_ALTERNATING, 1, 0.05f, decay, 1.0f);
        assert_int_equal(gan_session_load(c.s, p3), GAN_OK);
        assert_int_equal(gan_session_train(b.s, 5, NULL, NULL), GAN_OK);
        assert_int_equal(gan_session_train(c.s, 5, NULL, NULL), GAN_OK);
        size_t nb, nc;
        float *pb = params_of(&b, &nb), *pc = params_of(&c, &nc);
        assert_memory_equal(pb, pc, nb * sizeof *pb);
        free(pb);
        free(pc);
        fixture_free(&b);
        fixture_free(&c);
        /* Options the file lacks are the defaults: a session with another
         * value refuses it, naming the option. */
        if (format == 1)
            fixture_make_recipe(&b, GAN_ORDER_ALTERNATING, 1, 0.05f, 0.5f, 1.0f);
        else
            fixture_make_recipe(&b, GAN_ORDER_ALTERNATING, 1, 0.05f, decay, 0.9f);
        assert_int_equal(gan_session_load(b.s, p), GAN_ESHAPE);
        assert_non_null(strstr(gan_error_last(), format == 1 ? "g_average_decay" : "real_label"));
        fixture_free(&b);
        fixture_free(&a);
    }
    unlink(p);
    unlink(p3);
}

/* real_label reaches D's step (1 is the paper's loss, bit for bit), and
 * bad values of both new options are refused naming them. */
static void test_label_smoothing_and_checks(void **state)
{
    (void)state;
    for (uint32_t order = 0; order < 2; order++) {
        gan_fixture plain, one, smooth;
        fixture_make(&plain, order, 1, 0.05f);
        fixture_make_recipe(&one, order, 1, 0.05f, 0.0f, 1.0f);
        fixture_make_recipe(&smooth, order, 1, 0.05f, 0.0f, 0.9f);
        gan_stats s1, s2;
        assert_int_equal(gan_session_step(&s1, one.s), GAN_OK);
        assert_int_equal(gan_session_step(NULL, plain.s), GAN_OK);
        assert_int_equal(gan_session_step(&s2, smooth.s), GAN_OK);
        /* Same logits in the first step; the smoothed loss adds
         * (1 - t) (softplus(a) - softplus(-a)) = 0.1 a on real rows, so
         * the losses differ while D(x) is the same. */
        assert_true(fabs(s1.d_real - s2.d_real) < 1e-12);
        assert_true(fabs(s1.d_loss - s2.d_loss) > 1e-6);
        const size_t nd = gan_net_num_params(one.d);
        float *d1 = net_params(one.d), *d0 = net_params(plain.d),
              *d2 = net_params(smooth.d);
        assert_memory_equal(d0, d1, nd * sizeof *d0);
        assert_memory_not_equal(d1, d2, nd * sizeof *d1);
        free(d0);
        free(d1);
        free(d2);
        fixture_free(&plain);
        fixture_free(&one);
        fixture_free(&smooth);
    }
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_width = ZW;
    gan_session *s = NULL;
    const float bad_decay[] = {1.0f, -0.1f, NAN, 2.0f};
    for (size_t i = 0; i < sizeof bad_decay / sizeof *bad_decay; i++) {
        so.g_average_decay = bad_decay[i];
        EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL,
                   "gan_session_create", "g_average_decay");
    }
    so.g_average_decay = 0.0f;
    const float bad_label[] = {0.49f, 1.01f, NAN, 0.0f};
    for (size_t i = 0; i < sizeof bad_label / sizeof *bad_label; i++) {
        so.real_label = bad_label[i];
        EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL,
                   "gan_session_create", "real_label");
    }
    assert_null(s);
    fixture_free(&f);
}

/* A caller built against version 1 of gan_session_options passes the
 * shorter struct: init writes only its fields, create reads only them. */
static void test_options_version_1(void **state)
{
    (void)state;
    const size_t v1 = offsetof(gan_session_options, g_average_decay);
    unsigned char buf[sizeof(gan_session_options) + 8];
    memset(buf, 0xAB, sizeof buf);
    gan_session_options *o = (gan_session_options *)(void *)buf;
    assert_int_equal(gan_session_options_init(o, 1), GAN_OK);
    assert_int_equal(o->version, 1);
    assert_int_equal(o->batch_size, 100);
    for (size_t i = v1; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xAB);
    /* The bytes past the v1 fields (0xAB: an invalid decay) are ignored. */
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    o->noise_width = ZW;
    gan_session *s = NULL;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, o), GAN_OK);
    const gan_net *avg;
    assert_int_equal(gan_session_average_net(&avg, s), GAN_ESTATE);
    assert_int_equal(gan_session_step(NULL, s), GAN_OK);
    gan_session_free(s);
    o->version = 4;
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, o), GAN_EUNSUPPORTED,
               "gan_session_create", "version");
    fixture_free(&f);
}

static void test_create_checks(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    gan_session *s = NULL;
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_width = ZW;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_OK);
    gan_session_free(s);
    so.noise_width = ZW + 1;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_ESHAPE);
    assert_non_null(strstr(gan_error_last(), "noise_width"));
    so.noise_width = ZW;
    so.version = 77;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EUNSUPPORTED);
    so.version = GAN_SESSION_OPTIONS_VERSION;
    so.update_order = GAN_ORDER_SIMULTANEOUS;
    so.k = 3;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "k"));
    so.update_order = GAN_ORDER_ALTERNATING;
    so.k = 1;
    so.batch_size = 0;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL);
    so.batch_size = 0x40000000u; /* 2 x batch rows would overflow CBLAS's int */
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL,
               "gan_session_create", "batch_size");
    so.batch_size = 10;
    so.noise_scale = -1.0f;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL);
    so.noise_scale = 3e38f; /* U(-s, s) would overflow */
    EXPECT_ERR(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL,
               "gan_session_create", "noise_scale");
    so.noise_scale = 1.0f;
    so.threads = 99;
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "threads"));
    so.threads = 0;
    /* Swapped optimizers, swapped nets, D as G. */
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.dopt, f.gopt, f.data, &so), GAN_EINVAL);
    assert_int_equal(gan_session_create(&s, f.d, f.g, f.dopt, f.gopt, f.data, &so), GAN_ESHAPE);
    assert_int_equal(gan_session_create(NULL, f.g, f.d, f.gopt, f.dopt, f.data, &so), GAN_EINVAL);
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, NULL, &so), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "data"));
    assert_null(s);
    /* Data of the wrong width. */
    float x[30];
    memset(x, 0, sizeof x);
    gan_dataset *wide;
    assert_int_equal(gan_dataset_create(&wide, x, 10, 3), GAN_OK);
    assert_int_equal(gan_session_create(&s, f.g, f.d, f.gopt, f.dopt, wide, &so), GAN_ESHAPE);
    gan_dataset_free(wide);
    assert_int_equal(gan_session_step(NULL, NULL), GAN_EINVAL);
    gan_session_options oi;
    assert_int_equal(gan_session_options_init(&oi, 4), GAN_EUNSUPPORTED);
    assert_int_equal(gan_session_options_init(&oi, GAN_SESSION_OPTIONS_VERSION), GAN_OK);
    assert_int_equal(oi.k, 1);
    fixture_free(&f);
}

/* A checkpoint whose nets hold NaN or Inf is refused naming the net and
 * the layer, and the session is unchanged. */
static void test_nonfinite_checkpoint_weights(void **state)
{
    const char *dir = *state;
    gan_fixture f, o;
    fixture_make(&f, GAN_ORDER_SIMULTANEOUS, 1, 0.05f);
    fixture_make(&o, GAN_ORDER_SIMULTANEOUS, 1, 0.05f);
    assert_int_equal(gan_session_train(o.s, 3, NULL, NULL), GAN_OK);
    size_t n0;
    float *p0 = params_of(&o, &n0);
    char path[512];
    path_join(path, sizeof path, dir, "nan.ckpt");
    /* D's last layer (layer 3) gets an Inf bias: saved as it is. */
    const size_t nd = gan_net_num_params(f.d);
    float *pd = xmalloc(nd * sizeof *pd);
    assert_int_equal(gan_net_get_params(pd, nd, f.d), GAN_OK);
    pd[nd - 1] = INFINITY;
    assert_int_equal(gan_net_set_params(f.d, pd, nd), GAN_OK);
    assert_int_equal(gan_session_save(f.s, path), GAN_OK);
    assert_int_equal(gan_session_load(o.s, path), GAN_EFORMAT);
    assert_non_null(strstr(gan_error_last(), "D's layer 3 holds NaN or Inf"));
    size_t n1;
    float *p1 = params_of(&o, &n1);
    assert_memory_equal(p0, p1, n0 * sizeof *p0);
    assert_int_equal(gan_session_iteration(o.s), 3);
    /* It still trains. */
    assert_int_equal(gan_session_train(o.s, 1, NULL, NULL), GAN_OK);
    unlink(path);
    free(pd);
    free(p0);
    free(p1);
    fixture_free(&f);
    fixture_free(&o);
}

/* Arguments that used to wrap around or allocate before being refused. */
static void test_overflowing_arguments(void **state)
{
    (void)state;
    gan_fixture f;
    fixture_make(&f, GAN_ORDER_ALTERNATING, 1, 0.05f);
    assert_int_equal(gan_session_train_epochs(f.s, 1, NULL, NULL), GAN_OK);
    const uint64_t it = gan_session_iteration(f.s);
    assert_int_equal(gan_session_train_epochs(f.s, UINT64_MAX, NULL, NULL), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_session_train_epochs: epochs"));
    assert_int_equal(gan_session_iteration(f.s), it);
    float out[2];
    assert_int_equal(gan_session_sample(out, (size_t)INT32_MAX + 1, 2, f.s, NULL), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_session_sample: rows is"));
    assert_int_equal(gan_session_sample(out, SIZE_MAX, 2, f.s, NULL), GAN_EINVAL);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_steps_and_epochs),
        cmocka_unit_test(test_progress_and_schedule),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_threads_do_not_change_results),
        TMPDIR_TEST(test_resume_is_bit_identical),
        TMPDIR_TEST(test_bad_checkpoints),
        TMPDIR_TEST(test_poisoned_checkpoint),
        cmocka_unit_test(test_nets_changed_after_create),
        cmocka_unit_test(test_nan_injection_rolls_back),
        cmocka_unit_test(test_divergence_restores_last_good),
        cmocka_unit_test(test_sampling),
        cmocka_unit_test(test_create_checks),
        cmocka_unit_test(test_average_of_g),
        cmocka_unit_test(test_average_layout_changed),
        TMPDIR_TEST(test_average_in_checkpoint),
        TMPDIR_TEST(test_older_checkpoints_load),
        cmocka_unit_test(test_label_smoothing_and_checks),
        cmocka_unit_test(test_options_version_1),
        TMPDIR_TEST(test_nonfinite_checkpoint_weights),
        cmocka_unit_test(test_overflowing_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
