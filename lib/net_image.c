/* Planning layers: every builder (gan_net_add_*) and the net file reader
 * describe a layer as a gan__layer_spec, and gan__net_plan checks it
 * against the net's current output shape and derives the layer's widths,
 * image shapes and parameter counts. Also the builders of the image layers
 * and gan_net_layer_shape. */
#include "net_conv.h"
#include "net_layers.h"
#include "status.h"

#include <math.h>
#include <string.h>

/* Widths, channels and kernel sides stay below 2^32 (the file format) and
 * a product of CBLAS sizes below 2^31. */
#define MAX_DIM ((size_t)GAN__NET_MAX_WIDTH)
#define MAX_BLAS ((size_t)INT32_MAX)

const char *gan__net_kind_name(uint32_t kind)
{
    static const char *const names[] = {"dense",   "maxout",         "dropout", "reshape",
                                        "conv2d",  "deconv2d",       "channel maxout",
                                        "max pool", "batch norm", "activation"};
    return kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

/* a * b * c, or SIZE_MAX on overflow. */
static size_t mul3(size_t a, size_t b, size_t c)
{
    size_t ab, abc;
    if (gan__mul_size(&ab, a, b) || gan__mul_size(&abc, ab, c))
        return SIZE_MAX;
    return abc;
}

static int check_act(int act, const char *fn)
{
    if (act < GAN_ACT_IDENTITY || act > GAN_ACT_SIGMOID)
        return gan__error(GAN_EINVAL, "%s: activation %d is not a gan_activation", fn, act);
    return GAN_OK;
}

/* Shared by the kernel layers: kernel, stride, pad. */
static int check_window(const gan__layer_spec *s, const char *fn)
{
    if (s->kernel == 0 || s->kernel > MAX_DIM)
        return gan__error(GAN_EINVAL, "%s: kernel is %zu, must be in 1 .. %zu", fn, s->kernel,
                          MAX_DIM);
    if (s->stride == 0 || s->stride > MAX_DIM)
        return gan__error(GAN_EINVAL, "%s: stride is %zu, must be in 1 .. %zu", fn, s->stride,
                          MAX_DIM);
    if (s->pad >= s->kernel)
        return gan__error(GAN_EINVAL, "%s: pad %zu must be below kernel %zu", fn, s->pad,
                          s->kernel);
    return GAN_OK;
}

static int too_large(const char *fn, size_t layer, const char *what)
{
    return gan__error(GAN_EINVAL, "%s: layer %zu: %s too large", fn, layer, what);
}

static int plan_flat(gan__layer *l, const gan__layer_spec *s, size_t idx, const char *fn)
{
    if (s->kind == GAN_LAYER_DROPOUT) {
        if (!(s->keep > 0.0f && s->keep <= 1.0f))
            return gan__error(GAN_EINVAL, "%s: keep must be in (0, 1], got %g", fn,
                              (double)s->keep);
        l->keep = s->keep;
        l->out = l->cols = l->units = l->in;
        l->oc = l->ic, l->oh = l->ih, l->ow = l->iw;
        return GAN_OK;
    }
    if (s->units == 0)
        return gan__error(GAN_EINVAL, "%s: units is 0", fn);
    if (s->units > MAX_DIM)
        return gan__error(GAN_EINVAL, "%s: units %zu too large", fn, s->units);
    l->units = l->out = l->oc = s->units;
    l->oh = l->ow = 1;
    if (s->kind == GAN_LAYER_DENSE) {
        int rc = check_act((int)s->act, fn);
        if (rc)
            return rc;
        l->act = s->act;
        l->cols = s->units;
    } else {
        if (s->pieces == 0)
            return gan__error(GAN_EINVAL, "%s: pieces is 0", fn);
        if (s->pieces > MAX_DIM)
            return gan__error(GAN_EINVAL, "%s: pieces %zu too large", fn, s->pieces);
        l->pieces = s->pieces;
        if (gan__mul_size(&l->cols, s->units, s->pieces) || l->cols > MAX_DIM)
            return gan__error(GAN_EINVAL, "%s: units * pieces too large", fn);
    }
    if (gan__mul_size(&l->nw, l->in, l->cols) || l->nw > SIZE_MAX - l->cols)
        return too_large(fn, idx, "layer");
    l->np = l->nw + l->cols;
    l->fan_in = l->in;
    l->fan_out = l->cols;
    return GAN_OK;
}

static int plan_conv(gan__layer *l, const gan__layer_spec *s, size_t idx, const char *fn)
{
    int rc = check_act((int)s->act, fn);
    if (rc == GAN_OK)
        rc = check_window(s, fn);
    if (rc)
        return rc;
    if (s->units == 0 || s->units > MAX_DIM)
        return gan__error(GAN_EINVAL, "%s: out_channels is %zu, must be in 1 .. %zu", fn,
                          s->units, MAX_DIM);
    const size_t k = s->kernel, st = s->stride, p = s->pad;
    l->act = s->act;
    l->kernel = k, l->stride = st, l->pad = p;
    l->oc = l->units = s->units;
    size_t kk = mul3(l->ic, k, k), oc_kk = mul3(l->oc, k, k);
    if (kk > MAX_BLAS || oc_kk > MAX_BLAS)
        return too_large(fn, idx, "channels x kernel x kernel");
    if (s->kind == GAN_LAYER_CONV2D) {
        if (l->ih + 2 * p < k || l->iw + 2 * p < k)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: kernel %zu with pad %zu does not fit the %zu x %zu x %zu input",
                              fn, idx, k, p, l->ic, l->ih, l->iw);
        l->oh = (l->ih + 2 * p - k) / st + 1;
        l->ow = (l->iw + 2 * p - k) / st + 1;
        l->nw = mul3(l->oc, l->ic, k * k);
    } else {
        if (s->out_pad >= st)
            return gan__error(GAN_EINVAL, "%s: out_pad %zu must be below stride %zu", fn,
                              s->out_pad, st);
        l->out_pad = s->out_pad;
        /* (i - 1) stride + kernel + out_pad - 2 pad, in 64 bits: each term
         * is below 2^32. */
        const uint64_t fh = (uint64_t)(l->ih - 1) * st + k + s->out_pad;
        const uint64_t fw = (uint64_t)(l->iw - 1) * st + k + s->out_pad;
        if (fh <= 2 * (uint64_t)p || fw <= 2 * (uint64_t)p || fh - 2 * p > MAX_DIM ||
            fw - 2 * p > MAX_DIM)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: kernel %zu, stride %zu, pad %zu, out_pad %zu give an empty or too large output from the %zu x %zu x %zu input",
                              fn, idx, k, st, p, s->out_pad, l->ic, l->ih, l->iw);
        l->oh = (size_t)(fh - 2 * p);
        l->ow = (size_t)(fw - 2 * p);
        l->nw = mul3(l->ic, l->oc, k * k);
    }
    const size_t pixels = mul3(l->oh, l->ow, 1);
    l->out = mul3(l->oc, l->oh, l->ow);
    if (l->out > MAX_DIM || pixels > MAX_BLAS || l->in > MAX_BLAS)
        return gan__error(GAN_ESHAPE, "%s: layer %zu: output %zu x %zu x %zu too large", fn, idx,
                          l->oc, l->oh, l->ow);
    /* The im2col scratch of a chunk of examples (net_conv.c), at most
     * 16 MiB unless one example needs more. */
    l->colw = gan__conv_col_floats(l);
    if (l->colw == SIZE_MAX || l->colw > SIZE_MAX / sizeof(float))
        return too_large(fn, idx, "im2col buffer");
    if (l->nw == SIZE_MAX || l->nw > SIZE_MAX - l->oc)
        return too_large(fn, idx, "weights");
    l->cols = l->out;
    l->np = l->nw + l->oc;
    l->fan_in = kk;
    l->fan_out = oc_kk;
    return GAN_OK;
}

static int plan_image(gan__layer *l, const gan__layer_spec *s, size_t idx, const char *fn)
{
    switch (s->kind) {
    case GAN_LAYER_RESHAPE: {
        if (s->channels == 0 || s->height == 0 || s->width == 0 || s->channels > MAX_DIM ||
            s->height > MAX_DIM || s->width > MAX_DIM)
            return gan__error(GAN_EINVAL, "%s: channels, height and width must be in 1 .. %zu, got %zu x %zu x %zu",
                              fn, MAX_DIM, s->channels, s->height, s->width);
        const size_t n = mul3(s->channels, s->height, s->width);
        if (n != l->in)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: %zu x %zu x %zu differs from the current output width %zu",
                              fn, idx, s->channels, s->height, s->width, l->in);
        l->oc = s->channels, l->oh = s->height, l->ow = s->width;
        l->units = l->oc;
        break;
    }
    case GAN_LAYER_CHANNEL_MAXOUT:
        if (s->pieces == 0 || s->pieces > MAX_DIM)
            return gan__error(GAN_EINVAL, "%s: pieces is %zu, must be in 1 .. %zu", fn, s->pieces,
                              MAX_DIM);
        if (l->ic % s->pieces != 0)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: pieces %zu does not divide the %zu channels of the %zu x %zu x %zu input",
                              fn, idx, s->pieces, l->ic, l->ic, l->ih, l->iw);
        l->pieces = s->pieces;
        l->oc = l->units = l->ic / s->pieces;
        l->oh = l->ih, l->ow = l->iw;
        break;
    case GAN_LAYER_MAXPOOL: {
        int rc = check_window(s, fn);
        if (rc)
            return rc;
        const size_t k = s->kernel, st = s->stride, p = s->pad;
        if (l->ih + 2 * p < k || l->iw + 2 * p < k)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: kernel %zu with pad %zu does not fit the %zu x %zu x %zu input",
                              fn, idx, k, p, l->ic, l->ih, l->iw);
        l->kernel = k, l->stride = st, l->pad = p;
        l->oc = l->units = l->ic;
        l->oh = (l->ih + 2 * p - k + st - 1) / st + 1;
        l->ow = (l->iw + 2 * p - k + st - 1) / st + 1;
        /* The last window must start inside the image. */
        if ((l->oh - 1) * st >= l->ih + p || (l->ow - 1) * st >= l->iw + p)
            return gan__error(GAN_ESHAPE,
                              "%s: layer %zu: with kernel %zu, stride %zu, pad %zu the last window of the %zu x %zu x %zu input holds only padding",
                              fn, idx, k, st, p, l->ic, l->ih, l->iw);
        break;
    }
    case GAN_LAYER_ACTIVATION: {
        int rc = check_act((int)s->act, fn);
        if (rc)
            return rc;
        l->act = s->act;
        l->oc = l->units = l->ic;
        l->oh = l->ih, l->ow = l->iw;
        break;
    }
    default: /* GAN_LAYER_BATCHNORM */
        if (!(s->momentum > 0.0f && s->momentum <= 1.0f))
            return gan__error(GAN_EINVAL, "%s: momentum must be in (0, 1], got %g", fn,
                              (double)s->momentum);
        if (!(s->eps > 0.0f) || !isfinite(s->eps))
            return gan__error(GAN_EINVAL, "%s: eps must be > 0 and finite, got %g", fn,
                              (double)s->eps);
        l->momentum = s->momentum, l->eps = s->eps;
        l->oc = l->units = l->ic;
        l->oh = l->ih, l->ow = l->iw;
        l->nw = l->ic; /* gamma, then beta */
        l->np = 2 * l->ic;
        break;
    }
    l->out = l->cols = mul3(l->oc, l->oh, l->ow);
    return GAN_OK;
}

int gan__net_plan(gan__layer *l, const gan_net *net, const gan__layer_spec *s, const char *fn)
{
    memset(l, 0, sizeof *l);
    const size_t idx = net->n_layers;
    if (idx >= GAN__NET_MAX_LAYERS)
        return gan__error(GAN_EINVAL, "%s: a net has at most %u layers", fn, GAN__NET_MAX_LAYERS);
    l->kind = s->kind;
    l->act = GAN_ACT_IDENTITY;
    l->keep = 1.0f;
    /* Every layer with an activation has a slope (used by leaky ReLU). */
    l->slope = s->kind == GAN_LAYER_DENSE || s->kind == GAN_LAYER_ACTIVATION ||
                       s->kind == GAN_LAYER_CONV2D || s->kind == GAN_LAYER_DECONV2D
                   ? s->slope
                   : 0.0f;
    l->pieces = 1;
    l->in = gan_net_output_width(net);
    if (idx == 0) {
        l->ic = net->input_width, l->ih = l->iw = 1;
    } else {
        const gan__layer *prev = gan__net_last_layer(net);
        l->ic = prev->oc, l->ih = prev->oh, l->iw = prev->ow;
    }
    switch (s->kind) {
    case GAN_LAYER_DENSE:
    case GAN_LAYER_MAXOUT:
    case GAN_LAYER_DROPOUT:
        return plan_flat(l, s, idx, fn);
    case GAN_LAYER_CONV2D:
    case GAN_LAYER_DECONV2D:
        return plan_conv(l, s, idx, fn);
    case GAN_LAYER_RESHAPE:
    case GAN_LAYER_CHANNEL_MAXOUT:
    case GAN_LAYER_MAXPOOL:
    case GAN_LAYER_BATCHNORM:
    case GAN_LAYER_ACTIVATION:
        return plan_image(l, s, idx, fn);
    default:
        return gan__error(GAN_EINVAL, "%s: layer kind %u is unknown", fn, s->kind);
    }
}

static int add(gan_net *net, const gan__layer_spec *s, const char *fn)
{
    GAN_CHECK_NULL(fn, net);
    gan__layer l;
    int rc = gan__net_plan(&l, net, s, fn);
    return rc ? rc : gan__net_append(net, &l, fn);
}

int gan_net_add_reshape(gan_net *net, size_t channels, size_t height, size_t width)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_RESHAPE, .units = 1, .pieces = 1,
                               .channels = channels, .height = height, .width = width};
    return add(net, &s, "gan_net_add_reshape");
}

int gan_net_add_conv2d(gan_net *net, size_t out_channels, size_t kernel, size_t stride,
                       size_t pad, int activation)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_CONV2D, .act = (uint32_t)activation,
                               .units = out_channels, .pieces = 1, .kernel = kernel,
                               .stride = stride, .pad = pad, .slope = GAN__NET_DEFAULT_SLOPE};
    return add(net, &s, "gan_net_add_conv2d");
}

int gan_net_add_deconv2d(gan_net *net, size_t out_channels, size_t kernel, size_t stride,
                         size_t pad, size_t out_pad, int activation)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_DECONV2D, .act = (uint32_t)activation,
                               .units = out_channels, .pieces = 1, .kernel = kernel,
                               .stride = stride, .pad = pad, .out_pad = out_pad,
                               .slope = GAN__NET_DEFAULT_SLOPE};
    return add(net, &s, "gan_net_add_deconv2d");
}

int gan_net_add_channel_maxout(gan_net *net, size_t pieces)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_CHANNEL_MAXOUT, .units = 1, .pieces = pieces};
    return add(net, &s, "gan_net_add_channel_maxout");
}

int gan_net_add_maxpool(gan_net *net, size_t kernel, size_t stride, size_t pad)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_MAXPOOL, .units = 1, .pieces = 1,
                               .kernel = kernel, .stride = stride, .pad = pad};
    return add(net, &s, "gan_net_add_maxpool");
}

int gan_net_add_batchnorm(gan_net *net, float momentum, float eps)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_BATCHNORM, .units = 1, .pieces = 1,
                               .momentum = momentum, .eps = eps};
    return add(net, &s, "gan_net_add_batchnorm");
}

int gan_net_layer_shape(gan_layer_shape *out, const gan_net *net, size_t layer)
{
    GAN_CHECK_NULL("gan_net_layer_shape", out);
    GAN_CHECK_NULL("gan_net_layer_shape", net);
    if (layer >= net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_layer_shape: layer %zu out of range (%zu layers)",
                          layer, net->n_layers);
    const gan__layer *l = &net->layers[layer];
    memset(out, 0, sizeof *out);
    out->in_channels = l->ic, out->in_height = l->ih, out->in_width = l->iw;
    out->out_channels = l->oc, out->out_height = l->oh, out->out_width = l->ow;
    out->kernel = l->kernel, out->stride = l->stride, out->pad = l->pad;
    out->out_pad = l->out_pad;
    out->momentum = l->momentum, out->eps = l->eps;
    return GAN_OK;
}
