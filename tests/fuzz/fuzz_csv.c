/* libFuzzer target: gan_dataset_load_csv on arbitrary bytes, with the options taken from the first byte (header, label column 0 or none, comma or semicolon). The input is
 * written to a file in a private temporary folder (made once per process)
 * (after the options byte) and loaded; every outcome but a crash, a leak or a sanitizer report is
 * fine, and a success must give a dataset of at least one row. */
#define _POSIX_C_SOURCE 200809L
#include <gan.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char path[64];

static int write_input(const char *p, const uint8_t *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (f == NULL)
        return 0;
    const int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (path[0] == '\0') {
        static char dir[] = "/tmp/gan_fuzz_csv_XXXXXX";
        if (mkdtemp(dir) == NULL)
            abort();
        snprintf(path, sizeof path, "%s/in.csv", dir);
    }
    if (size == 0)
        return 0;
    gan_csv_options o = GAN_CSV_OPTIONS_INIT;
    o.header = data[0] & 1;
    o.label_column = (data[0] & 2) ? 0 : -1;
    o.delimiter = (data[0] & 4) ? ';' : ',';
    if (!write_input(path, data + 1, size - 1))
        abort();
    gan_dataset *ds = NULL;
    const int rc = gan_dataset_load_csv(&ds, path, &o);
    if ((rc == GAN_OK) != (ds != NULL) || (ds != NULL && gan_dataset_rows(ds) == 0))
        abort();
    gan_dataset_free(ds);
    return 0;
}
