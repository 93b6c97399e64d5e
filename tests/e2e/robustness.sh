#!/bin/sh
# robustness.sh: bad input gets one clear file:line:col error and exit 1,
# never a crash, a hang or a damaged PDF; an interrupt leaves the old PDF.
#
#   - input that is not UTF-8, a binary file, elements nested 10,000 deep and
#     an entity-expansion bomb are refused quickly with a positioned error;
#   - a single 1 MB paragraph typesets (pages and peak memory are printed);
#   - a character no font has is a warning naming its code point by default,
#     and an error when the style sheet says missing-glyph="error";
#   - SIGTERM and SIGINT at many moments of a build leave either the old PDF
#     or a complete new one, and never a temporary file.
. tests/e2e/lib.sh
e2e_init robustness python3 qpdf cmp

META='<meta><title>T</title><publisher>P</publisher><year>2024</year></meta>'
python3 - "$TMP" "$META" <<'PY'
import sys
tmp, meta = sys.argv[1], sys.argv[2]
def doc(body):
    return '<document>' + meta + '<body>' + body + '</body></document>\n'
lol = '<?xml version="1.0"?>\n<!DOCTYPE document [\n<!ENTITY a "ha">\n'
prev = 'a'
for i in range(1, 11):
    lol += '<!ENTITY e%d "%s">\n' % (i, ('&%s;' % prev) * 10)
    prev = 'e%d' % i
open(tmp + '/bomb.xml', 'w').write(lol + ']>\n' + doc('<p>&%s;</p>' % prev))
open(tmp + '/deep.xml', 'w').write(doc('<p>' + '<em>' * 10000 + 'x' + '</em>' * 10000 + '</p>'))
open(tmp + '/latin1.xml', 'wb').write(('<document>' + meta + '<body>\n<p>').encode() + b'caf\xe9</p></body></document>\n')
open(tmp + '/binary.xml', 'wb').write(bytes(range(256)) * 16)
open(tmp + '/big.xml', 'w').write(doc('<p>' + '文字排版测试' * 60000 + '</p>'))
open(tmp + '/pua.xml', 'w').write(doc('<p>私用区\ue000字符</p>'))
PY

# refused NAME LINE WHAT: exit 1 within 5 s, one error line at NAME:LINE:COL naming WHAT.
refused() {
    start=$(date +%s)
    run_paiban -o "$TMP/$1.pdf" "$TMP/$1.xml"
    took=$(( $(date +%s) - start ))
    if [ "$RC" -eq 1 ] && [ "$took" -le 5 ] && [ ! -e "$TMP/$1.pdf" ] &&
       grep -Eq "^$TMP/$1.xml:$2:[0-9]+: error: .*$3" "$TMP/err"; then
        ok "$1: exit 1 in ${took}s: $(head -1 "$TMP/err" | sed "s|$TMP/||")"
    else
        fail "$1: exit $RC in ${took}s, expected exit 1 and an error at line $2 naming '$3':"
        show "$TMP/err"
    fi
}
refused bomb 15 '[Ee]ntit'
refused deep 1 'depth'
refused latin1 2 'UTF-8'
refused binary 1 ''

# A 1 MB paragraph: it typesets; pages and peak memory are measured, not judged.
if command -v /usr/bin/time >/dev/null 2>&1; then
    /usr/bin/time -f '%e %M' -o "$TMP/time" "$PAIBAN" -o "$TMP/big.pdf" "$TMP/big.xml" 2>"$TMP/err"
    RC=$?
else
    skip "a 1 MB paragraph: time and peak memory (/usr/bin/time, Debian package time, not installed)"
    "$PAIBAN" -o "$TMP/big.pdf" "$TMP/big.xml" 2>"$TMP/err"; RC=$?; echo '? ?' >"$TMP/time"
fi
if [ "$RC" -eq 0 ] && qpdf --check "$TMP/big.pdf" >/dev/null 2>&1; then
    read -r secs kb <"$TMP/time"
    ok "a 1 MB paragraph: $(pdfinfo "$TMP/big.pdf" | awk '/^Pages:/ {print $2}') pages in ${secs} s, peak ${kb} KB"
else
    fail "a 1 MB paragraph: exit $RC"
    show "$TMP/err"
fi

# A character no font has: a warning by default, an error when the style sheet says so.
run_paiban -o "$TMP/pua.pdf" "$TMP/pua.xml"
if [ "$RC" -eq 0 ] && grep -Eq "pua.xml:1:[0-9]+: warning: .*U\+E000" "$TMP/err"; then
    ok "U+E000 that no font has: a warning naming it and its position"
else
    fail "U+E000: exit $RC, expected 0 and a warning naming U+E000"; show "$TMP/err"
fi
sed 's|<style name="document" |<style name="document" missing-glyph="error" |' "$STYLE" >"$TMP/strict.xml"
run_paiban -s "$TMP/strict.xml" -o "$TMP/pua2.pdf" "$TMP/pua.xml"
if [ "$RC" -eq 1 ] && [ ! -e "$TMP/pua2.pdf" ] && grep -Eq "pua.xml:1:[0-9]+: error: .*U\+E000" "$TMP/err"; then
    ok "missing-glyph=\"error\": the same character stops the build, nothing written"
else
    fail "missing-glyph=\"error\": exit $RC"; show "$TMP/err"
fi

# The page limit: past it, an error and no PDF; raised, the same document builds.
run_paiban --max-pages 5 -o "$TMP/limited.pdf" "$REPORT_XML"
if [ "$RC" -eq 1 ] && [ ! -e "$TMP/limited.pdf" ] && grep -q 'runs past 5 pages' "$TMP/err"; then
    run_paiban --max-pages 50 -o "$TMP/limited.pdf" "$REPORT_XML"
    if [ "$RC" -eq 0 ]; then ok "--max-pages 5: an error and no PDF; --max-pages 50: built"
    else fail "--max-pages 50: exit $RC"; show "$TMP/err"; fi
else
    fail "--max-pages 5: exit $RC, expected 1 and 'runs past 5 pages'"; show "$TMP/err"
fi

# The page limit holds for the whole run: ten handouts of one page each pass 5.
mkdir -p "$TMP/split"
run_paiban -s styles/handout.xml --split callout --max-pages 5 -o "$TMP/split/t-%02d.pdf" "$REPORT_XML"
if [ "$RC" -eq 1 ] && grep -q 'runs past 5 pages' "$TMP/err" && [ ! -e "$TMP/split/t-06.pdf" ]; then
    ok "--split with --max-pages 5: the limit counts every handout; an error after the fifth"
else
    fail "--split --max-pages 5: exit $RC, expected 1, 'runs past 5 pages' and no sixth handout"; show "$TMP/err"
fi

# An XInclude out of the document's tree: refused, unless --include-anywhere.
mkdir -p "$TMP/inc/doc" "$TMP/inc/elsewhere"
printf '<p>外面的段落</p>\n' >"$TMP/inc/elsewhere/part.xml"
printf '<document xmlns:xi="http://www.w3.org/2001/XInclude">%s<body>\n<xi:include href="../elsewhere/part.xml"/></body></document>\n' \
    "$META" >"$TMP/inc/doc/main.xml"
run_paiban -o "$TMP/inc/out.pdf" "$TMP/inc/doc/main.xml"
if [ "$RC" -eq 1 ] && grep -q 'main.xml:2:1: error: .*outside' "$TMP/err" && [ ! -e "$TMP/inc/out.pdf" ]; then
    run_paiban --include-anywhere -o "$TMP/inc/out.pdf" "$TMP/inc/doc/main.xml"
    if [ "$RC" -eq 0 ] && pdftotext "$TMP/inc/out.pdf" - | grep -q '外面的段落'; then
        ok "an include outside the tree: refused at its line; --include-anywhere brings it in"
    else fail "--include-anywhere: exit $RC"; show "$TMP/err"; fi
else
    fail "an include outside the tree: exit $RC, expected 1 and an error at main.xml:2:1"; show "$TMP/err"
fi

# A schema that cannot be read is a broken installation: exit 2, not 1.
run_paiban --schema "$TMP/no-such.rng" -o "$TMP/noschema.pdf" "$REPORT_XML"
if [ "$RC" -eq 2 ] && grep -q 'no-such.rng: error: cannot read the schema' "$TMP/err" && [ ! -e "$TMP/noschema.pdf" ]; then
    ok "an unreadable schema: exit 2 (environment), nothing written"
else
    fail "an unreadable schema: exit $RC, expected 2"; show "$TMP/err"
fi

# Interrupts at many moments of a build that writes over an existing PDF.
"$PAIBAN" -o "$TMP/old.pdf" "$REPORT_XML" 2>/dev/null
bad=0; kinds=""
for sig in TERM INT; do
    for delay in 0.05 0.15 0.3 0.45 0.6 0.75 0.9 1.1; do
        cp "$TMP/old.pdf" "$TMP/target.pdf"
        # an asynchronous command of a non-interactive shell ignores SIGINT;
        # python3 restores the default before it becomes paiban
        python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$PAIBAN" -o "$TMP/target.pdf" "$TMP/big.xml" 2>/dev/null &
        pid=$!
        sleep "$delay"
        kill -"$sig" "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rc=$?
        leftovers=$(ls "$TMP" | grep -c '\.tmp\.')
        if cmp -s "$TMP/old.pdf" "$TMP/target.pdf"; then
            state=old
        elif qpdf --check "$TMP/target.pdf" >/dev/null 2>&1 &&
             pdftotext "$TMP/target.pdf" - 2>/dev/null | grep -q .; then
            # complete and new; a signal after the rename may still make the exit 130
            state=new
        else
            state=damaged
        fi
        kinds="$kinds $sig@$delay:$state"
        if [ "$state" = damaged ] || [ "$leftovers" -ne 0 ]; then
            bad=$((bad + 1))
            echo "    SIG$sig after ${delay}s: exit $rc, target $state, $leftovers temporary files"
        fi
    done
done
if [ "$bad" -eq 0 ]; then
    ok "SIGTERM/SIGINT at 16 moments: the old PDF or a complete new one, no temporary file:$kinds"
else
    fail "interrupts: $bad of 16 left a damaged PDF or a temporary file"
fi
e2e_finish
