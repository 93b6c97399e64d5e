#!/bin/sh
# hostile.sh: issue 10, "never crash, hang or destroy a file on what an
# editor or a command line can produce".  Every paiban run is bounded by
# `timeout`, so a hang is a FAIL, never a stuck test.
#
#   BUILD=build sh tests/e2e/hostile.sh      (from the repository root)
#
# 1 Drafts: a <section><heading> or a callout <title> that is empty, blank,
#   a comment only or a <br/> only, with styles/print.xml (contents page,
#   outline, running heads): exit 0, qpdf-clean PDF with the body text, and
#   "FILE:LINE:COL: warning: the title of this <section|callout> is empty;
#   it is left out of the contents and the outline" (not required for a
#   callout with number=, whose badge names it).
# 2 Running heads: running-head-verso="{title}" ten times over builds the
#   report (qpdf-clean); a running head is one line (src/layout.c), so
#   page 6's head must be the start of the ten titles and longer than one:
#   the whole title, then the start of the second.
# 3 Entities (internal DTD subset): one expanding to <bogus/> in a <p> is
#   "FILE:LINE:COL: error: …bogus…" at the <p>'s line; one expanding to a <figure> whose <image> has no src is an error
#   naming image; a valid one (中国<em>科学</em>院) typesets; an external
#   one (file:///etc/passwd) is an error naming "external" and 'root:'
#   appears nowhere.
# 4 Data loss: -o naming the input, an XInclude'd file, the schema, the
#   style sheet, an image; --depfile naming the input; --split writing over
#   the trend files; -o a hard link to the input, or the input spelled with
#   .. or ./; -o a symbolic link to the input: exit 2, stderr names the
#   output and the file it protects, and the source tree is byte-identical
#   (diff -r --no-dereference against a copy).  -o a symbolic link (and a
#   dangling one) is written through: the link stays a link, the target is
#   a valid PDF.
# 5 Hangs and memory: an XInclude cycle ("makes a cycle", 5 s); a diamond
#   of 15 levels of double includes ("xi:includes in all", 20 s); /dev/zero
#   as input; a FIFO as input, style sheet, schema, XInclude or image: exit
#   1 (2 for the schema) within 5 s saying it is a pipe/device; a 20000 x
#   20000 PNG: exit 1 within 5 s at the <image> line naming the pixel
#   limit, peak RSS under 200 MB.
# 6 Confinement: <image src="../outside.png"> (existing) and "../nothere.png"
#   (missing) give the same error but for the name ("outside the document's
#   directory"); src="/etc/passwd" is refused; --include-anywhere accepts
#   the existing one.
# 7 Values: font-size 0, -3pt, 1e39pt, nan, padding 1e39pt, line-height 0
#   on the p style and margin-top 1e39pt on the <page>: exit 1,
#   "STYLE:LINE:COL: error:" at the value's line naming the property;
#   margin-left="7000pt": exit 1, "no room".
# 8 Stale outputs: --depfile lists a figure's image and a file the style
#   sheet XIncludes; --watch rebuilds within 5 s when the image is rewritten.
# 9 Messages: a 40,000-character <heading> and meta <title> build (30 s,
#   qpdf-clean, no libharu error); U+200B U+200D U+FE0F U+00AD give no
#   warning; a <bogus/> in a GB18030 and in a UTF-16 file is reported at its
#   exact LINE:COL (columns in characters); --max-pages 1x and 0: exit 2.
#
# Environment: BUILD (the binary is $BUILD/paiban; style sheets, schema and
# sources are taken from the repository root, the current directory).

. tests/e2e/lib.sh
e2e_init hostile python3 qpdf pdftotext timeout mkfifo cmp diff /usr/bin/time

ROOT=$(pwd)
PRINT=$ROOT/styles/print.xml
HANDOUT=$ROOT/styles/handout.xml
META='<meta><title>草稿</title><publisher>编者</publisher><year>2024</year></meta>'
TITLE=$(sed -n 's|^ *<title>\(.*\)</title>$|\1|p' xml/report.xml | head -1)

# ------------------------------------------------------------------ helpers

# prun SECS ARGS...: paiban ARGS under timeout; stdout/stderr in $TMP/out and
# $TMP/err, exit status in RC (124 or 137: killed by the timeout), MS the
# milliseconds it took, KB its peak memory; a sanitizer report is a FAIL.
prun() {
    pr_secs=$1
    shift
    pr_t0=$(date +%s%N)
    : >"$TMP/rss"
    timeout -k 2 "$pr_secs" /usr/bin/time -f %M -o "$TMP/rss" "$PAIBAN" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    RC=$?
    MS=$(( ($(date +%s%N) - pr_t0) / 1000000 ))
    KB=$(tail -1 "$TMP/rss")
    check_sanitizer "$*"
}

# A check: begin NAME, then want_* add reasons to WHY, verdict prints it.
begin() { NAME=$1; WHY=; }
why() { WHY="$WHY; $*"; }
want_rc() {
    case $RC in
        124|137) why "timed out (killed after ${MS} ms)" ;;
        "$1") ;;
        *) why "exit $RC, expected $1" ;;
    esac
}
want_err() { grep -Eq -- "$1" "$TMP/err" || why "no stderr line matches /$1/"; }
want_errF() { grep -Fq -- "$1" "$TMP/err" || why "stderr does not name '$1'"; }
no_err() { ! grep -Eq -- "$1" "$TMP/err" || why "stderr has /$1/: $(grep -E -m1 -- "$1" "$TMP/err" | cut -c1-160)"; }
want_pdf() {
    if [ ! -s "$1" ]; then why "no PDF $(basename "$1")"
    elif ! qpdf --check "$1" >"$TMP/qpdf" 2>&1; then why "qpdf --check: $(grep -v '^checking\|^PDF Version\|^File is' "$TMP/qpdf" | head -1)"
    fi
}
# pdf_text PDF [PAGE]: the text, all white space removed
pdf_text() {
    if [ -n "$2" ]; then pdftotext -q -f "$2" -l "$2" "$1" - 2>/dev/null
    else pdftotext -q "$1" - 2>/dev/null; fi | tr -d ' \n\f\t\r'
}
want_text() { [ -s "$1" ] && pdf_text "$1" | grep -qF -- "$2" || why "the PDF does not show $2"; }
verdict() {
    if [ -z "$WHY" ]; then
        ok "$NAME${1:+: $1}"
    else
        fail "$NAME: ${WHY#; }"
        sed -n '1,4s/^/    /p' "$TMP/err" | cut -c1-220 | sed "s|$TMP/||g"
    fi
}
# first_err: the first stderr line, shortened, for ok lines
first_err() { grep -m1 -E 'error|warning' "$TMP/err" | sed "s|$TMP/||g" | cut -c1-150; }

# mkdoc FILE PROLOG BODY: a document with PROLOG (a DOCTYPE, or '') before
# the root and BODY in its <body>, each on lines of their own.
mkdoc() {
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        [ -n "$2" ] && printf '%s\n' "$2"
        printf '<document xmlns:xi="http://www.w3.org/2001/XInclude">\n%s\n<body>\n%s\n</body>\n</document>\n' "$META" "$3"
    } >"$1"
}
# line_of FILE TEXT: the number of the first line of FILE holding TEXT
line_of() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }
# column_of FILE LINE TEXT: TEXT's 1-based column on LINE, in characters
column_of() {
    python3 -c 'import sys; print(open(sys.argv[1], encoding="utf-8").read().splitlines()[int(sys.argv[2]) - 1].index(sys.argv[3]) + 1)' \
        "$1" "$2" "$3"
}
# png FILE WIDTH HEIGHT [SHADE]: a greyscale PNG, written by python's zlib
cat >"$TMP/png.py" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shade = int(sys.argv[4]) if len(sys.argv) > 4 else 0
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
z = zlib.compressobj(9)
row = b'\0' + bytes([shade]) * w
data = b''.join(z.compress(row) for _ in range(h)) + z.flush()
with open(path, 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0))
            + chunk(b'IDAT', data) + chunk(b'IEND', b''))
PY
png() { python3 "$TMP/png.py" "$@"; }

# ------------------------------------------------------------------ 1 drafts
D1=$TMP/drafts
mkdir "$D1"
# draft KIND VARIANT TITLE [NUMBER]: a draft <section> (KIND section) or
# <callout> (KIND callout) whose heading or title is TITLE, between two
# finished sections
draft() {
    dr_kind=$1 dr_var=$2 dr_title=$3 dr_num=$4
    dr_doc=$D1/$dr_kind-$dr_var${dr_num:+-n}.xml
    case $dr_kind in
        section) dr_el="<section id=\"draft\"><heading>$dr_title</heading>
<p>草稿正文甲。</p></section>" ;;
        callout) dr_el="<callout id=\"draft\"${dr_num:+ number=\"$dr_num\"}><title>$dr_title</title>
<p>草稿正文甲。</p></callout>" ;;
    esac
    mkdoc "$dr_doc" '' "<section><heading>第一节</heading><p>引言。</p></section>
$dr_el
<section><heading>第三节</heading><p>草稿正文乙。</p></section>"
    dr_line=$(line_of "$dr_doc" 'id="draft"')
    begin "drafts: <$dr_kind${dr_num:+ number=\"$dr_num\"}>, title $dr_var"
    prun 20 -s "$PRINT" -o "${dr_doc%.xml}.pdf" "$dr_doc"
    want_rc 0
    want_pdf "${dr_doc%.xml}.pdf"
    want_text "${dr_doc%.xml}.pdf" 草稿正文甲
    want_text "${dr_doc%.xml}.pdf" 草稿正文乙
    [ -n "$dr_num" ] ||
        want_err "^$dr_doc:$dr_line:[0-9]+: warning: the title of this <$dr_kind> is empty; it is left out of the contents and the outline"
    verdict "$(first_err)"
}
for kind in section callout; do
    draft "$kind" empty ''
    draft "$kind" blank "$(printf '  \n\t ')"
    draft "$kind" comment-only '<!-- x -->'
    draft "$kind" br-only '<br/>'
done
draft callout empty '' 4

# ------------------------------------------------------------------ 2 running heads
begin "running heads: running-head-verso=\"{title}\" x10"
heads=$(printf '{title}%.0s' 1 2 3 4 5 6 7 8 9 10)
sed "s|running-head-verso=\"{title}\"|running-head-verso=\"$heads\"|" "$PRINT" >"$TMP/heads.xml"
grep -qF "\"$heads\"" "$TMP/heads.xml" || why "could not plant it (styles/print.xml changed?)"
prun 20 -s "$TMP/heads.xml" -o "$TMP/heads.pdf" "$REPORT_XML"
want_rc 0
want_pdf "$TMP/heads.pdf"
# A running head is one line (src/layout.c): page 6's head must be the start
# of the ten titles, longer than one title, so the second {title} was expanded.
head6=$(pdftotext -q -f 6 -l 6 "$TMP/heads.pdf" - 2>/dev/null | sed -n 1p | tr -d ' \t')
title10=
for i in 1 2 3 4 5 6 7 8 9 10; do title10=$title10$(printf '%s' "$TITLE" | tr -d ' \t'); done
case $title10 in
    "$head6"*) [ "${#head6}" -gt "${#TITLE}" ] || why "page 6's head '$head6' does not show the title twice" ;;
    *) why "page 6's first line '$head6' is not the start of ten titles" ;;
esac
verdict "page 6's head: $head6"

# ------------------------------------------------------------------ 3 entities
D3=$TMP/entities
mkdir "$D3"
# entity NAME DECL BODY: a document declaring DECL, BODY in its body; DOC, PDF
entity() {
    DOC=$D3/$1.xml PDF=$D3/$1.pdf
    mkdoc "$DOC" "<!DOCTYPE document [
$2
]>" "$3"
    begin "entities: $1"
    prun 20 -s "$PRINT" -o "$PDF" "$DOC"
}
entity bogus '<!ENTITY x "<bogus/>">' '<p>开头&x;结尾</p>'
want_rc 1
want_err "^$DOC:$(line_of "$DOC" '&x;'):[0-9]+: error: .*bogus"
verdict "$(first_err)"

entity figure '<!ENTITY f "<figure><image/><caption>c</caption></figure>">' '<p>前</p>
&f;'
want_rc 1
want_err 'error: .*image'
verdict "$(first_err)"

entity valid '<!ENTITY co "中国<em>科学</em>院">' '<p>&co;的报告</p>'
want_rc 0
want_pdf "$PDF"
want_text "$PDF" 中国科学院
verdict

entity external '<!ENTITY ext SYSTEM "file:///etc/passwd">' '<p>前&ext;后</p>'
want_rc 1
want_err 'error: .*external'
{ cat "$TMP/out" "$TMP/err"; [ -s "$PDF" ] && pdf_text "$PDF"; } | grep -q 'root:' &&
    why "'root:' from /etc/passwd shows up in the output"
verdict "$(first_err)"

# ------------------------------------------------------------------ 4 data loss
# fresh: a new copy of xml/ (report, trends, schema) in $D/xml, a style
# sheet $D/print.xml and a figure document $D/xml/fig.xml using $D/xml/pic.png.
N4=0
fresh() {
    N4=$((N4 + 1))
    D=$TMP/loss$N4
    mkdir "$D"
    cp -R xml "$D/xml"
    cp "$PRINT" "$D/print.xml"
    png "$D/xml/pic.png" 40 30 128
    mkdoc "$D/xml/fig.xml" '' '<figure><image src="pic.png"/><caption>图一</caption></figure>'
}
# guarded NAME OUT PROTECTED ARGS...: paiban ARGS, whose output OUT is (or
# reaches) the source PROTECTED, exits 2 naming OUT and PROTECTED and changes
# nothing in $D (compared with a copy taken before the run).
guarded() {
    begin "data loss: $1"
    gu_out=$2 gu_prot=$3
    shift 3
    cp -R "$D" "$D.saved"
    prun 20 "$@"
    want_rc 2
    if ! diff -r --no-dereference "$D.saved" "$D" >"$TMP/diff" 2>&1; then
        why "the sources changed: $(head -2 "$TMP/diff" | cut -c1-100 | tr '\n' ' ')"
    fi
    cmp -s "$D.saved/${gu_prot#"$D"/}" "$gu_prot" || why "$(basename "$gu_prot") is not byte-identical"
    want_errF "$gu_out"
    want_errF "$gu_prot"
    verdict "$(first_err)"
}
fresh; guarded "-o the input" "$D/xml/report.xml" "$D/xml/report.xml" \
    -s "$PRINT" -o "$D/xml/report.xml" "$D/xml/report.xml"
fresh; guarded "-o an XInclude'd file" "$D/xml/trends/03.xml" "$D/xml/trends/03.xml" \
    -s "$PRINT" -o "$D/xml/trends/03.xml" "$D/xml/report.xml"
fresh; guarded "-o the schema" "$D/xml/paiban.rng" "$D/xml/paiban.rng" \
    -s "$PRINT" --schema "$D/xml/paiban.rng" -o "$D/xml/paiban.rng" "$D/xml/report.xml"
fresh; guarded "-o the style sheet" "$D/print.xml" "$D/print.xml" \
    -s "$D/print.xml" -o "$D/print.xml" "$D/xml/report.xml"
fresh; guarded "--depfile the input" "$D/xml/report.xml" "$D/xml/report.xml" \
    -s "$PRINT" --depfile "$D/xml/report.xml" -o "$TMP/dep-out$N4.pdf" "$D/xml/report.xml"
fresh; guarded "--split callout over the trend files" "$D/xml/trends/01.xml" "$D/xml/trends/01.xml" \
    -s "$HANDOUT" --split callout -o "$D/xml/trends/%02d.xml" "$D/xml/report.xml"
fresh; ln "$D/xml/report.xml" "$D/hard.pdf"
guarded "-o a hard link to the input" "$D/hard.pdf" "$D/xml/report.xml" \
    -s "$PRINT" -o "$D/hard.pdf" "$D/xml/report.xml"
fresh; guarded "-o the image of a figure" "$D/xml/pic.png" "$D/xml/pic.png" \
    -s "$PRINT" -o "$D/xml/pic.png" "$D/xml/fig.xml"
fresh; guarded "-o the input spelled with .." "$D/xml/trends/../report.xml" "$D/xml/report.xml" \
    -s "$PRINT" -o "$D/xml/trends/../report.xml" "$D/xml/report.xml"
fresh; guarded "-o the input spelled with ./" "$D/xml/./report.xml" "$D/xml/report.xml" \
    -s "$PRINT" -o "$D/xml/./report.xml" "$D/xml/report.xml"
fresh; ln -s xml/report.xml "$D/in-link.pdf"
guarded "-o a symbolic link to the input" "$D/in-link.pdf" "$D/xml/report.xml" \
    -s "$PRINT" -o "$D/in-link.pdf" "$D/xml/report.xml"

# through LINK TARGET: -o LINK (LINK -> TARGET) writes TARGET, LINK stays a link
L4=$TMP/links
mkdir -p "$L4"
through() {
    begin "symbolic links: -o $1 -> $2$3"
    prun 20 -s "$PRINT" -o "$L4/$1" "$REPORT_XML"
    want_rc 0
    [ -L "$L4/$1" ] || why "$1 is no longer a symbolic link"
    want_pdf "$L4/$2"
    verdict
}
echo 'an old file' >"$L4/target.pdf"
ln -s target.pdf "$L4/link.pdf"
through link.pdf target.pdf
ln -s new-target.pdf "$L4/dangling.pdf"
through dangling.pdf new-target.pdf " (dangling)"

# ------------------------------------------------------------------ 5 hangs and memory
H=$TMP/hang
mkdir "$H"
XI='xmlns:xi="http://www.w3.org/2001/XInclude"'
mkdoc "$H/cycle.xml" '' '<xi:include href="part.xml"/>'
printf '<section %s><heading>部分</heading>\n<xi:include href="part.xml"/>\n<xi:include href="part.xml"/>\n</section>\n' "$XI" >"$H/part.xml"
begin "hangs: a file that includes itself twice"
prun 5 -s "$PRINT" -o "$H/cycle.pdf" "$H/cycle.xml"
want_rc 1
want_err 'error: .*makes a cycle'
verdict "$(first_err) ($MS ms)"

mkdir "$H/diamond"
mkdoc "$H/diamond/main.xml" '' '<xi:include href="l1.xml"/>
<xi:include href="l1.xml"/>'
k=1
while [ "$k" -lt 15 ]; do
    printf '<section %s><heading>%d</heading><xi:include href="l%d.xml"/><xi:include href="l%d.xml"/></section>\n' \
        "$XI" "$k" $((k + 1)) $((k + 1)) >"$H/diamond/l$k.xml"
    k=$((k + 1))
done
echo '<p>叶</p>' >"$H/diamond/l15.xml"
begin "hangs: a diamond of 15 levels of double includes"
prun 20 -s "$PRINT" -o "$H/diamond.pdf" "$H/diamond/main.xml"
want_rc 1
want_err 'error: .*xi:includes in all'
verdict "$(first_err) ($MS ms)"

# not_regular NAME WANT_RC ARGS...: exit WANT_RC within 5 s, saying it is a pipe or device
PIPE_RE='error: .*(pipe|FIFO|device|not a regular file)'
not_regular() {
    begin "hangs: $1"
    nr_rc=$2
    shift 2
    prun 5 "$@"
    want_rc "$nr_rc"
    want_err "$PIPE_RE"
    verdict "$(first_err) ($MS ms)"
}
mkfifo "$H/in.xml" "$H/style.xml" "$H/schema.rng" "$H/inc.xml" "$H/pic.png"
mkdoc "$H/incfifo.xml" '' '<xi:include href="inc.xml"/>'
mkdoc "$H/imgfifo.xml" '' '<figure><image src="pic.png"/><caption>图</caption></figure>'
not_regular "/dev/zero as the input" 1 -s "$PRINT" -o "$H/o.pdf" /dev/zero
not_regular "a FIFO as the input" 1 -s "$PRINT" -o "$H/o.pdf" "$H/in.xml"
not_regular "a FIFO as the style sheet" 1 -s "$H/style.xml" -o "$H/o.pdf" "$REPORT_XML"
not_regular "a FIFO as the schema" 2 -s "$PRINT" --schema "$H/schema.rng" -o "$H/o.pdf" "$REPORT_XML"
not_regular "a FIFO as an xi:include" 1 -s "$PRINT" -o "$H/o.pdf" "$H/incfifo.xml"
not_regular "a FIFO as an <image>" 1 -s "$PRINT" -o "$H/o.pdf" "$H/imgfifo.xml"

png "$H/huge.png" 20000 20000
mkdoc "$H/huge.xml" '' '<p>前</p>
<figure><image src="huge.png"/><caption>大图</caption></figure>'
begin "memory: a 20000 x 20000 PNG ($(( $(wc -c <"$H/huge.png") / 1024 )) KB)"
prun 5 -s "$PRINT" -o "$H/huge.pdf" "$H/huge.xml"
want_rc 1
want_err "^$H/huge.xml:$(line_of "$H/huge.xml" '<image'):[0-9]+: error: .*limit"
want_err 'error: .*pixels'
case $KB in ''|*[!0-9]*) why "no peak memory figure ($KB)" ;; *) [ "$KB" -lt 204800 ] || why "peak memory $KB KB" ;; esac
verdict "$(first_err) ($MS ms, peak ${KB:-?} KB)"


# ------------------------------------------------------------------ 6 confinement
C6=$TMP/confine
mkdir -p "$C6/doc"
png "$C6/outside.png" 8 8 200
# confined SRC ARGS...: build $C6/doc/main.xml, whose figure's image is SRC
confined() {
    mkdoc "$C6/doc/main.xml" '' "<figure><image src=\"$1\"/><caption>图</caption></figure>"
    shift
    begin "confinement: $*"
    prun 20 -s "$PRINT" "$@" -o "$C6/out.pdf" "$C6/doc/main.xml"
}
confined ../outside.png
want_rc 1
want_err "error: .*outside the document's directory"
sed 's/outside\.png/NAME/g' "$TMP/err" >"$TMP/err.exists"
NAME="confinement: ../outside.png (exists)"
verdict "$(first_err)"
confined ../nothere.png
NAME="confinement: ../nothere.png (missing) gives the same words as ../outside.png"
want_rc 1
want_err "error: .*outside the document's directory"
sed 's/nothere\.png/NAME/g' "$TMP/err" | cmp -s - "$TMP/err.exists" ||
    why "the messages differ: '$(head -1 "$TMP/err.exists" | sed "s|$TMP/||g")' vs '$(sed 's/nothere\.png/NAME/g;'"s|$TMP/||g" "$TMP/err" | head -1)'"
verdict
confined /etc/passwd
NAME="confinement: src=\"/etc/passwd\""
want_rc 1
want_err "error: .*outside"
verdict "$(first_err)"
confined ../outside.png --include-anywhere
NAME="confinement: --include-anywhere accepts ../outside.png"
want_rc 0
want_pdf "$C6/out.pdf"
verdict

# ------------------------------------------------------------------ 7 values
V7=$TMP/values
mkdir "$V7"
NV=0
# badvalue PROP VALUE [page] [ERE]: a copy of the print style with PROP="VALUE"
# on the p style (or in place of the body <page>'s margin-top) must stop the
# build with an error at its line and column naming PROP (or matching ERE)
badvalue() {
    NV=$((NV + 1))
    bv_s=$V7/s$NV.xml
    if [ "$3" = page ]; then
        sed "s|margin-top=\"20mm\" margin-bottom=\"22mm\"|$1=\"$2\" margin-bottom=\"22mm\"|" "$PRINT"
    else
        sed "s|<style name=\"p\" text-indent=\"2em\"/>|<style name=\"p\" text-indent=\"2em\" $1=\"$2\"/>|" "$PRINT"
    fi >"$bv_s"
    bv_line=$(line_of "$bv_s" "$1=\"$2\"")
    begin "values: $1=\"$2\"${3:+ on the <page>}"
    prun 20 -s "$bv_s" -o "$V7/out.pdf" "$REPORT_XML"
    want_rc 1
    if [ -z "$bv_line" ]; then
        why "could not plant it (styles/print.xml changed?)"
    elif [ -n "$4" ]; then
        want_err "$4"
    else
        want_err "^$bv_s:$bv_line:$(column_of "$bv_s" "$bv_line" "$1=\"$2\""): error: .*$1"
    fi
    verdict "$(first_err)"
}
badvalue font-size 0
badvalue font-size -3pt
badvalue font-size 1e39pt
badvalue font-size nan
badvalue padding 1e39pt
badvalue line-height 0
badvalue margin-top 1e39pt page
badvalue margin-left 7000pt '' 'error: .*no room'

# ------------------------------------------------------------------ 8 stale outputs
E8=$TMP/stale
mkdir -p "$E8/img"
png "$E8/img/pic.png" 60 40 100
mkdoc "$E8/doc.xml" '' '<p>图前。</p>
<figure><image src="img/pic.png"/><caption>图一</caption></figure>'
printf '<style name="extra-note" color="#333333"/>\n' >"$E8/extra-styles.xml"
sed 's|^<stylesheet>|<stylesheet xmlns:xi="http://www.w3.org/2001/XInclude">|; s|^</stylesheet>|  <xi:include href="extra-styles.xml"/>\n</stylesheet>|' \
    "$PRINT" >"$E8/style.xml"
begin "stale outputs: --depfile lists the image and the style sheet's XInclude"
grep -q 'xi:include href="extra-styles.xml"' "$E8/style.xml" || why "could not plant the xi:include"
prun 20 -s "$E8/style.xml" --depfile "$E8/doc.d" -o "$E8/doc.pdf" "$E8/doc.xml"
want_rc 0
grep -qF "$E8/img/pic.png" "$E8/doc.d" 2>/dev/null || why "the depfile does not list img/pic.png"
grep -qF "$E8/extra-styles.xml" "$E8/doc.d" 2>/dev/null || why "the depfile does not list extra-styles.xml"
verdict

# --watch: rewriting the image rebuilds.  The watcher runs under timeout
# (killed on exit whatever happens); every wait is bounded.
WPID=
stop_watch() {
    if [ -n "$WPID" ]; then
        kill -TERM "$WPID" 2>/dev/null
        wait "$WPID" 2>/dev/null
        WPID=
    fi
}
trap 'stop_watch; rm -rf "$TMP"' EXIT
# within SECONDS CMD...: run CMD every 0.05 s until it succeeds or SECONDS pass
within() {
    wi_end=$(($1 * 20)) wi_i=0
    shift
    while [ "$wi_i" -lt "$wi_end" ]; do
        "$@" && return 0
        sleep 0.05
        wi_i=$((wi_i + 1))
    done
    "$@"
}
rebuilt_lines() { grep -c '^rebuilt ' "$TMP/w.out"; }
more_rebuilt() { [ "$(rebuilt_lines)" -gt "$1" ]; }
# armed DIR: the watcher (a child of timeout) watches DIR with inotify
armed() {
    ar_ino=$(printf '%x' "$(ls -di "$1" | awk '{ print $1 }')")
    for ar_pid in $(cat "/proc/$WPID/task/$WPID/children" 2>/dev/null); do
        cat "/proc/$ar_pid/fdinfo/"* 2>/dev/null | grep -q "^inotify wd:[0-9]* ino:$ar_ino " && return 0
    done
    return 1
}
begin "stale outputs: --watch rebuilds when the image is rewritten"
timeout -k 2 60 "$PAIBAN" --watch -s "$E8/style.xml" -o "$E8/w.pdf" "$E8/doc.xml" </dev/null >"$TMP/w.out" 2>"$TMP/w.err" &
WPID=$!
if within 10 more_rebuilt 0; then
    within 2 armed "$E8/img" || echo "    (img/ is not watched with inotify)"
    n=$(rebuilt_lines)
    png "$E8/img/pic.new" 60 40 20
    cat "$E8/img/pic.new" >"$E8/img/pic.png"
    within 5 more_rebuilt "$n" || why "no new 'rebuilt' line within 5 s of rewriting img/pic.png"
else
    why "no first 'rebuilt' line within 10 s"
fi
stop_watch
cp "$TMP/w.err" "$TMP/err"
check_sanitizer "--watch"
verdict "$(sed -n '$p' "$TMP/w.out" | sed "s|$TMP/||g")"

# ------------------------------------------------------------------ 9 messages
M9=$TMP/messages
mkdir "$M9"
python3 - "$M9" "$META" <<'PY'
import sys
d, meta = sys.argv[1], sys.argv[2]
def doc(meta, body):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<document>\n' + meta + '\n<body>\n'
            + body + '\n</body>\n</document>\n')
han = ''.join(chr(0x4e00 + (i * 7) % 20000) for i in range(40000))
open(d + '/heading.xml', 'w').write(doc(meta, '<section><heading>' + han + '</heading><p>正文。</p></section>'))
open(d + '/title.xml', 'w').write(doc(meta.replace('<title>草稿</title>', '<title>' + han + '</title>'),
                                      '<section><heading>一节</heading><p>正文。</p></section>'))
open(d + '/invisible.xml', 'w').write(doc(meta, '<p>零宽\u200b空格，连接\u200d符，变体\ufe0f选择，软\u00ad连字符。</p>'))
# <bogus/> on line 5 at column 8, after Han text
lines = ['<document>', meta, '<body>', '  <p>段落<bogus/></p>', '</body></document>']
for enc, name in (('gb18030', 'GB18030'), ('utf-16', 'UTF-16')):
    text = '<?xml version="1.0" encoding="%s"?>\n' % name + '\n'.join(lines) + '\n'
    open(d + '/' + enc + '.xml', 'wb').write(text.encode(enc))  # utf-16: with a BOM
PY
# long NAME: a 40,000-character title builds within 30 s
long() {
    begin "messages: a 40,000-character $2"
    prun 30 -s "$PRINT" -o "$M9/$1.pdf" "$M9/$1.xml"
    want_rc 0
    want_pdf "$M9/$1.pdf"
    no_err 'libharu'
    verdict "$MS ms"
}
long heading '<heading>'
long title 'meta <title>'

begin "messages: U+200B U+200D U+FE0F U+00AD give no warning"
prun 20 -s "$PRINT" -o "$M9/invisible.pdf" "$M9/invisible.xml"
want_rc 0
want_pdf "$M9/invisible.pdf"
no_err 'warning'
verdict

for enc in gb18030 utf-16; do
    begin "messages: <bogus/> in a $enc file at 5:8"
    prun 20 -s "$PRINT" -o "$M9/$enc.pdf" "$M9/$enc.xml"
    want_rc 1
    want_err "^$M9/$enc.xml:5:8: error: "
    verdict "$(first_err)"
done

for v in 1x 0; do
    begin "messages: --max-pages $v"
    prun 20 --max-pages "$v" -s "$PRINT" -o "$M9/max.pdf" "$REPORT_XML"
    want_rc 2
    [ -e "$M9/max.pdf" ] && why "a PDF was written"
    verdict "$(first_err)"
done

e2e_finish
