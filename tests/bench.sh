#!/bin/sh
# make bench: speed and memory figures, each the median of RUNS runs (5).
#
#   plain build                    paiban -s styles/print.xml -o X
#                                  xml/report.xml (the default options): the
#                                  full build of out/report.pdf, as before
#   cold full build                the one command of `make outputs`, as the
#                                  Makefile runs it (paiban --build
#                                  xml/build.xml --cache out/.cache --depfile
#                                  out/.deps/outputs.d --deptarget out/.built:
#                                  report.pdf, report-imposed.pdf, the ten
#                                  handouts), into an empty out/ (no cache)
#   one-edit rebuild               the same command after one character changed
#                                  in xml/trends/03.xml, with the previous
#                                  outputs and the cache they left in place
#   ratios (issue 12)              cold full build / plain build and one-edit
#                                  rebuild / plain build: the four are timed
#                                  alternately in one loop (plain, cold, plain,
#                                  rebuild), each ratio taken within a round and
#                                  the median of the RUNS rounds printed, so a
#                                  machine that speeds up or slows down during
#                                  the bench moves both sides alike
#   peak RSS                       (/usr/bin/time -f %M, when GNU time is
#                                  installed) of the plain build, of the cold
#                                  --build, and of a generated document of about
#                                  250 and of about 4,000 pages (sections with a
#                                  heading and a paragraph each, every one in
#                                  the contents: gen_sections of
#                                  tests/e2e/py/scaling.py, sized from a
#                                  1,000-section calibration run), styles/print.xml;
#                                  BENCH_LONG=0 leaves out the 4,000-page one
#   tagging                        the plain build against the same with
#                                  --untagged, alternately: time and size ratios
#   bench_compose                  paragraphs composed per second
# Targets (issue 5): full build < 0.3 s, one-edit rebuild < 0.1 s.  Printed,
# not asserted.  Everything runs in a copy of xml/ and styles/.
set -e
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
BENCH_LONG=${BENCH_LONG:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PAIBAN=$(cd "$(dirname "$BUILD/paiban")" && pwd)/paiban
ROOT=$(pwd)

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Microseconds as milliseconds, one decimal.
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }

# Wall time in microseconds of one run of the command; a failure stops the bench.
us() {
    s=$(date +%s%N)
    if ! "$@" >/dev/null 2>"$tmp/err"; then
        echo "bench: failed: $*" >&2
        sed 's/^/    /' "$tmp/err" >&2
        return 1
    fi
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
}

# The two commands timed, run in the copy's top directory (rss, below, runs
# them as well: GNU time cannot run a function).
plain() { "$PAIBAN" -s styles/print.xml -o "$tmp/r.pdf" xml/report.xml; }
build_all() { "$PAIBAN" --build xml/build.xml --cache out/.cache --depfile out/.deps/outputs.d --deptarget out/.built; }
# fresh_out: an empty out/ with the directories the Makefile makes.
fresh_out() { rm -rf out; mkdir -p out/handouts out/.deps; }

mkdir "$tmp/src"
cp -R xml styles "$tmp/src/"
cd "$tmp/src"

# Alternately: plain, cold, plain, one-edit rebuild.  The edit changes one
# character of trend 3, back and forth, so that every rebuild follows a real
# edit with the previous (cold) outputs in place.
for i in $(seq "$RUNS"); do
    p1=$(us plain)
    fresh_out
    c=$(us build_all)
    p2=$(us plain)
    if [ $((i % 2)) = 1 ]; then from=精神追求 to=情神追求; else from=情神追求 to=精神追求; fi
    sed "s/$from/$to/" xml/trends/03.xml > xml/trends/03.xml.new
    mv xml/trends/03.xml.new xml/trends/03.xml
    r=$(us build_all)
    echo "$p1" >> "$tmp/plain"
    echo "$p2" >> "$tmp/plain"
    echo "$c" >> "$tmp/cold"
    echo "$r" >> "$tmp/edit"
    awk -v a="$c" -v b="$p1" 'BEGIN { print a / b }' >> "$tmp/cold.ratio"
    awk -v a="$r" -v b="$p2" 'BEGIN { print a / b }' >> "$tmp/edit.ratio"
done
echo "full build of out/report.pdf (plain build): $(ms "$(median < "$tmp/plain")") ms" \
     "(median of $((2 * RUNS)) runs)"
echo "report.pdf: $(wc -c < "$tmp/r.pdf") bytes, $(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ {print $2}') pages"
echo "cold full build (one paiban --build: report.pdf + report-imposed.pdf + 10 handouts, empty out/):" \
     "$(ms "$(median < "$tmp/cold")") ms (median of $RUNS runs)"
echo "one-edit rebuild (one character in xml/trends/03.xml; the same command, previous outputs in place):" \
     "$(ms "$(median < "$tmp/edit")") ms (median of $RUNS runs)"
fresh_out
build_all
echo "    $(find out/handouts -name '*.pdf' | wc -l) handouts," \
     "$(cat out/report.pdf out/report-imposed.pdf out/handouts/*.pdf | wc -c) bytes in all"
printf 'ratios to one plain build, timed alternately (median of %s rounds): cold full build %.2f, one-edit rebuild %.2f\n' \
    "$RUNS" "$(median < "$tmp/cold.ratio")" "$(median < "$tmp/edit.ratio")"

# What tagging costs (issue 15: at most 10 % of the time, 15 % of the size):
# the plain build against the same with --untagged, alternately.
untagged() { "$PAIBAN" -s styles/print.xml --untagged -o "$tmp/u.pdf" xml/report.xml; }
for i in $(seq "$RUNS"); do
    t=$(us plain)
    u=$(us untagged)
    awk -v a="$t" -v b="$u" 'BEGIN { print a / b }' >> "$tmp/tag.ratio"
done
printf 'tagged PDF (the plain build) against --untagged, timed alternately (median of %s rounds): time %.3f, size %.3f (%s / %s bytes)\n' \
    "$RUNS" "$(median < "$tmp/tag.ratio")" \
    "$(awk -v a="$(wc -c < "$tmp/r.pdf")" -v b="$(wc -c < "$tmp/u.pdf")" 'BEGIN { print a / b }')" \
    "$(wc -c < "$tmp/r.pdf")" "$(wc -c < "$tmp/u.pdf")"

# Peak resident memory (GNU time %M, kB): $tmp/rss holds "KB SECONDS".
rss() { /usr/bin/time -f '%M %e' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }; }
mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }
pages() { pdfinfo "$1" | awk '/^Pages:/ {print $2}'; }
# long N: a generated document of N sections in $tmp/long-N/main.xml.
long() {
    python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import scaling; scaling.gen_sections(int(sys.argv[2]), sys.argv[3])' \
        "$ROOT/tests/e2e/py" "$1" "$tmp/long-$1"
}
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    rss "$PAIBAN" -s styles/print.xml -o "$tmp/r.pdf" xml/report.xml
    line="peak RSS: plain build $(mb "$(cut -d' ' -f1 "$tmp/rss")") MB"
    fresh_out
    rss "$PAIBAN" --build xml/build.xml --cache out/.cache --depfile out/.deps/outputs.d --deptarget out/.built
    echo "$line, cold --build (12 outputs) $(mb "$(cut -d' ' -f1 "$tmp/rss")") MB"
    # Pages per section, from a calibration run.
    long 1000
    "$PAIBAN" -s styles/print.xml -o "$tmp/long.pdf" "$tmp/long-1000/main.xml"
    cal=$(pages "$tmp/long.pdf")
    targets=250
    if [ "$BENCH_LONG" != 0 ]; then targets="250 4000"; fi
    for want in $targets; do
        n=$(( (want * 1000 + cal / 2) / cal ))
        long "$n"
        rss "$PAIBAN" -s styles/print.xml -o "$tmp/long.pdf" "$tmp/long-$n/main.xml"
        read -r kb secs < "$tmp/rss"
        got=$(pages "$tmp/long.pdf")
        # past the first: what each page more costs
        more=${prev_kb:+$(awk -v a="$kb" -v b="$prev_kb" -v p="$got" -v q="$prev_pages" \
                          'BEGIN { printf ", %.0f kB a page more than the %d-page one", (a - b) / (p - q), q }')}
        echo "peak RSS, generated document of about $want pages ($n sections, $got pages):" \
             "$(mb "$kb") MB, $secs s$more"
        prev_kb=$kb prev_pages=$got
        rm -rf "$tmp/long-$n"
    done
    [ "$BENCH_LONG" != 0 ] || echo "    (the 4,000-page document left out: BENCH_LONG=0)"
else
    echo "peak RSS: skipped (/usr/bin/time, GNU time, is not installed)"
fi
cd "$ROOT"

"$BUILD/bench_compose" xml/report.xml styles/print.xml xml/paiban.rng 7
