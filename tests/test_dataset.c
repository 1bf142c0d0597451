/* gan_dataset: creation, shared-storage subsets, shuffled batches, epochs,
 * column means, iteration state for checkpoints. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include "dataset.h"
#include "serial.h"

/* rows x cols where row i holds i, i + 0.25, i + 0.5, ... (so a returned
 * row identifies itself by its first value). */
static float *make_rows(size_t rows, size_t cols)
{
    float *x = xmalloc(rows * cols * sizeof *x);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            x[i * cols + j] = (float)i + 0.25f * (float)j;
    return x;
}

static gan_dataset *make_ds(size_t rows, size_t cols)
{
    float *x = make_rows(rows, cols);
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_create(&ds, x, rows, cols), GAN_OK);
    free(x);
    return ds;
}

/* A dataset with labels 7 * row. */
static gan_dataset *make_labelled(size_t rows, size_t cols)
{
    float *x = make_rows(rows, cols);
    int32_t *lab = xmalloc(rows * sizeof *lab);
    for (size_t i = 0; i < rows; i++)
        lab[i] = (int32_t)(7 * i);
    gan_dataset *ds = NULL;
    assert_int_equal(gan__dataset_create_owned(&ds, x, lab, rows, cols, "test"), GAN_OK);
    return ds;
}

static void test_create_copies(void **state)
{
    (void)state;
    float x[6] = {1, 2, 3, 4, 5, 6};
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_create(&ds, x, 2, 3), GAN_OK);
    x[0] = 100;
    const float *d = gan_dataset_data(ds);
    assert_true(d != x);
    assert_true(d[0] == 1.0f && d[5] == 6.0f);
    assert_int_equal(gan_dataset_rows(ds), 2);
    assert_int_equal(gan_dataset_cols(ds), 3);
    assert_null(gan_dataset_labels(ds));
    assert_int_equal(gan_dataset_epoch(ds), 0);
    gan_dataset_free(ds);

    /* Bad arguments. */
    ds = (gan_dataset *)(uintptr_t)1;
    assert_int_equal(gan_dataset_create(&ds, NULL, 2, 3), GAN_EINVAL);
    assert_null(ds);
    assert_non_null(strstr(gan_error_last(), "gan_dataset_create"));
    assert_int_equal(gan_dataset_create(NULL, x, 2, 3), GAN_EINVAL);
    assert_int_equal(gan_dataset_create(&ds, x, 0, 3), GAN_EINVAL);
    assert_int_equal(gan_dataset_create(&ds, x, 2, 0), GAN_EINVAL);
    assert_int_equal(gan_dataset_create(&ds, x, SIZE_MAX / 2, 3), GAN_EINVAL);
    x[4] = NAN;
    assert_int_equal(gan_dataset_create(&ds, x, 2, 3), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "[1][1]"));
    x[4] = INFINITY;
    assert_int_equal(gan_dataset_create(&ds, x, 2, 3), GAN_EINVAL);
    assert_null(ds);

    /* NULL handles. */
    gan_dataset_free(NULL);
    assert_int_equal(gan_dataset_rows(NULL), 0);
    assert_int_equal(gan_dataset_cols(NULL), 0);
    assert_null(gan_dataset_data(NULL));
    assert_null(gan_dataset_labels(NULL));
    assert_int_equal(gan_dataset_epoch(NULL), 0);
    assert_int_equal(gan_dataset_rewind(NULL), GAN_EINVAL);
}

static void test_subset(void **state)
{
    (void)state;
    gan_dataset *src = make_labelled(20, 3);
    gan_dataset *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(gan_dataset_subset(&a, src, 5, 10), GAN_OK);
    assert_int_equal(gan_dataset_rows(a), 10);
    assert_int_equal(gan_dataset_cols(a), 3);
    /* Shared storage, no copy. */
    assert_ptr_equal(gan_dataset_data(a), gan_dataset_data(src) + 5 * 3);
    assert_ptr_equal(gan_dataset_labels(a), gan_dataset_labels(src) + 5);
    /* A subset of a subset. */
    assert_int_equal(gan_dataset_subset(&b, a, 2, 3), GAN_OK);
    assert_ptr_equal(gan_dataset_data(b), gan_dataset_data(src) + 7 * 3);
    /* The whole range and the last row. */
    assert_int_equal(gan_dataset_subset(&c, src, 19, 1), GAN_OK);
    assert_true(gan_dataset_data(c)[0] == 19.0f);
    gan_dataset_free(c);
    c = NULL;
    assert_int_equal(gan_dataset_subset(&c, src, 0, 20), GAN_OK);
    gan_dataset_free(c);

    /* Subsets outlive their source (valgrind / ASan check the reads). */
    gan_dataset_free(src);
    const float *d = gan_dataset_data(a);
    for (size_t i = 0; i < 10; i++)
        assert_true(d[i * 3] == (float)(5 + i));
    assert_int_equal(gan_dataset_labels(a)[9], 7 * 14);
    gan_dataset_free(a);
    d = gan_dataset_data(b);
    assert_true(d[0] == 7.0f && d[8] == 9.5f);
    gan_dataset_free(b);

    /* Bad ranges. */
    src = make_ds(10, 2);
    c = (gan_dataset *)(uintptr_t)1;
    assert_int_equal(gan_dataset_subset(&c, src, 0, 0), GAN_EINVAL);
    assert_null(c);
    assert_int_equal(gan_dataset_subset(&c, src, 5, 6), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_dataset_subset"));
    assert_int_equal(gan_dataset_subset(&c, src, 11, 1), GAN_EINVAL);
    assert_int_equal(gan_dataset_subset(&c, src, SIZE_MAX, 2), GAN_EINVAL);
    assert_int_equal(gan_dataset_subset(&c, src, 2, SIZE_MAX), GAN_EINVAL);
    assert_int_equal(gan_dataset_subset(&c, NULL, 0, 1), GAN_EINVAL);
    assert_int_equal(gan_dataset_subset(NULL, src, 0, 1), GAN_EINVAL);
    assert_null(c);
    gan_dataset_free(src);
}

/* Run `epochs` epochs with batch size `batch`, checking that every row comes
 * exactly once per epoch, batches are full except the last, rows are copied
 * whole and the epoch counter steps after an epoch's last row. Records the
 * row order into order (epochs x rows) if not NULL. */
static void run_epochs(gan_dataset *ds, gan_rng *rng, size_t batch, int epochs, size_t *order)
{
    const size_t rows = gan_dataset_rows(ds), cols = gan_dataset_cols(ds);
    float *out = malloc(batch * cols * sizeof *out);
    int32_t *lab = malloc(batch * sizeof *lab);
    unsigned char *seen = malloc(rows);
    assert_non_null(out);
    assert_non_null(lab);
    assert_non_null(seen);
    const int32_t *labels = gan_dataset_labels(ds);
    uint64_t e0 = gan_dataset_epoch(ds);
    for (int e = 0; e < epochs; e++) {
        memset(seen, 0, rows);
        size_t got = 0;
        while (got < rows) {
            assert_int_equal(gan_dataset_epoch(ds), e0 + (uint64_t)e);
            size_t n = 0;
            assert_int_equal(gan_dataset_next_batch(out, lab, &n, ds, rng, batch), GAN_OK);
            size_t left = rows - got;
            assert_int_equal(n, batch < left ? batch : left);
            for (size_t i = 0; i < n; i++) {
                float v = out[i * cols];
                size_t r = (size_t)v;
                assert_true((float)r == v && r < rows);
                assert_false(seen[r]);
                seen[r] = 1;
                for (size_t j = 0; j < cols; j++)
                    assert_true(out[i * cols + j] == (float)r + 0.25f * (float)j);
                assert_int_equal(lab[i], labels != NULL ? labels[r] : -1);
                if (order != NULL)
                    order[(size_t)e * rows + got + i] = r;
            }
            got += n;
        }
        assert_int_equal(gan_dataset_epoch(ds), e0 + (uint64_t)e + 1);
    }
    free(out);
    free(lab);
    free(seen);
}

static void test_batches(void **state)
{
    (void)state;
    static const size_t batches[] = {1, 3, 4, 7, 10, 11, 100};
    for (int labelled = 0; labelled <= 1; labelled++) {
        for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
            gan_dataset *ds = labelled ? make_labelled(10, 3) : make_ds(10, 3);
            gan_rng *rng = NULL;
            assert_int_equal(gan_rng_create(&rng, 42 + b), GAN_OK);
            run_epochs(ds, rng, batches[b], 4, NULL);
            assert_int_equal(gan_dataset_epoch(ds), 4);
            gan_rng_free(rng);
            gan_dataset_free(ds);
        }
    }
    /* labels_out may be NULL. */
    gan_dataset *ds = make_labelled(5, 2);
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    float out[10];
    size_t n = 0;
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, ds, rng, 5), GAN_OK);
    assert_int_equal(n, 5);
    assert_int_equal(gan_dataset_epoch(ds), 1);
    /* A one-row dataset. */
    gan_dataset *one = make_ds(1, 2);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gan_dataset_next_batch(out, NULL, &n, one, rng, 4), GAN_OK);
        assert_int_equal(n, 1);
        assert_true(out[0] == 0.0f && out[1] == 0.25f);
    }
    assert_int_equal(gan_dataset_epoch(one), 3);
    gan_dataset_free(one);
    gan_rng_free(rng);
    gan_dataset_free(ds);
}

static void test_reproducible(void **state)
{
    (void)state;
    const size_t rows = 50;
    size_t o1[3 * 50], o2[3 * 50], o3[3 * 50];
    gan_dataset *d1 = make_ds(rows, 2), *d2 = make_ds(rows, 2), *d3 = make_ds(rows, 2);
    gan_rng *r1 = NULL, *r2 = NULL, *r3 = NULL;
    assert_int_equal(gan_rng_create(&r1, 7), GAN_OK);
    assert_int_equal(gan_rng_create(&r2, 7), GAN_OK);
    assert_int_equal(gan_rng_create(&r3, 8), GAN_OK);
    run_epochs(d1, r1, 8, 3, o1);
    run_epochs(d2, r2, 8, 3, o2);
    run_epochs(d3, r3, 8, 3, o3);
    /* Same seed, same order; different seed, different order. */
    assert_memory_equal(o1, o2, sizeof o1);
    assert_memory_not_equal(o1, o3, sizeof o1);
    /* Each epoch is a fresh permutation (not the identity, not a repeat). */
    assert_memory_not_equal(o1, o1 + rows, rows * sizeof o1[0]);
    assert_memory_not_equal(o1 + rows, o1 + 2 * rows, rows * sizeof o1[0]);
    size_t ident = 0;
    for (size_t i = 0; i < rows; i++)
        ident += o1[i] == i;
    assert_true(ident < rows);
    /* The order depends on the generator only, not on the batch size. */
    gan_dataset_free(d2);
    d2 = make_ds(rows, 2);
    assert_int_equal(gan_rng_seed(r2, 7), GAN_OK);
    run_epochs(d2, r2, 13, 3, o2);
    assert_memory_equal(o1, o2, sizeof o1);

    /* Rewind: forget the position and the epoch count; the next call starts
     * a fresh epoch, so with the generator reseeded the order repeats. */
    float out[16];
    size_t n;
    assert_int_equal(gan_rng_seed(r1, 7), GAN_OK);
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, d1, r1, 8), GAN_OK);
    assert_int_equal(gan_dataset_rewind(d1), GAN_OK);
    assert_int_equal(gan_dataset_epoch(d1), 0);
    assert_int_equal(gan_rng_seed(r1, 7), GAN_OK);
    run_epochs(d1, r1, 8, 3, o3);
    assert_memory_equal(o1, o3, sizeof o1);

    gan_rng_free(r1);
    gan_rng_free(r2);
    gan_rng_free(r3);
    gan_dataset_free(d1);
    gan_dataset_free(d2);
    gan_dataset_free(d3);
}

/* Every permutation of a 3-row dataset is equally likely (600 epochs, each
 * of the 6 orders expected 100 times; a biased shuffle such as Sattolo's
 * reaches only 2 of them). */
static void test_uniform_shuffle(void **state)
{
    (void)state;
    gan_dataset *ds = make_ds(3, 1);
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, 2024), GAN_OK);
    int counts[6] = {0};
    for (int e = 0; e < 600; e++) {
        float out[3];
        size_t n;
        assert_int_equal(gan_dataset_next_batch(out, NULL, &n, ds, rng, 3), GAN_OK);
        assert_int_equal(n, 3);
        int a = (int)out[0], b = (int)out[1];
        /* Index of the order: first element * 2 + whether the rest is
         * increasing. */
        int c = 3 - a - b;
        counts[a * 2 + (b < c ? 0 : 1)]++;
    }
    for (int k = 0; k < 6; k++)
        if (counts[k] < 55 || counts[k] > 145)
            fail_msg("order %d came %d times of 600", k, counts[k]);
    gan_rng_free(rng);
    gan_dataset_free(ds);
}

static void test_next_batch_bad_args(void **state)
{
    (void)state;
    gan_dataset *ds = make_ds(4, 2);
    gan_rng *rng = NULL;
    assert_int_equal(gan_rng_create(&rng, 1), GAN_OK);
    float out[8];
    size_t n = 99;
    assert_int_equal(gan_dataset_next_batch(NULL, NULL, &n, ds, rng, 4), GAN_EINVAL);
    assert_int_equal(gan_dataset_next_batch(out, NULL, NULL, ds, rng, 4), GAN_EINVAL);
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, NULL, rng, 4), GAN_EINVAL);
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, ds, NULL, 4), GAN_EINVAL);
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, ds, rng, 0), GAN_EINVAL);
    assert_non_null(strstr(gan_error_last(), "gan_dataset_next_batch"));
    assert_int_equal(n, 99);
    /* Failed calls did not move the position. */
    assert_int_equal(gan_dataset_next_batch(out, NULL, &n, ds, rng, 4), GAN_OK);
    assert_int_equal(n, 4);
    assert_int_equal(gan_dataset_epoch(ds), 1);
    gan_rng_free(rng);
    gan_dataset_free(ds);
}

static void test_column_mean(void **state)
{
    (void)state;
    float x[6] = {1, 2, 3, 5, 7, 11};
    gan_dataset *ds = NULL;
    assert_int_equal(gan_dataset_create(&ds, x, 2, 3), GAN_OK);
    float m[3];
    assert_int_equal(gan_dataset_column_mean(m, 3, ds), GAN_OK);
    assert_true(m[0] == 3.0f && m[1] == 4.5f && m[2] == 7.0f);
    assert_int_equal(gan_dataset_column_mean(m, 2, ds), GAN_ESHAPE);
    assert_int_equal(gan_dataset_column_mean(NULL, 3, ds), GAN_EINVAL);
    assert_int_equal(gan_dataset_column_mean(m, 3, NULL), GAN_EINVAL);
    gan_dataset_free(ds);

    /* Many rows of a value that float accumulation would get wrong:
     * 2^24 + 1 is not representable, so a float sum stalls at 2^24. */
    const size_t rows = 1u << 21;
    float *big = xmalloc(rows * 2 * sizeof *big);
    double ref = 0.0;
    for (size_t i = 0; i < rows; i++) {
        big[2 * i] = 16.1f;
        big[2 * i + 1] = (float)(i % 1000) * 0.001f;
        ref += big[2 * i + 1];
    }
    ref /= (double)rows;
    assert_int_equal(gan_dataset_create(&ds, big, rows, 2), GAN_OK);
    free(big);
    assert_int_equal(gan_dataset_column_mean(m, 2, ds), GAN_OK);
    assert_true(fabs((double)m[0] - 16.1) < 1e-5);
    assert_true(fabs((double)m[1] - ref) < 1e-6);
    /* The mean of a subset covers its rows only. */
    gan_dataset *sub = NULL;
    assert_int_equal(gan_dataset_subset(&sub, ds, 1000, 1000), GAN_OK);
    assert_int_equal(gan_dataset_column_mean(m, 2, sub), GAN_OK);
    assert_true(fabs((double)m[1] - 0.4995) < 1e-5);
    gan_dataset_free(sub);
    gan_dataset_free(ds);
}

/* Save the iteration state mid-epoch, continue; a second dataset restored
 * from the state (with the same generator state) yields the same batches. */
/* Parse and commit a dataset iteration state, as a checkpoint load does. */
static int iter_read(gan_dataset *ds, gan__reader *r, const char *what)
{
    gan__dataset_iter it;
    int rc = gan__dataset_iter_parse(&it, ds, r, what);
    if (rc == GAN_OK)
        gan__dataset_iter_commit(ds, &it);
    return rc;
}

static void test_iter_state(void **state)
{
    (void)state;
    const size_t rows = 23, cols = 2, batch = 5;
    gan_dataset *a = make_ds(rows, cols), *b = make_ds(rows, cols);
    gan_rng *ra = NULL, *rb = NULL;
    assert_int_equal(gan_rng_create(&ra, 99), GAN_OK);
    assert_int_equal(gan_rng_create(&rb, 12345), GAN_OK);
    float out_a[10], out_b[10];
    size_t na, nb;
    /* One epoch and two batches. */
    for (int i = 0; i < 7; i++)
        assert_int_equal(gan_dataset_next_batch(out_a, NULL, &na, a, ra, batch), GAN_OK);
    assert_int_equal(gan_dataset_epoch(a), 1);

    gan__writer w;
    gan__writer_init(&w);
    gan__dataset_iter_write(&w, a);
    assert_false(w.failed);
    uint64_t rs[GAN_RNG_STATE_WORDS];
    assert_int_equal(gan_rng_get_state(rs, ra), GAN_OK);

    gan__reader r;
    gan__reader_init(&r, w.data, w.len);
    assert_int_equal(iter_read(b, &r, "mem"), GAN_OK);
    assert_int_equal(gan__reader_left(&r), 0);
    assert_int_equal(gan_rng_set_state(rb, rs), GAN_OK);
    assert_int_equal(gan_dataset_epoch(b), 1);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(gan_dataset_next_batch(out_a, NULL, &na, a, ra, batch), GAN_OK);
        assert_int_equal(gan_dataset_next_batch(out_b, NULL, &nb, b, rb, batch), GAN_OK);
        assert_int_equal(na, nb);
        assert_memory_equal(out_a, out_b, na * cols * sizeof(float));
        assert_int_equal(gan_dataset_epoch(a), gan_dataset_epoch(b));
    }

    /* Corrupted states are rejected and leave the dataset unchanged. */
    size_t *perm0 = xmalloc(rows * sizeof *perm0);
    memcpy(perm0, b->perm, rows * sizeof *perm0);
    const size_t pos0 = b->pos;
    const uint64_t epoch0 = b->epoch;
    uint8_t *bad = xmalloc(w.len);
    /* Offsets: version 0, rows 4, epoch 12, pos 20, perm 28 + 8 i. */
    struct {
        size_t off;
        uint64_t value;
        int is_u32;
    } edits[] = {
        {0, 2, 1},                      /* unknown version */
        {4, rows + 1, 0},               /* wrong row count */
        {20, rows, 0},                  /* position out of range */
        {28 + 8 * 3, rows, 0},          /* entry out of range */
        {28 + 8 * 3, (uint64_t)-1, 0},  /* entry far out of range */
        {28 + 8 * 22, 0, 0},            /* entry 22 := entry 0, below: a repeat */
    };
    for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
        memcpy(bad, w.data, w.len);
        for (int k = 0; k < (edits[e].is_u32 ? 4 : 8); k++)
            bad[edits[e].off + (size_t)k] = (uint8_t)(edits[e].value >> (8 * k));
        if (e == 5) {
            /* Entries 0 and 22 differ in a permutation: copy 0 over 22. */
            memcpy(bad + 28 + 8 * 22, bad + 28, 8);
        }
        gan__reader_init(&r, bad, w.len);
        assert_int_equal(iter_read(b, &r, "ckpt.bin"), GAN_EFORMAT);
        assert_non_null(strstr(gan_error_last(), "ckpt.bin"));
        assert_memory_equal(b->perm, perm0, rows * sizeof *perm0);
        assert_int_equal(b->pos, pos0);
        assert_int_equal(b->epoch, epoch0);
    }
    /* Every truncation. */
    for (size_t len = 0; len < w.len; len++) {
        gan__reader_init(&r, w.data, len);
        assert_int_equal(iter_read(b, &r, "ckpt.bin"), GAN_EFORMAT);
        assert_memory_equal(b->perm, perm0, rows * sizeof *perm0);
        assert_int_equal(b->pos, pos0);
    }
    /* A state from a dataset of another size. */
    gan_dataset *c = make_ds(rows - 1, cols);
    gan__reader_init(&r, w.data, w.len);
    assert_int_equal(iter_read(c, &r, "ckpt.bin"), GAN_EFORMAT);
    assert_non_null(strstr(gan_error_last(), "rows"));
    gan_dataset_free(c);

    /* A state saved at an epoch boundary (position 0) also round-trips. */
    gan_dataset_free(a);
    a = make_ds(rows, cols);
    gan__writer_free(&w);
    gan__writer_init(&w);
    gan__dataset_iter_write(&w, a);
    gan__reader_init(&r, w.data, w.len);
    assert_int_equal(iter_read(b, &r, "mem"), GAN_OK);
    assert_int_equal(gan_dataset_epoch(b), 0);
    assert_int_equal(b->pos, 0);

    free(bad);
    free(perm0);
    gan__writer_free(&w);
    gan_rng_free(ra);
    gan_rng_free(rb);
    gan_dataset_free(a);
    gan_dataset_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_copies),
        cmocka_unit_test(test_subset),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_uniform_shuffle),
        cmocka_unit_test(test_next_batch_bad_args),
        cmocka_unit_test(test_column_mean),
        cmocka_unit_test(test_iter_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
