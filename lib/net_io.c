/* gan_net files: architecture and parameters in a checksummed container
 * (see serial.h), written atomically. */
#include "fs.h"
#include "net_layers.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char NET_MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'N', 'E', 'T', '\0', '\1'};
#define NET_FORMAT_VERSION 1u

/* Layers of the kinds added after the first format carry a geometry
 * record after the common one; nets of the first kinds are written exactly
 * as before, so files of older versions of the library still load and
 * such nets still load in them. */
static int has_geometry(uint32_t kind)
{
    return kind >= GAN_LAYER_RESHAPE;
}

/* The spec a layer is saved as (the builder's arguments). */
static void spec_of(gan__layer_spec *s, const gan__layer *l)
{
    memset(s, 0, sizeof *s);
    s->kind = l->kind;
    s->act = l->act;
    s->units = l->units;
    s->pieces = l->pieces;
    s->keep = l->keep;
    s->slope = l->slope;
    if (l->kind == GAN_LAYER_RESHAPE) /* its shape is its output */
        s->channels = l->oc, s->height = l->oh, s->width = l->ow;
    s->kernel = l->kernel;
    s->stride = l->stride;
    s->pad = l->pad;
    s->out_pad = l->out_pad;
    s->momentum = l->momentum;
    s->eps = l->eps;
}

static void put_layer(gan__writer *w, const gan__layer *l)
{
    gan__layer_spec s;
    spec_of(&s, l);
    gan__put_u32(w, s.kind);
    gan__put_u32(w, s.act);
    gan__put_u64(w, s.units);
    gan__put_u64(w, s.pieces);
    gan__put_f32(w, s.keep);
    gan__put_f32(w, s.slope);
    if (!has_geometry(s.kind))
        return;
    const size_t dims[] = {s.channels, s.height, s.width, s.kernel, s.stride, s.pad, s.out_pad};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        gan__put_u64(w, dims[i]);
    gan__put_f32(w, s.momentum);
    gan__put_f32(w, s.eps);
}

/* A layer record as a spec; r->failed on truncation. Sizes above the
 * format's limits read as SIZE_MAX, which gan__net_plan refuses. */
static void get_layer(gan__layer_spec *s, gan__reader *r)
{
    memset(s, 0, sizeof *s);
    s->kind = gan__get_u32(r);
    s->act = gan__get_u32(r);
    const uint64_t units = gan__get_u64(r), pieces = gan__get_u64(r);
    s->units = units > GAN__NET_MAX_WIDTH ? SIZE_MAX : (size_t)units;
    s->pieces = pieces > GAN__NET_MAX_WIDTH ? SIZE_MAX : (size_t)pieces;
    s->keep = gan__get_f32(r);
    s->slope = gan__get_f32(r);
    if (!has_geometry(s->kind))
        return;
    size_t *dims[] = {&s->channels, &s->height, &s->width, &s->kernel,
                      &s->stride,   &s->pad,    &s->out_pad};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        const uint64_t v = gan__get_u64(r);
        *dims[i] = v > GAN__NET_MAX_WIDTH ? SIZE_MAX : (size_t)v;
    }
    s->momentum = gan__get_f32(r);
    s->eps = gan__get_f32(r);
}

void gan__net_write(gan__writer *w, const gan_net *net)
{
    gan__put_u64(w, net->input_width);
    gan__put_u32(w, (uint32_t)net->n_layers);
    for (size_t i = 0; i < net->n_layers; i++)
        put_layer(w, &net->layers[i]);
    gan__put_u64(w, net->n_params);
    gan__put_f32_array(w, net->params, net->n_params);
    /* Running statistics, only when a layer has some (so nets without
     * them are written as by older versions). */
    if (net->n_state > 0) {
        gan__put_u64(w, net->n_state);
        gan__put_f32_array(w, net->state, net->n_state);
    }
}

/* The first batch norm layer whose running statistics in st (laid out as
 * net->state) are non-finite or have a negative variance, or SIZE_MAX. */
static size_t bad_state_layer(const gan_net *net, const float *st)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        if (l->kind != GAN_LAYER_BATCHNORM)
            continue;
        for (size_t c = 0; c < l->oc; c++) {
            const float m = st[l->soff + c], v = st[l->soff + l->oc + c];
            if (!isfinite(m) || !isfinite(v) || v < 0.0f)
                return i;
        }
    }
    return SIZE_MAX;
}

int gan__net_read(gan_net **out, gan__reader *r, const char *what)
{
    *out = NULL;
    const uint64_t input_width = gan__get_u64(r);
    const uint32_t n_layers = gan__get_u32(r);
    if (r->failed || input_width == 0 || input_width > GAN__NET_MAX_WIDTH ||
        n_layers > GAN__NET_MAX_LAYERS)
        return gan__error(GAN_EFORMAT, "%s: bad net header", what);
    gan_net *net;
    int rc = gan_net_create(&net, (size_t)input_width);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < n_layers && rc == GAN_OK; i++) {
        gan__layer_spec s;
        get_layer(&s, r);
        if (r->failed || s.units == 0 || s.units > GAN__NET_MAX_WIDTH || s.pieces == 0 ||
            s.pieces > GAN__NET_MAX_WIDTH) {
            rc = gan__error(GAN_EFORMAT, "%s: layer %u is malformed", what, i);
            break;
        }
        /* A leaky layer's slope comes from gan_net_set_leaky_slope
         * (below), which checks it. Files written before conv2d and
         * deconv2d layers had a slope of their own hold 0 for theirs (they
         * computed a plain ReLU), and load as they were. */
        const float slope = s.slope;
        s.slope = GAN__NET_DEFAULT_SLOPE;
        gan__layer l;
        rc = gan__net_plan(&l, net, &s, what);
        /* Refuse layers whose parameters (and running statistics) could
         * not fit in the bytes left, before allocating them. */
        const uint64_t budget = gan__reader_left(r) / sizeof(float);
        if (rc == GAN_OK && (net->n_params > budget || l.np > budget - net->n_params ||
                             (l.kind == GAN_LAYER_BATCHNORM && 2 * (uint64_t)l.oc > budget))) {
            rc = gan__error(GAN_EFORMAT, "%s: layer %u is larger than the file", what, i);
            break;
        }
        if (rc == GAN_OK)
            rc = gan__net_append(net, &l, what);
        if (rc == GAN_OK && (s.kind == GAN_LAYER_DENSE || s.kind == GAN_LAYER_ACTIVATION ||
                             s.kind == GAN_LAYER_CONV2D || s.kind == GAN_LAYER_DECONV2D) &&
            s.act == GAN_ACT_LEAKY_RELU)
            rc = gan_net_set_leaky_slope(net, i, slope);
        /* Out of memory stays out of memory; anything else the builder
         * refused is a malformed file. */
        if (rc != GAN_OK && rc != GAN_ENOMEM)
            rc = gan__error(GAN_EFORMAT, "%s: layer %u (kind %u) is invalid", what, i, s.kind);
    }
    if (rc == GAN_OK) {
        const uint64_t n_params = gan__get_u64(r);
        if (r->failed || n_params != net->n_params ||
            n_params > gan__reader_left(r) / sizeof(float))
            rc = gan__error(GAN_EFORMAT, "%s: parameter count does not match the layers", what);
        else if (gan__get_f32_array(r, net->params, net->n_params))
            rc = gan__error(GAN_EFORMAT, "%s: truncated parameters", what);
    }
    if (rc == GAN_OK && net->n_state > 0) {
        const uint64_t n_state = gan__get_u64(r);
        if (r->failed || n_state != net->n_state ||
            n_state > gan__reader_left(r) / sizeof(float))
            rc = gan__error(GAN_EFORMAT, "%s: running statistics do not match the layers", what);
        else if (gan__get_f32_array(r, net->state, net->n_state))
            rc = gan__error(GAN_EFORMAT, "%s: truncated running statistics", what);
    }
    if (rc == GAN_OK) {
        const size_t bad = gan__net_nonfinite_layer(net);
        if (bad != SIZE_MAX)
            rc = gan__error(GAN_EFORMAT, "%s: layer %zu holds NaN or Inf parameters", what, bad);
    }
    if (rc == GAN_OK) {
        const size_t bad = bad_state_layer(net, net->state);
        if (bad != SIZE_MAX)
            rc = gan__error(GAN_EFORMAT,
                            "%s: layer %zu holds NaN, Inf or negative running statistics", what,
                            bad);
    }
    if (rc != GAN_OK) {
        gan_net_free(net);
        return rc;
    }
    *out = net;
    return GAN_OK;
}

/* 0 when a and b describe the same layer (slope only counts for leaky
 * ReLU). */
static int spec_differs(const gan__layer_spec *a, const gan__layer_spec *b)
{
    return a->kind != b->kind || a->act != b->act || a->units != b->units ||
           a->pieces != b->pieces || a->keep != b->keep ||
           (a->act == GAN_ACT_LEAKY_RELU && a->slope != b->slope) ||
           a->channels != b->channels || a->height != b->height || a->width != b->width ||
           a->kernel != b->kernel || a->stride != b->stride || a->pad != b->pad ||
           a->out_pad != b->out_pad || a->momentum != b->momentum || a->eps != b->eps;
}

int gan__net_check_record(gan__reader *r, const gan_net *net, const char *what, const char *name)
{
    const uint64_t input_width = gan__get_u64(r);
    const uint32_t n_layers = gan__get_u32(r);
    if (r->failed)
        return gan__error(GAN_EFORMAT, "%s: %s's net record is truncated", what, name);
    if (input_width != net->input_width || n_layers != net->n_layers)
        return gan__error(GAN_ESHAPE,
                          "%s: the nets differ: %s has %u layers on input width %llu in the file, %zu on width %zu here",
                          what, name, n_layers, (unsigned long long)input_width, net->n_layers,
                          net->input_width);
    for (uint32_t i = 0; i < n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        gan__layer_spec f, h;
        get_layer(&f, r);
        spec_of(&h, l);
        if (r->failed)
            return gan__error(GAN_EFORMAT, "%s: %s's layer %u is truncated", what, name, i);
        if (f.kind != h.kind || f.act != h.act || f.units != h.units || f.pieces != h.pieces)
            return gan__error(GAN_ESHAPE,
                              "%s: the nets differ: %s's layer %u is %s (activation %u, %zu units x %zu pieces) in the file, %s (activation %u, %zu units x %zu pieces) here",
                              what, name, i, gan__net_kind_name(f.kind), f.act, f.units, f.pieces,
                              gan__net_kind_name(h.kind), h.act, h.units, h.pieces);
        if (f.keep != h.keep || (f.act == GAN_ACT_LEAKY_RELU && f.slope != h.slope))
            return gan__error(GAN_ESHAPE,
                              "%s: the nets differ: %s's layer %u has keep %g, slope %g in the file, keep %g, slope %g here",
                              what, name, i, (double)f.keep, (double)f.slope, (double)h.keep,
                              (double)h.slope);
        if (spec_differs(&f, &h))
            return gan__error(GAN_ESHAPE,
                              "%s: the nets differ: %s's %s layer %u has shape %zu x %zu x %zu, kernel %zu, stride %zu, pad %zu, out_pad %zu, momentum %g, eps %g in the file, %zu x %zu x %zu, kernel %zu, stride %zu, pad %zu, out_pad %zu, momentum %g, eps %g here",
                              what, name, gan__net_kind_name(h.kind), i, f.channels, f.height,
                              f.width, f.kernel, f.stride, f.pad, f.out_pad, (double)f.momentum,
                              (double)f.eps, h.channels, h.height, h.width, h.kernel, h.stride,
                              h.pad, h.out_pad, (double)h.momentum, (double)h.eps);
    }
    const uint64_t n_params = gan__get_u64(r);
    if (r->failed || n_params != net->n_params ||
        n_params > gan__reader_left(r) / sizeof(float))
        return gan__error(GAN_EFORMAT, "%s: %s's parameter count does not match its layers", what,
                          name);
    for (size_t i = 0; i < net->n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        uint32_t bad = 0;
        for (size_t k = 0; k < l->np; k++)
            bad |= !isfinite(gan__get_f32(r));
        if (bad)
            return gan__error(GAN_EFORMAT, "%s: %s's layer %zu holds NaN or Inf parameters", what,
                              name, i);
    }
    if (net->n_state > 0) {
        const uint64_t n_state = gan__get_u64(r);
        if (r->failed || n_state != net->n_state ||
            n_state > gan__reader_left(r) / sizeof(float))
            return gan__error(GAN_EFORMAT,
                              "%s: %s's running statistics do not match its layers", what, name);
        /* Checked in place: the bytes are little-endian floats. */
        for (size_t i = 0; i < net->n_layers; i++) {
            const gan__layer *l = &net->layers[i];
            if (l->kind != GAN_LAYER_BATCHNORM)
                continue;
            gan__reader at = *r;
            at.pos += l->soff * sizeof(float);
            uint32_t bad = 0;
            for (size_t c = 0; c < 2 * l->oc; c++) {
                const float v = gan__get_f32(&at);
                bad |= !isfinite(v) || (c >= l->oc && v < 0.0f);
            }
            if (bad)
                return gan__error(GAN_EFORMAT,
                                  "%s: %s's layer %zu holds NaN, Inf or negative running statistics",
                                  what, name, i);
        }
        r->pos += net->n_state * sizeof(float);
    }
    return GAN_OK;
}

void gan__net_apply_record(gan_net *net, gan__reader *r)
{
    /* The header and layers were checked against net: read past them. */
    (void)gan__get_u64(r);
    (void)gan__get_u32(r);
    for (size_t i = 0; i < net->n_layers; i++) {
        gan__layer_spec s;
        get_layer(&s, r);
    }
    (void)gan__get_u64(r);
    gan__get_f32_array(r, net->params, net->n_params);
    if (net->n_state > 0) {
        (void)gan__get_u64(r);
        gan__get_f32_array(r, net->state, net->n_state);
    }
}

int gan_net_save(const gan_net *net, const char *path)
{
    GAN_CHECK_NULL("gan_net_save", net);
    GAN_CHECK_NULL("gan_net_save", path);
    gan__writer payload;
    gan__writer_init(&payload);
    gan__net_write(&payload, net);
    int rc = gan__container_save(path, NET_MAGIC, NET_FORMAT_VERSION, &payload, "gan_net_save");
    gan__writer_free(&payload);
    return rc;
}

int gan_net_load(gan_net **out, const char *path)
{
    GAN_CHECK_NULL("gan_net_load", out);
    *out = NULL;
    int rc = gan__check_path("gan_net_load", "path", path);
    if (rc)
        return rc;
    void *data;
    gan__reader r;
    rc = gan__container_load(&data, &r, path, NET_MAGIC, NET_FORMAT_VERSION, (size_t)1 << 34,
                                 "net");
    if (rc)
        return rc;
    rc = gan__net_read(out, &r, path);
    if (rc == GAN_OK && gan__reader_left(&r) != 0) {
        gan_net_free(*out);
        *out = NULL;
        rc = gan__error(GAN_EFORMAT, "%s: trailing bytes after the net", path);
    }
    free(data);
    return rc;
}
