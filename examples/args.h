/* args.h: command-line option parsing shared by the example programs.
 *
 * Every numeric option goes through args_u64, args_unsigned or args_double,
 * which accept a plain decimal number and nothing else: no sign, no leading
 * blank, no trailing characters ("10x"), no value out of the option's range,
 * no NaN or infinity. strtoull alone would read "-1" as 2^64 - 1 and "10x"
 * as 10. The message names the program and the option.
 *
 * Exit codes of the examples: 0 after --help, ARGS_EXIT_USAGE (2) on a bad
 * command line, 1 when the run itself fails.
 */
#ifndef GAN_EXAMPLES_ARGS_H
#define GAN_EXAMPLES_ARGS_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARGS_EXIT_USAGE 2

/* Nonzero when a is "--help" or "-h". */
static inline int args_is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* The value after option argv[*i], advancing *i past it; NULL (after a
 * message) when the option is the last word. */
static inline const char *args_value(const char *prog, int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: %s needs a value\n", prog, argv[*i]);
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

/* A decimal integer in [min, max] into *out; 0 on success, -1 (after a
 * message naming opt) otherwise. */
static inline int args_u64(uint64_t *out, const char *prog, const char *opt, const char *v,
                           uint64_t min, uint64_t max)
{
    if (v == NULL || v[0] < '0' || v[0] > '9') {
        fprintf(stderr, "%s: %s wants a whole number >= %llu, not '%s'\n", prog, opt,
                (unsigned long long)min, v ? v : "");
        return -1;
    }
    char *end = NULL;
    errno = 0;
    const unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0') {
        fprintf(stderr, "%s: %s wants a whole number, not '%s' (trailing '%s')\n", prog, opt, v,
                end);
        return -1;
    }
    if (errno == ERANGE || x < min || x > max) {
        fprintf(stderr, "%s: %s must be between %llu and %llu, not %s\n", prog, opt,
                (unsigned long long)min, (unsigned long long)max, v);
        return -1;
    }
    *out = (uint64_t)x;
    return 0;
}

static inline int args_unsigned(unsigned *out, const char *prog, const char *opt, const char *v,
                                unsigned min, unsigned max)
{
    uint64_t x;
    if (args_u64(&x, prog, opt, v, min, max) != 0)
        return -1;
    *out = (unsigned)x;
    return 0;
}

static inline int args_size(size_t *out, const char *prog, const char *opt, const char *v,
                            size_t min, size_t max)
{
    uint64_t x;
    if (args_u64(&x, prog, opt, v, min, max) != 0)
        return -1;
    *out = (size_t)x;
    return 0;
}

/* A finite decimal number in [min, max] into *out ("0.5", "1e-3"; a sign
 * only when min < 0); 0 on success, -1 (after a message) otherwise. */
static inline int args_double(double *out, const char *prog, const char *opt, const char *v,
                              double min, double max)
{
    const int sign_ok = min < 0 && v != NULL && v[0] == '-';
    if (v == NULL || v[0] == '\0' || (!sign_ok && (v[0] < '0' || v[0] > '9') && v[0] != '.')) {
        fprintf(stderr, "%s: %s wants a number >= %g, not '%s'\n", prog, opt, min, v ? v : "");
        return -1;
    }
    char *end = NULL;
    errno = 0;
    const double x = strtod(v, &end);
    /* strtod also reads hexadecimal ("0x1p3"): not a decimal number. */
    if (end == v || *end != '\0' || strpbrk(v, "xX") != NULL) {
        fprintf(stderr, "%s: %s wants a number, not '%s'\n", prog, opt, v);
        return -1;
    }
    if (errno == ERANGE || !isfinite(x) || x < min || x > max) {
        fprintf(stderr, "%s: %s must be between %g and %g, not %s\n", prog, opt, min, max, v);
        return -1;
    }
    *out = x;
    return 0;
}

#endif
