#!/usr/bin/env python3
"""triage.py: what tests/fuzz/structure.sh does when a batch of fuzz inputs fails.

  triage.py signature LOG
      print "KIND FRAME" for the failure reported in LOG (a sanitizer
      report, a timeout of fuzz_replay, a crash), then the top of its stack.
  triage.py handle --bin B --dir D --docdir DD --log L --rc N --regdir R --workdir W
      a run of the replay binary B on the inputs in D failed: find the one
      input (alone, or with the inputs before it that it needs; a leak at
      exit is bisected over the whole run), reduce it, and save it into R
      as KIND-FRAME-HASH.xml with the images and XIncludes it names,
      unless a finding with the same KIND-FRAME is there already.  Prints
      what it found, and last "NEXT FILE": the run's inputs up to FILE are
      done ("NEXT -": all of them).

KIND is the sanitizer's name for the error (heap-buffer-overflow, segv,
leak, ubsan-load-of-null-pointer, hang, ...); FRAME is the function at the
top of the stack that belongs to paiban (src/*.c), else the top frame.
Standard library only.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SEPARATOR = b"\n--paiban-style--\n"
ALLOCATORS = {"malloc", "calloc", "realloc", "strdup", "strndup", "pb_alloc", "pb_realloc",
              "pb_strdup", "pb_grow", "xmlStrdup", "xmlStrndup", "operator new", "__interceptor_malloc",
              "__interceptor_calloc", "__interceptor_realloc", "__interceptor_strdup"}
FRAME_RE = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ in (.+?) (\S+?)(?::(\d+))?(?::\d+)?\s*$")
FRAME_NOFILE_RE = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+\s+(?:in (\S+)\s+)?\((.*?)\)")
TRACE_PREFIX = "fuzz_replay: "


def slug(s, n=48):
    """s as a file-name-safe word."""
    s = re.sub(r"[^A-Za-z0-9_]+", "-", s).strip("-").lower()
    return s[:n].strip("-") or "unknown"


def first_stack(lines, start):
    """The frames of the first stack trace at or after line start: (func, file, line)."""
    frames = []
    for line in lines[start:]:
        m = FRAME_RE.match(line)
        if m:
            frames.append((m.group(2), m.group(3), m.group(4) or ""))
            continue
        m = FRAME_NOFILE_RE.match(line)
        if m:
            frames.append((m.group(2) or "?", m.group(3), ""))
            continue
        if frames:
            break
    return frames


def is_project(frame):
    """True for a frame in paiban's own sources (src/*.c)."""
    return bool(re.search(r"(^|/)src/[\w-]+\.[ch]$", frame[1])) and "libsanitizer" not in frame[1]


def pick_frame(frames, skip=()):
    """The frame a finding is named after: the first one in src/, else in tests/fuzz, else the first."""
    frames = [f for f in frames if f[0] not in skip]
    for test in (is_project, lambda f: "tests/fuzz/" in f[1] and f[0] != "on_timeout"):
        for f in frames:
            if test(f):
                return f
    return frames[0] if frames else ("unknown", "", "")


def ubsan_kind(message):
    """A short name for a UBSan message, without its values and types."""
    if "outside the range of representable values" in message:
        return "float-cast-overflow"
    m = re.sub(r"'[^']*'|\"[^\"]*\"|\(.*?\)|[-+]?\b(?:0x[0-9a-f]+|\d[\w.+-]*|nan|inf)\b", " ", message)
    m = re.split(r" (?:of|for|in) type\b| which\b|:", m)[0]
    return slug(" ".join(m.replace("-", " ").split()[:5]), 40)


def signature(text):
    """(kind, frame, frames) of the failure in a replay log, or None when it shows none."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.search(r"ERROR: AddressSanitizer: ([\w-]+)", line)
        if m:
            summary = re.search(r"^SUMMARY: AddressSanitizer: ([\w-]+)", text, re.M)
            kind = summary.group(1) if summary else m.group(1)
            if "requested allocation size" in line or "allocation-size-too-big" in line:
                kind = "allocation-size-too-big"
            elif "hard rss limit" in line:
                return "rss-limit", "unknown", []
            elif "out of memory" in line or kind == "out":
                kind = "out-of-memory"
            elif kind == "ABRT":
                kind = "assert" if "Assertion" in text else "abort"
            frames = first_stack(lines, i + 1)
            return slug(kind), slug(pick_frame(frames, skip={"abort", "raise", "__assert_fail"})[0]), frames
        if "ERROR: LeakSanitizer: detected memory leaks" in line:
            frames = first_stack(lines, i + 1)
            return "leak", slug(pick_frame(frames, skip=ALLOCATORS)[0]), frames
        m = re.search(r"runtime error: (.*)", line)
        if m:
            frames = first_stack(lines, i + 1)
            if not frames:                    # no stack: name it after the source line's file
                loc = line.split(": runtime error")[0]
                frames = [("?", loc.rsplit(":", 2)[0], "")]
            return "ubsan-" + ubsan_kind(m.group(1)), slug(pick_frame(frames)[0]), frames
        if line.startswith(TRACE_PREFIX + "timeout:"):
            frames = first_stack(lines, i + 1)
            skip = ALLOCATORS | {"on_timeout", "__sanitizer_print_stack_trace"}
            return "hang", slug(pick_frame(frames, skip=skip)[0]), frames
        if "pdf_render returned no PDF" in line:
            return "no-pdf", "pdf_render", []
    return None


def traced_files(text):
    """The input files a replay log names, in order (PAIBAN_FUZZ_TRACE lines)."""
    out = []
    for line in text.splitlines():
        if line.startswith(TRACE_PREFIX) and not line.startswith(TRACE_PREFIX + "timeout:") \
                and not re.match(r"fuzz_replay: \d+ passed", line):
            out.append(line[len(TRACE_PREFIX):])
    return out


class Runner:
    """Runs the replay binary on a few inputs and tells whether (and how) it fails."""

    def __init__(self, binary, docdir, timeout):
        """binary: the replay harness; docdir: PAIBAN_FUZZ_DOCDIR; timeout: seconds per input."""
        self.binary = binary
        self.docdir = docdir
        self.timeout = timeout
        self.runs = 0

    def run(self, files, docdir=None, timeout=None):
        """(signature or None, log text, seconds) of one run of the binary on files."""
        timeout = timeout or self.timeout
        env = dict(os.environ, PAIBAN_FUZZ_TRACE="1", PAIBAN_FUZZ_TIMEOUT=str(timeout),
                   PAIBAN_FUZZ_DOCDIR=docdir or self.docdir)
        env.pop("PAIBAN_FUZZ_STATS", None)
        start = time.time()
        self.runs += 1
        try:
            p = subprocess.run([self.binary] + list(files), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=timeout * len(files) + 60)
            log = p.stderr.decode("utf-8", "replace")
            rc = p.returncode
        except subprocess.TimeoutExpired as e:
            log = (e.stderr or b"").decode("utf-8", "replace") + "\nfuzz_replay: timeout: (outer)\n"
            rc = 124
        sig = signature(log)
        if sig is None and rc not in (0, 1):
            sig = ("killed-%d" % rc, "unknown", [])
        return sig, log, time.time() - start


def same(sig, target):
    """True when sig is the failure target (same kind and frame)."""
    return sig is not None and sig[0] == target[0] and sig[1] == target[1]


def bisect(runner, files, target, last=None):
    """The smallest run (halving) of files (+ last) that still shows target; None if even all fail to."""
    tail = [last] if last else []
    if not same(runner.run(files + tail)[0], target):
        return None
    while len(files) > 1:
        half = len(files) // 2
        for part in (files[:half], files[half:]):
            if same(runner.run(part + tail)[0], target):
                files = part
                break
        else:
            break                   # it needs inputs from both halves
    return files


# ---------------------------------------------------------------------------
# Reduction: remove elements, attributes and text while the failure stays
# ---------------------------------------------------------------------------

TOKEN_RE = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^\[>]*\[|<!DOCTYPE[^\[>]*>"
                      rb"|<!ENTITY\s[^\"'>]*(?:\"[^\"]*\"|'[^']*')?\s*>|\]\s*>|</[^>]*>|<[^>]*>|[^<\]]+|\]",
                      re.S)


class Reducer:
    """Greedy reduction of one input: element subtrees, then attributes, then text."""

    def __init__(self, runner, target, deadline):
        """target: the (kind, frame) to keep; deadline: when to stop trying (time.time())."""
        self.runner = runner
        self.target = target
        self.deadline = deadline
        self.tmp = tempfile.mkdtemp(prefix="paiban-reduce-")

    def test(self, data):
        """True when data still fails the same way (and there is time left)."""
        if time.time() > self.deadline:
            return False
        path = os.path.join(self.tmp, "candidate.xml")
        with open(path, "wb") as f:
            f.write(data)
        return same(self.runner.run([path])[0], self.target)

    def reduce(self, data):
        """A smaller input that fails the same way (data itself when nothing smaller does)."""
        try:
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                return data         # UTF-16: the byte-level tokens below do not apply
            doc, sep, sheet = data.partition(SEPARATOR)
            if sep and self.test(doc):
                sep = sheet = b""
            for _ in range(3):
                before = len(doc) + len(sheet)
                doc = self.reduce_part(doc, lambda d: d + sep + sheet)
                if sep:
                    sheet = self.reduce_part(sheet, lambda s: doc + sep + s)
                if len(doc) + len(sheet) == before or time.time() > self.deadline:
                    break
            return doc + sep + sheet
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def reduce_part(self, part, whole):
        """Reduce one XML text (document or style sheet); whole(part) builds the full input."""
        tokens = [m.group(0) for m in TOKEN_RE.finditer(part)]
        if b"".join(tokens) != part:
            return part
        keep = [True] * len(tokens)
        build = lambda k: b"".join(t for t, on in zip(tokens, k) if on)

        def try_drop(idx):
            """Drop tokens idx when the failure stays; True if it did."""
            trial = list(keep)
            for i in idx:
                trial[i] = False
            if self.test(whole(build(trial))):
                keep[:] = trial
                return True
            return False

        # element subtrees, outermost first, in chunks (ddmin over siblings)
        for children in self.sibling_groups(tokens):
            live = [c for c in children if keep[c[0]]]
            n = 2
            while live and time.time() < self.deadline:
                size = max(1, len(live) // n)
                for s in range(0, len(live), size):
                    chunk = live[s:s + size]
                    if try_drop([i for a, b in chunk for i in range(a, b + 1)]):
                        live = live[:s] + live[s + size:]
                        n = max(n - 1, 2)
                        break
                else:
                    if size == 1:
                        break
                    n = min(n * 2, len(live))
        # attributes of the remaining start tags
        for i, t in enumerate(tokens):
            if not keep[i] or not t.startswith(b"<") or t.startswith((b"</", b"<!", b"<?")):
                continue
            for attr in re.findall(rb"""\s[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*')""", t):
                shorter = tokens[i].replace(attr, b"", 1)
                old = tokens[i]
                tokens[i] = shorter
                if not self.test(whole(build(keep))):
                    tokens[i] = old
        # text: halve long runs while the failure stays
        for i, t in enumerate(tokens):
            if not keep[i] or t.startswith(b"<"):
                continue
            while len(tokens[i]) > 8 and time.time() < self.deadline:
                old = tokens[i]
                cut = old[:len(old) // 2]
                while cut and (cut[-1] & 0xC0) == 0x80:     # not inside a UTF-8 sequence
                    cut = cut[:-1]
                if cut and cut[-1] >= 0xC0:
                    cut = cut[:-1]
                if cut.count(b"&") != cut.count(b";"):       # not inside a reference
                    cut = cut[:cut.rfind(b"&")]
                tokens[i] = cut
                if not self.test(whole(build(keep))):
                    tokens[i] = old
                    break
        return build(keep)

    @staticmethod
    def sibling_groups(tokens):
        """Lists of sibling elements (start, end token index), parents before children."""
        stack = [[]]
        groups = []
        opened = []
        for i, t in enumerate(tokens):
            if t.startswith(b"</"):
                if opened:
                    start = opened.pop()
                    children = stack.pop()
                    stack[-1].append((start, i))
                    groups.append(children)
            elif t.startswith((b"<!--", b"<?")):
                stack[-1].append((i, i))
            elif t.startswith(b"<!ENTITY"):
                stack[-1].append((i, i))
            elif t.startswith(b"<!"):
                continue
            elif t.startswith(b"<"):
                if t.endswith(b"/>"):
                    stack[-1].append((i, i))
                else:
                    opened.append(i)
                    stack.append([])
        groups.append(stack[0])
        groups.reverse()            # outer groups first
        return [g for g in groups if g]


# ---------------------------------------------------------------------------
# Saving a finding
# ---------------------------------------------------------------------------

def aux_references(data, docdir):
    """The files below docdir that data names (img/..., inc/...), followed through XIncludes."""
    found, todo = set(), [data]
    while todo:
        text = todo.pop()
        for m in re.finditer(rb"(?:img|inc)/[\w.-]+", text):
            rel = m.group(0).decode()
            path = os.path.join(docdir, rel)
            if rel not in found and os.path.isfile(path):
                found.add(rel)
                if rel.startswith("inc/"):
                    with open(path, "rb") as f:
                        todo.append(f.read().replace(b'href="', b'href="inc/'))
    return sorted(found)


def known(regdir, sig, workdir=None):
    """True when a finding with this kind and frame is saved already (or kept in workdir/stateful)."""
    prefix = "%s-%s-" % (sig[0], sig[1])
    dirs = [regdir] + ([os.path.join(workdir, "stateful")] if workdir else [])
    return any(n.startswith(prefix) for d in dirs if os.path.isdir(d) for n in os.listdir(d))


MAX_PREDECESSORS = 3    # a finding that needs more inputs before it is kept out of the regressions


def save_stateful(args, sig, files):
    """Keep a finding that only shows after many other inputs in workdir/stateful (not a regression)."""
    dest = os.path.join(args.workdir, "stateful", "%s-%s-%d" % (sig[0], sig[1], len(files)))
    os.makedirs(dest, exist_ok=True)
    for k, f in enumerate(files):
        shutil.copyfile(f, os.path.join(dest, "%03d-%s" % (k, os.path.basename(f))))
        with open(f, "rb") as fh:
            for rel in aux_references(fh.read(), args.docdir):
                os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
                shutil.copyfile(os.path.join(args.docdir, rel), os.path.join(dest, rel))
    print("STATEFUL finding %s in %s: it needs %d inputs before it in the same process; kept in %s "
          "(replay the directory with PAIBAN_FUZZ_DOCDIR set to it)" % (sig[0], sig[1], len(files) - 1, dest))
    print(stack_excerpt(sig[2]))
    return dest


def stack_excerpt(frames, n=8):
    """The top n frames, one line each."""
    return "\n".join("    #%d %s %s%s" % (i, f[0], f[1], ":" + f[2] if f[2] else "")
                     for i, f in enumerate(frames[:n]))


def save(args, runner, sig, files, log_frames):
    """Reduce the failing input (files[-1], after the inputs it needs) and save it into the regressions."""
    os.makedirs(args.regdir, exist_ok=True)
    with open(files[-1], "rb") as f:
        data = f.read()
    findings = os.path.join(args.workdir, "findings")
    os.makedirs(findings, exist_ok=True)
    original = os.path.join(findings, "%s-%s-%s.orig.xml" % (sig[0], sig[1], hashlib.sha1(data).hexdigest()[:8]))
    shutil.copyfile(files[-1], original)
    if args.reduce_seconds > 0 and len(files) == 1 and sig[0] not in ("hang", "rss-limit") \
            and not sig[0].startswith("killed"):
        data = Reducer(runner, sig, time.time() + args.reduce_seconds).reduce(data)
    base = "%s-%s-%s" % (sig[0], sig[1], hashlib.sha1(data).hexdigest()[:8])
    saved = []
    for k, pre in enumerate(files[:-1]):        # inputs it needs before it, in replay order
        dest = os.path.join(args.regdir, "%s-%d.xml" % (base, k + 1))
        shutil.copyfile(pre, dest)
        saved.append(dest)
    name = base + ("-%d.xml" % len(files) if len(files) > 1 else ".xml")
    path = os.path.join(args.regdir, name)
    with open(path, "wb") as f:
        f.write(data)
    saved.append(path)
    for src in saved:
        with open(src, "rb") as f:
            for rel in aux_references(f.read(), args.docdir):
                dest = os.path.join(args.regdir, rel)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copyfile(os.path.join(args.docdir, rel), dest)
    limit = max(1, args.timeout // 2) if sig[0] == "hang" else None
    check = runner.run(saved, docdir=os.path.abspath(args.regdir), timeout=limit)[0]
    print("NEW finding %s in %s: %s" % (sig[0], sig[1], path))
    print("  (unreduced: %s, %d bytes; saved: %d bytes%s)" % (
        original, os.path.getsize(original), len(data),
        "" if same(check, sig) else "; WARNING: it does not reproduce from the regressions directory"))
    print(stack_excerpt(log_frames))
    shown = data[:1500].decode("utf-8", "replace")
    print("  input%s:\n%s" % (" (first 1500 bytes)" if len(data) > 1500 else "",
                              "\n".join("    | " + line for line in shown.splitlines())))
    return path


def handle(args):
    """Find, reduce and save the input behind a failed batch run; print NEXT."""
    with open(args.log, encoding="utf-8", errors="replace") as f:
        log = f.read()
    run_files = sorted(os.path.join(args.dir, n) for n in os.listdir(args.dir)
                       if not n.startswith(".") and os.path.isfile(os.path.join(args.dir, n)))
    traced = traced_files(log)
    at_exit = re.search(r"^fuzz_replay: \d+ passed", log, re.M) is not None
    runner = Runner(args.bin, args.docdir, args.timeout)
    sig = signature(log)
    if sig is None:
        sig = ("killed-%d" % args.rc, "unknown", []) if args.rc not in (0, 1) else ("unknown", "unknown", [])
    if sig[0] == "hang" and "(outer)" not in log:
        m = re.search(r"^fuzz_replay: timeout: (.*) ran over", log, re.M)
        candidate = m.group(1) if m else (traced[-1] if traced else None)
    else:
        candidate = traced[-1] if traced and not at_exit else None
    log_path = os.path.join(args.workdir, "findings.log")
    with open(log_path, "a") as f:
        if known(args.regdir, sig, args.workdir):
            print("repeat finding %s in %s (%s)" % (sig[0], sig[1], os.path.basename(candidate or "at exit")))
            f.write("REPEAT %s %s\n" % (sig[0], sig[1]))
        else:
            files = None
            if candidate:                               # the input that was running
                # a hang is confirmed alone at half the limit, which also gives its stack
                limit = max(1, args.timeout // 2) if sig[0] == "hang" else None
                alone = runner.run([candidate], timeout=limit)[0]
                if alone is not None:
                    sig = (alone[0], alone[1], alone[2] or sig[2])
                    files = [candidate]
                elif sig[0] == "hang":
                    files = None                        # fast alone: not reproducible
                else:
                    before = [p for p in run_files if p < candidate]
                    pre = bisect(runner, before, sig, last=candidate)
                    files = None if pre is None else pre + [candidate]
            else:                                       # at exit (a leak): which input leaks?
                files = bisect(runner, run_files, sig)
                files = files if files else None
            if files and known(args.regdir, sig, args.workdir):
                print("repeat finding %s in %s" % (sig[0], sig[1]))
                f.write("REPEAT %s %s\n" % (sig[0], sig[1]))
            elif files and len(files) > MAX_PREDECESSORS + 1:
                path = save_stateful(args, sig, files)
                f.write("STATEFUL %s %s %s\n" % (sig[0], sig[1], path))
            elif files:
                path = save(args, runner, sig, files, sig[2])
                f.write("NEW %s %s %s\n" % (sig[0], sig[1], path))
            else:
                print("flaky finding %s in %s: does not reproduce (%s)" % (sig[0], sig[1], candidate or "at exit"))
                f.write("FLAKY %s %s\n" % (sig[0], sig[1]))
                flaky = os.path.join(args.workdir, "flaky")
                os.makedirs(flaky, exist_ok=True)
                if candidate:
                    shutil.copy(candidate, flaky)
                shutil.copy(args.log, os.path.join(flaky, "%s-%s.log" % (sig[0], sig[1])))
    sys.stdout.flush()
    print("NEXT %s" % (candidate if candidate else "-"))


def main():
    """Command line: signature LOG, or handle (see the module's help)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("signature")
    s.add_argument("log")
    h = sub.add_parser("handle")
    for name in ("bin", "dir", "docdir", "log", "regdir", "workdir"):
        h.add_argument("--" + name, required=True)
    h.add_argument("--rc", type=int, default=1)
    h.add_argument("--timeout", type=int, default=10)
    h.add_argument("--reduce-seconds", type=int, default=120)
    args = ap.parse_args()
    if args.cmd == "signature":
        with open(args.log, encoding="utf-8", errors="replace") as f:
            sig = signature(f.read())
        if not sig:
            return 1
        print("%s %s" % (sig[0], sig[1]))
        print(stack_excerpt(sig[2]))
        return 0
    handle(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
