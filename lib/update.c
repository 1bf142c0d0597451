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
    ws->dy = ws->dx = ws->cat = NULL;
    ws->rows_cap = ws->width = 0;
}

void gan__step_ws_free(gan__step_ws *ws)
{
    free(ws->dy);
    free(ws->dx);
    free(ws->cat);
    gan__step_ws_init(ws, ws->pool);
}

int gan__step_ws_reserve(gan__step_ws *ws, size_t rows, size_t width, const char *fn)
{
    if (rows <= ws->rows_cap && width == ws->width)
        return GAN_OK;
    size_t n_dx;
    if (rows > SIZE_MAX / (3 * sizeof(float)) || gan__mul_size(&n_dx, rows, width) ||
        n_dx > SIZE_MAX / sizeof(float))
        return gan__error(GAN_EINVAL, "%s: %zu rows of width %zu are too many", fn, rows, width);
    float *dy = malloc(3 * rows * sizeof *dy);
    float *dx = malloc(n_dx * sizeof *dx);
    float *cat = malloc(n_dx * sizeof *cat);
    if (dy == NULL || dx == NULL || cat == NULL) {
        free(dy);
        free(dx);
        free(cat);
        return gan__error(GAN_ENOMEM, "%s: out of memory for the gradients of %zu rows", fn, rows);
    }
    free(ws->dy);
    free(ws->dx);
    free(ws->cat);
    ws->dy = dy;
    ws->dx = dx;
    ws->cat = cat;
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
                unsigned d_flags, float real_label, const char *fn)
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
    return backward_and_step(d, d_opt, ws->pool, dy, 2 * rows, GAN_BACKWARD_LOGITS);
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
                   float real_label, int g_loss, const gan__step_cond *cond, const char *fn)
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
    const int rd = backward_and_step(d, d_opt, ws->pool, dy_d, 2 * n, GAN_BACKWARD_LOGITS);
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
        rc = gan__step_d(&st, &ws, d, d_opt, rng, real, fake, rows, cols, flags, 1.0f, fn);
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
