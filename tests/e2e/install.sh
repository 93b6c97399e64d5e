#!/bin/sh
# install.sh: make install puts a working paiban under a prefix.
#
#   - make install PREFIX=P DESTDIR=D puts the binary, the schema, the style
#     sheets, the examples, the manual page and bash completion in place;
#   - the installed paiban, run from /, builds every example in
#     P/share/paiban/examples with its default style sheet, and again after
#     the installed tree is moved elsewhere (it finds its data relative to
#     itself);
#   - the default style sheet prints no report vocabulary (趋势);
#   - a binary copied out of the installation stops with exit 2 and says
#     where it looked for the schema;
#   - man -l renders the manual page without warnings, and it and the bash
#     completion name every long option paiban accepts;
#   - make uninstall removes every file it installed.
. tests/e2e/lib.sh
e2e_init install make man pdftotext

DEST=$TMP/dest
PREFIX=/opt/paiban-test
if make --no-print-directory -s install-files BUILD="$BUILD" PREFIX="$PREFIX" DESTDIR="$DEST" >"$TMP/make.out" 2>&1; then
    ok "make install PREFIX=$PREFIX DESTDIR=…: $(cd "$DEST" && find . -type f | wc -l) files"
else
    fail "make install failed"; show "$TMP/make.out"
fi
ROOT=$DEST$PREFIX
for f in bin/paiban share/paiban/xml/paiban.rng share/paiban/styles/booklet.xml \
         share/paiban/styles/article.xml share/paiban/examples/starter.xml \
         share/man/man1/paiban.1 share/bash-completion/completions/paiban; do
    [ -f "$ROOT/$f" ] || fail "not installed: $f"
done

# build_examples ROOT WHAT: the installed binary builds every example from /.
build_examples() {
    n=0
    for ex in "$1"/share/paiban/examples/*.xml; do
        out=$TMP/$(basename "$ex" .xml)-$n.pdf
        if (cd / && "$1/bin/paiban" -o "$out" "$ex") >"$TMP/ex.err" 2>&1 && [ -s "$out" ]; then
            n=$((n + 1))
            if pdftotext "$out" - | grep -q '趋势'; then
                fail "$2: $(basename "$ex") shows the report's vocabulary (趋势) with the default sheet"
            fi
        else
            fail "$2: the installed paiban cannot build $(basename "$ex") from /"; show "$TMP/ex.err"
        fi
    done
    [ "$n" -gt 0 ] && ok "$2: built $n example(s) from / with the default style sheet"
}
build_examples "$ROOT" "installed"
mv "$DEST" "$TMP/moved"
build_examples "$TMP/moved$PREFIX" "moved elsewhere"
mv "$TMP/moved" "$DEST"

# A binary copied away from any installation says where it looked, not "reinstall".
mkdir "$TMP/lone"
cp "$ROOT/bin/paiban" "$TMP/lone/paiban"
(cd / && "$TMP/lone/paiban" -o "$TMP/lone.pdf" "$ROOT/share/paiban/examples/starter.xml") >/dev/null 2>"$TMP/lone.err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'share/paiban/xml/paiban.rng in the directories above its binary' "$TMP/lone.err" &&
   ! grep -q reinstall "$TMP/lone.err"; then
    ok "a copied binary: exit 2, says where it looked for the schema"
else
    fail "a copied binary: exit $rc"; show "$TMP/lone.err"
fi

# The manual page renders without warnings and names every long option.
if MANWIDTH=80 man -l "$ROOT/share/man/man1/paiban.1" >"$TMP/man.txt" 2>"$TMP/man.err" &&
   [ ! -s "$TMP/man.err" ] && grep -q 'EXIT STATUS' "$TMP/man.txt"; then
    ok "man -l renders the page ($(wc -l <"$TMP/man.txt") lines)"
else
    fail "man -l: $(head -3 "$TMP/man.err")"
fi
options=$(sed -n 's/.*{"\([a-z-]*\)", [a-z_]*argument.*/\1/p' src/main.c | tr '\n' ' ')
missing=""
for o in $options; do
    grep -q -- "--$o\b" "$TMP/man.txt" || missing="$missing man:--$o"
    grep -q -- "--$o\b" "$ROOT/share/bash-completion/completions/paiban" || missing="$missing completion:--$o"
done
if [ -n "$options" ] && [ -z "$missing" ]; then
    ok "the manual page and the completion name all $(echo $options | wc -w) long options"
else
    fail "options missing:${missing:- (none found in src/main.c)}"
fi
if bash -c ". '$ROOT/share/bash-completion/completions/paiban' && COMP_WORDS=(paiban --imp) COMP_CWORD=1 && _paiban && [ \"\${COMPREPLY[*]}\" = --impose ]"; then
    ok "bash completion completes --imp to --impose"
else
    fail "bash completion does not complete --imp"
fi

if make --no-print-directory -s uninstall PREFIX="$PREFIX" DESTDIR="$DEST" >"$TMP/un.out" 2>&1 &&
   [ -z "$(find "$DEST" -type f)" ]; then
    ok "make uninstall removes every installed file"
else
    fail "make uninstall left: $(find "$DEST" -type f | head -3)"
fi
e2e_finish
