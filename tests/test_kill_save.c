/* Kill during save: a save interrupted by SIGKILL at any point leaves the
 * destination holding the old state or the new one, bit for bit, never a
 * mixture or a broken file.
 *
 * For gan_session_save and gan_net_save in turn, a child process saves two
 * states A and B alternately, without pause, to one path; the parent kills
 * it with SIGKILL after a random delay (log-uniform from 10 us to six
 * times a save's duration, measured first; from a seeded generator), then checks that the file loads and that its bytes,
 * and the loaded state, are A's or B's. The temporary files the kills leave
 * behind are counted and reported. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gan.h"
#include "common.h"

#define ZW 4

typedef struct blob {
    unsigned char *p;
    size_t n;
} blob;

static char dir[256];

static blob read_all(const char *path)
{
    blob b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 0;
    for (;;) {
        if (b.n == cap) {
            cap = cap ? 2 * cap : 65536;
            b.p = realloc(b.p, cap);
            assert_non_null(b.p);
        }
        size_t r = fread(b.p + b.n, 1, cap - b.n, f);
        if (r == 0)
            break;
        b.n += r;
    }
    fclose(f);
    return b;
}

static int blob_equal(const blob *a, const blob *b)
{
    return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Temporary files of the destination named base left in dir: a save's
 * temporary is ".<base>.gan-tmp.XXXXXX" (see gan_net_save in gan.h). */
static size_t count_temporaries(const char *base)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char prefix[256];
    snprintf(prefix, sizeof prefix, ".%s.gan-tmp.", base);
    size_t n = 0, len = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, len) == 0)
            n++;
    closedir(d);
    return n;
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* A session on a toy ring, big enough that a save takes a while (about
 * 100 KB: a 64-256-2 G and a 2-64x3-1 D with Adam). */
typedef struct fixture {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} fixture;

static void fixture_make(fixture *f)
{
    memset(f, 0, sizeof *f);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 17), GAN_OK);
    gan_toy_options t = GAN_TOY_OPTIONS_INIT;
    assert_int_equal(gan_dataset_create_toy(&f->data, &t, 64, rng), GAN_OK);
    assert_int_equal(gan_net_create(&f->g, ZW), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, 64, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, 256, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, 2, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_init(f->g, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    assert_int_equal(gan_net_create(&f->d, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxout(f->d, 64, 3), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->d, 1, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(f->d, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.001f;
    assert_int_equal(gan_optimizer_create(&f->gopt, f->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->dopt, f->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = 16;
    so.noise_width = ZW;
    so.seed = 5;
    so.threads = 1;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so),
                     GAN_OK);
}

static void fixture_free(fixture *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_dataset_free(f->data);
    gan_net_free(f->g);
    gan_net_free(f->d);
}

/* What the child saves: state 0 (A) or 1 (B) to path. */
typedef int (*save_fn)(void *ctx, int which, const char *path);

typedef struct kill_stats {
    unsigned kills;
    unsigned file_a, file_b;
    unsigned before_first_save; /* killed before the child finished a save */
    unsigned long saves_done;   /* saves the children finished in all */
    size_t temporaries;         /* left by the kills */
    double save_ns;             /* median time of one save */
} kill_stats;

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The kill loop: after each kill the file's bytes must be A's or B's, and
 * check_loads(ctx, path, which) checks that it loads as that state. */
static void kill_trials(kill_stats *ks, unsigned trials, const char *path, const char *base,
                        save_fn save, void *ctx, const blob *a, const blob *b,
                        void (*check_loads)(void *ctx, const char *path, int which))
{
    memset(ks, 0, sizeof *ks);
    volatile unsigned long *done = mmap(NULL, sizeof *done, PROT_READ | PROT_WRITE,
                                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(done != MAP_FAILED);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 2024), GAN_OK);
    /* The time of one save here, so the delays cover the first save and
     * later ones whatever the machine's speed (a freshly forked child
     * saves more slowly: its first writes fault in copied pages). */
    double save_ns[5];
    for (int i = 0; i < 5; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(save(ctx, i & 1, path), GAN_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        save_ns[i] = 1e9 * (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec);
    }
    qsort(save_ns, 5, sizeof save_ns[0], cmp_double);
    ks->save_ns = save_ns[2];
    const double max_delay = fmin(fmax(6.0 * save_ns[2], 1e5), 1e8);
    assert_int_equal(save(ctx, 0, path), GAN_OK);
    for (unsigned t = 0; t < trials; t++) {
        float u;
        assert_int_equal(gan_rng_uniform(&u, 1, rng, 0.0f, 1.0f), GAN_OK);
        /* Log-uniform from 10 us to six saves' time. */
        const double delay = 1e4 * pow(max_delay / 1e4, (double)u);
        struct timespec ts = {(time_t)(delay / 1e9), (long)fmod(delay, 1e9)};
        *done = 0;
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            alarm(20); /* never outlive a parent that died */
            for (int which = 1;; which ^= 1) {
                if (save(ctx, which, path) != GAN_OK)
                    _exit(3);
                (*done)++;
            }
        }
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("trial %u: the saving child ended with status %d, not by the kill", t, status);
        ks->kills++;
        ks->saves_done += *done;
        ks->before_first_save += *done == 0;

        blob now = read_all(path);
        int which = -1;
        if (blob_equal(&now, a))
            which = 0;
        else if (blob_equal(&now, b))
            which = 1;
        else
            fail_msg("trial %u (killed after %.0f ns, %lu saves done): the file (%zu bytes) is "
                     "neither state A (%zu bytes) nor state B (%zu bytes)",
                     t, delay, *done, now.n, a->n, b->n);
        free(now.p);
        check_loads(ctx, path, which);
        ks->file_a += which == 0;
        ks->file_b += which == 1;
    }
    gan_rng_free(rng);
    munmap((void *)done, sizeof *done);
    ks->temporaries = count_temporaries(base);
}

/* ---- sessions ---------------------------------------------------------- */

typedef struct session_ctx {
    fixture a, b, probe; /* b is one step past a */
    blob bytes[2];
    char scratch[300];
} session_ctx;

static int save_session(void *ctx, int which, const char *path)
{
    session_ctx *c = ctx;
    return gan_session_save(which ? c->b.s : c->a.s, path);
}

/* The file loads, and the loaded session saves to the same bytes. */
static void check_session_loads(void *ctx, const char *path, int which)
{
    session_ctx *c = ctx;
    assert_int_equal(gan_session_load(c->probe.s, path), GAN_OK);
    assert_int_equal(gan_session_save(c->probe.s, c->scratch), GAN_OK);
    blob again = read_all(c->scratch);
    assert_true(blob_equal(&again, &c->bytes[which]));
    free(again.p);
}

static unsigned trials(void)
{
    return under_valgrind() ? 10 : 100;
}

static void test_kill_session_save(void **state)
{
    (void)state;
    session_ctx c;
    memset(&c, 0, sizeof c);
    fixture_make(&c.a);
    fixture_make(&c.b);
    fixture_make(&c.probe);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gan_session_step(NULL, c.a.s), GAN_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gan_session_step(NULL, c.b.s), GAN_OK);
    char path[300];
    snprintf(path, sizeof path, "%s/state.ckpt", dir);
    snprintf(c.scratch, sizeof c.scratch, "%s/scratch.ckpt", dir);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(save_session(&c, i, path), GAN_OK);
        c.bytes[i] = read_all(path);
    }
    assert_false(blob_equal(&c.bytes[0], &c.bytes[1]));

    kill_stats ks;
    kill_trials(&ks, trials(), path, "state.ckpt", save_session, &c, &c.bytes[0], &c.bytes[1],
                check_session_loads);
    print_message("gan_session_save: %u kills, one save %.2f ms (%u before the first save ended, %lu saves "
                  "finished in all), file held A %u times and B %u times; %zu temporary files "
                  "left by the kills\n",
                  ks.kills, ks.save_ns / 1e6, ks.before_first_save, ks.saves_done, ks.file_a, ks.file_b,
                  ks.temporaries);
    /* The next successful save of the destination. */
    assert_int_equal(save_session(&c, 0, path), GAN_OK);
    assert_int_equal(count_temporaries("state.ckpt"), 0);
    free(c.bytes[0].p);
    free(c.bytes[1].p);
    fixture_free(&c.a);
    fixture_free(&c.b);
    fixture_free(&c.probe);
}

/* ---- nets ------------------------------------------------------------------ */

typedef struct net_ctx {
    gan_net *net[2];
    float *params[2];
    size_t n;
} net_ctx;

static int save_net(void *ctx, int which, const char *path)
{
    net_ctx *c = ctx;
    return gan_net_save(c->net[which], path);
}

/* The file loads as a net with exactly A's or B's parameters. */
static void check_net_loads(void *ctx, const char *path, int which)
{
    net_ctx *c = ctx;
    gan_net *loaded;
    assert_int_equal(gan_net_load(&loaded, path), GAN_OK);
    assert_int_equal(gan_net_num_params(loaded), c->n);
    float *p = xmalloc(c->n * sizeof *p);
    assert_int_equal(gan_net_get_params(p, c->n, loaded), GAN_OK);
    assert_memory_equal(p, c->params[which], c->n * sizeof *p);
    free(p);
    gan_net_free(loaded);
}

static void test_kill_net_save(void **state)
{
    (void)state;
    net_ctx c;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 8), GAN_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(gan_net_create(&c.net[i], 100), GAN_OK);
        assert_int_equal(gan_net_add_maxout(c.net[i], 120, 4), GAN_OK);
        assert_int_equal(gan_net_add_dense(c.net[i], 1, GAN_ACT_SIGMOID), GAN_OK);
        assert_int_equal(gan_net_init(c.net[i], rng, GAN_INIT_NORMAL, 0.1f), GAN_OK);
        c.n = gan_net_num_params(c.net[i]);
        c.params[i] = xmalloc(c.n * sizeof(float));
        assert_int_equal(gan_net_get_params(c.params[i], c.n, c.net[i]), GAN_OK);
    }
    gan_rng_free(rng);
    char path[300];
    snprintf(path, sizeof path, "%s/d.net", dir);
    blob bytes[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(save_net(&c, i, path), GAN_OK);
        bytes[i] = read_all(path);
    }
    assert_false(blob_equal(&bytes[0], &bytes[1]));

    kill_stats ks;
    kill_trials(&ks, trials(), path, "d.net", save_net, &c, &bytes[0], &bytes[1],
                check_net_loads);
    print_message("gan_net_save: %u kills, one save %.2f ms (%u before the first save ended, %lu saves finished "
                  "in all), file held A %u times and B %u times; %zu temporary files left by "
                  "the kills\n",
                  ks.kills, ks.save_ns / 1e6, ks.before_first_save, ks.saves_done, ks.file_a, ks.file_b,
                  ks.temporaries);
    assert_int_equal(save_net(&c, 0, path), GAN_OK);
    assert_int_equal(count_temporaries("d.net"), 0);
    for (int i = 0; i < 2; i++) {
        free(bytes[i].p);
        free(c.params[i]);
        gan_net_free(c.net[i]);
    }
}

/* In /dev/shm when there is one: on a disk each save waits some 20 ms for
 * its two fsyncs, and so does each kill, which would allow a few kill
 * points per second only. Whether the data reached the disk plays no part
 * in what a killed process leaves visible. */
static int setup_dir(void **state)
{
    (void)state;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gan_kill_save_XXXXXX", base ? base : "/tmp");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state)
{
    (void)state;
    remove_dir();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kill_session_save, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_kill_net_save, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
