# lib.sh: shared helpers for the end-to-end scripts in tests/e2e/ (POSIX sh).
#
#   . tests/e2e/lib.sh          (from the repository root)
#
# Sets BUILD (default build), PAIBAN ($BUILD/paiban), STYLE, REPORT_XML
# and PDFCHECK (the python helper), and provides:
#   e2e_init NAME TOOL...  make the temp dir $TMP (removed on exit), check that
#                          the binary and every TOOL exist (else FAIL naming the
#                          tool and its Debian package, exit 1)
#   e2e_tool_package TOOL  print TOOL's Debian package (E2E_TOOL_PACKAGES)
#   ok MSG / fail MSG      print "ok MSG" / "FAIL MSG" and count failures
#   skip MSG               print "skip MSG" for a check that cannot run on this
#                          machine (say why); tests/run.sh counts these lines
#   run_paiban ARGS...     run $PAIBAN ARGS; stdout/stderr in $TMP/out, $TMP/err;
#                          the exit status in $RC; a sanitizer report is a FAIL
#   e2e_build WHAT ARGS... run_paiban ARGS; a FAIL naming WHAT (and status 1)
#                          when paiban exits non-zero
#   pycheck CMD ARGS...    run pdfcheck.py CMD ARGS, pass its lines through and
#                          count its FAIL lines as failures (run_py SCRIPT ARGS
#                          for another checker; py_start NAME SCRIPT ARGS and
#                          py_collect NAME to run one in the background)
#   e2e_finish             print the tally, exit 1 if anything failed

BUILD=${BUILD:-build}
PAIBAN=$BUILD/paiban
STYLE=${PAIBAN_STYLE:-styles/print.xml}
REPORT_XML=${PAIBAN_XML:-xml/report.xml}
PDFCHECK=tests/e2e/py/pdfcheck.py
E2E_FAILED=0
E2E_SKIPPED=0
E2E_NAME=e2e
TMP=

# The Debian package of every program the tests call (tests/e2e/*.sh and
# their python checkers, tests/run.sh, tests/bench.sh, tests/fuzz/*.sh):
# one "COMMAND PACKAGE" a line.  This is the one table: e2e_init's and the
# checkers' (pdfcheck.tool_packages) messages read it, and tests/e2e/tools.sh
# checks that every program the tests call is here (or comes from an
# Essential package, which every Debian system has) and that every package
# here is in the Makefile's DEBS_TEST or DEBS_BUILD (or is Essential).
E2E_TOOL_PACKAGES='
/usr/bin/time time
awk mawk
cmp diffutils
diff diffutils
dpkg-query dpkg
fc-match fontconfig
git git
grep grep
gs ghostscript
iconv libc-bin
make make
man man-db
mkfifo coreutils
mutool mupdf-tools
pdffonts poppler-utils
pdfimages poppler-utils
pdfinfo poppler-utils
pdftoppm poppler-utils
pdftotext poppler-utils
python3 python3
qpdf qpdf
sed sed
tar tar
timeout coreutils
xmllint libxml2-utils
'

ok()   { echo "ok $*"; }
fail() { echo "FAIL $*"; E2E_FAILED=$((E2E_FAILED + 1)); }
skip() { echo "skip $*"; E2E_SKIPPED=$((E2E_SKIPPED + 1)); }

e2e_init() {
    E2E_NAME=$1
    shift
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/paiban-$E2E_NAME.XXXXXX") || { echo "FAIL $E2E_NAME: mktemp"; exit 1; }
    trap 'rm -rf "$TMP"' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 141' PIPE
    trap 'exit 143' TERM
    if [ ! -x "$PAIBAN" ]; then
        fail "$E2E_NAME: $PAIBAN not built (make $PAIBAN)"
        exit 1
    fi
    for e2e_tool in "$@"; do
        if ! command -v "$e2e_tool" >/dev/null 2>&1; then
            e2e_pkg=$(e2e_tool_package "$e2e_tool")
            if [ -n "$e2e_pkg" ]; then e2e_pkg="Debian package $e2e_pkg"
            else e2e_pkg="no Debian package known for it: add it to E2E_TOOL_PACKAGES in tests/e2e/lib.sh"; fi
            fail "$E2E_NAME: tool $e2e_tool not installed ($e2e_pkg)"
            exit 1
        fi
    done
}

# e2e_tool_package TOOL: TOOL's Debian package from E2E_TOOL_PACKAGES, or nothing.
e2e_tool_package() {
    printf '%s\n' "$E2E_TOOL_PACKAGES" | while read -r e2e_t_cmd e2e_t_pkg; do
        if [ "$e2e_t_cmd" = "$1" ]; then
            printf '%s\n' "$e2e_t_pkg"
            break
        fi
    done
}

# e2e_build WHAT ARGS...: run_paiban ARGS; 0 when it exited 0, else a FAIL
# naming WHAT with paiban's first lines, and 1.
e2e_build() {
    e2e_build_what=$1
    shift
    run_paiban "$@"
    if [ "$RC" -ne 0 ]; then
        fail "$e2e_build_what: paiban exited $RC"
        show "$TMP/err"
        return 1
    fi
}

run_paiban() {
    "$PAIBAN" "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    check_sanitizer "$*"
}

# check_sanitizer WHAT: fail when $TMP/err holds an ASan/UBSan/LSan report
# (BUILD=build/asan), whatever the exit status was.
check_sanitizer() {
    if grep -q 'AddressSanitizer\|LeakSanitizer\|UndefinedBehaviorSanitizer\|runtime error:' "$TMP/err"; then
        fail "sanitizer report from paiban $1"
        grep -m3 'Sanitizer\|runtime error:' "$TMP/err" | sed 's/^/    /'
    fi
}

# First few lines of a file, indented, for failure reports.
show() { sed -n '1,6s/^/    /p' "$1"; }

# run_py SCRIPT ARGS...: run a python checker, pass its lines through, count its FAIL lines.
run_py() {
    e2e_py_script=$1
    shift
    python3 "$e2e_py_script" "$@" >"$TMP/py.out" 2>&1
    py_tally "$TMP/py.out" $? "$(basename "$e2e_py_script") $1"
}

# py_start NAME SCRIPT ARGS...: run a python checker in the background, its
# output in $TMP/NAME.py; py_collect NAME waits for it and tallies it like
# run_py.  (To overlap a checker with builds; one at a time per NAME.)
py_start() {
    e2e_py_name=$1
    shift
    ( python3 "$@" >"$TMP/$e2e_py_name.py" 2>&1; echo $? >"$TMP/$e2e_py_name.py.rc" ) &
    eval "E2E_PY_PID_$e2e_py_name=\$!"
    eval "E2E_PY_WHAT_$e2e_py_name=\"\$(basename \"\$1\") \$2\""
}
py_collect() {
    eval "wait \$E2E_PY_PID_$1"
    eval "py_tally \"\$TMP/\$1.py\" \"\$(cat \"\$TMP/\$1.py.rc\" 2>/dev/null || echo 1)\" \"\$E2E_PY_WHAT_$1\""
}

# py_tally FILE RC WHAT: print a checker's output, count its FAIL lines as
# failures, or one failure when it exited non-zero without reporting any.
py_tally() {
    cat "$1"
    e2e_py_fails=$(grep -c '^FAIL' "$1")
    if [ "$e2e_py_fails" -gt 0 ]; then
        E2E_FAILED=$((E2E_FAILED + e2e_py_fails))
    elif [ "$2" -ne 0 ]; then
        fail "$3: exited $2 without reporting a failure"
    fi
}

pycheck() { run_py "$PDFCHECK" "$@"; }

e2e_finish() {
    if [ "$E2E_FAILED" -ne 0 ]; then
        echo "$E2E_NAME: $E2E_FAILED check group(s) failed"
        exit 1
    fi
    if [ "$E2E_SKIPPED" -ne 0 ]; then
        echo "$E2E_NAME: all checks passed, $E2E_SKIPPED skipped"
    else
        echo "$E2E_NAME: all checks passed"
    fi
    exit 0
}

