#!/bin/sh
# report_pdf.sh: build xml/report.xml with styles/print.xml and check the PDF.
#
#   BUILD=build sh tests/e2e/report_pdf.sh      (from the repository root)
#
# Checks (one output line per group):
#   - qpdf --check exits 0 and reports no error or warning;
#   - pdffonts: at least one font; each is embedded, subset, has a ToUnicode
#     map, and is CID Type 0C or CID TrueType;
#   - pdfinfo: Title and Subject equal <meta>'s, Author names every
#     publisher, every page has the style sheet's size (A5) within 0.1 pt;
#   - outline: one entry per section (its heading) and per callout (its
#     badge and title), in document order, at the depth given by
#     outline-level, each pointing at a body page that shows that text
#     (running heads off);
#   - text: page roles from the style sheet and the PDF (the <front> parts,
#     then the body; pdfcheck.py prepare_sheet); pages whose master prints
#     folios end with their number; each body page starts with its running
#     head (the stext line above the text area); the body pages' pdftotext,
#     whitespace, running heads and folios removed, concatenated, equals the
#     body text of the XML (whitespace removed) with each numbered callout's
#     badge (callout.badge's label, {n} = number); each front matter part
#     fits on one page and holds exactly its items: the <field>s' metadata
#     (after their style's label; publishers joined by the separator) and
#     <text>s in order, and the contents list every outline title in order,
#     each followed by a page number; no Kangxi radicals / compatibility
#     ideographs;
#   - checker self-test (pdfcheck.py selftest): every python check passes on
#     the built report and fails on planted faults in its parsed data (a
#     dropped / swapped / Kangxi character, a running head left in the text,
#     a cover field missing or out of order, a contents entry or number
#     missing, outline (badge, depth, page: also the contents page),
#     metadata and font-flag faults, a glyph outside the text area (also on
#     the cover and on a contents master with other margins), a wrong or
#     missing folio or one on the cover, a running head missing / low / off
#     its edge / on the title page / in the wrong size, a body line in the top
#     margin, a prohibited line start / end, a short or long justified line,
#     a heading at a page foot, overlapping lines, a split giant callout);
#   - determinism: two builds are byte-identical with SOURCE_DATE_EPOCH unset
#     (and then CreationDate is the newest modification time of the inputs:
#     the XML files, the style sheet and the schema) and with it set to
#     1700000000 (and then CreationDate is 2023-11-14 22:13:20 UTC, and
#     ModDate, if present, the same).
#
# Environment: BUILD (default build); PAIBAN_STYLE, PAIBAN_XML to use another
# style sheet or document; PAIBAN_PDF to check an existing PDF instead of the
# one built here (for testing the tests; the determinism group still builds).

. tests/e2e/lib.sh
e2e_init report_pdf qpdf pdffonts pdfinfo pdftotext mutool python3 cmp

EPOCH=1700000000
EPOCH_ISO=2023-11-14T22:13:20

# build_pdf OUT [EPOCH]: build the report, SOURCE_DATE_EPOCH unset or EPOCH;
# stderr in OUT.err, the exit status in OUT.rc (safe in the background).
build_pdf() {
    if [ -n "$2" ]; then
        ( SOURCE_DATE_EPOCH=$2; export SOURCE_DATE_EPOCH; exec "$PAIBAN" -s "$STYLE" -o "$1" "$REPORT_XML" ) \
            >"$1.out" 2>"$1.err"
    else
        ( unset SOURCE_DATE_EPOCH; exec "$PAIBAN" -s "$STYLE" -o "$1" "$REPORT_XML" ) \
            >"$1.out" 2>"$1.err"
    fi
    echo $? >"$1.rc"
}

# built OUT [EPOCH]: RC of that build; a sanitizer report in it is a FAIL.
built() {
    RC=$(cat "$1.rc" 2>/dev/null || echo 99)
    cp "$1.err" "$TMP/err"
    check_sanitizer "-o $1${2:+ (SOURCE_DATE_EPOCH=$2)}"
}

build_pdf "$TMP/a1.pdf"
built "$TMP/a1.pdf"
if [ "$RC" -ne 0 ] || [ ! -s "$TMP/a1.pdf" ]; then
    fail "build: paiban exited $RC on $REPORT_XML"
    show "$TMP/a1.pdf.err"
    e2e_finish
fi
ok "build: $REPORT_XML -> $(wc -c <"$TMP/a1.pdf") bytes"
PDF=${PAIBAN_PDF:-$TMP/a1.pdf}
# the determinism group's builds run while the checks below do
( build_pdf "$TMP/a2.pdf"; build_pdf "$TMP/b1.pdf" "$EPOCH"; build_pdf "$TMP/b2.pdf" "$EPOCH" ) &
DET_PID=$!

# ------------------------------------------------------------------ qpdf
qpdf --check "$PDF" >"$TMP/qpdf.out" 2>&1
rc=$?
# Its success message says "errors" twice; anything else naming one is an issue.
qpdf_issues() {
    grep -i 'warning\|error' "$TMP/qpdf.out" | grep -v '^No syntax or stream encoding errors found' |
        grep -v '^errors that qpdf cannot detect'
}
issues=$(qpdf_issues)
if [ "$rc" -eq 0 ] && [ -z "$issues" ]; then
    ok "qpdf --check: no errors or warnings"
else
    fail "qpdf --check: exit status $rc, $(qpdf_issues | wc -l) error/warning lines"
    qpdf_issues | sed -n '1,6s/^/    /p'
fi

# ------------------------------------------------- fonts, info, outline, text
# ------------------------------------------------------ checker self-test
# Every check of pdfcheck.py (these and layout_geometry.sh's) must pass on
# the built report and fail on planted faults in its parsed data.
# (Only for the real report: the faults are planted in its known text.)
# Both in one python run.
if [ "$REPORT_XML" = xml/report.xml ] && [ "$STYLE" = styles/print.xml ]; then
    pycheck pdf "$PDF" "$REPORT_XML" "$STYLE" --then selftest "$TMP/a1.pdf" "$REPORT_XML" "$STYLE"
else
    pycheck pdf "$PDF" "$REPORT_XML" "$STYLE"
fi

# ----------------------------------------------------------- determinism
wait $DET_PID
built "$TMP/a2.pdf"
rc2=$RC
if [ "$rc2" -ne 0 ]; then
    fail "determinism (no SOURCE_DATE_EPOCH): second build exited $rc2"
elif ! cmp -s "$TMP/a1.pdf" "$TMP/a2.pdf"; then
    fail "determinism (no SOURCE_DATE_EPOCH): two builds differ: $(cmp "$TMP/a1.pdf" "$TMP/a2.pdf" 2>&1 | head -1)"
else
    newest=$(stat -c %Y "$REPORT_XML" "$(dirname "$REPORT_XML")"/trends/*.xml "$STYLE" xml/paiban.rng 2>/dev/null |
             sort -n | tail -1)
    want=$(TZ=UTC date -d "@$newest" +%Y-%m-%dT%H:%M:%S)
    got=$(TZ=UTC pdfinfo -isodates "$TMP/a1.pdf" 2>/dev/null | sed -n 's/^CreationDate: *//p')
    case $got in
        "$want"*) ok "determinism (no SOURCE_DATE_EPOCH): byte-identical builds, dated by the newest input: $got" ;;
        *) fail "determinism (no SOURCE_DATE_EPOCH): CreationDate '$got', expected the newest input's time $want" ;;
    esac
fi

built "$TMP/b1.pdf" "$EPOCH"
rc1=$RC
built "$TMP/b2.pdf" "$EPOCH"
rc2=$RC
created=$(TZ=UTC pdfinfo -isodates "$TMP/b1.pdf" 2>/dev/null | sed -n 's/^CreationDate: *//p')
modified=$(TZ=UTC pdfinfo -isodates "$TMP/b1.pdf" 2>/dev/null | sed -n 's/^ModDate: *//p')
if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
    fail "determinism (SOURCE_DATE_EPOCH=$EPOCH): builds exited $rc1 and $rc2"
elif ! cmp -s "$TMP/b1.pdf" "$TMP/b2.pdf"; then
    fail "determinism (SOURCE_DATE_EPOCH=$EPOCH): two builds differ: $(cmp "$TMP/b1.pdf" "$TMP/b2.pdf" 2>&1 | head -1)"
else
    case $created in
        "$EPOCH_ISO"Z|"$EPOCH_ISO"+00*|"$EPOCH_ISO")
            if [ -z "$modified" ] || [ "$modified" = "$created" ]; then
                ok "determinism (SOURCE_DATE_EPOCH=$EPOCH): byte-identical builds, CreationDate $created${modified:+, ModDate the same}"
            else
                fail "determinism (SOURCE_DATE_EPOCH=$EPOCH): ModDate is '$modified', CreationDate '$created'"
            fi ;;
        *)
            fail "determinism (SOURCE_DATE_EPOCH=$EPOCH): CreationDate is '$created', expected ${EPOCH_ISO}Z" ;;
    esac
fi

e2e_finish
