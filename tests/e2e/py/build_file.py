#!/usr/bin/env python3
"""build_file: checks of paiban --build against its build description.

Standard library only (and pdfcheck's run_tool).  Used by
tests/e2e/build_file.sh.  Every path a command takes or prints is relative
to BASE, the directory paiban runs in; BUILD is the build description
(relative to BASE).  Everything the checks expect is read from BUILD and
the document it names, never written down here:

  - an <output>'s file, style and input are relative to BUILD's directory;
  - an output with split="E" writes one file per element E of the
    document's <body> (XIncludes expanded; an E inside an E is not one of
    its own), named by its file pattern (%d, %02d) with the element's
    number= (a positive integer), else its position (1, 2, ...);
  - every other attribute is the command-line option of its name: marks="yes"
    is --marks (marks="no" nothing), NAME="V" is --NAME V.

Commands (each prints "ok NAME: detail" / "FAIL NAME: reason" lines and
exits 1 when a group failed):
  outputs BASE BUILD
        print the files BUILD describes, one a line (no check).
  exact BASE BUILD BEFORE AFTER LABEL
        BEFORE and AFTER list the files below BASE (find . -type f) before
        and after paiban --build BUILD: the new files are exactly those
        BUILD describes (none missing, none extra, none vanished).
  singles BASE BUILD PAIBAN PREFIX
        for each <output>, run the equivalent single command line from BASE
        (-s STYLE -o PREFIX/FILE [options] INPUT, SOURCE_DATE_EPOCH from the
        environment): it exits 0, writes under PREFIX exactly the files the
        output describes, and each is byte-identical to BASE/FILE (the
        --build run's).  The file names are the same below PREFIX, so the
        slug line of an imposition (which prints the file name) matches.
  qpdf BASE BUILD
        qpdf --check is clean on every file BUILD describes.
  mtimes DIR      print "MTIME_NS PATH" for every file below DIR
  unchanged BEFORE AFTER LABEL
        two `mtimes` listings are the same (no file rewritten, new or gone).
  depfile BASE DEP FILE...
        DEP's first rule lists every FILE among its prerequisites (compared
        by real path, a relative name taken from BASE).
  selftest BASE BUILD
        the checks above fail on planted faults.
Commands may be chained: CMD ARGS --then CMD ARGS ...
"""

import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import handouts as ho  # noqa: E402  (mtimes and make's dependency files)
import pdfcheck as pc  # noqa: E402

XI = "{http://www.w3.org/2001/XInclude}include"
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")


class Output:
    """One <output> of a build description, its paths relative to BASE."""

    def __init__(self, file, style, options, split):
        self.file, self.style, self.options, self.split = file, style, options, split


def norm(dir_, rel):
    """rel, relative to dir_ (itself relative to BASE), as a path relative to BASE."""
    return os.path.normpath(os.path.join(dir_, rel)) if not os.path.isabs(rel) else rel


def load_build(base, build):
    """(input, [Output]) of the build description; raises ValueError when
    it holds what this checker cannot map to a command line."""
    root = ET.parse(os.path.join(base, build)).getroot()
    d = os.path.dirname(build)
    if root.tag != "build" or "input" not in root.attrib:
        raise ValueError("%s: not a <build input=...> element" % build)
    outs = []
    for el in root:
        if el.tag is ET.Comment:
            continue
        if el.tag != "output":
            raise ValueError("%s: unknown element <%s>" % (build, el.tag))
        opts, split = [], None
        for name, value in el.attrib.items():
            if name in ("file", "style"):
                continue
            if name == "marks":
                if value not in ("yes", "no"):
                    raise ValueError("%s: marks=%r" % (build, value))
                opts += ["--marks"] if value == "yes" else []
                continue
            if name == "split":
                split = value
            opts += ["--" + name, value]
        style = el.get("style")
        outs.append(Output(norm(d, el.get("file")), norm(d, style) if style else None, opts, split))
    return norm(d, root.get("input")), outs


def load_doc(path):
    """The document at path with its XIncludes expanded (recursively)."""
    root = ET.parse(path).getroot()

    def expand(el, here):
        for i, child in enumerate(list(el)):
            if child.tag == XI:
                href = os.path.join(os.path.dirname(here), child.get("href"))
                inc = load_doc(href)
                inc.tail = child.tail
                el[i] = inc
            else:
                expand(child, here)
    expand(root, path)
    return root


def parts(body, name):
    """The elements name of body in document order, not those inside one."""
    out = []
    for child in body:
        if child.tag == name:
            out.append(child)
        else:
            out.extend(parts(child, name))
    return out


def files_of(base, inp, out, doc_cache):
    """The files one output writes (relative to BASE)."""
    if not out.split:
        return [out.file]
    if inp not in doc_cache:
        doc_cache[inp] = load_doc(os.path.join(base, inp))
    body = doc_cache[inp].find("body")
    found = parts(body, out.split) if body is not None else []
    names = []
    for i, el in enumerate(found):
        num = el.get("number", "")
        n = int(num) if num.isdigit() and int(num) > 0 else i + 1
        names.append(out.file % n)
    return names


def expected(base, build):
    """(input, [(Output, [file...])]) of the description."""
    inp, outs = load_build(base, build)
    cache = {}
    return inp, [(o, files_of(base, inp, o, cache)) for o in outs]


def all_files(plan):
    return [f for _, fs in plan for f in fs]


# --------------------------------------------------------------------------
# checks: each returns a list of problems
# --------------------------------------------------------------------------
def read_list(path):
    return {os.path.normpath(l.strip()) for l in open(path, encoding="utf-8") if l.strip()}


def check_exact(before, after, want):
    problems = []
    new = after - before
    gone = before - after
    want = set(want)
    if want - new:
        problems.append("not written: %s" % " ".join(sorted(want - new)))
    if new - want:
        problems.append("written but not described: %s" % " ".join(sorted(new - want)))
    if gone:
        problems.append("files that vanished: %s" % " ".join(sorted(gone)))
    return problems


def check_same_bytes(pairs):
    """pairs: (label, a, b); the files whose bytes differ (or are missing)."""
    problems = []
    for label, a, b in pairs:
        try:
            with open(a, "rb") as fa, open(b, "rb") as fb:
                if fa.read() != fb.read():
                    problems.append("%s differs from the single command's" % label)
        except OSError as e:
            problems.append("%s: %s" % (label, e.strerror or e))
    return problems


def qpdf_problems(name, rc, text):
    bad = [l for l in text.splitlines() if re.search(r"(?i)warning|error", l)
           and not l.startswith(("No syntax or stream encoding errors found",
                                 "errors that qpdf cannot detect"))]
    if rc != 0 or bad or "No syntax or stream encoding errors found" not in text:
        return ["%s: qpdf --check exited %d: %s" % (name, rc, " | ".join(bad[:3]) or text[:100].strip())]
    return []


def check_unchanged(before, after):
    names = sorted(set(before) | set(after))
    return ["%s: %s" % (n, "new" if n not in before else "gone" if n not in after else "rewritten")
            for n in names if before.get(n) != after.get(n)]


def depfile_prereqs(text):
    """The prerequisites of the first rule of a make dependency file (handouts.py parses it)."""
    rules = [r for r in ho.parse_depfile(text) if r[0]]
    return rules[0][1] if rules else []


def check_depfile(base, prereqs, files):
    have = {os.path.realpath(p if os.path.isabs(p) else os.path.join(base, p)) for p in prereqs}
    return ["%s is not among the %d prerequisites" % (f, len(prereqs)) for f in files
            if os.path.realpath(os.path.join(base, f)) not in have]


# --------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------
def cmd_outputs(base, build):
    _, plan = expected(base, build)
    for f in all_files(plan):
        print(f)
    return 0


def cmd_exact(base, build, before, after, label):
    rep = pc.Report()
    _, plan = expected(base, build)
    want = all_files(plan)
    probs = check_exact(read_list(before), read_list(after), want)
    if len(set(want)) != len(want):
        probs.append("the description names a file twice")
    rep.group(label, probs, "%d files from %d <output> elements: %s" % (
        len(want), len(plan), " ".join(want) if len(want) <= 4 else " ".join(want[:3] + ["..."])))
    return rep.failed


def single_argv(paiban, inp, out, prefix):
    argv = [paiban]
    if out.style:
        argv += ["-s", out.style]
    return argv + ["-o", os.path.join(prefix, out.file)] + out.options + [inp]


def cmd_singles(base, build, paiban, prefix):
    rep = pc.Report()
    inp, plan = expected(base, build)
    pairs, run_probs, cmds = [], [], []
    for out, files in plan:
        argv = single_argv(paiban, inp, out, prefix)
        shown = " ".join(shlex.quote(a) for a in ["paiban"] + argv[1:])
        cmds.append(shown)
        before = set(walk(os.path.join(base, prefix)))
        for f in files:
            os.makedirs(os.path.dirname(os.path.join(base, prefix, f)) or ".", exist_ok=True)
        p = pc.run_tool(argv, cwd=base, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = p.stderr.decode("utf-8", "replace")
        if SANITIZER.search(err):
            run_probs.append("sanitizer report from %s: %s" % (shown, err.strip().splitlines()[0]))
        if p.returncode != 0:
            run_probs.append("%s exited %d: %s" % (shown, p.returncode, " | ".join(err.strip().splitlines()[:2])))
            continue
        new = set(walk(os.path.join(base, prefix))) - before
        want = {os.path.normpath(os.path.join(prefix, f)) for f in files}
        if new != want:
            run_probs.append("%s wrote %s, expected %s" % (shown, " ".join(sorted(new)) or "nothing",
                                                            " ".join(sorted(want))))
        pairs += [(f, os.path.join(base, f), os.path.join(base, prefix, f)) for f in files]
    rep.group("the equivalent single commands run", run_probs, "; ".join(cmds))
    rep.group("each output of --build is byte-identical to the single command's", check_same_bytes(pairs),
              "%d files compared" % len(pairs))
    return rep.failed


def walk(d):
    """Every file below d, as a path relative to d's parent's view: relative to BASE."""
    out = []
    base = os.path.dirname(d.rstrip("/"))
    for root, _, files in os.walk(d):
        for f in files:
            out.append(os.path.relpath(os.path.join(root, f), base))
    return out


def cmd_qpdf(base, build):
    rep = pc.Report()
    _, plan = expected(base, build)
    probs = []
    files = all_files(plan)
    for f in files:
        p = pc.run_tool(["qpdf", "--check", os.path.join(base, f)], stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT)
        probs += qpdf_problems(f, p.returncode, p.stdout.decode("utf-8", "replace"))
    rep.group("qpdf --check on every output", probs, "%d files clean" % len(files))
    return rep.failed


def cmd_unchanged(before, after, label):
    rep = pc.Report()
    b, a = ho.read_mtimes(before), ho.read_mtimes(after)
    rep.group(label, check_unchanged(b, a), "%d files, every mtime (ns) as it was" % len(a))
    return rep.failed


def cmd_depfile(base, dep, *files):
    rep = pc.Report()
    prereqs = depfile_prereqs(open(dep, encoding="utf-8").read())
    rep.group("--depfile with --build lists %s" % " ".join(files), check_depfile(base, prereqs, files),
              "among %d prerequisites" % len(prereqs))
    return rep.failed


def selftest(base, build):
    """Each check fails on planted faults."""
    rep = pc.Report(quiet=True)
    inp, plan = expected(base, build)
    want = all_files(plan)
    planted = 0

    def expect(name, problems):
        nonlocal planted
        planted += 1
        rep.group("selftest: fails on %s" % name, [] if problems else ["no problem reported"])

    before = {"xml/report.xml"}
    good = before | set(want)
    rep.group("selftest: exact passes on the described files", check_exact(before, good, want))
    expect("a described file missing", check_exact(before, good - {want[-1]}, want))
    expect("an extra file written", check_exact(before, good | {"out/extra.pdf"}, want))
    expect("a source file vanished", check_exact(before, good - {"xml/report.xml"}, want))
    # every split output is one file per element: a description whose split
    # pattern loses its number gives one name for all of them
    split = next((o for o, fs in plan if o.split and len(fs) > 1), None)
    if split:
        expect("the split outputs named by another element",
               check_exact(before, good, [f for f in want if f not in files_of(base, inp, split, {})] +
                           [split.file % (i + 2) for i in range(len(files_of(base, inp, split, {})))]))
    else:
        rep.group("selftest: the description has a split output of several files", ["none to plant faults in"])
    a = os.path.join(base, want[0])
    b = os.path.join(base, want[1]) if len(want) > 1 else a
    rep.group("selftest: same bytes passes on a file and itself", check_same_bytes([("x", a, a)]))
    expect("two different outputs compared", check_same_bytes([("x", a, b)]))
    expect("a missing single output", check_same_bytes([("x", a, a + ".missing")]))
    expect("a qpdf warning", qpdf_problems("x", 3, "WARNING: xref not found\n"))
    expect("qpdf exiting 2", qpdf_problems("x", 2, "No syntax or stream encoding errors found\n"))
    m = {"a.pdf": "1", "b.pdf": "2"}
    rep.group("selftest: unchanged passes on the same listing", check_unchanged(m, dict(m)))
    expect("a rewritten file", check_unchanged(m, dict(m, **{"b.pdf": "3"})))
    expect("a new file", check_unchanged(m, dict(m, **{"c.pdf": "3"})))
    dep = "out/.built: \\\n xml/report.xml \\\n xml/build.xml \\\n styles/print.xml\n\nxml/report.xml:\n"
    rep.group("selftest: depfile passes on a rule listing xml/build.xml",
              check_depfile(base, depfile_prereqs(dep), ["xml/build.xml"]))
    expect("xml/build.xml only in an empty rule",
           check_depfile(base, depfile_prereqs("out/.built: xml/report.xml\n\nxml/build.xml:\n"),
                         ["xml/build.xml"]))
    expect("xml/build.xml left out", check_depfile(base, depfile_prereqs(dep.replace("build.xml", "x.xml")),
                                                   ["xml/build.xml"]))
    if rep.failed == 0:
        print("ok selftest: every check passes on good data and fails on %d planted faults" % planted)
    return rep.failed


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    commands = {"exact": cmd_exact, "singles": cmd_singles, "qpdf": cmd_qpdf,
                "unchanged": cmd_unchanged, "depfile": cmd_depfile, "selftest": selftest}
    try:
        if cmd == "outputs":
            return cmd_outputs(*args)
        if cmd == "mtimes":
            for name, ns in sorted(ho.mtimes(args[0]).items()):
                print("%d %s" % (ns, name))
            return 0
        if cmd in commands:
            return 1 if commands[cmd](*args) else 0
    except (RuntimeError, OSError, ValueError, TypeError, ET.ParseError) as e:
        print("FAIL %s: %s: %s" % (cmd, type(e).__name__, e))
        return 1
    print("unknown command %r" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
