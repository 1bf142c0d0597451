/* File-system layer: what an atomic save refuses to replace, empty and
 * overlong paths, and the cleanup of interrupted saves' temporary files. */
#define _DEFAULT_SOURCE /* flock, symlink */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gan.h"
#include "common.h"
#include "fs.h"

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/gan_fs_XXXXXX");
    return mkdtemp(g_dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", g_dir, name);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries in dir (without . and ..). */
static int count_entries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "exit $(ls -A '%s' | wc -l)", dir);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    return WEXITSTATUS(rc);
}

static void write_bytes(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* A tiny trained-nothing session and everything it borrows. */
typedef struct fixture {
    gan_net *g, *d;
    gan_optimizer *gopt, *dopt;
    gan_dataset *data;
    gan_session *s;
} fixture;

static void fixture_make(fixture *f)
{
    static const float x[8] = {0, 1, 1, 0, 0.5f, 0.5f, 1, 1};
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 7), GAN_OK);
    assert_int_equal(gan_dataset_create(&f->data, x, 4, 2), GAN_OK);
    assert_int_equal(gan_net_create(&f->g, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->g, 2, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_init(f->g, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    assert_int_equal(gan_net_create(&f->d, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(f->d, 1, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(f->d, rng, GAN_INIT_UNIFORM, 0.1f), GAN_OK);
    gan_rng_free(rng);
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    assert_int_equal(gan_optimizer_create(&f->gopt, f->g, &o), GAN_OK);
    assert_int_equal(gan_optimizer_create(&f->dopt, f->d, &o), GAN_OK);
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.batch_size = 2;
    so.noise_width = 2;
    assert_int_equal(gan_session_create(&f->s, f->g, f->d, f->gopt, f->dopt, f->data, &so), GAN_OK);
}

static void fixture_free(fixture *f)
{
    gan_session_free(f->s);
    gan_optimizer_free(f->gopt);
    gan_optimizer_free(f->dopt);
    gan_net_free(f->g);
    gan_net_free(f->d);
    gan_dataset_free(f->data);
}

static const float grid_pixels[4] = {0, 0.25f, 0.5f, 1};

/* Each public save over path returns code with a message naming path and
 * `what`. */
static void expect_saves_refused(const fixture *f, const char *path, int code, const char *what)
{
    EXPECT_ERR(gan_net_save(f->g, path), code, "gan_net_save", path);
    check_msg(what, NULL);
    EXPECT_ERR(gan_session_save(f->s, path), code, "gan_session_save", path);
    check_msg(what, NULL);
    EXPECT_ERR(gan_png_write_grid(path, grid_pixels, 1, 1, 2, 2, NULL), code, "gan_png_write_grid", path);
    check_msg(what, NULL);
    EXPECT_ERR(gan__file_write_atomic("fn", path, "x", 1), code, "fn", path);
    check_msg(what, NULL);
}

/* A FIFO, and a symbolic link to one, are left alone: no save replaces
 * them with a regular file, and no temporary file stays behind. */
static void test_save_refuses_fifo(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f);
    char fifo[128], link[128];
    tmp_path(fifo, sizeof fifo, "fifo");
    tmp_path(link, sizeof link, "link");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("fifo", link), 0);
    expect_saves_refused(&f, fifo, GAN_EIO, "a FIFO");
    expect_saves_refused(&f, link, GAN_EIO, "a FIFO");
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(count_entries(g_dir), 2);
    /* A folder is refused up front too. */
    char sub[128];
    tmp_path(sub, sizeof sub, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    expect_saves_refused(&f, sub, GAN_EIO, "a directory");
    assert_int_equal(count_entries(sub), 0);
    unlink(link);
    unlink(fifo);
    rmdir(sub);
    fixture_free(&f);
}

/* A device node is refused before anything is created next to it (run as
 * root, the old code would have replaced /dev/null). */
static void test_save_refuses_device(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f);
    expect_saves_refused(&f, "/dev/null", GAN_EIO, "a character device");
    struct stat st;
    assert_int_equal(lstat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    fixture_free(&f);
}

/* Empty paths are refused up front by every function taking a path, with
 * GAN_EINVAL naming the function (or, for loads, what was to be loaded)
 * and the argument. */
static void test_empty_paths(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f);
    EXPECT_ERR(gan_net_save(f.g, ""), GAN_EINVAL, "gan_net_save", "path is empty");
    EXPECT_ERR(gan_session_save(f.s, ""), GAN_EINVAL, "gan_session_save", "path is empty");
    EXPECT_ERR(gan_png_write_grid("", grid_pixels, 1, 1, 2, 2, NULL), GAN_EINVAL,
               "gan_png_write_grid", "path is empty");
    gan_net *net = (gan_net *)(uintptr_t)1;
    EXPECT_ERR(gan_net_load(&net, ""), GAN_EINVAL, "gan_net_load", "path is empty");
    assert_null(net);
    EXPECT_ERR(gan_session_load(f.s, ""), GAN_EINVAL, "gan_session_load", "path is empty");
    gan_dataset *ds = (gan_dataset *)(uintptr_t)1;
    EXPECT_ERR(gan_dataset_load_idx(&ds, "", NULL), GAN_EINVAL, "gan_dataset_load_idx", "images_path is empty");
    assert_null(ds);
    char missing[128];
    tmp_path(missing, sizeof missing, "no_such_images");
    EXPECT_ERR(gan_dataset_load_idx(&ds, missing, ""), GAN_EINVAL, "gan_dataset_load_idx",
               "labels_path is empty");
    EXPECT_ERR(gan__file_write_atomic("fn", "", "x", 1), GAN_EINVAL, "fn", "path is empty");
    void *data;
    size_t len;
    EXPECT_ERR(gan__file_read_all(&data, &len, "", 16, "a libgan file"), GAN_EINVAL, NULL, "path is empty");
    fixture_free(&f);
}

/* path of n bytes: g_dir, then folders "d...d/" that do not exist, then
 * "net.bin". */
static char *long_path(size_t n)
{
    char *p = xmalloc(n + 1);
    size_t at = (size_t)snprintf(p, n + 1, "%s/", g_dir);
    while (at < n - 7) {
        size_t seg = n - 7 - at > 200 ? 200 : n - 7 - at;
        memset(p + at, 'd', seg - 1);
        p[at + seg - 1] = '/';
        at += seg;
    }
    memcpy(p + at, "net.bin", 8);
    assert_int_equal(strlen(p), n);
    return p;
}

/* The message ends with its reason, whatever the path's length. */
static void expect_reason_at_end(const char *reason)
{
    const char *msg = gan_error_last();
    const size_t m = strlen(msg), r = strlen(reason);
    if (m < r || strcmp(msg + m - r, reason) != 0) {
        print_error("message of %zu bytes does not end with \"%s\": ...%s\n", m, reason,
                    m > 200 ? msg + m - 200 : msg);
        fail();
    }
}

static void test_long_paths(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f);
    /* 4000 bytes: the whole path and the reason are shown. */
    char *p = long_path(4000);
    gan_net *net;
    EXPECT_ERR(gan_net_load(&net, p), GAN_EIO, NULL, p);
    expect_reason_at_end("No such file or directory");
    EXPECT_ERR(gan_net_save(f.g, p), GAN_EIO, "gan_net_save", p);
    expect_reason_at_end("No such file or directory");
    gan_dataset *ds;
    EXPECT_ERR(gan_dataset_load_idx(&ds, p, p), GAN_EIO, NULL, p);
    expect_reason_at_end("No such file or directory");
    free(p);
    /* 20000 bytes: the middle of the message gives way, never its start
     * or its reason. */
    p = long_path(20000);
    EXPECT_ERR(gan_net_save(f.g, p), GAN_EIO, "gan_net_save", "...");
    assert_true(strncmp(gan_error_last(), "gan_net_save: /tmp/gan_fs_", 26) == 0);
    expect_reason_at_end("File name too long");
    assert_true(strlen(gan_error_last()) > 4000);
    free(p);
    fixture_free(&f);
}

/* Stale temporary files of one destination go at its next successful
 * save; anything else stays: other destinations, other name shapes,
 * symbolic links (and what they point to), FIFOs, other users' files and a
 * file a running save holds locked. */
static void test_stale_temps(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f);
    char dest[128];
    tmp_path(dest, sizeof dest, "model.bin");
    struct {
        const char *name;
        int kind; /* 0 file, 1 symlink to victim, 2 FIFO, 3 other user's, 4 locked */
        int removed;
    } cases[] = {
        {".model.bin.gan-tmp.AbC123", 0, 1},
        {".model.bin.gan-tmp.zzzzzz", 0, 1},
        {".model.bin.gan-tmp.LnK123", 1, 0},
        {".model.bin.gan-tmp.fIfO12", 2, 0},
        {".model.bin.gan-tmp.0ther1", 3, 0},
        {".model.bin.gan-tmp.L0cked", 4, 0},
        {".model.bin.gan-tmp.AbC12", 0, 0},
        {".model.bin.gan-tmp.AbC1234", 0, 0},
        {".model.bin.gan-tmp.AbC-12", 0, 0},
        {".model.bi.gan-tmp.AbC123", 0, 0},
        {".xmodel.bin.gan-tmp.AbC123", 0, 0},
        {"model.bin.gan-tmp.AbC123", 0, 0},
        {"model.bin.tmp.AbC123", 0, 0},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    char victim[128], path[256];
    tmp_path(victim, sizeof victim, "victim");
    write_bytes(victim, "keep me");
    int locked_fd = -1;
    const int root = geteuid() == 0;
    for (size_t i = 0; i < n; i++) {
        tmp_path(path, sizeof path, cases[i].name);
        switch (cases[i].kind) {
        case 1:
            assert_int_equal(symlink("victim", path), 0);
            break;
        case 2:
            assert_int_equal(mkfifo(path, 0600), 0);
            break;
        case 3:
            write_bytes(path, "stale");
            /* Only root can give a file away; others test the rest. */
            if (root)
                assert_int_equal(chown(path, 65534, 65534), 0);
            else
                cases[i].removed = 1;
            break;
        case 4:
            write_bytes(path, "in use");
            locked_fd = open(path, O_RDONLY | O_CLOEXEC);
            assert_true(locked_fd >= 0);
            assert_int_equal(flock(locked_fd, LOCK_EX | LOCK_NB), 0);
            break;
        default:
            write_bytes(path, "stale");
        }
    }
    /* A refused save removes nothing. */
    char sub[128];
    tmp_path(sub, sizeof sub, "model.bin.d");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(gan_net_save(f.g, sub), GAN_EIO);
    assert_int_equal(count_entries(g_dir), (int)n + 2);
    assert_int_equal(gan_net_save(f.g, dest), GAN_OK);
    for (size_t i = 0; i < n; i++) {
        tmp_path(path, sizeof path, cases[i].name);
        if (exists(path) == cases[i].removed)
            fail_msg("%s: %s", cases[i].name, cases[i].removed ? "not removed" : "removed");
    }
    void *data;
    size_t len;
    assert_int_equal(gan__file_read_all(&data, &len, victim, 64, "a libgan file"), GAN_OK);
    assert_memory_equal(data, "keep me", 7);
    free(data);
    /* Once its save has ended (the lock is gone), the file is stale too. */
    close(locked_fd);
    assert_int_equal(gan_net_save(f.g, dest), GAN_OK);
    tmp_path(path, sizeof path, ".model.bin.gan-tmp.L0cked");
    assert_false(exists(path));
    gan_net *back;
    assert_int_equal(gan_net_load(&back, dest), GAN_OK);
    gan_net_free(back);
    fixture_free(&f);
}

/* Saving through a symbolic link cleans up beside the file it points to,
 * where the temporaries are made. */
static void test_stale_temps_through_link(void **state)
{
    (void)state;
    char sub[128], real[160], link[128], stale[192], wrong[192];
    tmp_path(sub, sizeof sub, "real_dir");
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(real, sizeof real, "%s/target.bin", sub);
    tmp_path(link, sizeof link, "via.bin");
    snprintf(stale, sizeof stale, "%s/.target.bin.gan-tmp.q1w2e3", sub);
    tmp_path(wrong, sizeof wrong, ".via.bin.gan-tmp.q1w2e3");
    write_bytes(real, "old");
    write_bytes(stale, "stale");
    write_bytes(wrong, "not a temporary of target.bin");
    assert_int_equal(symlink("real_dir/target.bin", link), 0);
    assert_int_equal(gan__file_write_atomic("fn", link, "new", 3), GAN_OK);
    assert_false(exists(stale));
    assert_true(exists(wrong));
    assert_int_equal(count_entries(sub), 1);
    assert_int_equal(gan__fs_remove_stale_temps(g_dir, "via.bin"), 1);
    assert_false(exists(wrong));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_refuses_fifo),
        cmocka_unit_test(test_save_refuses_device),
        cmocka_unit_test(test_empty_paths),
        cmocka_unit_test(test_long_paths),
        cmocka_unit_test(test_stale_temps),
        cmocka_unit_test(test_stale_temps_through_link),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
