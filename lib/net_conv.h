/* Scratch sizing of the conv2d / deconv2d layers (net_conv.c), for the
 * planner (net_image.c) and the tests. */
#ifndef GAN_NET_CONV_H
#define GAN_NET_CONV_H

#include "net_layers.h"

/* Floats of scratch one example of layer l needs: its im2col columns and
 * its staging block (see net_conv.c); SIZE_MAX on overflow. Needs the
 * layer's image shapes and kernel. */
size_t gan__conv_row_floats(const gan__layer *l);
/* The l->colw a planned layer gets: gan__conv_row_floats(l) times the
 * number of examples lowered per product (the chunk, capped so that the
 * scratch stays near GAN__CONV_CHUNK_FLOATS); SIZE_MAX on overflow. The
 * layer functions take the chunk back as colw / gan__conv_row_floats, so
 * a smaller colw (a multiple of the row floats) gives a smaller chunk. */
size_t gan__conv_col_floats(const gan__layer *l);

/* Scratch cap of one layer's chunk (floats; 4 Mi floats = 16 MiB), and at
 * most this many examples per chunk (so small layers do not take the whole
 * cap for batches they never see). */
#define GAN__CONV_CHUNK_FLOATS ((size_t)4 << 20)
#define GAN__CONV_CHUNK_ROWS ((size_t)64)
/* Layers whose im2col columns have at most this many rows (c k k) lower
 * one example at a time, with no staging (net_conv.c). */
#define GAN__CONV_DIRECT_K ((size_t)64)

#endif
