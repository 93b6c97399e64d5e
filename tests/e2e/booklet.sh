#!/bin/sh
# booklet.sh: the print edition as a booklet (issue 4): contents, outline,
# links, running heads, folios, the cover's background, images.
#
#   BUILD=build sh tests/e2e/booklet.sh      (from the repository root)
#
# (1) The report built with the style sheet, read back by
#     tests/e2e/py/booklet.py check (its docstring details each check):
#   toc         the contents list every outline title (section headings,
#               callout badge + title) in order, and each page number is the
#               page where that title really lands (pdftotext -f N -l N of the
#               body pages, running head and folio off);
#   outline     mutool show PDF outline mirrors the contents: same titles,
#               same order, same target pages; depth matches the indent;
#   links       every contents line lies under a /Link annotation (qpdf
#               --json) whose destination is page (number - 1, 0-based),
#               showing it from at most 72 pt above the title;
#   heads       on verso body pages the first line is the metadata title, on
#               recto body pages the outline title current there (the first
#               landing on it, else the last before it); front pages none;
#   folios      no folio on folio="no" pages (cover, title page), no running
#               head on the cover; body folios are physical page numbers;
#   background  the cover rendered at 20 dpi (pdftoppm) is >= 99% the
#               cover master's background outside its text, and so is its
#               bleed strip once the PDF has a BleedBox beyond the TrimBox.
#     Then the self-test: each check fails on planted faults (a wrong page
#     number, swapped entries, a moved heading, outline page / order / title
#     / depth, swapped or stale or missing running heads, a head on the title
#     page, a folio on the cover, body folios counted from 1, a white or 90%
#     or trim-only cover background; links on copies of the PDF with link
#     annotations planted by qpdf: correct ones pass, a wrong destination, a
#     missing link, a link over another line, a view far above the title
#     fail).
#     And two mutated style sheets (running heads swapped between versos and
#     rectos; folio="yes" on the cover): their PDFs pass toc, heads and folios
#     measured against their own sheet (roles, heads and folios are read
#     from the sheet) and fail heads / folios measured against the original.
# (2) Images: a document with three figures, a 300x200 PNG and a 1600x100
#     PNG written by booklet.py (zlib + struct) and a 240x160 JPEG made by
#     pdftoppm -jpeg from the report's cover (skipped when pdftoppm has no
#     JPEG support): paiban succeeds; pdfimages -list shows the three in
#     order at their pixel sizes, 300 ppi (the wide one scaled down to the
#     measure); mutool's trace draws each inside the text area, centred;
#     the same check fails on planted faults (a wrong pixel size, 150 ppi,
#     an image off centre, drawn twice as big, not drawn, out of order).
# (3) Image errors, each with no PDF left at the output path and no
#     temporary file beside it: a missing file -> exit 1 and exactly
#     "XML:LINE:COL: error: image 'PATH': no such file" (the <image>'s line
#     and column, the path resolved against the XML's directory); random
#     bytes named .png, and a truncated PNG -> exit 1 with "corrupt" and the
#     path; a PNG with a valid header but garbage data -> exit 1, naming it.
#
# Environment: BUILD; PAIBAN_STYLE, PAIBAN_XML (see lib.sh).

. tests/e2e/lib.sh
e2e_init booklet mutool pdftotext pdfinfo pdfimages pdftoppm qpdf python3

BOOKLET=tests/e2e/py/booklet.py
bk() { run_py "$BOOKLET" "$@"; }

# ------------------------------------------------------------- (1) the report
echo "# (1) $REPORT_XML with $STYLE"
run_paiban -s "$STYLE" -o "$TMP/report.pdf" "$REPORT_XML"
if [ "$RC" -ne 0 ] || [ ! -s "$TMP/report.pdf" ]; then
    fail "report: paiban exited $RC"
    show "$TMP/err"
    e2e_finish
fi
mkdir "$TMP/planted"

# mutant NAME SED-SCRIPT: $TMP/NAME.xml is the style sheet edited by the
# script, $TMP/NAME.pdf the report built with it; 0 when both worked.
mutant() {
    sed "$2" "$STYLE" >"$TMP/$1.xml"
    if cmp -s "$STYLE" "$TMP/$1.xml"; then
        fail "mutant $1: the edit did not change $STYLE"
        return 1
    fi
    run_paiban -s "$TMP/$1.xml" -o "$TMP/$1.pdf" "$REPORT_XML"
    if [ "$RC" -ne 0 ] || [ ! -s "$TMP/$1.pdf" ]; then
        fail "mutant $1: paiban exited $RC"
        show "$TMP/err"
        return 1
    fi
}
# Running heads swapped between versos and rectos, and a folio on the cover:
# measured against their own sheet they pass (the checks read the sheet),
# against the original they fail.
set -- check "$TMP/report.pdf" "$REPORT_XML" "$STYLE" --selftest "$TMP/planted"
if mutant swapped 's/running-head-verso="{title}" running-head-recto="{section}"/running-head-verso="{section}" running-head-recto="{title}"/'; then
    set -- "$@" --then check "$TMP/swapped.pdf" "$REPORT_XML" "$TMP/swapped.xml" --label "running heads swapped, against its own sheet" --only toc heads folios \
        --then check "$TMP/swapped.pdf" "$REPORT_XML" "$STYLE" --expect-fail heads --label "running heads swapped"
fi
if mutant coverfolio '/<page name="cover"/,/\/>/s/folio="no"/folio="yes" folio-offset="12mm"/'; then
    set -- "$@" --then check "$TMP/coverfolio.pdf" "$REPORT_XML" "$TMP/coverfolio.xml" --label "a folio on the cover, against its own sheet" --only toc heads folios \
        --then check "$TMP/coverfolio.pdf" "$REPORT_XML" "$STYLE" --expect-fail folios --label "a folio on the cover"
fi
# runs while (2) and (3) build their documents; reported here after them
py_start report "$BOOKLET" "$@"

# ------------------------------------------------------------------ (2) images
IMG=$TMP/img
mkdir "$IMG"
python3 "$BOOKLET" fixtures "$IMG"
jpeg=
if pdftoppm -jpeg -scale-to-x 240 -scale-to-y 160 -f 1 -l 1 -singlefile "$TMP/report.pdf" "$IMG/cover" 2>/dev/null &&
    [ -s "$IMG/cover.jpg" ]; then
    jpeg='    <figure id="f-jpeg">
      <image src="cover.jpg"/>
      <caption>图三：JPEG 封面缩图。</caption>
    </figure>'
fi

# doc NAME BODY: write $IMG/NAME.xml, a document whose body is BODY.
doc() {
    cat >"$IMG/$1.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<document xml:lang="zh-Hans">
  <meta>
    <title>图像测试</title>
    <publisher>paiban</publisher>
    <year>2024</year>
  </meta>
  <body>
    <p>图像测试的正文。</p>
$2
    <p>图像之后的正文。</p>
  </body>
</document>
EOF
}

doc images '    <figure id="f-png">
      <image src="photo.png"/>
      <caption>图一：PNG，300×200 像素。</caption>
    </figure>
    <figure id="f-wide">
      <image src="wide.png"/>
      <caption>图二：比版心宽的 PNG。</caption>
    </figure>
'"$jpeg"
run_paiban -s "$STYLE" -o "$IMG/images.pdf" "$IMG/images.xml"
py_collect report
echo "# (2) images"
[ -n "$jpeg" ] || skip "images: the JPEG figure (pdftoppm -jpeg could not make a JPEG)"
if [ "$RC" -ne 0 ] || [ ! -s "$IMG/images.pdf" ]; then
    fail "images: paiban exited $RC on a document with a PNG and a JPEG figure"
    show "$TMP/err"
else
    ok "images: paiban built a document with $([ -n "$jpeg" ] && echo 3 || echo 2) figures"
    bk images "$IMG/images.pdf" "$IMG/images.xml" "$STYLE"
fi

# --------------------------------------------------------- (3) image errors
echo "# (3) image errors"
# bad_image NAME SRC WANT: a figure with <image src="SRC"/> must make paiban
# exit 1 with a stderr line matching the ERE WANT, leaving no output and no
# temporary file.
bad_image() {
    doc "$1" '    <figure id="f-bad">
      <image src="'"$2"'"/>
      <caption>坏图。</caption>
    </figure>'
    bi_line=$(grep -n '<image ' "$IMG/$1.xml" | cut -d: -f1)
    bi_col=$(sed -n "${bi_line}p" "$IMG/$1.xml" | awk '{ print index($0, "<image") }')
    bi_want=$(printf '%s' "$3" | sed "s|@POS@|$IMG/$1.xml:$bi_line:$bi_col|; s|@PATH@|$IMG/$2|")
    mkdir "$IMG/out-$1"
    run_paiban -s "$STYLE" -o "$IMG/out-$1/out.pdf" "$IMG/$1.xml"
    bi_why=
    [ "$RC" -eq 1 ] || bi_why="$bi_why; exit status $RC, expected 1"
    grep -Eq -- "$bi_want" "$TMP/err" || bi_why="$bi_why; no stderr line matches /$bi_want/"
    [ -e "$IMG/out-$1/out.pdf" ] && bi_why="$bi_why; a PDF was written"
    bi_left=$(ls -A "$IMG/out-$1")
    [ -z "$bi_left" ] || bi_why="$bi_why; files left beside the output: $bi_left"
    if [ -z "$bi_why" ]; then
        ok "image error ($1): exit 1, $(head -1 "$TMP/err" | sed "s|$IMG/||g")"
    else
        fail "image error ($1):${bi_why#;}"
        show "$TMP/err"
    fi
}
bad_image missing missing.png "^@POS@: error: image '@PATH@': no such file\$"
bad_image random random.png "^@POS@: error: image '@PATH@': .*corrupt"
bad_image truncated truncated.png "^@POS@: error: image '@PATH@': .*corrupt"
bad_image baddata baddata.png "error: .*@PATH@"

e2e_finish
