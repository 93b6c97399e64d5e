#!/bin/sh
# composition.sh: Chinese composition quality measured on the PDF (design.md §4).
#
#   BUILD=build sh tests/e2e/composition.sh      (from the repository root)
#
# Glyph positions come from `mutool draw -F stext`; tests/e2e/py/compcheck.py
# measures them (its comment explains how advances are recovered from origins:
# a half-width mark's quad is still 1 em wide).  Checks, on every line:
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
#             <= 0.05 pt), Western spaces >= ¼ em, every word is a source word;
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
#       mutool reads a space, a paragraph's last line cut to one character);
#   (d) mutated style sheets, measured against the unmutated sheet: each must
#       trip its check (quanjiao → pairs, autospace=no → hanlatin,
#       text-align=left → flush, hanging → flush, trim → left).
#
# Environment: BUILD; PAIBAN_STYLE (default styles/print.xml).

. tests/e2e/lib.sh
e2e_init composition mutool python3

COMPCHECK=tests/e2e/py/compcheck.py
SEED=tests/data/seed-report.txt

# cc CMD ARGS...: run compcheck.py through run_py (lib.sh).
cc() { run_py "$COMPCHECK" "$@"; }

# build NAME STYLE XML: build $TMP/NAME.pdf; 0 on success (a FAIL is reported otherwise).
build() {
    run_paiban -s "$2" -o "$TMP/$1.pdf" "$3"
    if [ "$RC" -ne 0 ] || [ ! -s "$TMP/$1.pdf" ]; then
        fail "$1: paiban exited $RC"
        show "$TMP/err"
        return 1
    fi
    return 0
}

# ------------------------------------------------------------------ (a) report
echo "# (a) $REPORT_XML with $STYLE"
build report "$STYLE" "$REPORT_XML" && cc check "$TMP/report.pdf" "$STYLE" --source "$REPORT_XML" --label report

# --------------------------------------------------------- (b) the seed document
if ! python3 "$COMPCHECK" gen "$SEED" "$TMP/seed.xml" >"$TMP/gen.out" 2>&1; then
    fail "seed: cannot generate the document from $SEED"
    show "$TMP/gen.out"
    e2e_finish
fi
echo "# (b) $(cat "$TMP/gen.out" | sed 's/^ok gen: //')"
python3 "$COMPCHECK" restyle "$STYLE" "$TMP/narrow.xml" page margin-outer=136.64pt
python3 "$COMPCHECK" restyle "$TMP/narrow.xml" "$TMP/hang.xml" document \
    hanging-punctuation=yes punctuation-trim-start=yes
build seed "$STYLE" "$TMP/seed.xml" && cc check "$TMP/seed.pdf" "$STYLE" --source "$TMP/seed.xml" --label "seed 30em"
build narrow "$TMP/narrow.xml" "$TMP/seed.xml" &&
    cc check "$TMP/narrow.pdf" "$TMP/narrow.xml" --source "$TMP/seed.xml" --label "seed 22.35em"
build hang "$TMP/hang.xml" "$TMP/seed.xml" &&
    cc check "$TMP/hang.pdf" "$TMP/hang.xml" --source "$TMP/seed.xml" --label "seed 22.35em hanging+trim"

# ---------------------------------------------------------------- (c) self-test
echo "# (c) checker self-test on planted faults"
[ -s "$TMP/report.pdf" ] && cc selftest "$TMP/report.pdf" "$STYLE" --source "$REPORT_XML"

# ---------------------------------------------------------- (d) mutated sheets
echo "# (d) mutated style sheets, measured against the unmutated one"
# mutate NAME CHECK STYLENAME PROP=VALUE...: the seed built with the mutation trips CHECK
mutate() {
    m_name=$1 m_check=$2 m_style=$3
    shift 3
    python3 "$COMPCHECK" restyle "$TMP/narrow.xml" "$TMP/m-$m_name.xml" "$m_style" "$@"
    build "m-$m_name" "$TMP/m-$m_name.xml" "$TMP/seed.xml" &&
        cc check "$TMP/m-$m_name.pdf" "$TMP/narrow.xml" --source "$TMP/seed.xml" --expect-fail "$m_check" \
            --label "$*"
}
mutate quanjiao pairs document punctuation=quanjiao
mutate autospace hanlatin document autospace=no
mutate ragged flush p text-align=left
mutate hanging flush document hanging-punctuation=yes
mutate trim left document punctuation-trim-start=yes

e2e_finish
