#!/bin/sh
# watch.sh: paiban --watch (issue 5) rebuilds after a save and survives an
# invalid one.
#
#   BUILD=build sh tests/e2e/watch.sh      (from the repository root)
#
# In a copy of xml/ and styles/, paiban --watch -s styles/print.xml -o
# w.pdf xml/report.xml runs in the background (stdout and stderr to files;
# killed on exit whatever happens; every wait below is bounded):
#   - within 10 s: w.pdf exists, stdout has a line "rebuilt …w.pdf in N ms",
#     and the process watches xml/trends with inotify (its /proc/PID/fdinfo
#     lists the directory's inode), so a save cannot come too early;
#   - one character of xml/trends/05.xml changed, saved as editors do (a new
#     file renamed over it): within 10 s exactly one more "rebuilt …w.pdf in
#     N ms" line, and w.pdf changed and shows the edit (pdftotext); no
#     second rebuild for the one save;
#   - trends/05.xml saved invalid (its </title> dropped), the same way:
#     within 10 s stderr has "…xml/trends/05.xml:LINE:COL: error:" with LINE
#     that of the unclosed <title> or of the </callout> where the parser
#     notices; the process is still running, still watches xml/trends, and
#     w.pdf is byte-identical to the last good one (no temporary file left
#     beside it);
#   - the file fixed, written in place this time (truncate and write, as
#     editors that keep the inode do) with another one-character change:
#     within 10 s a new "rebuilt" line and a w.pdf showing that change;
#   - kill -TERM: the process exits within 3 s with status 0; stderr has
#     no sanitizer report.
#
# Environment: BUILD.  Tried against broken builds: one that, after a save
# leaves an XInclude invalid, watches nothing more (main.c and watch.c
# before the fix: the failed build's empty source list replaced the old
# one) fails "still watched" and "fixed"; one that exits on an invalid save,
# one that ignores IN_MOVED_TO (editors' renames), and one whose SIGTERM
# exit status is 1 each fail their step.

. tests/e2e/lib.sh
e2e_init watch pdftotext python3 cmp

PAIBAN_ABS=$(cd "$(dirname "$PAIBAN")" && pwd)/$(basename "$PAIBAN")
W=$TMP/src
mkdir "$W"
cp -R xml styles "$W/"
T5=$W/xml/trends/05.xml
PDF=$TMP/w.pdf
WPID=
# stop_watch: end the watcher, whatever state the test is in.
stop_watch() {
    if [ -n "$WPID" ]; then
        kill -KILL "$WPID" 2>/dev/null
        wait "$WPID" 2>/dev/null
        WPID=
    fi
}
trap 'stop_watch; rm -rf "$TMP"' EXIT

# running: the watcher has not exited (a zombie, not yet waited for, has).
running() {
    [ -n "$WPID" ] && [ -r "/proc/$WPID/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$WPID/status" 2>/dev/null
}
# within SECONDS CMD...: run CMD every 0.05 s until it succeeds (0) or
# SECONDS pass (1); also gives up when the watcher has exited.
within() {
    wi_end=$(($1 * 20))
    shift
    wi_i=0
    while [ "$wi_i" -lt "$wi_end" ]; do
        "$@" && return 0
        running || { "$@"; return; }
        sleep 0.05
        wi_i=$((wi_i + 1))
    done
    return 1
}
# armed DIR: the watcher watches DIR with inotify.
armed() {
    ar_ino=$(printf '%x' "$(ls -di "$1" | awk '{ print $1 }')")
    cat "/proc/$WPID/fdinfo/"* 2>/dev/null | grep -q "^inotify wd:[0-9]* ino:$ar_ino "
}
rebuilt_lines() { grep -c '^rebuilt .*w\.pdf in [0-9][0-9]* ms$' "$TMP/w.out"; }
more_rebuilt() { [ "$(rebuilt_lines)" -gt "$1" ]; }
pdf_shows() { pdftotext -q "$PDF" - 2>/dev/null | tr -d ' \n\f\t' | grep -qF "$1"; }
# save FILE: FILE.new renamed over FILE, as editors save.
save() { mv "$1.new" "$1"; }
# context: the watcher's output so far, for failure reports.
context() {
    echo "    stdout:"; sed -n '1,8s/^/      /p' "$TMP/w.out"
    echo "    stderr:"; sed -n '1,8s/^/      /p' "$TMP/w.err"
}
give_up() { fail "$1"; context; e2e_finish; }

# ------------------------------------------------------------ start
(cd "$W" && exec "$PAIBAN_ABS" --watch -s styles/print.xml -o "$PDF" xml/report.xml) >"$TMP/w.out" 2>"$TMP/w.err" &
WPID=$!
started() { [ -s "$PDF" ] && more_rebuilt 0 && armed "$W/xml/trends"; }
if within 10 started; then
    ok "start: w.pdf built, '$(head -1 "$TMP/w.out" | sed "s|$TMP/||")', xml/trends watched"
else
    running || give_up "start: the watcher exited; w.pdf: $([ -s "$PDF" ] && echo yes || echo no)"
    give_up "start: within 10 s, w.pdf $([ -s "$PDF" ] && echo exists || echo missing), $(rebuilt_lines) 'rebuilt' lines, xml/trends $(armed "$W/xml/trends" && echo watched || echo not watched)"
fi

# ------------------------------------------------------------ a valid save
cp "$PDF" "$TMP/before.pdf"
n=$(rebuilt_lines)
sed 's/专用小模型/专用微模型/' "$T5" >"$T5.new"
cmp -s "$T5" "$T5.new" && give_up "setup: the edit did not change trends/05.xml"
save "$T5"
changed() { more_rebuilt "$n" && ! cmp -s "$PDF" "$TMP/before.pdf"; }
if within 10 changed; then
    ok "valid save: '$(sed -n '$p' "$TMP/w.out" | sed "s|$TMP/||")' and a new w.pdf"
    pdf_shows 专用微模型 && ok "valid save: w.pdf shows the edit (专用微模型)" ||
        fail "valid save: w.pdf does not show the edit (专用微模型)"
    sleep 0.3
    [ "$(rebuilt_lines)" -eq $((n + 1)) ] && ok "valid save: one save, one rebuild" ||
        { fail "valid save: $(( $(rebuilt_lines) - n )) rebuilds for one save"; context; }
else
    fail "valid save: within 10 s, $(( $(rebuilt_lines) - n )) new 'rebuilt' lines, w.pdf $(cmp -s "$PDF" "$TMP/before.pdf" && echo unchanged || echo changed), watcher $(running && echo running || echo exited)"
    context
fi

# ------------------------------------------------------------ an invalid save
cp "$PDF" "$TMP/good.pdf"
cp "$T5" "$TMP/05.valid"
n=$(rebuilt_lines)
title_line=$(grep -n '<title>' "$T5" | head -1 | cut -d: -f1)
end_line=$(grep -n '</callout>' "$T5" | head -1 | cut -d: -f1)
sed 's|</title>||' "$T5" >"$T5.new"
save "$T5"
reported() { grep -Eq "(^|/)xml/trends/05\.xml:($title_line|$end_line):[0-9]+: error:" "$TMP/w.err"; }
if within 10 reported; then
    ok "invalid save: '$(grep -E -m1 'trends/05\.xml:[0-9]+:[0-9]+: error:' "$TMP/w.err" | sed "s|$W/||")'"
else
    fail "invalid save: within 10 s, no 'xml/trends/05.xml:$title_line|$end_line:COL: error:' on stderr"
    context
fi
sleep 0.3
running && ok "invalid save: the watcher is still running" || give_up "invalid save: the watcher exited"
cmp -s "$PDF" "$TMP/good.pdf" && ok "invalid save: w.pdf is the last good one, byte for byte" ||
    fail "invalid save: w.pdf changed"
[ "$(rebuilt_lines)" -eq "$n" ] || fail "invalid save: a 'rebuilt' line was printed for it"
left=$(cd "$TMP" && ls -A | grep '^w\.pdf.' | tr '\n' ' ')
[ -z "$left" ] || fail "invalid save: files left beside w.pdf: $left"
armed "$W/xml/trends" && ok "invalid save: xml/trends is still watched" ||
    fail "invalid save: the watcher no longer watches xml/trends (a fix would go unnoticed)"

# ------------------------------------------------------------ fixed, in place
n=$(rebuilt_lines)
sed 's/专用微模型/专用中模型/' "$TMP/05.valid" >"$TMP/05.fixed"
cat "$TMP/05.fixed" >"$T5"
fixed() { more_rebuilt "$n" && pdf_shows 专用中模型; }
if within 10 fixed; then
    ok "fixed (written in place): '$(sed -n '$p' "$TMP/w.out" | sed "s|$TMP/||")', w.pdf shows 专用中模型"
else
    fail "fixed (written in place): within 10 s, $(( $(rebuilt_lines) - n )) new 'rebuilt' lines, w.pdf $(pdf_shows 专用中模型 && echo shows || echo "does not show") the fix, watcher $(running && echo running || echo exited)"
    context
fi

# ------------------------------------------------------------ SIGTERM
kill -TERM "$WPID"
gone() { ! running; }
if within 3 gone; then
    wait "$WPID"
    rc=$?
    WPID=
    [ "$rc" -eq 0 ] && ok "SIGTERM: exited within 3 s, status 0" || fail "SIGTERM: exit status $rc, expected 0"
else
    fail "SIGTERM: still running after 3 s"
    stop_watch
fi
cp "$TMP/w.err" "$TMP/err"
check_sanitizer "--watch"

e2e_finish
