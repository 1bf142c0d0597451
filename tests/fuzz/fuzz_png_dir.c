/* libFuzzer target: gan_dataset_load_png_dir on arbitrary bytes. The
 * first byte picks the options (alpha kept or dropped) and whether the
 * rest is one image or is split in two at its middle (two files, so the
 * shape checks between images run too); the images are written into a
 * private temporary folder (made once per process) and the folder is
 * loaded. Every outcome but a crash, a leak or a sanitizer report is
 * fine. */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/gan_fuzz_png_XXXXXX";
static int have_dir;

static int write_input(const char *name, const uint8_t *data, size_t size)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f == NULL)
        return 0;
    const int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_dir) {
        if (mkdtemp(dir) == NULL)
            abort();
        have_dir = 1;
    }
    if (size == 0)
        return 0;
    gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT;
    o.alpha = (data[0] & 1) ? GAN_PNG_ALPHA_KEEP : GAN_PNG_ALPHA_DROP;
    const int two = (data[0] & 2) != 0;
    data++;
    size--;
    char second[128];
    snprintf(second, sizeof second, "%s/b.png", dir);
    unlink(second);
    const size_t first = two ? size / 2 : size;
    if (!write_input("a.png", data, first))
        abort();
    if (two && !write_input("b.png", data + first, size - first))
        abort();
    gan_dataset *ds = NULL;
    const int rc = gan_dataset_load_png_dir(&ds, dir, &o);
    if ((rc == GAN_OK) != (ds != NULL))
        abort();
    gan_dataset_free(ds);
    return 0;
}
