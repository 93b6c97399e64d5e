#!/bin/sh
# handouts.sh: the per-trend handouts (issue 5): --split, --select, the
# dependency file, outputs left untouched when unchanged, and the Makefile
# rebuilding exactly the outputs an edit touches.
#
#   BUILD=build sh tests/e2e/handouts.sh      (from the repository root)
#
# (1) One run of paiban -s styles/handout.xml --split callout -o
#     DIR/trend-%02d.pdf --depfile DIR/h.d xml/report.xml; then
#     tests/e2e/py/handouts.py (its docstring details each check):
#       split    DIR holds exactly trend-01.pdf .. trend-10.pdf; their
#                pages are the style sheet's <page size=...> (A5); the text
#                (pdftotext, whitespace off, running foot off) is exactly its
#                callout's badge label (callout.badge in the style sheet) +
#                title + subtitle + paragraphs, then the back matter the
#                sheet's <back> gives: the report's <title> and the list of
#                all ten trends, badge label + title each, in document order
#                (all from the source with its XIncludes expanded); no other
#                trend's subtitle or paragraph, and another trend's title only
#                in the list, once; the list's lines (mutool stext) read the
#                ten entries in order, exactly one of them in a bold face:
#                the trend's own, in its <toc>'s current-style font, the
#                others in its entry-style font; no running head (nothing
#                above the text area), the foot holds <source> and <year>;
#                qpdf --check is clean; fonts embedded, subset, CID,
#                ToUnicode;
#       depfile  h.d names the ten PDFs as targets and lists xml/report.xml,
#                the ten xml/trends/NN.xml, styles/handout.xml, the schema
#                and the font files (one for every font embedded), nothing
#                else, each with an empty rule (not the fonts); GNU make,
#                including it from a tiny makefile, reads the same
#                prerequisites ($^);
#       selftest each check above fails on planted faults (another trend's
#                text, a dropped character, trend 4's paragraph, subtitle or
#                title before the back matter, a missing badge or report
#                title, a list entry missing, swapped or doubled, the bold on
#                the wrong entry, on two or on none, a running head, a wrong
#                running foot, an A4 page, a qpdf warning, an unembedded font,
#                a missing or extra file; a trend, the style sheet, the
#                schema, the fonts, a target or an empty rule left out of the
#                depfile; wrong mtime sets).
# (2) --select trend-3 gives the same text as trend-03.pdf; --select nope
#     exits 1 naming "nope", writing nothing; --split with -o out.pdf (no %d)
#     exits 2; patterns with %s (or %n, %x, two %d) exit 2 and write nothing.
# (3) Unchanged outputs stay untouched: in a copy of xml/ and styles/, the
#     split run twice leaves every PDF's mtime (ns) as it was; one character
#     changed in trends/03.xml's paragraph rewrites trend-03.pdf (which shows
#     the edit) and no other.  The split runs in the copy have
#     SOURCE_DATE_EPOCH exported, as make's have (see split_in_copy).
# (4) The Makefile: a copy of the sources with $BUILD/paiban as build/paiban;
#     make outputs (make -o build/paiban: the copy has no object files, so
#     paiban is taken as built), which runs one paiban --build xml/build.xml
#     and touches the stamp out/.built.  out/ then holds exactly the two
#     reports, the ten handouts, the stamp and one dependency file,
#     out/.deps/outputs.d, whose target is the stamp.  A second make changes
#     nothing; one character changed in xml/trends/03.xml -> exactly
#     out/report.pdf, out/report-imposed.pdf and out/handouts/trend-03.pdf
#     get new mtimes (the stamp aside: make touches it whenever it runs the
#     command; the dependency file counts, and stays as it was); a colour
#     changed in styles/handout.xml -> exactly the ten handouts; a colour
#     changed in styles/print.xml -> exactly the two reports; a last make
#     with no edit changes nothing at all (stamp and dependency file
#     included) and runs no paiban command.
#
# Environment: BUILD.  Tried against broken paibans (BUILD=a directory with
# a wrapper script named paiban): one that deletes a split's old outputs
# first (no write-if-unchanged) fails (3) and (4); one that leaves
# trends/03.xml out of its depfile fails (1) and (4); one that swaps
# trend-03.pdf and trend-04.pdf, or writes no trend-10.pdf, fails (1); one
# whose --select trend-3 typesets trend 4 fails (2); one that crashes on %s
# fails (2); one that writes no empty rules fails (1).

. tests/e2e/lib.sh
e2e_init handouts mutool pdftotext pdfinfo pdffonts qpdf python3 make cmp tar

HO=tests/e2e/py/handouts.py
XML=xml/report.xml
HSTYLE=styles/handout.xml
SCHEMA=xml/paiban.rng
PAIBAN_ABS=$(cd "$(dirname "$PAIBAN")" && pwd)/$(basename "$PAIBAN")
ho() { run_py "$HO" "$@"; }

# snap DIR OUT: "MTIME NAME" for every file under DIR (NAME relative to
# DIR), to the nanosecond: GNU stat when it has %.9Y, else python.
snap() {
    if stat -c '%.9Y' . >/dev/null 2>&1; then
        (cd "$1" && find . -type f -exec stat -c '%.9Y %n' {} + | sed 's| \./| |') >"$2"
    else
        python3 "$HO" mtimes "$1" >"$2"
    fi
}
# edit FILE OLD NEW REFDIR: replace OLD by NEW in FILE (sed s|OLD|NEW|) as
# an editor saves: a new file renamed over the old one.  Then touch FILE
# until its mtime is past that of every file in REFDIR: the file system's
# clock may be coarser than a build is fast, and make must see the edit.
edit() {
    sed "s|$2|$3|" "$1" >"$1.edit~"
    if cmp -s "$1" "$1.edit~"; then
        rm -f "$1.edit~"
        fail "edit $1: '$2' not found"
        return 1
    fi
    mv "$1.edit~" "$1"
    ed_i=0
    while [ "$ed_i" -lt 300 ]; do
        snap "$4" "$TMP/edit.snap"
        ed_newest=$(cut -d' ' -f1 "$TMP/edit.snap" | sort -n | tail -1)
        ed_mine=$(if stat -c '%.9Y' "$1" >/dev/null 2>&1; then stat -c '%.9Y' "$1";
                  else python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime_ns)' "$1"; fi)
        awk -v a="$ed_mine" -v b="${ed_newest:-0}" 'BEGIN { exit !(a + 0 > b + 0) }' && return 0
        sleep 0.01
        touch "$1"
        ed_i=$((ed_i + 1))
    done
    fail "edit $1: its mtime does not get past the outputs' in 3 s"
}

# --------------------------------------------------------------- (1) split
# In a copy of the sources, run from its top as make runs paiban (relative
# names), so that (3) can edit it.
echo "# (1) --split callout"
SRC=$TMP/src
mkdir "$SRC" "$SRC/out"
cp -R xml styles "$SRC/"
# split_in_copy [ARGS]: the split in $SRC, into $SRC/out, with
# SOURCE_DATE_EPOCH exported as make exports it (the Makefile takes it from
# git log).  Without it the PDFs' dates come from the newest input's mtime,
# and every handout depends on every trend file (its list shows every
# trend's title): an edit to trends/03.xml would then rightly re-date, and
# so rewrite, all ten handouts, and (3) could not tell a needless rewrite.
split_in_copy() {
    (cd "$SRC" && SOURCE_DATE_EPOCH=1700000000 && export SOURCE_DATE_EPOCH &&
        "$PAIBAN_ABS" -s styles/handout.xml --split callout -o 'out/trend-%02d.pdf' "$@" xml/report.xml) \
        >"$TMP/out" 2>"$TMP/err"
    RC=$?
    check_sanitizer "--split $*"
    [ "$RC" -eq 0 ] || { fail "split: paiban exited $RC"; show "$TMP/err"; }
}
split_in_copy --depfile h.d
[ "$RC" -eq 0 ] || e2e_finish
ok "split: paiban exited 0"
snap "$SRC/out" "$TMP/k0"
targets=
for n in 01 02 03 04 05 06 07 08 09 10; do targets="$targets $SRC/out/trend-$n.pdf"; done
# What GNU make reads from the depfile: $^ of the first target.
printf '%s\n' 'include h.d' "out/trend-01.pdf: ; @printf '%s\\n' \$^ >$TMP/make.list" >"$TMP/list.mk"
if (cd "$SRC" && unset MAKEFLAGS MFLAGS MAKELEVEL && make -s -B -f "$TMP/list.mk" out/trend-01.pdf) >"$TMP/make.out" 2>&1; then
    ok "depfile: make -f (a makefile including it) reads it"
else
    fail "depfile: make cannot read it"
    show "$TMP/make.out"
    : >"$TMP/make.list"
fi
# shellcheck disable=SC2086
py_start split "$HO" split "$SRC/out" 'trend-%02d.pdf' "$SRC/$XML" "$SRC/$HSTYLE" \
    --then depfile "$SRC/h.d" "$SRC/$XML" "$SRC/$HSTYLE" "$SCHEMA" $targets --make-list "$TMP/make.list" \
        --pdf "$SRC/out/trend-01.pdf" --pdf "$SRC/out/trend-05.pdf" --pdf "$SRC/out/trend-10.pdf" --base "$SRC" \
    --then selftest "$SRC/out" 'trend-%02d.pdf' "$SRC/$XML" "$SRC/$HSTYLE" "$SRC/h.d" "$SCHEMA" "$SRC"

# ------------------------------------------------------ (2) select, patterns
# Runs while the checker reads the handouts; reported after it.
echo "# (2) --select and output patterns" >"$TMP/sel.log"
run_paiban -s "$HSTYLE" --select trend-3 -o "$TMP/select3.pdf" "$XML"
sel_rc=$RC
mkdir "$TMP/nope"
run_paiban -s "$HSTYLE" --select nope -o "$TMP/nope/out.pdf" "$XML"
if [ "$RC" -eq 1 ] && grep -q 'error:.*nope' "$TMP/err" && [ -z "$(ls -A "$TMP/nope")" ]; then
    ok "--select nope: exit 1, $(head -1 "$TMP/err" | sed "s|$TMP/||g")" >>"$TMP/sel.log"
else
    fail "--select nope: exit $RC (expected 1), stderr lines naming nope: $(grep -c nope "$TMP/err"), files written: $(ls -A "$TMP/nope")" >>"$TMP/sel.log"
    show "$TMP/err" >>"$TMP/sel.log"
fi
# bad_pattern PATTERN: --split with -o PATTERN must exit 2 with an error and write nothing.
bad_pattern() {
    bp_dir=$TMP/pat$(printf '%s' "$1" | tr -c 'a-z0-9' '_')
    mkdir "$bp_dir"
    run_paiban -s "$HSTYLE" --split callout -o "$bp_dir/$1" "$XML"
    if [ "$RC" -eq 2 ] && grep -q 'error:' "$TMP/err" && [ -z "$(ls -A "$bp_dir")" ]; then
        ok "--split callout -o '$1': exit 2, nothing written" >>"$TMP/sel.log"
    else
        fail "--split callout -o '$1': exit $RC (expected 2), files written: $(ls -A "$bp_dir" | head -3 | tr '\n' ' ')" >>"$TMP/sel.log"
        show "$TMP/err" >>"$TMP/sel.log"
    fi
}
bad_pattern out.pdf
bad_pattern 'trend-%s.pdf'
bad_pattern 'trend-%02d-%s.pdf'
bad_pattern 'trend-%s-%d.pdf'
bad_pattern 'trend-%n%d.pdf'
bad_pattern 'trend-%x.pdf'
bad_pattern 'trend-%d-%d.pdf'
bad_pattern 'trend-%999d.pdf'   # a width that once overflowed the name buffer
# Two callouts with one number would share a file: an error, nothing written.
mkdir -p "$TMP/dupsrc/trends" "$TMP/dupout"
cp xml/report.xml "$TMP/dupsrc/"
cp xml/trends/*.xml "$TMP/dupsrc/trends/"
sed -i 's/number="4"/number="3"/' "$TMP/dupsrc/trends/04.xml"
run_paiban -s "$HSTYLE" --split callout -o "$TMP/dupout/t-%02d.pdf" "$TMP/dupsrc/report.xml"
if [ "$RC" -eq 1 ] && grep -q 'dupsrc/trends/04.xml:[0-9]*:[0-9]*: error: .*number=' "$TMP/err" \
   && [ -z "$(ls -A "$TMP/dupout")" ]; then
    ok "two callouts numbered 3: exit 1 naming trends/04.xml, nothing written" >>"$TMP/sel.log"
else
    fail "two callouts numbered 3: exit $RC, wrote: $(ls -A "$TMP/dupout" | tr '\n' ' ')" >>"$TMP/sel.log"
    show "$TMP/err" >>"$TMP/sel.log"
fi
# (3) begins here, while the checker still reads the PDFs: the same split
# again must not rewrite any of them.
split_in_copy
snap "$SRC/out" "$TMP/k1"

py_collect split
cat "$TMP/sel.log"
if [ "$sel_rc" -ne 0 ]; then
    fail "--select trend-3: paiban exited $sel_rc"
else
    ho sametext "$TMP/select3.pdf" "$SRC/out/trend-03.pdf"
fi

# --------------------------------------------------------- (3) keep-same
echo "# (3) unchanged handouts are left untouched"
# 精神 -> 情神: one character of trend 3's paragraph
edit "$SRC/xml/trends/03.xml" '精神追求' '情神追求' "$SRC/out"
split_in_copy
snap "$SRC/out" "$TMP/k2"
ho changed "$TMP/k0" "$TMP/k1" "split run again on the same sources: no PDF rewritten" -- \
    --then changed "$TMP/k1" "$TMP/k2" "split after one character changed in trends/03.xml: only trend-03.pdf rewritten" -- trend-03.pdf \
    --then contains "$SRC/out/trend-03.pdf" '情神追求' "after the edit"

# --------------------------------------------------------- (4) the Makefile
echo "# (4) make: exactly the outputs an edit touches"
R=$TMP/repo
mkdir -p "$R/build"
# The files make outputs needs (tracked, and new ones not yet committed).
if files=$(git ls-files -co --exclude-standard -- Makefile xml styles fonts 2>/dev/null) && [ -n "$files" ]; then
    printf '%s\n' "$files" | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
        tar -T - -cf - | tar -xf - -C "$R"
else
    cp -R Makefile xml styles fonts "$R/"
fi
cp "$PAIBAN" "$R/build/paiban"
touch "$R/build/paiban"
MAKE_N=0
# mk: make outputs in the copy; its output in $TMP/make.N.
mk() {
    MAKE_N=$((MAKE_N + 1))
    (cd "$R" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
        make -o build/paiban outputs BUILD=build SOURCE_DATE_EPOCH=1700000000) >"$TMP/make.$MAKE_N" 2>&1
    mk_rc=$?
    if [ "$mk_rc" -ne 0 ]; then
        fail "make #$MAKE_N exited $mk_rc"
        sed -n '1,8s/^/    /p' "$TMP/make.$MAKE_N"
    fi
    snap "$R/out" "$TMP/m$MAKE_N"
}
mk
want="report.pdf report-imposed.pdf .built .deps/outputs.d"
for n in 01 02 03 04 05 06 07 08 09 10; do want="$want handouts/trend-$n.pdf"; done
# out/.cache (the font subsets kept between runs) is checked apart
got=$(cut -d' ' -f2- "$TMP/m1" | grep -v '^\.cache/' | sort | tr '\n' ' ')
# shellcheck disable=SC2086
want_sorted=$(printf '%s\n' $want | sort | tr '\n' ' ')
if [ "$got" = "$want_sorted" ]; then
    ok "make outputs: out/ holds exactly the 2 reports, 10 handouts, the stamp .built and .deps/outputs.d"
else
    fail "make outputs: out/ holds: $got; expected: $want_sorted"
fi
if [ "$(grep -c 'paiban --build xml/build.xml' "$TMP/make.1")" -eq 1 ] && [ "$(grep -c paiban "$TMP/make.1")" -eq 1 ]; then
    ok "make outputs ran one paiban command: $(grep -m1 paiban "$TMP/make.1")"
else
    fail "make outputs: expected one paiban --build xml/build.xml command, ran: $(grep paiban "$TMP/make.1" | tr '\n' ';')"
fi
# The dependency file's one rule (the first line) has the stamp as its target.
if head -1 "$R/out/.deps/outputs.d" 2>/dev/null | grep -q '^out/\.built:'; then
    ok "out/.deps/outputs.d: its target is out/.built"
else
    fail "out/.deps/outputs.d: its first line is not 'out/.built: ...': $(head -1 "$R/out/.deps/outputs.d" 2>&1)"
fi
if grep -q ' \.cache/font-' "$TMP/m1"; then
    ok "make outputs: out/.cache holds the font subsets ($(grep -c ' \.cache/' "$TMP/m1") entries)"
else
    fail "make outputs: out/.cache holds no font subset"
fi
mk
# make touches the stamp whenever it runs the paiban command, and the cache
# gains the subsets of new glyph sets: neither is an output.
IGN='^\.built$|^\.cache/'
set -- changed "$TMP/m1" "$TMP/m2" "make again without an edit: nothing rewritten (stamp and dependency file included)" --
edit "$R/xml/trends/03.xml" '精神追求' '情神追求' "$R/out"
mk
set -- "$@" --then changed "$TMP/m2" "$TMP/m3" "one character changed in xml/trends/03.xml: exactly the reports and trend-03.pdf" \
    --ignore "$IGN" -- report.pdf report-imposed.pdf handouts/trend-03.pdf \
    --then contains "$R/out/handouts/trend-03.pdf" '情神追求' "make's trend-03.pdf after the edit" \
    --then contains "$R/out/report.pdf" '情神追求' "make's report.pdf after the edit"
edit "$R/styles/handout.xml" '#9e2a2b' '#9e2a2c' "$R/out"
mk
all=
for n in 01 02 03 04 05 06 07 08 09 10; do all="$all handouts/trend-$n.pdf"; done
# shellcheck disable=SC2086
set -- "$@" --then changed "$TMP/m3" "$TMP/m4" "a colour changed in styles/handout.xml: exactly the ten handouts" \
    --ignore "$IGN" -- $all
edit "$R/styles/print.xml" 'color="#222222"' 'color="#222223"' "$R/out"
mk
set -- "$@" --then changed "$TMP/m4" "$TMP/m5" "a colour changed in styles/print.xml: exactly the two reports" \
    --ignore "$IGN" -- report.pdf report-imposed.pdf
mk
set -- "$@" --then changed "$TMP/m5" "$TMP/m6" "a last make without an edit: nothing rewritten (stamp and dependency file included)" --
ho "$@"
if grep -q 'paiban' "$TMP/make.6"; then
    fail "the last make, with nothing edited, ran: $(grep -m1 paiban "$TMP/make.6")"
else
    ok "the last make, with nothing edited, ran no paiban command: $(tail -1 "$TMP/make.6")"
fi

e2e_finish
