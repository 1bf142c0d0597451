/* gan_session_interrupt: a stop request from a progress callback, another
 * thread or a signal handler ends gan_session_train / _train_epochs with
 * GAN_EABORTED after the iteration in progress; the request is cleared when
 * reported; the session stays consistent, so training on gives exactly the
 * parameters of an uninterrupted run. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define ZW 4
#define ROWS 500
#define BATCH 50

typedef struct rig {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} rig;

static void rig_make(rig *r)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    assert_int_equal(gan_dataset_create_toy(&r->data, &t, ROWS, rng), GAN_OK);
    r->g = make_mlp(ZW, 16, GAN_ACT_RELU, 2, GAN_ACT_IDENTITY);
    assert_int_equal(gan_net_init(r->g, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    r->d = make_maxout_d(2, 8, 3, 0.8f, 0.5f);
    assert_int_equal(gan_net_init(r->d, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = 0.05f;
    assert_int_equal(gan_optimizer_create(&r->gopt, r->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&r->dopt, r->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.noise_width = ZW;
    so.seed = 77;
    so.threads = 1;
    assert_int_equal(gan_session_create(&r->s, r->g, r->d, r->gopt, r->dopt, r->data, &so), GAN_OK);
}

static void rig_free(rig *r)
{
    gan_session_free(r->s);
    gan_optimizer_free(r->gopt);
    gan_optimizer_free(r->dopt);
    gan_net_free(r->g);
    gan_net_free(r->d);
    gan_dataset_free(r->data);
}

static void assert_same_params(const rig *a, const rig *b)
{
    const gan_net *na[2] = {a->g, a->d}, *nb[2] = {b->g, b->d};
    for (int i = 0; i < 2; i++) {
        float *pa = net_params(na[i]), *pb = net_params(nb[i]);
        assert_memory_equal(pa, pb, gan_net_num_params(na[i]) * sizeof *pa);
        free(pa);
        free(pb);
    }
}

/* The progress callback asks for a stop after iteration stop_at. */
typedef struct stopper {
    gan_session *s;
    uint64_t stop_at;
    uint64_t calls;
} stopper;

static int stop_from_callback(const gan_stats *st, void *ud)
{
    stopper *p = ud;
    p->calls++;
    if (st->iteration == p->stop_at)
        assert_int_equal(gan_session_interrupt(p->s), GAN_OK);
    return 0;
}

static void test_interrupt_from_callback(void **state)
{
    (void)state;
    rig a, b;
    rig_make(&a);
    rig_make(&b);
    stopper p = {a.s, 7, 0};
    gan_error_clear();
    expect_error(gan_session_train(a.s, 100, stop_from_callback, &p), GAN_EABORTED,
                 "gan_session_train");
    assert_non_null(strstr(gan_error_last(), "interrupted"));
    /* The iteration in progress finished; no other started. */
    assert_int_equal(gan_session_iteration(a.s), 7);
    assert_int_equal(p.calls, 7);
    /* Reported once: training goes on, and equals an uninterrupted run. */
    assert_int_equal(gan_session_train(a.s, 13, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_train(b.s, 20, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_iteration(a.s), 20);
    assert_same_params(&a, &b);

    /* The same through gan_session_train_epochs (10 iterations an epoch). */
    p.stop_at = 23;
    expect_error(gan_session_train_epochs(a.s, 5, stop_from_callback, &p), GAN_EABORTED,
                 "gan_session_train_epochs");
    assert_int_equal(gan_session_iteration(a.s), 23);
    assert_int_equal(gan_session_train_epochs(a.s, 1, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_train(b.s, 10, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_iteration(a.s), 30);
    assert_same_params(&a, &b);
    rig_free(&a);
    rig_free(&b);
}

static void test_pending_request(void **state)
{
    (void)state;
    rig r;
    rig_make(&r);
    /* A request made between calls stops the next train before it starts. */
    assert_int_equal(gan_session_interrupt(r.s), GAN_OK);
    assert_int_equal(gan_session_interrupt(r.s), GAN_OK); /* still one request */
    gan_stats st;
    assert_int_equal(gan_session_step(&st, r.s), GAN_OK); /* steps ignore it */
    expect_error(gan_session_train(r.s, 5, NULL, NULL), GAN_EABORTED, "gan_session_train");
    assert_int_equal(gan_session_iteration(r.s), 1);
    assert_int_equal(gan_session_train(r.s, 5, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_iteration(r.s), 6);
    /* A train of 0 iterations (or epochs) reports and clears a request. */
    assert_int_equal(gan_session_interrupt(r.s), GAN_OK);
    expect_error(gan_session_train(r.s, 0, NULL, NULL), GAN_EABORTED, "gan_session_train");
    assert_int_equal(gan_session_train(r.s, 0, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_interrupt(r.s), GAN_OK);
    expect_error(gan_session_train_epochs(r.s, 0, NULL, NULL), GAN_EABORTED,
                 "gan_session_train_epochs");
    assert_int_equal(gan_session_train_epochs(r.s, 1, NULL, NULL), GAN_OK);
    /* NULL is refused without touching the last error (signal safety). */
    gan_error_clear();
    assert_int_equal(gan_session_interrupt(NULL), GAN_EINVAL);
    assert_int_equal(gan_error_last_code(), GAN_OK);
    rig_free(&r);
}

/* ---- from another thread ------------------------------------------------ */

typedef struct racer {
    gan_session *s;
    atomic_int started; /* set by the first progress callback */
} racer;

static int mark_started(const gan_stats *st, void *ud)
{
    (void)st;
    atomic_store(&((racer *)ud)->started, 1);
    return 0;
}

static void *interrupt_when_started(void *arg)
{
    racer *r = arg;
    const struct timespec pause = {0, 1000000};
    while (!atomic_load(&r->started))
        nanosleep(&pause, NULL);
    gan_session_interrupt(r->s);
    return NULL;
}

static void test_interrupt_from_thread(void **state)
{
    (void)state;
    rig a, b;
    rig_make(&a);
    rig_make(&b);
    racer rc = {a.s, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, interrupt_when_started, &rc), 0);
    /* Far more iterations than the thread needs to notice the start. */
    expect_error(gan_session_train(a.s, 1000000, mark_started, &rc), GAN_EABORTED,
                 "gan_session_train");
    assert_int_equal(pthread_join(th, NULL), 0);
    const uint64_t done = gan_session_iteration(a.s);
    assert_true(done >= 1 && done < 1000000);
    /* Consistent: a checkpoint of it loads, and training goes on exactly. */
    char path[512];
    path_join(path, sizeof path, *state, "i.ckpt");
    assert_int_equal(gan_session_save(a.s, path), GAN_OK);
    rig c;
    rig_make(&c);
    assert_int_equal(gan_session_load(c.s, path), GAN_OK);
    assert_int_equal(gan_session_train(c.s, 5, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_train(b.s, done + 5, NULL, NULL), GAN_OK);
    assert_same_params(&c, &b);
    rig_free(&a);
    rig_free(&b);
    rig_free(&c);
}

/* ---- from a signal handler ---------------------------------------------- */

static gan_session *signal_target; /* what the handler interrupts */

static void on_sigusr1(int sig)
{
    (void)sig;
    gan_session_interrupt(signal_target);
}

static int raise_at_3(const gan_stats *st, void *ud)
{
    (void)ud;
    if (st->iteration == 3)
        raise(SIGUSR1); /* the handler runs before raise returns */
    return 0;
}

static void test_interrupt_from_signal_handler(void **state)
{
    (void)state;
    rig r;
    rig_make(&r);
    signal_target = r.s;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    expect_error(gan_session_train(r.s, 50, raise_at_3, NULL), GAN_EABORTED, "gan_session_train");
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
    assert_int_equal(gan_session_iteration(r.s), 3);
    assert_int_equal(gan_session_train(r.s, 2, NULL, NULL), GAN_OK);
    assert_int_equal(gan_session_iteration(r.s), 5);
    signal_target = NULL;
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interrupt_from_callback),
        cmocka_unit_test(test_pending_request),
        TMPDIR_TEST(test_interrupt_from_thread),
        cmocka_unit_test(test_interrupt_from_signal_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
