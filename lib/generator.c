/* gan_generator: a generator net with its noise prior and output scaling,
 * and its file.
 *
 * File: a container (serial.h) with magic "GANGEN\0\1", format 1, payload
 *   u32 noise_kind | f32 noise_scale | u32 noise_width | u32 output_scaling
 *   | net record (gan__net_write, the payload of gan_net_save)
 * A file with another magic is handed to gan_net_load, so plain net files
 * load with the default prior. */
#include "fs.h"
#include "net.h"
#include "rng.h"
#include "serial.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GEN_MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'G', 'E', 'N', '\0', '\1'};
#define GEN_FORMAT_VERSION 1u
#define GEN_MAX_FILE ((size_t)1 << 34)

struct gan_generator {
    gan_net *net;
    gan_generator_options o; /* noise_width is the net's input width */
};

GAN__DEFINE_OPTIONS_INIT(gan_generator_options_init, gan_generator_options,
                         GAN_GENERATOR_OPTIONS_VERSION, GAN_GENERATOR_OPTIONS_INIT)

int gan_generator_options_from_session(gan_generator_options *opts,
                                       const gan_session_options *session)
{
    static const char fn[] = "gan_generator_options_from_session";
    GAN_CHECK_NULL(fn, opts);
    GAN_CHECK_NULL(fn, session);
    /* The prior's fields are in every version of the struct. */
    if (session->version < 1 || session->version > GAN_SESSION_OPTIONS_VERSION)
        return gan__error(GAN_EUNSUPPORTED, "%s: session->version %u is unknown, this library knows 1 to %u",
                          fn, session->version, (unsigned)GAN_SESSION_OPTIONS_VERSION);
    const gan_generator_options init = GAN_GENERATOR_OPTIONS_INIT;
    *opts = init;
    opts->noise_kind = session->noise_kind;
    opts->noise_scale = session->noise_scale;
    opts->noise_width = session->noise_width;
    return GAN_OK;
}

/* Check o against net and fill in the noise width. code is the status for
 * a bad value: GAN_EINVAL for a caller's options, GAN_EFORMAT for a file's;
 * what names them ("gan_generator_create: opts" or a path). */
static int check_prior(gan_generator_options *o, const gan_net *net, int code, const char *what)
{
    /* A net without layers is a valid gan_net but maps noise to nothing. */
    if (gan_net_num_layers(net) == 0)
        return gan__error(code, "%s: the net has no layers, so it cannot generate", what);
    if (o->noise_kind != GAN_NOISE_UNIFORM && o->noise_kind != GAN_NOISE_NORMAL)
        return gan__error(code, "%s: noise_kind %lu is not a gan_noise_kind", what,
                          (unsigned long)o->noise_kind);
    if (!(o->noise_scale > 0.0f && o->noise_scale <= GAN__RNG_SCALE_MAX))
        return gan__error(code, "%s: noise_scale must be > 0 and at most %g, got %g", what,
                          (double)GAN__RNG_SCALE_MAX, (double)o->noise_scale);
    const size_t width = gan_net_input_width(net);
    if (o->noise_width == 0 && code == GAN_EINVAL)
        o->noise_width = (uint32_t)width; /* < 2^32: a net's limit */
    if (o->noise_width != width)
        return gan__error(code == GAN_EINVAL ? GAN_ESHAPE : code,
                          "%s: noise_width %lu differs from the net's input width %zu", what,
                          (unsigned long)o->noise_width, width);
    if (o->output_scaling != GAN_OUTPUT_IDENTITY && o->output_scaling != GAN_OUTPUT_SYMMETRIC_TO_UNIT)
        return gan__error(code, "%s: output_scaling %lu is not a gan_output_scaling", what,
                          (unsigned long)o->output_scaling);
    return GAN_OK;
}

/* The options of a call: opts (NULL: defaults), version-checked, checked
 * against net. */
static int caller_prior(gan_generator_options *o, const gan_generator_options *opts,
                        const gan_net *net, const char *fn)
{
    const gan_generator_options init = GAN_GENERATOR_OPTIONS_INIT;
    *o = init;
    if (opts != NULL) {
        if (opts->version != GAN_GENERATOR_OPTIONS_VERSION)
            return gan__error(GAN_EUNSUPPORTED, "%s: opts->version %u is unknown, this library knows %u",
                              fn, opts->version, (unsigned)GAN_GENERATOR_OPTIONS_VERSION);
        *o = *opts;
    }
    char what[96];
    snprintf(what, sizeof what, "%s: opts", fn);
    return check_prior(o, net, GAN_EINVAL, what);
}

static int wrap(gan_generator **out, gan_net *net, const gan_generator_options *o, const char *fn)
{
    gan_generator *g = malloc(sizeof *g);
    if (g == NULL) {
        gan_net_free(net);
        return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
    }
    g->net = net;
    g->o = *o;
    *out = g;
    return GAN_OK;
}

int gan_generator_create(gan_generator **out, const gan_net *net, const gan_generator_options *opts)
{
    static const char fn[] = "gan_generator_create";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    GAN_CHECK_NULL(fn, net);
    gan_generator_options o;
    int rc = caller_prior(&o, opts, net, fn);
    if (rc)
        return rc;
    if (gan__net_nonfinite_layer(net) != SIZE_MAX)
        return gan__error(GAN_EINVAL, "%s: net's layer %zu holds NaN or Inf parameters", fn,
                          gan__net_nonfinite_layer(net));
    /* Copy the net through its file record: the one way to copy a net
     * without reading its representation. */
    gan__writer w;
    gan__writer_init(&w);
    gan__net_write(&w, net);
    if (w.failed) {
        gan__writer_free(&w);
        return gan__error(GAN_ENOMEM, "%s: out of memory copying the net", fn);
    }
    gan__reader r;
    gan__reader_init(&r, w.data, w.len);
    gan_net *copy;
    rc = gan__net_read(&copy, &r, fn);
    gan__writer_free(&w);
    if (rc)
        return rc;
    return wrap(out, copy, &o, fn);
}

void gan_generator_free(gan_generator *gen)
{
    if (gen == NULL)
        return;
    gan_net_free(gen->net);
    free(gen);
}

static int save(const gan_net *net, const gan_generator_options *o, const char *path,
                const char *fn)
{
    gan__writer w;
    gan__writer_init(&w);
    gan__put_u32(&w, o->noise_kind);
    gan__put_f32(&w, o->noise_scale);
    gan__put_u32(&w, o->noise_width);
    gan__put_u32(&w, o->output_scaling);
    gan__net_write(&w, net);
    const int rc = gan__container_save(path, GEN_MAGIC, GEN_FORMAT_VERSION, &w, fn);
    gan__writer_free(&w);
    return rc;
}

int gan_generator_save(const gan_generator *gen, const char *path)
{
    static const char fn[] = "gan_generator_save";
    GAN_CHECK_NULL(fn, gen);
    const int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    return save(gen->net, &gen->o, path, fn);
}

int gan_generator_save_net(const gan_net *net, const gan_generator_options *opts, const char *path)
{
    static const char fn[] = "gan_generator_save_net";
    GAN_CHECK_NULL(fn, net);
    int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    gan_generator_options o;
    rc = caller_prior(&o, opts, net, fn);
    if (rc)
        return rc;
    if (gan__net_nonfinite_layer(net) != SIZE_MAX)
        return gan__error(GAN_EINVAL, "%s: net's layer %zu holds NaN or Inf parameters", fn,
                          gan__net_nonfinite_layer(net));
    return save(net, &o, path, fn);
}

/* A generator file held in data. */
static int parse_file(gan_generator **out, const void *data, size_t len, const char *path)
{
    gan__reader r;
    uint32_t version;
    int rc = gan__container_open(&r, &version, data, len, GEN_MAGIC, path);
    if (rc)
        return rc;
    if (version != GEN_FORMAT_VERSION)
        return gan__error(GAN_EFORMAT, "%s: generator format version %lu is not supported (this "
                          "library reads %u)", path, (unsigned long)version, GEN_FORMAT_VERSION);
    gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT;
    o.noise_kind = gan__get_u32(&r);
    o.noise_scale = gan__get_f32(&r);
    o.noise_width = gan__get_u32(&r);
    o.output_scaling = gan__get_u32(&r);
    if (r.failed)
        return gan__error(GAN_EFORMAT, "%s: truncated generator prior", path);
    gan_net *net;
    rc = gan__net_read(&net, &r, path);
    if (rc)
        return rc;
    if (gan__reader_left(&r) != 0)
        rc = gan__error(GAN_EFORMAT, "%s: trailing bytes after the net", path);
    if (rc == GAN_OK)
        rc = check_prior(&o, net, GAN_EFORMAT, path);
    if (rc) {
        gan_net_free(net);
        return rc;
    }
    return wrap(out, net, &o, "gan_generator_load");
}

int gan_generator_load(gan_generator **out, const char *path)
{
    static const char fn[] = "gan_generator_load";
    GAN_CHECK_NULL(fn, out);
    *out = NULL;
    int rc = gan__check_path(fn, "path", path);
    if (rc)
        return rc;
    void *data;
    size_t len;
    rc = gan__file_read_all(&data, &len, path, GEN_MAX_FILE, "a libgan file");
    if (rc)
        return rc;
    if (len >= GAN_MAGIC_LEN && memcmp(data, GEN_MAGIC, GAN_MAGIC_LEN) == 0) {
        rc = parse_file(out, data, len, path);
        free(data);
        return rc;
    }
    free(data);
    /* Not a generator file: a plain net file gets the default prior. */
    gan_net *net;
    rc = gan_net_load(&net, path);
    if (rc == GAN_EFORMAT) {
        char msg[GAN__ERROR_MAX];
        snprintf(msg, sizeof msg, "%s", gan_error_last());
        return gan__error(rc, "%s: neither a generator file nor a net file (as a net file: %s)", fn,
                          msg);
    }
    if (rc)
        return rc;
    /* The default prior fits every net with layers; a net file without
     * layers is refused. The default noise width is filled in here. */
    gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT;
    o.noise_width = (uint32_t)gan_net_input_width(net);
    char what[GAN__ERROR_MAX];
    snprintf(what, sizeof what, "%s: %s", fn, path);
    rc = check_prior(&o, net, GAN_EFORMAT, what);
    if (rc) {
        gan_net_free(net);
        return rc;
    }
    return wrap(out, net, &o, fn);
}

const gan_net *gan_generator_net(const gan_generator *gen)
{
    return gen != NULL ? gen->net : NULL;
}

int gan_generator_get_options(gan_generator_options *opts, const gan_generator *gen)
{
    static const char fn[] = "gan_generator_get_options";
    GAN_CHECK_NULL(fn, opts);
    GAN_CHECK_NULL(fn, gen);
    *opts = gen->o;
    return GAN_OK;
}

size_t gan_generator_noise_width(const gan_generator *gen)
{
    return gen != NULL ? gen->o.noise_width : 0;
}

size_t gan_generator_output_width(const gan_generator *gen)
{
    return gen != NULL ? gan_net_output_width(gen->net) : 0;
}

/* rows x cols floats: GAN_OK or GAN_EINVAL on overflow. */
static int check_rows(size_t *n, size_t rows, size_t cols, const char *fn)
{
    if (gan__mul_size(n, rows, cols) != 0 || *n > (size_t)-1 / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: rows x cols = %zu x %zu overflows size_t", fn, rows, cols);
    return GAN_OK;
}

static void draw(float *z, size_t n, const gan_generator *gen, gan_rng *rng)
{
    const float s = gen->o.noise_scale;
    if (gen->o.noise_kind == GAN_NOISE_UNIFORM)
        gan_rng_uniform(z, n, rng, -s, s);
    else
        gan__rng_fill_normal(rng, z, n, 0.0f, s);
}

int gan_generator_noise(float *out, size_t rows, size_t cols, const gan_generator *gen, gan_rng *rng)
{
    static const char fn[] = "gan_generator_noise";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, gen);
    GAN_CHECK_NULL(fn, rng);
    GAN_CHECK_NONZERO(fn, rows);
    if (cols != gen->o.noise_width)
        return gan__error(GAN_ESHAPE, "%s: cols %zu differs from the noise width %lu", fn, cols,
                          (unsigned long)gen->o.noise_width);
    size_t n = 0;
    int rc = check_rows(&n, rows, cols, fn);
    if (rc)
        return rc;
    draw(out, n, gen, rng);
    return GAN_OK;
}

static void apply_scaling(float *out, size_t n, const gan_generator *gen)
{
    if (gen->o.output_scaling == GAN_OUTPUT_SYMMETRIC_TO_UNIT)
        for (size_t i = 0; i < n; i++)
            out[i] = 0.5f * (out[i] + 1.0f);
}

int gan_generator_forward(float *out, size_t rows, size_t cols, const gan_generator *gen,
                          const float *z, size_t z_cols)
{
    static const char fn[] = "gan_generator_forward";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, gen);
    GAN_CHECK_NULL(fn, z);
    GAN_CHECK_NONZERO(fn, rows);
    if (z_cols != gen->o.noise_width)
        return gan__error(GAN_ESHAPE, "%s: z_cols %zu differs from the noise width %lu", fn, z_cols,
                          (unsigned long)gen->o.noise_width);
    const size_t width = gan_net_output_width(gen->net);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols %zu differs from the output width %zu", fn, cols,
                          width);
    size_t n = 0;
    int rc = check_rows(&n, rows, cols, fn);
    if (rc)
        return rc;
    rc = gan_net_forward(out, cols, gen->net, z, rows, z_cols, 0);
    if (rc)
        return rc;
    apply_scaling(out, n, gen);
    return GAN_OK;
}

int gan_generator_sample(float *out, size_t rows, size_t cols, const gan_generator *gen,
                         gan_rng *rng)
{
    static const char fn[] = "gan_generator_sample";
    GAN_CHECK_NULL(fn, out);
    GAN_CHECK_NULL(fn, gen);
    GAN_CHECK_NULL(fn, rng);
    GAN_CHECK_NONZERO(fn, rows);
    const size_t width = gan_net_output_width(gen->net);
    if (cols != width)
        return gan__error(GAN_ESHAPE, "%s: cols %zu differs from the output width %zu", fn, cols,
                          width);
    size_t n = 0, zn = 0;
    int rc = check_rows(&n, rows, cols, fn);
    if (rc == GAN_OK)
        rc = check_rows(&zn, rows, gen->o.noise_width, fn);
    if (rc)
        return rc;
    float *z = malloc(zn * sizeof *z);
    if (z == NULL)
        return gan__error(GAN_ENOMEM, "%s: out of memory for %zu noise vectors", fn, rows);
    draw(z, zn, gen, rng);
    rc = gan_net_forward(out, cols, gen->net, z, rows, gen->o.noise_width, 0);
    free(z);
    if (rc)
        return rc;
    apply_scaling(out, n, gen);
    return GAN_OK;
}
