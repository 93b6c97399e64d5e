/*
 * unit.h: the smallest test harness that can fail.
 *
 * CHECK(cond, fmt, ...) records a failure with its file and line and
 * carries on; unit_done() prints "N passed, N failed" and gives the exit
 * status.  Each tests/unit/test_*.c is one program with its own main().
 */
#ifndef PAIBAN_UNIT_H
#define PAIBAN_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed;

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

/* Print the tally; exit status 1 when anything failed or nothing ran. */
static inline int unit_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed || !unit_passed;
}

#endif
