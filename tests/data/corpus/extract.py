#!/usr/bin/env python3
"""extract.py: the real-text corpus (tests/data/corpus/manpages-zh-*.xml)
from the Chinese manual pages of Debian's manpages-zh.

    apt-get install manpages-zh                  (Debian 12: 1.6.4.0-1)
    python3 tests/data/corpus/extract.py [--man /usr/share/man/zh_CN] [--out tests/data/corpus]

The tests use the committed XML; this script is here so that it can be
regenerated (and checked: the same package version gives the same bytes).
Standard library only.

How a page becomes paragraphs.  A small troff reader (not groff: groff
joins source lines with a space, also between two Chinese characters, and
hyphenates and adjusts) walks the man(7) source of each page:

* requests that start a new output line end the paragraph: .PP .LP .P .TP
  .IP .HP .SH .SS .sp .br .RS .RE .in .ti .bp and the pod2man/Tcl ones
  (.Sp .Sh .AP .OP ...), a blank line and a text line starting with a space;
* .TP's tag line, .IP's tag and the section headings are not prose: they are
  kept apart and left out;
* no-fill text (.nf .. .fi, pod2man's .Vb .. .Ve, Tcl's .CS .. .CE, .EX ..
  .EE, tables .TS .. .TE) is code, not prose: left out;
* macro definitions (.de .. ..), ignored text (.ig) and conditionals (.if,
  .ie, .el, with their \\{ ... \\} blocks) are skipped; .ds strings are
  defined, with pod2man's nroff values for \\*(C` \\*(C' \\*(L" \\*(R" \\*(--;
* .B .I .SM .SB give their arguments joined by spaces, .BR .BI .IB .IR .RB
  .RI their arguments joined without;
* the source lines of a paragraph are joined with one space, except where
  both sides are Chinese (a Han character or a full-width mark): there the
  line break vanishes, as a reader of the page sees it; \\c joins without;
* escapes: fonts (\\fB \\fI \\fR \\fP \\f(CW \\f[..]), sizes (\\s..), motions
  (\\h \\v), zero-width (\\& \\: \\| \\^ \\, \\/ \\%) are dropped; \\- is '-',
  \\e and \\\\ are '\\', \\0 \\~ and '\\ ' a space, \\(xx and \\[xx] the
  characters they name (\\(em —, \\(lq “, \\(aq ', ...).  A paragraph holding
  an escape this reader does not know (number registers, \\w, \\o, ...) is
  left out rather than guessed at;
* runs of spaces become one space; the text is otherwise kept exactly.

Which paragraphs: those with at least 20 characters (spaces not counted)
of which at least 6, and at least a fifth, are Han, with no control or
private-use character and no space other than U+0020; not word-segmented
text (a space between two Han characters for more than 5% of them: some old
translations put spaces between words); exact duplicates (the boilerplate
several pages share) only once.  Left out: the synopsis (the section after
NAME when its heading says SYNOPSIS, 总览, 概述, ...: command lines, not
prose), the mdoc(7) pages (15) and the three pages under the GPL (kill.1,
intro.6, epoll.7; see COPYING), so the corpus is under the GFDL only.
Then, per page, in the page's order: every paragraph that mixes Han text
with a command option, a file path, a URL or an e-mail address (at most
PER_PAGE a page); then QUOTA[1] paragraphs with English words (but none of
those) and QUOTA[2] with neither, taken round robin over the pages (each
page's first such paragraph, then its second, ...), a page keeping at most
PER_PAGE in all.

Output: pages in order of section and name, each a <section> whose
<heading> is "name(section)", split over files of about PER_FILE
paragraphs, whole pages per file.
"""

import argparse
import gzip
import os
import re
import sys
import unicodedata

PER_PAGE = 12
QUOTA = {1: 180, 2: 60}   # paragraphs with English words only, with Han only
PER_FILE = 360          # about this many paragraphs a file
# the section after NAME when it is the synopsis (command lines, not prose)
SYNOPSIS = re.compile(r"SYNOPSIS|SYNPSIS|总览|概述|大纲|摘要|语法|总揽|概要|总缆|总述|总 览")
GPL_PAGES = {"kill.1", "intro.6", "epoll.7"}

SPECIAL = {
    "bu": "•", "em": "—", "en": "–", "hy": "-", "aq": "'", "lq": "“", "rq": "”", "oq": "‘",
    "cq": "’", "co": "©", "rg": "®", "tm": "™", "de": "°", "sl": "/", "pd": "∂", "ga": "`",
    "ti": "~", "ha": "^", "dq": '"', "rs": "\\", "mi": "−", "pl": "+", "mu": "×", "di": "÷",
    "+-": "±", ">=": "≥", "<=": "≤", "!=": "≠", "->": "→", "<-": "←", "dg": "†", "aa": "´",
    "Fo": "«", "Fc": "»", "fo": "‹", "fc": "›", "ae": "æ", "ss": "ß", ":a": "ä", ":o": "ö",
    ":u": "ü", ":A": "Ä", ":O": "Ö", ":U": "Ü", "'e": "é", "`e": "è", "*a": "α", "*b": "β",
    "*p": "π", "*m": "μ", "*l": "λ", "*W": "-", "lh": "☜", "rh": "☞", "sc": "§", "ps": "¶",
    "ct": "¢", "Po": "£", "Ye": "¥", "Eu": "€", "eu": "€", "ba": "|", "or": "|",
}
# pod2man's strings as nroff (man) sets them
POD_STRINGS = {"C`": '"', "C'": '"', 'L"': '"', 'R"': '"', "--": "--", "PI": "pi", "C+": "C++",
               "Aq": "'", "lq": "“", "rq": "”", "R": "®", "Tm": "™"}

BREAK = {"PP", "LP", "P", "Pp", "HP", "sp", "Sp", "br", "RS", "RE", "in", "ti", "bp", "BS", "BE", "AP",
         "OP", "Ip"}
NOFILL = {"nf": "fi", "Vb": "Ve", "CS": "CE", "EX": "EE", "TS": "TE", "SO": "SE", "DS": "DE",
          "Ds": "De", "EQ": "EN", "PS": "PE"}
IGNORE = {"TH", "nr", "ta", "ft", "ad", "na", "nh", "hy", "ev", "mk", "rt", "ll", "ns", "rs", "tr",
          "cu", "ul", "lf", "rm", "ch", "wh", "it", "em", "pc", "cc", "c2", "IX", "VS", "VE", "AS",
          "so", "fam", "lt", "pl", "po", "ls", "vs", "ss", "cs", "bd", "uf", "hw", "hc", "hla", "hlm",
          "fi", "Ve", "CE", "EE", "TE", "UN", "PD", "ne", "rr", "am", "tm", "mso", "ec", "eo", "fl",
          "ps", "fp", "ce", "rj", "sv", "os", "ie", "el", "if", "BE", "BS", "ME", "UE", "\\}", "PP"}
FONT1 = {"B", "I", "SM", "SB"}
FONT2 = {"BR", "BI", "IB", "IR", "RB", "RI"}


class Bad(Exception):
    """An escape this reader does not know: the paragraph is left out."""


def is_han(c):
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3FFFF)


def is_wide(c):
    """A Chinese character or full-width mark: a line break between two of them vanishes."""
    if not c:
        return False
    o = ord(c)
    return is_han(c) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or c in "“”‘’…—·"


def delimited(s, i):
    """s[i] is a delimiter: -> the index after the matching one."""
    d = s[i]
    j = s.find(d, i + 1)
    if j < 0:
        raise Bad("unterminated \\x%s" % d)
    return j + 1


def name_arg(s, i):
    """An escape's name argument at s[i]: x, (xx or [xxx] -> (name, next index)."""
    if i >= len(s):
        raise Bad("escape at end of line")
    if s[i] == "(":
        return s[i + 1:i + 3], i + 3
    if s[i] == "[":
        j = s.find("]", i)
        if j < 0:
            raise Bad("unterminated [")
        return s[i + 1:j], j + 1
    return s[i], i + 1


class Reader:
    def __init__(self, strings):
        self.strings = dict(strings)
        self.join_next = False

    def conv(self, s):
        """troff text -> plain text; sets self.join_next when it ends with \\c."""
        out, i, n = [], 0, len(s)
        self.join_next = False
        while i < n:
            c = s[i]
            if c != "\\":
                out.append(" " if c == "\t" else c)
                i += 1
                continue
            if i + 1 >= n:
                break
            e = s[i + 1]
            i += 2
            if e in "\"#":
                break
            if e == "f":
                _, i = name_arg(s, i)
            elif e == "s":
                if i < n and s[i] in "+-":
                    i += 1
                if i < n and s[i] in "(['":
                    if s[i] == "'":
                        i = delimited(s, i)
                    else:
                        _, i = name_arg(s, i)
                elif i < n and s[i].isdigit():
                    i += 1
                    if i < n and s[i].isdigit() and s[i - 1] in "123" and s[i - 2] not in "+-":
                        i += 1      # \s10 .. \s39 (two digits)
            elif e in "(":
                nm, i = name_arg(s, i - 1)
                if nm not in SPECIAL:
                    raise Bad("\\(%s" % nm)
                out.append(SPECIAL[nm])
            elif e == "[":
                nm, i = name_arg(s, i - 1)
                if nm == "shc":
                    continue
                if nm not in SPECIAL:
                    raise Bad("\\[%s]" % nm)
                out.append(SPECIAL[nm])
            elif e == "*":
                nm, i = name_arg(s, i)
                if nm not in self.strings:
                    raise Bad("\\*(%s" % nm)
                out.append(self.strings[nm])
            elif e == "-":
                out.append("-")
            elif e in "e\\E":
                out.append("\\")
            elif e in "&:/,|^%){}aprduz)":
                pass
            elif e in "0~ ":
                out.append(" ")
            elif e == "t":
                out.append(" ")
            elif e == "'":
                out.append("'")
            elif e == "`":
                out.append("`")
            elif e in ".<>":
                out.append(e)
            elif e == "c":
                if s[i:].strip() == "":
                    self.join_next = True
                    break
            elif e in "hvlLxbDXZ":
                if i < n and s[i] in "'\"|":
                    i = delimited(s, i)
                else:
                    raise Bad("\\%s without a delimiter" % e)
            elif e == "N":
                if i < n and s[i] == "'":
                    j = delimited(s, i)
                    out.append(chr(int(s[i + 1:j - 1])))
                    i = j
                else:
                    raise Bad("\\N")
            elif e == "k":
                i += 1
            elif e in "mM":
                _, i = name_arg(s, i)
            else:
                raise Bad("\\%s" % e)
        return "".join(out)


def split_args(s):
    """Macro arguments: space separated, "double quoted" with "" for a quote."""
    args, i, n = [], 0, len(s)
    while i < n:
        while i < n and s[i] in " \t":
            i += 1
        if i >= n:
            break
        if s[i] == '"':
            i += 1
            a = []
            while i < n:
                if s[i] == '"':
                    if i + 1 < n and s[i + 1] == '"':
                        a.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                if s[i] == "\\" and i + 1 < n:
                    a.append(s[i:i + 2])
                    i += 2
                    continue
                a.append(s[i])
                i += 1
            args.append("".join(a))
        else:
            j = i
            while j < n and s[j] not in " \t":
                j += 2 if s[j] == "\\" else 1
            args.append(s[i:j])
            i = j
    return args


def strip_comment(s):
    """s without a trailing \\" comment (an escaped backslash is not one)."""
    i = 0
    while True:
        j = s.find("\\", i)
        if j < 0 or j + 1 >= len(s):
            return s
        if s[j + 1] in "\"#":
            return s[:j]
        i = j + 2


def blocks_of(src):
    """[(kind, text)] of a man(7) page: kind 'p' (running text), 'tag' (.TP
    tags, .IP tags), 'head' (headings); text None for a paragraph left out
    (an unknown escape)."""
    lines = src.split("\n")
    # escaped newlines
    joined, cur = [], ""
    for l in lines:
        k = len(l) - len(l.rstrip("\\"))
        if k % 2 == 1:
            cur += l[:-1]
        else:
            joined.append(cur + l)
            cur = ""
    if cur:
        joined.append(cur)
    rd = Reader(POD_STRINGS)
    out = []
    para, bad = [], False
    state = {"tag": False, "head": False, "join": False}

    def flush():
        nonlocal para, bad
        if para:
            t = re.sub(r" +", " ", "".join(para)).strip()
            out.append(("p", None if bad else t))
        para, bad = [], False
        state["join"] = False

    def text(piece, raw=True):
        """Add a line of text (raw: still troff, to convert)."""
        nonlocal bad
        try:
            t = rd.conv(piece) if raw else piece
            join = rd.join_next if raw else False
        except Bad:
            t, join = None, False
        if state["head"] or state["tag"]:
            kind = "head" if state["head"] else "tag"
            state["head"] = state["tag"] = False
            flush()
            out.append((kind, None if t is None else re.sub(r" +", " ", t).strip()))
            return
        if t is None:
            bad = True
            para.append(" ")
            return
        if para and not state["join"]:
            prev = "".join(para).rstrip()
            if not (prev and t and is_wide(prev[-1]) and is_wide(t.lstrip()[:1])):
                para.append(" ")
            else:
                para[:] = [prev]
                t = t.lstrip()
        para.append(t)
        state["join"] = join

    i, n = 0, len(joined)
    skip_until = None
    while i < n:
        line = joined[i]
        i += 1
        if skip_until is not None:
            if re.match(r"^[.']\s*" + re.escape(skip_until) + r"\b", line) or \
                    (skip_until == ".." and line.strip() == ".."):
                skip_until = None
            continue
        if line[:1] in (".", "'"):
            body = strip_comment(line[1:]).strip()
            if not body:
                continue
            m = re.match(r"(\\}|[^\s\\]+)\s*(.*)$", body)
            if not m:
                continue
            name, rest = m.group(1), m.group(2)
            if name in ("de", "de1", "am", "ig"):
                args = rest.split()
                skip_until = args[1] if len(args) > 1 and name != "ig" else ".."
                if name == "ig" and args:
                    skip_until = args[0]
                continue
            if name in ("if", "ie", "el"):
                depth = body.count("\\{") - body.count("\\}")
                while depth > 0 and i < n:
                    depth += joined[i].count("\\{") - joined[i].count("\\}")
                    i += 1
                continue
            if name in ("ds", "ds1"):
                m2 = re.match(r"(\S+)\s?(.*)$", rest)
                if m2:
                    v = m2.group(2)
                    if v.startswith('"'):
                        v = v[1:]
                    try:
                        rd.strings[m2.group(1)] = rd.conv(v)
                    except Bad:
                        rd.strings.pop(m2.group(1), None)
                continue
            if name in NOFILL:
                flush()
                skip_until = NOFILL[name]
                continue
            if name in ("SH", "SS", "Sh", "Ss"):
                flush()
                if rest:
                    state["head"] = True
                    text(" ".join(split_args(rest)))
                else:
                    state["head"] = True
                continue
            if name == "TP":
                flush()
                state["tag"] = True
                continue
            if name == "IP":
                flush()
                args = split_args(rest)
                if args and args[0]:
                    state["tag"] = True
                    text(args[0])
                continue
            if name in FONT1:
                if rest:
                    text(" ".join(split_args(rest)))
                continue
            if name in FONT2:
                text("".join(split_args(rest)))
                continue
            if name in ("UR", "MT"):
                if rest:
                    text(split_args(rest)[0])
                continue
            if name in BREAK:
                flush()
                continue
            if name in IGNORE:
                continue
            flush()         # an unknown request: a break, to be safe
            continue
        if not line.strip():
            flush()
            continue
        if line[0] in " \t":
            flush()
        text(line)
    flush()
    return out


URL = re.compile(r"(?:https?|ftp)://[^\s，。）)>]+|www\.[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")
EMAIL = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PATH = re.compile(r"(?<![\w./])(?:~|\.{1,2})?/[A-Za-z_.][\w.+-]*(?:/[\w.+-]*)*")
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def kinds(t):
    return {"url": bool(URL.search(t)), "email": bool(EMAIL.search(t)), "path": bool(PATH.search(t)),
            "option": bool(OPTION.search(t)), "english": bool(ENGLISH.search(t))}


def rank(t):
    k = kinds(t)
    if k["url"] or k["email"] or k["path"] or k["option"]:
        return 0
    return 1 if k["english"] else 2


def wanted(t):
    ns = re.sub(r"\s", "", t)
    han = sum(map(is_han, ns))
    if len(ns) < 20 or han < 6 or han * 5 < len(ns):
        return False
    if len(re.findall(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", t)) > 0.05 * han:
        return False        # word-segmented (spaces between the words): not ordinary prose
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zs") and c != " " for c in t) \
        and "\ufffd" not in t


def page_key(fn):
    base = fn[:-3] if fn.endswith(".gz") else fn
    name, sec = base.rsplit(".", 1)
    return sec, name


def read_pages(mandir):
    pages = []
    for d in sorted(os.listdir(mandir)):
        if not d.startswith("man"):
            continue
        for fn in os.listdir(os.path.join(mandir, d)):
            base = fn[:-3] if fn.endswith(".gz") else fn
            if base in GPL_PAGES or os.path.islink(os.path.join(mandir, d, fn)):
                continue
            path = os.path.join(mandir, d, fn)
            data = gzip.open(path).read() if fn.endswith(".gz") else open(path, "rb").read()
            src = data.decode("utf-8")
            if re.search(r"^\.Dd\b", src, re.M) or re.search(r"^\.so\b", src, re.M):
                continue            # mdoc(7), or a link to another page
            name, sec = base.rsplit(".", 1)
            pages.append((page_key(fn), name, sec, src))
    pages.sort()
    return [(name, sec, src) for _, name, sec, src in pages]


def escape(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--man", default="/usr/share/man/zh_CN")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    seen = set()
    pages = []          # [(name, sec, [(paragraph, rank)])]
    stats = {"pages": 0, "paragraphs": 0, "left out (escapes)": 0}
    for name, sec, src in read_pages(a.man):
        stats["pages"] += 1
        cands, nhead, synopsis = [], 0, False
        for kind, t in blocks_of(src):
            if kind == "head":
                nhead += 1
                synopsis = nhead == 2 and bool(SYNOPSIS.search(t or ""))
            if kind != "p" or synopsis:
                continue
            if t is None:
                stats["left out (escapes)"] += 1
                continue
            stats["paragraphs"] += 1
            if wanted(t) and t not in seen:
                seen.add(t)
                cands.append((t, rank(t)))
        if cands:
            pages.append((name, sec, cands))
    # rank 0 first (at most PER_PAGE a page), then ranks 1 and 2 round robin over
    # the pages (a page's first paragraph of that rank, then its second, ...)
    # up to their quotas, each page keeping at most PER_PAGE
    keep = [set() for _ in pages]
    for p, (_, _, cands) in enumerate(pages):
        keep[p].update([k for k, (t, r) in enumerate(cands) if r == 0][:PER_PAGE])
    for r, quota in ((1, QUOTA[1]), (2, QUOTA[2])):
        queues = [[k for k, (t, rr) in enumerate(c) if rr == r] for _, _, c in pages]
        added = 0
        while added < quota and any(queues):
            for p, q in enumerate(queues):
                if q and added < quota and len(keep[p]) < PER_PAGE:
                    keep[p].add(q.pop(0))
                    added += 1
                elif q and len(keep[p]) >= PER_PAGE:
                    q.clear()
    chosen = [(name, sec, [cands[k][0] for k in sorted(keep[p])])
              for p, (name, sec, cands) in enumerate(pages) if keep[p]]
    total = sum(len(ps) for _, _, ps in chosen)
    nfiles = max(1, round(total / PER_FILE))
    files, cur, count, done = [], [], 0, 0
    for page in chosen:
        cur.append(page)
        count += len(page[2])
        if len(files) < nfiles - 1 and done + count >= total * (len(files) + 1) / nfiles:
            files.append(cur)
            done += count
            cur, count = [], 0
    if cur:
        files.append(cur)
    for f in os.listdir(a.out):
        if re.fullmatch(r"manpages-zh-\d+\.xml", f):
            os.remove(os.path.join(a.out, f))
    total = 0
    for k, pages in enumerate(files, 1):
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               "<!-- Generated by tests/data/corpus/extract.py from Debian's manpages-zh: do not edit.",
               "     Licence: GFDL 1.2 or later, see COPYING in this directory. -->",
               '<document xml:lang="zh-Hans">', "  <meta>",
               "    <title>manpages-zh 语料 %d</title>" % k,
               "    <source>Debian manpages-zh</source>", "  </meta>", "  <body>"]
        for name, sec, pars in pages:
            out.append('    <section id="%s">' % re.sub(r"[^A-Za-z0-9_.-]", "_", "m%s-%s" % (sec, name)))
            out.append("      <heading>%s(%s)</heading>" % (escape(name), escape(sec)))
            for t in pars:
                out.append("      <p>%s</p>" % escape(t))
                total += 1
            out.append("    </section>")
        out += ["  </body>", "</document>", ""]
        with open(os.path.join(a.out, "manpages-zh-%d.xml" % k), "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    allp = [t for _, _, ps in chosen for t in ps]
    ks = [kinds(t) for t in allp]
    print("%d pages read, %d paragraphs (%d left out for unknown escapes); %d pages and %d paragraphs "
          "written to %d files; %d characters (no spaces); with a URL %d, e-mail %d, path %d, option %d, "
          "any of these %d, English words %d"
          % (stats["pages"], stats["paragraphs"], stats["left out (escapes)"], len(chosen), total, len(files),
             sum(len(re.sub(r"\s", "", t)) for t in allp), sum(k["url"] for k in ks),
             sum(k["email"] for k in ks), sum(k["path"] for k in ks), sum(k["option"] for k in ks),
             sum(k["url"] or k["email"] or k["path"] or k["option"] for k in ks),
             sum(k["english"] for k in ks)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
