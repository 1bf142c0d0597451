/* gan_net backward pass through the last training forward: parameter
 * gradients (sums over the rows) and the gradient with respect to the
 * input. Only CBLAS calls and tight loops; no allocation. */
#include "clones.h"
#include "blas.h"
#include "net_layers.h"
#include "status.h"

#include <string.h>

/* Row-range jobs of the backward pass, run on the net's pool. */
typedef struct grad_job {
    float *dst;
    const float *g, *pre, *out, *mask;
    const uint32_t *arg;
    size_t cols, units;
    uint32_t act;
    float slope;
} grad_job;

static void act_back_rows(void *ctx, size_t r0, size_t r1)
{
    const grad_job *j = ctx;
    const size_t o = r0 * j->cols;
    gan__activation_backward(j->dst + o, j->g + o, j->pre + o, j->out + o, (r1 - r0) * j->cols,
                             j->act, j->slope);
}

/* The winning piece of each maxout unit takes the unit's gradient. */
GAN__VECTOR_CLONES
static void maxout_back_rows(void *ctx, size_t r0, size_t r1)
{
    const grad_job *j = ctx;
    memset(j->dst + r0 * j->cols, 0, (r1 - r0) * j->cols * sizeof *j->dst);
    for (size_t r = r0; r < r1; r++)
        for (size_t u = 0; u < j->units; u++)
            j->dst[r * j->cols + j->arg[r * j->units + u]] = j->g[r * j->units + u];
}

GAN__VECTOR_CLONES
static void dropout_back_rows(void *ctx, size_t r0, size_t r1)
{
    const grad_job *j = ctx;
    for (size_t i = r0 * j->cols; i < r1 * j->cols; i++)
        j->dst[i] = j->g[i] * j->mask[i];
}

/* Parameter gradients of a dense/maxout layer from dpre (rows x cols),
 * folded into out: out = alpha * grad + beta * out, where grad is
 * dW (in x cols) = x^T dpre followed by db = column sums of dpre. Plain
 * gradients use alpha = 1, beta = 0 (or 1 to accumulate); the fused SGD
 * step uses alpha = -lr, beta = momentum on the velocity. */
static void param_grads(float *out, const gan__layer *l, const float *x, const float *dpre,
                        size_t rows, float alpha, float beta)
{
    const size_t in = l->in, cols = l->cols;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)cols, (int)rows, alpha,
                x, (int)in, dpre, (int)cols, beta, out, (int)cols);
    float *db = out + in * cols;
    if (beta == 0.0f)
        memset(db, 0, cols * sizeof *db);
    else if (beta != 1.0f)
        for (size_t j = 0; j < cols; j++)
            db[j] *= beta;
    for (size_t r = 0; r < rows; r++) {
        const float *d = dpre + r * cols;
        if (alpha == 1.0f)
            for (size_t j = 0; j < cols; j++)
                db[j] += d[j];
        else
            for (size_t j = 0; j < cols; j++)
                db[j] += alpha * d[j];
    }
}

/* The backward pass through rows [row_begin, row_begin + rows) of the last
 * training forward: the input gradient into dx (may be NULL) and, unless
 * flags has GAN_BACKWARD_NO_PARAMS, the parameter gradients into gout as in
 * param_grads. */
static void backward(float *dx, gan_net *net, gan__pool *pool, const float *dy, size_t row_begin,
                     size_t rows, unsigned flags, float *gout, float alpha, float beta)
{
    const int want_params = !(flags & GAN_BACKWARD_NO_PARAMS);
    const float *g = dy; /* gradient w.r.t. the current layer's output */
    int which = 0;       /* scratch[which] receives the next gradient */
    /* Below the lowest layer with parameters only dx needs gradients. */
    size_t lowest = 0;
    while (lowest < net->n_layers && net->layers[lowest].np == 0)
        lowest++;

    for (size_t i = net->n_layers; i-- > 0;) {
        const gan__layer *l = &net->layers[i];
        const float *x = (i == 0 ? net->input : net->layers[i - 1].y) + row_begin * l->in;
        /* An input gradient is needed for dx or for a parameter layer below. */
        const int want_dx = dx != NULL || (want_params && i > lowest);
        if (!want_dx && !(want_params && l->np > 0))
            break;
        float *dst = i == 0 ? dx : net->scratch[which];

        grad_job j = {0};
        j.g = g;
        float *gl = want_params && l->np > 0 ? gout + l->poff : NULL;
        switch (l->kind) {
        case GAN_LAYER_DROPOUT:
            if (want_dx) {
                j.dst = dst;
                j.mask = l->mask + row_begin * l->in;
                j.cols = l->in;
                gan__pool_run(pool, dropout_back_rows, &j, rows, 1, gan__min_rows(l->in));
            }
            break;
        case GAN_LAYER_RESHAPE:
            /* The gradient passes through unchanged. */
            if (i > 0)
                continue;
            if (dx != NULL)
                memcpy(dx, g, rows * l->in * sizeof *dx);
            break;
        case GAN_LAYER_MAXPOOL:
        case GAN_LAYER_CHANNEL_MAXOUT:
            if (want_dx)
                gan__pool_backward(l, dst, g, l->arg + row_begin * l->out, rows);
            break;
        case GAN_LAYER_ACTIVATION:
            /* act' from the layer's input x (ReLUs) or its output (tanh,
             * sigmoid); the logits flag does not skip it (see gan.h). */
            if (want_dx) {
                j.dst = dst;
                j.pre = x;
                j.out = l->y + row_begin * l->out;
                j.cols = l->out;
                j.act = l->act;
                j.slope = l->slope;
                gan__pool_run(pool, act_back_rows, &j, rows, 1, gan__min_rows(l->out));
            }
            break;
        case GAN_LAYER_BATCHNORM:
            gan__bn_backward(l, net->params + l->poff, want_dx ? dst : NULL, gl, g,
                             l->pre + row_begin * l->out, l->mask, row_begin, rows,
                             net->last_split, net->last_rows, alpha, beta);
            break;
        default: {
            const float *dpre;
            float *tmp = net->scratch[2];
            const size_t cols = l->cols;
            const int logits = i + 1 == net->n_layers && (flags & GAN_BACKWARD_LOGITS);
            const int through_act = l->act != GAN_ACT_IDENTITY && !logits;
            if (l->kind == GAN_LAYER_CONV2D || l->kind == GAN_LAYER_DECONV2D) {
                /* The layer takes g through its activation itself, a chunk
                 * of rows at a time while they are in cache. */
                const gan__conv_grad a = {
                    .dx = want_dx ? dst : NULL, .gout = gl, .g = g,
                    .pre = through_act ? l->pre + row_begin * cols : NULL,
                    .y = l->y + row_begin * cols, .dpre = tmp, .x = x, .rows = rows,
                    .alpha = alpha, .beta = beta};
                gan__conv_backward(l, net->params + l->poff, &a, net->col);
                break;
            }
            j.dst = tmp;
            j.cols = cols;
            if (l->kind == GAN_LAYER_MAXOUT) {
                j.arg = l->arg + row_begin * l->units;
                j.units = l->units;
                gan__pool_run(pool, maxout_back_rows, &j, rows, 1, gan__min_rows(cols));
                dpre = tmp;
            } else if (!through_act) {
                dpre = g;
            } else {
                j.pre = l->pre + row_begin * cols;
                j.out = l->y + row_begin * cols;
                j.act = l->act;
                j.slope = l->slope;
                gan__pool_run(pool, act_back_rows, &j, rows, 1, gan__min_rows(cols));
                dpre = tmp;
            }
            if (gl != NULL)
                param_grads(gl, l, x, dpre, rows, alpha, beta);
            if (want_dx)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)l->in,
                            (int)cols, 1.0f, dpre, (int)cols, net->params + l->poff, (int)cols,
                            0.0f, dst, (int)l->in);
            break;
        }
        }
        if (i > 0) {
            g = dst;
            which ^= 1;
        }
    }
}

void gan__net_backward_input(float *dx, gan_net *net, gan__pool *pool, const float *dy,
                             size_t row_begin, size_t rows, unsigned flags)
{
    backward(dx, net, pool, dy, row_begin, rows, flags | GAN_BACKWARD_NO_PARAMS, NULL, 0.0f, 0.0f);
}

void gan__net_fold_param_grads(gan_net *net, gan__pool *pool, const float *dy, size_t rows,
                               unsigned flags, float *out, float alpha, float beta)
{
    backward(NULL, net, pool, dy, 0, rows, flags & GAN_BACKWARD_LOGITS, out, alpha, beta);
}

int gan_net_backward(float *dx, gan_net *net, const float *dy, size_t rows, size_t cols,
                     unsigned flags)
{
    GAN_CHECK_NULL("gan_net_backward", net);
    GAN_CHECK_NULL("gan_net_backward", dy);
    if (flags & ~(GAN_BACKWARD_LOGITS | GAN_BACKWARD_ACCUMULATE | GAN_BACKWARD_NO_PARAMS))
        return gan__error(GAN_EINVAL, "gan_net_backward: unknown bits in flags 0x%x", flags);
    if (net->last_rows == 0)
        return gan__error(GAN_ESTATE, net->layers_changed
                                          ? "gan_net_backward: layers were added since the last training forward"
                                          : "gan_net_backward: no training forward to go back through");
    if (rows != net->last_rows)
        return gan__error(GAN_ESHAPE, "gan_net_backward: rows is %zu, last training forward had %zu",
                          rows, net->last_rows);
    if (cols != gan_net_output_width(net))
        return gan__error(GAN_ESHAPE, "gan_net_backward: cols is %zu, net output width is %zu",
                          cols, gan_net_output_width(net));
    /* Without a session the loops run on the calling thread. */
    const float beta = (flags & GAN_BACKWARD_ACCUMULATE) ? 1.0f : 0.0f;
    backward(dx, net, NULL, dy, 0, rows, flags, net->grads, 1.0f, beta);
    return GAN_OK;
}
