#!/bin/sh
# make bench: speed figures, each the median of several runs.
set -e
BUILD=${BUILD:-build}
RUNS=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Median of the numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Wall time in milliseconds of one run of the command.
ms() { s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

for i in $(seq "$RUNS"); do ms "$BUILD/paiban" -s styles/print.xml -o "$tmp/r.pdf" xml/report.xml; done > "$tmp/full"
echo "full build of out/report.pdf: $(median < "$tmp/full") ms (median of $RUNS runs)"
echo "report.pdf: $(wc -c < "$tmp/r.pdf") bytes, $(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ {print $2}') pages"
"$BUILD/bench_compose" xml/report.xml styles/print.xml xml/paiban.rng 7
