#!/bin/sh
# fresh-root.sh: the README's two commands, `make` and then `make check`, as
# root on a fresh Debian 12 (bookworm) root, so that "it works on a fresh
# machine" is proven, not assumed (issue 11).
#
#   sh tests/fresh-root.sh [OPTIONS]          (as root, on a Debian host)
#
# 1. mmdebstrap (installed with apt-get when missing) builds a bookworm root,
#    variant minbase plus only gcc, make, git and ca-certificates, from the
#    Debian mirrors this machine's apt uses (/etc/apt/sources.list and
#    sources.list.d: the bookworm, bookworm-updates and bookworm-security
#    suites, component main).  The tarball is cached in CACHE (rebuilt when
#    older than a week, or with --refresh); the root itself is unpacked
#    afresh for every run and removed afterwards, so whatever `make` installs
#    never carries over.
# 2. The repository goes into /root/paiban in it: a git clone of HEAD (only
#    committed files), or with --worktree the working tree as it is (tracked
#    and untracked files, not ignored ones), committed there as one commit
#    dated like HEAD so the copy is a git checkout too.
# 3. In a private mount and PID namespace (unshare: every mount and process
#    goes when it ends), with /proc, /dev (and a private /dev/shm) and /sys
#    mounted and this machine's resolv.conf, chroot runs `make` and then
#    `make check` in /root/paiban as root with a minimal environment, printing
#    their output and how long each took.
#
# Exit status: 0 when both commands succeed, 1 when either fails, 2 when the
# root cannot be made.
#
# Options:
#   --worktree       the working tree instead of a clone of HEAD
#   --exclude PATH   with --worktree: leave out PATH (a file or directory of
#                    the repository, e.g. another engineer's unfinished
#                    tests/fuzz/regressions); may be repeated
#   --repo DIR       the repository (default: the one holding this script)
#   --cache DIR      tarball cache (default /var/cache/paiban-fresh-root)
#   --refresh        build the tarball again even when a cached one is recent
#   --variant V      mmdebstrap variant: minbase (default) or apt (Essential
#                    packages and apt only: no mawk, for instance)
#   --workdir DIR    where the root is unpacked (default /var/tmp)
#   --mirror LINE    a sources.list line ("deb URI SUITE main") to use instead
#                    of this machine's; may be repeated
#   --keep           keep the root afterwards (its path is printed)
#   --check-target T run `make T` instead of `make check` (e.g. check-asan)
set -u

die() { echo "fresh-root: $*" >&2; exit 2; }

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
WORKTREE=0
EXCLUDE=
CACHE=/var/cache/paiban-fresh-root
REFRESH=0
VARIANT=minbase
WORKDIR=/var/tmp
MIRRORS=
KEEP=0
CHECK_TARGET=check
INCLUDE=gcc,make,git,ca-certificates
NL='
'
while [ $# -gt 0 ]; do
    case $1 in
        --worktree) WORKTREE=1 ;;
        --exclude) EXCLUDE="$EXCLUDE${2:?--exclude needs a path}$NL"; shift ;;
        --repo) REPO=$(cd "${2:?--repo needs a directory}" && pwd) || exit 2; shift ;;
        --cache) CACHE=${2:?--cache needs a directory}; shift ;;
        --refresh) REFRESH=1 ;;
        --variant) VARIANT=${2:?--variant needs minbase or apt}; shift ;;
        --workdir) WORKDIR=${2:?--workdir needs a directory}; shift ;;
        --mirror) MIRRORS="$MIRRORS${2:?--mirror needs a sources.list line}$NL"; shift ;;
        --keep) KEEP=1 ;;
        --check-target) CHECK_TARGET=${2:?--check-target needs a make target}; shift ;;
        -h|--help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
case $VARIANT in minbase|apt) ;; *) die "--variant: minbase or apt, not $VARIANT" ;; esac
[ -z "$EXCLUDE" ] || [ "$WORKTREE" = 1 ] || die "--exclude goes with --worktree"
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap, mount, chroot)"
git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || die "$REPO is not a git repository"

# Seconds since $1 (date +%s.%N), to one decimal.
since() { echo "$(date +%s.%N) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

# ------------------------------------------------------------ mmdebstrap
if ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "fresh-root: installing mmdebstrap"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        mmdebstrap; } >/dev/null || die "cannot install mmdebstrap"
fi

# This machine's bookworm mirrors, as sources.list lines (deb822 .sources and
# one-line .list files; disabled entries and other suites left out).
host_mirrors() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" {
                 i = 2
                 if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
                 uri = $(i); suite = $(i + 1)
                 if (suite ~ /^bookworm(-updates|-security)?$/) print "deb " uri " " suite " main"
             }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'function flush(   n, m, i, j, U, S) {
                 if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) != "no") {
                     n = split(uris, U, /[ \t]+/); m = split(suites, S, /[ \t]+/)
                     for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
                         if (U[i] != "" && S[j] ~ /^bookworm(-updates|-security)?$/)
                             print "deb " U[i] " " S[j] " main"
                 }
                 types = uris = suites = enabled = ""; key = ""
             }
             /^[ \t]*#/ { next }
             /^[ \t]*$/ { flush(); next }
             /^[ \t]/ { next }                      # a continuation line (Signed-By blocks)
             { key = tolower($1); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
               if (key == "types:") types = val; else if (key == "uris:") uris = val
               else if (key == "suites:") suites = val; else if (key == "enabled:") enabled = val }
             END { flush() }' "$f"
    done
}
if [ -z "$MIRRORS" ]; then
    MIRRORS=$(host_mirrors | awk '!seen[$0]++')
    [ -n "$MIRRORS" ] || MIRRORS="deb http://deb.debian.org/debian bookworm main${NL}deb http://deb.debian.org/debian bookworm-updates main${NL}deb http://deb.debian.org/debian-security bookworm-security main"
fi
MIRRORS=$(printf '%s\n' "$MIRRORS" | sed '/^$/d')
echo "fresh-root: Debian 12 ($VARIANT + $INCLUDE) from:"
printf '%s\n' "$MIRRORS" | sed 's/^/    /'

mkdir -p "$CACHE" || die "cannot create $CACHE"
KEY=$(printf '%s\n' "$VARIANT" "$INCLUDE" "$MIRRORS" | sha256sum | cut -c1-12)
TARBALL=$CACHE/bookworm-$VARIANT-$KEY.tar
t0=$(date +%s.%N)
if [ "$REFRESH" = 0 ] && [ -f "$TARBALL" ] && [ -s "$TARBALL" ] && [ -n "$(find "$TARBALL" -mtime -7 2>/dev/null)" ]; then
    echo "fresh-root: cached $TARBALL ($(date -r "$TARBALL" '+%Y-%m-%d %H:%M'))"
    MMDEBSTRAP_TIME="$(since "$t0") s (cached tarball)"
else
    echo "fresh-root: mmdebstrap --variant=$VARIANT --include=$INCLUDE bookworm $TARBALL"
    set --
    while IFS= read -r line; do set -- "$@" "$line"; done <<EOF
$MIRRORS
EOF
    NEW=$CACHE/.new-$KEY.tar
    rm -rf "$NEW"
    if ! mmdebstrap --variant="$VARIANT" --include="$INCLUDE" --format=tar bookworm "$NEW" "$@" \
        >"$CACHE/mmdebstrap.log" 2>&1; then
        tail -20 "$CACHE/mmdebstrap.log" >&2
        rm -rf "$NEW"
        die "mmdebstrap failed (log: $CACHE/mmdebstrap.log)"
    fi
    mv "$NEW" "$TARBALL"
    MMDEBSTRAP_TIME="$(since "$t0") s"
    echo "fresh-root: mmdebstrap took $MMDEBSTRAP_TIME"
fi

# excluded FILE: FILE is one of the --exclude paths or below one.
excluded() {
    while IFS= read -r ex; do
        ex=${ex%/}
        case $1 in "$ex"|"$ex"/*) [ -n "$ex" ] && return 0 ;; esac
    done <<EOF
$EXCLUDE
EOF
    return 1
}

# ------------------------------------------------------------ the root
mkdir -p "$WORKDIR" || die "cannot create $WORKDIR"
ROOT=$(mktemp -d "$WORKDIR/paiban-fresh-root.XXXXXX") || die "mktemp in $WORKDIR"
# Never remove the root while anything is mounted below it (the namespace
# takes its mounts along, so this is a guard, not the cleanup).
mounted_below() { awk -v r="$ROOT" '$5 == r || index($5, r "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; }
cleanup() {
    if mounted_below; then
        umount -R "$ROOT/proc" "$ROOT/dev" "$ROOT/sys" 2>/dev/null
        awk -v r="$ROOT" 'index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
            while IFS= read -r m; do umount -l "$m"; done
    fi
    if [ "$KEEP" = 1 ]; then
        echo "fresh-root: kept $ROOT"
    elif mounted_below; then
        echo "fresh-root: $ROOT still has mounts; not removed" >&2
    else
        rm -rf --one-file-system "$ROOT"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

tar -xf "$TARBALL" -C "$ROOT" || die "cannot unpack $TARBALL"
rm -f "$ROOT/etc/resolv.conf"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true

DEST=$ROOT/root/paiban
if [ "$WORKTREE" = 1 ]; then
    mkdir -p "$DEST"
    (cd "$REPO" && git ls-files --cached --others --exclude-standard |
        while IFS= read -r f; do
            if { [ -e "$f" ] || [ -L "$f" ]; } && ! excluded "$f"; then printf '%s\n' "$f"; fi
        done |
        tar --verbatim-files-from -T - -cf -) | tar -xf - -C "$DEST" || die "cannot copy the working tree"
    DATE=$(git -C "$REPO" log -1 --format=%cI)
    (cd "$DEST" && git init -q && git add -A &&
        GIT_AUTHOR_DATE=$DATE GIT_COMMITTER_DATE=$DATE \
        git -c user.name=fresh-root -c user.email=fresh-root@localhost commit -q -m "working tree of $REPO") ||
        die "cannot commit the copy"
    echo "fresh-root: the working tree of $REPO ($(cd "$DEST" && git ls-files | wc -l) files) in /root/paiban"
    [ -z "$EXCLUDE" ] || echo "fresh-root: left out: $(printf '%s' "$EXCLUDE" | tr '\n' ' ')"
else
    git clone -q --no-hardlinks "$REPO" "$DEST" || die "git clone $REPO failed"
    echo "fresh-root: git clone of $REPO at $(git -C "$DEST" log -1 --format='%h %s') in /root/paiban"
fi

# ------------------------------------------------------------ make, make check
# Runs inside the namespace: mounts, then the two commands in the chroot.
# Each command's status goes to a file, its time to stdout.
INNER='
set -u
R=$1; T=$2
mount -t proc proc "$R/proc" || exit 2
mount --rbind /dev "$R/dev" || exit 2
mount -t tmpfs -o mode=1777 shm "$R/dev/shm" || exit 2
mount --rbind /sys "$R/sys" 2>/dev/null || true
since() { echo "$(date +%s.%N) $1" | awk "{ printf \"%.1f\", \$1 - \$2 }"; }
for cmd in make "make $T"; do
    echo "fresh-root: # $cmd"
    t0=$(date +%s.%N)
    chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /bin/sh -c "cd /root/paiban && $cmd" </dev/null 2>&1
    rc=$?
    echo "$rc $(since "$t0")" >"$R/.fresh-root.$(echo "$cmd" | tr " " _)"
    echo "fresh-root: # $cmd: exit $rc, $(since "$t0") s"
done
'
unshare --mount --pid --fork --kill-child --propagation private sh -c "$INNER" inner "$ROOT" "$CHECK_TARGET"
urc=$?
read -r MAKE_RC MAKE_TIME <"$ROOT/.fresh-root.make" 2>/dev/null || { MAKE_RC=none; MAKE_TIME=-; }
read -r CHECK_RC CHECK_TIME <"$ROOT/.fresh-root.make_$CHECK_TARGET" 2>/dev/null || { CHECK_RC=none; CHECK_TIME=-; }

echo
echo "fresh-root: summary ($([ "$WORKTREE" = 1 ] && echo "working tree" || echo "clone of HEAD"), variant $VARIANT)"
printf '    %-18s %s\n' "mmdebstrap:" "$MMDEBSTRAP_TIME" "make:" "exit $MAKE_RC, $MAKE_TIME s" \
    "make $CHECK_TARGET:" "exit $CHECK_RC, $CHECK_TIME s"
if [ "$urc" -ne 0 ] && [ "$MAKE_RC" = none ]; then
    echo "fresh-root: could not run the commands in the root (unshare/mount: exit $urc)" >&2
    exit 2
fi
[ "$MAKE_RC" = 0 ] && [ "$CHECK_RC" = 0 ]
