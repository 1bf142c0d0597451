/* Status codes, thread-local error messages, log callback, version. */
#include "common.h"

#include <pthread.h>
#include <stdio.h>

#include "status.h"

static void test_strerror_distinct(void **state)
{
    (void)state;
    const int codes[] = {GAN_OK, GAN_EINVAL, GAN_ENOMEM, GAN_EIO, GAN_EFORMAT, GAN_ESHAPE,
                         GAN_EDIVERGED, GAN_ESTATE, GAN_EUNSUPPORTED, GAN_EABORTED};
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_non_null(gan_strerror(codes[i]));
        assert_true(strlen(gan_strerror(codes[i])) > 3);
        if (i > 0)
            assert_true(codes[i] < 0);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(gan_strerror(codes[i]), gan_strerror(codes[j]));
        }
    }
    assert_string_equal(gan_strerror(12345), "unknown status code");
}

static void test_error_last_never_null(void **state)
{
    (void)state;
    gan_error_clear();
    assert_non_null(gan_error_last());
    assert_string_equal(gan_error_last(), "no error");
    assert_int_equal(gan_error_last_code(), GAN_OK);
}

static void test_error_names_argument(void **state)
{
    (void)state;
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(NULL, 1), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_rng_create"));
    assert_non_null(strstr(gan_error_last(), "out"));
    assert_int_equal(gan_error_last_code(), GAN_EINVAL);

    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    float buf[4];
    assert_int_equal(gan_rng_uniform(buf, 4, rng, 1.0f, 1.0f), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "lo"));
    assert_int_equal(gan_rng_normal(buf, 4, rng, 0.0f, -1.0f), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "stddev"));
    gan_rng_free(rng);
    gan_error_clear();
    assert_string_equal(gan_error_last(), "no error");
}

/* Each thread raises its own error and must read back only its own. */
struct thread_arg {
    int id;
    int ok;
};

static void *thread_body(void *p)
{
    struct thread_arg *a = p;
    a->ok = 1;
    for (int i = 0; i < 2000; i++) {
        int code = a->id == 0 ? GAN_EIO : GAN_ESHAPE;
        gan__error(code, "thread %d iteration %d", a->id, i);
        char want[64];
        snprintf(want, sizeof want, "thread %d iteration %d", a->id, i);
        if (strcmp(gan_error_last(), want) != 0 || gan_error_last_code() != code)
            a->ok = 0;
    }
    return NULL;
}

static void test_error_thread_local(void **state)
{
    (void)state;
    pthread_t t[2];
    struct thread_arg args[2] = {{0, 0}, {1, 0}};
    gan_error_clear();
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_body, &args[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_true(args[0].ok);
    assert_true(args[1].ok);
    /* The main thread's slot is untouched by the workers. */
    assert_string_equal(gan_error_last(), "no error");
}

struct log_capture {
    int calls;
    int last_level;
    char last[256];
};

static void capture(int level, const char *msg, void *ud)
{
    struct log_capture *c = ud;
    c->calls++;
    c->last_level = level;
    snprintf(c->last, sizeof c->last, "%s", msg);
}

static void test_log_callback(void **state)
{
    (void)state;
    struct log_capture c = {0, -1, ""};
    /* Silent by default: nothing to observe, but no crash either. */
    gan__log(GAN_LOG_INFO, "before %d", 1);
    assert_int_equal(gan_log_set_callback(capture, &c, GAN_LOG_INFO), GAN_OK);
    gan__log(GAN_LOG_INFO, "hello %d", 7);
    assert_int_equal(c.calls, 1);
    assert_string_equal(c.last, "hello 7");
    gan__log(GAN_LOG_DEBUG, "filtered");
    assert_int_equal(c.calls, 1);
    /* Errors are logged at GAN_LOG_ERROR. */
    assert_int_equal(gan_rng_create(NULL, 0), GAN_EINVAL);
    assert_int_equal(c.calls, 2);
    assert_int_equal(c.last_level, GAN_LOG_ERROR);
    assert_non_null(strstr(c.last, "gan_rng_create"));
    assert_int_equal(gan_log_set_callback(capture, &c, 99), GAN_EINVAL);
    assert_int_equal(gan_log_set_callback(NULL, NULL, 0), GAN_OK);
    gan__log(GAN_LOG_ERROR, "after removal");
    assert_int_equal(c.calls, 3); /* the rejected call above logged its own error */
}

static void test_version(void **state)
{
    (void)state;
    int major = -1, minor = -1, patch = -1;
    char buf[32];
    assert_int_equal(gan_version(&major, &minor, &patch), GAN_OK);
    assert_int_equal(major, GAN_VERSION_MAJOR);
    assert_int_equal(minor, GAN_VERSION_MINOR);
    assert_int_equal(patch, GAN_VERSION_PATCH);
    snprintf(buf, sizeof buf, "%d.%d.%d", major, minor, patch);
    assert_string_equal(gan_version_string(), buf);
    assert_string_equal(gan_version_string(), GAN_VERSION_STRING);
    assert_int_equal(gan_version(NULL, NULL, NULL), GAN_OK);
    assert_non_null(gan_blas_info());
    assert_true(strlen(gan_blas_info()) > 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_distinct),
        cmocka_unit_test(test_error_last_never_null),
        cmocka_unit_test(test_error_names_argument),
        cmocka_unit_test(test_error_thread_local),
        cmocka_unit_test(test_log_callback),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
