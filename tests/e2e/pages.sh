#!/bin/sh
# pages.sh: how well the pages are filled and broken, measured on glyph and
# box positions (tests/e2e/py/pages.py; its docstring says how a page's
# content, the sections, callouts and continued labels are found).
#
#   BUILD=build sh tests/e2e/pages.sh      (from the repository root)
#
# Every PDF is built with SOURCE_DATE_EPOCH=1700000000.  The figures each
# check measures are printed as "#" lines (empty lines at each page's foot,
# handout fill, the long document's pages before a callout).
# (1) The print edition, $REPORT_XML with $STYLE, read by pages.py report:
#       foot      no body page that its section goes on past leaves more
#                 than 3 body lines empty at its foot (a page before a new
#                 section, and the last, are not measured): the pagination
#                 must not leave holes while text could still come up;
#       breaks    the body pages' lines tie to the source's text blocks, glyph
#                 by glyph; no page ends with a heading, callout title or
#                 badge (its text would be cut off from it); no paragraph
#                 leaves its first line alone at a page foot (orphan) or its
#                 last line alone at a page head (widow);
#       continued a box (a callout) that goes on from one page to the next
#                 shows its continued style's label (callout.continued,
#                 "（续）" in print.xml) at the top of the next page, and no
#                 other page does.  The label is not source text, so it is
#                 left out of the alignment; it is read from the style sheet:
#     and the self-test: each check fails on faults planted in the parsed
#     pages (a foot emptied, a heading moved to the foot of the page before,
#     an orphan, a widow, a continued label dropped, one planted where no box
#     goes on, one moved below the first line).
#     A copy of the style sheet with another continued label ("（接上页）")
#     builds a report that passes the same checks measured against it.
# (2) The handouts, styles/handout.xml with --split callout, read by
#     pages.py handouts: fill: each handout's content spans at least 55 % of
#     its text area's height (a handout is a page to hand out, not a slip at
#     the top of an empty sheet); the self-test: a handout cut to the top 40 %
#     fails, one with lines at the top and the foot of the area passes.
# (3) A long document, written by pages.py gen-long (about 45 pages of the
#     corpus, tests/data/corpus/manpages-zh-1.xml, at 20 em, with
#     vertical-justify, sections in the outline and 37 callouts kept together,
#     one of them taller than a page) and its style sheet, read by pages.py
#     long: no page before a callout moved whole to the top of the next page
#     leaves more than 3 body lines empty (keep-together must not cost a
#     page's worth of holes); breaks and continued as in (1), over its pages
#     (at least one continued label, the tall callout's); the self-test
#     plants an emptied foot before a callout (caught), an emptied foot
#     before a page with no callout at its top (ignored, until a callout
#     entry is planted there: caught), and the continued faults of (1).
#
# paiban must succeed without a sanitizer report; the checks run in one
# python process per step (pages.py ... --then ...).  About 5 s.
#
# Environment: BUILD; PAIBAN_STYLE, PAIBAN_XML (see lib.sh).

. tests/e2e/lib.sh
e2e_init pages mutool python3

PAGES=tests/e2e/py/pages.py
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

build() { e2e_build "$@"; }

# ------------------------------------------------------- (1) the print edition
echo "# (1) $REPORT_XML with $STYLE"
if build report -s "$STYLE" -o "$TMP/report.pdf" "$REPORT_XML" && [ -s "$TMP/report.pdf" ]; then
    set -- report "$TMP/report.pdf" "$REPORT_XML" "$STYLE" --selftest
    sed 's/label="（续）"/label="（接上页）"/' "$STYLE" >"$TMP/relabel.xml"
    if cmp -s "$STYLE" "$TMP/relabel.xml"; then
        fail "relabel: no label=\"（续）\" in $STYLE to change"
    elif build relabel -s "$TMP/relabel.xml" -o "$TMP/relabel.pdf" "$REPORT_XML"; then
        set -- "$@" --then report "$TMP/relabel.pdf" "$REPORT_XML" "$TMP/relabel.xml"
    fi
    run_py "$PAGES" "$@"
fi

# ---------------------------------------------------------------- (2) handouts
echo "# (2) handouts: styles/handout.xml --split callout"
mkdir "$TMP/handouts"
if build handouts -s styles/handout.xml --split callout -o "$TMP/handouts/trend-%02d.pdf" "$REPORT_XML"; then
    set -- "$TMP"/handouts/trend-*.pdf
    if [ -s "$1" ]; then
        run_py "$PAGES" handouts styles/handout.xml "$@" --selftest
    else
        fail "handouts: paiban --split callout wrote no $TMP/handouts/trend-NN.pdf"
    fi
fi

# ----------------------------------------------------------- (3) the long document
echo "# (3) the long document (pages.py gen-long)"
if python3 "$PAGES" gen-long "$TMP/long.xml" "$TMP/long-style.xml" >"$TMP/gen.out" 2>&1; then
    if build long -s "$TMP/long-style.xml" -o "$TMP/long.pdf" "$TMP/long.xml"; then
        run_py "$PAGES" long "$TMP/long.pdf" "$TMP/long.xml" "$TMP/long-style.xml" --selftest
    fi
else
    fail "long: pages.py gen-long failed"
    show "$TMP/gen.out"
fi

e2e_finish
