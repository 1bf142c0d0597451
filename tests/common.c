/* Bodies of the test support declared in common.h. The CMocka assertions
 * used here fail the test that called the helper. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serial.h"

int under_valgrind(void)
{
    return getenv("GAN_TEST_VALGRIND") != NULL;
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

/* ---- errors ------------------------------------------------------------- */

void check_msg(const char *fn, const char *arg)
{
    const char *msg = gan_error_last();
    assert_non_null(msg);
    if (fn != NULL && strstr(msg, fn) == NULL) {
        print_error("error message \"%s\" does not name the function \"%s\"\n", msg, fn);
        fail();
    }
    if (arg != NULL && strstr(msg, arg) == NULL) {
        print_error("error message \"%s\" does not name the argument \"%s\"\n", msg, arg);
        fail();
    }
}

void expect_error(int rc, int code, const char *fn)
{
    assert_int_equal(rc, code);
    assert_int_equal(gan_error_last_code(), code);
    assert_non_null(strstr(gan_error_last(), fn));
}

/* ---- numbers ------------------------------------------------------------ */

void assert_close(double got, double want, double rel, double abs_tol, const char *what,
                  size_t index)
{
    double tol = abs_tol + rel * fabs(want);
    if (!(fabs(got - want) <= tol)) {
        print_error("%s[%zu]: got %.9g, expected %.9g (tol %.3g)\n", what, index, got, want, tol);
        fail();
    }
}

void assert_arrays_close(const float *a, const float *b, size_t n, double rel, const char *what)
{
    for (size_t k = 0; k < n; k++)
        assert_close(a[k], b[k], rel, 1e-6, what, k);
}

float *rand_array(gan_rng *rng, size_t n, float lo, float hi)
{
    float *p = xmalloc(n * sizeof *p);
    assert_int_equal(gan_rng_uniform(p, n, rng, lo, hi), GAN_OK);
    return p;
}

float *seeded_uniform(size_t n, uint64_t seed, float lo, float hi)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    float *p = rand_array(rng, n, lo, hi);
    gan_rng_free(rng);
    return p;
}

float *seeded_normal(size_t n, uint64_t seed, float mean, float std)
{
    float *p = xmalloc(n * sizeof *p);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    assert_int_equal(gan_rng_normal(p, n, rng, mean, std), GAN_OK);
    gan_rng_free(rng);
    return p;
}

/* ---- nets --------------------------------------------------------------- */

float *net_params(const gan_net *net)
{
    size_t np = gan_net_num_params(net);
    float *p = xmalloc(np * sizeof *p);
    assert_int_equal(gan_net_get_params(p, np, net), GAN_OK);
    return p;
}

float *net_grads(const gan_net *net)
{
    size_t np = gan_net_num_params(net);
    float *p = xmalloc(np * sizeof *p);
    assert_int_equal(gan_net_get_grads(p, np, net), GAN_OK);
    return p;
}

void randomize(gan_net *net, gan_rng *rng, float scale)
{
    size_t np = gan_net_num_params(net);
    float *p = rand_array(rng, np, -scale, scale);
    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
    free(p);
}

gan_net *make_mlp(size_t in, size_t hidden, int hidden_act, size_t out, int out_act)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, in), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, hidden, hidden_act), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, out, out_act), GAN_OK);
    return net;
}

gan_net *make_maxout_d(size_t in, size_t units, size_t pieces, float keep_in, float keep_hidden)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, in), GAN_OK);
    if (keep_in > 0)
        assert_int_equal(gan_net_add_dropout(net, keep_in), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, units, pieces), GAN_OK);
    if (keep_hidden > 0)
        assert_int_equal(gan_net_add_dropout(net, keep_hidden), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    return net;
}

gan_optimizer *plain_sgd(gan_net *net, float lr)
{
    gan_optimizer_options o = GAN_OPTIMIZER_OPTIONS_INIT;
    o.learning_rate = lr;
    o.momentum = o.momentum_final = 0.0f;
    gan_optimizer *opt;
    assert_int_equal(gan_optimizer_create(&opt, net, &o), GAN_OK);
    return opt;
}

double act_ref(int act, double z, double slope)
{
    switch (act) {
    case GAN_ACT_IDENTITY: return z;
    case GAN_ACT_RELU: return z > 0 ? z : 0;
    case GAN_ACT_LEAKY_RELU: return z > 0 ? z : slope * z;
    case GAN_ACT_TANH: return tanh(z);
    case GAN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    default: fail_msg("unknown activation %d", act);
    }
    return 0;
}

/* ---- files -------------------------------------------------------------- */

void put_f32_at(unsigned char *buf, size_t at, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        buf[at + (size_t)i] = (unsigned char)(u >> (8 * i));
}

void reseal_container(unsigned char *buf, size_t len)
{
    const uint32_t crc = gan__crc32(buf, len - 4);
    for (int i = 0; i < 4; i++)
        buf[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len > 0)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    unsigned char *p = xmalloc((size_t)n);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

void assert_files_equal(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *fa = read_file(a, &la), *fb = read_file(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(fa, fb, la);
    free(fa);
    free(fb);
}

void path_join(char *out, size_t n, const char *dir, const char *name)
{
    int len = snprintf(out, n, "%s/%s", dir, name);
    assert_true(len > 0 && (size_t)len < n);
}

size_t dir_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Remove path and, for a folder, everything below it; symbolic links are
 * removed, not followed. Returns 0 or -1. Runs in teardowns, so it
 * reports instead of asserting. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int rc = 0;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int len = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (len < 0 || (size_t)len >= sizeof sub || remove_tree(sub) != 0)
            rc = -1;
    }
    closedir(d);
    return rmdir(path) == 0 ? rc : -1;
}

int tmpdir_setup(void **state)
{
    char *dir = malloc(32);
    if (dir == NULL)
        return -1;
    strcpy(dir, "/tmp/gan_test_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

int tmpdir_teardown(void **state)
{
    char *dir = *state;
    int rc = remove_tree(dir);
    free(dir);
    return rc;
}
