/* Generators (gan_generator_*): the prior travels with the net; round
 * trips, sampling from a seeded RNG, plain net files, damaged files. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

enum { ZW = 5, OUT = 7 };

static gan_net *trained_g(uint64_t seed)
{
    gan_net *g = make_mlp(ZW, 9, GAN_ACT_RELU, OUT, GAN_ACT_TANH);
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    randomize(g, rng, 0.5f);
    gan_rng_free(rng);
    return g;
}

static gan_generator_options prior(uint32_t kind, float scale, uint32_t scaling)
{
    gan_generator_options o;
    assert_int_equal(gan_generator_options_init(&o, GAN_GENERATOR_OPTIONS_VERSION), GAN_OK);
    o.noise_kind = kind;
    o.noise_scale = scale;
    o.output_scaling = scaling;
    return o;
}

/* n samples of gen from a fresh rng seeded with seed (malloc'ed). */
static float *samples(const gan_generator *gen, size_t n, uint64_t seed)
{
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, seed), GAN_OK);
    float *out = xmalloc(n * OUT * sizeof *out);
    assert_int_equal(gan_generator_sample(out, n, OUT, gen, rng), GAN_OK);
    gan_rng_free(rng);
    return out;
}

static void test_round_trip(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "g.gan");
    gan_net *g = trained_g(1);
    const gan_generator_options o = prior(GAN_NOISE_NORMAL, 0.7f, GAN_OUTPUT_SYMMETRIC_TO_UNIT);
    gan_generator *gen, *back;
    assert_int_equal(gan_generator_create(&gen, g, &o), GAN_OK);
    assert_int_equal(gan_generator_noise_width(gen), ZW);
    assert_int_equal(gan_generator_output_width(gen), OUT);
    /* The generator holds a copy: changing g afterwards does not reach it. */
    float *before = samples(gen, 4, 3);
    float *params = net_params(g);
    params[0] += 1.0f;
    assert_int_equal(gan_net_set_params(g, params, gan_net_num_params(g)), GAN_OK);
    float *after = samples(gen, 4, 3);
    assert_memory_equal(before, after, 4 * OUT * sizeof(float));
    free(after);
    free(params);

    assert_int_equal(gan_generator_save(gen, p), GAN_OK);
    assert_int_equal(gan_generator_load(&back, p), GAN_OK);
    gan_generator_options got;
    assert_int_equal(gan_generator_get_options(&got, back), GAN_OK);
    assert_int_equal(got.version, GAN_GENERATOR_OPTIONS_VERSION);
    assert_int_equal(got.noise_kind, GAN_NOISE_NORMAL);
    assert_true(got.noise_scale == 0.7f);
    assert_int_equal(got.noise_width, ZW);
    assert_int_equal(got.output_scaling, GAN_OUTPUT_SYMMETRIC_TO_UNIT);
    float *loaded = samples(back, 4, 3);
    assert_memory_equal(before, loaded, 4 * OUT * sizeof(float));
    free(loaded);
    /* Saving again gives the same bytes; so does gan_generator_save_net
     * with a net of the same parameters. */
    char p2[512];
    path_join(p2, sizeof p2, *state, "g2.gan");
    assert_int_equal(gan_generator_save(back, p2), GAN_OK);
    assert_files_equal(p, p2);
    assert_int_equal(gan_generator_save_net(gan_generator_net(back), &o, p2), GAN_OK);
    assert_files_equal(p, p2);
    gan_generator_free(back);
    gan_generator_free(gen);
    free(before);
    gan_net_free(g);
}

/* Sampling = noise from the prior through the net and the scaling, and the
 * same seed gives the same samples. */
static void test_sampling(void **state)
{
    (void)state;
    gan_net *g = trained_g(2);
    for (uint32_t kind = 0; kind < 2; kind++)
        for (uint32_t scaling = 0; scaling < 2; scaling++) {
            const gan_generator_options o = prior(kind, 1.5f, scaling);
            gan_generator *gen;
            assert_int_equal(gan_generator_create(&gen, g, &o), GAN_OK);
            enum { N = 33 };
            float *a = samples(gen, N, 9), *b = samples(gen, N, 9), *c = samples(gen, N, 10);
            assert_memory_equal(a, b, sizeof(float) * N * OUT);
            assert_memory_not_equal(a, c, sizeof(float) * N * OUT);
            /* By hand: the noise of the same stream, the net, the scaling. */
            gan_rng *rng;
            assert_int_equal(gan_rng_create(&rng, 9), GAN_OK);
            float z[N * ZW], y[N * OUT], via[N * OUT];
            assert_int_equal(gan_generator_noise(z, N, ZW, gen, rng), GAN_OK);
            double zmax = 0, zsq = 0;
            for (size_t i = 0; i < N * ZW; i++) {
                zmax = fmax(zmax, fabs(z[i]));
                zsq += (double)z[i] * z[i];
            }
            /* The prior's spread: variance 1.5^2 / 3 = 0.75 for the
             * uniform, 2.25 for the normal (165 draws: loose bounds). */
            const double var = zsq / (N * ZW);
            if (kind == GAN_NOISE_UNIFORM) {
                assert_true(zmax < 1.5);
                assert_true(var > 0.5 && var < 1.0);
            } else {
                assert_true(zmax > 1.5); /* a normal of std 1.5 exceeds it often */
                assert_true(var > 1.5 && var < 3.2);
            }
            assert_int_equal(gan_net_forward(y, OUT, g, z, N, ZW, 0), GAN_OK);
            for (size_t i = 0; i < N * OUT; i++) {
                const float want = scaling ? 0.5f * (y[i] + 1.0f) : y[i];
                assert_true(a[i] == want);
                if (scaling)
                    assert_true(a[i] >= 0.0f && a[i] <= 1.0f);
            }
            assert_int_equal(gan_generator_forward(via, N, OUT, gen, z, ZW), GAN_OK);
            assert_memory_equal(a, via, sizeof via);
            gan_rng_free(rng);
            free(a);
            free(b);
            free(c);
            gan_generator_free(gen);
        }
    gan_net_free(g);
}

/* A plain net file of gan_net_save loads with the default prior. */
static void test_plain_net_file(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "g.net");
    gan_net *g = trained_g(3);
    assert_int_equal(gan_net_save(g, p), GAN_OK);
    gan_generator *gen;
    assert_int_equal(gan_generator_load(&gen, p), GAN_OK);
    gan_generator_options o;
    assert_int_equal(gan_generator_get_options(&o, gen), GAN_OK);
    assert_int_equal(o.noise_kind, GAN_NOISE_UNIFORM);
    assert_true(o.noise_scale == 1.0f);
    assert_int_equal(o.noise_width, ZW);
    assert_int_equal(o.output_scaling, GAN_OUTPUT_IDENTITY);
    float *params = net_params(g), *loaded = net_params(gan_generator_net(gen));
    assert_memory_equal(params, loaded, gan_net_num_params(g) * sizeof(float));
    free(params);
    free(loaded);
    gan_generator *same;
    assert_int_equal(gan_generator_create(&same, g, NULL), GAN_OK);
    float *a = samples(gen, 8, 4), *b = samples(same, 8, 4);
    assert_memory_equal(a, b, 8 * OUT * sizeof(float));
    free(a);
    free(b);
    gan_generator_free(same);
    gan_generator_free(gen);
    gan_net_free(g);
}

static void expect_load_error(const char *p, int code, const char *needle)
{
    gan_generator *gen = (gan_generator *)1;
    EXPECT_ERR(gan_generator_load(&gen, p), code, NULL, needle);
    assert_null(gen);
}

static void test_damaged(void **state)
{
    char p[512], q[512];
    path_join(p, sizeof p, *state, "g.gan");
    path_join(q, sizeof q, *state, "bad.gan");
    gan_net *g = trained_g(4);
    assert_int_equal(gan_generator_save_net(g, NULL, p), GAN_OK);
    size_t len;
    unsigned char *b = read_file(p, &len);
    /* Truncated anywhere. */
    for (size_t cut = 0; cut < len; cut += cut < 64 ? 1 : 13) {
        write_file(q, b, cut);
        gan_generator *gen = (gan_generator *)1;
        gan_error_clear();
        assert_int_equal(gan_generator_load(&gen, q), GAN_EFORMAT);
        assert_null(gen);
        check_msg("bad.gan", NULL);
    }
    unsigned char *c = xmalloc(len + 8);
    /* A flipped bit: the checksum. */
    memcpy(c, b, len);
    c[len / 2] ^= 4;
    write_file(q, c, len);
    expect_load_error(q, GAN_EFORMAT, "bad.gan");
    /* Well-formed containers with bad priors. Payload at 20: kind, scale,
     * width, scaling. */
    const struct { size_t at; uint32_t v; const char *needle; } cases[] = {
        {20, 2, "noise_kind"},
        {28, ZW + 1, "noise_width"},
        {28, 0, "noise_width"},
        {32, 2, "output_scaling"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memcpy(c, b, len);
        for (int k = 0; k < 4; k++)
            c[cases[i].at + k] = (unsigned char)(cases[i].v >> (8 * k));
        reseal_container(c, len);
        write_file(q, c, len);
        expect_load_error(q, GAN_EFORMAT, cases[i].needle);
    }
    const float scales[] = {0.0f, -1.0f, NAN, INFINITY};
    for (size_t i = 0; i < 4; i++) {
        memcpy(c, b, len);
        put_f32_at(c, 24, scales[i]);
        reseal_container(c, len);
        write_file(q, c, len);
        expect_load_error(q, GAN_EFORMAT, "noise_scale");
    }
    /* A format version this library does not know. */
    memcpy(c, b, len);
    c[8] = 2;
    reseal_container(c, len);
    write_file(q, c, len);
    expect_load_error(q, GAN_EFORMAT, "version 2");
    /* Neither kind of file. */
    write_file(q, "hello, world", 12);
    expect_load_error(q, GAN_EFORMAT, "neither a generator file nor a net file");
    expect_load_error(*state, GAN_EIO, "regular file");
    path_join(q, sizeof q, *state, "missing.gan");
    expect_load_error(q, GAN_EIO, "missing.gan");
    free(c);
    free(b);
    gan_net_free(g);
}

/* A net without layers is a valid gan_net (and saves), but cannot
 * generate: refused when made into a generator and when loaded from a net
 * file (found by fuzzing: it used to load and then fail to sample). */
static void test_net_without_layers(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "empty.net");
    gan_net *empty;
    assert_int_equal(gan_net_create(&empty, ZW), GAN_OK);
    assert_int_equal(gan_net_save(empty, p), GAN_OK);
    gan_generator *gen = (gan_generator *)1;
    EXPECT_ERR(gan_generator_create(&gen, empty, NULL), GAN_EINVAL, "gan_generator_create",
               "no layers");
    assert_null(gen);
    gen = (gan_generator *)1;
    EXPECT_ERR(gan_generator_load(&gen, p), GAN_EFORMAT, "gan_generator_load", "no layers");
    assert_null(gen);
    char q[512];
    path_join(q, sizeof q, *state, "empty.gan");
    EXPECT_ERR(gan_generator_save_net(empty, NULL, q), GAN_EINVAL, "gan_generator_save_net",
               "no layers");
    unlink(p);
    gan_net_free(empty);
}

static void test_misuse(void **state)
{
    char p[512];
    path_join(p, sizeof p, *state, "g.gan");
    gan_net *g = trained_g(5);
    gan_generator *gen = (gan_generator *)1;
    gan_generator_options o = prior(GAN_NOISE_UNIFORM, 1.0f, GAN_OUTPUT_IDENTITY);
    const char *fc = "gan_generator_create";
    EXPECT_ERR(gan_generator_create(NULL, g, NULL), GAN_EINVAL, fc, "out");
    EXPECT_ERR(gan_generator_create(&gen, NULL, NULL), GAN_EINVAL, fc, "net");
    assert_null(gen);
    o.version = 7;
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_EUNSUPPORTED, fc, "version");
    o = prior(3, 1.0f, GAN_OUTPUT_IDENTITY);
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_EINVAL, fc, "noise_kind");
    o = prior(GAN_NOISE_UNIFORM, 0.0f, GAN_OUTPUT_IDENTITY);
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_EINVAL, fc, "noise_scale");
    o = prior(GAN_NOISE_UNIFORM, NAN, GAN_OUTPUT_IDENTITY);
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_EINVAL, fc, "noise_scale");
    o = prior(GAN_NOISE_UNIFORM, 1.0f, 9);
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_EINVAL, fc, "output_scaling");
    o = prior(GAN_NOISE_UNIFORM, 1.0f, GAN_OUTPUT_IDENTITY);
    o.noise_width = ZW + 1;
    EXPECT_ERR(gan_generator_create(&gen, g, &o), GAN_ESHAPE, fc, "noise_width");
    o.noise_width = ZW;
    assert_int_equal(gan_generator_create(&gen, g, &o), GAN_OK);

    const char *fs = "gan_generator_save";
    EXPECT_ERR(gan_generator_save(NULL, p), GAN_EINVAL, fs, "gen");
    EXPECT_ERR(gan_generator_save(gen, NULL), GAN_EINVAL, fs, "path");
    EXPECT_ERR(gan_generator_save(gen, ""), GAN_EINVAL, fs, "path");
    EXPECT_ERR(gan_generator_save(gen, *state), GAN_EIO, fs, NULL);
    const char *fsn = "gan_generator_save_net";
    EXPECT_ERR(gan_generator_save_net(NULL, NULL, p), GAN_EINVAL, fsn, "net");
    EXPECT_ERR(gan_generator_save_net(g, NULL, NULL), GAN_EINVAL, fsn, "path");
    EXPECT_ERR(gan_generator_save_net(g, NULL, ""), GAN_EINVAL, fsn, "path");
    o.version = 0;
    EXPECT_ERR(gan_generator_save_net(g, &o, p), GAN_EUNSUPPORTED, fsn, "version");
    o.version = GAN_GENERATOR_OPTIONS_VERSION;
    float *params = net_params(g);
    params[3] = NAN;
    assert_int_equal(gan_net_set_params(g, params, gan_net_num_params(g)), GAN_OK);
    EXPECT_ERR(gan_generator_save_net(g, NULL, p), GAN_EINVAL, fsn, "NaN");
    gan_generator *nan_gen = (gan_generator *)1;
    EXPECT_ERR(gan_generator_create(&nan_gen, g, NULL), GAN_EINVAL, fc, "NaN");
    assert_null(nan_gen);
    assert_int_equal(access(p, F_OK), -1);
    free(params);

    const char *fl = "gan_generator_load";
    gan_generator *back = (gan_generator *)1;
    EXPECT_ERR(gan_generator_load(NULL, p), GAN_EINVAL, fl, "out");
    EXPECT_ERR(gan_generator_load(&back, NULL), GAN_EINVAL, fl, "path");
    assert_null(back);
    EXPECT_ERR(gan_generator_load(&back, ""), GAN_EINVAL, fl, "path");

    float out[3 * OUT], z[3 * ZW] = {0};
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    const char *fsa = "gan_generator_sample";
    EXPECT_ERR(gan_generator_sample(NULL, 3, OUT, gen, rng), GAN_EINVAL, fsa, "out");
    EXPECT_ERR(gan_generator_sample(out, 3, OUT, NULL, rng), GAN_EINVAL, fsa, "gen");
    EXPECT_ERR(gan_generator_sample(out, 3, OUT, gen, NULL), GAN_EINVAL, fsa, "rng");
    EXPECT_ERR(gan_generator_sample(out, 0, OUT, gen, rng), GAN_EINVAL, fsa, "rows");
    EXPECT_ERR(gan_generator_sample(out, 3, OUT + 1, gen, rng), GAN_ESHAPE, fsa, "cols");
    EXPECT_ERR(gan_generator_sample(out, SIZE_MAX / 2, OUT, gen, rng), GAN_EINVAL, fsa, "overflow");
    const char *fn = "gan_generator_noise";
    EXPECT_ERR(gan_generator_noise(NULL, 3, ZW, gen, rng), GAN_EINVAL, fn, "out");
    EXPECT_ERR(gan_generator_noise(z, 3, ZW, NULL, rng), GAN_EINVAL, fn, "gen");
    EXPECT_ERR(gan_generator_noise(z, 3, ZW, gen, NULL), GAN_EINVAL, fn, "rng");
    EXPECT_ERR(gan_generator_noise(z, 0, ZW, gen, rng), GAN_EINVAL, fn, "rows");
    EXPECT_ERR(gan_generator_noise(z, 3, ZW - 1, gen, rng), GAN_ESHAPE, fn, "cols");
    const char *ff = "gan_generator_forward";
    EXPECT_ERR(gan_generator_forward(NULL, 3, OUT, gen, z, ZW), GAN_EINVAL, ff, "out");
    EXPECT_ERR(gan_generator_forward(out, 3, OUT, NULL, z, ZW), GAN_EINVAL, ff, "gen");
    EXPECT_ERR(gan_generator_forward(out, 3, OUT, gen, NULL, ZW), GAN_EINVAL, ff, "z");
    EXPECT_ERR(gan_generator_forward(out, 0, OUT, gen, z, ZW), GAN_EINVAL, ff, "rows");
    EXPECT_ERR(gan_generator_forward(out, 3, OUT, gen, z, ZW + 1), GAN_ESHAPE, ff, "z_cols");
    EXPECT_ERR(gan_generator_forward(out, 3, 1, gen, z, ZW), GAN_ESHAPE, ff, "cols");
    const char *fg = "gan_generator_get_options";
    EXPECT_ERR(gan_generator_get_options(NULL, gen), GAN_EINVAL, fg, "opts");
    EXPECT_ERR(gan_generator_get_options(&o, NULL), GAN_EINVAL, fg, "gen");
    assert_null(gan_generator_net(NULL));
    assert_int_equal(gan_generator_noise_width(NULL), 0);
    assert_int_equal(gan_generator_output_width(NULL), 0);
    gan_generator_free(NULL);
    const char *fi = "gan_generator_options_init";
    EXPECT_ERR(gan_generator_options_init(NULL, GAN_GENERATOR_OPTIONS_VERSION), GAN_EINVAL, fi, "opts");
    EXPECT_ERR(gan_generator_options_init(&o, 2), GAN_EUNSUPPORTED, fi, "version");
    /* From a session's options. */
    const char *fss = "gan_generator_options_from_session";
    gan_session_options so = GAN_SESSION_OPTIONS_INIT;
    so.noise_kind = GAN_NOISE_NORMAL;
    so.noise_scale = 2.0f;
    so.noise_width = 42;
    assert_int_equal(gan_generator_options_from_session(&o, &so), GAN_OK);
    assert_int_equal(o.version, GAN_GENERATOR_OPTIONS_VERSION);
    assert_int_equal(o.noise_kind, GAN_NOISE_NORMAL);
    assert_true(o.noise_scale == 2.0f);
    assert_int_equal(o.noise_width, 42);
    assert_int_equal(o.output_scaling, GAN_OUTPUT_IDENTITY);
    EXPECT_ERR(gan_generator_options_from_session(NULL, &so), GAN_EINVAL, fss, "opts");
    EXPECT_ERR(gan_generator_options_from_session(&o, NULL), GAN_EINVAL, fss, "session");
    so.version = 5;
    EXPECT_ERR(gan_generator_options_from_session(&o, &so), GAN_EUNSUPPORTED, fss, "version");
    gan_rng_free(rng);
    gan_generator_free(gen);
    gan_net_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_round_trip),
        TMPDIR_TEST(test_sampling),
        TMPDIR_TEST(test_plain_net_file),
        TMPDIR_TEST(test_damaged),
        TMPDIR_TEST(test_net_without_layers),
        TMPDIR_TEST(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
