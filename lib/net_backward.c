/* gan_net backward pass through the last training forward: parameter
 * gradients (sums over the rows) and the gradient with respect to the
 * input. Only CBLAS calls and tight loops; no allocation. */
#include "blas.h"
#include "net.h"
#include "status.h"

#include <string.h>

/* dpre = dout * act'(pre, out) for one dense layer's rows. */
static void activation_backward(float *dpre, const float *dout, const float *pre,
                                const float *out, size_t n, uint32_t act, float slope)
{
    switch (act) {
    case GAN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            dpre[i] = pre[i] > 0.0f ? dout[i] : 0.0f;
        break;
    case GAN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            dpre[i] = pre[i] > 0.0f ? dout[i] : slope * dout[i];
        break;
    case GAN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dpre[i] = dout[i] * (1.0f - out[i] * out[i]);
        break;
    case GAN_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dpre[i] = dout[i] * out[i] * (1.0f - out[i]);
        break;
    default:
        memcpy(dpre, dout, n * sizeof *dpre);
        break;
    }
}

/* Parameter gradients of a dense/maxout layer from dpre (rows x cols):
 * dW (in x cols) = x^T dpre, db = column sums of dpre. */
static void param_grads(float *grad, const gan__layer *l, const float *x, const float *dpre,
                        size_t rows, int accumulate)
{
    const size_t in = l->in, cols = l->cols;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)cols, (int)rows, 1.0f,
                x, (int)in, dpre, (int)cols, accumulate ? 1.0f : 0.0f, grad, (int)cols);
    float *db = grad + in * cols;
    if (!accumulate)
        memset(db, 0, cols * sizeof *db);
    for (size_t r = 0; r < rows; r++) {
        const float *d = dpre + r * cols;
        for (size_t j = 0; j < cols; j++)
            db[j] += d[j];
    }
}

int gan__net_backward_range(float *dx, gan_net *net, const float *dy, size_t row_begin,
                            size_t rows, unsigned flags)
{
    const int want_params = !(flags & GAN_BACKWARD_NO_PARAMS);
    const int accumulate = (flags & GAN_BACKWARD_ACCUMULATE) != 0;
    const float *g = dy; /* gradient w.r.t. the current layer's output */
    int which = 0;       /* scratch[which] receives the next gradient */

    for (size_t i = net->n_layers; i-- > 0;) {
        const gan__layer *l = &net->layers[i];
        const float *x = (i == 0 ? net->input : net->layers[i - 1].y) + row_begin * l->in;
        /* Stop before the input gradient of the first layer unless asked. */
        const int want_dx = i > 0 || dx != NULL;
        if (!want_dx && !(want_params && l->np > 0))
            break;
        float *dst = i == 0 ? dx : net->scratch[which];

        if (l->kind == GAN_LAYER_DROPOUT) {
            if (want_dx) {
                const float *m = l->mask + row_begin * l->in;
                const size_t n = rows * l->in;
                for (size_t j = 0; j < n; j++)
                    dst[j] = g[j] * m[j];
            }
        } else {
            const float *dpre;
            float *tmp = net->scratch[2];
            const size_t cols = l->cols;
            if (l->kind == GAN_LAYER_MAXOUT) {
                /* The winning piece of each unit takes the unit's gradient. */
                const uint32_t *arg = l->arg + row_begin * l->units;
                memset(tmp, 0, rows * cols * sizeof *tmp);
                for (size_t r = 0; r < rows; r++)
                    for (size_t u = 0; u < l->units; u++)
                        tmp[r * cols + arg[r * l->units + u]] = g[r * l->units + u];
                dpre = tmp;
            } else if (l->act == GAN_ACT_IDENTITY ||
                       (i + 1 == net->n_layers && (flags & GAN_BACKWARD_LOGITS))) {
                dpre = g;
            } else {
                activation_backward(tmp, g, l->pre + row_begin * cols, l->y + row_begin * cols,
                                    rows * cols, l->act, l->slope);
                dpre = tmp;
            }
            if (want_params)
                param_grads(net->grads + l->poff, l, x, dpre, rows, accumulate);
            if (want_dx)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)l->in,
                            (int)cols, 1.0f, dpre, (int)cols, net->params + l->poff, (int)cols,
                            0.0f, dst, (int)l->in);
        }
        if (i > 0) {
            g = dst;
            which ^= 1;
        }
    }
    return GAN_OK;
}

int gan_net_backward(float *dx, gan_net *net, const float *dy, size_t rows, size_t cols,
                     unsigned flags)
{
    GAN_CHECK_NULL("gan_net_backward", net);
    GAN_CHECK_NULL("gan_net_backward", dy);
    if (flags & ~(GAN_BACKWARD_LOGITS | GAN_BACKWARD_ACCUMULATE | GAN_BACKWARD_NO_PARAMS))
        return gan__error(GAN_EINVAL, "gan_net_backward: unknown bits in flags 0x%x", flags);
    if (net->last_rows == 0)
        return gan__error(GAN_ESTATE, "gan_net_backward: no training forward to go back through");
    if (rows != net->last_rows)
        return gan__error(GAN_ESHAPE, "gan_net_backward: rows is %zu, last training forward had %zu",
                          rows, net->last_rows);
    if (cols != gan_net_output_width(net))
        return gan__error(GAN_ESHAPE, "gan_net_backward: cols is %zu, net output width is %zu",
                          cols, gan_net_output_width(net));
    return gan__net_backward_range(dx, net, dy, 0, rows, flags);
}
