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

typedef struct gan__layer {
    uint32_t kind;   /* gan_layer_kind */
    uint32_t act;    /* gan_activation (dense only) */
    size_t in, out;  /* input width, output width */
    size_t units, pieces;
    size_t cols;     /* pre-activation columns: dense units, maxout
                        units * pieces, dropout in */
    float keep;      /* dropout */
    float slope;     /* leaky ReLU */
    size_t poff, np; /* offset of W in the flat parameters, count of W + b */

    /* Training workspace, rows_cap rows each (see gan_net.rows_cap). */
    float *pre;      /* dense / maxout: pre-activations (rows x cols) */
    float *y;        /* output (rows x out); aliases pre for identity dense */
    uint32_t *arg;   /* maxout: column of the winning piece (rows x units) */
    float *mask;     /* dropout: 0 or 1/keep (rows x in) */
} gan__layer;

struct gan_net {
    size_t input_width;
    gan__layer *layers;
    size_t n_layers, cap_layers;
    float *params, *grads;
    size_t n_params;

    /* Training workspace: grown to the largest batch seen, then reused. */
    size_t rows_cap;
    size_t max_width;   /* widest input, output or pre-activation */
    float *input;       /* copy of the last training input (rows x input_width) */
    float *scratch[3];  /* backward buffers (rows_cap x max_width each) */
    size_t last_rows;   /* rows of the last training forward, 0 if none */
    int layers_changed; /* a layer was added after a training forward (none
                           has run since) */
};

static inline const gan__layer *gan__net_last_layer(const gan_net *net)
{
    return &net->layers[net->n_layers - 1];
}

#endif
