/* Misuse table over every function of gan.h.
 *
 * Each row of misuse_rows.h names a function, a short case label, the
 * status the call must return and optionally a text the message must hold,
 * and makes the call. For every row the harness checks:
 *   - the return code;
 *   - for an error: gan_error_last_code() equals it, and gan_error_last()
 *     is a printable message naming the function (or, for file errors, the
 *     path the call was given: gan.h promises the message names "the
 *     argument or file at fault");
 *   - for GAN_OK rows (free(NULL), getters on NULL, ...): no error raised;
 *   - a failed call leaves the fixture's handles as they were (nets'
 *     parameters, optimizer states, RNG state, session and dataset
 *     counters), unless the row says a change is part of the contract;
 *   - nothing crashes or leaks (CI runs this under ASan/UBSan and valgrind).
 * Every GAN_EXTERN function of include/gan.h (read at run time) must have
 * rows, so a function added without rows fails this test.
 *
 * Rows that fail because of a defect being fixed carry a known_defect label
 * (issue 15's defect number); they are reported as skipped with a warning,
 * and a flagged row that passes fails the test, so the flag gets removed. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common.h"

#include <errno.h>
#include <ftw.h>
#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#ifndef GAN_HEADER_PATH
#error "GAN_HEADER_PATH (include/gan.h) must be defined by the build"
#endif

/* A request for more memory than exists must come back as NULL (the
 * library then reports GAN_ENOMEM), not end the process, under the
 * sanitizers too. (The build hides symbols by default; these hooks must
 * be seen by the sanitizer runtime.) */
#define SANITIZER_HOOK __attribute__((visibility("default"), used))
SANITIZER_HOOK const char *__asan_default_options(void);
SANITIZER_HOOK const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
SANITIZER_HOOK const char *__tsan_default_options(void);
SANITIZER_HOOK const char *__tsan_default_options(void)
{
    return "allocator_may_return_null=1";
}

/* ---- fixture ------------------------------------------------------------ */

#define G_IN 4   /* noise width */
#define G_OUT 6  /* G's output = D's input = data width */
#define N_ROWS 10
#define BATCH 4
#define BUF 512

enum path_id {
    P_NET, P_CKPT, P_CKPT_SEED2, P_EMPTY, P_NET_TRUNC, P_CKPT_TRUNC, P_NET_NAN, P_NET_INF,
    P_CKPT_NAN, P_NET_TAIL, P_FIFO, P_DIR, P_MISSING, P_UNDER_FILE, P_DEV, P_DEV_ZERO,
    P_LONG_MISSING, P_IDX_IMG, P_IDX_LAB, P_IDX_LAB3, P_IDX_GZ, P_IDX_GZ_NOTRAILER,
    P_IDX_GZ_TAIL, P_IDX_TRUNC, P_IDX_TAIL, P_IDX_BADTYPE, P_OUT, P_NO_FOLDER, P_SAVE_SPECIAL,
    P_COUNT
};

static char tmpdir[64];
static char paths[P_COUNT][1024];

typedef struct fx {
    gan_rng *rng;
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_dataset *data;
    gan_session *s;
    gan_parzen *p;
    gan_toy_options toy;
    gan_session_options so;
    gan_optimizer_options oo;
    float x[64 * G_OUT];  /* valid rows of width G_OUT, values in [0,1] */
    float z[64 * G_IN];   /* valid noise rows */
    float out[BUF];       /* output scratch */
    double dout[BUF];
    int64_t iout[BUF];
    int32_t i32[BUF];
    uint64_t st[GAN_RNG_STATE_WORDS];
    gan_layer_info info;
    gan_step_stats ss;
    gan_stats stats;
    gan_coverage cov;
    const float *cp;
    size_t n1, n2;
    int called;            /* the row made its call (CALL or CALLV) */
    int code;              /* gan_error_last_code() right after it */
    char msg[1024];        /* gan_error_last() right after it */
    const char *path_used; /* the file the call names */
    const char *note;      /* a failed post-condition */
    int may_change;        /* the call may change the fixture's handles */
    int skip;              /* the row cannot run here (no device nodes) */
    /* snapshot before the call */
    unsigned char *snap;
    size_t snap_len;
} fx;

#define SETUP_FAILED 999

static unsigned char *state_bytes(const fx *f, size_t *len)
{
    const size_t ng = gan_net_num_params(f->g), nd = gan_net_num_params(f->d);
    const size_t og = gan_optimizer_state_size(f->g_opt), od = gan_optimizer_state_size(f->d_opt);
    const size_t n = (ng + nd) * sizeof(float) + og + od + sizeof f->st + 3 * sizeof(uint64_t);
    unsigned char *b = calloc(1, n);
    if (b == NULL)
        return NULL;
    size_t at = 0;
    (void)gan_net_get_params((float *)(void *)(b + at), ng, f->g);
    at += ng * sizeof(float);
    (void)gan_net_get_params((float *)(void *)(b + at), nd, f->d);
    at += nd * sizeof(float);
    (void)gan_optimizer_get_state(b + at, og, f->g_opt);
    at += og;
    (void)gan_optimizer_get_state(b + at, od, f->d_opt);
    at += od;
    uint64_t st[GAN_RNG_STATE_WORDS];
    (void)gan_rng_get_state(st, f->rng);
    memcpy(b + at, st, sizeof st);
    at += sizeof st;
    const uint64_t counters[3] = {gan_session_iteration(f->s), gan_session_epoch(f->s),
                                  gan_dataset_epoch(f->data)};
    memcpy(b + at, counters, sizeof counters);
    *len = n;
    return b;
}

/* Right before the call under test: forget setup errors, snapshot. */
static int fx_snap(fx *f)
{
    free(f->snap);
    f->snap = state_bytes(f, &f->snap_len);
    gan_error_clear();
    return 0;
}

/* Right after: a failed call must not have changed the handles. The
 * comparison only makes successful library calls, which leave the last
 * error as the call under test set it; the harness checks the copy taken
 * here anyway, so a row may make more calls after it. */
static int fx_after(fx *f, int rc)
{
    f->called = 1;
    f->code = gan_error_last_code();
    snprintf(f->msg, sizeof f->msg, "%s", gan_error_last());
    if (rc != GAN_OK && !f->may_change && f->snap != NULL) {
        size_t len;
        unsigned char *now = state_bytes(f, &len);
        if (now != NULL && (len != f->snap_len || memcmp(now, f->snap, len) != 0))
            f->note = "the failed call changed the handles (params, optimizer, RNG or counters)";
        free(now);
    }
    return rc;
}

/* The call under test returns a status. */
#define CALL(expr) (fx_snap(f), fx_after(f, (expr)))
/* The call under test returns something else: its status is the last error. */
#define CALLV(stmt) do { fx_snap(f); stmt; } while (0); return fx_after(f, gan_error_last_code())
/* Preparation that must succeed. */
#define SETUP(expr) \
    do { if ((expr) != GAN_OK) { f->note = "setup failed: " #expr; return SETUP_FAILED; } } while (0)
#define NOTE_IF(cond, text) do { if (cond) f->note = (text); } while (0)
#define PATH(id) (f->path_used = paths[id])

static void fx_make(fx *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < 64 * G_OUT; i++)
        f->x[i] = (float)((i * 37) % 101) / 100.0f;
    for (size_t i = 0; i < 64 * G_IN; i++)
        f->z[i] = (float)((i * 53) % 201) / 100.0f - 1.0f;
    assert_int_equal(gan_rng_create(&f->rng, 1), GAN_OK);
    assert_int_equal(gan_net_create(&f->g, G_IN), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, 8, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, G_OUT, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(f->g, f->rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    /* D: maxout, dropout, leaky ReLU dense, one logit. */
    assert_int_equal(gan_net_create(&f->d, G_OUT), GAN_OK);
    assert_int_equal(gan_net_add_maxout(f->d, 4, 2), GAN_OK);
    assert_int_equal(gan_net_add_dropout(f->d, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->d, 5, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->d, 1, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_init(f->d, f->rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    assert_int_equal(gan_optimizer_options_init(&f->oo, GAN_OPTIMIZER_OPTIONS_VERSION), GAN_OK);
    f->oo.learning_rate = 0.05f;
    assert_int_equal(gan_optimizer_create(&f->g_opt, f->g, &f->oo), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->d_opt, f->d, &f->oo), GAN_OK);
    assert_int_equal(gan_dataset_create(&f->data, f->x, N_ROWS, G_OUT), GAN_OK);
    assert_int_equal(gan_session_options_init(&f->so, GAN_SESSION_OPTIONS_VERSION), GAN_OK);
    f->so.batch_size = BATCH;
    f->so.noise_width = G_IN;
    f->so.seed = 1;
    f->so.threads = 1;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->g_opt, f->d_opt, f->data, &f->so),
                     GAN_OK);
    assert_int_equal(gan_parzen_create(&f->p, f->x, 5, G_OUT), GAN_OK);
    assert_int_equal(gan_toy_options_init(&f->toy, GAN_TOY_OPTIONS_VERSION), GAN_OK);
}

static void fx_free(fx *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->g_opt);
    gan_optimizer_free(f->d_opt);
    gan_net_free(f->g);
    gan_net_free(f->d);
    gan_dataset_free(f->data);
    gan_parzen_free(f->p);
    gan_rng_free(f->rng);
    free(f->snap);
    (void)gan_log_set_callback(NULL, NULL, GAN_LOG_ERROR);
}

/* ---- helpers the rows use ---------------------------------------------- */

static int stop_at_once(const gan_stats *st, void *ud)
{
    (void)st;
    (void)ud;
    return 1;
}

static void count_log(int level, const char *message, void *ud)
{
    (void)level;
    (void)message;
    ++*(int *)ud;
}

/* A valid optimizer state blob of opt, malloc'ed. */
static unsigned char *opt_state(const gan_optimizer *opt, size_t *n)
{
    *n = gan_optimizer_state_size(opt);
    unsigned char *b = malloc(*n);
    if (b != NULL && gan_optimizer_get_state(b, *n, opt) != GAN_OK) {
        free(b);
        b = NULL;
    }
    return b;
}

/* gan_optimizer_set_state on a blob of opt changed by edit. */
static int set_state_edited(fx *f, gan_optimizer *opt, int edit)
{
    size_t n;
    unsigned char *b = opt_state(opt, &n);
    if (b == NULL) {
        f->note = "setup failed: optimizer state";
        return SETUP_FAILED;
    }
    size_t len = n;
    switch (edit) {
    case 0: b[n / 2] ^= 0x10; break;                      /* damaged: bad CRC */
    case 1: len = n - 1; break;                           /* truncated */
    case 2: put_f32_at(b, n - 8, NAN); reseal_container(b, n); break; /* NaN */
    case 3: put_f32_at(b, n - 8, INFINITY); reseal_container(b, n); break;
    case 4: b[0] ^= 0xff; break;                          /* magic */
    default: break;
    }
    int rc = CALL(gan_optimizer_set_state(opt, b, len));
    free(b);
    return rc;
}

/* A FIFO or a device node made for one save row: a save that wrongly
 * replaces it must not change the files other rows read. The device is a
 * copy of /dev/null made in the test's folder, never /dev/null itself. */
static const char *fresh_special(fx *f, int kind)
{
    const char *p = paths[P_SAVE_SPECIAL];
    unlink(p);
    if (kind == P_FIFO ? mkfifo(p, 0600) != 0
                       : mknod(p, S_IFCHR | 0600, makedev(1, 3)) != 0) {
        f->note = kind == P_FIFO ? "setup failed: mkfifo" : "setup failed: mknod";
        if (kind != P_FIFO)
            f->skip = 1;
    }
    f->path_used = p;
    return p;
}

/* The fixture's noise (width G_IN) or rows (any other width, read as rows
 * of that width), with v at row r, column c. */
static const float *poisoned(fx *f, size_t width, size_t r, size_t c, float v)
{
    static float buf[64 * G_OUT];
    if (width == G_IN)
        memcpy(buf, f->z, sizeof f->z);
    else
        memcpy(buf, f->x, sizeof f->x);
    buf[r * width + c] = v;
    return buf;
}

static const double sig3[3] = {0.1, 0.2, 0.3};
static const double sig_bad[3] = {0.1, -1.0, 0.3};
static const double sig_nan[3] = {0.1, 0.2, NAN};

/* gan_update_d with a NaN in row real_row of real (or fake_row of fake;
 * -1: none) on a D whose first layer is a ReLU, which maps NaN to 0, so the
 * NaN does not show in the logits. A failed call must leave D and its
 * optimizer as they were, and a clean step afterwards must work. */
static int update_relu_d(fx *f, int real_row, int fake_row)
{
    gan_net *d;
    gan_optimizer *opt;
    if (gan_net_create(&d, G_OUT) != GAN_OK) {
        f->note = "setup failed: net";
        return SETUP_FAILED;
    }
    if (gan_net_add_dense(d, 5, GAN_ACT_RELU) != GAN_OK ||
        gan_net_add_dense(d, 1, GAN_ACT_IDENTITY) != GAN_OK ||
        gan_net_init(d, f->rng, GAN_INIT_UNIFORM, 0.5f) != GAN_OK ||
        gan_optimizer_create(&opt, d, &f->oo) != GAN_OK) {
        gan_net_free(d);
        f->note = "setup failed: net";
        return SETUP_FAILED;
    }
    static float real[8 * G_OUT], fake[8 * G_OUT];
    memcpy(real, f->x, sizeof real);
    memcpy(fake, f->x + 8 * G_OUT, sizeof fake);
    if (real_row >= 0)
        real[real_row * G_OUT + 1] = NAN;
    if (fake_row >= 0)
        fake[fake_row * G_OUT + 1] = NAN;
    const size_t np = gan_net_num_params(d), ns = gan_optimizer_state_size(opt);
    float *p0 = calloc(np, sizeof *p0), *p1 = calloc(np, sizeof *p1);
    unsigned char *s0 = calloc(ns, 1), *s1 = calloc(ns, 1);
    int rc = SETUP_FAILED;
    if (p0 && p1 && s0 && s1 && gan_net_get_params(p0, np, d) == GAN_OK &&
        gan_optimizer_get_state(s0, ns, opt) == GAN_OK) {
        rc = CALL(gan_update_d(&f->ss, d, opt, f->rng, real, fake, 4, G_OUT, 0));
        (void)gan_net_get_params(p1, np, d);
        (void)gan_optimizer_get_state(s1, ns, opt);
        if (rc != GAN_OK && (memcmp(p0, p1, np * sizeof *p0) != 0 || memcmp(s0, s1, ns) != 0))
            f->note = "the failed step changed D or its optimizer";
        else if (gan_update_d(&f->ss, d, opt, f->rng, f->x, f->x + 8 * G_OUT, 4, G_OUT, 0) != GAN_OK)
            f->note = "a clean step after the NaN step fails";
    }
    free(p0);
    free(p1);
    free(s0);
    free(s1);
    gan_optimizer_free(opt);
    gan_net_free(d);
    return rc;
}

/* ---- the rows ----------------------------------------------------------- */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

typedef struct row {
    const char *fn;
    const char *label;
    int (*call)(fx *f);
    int expect;
    const char *substr;
    const char *known_defect;
    int line;
} row;

/* Rows are one line apart at least, so __LINE__ names each call. */
#define R(fn, label, expect, substr, defect, ...) \
    static int CAT(call_, __LINE__)(fx *f) \
    { \
        (void)f; \
        (void)fn; \
        __VA_ARGS__ \
    }
#include "misuse_rows.h"
#undef R

#define R(fn, label, expect, substr, defect, ...) \
    {#fn, label, CAT(call_, __LINE__), expect, substr, defect, __LINE__},
static const row rows[] = {
#include "misuse_rows.h"
};
#undef R
#define N_ROWS_TABLE (sizeof rows / sizeof rows[0])

/* ---- the harness -------------------------------------------------------- */

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 0;
    return 1;
}

/* Runs one row; returns NULL when it passes, else why it failed (static). */
static const char *run_row(const row *r)
{
    static char why[2048];
    fx f;
    fx_make(&f);
    gan_error_clear();
    const int rc = r->call(&f);
    const int code = f.code;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", f.called ? f.msg : gan_error_last());
    const int called = f.called;
    const char *path = f.path_used;
    const char *note = f.note;
    const int skip_row = f.skip;
    fx_free(&f);
    if (skip_row)
        return "skip";
    if (rc == SETUP_FAILED) {
        snprintf(why, sizeof why, "%s (%s)", note, msg);
        return why;
    }
    if (!called) {
        snprintf(why, sizeof why, "the row made no CALL");
        return why;
    }
    if (rc != r->expect) {
        snprintf(why, sizeof why, "returned %d (%s), expected %d (%s); message: \"%s\"", rc,
                 gan_strerror(rc), r->expect, gan_strerror(r->expect), msg);
        return why;
    }
    if (r->expect == GAN_OK) {
        if (code != GAN_OK) {
            snprintf(why, sizeof why, "succeeded but raised error %d: \"%s\"", code, msg);
            return why;
        }
    } else {
        if (code != rc) {
            snprintf(why, sizeof why, "returned %d but gan_error_last_code() is %d", rc, code);
            return why;
        }
        if (msg[0] == '\0' || strcmp(msg, "no error") == 0) {
            snprintf(why, sizeof why, "failed without a message");
            return why;
        }
        if (!printable(msg)) {
            snprintf(why, sizeof why, "message holds a control byte: \"%s\"", msg);
            return why;
        }
        const int names_fn = strstr(msg, r->fn) != NULL;
        const int names_path = path != NULL && path[0] != '\0' && strstr(msg, path) != NULL;
        if (!names_fn && !names_path) {
            snprintf(why, sizeof why, "message \"%s\" names neither %s%s%s", msg, r->fn,
                     path ? " nor the path " : "", path ? path : "");
            return why;
        }
        if (r->substr != NULL && strstr(msg, r->substr) == NULL) {
            snprintf(why, sizeof why, "message \"%s\" lacks \"%s\"", msg, r->substr);
            return why;
        }
    }
    if (note != NULL) {
        snprintf(why, sizeof why, "%s; message: \"%s\"", note, msg);
        return why;
    }
    return NULL;
}

static void test_row(void **state)
{
    const row *r = *state;
    const char *why = run_row(r);
    if (why != NULL && strcmp(why, "skip") == 0) {
        print_message("SKIPPED %s / %s: needs a device node (mknod not permitted)\n", r->fn,
                      r->label);
        skip();
    } else if (r->known_defect != NULL && why == NULL) {
        print_error("%s / %s (line %d) passes: remove its known_defect \"%s\" flag\n", r->fn,
                    r->label, r->line, r->known_defect);
        fail();
    } else if (r->known_defect != NULL) {
        print_message("WARNING known defect %s: %s / %s (line %d): %s\n", r->known_defect, r->fn,
                      r->label, r->line, why);
        skip();
    } else if (why != NULL) {
        print_error("%s / %s (line %d): %s\n", r->fn, r->label, r->line, why);
        fail();
    }
}

/* Every GAN_EXTERN function of gan.h has rows, and every row names one. */
static void test_every_function_has_rows(void **state)
{
    (void)state;
    FILE *h = fopen(GAN_HEADER_PATH, "r");
    if (h == NULL) {
        print_error("cannot open %s\n", GAN_HEADER_PATH);
        fail();
    }
    char line[1024];
    char names[256][64];
    size_t n = 0, missing = 0;
    while (fgets(line, sizeof line, h) != NULL) {
        const char *ext = strstr(line, "GAN_EXTERN ");
        if (ext == NULL || strstr(line, "#define") != NULL)
            continue;
        const char *paren = strchr(ext, '(');
        assert_non_null(paren);
        const char *end = paren;
        while (end > ext && end[-1] == ' ')
            end--;
        const char *begin = end;
        while (begin > ext && (begin[-1] == '_' || (begin[-1] >= 'a' && begin[-1] <= 'z') ||
                               (begin[-1] >= '0' && begin[-1] <= '9')))
            begin--;
        assert_true(end > begin && (size_t)(end - begin) < sizeof names[0] && n < 256);
        memcpy(names[n], begin, (size_t)(end - begin));
        names[n][end - begin] = '\0';
        size_t k = 0;
        for (size_t i = 0; i < N_ROWS_TABLE; i++)
            k += strcmp(rows[i].fn, names[n]) == 0;
        if (k == 0) {
            print_error("%s in gan.h has no misuse rows\n", names[n]);
            missing++;
        }
        n++;
    }
    fclose(h);
    for (size_t i = 0; i < N_ROWS_TABLE; i++) {
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = strcmp(rows[i].fn, names[j]) == 0;
        if (!found) {
            print_error("row %s / %s names a function not declared GAN_EXTERN in gan.h\n",
                        rows[i].fn, rows[i].label);
            missing++;
        }
    }
    print_message("misuse table: %zu rows over %zu functions of gan.h\n", N_ROWS_TABLE, n);
    assert_true(n >= 90);
    assert_int_equal(missing, 0);
}

/* ---- files the path rows use -------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    unsigned char *b = xmalloc((size_t)n);
    assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const void *b, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void spit_gz(const char *path, const void *b, size_t len)
{
    gzFile z = gzopen(path, "wb");
    assert_non_null(z);
    assert_int_equal(gzwrite(z, b, (unsigned)len), (int)len);
    assert_int_equal(gzclose(z), Z_OK);
}

static void make_files(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gan_misuse_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    static const char *names[P_COUNT] = {
        [P_NET] = "net.gan", [P_CKPT] = "ckpt.gan", [P_CKPT_SEED2] = "ckpt_other.gan",
        [P_EMPTY] = "empty", [P_NET_TRUNC] = "net_trunc.gan", [P_CKPT_TRUNC] = "ckpt_trunc.gan",
        [P_NET_NAN] = "net_nan.gan", [P_NET_INF] = "net_inf.gan", [P_CKPT_NAN] = "ckpt_nan.gan",
        [P_NET_TAIL] = "net_tail.gan", [P_FIFO] = "fifo", [P_DIR] = "dir",
        [P_MISSING] = "missing.gan",
        /* "Unwritable folder": the tests run as root, who may write to any
         * folder, so the folder here is a regular file (ENOTDIR). */
        [P_UNDER_FILE] = "empty/sub.gan", [P_DEV] = NULL /* see fresh_special */,
        [P_DEV_ZERO] = NULL,
        [P_LONG_MISSING] = NULL, [P_IDX_IMG] = "img.idx", [P_IDX_LAB] = "lab.idx",
        [P_IDX_LAB3] = "lab3.idx", [P_IDX_GZ] = "img.idx.gz",
        [P_IDX_GZ_NOTRAILER] = "img_notrailer.idx.gz", [P_IDX_GZ_TAIL] = "img_tail.idx.gz",
        [P_IDX_TRUNC] = "img_trunc.idx", [P_IDX_TAIL] = "img_tail.idx",
        [P_IDX_BADTYPE] = "img_badtype.idx", [P_OUT] = "out.gan",
        [P_NO_FOLDER] = "no_folder/out.gan", [P_SAVE_SPECIAL] = "special"};
    for (int i = 0; i < P_COUNT; i++)
        if (names[i] != NULL)
            snprintf(paths[i], sizeof paths[i], "%s/%s", tmpdir, names[i]);
    snprintf(paths[P_DEV_ZERO], sizeof paths[0], "/dev/zero");
    /* A missing file under ~600 characters of existing folders: longer than
     * the old 512-byte message buffer, so a cut message loses the reason. */
    {
        char *p = paths[P_LONG_MISSING];
        snprintf(p, sizeof paths[0], "%s", tmpdir);
        for (int i = 0; i < 3; i++) {
            size_t len = strlen(p);
            p[len] = '/';
            memset(p + len + 1, 'a' + i, 200);
            p[len + 201] = '\0';
            assert_int_equal(mkdir(p, 0700), 0);
        }
        strcat(p, "/missing.gan");
    }

    fx f;
    fx_make(&f);
    assert_int_equal(gan_net_save(f.g, paths[P_NET]), GAN_OK);
    assert_int_equal(gan_session_step(NULL, f.s), GAN_OK);
    assert_int_equal(gan_session_save(f.s, paths[P_CKPT]), GAN_OK);
    size_t len, n;
    unsigned char *b = slurp(paths[P_NET], &len);
    spit(paths[P_NET_TRUNC], b, len - 10);
    const size_t first_weight = len - 4 - 4 * gan_net_num_params(f.g);
    put_f32_at(b, first_weight, NAN);
    reseal_container(b, len);
    spit(paths[P_NET_NAN], b, len);
    put_f32_at(b, first_weight, INFINITY);
    reseal_container(b, len);
    spit(paths[P_NET_INF], b, len);
    free(b);
    b = slurp(paths[P_NET], &len);
    /* One byte too many, the length field kept: the container refuses it. */
    unsigned char *b2 = xmalloc(len + 1);
    memcpy(b2, b, len);
    b2[len] = 0;
    spit(paths[P_NET_TAIL], b2, len + 1);
    free(b2);
    free(b);

    b = slurp(paths[P_CKPT], &len);
    spit(paths[P_CKPT_TRUNC], b, len / 2);
    /* File: ... | D params | u64 | G opt blob | u64 | D opt blob | CRC.
     * D's last bias becomes NaN. */
    const size_t og = gan_optimizer_state_size(f.g_opt), od = gan_optimizer_state_size(f.d_opt);
    put_f32_at(b, len - 4 - od - 8 - og - 8 - 4, NAN);
    reseal_container(b, len);
    spit(paths[P_CKPT_NAN], b, len);
    free(b);
    fx_free(&f);

    /* The same nets, another seed. */
    fx_make(&f);
    gan_session_free(f.s);
    f.so.seed = 2;
    assert_int_equal(gan_session_create(&f.s, f.g, f.d, f.g_opt, f.d_opt, f.data, &f.so), GAN_OK);
    assert_int_equal(gan_session_save(f.s, paths[P_CKPT_SEED2]), GAN_OK);
    fx_free(&f);

    spit(paths[P_EMPTY], "", 0);
    assert_int_equal(mkfifo(paths[P_FIFO], 0600), 0);
    assert_int_equal(mkdir(paths[P_DIR], 0700), 0);

    /* IDX: 2 images of 2 x 3, labels for 2 and for 3. */
    unsigned char img[16 + 12] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < 12; i++)
        img[16 + i] = (unsigned char)(i * 20);
    spit(paths[P_IDX_IMG], img, sizeof img);
    spit(paths[P_IDX_TRUNC], img, sizeof img - 1);
    unsigned char tail[sizeof img + 1];
    memcpy(tail, img, sizeof img);
    tail[sizeof img] = 7;
    spit(paths[P_IDX_TAIL], tail, sizeof tail);
    unsigned char bad[sizeof img];
    memcpy(bad, img, sizeof img);
    bad[2] = 0x0d; /* float elements */
    spit(paths[P_IDX_BADTYPE], bad, sizeof bad);
    unsigned char lab[8 + 2] = {0, 0, 8, 1, 0, 0, 0, 2, 1, 2};
    spit(paths[P_IDX_LAB], lab, sizeof lab);
    unsigned char lab3[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3};
    spit(paths[P_IDX_LAB3], lab3, sizeof lab3);
    spit_gz(paths[P_IDX_GZ], img, sizeof img);
    b = slurp(paths[P_IDX_GZ], &n);
    spit(paths[P_IDX_GZ_NOTRAILER], b, n - 8);
    b2 = xmalloc(n + 4);
    memcpy(b2, b, n);
    memcpy(b2 + n, "junk", 4);
    spit(paths[P_IDX_GZ_TAIL], b2, n + 4);
    free(b2);
    free(b);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

/* The folder and all in it, leftovers of failed saves included. */
static void remove_files(void)
{
    if (nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        print_message("could not remove all of %s\n", tmpdir);
}

static int group_setup(void **state)
{
    (void)state;
    make_files();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_files();
    return 0;
}

int main(void)
{
    const size_t n = N_ROWS_TABLE + 1;
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    char (*names)[160] = calloc(n, sizeof *names);
    if (tests == NULL || names == NULL)
        return 1;
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_every_function_has_rows);
    for (size_t i = 0; i < N_ROWS_TABLE; i++) {
        snprintf(names[i + 1], sizeof names[0], "%s: %s", rows[i].fn, rows[i].label);
        tests[i + 1].name = names[i + 1];
        tests[i + 1].test_func = test_row;
        tests[i + 1].initial_state = (void *)(uintptr_t)&rows[i];
    }
    const int failed = _cmocka_run_group_tests("misuse", tests, n, group_setup, group_teardown);
    free(tests);
    free(names);
    return failed;
}
