#!/bin/sh
# Run every unit test program and every end-to-end script; print a tally.
# Each unit test prints "name: N passed, N failed"; each e2e script exits 0
# on success.  The last line is the total in the form CI reads.
BUILD=${BUILD:-build}
export BUILD
pass=0; fail=0; failed_names=""
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    if out=$("$t" 2>&1); then pass=$((pass+1)); echo "ok   $(basename "$t")";
    else fail=$((fail+1)); failed_names="$failed_names $(basename "$t")"; echo "FAIL $(basename "$t")"; echo "$out" | sed 's/^/     /'; fi
done
for t in tests/e2e/*.sh; do
    case $t in */lib.sh) continue ;; esac  # shared helpers, not a test
    [ -f "$t" ] || continue
    if out=$(sh "$t" 2>&1); then pass=$((pass+1)); echo "ok   $t";
    else fail=$((fail+1)); failed_names="$failed_names $t"; echo "FAIL $t"; echo "$out" | sed 's/^/     /'; fi
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
