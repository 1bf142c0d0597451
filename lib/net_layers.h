/* gan_net's representation (private to net*.c): the layer table and the
 * training workspace. Other modules use the functions of net.h. */
#ifndef GAN_NET_LAYERS_H
#define GAN_NET_LAYERS_H

#include "net.h"

#include <stdint.h>

/* Limits of the net file format, enforced when a net is built so that every
 * net can be saved and loaded again (they also bound what a hostile file can
 * ask for before its sizes are checked against the bytes present). */
#define GAN__NET_MAX_LAYERS 4096u
#define GAN__NET_MAX_WIDTH UINT32_MAX
/* Negative-side slope of a new leaky ReLU dense layer. */
#define GAN__NET_DEFAULT_SLOPE 0.2f

typedef struct gan__layer {
    uint32_t kind;   /* gan_layer_kind */
    uint32_t act;    /* gan_activation (dense, conv2d, deconv2d, activation) */
    size_t in, out;  /* input width, output width */
    size_t units, pieces;
    size_t cols;     /* pre-activation columns: dense units, maxout
                        units * pieces, dropout in, image layers out */
    float keep;      /* dropout */
    float slope;     /* leaky ReLU (dense, conv2d, deconv2d, activation; 0 elsewhere) */
    size_t poff, np; /* offset of W in the flat parameters, count of W + b */
    size_t nw;       /* count of W (b follows it: np - nw values) */
    size_t fan_in, fan_out; /* of the initialisations */

    /* Image shapes (channel-major rows): every layer's input and output is
     * ic x ih x iw and oc x oh x ow; a flat width n is n x 1 x 1. */
    size_t ic, ih, iw, oc, oh, ow;
    size_t kernel, stride, pad, out_pad; /* conv2d, deconv2d, max pool */
    size_t colw;     /* conv2d / deconv2d: floats of a chunk's scratch (net_conv.h) */
    float momentum, eps; /* batch norm */
    size_t soff;     /* batch norm: running mean at state + soff, var after */

    /* Training workspace, rows_cap rows each (see gan_net.rows_cap). */
    float *pre;      /* dense / maxout / conv: pre-activations (rows x cols);
                        batch norm: the normalised input */
    float *y;        /* output (rows x out); aliases pre for identity dense
                        and conv, borrows the input for a reshape */
    uint32_t *arg;   /* maxout: column of the winning piece (rows x units);
                        max pool, channel maxout: input index (rows x out) */
    float *mask;     /* dropout: 0 or 1/keep (rows x in); batch norm: the
                        mean and 1/std per channel of each part of the batch
                        (2 x 2 x oc: part 1's means, its 1/std, part 2's) */
} gan__layer;

/* A layer as the builders and the file describe it: what gan__net_plan
 * turns into a gan__layer. Unused fields are 0 (units, pieces 1). */
typedef struct gan__layer_spec {
    uint32_t kind, act;
    size_t units, pieces;
    float keep, slope;
    size_t channels, height, width;      /* reshape */
    size_t kernel, stride, pad, out_pad; /* conv2d, deconv2d, max pool */
    float momentum, eps;                 /* batch norm */
} gan__layer_spec;

struct gan_net {
    size_t input_width;
    gan__layer *layers;
    size_t n_layers, cap_layers;
    float *params, *grads;
    size_t n_params;
    /* Non-parameter state saved with the net (batch norm running
     * statistics): n_state floats, not touched by optimizers. */
    float *state;
    size_t n_state;
    size_t col_width;   /* largest colw of a conv2d / deconv2d layer */

    /* Training workspace: grown to the largest batch seen, then reused. */
    size_t rows_cap;
    size_t max_width;   /* widest input, output or pre-activation */
    float *input;       /* copy of the last training input (rows x input_width) */
    float *scratch[3];  /* backward buffers (rows_cap x max_width each) */
    float *col;         /* conv scratch: a chunk's columns (col_width) */
    size_t last_rows;   /* rows of the last training forward, 0 if none */
    size_t last_split;  /* rows of its first part: a two-part forward
                           (gan__net_train_forward_pair) is two batches to
                           batch norm, [0, last_split) and [last_split,
                           last_rows); last_rows for a one-part forward */
    int layers_changed; /* a layer was added after a training forward (none
                           has run since) */
};

static inline const gan__layer *gan__net_last_layer(const gan_net *net)
{
    return &net->layers[net->n_layers - 1];
}

/* Check spec against the net's current output shape and fill *l (no
 * allocation; net unchanged). GAN_EINVAL / GAN_ESHAPE name fn, the layer
 * and the sizes. net_image.c. */
int gan__net_plan(gan__layer *l, const gan_net *net, const gan__layer_spec *spec, const char *fn);
/* Append a planned layer: grows the parameter (and state) arrays and sets
 * the layer's initial parameters and state. net.c. */
int gan__net_append(gan_net *net, const gan__layer *proto, const char *fn);
/* Shape-free parameter defaults of a new layer (batch norm: gamma 1), also
 * what gan_net_init gives layers without weights to draw. */
void gan__net_default_params(gan_net *net, const gan__layer *l);
const char *gan__net_kind_name(uint32_t kind);

/* ---- Activations (net_act.c) ----
 * out = act(pre) over n floats (out may alias pre; slope is the leaky
 * ReLU's), and dpre = dout * act'(pre, out) (ReLUs read pre, tanh and
 * sigmoid out; the identity copies dout). */
void gan__activate(float *out, const float *pre, size_t n, uint32_t act, float slope);
void gan__activation_backward(float *dpre, const float *dout, const float *pre,
                              const float *out, size_t n, uint32_t act, float slope);

/* ---- Image layers (channel-major rows; see gan.h) ---- */
/* net_conv.c: conv2d and deconv2d through im2col / col2im and one CBLAS
 * product per chunk of examples; col holds l->colw floats. The
 * pre-activations go to pre and, when y is non-NULL, the layer's
 * activation of them to y (which may be pre), each chunk while it is
 * still in cache. */
void gan__conv_forward(const gan__layer *l, const float *params, float *pre, float *y,
                       const float *x, size_t rows, float *col);
/* The backward pass of rows rows of a conv2d / deconv2d layer whose input
 * was x. g is the gradient with respect to the layer's output; when pre is
 * non-NULL it goes back through the layer's activation (of pre, with
 * output y) into dpre (rows x out scratch), chunk by chunk, otherwise g is
 * the pre-activations' gradient already. Parameter gradients are folded
 * into gout (out = alpha * grad + beta * out) when gout is non-NULL, the
 * input gradient goes into dx when non-NULL. */
typedef struct gan__conv_grad {
    float *dx, *gout;
    const float *g, *pre, *y;
    float *dpre;
    const float *x;
    size_t rows;
    float alpha, beta;
} gan__conv_grad;
void gan__conv_backward(const gan__layer *l, const float *params, const gan__conv_grad *a,
                        float *col);
/* net_pool.c: max pool and channel maxout; arg (may be NULL) records the
 * input index that won each output. */
void gan__pool_forward(const gan__layer *l, float *y, uint32_t *arg, const float *x, size_t rows);
void gan__pool_backward(const gan__layer *l, float *dx, const float *dy, const uint32_t *arg,
                        size_t rows);
/* net_norm.c: batch normalisation. Training uses and records the batch
 * statistics (stat: mean and 1/std per channel), updates the running ones
 * in state; inference uses the running ones. A two-part forward calls
 * gan__bn_train_forward once per part, each with its own stat. */
void gan__bn_train_forward(const gan__layer *l, const float *params, float *state, float *y,
                           float *xhat, float *stat, const float *x, size_t rows);
void gan__bn_infer(const gan__layer *l, const float *params, const float *state, float *y,
                   const float *x, size_t rows);
/* Backward through rows [row_begin, row_begin + rows) of a training
 * forward of batch_rows rows in parts [0, split) and [split, batch_rows)
 * (split = batch_rows: one part), stat holding each part's statistics; dy,
 * xhat and dx hold the range's rows (the other rows' output gradients count
 * as zero). */
void gan__bn_backward(const gan__layer *l, const float *params, float *dx, float *gout,
                      const float *dy, const float *xhat, const float *stat, size_t row_begin,
                      size_t rows, size_t split, size_t batch_rows, float alpha, float beta);

#endif
