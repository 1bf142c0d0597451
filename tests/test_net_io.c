/* gan_net_save / gan_net_load: round trips, atomic overwrite, and rejection
 * of truncated, corrupted, foreign, empty, directory and missing files. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serial.h"

/* A net with every layer kind and activation. */
static gan_net *full_net(gan_rng *rng)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 6), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 7, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_set_leaky_slope(net, 1, 0.1f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 3, 4), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.5f), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 5, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 4, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 3, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    size_t np = gan_net_num_params(net);
    float *p = xmalloc(np * sizeof *p);
    assert_int_equal(gan_rng_normal(p, np, rng, 0.0f, 0.7f), GAN_OK);
    p[0] = -0.0f; /* signed zero and a subnormal survive too */
    p[1] = 1e-40f;
    assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
    free(p);
    return net;
}

/* A small net (short file) with every layer kind. */
static gan_net *small_net(gan_rng *rng)
{
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 3), GAN_OK);
    assert_int_equal(gan_net_add_dropout(net, 0.8f), GAN_OK);
    assert_int_equal(gan_net_add_maxout(net, 2, 2), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 1, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.5f), GAN_OK);
    return net;
}

static void assert_same_net(const gan_net *a, const gan_net *b)
{
    assert_int_equal(gan_net_input_width(a), gan_net_input_width(b));
    assert_int_equal(gan_net_output_width(a), gan_net_output_width(b));
    assert_int_equal(gan_net_num_layers(a), gan_net_num_layers(b));
    size_t np = gan_net_num_params(a);
    assert_int_equal(gan_net_num_params(b), np);
    for (size_t l = 0; l < gan_net_num_layers(a); l++) {
        gan_layer_info x, y;
        assert_int_equal(gan_net_layer_info(&x, a, l), GAN_OK);
        assert_int_equal(gan_net_layer_info(&y, b, l), GAN_OK);
        assert_int_equal(x.kind, y.kind);
        assert_int_equal(x.activation, y.activation);
        assert_int_equal(x.in_width, y.in_width);
        assert_int_equal(x.out_width, y.out_width);
        assert_int_equal(x.units, y.units);
        assert_int_equal(x.pieces, y.pieces);
        assert_memory_equal(&x.keep, &y.keep, sizeof x.keep);
        if ((x.kind == GAN_LAYER_DENSE || x.kind == GAN_LAYER_ACTIVATION) &&
            x.activation == GAN_ACT_LEAKY_RELU)
            assert_memory_equal(&x.leaky_slope, &y.leaky_slope, sizeof x.leaky_slope);
        assert_int_equal(x.param_offset, y.param_offset);
        assert_int_equal(x.num_params, y.num_params);
    }
    float *pa = xmalloc(np * sizeof *pa), *pb = xmalloc(np * sizeof *pb);
    assert_int_equal(gan_net_get_params(pa, np, a), GAN_OK);
    assert_int_equal(gan_net_get_params(pb, np, b), GAN_OK);
    assert_memory_equal(pa, pb, np * sizeof *pa);
    free(pa);
    free(pb);
}

static void test_round_trip(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 51), GAN_OK);
    gan_net *net = full_net(rng);
    char path[256];
    path_join(path, sizeof path, dir, "full.gannet");
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    gan_net *back = NULL;
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    assert_non_null(back);
    assert_same_net(net, back);

    /* Bit-identical inference outputs and logits. */
    const size_t rows = 9;
    float *x = xmalloc(rows * 6 * sizeof *x);
    assert_int_equal(gan_rng_uniform(x, rows * 6, rng, -2, 2), GAN_OK);
    float ya[9 * 2], yb[9 * 2];
    for (unsigned flags = 0; flags <= GAN_FORWARD_LOGITS; flags++) {
        assert_int_equal(gan_net_forward(ya, 2, net, x, rows, 6, flags), GAN_OK);
        assert_int_equal(gan_net_forward(yb, 2, back, x, rows, 6, flags), GAN_OK);
        assert_memory_equal(ya, yb, sizeof ya);
    }
    /* Training with the same rng state gives the same outputs and grads. */
    float dy[9 * 2];
    assert_int_equal(gan_rng_uniform(dy, rows * 2, rng, -1, 1), GAN_OK);
    size_t np = gan_net_num_params(net);
    float *ga = xmalloc(np * sizeof *ga), *gb = xmalloc(np * sizeof *gb);
    float dxa[9 * 6], dxb[9 * 6];
    gan_net *nets[2] = {net, back};
    float *grads[2] = {ga, gb}, *dxs[2] = {dxa, dxb};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(gan_rng_seed(rng, 7), GAN_OK);
        assert_int_equal(gan_net_train_forward(nets[i], rng, x, rows, 6), GAN_OK);
        assert_int_equal(gan_net_backward(dxs[i], nets[i], dy, rows, 2, 0), GAN_OK);
        assert_int_equal(gan_net_get_grads(grads[i], np, nets[i]), GAN_OK);
    }
    assert_memory_equal(ga, gb, np * sizeof *ga);
    assert_memory_equal(dxa, dxb, sizeof dxa);

    /* Saving the loaded net gives the same bytes. */
    char path2[256];
    path_join(path2, sizeof path2, dir, "again.gannet");
    assert_int_equal(gan_net_save(back, path2), GAN_OK);
    assert_files_equal(path, path2);
    unlink(path2);
    unlink(path);

    free(ga);
    free(gb);
    free(x);
    gan_net_free(back);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_overwrite(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 52), GAN_OK);
    gan_net *a = full_net(rng), *b = small_net(rng);
    char path[256];
    path_join(path, sizeof path, dir, "net.bin");
    size_t before = dir_count_entries(dir);
    assert_int_equal(gan_net_save(a, path), GAN_OK);
    assert_int_equal(gan_net_save(b, path), GAN_OK);
    assert_int_equal(dir_count_entries(dir), before + 1);
    gan_net *back = NULL;
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    assert_same_net(b, back);
    gan_net_free(back);
    /* Over a file of other content. */
    write_file(path, "hello", 5);
    assert_int_equal(gan_net_save(a, path), GAN_OK);
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    assert_same_net(a, back);
    gan_net_free(back);
    assert_int_equal(dir_count_entries(dir), before + 1);

    /* A folder that does not exist: EIO naming the path, nothing left. */
    char bad[300];
    path_join(bad, sizeof bad, dir, "no/such/dir/net.bin");
    gan_error_clear();
    assert_int_equal(gan_net_save(a, bad), GAN_EIO);
    check_msg(NULL, bad);
    /* The destination is a folder. */
    char sub[256];
    path_join(sub, sizeof sub, dir, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_not_equal(gan_net_save(a, sub), GAN_OK);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(dir_count_entries(dir), before + 1);
    unlink(path);

    /* Arguments. */
    gan_error_clear();
    assert_int_equal(gan_net_save(NULL, path), GAN_EINVAL);
    check_msg(NULL, "gan_net_save");
    check_msg(NULL, "net");
    gan_error_clear();
    assert_int_equal(gan_net_save(a, NULL), GAN_EINVAL);
    check_msg(NULL, "path");
    gan_error_clear();
    assert_int_equal(gan_net_load(NULL, path), GAN_EINVAL);
    check_msg(NULL, "gan_net_load");
    check_msg(NULL, "out");
    gan_error_clear();
    assert_int_equal(gan_net_load(&back, NULL), GAN_EINVAL);
    check_msg(NULL, "path");
    assert_int_equal(dir_count_entries(dir), before);

    gan_net_free(a);
    gan_net_free(b);
    gan_rng_free(rng);
}

/* load must fail with `want` (or `alt`, if nonzero) and return no net. */
static void expect_load_fails(const char *path, int want, int alt, const char *what, size_t i)
{
    gan_net *n = NULL;
    gan_error_clear();
    int rc = gan_net_load(&n, path);
    if (rc != want && (alt == 0 || rc != alt)) {
        print_error("%s %zu: gan_net_load returned %d (%s), expected %d\n", what, i, rc,
                    gan_error_last(), want);
        gan_net_free(n);
        fail();
    }
    assert_null(n);
    check_msg(NULL, path);
}

static void test_truncated_and_flipped(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 53), GAN_OK);
    gan_net *net = small_net(rng);
    char path[256], bad[256];
    path_join(path, sizeof path, dir, "small.gannet");
    path_join(bad, sizeof bad, dir, "bad.gannet");
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    size_t len;
    unsigned char *data = read_file(path, &len);
    assert_true(len > GAN_CONTAINER_OVERHEAD);

    /* Every prefix (the empty file may also count as an I/O error). */
    write_file(bad, data, 0);
    expect_load_fails(bad, GAN_EFORMAT, GAN_EIO, "empty file", 0);
    for (size_t n = 1; n < len; n++) {
        write_file(bad, data, n);
        expect_load_fails(bad, GAN_EFORMAT, 0, "prefix", n);
    }
    /* Every single-byte corruption, two patterns. */
    const unsigned char pat[2] = {0x01, 0xff};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < len; i++) {
            data[i] ^= pat[k];
            write_file(bad, data, len);
            expect_load_fails(bad, GAN_EFORMAT, 0, "flipped byte", i);
            data[i] ^= pat[k];
        }
    /* Trailing garbage after a valid file. */
    unsigned char *longer = xmalloc(len + 3);
    memcpy(longer, data, len);
    memcpy(longer + len, "xyz", 3);
    write_file(bad, longer, len + 3);
    expect_load_fails(bad, GAN_EFORMAT, 0, "trailing bytes", 3);
    free(longer);
    /* The untouched bytes still load. */
    write_file(bad, data, len);
    gan_net *back = NULL;
    assert_int_equal(gan_net_load(&back, bad), GAN_OK);
    assert_same_net(net, back);
    gan_net_free(back);
    unlink(bad);
    unlink(path);
    free(data);
    gan_net_free(net);
    gan_rng_free(rng);
}

static void test_foreign_files(void **state)
{
    const char *dir = *state;
    char path[256];
    path_join(path, sizeof path, dir, "foreign");
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 54), GAN_OK);
    /* Random bytes of several lengths. */
    for (size_t n = 1; n <= 4096; n *= 4) {
        unsigned char *junk = xmalloc(n);
        for (size_t i = 0; i < n; i++) {
            uint64_t u;
            gan_rng_u64(&u, rng);
            junk[i] = (unsigned char)u;
        }
        write_file(path, junk, n);
        expect_load_fails(path, GAN_EFORMAT, 0, "random bytes", n);
        free(junk);
    }
    /* A PNG header and IHDR chunk. */
    static const unsigned char png[] = {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n',
                                        0,    0,    0,    13,   'I',  'H',  'D',  'R',
                                        0,    0,    0,    1,    0,    0,    0,    1,
                                        8,    0,    0,    0,    0,    0x3a, 0x7e, 0x9b, 0x55};
    write_file(path, png, sizeof png);
    expect_load_fails(path, GAN_EFORMAT, 0, "png", 0);
    /* Text. */
    const char *text = "this is not a network, just some text that is long enough\n";
    write_file(path, text, strlen(text));
    expect_load_fails(path, GAN_EFORMAT, 0, "text", 0);
    /* Another libgan container (different magic): serial's test magic. */
    gan__writer w;
    gan__writer_init(&w);
    static const char OTHER[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'T', 'E', 'S', 'T', '1'};
    gan__container_build(&w, OTHER, 1, "abcdefgh", 8);
    assert_false(w.failed);
    write_file(path, w.data, w.len);
    expect_load_fails(path, GAN_EFORMAT, 0, "other container", 0);
    gan__writer_free(&w);
    unlink(path);

    /* A directory and a missing file are I/O errors naming the path. */
    expect_load_fails(dir, GAN_EIO, GAN_EFORMAT, "directory", 0);
    char missing[256];
    path_join(missing, sizeof missing, dir, "missing.gannet");
    expect_load_fails(missing, GAN_EIO, 0, "missing", 0);
    gan_rng_free(rng);
}

/* Containers with a valid checksum around damaged payloads: the parser
 * itself must bound every count. Prefixes of the payload must fail;
 * arbitrary single-byte changes must fail or give a usable net, never
 * crash or allocate absurd amounts (run under ASan / valgrind). */
static void test_crafted_payloads(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 55), GAN_OK);
    gan_net *net = small_net(rng);
    char path[256], bad[256];
    path_join(path, sizeof path, dir, "src.gannet");
    path_join(bad, sizeof bad, dir, "crafted.gannet");
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    size_t len;
    unsigned char *data = read_file(path, &len);
    char magic[GAN_MAGIC_LEN];
    memcpy(magic, data, GAN_MAGIC_LEN);
    gan__reader r;
    uint32_t version;
    assert_int_equal(gan__container_open(&r, &version, data, len, magic, "mem"), GAN_OK);
    const unsigned char *payload = r.data + r.pos;
    size_t plen = gan__reader_left(&r);
    assert_true(plen > 0);
    unsigned char *pl = xmalloc(plen + 8);
    memcpy(pl, payload, plen);

    gan__writer w;
    /* Unknown format version with a valid checksum. */
    gan__writer_init(&w);
    gan__container_build(&w, magic, version + 1, pl, plen);
    write_file(bad, w.data, w.len);
    expect_load_fails(bad, GAN_EFORMAT, GAN_EUNSUPPORTED, "format version", version + 1);
    gan__writer_free(&w);

    /* Every prefix of the payload. */
    for (size_t n = 0; n < plen; n++) {
        gan__writer_init(&w);
        gan__container_build(&w, magic, version, pl, n);
        write_file(bad, w.data, w.len);
        expect_load_fails(bad, GAN_EFORMAT, 0, "payload prefix", n);
        gan__writer_free(&w);
    }
    /* Every byte set to several values. */
    const unsigned char vals[4] = {0x00, 0xff, 0x80, 0x7f};
    size_t ok = 0, rejected = 0;
    for (size_t i = 0; i < plen; i++)
        for (int k = 0; k < 4; k++) {
            unsigned char save = pl[i];
            if (save == vals[k])
                continue;
            pl[i] = vals[k];
            gan__writer_init(&w);
            gan__container_build(&w, magic, version, pl, plen);
            write_file(bad, w.data, w.len);
            gan__writer_free(&w);
            pl[i] = save;
            gan_net *n = NULL;
            int rc = gan_net_load(&n, bad);
            if (rc == GAN_OK) {
                /* Whatever loaded must be a consistent, usable net. */
                ok++;
                assert_non_null(n);
                size_t in = gan_net_input_width(n), out = gan_net_output_width(n);
                assert_true(in > 0 && out > 0);
                if (in <= 64 && out <= 64 && gan_net_num_params(n) < 100000) {
                    float x[64] = {0}, y[64];
                    assert_int_equal(gan_net_forward(y, out, n, x, 1, in, 0), GAN_OK);
                }
                gan_net_free(n);
            } else {
                rejected++;
                if (rc != GAN_EFORMAT)
                    print_error("payload byte %zu = 0x%02x: returned %d (%s)\n", i, vals[k], rc,
                                gan_error_last());
                assert_int_equal(rc, GAN_EFORMAT);
                assert_null(n);
            }
        }
    print_message("crafted payloads: %zu loaded, %zu rejected\n", ok, rejected);
    assert_true(rejected > 0);
    /* Trailing bytes inside the payload. */
    memset(pl + plen, 0, 8);
    gan__writer_init(&w);
    gan__container_build(&w, magic, version, pl, plen + 8);
    write_file(bad, w.data, w.len);
    gan__writer_free(&w);
    expect_load_fails(bad, GAN_EFORMAT, 0, "payload with trailing bytes", 8);

    unlink(bad);
    unlink(path);
    free(pl);
    free(data);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* A net file holding NaN or Inf weights is refused on load, naming the
 * layer (before, it loaded and every later training step failed). */
static void test_nonfinite_weights_refused(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 5), GAN_OK);
    gan_net *net = small_net(rng);
    const size_t np = gan_net_num_params(net);
    float *p = malloc(np * sizeof *p);
    assert_non_null(p);
    assert_int_equal(gan_net_get_params(p, np, net), GAN_OK);
    gan_layer_info last;
    const size_t nl = gan_net_num_layers(net);
    assert_int_equal(gan_net_layer_info(&last, net, nl - 1), GAN_OK);
    char path[256];
    path_join(path, sizeof path, dir, "nan.gan");
    const float bad[] = {NAN, INFINITY};
    for (int k = 0; k < 2; k++) {
        p[last.param_offset] = bad[k];
        assert_int_equal(gan_net_set_params(net, p, np), GAN_OK);
        assert_int_equal(gan_net_save(net, path), GAN_OK);
        gan_net *loaded = (gan_net *)(void *)&loaded;
        assert_int_equal(gan_net_load(&loaded, path), GAN_EFORMAT);
        assert_null(loaded);
        char want[64];
        snprintf(want, sizeof want, "layer %zu holds NaN or Inf", nl - 1);
        assert_non_null(strstr(gan_error_last(), want));
    }
    unlink(path);
    free(p);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* A net file written by libgan before the image layers existed (commit
 * b1717d1): maxout 2x2 -> dropout 0.8 -> dense 2 leaky ReLU (slope 0.1) ->
 * dense 1 sigmoid on 3 inputs, initialised U(-0.5, 0.5) from seed 5. Its
 * output for x = (0.1, -0.2, 0.3) was 0.504564047 there. */
static const unsigned char legacy_net[] = {
  0x47, 0x41, 0x4e, 0x4e, 0x45, 0x54, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
  0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f,
  0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0xcd, 0xcc, 0x4c, 0x3f, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x80, 0x3f, 0xcd, 0xcc, 0xcc, 0x3d, 0x00, 0x00, 0x00, 0x00,
  0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f,
  0xcd, 0xcc, 0x4c, 0x3e, 0x19, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xbc, 0xaa, 0x58, 0xbe, 0x88, 0x10, 0xd1, 0x3d, 0xc4, 0x22, 0x19, 0x3e,
  0x3c, 0xa2, 0xa4, 0x3e, 0x80, 0xeb, 0x88, 0x3c, 0x1e, 0xad, 0x91, 0x3e,
  0x00, 0xec, 0x7e, 0x3b, 0xe4, 0x08, 0x9e, 0x3e, 0x0c, 0xc3, 0x0c, 0xbe,
  0x30, 0xd4, 0xf3, 0xbd, 0xbe, 0x3e, 0xff, 0x3e, 0x78, 0x65, 0x7f, 0xbe,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0xa4, 0x97, 0x15, 0xbe, 0x2c, 0x12, 0x76, 0x3e,
  0x00, 0xbf, 0x82, 0x3d, 0x80, 0x63, 0xbe, 0x3e, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x30, 0x14, 0x39, 0x3e, 0x36, 0x27, 0xa6, 0x3e,
  0x00, 0x00, 0x00, 0x00, 0x62, 0xd9, 0xfc, 0xf2
};

static void test_legacy_file_loads(void **state)
{
    const char *dir = *state;
    char path[256], again[256];
    path_join(path, sizeof path, dir, "legacy.gannet");
    path_join(again, sizeof again, dir, "again.gannet");
    write_file(path, legacy_net, sizeof legacy_net);
    gan_net *net = NULL;
    assert_int_equal(gan_net_load(&net, path), GAN_OK);
    assert_int_equal(gan_net_num_layers(net), 4);
    assert_int_equal(gan_net_num_params(net), 25);
    gan_layer_info li;
    assert_int_equal(gan_net_layer_info(&li, net, 1), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_DROPOUT);
    assert_true(li.keep == 0.8f);
    assert_int_equal(gan_net_layer_info(&li, net, 2), GAN_OK);
    assert_true(li.leaky_slope == 0.1f);
    const float x[3] = {0.1f, -0.2f, 0.3f};
    float y;
    assert_int_equal(gan_net_forward(&y, 1, net, x, 1, 3, 0), GAN_OK);
    assert_close(y, 0.504564047, 1e-6, 0, "output of the legacy net", 0);
    /* Nets of the old kinds are still written byte for byte as before. */
    assert_int_equal(gan_net_save(net, again), GAN_OK);
    assert_files_equal(path, again);
    gan_net_free(net);
}

/* Image layers and batch norm running statistics survive a save and load;
 * a corrupted running variance is refused. */
static void test_image_layers_round_trip(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 52), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 72), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 2, 6, 6), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 4, 3, 1, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.2f, 1e-4f), GAN_OK);
    assert_int_equal(gan_net_add_channel_maxout(net, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(net, 2, 2, 0), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(net, 3, 4, 2, 1, 1, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 2, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    const size_t rows = 5;
    float *x = rand_array(rng, rows * 72, -1, 1);
    /* Move the running statistics away from their start. */
    assert_int_equal(gan_net_train_forward(net, NULL, x, rows, 72), GAN_OK);
    char path[256];
    path_join(path, sizeof path, dir, "image.gannet");
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    gan_net *back = NULL;
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    assert_same_net(net, back);
    for (size_t i = 0; i < gan_net_num_layers(net); i++) {
        gan_layer_shape a, b;
        assert_int_equal(gan_net_layer_shape(&a, net, i), GAN_OK);
        assert_int_equal(gan_net_layer_shape(&b, back, i), GAN_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
    float ya[5 * 2], yb[5 * 2];
    assert_int_equal(gan_net_forward(ya, 2, net, x, rows, 72, 0), GAN_OK);
    assert_int_equal(gan_net_forward(yb, 2, back, x, rows, 72, 0), GAN_OK);
    assert_memory_equal(ya, yb, sizeof ya);
    /* A fresh net of the same layers (running statistics at 0, 1) differs. */
    gan_net *fresh;
    assert_int_equal(gan_net_create(&fresh, 72), GAN_OK);
    assert_int_equal(gan_net_add_reshape(fresh, 2, 6, 6), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(fresh, 4, 3, 1, 1, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(fresh, 0.2f, 1e-4f), GAN_OK);
    assert_int_equal(gan_net_add_channel_maxout(fresh, 2), GAN_OK);
    assert_int_equal(gan_net_add_maxpool(fresh, 2, 2, 0), GAN_OK);
    assert_int_equal(gan_net_add_deconv2d(fresh, 3, 4, 2, 1, 1, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(fresh, 2, GAN_ACT_SIGMOID), GAN_OK);
    float *p = net_params(net);
    assert_int_equal(gan_net_set_params(fresh, p, gan_net_num_params(net)), GAN_OK);
    assert_int_equal(gan_net_forward(yb, 2, fresh, x, rows, 72, 0), GAN_OK);
    assert_true(memcmp(ya, yb, sizeof ya) != 0);

    /* The running variance of channel 0 sits after the 4 means, at the end
     * of the payload: make it negative, reseal, and the load is refused. */
    size_t len;
    unsigned char *b = read_file(path, &len);
    const size_t var0 = len - 4 - 4 * 4; /* CRC, then 4 variances */
    put_f32_at(b, var0, -1.0f);
    reseal_container(b, len);
    write_file(path, b, len);
    gan_net *bad = NULL;
    assert_int_equal(gan_net_load(&bad, path), GAN_EFORMAT);
    assert_null(bad);
    assert_non_null(strstr(gan_error_last(), "running statistics"));
    put_f32_at(b, var0, 0.5f);
    reseal_container(b, len);
    write_file(path, b, len);
    assert_int_equal(gan_net_load(&bad, path), GAN_OK);
    gan_net_free(bad);
    free(b);
    free(p);
    free(x);
    gan_net_free(fresh);
    gan_net_free(back);
    gan_net_free(net);
    gan_rng_free(rng);
}

/* Activation layers (every kind, a leaky ReLU of a set slope) survive a
 * save and load; the file records the slope. */
static void test_activation_layers_round_trip(void **state)
{
    const char *dir = *state;
    gan_rng *rng;
    assert_int_equal(gan_rng_create(&rng, 53), GAN_OK);
    gan_net *net;
    assert_int_equal(gan_net_create(&net, 32), GAN_OK);
    assert_int_equal(gan_net_add_reshape(net, 2, 4, 4), GAN_OK);
    assert_int_equal(gan_net_add_conv2d(net, 3, 3, 1, 1, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_batchnorm(net, 0.1f, 1e-5f), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_LEAKY_RELU), GAN_OK);
    assert_int_equal(gan_net_set_leaky_slope(net, 3, 0.05f), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_TANH), GAN_OK);
    assert_int_equal(gan_net_add_dense(net, 6, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_RELU), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_IDENTITY), GAN_OK);
    assert_int_equal(gan_net_add_activation(net, GAN_ACT_SIGMOID), GAN_OK);
    assert_int_equal(gan_net_init(net, rng, GAN_INIT_GLOROT_UNIFORM, 0), GAN_OK);
    char path[256];
    path_join(path, sizeof path, dir, "act.gannet");
    assert_int_equal(gan_net_save(net, path), GAN_OK);
    gan_net *back = NULL;
    assert_int_equal(gan_net_load(&back, path), GAN_OK);
    assert_same_net(net, back);
    gan_layer_info li;
    assert_int_equal(gan_net_layer_info(&li, back, 3), GAN_OK);
    assert_int_equal(li.kind, GAN_LAYER_ACTIVATION);
    assert_int_equal(li.activation, GAN_ACT_LEAKY_RELU);
    assert_true(li.leaky_slope == 0.05f);
    assert_int_equal(li.num_params, 0);
    assert_int_equal(li.in_width, 48);
    assert_int_equal(li.out_width, 48);
    gan_layer_shape sh;
    assert_int_equal(gan_net_layer_shape(&sh, back, 3), GAN_OK);
    assert_int_equal(sh.out_channels, 3);
    assert_int_equal(sh.out_height, 4);
    const size_t rows = 4;
    float *x = rand_array(rng, rows * 32, -1, 1);
    float ya[4 * 6], yb[4 * 6];
    assert_int_equal(gan_net_forward(ya, 6, net, x, rows, 32, 0), GAN_OK);
    assert_int_equal(gan_net_forward(yb, 6, back, x, rows, 32, 0), GAN_OK);
    assert_memory_equal(ya, yb, sizeof ya);
    /* The slope matters: the default 0.2 gives other outputs. */
    assert_int_equal(gan_net_set_leaky_slope(back, 3, 0.2f), GAN_OK);
    assert_int_equal(gan_net_forward(yb, 6, back, x, rows, 32, 0), GAN_OK);
    assert_true(memcmp(ya, yb, sizeof ya) != 0);
    free(x);
    gan_net_free(back);
    gan_net_free(net);
    gan_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMPDIR_TEST(test_round_trip),
        TMPDIR_TEST(test_overwrite),
        TMPDIR_TEST(test_truncated_and_flipped),
        TMPDIR_TEST(test_foreign_files),
        TMPDIR_TEST(test_crafted_payloads),
        TMPDIR_TEST(test_nonfinite_weights_refused),
        TMPDIR_TEST(test_legacy_file_loads),
        TMPDIR_TEST(test_image_layers_round_trip),
        TMPDIR_TEST(test_activation_layers_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
