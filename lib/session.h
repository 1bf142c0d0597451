/* gan_session internals (private), shared by session.c (the training
 * loop) and session_io.c (checkpoints and in-memory snapshots). */
#ifndef GAN_SESSION_H
#define GAN_SESSION_H

#include "gan.h"
#include "pool.h"
#include "rng.h"
#include "serial.h"

struct gan_session {
    gan_session_options o;
    gan_net *g, *d;
    gan_optimizer *g_opt, *d_opt;
    gan_dataset *data;
    gan_rng rng;          /* noise, minibatch order and dropout masks */
    float *real;          /* batch_size x data width */
    float *z;             /* batch_size x noise_width */
    float *dy_g;          /* batch_size: G's loss gradient (simultaneous) */
    uint64_t iteration;   /* iterations completed */
    uint64_t epochs_done; /* dataset epochs completed */
    gan__pool *pool;      /* lent to the nets and optimizers while we live */

    /* Divergence recovery: the serialised state at iteration snap_iteration
     * (reused buffer); a diverged step restores it and replays forward. */
    gan__writer snap;
    uint64_t snap_iteration;
    int have_snap;
};

/* The whole training state as a checkpoint payload appended to w. */
void gan__session_serialize(gan__writer *w, const gan_session *s);
/* Replace the session's state with a payload written by
 * gan__session_serialize. Everything is validated; on any error the session
 * is left as it was. what names the source in messages. */
int gan__session_restore(gan_session *s, const void *payload, size_t len, const char *what);

/* One iteration without snapshot handling (used for replay too). */
int gan__session_iterate(gan_stats *stats, gan_session *s);

#endif
