#!/bin/sh
# scaling.sh: every stage of paiban costs linear (or n log n) time in its
# input (issue 10).
#
# Each input shape is typeset at two sizes, the larger 4x the smaller, and
# the ratio of the CPU times (user + sys, the median of 3 runs, the
# time of a minimal document of the same shape subtracted) must stay at
# or below 8: linear gives about 4, n log n 4.5, quadratic 16.  No absolute
# time is judged.  The sizes double until the small one costs at least
# 0.2 s over the minimal document, so noise does not decide.  Shapes:
#   one-line    thousands of small elements, the whole file on one line
#   nbsp-run    a paragraph of N no-break spaces between two Han characters
#   han-run     a paragraph of N copies of 字
#   ascii-word  a paragraph that is one N-letter word
#   br          one paragraph of N short segments separated by <br/>
#   includes    a main file that XIncludes N one-paragraph files
#   image       a figure with a noisy 1 vs 4 megapixel PNG
# One "ok"/"FAIL" line per shape with the sizes, times and ratio; a run
# that exits non-zero FAILs its shape with its stderr.  SCALING_SHAPES
# (names separated by spaces) runs only those; SCALING_VERBOSE=1 shows
# every run.  All the work is in tests/e2e/py/scaling.py (which also pins
# glibc's mmap threshold, so a large allocation costs the same in every run).
. tests/e2e/lib.sh
e2e_init scaling python3

# shellcheck disable=SC2086 # SCALING_SHAPES is a list of words
run_py tests/e2e/py/scaling.py "$PAIBAN" "$TMP" ${SCALING_SHAPES:-}
e2e_finish
