#!/usr/bin/env python3
"""realtext: the composer measured on real Chinese technical prose.

Standard library only; builds on pdfcheck (stext parsing, style sheet, text
area, pdftotext against the source) and compcheck (what is Han, what is a
Latin letter).  Used by tests/e2e/realtext.sh, as a module (the checks are
functions of parsed data, so the self-test can plant faults) and as a command:

  check LABEL STYLE PDF:XML... [--selftest] [--max-show N]
        measure each PDF (built from XML with STYLE) and print one line per
        check for the whole set, "ok LABEL: NAME: figures" or "FAIL LABEL:
        NAME: first problem" with up to N more (default 6); the figures
        count over every document.  --selftest: then plant faults in the
        first document's parsed data and require each check to catch them.
        The documents are measured in parallel, one process per CPU (<= 4).

The corpus (tests/data/corpus/) is paragraphs of Debian's manpages-zh: Han
text mixed with commands, options, paths, URLs and e-mail addresses.

How lines are tied to the source.  The source's blocks (every <heading> and
<p> of the body, in order; white space as paiban reads it) are joined into
one stream without white space.  The text lines of the PDF (mutool draw -F
stext; the lines inside the text area, so no folios), in page order, are
matched glyph by glyph against that stream from a cursor: each glyph takes
the next source character.  Two glyphs in the wrong x order (a compressed
opening bracket is drawn ½ em left of its pen, so before a narrow glyph
that precedes it) are put back in source order, and so are the parts of a
ligature (ligature_order).  A hyphen glyph (- U+2010 U+2011) ending a line
where the source has no hyphen is a hyphen the composer added (mutool 1.21
ignores /ActualText, so it sees the glyph that pdftotext leaves out).  A
glyph that does not match, a source character that no glyph takes, a line
holding two blocks: text-fidelity problems (then the matcher finds its
place again by searching for the line's text ahead).  So every line knows
its block, and where in the block's text it starts and ends: a
paragraph's final line is the one that ends at the end of its text.
Headings are matched but not measured.

Checks, on the lines of paragraphs (<p>):
  gaps      the gap between two adjacent Han characters on a non-final line
            (justified, so stretched), where the source has no space between
            them: origin distance less the first one's advance (1 em), in em.
            FAIL above 0.5 em (one problem per line, widest first); prints
            how many pairs exceed 0.25, 0.5 and 1 em, and the worst with its
            line.  Also counted, not failed: non-final lines that end short of
            the measure (a composer that caps the gaps leaves such lines).
  short     a non-final line holding 8 characters or fewer (an added hyphen
            not counted): FAIL.
  split     a line ending inside a Latin word: the source has a letter or
            digit on both sides of the break, with no space.  Allowed when
            the line ends with a hyphen glyph (counted: hyphenated), and when
            the piece of the token (its run of non-space, non-CJK characters)
            between the neighbouring break points of issue 9 item 1 (after
            '/', before . ? # & = _ -), which holds the break, is wider than
            the measure at its natural width (counted: forced).  Else FAIL.
            Breaks at those points themselves are allowed and counted, and so
            are other breaks inside a token (after '-', after ',', ...).
  lastline  a paragraph's last line is one Han character, alone or followed
            only by punctuation (any number of marks, ASCII or full width):
            FAIL.  (A last line of one Latin letter or digit is counted.)
  text      pdftotext -raw of the whole PDF, white space and folios off, equals
            the source text (pdfcheck.check_text): an added hyphen must not be
            in it (paiban wraps it in /ActualText; -raw, because the default
            mode drops any hyphen that ends a line); and the stext glyphs
            match the source as above.  FAIL on any difference.

Self-test (selftest()): on a copy of the parsed pages (or pdftotext's text)
of one document, a Han gap widened by 0.6 em, a line cut to 5 characters,
a word split between two letters, a last line cut to one Han character, a
glyph dropped, a character dropped from the text and a hyphen put into it
must each make their check report more problems than the document itself
does (the composer under test may already fail some checks); a word split
with a hyphen glyph and a break right after '/' must not, and must be
counted as hyphenated and as an item-1 break.
"""

import bisect
import os
import re
import string
import sys
import unicodedata

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402
import compcheck as cc  # noqa: E402

GAP_LIMIT = 0.5         # em
SHORT_LIMIT = 8         # characters
HYPHENS = set("-\u2010\u2011")
BREAK_AFTER = set("/")
BREAK_BEFORE = set(".?#&=_-")
CHECKS = ("gaps", "short", "split", "lastline", "text")
TITLES = {"gaps": "gaps between adjacent Han characters on justified lines <= %.1f em" % GAP_LIMIT,
          "short": "no non-final line of %d characters or fewer" % SHORT_LIMIT,
          "split": "no Latin word split without a hyphen (but at / . ? # & = _ - or in a piece wider than the measure)",
          "lastline": "no paragraph ends in a line of one Han character (plus punctuation)",
          "text": "the text (pdftotext and the glyphs) is the source text, no added hyphen in it"}


def is_wide(c):
    """Han or a full-width mark (a line break between two of them is no space)."""
    o = ord(c)
    return cc.is_han(c) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


def is_word(c):
    """A letter or digit of a Latin word (not Han, not kana)."""
    return unicodedata.category(c)[0] in "LN" and not is_wide(c)


def is_token(c):
    """A character of a Latin token: not white space, not Han or full width."""
    return not c.isspace() and not is_wide(c) and c not in "“”‘’—…"


def is_punct(c):
    """Punctuation: Unicode's (ASCII or full width), or ASCII's (also $ + < = > ^ ` | ~)."""
    return unicodedata.category(c)[0] == "P" or c in string.punctuation


def paiban_ws(s):
    """White space as paiban reads it (docs/elements.md): a run holding a
    line break between two Chinese characters vanishes, any other run is one
    space; none at the ends."""
    out = re.sub(r"\s+", lambda m: "" if "\n" in m.group(0) and m.start() > 0 and m.end() < len(s)
                 and is_wide(s[m.start() - 1]) and is_wide(s[m.end()]) else " ", s)
    return out.strip()


class Block:
    """A heading or paragraph of the source: its text src, ns (src without
    white space), where ns[i] is in src (srcpos[i]) and in the stream (start)."""

    def __init__(self, kind, src, start):
        self.kind, self.src, self.start = kind, src, start
        self.srcpos = [i for i, c in enumerate(src) if not c.isspace()]
        self.ns = "".join(src[i] for i in self.srcpos)
        self.end = start + len(self.ns)


def source_blocks(xml_path):
    body = pc.parse_source(xml_path).getroot().find("body")
    out, pos = [], 0
    for el in body.iter():
        if el.tag in ("heading", "p"):
            b = Block(el.tag, paiban_ws("".join(el.itertext())), pos)
            out.append(b)
            pos = b.end
    return out


class TLine:
    """A text line of the PDF tied to the source: its block, the stream
    positions [start, end) it holds, its glyphs with their stream positions
    (None for an added hyphen)."""

    def __init__(self, page, line):
        self.page, self.line = page, line
        self.block = None
        self.start = self.end = None
        self.pos = []               # [(glyph, stream position or None)]
        self.hyphen = False         # ends in a hyphen the composer added

    @property
    def text(self):
        return self.line.text

    def final(self):
        return self.block is not None and self.end == self.block.end

    def chars(self):
        """Source characters on the line (an added hyphen not counted)."""
        return sum(1 for g, p in self.pos if p is not None)


def ligature_order(line):
    """Put the parts of a ligature back in order.  mutool gives a ligature
    glyph (ff, fl, ...) one char per character of its ToUnicode text: the
    first with the glyph's quad, the others zero-wide at its end.  Sorted by
    x (pdfcheck.Line), a kerned glyph after the ligature can come before
    them ("deflate" read as "defalte"): each zero-wide part goes right after
    the glyph it ends (and the parts before it)."""
    gl = line.glyphs
    if not any(g.x1 - g.x0 < 0.01 for g in gl):
        return
    out = []
    for g in gl:
        if g.x1 - g.x0 < 0.01:
            for k in range(len(out) - 1, -1, -1):
                h = out[k]
                if h.x1 - h.x0 >= 0.01 and abs(h.x1 - g.x0) < 0.02:
                    m = k + 1
                    while m < len(out) and out[m].x1 - out[m].x0 < 0.01 and abs(out[m].x0 - g.x0) < 0.02:
                        m += 1
                    out.insert(m, g)
                    break
            else:
                out.append(g)
        else:
            out.append(g)
    gl[:] = out


def raw_texts(pdf):
    """pdftotext -raw of each page (content-stream order).  Not the default
    mode: that one drops a hyphen ending a line when it joins the lines
    (poppler's dehyphenation), so it would hide a hyphen the composer added
    and lose one the source has; -raw keeps both, and still honours
    /ActualText (paiban's added hyphens have an empty one)."""
    n = pc.page_count(pdf)
    pages = pc.run(["pdftotext", "-raw", "-q", "-enc", "UTF-8", pdf, "-"]).split("\f")
    return pages[:n] + [""] * (n - len(pages))


class Doc:
    """One PDF and its source, the lines tied together (align())."""

    def __init__(self, pdf, xml_path, style_path, pages=None, texts=None, sheet=None):
        self.pdf, self.xml, self.style = pdf, xml_path, style_path
        self.pages = pages if pages is not None else pc.stext_pages(pdf)
        for p in self.pages:
            for l in p.lines:
                ligature_order(l)
        self.texts = texts if texts is not None else raw_texts(pdf)
        self.sheet = sheet or pc.prepare_sheet(style_path, pdf, xml_path, self.texts)
        self.blocks = source_blocks(xml_path)
        self.stream = "".join(b.ns for b in self.blocks)
        self.starts = [b.start for b in self.blocks]
        self.name = os.path.basename(xml_path)

    def block_at(self, pos):
        return self.blocks[bisect.bisect_right(self.starts, pos) - 1]

    def src_index(self, pos):
        """(block, index in block.src) of stream position pos."""
        b = self.block_at(pos)
        return b, b.srcpos[pos - b.start]

    def align(self):
        """-> (lines [TLine], problems) (see the module comment)."""
        S = self.stream
        lines, problems = [], []
        cur = 0
        for p in self.pages:
            if self.sheet.is_toc(p.number):
                continue
            for l in pc.text_lines(p, self.sheet):
                t = TLine(p, l)
                lines.append(t)
                gl = l.glyphs
                j, k = cur, 0
                while k < len(gl):
                    c = gl[k].c
                    if S.startswith(c, j):
                        t.pos.append((gl[k], j))
                        j += len(c)
                        k += 1
                        continue
                    if k == len(gl) - 1 and c in HYPHENS and k > 0:
                        t.pos.append((gl[k], None))
                        t.hyphen = True
                        k += 1
                        continue
                    if k + 1 < len(gl) and S.startswith(gl[k + 1].c, j) and \
                            S.startswith(c, j + len(gl[k + 1].c)):
                        # two glyphs out of x order: a compressed opening bracket is drawn
                        # 1/2 em left of its pen, before a narrow glyph ahead of it ("（)
                        gl[k], gl[k + 1] = gl[k + 1], gl[k]
                        continue
                    where = "%s page %d: line %r" % (self.name, p.number, l.text[:40])
                    skip = next((d for d in range(1, 4) if S.startswith(c, j + d)), None)
                    if skip is not None:
                        problems.append("%s: source text %r missing before %r" % (where, S[j:j + skip], c))
                        j += skip
                        continue
                    if k + 1 < len(gl) and S.startswith(gl[k + 1].c, j):
                        problems.append("%s: glyph %r not in the source (%r expected)" % (where, c, S[j:j + 10]))
                        t.pos.append((gl[k], None))
                        k += 1
                        continue
                    # lost: find the rest of the line further on
                    rest = "".join(g.c for g in gl[k:])
                    if t.hyphen is False and rest[-1:] in HYPHENS:
                        rest = rest[:-1]
                    q = S.find(rest, j, j + 4000)
                    if q < 0 or not rest:
                        problems.append("%s: glyphs %r from %r on are not the source (%r expected)"
                                        % (where, c, rest[:20], S[j:j + 20]))
                        t.pos.extend((g, None) for g in gl[k:])
                        k = len(gl)
                        break
                    problems.append("%s: source text %r missing before %r" % (where, S[j:q][:40], rest[:10]))
                    j = q
                mapped = [pos for g, pos in t.pos if pos is not None]
                if mapped:
                    t.start, t.end = mapped[0], mapped[-1] + len(S[mapped[-1]])
                    t.block = self.block_at(t.start)
                    if t.end > t.block.end:
                        problems.append("%s page %d: line %r holds the end of one block and the start of another"
                                        % (self.name, p.number, l.text[:40]))
                    cur = j
        if cur < len(S):
            problems.append("%s: the source text from %r on is not in the PDF" % (self.name, S[cur:cur + 30]))
        return lines, problems


def measure_width(doc, page):
    left, _, right, _ = doc.sheet.text_area(page.number)
    return right - left


def check_gaps(doc, lines):
    """Han–Han gaps on non-final paragraph lines where the source has no
    space: -> (one problem per line with a gap over the limit, widest lines
    first; [(gap in em, line, pair)] for every pair measured)."""
    gaps, problems = [], []
    for t in lines:
        if t.block is None or t.block.kind != "p" or t.final():
            continue
        wide = []
        for (a, pa), (b, pb) in zip(t.pos, t.pos[1:]):
            if pa is None or pb is None or not (cc.is_han(a.c) and cc.is_han(b.c)):
                continue
            ba, ia = doc.src_index(pa)
            bb, ib = doc.src_index(pb)
            if ba is not bb or ib != ia + 1:
                continue            # a space in the source between them
            g = (b.x - a.x - a.size) / a.size
            gaps.append((g, t, a.c + b.c))
            if g > GAP_LIMIT + 1e-6:
                wide.append((g, a.c + b.c))
        if wide:
            g, pair = max(wide)
            problems.append((g, "%s page %d: %s %.3f em apart%s: %r"
                             % (doc.name, t.page.number, pair, g, " (%d pairs over %.1f em on the line)"
                                % (len(wide), GAP_LIMIT) if len(wide) > 1 else "", t.text)))
    problems.sort(key=lambda x: -x[0])
    return [m for _, m in problems], gaps


def underfull(doc, lines):
    """Non-final paragraph lines that end short of the measure (compcheck's
    line end: a line-end mark set half width ends ½ em after its origin)."""
    spec = cc.Spec(doc.sheet)
    out = []
    for t in lines:
        if t.block is None or t.block.kind != "p" or t.final() or not t.line.glyphs:
            continue
        end, hang = cc.line_end(t.line, spec)
        edge = hang if hang is not None else end
        right = doc.sheet.text_area(t.page.number)[2]
        if edge < right - cc.FLUSH_TOL:
            out.append((right - edge, "%s page %d: %.1f pt short: %r" % (doc.name, t.page.number, right - edge,
                                                                          t.text)))
    return out


def check_short(doc, lines):
    problems = []
    n = 0
    for t in lines:
        if t.block is None or t.block.kind != "p" or t.final():
            continue
        n += 1
        if t.chars() <= SHORT_LIMIT:
            problems.append("%s page %d: non-final line of %d characters: %r (paragraph %r...)"
                            % (doc.name, t.page.number, t.chars(), t.text, t.block.src[:30]))
    return problems, n


def token_piece(src, a, b):
    """The piece of the token around the break between src[a] and src[b] (b = a+1)
    that lies between the neighbouring item-1 break points: (lo, hi) indices."""
    lo = a
    while lo > 0 and is_token(src[lo - 1]) and src[lo - 1] not in BREAK_AFTER and src[lo] not in BREAK_BEFORE:
        lo -= 1
    hi = b
    while hi + 1 < len(src) and is_token(src[hi + 1]) and src[hi + 1] not in BREAK_BEFORE \
            and src[hi] not in BREAK_AFTER:
        hi += 1
    return lo, hi


def check_split(doc, lines):
    """-> (problems, counts {hyphenated, forced, item1, other}, {kind: count}, [other breaks])."""
    problems, counts = [], {"hyphenated": 0, "forced": 0, "item1": 0, "other": 0}
    kinds, others = {}, []
    glyph_at = {}
    for t in lines:
        for g, pos in t.pos:
            if pos is not None:
                glyph_at[pos] = g
    for t in lines:
        if t.block is None or t.block.kind != "p" or t.final() or t.end is None:
            continue
        b = t.block
        last_ns = t.end - 1 - b.start
        if last_ns + 1 >= len(b.ns):
            continue
        ia, ib = b.srcpos[last_ns], b.srcpos[last_ns + 1]
        if ib != ia + 1:
            continue                    # the break is at a space
        ca, cb = b.src[ia], b.src[ib]
        if not (is_token(ca) and is_token(cb)):
            continue                    # at a Han character: not inside a Latin token
        where = "%s page %d" % (doc.name, t.page.number)
        if is_word(ca) and is_word(cb):
            if t.hyphen:
                counts["hyphenated"] += 1
                continue
            lo, hi = token_piece(b.src, ia, ib)
            width = 0.0
            for i in range(lo, hi + 1):
                k = bisect.bisect_left(b.srcpos, i)
                if k < len(b.srcpos) and b.srcpos[k] == i and b.start + k in glyph_at:
                    g = glyph_at[b.start + k]
                    width += g.x1 - g.x0
            if width > measure_width(doc, t.page) + 0.01:
                counts["forced"] += 1
                continue
            problems.append("%s: %r | %r splits %r without a hyphen (the piece %r is %.1f pt, the measure %.1f)"
                            % (where, t.text[-12:], b.src[ib:ib + 12], b.src[max(0, ia - 12):ib + 12].strip(),
                               b.src[lo:hi + 1], width, measure_width(doc, t.page)))
        elif ca in BREAK_AFTER or cb in BREAK_BEFORE:
            counts["item1"] += 1
            k = "after /" if ca in BREAK_AFTER else "before " + cb
            kinds[k] = kinds.get(k, 0) + 1
        else:
            counts["other"] += 1
            k = "%s|%s" % ("a" if is_word(ca) else ca, "a" if is_word(cb) else cb)
            kinds["other " + k] = kinds.get("other " + k, 0) + 1
            others.append("%s: %r | %r" % (where, t.text[-10:], b.src[ib:ib + 10]))
    return problems, counts, kinds, others


def check_lastline(doc, lines):
    problems, n, latin = [], 0, []
    for t in lines:
        if t.block is None or t.block.kind != "p" or not t.final():
            continue
        if t.start == t.block.start:
            continue                    # a one-line paragraph
        n += 1
        gl = [g.c for g, pos in t.pos]
        if not gl:
            continue
        if cc.is_han(gl[0]) and all(is_punct(c) for c in gl[1:]):
            problems.append("%s page %d: paragraph ends in the line %r (after %r)"
                            % (doc.name, t.page.number, t.text, prev_text(lines, t)))
        elif is_word(gl[0]) and all(is_punct(c) for c in gl[1:]):
            latin.append("%s page %d: %r" % (doc.name, t.page.number, t.text))
    return problems, n, latin


def prev_text(lines, t):
    i = lines.index(t)
    return lines[i - 1].text[-12:] if i else ""


def check_text(doc, align_problems):
    """pdftotext (folios off) against the source, and the glyph alignment."""
    want = pc.expected_text(doc.xml, doc.sheet)
    furn, diff = pc.check_text(doc.texts, want, doc.sheet, None)
    problems = ["%s: pdftotext: %s" % (doc.name, d) for d in furn + diff]
    problems += align_problems
    return problems, len(want)


def analyse(doc):
    """Every check on doc -> {name: data} (picklable: strings and numbers)."""
    lines, align_problems = doc.align()
    paras = [t for t in lines if t.block is not None and t.block.kind == "p"]
    res = {"paragraphs": sum(1 for b in doc.blocks if b.kind == "p"), "lines": len(paras),
           "final": sum(1 for t in paras if t.final()), "pages": len(doc.pages),
           "measure": (measure_width(doc, doc.pages[0]), doc.sheet.font_size("p"))}
    probs, gaps = check_gaps(doc, lines)
    under = underfull(doc, lines)
    gv = [g for g, _, _ in gaps]
    worst = max(gaps, key=lambda x: x[0]) if gaps else None
    wtext = "%s page %d: %s in %r" % (doc.name, worst[1].page.number, worst[2], worst[1].text) if worst else ""
    res["gaps"] = (probs, {"n": len(gv), "over025": sum(g > 0.25 + 1e-6 for g in gv),
                           "over05": sum(g > GAP_LIMIT + 1e-6 for g in gv), "over1": sum(g > 1.0 + 1e-6 for g in gv),
                           "underfull": under, "worst": (worst[0], wtext) if worst else None})
    probs, n = check_short(doc, lines)
    res["short"] = (probs, {"n": n})
    probs, counts, kinds, others = check_split(doc, lines)
    res["split"] = (probs, dict(counts, kinds=kinds, others=others))
    probs, n, latin = check_lastline(doc, lines)
    res["lastline"] = (probs, {"n": n, "latin": latin})
    probs, nchars = check_text(doc, align_problems)
    res["text"] = (probs, {"chars": nchars})
    return res


def merge(results):
    """Sum the per-document results."""
    out = {"paragraphs": 0, "lines": 0, "final": 0, "pages": 0}
    for r in results:
        for k in out:
            out[k] += r[k]
    out["measure"] = results[0]["measure"]
    for name in CHECKS:
        probs = [p for r in results for p in r[name][0]]
        figs = {}
        for r in results:
            for k, v in r[name][1].items():
                if k == "worst":
                    if v and (figs.get(k) is None or v[0] > figs[k][0]):
                        figs[k] = v
                    figs.setdefault(k, None)
                elif k == "kinds":
                    d = figs.setdefault(k, {})
                    for kk, vv in v.items():
                        d[kk] = d.get(kk, 0) + vv
                elif isinstance(v, list):
                    figs[k] = figs.get(k, []) + v
                else:
                    figs[k] = figs.get(k, 0) + v
        out[name] = (probs, figs)
    return out


def figures(name, f):
    if name == "gaps":
        w = f.get("worst")
        u = sorted(f["underfull"], key=lambda x: -x[0])
        return ("%d Han–Han gaps on non-final lines: %d over 0.25 em, %d over 0.5 em, %d over 1 em; "
                "worst %s; %d non-final lines end short of the measure by more than 0.1 pt (%d by more "
                "than 1 pt; not a fault of this check)%s"
                % (f["n"], f["over025"], f["over05"], f["over1"], "%.3f em, %s" % w if w else "-",
                   len(u), sum(1 for d, _ in u if d > 1.0), ", the most: " + u[0][1] if u else ""))
    if name == "short":
        return "%d non-final paragraph lines" % f["n"]
    if name == "split":
        kinds = ", ".join("%s %d" % kv for kv in sorted(f["kinds"].items(), key=lambda kv: -kv[1]))
        return ("words hyphenated at a line end %d; breaks at the item-1 points %d; forced breaks in a piece "
                "wider than the measure %d; other breaks inside Latin tokens %d (%s)%s"
                % (f["hyphenated"], f["item1"], f["forced"], f["other"], kinds or "-",
                   "; e.g. " + "; ".join(f["others"][:3]) if f["others"] else ""))
    if name == "lastline":
        return "%d multi-line paragraphs; %d end in one Latin letter or digit (plus punctuation)%s" % (
            f["n"], len(f["latin"]), (": " + "; ".join(f["latin"][:3])) if f["latin"] else "")
    if name == "text":
        return "%d characters" % f["chars"]
    return ""


def report(label, merged, show=6, results=None):
    rep = pc.Report()
    width, size = merged["measure"]
    print("# %s: measure %.2f pt = %.2f em of %gpt; %d documents, %d pages, %d paragraphs, %d paragraph lines "
          "(%d final)" % (label, width, width / size, size, len(results or []), merged["pages"],
                          merged["paragraphs"], merged["lines"], merged["final"]))
    for name in CHECKS:
        probs, f = merged[name]
        head = "%s: %s: %s" % (label, name, TITLES[name])
        if probs:
            print("# %s: %s" % (label, figures(name, f)))
            rep.group(head + " (%d)" % len(probs), probs, limit=show + 1)
        else:
            rep.group(head, probs, figures(name, f))
    return rep.failed


# --------------------------------------------------------------------------
# Self-test: planted faults in the parsed data must be caught
# --------------------------------------------------------------------------
def shift(chars, dx):
    for ch in chars:
        ch.x += dx
        ch.x0 += dx
        ch.x1 += dx


def selftest(doc):
    """Plant each fault in a copy of doc's parsed pages (or pdftotext text)
    and require its check to report more problems than on doc itself (the
    composer being measured may already fail some checks).  Also: planted
    breaks that are allowed (a hyphenated word, a break after '/') must not
    add problems, and must be counted."""
    rep = pc.Report(quiet=True)
    base = analyse(doc)
    lines, _ = doc.align()

    def clone(pages=None, texts=None):
        return Doc(doc.pdf, doc.xml, doc.style, pages=pages if pages is not None else pc.clone_pages(doc.pages),
                   texts=texts if texts is not None else list(doc.texts), sheet=doc.sheet)

    def find_tlines(d, pred):
        ls, _ = d.align()
        for i, t in enumerate(ls):
            if pred(ls, i, t):
                return ls, i, t
        raise AssertionError("no line to plant the fault on")

    def nonfinal_p(t):
        return t.block is not None and t.block.kind == "p" and not t.final()

    def han_pair(d, t):
        """Index k of a Han pair (k, k+1) on t adjacent in the source."""
        for k in range(len(t.pos) - 1):
            (a, pa), (b, pb) = t.pos[k], t.pos[k + 1]
            if pa is not None and pb is not None and cc.is_han(a.c) and cc.is_han(b.c) and pb == pa + 1:
                ba, ia = d.src_index(pa)
                bb, ib = d.src_index(pb)
                if ba is bb and ib == ia + 1:
                    return k
        return None

    def m_gap(d):
        ls, i, t = find_tlines(d, lambda ls, i, t: nonfinal_p(t) and han_pair(d, t) is not None)
        k = han_pair(d, t)
        b = t.pos[k + 1][0]
        shift(t.line.chars[t.line.chars.index(b):], 0.6 * b.size)

    def move_to_next(t, nxt, k):
        """Move the glyphs of line t from index k on to the start of line nxt."""
        moved = t.line.glyphs[k:]
        for ch in moved:
            t.line.chars.remove(ch)
        t.line.glyphs[k:] = []
        nxt.line.chars[:0] = moved
        nxt.line.glyphs[:0] = moved

    def move_to_prev(t, prev, k):
        """Move the glyphs of line t before index k to the end of line prev."""
        moved = t.line.glyphs[:k]
        for ch in moved:
            t.line.chars.remove(ch)
        t.line.glyphs[:k] = []
        prev.line.chars.extend(moved)
        prev.line.glyphs.extend(moved)

    def m_short(d):
        # split a long non-final line: its first 5 glyphs stay, the rest go to the next line
        ls, i, t = find_tlines(d, lambda ls, i, t: nonfinal_p(t) and len(t.line.glyphs) > 12 and t.chars() > 12
                               and i + 1 < len(ls) and ls[i + 1].block is t.block)
        move_to_next(t, ls[i + 1], 5)

    def word_inside(d, t, need):
        """(k) glyph index on t such that glyphs k-1, k are letters of one word of
        the source with at least `need` letters after k, and the word's piece
        is narrower than the measure."""
        for k in range(2, len(t.pos) - need):
            (a, pa), (b, pb) = t.pos[k - 1], t.pos[k]
            if pa is None or pb is None or pb != pa + 1:
                continue
            ba, ia = d.src_index(pa)
            bb, ib = d.src_index(pb)
            if ba is bb and ib == ia + 1 and is_word(a.c) and is_word(b.c) and cc.is_latin(a.c) \
                    and all(is_word(g.c) for g, _ in t.pos[k:k + need]):
                lo, hi = token_piece(ba.src, ia, ib)
                if hi - lo < 15:
                    return k
        return None

    def m_split(d, hyphen=False):
        ls, i, t = find_tlines(d, lambda ls, i, t: nonfinal_p(t) and word_inside(d, t, 2) is not None
                               and i + 1 < len(ls) and ls[i + 1].block is t.block)
        k = word_inside(d, t, 2)
        move_to_next(t, ls[i + 1], k)
        if hyphen:
            a = t.line.glyphs[-1]
            h = pc.Char("-", a.x1, a.y, a.x1, a.x1 + 0.3 * a.size, a.font, a.size, a.color)
            t.line.chars.append(h)
            t.line.glyphs.append(h)

    def m_slash(d):
        # a break right after '/' inside a path
        def at_slash(t):
            for k in range(1, len(t.pos) - 1):
                (a, pa), (b, pb) = t.pos[k - 1], t.pos[k]
                if pa is not None and pb == pa + 1 and a.c == "/" and is_token(b.c):
                    ba, ia = d.src_index(pa)
                    if ba.src[ia + 1:ia + 2] == b.c:
                        return k
            return None
        ls, i, t = find_tlines(d, lambda ls, i, t: nonfinal_p(t) and at_slash(t) is not None
                               and i + 1 < len(ls) and ls[i + 1].block is t.block)
        move_to_next(t, ls[i + 1], at_slash(t))

    def m_lastline(d):
        # a paragraph's last line cut to its last Han character (and what follows it)
        def cut(t):
            gl = t.line.glyphs
            for k in range(len(gl) - 1, 0, -1):
                if cc.is_han(gl[k].c):
                    return k if all(is_punct(g.c) for g in gl[k + 1:]) else None
            return None
        ls, i, t = find_tlines(d, lambda ls, i, t: t.block is not None and t.block.kind == "p" and t.final()
                               and i > 0 and ls[i - 1].block is t.block and cut(t) is not None
                               and len(t.line.glyphs) > 3)
        move_to_prev(t, ls[i - 1], cut(t))

    def m_drop_glyph(d):
        ls, i, t = find_tlines(d, lambda ls, i, t: nonfinal_p(t) and len(t.line.glyphs) > 10)
        g = t.line.glyphs[len(t.line.glyphs) // 2]
        t.line.chars.remove(g)
        t.line.glyphs.remove(g)

    def drop_text_char(texts):
        for n, s in enumerate(texts):
            m = re.search(r"[\u4e00-\u9fff]", s[len(s) // 2:])
            if m:
                k = len(s) // 2 + m.start()
                texts[n] = s[:k] + s[k + 1:]
                return texts
        raise AssertionError("no Han character in the text")

    def hyphen_in_text(texts):
        for n, s in enumerate(texts):
            m = re.search(r"[A-Za-z]{4}", s)
            if m:
                k = m.start() + 2
                texts[n] = s[:k] + "-\n" + s[k:]
                return texts
        raise AssertionError("no word in the text")

    def pages_mutant(f):
        d = clone()
        f(d)
        return clone(pages=d.pages)

    cases = [
        ("gaps", "a Han–Han gap widened by 0.6 em", lambda: pages_mutant(m_gap), True),
        ("short", "a non-final line cut to 5 characters", lambda: pages_mutant(m_short), True),
        ("split", "a Latin word split without a hyphen", lambda: pages_mutant(m_split), True),
        ("lastline", "a paragraph's last line cut to one Han character", lambda: pages_mutant(m_lastline), True),
        ("text", "a glyph dropped from a line", lambda: pages_mutant(m_drop_glyph), True),
        ("text", "a character dropped from pdftotext's text", lambda: clone(texts=drop_text_char(list(doc.texts))),
         True),
        ("text", "an added hyphen left in pdftotext's text", lambda: clone(texts=hyphen_in_text(list(doc.texts))),
         True),
        ("split", "a word split with a hyphen (allowed, counted)",
         lambda: pages_mutant(lambda d: m_split(d, hyphen=True)), False),
        ("split", "a break after '/' in a path (allowed, counted)", lambda: pages_mutant(m_slash), False),
    ]
    caught = 0
    for name, what, make, must_fail in cases:
        try:
            res = analyse(make())
        except Exception as e:      # a fault that cannot be planted in this document
            rep.group("selftest: %s: %s" % (name, what), ["cannot plant the fault: %r" % e])
            continue
        n0, n1 = len(base[name][0]), len(res[name][0])
        if must_fail:
            caught += n1 > n0
            rep.group("selftest: %s detects %s" % (name, what),
                      [] if n1 > n0 else ["the check found %d problems, as on the PDF itself" % n1])
        else:
            f0, f1 = base["split"][1], res["split"][1]
            key = "hyphenated" if "hyphen" in what else "item1"
            probs = []
            if n1 > n0:
                probs.append("the check reports it: %s" % res[name][0][0])
            if f1[key] <= f0[key]:
                probs.append("not counted as %s (%d, before %d)" % (key, f1[key], f0[key]))
            rep.group("selftest: %s accepts %s" % (name, what), probs)
    if not rep.failed:
        print("ok realtext self-test on %s: %d planted faults caught by their checks, 2 allowed breaks "
              "accepted and counted" % (doc.name, caught))
    return rep.failed


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
def _job(args):
    pdf, xml_path, style, selftest_it = args
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            doc = Doc(pdf, xml_path, style)
            res = analyse(doc)
            failed = selftest(doc) if selftest_it else 0
        except Exception as e:
            import traceback
            return None, out.getvalue() + "FAIL realtext: cannot measure %s: %r\n%s" % (
                pdf, e, "".join("    " + l for l in traceback.format_exc().splitlines(True)[-4:])), 1
    return res, out.getvalue(), failed


def cmd_check(args):
    show, do_selftest, pos = 6, False, []
    it = iter(args)
    for a in it:
        if a == "--selftest":
            do_selftest = True
        elif a == "--max-show":
            show = int(next(it))
        else:
            pos.append(a)
    label, style, pairs = pos[0], pos[1], pos[2:]
    jobs = []
    for i, p in enumerate(pairs):
        pdf, xml_path = p.split(":", 1)
        jobs.append((pdf, xml_path, style, do_selftest and i == 0))
    procs = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    if procs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            outs = pool.map(_job, jobs, chunksize=1)
    else:
        outs = [_job(j) for j in jobs]
    failed = 0
    results = []
    for res, text, f in outs:
        sys.stdout.write(text)
        failed += f
        if res is not None:
            results.append(res)
    if len(results) != len(jobs):
        return 1
    return failed + report(label, merge(results), show, results)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("check",):
        print(__doc__)
        return 2
    try:
        return 1 if cmd_check(argv[2:]) else 0
    except (RuntimeError, ValueError, OSError, IndexError) as e:
        print("FAIL realtext: cannot run the check: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
