/* Allocation-failure walk: every allocation of a scenario fails in turn.
 *
 * The program defines malloc, calloc, realloc, free, posix_memalign and
 * aligned_alloc itself. Symbols of the executable take precedence over those
 * of shared libraries, so the allocations of libgan, zlib, libpng and the C
 * library (fdopen, strdup, realpath) all come through here; the real
 * allocator is reached through dlsym(RTLD_NEXT). While a stage's call runs
 * ("armed"), allocations are counted, the k-th one fails, and every block
 * handed out is tracked until freed, so leaks are counted here rather than
 * by a leak checker.
 *
 * The scenario is a list of stages covering create, load, step, save and
 * evaluate. For each stage: a reference run (no failure) gives the number of
 * allocations N and a fingerprint of the result (saved bytes, values). Then
 * for k = 1..N the stage is set up afresh, allocation k fails, and:
 *   - the call returns GAN_ENOMEM (gan_error_last_code agrees), or GAN_OK
 *     with the reference result when the failure was absorbed (glibc's
 *     qsort, for example, falls back to an in-place sort);
 *   - for loads, steps, saves and creates, the state is unchanged: the
 *     fingerprint equals the one taken before the call (the session saved
 *     to the same bytes, the destination file untouched, the out handle
 *     NULL);
 *   - the handles are usable: the same call without a failure succeeds
 *     with the reference result;
 *   - after the stage's teardown no tracked block is left (no leak).
 *
 * A replacement malloc cannot coexist with AddressSanitizer,
 * ThreadSanitizer or valgrind, which bring their own: the walk skips there
 * (GAN_TEST_VALGRIND is set by CI under valgrind). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <png.h>
#include <zlib.h>

#include "gan.h"
#include "common.h"

/* Any sanitizer that replaces malloc: AddressSanitizer or ThreadSanitizer
 * (gcc's macros, clang's __has_feature). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WALK_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WALK_UNDER_ASAN 1
#endif
#endif
#ifndef WALK_UNDER_ASAN
#define WALK_UNDER_ASAN 0
#endif

#if !WALK_UNDER_ASAN
/* ---- the interposed allocator ------------------------------------------ */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

/* dlsym may allocate (calloc) before the real functions are known; those
 * few bytes come from here and are never freed. */
static _Alignas(max_align_t) unsigned char boot_heap[8192];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot_heap)
        return NULL;
    void *p = boot_heap + boot_used;
    boot_used += n;
    return p;
}

static int from_boot(const void *p)
{
    return (const unsigned char *)p >= boot_heap &&
           (const unsigned char *)p < boot_heap + sizeof boot_heap;
}

static int resolve(void)
{
    if (real_free != NULL)
        return 1;
    if (resolving)
        return 0;
    resolving = 1;
    /* Through memcpy: ISO C has no cast from void * to a function pointer. */
#define RESOLVE(var, name) \
    do { \
        void *sym_ = dlsym(RTLD_NEXT, name); \
        memcpy(&(var), &sym_, sizeof sym_); \
    } while (0)
    RESOLVE(real_malloc, "malloc");
    RESOLVE(real_calloc, "calloc");
    RESOLVE(real_realloc, "realloc");
    RESOLVE(real_posix_memalign, "posix_memalign");
    RESOLVE(real_aligned_alloc, "aligned_alloc");
    RESOLVE(real_free, "free");
#undef RESOLVE
    resolving = 0;
    if (real_free == NULL)
        abort();
    return 1;
}

/* Walk state. The scenario runs on one thread (session threads = 1,
 * OPENBLAS_NUM_THREADS=1), but a spinlock keeps the bookkeeping sound
 * should any library thread allocate. */
static volatile int armed;       /* counting and tracking */
static unsigned long n_allocs;   /* allocations while armed */
static unsigned long fail_at;    /* 1-based index to fail; 0: none */
static int injected;             /* the failure happened */
#define MAX_TRACKED 65536
static void *tracked[MAX_TRACKED];
static size_t tracked_size[MAX_TRACKED];
static size_t n_tracked;
static int tracked_overflow;
static volatile int lock_word;

static void lock(void)
{
    while (__atomic_test_and_set(&lock_word, __ATOMIC_ACQUIRE))
        ;
}
static void unlock(void) { __atomic_clear(&lock_word, __ATOMIC_RELEASE); }

/* Count one allocation; 1 if it must fail. */
static int should_fail(void)
{
    if (!armed)
        return 0;
    lock();
    const int fail = ++n_allocs == fail_at;
    if (fail)
        injected = 1;
    unlock();
    return fail;
}

static void track(void *p, size_t n)
{
    if (p == NULL)
        return;
    lock();
    if (n_tracked < MAX_TRACKED) {
        tracked[n_tracked] = p;
        tracked_size[n_tracked++] = n;
    } else {
        tracked_overflow = 1;
    }
    unlock();
}

/* Stop tracking p; 1 if it was tracked. */
static int untrack(void *p)
{
    int found = 0;
    lock();
    for (size_t i = n_tracked; i-- > 0;) {
        if (tracked[i] == p) {
            tracked[i] = tracked[--n_tracked];
            tracked_size[i] = tracked_size[n_tracked];
            found = 1;
            break;
        }
    }
    unlock();
    return found;
}

/* Default visibility: the project builds with hidden visibility, and a
 * hidden definition would not reach the shared libraries. */
#define INTERPOSE __attribute__((visibility("default")))

INTERPOSE void *malloc(size_t n)
{
    if (!resolve())
        return boot_alloc(n);
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_malloc(n);
    if (armed)
        track(p, n);
    return p;
}

INTERPOSE void *calloc(size_t a, size_t b)
{
    if (!resolve()) {
        if (b != 0 && a > SIZE_MAX / b)
            return NULL;
        void *p = boot_alloc(a * b);
        if (p != NULL)
            memset(p, 0, a * b);
        return p;
    }
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_calloc(a, b);
    if (armed)
        track(p, a * b);
    return p;
}

INTERPOSE void *realloc(void *old, size_t n)
{
    if (!resolve() || from_boot(old)) {
        void *p = boot_alloc(n);
        if (p != NULL && old != NULL) {
            const size_t room = (size_t)(boot_heap + sizeof boot_heap - (unsigned char *)old);
            memcpy(p, old, n < room ? n : room);
        }
        return p;
    }
    if (old != NULL && n == 0) {
        untrack(old);
        return real_realloc(old, n);
    }
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    /* A block keeps being tracked when it moves, and a block grown during
     * the walk is the scenario's to free. */
    const int was = old != NULL && untrack(old);
    void *p = real_realloc(old, n);
    if (p == NULL && was)
        track(old, 0);
    else if (was || armed)
        track(p, n);
    return p;
}

INTERPOSE void free(void *p)
{
    if (p == NULL || from_boot(p))
        return;
    resolve();
    untrack(p);
    real_free(p);
}

INTERPOSE int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    if (should_fail())
        return ENOMEM;
    int rc = real_posix_memalign(out, align, n);
    if (rc == 0 && armed)
        track(*out, n);
    return rc;
}

INTERPOSE void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = real_aligned_alloc(align, n);
    if (armed)
        track(p, n);
    return p;
}

/* Arm: count from zero, fail allocation k (0: none), forget tracked blocks
 * of earlier runs (checked by then). */
static void arm(unsigned long k)
{
    lock();
    n_allocs = 0;
    fail_at = k;
    injected = 0;
    unlock();
    armed = 1;
}

static void disarm(void) { armed = 0; }

/* ---- fingerprints --------------------------------------------------------- */

typedef struct bytes {
    unsigned char *p;
    size_t n;
} bytes;

static void bytes_add(bytes *b, const void *p, size_t n)
{
    unsigned char *q = realloc(b->p, b->n + n + 1);
    assert_non_null(q);
    b->p = q;
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void bytes_add_u64(bytes *b, uint64_t v) { bytes_add(b, &v, sizeof v); }

static void bytes_add_file(bytes *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        bytes_add(b, "<missing>", 9);
        return;
    }
    unsigned char buf[4096];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        bytes_add(b, buf, r);
    fclose(f);
}

static void bytes_free(bytes *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

static int bytes_equal(const bytes *a, const bytes *b)
{
    return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* ---- the scenario's fixtures ---------------------------------------------- */

static char dir[256];          /* scratch folder of this run */
static char idx_img[300], idx_lab[300], idx_img_gz[300], idx_lab_gz[300];
static char net_file[300], ckpt_file[300], out_file[300];

#define ZW 3
#define DATA_ROWS 12 /* fewer than the batch: D's and G's batches differ */
#define BATCH 8

typedef struct ctx {
    gan_rng *rng;
    gan_net *g, *d, *loaded;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data, *idx;
    gan_session *s;
    gan_parzen *parzen;
    float toy[DATA_ROWS * 2];
    float out[64];
    double ll[16];
    int64_t nn_index[16];
    float nn_dist[16];
} ctx;

static int build_nets(ctx *c)
{
    gan_rng *rng = NULL;
    gan_net *g = NULL, *d = NULL;
    int rc = gan_rng_create(&rng, 5);
    if (!rc) rc = gan_net_create(&g, ZW);
    if (!rc) rc = gan_net_add_dense(g, 6, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(g, 2, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_init(g, rng, GAN_INIT_GLOROT_UNIFORM, 0);
    if (!rc) rc = gan_net_create(&d, 2);
    if (!rc) rc = gan_net_add_dropout(d, 0.8f);
    if (!rc) rc = gan_net_add_maxout(d, 4, 2);
    if (!rc) rc = gan_net_add_dense(d, 1, GAN_ACT_SIGMOID);
    if (!rc) rc = gan_net_init(d, rng, GAN_INIT_UNIFORM, 0.2f);
    gan_rng_free(rng);
    if (rc) {
        gan_net_free(g);
        gan_net_free(d);
        return rc;
    }
    c->g = g;
    c->d = d;
    return GAN_OK;
}

static int build_optimizers(ctx *c)
{
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    gan_optimizer *gopt = NULL, *dopt = NULL;
    int rc = gan_optimizer_create(&gopt, c->g, &o);
    o.kind = GAN_OPT_ADAM;
    o.learning_rate = 0.01f;
    if (!rc) rc = gan_optimizer_create(&dopt, c->d, &o);
    if (rc) {
        gan_optimizer_free(gopt);
        return rc;
    }
    c->gopt = gopt;
    c->dopt = dopt;
    return GAN_OK;
}

static void toy_rows(float *x)
{
    for (size_t i = 0; i < DATA_ROWS; i++) {
        x[2 * i] = (float)(i % 4) - 1.5f;
        x[2 * i + 1] = 0.25f * (float)i - 1.0f;
    }
}

static int build_session(ctx *c)
{
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = BATCH;
    so.k = 2;
    so.noise_width = ZW;
    so.seed = 3;
    so.threads = 1;
    return gan_session_create(&c->s, c->g, c->d, c->gopt, c->dopt, c->data, &so);
}

/* Everything up to a session, without injection. */
static void build_all(ctx *c)
{
    assert_int_equal(build_nets(c), GAN_OK);
    assert_int_equal(build_optimizers(c), GAN_OK);
    toy_rows(c->toy);
    assert_int_equal(gan_dataset_create(&c->data, c->toy, DATA_ROWS, 2), GAN_OK);
    assert_int_equal(build_session(c), GAN_OK);
}

static void free_all(ctx *c)
{
    gan_session_free(c->s);
    gan_optimizer_free(c->gopt);
    gan_optimizer_free(c->dopt);
    gan_dataset_free(c->data);
    gan_dataset_free(c->idx);
    gan_net_free(c->g);
    gan_net_free(c->d);
    gan_net_free(c->loaded);
    gan_rng_free(c->rng);
    gan_parzen_free(c->parzen);
    memset(c, 0, sizeof *c);
}

/* The session's whole state, as its checkpoint bytes. */
static void fp_session(bytes *b, const ctx *c)
{
    if (c->s == NULL) {
        bytes_add(b, "<no session>", 12);
        return;
    }
    char path[300];
    snprintf(path, sizeof path, "%s/fingerprint.ckpt", dir);
    assert_int_equal(gan_session_save(c->s, path), GAN_OK);
    bytes_add_file(b, path);
    unlink(path);
}

static void fp_net(bytes *b, const gan_net *net)
{
    if (net == NULL) {
        bytes_add(b, "<no net>", 8);
        return;
    }
    char path[300];
    snprintf(path, sizeof path, "%s/fingerprint.net", dir);
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    bytes_add_file(b, path);
    unlink(path);
}

static void fp_dataset(bytes *b, const gan_dataset *ds)
{
    if (ds == NULL) {
        bytes_add(b, "<no dataset>", 12);
        return;
    }
    const size_t rows = gan_dataset_rows(ds), cols = gan_dataset_cols(ds);
    bytes_add_u64(b, rows);
    bytes_add_u64(b, cols);
    bytes_add(b, gan_dataset_data(ds), rows * cols * sizeof(float));
    if (gan_dataset_labels(ds) != NULL)
        bytes_add(b, gan_dataset_labels(ds), rows * sizeof(int32_t));
}

/* Files of the scratch folder other than the fixtures: a failed save must
 * not leave a temporary file behind. */
static void fp_stray_files(bytes *b)
{
    DIR *dd = opendir(dir);
    assert_non_null(dd);
    uint64_t n = 0;
    struct dirent *e;
    while ((e = readdir(dd)) != NULL)
        if (strstr(e->d_name, ".tmp") != NULL)
            n++;
    closedir(dd);
    bytes_add_u64(b, n);
}

/* ---- stages ----------------------------------------------------------------- */

typedef struct stage {
    const char *name;
    void (*setup)(ctx *c);
    int (*call)(ctx *c);
    /* The state the call changes (handles, output files, outputs). */
    void (*fingerprint)(bytes *b, const ctx *c);
    /* A failed call must leave the fingerprint as it was. */
    int all_or_nothing;
} stage;

static void setup_none(ctx *c) { (void)c; }
static void setup_nets(ctx *c) { assert_int_equal(build_nets(c), GAN_OK); }
static void setup_session(ctx *c) { build_all(c); }

/* create */
static int call_rng(ctx *c) { return gan_rng_create(&c->rng, 42); }
static void fp_rng(bytes *b, const ctx *c)
{
    if (c->rng == NULL) {
        bytes_add(b, "<no rng>", 8);
        return;
    }
    uint64_t st[GAN_RNG_STATE_WORDS];
    assert_int_equal(gan_rng_get_state(st, c->rng), GAN_OK);
    bytes_add(b, st, sizeof st);
}
static int call_nets(ctx *c) { return build_nets(c); }
static void fp_nets(bytes *b, const ctx *c)
{
    fp_net(b, c->g);
    fp_net(b, c->d);
}
static int call_optimizers(ctx *c) { return build_optimizers(c); }
static void fp_optimizers(bytes *b, const ctx *c)
{
    const gan_optimizer *o[2] = {c->gopt, c->dopt};
    for (int i = 0; i < 2; i++) {
        if (o[i] == NULL) {
            bytes_add(b, "<no optimizer>", 14);
            continue;
        }
        const size_t n = gan_optimizer_state_size(o[i]);
        unsigned char *s = malloc(n);
        assert_non_null(s);
        assert_int_equal(gan_optimizer_get_state(s, n, o[i]), GAN_OK);
        bytes_add(b, s, n);
        free(s);
    }
}
static int call_dataset(ctx *c)
{
    toy_rows(c->toy);
    return gan_dataset_create(&c->data, c->toy, DATA_ROWS, 2);
}
static void fp_data(bytes *b, const ctx *c) { fp_dataset(b, c->data); }
static void setup_before_session(ctx *c)
{
    assert_int_equal(build_nets(c), GAN_OK);
    assert_int_equal(build_optimizers(c), GAN_OK);
    toy_rows(c->toy);
    assert_int_equal(gan_dataset_create(&c->data, c->toy, DATA_ROWS, 2), GAN_OK);
}
static int call_session(ctx *c) { return build_session(c); }
static void fp_sess(bytes *b, const ctx *c) { fp_session(b, c); }

/* load */
static int call_net_load(ctx *c) { return gan_net_load(&c->loaded, net_file); }
static void fp_loaded(bytes *b, const ctx *c) { fp_net(b, c->loaded); }
static int call_ckpt_load(ctx *c) { return gan_session_load(c->s, ckpt_file); }
static int call_idx_plain(ctx *c) { return gan_dataset_load_idx(&c->idx, idx_img, idx_lab); }
static int call_idx_gz(ctx *c) { return gan_dataset_load_idx(&c->idx, idx_img_gz, idx_lab_gz); }
static void fp_idx(bytes *b, const ctx *c) { fp_dataset(b, c->idx); }

/* step: the first step (workspaces grow, the rollback snapshot is taken)
 * and a later one */
static int call_step(ctx *c) { return gan_session_step(NULL, c->s); }
static void setup_session_stepped(ctx *c)
{
    build_all(c);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gan_session_step(NULL, c->s), GAN_OK);
}

/* save: over an existing file, which a failure must leave alone */
static void put_old_file(void)
{
    FILE *f = fopen(out_file, "wb");
    assert_non_null(f);
    fputs("the old file", f);
    fclose(f);
}
static void setup_save_net(ctx *c)
{
    assert_int_equal(build_nets(c), GAN_OK);
    put_old_file();
}
static void setup_save_session(ctx *c)
{
    setup_session_stepped(c);
    put_old_file();
}
static void setup_save_png(ctx *c)
{
    for (size_t i = 0; i < 64; i++)
        c->out[i] = (float)i / 63.0f;
    put_old_file();
}
static int call_net_save(ctx *c) { return gan_net_save(c->g, out_file); }
static int call_ckpt_save(ctx *c) { return gan_session_save(c->s, out_file); }
static int call_png(ctx *c) { return gan_png_write_grid(out_file, c->out, 2, 2, 4, 4, NULL); }
static void fp_out_file(bytes *b, const ctx *c)
{
    (void)c;
    bytes_add_file(b, out_file);
    fp_stray_files(b);
}

/* evaluate */
static void setup_eval(ctx *c) { toy_rows(c->toy); }
static int call_parzen(ctx *c)
{
    int rc = gan_parzen_create(&c->parzen, c->toy, DATA_ROWS, 2);
    if (!rc) rc = gan_parzen_set_block_rows(c->parzen, 4);
    if (!rc)
        rc = gan_parzen_log_likelihood(c->ll, NULL, NULL, c->parzen, c->toy + 2, 10, 2, 0.3);
    return rc;
}
static void fp_parzen(bytes *b, const ctx *c) { bytes_add(b, c->ll, 10 * sizeof(double)); }
static void teardown_parzen_for_retry(ctx *c)
{
    gan_parzen_free(c->parzen);
    c->parzen = NULL;
}
static int call_parzen_retry(ctx *c)
{
    teardown_parzen_for_retry(c);
    return call_parzen(c);
}
static int call_nn(ctx *c)
{
    return gan_nearest_neighbors(c->nn_index, c->nn_dist, c->toy, 6, 2, c->toy + 6, 6, 2);
}
static void fp_nn(bytes *b, const ctx *c)
{
    bytes_add(b, c->nn_index, 6 * sizeof(int64_t));
    bytes_add(b, c->nn_dist, 6 * sizeof(float));
}
static void setup_forward(ctx *c) { assert_int_equal(build_nets(c), GAN_OK); }
static int call_forward(ctx *c)
{
    float z[4 * ZW];
    for (size_t i = 0; i < 4 * ZW; i++)
        z[i] = 0.1f * (float)i - 0.5f;
    return gan_net_forward(c->out, 2, c->g, z, 4, ZW, 0);
}
static void fp_forward(bytes *b, const ctx *c) { bytes_add(b, c->out, 8 * sizeof(float)); }
static void setup_sample(ctx *c) { build_all(c); }
static int call_sample(ctx *c)
{
    float z[5 * ZW];
    for (size_t i = 0; i < 5 * ZW; i++)
        z[i] = 0.05f * (float)i - 0.3f;
    return gan_session_sample(c->out, 5, 2, c->s, z);
}
static void fp_sample(bytes *b, const ctx *c) { bytes_add(b, c->out, 10 * sizeof(float)); }

static const stage stages[] = {
    {"create rng", setup_none, call_rng, fp_rng, 1},
    {"create nets", setup_none, call_nets, fp_nets, 1},
    {"create optimizers", setup_nets, call_optimizers, fp_optimizers, 1},
    {"create dataset", setup_none, call_dataset, fp_data, 1},
    {"create session", setup_before_session, call_session, fp_sess, 1},
    {"load net", setup_none, call_net_load, fp_loaded, 1},
    {"load checkpoint", setup_session, call_ckpt_load, fp_sess, 1},
    {"load IDX plain", setup_none, call_idx_plain, fp_idx, 1},
    {"load IDX gzip", setup_none, call_idx_gz, fp_idx, 1},
    {"first session step", setup_session, call_step, fp_sess, 1},
    {"later session step", setup_session_stepped, call_step, fp_sess, 1},
    {"save net", setup_save_net, call_net_save, fp_out_file, 1},
    {"save checkpoint", setup_save_session, call_ckpt_save, fp_out_file, 1},
    {"save PNG grid", setup_save_png, call_png, fp_out_file, 1},
    {"net forward", setup_forward, call_forward, fp_forward, 0},
    {"session sample", setup_sample, call_sample, fp_sample, 0},
    {"Parzen log-likelihood", setup_eval, call_parzen_retry, fp_parzen, 0},
    {"nearest neighbours", setup_eval, call_nn, fp_nn, 0},
};
#define N_STAGES (sizeof stages / sizeof stages[0])

/* ---- the walk ----------------------------------------------------------------- */

static unsigned long total_walked, total_absorbed;

/* Failed checks are counted and described, and the walk goes on, so one
 * run lists every broken promise. */
static unsigned long n_failures;
static int quiet; /* the warm-up run reports nothing */

static void report(const stage *st, unsigned long k, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("[%s] allocation %lu failing: %s\n", st->name, k, msg);
    n_failures++;
}

static size_t leaked_blocks(size_t *bytes_out)
{
    lock();
    size_t n = n_tracked, sum = 0;
    for (size_t i = 0; i < n_tracked; i++)
        sum += tracked_size[i];
    n_tracked = 0;
    unlock();
    *bytes_out = sum;
    return n;
}

/* One run of stage st failing allocation k (0: none). Returns the number of
 * allocations the call made; ref is filled when k is 0, else compared. */
static unsigned long run_stage(const stage *st, unsigned long k, bytes *ref)
{
    ctx c;
    memset(&c, 0, sizeof c);
    st->setup(&c);
    bytes before = {0}, after = {0};
    st->fingerprint(&before, &c);
    gan_error_clear();
    arm(k);
    int rc = st->call(&c);
    disarm();
    const unsigned long made = n_allocs;
    const int code = gan_error_last_code();
    char msg[600];
    snprintf(msg, sizeof msg, "%s", gan_error_last());
    st->fingerprint(&after, &c);

    if (k == 0) {
        if (rc != GAN_OK)
            report(st, 0, "the reference run failed: %d %s", rc, msg);
        *ref = after;
        after.p = NULL;
    } else if (!injected) {
        /* k is past the last allocation: nothing to check */
    } else if (rc == GAN_OK) {
        total_absorbed++;
        print_message("[%s] allocation %lu failing: absorbed, the call succeeded\n", st->name, k);
        if (!bytes_equal(&after, ref))
            report(st, k, "returned GAN_OK after the failure, with a different result");
    } else {
        if (rc != GAN_ENOMEM)
            report(st, k, "returned %d (%s), expected GAN_ENOMEM: %s", rc, gan_strerror(rc), msg);
        else if (code != GAN_ENOMEM)
            report(st, k, "returned GAN_ENOMEM but gan_error_last_code() is %d", code);
        if (st->all_or_nothing && !bytes_equal(&after, &before))
            report(st, k, "the failed call changed the state (%s)", msg);
        /* Usable: the same call without a failure gives the reference. */
        {
            int rc2 = st->call(&c);
            bytes again = {0};
            st->fingerprint(&again, &c);
            if (rc2 != GAN_OK)
                report(st, k, "the retry failed: %d %s", rc2, gan_error_last());
            else if (!bytes_equal(&again, ref))
                report(st, k, "the retry gave a result different from an uninterrupted run");
            bytes_free(&again);
        }
    }
    free_all(&c);
    unlink(out_file);
    bytes_free(&before);
    bytes_free(&after);
    size_t leak_bytes;
    const size_t leaks = leaked_blocks(&leak_bytes);
    if (leaks != 0)
        report(st, k, "%zu blocks (%zu bytes) leaked", leaks, leak_bytes);
    if (tracked_overflow)
        report(st, k, "too many live allocations to track");
    return made;
}

static void write_raw(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile f = gzopen(path, "wb9");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(f), Z_OK);
}

static void make_fixtures(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gan_alloc_walk_XXXXXX", base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(idx_img, sizeof idx_img, "%s/images.idx", dir);
    snprintf(idx_lab, sizeof idx_lab, "%s/labels.idx", dir);
    snprintf(idx_img_gz, sizeof idx_img_gz, "%s/images.idx.gz", dir);
    snprintf(idx_lab_gz, sizeof idx_lab_gz, "%s/labels.idx.gz", dir);
    snprintf(net_file, sizeof net_file, "%s/g.net", dir);
    snprintf(ckpt_file, sizeof ckpt_file, "%s/s.ckpt", dir);
    snprintf(out_file, sizeof out_file, "%s/out.bin", dir);

    unsigned char img[16 + 20 * 16] = {0, 0, 8, 3, 0, 0, 0, 20, 0, 0, 0, 4, 0, 0, 0, 4};
    for (size_t i = 16; i < sizeof img; i++)
        img[i] = (unsigned char)(i * 29);
    unsigned char lab[8 + 20] = {0, 0, 8, 1, 0, 0, 0, 20};
    for (size_t i = 8; i < sizeof lab; i++)
        lab[i] = (unsigned char)(i % 10);
    write_raw(idx_img, img, sizeof img);
    write_raw(idx_lab, lab, sizeof lab);
    write_gz(idx_img_gz, img, sizeof img);
    write_gz(idx_lab_gz, lab, sizeof lab);

    /* A checkpoint two steps in, and a net, to load. */
    ctx c;
    memset(&c, 0, sizeof c);
    build_all(&c);
    for (int i = 0; i < 2; i++)
        assert_int_equal(gan_session_step(NULL, c.s), GAN_OK);
    assert_int_equal(gan_session_save(c.s, ckpt_file), GAN_OK);
    assert_int_equal(gan_net_save(c.g, net_file), GAN_OK);
    free_all(&c);
}

static void remove_fixtures(void)
{
    const char *files[] = {idx_img, idx_lab, idx_img_gz, idx_lab_gz, net_file, ckpt_file, out_file};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    DIR *dd = opendir(dir);
    if (dd != NULL) {
        struct dirent *e;
        char path[600];
        while ((e = readdir(dd)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(dd);
    }
    rmdir(dir);
}

/* The interposition reaches the shared libraries: zlib's inflateInit,
 * libpng's png_create_write_struct and the C library's fdopen each allocate
 * through the functions above. */
static int allocs_seen_in_libraries(void)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    arm(0);
    int zrc = inflateInit(&zs);
    disarm();
    const unsigned long in_zlib = n_allocs;
    if (zrc == Z_OK)
        inflateEnd(&zs);

    arm(0);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    disarm();
    const unsigned long in_png = n_allocs;
    png_destroy_write_struct(&png, NULL);

    int fd = open("/dev/null", O_WRONLY);
    arm(0);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f != NULL)
        fputc('\n', f); /* the stream allocates its buffer on first use */
    disarm();
    const unsigned long in_libc = n_allocs;
    if (f != NULL)
        fclose(f);
    else if (fd >= 0)
        close(fd);
    size_t leak_bytes;
    leaked_blocks(&leak_bytes);
    print_message("allocations seen: zlib %lu, libpng %lu, C library %lu\n", in_zlib, in_png,
                  in_libc);
    return in_zlib > 0 && in_png > 0 && in_libc > 0;
}

static void test_walk(void **state)
{
    (void)state;
    if (under_valgrind()) {
        print_message("skipped: the walk replaces malloc, which valgrind also does\n");
        skip();
    }
    make_fixtures();
    /* Warm-up: lazy initialisations (the BLAS, the C library's stdio) happen
     * here, so they are not counted as leaks of the first stage. */
    quiet = 1;
    for (size_t i = 0; i < N_STAGES; i++) {
        bytes ref = {0};
        run_stage(&stages[i], 0, &ref);
        bytes_free(&ref);
    }
    quiet = 0;
    for (size_t i = 0; i < N_STAGES; i++) {
        const stage *st = &stages[i];
        bytes ref = {0};
        const unsigned long n = run_stage(st, 0, &ref);
        for (unsigned long k = 1; k <= n; k++) {
            const unsigned long made = run_stage(st, k, &ref);
            if (made < k)
                report(st, k, "only %lu allocations this time, %lu in the reference", made, n);
            total_walked++;
        }
        bytes_free(&ref);
        print_message("%-24s %4lu allocations walked\n", st->name, n);
    }
    remove_fixtures();
    print_message("%lu injected failures, %lu absorbed (call succeeded anyway), %lu failed checks\n",
                  total_walked, total_absorbed, n_failures);
    assert_true(allocs_seen_in_libraries());
    assert_true(total_walked >= 100);
    assert_int_equal(n_failures, 0);
}
#endif /* !WALK_UNDER_ASAN */

#if WALK_UNDER_ASAN
static void test_walk(void **state)
{
    (void)state;
    print_message("skipped: the walk replaces malloc, which the sanitizer (ASan or TSan) also does\n");
    skip();
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
