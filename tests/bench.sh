#!/bin/sh
# make bench: speed figures, each the median of several runs.
#
#   full build of out/report.pdf   one paiban run, as before
#   cold full build                the three paiban commands of `make outputs`
#                                  (report.pdf, report-imposed.pdf, the ten
#                                  handouts), into an empty directory: each,
#                                  and their sum per run
#   one-edit rebuild               after one character changed in
#                                  xml/trends/03.xml (in a copy of the
#                                  sources), the three commands make then runs,
#                                  with the previous outputs in place: each,
#                                  and their sum
#   peak RSS                       of each command (/usr/bin/time -f %M), when
#                                  GNU time is installed
#   bench_compose                  paragraphs composed per second
# Targets (issue 5): full build < 0.3 s, one-edit rebuild < 0.1 s.  Printed,
# not asserted.
set -e
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PAIBAN=$(cd "$(dirname "$BUILD/paiban")" && pwd)/paiban

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Wall time in milliseconds of one run of the command.
ms() { s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

for i in $(seq "$RUNS"); do ms "$BUILD/paiban" -s styles/print.xml -o "$tmp/r.pdf" xml/report.xml; done > "$tmp/full"
echo "full build of out/report.pdf: $(median < "$tmp/full") ms (median of $RUNS runs)"
echo "report.pdf: $(wc -c < "$tmp/r.pdf") bytes, $(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ {print $2}') pages"

# The three commands of `make outputs`, as the Makefile runs them, with
# out/ in the current directory.
report()   { "$PAIBAN" -s styles/print.xml --depfile out/.deps/report.d -o out/report.pdf xml/report.xml; }
imposed()  { "$PAIBAN" -s styles/print.xml --impose saddle --marks --sheet A3 \
               --depfile out/.deps/report-imposed.d -o out/report-imposed.pdf xml/report.xml; }
handouts() { "$PAIBAN" -s styles/handout.xml --split callout -o 'out/handouts/trend-%02d.pdf' \
               --depfile out/.deps/handouts.d --deptarget out/handouts/.built xml/report.xml; }
COMMANDS="report imposed handouts"

# all3 TAG: time the three commands once; append each to $tmp/TAG.NAME, their sum to $tmp/TAG.sum.
all3() {
    sum=0
    for c in $COMMANDS; do
        t=$(ms "$c")
        echo "$t" >> "$tmp/$1.$c"
        sum=$((sum + t))
    done
    echo "$sum" >> "$tmp/$1.sum"
}
# show TAG TITLE: the medians of all3's figures.
show() {
    echo "$2: $(median < "$tmp/$1.sum") ms (median of $RUNS runs; sum of the three commands per run)"
    echo "    report.pdf $(median < "$tmp/$1.report") ms, report-imposed.pdf $(median < "$tmp/$1.imposed") ms," \
         "10 handouts (one run) $(median < "$tmp/$1.handouts") ms"
}

# A copy of the sources to build in (and, below, to edit).
mkdir "$tmp/src"
cp -R xml styles "$tmp/src/"
cd "$tmp/src"

# Cold: every run starts from an empty out/.
for i in $(seq "$RUNS"); do
    rm -rf out
    mkdir -p out/.deps out/handouts
    all3 cold
done
show cold "cold full build (report.pdf + report-imposed.pdf + 10 handouts)"
echo "    $(ls out/handouts/*.pdf | wc -l) handouts, $(cat out/report.pdf out/report-imposed.pdf out/handouts/*.pdf | wc -c) bytes in all"

# One edit: change one character of trend 3, back and forth, so that every
# run rebuilds after a real edit with the previous outputs in place.
for i in $(seq "$RUNS"); do
    if [ $((i % 2)) = 1 ]; then from=精神追求 to=情神追求; else from=情神追求 to=精神追求; fi
    sed "s/$from/$to/" xml/trends/03.xml > xml/trends/03.xml.new
    mv xml/trends/03.xml.new xml/trends/03.xml
    all3 edit
done
show edit "one-edit rebuild (one character in xml/trends/03.xml; make reruns the three commands)"

# Peak resident memory of each command (kB), from GNU time.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    rss=
    for c in $COMMANDS; do
        case $c in
        report) set -- -s styles/print.xml -o out/report.pdf xml/report.xml ;;
        imposed) set -- -s styles/print.xml --impose saddle --marks --sheet A3 -o out/report-imposed.pdf xml/report.xml ;;
        handouts) set -- -s styles/handout.xml --split callout -o 'out/handouts/trend-%02d.pdf' xml/report.xml ;;
        esac
        kb=$(/usr/bin/time -f %M "$PAIBAN" "$@" 2>&1 >/dev/null | tail -1)
        rss="$rss $c $((kb / 1024)) MB,"
    done
    echo "peak RSS:${rss%,}"
else
    echo "peak RSS: skipped (/usr/bin/time, GNU time, is not installed)"
fi
cd - >/dev/null

"$BUILD/bench_compose" xml/report.xml styles/print.xml xml/paiban.rng 7
