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
 *   u64 n | G optimizer state (n bytes) | u64 n | D optimizer state
 * Format 2 adds f32 g_average_decay, f32 real_label after the options and,
 * when g_average_decay is not 0, the average of G (gan__net_write) at the
 * end; format 3 adds u32 cond_width after real_label; format 4 adds f32
 * d_r1_gamma after cond_width. */
#include "dataset.h"
#include "fs.h"
#include "net.h"
#include "optim.h"
#include "session.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CKPT_MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\1'};

static void put_options(gan__writer *w, const gan_session_options *o)
{
#define PUT_OPTION(kind, field) gan__put_##kind(w, o->field);
    GAN__SESSION_SAVED_OPTIONS(PUT_OPTION)
    GAN__SESSION_SAVED_OPTIONS_2(PUT_OPTION)
    GAN__SESSION_SAVED_OPTIONS_3(PUT_OPTION)
    GAN__SESSION_SAVED_OPTIONS_4(PUT_OPTION)
#undef PUT_OPTION
}

/* Read the options of a checkpoint of the given format into o (fields not
 * saved keep their values; format 1 has the defaults of the later ones). */
static void get_options(gan_session_options *o, gan__reader *r, uint32_t format)
{
    const gan_session_options init = GAN_SESSION_OPTIONS_INIT;
#define GET_OPTION(kind, field) o->field = gan__get_##kind(r);
#define DEFAULT_OPTION(kind, field) o->field = init.field;
    GAN__SESSION_SAVED_OPTIONS(GET_OPTION)
    if (format >= 2) {
        GAN__SESSION_SAVED_OPTIONS_2(GET_OPTION)
    } else {
        GAN__SESSION_SAVED_OPTIONS_2(DEFAULT_OPTION)
    }
    if (format >= 3) {
        GAN__SESSION_SAVED_OPTIONS_3(GET_OPTION)
    } else {
        GAN__SESSION_SAVED_OPTIONS_3(DEFAULT_OPTION)
    }
    if (format >= 4) {
        GAN__SESSION_SAVED_OPTIONS_4(GET_OPTION)
    } else {
        GAN__SESSION_SAVED_OPTIONS_4(DEFAULT_OPTION)
    }
#undef DEFAULT_OPTION
#undef GET_OPTION
}

/* An option's value as text, for messages, by the kind of the field. */
#define OPTION_TEXT_u32(buf, v) snprintf(buf, sizeof buf, "%lu", (unsigned long)(v))
#define OPTION_TEXT_u64(buf, v) snprintf(buf, sizeof buf, "%llu", (unsigned long long)(v))
#define OPTION_TEXT_f32(buf, v) snprintf(buf, sizeof buf, "%g", (double)(v))

/* GAN_OK when a checkpoint's options (file) equal the session's (here);
 * otherwise GAN_ESHAPE naming the first option that differs. */
static int check_same_options(const gan_session_options *file, const gan_session_options *here,
                              const char *what)
{
    char a[32], b[32];
#define COMPARE_OPTION(kind, field)                                                           \
    if (file->field != here->field) {                                                         \
        OPTION_TEXT_##kind(a, file->field);                                                   \
        OPTION_TEXT_##kind(b, here->field);                                                   \
        return gan__error(GAN_ESHAPE,                                                         \
                          "%s: the checkpoint was written with session option " #field        \
                          " = %s, this session has %s",                                       \
                          what, a, b);                                                        \
    }
    GAN__SESSION_SAVED_OPTIONS(COMPARE_OPTION)
    GAN__SESSION_SAVED_OPTIONS_2(COMPARE_OPTION)
    GAN__SESSION_SAVED_OPTIONS_3(COMPARE_OPTION)
    GAN__SESSION_SAVED_OPTIONS_4(COMPARE_OPTION)
#undef COMPARE_OPTION
    return GAN_OK;
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
    if (s->g_avg != NULL)
        gan__net_write(w, s->g_avg);
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
    char msg[GAN__ERROR_MAX];
    snprintf(msg, sizeof msg, "%s", gan_error_last());
    return gan__error(rc, "%s: %s: %s", what, part, msg);
}

/* Apply a payload in two phases: parse and check all of it (both nets, both
 * optimizer states, the dataset state) without changing the session, then
 * commit with steps that cannot fail. Nothing is allocated, so a failure
 * leaves the session as it was and the rollback snapshot always applies. */
int gan__session_restore(gan_session *s, const void *payload, size_t len, uint32_t format,
                          const char *what)
{
    gan__reader r;
    gan__reader_init(&r, payload, len);
    gan_session_options o = s->o;
    get_options(&o, &r, format);
    const uint64_t iteration = gan__get_u64(&r);
    const uint64_t epochs_done = gan__get_u64(&r);
    uint64_t rs[4];
    for (int i = 0; i < 4; i++)
        rs[i] = gan__get_u64(&r);
    if (r.failed)
        return gan__error(GAN_EFORMAT, "%s: truncated checkpoint header", what);
    int rc = check_same_options(&o, &s->o, what);
    if (rc)
        return rc;
    if ((rs[0] | rs[1] | rs[2] | rs[3]) == 0)
        return gan__error(GAN_EFORMAT, "%s: invalid random generator state", what);

    const uint8_t *ds_state = NULL, *g_state = NULL, *d_state = NULL;
    size_t ds_len = 0, g_len = 0, d_len = 0;
    if (get_blob(&ds_state, &ds_len, &r))
        return gan__error(GAN_EFORMAT, "%s: truncated dataset state", what);
    const gan__reader g_record = r;
    if ((rc = gan__net_check_record(&r, s->g, what, "G")) != GAN_OK)
        return rc;
    const gan__reader d_record = r;
    if ((rc = gan__net_check_record(&r, s->d, what, "D")) != GAN_OK)
        return rc;
    if (get_blob(&g_state, &g_len, &r) || get_blob(&d_state, &d_len, &r))
        return gan__error(GAN_EFORMAT, "%s: malformed optimizer states", what);
    /* The options matched, so the file holds an average exactly when the
     * session keeps one. */
    const gan__reader avg_record = r;
    if (s->g_avg != NULL &&
        (rc = gan__net_check_record(&r, s->g_avg, what, "the average of G")) != GAN_OK)
        return rc;
    if (gan__reader_left(&r) != 0)
        return gan__error(GAN_EFORMAT, "%s: %zu trailing bytes after the training state", what,
                          gan__reader_left(&r));
    if ((rc = gan__optimizer_check_state(s->g_opt, g_state, g_len)) != GAN_OK)
        return in_context(rc, what, "G's optimizer");
    if ((rc = gan__optimizer_check_state(s->d_opt, d_state, d_len)) != GAN_OK)
        return in_context(rc, what, "D's optimizer");
    gan__reader dr;
    gan__reader_init(&dr, ds_state, ds_len);
    gan__dataset_iter it;
    if ((rc = gan__dataset_iter_parse(&it, s->data, &dr, what)) != GAN_OK)
        return rc;
    if (gan__reader_left(&dr) != 0)
        return gan__error(GAN_EFORMAT, "%s: trailing bytes in the dataset state", what);

    /* Commit: everything was checked above, so none of this fails. */
    gan__reader gr = g_record, drr = d_record;
    gan__net_apply_record(s->g, &gr);
    gan__net_apply_record(s->d, &drr);
    if (s->g_avg != NULL) {
        gan__reader ar = avg_record;
        gan__net_apply_record(s->g_avg, &ar);
    }
    gan_optimizer_set_state(s->g_opt, g_state, g_len);
    gan_optimizer_set_state(s->d_opt, d_state, d_len);
    gan__dataset_iter_commit(s->data, &it);
    gan_rng_set_state(&s->rng, rs);
    s->iteration = iteration;
    s->epochs_done = epochs_done;
    /* The training forwards cached in the nets predate the restored state. */
    gan__net_forget_forward(s->g);
    gan__net_forget_forward(s->d);
    return GAN_OK;
}

int gan_session_save(const gan_session *s, const char *path)
{
    GAN_CHECK_NULL("gan_session_save", s);
    GAN_CHECK_NULL("gan_session_save", path);
    gan__writer payload;
    gan__writer_init(&payload);
    gan__session_serialize(&payload, s);
    int rc = gan__container_save(path, CKPT_MAGIC, GAN__CKPT_FORMAT_VERSION, &payload,
                                 "gan_session_save");
    gan__writer_free(&payload);
    return rc;
}

int gan_session_load(gan_session *s, const char *path)
{
    GAN_CHECK_NULL("gan_session_load", s);
    int rc = gan__check_path("gan_session_load", "path", path);
    if (rc)
        return rc;
    void *data;
    gan__reader r;
    uint32_t format;
    rc = gan__container_load_versions(&data, &r, &format, path, CKPT_MAGIC, 1, GAN__CKPT_FORMAT_VERSION,
                                      (size_t)1 << 36, "checkpoint");
    if (rc)
        return rc;
    rc = gan__session_restore(s, r.data + r.pos, gan__reader_left(&r), format, path);
    if (rc == GAN_OK)
        s->have_snap = 0;
    free(data);
    return rc;
}
