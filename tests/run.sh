#!/bin/sh
# Run every unit test program and every end-to-end script; print each
# one's name, verdict and time as it finishes, then the tally.  Each unit
# test prints "name: N passed, N failed"; each e2e script exits 0 on
# success.  The last line is the total in the form CI reads.
BUILD=${BUILD:-build}
export BUILD
pass=0; fail=0; failed_names=""
start_all=$(date +%s.%N)

# Seconds since $1, to one decimal.
since() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }

# run_one NAME CMD...: run a test, print "ok/FAIL NAME (N s)", its output when it failed.
run_one() {
    name=$1; shift
    t0=$(date +%s.%N)
    # a hang is a failure, not a stalled make check (the slowest test takes ~2 min)
    if out=$(timeout -k 10 900 "$@" 2>&1); then
        pass=$((pass+1)); echo "ok   $name ($(since "$t0") s)"
    else
        fail=$((fail+1)); failed_names="$failed_names $name"
        echo "FAIL $name ($(since "$t0") s)"; echo "$out" | sed 's/^/     /'
    fi
}

echo "running the unit tests ($BUILD/tests) and the end-to-end tests (tests/e2e): about 3 minutes"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
    case $t in */lib.sh) continue ;; esac  # shared helpers, not a test
    [ -f "$t" ] || continue
    run_one "$t" sh "$t"
done
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "all tests took $(since "$start_all") s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
