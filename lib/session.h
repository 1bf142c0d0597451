/* gan_session internals (private), shared by session.c (the training
 * loop) and session_io.c (checkpoints and in-memory snapshots). */
#ifndef GAN_SESSION_H
#define GAN_SESSION_H

#include "gan.h"
#include "pool.h"
#include "rng.h"
#include "serial.h"
#include "update.h"

#include <stdatomic.h>

/* gan_session_interrupt sets a flag a signal handler may set: it must be
 * lock-free to be async-signal-safe. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "gan_session_interrupt needs a lock-free atomic int");

/* The session options a checkpoint records, in file order, as
 * X(kind, field) with kind u32, f32 or u64: the one list that the save,
 * the load and the comparison on load go through. (threads is not here:
 * results do not depend on it.) */
#define GAN__SESSION_SAVED_OPTIONS(X) \
    X(u32, batch_size)                \
    X(u32, k)                         \
    X(u32, g_loss)                    \
    X(u32, noise_kind)                \
    X(f32, noise_scale)               \
    X(u32, noise_width)               \
    X(u64, seed)                      \
    X(u32, update_order)              \
    X(u32, d_loss_half)
/* Added in checkpoint format 2 (options version 2); a format-1 checkpoint
 * has the defaults. */
#define GAN__SESSION_SAVED_OPTIONS_2(X) \
    X(f32, g_average_decay)             \
    X(f32, real_label)
/* Added in checkpoint format 3; earlier checkpoints have the default. */
#define GAN__SESSION_SAVED_OPTIONS_3(X) \
    X(u32, cond_width)
/* Added in checkpoint format 4; earlier checkpoints have the default. */
#define GAN__SESSION_SAVED_OPTIONS_4(X) \
    X(f32, d_r1_gamma)

struct gan_session {
    gan_session_options o;
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_dataset *data;
    gan_rng rng;          /* noise, minibatch order and dropout masks */
    float *real;          /* batch_size x data width */
    float *z;             /* batch_size x (noise_width + cond_width): [z | c] */
    float *fake;          /* conditional: batch_size x D's input width, [G(z) | c] */
    float *cond;          /* conditional: batch_size x cond_width, the fake rows' c */
    gan__step_ws ws;      /* the training step's scratch; passes the pool */
    uint64_t iteration;   /* iterations completed */
    uint64_t epochs_done; /* dataset epochs completed */
    gan__pool *pool;      /* runs the element-wise loops of every step */
    atomic_int interrupt; /* gan_session_interrupt's pending stop request */
    gan_net *g_avg;       /* moving average of G's parameters, or NULL (off) */

    /* Divergence recovery: the serialised state at iteration snap_iteration
     * (reused buffer); a diverged step restores it and replays forward. */
    gan__writer snap;
    uint64_t snap_iteration;
    int have_snap;
};

/* The checkpoint format gan__session_serialize writes (1 had no
 * g_average_decay, real_label and average of G; 2 no cond_width). */
#define GAN__CKPT_FORMAT_VERSION 4u

/* opts (version 1 or current) as a current-version struct in o, the
 * defaults filling fields an older version lacks; GAN_EUNSUPPORTED naming
 * fn for an unknown version. */
int gan__session_options_read(gan_session_options *o, const gan_session_options *opts,
                              const char *fn);

/* The whole training state as a checkpoint payload appended to w. */
void gan__session_serialize(gan__writer *w, const gan_session *s);
/* Replace the session's state with a payload written by
 * gan__session_serialize (format: the checkpoint format version it was
 * written in). Everything is validated before anything changes,
 * and nothing is allocated, so on any error the session is left as it was
 * and a valid payload (the rollback snapshot) always applies. what names
 * the source in messages. */
int gan__session_restore(gan_session *s, const void *payload, size_t len, uint32_t format,
                          const char *what);

#endif
