/* The element-wise activations of the dense, conv2d, deconv2d and
 * activation layers and their derivatives, shared by the forward and
 * backward passes (net_forward.c, net_backward.c) and by the conv layers,
 * which apply them while a chunk of rows is still in cache (net_conv.c). */
#include "clones.h"
#include "net_layers.h"
#include "numeric.h"
#include "vexp.h"

#include <math.h>
#include <string.h>

/* exp(-87) is still a normal float. Read through a volatile so the
 * compiler cannot fold the clamp in gan__exp_neg into a branch, which
 * would stop the loop below from vectorising. */
static const volatile float sigmoid_exp_floor = -87.0f;

/* out[i] = sigmoid(pre[i]) = 1 / (1 + t) for pre >= 0 and t / (1 + t)
 * below, with t = exp(-|pre|) <= 1: relative error below 1e-6 (outputs
 * stay at 1.6e-38 below pre = -87), sigmoid(NaN) = NaN so divergence
 * still shows. The cases are picked with bit masks rather than comparisons
 * so the loop vectorises. out may alias pre. */
GAN__VECTOR_CLONES
static void sigmoid_rows(float *out, const float *pre, size_t n)
{
    const float lo = sigmoid_exp_floor;
    for (size_t i = 0; i < n; i++) {
        const float a = pre[i];
        const float t = gan__exp_neg(-fabsf(a), lo);
        const float r = 1.0f / (1.0f + t), q = t * r;
        uint32_t ab, rb, qb;
        memcpy(&ab, &a, sizeof ab);
        memcpy(&rb, &r, sizeof rb);
        memcpy(&qb, &q, sizeof qb);
        const uint32_t neg = (uint32_t)((int32_t)ab >> 31);
        const uint32_t nan = (uint32_t)0 - (uint32_t)((ab & 0x7fffffffu) > 0x7f800000u);
        const uint32_t ob = (((rb & ~neg) | (qb & neg)) & ~nan) | (ab & nan);
        memcpy(&out[i], &ob, sizeof ob);
    }
}

/* The loops are compiled as vector clones in static functions: a
 * non-static target_clones function would export its ifunc symbol from
 * the shared library despite -fvisibility=hidden. */
GAN__VECTOR_CLONES
static void activate(float *out, const float *pre, size_t n, uint32_t act, float slope)
{
    if (act == GAN_ACT_IDENTITY) {
        if (out != pre)
            memcpy(out, pre, n * sizeof *out);
        return;
    }
    switch (act) {
    case GAN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            out[i] = pre[i] > 0.0f ? pre[i] : 0.0f;
        break;
    case GAN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            out[i] = gan__select_pos(pre[i], pre[i], slope * pre[i]);
        break;
    case GAN_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            out[i] = tanhf(pre[i]);
        break;
    default: /* GAN_ACT_SIGMOID */
        sigmoid_rows(out, pre, n);
        break;
    }
}

void gan__activate(float *out, const float *pre, size_t n, uint32_t act, float slope)
{
    activate(out, pre, n, act, slope);
}

GAN__VECTOR_CLONES
static void activation_backward(float *dpre, const float *dout, const float *pre,
                                const float *out, size_t n, uint32_t act, float slope)
{
    switch (act) {
    case GAN_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            dpre[i] = gan__select_pos(pre[i], dout[i], 0.0f);
        break;
    case GAN_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            dpre[i] = gan__select_pos(pre[i], dout[i], slope * dout[i]);
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

void gan__activation_backward(float *dpre, const float *dout, const float *pre,
                              const float *out, size_t n, uint32_t act, float slope)
{
    activation_backward(dpre, dout, pre, out, n, act, slope);
}
