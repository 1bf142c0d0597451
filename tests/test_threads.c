/* The thread rules of gan.h, exercised (and, in the ThreadSanitizer build
 * of .ci/run, checked for data races):
 *   - different handles on different threads: two sessions train at once,
 *     each with its own nets, optimizers and dataset and a worker pool
 *     (threads = 2), and end bit-identical to the same training run alone;
 *   - a trained net read by 4 threads at once through gan_net_forward gives
 *     bit-identical results to a single-thread run;
 *   - the last error is per thread: each thread raises a different error
 *     and sees only its own;
 *   - the log callback is per thread: each receives only its thread's
 *     messages.
 * Worker threads only record what they see; the main thread asserts. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common.h"

#include <pthread.h>
#include <stdio.h>

#define NOISE 4
#define WIDTH 2 /* the toy ring's points */

/* ---- two sessions in two threads --------------------------------------- */

typedef struct trainer {
    uint64_t seed;
    uint64_t iterations;
    float *params; /* G's then D's parameters after training (malloc'ed) */
    size_t n_params;
    int rc;
    char msg[512];
} trainer;

/* Builds everything from seed, trains, keeps the parameters. */
static void *train(void *arg)
{
    trainer *t = arg;
    gan_rng *rng = NULL;
    gan_net *g = NULL, *d = NULL;
    gan_optimizer *go = NULL, *dopt = NULL;
    gan_dataset *data = NULL;
    gan_session *s = NULL;
    gan_toy_options toy = GAN_TOY_OPTIONS_INIT;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    oo.learning_rate = 0.05f;
    /* Layers of batch x width = 256 x 1024 elements: large enough that the
     * session's worker pool (threads = 2) splits the element-wise loops
     * between its threads, rather than running small ones on the caller. */
    so.batch_size = 256;
    so.noise_width = NOISE;
    so.seed = t->seed;
    so.threads = 2;
    int rc;
    if ((rc = gan_rng_create(&rng, t->seed)) || (rc = gan_net_create(&g, NOISE)) ||
        (rc = gan_net_add_dense(g, 1024, GAN_ACT_RELU)) ||
        (rc = gan_net_add_dense(g, WIDTH, GAN_ACT_IDENTITY)) ||
        (rc = gan_net_init(g, rng, GAN_INIT_GLOROT_UNIFORM, 1.0f)) ||
        (rc = gan_net_create(&d, WIDTH)) || (rc = gan_net_add_maxout(d, 256, 4)) ||
        (rc = gan_net_add_dropout(d, 0.8f)) ||
        (rc = gan_net_add_dense(d, 1, GAN_ACT_IDENTITY)) ||
        (rc = gan_net_init(d, rng, GAN_INIT_GLOROT_UNIFORM, 1.0f)) ||
        (rc = gan_optimizer_create(&go, g, &oo)) || (rc = gan_optimizer_create(&dopt, d, &oo)) ||
        (rc = gan_dataset_create_toy(&data, &toy, 1024, rng)) ||
        (rc = gan_session_create(&s, g, d, go, dopt, data, &so)) ||
        (rc = gan_session_train(s, t->iterations, NULL, NULL)))
        goto done;
    const size_t ng = gan_net_num_params(g), nd = gan_net_num_params(d);
    t->params = malloc((ng + nd) * sizeof *t->params);
    if (t->params == NULL) {
        rc = GAN_ENOMEM;
        goto done;
    }
    t->n_params = ng + nd;
    if ((rc = gan_net_get_params(t->params, ng, g)) == GAN_OK)
        rc = gan_net_get_params(t->params + ng, nd, d);
done:
    t->rc = rc;
    snprintf(t->msg, sizeof t->msg, "%s", rc ? gan_error_last() : "");
    gan_session_free(s);
    gan_dataset_free(data);
    gan_optimizer_free(go);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_rng_free(rng);
    return NULL;
}

static void test_two_sessions_in_two_threads(void **state)
{
    (void)state;
    const uint64_t iters = under_valgrind() ? 6 : 30;
    trainer ref[2] = {{.seed = 11, .iterations = iters}, {.seed = 22, .iterations = iters}};
    trainer par[2] = {ref[0], ref[1]};
    /* References: one after the other. */
    for (int i = 0; i < 2; i++) {
        train(&ref[i]);
        if (ref[i].rc)
            print_error("reference %d: %s\n", i, ref[i].msg);
        assert_int_equal(ref[i].rc, GAN_OK);
    }
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, train, &par[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (par[i].rc)
            print_error("thread %d: %s\n", i, par[i].msg);
        assert_int_equal(par[i].rc, GAN_OK);
        assert_int_equal(par[i].n_params, ref[i].n_params);
        assert_memory_equal(par[i].params, ref[i].params, ref[i].n_params * sizeof(float));
    }
    /* And the two seeds really gave two different runs. */
    assert_memory_not_equal(ref[0].params, ref[1].params, ref[0].n_params * sizeof(float));
    for (int i = 0; i < 2; i++) {
        free(ref[i].params);
        free(par[i].params);
    }
}

/* ---- one net, four readers ----------------------------------------------- */

#define READERS 4
#define ROWS 96

typedef struct reader {
    const gan_net *net;
    const float *x;
    float out[ROWS * WIDTH];
    unsigned flags;
    int repeats;
    int rc;
    int differs; /* a repeat gave other bits than the first */
} reader;

static void *read_net(void *arg)
{
    reader *r = arg;
    float again[ROWS * WIDTH];
    r->rc = gan_net_forward(r->out, WIDTH, r->net, r->x, ROWS, NOISE, r->flags);
    for (int i = 1; i < r->repeats && r->rc == GAN_OK; i++) {
        r->rc = gan_net_forward(again, WIDTH, r->net, r->x, ROWS, NOISE, r->flags);
        r->differs |= memcmp(again, r->out, sizeof again) != 0;
    }
    return NULL;
}

static void test_one_net_four_readers(void **state)
{
    (void)state;
    /* A trained G: a short session, then the net alone. */
    gan_rng *rng;
    gan_net *g, *d;
    gan_optimizer *go, *dopt;
    gan_dataset *data;
    gan_session *s;
    gan_toy_options toy = GAN_TOY_OPTIONS_INIT;
    gan_optimizer_options oo = GAN_OPTIMIZER_OPTIONS_INIT;
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = 32;
    so.noise_width = NOISE;
    so.threads = 1;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    assert_int_equal(gan_net_create(&g, NOISE), GAN_OK);
    assert_int_equal(gan_net_add_maxout(g, 24, 3), GAN_OK);
    assert_int_equal(gan_net_add_activation(g, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(g, 16, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(g, WIDTH, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(g, rng, GAN_INIT_NORMAL, 0.3f), GAN_OK);
    assert_int_equal(gan_net_create(&d, WIDTH), GAN_OK);
    assert_int_equal(gan_net_add_dense(d, 16, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(d, 1, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_init(d, rng, GAN_INIT_NORMAL, 0.3f), GAN_OK);
    assert_int_equal(gan_optimizer_create(&go, g, &oo), GAN_OK);
    assert_int_equal(gan_optimizer_create(&dopt, d, &oo), GAN_OK);
    assert_int_equal(gan_dataset_create_toy(&data, &toy, 256, rng), GAN_OK);
    assert_int_equal(gan_session_create(&s, g, d, go, dopt, data, &so), GAN_OK);
    assert_int_equal(gan_session_train(s, 20, NULL, NULL), GAN_OK);
    gan_session_free(s);

    float x[ROWS * NOISE];
    assert_int_equal(gan_rng_uniform(x, ROWS * NOISE, rng, -1.0f, 1.0f), GAN_OK);
    float want[2][ROWS * WIDTH];
    for (unsigned fl = 0; fl < 2; fl++)
        assert_int_equal(gan_net_forward(want[fl], WIDTH, g, x, ROWS, NOISE, fl), GAN_OK);

    reader rd[READERS];
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) {
        memset(&rd[i], 0, sizeof rd[i]);
        rd[i].net = g;
        rd[i].x = x;
        rd[i].flags = (unsigned)i & GAN_FORWARD_LOGITS; /* both paths at once */
        rd[i].repeats = under_valgrind() ? 3 : 25;
        assert_int_equal(pthread_create(&th[i], NULL, read_net, &rd[i]), 0);
    }
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(rd[i].rc, GAN_OK);
        assert_int_equal(rd[i].differs, 0);
        assert_memory_equal(rd[i].out, want[rd[i].flags], sizeof want[0]);
    }
    gan_dataset_free(data);
    gan_optimizer_free(go);
    gan_optimizer_free(dopt);
    gan_net_free(g);
    gan_net_free(d);
    gan_rng_free(rng);
}

/* ---- per-thread errors and log callbacks --------------------------------- */

#define TALKERS 4

typedef struct talker {
    int id;
    pthread_barrier_t *barrier;
    /* what the thread saw */
    int rc;
    int code_after;       /* gan_error_last_code() after all threads failed */
    char msg_after[512];  /* gan_error_last() then */
    char expect[64];      /* text every message of this thread holds */
    int logged;           /* messages its callback received */
    int foreign;          /* of which not its own */
    int wrong_thread;     /* callback ran on another thread */
    pthread_t self;
} talker;

static void on_log(int level, const char *message, void *ud)
{
    talker *t = ud;
    t->logged++;
    if (level != GAN_LOG_ERROR || strstr(message, t->expect) == NULL)
        t->foreign++;
    if (!pthread_equal(pthread_self(), t->self))
        t->wrong_thread++;
}

/* Each thread raises its own kind of error; the messages name the thread
 * through a path, except thread 3's. */
static int provoke(talker *t)
{
    char path[64];
    snprintf(path, sizeof path, "/nonexistent/talker%d/x", t->id);
    gan_net *n = NULL;
    gan_dataset *ds = NULL;
    const float img[4] = {0};
    int rc;
    switch (t->id) {
    case 0:
        rc = gan_net_load(&n, path); /* EIO */
        gan_net_free(n);
        return rc;
    case 1:
        rc = gan_dataset_load_idx(&ds, path, NULL); /* EIO */
        gan_dataset_free(ds);
        return rc;
    case 2:
        return gan_png_write_grid(path, img, 1, 1, 2, 2, NULL); /* EIO */
    default:
        rc = gan_net_create(&n, 0); /* EINVAL */
        gan_net_free(n);
        return rc;
    }
}

static void *talk(void *arg)
{
    talker *t = arg;
    t->self = pthread_self();
    gan_error_clear();
    (void)gan_log_set_callback(on_log, t, GAN_LOG_DEBUG);
    pthread_barrier_wait(t->barrier);
    /* All threads fail at about the same time... */
    for (int i = 0; i < 50; i++)
        t->rc = provoke(t);
    pthread_barrier_wait(t->barrier);
    /* ...and each then sees its own error only. */
    t->code_after = gan_error_last_code();
    snprintf(t->msg_after, sizeof t->msg_after, "%s", gan_error_last());
    (void)gan_log_set_callback(NULL, NULL, GAN_LOG_ERROR);
    return NULL;
}

static void test_errors_and_logs_are_per_thread(void **state)
{
    (void)state;
    pthread_barrier_t barrier;
    assert_int_equal(pthread_barrier_init(&barrier, NULL, TALKERS), 0);
    talker t[TALKERS];
    pthread_t th[TALKERS];
    for (int i = 0; i < TALKERS; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].id = i;
        t[i].barrier = &barrier;
        if (i < 3)
            snprintf(t[i].expect, sizeof t[i].expect, "/nonexistent/talker%d/x", i);
        else
            snprintf(t[i].expect, sizeof t[i].expect, "gan_net_create: input_width is 0");
        assert_int_equal(pthread_create(&th[i], NULL, talk, &t[i]), 0);
    }
    for (int i = 0; i < TALKERS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&barrier);
    const int want_rc[TALKERS] = {GAN_EIO, GAN_EIO, GAN_EIO, GAN_EINVAL};
    for (int i = 0; i < TALKERS; i++) {
        assert_int_equal(t[i].rc, want_rc[i]);
        assert_int_equal(t[i].code_after, want_rc[i]);
        if (strstr(t[i].msg_after, t[i].expect) == NULL)
            print_error("thread %d sees \"%s\"\n", i, t[i].msg_after);
        assert_non_null(strstr(t[i].msg_after, t[i].expect));
        if (t[i].logged < 50 || t[i].foreign != 0)
            print_error("thread %d: %d messages, %d foreign\n", i, t[i].logged, t[i].foreign);
        assert_true(t[i].logged >= 50);
        assert_int_equal(t[i].foreign, 0);
        assert_int_equal(t[i].wrong_thread, 0);
    }
    /* The main thread raised nothing. */
    assert_int_equal(gan_error_last_code(), GAN_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_sessions_in_two_threads),
        cmocka_unit_test(test_one_net_four_readers),
        cmocka_unit_test(test_errors_and_logs_are_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
