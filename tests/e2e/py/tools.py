#!/usr/bin/env python3
"""tools.py: every program the tests call comes from a Debian package that
`make check` installs (tests/e2e/tools.sh runs it).

  tools.py scan FILE...            the commands FILE calls, one "COMMAND FILE:LINE" a line
  tools.py check BUILD TEST FILE...
                                   BUILD and TEST are the Makefile's DEBS_BUILD and
                                   DEBS_TEST (one argument each, space separated);
                                   FILE... the test scripts (shell or python)
  tools.py selftest BUILD TEST FILE...
                                   the scanner on a planted script, and check
                                   on planted faults: each must be caught

What a test calls, found without running it:
  - shell (*.sh): every word in command position (line start, after ; & | && ||
    ( $( ` and the reserved words), through here-documents (skipped), quotes,
    $(...) inside double quotes, case patterns, function definitions and the
    wrappers timeout, /usr/bin/time, env, nice, nohup, exec, xargs; minus the
    shell's builtins and the functions the script (or lib.sh) defines.  A
    command whose name is computed ("$PAIBAN", "$@") is not seen.
  - python (*.py, and the here-documents of the shell scripts): the calls
    run, run_bytes, pdfcheck.run_tool, subprocess.run/Popen/check_output/call
    of a list whose first element is a string literal.
  - the TOOL arguments of e2e_init.

check then fails when:
  - an e2e_init tool is not in the table E2E_TOOL_PACKAGES (tests/e2e/lib.sh);
  - a table package is in neither DEBS_BUILD nor DEBS_TEST and is not
    Essential (Essential packages are on every Debian system);
  - a called command is not in the table, unless dpkg says it comes from an
    Essential package, or the script only uses it after `command -v CMD`;
  - the table names a package for a command that dpkg, on this machine, says
    comes from another one (not one the named package depends on; commands
    reached through /etc/alternatives are not compared).
"""

import functools
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case",
            "esac", "in", "{", "}", "!", "function"}
BUILTINS = {".", ":", "[", "[[", "alias", "bg", "break", "cd", "command", "continue", "echo",
            "eval", "exec", "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill",
            "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test",
            "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait"}
# Wrappers whose argument is a command: {name: (options taking an argument,
# positional arguments before the command)}.
WRAPPERS = {"timeout": ({"-k", "-s", "--kill-after", "--signal"}, 1),
            "/usr/bin/time": ({"-f", "-o", "--format", "--output"}, 0),
            "env": ({"-u", "--unset", "-C", "--chdir"}, 0),
            "nice": ({"-n", "--adjustment"}, 0),
            "nohup": (set(), 0), "exec": (set(), 0), "command": (set(), 0),
            "xargs": ({"-n", "-I", "-P", "-L", "-d", "-s", "-E", "-a"}, 0)}
REDIRECTS = {">", ">>", "<", ">&", "<&", "<>", ">|"}
OPERATORS = (";;", "&&", "||", ">>", "<<-", "<<", ">&", "<&", "<>", ">|", ";", "&", "|", "(", ")",
             "<", ">")
PY_CALL = re.compile(r"""(?:\brun|\brun_bytes|\brun_tool|\bcheck_output|\bcheck_call|\bcall|\bPopen)"""
                     r"""\(\s*\[\s*(["'])([^"'\s]+)\1""")
COMMAND_V = re.compile(r"""command\s+-v\s+["']?([^\s"';|&)]+)""")
E2E_INIT = re.compile(r"^\s*e2e_init\s+\S+\s+(.*)$", re.M)


class Word(str):
    """A shell word: its text without quotes; dynamic when it holds an expansion."""
    dynamic = False
    quoted = False


class ShellScan:
    """The commands a shell script calls: self.found [(name, line)], self.functions."""

    def __init__(self, text, line=1):
        self.s, self.i, self.line = text, 0, line
        self.pending = []       # here-documents that start at the next newline
        self.found = []
        self.functions = set()
        self.parse(None)

    def peek(self, k=0):
        return self.s[self.i + k] if self.i + k < len(self.s) else ""

    def skip_heredocs(self):
        for delim, strip in self.pending:
            while self.i < len(self.s):
                j = self.s.find("\n", self.i)
                j = len(self.s) if j < 0 else j
                body_line = self.s[self.i:j]
                self.i, self.line = j + 1, self.line + 1
                if (body_line.lstrip("\t") if strip else body_line) == delim:
                    break
        self.pending = []

    def token(self):
        """("op", TEXT, LINE), ("word", Word, LINE) or None at the end."""
        while True:
            c = self.peek()
            if c == "":
                return None
            if c in " \t":
                self.i += 1
            elif c == "\\" and self.peek(1) == "\n":
                self.i += 2
                self.line += 1
            elif c == "#":
                while self.peek() not in ("", "\n"):
                    self.i += 1
            else:
                break
        line = self.line
        if c == "\n":
            self.i += 1
            self.line += 1
            if self.pending:
                self.skip_heredocs()
            return ("op", "\n", line)
        m = re.match(r"\d+(?=[<>])", self.s[self.i:self.i + 8])
        if m:
            self.i += m.end()
        for op in OPERATORS:
            if self.s.startswith(op, self.i):
                self.i += len(op)
                if op in ("<<", "<<-"):
                    while self.peek() in (" ", "\t"):
                        self.i += 1
                    delim = self.word()
                    self.pending.append((str(delim), op == "<<-"))
                    return ("op", "heredoc", line)
                return ("op", op, line)
        return ("word", self.word(), line)

    def skip_balanced(self, open_, close):
        depth = 1
        while depth and self.i < len(self.s):
            c = self.s[self.i]
            if c == "\n":
                self.line += 1
            depth += (c == open_) - (c == close)
            self.i += 1

    def dollar(self):
        """At a '$': skip or scan the expansion; True when it was one."""
        if self.peek(1) == "(" and self.peek(2) == "(":
            self.i += 3
            self.skip_balanced("(", ")")
            self.i += 1                  # the second ')'
        elif self.peek(1) == "(":
            self.i += 2
            self.parse(")")
        elif self.peek(1) == "{":
            self.i += 2
            self.skip_balanced("{", "}")
        else:
            self.i += 1
        return True

    def backtick(self):
        j = self.i + 1
        while j < len(self.s) and self.s[j] != "`":
            j += 2 if self.s[j] == "\\" else 1
        inner = ShellScan(self.s[self.i + 1:j], self.line)
        self.found += inner.found
        self.functions |= inner.functions
        self.line += self.s.count("\n", self.i, j)
        self.i = j + 1

    def word(self):
        out, dynamic, quoted = [], False, False
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\n;&|()<>":
                break
            if c == "\\":
                out.append(self.peek(1))
                self.i += 2
            elif c == "'":
                j = self.s.find("'", self.i + 1)
                j = len(self.s) if j < 0 else j
                out.append(self.s[self.i + 1:j])
                self.line += self.s.count("\n", self.i, j)
                self.i, quoted = j + 1, True
            elif c == '"':
                quoted = True
                self.i += 1
                while self.i < len(self.s) and self.s[self.i] != '"':
                    d = self.s[self.i]
                    if d == "\\":
                        out.append(self.peek(1))
                        self.i += 2
                    elif d == "$":
                        dynamic = self.dollar()
                    elif d == "`":
                        self.backtick()
                        dynamic = True
                    else:
                        if d == "\n":
                            self.line += 1
                        out.append(d)
                        self.i += 1
                self.i += 1
            elif c == "$":
                dynamic = self.dollar()
            elif c == "`":
                self.backtick()
                dynamic = True
            else:
                out.append(c)
                self.i += 1
        w = Word("".join(out))
        w.dynamic, w.quoted = dynamic, quoted
        return w

    def parse(self, end):
        cmdpos, skip_target, in_for = True, False, False
        cases = []              # per open case: "word" (before in), "pattern" or "body"
        depth = 0
        wrapper, wrapper_args, last = None, 0, None
        while True:
            t = self.token()
            if t is None:
                return
            kind, text, line = t
            if kind == "op":
                prev, last = last, None
                if cases and cases[-1] in ("word", "pattern"):
                    if text == ")" and cases[-1] == "pattern":
                        cases[-1], cmdpos = "body", True
                    continue
                if text == "(" and prev is not None:      # NAME() {: a function definition
                    self.found.remove(prev)
                    self.functions.add(prev[0])
                    nxt = self.token()
                    if nxt and nxt[1] != ")":
                        depth += 1
                    cmdpos = True
                    continue
                if text == ")":
                    if depth == 0 and end == ")":
                        return
                    depth, cmdpos = depth - 1, False
                elif text == "(":
                    depth, cmdpos = depth + 1, True
                elif text == ";;":
                    if cases:
                        cases[-1] = "pattern"
                elif text in REDIRECTS:
                    skip_target = True
                elif text != "heredoc":
                    cmdpos, wrapper, in_for = True, None, False
                continue
            w = text
            last = None
            if skip_target:
                skip_target = False
                continue
            if cases and cases[-1] == "word":
                if w == "in":
                    cases[-1] = "pattern"
                continue
            if cases and cases[-1] == "pattern":
                if w == "esac":
                    cases.pop()
                    cmdpos = False
                continue
            if in_for:
                continue
            if not cmdpos:
                if wrapper is None:
                    continue
                if wrapper == "command" and w in ("-v", "-V"):
                    wrapper = None
                    continue
                opts, positional = WRAPPERS[wrapper]
                if wrapper_args:                         # an option's argument
                    wrapper_args -= 1
                    continue
                if w.startswith("-") and not w.dynamic:
                    if w in opts:
                        wrapper_args = 1
                    continue
                if wrapper == "env" and "=" in w:
                    continue
                if self.wrapper_positional < positional:
                    self.wrapper_positional += 1
                    continue
            elif not w.quoted and w in RESERVED:
                if w == "for":
                    in_for, cmdpos = True, False
                elif w == "case":
                    cases.append("word")
                    cmdpos = False
                elif w == "esac":
                    if cases:
                        cases.pop()
                    cmdpos = False
                elif w in ("fi", "done", "}"):
                    cmdpos = False
                else:
                    cmdpos = True
                continue
            elif re.match(r"[A-Za-z_][A-Za-z0-9_]*=", w) and not w.startswith(("'", '"')):
                continue                                  # an assignment
            cmdpos, wrapper = False, None
            if w.dynamic or not w:
                continue
            entry = (str(w), line)
            self.found.append(entry)
            last = entry if not w.quoted else None
            if w in WRAPPERS:
                wrapper, wrapper_args, self.wrapper_positional = str(w), 0, 0

    wrapper_positional = 0


def calls(path, text, lib_functions=frozenset()):
    """[(command, line)] that the file calls (shell and embedded python), the
    commands it guards with `command -v`, and the functions it defines."""
    found, functions = [], set()
    if path.endswith(".sh"):
        sc = ShellScan(text)
        functions = sc.functions
        found = [(c, l) for c, l in sc.found
                 if c not in BUILTINS and c not in functions and c not in lib_functions]
    for m in PY_CALL.finditer(text):
        found.append((m.group(2), text.count("\n", 0, m.start()) + 1))
    guarded = set(COMMAND_V.findall(text))
    return found, guarded, functions


def e2e_init_tools(path, text):
    out = []
    for m in E2E_INIT.finditer(text):
        for t in m.group(1).split():
            if t.startswith("#"):
                break
            if "$" not in t:
                out.append((t, text.count("\n", 0, m.start()) + 1))
    return out


def lib_functions():
    lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib.sh")
    with open(lib, encoding="utf-8") as f:
        return ShellScan(f.read()).functions


# --------------------------------------------------------------------------
# dpkg
# --------------------------------------------------------------------------
SYSTEM_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/sbin")


def candidates(cmd):
    """Paths a command can be in on a Debian system (not PATH: a pyenv shim
    or /usr/local copy says nothing about the package)."""
    if cmd.startswith("/"):
        paths = [cmd]
    elif "/" in cmd:
        return []
    else:
        paths = [d + "/" + cmd for d in SYSTEM_DIRS]
    out = []
    for p in paths:
        if os.path.lexists(p):
            out.append(p)
            for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/")):
                if p.startswith(a):
                    out.append(b + p[len(a):])
                elif p.startswith(b):
                    out.append(a + p[len(b):])
    return out


@functools.lru_cache(maxsize=None)
def owners(cmds):
    """{command: (package, through_alternatives)} for the installed ones dpkg
    knows (cmds: a frozenset)."""
    paths = {c: candidates(c) for c in cmds}
    real = {p: os.path.realpath(p) for ps in paths.values() for p in ps}
    ask = sorted(set(real) | set(real.values()))
    owner = {}
    if ask:
        p = subprocess.run(["dpkg-query", "-S"] + ask, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, universal_newlines=True)
        for l in p.stdout.splitlines():
            if l.startswith("diversion ") or ": " not in l:
                continue
            pkgs, path = l.split(": ", 1)
            owner.setdefault(path, pkgs.split(",")[0].strip().split(":")[0])
    out = {}
    for c, ps in paths.items():
        for p in ps:
            if p in owner:
                out[c] = (owner[p], False)
                break
        else:
            for p in ps:
                if real[p] in owner:
                    chain = os.readlink(p) if os.path.islink(p) else ""
                    out[c] = (owner[real[p]], chain.startswith("/etc/alternatives/"))
                    break
    return out


@functools.lru_cache(maxsize=None)
def package_facts(pkgs):
    """{package: (essential, set of its dependencies)} for the installed ones
    (pkgs: a frozenset)."""
    if not pkgs:
        return {}
    p = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Essential}\t${Status}\t${Depends}, "
                        "${Pre-Depends}\n"] + sorted(pkgs),
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    out = {}
    for l in p.stdout.splitlines():
        f = l.split("\t")
        if len(f) < 4 or not f[2].endswith(" installed"):
            continue
        deps = {re.split(r"[\s:(]", d.strip())[0] for alt in f[3].split(",") for d in alt.split("|")}
        out[f[0]] = (f[1] == "yes", deps - {""})
    return out


# --------------------------------------------------------------------------
# the check
# --------------------------------------------------------------------------
def check(build, test, files, texts=None):
    """Lines "ok ..." / "FAIL ..." for the files (texts: {path: text} to use
    instead of reading them)."""
    table = pc.tool_packages()
    lists = set(build.split()) | set(test.split())
    lines = []
    if not table:
        return ["FAIL tests/e2e/lib.sh: no E2E_TOOL_PACKAGES table"]
    if not build.split() or not test.split():
        return ["FAIL make print-debs: DEBS_BUILD or DEBS_TEST is empty"]
    libf = lib_functions()
    used, guarded_by, inits = {}, {}, []
    for path in files:
        text = texts[path] if texts and path in texts else open(path, encoding="utf-8").read()
        found, guarded, _ = calls(path, text, libf)
        for c, l in found:
            used.setdefault(c, "%s:%d" % (path, l))
        guarded_by[path] = guarded
        inits += [(t, "%s:%d" % (path, l)) for t, l in e2e_init_tools(path, text)]
    facts = package_facts(frozenset(table.values()))
    who = owners(frozenset(used) | frozenset(table))
    essential_owner = package_facts(frozenset(o for o, _ in who.values()))

    bad = [(t, where) for t, where in inits if t not in table]
    for t, where in bad:
        lines.append("FAIL %s: e2e_init tool %s has no package in E2E_TOOL_PACKAGES (tests/e2e/lib.sh)"
                     % (where, t))
    if not bad:
        lines.append("ok every e2e_init tool (%d) has its package in the table" % len({t for t, _ in inits}))

    bad = 0
    for cmd, pkg in sorted(table.items()):
        if pkg in lists:
            continue
        if facts.get(pkg, (False,))[0]:
            continue                                    # Essential: on every Debian system
        bad += 1
        lines.append("FAIL tests/e2e/lib.sh: %s comes from %s, which is in neither DEBS_BUILD nor "
                     "DEBS_TEST (Makefile)%s" % (cmd, pkg, "" if pkg in facts else " (and not installed here)"))
    if not bad:
        lines.append("ok every package of the table (%d) is in DEBS_BUILD or DEBS_TEST, or Essential"
                     % len(set(table.values())))

    bad = 0
    for cmd, where in sorted(used.items()):
        if cmd in table:
            continue
        path = where.rsplit(":", 1)[0]
        if cmd in guarded_by.get(path, ()):
            continue                                    # optional: the script checks first
        if cmd in who and essential_owner.get(who[cmd][0], (False,))[0]:
            continue
        bad += 1
        if cmd in who:
            lines.append("FAIL %s calls %s (Debian package %s, not Essential): add \"%s %s\" to "
                         "E2E_TOOL_PACKAGES in tests/e2e/lib.sh and %s to DEBS_TEST in the Makefile"
                         % (where, cmd, who[cmd][0], cmd, who[cmd][0], who[cmd][0]))
        else:
            lines.append("FAIL %s calls %s, which is not in E2E_TOOL_PACKAGES (tests/e2e/lib.sh) and "
                         "not installed here from any Debian package" % (where, cmd))
    if not bad:
        lines.append("ok every command the tests call (%d) is in the table or Essential" % len(used))

    bad = 0
    for cmd, pkg in sorted(table.items()):
        if cmd not in who or who[cmd][1]:
            continue
        real = who[cmd][0]
        if real != pkg and real not in facts.get(pkg, (False, set()))[1]:
            bad += 1
            lines.append("FAIL tests/e2e/lib.sh: the table says %s comes from %s, dpkg says %s"
                         % (cmd, pkg, real))
    if not bad:
        lines.append("ok the table agrees with dpkg on every installed command")
    return lines


def selftest(build, test, files):
    """The scanner on a planted script, and check on planted faults."""
    lines = []
    planted = r'''#!/bin/sh
f() { uniq -c; }
. tests/e2e/lib.sh
e2e_init planted qpdf
x=$(pdfinfo "$1" | awk '{print $2}')
y="text $(mutool show "$1" trailer) more"
cat <<'EOF'
notcalled2 --heredoc
EOF
case $x in
    a|b) gs -q ;;
    *) git log ;;
esac
for i in notcalled3 notcalled4; do timeout -k 2 5 /usr/bin/time -f %M sed p; done
if command -v optional_tool >/dev/null; then optional_tool; fi
VAR=1 env A=b pdftotext x - 2>/dev/null >"$TMP/out" || fail "x"
[ -n "$x" ] && f
'''
    found, guarded, functions = calls("planted.sh", planted, lib_functions())
    got = sorted({c for c, _ in found})
    want = sorted({"uniq", "pdfinfo", "awk", "mutool", "cat", "gs", "git", "timeout", "/usr/bin/time", "sed",
                   "optional_tool", "env", "pdftotext"})
    if got == want and "optional_tool" in guarded and "f" in functions:
        lines.append("ok the scanner finds exactly the commands of a planted script (%d)" % len(got))
    else:
        lines.append("FAIL the scanner on a planted script: got %s, want %s (guarded %s, functions %s)"
                     % (got, want, sorted(guarded), sorted(functions)))

    def expect(label, result, needle):
        fails = [l for l in result if l.startswith("FAIL")]
        if any(needle in l for l in fails):
            lines.append("ok check fails when %s: %s" % (label, [l for l in fails if needle in l][0]))
        else:
            lines.append("FAIL check does not fail when %s (wanted a FAIL naming %r; got %s)"
                         % (label, needle, fails or "no FAIL"))

    t = " ".join(p for p in test.split() if p != "fontconfig")
    expect("fontconfig is left out of DEBS_TEST", check(build, t, files), "fc-match comes from fontconfig")
    texts = {"planted-1.sh": "#!/bin/sh\nfrobnicate-paiban --x | sort\n",
             "planted-2.py": 'out = pc.run' + '(["frobnicate-py", "-x"])\n',
             "planted-3.sh": ". tests/e2e/lib.sh\ne2e_init planted pdfinfo frobnicate-init\n"}
    r = check(build, test, files + sorted(texts), texts)
    expect("a script calls an unknown command", r, "calls frobnicate-paiban")
    expect("a checker calls an unknown command", r, "calls frobnicate-py")
    expect("e2e_init names a tool without a package", r, "e2e_init tool frobnicate-init")
    return lines


def main(argv):
    if len(argv) >= 2 and argv[1] == "scan":
        libf = lib_functions()
        for path in argv[2:]:
            with open(path, encoding="utf-8") as f:
                found, _, _ = calls(path, f.read(), libf)
            for c, l in found:
                print("%s %s:%d" % (c, path, l))
        return 0
    if len(argv) >= 4 and argv[1] in ("check", "selftest"):
        try:
            out = (check if argv[1] == "check" else selftest)(argv[2], argv[3], argv[4:])
        except (OSError, RuntimeError, ValueError) as e:
            out = ["FAIL tools.py %s: cannot run the check: %s" % (argv[1], e)]
        print("\n".join(out))
        return 1 if any(l.startswith("FAIL") for l in out) else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
