#!/bin/sh
# layout_geometry.sh: page geometry of the report and of a synthetic long
# document, measured on glyph positions (mutool draw -F stext).
#
#   BUILD=build sh tests/e2e/layout_geometry.sh      (from the repository root)
#
# Per page (tests/e2e/py/pdfcheck.py, function geometry_report):
#   - every glyph lies in the text area: left/right from margin-inner and
#     margin-outer (odd pages are rectos, inner margin on the left), top and
#     bottom margins; glyph height is the em box (0.88 em up, 0.12 em down);
#   - the only line below the text area is the folio: it reads the page
#     number, is centred on the text area (0.5 pt), its baseline is
#     folio-offset above the bottom edge, and it is the page's last line;
#   - no line starts with a CLREQ not-at-line-start mark (、。，．：；！？”’）》〉」』】
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
# must match the source like the report's (pdfcheck.py text).
#
# Environment: BUILD; PAIBAN_STYLE, PAIBAN_XML (see lib.sh); PAIBAN_PDF to
# check an existing PDF instead of building the report.

. tests/e2e/lib.sh
e2e_init layout_geometry mutool pdftotext pdfinfo python3

# ---------------------------------------------------------------- report
run_paiban -s "$STYLE" -o "$TMP/report.pdf" "$REPORT_XML"
if [ "$RC" -ne 0 ]; then
    fail "report: paiban exited $RC on $REPORT_XML"
    show "$TMP/err"
else
    ok "report: built $REPORT_XML"
    echo "# report ($REPORT_XML)"
    pycheck geometry "${PAIBAN_PDF:-$TMP/report.pdf}" "$STYLE"
fi

# ----------------------------------------------------- synthetic long document
echo "# synthetic long document"
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
pycheck geometry "$TMP/long.pdf" "$STYLE" --min-pages 20 --giant "巨型标注第" 40
pycheck text "$TMP/long.pdf" "$TMP/long.xml" "$STYLE"

e2e_finish
