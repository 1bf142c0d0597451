/* The training step (private): one discriminator step, one generator step
 * and the simultaneous update of both, built on one backward-and-step
 * helper. The public gan_update_d and gan_update_g and the session's loop
 * run through these same functions. */
#ifndef GAN_UPDATE_H
#define GAN_UPDATE_H

#include "gan.h"
#include "pool.h"

/* What a training step borrows from its caller: the thread pool for the
 * element-wise loops (NULL: the calling thread) and the gradient scratch,
 * sized for rows_cap rows of D's input width `width` (G's output width, plus
 * the condition's width for a conditional GAN). */
typedef struct gan__step_ws {
    gan__pool *pool;
    float *dy;       /* loss gradients at D's logits: 3 x rows_cap, then the
                        R1 penalty's: 2 x rows_cap */
    float *dx;       /* gradient at D's input, then G's output: rows_cap x width */
    float *cat;      /* a conditional G step's D input [G(z) | c]: rows_cap x width */
    float *pert;     /* the R1 penalty's inputs x + h g, x - h g: 2 x rows_cap x width */
    size_t rows_cap, width;
} gan__step_ws;

/* A conditional GAN's condition for the fake rows of a step: rows x cols
 * values c, appended to G's samples as D's input ([G(z) | c]); G's own
 * input already holds them. cols = 0 (c NULL): unconditional. */
typedef struct gan__step_cond {
    const float *c;
    size_t cols;
} gan__step_cond;

/* An empty workspace whose steps run on pool. */
void gan__step_ws_init(gan__step_ws *ws, gan__pool *pool);
/* Room for steps of up to rows rows with G's output width `width`
 * (nothing happens when there is room); GAN_ENOMEM naming fn. */
int gan__step_ws_reserve(gan__step_ws *ws, size_t rows, size_t width, const char *fn);
void gan__step_ws_free(gan__step_ws *ws);

/* D must end in a dense layer of width 1 with sigmoid (or identity)
 * activation, whose pre-activation is the logit. */
int gan__check_discriminator(const gan_net *d, const char *fn);

/* The steps assume arguments the public functions or the session have
 * checked (nets non-empty, optimizers bound, shapes matching, inputs
 * finite, ws reserved for rows). fn names the public function in errors. */

/* Rows x width of dst = [src (rows x w) | c (rows x cols)]. */
void gan__concat_rows(float *dst, const float *src, size_t rows, size_t w, const gan__step_cond *c);

/* D's step on rows real and rows fake rows (cols wide), one fused pass
 * (two batches to batch norm, see gan__net_train_forward_pair); real_label
 * is D's target on real rows (1, or below for smoothing); r1_gamma > 0 adds
 * the R1 penalty (r1_gamma / 2) mean |grad_x logit|^2 over the real rows
 * (Mescheder et al. 2018) to D's loss. */
int gan__step_d(gan_step_stats *st, gan__step_ws *ws, gan_net *d, gan_optimizer *d_opt,
                gan_rng *rng, const float *real, const float *fake, size_t rows, size_t cols,
                unsigned d_flags, float real_label, float r1_gamma, const char *fn);
/* G's step on rows noise rows z (z_cols wide), through D; with a
 * condition (cond->cols > 0) D sees [G(z) | c]. */
int gan__step_g(gan_step_stats *st, gan__step_ws *ws, gan_net *g, gan_optimizer *g_opt,
                gan_net *d, gan_rng *rng, const float *z, size_t rows, size_t z_cols, int g_loss,
                const gan__step_cond *cond, const char *fn);
/* The original code's update: G's samples of z and the real rows through D
 * in one pass (two batches to batch norm); D's gradient from all of it and G's gradient through the
 * same (dropped-out) fake rows; then both steps. For a conditional GAN the
 * real rows already end in their condition and cond holds the fake rows'. */
int gan__step_both(gan_step_stats *st, gan__step_ws *ws, gan_net *g, gan_optimizer *g_opt,
                   gan_net *d, gan_optimizer *d_opt, gan_rng *rng, const float *real,
                   const float *z, size_t rows, size_t z_cols, unsigned d_flags,
                   float real_label, float r1_gamma, int g_loss, const gan__step_cond *cond,
                   const char *fn);

#endif
