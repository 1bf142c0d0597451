/* run_util.h: small helpers shared by the training examples: wall-clock
 * and CPU clocks, an ETA's "3h 05m", and LeCun's IDX file names with or
 * without .gz. Needs _POSIX_C_SOURCE >= 200809L (clock_gettime). */
#ifndef GAN_EXAMPLES_RUN_UTIL_H
#define GAN_EXAMPLES_RUN_UTIL_H

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of the whole process (all its threads). A run on one thread
 * (OPENBLAS_NUM_THREADS=1 --threads 1) spends about as much CPU time as
 * wall-clock time on an idle core, also when other jobs share the machine. */
static inline double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* dir/name, or dir/name.gz when only that exists (LeCun's file names). A
 * path that exists in neither form is returned plain, for the message. */
static inline void idx_path(char *out, size_t size, const char *dir, const char *name)
{
    struct stat st;
    snprintf(out, size, "%s/%s", dir, name);
    if (stat(out, &st) == 0)
        return;
    snprintf(out, size, "%s/%s.gz", dir, name);
    if (stat(out, &st) == 0)
        return;
    snprintf(out, size, "%s/%s", dir, name);
}

/* "3h 05m", "12m 40s" or "35s" into buf. */
static inline const char *format_duration(char *buf, size_t size, double seconds)
{
    const unsigned long long s = seconds > 0 ? (unsigned long long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, size, "%lluh %02llum", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, size, "%llum %02llus", s / 60, s % 60);
    else
        snprintf(buf, size, "%llus", s);
    return buf;
}

#endif
