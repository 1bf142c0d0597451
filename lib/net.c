/* gan_net: building the layer stack, shape queries, initialisation and
 * parameter access. Forward passes live in net_forward.c, backward in
 * net_backward.c, files in net_io.c. */
#include "net_layers.h"
#include "numeric.h"
#include "rng.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gan_net_create(gan_net **out, size_t input_width)
{
    GAN_CHECK_NULL("gan_net_create", out);
    *out = NULL;
    GAN_CHECK_NONZERO("gan_net_create", input_width);
    if (input_width > GAN__NET_MAX_WIDTH)
        return gan__error(GAN_EINVAL, "gan_net_create: input_width %zu too large (at most %lu)",
                          input_width, (unsigned long)GAN__NET_MAX_WIDTH);
    gan_net *net = calloc(1, sizeof *net);
    if (net == NULL)
        return gan__error(GAN_ENOMEM, "gan_net_create: out of memory");
    net->input_width = input_width;
    net->max_width = input_width;
    *out = net;
    return GAN_OK;
}

void gan__net_free_workspace(gan_net *net)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        gan__layer *l = &net->layers[i];
        if (l->y != l->pre && l->kind != GAN_LAYER_RESHAPE)
            free(l->y);
        free(l->pre);
        free(l->arg);
        free(l->mask);
        l->pre = l->y = l->mask = NULL;
        l->arg = NULL;
    }
    free(net->input);
    net->input = NULL;
    free(net->col);
    net->col = NULL;
    for (int i = 0; i < 3; i++) {
        free(net->scratch[i]);
        net->scratch[i] = NULL;
    }
    net->rows_cap = 0;
    net->last_rows = 0;
}

void gan__net_forget_forward(gan_net *net)
{
    net->last_rows = 0;
}

void gan_net_free(gan_net *net)
{
    if (net == NULL)
        return;
    gan__net_free_workspace(net);
    free(net->layers);
    free(net->params);
    free(net->grads);
    free(net->state);
    free(net);
}

void gan__net_default_params(gan_net *net, const gan__layer *l)
{
    if (l->kind != GAN_LAYER_BATCHNORM)
        return;
    float *p = net->params + l->poff;
    for (size_t c = 0; c < l->nw; c++) {
        p[c] = 1.0f;      /* gamma */
        p[l->nw + c] = 0.0f; /* beta */
    }
}

/* Grow a float array by n entries. */
static int grow(float **a, size_t have, size_t n)
{
    float *p = realloc(*a, (have + n) * sizeof *p);
    if (p == NULL)
        return -1;
    *a = p;
    return 0;
}

/* Append a planned layer (gan__net_plan); grows the parameter, gradient
 * and state arrays (new parameters and gradients zero, then the layer's
 * defaults; batch norm state mean 0, variance 1). */
int gan__net_append(gan_net *net, const gan__layer *proto, const char *fn)
{
    const size_t np = proto->np;
    const size_t ns = proto->kind == GAN_LAYER_BATCHNORM ? 2 * proto->oc : 0;
    if (np > SIZE_MAX / sizeof(float) - net->n_params)
        return gan__error(GAN_EINVAL, "%s: too many parameters", fn);
    if (ns > SIZE_MAX / sizeof(float) - net->n_state)
        return gan__error(GAN_EINVAL, "%s: too many running statistics", fn);
    if (net->n_layers == net->cap_layers) {
        size_t cap = net->cap_layers ? 2 * net->cap_layers : 4;
        gan__layer *nl = realloc(net->layers, cap * sizeof *nl);
        if (nl == NULL)
            return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
        net->layers = nl;
        net->cap_layers = cap;
    }
    if (np > 0) {
        if (grow(&net->params, net->n_params, np) || grow(&net->grads, net->n_params, np))
            return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
        memset(net->params + net->n_params, 0, np * sizeof(float));
        memset(net->grads + net->n_params, 0, np * sizeof(float));
    }
    if (ns > 0) {
        if (grow(&net->state, net->n_state, ns))
            return gan__error(GAN_ENOMEM, "%s: out of memory", fn);
        for (size_t c = 0; c < ns / 2; c++) {
            net->state[net->n_state + c] = 0.0f;
            net->state[net->n_state + ns / 2 + c] = 1.0f;
        }
    }
    /* The workspace no longer matches the layers; rebuilt on next use. A
     * training forward that ran before is forgotten: remember why. */
    const int had_forward = net->last_rows > 0 || net->layers_changed;
    gan__net_free_workspace(net);
    net->layers_changed = had_forward;
    gan__layer *l = &net->layers[net->n_layers++];
    *l = *proto;
    l->poff = net->n_params;
    l->soff = net->n_state;
    l->pre = l->y = l->mask = NULL;
    l->arg = NULL;
    net->n_params += np;
    net->n_state += ns;
    gan__net_default_params(net, l);
    if (l->cols > net->max_width)
        net->max_width = l->cols;
    if (l->out > net->max_width)
        net->max_width = l->out;
    if (l->colw > net->col_width)
        net->col_width = l->colw;
    return GAN_OK;
}

static int add_flat(gan_net *net, const gan__layer_spec *s, const char *fn)
{
    GAN_CHECK_NULL(fn, net);
    gan__layer l;
    int rc = gan__net_plan(&l, net, s, fn);
    return rc ? rc : gan__net_append(net, &l, fn);
}

int gan_net_add_dense(gan_net *net, size_t units, int activation)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_DENSE, .act = (uint32_t)activation,
                               .units = units, .pieces = 1, .keep = 1.0f,
                               .slope = GAN__NET_DEFAULT_SLOPE};
    return add_flat(net, &s, "gan_net_add_dense");
}

int gan_net_add_maxout(gan_net *net, size_t units, size_t pieces)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_MAXOUT, .units = units, .pieces = pieces,
                               .keep = 1.0f};
    return add_flat(net, &s, "gan_net_add_maxout");
}

int gan_net_add_dropout(gan_net *net, float keep)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_DROPOUT, .units = 1, .pieces = 1, .keep = keep};
    return add_flat(net, &s, "gan_net_add_dropout");
}

int gan_net_add_activation(gan_net *net, int activation)
{
    const gan__layer_spec s = {.kind = GAN_LAYER_ACTIVATION, .act = (uint32_t)activation,
                               .units = 1, .pieces = 1, .keep = 1.0f,
                               .slope = GAN__NET_DEFAULT_SLOPE};
    return add_flat(net, &s, "gan_net_add_activation");
}

int gan_net_set_leaky_slope(gan_net *net, size_t layer, float slope)
{
    GAN_CHECK_NULL("gan_net_set_leaky_slope", net);
    if (layer >= net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_set_leaky_slope: layer %zu out of range (%zu layers)",
                          layer, net->n_layers);
    gan__layer *l = &net->layers[layer];
    if ((l->kind != GAN_LAYER_DENSE && l->kind != GAN_LAYER_ACTIVATION &&
         l->kind != GAN_LAYER_CONV2D && l->kind != GAN_LAYER_DECONV2D) ||
        l->act != GAN_ACT_LEAKY_RELU)
        return gan__error(GAN_EINVAL,
                          "gan_net_set_leaky_slope: layer %zu is not a leaky ReLU layer (dense, "
                          "conv2d, deconv2d or activation)",
                          layer);
    if (!isfinite(slope))
        return gan__error(GAN_EINVAL, "gan_net_set_leaky_slope: slope is not finite");
    l->slope = slope;
    return GAN_OK;
}

size_t gan_net_input_width(const gan_net *net)
{
    return net ? net->input_width : 0;
}

size_t gan_net_output_width(const gan_net *net)
{
    if (net == NULL)
        return 0;
    return net->n_layers ? gan__net_last_layer(net)->out : net->input_width;
}

int gan_net_truncate(gan_net *net, size_t layers)
{
    GAN_CHECK_NULL("gan_net_truncate", net);
    if (layers == 0 || layers > net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_truncate: layers is %zu, the net has %zu (keep 1..%zu)",
                          layers, net->n_layers, net->n_layers);
    if (layers == net->n_layers) /* nothing dropped: nothing changes */
        return GAN_OK;
    /* Offsets are prefixes: the first dropped layer's offsets are the kept
     * layers' totals. The arrays keep their capacity; max_width and
     * col_width stay upper bounds, which only sizes scratch generously. */
    const gan__layer *first_dropped = &net->layers[layers];
    const int had_forward = net->last_rows > 0 || net->layers_changed;
    gan__net_free_workspace(net);
    net->layers_changed = had_forward;
    net->n_params = first_dropped->poff;
    net->n_state = first_dropped->soff;
    net->n_layers = layers;
    return GAN_OK;
}

size_t gan_net_num_layers(const gan_net *net)
{
    return net ? net->n_layers : 0;
}

size_t gan_net_num_params(const gan_net *net)
{
    return net ? net->n_params : 0;
}

int gan_net_layer_info(gan_layer_info *out, const gan_net *net, size_t layer)
{
    GAN_CHECK_NULL("gan_net_layer_info", out);
    GAN_CHECK_NULL("gan_net_layer_info", net);
    if (layer >= net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_layer_info: layer %zu out of range (%zu layers)",
                          layer, net->n_layers);
    const gan__layer *l = &net->layers[layer];
    memset(out, 0, sizeof *out);
    out->kind = l->kind;
    out->activation = l->act;
    out->in_width = l->in;
    out->out_width = l->out;
    out->units = l->units;
    out->pieces = l->pieces;
    out->keep = l->keep;
    out->leaky_slope = l->slope;
    out->param_offset = l->poff;
    out->num_params = l->np;
    return GAN_OK;
}

int gan__net_same_layout(const gan_net *a, const gan_net *b)
{
    if (a->input_width != b->input_width || a->n_layers != b->n_layers ||
        a->n_params != b->n_params || a->n_state != b->n_state)
        return 0;
    for (size_t i = 0; i < a->n_layers; i++) {
        const gan__layer *x = &a->layers[i], *y = &b->layers[i];
        if (x->kind != y->kind || x->in != y->in || x->out != y->out || x->np != y->np ||
            x->poff != y->poff || x->soff != y->soff)
            return 0;
    }
    return 1;
}

int gan__net_has_dropout(const gan_net *net)
{
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].kind == GAN_LAYER_DROPOUT && net->layers[i].keep < 1.0f)
            return 1;
    return 0;
}

static int init_one(gan_net *net, gan__layer *l, gan_rng *rng, int init, float scale,
                    const char *fn)
{
    if (l->kind == GAN_LAYER_BATCHNORM) {
        /* A fresh layer: the running statistics too (as PyTorch's
         * reset_parameters), or a re-initialised net would normalise with
         * statistics of the weights it had. */
        gan__net_default_params(net, l);
        for (size_t c = 0; c < l->oc; c++) {
            net->state[l->soff + c] = 0.0f;
            net->state[l->soff + l->oc + c] = 1.0f;
        }
        return GAN_OK;
    }
    float *w = net->params + l->poff;
    const size_t nw = l->nw;
    switch (init) {
    case GAN_INIT_UNIFORM:
        gan_rng_uniform(w, nw, rng, -scale, scale);
        break;
    case GAN_INIT_NORMAL:
        gan__rng_fill_normal(rng, w, nw, 0.0f, scale);
        break;
    case GAN_INIT_GLOROT_UNIFORM: {
        float r = (float)sqrt(6.0 / (double)(l->fan_in + l->fan_out));
        gan_rng_uniform(w, nw, rng, -r, r);
        break;
    }
    case GAN_INIT_HE_NORMAL:
        gan__rng_fill_normal(rng, w, nw, 0.0f, (float)sqrt(2.0 / (double)l->fan_in));
        break;
    default:
        return gan__error(GAN_EINVAL, "%s: init %d is not a gan_init", fn, init);
    }
    memset(w + nw, 0, (l->np - nw) * sizeof *w);
    return GAN_OK;
}

static int check_init_args(gan_net *net, gan_rng *rng, int init, float scale, const char *fn)
{
    GAN_CHECK_NULL(fn, net);
    GAN_CHECK_NULL(fn, rng);
    if (init < GAN_INIT_UNIFORM || init > GAN_INIT_HE_NORMAL)
        return gan__error(GAN_EINVAL, "%s: init %d is not a gan_init", fn, init);
    if ((init == GAN_INIT_UNIFORM || init == GAN_INIT_NORMAL) &&
        !(scale > 0.0f && scale <= GAN__RNG_SCALE_MAX))
        return gan__error(GAN_EINVAL, "%s: scale must be > 0 and at most %g, got %g", fn,
                          (double)GAN__RNG_SCALE_MAX, (double)scale);
    return GAN_OK;
}

int gan_net_init(gan_net *net, gan_rng *rng, int init, float scale)
{
    int rc = check_init_args(net, rng, init, scale, "gan_net_init");
    if (rc)
        return rc;
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].np > 0 &&
            (rc = init_one(net, &net->layers[i], rng, init, scale, "gan_net_init")) != GAN_OK)
            return rc;
    return GAN_OK;
}

int gan_net_init_layer(gan_net *net, size_t layer, gan_rng *rng, int init, float scale)
{
    int rc = check_init_args(net, rng, init, scale, "gan_net_init_layer");
    if (rc)
        return rc;
    if (layer >= net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_init_layer: layer %zu out of range (%zu layers)",
                          layer, net->n_layers);
    if (net->layers[layer].np == 0)
        return gan__error(GAN_EINVAL, "gan_net_init_layer: layer %zu has no parameters", layer);
    return init_one(net, &net->layers[layer], rng, init, scale, "gan_net_init_layer");
}

int gan_net_set_bias(gan_net *net, size_t layer, const float *bias, size_t n)
{
    GAN_CHECK_NULL("gan_net_set_bias", net);
    GAN_CHECK_NULL("gan_net_set_bias", bias);
    if (layer >= net->n_layers)
        return gan__error(GAN_EINVAL, "gan_net_set_bias: layer %zu out of range (%zu layers)",
                          layer, net->n_layers);
    const gan__layer *l = &net->layers[layer];
    if (l->np == 0)
        return gan__error(GAN_EINVAL, "gan_net_set_bias: layer %zu has no parameters", layer);
    if (n != l->np - l->nw)
        return gan__error(GAN_ESHAPE, "gan_net_set_bias: n is %zu, layer %zu has %zu biases",
                          n, layer, l->np - l->nw);
    memcpy(net->params + l->poff + l->nw, bias, n * sizeof *bias);
    return GAN_OK;
}

int gan_net_init_output_bias_from_mean(gan_net *net, const float *mean, size_t n)
{
    GAN_CHECK_NULL("gan_net_init_output_bias_from_mean", net);
    GAN_CHECK_NULL("gan_net_init_output_bias_from_mean", mean);
    if (net->n_layers == 0)
        return gan__error(GAN_ESTATE, "gan_net_init_output_bias_from_mean: net has no layers");
    const gan__layer *l = gan__net_last_layer(net);
    if (l->kind != GAN_LAYER_DENSE || l->act != GAN_ACT_SIGMOID)
        return gan__error(GAN_EINVAL,
                          "gan_net_init_output_bias_from_mean: last layer is not a sigmoid dense layer");
    if (n != l->cols)
        return gan__error(GAN_ESHAPE, "gan_net_init_output_bias_from_mean: n is %zu, output width is %zu",
                          n, l->cols);
    for (size_t j = 0; j < n; j++)
        if (isnan(mean[j]))
            return gan__error(GAN_EINVAL, "gan_net_init_output_bias_from_mean: mean[%zu] is NaN", j);
    float *b = net->params + l->poff + l->nw;
    for (size_t j = 0; j < n; j++) {
        double m = mean[j];
        if (m < 1e-7)
            m = 1e-7;
        if (m > 1.0 - 1e-7)
            m = 1.0 - 1e-7;
        b[j] = (float)log(m / (1.0 - m));
    }
    return GAN_OK;
}

/* Shared checks of the flat parameter-array accessors. */
static int check_flat(const gan_net *net, const float *array, size_t n, const char *fn,
                      const char *array_name)
{
    if (net == NULL)
        return gan__error(GAN_EINVAL, "%s: net is NULL", fn);
    if (array == NULL)
        return gan__error(GAN_EINVAL, "%s: %s is NULL", fn, array_name);
    if (n != net->n_params)
        return gan__error(GAN_ESHAPE, "%s: n is %zu, net has %zu parameters", fn, n,
                          net->n_params);
    return GAN_OK;
}

int gan_net_get_params(float *out, size_t n, const gan_net *net)
{
    int rc = check_flat(net, out, n, "gan_net_get_params", "out");
    if (rc == GAN_OK && n > 0) /* a net without parameters has params NULL */
        memcpy(out, net->params, n * sizeof *out);
    return rc;
}

int gan_net_set_params(gan_net *net, const float *params, size_t n)
{
    int rc = check_flat(net, params, n, "gan_net_set_params", "params");
    if (rc == GAN_OK && n > 0)
        memcpy(net->params, params, n * sizeof *params);
    return rc;
}

int gan_net_get_grads(float *out, size_t n, const gan_net *net)
{
    int rc = check_flat(net, out, n, "gan_net_get_grads", "out");
    if (rc == GAN_OK && n > 0)
        memcpy(out, net->grads, n * sizeof *out);
    return rc;
}

float *gan__net_param_array(gan_net *net)
{
    return net->params;
}

float *gan__net_state_array(gan_net *net)
{
    return net->state;
}

size_t gan__net_state_size(const gan_net *net)
{
    return net->n_state;
}

float *gan__net_grad_array(gan_net *net)
{
    return net->grads;
}

size_t gan__net_nonfinite_layer(const gan_net *net)
{
    for (size_t i = 0; i < net->n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        if (l->np > 0 && gan__first_nonfinite(net->params + l->poff, l->np) < l->np)
            return i;
    }
    return SIZE_MAX;
}

/* Max-norm sees each layer's weights as units (one per output unit or
 * channel) of `len` incoming weights: unit u's weight j is at
 * u * ustride + (j / inner) * ostride + j % inner. Batch norm is left
 * alone. */
typedef struct norm_view {
    size_t units, len, inner, ustride, ostride;
} norm_view;

static int norm_view_of(norm_view *v, const gan__layer *l)
{
    const size_t kk = l->kernel * l->kernel;
    switch (l->kind) {
    case GAN_LAYER_DENSE:
    case GAN_LAYER_MAXOUT: /* columns of W (in x cols) */
        *v = (norm_view){l->cols, l->in, 1, 1, l->cols};
        return 1;
    case GAN_LAYER_CONV2D: /* rows of W (oc x ic k k) */
        *v = (norm_view){l->oc, l->nw / l->oc, l->nw / l->oc, l->nw / l->oc, 0};
        return 1;
    case GAN_LAYER_DECONV2D: /* W[ic][oc][k k]: kk runs of each ic row */
        *v = (norm_view){l->oc, l->ic * kk, kk, kk, l->oc * kk};
        return 1;
    default:
        return 0;
    }
}

size_t gan__net_max_norm_scratch(const gan_net *net)
{
    size_t widest = 1;
    norm_view v;
    for (size_t i = 0; i < net->n_layers; i++)
        if (norm_view_of(&v, &net->layers[i]) && v.units > widest)
            widest = v.units;
    return widest;
}

void gan__net_apply_max_norm(gan_net *net, float c, float *norm)
{
    norm_view v;
    for (size_t i = 0; i < net->n_layers; i++) {
        const gan__layer *l = &net->layers[i];
        if (!norm_view_of(&v, l))
            continue;
        float *w = net->params + l->poff;
        if (l->kind == GAN_LAYER_DENSE || l->kind == GAN_LAYER_MAXOUT) {
            /* Row by row, so the loops run along memory. */
            memset(norm, 0, l->cols * sizeof *norm);
            for (size_t r = 0; r < l->in; r++)
                for (size_t j = 0; j < l->cols; j++)
                    norm[j] += w[r * l->cols + j] * w[r * l->cols + j];
        } else {
            for (size_t u = 0; u < v.units; u++) {
                float s = 0.0f;
                for (size_t j = 0; j < v.len; j++) {
                    const float x = w[u * v.ustride + (j / v.inner) * v.ostride + j % v.inner];
                    s += x * x;
                }
                norm[u] = s;
            }
        }
        for (size_t j = 0; j < v.units; j++) {
            const float nj = sqrtf(norm[j]);
            norm[j] = nj > c ? c / nj : 1.0f;
        }
        if (l->kind == GAN_LAYER_DENSE || l->kind == GAN_LAYER_MAXOUT) {
            for (size_t r = 0; r < l->in; r++)
                for (size_t j = 0; j < l->cols; j++)
                    w[r * l->cols + j] *= norm[j];
        } else {
            for (size_t u = 0; u < v.units; u++)
                for (size_t j = 0; j < v.len; j++)
                    w[u * v.ustride + (j / v.inner) * v.ostride + j % v.inner] *= norm[u];
        }
    }
}
