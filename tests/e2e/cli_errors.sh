#!/bin/sh
# cli_errors.sh: the command line, exit statuses and error messages.
#
#   BUILD=build sh tests/e2e/cli_errors.sh      (from the repository root)
#
# Exit statuses (src/main.c): 0 success, 1 bad input, 2 bad usage or
# environment.  Error positions are FILE:LINE:COL with 1-based columns
# counted in characters (code points), as libxml2 counts them.
#
# Checks:
#   --help (0, usage naming -s and -o on stdout), --version (0);
#   no arguments, an unknown option, no -o, two inputs, a malformed
#   SOURCE_DATE_EPOCH -> 2 with a message;
#   malformed XML (a broken start tag / a mismatched end tag on line 4) -> 1,
#   FILE:4:COL: error:; a schema-invalid <bogus> on line 7 -> 1,
#   FILE:7:COL: error: with COL = the column of "<bogus" (after CJK text, so
#   byte and character columns differ); the position of an invalid element
#   whose name starts like, or repeats, an earlier tag on the same line, or
#   whose start tag spans two lines (the position is that of "<NAME");
#   an empty file -> 1 with a clear message; a missing input file -> 1;
#   a style sheet with an unknown property -> 1, STYLE:LINE:COL: error:
#   naming it, at the property's own line and column (on the <style> line,
#   and on a continuation line of a multi-line <style> tag: styles/README.md
#   says such errors are "reported at its line and column"); a font family that is not installed -> 1,
#   naming the family; a missing style sheet -> 1;
#   in every failure case with -o: the output does not exist afterwards,
#   an older PDF at the output path is left byte-identical, and no *.tmp*
#   file is left beside it;
#   an output in a missing directory (/nonexistent/x.pdf) or an output path
#   that is a directory -> 2.

. tests/e2e/lib.sh
e2e_init cli_errors python3 cmp grep sed

# A real, older PDF to protect.
run_paiban -s "$STYLE" -o "$TMP/old.pdf" "$REPORT_XML"
if [ "$RC" -ne 0 ]; then
    fail "setup: paiban exited $RC on $REPORT_XML"
    show "$TMP/err"
    e2e_finish
fi

# column_of FILE LINE TEXT: the 1-based column, in characters, where TEXT
# first occurs on LINE of FILE.
column_of() {
    python3 -c 'import sys; print(open(sys.argv[1], encoding="utf-8").read().splitlines()[int(sys.argv[2]) - 1].index(sys.argv[3]) + 1)' \
        "$1" "$2" "$3"
}

NCASE=0
new_case() { NCASE=$((NCASE + 1)); CASE=$TMP/case$NCASE; mkdir "$CASE"; OUT=$CASE/out.pdf; }

# tmp_leftovers DIR: names of temporary files paiban may have left in DIR.
tmp_leftovers() {
    for tl_f in "$1"/*.tmp* "$1"/.*.tmp*; do
        [ -e "$tl_f" ] && printf '%s ' "${tl_f##*/}"
    done
}

# expect_fail NAME WANT_RC ERE ARGS...: paiban ARGS must exit WANT_RC with
# a stderr line matching ERE, twice: with nothing at $OUT (which must not
# appear) and with an older PDF there (which must stay byte-identical).
# No *.tmp* file may be left in $OUT's directory.
expect_fail() {
    ef_name=$1 ef_want=$2 ef_re=$3
    shift 3
    ef_why=
    rm -f "$OUT"
    run_paiban "$@"
    [ "$RC" -eq "$ef_want" ] || ef_why="$ef_why; exit status $RC, expected $ef_want"
    grep -Eq -- "$ef_re" "$TMP/err" || ef_why="$ef_why; no stderr line matches /$ef_re/"
    [ -e "$OUT" ] && ef_why="$ef_why; the output $OUT was created"
    cp "$TMP/err" "$TMP/err.first"
    cp "$TMP/old.pdf" "$OUT"
    run_paiban "$@"
    [ "$RC" -eq "$ef_want" ] || ef_why="$ef_why; with an older PDF present: exit status $RC"
    cmp -s "$TMP/old.pdf" "$OUT" || ef_why="$ef_why; the older PDF at the output path was changed or removed"
    ef_left=$(tmp_leftovers "$(dirname "$OUT")")
    [ -z "$ef_left" ] || ef_why="$ef_why; temporary files left: $ef_left"
    if [ -z "$ef_why" ]; then
        ok "$ef_name: exit $ef_want, $(grep -E -m1 -- "$ef_re" "$TMP/err.first" | sed "s|^$TMP/||")"
    else
        fail "$ef_name: ${ef_why#; }"
        show "$TMP/err.first"
    fi
}

# ----------------------------------------------------------- usage
run_paiban --help
if [ "$RC" -eq 0 ] && grep -qi 'usage' "$TMP/out" && grep -q -- '-s' "$TMP/out" && grep -q -- '-o' "$TMP/out"; then
    ok "--help: exit 0, usage names -s and -o"
else
    fail "--help: exit status $RC, or stdout lacks a usage naming -s and -o"
    show "$TMP/out"
fi

run_paiban --version
if [ "$RC" -eq 0 ] && grep -Eq '[0-9]+\.[0-9]+' "$TMP/out"; then
    ok "--version: exit 0, $(head -1 "$TMP/out")"
else
    fail "--version: exit status $RC, stdout '$(head -1 "$TMP/out")'"
fi

run_paiban
if [ "$RC" -eq 2 ] && grep -q 'error' "$TMP/err"; then
    ok "no arguments: exit 2, $(head -1 "$TMP/err")"
else
    fail "no arguments: exit status $RC (expected 2) or no error message"
    show "$TMP/err"
fi

run_paiban "$REPORT_XML"
if [ "$RC" -eq 2 ] && grep -Eq -- '-o|output' "$TMP/err"; then
    ok "missing -o: exit 2, $(head -1 "$TMP/err")"
else
    fail "missing -o: exit status $RC (expected 2) or the message does not mention -o"
    show "$TMP/err"
fi

new_case
expect_fail "unknown option" 2 "error: .*--frobnicate" --frobnicate -s "$STYLE" -o "$OUT" "$REPORT_XML"
new_case
expect_fail "two input files" 2 "error: " -s "$STYLE" -o "$OUT" "$REPORT_XML" "$REPORT_XML"
new_case
( SOURCE_DATE_EPOCH=yesterday; export SOURCE_DATE_EPOCH
  expect_fail "malformed SOURCE_DATE_EPOCH" 2 "error: .*SOURCE_DATE_EPOCH" -s "$STYLE" -o "$OUT" "$REPORT_XML"
  exit "$E2E_FAILED" )
E2E_FAILED=$?

# ----------------------------------------------------------- bad documents
new_case
cat >"$CASE/broken-start.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<document xml:lang="zh-Hans">
  <meta>
    <title 测试</title>
    <publisher>甲</publisher>
    <year>2024</year>
  </meta>
  <body><p>正文。</p></body>
</document>
EOF
expect_fail "malformed XML (broken start tag, line 4)" 1 "^$CASE/broken-start\\.xml:4:[0-9]+: error: " \
    -s "$STYLE" -o "$OUT" "$CASE/broken-start.xml"

new_case
sed 's|<title 测试</title>|<title>测试</titel>|' "$TMP/case$((NCASE - 1))/broken-start.xml" >"$CASE/mismatch.xml"
expect_fail "malformed XML (mismatched end tag, line 4)" 1 "^$CASE/mismatch\\.xml:4:[0-9]+: error: " \
    -s "$STYLE" -o "$OUT" "$CASE/mismatch.xml"

new_case
cat >"$CASE/bogus.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<document xml:lang="zh-Hans">
  <meta>
    <title>测试</title>
    <publisher>甲</publisher>
    <year>2024</year></meta>
  <body><p>正文。</p>   <bogus>x</bogus>
    <p>第二段。</p>
  </body>
</document>
EOF
col=$(column_of "$CASE/bogus.xml" 7 '<bogus')
expect_fail "schema-invalid <bogus> on line 7 at column $col" 1 "^$CASE/bogus\\.xml:7:$col: error: " \
    -s "$STYLE" -o "$OUT" "$CASE/bogus.xml"

# The offending element's position when its name begins like an earlier tag
# on the line (<title> after <titleblock>), repeats one (a second <year>), or
# its start tag spans two lines (the position is where "<bogus" is).
# expect_pos NAME FILE NEEDLE: paiban must exit 1 and report FILE:L:C where
# NEEDLE first occurs at line L, column C.
expect_pos() {
    ep_line=$(grep -n -- "$3" "$2" | head -1 | cut -d: -f1)
    ep_col=$(column_of "$2" "$ep_line" "$3")
    run_paiban -s "$STYLE" -o "$OUT" "$2"
    if [ "$RC" -eq 1 ] && grep -q "^$2:$ep_line:$ep_col: error: " "$TMP/err"; then
        ok "$1: exit 1, $(basename "$2"):$ep_line:$ep_col"
    else
        fail "$1: exit $RC, expected $(basename "$2"):$ep_line:$ep_col: error:, got '$(head -1 "$TMP/err" | sed "s|^$(dirname "$2")/||")'"
    fi
}
new_case
printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
    '<document><meta><title>T</title><publisher>P</publisher><year>2024</year></meta>' \
    '<body><titleblock><headline>H</headline></titleblock><title>x</title></body></document>' >"$CASE/prefix.xml"
expect_pos "schema error at <title> after <titleblock> on one line" "$CASE/prefix.xml" '<title>x'
printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
    '<document><meta><title>T</title><publisher>P</publisher><year>2024</year></meta><body><p>a</p><year>1</year></body></document>' \
    >"$CASE/repeat.xml"
expect_pos "schema error at a second <year> on one line" "$CASE/repeat.xml" '<year>1'
sed 's|<bogus>x</bogus>|<bogus\
      kind="x">x</bogus>|' "$TMP/case$((NCASE - 1))/bogus.xml" >"$CASE/multiline.xml"
expect_pos "schema error at a <bogus start tag spanning two lines" "$CASE/multiline.xml" '<bogus'

new_case
: >"$CASE/empty.xml"
expect_fail "empty input file" 1 "^$CASE/empty\\.xml(:[0-9]+:[0-9]+)?: error: .*empty" \
    -s "$STYLE" -o "$OUT" "$CASE/empty.xml"

new_case
expect_fail "missing input file" 1 "^$CASE/absent\\.xml(:[0-9]+:[0-9]+)?: error: " \
    -s "$STYLE" -o "$OUT" "$CASE/absent.xml"

# ----------------------------------------------------------- bad style sheets
new_case
sed 's|<style name="p" text-indent="2em"/>|<style name="p" text-indent="2em" text-wobble="3"/>|' "$STYLE" >"$CASE/style.xml"
line=$(grep -n 'text-wobble' "$CASE/style.xml" | cut -d: -f1)
if [ -z "$line" ]; then
    fail "unknown style property: could not plant it (styles changed?)"
else
    col=$(column_of "$CASE/style.xml" "$line" text-wobble)
    expect_fail "unknown style property at $line:$col" 1 "^$CASE/style\\.xml:$line:$col: error: .*text-wobble" \
        -s "$CASE/style.xml" -o "$OUT" "$REPORT_XML"
fi

# The same on a continuation line of a multi-line <style> start tag.
new_case
sed 's|^\( *\)padding-left="9.75pt" padding-right="9.75pt"$|\1padding-left="9.75pt" padding-right="9.75pt" text-wobble="3"|' \
    "$STYLE" >"$CASE/style.xml"
line=$(grep -n 'text-wobble' "$CASE/style.xml" | cut -d: -f1)
if [ -z "$line" ] || grep -q '<style.*text-wobble' "$CASE/style.xml"; then
    fail "unknown style property on a continuation line: could not plant it (styles changed?)"
else
    col=$(column_of "$CASE/style.xml" "$line" text-wobble)
    expect_fail "unknown style property on continuation line, at $line:$col" 1 \
        "^$CASE/style\\.xml:$line:$col: error: .*text-wobble" -s "$CASE/style.xml" -o "$OUT" "$REPORT_XML"
fi

new_case
sed 's|<style name="sans" font-family="[^"]*"|<style name="sans" font-family="Zyxwv Nonexistent Sans"|' "$STYLE" >"$CASE/style.xml"
if ! grep -q 'Zyxwv' "$CASE/style.xml"; then
    fail "missing font family: could not plant it (styles changed?)"
else
    expect_fail "font family not installed" 1 "error: .*Zyxwv Nonexistent Sans" \
        -s "$CASE/style.xml" -o "$OUT" "$REPORT_XML"
fi

new_case
expect_fail "missing style sheet" 1 "^$CASE/nostyle\\.xml(:[0-9]+:[0-9]+)?: error: " \
    -s "$CASE/nostyle.xml" -o "$OUT" "$REPORT_XML"

# ----------------------------------------------------------- bad outputs
run_paiban -s "$STYLE" -o /nonexistent/x.pdf "$REPORT_XML"
if [ "$RC" -eq 2 ] && grep -q '/nonexistent/x.pdf' "$TMP/err" && [ ! -e /nonexistent ]; then
    ok "output in a missing directory: exit 2, $(head -1 "$TMP/err")"
else
    fail "output in a missing directory: exit status $RC (expected 2) or the message does not name the path"
    show "$TMP/err"
fi

new_case
mkdir "$CASE/dir"
run_paiban -s "$STYLE" -o "$CASE/dir" "$REPORT_XML"
left=$(tmp_leftovers "$CASE")$(tmp_leftovers "$CASE/dir")
why=
[ "$RC" -eq 2 ] || why="$why; exit status $RC, expected 2"
[ -d "$CASE/dir" ] || why="$why; the directory was replaced"
[ -z "$left" ] || why="$why; temporary files left: $left"
if [ -z "$why" ]; then
    ok "output path is a directory: exit 2, $(head -1 "$TMP/err" | sed "s|^$TMP/||")"
else
    fail "output path is a directory: ${why#; }"
    show "$TMP/err"
fi

e2e_finish
