#!/bin/sh
# structure.sh: structure-aware fuzzing of the whole pipeline.
#
# Builds the ASan+UBSan replay harness ($BUILD/tests/test_fuzz_replay,
# BUILD defaults to build/asan), then for FUZZ_SECONDS generates batches of
# random, mostly valid documents and style sheets (tests/fuzz/gen.py, a new
# seed per batch) and replays each batch through the harness, one process
# per batch, with a per-input time limit.  A crash, sanitizer report
# (leaks included) or hang (one input over FUZZ_TIMEOUT seconds, confirmed
# alone at half that) is handed to tests/fuzz/triage.py, which finds the
# failing input (bisecting when it only fails after others, or for a leak
# reported at exit), reduces it, saves it into tests/fuzz/regressions/ as
# KIND-FRAME-HASH.xml (with the images and XIncludes it names, in img/ and
# inc/) and prints it.  A finding with the same kind and top frame as a
# saved one is only counted; one that needs more than 3 other inputs before
# it in the same process is kept in $FUZZ_WORK/stateful, not in the
# regressions.  The run goes on after a finding.  At the end it prints the
# figures: inputs run, inputs per second, how many reached PDF rendering,
# and the findings.
#
#   sh tests/fuzz/structure.sh            (or: make fuzz-structure FUZZ_SECONDS=N)
#
# Settings (environment): BUILD, FUZZ_SECONDS (60), FUZZ_BATCH (200 inputs),
# FUZZ_TIMEOUT (10 s per input), FUZZ_SEED (first batch's seed; default the
# time), FUZZ_REDUCE_SECONDS (120 per new finding; 0: no reduction),
# FUZZ_REGRESSIONS (tests/fuzz/regressions), FUZZ_WORK (scratch directory,
# $BUILD/fuzz-structure), FUZZ_NO_BUILD=1 (use the binary as it is).
# Exit status: 0, or 1 when there were new findings, 2 on a setup error.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build/asan}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$ROOT/$BUILD ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BATCH=${FUZZ_BATCH:-200}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_SEED=${FUZZ_SEED:-$(date +%s)}
FUZZ_REDUCE_SECONDS=${FUZZ_REDUCE_SECONDS:-120}
FUZZ_REGRESSIONS=${FUZZ_REGRESSIONS:-$ROOT/tests/fuzz/regressions}
FUZZ_WORK=${FUZZ_WORK:-$BUILD_DIR/fuzz-structure}
BIN=$BUILD_DIR/tests/test_fuzz_replay

# Sanitizer settings: stacks for every report, leaks checked at exit,
# memory bounded (a runaway allocation is a finding, not a dead machine).
ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_fatal=0:hard_rss_limit_mb=2560:max_allocation_size_mb=2048:allocator_may_return_null=0:handle_abort=1:print_summary=1:malloc_context_size=30${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null 2>&1; then
    ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
    export ASAN_SYMBOLIZER_PATH
fi

# Build the harness (a no-op when it is up to date).
build() {
    [ "${FUZZ_NO_BUILD:-0}" = 1 ] && return 0
    make --no-print-directory BUILD="$BUILD" SAN=1 OPT=-O1 "$BIN" >"$FUZZ_WORK/build.log" 2>&1 && return 0
    cat "$FUZZ_WORK/build.log" >&2
    echo "structure.sh: cannot build $BIN" >&2
    exit 2
}

# Totals over the run.
inputs=0 rendered=0 doc_rejected=0 sheet_rejected=0 styling=0 layout=0 page_limit=0 render_failed=0 too_large=0
batches=0

# Add the figures of one replay log to the totals: inputs started, and the stage each reached.
account() {
    set -- $(awk -v prefix="fuzz_replay: $2/" '
        index($0, prefix) == 1 { n++ }
        /^fuzz_pipeline: input [0-9]+: / { s[$4]++ }
        END { printf "%d %d %d %d %d %d %d %d %d\n", n, s["rendered"], s["document-rejected"],
              s["style-sheet-rejected"], s["styling-failed"], s["layout-failed"],
              s["over-page-limit"], s["render-failed"], s["too-large"] }' "$1")
    inputs=$((inputs + $1)) rendered=$((rendered + $2)) doc_rejected=$((doc_rejected + $3))
    sheet_rejected=$((sheet_rejected + $4)) styling=$((styling + $5)) layout=$((layout + $6))
    page_limit=$((page_limit + $7)) render_failed=$((render_failed + $8)) too_large=$((too_large + $9))
}

# Replay the inputs in $1/in until all have run; failures go to triage.py.
run_batch() {
    dir=$1
    count=$(ls "$dir/in" | wc -l)
    outer=$((count * FUZZ_TIMEOUT + 60))    # a guard in case the per-input alarm cannot fire
    while [ -n "$(ls "$dir/in")" ]; do
        timeout -k 10 "$outer" env PAIBAN_FUZZ_DOCDIR="$dir/doc" PAIBAN_FUZZ_TRACE=1 \
            PAIBAN_FUZZ_STATS=2 PAIBAN_FUZZ_TIMEOUT="$FUZZ_TIMEOUT" \
            "$BIN" "$dir/in" >/dev/null 2>"$dir/log" &
        child=$!
        wait "$child"      # in the background, so that an interrupt ends it (see the trap)
        rc=$?
        if [ "$stop" = 1 ]; then
            kill "$child" 2>/dev/null
            wait "$child" 2>/dev/null
            account "$dir/log" "$dir/in"
            break
        fi
        account "$dir/log" "$dir/in"
        if [ "$rc" -eq 0 ] && ! grep -q -e 'Sanitizer' -e 'runtime error' "$dir/log"; then
            break
        fi
        cp "$dir/log" "$FUZZ_WORK/last-failure.log"
        python3 tests/fuzz/triage.py handle --bin "$BIN" --dir "$dir/in" --docdir "$dir/doc" \
            --log "$dir/log" --rc "$rc" --regdir "$FUZZ_REGRESSIONS" --workdir "$FUZZ_WORK" \
            --timeout "$FUZZ_TIMEOUT" --reduce-seconds "$FUZZ_REDUCE_SECONDS" >"$dir/triage.out" 2>&1
        grep -v '^NEXT ' "$dir/triage.out"
        next=$(sed -n 's/^NEXT //p' "$dir/triage.out")
        [ -n "$next" ] && [ "$next" != - ] && [ -f "$next" ] || break
        for f in "$dir"/in/*; do           # the inputs up to the failing one are done
            mv "$f" "$dir/done/"
            [ "$f" = "$next" ] && break
        done
    done
}

# Print the figures of the run.
report() {
    now=$(date +%s)
    secs=$((now - start))
    [ "$secs" -gt 0 ] || secs=1
    crashed=$((inputs - rendered - doc_rejected - sheet_rejected - styling - layout - page_limit - render_failed - too_large))
    echo
    echo "structure.sh: $inputs inputs in $secs s ($(awk -v n="$inputs" -v s="$secs" 'BEGIN { printf "%.1f", n / s }') inputs/s), $batches batches, seeds $FUZZ_SEED..$((FUZZ_SEED + batches - 1))"
    reached=$((rendered + render_failed))
    echo "  reached PDF rendering (valid share): $reached of $inputs ($(awk -v r="$reached" -v n="$inputs" 'BEGIN { printf "%.0f", n ? 100 * r / n : 0 }')%); $rendered of them gave a PDF"
    echo "  stopped earlier: document rejected $doc_rejected, style sheet rejected $sheet_rejected, styling $styling, layout $layout, over the page limit $page_limit, PDF failed $render_failed, too large $too_large; crashed or hung $crashed"
    new=$(grep -c '^NEW ' "$FUZZ_WORK/findings.log")
    repeat=$(grep -c '^REPEAT ' "$FUZZ_WORK/findings.log")
    flaky=$(grep -c '^FLAKY ' "$FUZZ_WORK/findings.log")
    stateful=$(grep -c '^STATEFUL ' "$FUZZ_WORK/findings.log")
    echo "  findings: $new new, $repeat repeats of saved ones, $stateful needing many inputs before them (kept in $FUZZ_WORK/stateful), $flaky not reproducible"
    awk '{ print $1, $2, $3 }' "$FUZZ_WORK/findings.log" | sort | uniq -c | sort -rn |
        awk '{ printf "    %4d x %s %s in %s\n", $1, $2, $3, $4 }'
    grep -e '^NEW ' -e '^STATEFUL ' "$FUZZ_WORK/findings.log" | awk '{ print "    saved: " $4 }'
}

mkdir -p "$FUZZ_WORK" || exit 2
: >"$FUZZ_WORK/findings.log"
build
[ -x "$BIN" ] || { echo "structure.sh: no $BIN" >&2; exit 2; }
start=$(date +%s)
end=$((start + FUZZ_SECONDS))
stop=0
trap 'stop=1' INT TERM
echo "structure.sh: fuzzing for $FUZZ_SECONDS s with $BIN, first seed $FUZZ_SEED, work in $FUZZ_WORK"
while [ "$stop" = 0 ] && [ "$(date +%s)" -lt "$end" ]; do
    seed=$((FUZZ_SEED + batches))
    # size the batch to the time left, at the rate seen so far
    left=$((end - $(date +%s)))
    elapsed=$(($(date +%s) - start))
    if [ "$inputs" -gt 0 ] && [ "$elapsed" -gt 0 ]; then
        n=$((left * inputs / elapsed + 1))
    else
        n=$((left + 1))
    fi
    [ "$n" -gt "$FUZZ_BATCH" ] && n=$FUZZ_BATCH
    [ "$n" -lt 10 ] && n=10
    dir=$FUZZ_WORK/batch
    rm -rf "$dir"
    mkdir -p "$dir/in" "$dir/doc" "$dir/done"
    python3 tests/fuzz/gen.py --seed "$seed" --count "$n" --out "$dir/in" --docdir "$dir/doc" || exit 2
    before=$inputs
    run_batch "$dir"
    batches=$((batches + 1))
    echo "structure.sh: batch $batches (seed $seed): $((inputs - before)) inputs, $inputs in $(($(date +%s) - start)) s, $rendered rendered"
done
report
[ "$(grep -c '^NEW ' "$FUZZ_WORK/findings.log")" -eq 0 ] || exit 1
