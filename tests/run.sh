#!/bin/sh
# Run every unit test program and every end-to-end script; print each
# one's name, verdict and time as it finishes, then the tally.  Each unit
# test prints "name: N passed, N failed, N skipped"; each e2e script exits
# 0 on success.  Both print a line "skip ..." for each check that could not
# run on this machine (unit.h's SKIP, lib.sh's skip): those are counted and
# shown even when the test passes, and the line before the last names the
# tests that skipped something.  The last line is the total in the form CI
# reads.
BUILD=${BUILD:-build}
export BUILD
pass=0; fail=0; failed_names=""; skipped=0; skipped_names=""
start_all=$(date +%s.%N)

# Seconds since $1, to one decimal.
since() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }

# run_one NAME CMD...: run a test, print "ok/FAIL NAME (N s)", its output
# when it failed, else its "skip" lines.
run_one() {
    name=$1; shift
    t0=$(date +%s.%N)
    # a hang is a failure, not a stalled make check (the slowest test takes ~2 min)
    if out=$(timeout -k 10 900 "$@" 2>&1); then
        rc=0
    else
        rc=1
    fi
    nskip=$(printf '%s\n' "$out" | grep -c '^skip ')
    if [ "$nskip" -gt 0 ]; then
        skipped=$((skipped+nskip)); skipped_names="$skipped_names $name"
        skip_note=", $nskip skipped"
    else
        skip_note=
    fi
    if [ "$rc" -eq 0 ]; then
        pass=$((pass+1)); echo "ok   $name ($(since "$t0") s$skip_note)"
        printf '%s\n' "$out" | grep '^skip ' | sed 's/^/     /'
    else
        fail=$((fail+1)); failed_names="$failed_names $name"
        echo "FAIL $name ($(since "$t0") s$skip_note)"; echo "$out" | sed 's/^/     /'
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
echo "$skipped skipped${skipped_names:+:$skipped_names}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
