#!/usr/bin/env python3
"""layering.py: hold src/ to the map in ARCHITECTURE.md.

  layering.py check ARCHITECTURE.md SRC_DIR
  layering.py selftest ARCHITECTURE.md SRC_DIR

The stage table of ARCHITECTURE.md lists, row by row from the first stage
to the last, the files of each stage (its second column); the paragraph
"Shared below every stage" names the modules every stage may use.  A
header goes with its .c file (X_internal.h with X.c).  Checks:
  map     every .c and .h of src/ is in the table or the shared list;
  order   every #include "..." names a header of the file's own stage, of a
          stage above it, or a shared one (no stage reaches back down);
  cycles  no headers include each other, directly or through others.
selftest plants one fault for each check (a read-stage file including the
PDF writer's header, two headers including each other, a file the map
does not know) and requires each to be caught.
"""
import os
import re
import sys

SHARED = -1


def read_map(arch_text):
    """{module stem: rank}: the table's rows in order, the shared ones SHARED."""
    ranks = {}
    rows = [l for l in arch_text.splitlines() if l.startswith("| ") and not l.startswith("| stage")]
    for rank, row in enumerate(rows):
        cells = row.split("|")
        if len(cells) < 3:
            continue
        for name in re.findall(r"`([a-z_]+)\.[ch]`", cells[2]):
            ranks.setdefault(name, rank)
    m = re.search(r"Shared below every stage:(.*?)(\n\n|$)", arch_text, re.S)
    for name in re.findall(r"`([a-z_]+)\.c`", m.group(1) if m else ""):
        ranks[name] = SHARED
    return ranks


def stem(filename):
    """The module a file belongs to: foo.c, foo.h and foo_internal.h are foo."""
    base = os.path.basename(filename).rsplit(".", 1)[0]
    return base[:-len("_internal")] if base.endswith("_internal") else base


def read_includes(src):
    """{file name: [included project headers]} for every .c and .h of src."""
    out = {}
    for f in sorted(os.listdir(src)):
        if f.endswith((".c", ".h")):
            with open(os.path.join(src, f), encoding="utf-8") as fh:
                out[f] = re.findall(r'^#include "([a-z_]+\.h)"', fh.read(), re.M)
    return out


def check(ranks, includes):
    """(map problems, order problems, cycle problems)."""
    unmapped = ["%s is not in ARCHITECTURE.md's table or shared list" % f
                for f in includes if stem(f) not in ranks]
    order = []
    for f, incs in includes.items():
        own = ranks.get(stem(f))
        for h in incs:
            theirs = ranks.get(stem(h))
            if own is None or theirs is None or theirs == SHARED:
                continue  # the map check names files it does not know
            if own == SHARED:
                order.append("%s (shared) includes %s, a stage's header" % (f, h))
            elif theirs > own:
                order.append("%s includes %s, a later stage's header" % (f, h))
    cycles = []
    headers = {f: incs for f, incs in includes.items() if f.endswith(".h")}

    def visit(h, path):
        for nxt in headers.get(h, []):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt in headers and len(path) < 50:
                visit(nxt, path + [nxt])
    for h in headers:
        visit(h, [h])
    return unmapped, order, sorted(set(cycles))


def report(name, problems, detail):
    if problems:
        print("FAIL %s: %s%s" % (name, problems[0], " (and %d more)" % (len(problems) - 1) if len(problems) > 1 else ""))
        for p in problems[1:6]:
            print("    " + p)
        return 1
    print("ok %s: %s" % (name, detail))
    return 0


def main(argv):
    if len(argv) != 4 or argv[1] not in ("check", "selftest"):
        print(__doc__)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        ranks = read_map(f.read())
    includes = read_includes(argv[3])
    if argv[1] == "check":
        unmapped, order, cycles = check(ranks, includes)
        n = sum(map(len, includes.values()))
        return (report("map", unmapped, "all %d files of src/ are on the map" % len(includes)) |
                report("order", order, "%d includes, none reaching a later stage" % n) |
                report("cycles", cycles, "no headers include each other"))
    failed = 0
    plants = [
        ("order", dict(includes, **{"doc.c": includes.get("doc.c", []) + ["pdf.h"]})),
        ("cycles", dict(includes, **{"ctx.h": includes.get("ctx.h", []) + ["doc.h"]})),
        ("map", dict(includes, **{"sidebar.c": []})),
    ]
    for which, planted in plants:
        unmapped, order, cycles = check(ranks, planted)
        got = {"map": unmapped, "order": order, "cycles": cycles}[which]
        if got:
            print("ok selftest %s: a planted fault is caught (%s)" % (which, got[0]))
        else:
            print("FAIL selftest %s: a planted fault went unseen" % which)
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv))
