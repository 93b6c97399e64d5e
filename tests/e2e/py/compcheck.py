#!/usr/bin/env python3
"""compcheck: Chinese composition quality measured on a PDF (design.md section 4).

Standard library only; builds on pdfcheck (stext parsing, style sheets, the
text area and the body-paragraph line classification).  Used two ways:

* as a module: every check is a function of the parsed pages and a Spec (what
  the style sheet promises) returning (problems, figures), so a test can
  mutate the parsed data and see the check fail;
* as a command (tests/e2e/composition.sh):

  check PDF STYLE [--expect-fail NAME...] [--source XML] [--label TEXT]
        run every check; print "ok NAME: figures" or "FAIL NAME: reason".
        With --expect-fail the named checks must fail (a mutated PDF measured
        against the original style sheet) and the others are not reported.
  gen SEED.txt OUT.xml      a document of >= 30 paragraphs, callouts and
                            headings built from the seed report text
  restyle STYLE OUT STYLENAME PROP=VALUE...
                            a copy of a style sheet with properties set on one
                            style (STYLENAME "page" sets the default <page>'s attributes)
  selftest PDF STYLE [--source XML]
                            every check passes on PDF and fails on planted faults
  batch JOBS                run the check / selftest command lines in file JOBS
                            on one process per CPU; output in job order ("echo
                            TEXT" prints "# TEXT")
  Commands may be chained in one run: CMD ARGS --then CMD ARGS ...

How the PDF is read.  paiban places every glyph absolutely (TJ adjustments),
and the fonts' /W widths are the glyphs' natural advances, so mutool's quad
for a glyph runs from its origin to origin + natural advance: 1 em for every
full-width mark, even one set half width.  The real advance of a glyph is
the distance to the next glyph's origin.  So:

* a line's right edge is its last glyph's origin + its advance as set: ½ em
  for a full-width mark with its blank after it (，。、；：？！ and closing
  brackets) when the punctuation style is kaiming or banjiao, the origin
  itself for a hanging 、，。, else the quad's end;
* a compressed opening bracket is drawn ½ em left of its pen, so distances
  are taken between origins of glyphs that are not compressed opening
  brackets (the pair check measures from the first mark to the next
  character that is not a mark);
* a justified line's inter-character stretch G is measured on the line
  itself (origin distance of two adjacent Han minus 1 em) and taken off the
  Han–Latin gaps and the mark pairs, which carry that stretch too;
* mutool inserts a space character into stext where it sees a gap; only
  non-space glyphs are measured, and a space char between two Latin letters
  marks a word boundary.

Which lines: the composed text, i.e. the lines inside the text area of each
page's master (pdfcheck's page roles: front matter parts, then the body), not
running heads or folios, and nothing of the contents pages (their
right-aligned page numbers are not composed text).

Checks (name: what fails it):
  breaks     a line starts with a not-at-start mark or ends with a not-at-end mark
  left       a body line does not start on its measure (or ½ em before it for a
             trimmed opening bracket when punctuation-trim-start is on)
  flush      a non-final line of a justified body paragraph does not end at the
             right edge of its measure within 0.1 pt (right edge as above), or any
             body line runs past it
  hanlatin   Han–Latin spacing below ⅛ em anywhere, above ⅓ em on a line whose
             gap stretch is known (it has two adjacent Han), or not ¼ em (0.02
             pt) on a line at natural width (a paragraph's last line or a
             heading line ending short of its measure, a centred line narrower
             than the widest of its block); with autospace off: any spacing
  pairs      two adjacent full-width marks (。」 ，“ ”。 ...) take more than
             1.5 em + 0.1 pt, less the stretch of their two gaps (kaiming);
             runs of three more than 2 em
  letters    two letters of a Latin word are not at their natural distance
             (quad gap > 0.05 pt), a Western space is below min(¼ em, the font's
             natural space: the composer only shrinks spaces, and to ¼ em; Noto
             Sans CJK's is 0.224 em, read from the font file through fc-match),
             or a word on a line is not a word of the source (letter spacing
             that mutool read as a space)
  lastline   a paragraph or a heading ends in a line of one letter or ideograph
             (plus punctuation)
"""

import os
import re
import statistics
import struct
import sys
import unicodedata
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

FLUSH_TOL = 0.1          # pt
GAP_TOL = 0.02           # pt: PDF coordinates are written with 3-4 decimals
LETTER_TOL = 0.05        # pt: quad gap allowed between letters of a word
PAIR_TOL = 0.1           # pt

OPEN = set("“‘（《〈「『【〖〔［｛〘〚")
CLOSE = set("”’）》〉」』】〗〕］｝〙〛")
PAUSE = set("、，；：")
STOP = set("。？！．")
MARKS = OPEN | CLOSE | PAUSE | STOP          # full-width marks with a half-width form
BLANK_AFTER = CLOSE | PAUSE | STOP           # set half width at a line end (kaiming)
HANGABLE = set("、，。")
NOT_AT_START = pc.NOT_AT_START
NOT_AT_END = pc.NOT_AT_END
CHECKS = ("breaks", "left", "flush", "hanlatin", "pairs", "letters", "lastline")


def is_han(c):
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x3FFFF or (0x3040 <= o <= 0x30FF and c != "・"))


def is_latin(c):
    o = ord(c)
    return (c.isascii() and c.isalnum()) or (0xC0 <= o <= 0x24F and c.isalpha()) \
        or (0x370 <= o <= 0x52F and c.isalpha())


def is_letter(c):
    return unicodedata.category(c)[0] in "LN"


# --------------------------------------------------------------------------
# What the style sheet promises
# --------------------------------------------------------------------------
class Spec:
    """The composition settings of the body style p, and the styles whose
    lines are headings (balanced, centred) or titles."""

    def __init__(self, sheet):
        self.sheet = sheet
        r = sheet.resolved("p")
        self.punctuation = r.get("punctuation", "kaiming")
        self.hanging = r.get("hanging-punctuation", "no") == "yes"
        self.trim = r.get("punctuation-trim-start", "no") == "yes"
        self.autospace = r.get("autospace", "yes") == "yes"
        self.justified = r.get("text-align", "justify") == "justify"
        self.geo = TrimGeometry(sheet, self.trim)
        names = [n for n in ("heading", "headline", "deck", "callout.title", "callout.subtitle", "caption")
                 if n in sheet.styles]
        # (font, text-align) of the styles whose blocks are headings and titles
        self.headings = [(sheet.font_of(n), sheet.resolved(n).get("text-align", "justify")) for n in names]
        self.heading_fonts = [f for f, a in self.headings[:-1]]     # a caption is not a heading
        self.cache = {}
        self.space_em = {}

    def natural_space(self, font):
        """The advance of U+0020 in mutool's font name (em), from the font file
        fontconfig finds for it; None when it cannot be read."""
        if font not in self.space_em:
            self.space_em[font] = space_advance(font)
        return self.space_em[font]

    def half_at_end(self, c):
        return c in BLANK_AFTER and self.punctuation in ("kaiming", "banjiao")


def _font_tables(f, off):
    f.seek(off + 4)
    n = struct.unpack(">H", f.read(2))[0]
    f.seek(off + 12)
    raw = f.read(16 * n)
    out = {}
    for i in range(n):
        tag, _, o, ln = struct.unpack(">4sIII", raw[16 * i:16 * i + 16])
        out[tag.decode("latin-1")] = o
    return out


def _cmap_glyph(f, off, cp):
    """The glyph of code point cp (< 0x10000) in a cmap's format 4 or 12 subtable."""
    f.seek(off)
    _, n = struct.unpack(">HH", f.read(4))
    subs = [struct.unpack(">HHI", f.read(8)) for _ in range(n)]
    for _, _, o in subs:
        f.seek(off + o)
        fmt = struct.unpack(">H", f.read(2))[0]
        if fmt == 4:
            f.seek(off + o)
            head = f.read(14)
            seg = struct.unpack(">H", head[6:8])[0] // 2
            rest = f.read(8 * seg + 2)
            ends = struct.unpack(">%dH" % seg, rest[:2 * seg])
            starts = struct.unpack(">%dH" % seg, rest[2 * seg + 2:4 * seg + 2])
            deltas = struct.unpack(">%dh" % seg, rest[4 * seg + 2:6 * seg + 2])
            ranges = struct.unpack(">%dH" % seg, rest[6 * seg + 2:8 * seg + 2])
            for k in range(seg):
                if starts[k] <= cp <= ends[k]:
                    if not ranges[k]:
                        return (cp + deltas[k]) & 0xFFFF
                    f.seek(off + o + 14 + 6 * seg + 2 + 2 * k + ranges[k] + 2 * (cp - starts[k]))
                    g = struct.unpack(">H", f.read(2))[0]
                    return (g + deltas[k]) & 0xFFFF if g else None
        elif fmt == 12:
            f.seek(off + o + 12)
            count = struct.unpack(">I", f.read(4))[0]
            for _ in range(count):
                a, b, g = struct.unpack(">III", f.read(12))
                if a <= cp <= b:
                    return g + cp - a
    return None


def space_advance(font):
    """The advance width (em) of U+0020 in the installed font whose PostScript
    name mutool reports (fc-match; hmtx, standard library only), or None."""
    try:
        out = pc.run(["fc-match", "-f", "%{file}|%{index}|%{postscriptname}", ":postscriptname=" + font])
        path, index, name = out.split("|")
        if name != font:
            return None
        with open(path, "rb") as f:
            off = 0
            if f.read(4) == b"ttcf":
                f.seek(12 + 4 * int(index))
                off = struct.unpack(">I", f.read(4))[0]
            t = _font_tables(f, off)
            f.seek(t["head"] + 18)
            upem = struct.unpack(">H", f.read(2))[0]
            f.seek(t["hhea"] + 34)
            nmetrics = struct.unpack(">H", f.read(2))[0]
            gid = _cmap_glyph(f, t["cmap"], 0x20)
            if gid is None:
                return None
            f.seek(t["hmtx"] + 4 * min(gid, nmetrics - 1))
            return struct.unpack(">H", f.read(2))[0] / upem
    except (RuntimeError, OSError, ValueError, KeyError, struct.error):
        return None


class TrimGeometry(pc.Geometry):
    """pdfcheck's measures, also accepting a line whose first glyph is an
    opening bracket drawn ½ em before the measure (trimmed)."""

    def __init__(self, sheet, trim):
        super().__init__(sheet)
        self.trim = trim

    def starts(self, line, area):
        """[(left, right, first, x)] candidate starts of line: the measure's left
        edge (or indent) and, for a trimmed bracket, ½ em before it."""
        left, _, right, _ = area
        out = []
        g = line.glyphs[0]
        shift = -0.5 * g.size if (self.trim and g.c in OPEN) else 0.0
        for l, r in ((left, right), (left + self.callout_left, right - self.callout_right)):
            for first, x in ((False, l), (True, l + self.indent)):
                out.append((l, r, first, x + shift))
        return out

    def measure(self, line, area):
        for l, r, first, x in self.starts(line, area):
            if abs(line.glyphs[0].x - x) < 0.5:
                return l, r, first
        return None


def line_end(line, spec):
    """Where line's last glyph ends as set (see the module comment)."""
    g = line.glyphs[-1]
    if spec.hanging and g.c in HANGABLE:
        return g.x + 0.5 * g.size, g.x        # (advance box end, hanging origin)
    if spec.half_at_end(g.c):
        return g.x + 0.5 * g.size, None
    return g.x1, None


def gap_stretch(line):
    """The inter-character stretch of line (median over adjacent Han), 0 when none."""
    d = [b.x - a.x - a.size for a, b in zip(line.glyphs, line.glyphs[1:])
         if is_han(a.c) and is_han(b.c) and abs(a.size - b.size) < 0.01]
    return max(0.0, statistics.median(d)) if d else 0.0


def body_lines(pages, spec):
    """Every composed line in document order, with its page: the lines inside
    the text area of each page's master (no running heads, no folios), the
    contents pages left out (their right-aligned page numbers are not
    composed text).  Cached per pages list for the life of spec."""
    key = id(pages)
    if key not in spec.cache:
        out = []
        for p in pages:
            if not spec.sheet.is_toc(p.number):
                out.extend((p, l) for l in pc.text_lines(p, spec.sheet))
        spec.cache[key] = (pages, out)      # pages kept alive: its id stays unique
    return spec.cache[key][1]


def classify(pages, spec):
    """[(page, line, right, must_flush, why, first)] for body-font lines (pdfcheck)."""
    return pc.justified_lines(pages, spec.geo)


# --------------------------------------------------------------------------
# Checks: each returns (problems, figures)
# --------------------------------------------------------------------------
def check_breaks(pages, spec):
    problems, n = [], 0
    for p, l in body_lines(pages, spec):
        t = l.text
        n += 1
        if t[0] in NOT_AT_START or t.startswith(pc.NOT_AT_START_PAIRS):
            problems.append("page %d: line starts with %r: %r" % (p.number, t[0], t[:24]))
        if t[-1] in NOT_AT_END:
            problems.append("page %d: line ends with %r: %r" % (p.number, t[-1], t[-24:]))
    return problems, "%d lines checked" % n


def check_left(pages, spec):
    problems, n, trimmed = [], 0, 0
    for p, l in body_lines(pages, spec):
        if not pc.line_has_font(l, spec.geo.body_font):
            continue
        area = spec.sheet.text_area(p.number)
        n += 1
        cands = spec.geo.starts(l, area)
        x = l.glyphs[0].x
        best = min(cands, key=lambda c: abs(x - c[3]))
        if abs(x - best[3]) > GAP_TOL * 5:
            problems.append("page %d: body line starts at x %.3f, %+.3f pt from the nearest measure edge "
                            "%.3f%s: %r" % (p.number, x, x - best[3], best[3],
                                            " (first glyph %s, trim %s)" % (l.glyphs[0].c, "on" if spec.trim else "off")
                                            if l.glyphs[0].c in OPEN else "", l.text[:24]))
        elif spec.trim and l.glyphs[0].c in OPEN:
            trimmed += 1
    return problems, "%d body lines start on their measure%s" % (
        n, ", %d with a trimmed bracket" % trimmed if spec.trim else "")


def check_flush(pages, spec):
    problems, total, flush, half, hung, dev = [], 0, 0, 0, 0, []
    for p, l, right, must, why in classify(pages, spec):
        if right is None:
            continue            # check_left reports lines on no measure
        end, hang_x = line_end(l, spec)
        edge = hang_x if hang_x is not None else end
        if edge > right + FLUSH_TOL:
            problems.append("page %d: line runs past its measure (ends %.3f > %.3f): %r"
                            % (p.number, edge, right, l.text[-24:]))
            continue
        if not must or not spec.justified:
            continue
        total += 1
        dev.append(edge - right)
        if abs(edge - right) <= FLUSH_TOL:
            flush += 1
            half += spec.half_at_end(l.glyphs[-1].c) and hang_x is None
            hung += hang_x is not None
        else:
            problems.append("page %d: justified line ends at %.3f, measure at %.3f (%+.3f pt; last glyph %r "
                            "at %.3f), %s: %r" % (p.number, edge, right, edge - right, l.glyphs[-1].c,
                                                  l.glyphs[-1].x, why, l.text[-24:]))
    if spec.justified and total == 0:
        problems.append("no continued justified body line found")
    fig = "%d/%d non-final justified body lines flush (%d ending in a half-width mark, %d hanging); " \
          "deviation %.4f..%.4f pt" % (flush, total, half, hung, min(dev, default=0), max(dev, default=0))
    return problems, fig


def han_latin_gaps(line, g):
    """[(spacing, em, a, b)] for every adjacent Han–Latin pair of line, its gap
    stretch g taken off.  Han advance is 1 em; a letter's is its quad width."""
    out = []
    gl = line.glyphs
    for a, b in zip(gl, gl[1:]):
        if is_han(a.c) and is_latin(b.c):
            out.append((b.x - (a.x + a.size) - g, b.size, a, b))
        elif is_latin(a.c) and is_han(b.c):
            out.append((b.x - a.x1 - g, b.size, a, b))
    return out


def blocks(pages, spec, font):
    """Runs of consecutive lines in font on one page, about a line apart: [(page, [lines])]."""
    out, prev = [], None
    for p, l in body_lines(pages, spec):
        if pc.line_has_font(l, font):
            if out and out[-1][1][-1] is prev and out[-1][0] is p and l.baseline - prev.baseline < 2.2 * font[2]:
                out[-1][1].append(l)
            else:
                out.append((p, [l]))
        prev = l
    return out


def natural_lines(pages, spec):
    """ids of lines set at natural width: a body paragraph's last line ending
    short of its measure (a shrunk line always reaches it); a left-aligned
    heading or title line ending short of its measure; a centred line narrower
    than the widest of its block (balancing narrows the measure to the widest
    line, so only that one may have been shrunk) or alone and narrower than the
    text area."""
    out = set()
    for p, l, right, must, why in classify(pages, spec):
        if right is not None and not must and l.glyphs[-1].x1 < right - FLUSH_TOL:
            out.add(id(l))
    for font, align in spec.headings:
        for p, ls in blocks(pages, spec, font):
            area = spec.sheet.text_area(p.number)
            if align in ("left", "justify"):
                for i, l in enumerate(ls):
                    m = spec.geo.measure(l, area)
                    if m and (align == "left" or i == len(ls) - 1) and l.glyphs[-1].x1 < m[1] - FLUSH_TOL:
                        out.add(id(l))
            elif align == "center":
                widths = [l.glyphs[-1].x1 - l.glyphs[0].x0 for l in ls]
                for l, w in zip(ls, widths):
                    if (len(ls) > 1 and w < max(widths) - FLUSH_TOL) or \
                            (len(ls) == 1 and w < area[2] - area[0] - FLUSH_TOL):
                        out.add(id(l))
    return out


def check_hanlatin(pages, spec):
    problems, every, natural = [], [], []
    nat_lines = natural_lines(pages, spec)
    for p, l in body_lines(pages, spec):
        g = gap_stretch(l)
        gaps = han_latin_gaps(l, g)
        if not gaps:
            continue
        nat = id(l) in nat_lines
        g_known = any(is_han(a.c) and is_han(b.c) for a, b in zip(l.glyphs, l.glyphs[1:]))
        for s, em, a, b in gaps:
            every.append(s / em)
            where = "page %d: %s%s in %r" % (p.number, a.c, b.c, l.text[:30])
            if not spec.autospace:
                if abs(s) > GAP_TOL:
                    problems.append("%s: autospace is off, spacing %.3f pt" % (where, s))
                continue
            if s < 0.125 * em - GAP_TOL:
                problems.append("%s: Han–Latin spacing %.3f pt = %.3f em, below 1/8 em" % (where, s, s / em))
            if g_known and s > em / 3 + GAP_TOL:
                problems.append("%s: Han–Latin spacing %.3f pt = %.3f em (gap stretch %.3f taken off), above 1/3 em"
                                % (where, s, s / em, g))
            if nat:
                natural.append(s / em)
                if abs(s - 0.25 * em) > GAP_TOL:
                    problems.append("%s: on a line at natural width, spacing %.3f pt = %.3f em, not 1/4 em"
                                    % (where, s, s / em))
    fig = "%d Han–Latin gaps: min %.3f, median %.3f, max %.3f em; %d on lines at natural width: %s" % (
        len(every), min(every, default=0), statistics.median(every) if every else 0, max(every, default=0),
        len(natural), "%.3f..%.3f em" % (min(natural), max(natural)) if natural else "none")
    if spec.autospace and len(every) == 0:
        problems.append("no Han–Latin pair found")
    return problems, fig


def mark_runs(line):
    """[(start, length)] of maximal runs of adjacent full-width marks on line (glyph indices)."""
    runs, i, gl = [], 0, line.glyphs
    while i < len(gl):
        if gl[i].c in MARKS:
            j = i
            while j + 1 < len(gl) and gl[j + 1].c in MARKS:
                j += 1
            if j > i:
                runs.append((i, j - i + 1))
            i = j + 1
        else:
            i += 1
    return runs


def check_pairs(pages, spec):
    problems, widths, triples, at_end = [], [], [], 0
    limit = {"kaiming": 1.5, "quanjiao": 2.0, "banjiao": 1.0}.get(spec.punctuation, 1.5)
    for p, l in body_lines(pages, spec):
        g = gap_stretch(l)
        gl = l.glyphs
        for i, n in mark_runs(l):
            if i + n >= len(gl):
                at_end += 1     # the run ends the line: its last mark is set half width
                continue
            em = gl[i].size
            w = gl[i + n].x - gl[i].x - n * g
            allowed = (limit * em if n == 2 else (n + 1) / 2 * em if spec.punctuation == "kaiming"
                       else n / 2 * 2 * limit * em)
            (widths if n == 2 else triples).append(w / em)
            if w > allowed + PAIR_TOL:
                problems.append("page %d: %s takes %.3f em (%.3f pt, gap stretch %.3f), more than %.2f em: %r"
                                % (p.number, "".join(c.c for c in gl[i:i + n]), w / em, w, g, allowed / em,
                                   l.text[max(0, i - 6):i + n + 4]))
    fig = "%d mark pairs: %s em; %d runs of three or more: %s; %d runs ending a line" % (
        len(widths), "%.3f..%.3f" % (min(widths), max(widths)) if widths else "-",
        len(triples), "%.3f..%.3f em" % (min(triples), max(triples)) if triples else "-", at_end)
    if not widths:
        problems.append("no pair of adjacent marks followed by a character found")
    return problems, fig


def source_words(xml_path):
    if not xml_path:
        return None
    root = pc.parse_source(xml_path).getroot()
    body = root.find("body")
    text = "".join(root.itertext())         # the front matter sets <meta> fields
    # generated labels (callout badges "趋势 {n}", list numbers) add numbers
    text += " " + " ".join(el.get("number", "") for el in body.iter("callout")) + " " + \
        " ".join(str(i) for i in range(1, 100))
    return set(re.findall(r"[A-Za-z0-9\u00C0-\u024F\u0370-\u052F]+", text))


def spaced_glyphs(line):
    """[(glyph, spaced)] for the glyphs of line; spaced: a space char lies before it."""
    out, spaced = [], False
    for ch in line.chars:
        if not ch.c.strip():
            spaced = True
            continue
        out.append((ch, spaced))
        spaced = False
    return out


def check_letters(pages, spec, words=None):
    problems, pairs, spaces, checked, maxgap, lows = [], 0, [], 0, -1e9, []
    for p, l in body_lines(pages, spec):
        seq = spaced_glyphs(l)
        found, word = [], ""
        for k, (ch, spaced) in enumerate(seq):
            prev = seq[k - 1][0] if k else None
            if prev is not None and is_latin(ch.c) and is_latin(prev.c):
                gap = ch.x - prev.x1
                if spaced:
                    spaces.append(gap / ch.size)
                    natural = spec.natural_space(prev.font)
                    least = min(natural, 0.25) if natural else 0.25
                    lows.append(least)
                    if gap < least * prev.size - LETTER_TOL:
                        problems.append("page %d: Western space of %.3f pt (%.3f em) between %s and %s, below "
                                        "%.3f em (min of 1/4 em and the natural space of %s%s): %r"
                                        % (p.number, gap, gap / ch.size, prev.c, ch.c, least, prev.font,
                                           ", %.3f em" % natural if natural else ": unknown", l.text[:30]))
                else:
                    pairs += 1
                    maxgap = max(maxgap, gap)
                    if gap > LETTER_TOL:
                        problems.append("page %d: letters %s%s spaced by %.3f pt: %r"
                                        % (p.number, prev.c, ch.c, gap, l.text[:30]))
            if is_latin(ch.c) and word and not spaced and is_latin(prev.c):
                word += ch.c
            else:
                if word:
                    found.append(word)
                word = ch.c if is_latin(ch.c) else ""
        if word:
            found.append(word)
        if words is not None:
            for i, w in enumerate(found):
                checked += 1
                edge_ok = (i == 0 and seq and is_latin(seq[0][0].c) and any(s.endswith(w) for s in words)) or \
                          (i == len(found) - 1 and is_latin(seq[-1][0].c) and any(s.startswith(w) for s in words))
                if w not in words and not edge_ok:
                    problems.append("page %d: %r is not a word of the source (letter spacing?): %r"
                                    % (p.number, w, l.text[:30]))
    fig = "%d letter pairs within words, largest quad gap %.3f pt; %d Western spaces, min %s em (floor %s)%s" % (
        pairs, maxgap if pairs else 0, len(spaces), "%.3f" % min(spaces) if spaces else "-",
        "/".join(sorted({"%.3f" % v for v in lows})) or "-",
        "; %d words all words of the source" % checked if words is not None else "")
    if pairs == 0:
        problems.append("no pair of Latin letters found")
    return problems, fig


def check_lastline(pages, spec):
    problems, paras, heads = [], 0, 0
    for p, l, right, must, why in classify(pages, spec):
        if right is None or must:
            continue
        first = spec.geo.measure(l, spec.sheet.text_area(p.number))
        if first is not None and first[2]:
            continue            # a one-line paragraph
        paras += 1
        if sum(map(is_letter, l.text)) < 2:
            problems.append("page %d: a paragraph ends in the line %r" % (p.number, l.text))
    for font in spec.heading_fonts:
        for p, ls in blocks(pages, spec, font):
            if len(ls) < 2:
                continue
            heads += 1
            if sum(map(is_letter, ls[-1].text)) < 2:
                problems.append("page %d: a heading ends in the line %r (after %r)" % (p.number, ls[-1].text,
                                                                                     ls[-2].text))
    return problems, "%d paragraph last lines and %d multi-line heading last lines have >= 2 letters" % (
        paras, heads)


def run_checks(pages, sheet, words=None, only=None):
    """{name: (problems, figures)} for every check (or those in only)."""
    spec = Spec(sheet)
    funcs = {"breaks": check_breaks, "left": check_left, "flush": check_flush, "hanlatin": check_hanlatin,
             "pairs": check_pairs, "letters": lambda pg, sp: check_letters(pg, sp, words),
             "lastline": check_lastline}
    return {n: funcs[n](pages, spec) for n in CHECKS if only is None or n in only}


TITLES = {"breaks": "no prohibited mark at a line start or end",
          "left": "body lines start on their measure",
          "flush": "justified lines end at the measure (0.1 pt)",
          "hanlatin": "Han–Latin spacing: 1/4 em at natural width, 1/8..1/3 em",
          "pairs": "adjacent full-width marks take at most 1.5 em",
          "letters": "no letter spacing in Latin words",
          "lastline": "no paragraph or heading ends in a lone character"}


def load(pdf, style, source):
    """(parsed pages, style sheet with its page roles measured on them)."""
    pages = pc.stext_pages(pdf)
    sheet = pc.prepare_sheet(style, pdf, source, [p.text for p in pages])
    return pages, sheet


def cmd_check(pdf, style, expect_fail=(), source=None, label=""):
    pages, sheet = load(pdf, style, source)
    results = run_checks(pages, sheet, source_words(source), only=expect_fail or None)
    rep = pc.Report()
    prefix = "%s: " % label if label else ""
    if expect_fail:
        for name in expect_fail:
            probs, fig = results[name]
            rep.group("%smutation detected by %s" % (prefix, name), [] if probs else
                      ["the check passed: %s" % fig], probs[0][:150] if probs else "")
        return rep.failed
    spec = Spec(sheet)
    print("# %s%d pages, %d lines; p: %s, punctuation %s, autospace %s, hanging %s, trim %s" % (
        prefix, len(pages), sum(len(p.lines) for p in pages), "justify" if spec.justified else "ragged",
        spec.punctuation, "on" if spec.autospace else "off", "on" if spec.hanging else "off",
        "on" if spec.trim else "off"))
    for name in CHECKS:
        probs, fig = results[name]
        rep.group("%s%s: %s" % (prefix, name, TITLES[name]), probs, fig, limit=8)
    return rep.failed


# --------------------------------------------------------------------------
# The larger document
# --------------------------------------------------------------------------
def seed_structure(seed_path):
    """[(kind, value)] from the seed text: ('par', text), ('short', text)."""
    items = []
    for line in open(seed_path, encoding="utf-8"):
        t = line.strip()
        if t:
            items.append(("par" if len(t) > 40 else "short", t))
    return items


def escape(text):
    """XML character data (xml.sax.saxutils would pull in urllib: slow to import)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


HAN_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u4e00-\u9fff])")


def make_doc(seed_path, out_path, min_paragraphs=60):
    """An XML document from the seed: its headline and decks, its trends as
    callouts (趋势N, title, subtitle, paragraph), its other short lines as
    section headings and its paragraphs; then a section of combined paragraphs
    (each paragraph followed by another; every third with a space put between
    Han and Latin, the other habit of the source), so there are >=
    min_paragraphs."""
    items = seed_structure(seed_path)
    pars = [t for k, t in items if k == "par"]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<document xml:lang="zh-Hans">', "  <meta>",
           "    <title>%s</title>" % escape(items[0][1]), "    <publisher>paiban tests</publisher>",
           "    <year>2024</year>", "  </meta>", "  <body>", "    <titleblock>",
           "      <headline>%s</headline>" % escape(items[0][1])]
    i = 1
    while i < len(items) and items[i][0] == "short" and not items[i][1].startswith("大模型"):
        out.append("      <deck>%s</deck>" % escape(items[i][1]))
        i += 1
    out.append("    </titleblock>")
    section, callout, npar, nsec = False, False, 0, 0

    def close_callout():
        nonlocal callout
        if callout:
            out.append("      </callout>")
            callout = False

    while i < len(items):
        kind, t = items[i]
        m = re.fullmatch(r"趋势(\d+)", t)
        if m and i + 2 < len(items):
            close_callout()
            if not section:
                out.append('    <section id="s%d">' % nsec)
                out.append("      <heading>大模型十大趋势</heading>")
                section, nsec = True, nsec + 1
            out.append('      <callout id="c%s" number="%s">' % (m.group(1), m.group(1)))
            out.append("        <title>%s</title>" % escape(items[i + 1][1].rstrip("：:")))
            out.append("        <subtitle>%s</subtitle>" % escape(items[i + 2][1]))
            callout = True
            i += 3
            continue
        if kind == "short":
            close_callout()
            if section:
                out.append("    </section>")
            heads = [t]
            while i + 1 < len(items) and items[i + 1][0] == "short" and not re.fullmatch(r"趋势\d+", items[i + 1][1]):
                i += 1
                heads.append(items[i][1])
            out.append('    <section id="s%d">' % nsec)
            out.append("      <heading>%s</heading>" % "<br/>".join(escape(h) for h in heads))
            section, nsec = True, nsec + 1
            i += 1
            continue
        if not section:
            out.append('    <section id="s%d">' % nsec)
            section, nsec = True, nsec + 1
        out.append("      %s<p>%s</p>" % ("  " if callout else "", escape(t)))
        npar += 1
        i += 1
    close_callout()
    if section:
        out.append("    </section>")
    # combined paragraphs, and the headline as a heading (the lone 告 case)
    out.append('    <section id="combined">')
    out.append("      <heading>%s</heading>" % escape(items[0][1]))
    k = 0
    while npar < min_paragraphs or k < len(pars):
        a, b = pars[k % len(pars)], pars[(k * 7 + 3) % len(pars)]
        text = a + b
        if k % 3 == 2:      # the other habit: a space between Han and Latin (must come out the same)
            text = HAN_LATIN.sub(" ", text)
        out.append("      <p>%s</p>" % escape(text))
        npar += 1
        k += 1
        if k % 8 == 0:
            out.append("    </section>")
            out.append('    <section id="combined%d">' % k)
            out.append("      <heading>%s</heading>" % escape(items[1 + k // 8 % 3][1]))
    out.append("    </section>")
    out += ["  </body>", "</document>", ""]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return npar


def restyle(style, out, name, props):
    """Copy style sheet style to out with props set on the style called name."""
    tree = ET.parse(style)
    root = tree.getroot()
    pages = root.findall("page")
    default = next((p for p in pages if p.get("name") is None), pages[0] if pages else None)
    el = default if name == "page" else next(
        (s for s in root.findall("style") if s.get("name") == name), None)
    if el is None:
        el = ET.SubElement(root, "style", {"name": name})
    for kv in props:
        k, v = kv.split("=", 1)
        el.set(k, v)
    tree.write(out, encoding="UTF-8", xml_declaration=True)


# --------------------------------------------------------------------------
# Self-test: each check passes on a good PDF and fails on planted faults
# --------------------------------------------------------------------------
def selftest(pdf, style, source=None):
    pages, sheet = load(pdf, style, source)
    words = source_words(source)
    rep = pc.Report(quiet=True)
    base = run_checks(pages, sheet, words)
    for name in CHECKS:
        rep.group("selftest: %s passes on the good PDF" % name, base[name][0])
    spec = Spec(sheet)

    def lines_of(pg, pred):
        for p, l in body_lines(pg, spec):
            if pred(p, l):
                return p, l
        raise AssertionError("no line to mutate")

    def shift(chars, dx):
        for ch in chars:
            ch.x += dx
            ch.x0 += dx
            ch.x1 += dx

    def continued(pg):
        for p, l, right, must, why in classify(pg, spec):
            if must and right is not None:
                return l
        raise AssertionError("no continued line")

    def m_start_comma(pg):
        lines_of(pg, lambda p, l: pc.line_has_font(l, spec.geo.body_font))[1].glyphs[0].c = "，"

    def m_end_open(pg):
        lines_of(pg, lambda p, l: len(l.glyphs) > 5)[1].glyphs[-1].c = "（"

    def m_left(pg):
        l = continued(pg)
        shift([l.glyphs[0]], -0.3)

    def m_flush_short(pg):
        l = continued(pg)
        shift(l.chars, -0.2)

    def m_flush_halfmark(pg):
        # a line-end mark set full width, its box ending at the edge: origin 1/2 em further left
        for p, l, right, must, why in classify(pg, spec):
            if must and l.glyphs[-1].c in BLANK_AFTER:
                shift([l.glyphs[-1]], -0.5 * l.glyphs[-1].size)
                return
        raise AssertionError("no line ending in a mark")

    def natural_pair(pg):
        last = {id(l) for p, l, right, must, why in classify(pg, spec) if right is not None and not must}
        for p, l in body_lines(pg, spec):
            if id(l) in last and han_latin_gaps(l, 0):
                return l, han_latin_gaps(l, 0)[0]
        raise AssertionError("no natural-width line with a Han–Latin pair")

    def m_hl_natural(pg):
        l, (s, em, a, b) = natural_pair(pg)
        i = l.chars.index(b)
        shift(l.chars[i:], -0.05 * em)          # 0.2 em instead of 0.25

    def m_hl_min(pg):
        for p, l in body_lines(pg, spec):
            gaps = han_latin_gaps(l, gap_stretch(l))
            if gaps:
                s, em, a, b = gaps[0]
                i = l.chars.index(b)
                shift(l.chars[i:], 0.1 * em - s)   # 0.1 em
                return
        raise AssertionError("no Han–Latin pair")

    def m_hl_max(pg):
        for p, l in body_lines(pg, spec):
            if not any(is_han(a.c) and is_han(b.c) for a, b in zip(l.glyphs, l.glyphs[1:])):
                continue
            gaps = han_latin_gaps(l, gap_stretch(l))
            if gaps:
                s, em, a, b = gaps[0]
                shift(l.chars[l.chars.index(b):], 0.4 * em - s)   # 0.4 em
                return
        raise AssertionError("no Han–Latin pair")

    def m_pair(pg):
        for p, l in body_lines(pg, spec):
            for i, n in mark_runs(l):
                if n == 2 and i + 2 < len(l.glyphs):
                    k = l.chars.index(l.glyphs[i + 2])
                    shift(l.chars[k:], 0.3 * l.glyphs[i].size)
                    return
        raise AssertionError("no pair")

    def m_letter(pg):
        for p, l in body_lines(pg, spec):
            gl = l.glyphs
            for a, b in zip(gl, gl[1:]):
                if is_latin(a.c) and is_latin(b.c) and b.x - a.x1 < 0.05:
                    shift(l.chars[l.chars.index(b):], 0.15)
                    return
        raise AssertionError("no letter pair")

    def m_letter_space(pg):
        # letters spaced so widely that they read as two words: a space char appears
        for p, l in body_lines(pg, spec):
            gl = l.glyphs
            for a, b in zip(gl, gl[1:]):
                if is_latin(a.c) and is_latin(b.c) and b.x - a.x1 < 0.05:
                    k = l.chars.index(b)
                    shift(l.chars[k:], 3.0)
                    l.chars.insert(k, pc.Char(" ", a.x1, a.y, a.x1, a.x1 + 3.0, a.font, a.size, a.color))
                    return
        raise AssertionError("no letter pair")

    def m_space_narrow(pg):
        # a Western space set at 0.23 em: below 1/4 em, and below the natural space of
        # the report's serif (0.256 em), so below the floor min(natural, 1/4 em)
        for p, l in body_lines(pg, spec):
            seq = spaced_glyphs(l)
            for k in range(1, len(seq)):
                (a, _), (b, spaced) = seq[k - 1], seq[k]
                if spaced and is_latin(a.c) and is_latin(b.c) and (spec.natural_space(a.font) or 1) > 0.23:
                    shift(l.chars[l.chars.index(b):], a.x1 + 0.23 * a.size - b.x)
                    return
        raise AssertionError("no Western space")

    def m_lastline(pg):
        for p, l, right, must, why in classify(pg, spec):
            if right is not None and not must and sum(map(is_letter, l.text)) >= 2 and \
                    not spec.geo.measure(l, sheet.text_area(p.number))[2]:
                keep = next(ch for ch in l.glyphs if is_letter(ch.c))
                l.glyphs[:] = [keep] + [ch for ch in l.glyphs if ch.c in "。，"][:1]
                l.chars[:] = list(l.glyphs)
                return
        raise AssertionError("no paragraph last line")

    mutations = [
        ("breaks", "a line starting with ，", m_start_comma),
        ("breaks", "a line ending with （", m_end_open),
        ("left", "a line's first glyph 0.3 pt left of the measure", m_left),
        ("flush", "a justified line 0.2 pt short", m_flush_short),
        ("flush", "a line-end mark set full width", m_flush_halfmark),
        ("hanlatin", "0.2 em Han–Latin spacing on a natural-width last line", m_hl_natural),
        ("hanlatin", "0.1 em Han–Latin spacing", m_hl_min),
        ("hanlatin", "0.4 em Han–Latin spacing", m_hl_max),
        ("pairs", "a mark pair 0.3 em wider", m_pair),
        ("letters", "a letter moved 0.15 pt right", m_letter),
        ("letters", "letter spacing read by mutool as a space", m_letter_space),
        ("letters", "a Western space narrowed to 0.23 em", m_space_narrow),
        ("lastline", "a paragraph's last line cut to one character", m_lastline),
    ]
    for name, what, mutate in mutations:
        pg = pc.clone_pages(pages)
        try:
            mutate(pg)
            probs = run_checks(pg, sheet, words, only=(name,))[name][0]
        except Exception as e:      # a mutation that does not apply to this PDF
            rep.group("selftest: %s detects %s" % (name, what), ["cannot plant the fault: %r" % e])
            continue
        rep.group("selftest: %s detects %s" % (name, what), [] if probs else ["the check passed"])
    if not rep.failed:
        print("ok compcheck self-test: %d checks pass on %s, %d planted faults detected"
              % (len(CHECKS), os.path.basename(pdf), len(mutations)))
    return rep.failed


def parse_check_args(args):
    opts = {"--expect-fail": [], "--source": None, "--label": ""}
    pos, key = [], None
    for a in args:
        if a in opts:
            key = a
        elif key == "--expect-fail":
            if a not in CHECKS:
                raise ValueError("unknown check %r" % a)
            opts[key].append(a)
        elif key:
            opts[key], key = a, None
        else:
            pos.append(a)
    return pos[0], pos[1], opts["--expect-fail"], opts["--source"], opts["--label"]


def run_job(line):
    """Run one batch job (a check or selftest command line); -> (its output, failed)."""
    import contextlib
    import io
    import shlex
    if line.startswith("echo "):
        return "# %s\n" % line[5:], False
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            failed = main(["compcheck"] + shlex.split(line)) != 0
        except Exception as e:      # report, do not lose the other jobs
            print("FAIL %s: the checker crashed: %r" % (line.split()[0], e))
            failed = True
    return out.getvalue(), failed


def batch(jobfile):
    """Run the jobs of jobfile (one command line each: check ... or selftest ...)
    on a pool of processes, one per CPU (at most 4); print their output in
    job order."""
    with open(jobfile, encoding="utf-8") as f:
        jobs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    procs = max(1, min(len(jobs), os.cpu_count() or 1, 4))
    if procs > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            results = pool.map(run_job, jobs, chunksize=1)
    else:
        results = [run_job(j) for j in jobs]
    failed = 0
    for text, bad in results:
        sys.stdout.write(text)
        failed += bad
    return failed


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "check":
            return 1 if cmd_check(*parse_check_args(args)) else 0
        if cmd == "batch":
            return 1 if batch(args[0]) else 0
        if cmd == "gen":
            n = make_doc(args[0], args[1])
            print("ok gen: %s with %d paragraphs" % (args[1], n))
            return 0
        if cmd == "restyle":
            restyle(args[0], args[1], args[2], args[3:])
            return 0
        if cmd == "selftest":
            source = args[args.index("--source") + 1] if "--source" in args else None
            return 1 if selftest(args[0], args[1], source) else 0
    except (RuntimeError, ValueError, ET.ParseError, OSError, IndexError) as e:
        print("FAIL %s: cannot run the check: %s" % (cmd, e))
        return 1
    print("FAIL compcheck: unknown command %r" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
