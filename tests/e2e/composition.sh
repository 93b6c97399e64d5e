#!/bin/sh
# composition.sh: Chinese composition quality measured on the PDF (design.md §4).
#
#   BUILD=build sh tests/e2e/composition.sh      (from the repository root)
#
# Glyph positions come from `mutool draw -F stext`; tests/e2e/py/compcheck.py
# measures them (its comment explains how advances are recovered from origins:
# a half-width mark's quad is still 1 em wide).  Checks, on every composed
# line: the lines inside the text area of each page's master (cover, title
# page, body), not running heads or folios, and not the contents pages, whose
# right-aligned page numbers are not composed text:
#   breaks    no line starts with a not-at-start mark or ends with a not-at-end mark;
#   left      body lines start on their measure (trimmed brackets ½ em before it);
#   flush     every non-final line of a justified paragraph ends at the right edge
#             of its measure within 0.1 pt (a line-end ，。」… set half width ends
#             ½ em after its origin; a hanging 、，。 has its origin on the edge),
#             and no line runs past it;
#   hanlatin  Han–Latin spacing is ¼ em on lines at natural width (paragraphs'
#             last lines and heading lines ending short of their measure) and
#             within ⅛…⅓ em everywhere (the line's inter-character stretch taken
#             off); a source space between Han and Latin must come out the same;
#   pairs     two adjacent full-width marks take at most 1.5 em (first mark's
#             origin to the next character's, less the stretch of their gaps);
#   letters   letters of a Latin word sit at their natural advance (quad gap
#             <= 0.05 pt), Western spaces >= min(¼ em, the font's natural space:
#             the composer only shrinks a space, and only to ¼ em; Noto Sans
#             CJK's is 0.224 em), every word is a word of the source;
#   lastline  no paragraph or heading ends in a line of one letter/ideograph.
# Documents:
#   (a) xml/report.xml with styles/print.xml;
#   (b) a document generated from tests/data/seed-report.txt (compcheck.py gen:
#       the seed's paragraphs, its trends as callouts, its short lines as
#       headings, then paragraphs combined in pairs, every third with spaces
#       put between Han and Latin: 60 paragraphs) with styles/print.xml
#       (30 em measure), a narrow variant (margin-outer
#       +80.3 pt: a 22.35 em measure, so every line needs adjusting), and the
#       narrow variant with hanging punctuation and trimmed brackets;
#   (c) the checker's self-test: every check passes on (a) and fails on planted
#       faults in its parsed data (compcheck.py selftest: a line starting with ，
#       or ending with （, a line's first glyph 0.3 pt off the measure, a
#       justified line 0.2 pt short, a line-end mark set full width, Han–Latin
#       spacing of 0.2 em on a natural-width line, of 0.1 and 0.4 em anywhere, a mark
#       pair 0.3 em wider, a letter moved 0.15 pt, letters spaced so far that
#       mutool reads a space, a Western space of 0.23 em, a paragraph's last
#       line cut to one character);
#   (d) mutated style sheets, measured against the unmutated sheet: each must
#       trip its check (quanjiao → pairs, autospace=no → hanlatin,
#       text-align=left → flush, hanging → flush, trim → left).
#
# Speed: every PDF is built first (in parallel), then one compcheck.py batch
# measures them all, one process per CPU; a mutated sheet's PDF is measured
# by the check it must trip only.
#
# Environment: BUILD; PAIBAN_STYLE (default styles/print.xml).

. tests/e2e/lib.sh
e2e_init composition mutool python3

COMPCHECK=tests/e2e/py/compcheck.py
SEED=tests/data/seed-report.txt

# cc CMD ARGS...: run compcheck.py through run_py (lib.sh).
cc() { run_py "$COMPCHECK" "$@"; }

# build NAME STYLE XML: start building $TMP/NAME.pdf in the background.
build() {
    ( "$PAIBAN" -s "$2" -o "$TMP/$1.pdf" "$3" >"$TMP/$1.out" 2>"$TMP/$1.err"; echo $? >"$TMP/$1.rc" ) &
}

# built NAME: 0 when the build of NAME succeeded; a FAIL is reported otherwise.
built() {
    cp "$TMP/$1.err" "$TMP/err" 2>/dev/null
    check_sanitizer "-o $1.pdf"
    if [ "$(cat "$TMP/$1.rc" 2>/dev/null)" != 0 ] || [ ! -s "$TMP/$1.pdf" ]; then
        fail "$1: paiban exited $(cat "$TMP/$1.rc" 2>/dev/null)"
        show "$TMP/$1.err"
        return 1
    fi
    return 0
}

# MUTATIONS: NAME CHECK STYLENAME PROP=VALUE (each must trip CHECK)
MUTATIONS="quanjiao pairs document punctuation=quanjiao
autospace hanlatin document autospace=no
ragged flush p text-align=left
hanging flush document hanging-punctuation=yes
trim left document punctuation-trim-start=yes"
echo "$MUTATIONS" >"$TMP/mutations"
# the seed document and every style sheet variant, in one python run
set -- gen "$SEED" "$TMP/seed.xml" \
    --then restyle "$STYLE" "$TMP/narrow.xml" page margin-outer=136.64pt \
    --then restyle "$TMP/narrow.xml" "$TMP/hang.xml" document hanging-punctuation=yes punctuation-trim-start=yes
while read -r m_name m_check m_style m_prop; do
    set -- "$@" --then restyle "$TMP/narrow.xml" "$TMP/m-$m_name.xml" "$m_style" "$m_prop"
done <"$TMP/mutations"
if ! python3 "$COMPCHECK" "$@" >"$TMP/gen.out" 2>&1 || [ ! -s "$TMP/m-trim.xml" ]; then
    fail "seed: cannot generate the document from $SEED and the style sheet variants"
    show "$TMP/gen.out"
    e2e_finish
fi

build report "$STYLE" "$REPORT_XML"
build seed "$STYLE" "$TMP/seed.xml"
build narrow "$TMP/narrow.xml" "$TMP/seed.xml"
build hang "$TMP/hang.xml" "$TMP/seed.xml"
while read -r m_name m_check m_style m_prop; do
    build "m-$m_name" "$TMP/m-$m_name.xml" "$TMP/seed.xml"
done <"$TMP/mutations"
wait

# One job per line for compcheck.py batch; "echo" lines are section titles.
jobs=$TMP/jobs
{
    echo "echo (a) $REPORT_XML with $STYLE"
    built report && echo "check $TMP/report.pdf $STYLE --source $REPORT_XML --label report"
    echo "echo (b) $(sed 's/^ok gen: //' "$TMP/gen.out")"
    built seed && echo "check $TMP/seed.pdf $STYLE --source $TMP/seed.xml --label 'seed 30em'"
    built narrow && echo "check $TMP/narrow.pdf $TMP/narrow.xml --source $TMP/seed.xml --label 'seed 22.35em'"
    built hang && echo "check $TMP/hang.pdf $TMP/hang.xml --source $TMP/seed.xml --label 'seed 22.35em hanging+trim'"
    echo "echo (c) checker self-test on planted faults"
    [ -s "$TMP/report.pdf" ] && echo "selftest $TMP/report.pdf $STYLE --source $REPORT_XML"
    echo "echo (d) mutated style sheets, measured against the unmutated one"
    while read -r m_name m_check m_style m_prop; do
        built "m-$m_name" && echo "check $TMP/m-$m_name.pdf $TMP/narrow.xml --source $TMP/seed.xml --expect-fail $m_check --label '$m_prop'"
    done <"$TMP/mutations"
} >"$jobs"
cc batch "$jobs"

e2e_finish
