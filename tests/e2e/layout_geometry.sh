#!/bin/sh
# layout_geometry.sh: page geometry of the report and of a synthetic long
# document, measured on glyph positions (mutool draw -F stext).
#
#   BUILD=build sh tests/e2e/layout_geometry.sh      (from the repository root)
#
# Page roles come from the style sheet and the PDF (pdfcheck.py
# prepare_sheet): the <front> parts first, each on its master (a part without
# a contents list takes one page; the contents run over the pages that list
# the outline), then the body on the default master.
# Per page (tests/e2e/py/pdfcheck.py, function geometry_report):
#   - every glyph but the running head and the folio lies in the text area of
#     the page's master: left/right from margin-inner and margin-outer (odd
#     pages are rectos, inner margin on the left), top and bottom margins;
#     glyph height is the em box (0.88 em up, 0.12 em down);
#   - below the text area there is exactly the folio on pages whose master
#     has folio!=no, nothing elsewhere (the cover, the title page): it reads
#     the page number, is centred on the text area (0.5 pt), its baseline is
#     folio-offset above the bottom edge, and it is the page's last line;
#   - above the text area there is exactly the running head on pages whose
#     master has a running-head pattern for their side (the body), nothing
#     elsewhere: inside the top margin, its baseline running-head-offset
#     below the top edge, in the running-head-verso/-recto style's font,
#     flush left / flush right on the text area as that style says;
#   - (not on the contents pages:) no line starts with a CLREQ not-at-line-start mark (、。，．：；！？”’）》〉」』】
#     〗〕］｝ ～ – · ・, a dash or ellipsis, ASCII closers) and none ends with
#     a not-at-line-end mark (“‘（《〈「『【〖〔［｛, ASCII openers);
#   - body lines (the font of style p: Noto Serif CJK SC 10.5 pt, in or out
#     of callouts) start on their measure (flush or with the 2 em indent);
#     those that are not the last of their paragraph end at the measure's
#     right edge within 0.1 pt (callout measures are inset by border-width +
#     padding).  A line is the last of its paragraph when the next line is
#     indented, in another font or size, on another measure, or there is
#     none; a body line at a page foot followed by an unindented body line on
#     the same measure at the next page's head continues its paragraph;
#   - a heading line (style heading: Sans Bold 14 pt) is never a page's last line;
#   - no two stext lines have intersecting boxes.
# The synthetic document (pdfcheck.py gen-long): the report plus 6 copies of
# its trends section (ids made unique) and a section with one callout of 40
# paragraphs, taller than a page.  paiban must succeed; the same checks must
# pass; it must have more than 20 pages; the giant callout's 40 paragraphs
# must all be there in order, on at least 3 consecutive pages; and its text
# must match the source like the report's (pdfcheck.py text), its contents
# (81 entries) running over several pages.
#
# Environment: BUILD; PAIBAN_STYLE, PAIBAN_XML (see lib.sh); PAIBAN_PDF to
# check an existing PDF instead of building the report.

. tests/e2e/lib.sh
e2e_init layout_geometry mutool pdftotext pdfinfo python3

# ---------------------------------------------------------------- report
REPORT_PDF=
run_paiban -s "$STYLE" -o "$TMP/report.pdf" "$REPORT_XML"
if [ "$RC" -ne 0 ]; then
    fail "report: paiban exited $RC on $REPORT_XML"
    show "$TMP/err"
else
    ok "report: built $REPORT_XML"
    REPORT_PDF=${PAIBAN_PDF:-$TMP/report.pdf}
fi

# ----------------------------------------------------- synthetic long document
if ! python3 "$PDFCHECK" gen-long "$REPORT_XML" "$TMP/long.xml" >"$TMP/gen.out" 2>&1; then
    fail "long: cannot generate the synthetic document"
    show "$TMP/gen.out"
    e2e_finish
fi
run_paiban -s "$STYLE" -o "$TMP/long.pdf" "$TMP/long.xml"
if [ "$RC" -ne 0 ] || [ ! -s "$TMP/long.pdf" ]; then
    fail "long: paiban exited $RC on the synthetic document"
    show "$TMP/err"
    e2e_finish
fi
ok "long: paiban built the synthetic document ($(wc -c <"$TMP/long.xml") bytes of XML)"
# one python run for the three (a python start costs a few tenths of a second)
set --
[ -n "$REPORT_PDF" ] && set -- echo "report ($REPORT_XML)" --then geometry "$REPORT_PDF" "$STYLE" --source "$REPORT_XML" --then
pycheck "$@" echo "synthetic long document" \
    --then geometry "$TMP/long.pdf" "$STYLE" --source "$TMP/long.xml" --min-pages 20 --giant "巨型标注第" 40 \
    --then text "$TMP/long.pdf" "$TMP/long.xml" "$STYLE" --multi-page-parts

e2e_finish
