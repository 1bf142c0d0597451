/* Little-endian serialisation, checksummed containers, atomic writes. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "serial.h"

static const char MAGIC[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'T', 'E', 'S', 'T', '1'};

static void test_round_trip(void **state)
{
    (void)state;
    gan__writer w, c;
    gan__writer_init(&w);
    gan__put_u32(&w, 0x01020304u);
    gan__put_u64(&w, 0x1122334455667788ull);
    gan__put_f32(&w, -1.5f);
    gan__put_f64(&w, 3.25);
    float arr[3] = {1, 2, 3};
    gan__put_f32_array(&w, arr, 3);
    assert_false(w.failed);
    /* Fixed byte order: least significant byte first. */
    assert_int_equal(w.data[0], 0x04);
    assert_int_equal(w.data[3], 0x01);
    gan__writer_init(&c);
    gan__container_build(&c, MAGIC, 3, w.data, w.len);
    assert_int_equal(c.len, w.len + GAN_CONTAINER_OVERHEAD);

    gan__reader r;
    uint32_t version = 0;
    assert_int_equal(gan__container_open(&r, &version, c.data, c.len, MAGIC, "mem"), GAN_OK);
    assert_int_equal(version, 3);
    assert_int_equal(gan__get_u32(&r), 0x01020304u);
    assert_true(gan__get_u64(&r) == 0x1122334455667788ull);
    assert_true(gan__get_f32(&r) == -1.5f);
    assert_true(gan__get_f64(&r) == 3.25);
    float back[3];
    assert_int_equal(gan__get_f32_array(&r, back, 3), 0);
    assert_memory_equal(arr, back, sizeof arr);
    assert_false(r.failed);
    /* Reading past the end fails softly. */
    assert_int_equal(gan__get_u32(&r), 0);
    assert_true(r.failed);

    /* Every single-byte corruption and every truncation is rejected. */
    for (size_t i = 0; i < c.len; i++) {
        c.data[i] ^= 0x40;
        assert_int_equal(gan__container_open(&r, &version, c.data, c.len, MAGIC, "mem"), GAN_EFORMAT);
        c.data[i] ^= 0x40;
    }
    for (size_t n = 0; n < c.len; n++)
        assert_int_equal(gan__container_open(&r, &version, c.data, n, MAGIC, "mem"), GAN_EFORMAT);
    static const char OTHER[GAN_MAGIC_LEN] = {'O', 'T', 'H', 'E', 'R', 'X', 'X', 'X'};
    assert_int_equal(gan__container_open(&r, &version, c.data, c.len, OTHER, "mem"), GAN_EFORMAT);
    gan__writer_free(&w);
    gan__writer_free(&c);
}

/* Reserved bytes land where put_bytes would have put them, the writer
 * grows across its initial capacity, and a failed writer reserves nothing. */
static void test_reserve(void **state)
{
    (void)state;
    gan__writer w;
    gan__writer_init(&w);
    uint8_t *empty = gan__put_reserve(&w, 0);
    assert_non_null(empty);
    assert_int_equal(w.len, 0);
    gan__put_u32(&w, 7);
    uint8_t *at = gan__put_reserve(&w, 1000);
    assert_non_null(at);
    assert_int_equal(w.len, 1004);
    for (int i = 0; i < 1000; i++)
        at[i] = (uint8_t)i;
    gan__put_u32(&w, 9);
    assert_false(w.failed);
    assert_int_equal(w.data[0], 7);
    assert_int_equal(w.data[4 + 999], (uint8_t)999);
    assert_int_equal(w.data[1004], 9);
    w.failed = 1;
    assert_null(gan__put_reserve(&w, 8));
    assert_int_equal(w.len, 1008);
    w.failed = 0;
    assert_null(gan__put_reserve(&w, SIZE_MAX));
    assert_true(w.failed);
    gan__writer_free(&w);
}

static void test_atomic_write(void **state)
{
    const char *dir = *state;
    char path[256];
    path_join(path, sizeof path, dir, "file.bin");
    assert_int_equal(gan__file_write_atomic("test", path, "first", 5), GAN_OK);
    assert_int_equal(gan__file_write_atomic("test", path, "second!", 7), GAN_OK);
    void *data;
    size_t len;
    assert_int_equal(gan__file_read_all(&data, &len, path, 1024, "a libgan file"), GAN_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(data, "second!", 7);
    free(data);
    /* Too large for the caller's limit. */
    assert_int_equal(gan__file_read_all(&data, &len, path, 3, "a libgan file"), GAN_EFORMAT);
    /* A directory and a missing file are I/O errors. */
    assert_int_equal(gan__file_read_all(&data, &len, dir, 1024, "a libgan file"), GAN_EIO);
    char missing[300];
    path_join(missing, sizeof missing, dir, "missing");
    assert_int_equal(gan__file_read_all(&data, &len, missing, 1024, "a libgan file"), GAN_EIO);
    /* A FIFO is refused at once, not waited on for a writer. */
    char fifo[300];
    path_join(fifo, sizeof fifo, dir, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(gan__file_read_all(&data, &len, fifo, 1024, "a libgan file"), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), "not a regular file"));
    unlink(fifo);
    /* Writing into a missing folder fails and leaves nothing behind. */
    char bad[300];
    path_join(bad, sizeof bad, dir, "no/such/dir/f");
    assert_int_equal(gan__file_write_atomic("test", bad, "x", 1), GAN_EIO);
    assert_non_null(strstr(gan_error_last(), bad));
    /* Only the final file is left: no temporary files. */
    assert_int_equal(dir_count_entries(dir), 1);
    unlink(path);
}

/* Saving through a symbolic link replaces the file it points to (in its
 * own folder) and keeps the link. */
static void test_atomic_write_symlink(void **state)
{
    const char *dir = *state;
    char sub[256], real[300], link[300];
    path_join(sub, sizeof sub, dir, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    path_join(real, sizeof real, sub, "model.bin");
    path_join(link, sizeof link, dir, "link.bin");
    assert_int_equal(gan__file_write_atomic("test", real, "old", 3), GAN_OK);
    assert_int_equal(symlink("sub/model.bin", link), 0);
    assert_int_equal(gan__file_write_atomic("test", link, "newer", 5), GAN_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    void *data;
    size_t len;
    assert_int_equal(gan__file_read_all(&data, &len, real, 64, "a libgan file"), GAN_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "newer", 5);
    free(data);
    /* No temporary file left in either folder. */
    assert_int_equal(dir_count_entries(dir), 2);
    assert_int_equal(dir_count_entries(sub), 1);
    unlink(link);
    unlink(real);
    rmdir(sub);
}

/* A new file gets 0666 less the umask, like fopen; an overwritten file
 * keeps its own mode. */
static void test_atomic_write_mode(void **state)
{
    const char *dir = *state;
    char path[256];
    path_join(path, sizeof path, dir, "file.bin");
    const mode_t old_mask = umask(027);
    assert_int_equal(gan__file_write_atomic("test", path, "a", 1), GAN_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(gan__file_write_atomic("test", path, "b", 1), GAN_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0604);
    /* Set-id bits are not carried over to the new content. */
    assert_int_equal(chmod(path, 04755), 0);
    assert_int_equal(gan__file_write_atomic("test", path, "c", 1), GAN_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    umask(old_mask);
    unlink(path);
}

/* Messages about a wrong container say what is wrong in printable text:
 * the expected magic without its version byte, trailing bytes apart from
 * missing ones. */
static void test_container_messages(void **state)
{
    (void)state;
    static const char CKPT[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'C', 'K', 'P', 'T', '\1'};
    static const char NET[GAN_MAGIC_LEN] = {'G', 'A', 'N', 'N', 'E', 'T', '\0', '\1'};
    gan__writer c;
    gan__writer_init(&c);
    gan__container_build(&c, MAGIC, 1, "0123456789", 10);
    gan__put_u32(&c, 0); /* room to show a file one byte too long */
    assert_false(c.failed);
    const size_t len = c.len - 4;
    gan__reader r;
    uint32_t version;
    assert_int_equal(gan__container_open(&r, &version, c.data, len, CKPT, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(), "f: wrong magic number (not a GANCKPT file)");
    assert_int_equal(gan__container_open(&r, &version, c.data, len, NET, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(), "f: wrong magic number (not a GANNET file)");

    assert_int_equal(gan__container_open(&r, &version, c.data, len + 1, MAGIC, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(), "f: 1 trailing byte after the 10-byte payload");
    assert_int_equal(gan__container_open(&r, &version, c.data, len + 3, MAGIC, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(), "f: 3 trailing bytes after the 10-byte payload");
    assert_int_equal(gan__container_open(&r, &version, c.data, len - 1, MAGIC, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(),
                        "f: truncated: the header announces a 10-byte payload, 1 byte is missing");
    assert_int_equal(gan__container_open(&r, &version, c.data, len - 7, MAGIC, "f"), GAN_EFORMAT);
    assert_string_equal(gan_error_last(),
                        "f: truncated: the header announces a 10-byte payload, 7 bytes are missing");
    gan__writer_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_reserve),
        TMPDIR_TEST(test_atomic_write),
        TMPDIR_TEST(test_atomic_write_mode),
        TMPDIR_TEST(test_atomic_write_symlink),
        cmocka_unit_test(test_container_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
