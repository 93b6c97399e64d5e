#!/bin/sh
# realtext.sh: the composer measured on real Chinese technical prose (issue 9).
#
#   BUILD=build sh tests/e2e/realtext.sh      (from the repository root)
#
# The corpus: tests/data/corpus/manpages-zh-*.xml, 1,465 paragraphs of
# Debian's Chinese manual pages (package manpages-zh, GFDL; see the README
# there), Han text mixed with commands, options, paths, URLs and e-mail
# addresses.  Every file is built at two measures, exactly 20 em and 30 em
# of 10.5pt type (tests/data/corpus/measure-20em.xml, measure-30em.xml), and
# tests/e2e/py/realtext.py measures glyph positions (mutool draw -F stext)
# against the source text; its comment says how lines are tied to the
# source's paragraphs.  For each measure, over every file:
#   gaps      no gap between two adjacent Han characters on a justified
#             (non-final) line above 0.5 em where the source has no space
#             (the counts over 0.5 em and 1 em and the worst are printed);
#   short     no non-final line of 8 characters or fewer;
#   split     no Latin word split between two letters or digits without a
#             hyphen, except in a piece wider than the measure that has no
#             break point of issue 9 item 1 (after '/', before . ? # & = _ -);
#             breaks at those points are counted;
#   lastline  no paragraph ends in a line of one Han character, alone or
#             followed by punctuation only;
#   text      pdftotext -raw (folios off) is the source text, white space
#             aside, so no added hyphen in it; the glyphs match it too;
# and a self-test (on the first file at 30 em): a Han gap widened, a line
# cut short, a word split, a lone last character, a glyph dropped, a
# character dropped from the text and a hyphen left in it, each planted in
# the parsed data, must be caught by its check; a hyphenated word and a
# break after '/' must be accepted and counted.
#
# Speed: the PDFs are built in parallel, then one realtext.py run per
# measure measures its files, one process per CPU.
#
# Environment: BUILD.

. tests/e2e/lib.sh
e2e_init realtext mutool pdftotext pdfinfo python3

CORPUS=tests/data/corpus
REALTEXT=tests/e2e/py/realtext.py
MEASURES="20em 30em"

ls "$CORPUS"/manpages-zh-*.xml >"$TMP/files" 2>/dev/null
if [ ! -s "$TMP/files" ]; then
    fail "no corpus files $CORPUS/manpages-zh-*.xml"
    e2e_finish
fi

# build NAME STYLE XML: start building $TMP/NAME.pdf in the background.
build() {
    ( "$PAIBAN" -s "$2" -o "$TMP/$1.pdf" "$3" >"$TMP/$1.out" 2>"$TMP/$1.err"; echo $? >"$TMP/$1.rc" ) &
}

# built NAME: 0 when the build of NAME succeeded (no warning either: a
# missing glyph would make the text check fail for the wrong reason).
built() {
    cp "$TMP/$1.err" "$TMP/err" 2>/dev/null
    check_sanitizer "-o $1.pdf"
    if [ "$(cat "$TMP/$1.rc" 2>/dev/null)" != 0 ] || [ ! -s "$TMP/$1.pdf" ]; then
        fail "$1: paiban exited $(cat "$TMP/$1.rc" 2>/dev/null)"
        show "$TMP/$1.err"
        return 1
    fi
    if [ -s "$TMP/$1.err" ]; then
        fail "$1: paiban warned"
        show "$TMP/$1.err"
    fi
    return 0
}

for m in $MEASURES; do
    while read -r f; do
        build "$(basename "$f" .xml)-$m" "$CORPUS/measure-$m.xml" "$f"
    done <"$TMP/files"
done
wait

for m in $MEASURES; do
    set -- check "$m" "$CORPUS/measure-$m.xml"
    n=0
    while read -r f; do
        name=$(basename "$f" .xml)-$m
        built "$name" && set -- "$@" "$TMP/$name.pdf:$f" && n=$((n + 1))
    done <"$TMP/files"
    [ "$m" = 30em ] && set -- "$@" --selftest
    [ "$n" -gt 0 ] && run_py "$REALTEXT" "$@"
done

e2e_finish
