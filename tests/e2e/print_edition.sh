#!/bin/sh
# print_edition.sh: the press-ready PDFs: boxes, marks, imposition, PDF/X-4.
#
#   BUILD=build sh tests/e2e/print_edition.sh      (from the repository root)
#
# Builds xml/report.xml three ways into a temporary directory, with a copy of
# the style sheet whose <page> masters have a 3 mm bleed (added if missing):
# 1-up (as out/report.pdf), 1-up with --marks, and --impose saddle --marks
# --sheet A3 (as out/report-imposed.pdf).  Checks (one line per group):
#   - qpdf --check: no errors or warnings, for each;
#   - pdfinfo -box: page 1 of the 1-up build has MediaBox = BleedBox =
#     A5 + 3 mm and TrimBox = A5 at (3 mm, 3 mm);
#   - printcheck boxes/sheets: the same on every page (qpdf --json), with
#     marks 9 mm more MediaBox; imposed sheets have a centred spread as TrimBox;
#   - printcheck order: the text of each half-sheet (pdftotext -x -y -W -H
#     over the half's trim) is the whole text of the page the booklet order
#     puts there, blanks are empty, the count is padded to a multiple of 4;
#   - printcheck marks: 8 crop (+2 fold) registration strokes and a slug
#     naming the file on every sheet, none touching the BleedBox;
#   - printcheck meta: XMP well-formed with title, zh-Hans, dates, PDF/X-4;
#     Info, OutputIntent with a CMYK profile, /ID, PDF 1.6, TrimBox on every
#     page; links borderless, inside the trim, to pages; none when imposed;
#   - xmllint --noout on the XMP that pdfinfo -meta extracts;
#   - Ghostscript renders both PDFs without an error;
#   - determinism: rebuilding gives the same bytes (1-up and imposed);
#   - the default A4 sheet warns that bleed and marks do not fit, and still
#     writes the booklet; a bad --sheet is a usage error;
#   - printcheck selftest: every check above fails on planted faults.

. tests/e2e/lib.sh
e2e_init print_edition qpdf pdfinfo pdftotext mutool python3 xmllint cmp gs

PRINTCHECK=tests/e2e/py/printcheck.py
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

# The style sheet with a 3 mm bleed on every page master.
sed '/<page /{/bleed=/!s/<page /<page bleed="3mm" /}' "$STYLE" >"$TMP/style.xml"

# build NAME ARGS...: build the report into $TMP/NAME.pdf; FAIL and stop if it fails.
build() {
    build_name=$1
    shift
    run_paiban -s "$TMP/style.xml" "$@" -o "$TMP/$build_name.pdf" "$REPORT_XML"
    if [ "$RC" -ne 0 ] || [ ! -s "$TMP/$build_name.pdf" ]; then
        fail "build $build_name: paiban exited $RC"
        show "$TMP/err"
        e2e_finish
    fi
}

build report
build marks --marks
build imposed --impose saddle --marks --sheet A3
ok "build: 1-up $(wc -c <"$TMP/report.pdf") bytes, with marks $(wc -c <"$TMP/marks.pdf"), imposed $(wc -c <"$TMP/imposed.pdf")"

# ------------------------------------------------------------------ qpdf
for f in report marks imposed; do
    qpdf --check "$TMP/$f.pdf" >"$TMP/qpdf.out" 2>&1
    rc=$?
    issues=$(grep -i 'warning\|error' "$TMP/qpdf.out" | grep -v '^No syntax or stream encoding errors found' |
             grep -v '^errors that qpdf cannot detect')
    if [ "$rc" -eq 0 ] && [ -z "$issues" ]; then ok "qpdf --check $f.pdf: clean"
    else fail "qpdf --check $f.pdf: status $rc: $issues"; fi
done

# ------------------------------------------------------------- pdfinfo -box
pdfinfo -box "$TMP/report.pdf" >"$TMP/box.out" 2>&1
want='MediaBox:            0.00     0.00   436.54   612.28
CropBox:             0.00     0.00   436.54   612.28
BleedBox:            0.00     0.00   436.54   612.28
TrimBox:             8.50     8.50   428.03   603.78'
got=$(grep -E '^(Media|Crop|Bleed|Trim)Box:' "$TMP/box.out")
if [ "$got" = "$want" ]; then ok "pdfinfo -box: A5 TrimBox inside a 3 mm BleedBox = MediaBox"
else fail "pdfinfo -box: got"; echo "$got" | sed 's/^/    /'; fi

# ------------------------------------------------------ boxes, order, marks
run_py "$PRINTCHECK" boxes "$TMP/report.pdf" "$TMP/style.xml"
run_py "$PRINTCHECK" boxes "$TMP/marks.pdf" "$TMP/style.xml" --marks
run_py "$PRINTCHECK" sheets "$TMP/imposed.pdf" "$TMP/style.xml"
run_py "$PRINTCHECK" order "$TMP/report.pdf" "$TMP/imposed.pdf"
run_py "$PRINTCHECK" marks "$TMP/imposed.pdf" --saddle
run_py "$PRINTCHECK" marks "$TMP/marks.pdf"

# -------------------------------------------------------- metadata, PDF/X
run_py "$PRINTCHECK" meta "$TMP/report.pdf" "$REPORT_XML"
run_py "$PRINTCHECK" nolinks "$TMP/imposed.pdf"
if pdfinfo -meta "$TMP/report.pdf" | xmllint --noout - 2>"$TMP/xmllint.err"; then
    ok "xmllint: the XMP from pdfinfo -meta is well-formed"
else
    fail "xmllint: $(head -3 "$TMP/xmllint.err")"
fi
for f in report imposed; do
    if gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=nullpage -dPDFSTOPONERROR "$TMP/$f.pdf" \
        >"$TMP/gs.out" 2>&1 && ! grep -qi 'error' "$TMP/gs.out"; then
        ok "ghostscript renders $f.pdf without an error"
    else
        fail "ghostscript on $f.pdf: $(head -3 "$TMP/gs.out")"
    fi
done

# ----------------------------------------------------------- determinism
cp "$TMP/report.pdf" "$TMP/report1.pdf"
cp "$TMP/imposed.pdf" "$TMP/imposed1.pdf"
build report
build imposed --impose saddle --marks --sheet A3
if cmp -s "$TMP/report.pdf" "$TMP/report1.pdf" && cmp -s "$TMP/imposed.pdf" "$TMP/imposed1.pdf"; then
    ok "determinism: rebuilt 1-up and imposed PDFs are byte-identical"
else
    fail "determinism: rebuilds differ"
fi

# ------------------------------------------------- A4 default, bad options
build a4 --impose saddle --marks
if grep -q 'no room for the 3.0 mm bleed' "$TMP/err" && grep -q 'marks left out' "$TMP/err" &&
   pdfinfo "$TMP/a4.pdf" | grep -q 'Page size: *841.89 x 595.276 pts (A4)'; then
    ok "A4 (the default sheet): warns that bleed and marks do not fit, writes A4 landscape sheets"
else
    fail "A4 default: $(head -2 "$TMP/err")"
fi
run_paiban -s "$TMP/style.xml" --impose saddle --sheet A9 -o "$TMP/bad.pdf" "$REPORT_XML"
if [ "$RC" -eq 2 ] && grep -q "bad value 'A9' for --sheet" "$TMP/err" && [ ! -e "$TMP/bad.pdf" ]; then
    ok "--sheet A9: usage error, exit 2, no output"
else
    fail "--sheet A9: exit $RC: $(head -1 "$TMP/err")"
fi

# ------------------------------------------------------ checker self-test
run_py "$PRINTCHECK" selftest "$TMP/report.pdf" "$TMP/imposed.pdf" "$TMP/style.xml" "$REPORT_XML"

e2e_finish
