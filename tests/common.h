/* Test support shared by every CMocka test program in tests/: assertions
 * and error checks, arrays and parameter copies, the small nets several
 * programs build, a double-precision activation reference, files and a
 * fresh temporary folder per test. Bodies live in common.c, which
 * tests/CMakeLists.txt links into every test program.
 *
 * Include this first (after any feature-test macro such as
 * _POSIX_C_SOURCE): it brings in <cmocka.h> with its prerequisites. */
#ifndef GAN_TESTS_COMMON_H
#define GAN_TESTS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gan.h"

#define TEST_PI 3.14159265358979323846

/* ---- run environment ---------------------------------------------------- */

/* Smaller budgets under valgrind (.ci/run sets GAN_TEST_VALGRIND). */
int under_valgrind(void);

/* malloc that fails the test instead of returning NULL; n = 0 is fine. */
void *xmalloc(size_t n);

/* ---- errors ------------------------------------------------------------- */

/* The last error names the function and the argument (either may be
 * NULL: not checked). */
void check_msg(const char *fn, const char *arg);

/* rc is code, the last error's code is code, and its message names fn. */
void expect_error(int rc, int code, const char *fn);

/* call returns code, and the message names fn and arg. */
#define EXPECT_ERR(call, code, fn, arg) \
    do { \
        gan_error_clear(); \
        int rc_ = (call); \
        if (rc_ != (code)) \
            print_error("%s returned %d (%s), expected %d\n", #call, rc_, gan_error_last(), \
                        (int)(code)); \
        assert_int_equal(rc_, (code)); \
        check_msg((fn), (arg)); \
    } while (0)

/* Mismatched shapes: the invalid-argument code or the shape code (gan.h
 * allows either) and the message names fn and arg. */
#define EXPECT_SHAPE_ERR(call, fn, arg) \
    do { \
        gan_error_clear(); \
        int rc_ = (call); \
        if (rc_ != GAN_EINVAL && rc_ != GAN_ESHAPE) \
            print_error("%s returned %d (%s), expected EINVAL or ESHAPE\n", #call, rc_, \
                        gan_error_last()); \
        assert_true(rc_ == GAN_EINVAL || rc_ == GAN_ESHAPE); \
        check_msg((fn), (arg)); \
    } while (0)

/* ---- numbers ------------------------------------------------------------ */

/* |got - want| <= abs_tol + rel |want|, else fail naming what[index]. */
void assert_close(double got, double want, double rel, double abs_tol, const char *what,
                  size_t index);

/* assert_close on every entry of a against b, absolute tolerance 1e-6. */
void assert_arrays_close(const float *a, const float *b, size_t n, double rel, const char *what);

/* n draws of U(lo, hi) from rng (malloc'ed). */
float *rand_array(gan_rng *rng, size_t n, float lo, float hi);

/* n draws of U(lo, hi) or N(mean, std^2) from a fresh rng seeded with
 * seed (malloc'ed). */
float *seeded_uniform(size_t n, uint64_t seed, float lo, float hi);
float *seeded_normal(size_t n, uint64_t seed, float mean, float std);

/* ---- nets --------------------------------------------------------------- */

/* Copies of a net's parameters / gradients (malloc'ed). */
float *net_params(const gan_net *net);
float *net_grads(const gan_net *net);

/* Every parameter, biases too, U(-scale, scale) from rng. */
void randomize(gan_net *net, gan_rng *rng, float scale);

/* in -> dense(hidden, hidden_act) -> dense(out, out_act), parameters zero:
 * the small generators and classifiers of the tests. */
gan_net *make_mlp(size_t in, size_t hidden, int hidden_act, size_t out, int out_act);

/* The paper's discriminator in small, parameters zero:
 * [dropout keep_in] -> maxout(units, pieces) -> [dropout keep_hidden]
 * -> dense(1, sigmoid); a keep of 0 leaves that dropout layer out. */
gan_net *make_maxout_d(size_t in, size_t units, size_t pieces, float keep_in, float keep_hidden);

/* Plain gradient descent on net: learning rate lr, no momentum (the
 * optimizer the update tests follow by hand). */
gan_optimizer *plain_sgd(gan_net *net, float lr);

/* The activation act of z in double (slope: leaky ReLU's slope). */
double act_ref(int act, double z, double slope);

/* ---- files -------------------------------------------------------------- */

/* Store a float at byte offset at of buf, little-endian. */
void put_f32_at(unsigned char *buf, size_t at, float v);

/* Fix the CRC in the last 4 bytes of the container buf[0, len): with
 * put_f32_at, crafts a well-formed file holding a chosen bad value. */
void reseal_container(unsigned char *buf, size_t len);

/* Write len bytes to path, replacing the file. */
void write_file(const char *path, const void *data, size_t len);

/* The whole of path (malloc'ed), its length in *len. Every file the tests
 * read back is one they expect to hold data: an empty file fails. */
unsigned char *read_file(const char *path, size_t *len);

/* The two files hold the same bytes. */
void assert_files_equal(const char *a, const char *b);

/* dir/name into out[n]; fails if it does not fit. */
void path_join(char *out, size_t n, const char *dir, const char *name);

/* Entries in dir, everything but "." and "..". */
size_t dir_count_entries(const char *dir);

/* A fresh temporary folder for one test: register the test with
 * TMPDIR_TEST(fn) and *state is the folder's path (a char *). The
 * teardown removes the folder with everything in it. */
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);
#define TMPDIR_TEST(fn) cmocka_unit_test_setup_teardown(fn, tmpdir_setup, tmpdir_teardown)

#endif
