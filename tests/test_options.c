/* Every GAN_X_OPTIONS_INIT macro equals what its gan_x_options_init writes,
 * field by field (padding bytes may differ), and every options_init
 * refuses an unknown version and a NULL pointer. */
#include "common.h"

#include "session.h"

#define SAME(field) assert_true(a.field == b.field)
#define SAME_SAVED(kind, field) SAME(field);

static void test_optimizer_init(void **state)
{
    (void)state;
    const gan_optimizer_options a = GAN_OPTIMIZER_OPTIONS_INIT;
    gan_optimizer_options b;
    memset(&b, 0xab, sizeof b);
    assert_int_equal(gan_optimizer_options_init(&b, GAN_OPTIMIZER_OPTIONS_VERSION), GAN_OK);
    SAME(version);
    SAME(kind);
    SAME(learning_rate);
    SAME(lr_decay);
    SAME(lr_min);
    SAME(momentum);
    SAME(momentum_final);
    SAME(momentum_start_epoch);
    SAME(momentum_saturate_epoch);
    SAME(beta1);
    SAME(beta2);
    SAME(epsilon);
    SAME(max_norm);
    assert_int_equal(gan_optimizer_options_init(&b, GAN_OPTIMIZER_OPTIONS_VERSION + 1),
                     GAN_EUNSUPPORTED);
    assert_non_null(strstr(gan_error_last(), "gan_optimizer_options_init: version"));
    assert_int_equal(gan_optimizer_options_init(NULL, GAN_OPTIMIZER_OPTIONS_VERSION), GAN_EINVAL);
}

static void test_toy_init(void **state)
{
    (void)state;
    const gan_toy_options a = GAN_TOY_OPTIONS_INIT;
    gan_toy_options b;
    memset(&b, 0xab, sizeof b);
    assert_int_equal(gan_toy_options_init(&b, GAN_TOY_OPTIONS_VERSION), GAN_OK);
    SAME(version);
    SAME(kind);
    SAME(std);
    SAME(mean);
    SAME(radius);
    SAME(modes);
    SAME(grid_side);
    SAME(spacing);
    assert_int_equal(gan_toy_options_init(&b, 0), GAN_EUNSUPPORTED);
    assert_non_null(strstr(gan_error_last(), "gan_toy_options_init: version 0"));
    assert_int_equal(gan_toy_options_init(NULL, GAN_TOY_OPTIONS_VERSION), GAN_EINVAL);
}

static void test_session_init(void **state)
{
    (void)state;
    const gan_session_options a = GAN_SESSION_OPTIONS_INIT;
    gan_session_options b;
    memset(&b, 0xab, sizeof b);
    assert_int_equal(gan_session_options_init(&b, GAN_SESSION_OPTIONS_VERSION), GAN_OK);
    SAME(version);
    /* Every option a checkpoint records, then the one it does not. */
    GAN__SESSION_SAVED_OPTIONS(SAME_SAVED)
    SAME(threads);
    assert_int_equal(gan_session_options_init(&b, 7), GAN_EUNSUPPORTED);
    assert_non_null(strstr(gan_error_last(), "gan_session_options_init: version 7"));
    assert_int_equal(gan_session_options_init(NULL, GAN_SESSION_OPTIONS_VERSION), GAN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimizer_init),
        cmocka_unit_test(test_toy_init),
        cmocka_unit_test(test_session_init),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
