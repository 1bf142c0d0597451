/* Session checkpoints: the whole training state in one checksummed
 * container, written atomically. The same payload serves the in-memory
 * rollback snapshot of session.c.
 *
 * Payload (little-endian):
 *   options: u32 batch_size, k, g_loss, noise_kind | f32 noise_scale |
 *            u32 noise_width | u64 seed | u32 update_order, d_loss_half
 *   u64 iteration | u64 epochs_done | u64 rng[4]
 *   u64 n | dataset iteration state (n bytes)
 *   G net | D net                       (gan__net_write)
 *   u64 n | G optimizer state (n bytes) | u64 n | D optimizer state      */
#include "dataset.h"
#include "net.h"
#include "optim.h"
#include "session.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CKPT_MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\1'};
#define CKPT_FORMAT_VERSION 1u

static void put_options(gan__writer *w, const gan_session_options *o)
{
    gan__put_u32(w, o->batch_size);
    gan__put_u32(w, o->k);
    gan__put_u32(w, o->g_loss);
    gan__put_u32(w, o->noise_kind);
    gan__put_f32(w, o->noise_scale);
    gan__put_u32(w, o->noise_width);
    gan__put_u64(w, o->seed);
    gan__put_u32(w, o->update_order);
    gan__put_u32(w, o->d_loss_half);
}

/* Overwrite 8 bytes at data with v, little-endian. */
static void patch_u64(uint8_t *data, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        data[i] = (uint8_t)(v >> (8 * i));
}

/* A length-prefixed blob: the optimizer's state, filled in place. */
static void put_optimizer(gan__writer *w, const gan_optimizer *opt)
{
    const size_t n = gan_optimizer_state_size(opt);
    gan__put_u64(w, n);
    uint8_t *at = gan__put_reserve(w, n);
    if (at != NULL && gan_optimizer_get_state(at, n, opt) != GAN_OK)
        w->failed = 1;
}

void gan__session_serialize(gan__writer *w, const gan_session *s)
{
    put_options(w, &s->o);
    gan__put_u64(w, s->iteration);
    gan__put_u64(w, s->epochs_done);
    for (int i = 0; i < 4; i++)
        gan__put_u64(w, s->rng.s[i]);
    const size_t len_at = w->len;
    gan__put_u64(w, 0);
    const size_t begin = w->len;
    gan__dataset_iter_write(w, s->data);
    if (!w->failed)
        patch_u64(w->data + len_at, (uint64_t)(w->len - begin));
    gan__net_write(w, s->g);
    gan__net_write(w, s->d);
    put_optimizer(w, s->g_opt);
    put_optimizer(w, s->d_opt);
}

static int same_options(const gan_session_options *a, const gan_session_options *b)
{
    return a->batch_size == b->batch_size && a->k == b->k && a->g_loss == b->g_loss &&
           a->noise_kind == b->noise_kind && a->noise_scale == b->noise_scale &&
           a->noise_width == b->noise_width && a->seed == b->seed &&
           a->update_order == b->update_order && a->d_loss_half == b->d_loss_half;
}

/* A length-prefixed blob of r, bounded by the bytes left. */
static int get_blob(const uint8_t **p, size_t *n, gan__reader *r)
{
    const uint64_t len = gan__get_u64(r);
    if (r->failed || len > gan__reader_left(r))
        return -1;
    *p = r->data + r->pos;
    *n = (size_t)len;
    r->pos += (size_t)len;
    return 0;
}

/* Re-raise the last error with the checkpoint and the part named first. */
static int in_context(int rc, const char *what, const char *part)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", gan_error_last());
    return gan__error(rc, "%s: %s: %s", what, part, msg);
}

/* Apply a payload in two phases: parse and check all of it (both nets, both
 * optimizer states, the dataset state) into temporaries, then commit with
 * steps that cannot fail. On error the session is unchanged. */
int gan__session_restore(gan_session *s, const void *payload, size_t len, const char *what)
{
    gan__reader r;
    gan__reader_init(&r, payload, len);
    gan_session_options o = s->o;
    o.batch_size = gan__get_u32(&r);
    o.k = gan__get_u32(&r);
    o.g_loss = gan__get_u32(&r);
    o.noise_kind = gan__get_u32(&r);
    o.noise_scale = gan__get_f32(&r);
    o.noise_width = gan__get_u32(&r);
    o.seed = gan__get_u64(&r);
    o.update_order = gan__get_u32(&r);
    o.d_loss_half = gan__get_u32(&r);
    const uint64_t iteration = gan__get_u64(&r);
    const uint64_t epochs_done = gan__get_u64(&r);
    uint64_t rs[4];
    for (int i = 0; i < 4; i++)
        rs[i] = gan__get_u64(&r);
    if (r.failed)
        return gan__error(GAN_EFORMAT, "%s: truncated checkpoint header", what);
    if (!same_options(&o, &s->o))
        return gan__error(GAN_ESHAPE, "%s: checkpoint was written with different session options",
                          what);
    if ((rs[0] | rs[1] | rs[2] | rs[3]) == 0)
        return gan__error(GAN_EFORMAT, "%s: invalid random generator state", what);

    const uint8_t *ds_state = NULL, *g_state = NULL, *d_state = NULL;
    size_t ds_len = 0, g_len = 0, d_len = 0;
    if (get_blob(&ds_state, &ds_len, &r))
        return gan__error(GAN_EFORMAT, "%s: truncated dataset state", what);
    gan_net *g = NULL, *d = NULL;
    gan__dataset_iter it = {0};
    int rc = gan__net_read(&g, &r, what);
    if (rc == GAN_OK)
        rc = gan__net_read(&d, &r, what);
    if (rc == GAN_OK && (!gan__net_same_arch(g, s->g) || !gan__net_same_arch(d, s->d)))
        rc = gan__error(GAN_ESHAPE, "%s: checkpoint nets differ from the session's nets", what);
    if (rc == GAN_OK && (get_blob(&g_state, &g_len, &r) || get_blob(&d_state, &d_len, &r) ||
                         gan__reader_left(&r) != 0))
        rc = gan__error(GAN_EFORMAT, "%s: malformed optimizer states", what);
    if (rc == GAN_OK && (rc = gan__optimizer_check_state(s->g_opt, g_state, g_len)) != GAN_OK)
        rc = in_context(rc, what, "G's optimizer");
    if (rc == GAN_OK && (rc = gan__optimizer_check_state(s->d_opt, d_state, d_len)) != GAN_OK)
        rc = in_context(rc, what, "D's optimizer");
    if (rc == GAN_OK) {
        gan__reader dr;
        gan__reader_init(&dr, ds_state, ds_len);
        rc = gan__dataset_iter_parse(&it, s->data, &dr, what);
        if (rc == GAN_OK && gan__reader_left(&dr) != 0)
            rc = gan__error(GAN_EFORMAT, "%s: trailing bytes in the dataset state", what);
    }
    if (rc == GAN_OK) {
        /* Commit: everything was checked above, so none of this fails. */
        gan_net_set_params(s->g, g->params, g->n_params);
        gan_net_set_params(s->d, d->params, d->n_params);
        gan_optimizer_set_state(s->g_opt, g_state, g_len);
        gan_optimizer_set_state(s->d_opt, d_state, d_len);
        gan__dataset_iter_commit(s->data, &it);
        gan_rng_set_state(&s->rng, rs);
        s->iteration = iteration;
        s->epochs_done = epochs_done;
        /* The training forwards cached in the nets predate the restored state. */
        s->g->last_rows = 0;
        s->d->last_rows = 0;
    }
    gan__dataset_iter_discard(&it);
    gan_net_free(g);
    gan_net_free(d);
    return rc;
}

int gan_session_save(const gan_session *s, const char *path)
{
    GAN_CHECK_NULL("gan_session_save", s);
    GAN_CHECK_NULL("gan_session_save", path);
    gan__writer payload;
    gan__writer_init(&payload);
    gan__session_serialize(&payload, s);
    int rc = gan__container_save(path, CKPT_MAGIC, CKPT_FORMAT_VERSION, &payload,
                                 "gan_session_save");
    gan__writer_free(&payload);
    return rc;
}

int gan_session_load(gan_session *s, const char *path)
{
    GAN_CHECK_NULL("gan_session_load", s);
    GAN_CHECK_NULL("gan_session_load", path);
    void *data;
    gan__reader r;
    int rc = gan__container_load(&data, &r, path, CKPT_MAGIC, CKPT_FORMAT_VERSION,
                                 (size_t)1 << 36, "checkpoint");
    if (rc)
        return rc;
    rc = gan__session_restore(s, r.data + r.pos, gan__reader_left(&r), path);
    if (rc == GAN_OK)
        s->have_snap = 0;
    free(data);
    return rc;
}
