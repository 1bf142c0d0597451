/* The training step: the discriminator's step (ascend E[log D(x)] +
 * E[log(1 - D(G(z)))] on a real and a fake minibatch, run through D in one
 * pass in which batch norm treats each minibatch as a batch of its own),
 * the generator's step (G forward, D forward on G's samples,
 * backpropagation through D into G, D untouched), and the original code's
 * simultaneous update of both. Each net's step is one backward-and-step:
 * the optimizer decides where the parameter gradient is folded. */
#include "update.h"
#include "net.h"
#include "numeric.h"
#include "optim.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gan__step_ws_init(gan__step_ws *ws, gan__pool *pool)
{
    ws->pool = pool;
    ws->dy = ws->dx = ws->cat = ws->pert = NULL;
    ws->rows_cap = ws->width = 0;
}

void gan__step_ws_free(gan__step_ws *ws)
{
    free(ws->dy);
    free(ws->dx);
    free(ws->cat);
    free(ws->pert);
    gan__step_ws_init(ws, ws->pool);
}

int gan__step_ws_reserve(gan__step_ws *ws, size_t rows, size_t width, const char *fn)
{
    if (rows <= ws->rows_cap && width == ws->width)
        return GAN_OK;
    size_t n_dx;
    if (rows > SIZE_MAX / (5 * sizeof(float)) || gan__mul_size(&n_dx, rows, width) ||
        n_dx > SIZE_MAX / (2 * sizeof(float)))
        return gan__error(GAN_EINVAL, "%s: %zu rows of width %zu are too many", fn, rows, width);
    float *dy = malloc(5 * rows * sizeof *dy);
    float *dx = malloc(n_dx * sizeof *dx);
    float *cat = malloc(n_dx * sizeof *cat);
    float *pert = malloc(2 * n_dx * sizeof *pert);
    if (dy == NULL || dx == NULL || cat == NULL || pert == NULL) {
        free(dy);
        free(dx);
        free(cat);
        free(pert);
        return gan__error(GAN_ENOMEM, "%s: out of memory for the gradients of %zu rows", fn, rows);
    }
    free(ws->dy);
    free(ws->dx);
    free(ws->cat);
    free(ws->pert);
    ws->dy = dy;
    ws->dx = dx;
    ws->cat = cat;
    ws->pert = pert;
    ws->rows_cap = rows;
    ws->width = width;
    return GAN_OK;
}

int gan__check_discriminator(const gan_net *d, const char *fn)
{
    const size_t n = gan_net_num_layers(d);
    if (n == 0)
        return gan__error(GAN_ESTATE, "%s: d has no layers", fn);
    gan_layer_info l;
    gan_net_layer_info(&l, d, n - 1);
    if (l.kind != GAN_LAYER_DENSE || l.out_width != 1 ||
        (l.activation != GAN_ACT_SIGMOID && l.activation != GAN_ACT_IDENTITY))
        return gan__error(GAN_ESHAPE,
                          "%s: d must end in a dense layer of 1 unit with sigmoid or identity activation",
                          fn);
    return GAN_OK;
}

/* Mean of sigmoid(a) over n logits, in double. */
static double mean_sigmoid(const float *a, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += gan__sigmoid(a[i]);
    return n ? s / (double)n : NAN;
}

/* GAN_OK, or GAN_EDIVERGED naming fn when a logit is NaN or Inf. */
static int check_logits_finite(const float *a, size_t n, const char *fn)
{
    const size_t i = gan__first_nonfinite(a, n);
    if (i < n)
        return gan__error(GAN_EDIVERGED, "%s: discriminator logit %zu is %g", fn, i, (double)a[i]);
    return GAN_OK;
}

/* The backward-and-step of one net: its parameter gradient for the output
 * gradient dy (rows of its last training forward) goes wherever the
 * optimizer folds it. */
typedef struct fold_ctx {
    gan_net *net;
    gan__pool *pool;
    const float *dy;
    size_t rows;
    unsigned flags;
} fold_ctx;

static int fold_param_grads(void *ctx, float *out, float alpha, float beta)
{
    const fold_ctx *c = ctx;
    gan__net_fold_param_grads(c->net, c->pool, c->dy, c->rows, c->flags, out, alpha, beta);
    return GAN_OK;
}

static int backward_and_step(gan_net *net, gan_optimizer *opt, gan__pool *pool, const float *dy,
                             size_t rows, unsigned flags)
{
    fold_ctx c = {net, pool, dy, rows, flags};
    return gan__optimizer_step_fold(opt, pool, fold_param_grads, &c);
}

/* ---- The R1 penalty (Mescheder et al. 2018) ----
 * R1 = (gamma / 2) (1/n) sum_i |g_i|^2, g_i = grad_x a(x_i), the gradient
 * of D's logit at real row i under the D step's own dropout masks. Its
 * parameter gradient is (gamma / n) sum_i J_i^T g_i with J_i the Jacobian
 * of g_i in the parameters, and J_i^T g_i is the derivative of grad_theta
 * a(x_i + t g_i) in t. We take it as a central difference,
 *   (grad_theta a(x_i + h_i g_i) - grad_theta a(x_i - h_i g_i)) / (2 h_i),
 * i.e. one more forward of the 2n perturbed rows with the same masks and
 * one more backward, folded into the same optimizer step: no second-order
 * backward pass is needed. It is exact for a piecewise-linear D (ReLU,
 * leaky ReLU, maxout, pooling, dropout, convolutions, the logit of a dense
 * output) while no unit changes piece within the step h_i |g_i|, and
 * second-order accurate otherwise. The step moves no input by more than
 * R1_STEP times the row's largest |x| (at least R1_STEP). */
#define R1_STEP 1e-3

/* After D's training forward on the real rows first (n of them, cols
 * wide): g into ws->pert, then the perturbed rows x + h g and x - h g into
 * ws->pert and ws->pert + n cols, and the penalty's loss gradients at
 * their logits into dy_r1 (2n). Returns the penalty. Needs the forward's
 * activations: call before any backward that could be the last use. */
static double r1_prepare(gan__step_ws *ws, gan_net *d, const float *real, size_t n, size_t cols,
                         float gamma, float *ones, float *dy_r1)
{
    float *plus = ws->pert, *minus = ws->pert + n * cols;
    for (size_t i = 0; i < n; i++)
        ones[i] = 1.0f;
    gan__net_backward_input(plus, d, ws->pool, ones, 0, n, GAN_BACKWARD_LOGITS);
    double sum_sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        float *g = plus + i * cols, *m = minus + i * cols;
        const float *x = real + i * cols;
        double sq = 0.0;
        float gmax = 0.0f, xmax = 1.0f;
        for (size_t j = 0; j < cols; j++) {
            sq += (double)g[j] * g[j];
            gmax = fmaxf(gmax, fabsf(g[j]));
            xmax = fmaxf(xmax, fabsf(x[j]));
        }
        sum_sq += sq;
        /* A zero gradient (a dead D) contributes nothing. */
        const float h = gmax > 0.0f ? (float)(R1_STEP * xmax / gmax) : 0.0f;
        for (size_t j = 0; j < cols; j++) {
            const float step = h * g[j];
            m[j] = x[j] - step;
            g[j] = x[j] + step;
        }
        const float c = h > 0.0f ? (float)(gamma / (2.0 * h * (double)n)) : 0.0f;
        dy_r1[i] = c;
        dy_r1[n + i] = -c;
    }
    return 0.5 * gamma * sum_sq / (double)n;
}

typedef struct fold_r1_ctx {
    fold_ctx loss;       /* D's loss, over the last forward */
    gan__step_ws *ws;
    const float *dy_r1;  /* 2n */
    size_t n;
    const char *fn;
} fold_r1_ctx;

/* D's loss gradient, then (after the forward of the perturbed rows with
 * the same masks) the penalty's, into the same out. */
static int fold_with_r1(void *ctx, float *out, float alpha, float beta)
{
    const fold_r1_ctx *c = ctx;
    fold_param_grads((void *)&c->loss, out, alpha, beta);
    const size_t cols = gan_net_input_width(c->loss.net);
    int rc = gan__net_train_forward_same_masks(c->loss.net, c->ws->pool, c->ws->pert,
                                               c->ws->pert + c->n * cols, c->n, c->fn);
    if (rc)
        return rc;
    gan__net_fold_param_grads(c->loss.net, c->ws->pool, c->dy_r1, 2 * c->n, GAN_BACKWARD_LOGITS,
                              out, alpha, 1.0f);
    return GAN_OK;
}

/* D's step from dy (2n rows of its last forward, the n real rows first),
 * with the R1 penalty when gamma > 0 (r1_prepare has run). */
static int d_backward_and_step(gan_net *d, gan_optimizer *opt, gan__step_ws *ws, const float *dy,
                               size_t n, float gamma, const float *dy_r1, const char *fn)
{
    if (!(gamma > 0.0f))
        return backward_and_step(d, opt, ws->pool, dy, 2 * n, GAN_BACKWARD_LOGITS);
    fold_r1_ctx c = {{d, ws->pool, dy, 2 * n, GAN_BACKWARD_LOGITS}, ws, dy_r1, n, fn};
    return gan__optimizer_step_fold(opt, ws->pool, fold_with_r1, &c);
}

void gan__concat_rows(float *dst, const float *src, size_t rows, size_t w, const gan__step_cond *c)
{
    const size_t width = w + c->cols;
    for (size_t i = 0; i < rows; i++) {
        memcpy(dst + i * width, src + i * w, w * sizeof *dst);
        memcpy(dst + i * width + w, c->c + i * c->cols, c->cols * sizeof *dst);
    }
}

/* The first w of every width-wide row of x, packed in place (rows x w):
 * G's part of the gradient at D's input [G(z) | c]. Rows move towards the
 * start, so a forward pass with memmove never overwrites a row unread. */
static void keep_leading_columns(float *x, size_t rows, size_t width, size_t w)
{
    for (size_t i = 1; i < rows; i++)
        memmove(x + i * w, x + i * width, w * sizeof *x);
}

int gan__step_d(gan_step_stats *st, gan__step_ws *ws, gan_net *d, gan_optimizer *d_opt,
                gan_rng *rng, const float *real, const float *fake, size_t rows, size_t cols,
                unsigned d_flags, float real_label, float r1_gamma, const char *fn)
{
    int rc = gan__net_train_forward_pair(d, ws->pool, rng, real, rows, fake, rows, cols, fn);
    if (rc)
        return rc;
    const float *a = gan__net_train_output(d, 1);
    if ((rc = check_logits_finite(a, 2 * rows, fn)) != GAN_OK)
        return rc;
    double loss;
    float *dy = ws->dy;
    if ((rc = gan_loss_d_smoothed(&loss, dy, dy + rows, a, rows, a + rows, rows, d_flags,
                                   real_label)) != GAN_OK)
        return rc;
    st->d_loss = loss;
    st->g_loss = NAN;
    st->d_real = mean_sigmoid(a, rows);
    st->d_fake = mean_sigmoid(a + rows, rows);
    float *dy_r1 = ws->dy + 3 * rows;
    if (r1_gamma > 0.0f)
        st->d_loss += r1_prepare(ws, d, real, rows, cols, r1_gamma, ws->dy + 2 * rows, dy_r1);
    return d_backward_and_step(d, d_opt, ws, dy, rows, r1_gamma, dy_r1, fn);
}

int gan__step_g(gan_step_stats *st, gan__step_ws *ws, gan_net *g, gan_optimizer *g_opt,
                gan_net *d, gan_rng *rng, const float *z, size_t rows, size_t z_cols, int g_loss,
                const gan__step_cond *cond, const char *fn)
{
    const size_t width = gan_net_output_width(g), c_cols = cond ? cond->cols : 0;
    int rc = gan__net_train_forward_pair(g, ws->pool, rng, z, rows, NULL, 0, z_cols, fn);
    if (rc)
        return rc;
    const float *fake = gan__net_train_output(g, 0);
    if (c_cols > 0) {
        gan__concat_rows(ws->cat, fake, rows, width, cond);
        fake = ws->cat;
    }
    if ((rc = gan__net_train_forward_pair(d, ws->pool, rng, fake, rows, NULL, 0, width + c_cols,
                                          fn)))
        return rc;
    const float *a = gan__net_train_output(d, 1);
    if ((rc = check_logits_finite(a, rows, fn)) != GAN_OK)
        return rc;
    double loss;
    if ((rc = gan_loss_g(&loss, ws->dy, a, rows, g_loss)) != GAN_OK)
        return rc;
    st->d_loss = NAN;
    st->g_loss = loss;
    st->d_real = NAN;
    st->d_fake = mean_sigmoid(a, rows);
    gan__net_backward_input(ws->dx, d, ws->pool, ws->dy, 0, rows, GAN_BACKWARD_LOGITS);
    if (c_cols > 0)
        keep_leading_columns(ws->dx, rows, width + c_cols, width);
    return backward_and_step(g, g_opt, ws->pool, ws->dx, rows, 0);
}

int gan__step_both(gan_step_stats *st, gan__step_ws *ws, gan_net *g, gan_optimizer *g_opt,
                   gan_net *d, gan_optimizer *d_opt, gan_rng *rng, const float *real,
                   const float *z, size_t rows, size_t z_cols, unsigned d_flags,
                   float real_label, float r1_gamma, int g_loss, const gan__step_cond *cond,
                   const char *fn)
{
    const size_t n = rows, width = gan_net_output_width(g), c_cols = cond ? cond->cols : 0;
    int rc = gan__net_train_forward_pair(g, ws->pool, rng, z, n, NULL, 0, z_cols, fn);
    if (rc)
        return rc;
    const float *fake = gan__net_train_output(g, 0);
    if (c_cols > 0) {
        gan__concat_rows(ws->cat, fake, n, width, cond);
        fake = ws->cat;
    }
    if ((rc = gan__net_train_forward_pair(d, ws->pool, rng, real, n, fake, n, width + c_cols, fn)))
        return rc;
    const float *a = gan__net_train_output(d, 1);
    if ((rc = check_logits_finite(a, 2 * n, fn)) != GAN_OK)
        return rc;
    float *dy_d = ws->dy, *dy_g = ws->dy + 2 * n;
    double d_loss, g_loss_value;
    rc = gan_loss_d_smoothed(&d_loss, dy_d, dy_d + n, a, n, a + n, n, d_flags, real_label);
    if (rc == GAN_OK)
        rc = gan_loss_g(&g_loss_value, dy_g, a + n, n, g_loss);
    if (rc)
        return rc;
    st->d_real = mean_sigmoid(a, n);
    st->d_fake = mean_sigmoid(a + n, n);
    st->d_loss = d_loss;
    st->g_loss = g_loss_value;
    /* G's gradient at its output, through D's fake rows, before D's step
     * changes D's parameters; then both steps (G's backward reads neither
     * D's parameters nor its gradients, so the order of the two steps does
     * not matter). Both are taken even when D's diverges, as the original
     * code does; the caller rolls back. */
    gan__net_backward_input(ws->dx, d, ws->pool, dy_g, n, n, GAN_BACKWARD_LOGITS);
    if (c_cols > 0)
        keep_leading_columns(ws->dx, n, width + c_cols, width);
    /* The penalty's inputs need D's forward too; its gradient at the
     * logits goes after G's (dy holds 5n). */
    float *dy_r1 = ws->dy + 3 * n;
    if (r1_gamma > 0.0f)
        st->d_loss += r1_prepare(ws, d, real, n, width + c_cols, r1_gamma, dy_r1, dy_r1);
    const int rd = d_backward_and_step(d, d_opt, ws, dy_d, n, r1_gamma, dy_r1, fn);
    const int rg = backward_and_step(g, g_opt, ws->pool, ws->dx, n, 0);
    return rd ? rd : rg;
}

/* ---- The public steps: every argument checked, then the same code the
 * session runs, on the calling thread with a scratch of their own. ---- */

/* GAN_EINVAL naming the argument and the row when x holds NaN or Inf: a NaN
 * would be mapped to 0 by a ReLU, pass the logit check and poison the
 * first layer's weights. */
static int check_rows_finite(const float *x, size_t rows, size_t cols, const char *fn,
                             const char *name)
{
    size_t n;
    if (gan__mul_size(&n, rows, cols))
        return gan__error(GAN_EINVAL, "%s: %zu rows of %zu columns overflow", fn, rows, cols);
    const size_t i = gan__first_nonfinite(x, n);
    if (i < n)
        return gan__error(GAN_EINVAL, "%s: %s row %zu holds %g at column %zu", fn, name, i / cols,
                          (double)x[i], i % cols);
    return GAN_OK;
}

static int check_bound(const gan_optimizer *opt, const gan_net *net, const char *fn,
                       const char *opt_name, const char *net_name)
{
    if (gan__optimizer_net(opt) != net)
        return gan__error(GAN_EINVAL, "%s: %s is not bound to %s", fn, opt_name, net_name);
    return GAN_OK;
}

int gan_update_d(gan_step_stats *stats, gan_net *d, gan_optimizer *d_opt, gan_rng *rng,
                 const float *real, const float *fake, size_t rows, size_t cols, unsigned flags)
{
    const char *fn = "gan_update_d";
    GAN_CHECK_NULL(fn, d);
    GAN_CHECK_NULL(fn, d_opt);
    GAN_CHECK_NULL(fn, real);
    GAN_CHECK_NULL(fn, fake);
    GAN_CHECK_NONZERO(fn, rows);
    if (flags & ~GAN_LOSS_D_HALF)
        return gan__error(GAN_EINVAL, "%s: unknown bits in flags 0x%x", fn, flags);
    int rc = check_bound(d_opt, d, fn, "d_opt", "d");
    if (rc == GAN_OK)
        rc = gan__check_discriminator(d, fn);
    if (rc)
        return rc;
    if (cols != gan_net_input_width(d))
        return gan__error(GAN_ESHAPE, "%s: cols is %zu, d's input width is %zu", fn, cols,
                          gan_net_input_width(d));
    /* D sees 2 x rows rows in one batch, and CBLAS takes int sizes. */
    if (rows > INT32_MAX / 2)
        return gan__error(GAN_EINVAL, "%s: rows is %zu, at most %d", fn, rows, INT32_MAX / 2);
    if ((rc = gan__optimizer_check_net(d_opt, fn)) != GAN_OK ||
        (rc = check_rows_finite(real, rows, cols, fn, "real")) != GAN_OK ||
        (rc = check_rows_finite(fake, rows, cols, fn, "fake")) != GAN_OK)
        return rc;
    gan__step_ws ws;
    gan__step_ws_init(&ws, NULL);
    gan_step_stats st;
    rc = gan__step_ws_reserve(&ws, rows, 1, fn);
    if (rc == GAN_OK)
        rc = gan__net_reserve(d, 2 * rows, fn);
    if (rc == GAN_OK)
        rc = gan__step_d(&st, &ws, d, d_opt, rng, real, fake, rows, cols, flags, 1.0f, 0.0f, fn);
    gan__step_ws_free(&ws);
    if (rc == GAN_OK && stats)
        *stats = st;
    return rc;
}

int gan_update_g(gan_step_stats *stats, gan_net *g, gan_optimizer *g_opt, gan_net *d,
                 gan_rng *rng, const float *z, size_t rows, size_t z_cols, int g_loss)
{
    const char *fn = "gan_update_g";
    GAN_CHECK_NULL(fn, g);
    GAN_CHECK_NULL(fn, g_opt);
    GAN_CHECK_NULL(fn, d);
    GAN_CHECK_NULL(fn, z);
    GAN_CHECK_NONZERO(fn, rows);
    if (g_loss != GAN_G_LOSS_NON_SATURATING && g_loss != GAN_G_LOSS_MINIMAX)
        return gan__error(GAN_EUNSUPPORTED, "%s: g_loss %d is not a gan_g_loss", fn, g_loss);
    if (g == d)
        return gan__error(GAN_EINVAL, "%s: g and d are the same net", fn);
    int rc = check_bound(g_opt, g, fn, "g_opt", "g");
    if (rc == GAN_OK)
        rc = gan__check_discriminator(d, fn);
    if (rc)
        return rc;
    if (gan_net_num_layers(g) == 0)
        return gan__error(GAN_ESTATE, "%s: g has no layers", fn);
    if (z_cols != gan_net_input_width(g))
        return gan__error(GAN_ESHAPE, "%s: z_cols is %zu, g's input width is %zu", fn, z_cols,
                          gan_net_input_width(g));
    const size_t width = gan_net_output_width(g);
    if (width != gan_net_input_width(d))
        return gan__error(GAN_ESHAPE, "%s: g's output width %zu differs from d's input width %zu",
                          fn, width, gan_net_input_width(d));
    if (rows > INT32_MAX)
        return gan__error(GAN_EINVAL, "%s: rows is %zu, at most %d", fn, rows, INT32_MAX);
    if ((rc = gan__optimizer_check_net(g_opt, fn)) != GAN_OK ||
        (rc = check_rows_finite(z, rows, z_cols, fn, "z")) != GAN_OK)
        return rc;
    gan__step_ws ws;
    gan__step_ws_init(&ws, NULL);
    gan_step_stats st;
    rc = gan__step_ws_reserve(&ws, rows, width, fn);
    if (rc == GAN_OK)
        rc = gan__net_reserve(g, rows, fn);
    if (rc == GAN_OK)
        rc = gan__net_reserve(d, rows, fn);
    if (rc == GAN_OK)
        rc = gan__step_g(&st, &ws, g, g_opt, d, rng, z, rows, z_cols, g_loss, NULL, fn);
    gan__step_ws_free(&ws);
    if (rc == GAN_OK && stats)
        *stats = st;
    return rc;
}
