#!/bin/sh
# build_file.sh: paiban --build FILE, a build description (xml/build.rng,
# src/plan.h): one run writes every output the file names.
#
#   BUILD=build sh tests/e2e/build_file.sh      (from the repository root)
#
# Everything runs in a copy of xml/ and styles/, from its top (as make runs
# paiban), with SOURCE_DATE_EPOCH=1700000000 exported.  What is expected is
# read from xml/build.xml and the document it names by
# tests/e2e/py/build_file.py (its docstring details each check), never
# written down here.
# (a) paiban --build xml/build.xml, into empty output directories: the new
#     files in the copy are exactly those the description names (a split
#     output: one per element of the body, by its number=); each is
#     byte-identical (cmp) to what the equivalent single command line writes
#     (-s STYLE -o FILE [--impose ... --marks --sheet ...] [--split ...]
#     INPUT, the options from the <output>'s attributes), written under
#     another directory with the same names (the imposed file's slug line
#     prints its file name).
# (b) qpdf --check is clean on every output.
# (c) Errors: exit status, message and nothing written (neither an output
#     nor the --depfile).  Bad descriptions exit 1 with
#     "xml/bad-N.xml:LINE:COL: error: ..." at the fault (the line and column
#     found in the file by the text of the fault): an unknown attribute and
#     an unknown element (schema), sheet="A9" (naming sheet and A9), a sheet
#     without impose="saddle" or nup, a split file without %d, two outputs
#     naming one file (at the second, naming the file); an input that does
#     not exist exits 1 naming it.  --build with -o, with an input file, with
#     -s, --impose or --split exits 2 with "error: ... --build ..."; a
#     --build file that does not exist exits 1 or 2 naming it.
# (d) The same --build run again, and once more with --depfile, leaves every
#     output's mtime (ns) as it was: with --build, an output is written only
#     when its bytes change.
# (e) That --depfile lists xml/build.xml among its rule's prerequisites (an
#     edit of the description must remake the outputs).
# (f) --cache DIR: a build into a fresh out/ with an empty cache, again with
#     the cache it left, and again after every entry was damaged (a byte
#     flipped) writes outputs byte-identical to a build without --cache, and
#     the cache holds font subsets.
# The python checks also run a self-test: each fails on planted faults (a
# file missing, extra or vanished, split files misnamed, different bytes, a
# qpdf warning, a rewritten or new file, build.xml left out of the
# depfile).  Tried against broken paibans (wrappers): one that drops the
# last output of a description fails (a); one whose --build writes with
# --marks off fails (a); one that always deletes its outputs first fails (d).
#
# Environment: BUILD.

. tests/e2e/lib.sh
e2e_init build_file python3 qpdf grep sed awk

BF=tests/e2e/py/build_file.py
PAIBAN_ABS=$(cd "$(dirname "$PAIBAN")" && pwd)/$(basename "$PAIBAN")
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH
SRC=$TMP/src
mkdir "$SRC"
cp -R xml styles "$SRC/"
DESC=xml/build.xml

# in_src ARGS...: paiban ARGS in $SRC; stdout/stderr in $TMP/out, $TMP/err, status in $RC.
in_src() {
    (cd "$SRC" && "$PAIBAN_ABS" "$@") >"$TMP/out" 2>"$TMP/err"
    RC=$?
    check_sanitizer "$*"
}
# listing FILE: every file below $SRC, relative to it, sorted.
listing() { (cd "$SRC" && find . -type f | sed 's|^\./||' | sort) >"$1"; }

# ------------------------------------------------------------ (a) and (b)
echo "# (a) paiban --build $DESC writes what it describes, as the single commands do"
if python3 "$BF" outputs "$SRC" "$DESC" >"$TMP/outputs" 2>"$TMP/outputs.err" && [ -s "$TMP/outputs" ]; then
    ok "$DESC describes $(wc -l <"$TMP/outputs") files"
else
    fail "cannot read the outputs of $DESC"
    show "$TMP/outputs"
    show "$TMP/outputs.err"
    e2e_finish
fi
# paiban makes no directories (the Makefile does): those of the outputs.
while IFS= read -r f; do mkdir -p "$SRC/$(dirname "$f")"; done <"$TMP/outputs"
listing "$TMP/before"
in_src --build "$DESC"
listing "$TMP/after"
if [ "$RC" -eq 0 ]; then
    ok "paiban --build $DESC exited 0"
else
    fail "paiban --build $DESC exited $RC"
    show "$TMP/err"
fi
# Checked in the background while (c) runs: the single commands write under
# single/, which no other check looks at.
py_start a "$BF" exact "$SRC" "$DESC" "$TMP/before" "$TMP/after" "--build $DESC writes exactly the files it describes" \
    --then singles "$SRC" "$DESC" "$PAIBAN_ABS" single \
    --then qpdf "$SRC" "$DESC" \
    --then selftest "$SRC" "$DESC"

# ----------------------------------------------------------------- (c) errors
# Its lines go to $TMP/c.log, shown after (a)'s (a { } group: no subshell,
# so the tally counts them).
{
echo "# (c) errors: status, message, nothing written"
mkdir -p "$SRC/bad/h"
BAD_N=0
# nothing_written LABEL: ok when $SRC/bad holds no file, else a FAIL naming them.
nothing_written() {
    nw=$(cd "$SRC/bad" && find . -type f | sed 's|^\./||' | tr '\n' ' ')
    if [ -n "$nw" ]; then
        fail "$1: wrote $nw"
        (cd "$SRC/bad" && find . -type f -exec rm -f {} +)
        return 1
    fi
    return 0
}
# bad_desc LABEL NEEDLE REGEX: the build description on stdin (its outputs
# in ../bad/) must make paiban --build exit 1 with a first error line
# "FILE:LINE:COL: error: " at the first occurrence of NEEDLE in it, the line
# matching REGEX (grep -E), writing nothing.
bad_desc() {
    BAD_N=$((BAD_N + 1))
    bd_file=xml/bad-$BAD_N.xml
    cat >"$SRC/$bd_file"
    bd_pos=$(awk -v n="$2" 'i = index($0, n) { print NR ":" i; exit }' "$SRC/$bd_file")
    [ -n "$bd_pos" ] || { fail "$1: the test's description lacks '$2'"; return; }
    in_src --build "$bd_file" --depfile bad/d.d
    bd_first=$(grep -m1 'error:' "$TMP/err")
    bd_want="$bd_file:$bd_pos: error: "
    case $bd_first in
    "$bd_want"*) bd_at=1 ;;
    *) bd_at=0 ;;
    esac
    if [ "$RC" -eq 1 ] && [ "$bd_at" -eq 1 ] && printf '%s\n' "$bd_first" | grep -Eq -- "$3"; then
        nothing_written "$1" && ok "$1: exit 1, $bd_first"
    else
        fail "$1: exit $RC (expected 1), first error line (expected '$bd_want...' matching /$3/): ${bd_first:-none}"
        show "$TMP/err"
        nothing_written "$1"
    fi
}
bad_desc "an unknown attribute" 'colour=' 'colour' <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml" colour="red"/>
</build>
EOF
bad_desc "an unknown element" '<extra' 'extra' <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
  <extra file="../bad/e.pdf"/>
</build>
EOF
bad_desc 'sheet="A9"' 'sheet="A9"' 'sheet.*A9|A9.*sheet' <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
  <output file="../bad/i.pdf" style="../styles/print.xml"
          impose="saddle" marks="yes" sheet="A9"/>
</build>
EOF
bad_desc "a sheet without impose=\"saddle\" or nup" '<output file="../bad/i.pdf"' 'sheet' <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
  <output file="../bad/i.pdf" style="../styles/print.xml" marks="yes" sheet="A3"/>
</build>
EOF
bad_desc "a split file without %d" '<output file="../bad/h/trend.pdf"' '%d' <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
  <output file="../bad/h/trend.pdf" style="../styles/handout.xml" split="callout"/>
</build>
EOF
bad_desc "two outputs naming one file" '<output file="../bad/same.pdf" style="../styles/handout.xml"' 'bad/same\.pdf' <<'EOF'
<build input="report.xml">
  <output file="../bad/same.pdf" style="../styles/print.xml"/>
  <output file="../bad/h/t-%d.pdf" style="../styles/handout.xml" split="callout"/>
  <output file="../bad/same.pdf" style="../styles/handout.xml" select="trend-3"/>
</build>
EOF
bad_desc "a split file one of whose numbers another output names" '<output file="../bad/h/t-3.pdf"' 'bad/h/t-3\.pdf' <<'EOF'
<build input="report.xml">
  <output file="../bad/h/t-%d.pdf" style="../styles/handout.xml" split="callout"/>
  <output file="../bad/h/t-3.pdf" style="../styles/print.xml"/>
</build>
EOF
# An input that does not exist: exit 1 naming it (no position: it has none).
cat >"$SRC/xml/bad-in.xml" <<'EOF'
<build input="nope-in.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
</build>
EOF
in_src --build xml/bad-in.xml --depfile bad/d.d
if [ "$RC" -eq 1 ] && grep -q 'error:.*nope-in\.xml\|nope-in\.xml.*error:' "$TMP/err"; then
    nothing_written "an input that does not exist" && ok "an input that does not exist: exit 1, $(grep -m1 'error:' "$TMP/err")"
else
    fail "an input that does not exist: exit $RC (expected 1), stderr naming nope-in.xml: $(grep -c nope-in "$TMP/err") lines"
    show "$TMP/err"
    nothing_written "an input that does not exist"
fi

# A good description (outputs in ../bad/) for the command-line errors.
cat >"$SRC/xml/good.xml" <<'EOF'
<build input="report.xml">
  <output file="../bad/r.pdf" style="../styles/print.xml"/>
</build>
EOF
# bad_usage LABEL ARGS...: paiban --build xml/good.xml ARGS must exit 2 with
# an error naming --build, writing nothing.
bad_usage() {
    bu_label=$1
    shift
    in_src --build xml/good.xml --depfile bad/d.d "$@"
    if [ "$RC" -eq 2 ] && grep -q 'error:.*--build' "$TMP/err"; then
        nothing_written "$bu_label" && ok "$bu_label: exit 2, $(grep -m1 'error:' "$TMP/err")"
    else
        fail "$bu_label: exit $RC (expected 2), error lines naming --build: $(grep -c 'error:.*--build' "$TMP/err")"
        show "$TMP/err"
        nothing_written "$bu_label"
    fi
}
bad_usage "--build with -o" -o bad/o.pdf
bad_usage "--build with an input file" xml/report.xml
bad_usage "--build with -s" -s styles/print.xml
bad_usage "--build with --impose" --impose saddle
bad_usage "--build with --split" --split callout
# A --build file that does not exist: exit 1 or 2 naming it.
in_src --build xml/nope-build.xml --depfile bad/d.d
if { [ "$RC" -eq 1 ] || [ "$RC" -eq 2 ]; } && grep -q 'error:.*nope-build\.xml\|nope-build\.xml.*error:' "$TMP/err"; then
    nothing_written "a --build file that does not exist" &&
        ok "a --build file that does not exist: exit $RC, $(grep -m1 'error:' "$TMP/err")"
else
    fail "a --build file that does not exist: exit $RC (expected 1 or 2), stderr naming it: $(grep -c nope-build "$TMP/err") lines"
    show "$TMP/err"
    nothing_written "a --build file that does not exist"
fi
} >"$TMP/c.log"

py_collect a
cat "$TMP/c.log"

# ------------------------------------------------------------ (d) and (e)
echo "# (d) the same run again rewrites nothing; (e) --depfile"
python3 "$BF" mtimes "$SRC/out" >"$TMP/m1"
in_src --build "$DESC"
[ "$RC" -eq 0 ] || { fail "the second paiban --build $DESC exited $RC"; show "$TMP/err"; }
python3 "$BF" mtimes "$SRC/out" >"$TMP/m2"
mkdir "$SRC/deps"
in_src --build "$DESC" --depfile deps/build.d
[ "$RC" -eq 0 ] || { fail "paiban --build $DESC --depfile deps/build.d exited $RC"; show "$TMP/err"; }
python3 "$BF" mtimes "$SRC/out" >"$TMP/m3"
if [ -f "$SRC/deps/build.d" ]; then
    set -- --then depfile "$SRC" "$SRC/deps/build.d" "$DESC"
else
    fail "--build $DESC --depfile deps/build.d wrote no dependency file"
    set --
fi
run_py "$BF" unchanged "$TMP/m1" "$TMP/m2" "--build $DESC run again: no output rewritten" \
    --then unchanged "$TMP/m2" "$TMP/m3" "--build $DESC run again with --depfile: no output rewritten" "$@"

# ------------------------------------------------------------------ (f)
echo "# (f) --cache: the same bytes with a cold, a warm and a damaged cache"
# Outputs made with the cache must be byte-identical to those made without;
# a damaged entry must be a miss, never a broken PDF.
mkdir "$SRC/nocache"
cp -R "$SRC/out" "$SRC/nocache/"
cache_round() { # LABEL: build into a fresh out/ with --cache cache, compare with nocache/out
    rm -rf "$SRC/out"
    (cd "$SRC/nocache" && find out -type d) | while read -r d; do mkdir -p "$SRC/$d"; done
    in_src --build "$DESC" --cache cache
    if [ "$RC" -ne 0 ]; then
        fail "--cache ($1): exit $RC"
        show "$TMP/err"
    elif diff -r "$SRC/out" "$SRC/nocache/out" >"$TMP/cache.diff" 2>&1; then
        ok "--cache ($1): every output byte-identical to the build without a cache"
    else
        fail "--cache ($1): outputs differ from the build without a cache: $(head -3 "$TMP/cache.diff")"
    fi
}
cache_round "cold"
n=$(find "$SRC/cache" -type f -name 'font-*' 2>/dev/null | wc -l)
if [ "$n" -gt 0 ]; then ok "--cache cache: $n font subsets kept"; else fail "--cache cache: nothing kept"; fi
cache_round "warm"
# Damage every entry: flip the last byte of each.
for f in "$SRC"/cache/font-*; do
    python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[-1]^=1; open(p,"wb").write(d)' "$f"
done
cache_round "every entry damaged"

e2e_finish
