#!/bin/sh
# tagged.sh: every PDF paiban writes for reading is tagged, and its tags say
# what the source says (tests/e2e/py/tagcheck.py: catalog, content, mcids,
# tree, text and alt; its docstring says what each group checks).
#
#   BUILD=build sh tests/e2e/tagged.sh      (from the repository root)
#
#   - the print edition ($REPORT_XML, $STYLE), and the check's self-test:
#     each group fails on a fault planted in what it read;
#   - the imposed edition (--impose saddle) is untagged, as the README says:
#     its sheets show pages out of reading order, for the press; so is the
#     edition built with --untagged;
#   - the ten handouts (styles/handout.xml --split callout), each against
#     its own callout;
#   - the starter document (lists, a numbered list, a figure with an image
#     and alt text) with the article and booklet style sheets;
#   - a real manual (tests/data/corpus/manpages-zh-1.xml, hyphenated English
#     words: the hyphen is an artifact, the word whole in the structure);
#   - a long generated document (400 sections, about 80 pages);
#   - a document without xml:lang: tagged, but no PDF/UA claim (PDF/UA asks
#     for a language); an image without alt: a warning naming its place.

. tests/e2e/lib.sh
e2e_init tagged python3 qpdf pdfinfo

TAGCHECK=tests/e2e/py/tagcheck.py
SOURCE_DATE_EPOCH=1700000000
export SOURCE_DATE_EPOCH

build() { e2e_build "$@"; }

echo "# the print edition"
if build report -s "$STYLE" -o "$TMP/report.pdf" "$REPORT_XML"; then
    run_py "$TAGCHECK" check "$TMP/report.pdf" "$REPORT_XML" "$STYLE"
    run_py "$TAGCHECK" selftest "$TMP/report.pdf" "$REPORT_XML" "$STYLE"
fi
if build imposed -s "$STYLE" --impose saddle -o "$TMP/imposed.pdf" "$REPORT_XML"; then
    run_py "$TAGCHECK" untagged "$TMP/imposed.pdf"
fi
if build untagged -s "$STYLE" --untagged -o "$TMP/untagged.pdf" "$REPORT_XML"; then
    run_py "$TAGCHECK" untagged "$TMP/untagged.pdf"
    ok "--untagged: $(wc -c <"$TMP/untagged.pdf") bytes, tagged $(wc -c <"$TMP/report.pdf")"
fi

echo "# the handouts"
mkdir "$TMP/handouts"
if build handouts -s styles/handout.xml --split callout -o "$TMP/handouts/trend-%02d.pdf" "$REPORT_XML"; then
    for f in "$TMP"/handouts/trend-*.pdf; do
        python3 "$TAGCHECK" check "$f" "$REPORT_XML" styles/handout.xml callout >"$TMP/h.out" 2>&1
        if grep -q '^FAIL' "$TMP/h.out"; then
            fail "handout $(basename "$f"):"
            sed 's/^/    /' "$TMP/h.out"
        fi
    done
    ok "handouts: $(ls "$TMP"/handouts/*.pdf | wc -l) tagged, each against its own callout"
fi

echo "# other documents"
for sheet in article booklet; do
    if build "starter-$sheet" -s "styles/$sheet.xml" -o "$TMP/starter-$sheet.pdf" examples/starter.xml; then
        run_py "$TAGCHECK" check "$TMP/starter-$sheet.pdf" examples/starter.xml "styles/$sheet.xml"
    fi
done
MANUAL=tests/data/corpus/manpages-zh-1.xml
if build manual -s styles/article.xml -o "$TMP/manual.pdf" "$MANUAL"; then
    run_py "$TAGCHECK" check "$TMP/manual.pdf" "$MANUAL" styles/article.xml
fi
python3 -c 'import sys; sys.path.insert(0, "tests/e2e/py"); import scaling; scaling.gen_sections(400, sys.argv[1])' \
    "$TMP/long"
sed 's/<document>/<document xml:lang="zh-Hans">/' "$TMP/long/main.xml" >"$TMP/long/lang.xml"
if build long -s "$STYLE" -o "$TMP/long.pdf" "$TMP/long/lang.xml"; then
    run_py "$TAGCHECK" check "$TMP/long.pdf" "$TMP/long/lang.xml" "$STYLE"
fi

echo "# language and alt text"
mkdir "$TMP/nolang"
cp examples/chart.png "$TMP/nolang/"
cat >"$TMP/nolang/doc.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<document>
  <meta><title>无语言</title></meta>
  <body>
    <p>正文。</p>
    <figure><image src="chart.png"/><caption>图一</caption></figure>
  </body>
</document>
EOF
if build nolang -s styles/article.xml -o "$TMP/nolang.pdf" "$TMP/nolang/doc.xml"; then
    meta=$(pdfinfo -meta "$TMP/nolang.pdf")
    if pdfinfo "$TMP/nolang.pdf" | grep -q '^Tagged: *yes' && ! echo "$meta" | grep -q pdfuaid:part; then
        ok "no xml:lang: tagged, no PDF/UA claim"
    else
        fail "no xml:lang: expected tagged without pdfuaid:part"
    fi
    if grep -q 'doc.xml:6:.*warning: <image> has no alt text' "$TMP/err"; then
        ok "an image without alt: a warning at its place"
    else
        fail "an image without alt: no warning naming doc.xml:6"
        show "$TMP/err"
    fi
fi

e2e_finish
