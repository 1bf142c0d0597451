/* Writes the seed corpora of the fuzz targets, using the library itself:
 *   make_seeds OUTDIR
 * creates one folder per target (see targets[] in main) holding valid
 * nets, checkpoints of the fuzz session, IDX files (plain and gzip),
 * optimizer states, NPY, CSV and PNG files, generator files and CIFAR-10
 * records, plus a few damaged copies (cut short, one byte too many) next
 * to them. */
#define GAN_FUZZ_NO_MAIN
#include "fuzz_common.h"

static char outdir[2048];

static void seed_path(char *buf, size_t n, const char *target, const char *name)
{
    snprintf(buf, n, "%s/%s/%s", outdir, target, name);
}

static void write_seed(const char *target, const char *name, const void *data, size_t len)
{
    char path[4096];
    seed_path(path, sizeof path, target, name);
    fuzz_write_file(path, data, len);
}

/* name plus a copy one byte short and one with a byte appended. */
static void write_with_damage(const char *target, const char *name, const uint8_t *data,
                              size_t len)
{
    char n2[256];
    write_seed(target, name, data, len);
    snprintf(n2, sizeof n2, "%s_short", name);
    write_seed(target, n2, data, len - 1);
    uint8_t *longer = malloc(len + 1);
    FUZZ_REQUIRE(longer != NULL, "out of memory");
    memcpy(longer, data, len);
    longer[len] = 0;
    snprintf(n2, sizeof n2, "%s_long", name);
    write_seed(target, n2, longer, len + 1);
    free(longer);
}

static void save_net(gan_net *net, gan_rng *rng, const char *name)
{
    char path[4096];
    FUZZ_REQUIRE(gan_net_init(net, rng, GAN_INIT_UNIFORM, 0.5f) == GAN_OK, "%s", gan_error_last());
    seed_path(path, sizeof path, "gan_net_load", name);
    FUZZ_REQUIRE(gan_net_save(net, path) == GAN_OK, "%s", gan_error_last());
    gan_net_free(net);
}

static void net_seeds(void)
{
    gan_rng *rng;
    gan_net *n;
    FUZZ_REQUIRE(gan_rng_create(&rng, 1) == GAN_OK, "rng");
    int rc = gan_net_create(&n, 3);
    if (!rc) rc = gan_net_add_dense(n, 4, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(n, 2, GAN_ACT_SIGMOID);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "dense");

    rc = gan_net_create(&n, 2);
    if (!rc) rc = gan_net_add_dropout(n, 0.8f);
    if (!rc) rc = gan_net_add_maxout(n, 3, 2);
    if (!rc) rc = gan_net_add_dropout(n, 0.5f);
    if (!rc) rc = gan_net_add_dense(n, 1, GAN_ACT_SIGMOID);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "maxout_dropout");

    rc = gan_net_create(&n, 2);
    if (!rc) rc = gan_net_add_dense(n, 3, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_set_leaky_slope(n, 0, 0.1f);
    if (!rc) rc = gan_net_add_dense(n, 2, GAN_ACT_TANH);
    if (!rc) rc = gan_net_add_dense(n, 1, GAN_ACT_IDENTITY);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "leaky_tanh");
    /* Image layers: geometry records and running statistics. */
    rc = gan_net_create(&n, 4);
    if (!rc) rc = gan_net_add_deconv2d(n, 4, 3, 1, 0, 0, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_batchnorm(n, 0.1f, 1e-5f);
    if (!rc) rc = gan_net_add_deconv2d(n, 2, 4, 2, 1, 1, GAN_ACT_TANH);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "deconv_batchnorm");
    rc = gan_net_create(&n, 72);
    if (!rc) rc = gan_net_add_reshape(n, 2, 6, 6);
    if (!rc) rc = gan_net_add_conv2d(n, 4, 3, 1, 1, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_add_channel_maxout(n, 2);
    if (!rc) rc = gan_net_add_maxpool(n, 4, 2, 0);
    if (!rc) rc = gan_net_add_batchnorm(n, 0.5f, 1e-3f);
    if (!rc) rc = gan_net_add_dense(n, 1, GAN_ACT_SIGMOID);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "conv_pool_batchnorm");
    /* Activation layers (DCGAN's conv -> batch norm -> leaky ReLU). */
    rc = gan_net_create(&n, 36);
    if (!rc) rc = gan_net_add_reshape(n, 1, 6, 6);
    if (!rc) rc = gan_net_add_conv2d(n, 3, 4, 2, 1, GAN_ACT_IDENTITY);
    if (!rc) rc = gan_net_add_batchnorm(n, 0.1f, 1e-5f);
    if (!rc) rc = gan_net_add_activation(n, GAN_ACT_LEAKY_RELU);
    if (!rc) rc = gan_net_set_leaky_slope(n, 3, 0.3f);
    if (!rc) rc = gan_net_add_dense(n, 1, GAN_ACT_SIGMOID);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    save_net(n, rng, "conv_batchnorm_activation");
    gan_rng_free(rng);

    char path[4096];
    size_t len;
    seed_path(path, sizeof path, "gan_net_load", "dense");
    uint8_t *b = fuzz_read_file(path, &len);
    write_with_damage("gan_net_load", "dense", b, len);
    free(b);
    seed_path(path, sizeof path, "gan_net_load", "conv_pool_batchnorm");
    b = fuzz_read_file(path, &len);
    write_with_damage("gan_net_load", "conv_pool_batchnorm", b, len);
    free(b);
}

static void session_seeds(void)
{
    fuzz_session f;
    fuzz_session_make(&f);
    static const struct { const char *name; int steps; } at[] = {
        {"ckpt_0", 0}, {"ckpt_1", 1}, {"ckpt_4", 3}};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        for (int k = 0; k < at[i].steps; k++)
            FUZZ_REQUIRE(gan_session_step(NULL, f.s) == GAN_OK, "%s", gan_error_last());
        char path[4096];
        seed_path(path, sizeof path, "gan_session_load", at[i].name);
        FUZZ_REQUIRE(gan_session_save(f.s, path) == GAN_OK, "%s", gan_error_last());
        /* The optimizer states of the same moment. */
        gan_optimizer *opts[2] = {f.gopt, f.dopt};
        for (int o = 0; o < 2; o++) {
            const size_t n = gan_optimizer_state_size(opts[o]);
            uint8_t *b = malloc(n);
            FUZZ_REQUIRE(b != NULL, "out of memory");
            FUZZ_REQUIRE(gan_optimizer_get_state(b, n, opts[o]) == GAN_OK, "%s", gan_error_last());
            char name[64];
            snprintf(name, sizeof name, "%s_%s", o ? "adam" : "sgd", at[i].name);
            write_seed("gan_optimizer_set_state", name, b, n);
            free(b);
        }
    }
    char path[4096];
    size_t len;
    seed_path(path, sizeof path, "gan_session_load", "ckpt_1");
    uint8_t *b = fuzz_read_file(path, &len);
    write_with_damage("gan_session_load", "ckpt_1", b, len);
    free(b);
    fuzz_session_free(&f);
}

/* gzip of data in *out (malloc'ed). */
static uint8_t *gzip_bytes(const uint8_t *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    FUZZ_REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
                 "deflateInit2");
    const size_t cap = deflateBound(&zs, (uLong)len);
    uint8_t *out = malloc(cap);
    FUZZ_REQUIRE(out != NULL, "out of memory");
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    FUZZ_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* An IDX seed: mode byte, then the file; plain and gzip, each also damaged. */
static void idx_seed(const char *name, int mode, const uint8_t *file, size_t len)
{
    uint8_t *buf = malloc(len + 1);
    FUZZ_REQUIRE(buf != NULL, "out of memory");
    buf[0] = (uint8_t)mode;
    memcpy(buf + 1, file, len);
    write_with_damage("gan_dataset_load_idx", name, buf, len + 1);
    free(buf);

    size_t zlen;
    uint8_t *z = gzip_bytes(file, len, &zlen);
    buf = malloc(zlen + 1);
    FUZZ_REQUIRE(buf != NULL, "out of memory");
    buf[0] = (uint8_t)mode;
    memcpy(buf + 1, z, zlen);
    char zname[128];
    snprintf(zname, sizeof zname, "%s_gz", name);
    write_with_damage("gan_dataset_load_idx", zname, buf, zlen + 1);
    /* The gzip file without its 8-byte trailer (CRC-32 and size). */
    snprintf(zname, sizeof zname, "%s_gz_no_trailer", name);
    write_seed("gan_dataset_load_idx", zname, buf, zlen + 1 - 8);
    free(buf);
    free(z);
}

static void idx_seeds(void)
{
    /* Images: 2 images of 3 x 2 (mode 0); labels: 3 labels (mode 1, the
     * target's fixed images file has 3 rows). */
    uint8_t img[16 + 12] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2};
    for (size_t i = 16; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 23);
    idx_seed("images", 0, img, sizeof img);
    uint8_t lab[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9};
    idx_seed("labels", 1, lab, sizeof lab);
}

/* NPY: a 2 x 3 float32 array (format 1.0) and a 3-element uint8 one. */
static void npy_seeds(void)
{
    static const char hdr_f4[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    static const char hdr_u1[] = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }";
    const char *hdrs[2] = {hdr_f4, hdr_u1};
    const char *names[2] = {"f4", "u1"};
    for (int k = 0; k < 2; k++) {
        uint8_t buf[256];
        const size_t hl = strlen(hdrs[k]);
        /* magic, version 1.0, u16 header length; header padded with spaces
         * and ended by '\n' so that the data starts at a multiple of 64. */
        const size_t total_hdr = (10 + hl + 1 + 63) / 64 * 64;
        memcpy(buf, "\x93NUMPY\x01\x00", 8);
        buf[8] = (uint8_t)(total_hdr - 10);
        buf[9] = 0;
        memset(buf + 10, ' ', total_hdr - 10);
        memcpy(buf + 10, hdrs[k], hl);
        buf[total_hdr - 1] = '\n';
        size_t len = total_hdr;
        if (k == 0) {
            const float v[6] = {0.0f, 0.5f, 1.0f, -1.0f, 2.5f, 3.0f};
            memcpy(buf + len, v, sizeof v); /* little-endian hosts only, like '<f4' */
            len += sizeof v;
        } else {
            buf[len++] = 0;
            buf[len++] = 128;
            buf[len++] = 255;
        }
        write_with_damage("gan_dataset_load_npy", names[k], buf, len);
    }
}

/* CSV: the first byte is the options byte of the target. */
static void csv_seeds(void)
{
    static const char plain[] = "\x00" "0.5,1,2\n3,4.25,-5e-3\n";
    static const char labelled[] = "\x03" "label,a,b\n1,0.5,0.25\n0,1,2\n";
    static const char semicolon[] = "\x04" "1;2\r\n3;4\r\n";
    write_seed("gan_dataset_load_csv", "plain", plain, sizeof plain - 1);
    write_seed("gan_dataset_load_csv", "labelled", labelled, sizeof labelled - 1);
    write_seed("gan_dataset_load_csv", "semicolon", semicolon, sizeof semicolon - 1);
}

/* PNG folders: a grey and an RGB grid written by the library, behind the
 * target's options byte (one image, or the same image twice). */
static void png_seeds(void)
{
    const float img[2 * 3 * 3] = {0, 0.25f, 0.5f, 0.75f, 1, 0.1f, 0.2f, 0.3f, 0.4f,
                                  0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1, 0, 0.5f, 0.5f};
    char path[4096];
    seed_path(path, sizeof path, "gan_dataset_load_png_dir", "grid.tmp");
    for (int rgb = 0; rgb < 2; rgb++) {
        const int rc = rgb ? gan_png_write_grid_rgb(path, img, 1, 1, 2, 3, NULL)
                           : gan_png_write_grid(path, img, 1, 1, 2, 3, NULL);
        FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
        size_t len;
        uint8_t *png = fuzz_read_file(path, &len);
        uint8_t *two = malloc(2 * len + 1);
        FUZZ_REQUIRE(two != NULL, "out of memory");
        two[0] = 0;
        memcpy(two + 1, png, len);
        write_seed("gan_dataset_load_png_dir", rgb ? "rgb_one" : "grey_one", two, len + 1);
        two[0] = 2;
        memcpy(two + 1 + len, png, len);
        write_seed("gan_dataset_load_png_dir", rgb ? "rgb_two" : "grey_two", two, 2 * len + 1);
        free(two);
        free(png);
    }
    unlink(path);
}

/* CIFAR-10: behind the target's file-count byte, one record, two records,
 * two files of one record each, and refused ones: a label of 10, a
 * CIFAR-100 record (two label bytes), a record cut short. */
static void cifar10_seeds(void)
{
    enum { REC = 3073 };
    uint8_t *b = malloc(1 + 2 * REC + 1);
    FUZZ_REQUIRE(b != NULL, "out of memory");
    for (size_t i = 0; i < 2 * REC + 1; i++)
        b[1 + i] = (uint8_t)(i * 7 + i / 256);
    b[1] = 3;
    b[1 + REC] = 9;
    b[0] = 0; /* one file */
    write_seed("gan_dataset_load_cifar10", "one_record", b, 1 + REC);
    write_seed("gan_dataset_load_cifar10", "two_records", b, 1 + 2 * REC);
    write_seed("gan_dataset_load_cifar10", "cut_short", b, REC);
    write_seed("gan_dataset_load_cifar10", "cifar100_record", b, 1 + REC + 1);
    b[0] = 1; /* two files */
    write_seed("gan_dataset_load_cifar10", "two_files", b, 1 + 2 * REC);
    b[0] = 0;
    b[1 + REC] = 10;
    write_seed("gan_dataset_load_cifar10", "label_10", b, 1 + 2 * REC);
    free(b);
}

/* Generators: a generator file with a normal prior and a plain net file. */
static void generator_seeds(void)
{
    gan_rng *rng;
    gan_net *n;
    FUZZ_REQUIRE(gan_rng_create(&rng, 2) == GAN_OK, "rng");
    int rc = gan_net_create(&n, 3);
    if (!rc) rc = gan_net_add_dense(n, 4, GAN_ACT_RELU);
    if (!rc) rc = gan_net_add_dense(n, 2, GAN_ACT_TANH);
    if (!rc) rc = gan_net_init(n, rng, GAN_INIT_UNIFORM, 0.5f);
    FUZZ_REQUIRE(rc == GAN_OK, "%s", gan_error_last());
    gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT;
    o.noise_kind = GAN_NOISE_NORMAL;
    o.noise_scale = 0.5f;
    o.output_scaling = GAN_OUTPUT_SYMMETRIC_TO_UNIT;
    char path[4096];
    seed_path(path, sizeof path, "gan_generator_load", "generator");
    FUZZ_REQUIRE(gan_generator_save_net(n, &o, path) == GAN_OK, "%s", gan_error_last());
    seed_path(path, sizeof path, "gan_generator_load", "plain_net");
    FUZZ_REQUIRE(gan_net_save(n, path) == GAN_OK, "%s", gan_error_last());
    /* A net file without layers: a valid net that cannot generate. */
    gan_net *empty;
    FUZZ_REQUIRE(gan_net_create(&empty, 3) == GAN_OK, "%s", gan_error_last());
    seed_path(path, sizeof path, "gan_generator_load", "net_without_layers");
    FUZZ_REQUIRE(gan_net_save(empty, path) == GAN_OK, "%s", gan_error_last());
    gan_net_free(empty);
    gan_net_free(n);
    gan_rng_free(rng);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    snprintf(outdir, sizeof outdir, "%s", argv[1]);
    static const char *targets[] = {"",
                                    "/gan_net_load",
                                    "/gan_session_load",
                                    "/gan_dataset_load_idx",
                                    "/gan_optimizer_set_state",
                                    "/gan_dataset_load_npy",
                                    "/gan_dataset_load_csv",
                                    "/gan_dataset_load_png_dir",
                                    "/gan_generator_load",
                                    "/gan_dataset_load_cifar10"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s%s", outdir, targets[i]);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "%s: %s\n", dir, strerror(errno));
            return 1;
        }
    }
    net_seeds();
    session_seeds();
    idx_seeds();
    npy_seeds();
    csv_seeds();
    png_seeds();
    generator_seeds();
    cifar10_seeds();
    return 0;
}
