/* gan_net forward passes: inference (const, thread-safe, no dropout) and
 * training (keeps every layer's activations for the backward pass). */
#include "clones.h"
#include "blas.h"
#include "net_layers.h"
#include "rng.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* Rows per block in inference, bounding its scratch memory. */
#define INFER_BLOCK_ROWS 512

/* out (rows x units) = max over each unit's pieces of pre (rows x
 * units*pieces); arg (may be NULL) = column of the first maximal piece. */
GAN__VECTOR_CLONES
static void maxout(float *out, uint32_t *arg, const float *pre, size_t rows, size_t units,
                   size_t pieces)
{
    const size_t cols = units * pieces;
    for (size_t r = 0; r < rows; r++) {
        const float *p = pre + r * cols;
        float *o = out + r * units;
        for (size_t u = 0; u < units; u++) {
            /* Selects, not an if: which piece wins is data-dependent, and a
             * branch here mispredicts often (3x slower measured). */
            const float *q = p + u * pieces;
            uint32_t best = 0;
            float m = q[0];
            for (size_t k = 1; k < pieces; k++) {
                const float v = q[k];
                const int gt = v > m;
                m = gt ? v : m;
                best = gt ? (uint32_t)k : best;
            }
            o[u] = m;
            if (arg)
                arg[r * units + u] = (uint32_t)(u * pieces + best);
        }
    }
}

/* pre (rows x cols) = x (rows x in) W (in x cols) + bias (cols). The bias
 * rows are written first and the product added with beta = 1: that spares
 * the BLAS its pass that zeroes C for beta = 0, and a pass adding the bias
 * after. */
static void gemm_forward(float *pre, const float *x, const float *w, const float *bias,
                         size_t rows, size_t in, size_t cols)
{
    for (size_t r = 0; r < rows; r++)
        memcpy(pre + r * cols, bias, cols * sizeof *pre);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)cols, (int)in, 1.0f,
                x, (int)in, w, (int)cols, 1.0f, pre, (int)cols);
}

static int check_batch(const gan_net *net, const float *x, size_t rows, size_t cols, const char *fn)
{
    GAN_CHECK_NULL(fn, net);
    GAN_CHECK_NULL(fn, x);
    GAN_CHECK_NONZERO(fn, rows);
    if (net->n_layers == 0)
        return gan__error(GAN_ESTATE, "%s: net has no layers", fn);
    if (cols != net->input_width)
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, net input width is %zu", fn, cols,
                          net->input_width);
    /* CBLAS takes int sizes. */
    if (rows > INT32_MAX)
        return gan__error(GAN_EINVAL, "%s: rows is %zu, at most %d in one call", fn, rows,
                          INT32_MAX);
    if (net->max_width > INT32_MAX)
        return gan__error(GAN_EINVAL, "%s: a layer of the net is %zu wide, CBLAS takes at most %d",
                          fn, net->max_width, INT32_MAX);
    return GAN_OK;
}

int gan_net_forward(float *out, size_t out_cols, const gan_net *net, const float *x, size_t rows,
                    size_t cols, unsigned flags)
{
    int rc = check_batch(net, x, rows, cols, "gan_net_forward");
    if (rc)
        return rc;
    GAN_CHECK_NULL("gan_net_forward", out);
    if (flags & ~GAN_FORWARD_LOGITS)
        return gan__error(GAN_EINVAL, "gan_net_forward: unknown bits in flags 0x%x", flags);
    const size_t width = gan_net_output_width(net);
    if (out_cols != width)
        return gan__error(GAN_ESHAPE, "gan_net_forward: out_cols is %zu, net output width is %zu",
                          out_cols, width);
    const size_t block = rows < INFER_BLOCK_ROWS ? rows : INFER_BLOCK_ROWS;
    const size_t per = block * net->max_width;
    float *buf = malloc((3 * per + net->col_width) * sizeof *buf);
    if (buf == NULL)
        return gan__error(GAN_ENOMEM, "gan_net_forward: out of memory for %zu x %zu scratch",
                          block, net->max_width);
    float *ping[2] = {buf, buf + per};
    float *pre = buf + 2 * per;
    float *col = buf + 3 * per;

    for (size_t r0 = 0; r0 < rows; r0 += block) {
        const size_t n = rows - r0 < block ? rows - r0 : block;
        const float *cur = x + r0 * cols;
        int which = 0;
        for (size_t i = 0; i < net->n_layers; i++) {
            const gan__layer *l = &net->layers[i];
            const float *w = l->np ? net->params + l->poff : NULL;
            const int last = i + 1 == net->n_layers;
            float *dst = ping[which];
            if (l->kind == GAN_LAYER_DENSE) {
                gemm_forward(dst, cur, w, w + l->in * l->cols, n, l->in, l->cols);
                if (!(last && (flags & GAN_FORWARD_LOGITS)))
                    gan__activate(dst, dst, n * l->cols, l->act, l->slope);
            } else if (l->kind == GAN_LAYER_MAXOUT) {
                gemm_forward(pre, cur, w, w + l->in * l->cols, n, l->in, l->cols);
                maxout(dst, NULL, pre, n, l->units, l->pieces);
            } else if (l->kind == GAN_LAYER_CONV2D || l->kind == GAN_LAYER_DECONV2D) {
                gan__conv_forward(l, w, dst, last && (flags & GAN_FORWARD_LOGITS) ? NULL : dst,
                                  cur, n, col);
            } else if (l->kind == GAN_LAYER_MAXPOOL || l->kind == GAN_LAYER_CHANNEL_MAXOUT) {
                gan__pool_forward(l, dst, NULL, cur, n);
            } else if (l->kind == GAN_LAYER_BATCHNORM) {
                gan__bn_infer(l, w, net->state + l->soff, dst, cur, n);
            } else if (l->kind == GAN_LAYER_ACTIVATION) {
                /* Always applied: the logits flag is about a last dense or
                 * conv layer's own activation. */
                gan__activate(dst, cur, n * l->out, l->act, l->slope);
            } else {
                continue; /* dropout is the identity at inference, reshape always */
            }
            cur = dst;
            which ^= 1;
        }
        memcpy(out + r0 * width, cur, n * width * sizeof *out);
    }
    free(buf);
    return GAN_OK;
}

/* Row-range jobs of the training forward, run on the net's pool. */
typedef struct act_job {
    float *out;
    const float *pre;
    const float *x, *mask;
    uint32_t *arg;
    size_t cols, units, pieces;
    uint32_t act;
    float slope;
} act_job;

static void act_rows(void *ctx, size_t r0, size_t r1)
{
    const act_job *j = ctx;
    gan__activate(j->out + r0 * j->cols, j->pre + r0 * j->cols, (r1 - r0) * j->cols, j->act,
                  j->slope);
}

static void maxout_rows(void *ctx, size_t r0, size_t r1)
{
    const act_job *j = ctx;
    maxout(j->out + r0 * j->units, j->arg + r0 * j->units, j->pre + r0 * j->cols, r1 - r0,
           j->units, j->pieces);
}

GAN__VECTOR_CLONES
static void dropout_rows(void *ctx, size_t r0, size_t r1)
{
    const act_job *j = ctx;
    for (size_t i = r0 * j->cols; i < r1 * j->cols; i++)
        j->out[i] = j->x[i] * j->mask[i];
}

int gan__net_reserve(gan_net *net, size_t rows, const char *fn)
{
    if (rows <= net->rows_cap)
        return GAN_OK;
    /* The old content is not needed across a regrow. */
    gan__net_free_workspace(net);

    int fail = 0;
    net->input = malloc(rows * net->input_width * sizeof(float));
    fail |= net->input == NULL;
    for (int k = 0; k < 3; k++) {
        net->scratch[k] = malloc(rows * net->max_width * sizeof(float));
        fail |= net->scratch[k] == NULL;
    }
    if (net->col_width > 0) {
        net->col = malloc(net->col_width * sizeof(float));
        fail |= net->col == NULL;
    }
    for (size_t i = 0; i < net->n_layers && !fail; i++) {
        gan__layer *l = &net->layers[i];
        switch (l->kind) {
        case GAN_LAYER_RESHAPE: /* borrows its input in each forward */
            continue;
        case GAN_LAYER_MAXPOOL:
        case GAN_LAYER_CHANNEL_MAXOUT:
            l->y = malloc(rows * l->out * sizeof(float));
            l->arg = malloc(rows * l->out * sizeof(uint32_t));
            fail |= l->y == NULL || l->arg == NULL;
            continue;
        case GAN_LAYER_ACTIVATION: /* its input is the layer below's output */
            l->y = malloc(rows * l->out * sizeof(float));
            fail |= l->y == NULL;
            continue;
        case GAN_LAYER_BATCHNORM:
            l->pre = malloc(rows * l->out * sizeof(float));
            l->y = malloc(rows * l->out * sizeof(float));
            l->mask = malloc(4 * l->oc * sizeof(float)); /* two parts' statistics */
            fail |= l->pre == NULL || l->y == NULL || l->mask == NULL;
            continue;
        default:
            break;
        }
        if (l->kind == GAN_LAYER_DROPOUT) {
            l->mask = malloc(rows * l->in * sizeof(float));
            l->y = malloc(rows * l->out * sizeof(float));
            fail |= l->mask == NULL || l->y == NULL;
            continue;
        }
        l->pre = malloc(rows * l->cols * sizeof(float));
        fail |= l->pre == NULL;
        if (l->kind == GAN_LAYER_MAXOUT) {
            l->y = malloc(rows * l->out * sizeof(float));
            l->arg = malloc(rows * l->units * sizeof(uint32_t));
            fail |= l->y == NULL || l->arg == NULL;
        } else {
            l->y = l->act == GAN_ACT_IDENTITY ? l->pre : malloc(rows * l->out * sizeof(float));
            fail |= l->y == NULL;
        }
    }
    if (fail) {
        gan__net_free_workspace(net);
        return gan__error(GAN_ENOMEM, "%s: out of memory for a training workspace of %zu rows", fn,
                          rows);
    }
    net->rows_cap = rows;
    return GAN_OK;
}

/* Inverted-dropout mask: each entry kept with probability keep (compared
 * on 32-bit halves of 64-bit draws) and scaled by 1/keep. A single
 * xoshiro stream is one long dependency chain; MASK_LANES generators, keyed
 * by one draw of the caller's rng (gan__rng_seed_stream), step side by side
 * instead, which the CPU overlaps (about 3x faster measured on a Zen 5 core). Each
 * step fills 2 * MASK_LANES entries in lane order. */
#define MASK_LANES 8

GAN__VECTOR_CLONES
static void draw_mask(float *mask, size_t n, float keep, gan_rng *rng)
{
    if (keep >= 1.0f) {
        for (size_t i = 0; i < n; i++)
            mask[i] = 1.0f;
        return;
    }
    const uint64_t threshold = (uint64_t)ldexp((double)keep, 32);
    const float scale = 1.0f / keep;
    uint32_t scale_bits;
    memcpy(&scale_bits, &scale, sizeof scale_bits);
    const uint64_t key = gan__rng_next(rng);
    uint64_t s0[MASK_LANES], s1[MASK_LANES], s2[MASK_LANES], s3[MASK_LANES];
    for (size_t l = 0; l < MASK_LANES; l++) {
        gan_rng g;
        gan__rng_seed_stream(&g, key, l);
        s0[l] = g.s[0];
        s1[l] = g.s[1];
        s2[l] = g.s[2];
        s3[l] = g.s[3];
    }
    for (size_t i = 0; i < n; i += 2 * MASK_LANES) {
        uint32_t out[2 * MASK_LANES];
        for (size_t l = 0; l < MASK_LANES; l++) {
            /* xoshiro256** (as gan__rng_next), one step of lane l. */
            const uint64_t u = gan__rotl(s1[l] * 5, 7) * 9;
            const uint64_t t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = gan__rotl(s3[l], 45);
            out[2 * l] = scale_bits & ((uint32_t)0 - (uint32_t)((u & 0xffffffffu) < threshold));
            out[2 * l + 1] = scale_bits & ((uint32_t)0 - (uint32_t)((u >> 32) < threshold));
        }
        const size_t k = n - i < 2 * MASK_LANES ? n - i : 2 * MASK_LANES;
        memcpy(mask + i, out, k * sizeof *out);
    }
}

/* The layers of a training forward on the rows in net->input. reuse_masks:
 * instead of drawing, every dropout layer gives each part the mask rows
 * [0, split) of the last forward (see gan__net_train_forward_same_masks). */
static void forward_layers(gan_net *net, gan__pool *pool, gan_rng *rng, size_t rows,
                           size_t split, int reuse_masks);

int gan__net_train_forward_pair(gan_net *net, gan__pool *pool, gan_rng *rng, const float *x1,
                                size_t rows1, const float *x2, size_t rows2, size_t cols,
                                const char *fn)
{
    const size_t rows = rows1 + rows2;
    int rc = check_batch(net, x1, rows, cols, fn);
    if (rc)
        return rc;
    if (rows2 > 0)
        GAN_CHECK_NULL(fn, x2);
    if (rng == NULL && gan__net_has_dropout(net))
        return gan__error(GAN_EINVAL, "%s: rng is NULL but the net has dropout", fn);
    if ((rc = gan__net_reserve(net, rows, fn)) != GAN_OK)
        return rc;
    memcpy(net->input, x1, rows1 * cols * sizeof *x1);
    if (rows2 > 0)
        memcpy(net->input + rows1 * cols, x2, rows2 * cols * sizeof *x2);
    /* Two parts only when both hold rows. */
    forward_layers(net, pool, rng, rows, rows1 > 0 && rows2 > 0 ? rows1 : rows, 0);
    return GAN_OK;
}

int gan__net_train_forward_same_masks(gan_net *net, gan__pool *pool, const float *x1,
                                      const float *x2, size_t rows, const char *fn)
{
    const size_t cols = net->input_width;
    if (rows == 0 || net->last_rows == 0 || net->layers_changed || net->last_split < rows ||
        net->rows_cap < 2 * rows)
        return gan__error(GAN_ESTATE,
                          "%s: a forward with the same masks needs a last forward whose first part "
                          "has at least %zu rows",
                          fn, rows);
    for (size_t i = 0; i < net->n_layers; i++)
        if (net->layers[i].kind == GAN_LAYER_BATCHNORM)
            return gan__error(GAN_EUNSUPPORTED,
                              "%s: layer %zu is batch normalisation, whose batch statistics a "
                              "second pass would change",
                              fn, i);
    memcpy(net->input, x1, rows * cols * sizeof *x1);
    memcpy(net->input + rows * cols, x2, rows * cols * sizeof *x2);
    forward_layers(net, pool, NULL, 2 * rows, rows, 1);
    return GAN_OK;
}

static void forward_layers(gan_net *net, gan__pool *pool, gan_rng *rng, size_t rows,
                           size_t split, int reuse_masks)
{
    const float *cur = net->input;
    for (size_t i = 0; i < net->n_layers; i++) {
        gan__layer *l = &net->layers[i];
        const float *w = l->np ? net->params + l->poff : NULL;
        const float *bias = l->np ? w + l->nw : NULL;
        act_job j = {0};
        j.pre = l->pre;
        j.out = l->y;
        j.cols = l->cols;
        j.units = l->units;
        j.pieces = l->pieces;
        j.act = l->act;
        j.slope = l->slope;
        j.arg = l->arg;
        switch (l->kind) {
        case GAN_LAYER_DENSE:
            gemm_forward(l->pre, cur, w, bias, rows, l->in, l->cols);
            gan__pool_run(pool, act_rows, &j, rows, 1, gan__min_rows(l->cols));
            break;
        case GAN_LAYER_MAXOUT:
            gemm_forward(l->pre, cur, w, bias, rows, l->in, l->cols);
            gan__pool_run(pool, maxout_rows, &j, rows, 1, gan__min_rows(l->cols));
            break;
        case GAN_LAYER_CONV2D:
        case GAN_LAYER_DECONV2D:
            gan__conv_forward(l, w, l->pre, l->y, cur, rows, net->col);
            break;
        case GAN_LAYER_RESHAPE:
            l->y = (float *)cur; /* never written through */
            break;
        case GAN_LAYER_ACTIVATION:
            j.pre = cur;
            gan__pool_run(pool, act_rows, &j, rows, 1, gan__min_rows(l->cols));
            break;
        case GAN_LAYER_MAXPOOL:
        case GAN_LAYER_CHANNEL_MAXOUT:
            gan__pool_forward(l, l->y, l->arg, cur, rows);
            break;
        case GAN_LAYER_BATCHNORM:
            /* Each part is a batch of its own, as two forward passes of
             * PyTorch would see them: D's real and fake rows are normalised
             * apart, so D cannot tell them by batch statistics that its G
             * step (fake rows alone) never shows it. Running statistics
             * move once per part, the first part first. */
            for (size_t p = 0, r0 = 0; r0 < rows; p++) {
                const size_t n = p == 0 ? split : rows - split;
                gan__bn_train_forward(l, w, net->state + l->soff, l->y + r0 * l->out,
                                      l->pre + r0 * l->out, l->mask + 2 * l->oc * p,
                                      cur + r0 * l->in, n);
                r0 += n;
            }
            break;
        default:
            /* Masks are drawn in order on the caller so they do not depend
             * on the thread count. */
            if (!reuse_masks)
                draw_mask(l->mask, rows * l->in, l->keep, rng);
            else
                memcpy(l->mask + split * l->in, l->mask, (rows - split) * l->in * sizeof *l->mask);
            j.x = cur;
            j.mask = l->mask;
            j.cols = l->in;
            gan__pool_run(pool, dropout_rows, &j, rows, 1, gan__min_rows(l->in));
            break;
        }
        cur = l->y;
    }
    net->last_rows = rows;
    net->last_split = split;
    net->layers_changed = 0;
}

/* Without a session the loops run on the calling thread. */
int gan_net_train_forward(gan_net *net, gan_rng *rng, const float *x, size_t rows, size_t cols)
{
    return gan__net_train_forward_pair(net, NULL, rng, x, rows, NULL, 0, cols,
                                       "gan_net_train_forward");
}

const float *gan__net_train_output(const gan_net *net, int logits)
{
    if (net->last_rows == 0)
        return NULL;
    const gan__layer *l = gan__net_last_layer(net);
    const int has_act = l->kind == GAN_LAYER_DENSE || l->kind == GAN_LAYER_CONV2D ||
                        l->kind == GAN_LAYER_DECONV2D;
    return logits && has_act ? l->pre : l->y;
}

int gan_net_train_output(const float **out, size_t *rows, size_t *cols, const gan_net *net,
                         unsigned flags)
{
    GAN_CHECK_NULL("gan_net_train_output", out);
    GAN_CHECK_NULL("gan_net_train_output", net);
    if (flags & ~GAN_FORWARD_LOGITS)
        return gan__error(GAN_EINVAL, "gan_net_train_output: unknown bits in flags 0x%x", flags);
    if (net->last_rows == 0)
        return gan__error(GAN_ESTATE, net->layers_changed
                                          ? "gan_net_train_output: layers were added since the last training forward"
                                          : "gan_net_train_output: no training forward has run");
    const gan__layer *l = gan__net_last_layer(net);
    *out = gan__net_train_output(net, (flags & GAN_FORWARD_LOGITS) != 0);
    if (rows)
        *rows = net->last_rows;
    if (cols)
        *cols = l->out;
    return GAN_OK;
}
