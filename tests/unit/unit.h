/*
 * unit.h: the smallest test harness that can fail.
 *
 * CHECK(cond, fmt, ...) records a failure with its file and line and
 * carries on; SKIP(fmt, ...) records a check that cannot run on this
 * machine (a font or tool missing), printing "skip FILE:LINE: reason" on
 * stdout, so that nothing is skipped silently; unit_done() prints
 * "name: N passed, N failed, N skipped" and gives the exit status.
 * tests/run.sh counts the "skip " lines.  Each tests/unit/test_*.c is one
 * program with its own main().
 */
#ifndef PAIBAN_UNIT_H
#define PAIBAN_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed, unit_skipped;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            unit_passed++;                                                 \
        } else {                                                           \
            unit_failed++;                                                 \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,         \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

#define SKIP(...)                                                          \
    do {                                                                   \
        unit_skipped++;                                                    \
        printf("skip %s:%d: ", __FILE__, __LINE__);                        \
        printf(__VA_ARGS__);                                               \
        putchar('\n');                                                     \
    } while (0)

/* Print the tally; exit status 1 when anything failed or nothing ran. */
static inline int unit_done(const char *name)
{
    printf("%s: %d passed, %d failed, %d skipped\n", name, unit_passed, unit_failed, unit_skipped);
    return unit_failed || !unit_passed;
}

#endif
