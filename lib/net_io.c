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

void gan__net_write(gan__writer *w, const gan_net *net)
{
    gan__put_u64(w, net->input_width);
    gan__put_u32(w, (uint32_t)net->n_layers);
    for (size_t i = 0; i < net->n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        gan__put_u32(w, l->kind);
        gan__put_u32(w, l->act);
        gan__put_u64(w, l->units);
        gan__put_u64(w, l->pieces);
        gan__put_f32(w, l->keep);
        gan__put_f32(w, l->slope);
    }
    gan__put_u64(w, net->n_params);
    gan__put_f32_array(w, net->params, net->n_params);
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
        const uint32_t kind = gan__get_u32(r), act = gan__get_u32(r);
        const uint64_t units = gan__get_u64(r), pieces = gan__get_u64(r);
        const float keep = gan__get_f32(r), slope = gan__get_f32(r);
        if (r->failed || units == 0 || units > GAN__NET_MAX_WIDTH || pieces == 0 ||
            pieces > GAN__NET_MAX_WIDTH) {
            rc = gan__error(GAN_EFORMAT, "%s: layer %u is malformed", what, i);
            break;
        }
        /* Refuse layers whose parameters could not fit in the bytes left,
         * before allocating them. */
        if (kind == GAN_LAYER_DENSE || kind == GAN_LAYER_MAXOUT) {
            const uint64_t cols = kind == GAN_LAYER_DENSE ? units : units * pieces;
            const uint64_t width = gan_net_output_width(net);
            const uint64_t budget = gan__reader_left(r) / sizeof(float);
            if (net->n_params > budget || cols > budget || width > budget / cols ||
                width * cols + cols > budget - (uint64_t)net->n_params) {
                rc = gan__error(GAN_EFORMAT, "%s: layer %u is larger than the file", what, i);
                break;
            }
        }
        switch (kind) {
        case GAN_LAYER_DENSE:
            rc = gan_net_add_dense(net, (size_t)units, (int)act);
            if (rc == GAN_OK && act == GAN_ACT_LEAKY_RELU)
                rc = gan_net_set_leaky_slope(net, i, slope);
            break;
        case GAN_LAYER_MAXOUT:
            rc = gan_net_add_maxout(net, (size_t)units, (size_t)pieces);
            break;
        case GAN_LAYER_DROPOUT:
            rc = gan_net_add_dropout(net, keep);
            break;
        default:
            rc = GAN_EFORMAT;
        }
        /* Out of memory stays out of memory; anything else the builder
         * refused is a malformed file. */
        if (rc != GAN_OK && rc != GAN_ENOMEM)
            rc = gan__error(GAN_EFORMAT, "%s: layer %u (kind %u) is invalid", what, i, kind);
    }
    if (rc == GAN_OK) {
        const uint64_t n_params = gan__get_u64(r);
        if (r->failed || n_params != net->n_params ||
            n_params > gan__reader_left(r) / sizeof(float))
            rc = gan__error(GAN_EFORMAT, "%s: parameter count does not match the layers", what);
        else if (gan__get_f32_array(r, net->params, net->n_params))
            rc = gan__error(GAN_EFORMAT, "%s: truncated parameters", what);
    }
    if (rc == GAN_OK) {
        const size_t bad = gan__net_nonfinite_layer(net);
        if (bad != SIZE_MAX)
            rc = gan__error(GAN_EFORMAT, "%s: layer %zu holds NaN or Inf parameters", what, bad);
    }
    if (rc != GAN_OK) {
        gan_net_free(net);
        return rc;
    }
    *out = net;
    return GAN_OK;
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case GAN_LAYER_DENSE:
        return "dense";
    case GAN_LAYER_MAXOUT:
        return "maxout";
    case GAN_LAYER_DROPOUT:
        return "dropout";
    default:
        return "unknown";
    }
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
        const uint32_t kind = gan__get_u32(r), act = gan__get_u32(r);
        const uint64_t units = gan__get_u64(r), pieces = gan__get_u64(r);
        const float keep = gan__get_f32(r), slope = gan__get_f32(r);
        if (r->failed)
            return gan__error(GAN_EFORMAT, "%s: %s's layer %u is truncated", what, name, i);
        if (kind != l->kind || act != l->act || units != l->units || pieces != l->pieces)
            return gan__error(GAN_ESHAPE,
                              "%s: the nets differ: %s's layer %u is %s (activation %u, %llu units x %llu pieces) in the file, %s (activation %u, %zu units x %zu pieces) here",
                              what, name, i, kind_name(kind), act, (unsigned long long)units,
                              (unsigned long long)pieces, kind_name(l->kind), l->act, l->units,
                              l->pieces);
        if (keep != l->keep || (act == GAN_ACT_LEAKY_RELU && slope != l->slope))
            return gan__error(GAN_ESHAPE,
                              "%s: the nets differ: %s's layer %u has keep %g, slope %g in the file, keep %g, slope %g here",
                              what, name, i, (double)keep, (double)slope, (double)l->keep,
                              (double)l->slope);
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
    return GAN_OK;
}

void gan__net_apply_record(gan_net *net, gan__reader *r)
{
    /* The header was checked against net: read past it. */
    (void)gan__get_u64(r);
    (void)gan__get_u32(r);
    for (size_t i = 0; i < net->n_layers; i++) {
        (void)gan__get_u32(r);
        (void)gan__get_u32(r);
        (void)gan__get_u64(r);
        (void)gan__get_u64(r);
        (void)gan__get_f32(r);
        (void)gan__get_f32(r);
    }
    (void)gan__get_u64(r);
    gan__get_f32_array(r, net->params, net->n_params);
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
