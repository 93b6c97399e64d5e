#!/bin/sh
# tools.sh: the tests' programs and the Makefile's package lists cannot drift
# apart (issue 11: a fresh Debian 12 failed make check because a test called
# fc-match, of package fontconfig, which the Makefile did not install).
#
#   BUILD=build sh tests/e2e/tools.sh      (from the repository root)
#
#   - tests/e2e/py/tools.py finds every program the test scripts and their
#     python checkers call (tests/run.sh, tests/bench.sh, tests/e2e/*.sh,
#     tests/e2e/py/*.py, tests/fuzz/*.sh, tests/fuzz/*.py) and checks it
#     against the table E2E_TOOL_PACKAGES in tests/e2e/lib.sh and the lists
#     DEBS_BUILD and DEBS_TEST of `make print-debs` (see tools.py for the
#     rules); its self-test shows that the check fails when fontconfig is left
#     out of DEBS_TEST, when a script or a checker calls an unknown program,
#     and when e2e_init names a tool without a package;
#   - a tool missing from PATH makes e2e_init FAIL with "tool fc-match not
#     installed (Debian package fontconfig)", and a python checker print the
#     same FAIL line (pdfcheck.run_tool).
. tests/e2e/lib.sh
e2e_init tools python3 make dpkg-query

# The package lists, from the Makefile itself.
if (unset MAKEFLAGS MFLAGS MAKELEVEL; make -s --no-print-directory print-debs) >"$TMP/debs" 2>"$TMP/debs.err"; then
    DEBS_BUILD=$(sed -n 's/^DEBS_BUILD: *//p' "$TMP/debs")
    DEBS_TEST=$(sed -n 's/^DEBS_TEST: *//p' "$TMP/debs")
    ok "make print-debs: DEBS_BUILD $(echo $DEBS_BUILD | wc -w) packages, DEBS_TEST $(echo $DEBS_TEST | wc -w)"
else
    fail "make print-debs failed"; show "$TMP/debs.err"
    e2e_finish
fi

FILES=$(ls tests/run.sh tests/bench.sh tests/e2e/*.sh tests/e2e/py/*.py tests/fuzz/*.sh tests/fuzz/*.py 2>/dev/null)
# shellcheck disable=SC2086
run_py tests/e2e/py/tools.py check "$DEBS_BUILD" "$DEBS_TEST" $FILES
# shellcheck disable=SC2086
run_py tests/e2e/py/tools.py selftest "$DEBS_BUILD" "$DEBS_TEST" $FILES

# A missing tool, as a fresh machine would have it: a PATH with only what
# e2e_init itself needs.
mkdir "$TMP/bin"
for t in mktemp rm; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
PATH=$TMP/bin "$(command -v sh)" -c ". tests/e2e/lib.sh; PAIBAN=/bin/sh; e2e_init missing fc-match" \
    >"$TMP/init.out" 2>&1
if grep -q '^FAIL missing: tool fc-match not installed (Debian package fontconfig)$' "$TMP/init.out"; then
    ok "e2e_init without fc-match: $(cat "$TMP/init.out")"
else
    fail "e2e_init without fc-match does not name the tool and its package:"; show "$TMP/init.out"
fi
PY=$(python3 -c "import sys; print(sys.executable)")   # the interpreter, not a shim that needs PATH
PATH=$TMP/bin "$PY" -c 'import sys; sys.path.insert(0, "tests/e2e/py"); import pdfcheck as pc
try:
    pc.run(["fc-match", "-f", "%{file}", "NotoSansCJK"])
except RuntimeError as e:
    print("raised: %s" % e)' >"$TMP/py.out" 2>&1
if grep -q '^FAIL tool fc-match not installed (Debian package fontconfig)$' "$TMP/py.out" &&
   grep -q '^raised: tool fc-match not installed (Debian package fontconfig)$' "$TMP/py.out"; then
    ok "a python checker without fc-match: $(head -1 "$TMP/py.out")"
else
    fail "a python checker without fc-match does not name the tool and its package:"; show "$TMP/py.out"
fi

e2e_finish
