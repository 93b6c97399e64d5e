#!/usr/bin/env python3
"""pdfcheck: parsing and checking helpers for paiban's end-to-end tests.

Standard library only.  Used two ways:

* as a module (``import pdfcheck``): parse ``mutool draw -F stext`` output
  into pages / visual lines / glyphs, read a paiban style sheet, extract the
  expected text and outline of a source document, and run the checks as
  functions that return a list of problems (so a test can mutate the parsed
  data and see a check fail);
* as a command (``python3 tests/e2e/py/pdfcheck.py COMMAND ...``), called by
  the tests/e2e/*.sh scripts.  Every command prints one line per check group,
  "ok NAME: detail" or "FAIL NAME: reason" (followed by a few indented detail
  lines), and exits 1 when any group failed.

Coordinates are mutool's: points, origin at the top-left corner of the page,
y growing downwards.  A glyph's horizontal extent is its stext quad (origin to
origin + advance).  Its vertical extent is the ideographic em box
(EM_ASCENT above the baseline, EM_DESCENT below): mutool's quads for a bare
CFF subset come from the font bbox (about 2.9 em tall for Noto CJK), which
would make every pair of neighbouring lines "overlap".

Page roles.  A style sheet's <front> parts come first, each starting a page
on its master; the body follows on the default master.  prepare_sheet()
measures on the PDF how many pages each part takes (one, except a contents
list, which runs over the pages that list the outline), so every check
knows each page's master: its text area, folio and running head.  Lines
entirely above the text area are running heads, lines entirely below it
folios (furniture()).

Commands:
  text PDF XML STYLE [--multi-page-parts]
                            pdftotext of the body pages against the source
                            text; the front matter parts against <front>
                            (each on one page unless --multi-page-parts)
  outline PDF XML STYLE     mutool's outline against sections and callouts
  info PDF XML STYLE        pdfinfo: Title, Author, Subject, page size
  fonts PDF                 pdffonts: embedded, subset, ToUnicode, CID type
  geometry PDF STYLE [--source XML] [--min-pages N] [--giant MARKER COUNT]
                            per-page layout checks on mutool's stext (the
                            source tells how long the contents are)
  pdf PDF XML STYLE         fonts, info, outline and text in one run
  gen-long XML OUT          write the synthetic long document
  selftest PDF XML STYLE    every check passes on PDF and fails on planted faults
  echo TEXT                 print "# TEXT" (a heading between chained commands)
Commands may be chained in one run: CMD ARGS --then CMD ARGS ...
"""

import copy
import functools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from xml.etree import ElementInclude

EM_ASCENT = 0.88      # Noto CJK ideographic em box: FontDescriptor Ascent 880
EM_DESCENT = 0.12     # ... and Descent -120
EPS = 0.01            # tolerance for "inside" tests (pt)
FLUSH_TOL = 0.1       # a justified line ends at the measure within this (pt)
FONT_SIZE_TOL = 0.01

def parse_source(xml_path):
    """The source document as an ElementTree, its XIncludes expanded as
    paiban expands them (relative to the including file)."""
    tree = ET.parse(xml_path)
    ElementInclude.include(tree.getroot(), base_url=xml_path)
    return tree


# CLREQ (design.md section 3) prohibition sets, plus the ASCII closers and
# openers that UAX #14 never lets start / end a line.
NOT_AT_START = set("、。，．：；！？‼⁇”’）》〉」』】〗〕］｝～–·・" + "),.:;!?]}")
NOT_AT_START_PAIRS = ("——", "……", "—", "…")   # a lone half means a split pair
NOT_AT_END = set("“‘（《〈「『【〖〔［｛" + "([{")
# Full-width marks that may be set half-width (and so hang half an em) at a line end.
HALF_WIDTH_AT_END = set("，。、；：？！”’）》〉」』】〗〕］｝")

PAPER_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148),
            "B5": (176, 250)}
PAPER_PT = {"letter": (612.0, 792.0)}
INHERITED = ("font-family", "font-weight", "font-size", "line-height", "color", "text-align",
             "line-break", "punctuation", "punctuation-trim-start", "hanging-punctuation", "autospace")


def nows(s):
    """s without any whitespace."""
    return re.sub(r"\s+", "", s)


@functools.lru_cache(maxsize=None)
def tool_packages():
    """{command: Debian package}: the table E2E_TOOL_PACKAGES in tests/e2e/lib.sh."""
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib.sh"),
                  encoding="utf-8") as f:
            m = re.search(r"^E2E_TOOL_PACKAGES='([^']*)'", f.read(), re.M)
    except OSError:
        m = None
    return dict(l.split() for l in (m.group(1) if m else "").splitlines() if len(l.split()) == 2)


_MISSING_REPORTED = set()


def run_tool(cmd, **kwargs):
    """subprocess.run(cmd, **kwargs).  When the program is not installed:
    print a FAIL line naming it and its Debian package (once per process, so
    that a caller which falls back quietly still fails) and raise RuntimeError."""
    try:
        return subprocess.run(cmd, **kwargs)
    except FileNotFoundError:
        pkg = tool_packages().get(cmd[0])
        msg = "tool %s not installed (%s)" % (cmd[0], "Debian package " + pkg if pkg else
                                              "no Debian package known for it in tests/e2e/lib.sh")
        if cmd[0] not in _MISSING_REPORTED:
            _MISSING_REPORTED.add(cmd[0])
            print("FAIL " + msg, flush=True)
        raise RuntimeError(msg) from None


def run(cmd, check=True):
    """Run cmd; return its stdout as text (stderr is discarded)."""
    p = run_tool(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        err = [l for l in err if "ICC support" not in l]
        raise RuntimeError("%s exited %d: %s%s" % (" ".join(cmd), p.returncode, " | ".join(err[:3]),
                                                    " ..." if len(err) > 3 else ""))
    return p.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# stext: pages, visual lines, glyphs
# --------------------------------------------------------------------------
class Char:
    __slots__ = ("c", "x", "y", "x0", "x1", "font", "size", "color")

    def __init__(self, c, x, y, x0, x1, font, size, color):
        self.c, self.x, self.y, self.x0, self.x1 = c, x, y, x0, x1
        self.font, self.size, self.color = font, size, color

    @property
    def top(self):
        return self.y - EM_ASCENT * self.size

    @property
    def bottom(self):
        return self.y + EM_DESCENT * self.size

    def __repr__(self):
        return "Char(%r, x=%.2f..%.2f, y=%.2f, %s %g)" % (self.c, self.x0, self.x1, self.y,
                                                          self.font, self.size)


class Line:
    """A visual line: the glyphs of one or more stext lines on one baseline.

    chars holds every char mutool reported (spaces included, in x order);
    glyphs only the non-whitespace ones (mutool inserts spaces for gaps)."""

    def __init__(self, chars):
        self.chars = sorted(chars, key=lambda ch: ch.x0)
        self.glyphs = [ch for ch in self.chars if ch.c.strip()]
        self._font = None

    @property
    def text(self):
        return "".join(ch.c for ch in self.glyphs)

    @property
    def baseline(self):
        return max(ch.y for ch in self.glyphs)

    @property
    def x0(self):
        return min(ch.x0 for ch in self.glyphs)

    @property
    def x1(self):
        return max(ch.x1 for ch in self.glyphs)

    @property
    def top(self):
        return min(ch.top for ch in self.glyphs)

    @property
    def bottom(self):
        return max(ch.bottom for ch in self.glyphs)

    @property
    def font(self):
        """(font name without subset tag, size) carried by most glyphs; computed
        on first use (a planted fault that changes glyph sizes makes a new Line
        through clone_pages() first)."""
        if self._font is None:
            count = {}
            for ch in self.glyphs:
                k = (ch.font, ch.size)
                count[k] = count.get(k, 0) + 1
            self._font = max(sorted(count), key=lambda k: count[k])
        return self._font

    def bbox(self):
        return (self.x0, self.top, self.x1, self.bottom)

    def __repr__(self):
        return "Line(y=%.2f x=%.2f..%.2f %s %g %r)" % (self.baseline, self.x0, self.x1,
                                                      self.font[0], self.font[1], self.text)


class Page:
    def __init__(self, number, width, height, lines, raw_lines):
        self.number, self.width, self.height = number, width, height
        self.lines = lines            # visual lines, top to bottom
        self.raw_lines = raw_lines    # stext lines as mutool grouped them

    @property
    def text(self):
        return "".join(l.text for l in self.lines)


def strip_subset(name):
    return re.sub(r"^[A-Z]{6}\+", "", name)


def parse_stext(data):
    """Parse mutool's stext XML (str or bytes) into a list of Page."""
    root = ET.fromstring(data)
    pages = []
    for n, pel in enumerate(root.iter("page"), 1):
        raw = []
        for lel in pel.iter("line"):
            chars = []
            for fel in lel.iter("font"):
                font = strip_subset(fel.get("name", ""))
                size = float(fel.get("size", "0"))
                for cel in fel.iter("char"):
                    q = [float(v) for v in cel.get("quad").split()]
                    xs = q[0::2]
                    chars.append(Char(cel.get("c", ""), float(cel.get("x")), float(cel.get("y")),
                                      min(xs), max(xs), font, size, cel.get("color", "")))
            if any(ch.c.strip() for ch in chars):
                raw.append(Line(chars))
        # Merge stext lines that share a baseline into one visual line.
        groups = []
        for l in sorted(raw, key=lambda l: (round(l.baseline, 2), l.x0)):
            if groups and abs(groups[-1][0] - l.baseline) < EPS:
                groups[-1][1].extend(l.chars)
            else:
                groups.append([l.baseline, list(l.chars)])
        lines = [Line(chars) for _, chars in groups]
        pages.append(Page(n, float(pel.get("width")), float(pel.get("height")), lines, raw))
    return pages


def trim_boxes(pdf):
    """Each page's TrimBox as (left, top, width, height) in mutool's coordinates
    (origin at the MediaBox's top-left corner, y down), from pdfinfo -box."""
    out = run(["pdfinfo", "-box", "-f", "1", "-l", str(page_count(pdf)), pdf])
    boxes = {}
    for m in re.finditer(r"^Page\s+(\d+) (MediaBox|TrimBox):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)",
                         out, re.M):
        boxes.setdefault(int(m.group(1)), {})[m.group(2)] = [float(v) for v in m.group(3, 4, 5, 6)]
    result = []
    for n in sorted(boxes):
        media, trim = boxes[n]["MediaBox"], boxes[n].get("TrimBox", boxes[n]["MediaBox"])
        result.append((trim[0] - media[0], media[3] - trim[3], trim[2] - trim[0], trim[3] - trim[1]))
    return result


def to_trim(pages, boxes):
    """Move parsed pages into trimmed-page coordinates (as the display list has
    them), so that bleed and marks around the trim do not shift any check."""
    for page, (left, top, width, height) in zip(pages, boxes):
        seen = set()
        for line in page.raw_lines:
            for ch in line.chars:
                if id(ch) not in seen:
                    seen.add(id(ch))
                    ch.x, ch.x0, ch.x1, ch.y = ch.x - left, ch.x0 - left, ch.x1 - left, ch.y - top
        page.width, page.height = width, height
    return pages


def stext_pages(pdf):
    """Run mutool on pdf and parse the result, in trimmed-page coordinates."""
    pages = parse_stext(run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", pdf]).encode("utf-8"))
    return to_trim(pages, trim_boxes(pdf))


# --------------------------------------------------------------------------
# Style sheet
# --------------------------------------------------------------------------
def parse_length(s, em=None):
    """A style-sheet length in points ('20mm', '56.34pt', '2em', '0')."""
    s = s.strip()
    m = re.fullmatch(r"(-?[0-9]*\.?[0-9]+)\s*(pt|mm|cm|in|px|em)?", s)
    if not m:
        raise ValueError("not a length: %r" % s)
    v, unit = float(m.group(1)), m.group(2)
    if unit is None:
        if v != 0:
            raise ValueError("length without unit: %r" % s)
        return 0.0
    if unit == "em":
        if em is None:
            raise ValueError("em length without a font size: %r" % s)
        return v * em
    return v * {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75}[unit]


def page_size(attrib):
    """(width, height) in pt of a <page> element's size / width / height."""
    size = attrib.get("size")
    if size in PAPER_MM:
        w, h = (v * 72 / 25.4 for v in PAPER_MM[size])
    elif size in PAPER_PT:
        w, h = PAPER_PT[size]
    else:
        w = h = None
    if "width" in attrib:
        w = parse_length(attrib["width"])
    if "height" in attrib:
        h = parse_length(attrib["height"])
    return w, h


class Master:
    """A page master (<page>, styles/README.md), lengths in pt."""

    def __init__(self, attrib):
        self.attrib = dict(attrib)
        self.name = attrib.get("name")
        self.width, self.height = page_size(attrib)
        g = lambda k: parse_length(attrib.get(k, "0"))
        self.margin_top, self.margin_bottom = g("margin-top"), g("margin-bottom")
        self.margin_inner, self.margin_outer = g("margin-inner"), g("margin-outer")
        self.folio = attrib.get("folio", "yes") != "no"
        self.folio_offset = g("folio-offset")
        self.head_verso = attrib.get("running-head-verso")
        self.head_recto = attrib.get("running-head-recto")
        self.head_offset = g("running-head-offset")
        self.bleed = g("bleed")
        self.background = attrib.get("background")

    def head(self, number):
        """The running-head pattern of page number (even pages are versos), or None."""
        return self.head_verso if number % 2 == 0 else self.head_recto

    def text_area(self, number):
        """(left, top, right, bottom) of the text area; odd pages are rectos."""
        if number % 2 == 1:
            left, right = self.margin_inner, self.width - self.margin_outer
        else:
            left, right = self.margin_outer, self.width - self.margin_inner
        return left, self.margin_top, right, self.height - self.margin_bottom

    def __repr__(self):
        return "Master(%s)" % (self.name or "default")


class Part:
    """A front matter <part>: its master and its items [(tag, attrib, text)]."""

    def __init__(self, master, items, style=None):
        self.master, self.items, self.style = master, items, style
        self.has_toc = any(tag == "toc" for tag, _, _ in items)


class Sheet:
    """A paiban style sheet: page masters, front matter parts, styles.

    Page roles: the front matter parts come first, each starting a page on
    its master; the body follows on the default master.  part_pages holds
    how many pages each part takes: 1 each until set_part_pages() is told
    otherwise (derive_part_pages() measures it on a PDF)."""

    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.path = path
        self.masters = [Master(el.attrib) for el in root.findall("page")]
        self.default = next((m for m in self.masters if m.name is None), self.masters[0])
        self.page = self.default.attrib
        self.styles = {el.get("name"): dict(el.attrib) for el in root.findall("style")}
        self.width, self.height = self.default.width, self.default.height
        d = self.default
        self.margin_top, self.margin_bottom = d.margin_top, d.margin_bottom
        self.margin_inner, self.margin_outer = d.margin_inner, d.margin_outer
        self.folio_offset = d.folio_offset
        self.parts = []
        front = root.find("front")
        for part in (front.findall("part") if front is not None else []):
            master = next((m for m in self.masters if m.name == part.get("page")), self.default)
            items = [(el.tag, dict(el.attrib), "".join(el.itertext())) for el in part]
            self.parts.append(Part(master, items, part.get("style")))
        self.part_pages = [1] * len(self.parts)

    def set_part_pages(self, counts):
        self.part_pages = list(counts)

    @property
    def first_body_page(self):
        return sum(self.part_pages) + 1

    def part_of(self, number):
        """Index of the front matter part on page number, or None for a body page."""
        end = 0
        for i, count in enumerate(self.part_pages):
            end += count
            if number <= end:
                return i
        return None

    def part_range(self, i):
        """The page numbers of part i."""
        start = sum(self.part_pages[:i]) + 1
        return range(start, start + self.part_pages[i])

    def is_body(self, number):
        return self.part_of(number) is None

    def is_toc(self, number):
        i = self.part_of(number)
        return i is not None and self.parts[i].has_toc

    def master_of(self, number):
        i = self.part_of(number)
        return self.parts[i].master if i is not None else self.default

    def role(self, number):
        i = self.part_of(number)
        return "body" if i is None else "part %d (%s)" % (i + 1, self.parts[i].master.name or "default")

    def own(self, name):
        """The declarations of style name with its parent chain merged in."""
        chain, seen = [], set()
        while name and name in self.styles and name not in seen:
            seen.add(name)
            chain.append(self.styles[name])
            name = self.styles[name].get("parent")
        merged = {}
        for decl in reversed(chain):
            merged.update(decl)
        return merged

    def resolved(self, name, inherit_from="document"):
        """own(name) with the inheritable properties of inherit_from as defaults."""
        base = self.own(inherit_from) if inherit_from else {}
        out = {k: v for k, v in base.items() if k in INHERITED}
        out.update(self.own(name))
        return out

    def font_size(self, name):
        doc = parse_length(self.own("document").get("font-size", "10pt"))
        fs = self.resolved(name).get("font-size")
        return parse_length(fs, em=doc) if fs else doc

    def font_of(self, name):
        """(first family, weight, size in pt) of a style."""
        r = self.resolved(name)
        family = r.get("font-family", "").split(",")[0].strip()
        return family, r.get("font-weight", "normal"), self.font_size(name)

    def length(self, name, prop, default="0"):
        return parse_length(self.own(name).get(prop, default), em=self.font_size(name))

    def text_area(self, page_number):
        """(left, top, right, bottom) of the text area of the page's master."""
        return self.master_of(page_number).text_area(page_number)


@functools.lru_cache(maxsize=None)
def font_matches(stext_font, family, weight):
    """Does mutool's font name (e.g. NotoSerifCJKsc-Regular) name family/weight?"""
    key = lambda s: re.sub(r"[^a-z0-9]", "", s.lower())
    name = key(strip_subset(stext_font))
    if not name.startswith(key(family)):
        return False
    style = name[len(key(family)):]
    bold = "bold" in style or "black" in style or "heavy" in style
    return bold == (weight == "bold")


def line_has_font(line, font):
    family, weight, size = font
    name, lsize = line.font
    return font_matches(name, family, weight) and abs(lsize - size) < FONT_SIZE_TOL


# --------------------------------------------------------------------------
# Source document: expected text and outline
# --------------------------------------------------------------------------
def block_style(el, parent, sheet):
    """The style name a block gets (styles/README.md): style=, PARENT.ELEMENT, ELEMENT."""
    if el.get("style"):
        return el.get("style")
    if parent is not None and "%s.%s" % (parent.tag, el.tag) in sheet.styles:
        return "%s.%s" % (parent.tag, el.tag)
    return el.tag if el.tag in sheet.styles else None


def badge_label(sheet, number):
    label = sheet.own("callout.badge").get("label")
    return label.replace("{n}", str(number)) if label is not None and number else None


def expected_text(xml_path, sheet):
    """The body text in document order, whitespace removed, with generated
    labels: a numbered callout's badge (callout.badge's label, {n} = number)
    and a list item's label ({n} = its number in the list)."""
    body = parse_source(xml_path).getroot().find("body")
    out = []

    def walk(el, parent, index):
        if el.tag == "callout" and el.get("number"):
            lab = badge_label(sheet, el.get("number"))
            if lab:
                out.append(lab)
        if el.tag == "item":
            name = block_style(el, parent, sheet)
            lab = sheet.own(name).get("label") if name else None
            if lab:
                out.append(lab.replace("{n}", str(index)))
        if el.text:
            out.append(el.text)
        i = 0
        for child in el:
            if child.tag == "item":
                i += 1
            walk(child, el, i)
            if child.tail:
                out.append(child.tail)

    if body is not None:
        walk(body, None, 0)
    return nows("".join(out))


def expected_outline(xml_path, sheet):
    """[(level, title)] for every block whose style has an outline-level > 0,
    in document order: sections are titled by their heading, callouts by their
    title, after the badge when the callout has one (callout.badge's label,
    joined by a space, as styles/README.md says); whitespace removed."""
    body = parse_source(xml_path).getroot().find("body")
    out = []

    def walk(el, parent):
        name = block_style(el, parent, sheet)
        level = int(sheet.own(name).get("outline-level", "0")) if name else 0
        if level > 0:
            first = {"section": "heading", "callout": "title"}.get(el.tag)
            src = el.find(first) if first else el
            title = nows("".join(src.itertext())) if src is not None else ""
            badge = badge_label(sheet, el.get("number")) if el.tag == "callout" else None
            out.append((level, nows(badge) + title if badge else title))
        for child in el:
            walk(child, el)

    if body is not None:
        for child in body:
            walk(child, body)
    return out


META_FIELDS = ("title", "subtitle", "year", "subject", "keywords", "source")


def front_item_text(sheet, meta, tag, attrib, text):
    """The text a non-TOC item of a <part> sets (whitespace removed): its
    style's label, then a metadata field (publishers joined by separator,
    default 、; br: a line break) or the literal text."""
    label = sheet.own(attrib.get("style")).get("label", "") if attrib.get("style") else ""
    if tag == "field":
        name = attrib.get("name")
        if name == "publishers":
            sep = attrib.get("separator", "、")
            value = ("" if sep == "br" else sep).join(meta.get("publishers", []))
        else:
            value = meta.get(name) or ""
    else:
        value = text
    return nows(label + value)


def part_pattern(sheet, part, meta, titles):
    """A regex matching the text (whitespace removed, folios taken off) of
    the pages of a front matter part; a TOC lists every outline title, each
    followed by its page number (captured)."""
    out = []
    for tag, attrib, text in part.items:
        if tag == "toc":
            out.extend(re.escape(t) + r"(\d+)" for t in titles)
        else:
            out.append(re.escape(front_item_text(sheet, meta, tag, attrib, text)))
    return "".join(out)


def parse_outline(text):
    """mutool show OUT outline -> [(depth, title, page or None)].

    Each line is a marker ('+', '-' or '|'), depth+1 tabs, the quoted title,
    a tab and the link (#page=N&...)."""
    out = []
    for line in text.splitlines():
        m = re.match(r'^([-+|])(\t+)"((?:[^"\\]|\\.)*)"\t?(.*)$', line)
        if not m:
            if line.strip():
                out.append((None, line, None))
            continue
        title = re.sub(r"\\(.)", r"\1", m.group(3))
        pm = re.search(r"#page=(\d+)", m.group(4))
        out.append((len(m.group(2)) - 1, title, int(pm.group(1)) if pm else None))
    return out


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------
class Report:
    """Prints one line per check group; quiet: only the failures."""

    def __init__(self, quiet=False):
        self.failed = 0
        self.passed = 0
        self.quiet = quiet

    def group(self, name, problems, detail="", limit=6):
        if not problems:
            self.passed += 1
            if self.quiet:
                return
        if problems:
            self.failed += 1
            print("FAIL %s: %s%s" % (name, problems[0],
                                     " (and %d more)" % (len(problems) - 1) if len(problems) > 1 else ""))
            for p in problems[1:limit]:
                print("    " + p)
        else:
            print("ok %s%s" % (name, ": " + detail if detail else ""))


def first_difference(want, got, ctx=20):
    """None when equal, else a readable description of the first difference."""
    if want == got:
        return None
    i = 0
    n = min(len(want), len(got))
    while i < n and want[i] == got[i]:
        i += 1
    lo = max(0, i - ctx)
    return ("first difference at index %d (expected %d chars, got %d):\n"
            "      expected: ...%s[%s]%s...\n"
            "      got:      ...%s[%s]%s..." % (
                i, len(want), len(got),
                want[lo:i], want[i:i + 1], want[i + 1:i + 1 + ctx],
                got[lo:i], got[i:i + 1], got[i + 1:i + 1 + ctx]))


def compat_chars(s):
    """Kangxi radicals, CJK radicals supplement and compatibility ideographs in s."""
    bad = []
    for ch in s:
        o = ord(ch)
        if 0x2F00 <= o <= 0x2FDF or 0x2E80 <= o <= 0x2EFF or 0xF900 <= o <= 0xFAFF \
                or 0x2F800 <= o <= 0x2FA1F:
            bad.append("U+%04X %s" % (o, ch))
    return bad


# --------------------------------------------------------------------------
# Checks on a PDF against its source
# --------------------------------------------------------------------------
def page_count(pdf):
    m = re.search(r"^Pages:\s+(\d+)", run(["pdfinfo", pdf]), re.M)
    return int(m.group(1)) if m else 0


_PAGE_TEXTS = {}


def page_texts(pdf):
    """pdftotext of each page (-f N -l N), as a list (cached per file)."""
    if pdf not in _PAGE_TEXTS:
        _PAGE_TEXTS[pdf] = _page_texts(pdf)
    return _PAGE_TEXTS[pdf]


def _page_texts(pdf):
    """One pdftotext run; pages end with a form feed."""
    n = page_count(pdf)
    pages = run(["pdftotext", "-q", "-enc", "UTF-8", pdf, "-"]).split("\f")
    return pages[:n] + [""] * (n - len(pages))


# --------------------------------------------------------------------------
# Page furniture and page roles
# --------------------------------------------------------------------------
def furniture(page, area):
    """(lines in the text area, lines entirely above it, lines entirely below it).
    Above are running heads, below folios; anything else is text."""
    top, bottom = area[1], area[3]
    above = [l for l in page.lines if l.bottom < top + EPS]
    below = [l for l in page.lines if l.top > bottom - EPS]
    out = {id(l) for l in above} | {id(l) for l in below}
    return [l for l in page.lines if id(l) not in out], above, below


def split_folio(page, area):
    """(lines in the text area, lines entirely below it)."""
    inside, _, below = furniture(page, area)
    return inside, below


def text_lines(page, sheet):
    """The lines of page inside the text area of its master (no running head, no folio)."""
    return furniture(page, sheet.text_area(page.number))[0]


def head_texts(pages, sheet):
    """Per page: the text of the lines above its text area (its running head), '' when none."""
    return ["".join(l.text for l in furniture(p, sheet.text_area(p.number))[1]) for p in pages]


def strip_folio(text, number, master):
    """(text without whitespace and without the trailing folio, folio as expected):
    a page whose master prints folios must end with its number."""
    t = nows(text)
    if not master.folio:
        return t, True
    if t.endswith(str(number)):
        return t[:-len(str(number))], True
    return t, False


def derive_part_pages(sheet, texts, titles):
    """Measure on the PDF's per-page text how many pages each front matter
    part takes and tell the sheet: a part without a TOC takes one page (the
    front check proves it: the next page starts with the next part's text);
    a TOC runs over the pages that list the outline titles in order, each
    followed by its page number, and a part whose TOC would list nothing is
    left out (0 pages).  Returns the counts."""
    counts, n = [], 1
    for part in sheet.parts:
        if part.has_toc and not titles:
            counts.append(0)    # paiban leaves out a contents part with nothing to list
            continue
        k = 1
        if part.has_toc and titles:
            i = 0
            while n + k - 1 <= len(texts):
                t, _ = strip_folio(texts[n + k - 2], n + k - 1, part.master)
                pos, found = 0, 0
                while i < len(titles):
                    m = re.compile(re.escape(titles[i]) + r"\d").search(t, pos)
                    if not m:
                        break
                    pos, i, found = m.end() - 1, i + 1, found + 1
                if not found and k > 1:
                    k -= 1          # this page lists none: the TOC ended before it
                    break
                if i == len(titles) or n + k - 1 == len(texts):
                    break
                k += 1
        counts.append(k)
        n += k
    sheet.set_part_pages(counts)
    return counts


def prepare_sheet(style_path, pdf, xml_path, texts=None):
    """The style sheet with its front matter parts measured on pdf."""
    sheet = Sheet(style_path)
    if sheet.parts and xml_path:
        derive_part_pages(sheet, texts if texts is not None else page_texts(pdf),
                          [t for _, t in expected_outline(xml_path, sheet)])
    return sheet


def check_text(texts, want, sheet=None, heads=None):
    """texts: per-page pdftotext; want: expected_text(); heads: per-page
    running-head text (head_texts()).  The body pages, their running heads
    and folios taken off, must hold exactly want.
    -> (furniture problems, difference problems)."""
    furn, body = [], []
    for n, t in enumerate(texts, 1):
        master = sheet.master_of(n) if sheet else None
        if master is None:
            t, ok = strip_folio(t, n, Master({"folio": "yes"}))
        else:
            t, ok = strip_folio(t, n, master)
        if not ok:
            furn.append("page %d text does not end with its folio %d: ...%s" % (n, n, t[-20:]))
        if sheet is not None and not sheet.is_body(n):
            continue
        h = nows(heads[n - 1]) if heads else ""
        if h:
            if t.startswith(h):
                t = t[len(h):]
            else:
                furn.append("page %d text does not start with its running head %r: %s..." % (n, h, t[:20]))
        body.append(t)
    got = "".join(body)
    diff = first_difference(want, got)
    return furn, [diff] if diff else []


def check_front(texts, sheet, meta, titles, one_page=True):
    """Each front matter part's pages (folios off) hold exactly its items:
    metadata fields (with their style's label) and literal text in order;
    a TOC lists every outline title in order, each followed by a number.
    -> (problems, [(title, number)] of the TOC)."""
    problems, toc = [], []
    for i, part in enumerate(sheet.parts):
        pages = [n for n in sheet.part_range(i) if n <= len(texts)]
        where = "part %d (master %s) on page%s %s" % (i + 1, part.master.name or "default",
                                                      "s" if len(pages) > 1 else "", ",".join(map(str, pages)))
        if not pages:
            problems.append("%s: the PDF has only %d pages" % (where, len(texts)))
            continue
        if one_page and len(pages) > 1:
            problems.append("%s: takes %d pages, expected each part to fit on one" % (where, len(pages)))
        got = "".join(strip_folio(texts[n - 1], n, part.master)[0] for n in pages)
        pos = 0
        for tag, attrib, text in part.items:
            if tag == "toc":
                for t in titles:
                    m = re.compile(re.escape(t) + r"(\d+)").match(got, pos)
                    if not m:
                        problems.append("%s: contents entry %r (with its page number) expected at %r"
                                        % (where, t, got[pos:pos + 30]))
                        break
                    toc.append((t, int(m.group(1))))
                    pos = m.end()
                else:
                    continue
                break
            want = front_item_text(sheet, meta, tag, attrib, text)
            if not got.startswith(want, pos):
                d = first_difference(want, got[pos:pos + len(want) + 10])
                problems.append("%s: <%s%s> expected %r: %s" % (where, tag, " name=%s" % attrib["name"]
                                                                 if "name" in attrib else "", want, d))
                break
            pos += len(want)
        else:
            if pos != len(got):
                problems.append("%s: unexpected text after the part's items: %r" % (where, got[pos:pos + 30]))
    return problems, toc


def cmd_text(pdf, xml_path, style_path, one_page=True):
    rep = Report()
    texts = page_texts(pdf)
    sheet = prepare_sheet(style_path, pdf, xml_path, texts)
    want = expected_text(xml_path, sheet)
    pages = stext_pages(pdf)
    heads = head_texts(pages, sheet)
    furn, diff = check_text(texts, want, sheet, heads)
    nb = len(texts) - sheet.first_body_page + 1
    rep.group("text: folios and running heads where the masters put them", furn,
              "%d pages: %d front matter, %d body (%d with a running head)"
              % (len(texts), len(texts) - nb, nb, sum(1 for h in heads if h)))
    rep.group("text: body pages (running heads and folios off) equal the source text", diff,
              "%d characters on pages %d-%d, badges from callout.badge label %r"
              % (len(want), sheet.first_body_page, len(texts), sheet.own("callout.badge").get("label")))
    if sheet.parts:
        titles = [t for _, t in expected_outline(xml_path, sheet)]
        probs, toc = check_front(texts, sheet, read_meta(xml_path), titles, one_page)
        rep.group("text: front matter parts hold the <front> items (metadata fields, contents)", probs,
                  "%d parts on pages %s; contents lists %d/%d outline entries" % (
                      len(sheet.parts), ", ".join("%d-%d" % (r[0], r[-1]) if len(r) > 1 else str(r[0])
                                                  for r in map(sheet.part_range, range(len(sheet.parts)))),
                      len(toc), len(titles)))
    bad = compat_chars("".join(texts))
    bad += ["stext " + b for b in compat_chars("".join(p.text for p in pages))]
    rep.group("text: no Kangxi radicals or compatibility ideographs", sorted(set(bad)))
    return rep.failed


def page_bodies(texts, sheet, heads):
    """Per page: its text without whitespace, running head and folio; ''
    for front matter pages (an outline entry must point into the body)."""
    out = []
    for n, t in enumerate(texts, 1):
        if not sheet.is_body(n):
            out.append("")
            continue
        t, _ = strip_folio(t, n, sheet.master_of(n))
        h = nows(heads[n - 1]) if heads else ""
        out.append(t[len(h):] if h and t.startswith(h) else t)
    return out


def check_outline(entries, want, texts=None):
    """entries: parse_outline(); want: expected_outline(); texts: per-page text
    (page_bodies(): running heads off, so a recto's head cannot stand in for
    the heading)."""
    problems = []
    bad = [e[1] for e in entries if e[0] is None]
    if bad:
        problems.append("unparsed outline line: %r" % bad[0])
    entries = [e for e in entries if e[0] is not None]
    if len(entries) != len(want):
        problems.append("%d outline entries, expected %d (sections and callouts): %s"
                        % (len(entries), len(want), [e[1] for e in entries]))
    min_level = min((lv for lv, _ in want), default=1)
    for i, ((depth, title, page), (level, text)) in enumerate(zip(entries, want)):
        if nows(title) != text:
            problems.append("entry %d is %r; expected %r" % (i + 1, title, text))
        elif depth != level - min_level:
            problems.append("entry %d %r is at depth %d; outline-level %d means depth %d"
                            % (i + 1, title, depth, level, level - min_level))
        elif texts is not None and (page is None or not 1 <= page <= len(texts)
                                    or text not in nows(texts[page - 1])):
            problems.append("entry %d %r points at page %s, which does not show %r"
                            % (i + 1, title, page, text))
    return problems


def cmd_outline(pdf, xml_path, style_path):
    rep = Report()
    texts = page_texts(pdf)
    sheet = prepare_sheet(style_path, pdf, xml_path, texts)
    entries = parse_outline(run(["mutool", "show", pdf, "outline"]))
    want = expected_outline(xml_path, sheet)
    bodies = page_bodies(texts, sheet, head_texts(stext_pages(pdf), sheet))
    rep.group("outline: one entry per section and callout, in order, pointing at its page",
              check_outline(entries, want, bodies),
              "%d entries (%d sections, %d callouts)" % (
                  len(want), sum(1 for e in want if e[0] == 1), sum(1 for e in want if e[0] != 1)))
    return rep.failed


def parse_info(text):
    info = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            info.setdefault(k.strip(), v.strip())
    return info


def check_info(info, page_sizes, meta, sheet):
    problems = []
    for key, want in (("Title", meta.get("title")), ("Subject", meta.get("subject"))):
        if want is not None and info.get(key) != want:
            problems.append("%s is %r, expected %r" % (key, info.get(key), want))
    for pub in meta.get("publishers", []):
        if pub not in info.get("Author", ""):
            problems.append("Author %r lacks publisher %r" % (info.get("Author"), pub))
    size_problems = []
    if not page_sizes:
        size_problems.append("no page sizes reported")
    for n, (w, h) in enumerate(page_sizes, 1):
        m = sheet.master_of(n)
        if abs(w - m.width) > 0.1 or abs(h - m.height) > 0.1:
            size_problems.append("page %d is %.3f x %.3f pt, expected %.2f x %.2f (master %s)"
                                 % (n, w, h, m.width, m.height, m.name or "default"))
    return problems, size_problems


def read_meta(xml_path):
    """<meta>: each field of META_FIELDS (first occurrence, whitespace
    collapsed) or None, and the list of publishers."""
    meta = parse_source(xml_path).getroot().find("meta")
    get = lambda tag: nows_keep("".join(meta.find(tag).itertext())) if meta.find(tag) is not None else None
    out = {k: get(k) for k in META_FIELDS}
    out["publishers"] = [nows_keep(p.text or "") for p in meta.findall("publisher")]
    return out


def nows_keep(s):
    """Collapse runs of whitespace to one space, trim (what a PDF info string holds)."""
    return re.sub(r"\s+", " ", s or "").strip()


def cmd_info(pdf, xml_path, style_path):
    rep = Report()
    sheet = Sheet(style_path)
    info = parse_info(run(["pdfinfo", pdf]))
    sizes = [(w, h) for _, _, w, h in trim_boxes(pdf)]      # the trimmed page, not the bleed
    meta = read_meta(xml_path)
    meta_p, size_p = check_info(info, sizes, meta, sheet)
    rep.group("pdfinfo: Title, Author, Subject from <meta>", meta_p,
              "Title %r, %d publishers in Author" % (info.get("Title"), len(meta["publishers"])))
    rep.group("pdfinfo: every page is %s (%.2f x %.2f pt)" % (sheet.page.get("size", "the page size"),
                                                               sheet.width, sheet.height), size_p,
              "%d pages" % len(sizes))
    return rep.failed


def parse_pdffonts(text):
    """pdffonts output -> [dict(name, type, encoding, emb, sub, uni)].

    Parsed from the right, because a long name pushes the columns over."""
    rows = []
    lines = text.splitlines()
    for line in lines[2:]:
        tok = line.split()
        if len(tok) < 8:
            rows.append({"name": line, "type": "?", "encoding": "?", "emb": "?", "sub": "?", "uni": "?"})
            continue
        rows.append({"name": tok[0], "type": " ".join(tok[1:-6]), "encoding": tok[-6],
                     "emb": tok[-5], "sub": tok[-4], "uni": tok[-3]})
    return rows


def check_fonts(rows):
    problems = []
    if not rows:
        problems.append("pdffonts lists no font")
    for r in rows:
        for k in ("emb", "sub", "uni"):
            if r[k] != "yes":
                problems.append("font %s: %s is %r" % (r["name"], k, r[k]))
        if r["type"] not in ("CID Type 0C", "CID TrueType"):
            problems.append("font %s: type %r, expected CID Type 0C or CID TrueType" % (r["name"], r["type"]))
    return problems


def cmd_fonts(pdf):
    rep = Report()
    rows = parse_pdffonts(run(["pdffonts", pdf]))
    rep.group("pdffonts: every font embedded, subset, with ToUnicode, CID-keyed", check_fonts(rows),
              "%d fonts (%s)" % (len(rows), ", ".join(r["name"] for r in rows)))
    return rep.failed


# --------------------------------------------------------------------------
# Layout geometry
# --------------------------------------------------------------------------
class Geometry:
    """What the geometry checks need to know from the style sheet."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.body_font = sheet.font_of("p")
        self.heading_font = sheet.font_of("heading")
        self.indent = sheet.length("p", "text-indent")
        self.justified = sheet.resolved("p").get("text-align", "left") == "justify"
        self.callout_left = sheet.length("callout", "border-width") + sheet.length("callout", "padding-left")
        self.callout_right = sheet.length("callout", "border-width") + sheet.length("callout", "padding-right")

    def measure(self, line, area):
        """(left, right, first_line) of the measure line sits on, or None."""
        left, _, right, _ = area
        for l, r in ((left, right), (left + self.callout_left, right - self.callout_right)):
            for first, x in ((False, l), (True, l + self.indent)):
                if abs(line.x0 - x) < 0.5:
                    return l, r, first
        return None


def check_text_area(pages, sheet):
    """Every glyph of every page but its running head and folio lies in the
    text area of the page's master."""
    problems = []
    for p in pages:
        area = sheet.text_area(p.number)
        left, top, right, bottom = area
        for l in text_lines(p, sheet):
            for i, ch in enumerate(l.glyphs):
                over = 0.5 * ch.size if (i == len(l.glyphs) - 1 and ch.c in HALF_WIDTH_AT_END) else 0
                if ch.x0 < left - EPS or ch.x1 > right + over + EPS or ch.top < top - EPS \
                        or ch.bottom > bottom + EPS:
                    problems.append("page %d (%s): %r at x %.2f..%.2f, y %.2f..%.2f is outside the text "
                                    "area x %.2f..%.2f, y %.2f..%.2f (line %r)"
                                    % (p.number, sheet.role(p.number), ch.c, ch.x0, ch.x1, ch.top, ch.bottom,
                                       left, right, top, bottom, l.text[:30]))
                    break
    return problems


def check_folio(pages, sheet):
    """Pages whose master prints folios have exactly one line below the text
    area: the page number, centred on the text area, its baseline
    folio-offset above the bottom edge, the page's last line.  Other pages
    have nothing below the text area."""
    problems = []
    for p in pages:
        master = sheet.master_of(p.number)
        area = master.text_area(p.number)
        _, _, below = furniture(p, area)
        if not master.folio:
            if below:
                problems.append("page %d (%s, folio=no): lines below the text area: %s"
                                % (p.number, sheet.role(p.number), [l.text[:20] for l in below]))
            continue
        if len(below) != 1:
            problems.append("page %d: %d lines below the text area, expected just the folio: %s"
                            % (p.number, len(below), [l.text[:20] for l in below]))
            continue
        f = below[0]
        if f.text != str(p.number):
            problems.append("page %d: folio reads %r" % (p.number, f.text))
        centre, want = (f.x0 + f.x1) / 2, (area[0] + area[2]) / 2
        if abs(centre - want) > 0.5:
            problems.append("page %d: folio centred at x %.2f, text area centre is %.2f"
                            % (p.number, centre, want))
        if master.folio_offset and abs(f.baseline - (p.height - master.folio_offset)) > 0.1:
            problems.append("page %d: folio baseline at %.2f, expected %.2f (folio-offset above the edge)"
                            % (p.number, f.baseline, p.height - master.folio_offset))
        if p.lines[-1] is not f:
            problems.append("page %d: the folio is not the last line" % p.number)
    return problems


def head_style(sheet, number):
    """The style name of page number's running head."""
    name = "running-head-verso" if number % 2 == 0 else "running-head-recto"
    return name if name in sheet.styles else "running-head"


def check_heads(pages, sheet):
    """Pages whose master has a running-head pattern for their side have one
    line above the text area (none only for a bare {section} with no section
    yet): inside the top margin, its baseline running-head-offset below the
    top edge, in the running-head style's font, aligned on the text area as
    that style says.  Other pages have nothing above the text area.
    -> (problems, number of heads)."""
    problems, count = [], 0
    for p in pages:
        master = sheet.master_of(p.number)
        area = master.text_area(p.number)
        _, above, _ = furniture(p, area)
        pattern = master.head(p.number)
        where = "page %d (%s)" % (p.number, sheet.role(p.number))
        if pattern is None:
            if above:
                problems.append("%s: its master has no running head, but lines lie above the text area: %s"
                                % (where, [l.text[:20] for l in above]))
            continue
        if len(above) > 1 or (not above and pattern.strip() != "{section}"):
            problems.append("%s: %d lines above the text area, expected the running head %r: %s"
                            % (where, len(above), pattern, [l.text[:20] for l in above]))
            continue
        if not above:
            continue
        h = above[0]
        count += 1
        if h.top < -EPS:
            problems.append("%s: running head %r starts above the page (top %.2f)" % (where, h.text, h.top))
        if abs(h.baseline - master.head_offset) > 0.1:
            problems.append("%s: running head baseline at %.2f, expected %.2f (running-head-offset)"
                            % (where, h.baseline, master.head_offset))
        name = head_style(sheet, p.number)
        if not line_has_font(h, sheet.font_of(name)):
            problems.append("%s: running head %r in %s %g, style %s says %s %s %g"
                            % ((where, h.text) + h.font + (name,) + sheet.font_of(name)))
        align = sheet.resolved(name).get("text-align", "justify")
        last = h.glyphs[-1]
        x1 = h.x1 - (0.5 * last.size if last.c in HALF_WIDTH_AT_END and h.x1 > area[2] + EPS else 0)
        off = {"right": x1 - area[2], "center": (h.x0 + x1 - area[0] - area[2]) / 2}.get(align, h.x0 - area[0])
        if abs(off) > 0.5 or h.x0 < area[0] - EPS or x1 > area[2] + EPS:
            problems.append("%s: running head %r at x %.2f..%.2f is not %s on the text area x %.2f..%.2f"
                            % (where, h.text, h.x0, x1, {"right": "flush right", "center": "centred"}.get(
                                align, "flush left"), area[0], area[2]))
    return problems, count


def check_breaks(pages, sheet):
    """No line starts with a not-at-start mark, none ends with a not-at-end one."""
    problems = []
    for p in pages:
        if sheet.is_toc(p.number):
            continue        # right-aligned page numbers, not composed text
        for l in text_lines(p, sheet):
            t = l.text
            if not t:
                continue
            if t[0] in NOT_AT_START or t.startswith(NOT_AT_START_PAIRS):
                problems.append("page %d: line starts with %r: %r" % (p.number, t[:2], t[:30]))
            if t[-1] in NOT_AT_END:
                problems.append("page %d: line ends with %r: %r" % (p.number, t[-1], t[-30:]))
    return problems


def justified_lines(pages, geo):
    """[(page, line, right, must_be_flush, why)] for every body-font line."""
    out = []
    seq = []      # all text-area lines of the document, in order, with their page
    for p in pages:
        if geo.sheet.is_toc(p.number):
            continue
        area = geo.sheet.text_area(p.number)
        body = text_lines(p, geo.sheet)
        for i, l in enumerate(body):
            seq.append((p, area, l, i == len(body) - 1))
    for k, (p, area, l, page_last) in enumerate(seq):
        if not line_has_font(l, geo.body_font):
            continue
        m = geo.measure(l, area)
        if m is None:
            out.append((p, l, None, False, "starts at x %.2f, on no known measure" % l.x0))
            continue
        nxt = seq[k + 1] if k + 1 < len(seq) else None
        if nxt is None or not line_has_font(nxt[2], geo.body_font):
            out.append((p, l, m[1], False, "last: next line is in another font"))
            continue
        nm = geo.measure(nxt[2], nxt[1])
        if nm is None:
            out.append((p, l, m[1], False, "last: next line is on no known measure"))
        elif nm[2]:
            out.append((p, l, m[1], False, "last: next line is indented"))
        elif abs((nm[0] - nxt[1][0]) - (m[0] - area[0])) > EPS:
            out.append((p, l, m[1], False, "last: next line is on another measure"))
        else:
            out.append((p, l, m[1], True, "continued" + (" on the next page" if page_last else "")))
    return out


def check_justification(pages, geo):
    problems, flush, total, hanging = [], 0, 0, 0
    for p, l, right, must, why in justified_lines(pages, geo):
        if right is None:
            problems.append("page %d: body line %s: %r" % (p.number, why, l.text[:30]))
            continue
        end = l.x1
        if end > right + EPS and not (l.text[-1] in HALF_WIDTH_AT_END
                                      and end <= right + 0.5 * l.glyphs[-1].size + EPS):
            problems.append("page %d: line runs past its measure (ends %.2f > %.2f): %r"
                            % (p.number, end, right, l.text[-30:]))
            continue
        if not must or not geo.justified:
            continue
        total += 1
        if abs(end - right) <= FLUSH_TOL:
            flush += 1
        elif l.text[-1] in HALF_WIDTH_AT_END and abs(abs(end - right) - 0.5 * l.glyphs[-1].size) <= FLUSH_TOL:
            flush += 1
            hanging += 1
        else:
            problems.append("page %d: justified line ends at %.2f, measure ends at %.2f (%+.2f pt), %s: %r"
                            % (p.number, end, right, end - right, why, l.text[-30:]))
    return problems, flush, total, hanging


def check_headings(pages, geo):
    problems, count = [], 0
    for p in pages:
        if geo.sheet.is_toc(p.number):
            continue
        body = text_lines(p, geo.sheet)
        count += sum(1 for l in body if line_has_font(l, geo.heading_font))
        if body and line_has_font(body[-1], geo.heading_font):
            problems.append("page %d ends with a heading line %r" % (p.number, body[-1].text))
    return problems, count


def check_overlaps(pages):
    problems = []
    for p in pages:
        boxes = [(l.bbox(), l) for l in p.raw_lines]
        for i in range(len(boxes)):
            (a0, at, a1, ab), la = boxes[i]
            for j in range(i + 1, len(boxes)):
                (b0, bt, b1, bb), lb = boxes[j]
                if a0 < b1 - EPS and b0 < a1 - EPS and at < bb - EPS and bt < ab - EPS:
                    problems.append("page %d: lines overlap: %r (y %.2f..%.2f) and %r (y %.2f..%.2f)"
                                    % (p.number, la.text[:15], at, ab, lb.text[:15], bt, bb))
    return problems


def check_giant(pages, marker, count):
    """The giant callout's paragraphs (each starting with MARKER+number) are
    all there, in order, and its text is on >= 3 consecutive pages."""
    problems = []
    alltext = "".join(p.text for p in pages)
    pos = -1
    for k in range(1, count + 1):
        i = alltext.find("%s%d" % (marker, k) + "段", pos + 1)
        if i < 0:
            problems.append("paragraph %s%d段 is missing or out of order" % (marker, k))
            break
        pos = i
    on = [p.number for p in pages if marker in p.text]
    best, run_, prev = 0, 0, None
    for n in on:
        run_ = run_ + 1 if prev is not None and n == prev + 1 else 1
        best, prev = max(best, run_), n
    if best < 3:
        problems.append("the giant callout's text is on pages %s: no run of 3 consecutive pages" % on)
    return problems, on


def geometry_report(pages, sheet, min_pages=None, giant=None):
    rep = Report()
    geo = Geometry(sheet)
    roles = ", ".join("%d %s" % (r[0], sheet.parts[i].master.name or "default") if len(r) == 1 else
                      "%d-%d %s" % (r[0], r[-1], sheet.parts[i].master.name or "default")
                      for i, r in enumerate(map(sheet.part_range, range(len(sheet.parts)))))
    rep.group("geometry: every glyph but running heads and folios inside its master's text area",
              check_text_area(pages, sheet), "%d pages (%s%sbody from %d), %d lines" % (
                  len(pages), roles, ", " if roles else "", sheet.first_body_page, sum(len(p.lines) for p in pages)))
    folios = [p.number for p in pages if sheet.master_of(p.number).folio]
    rep.group("geometry: folio (the page number, centred below the text area) exactly where the master "
              "has folio!=no", check_folio(pages, sheet), "%d folios, none on page%s %s" % (
                  len(folios), "s" if len(pages) - len(folios) != 1 else "",
                  ",".join(str(p.number) for p in pages if p.number not in folios) or "-"))
    probs, count = check_heads(pages, sheet)
    rep.group("geometry: running head in the top margin exactly where the master has one", probs,
              "%d running heads on pages %s" % (count, ",".join(
                  str(p.number) for p in pages if sheet.master_of(p.number).head(p.number) is not None)))
    rep.group("geometry: no prohibited mark at a line start or end (CLREQ)", check_breaks(pages, sheet))
    probs, flush, total, hanging = check_justification(pages, geo)
    if geo.justified and total == 0:
        probs.append("no continued body line found: is the body font %s %s %gpt?" % geo.body_font)
    rep.group("geometry: justified body lines end at the measure within %.1f pt" % FLUSH_TOL, probs,
              "%d/%d non-final body lines flush (%.1f%%)%s" % (
                  flush, total, 100.0 * flush / total if total else 0,
                  ", %d with half-width end punctuation" % hanging if hanging else "")
              if geo.justified else "style p is not justified; only the measure is checked")
    probs, count = check_headings(pages, geo)
    rep.group("geometry: no heading is the last line of a page", probs, "%d heading lines" % count)
    rep.group("geometry: no two lines overlap", check_overlaps(pages))
    if min_pages is not None:
        rep.group("geometry: more than %d pages" % min_pages,
                  [] if len(pages) > min_pages else ["only %d pages" % len(pages)], "%d pages" % len(pages))
    if giant:
        probs, on = check_giant(pages, giant[0], giant[1])
        rep.group("geometry: the giant callout is split over >= 3 consecutive pages", probs,
                  "on pages %s" % ",".join(map(str, on)))
    return rep.failed


# --------------------------------------------------------------------------
# The synthetic long document
# --------------------------------------------------------------------------
GIANT_MARKER = "巨型标注第"
GIANT_PARAGRAPHS = 40


def make_long(xml_path, out_path, copies=6, giant_paragraphs=GIANT_PARAGRAPHS):
    """The report with `copies` extra copies of the trends section (ids made
    unique) and a section holding one callout of giant_paragraphs paragraphs,
    taller than a page."""
    ET.register_namespace("xml", "http://www.w3.org/XML/1998/namespace")
    tree = parse_source(xml_path)
    body = tree.getroot().find("body")
    sections = [s for s in body.findall("section") if s.find("callout") is not None]
    trends = sections[0]
    pos = list(body).index(trends) + 1
    for k in range(1, copies + 1):
        c = copy.deepcopy(trends)
        for el in c.iter():
            if el.get("id"):
                el.set("id", "%s-copy%d" % (el.get("id"), k))
        body.insert(pos, c)
        pos += 1
    texts = ["".join(p.itertext()) for p in trends.iter("p")]
    sec = ET.SubElement(body, "section", {"id": "giant-section"})
    ET.SubElement(sec, "heading").text = "超长标注测试"
    intro = ET.SubElement(sec, "p")
    intro.text = texts[0]
    call = ET.SubElement(sec, "callout", {"id": "giant", "number": "99"})
    ET.SubElement(call, "title").text = "巨型标注"
    ET.SubElement(call, "subtitle").text = "比一页还高的标注框"
    for k in range(1, giant_paragraphs + 1):
        ET.SubElement(call, "p").text = "%s%d段。%s" % (GIANT_MARKER, k, texts[k % len(texts)])
    after = ET.SubElement(sec, "p")
    after.text = texts[1]
    tree.write(out_path, encoding="UTF-8", xml_declaration=True)



# --------------------------------------------------------------------------
# Self-test: every check must pass on a good PDF and fail on planted faults
# --------------------------------------------------------------------------
def _fake_page(number, texts):
    lines = []
    for i, t in enumerate(texts):
        chars = [Char(c, 60 + 10.5 * k, 100 + 20 * i, 60 + 10.5 * k, 70.5 + 10.5 * k,
                      "NotoSerifCJKsc-Regular", 10.5, "#000") for k, c in enumerate(t)]
        lines.append(Line(chars))
    return Page(number, 419.5, 595.3, lines, lines)


def clone_pages(pages):
    """A deep copy of pages (much faster than copy.deepcopy); lines and raw
    lines keep sharing their Char objects."""
    out = []
    for p in pages:
        made = {}

        def cc(ch):
            if id(ch) not in made:
                made[id(ch)] = Char(ch.c, ch.x, ch.y, ch.x0, ch.x1, ch.font, ch.size, ch.color)
            return made[id(ch)]

        out.append(Page(p.number, p.width, p.height, [Line([cc(c) for c in l.chars]) for l in p.lines],
                        [Line([cc(c) for c in l.chars]) for l in p.raw_lines]))
    return out


def selftest(pdf, xml_path, style_path):
    """Run each check on pdf (must pass) and on mutated copies (must fail).
    Prints the failures and one summary line."""
    rep = Report(quiet=True)
    texts = page_texts(pdf)
    sheet = prepare_sheet(style_path, pdf, xml_path, texts)
    geo = Geometry(sheet)
    pages = stext_pages(pdf)
    heads = head_texts(pages, sheet)
    want = expected_text(xml_path, sheet)
    outline = parse_outline(run(["mutool", "show", pdf, "outline"]))
    want_outline = expected_outline(xml_path, sheet)
    titles = [t for _, t in want_outline]
    info = parse_info(run(["pdfinfo", pdf]))
    meta = read_meta(xml_path)
    sizes = [(sheet.width, sheet.height)] * len(pages)
    fonts = parse_pdffonts(run(["pdffonts", pdf]))
    B = sheet.first_body_page           # physical number of the first body page

    checks = {
        "text": lambda d: sum(check_text(d["tx"], d["wt"], d["sh"], d["hd"]), []),
        "front": lambda d: check_front(d["tx"], d["sh"], meta, titles)[0],
        "kangxi": lambda d: compat_chars("".join(d["tx"])),
        "outline": lambda d: check_outline(d["ol"], want_outline, page_bodies(d["tx"], d["sh"], d["hd"])),
        "info": lambda d: sum(check_info(d["inf"], d["sz"], meta, d["sh"]), []),
        "fonts": lambda d: check_fonts(d["fo"]),
        "text area": lambda d: check_text_area(d["pg"], d["sh"]),
        "folio": lambda d: check_folio(d["pg"], d["sh"]),
        "heads": lambda d: check_heads(d["pg"], d["sh"])[0],
        "breaks": lambda d: check_breaks(d["pg"], d["sh"]),
        "justification": lambda d: check_justification(d["pg"], Geometry(d["sh"]))[0],
        "headings": lambda d: check_headings(d["pg"], Geometry(d["sh"]))[0],
        "overlaps": lambda d: check_overlaps(d["pg"]),
    }
    base = dict(pg=pages, tx=texts, ol=outline, inf=info, sz=sizes, fo=fonts, sh=sheet, wt=want, hd=heads)

    for name in checks:
        probs = checks[name](base)
        rep.group("selftest: %s passes on the good PDF" % name, probs)

    def tlines(pg, n):
        """The text-area lines of page n (physical number)."""
        return text_lines(pg[n - 1], sheet)

    def above(pg, n):
        return furniture(pg[n - 1], sheet.text_area(n))[1]

    def below(pg, n):
        return furniture(pg[n - 1], sheet.text_area(n))[2]

    def flush_line(pg):
        for p, l, right, must, why in justified_lines(pg, geo):
            if must:
                return l
        raise AssertionError("no flush line")

    def shift(line, dx=0.0, dy=0.0):
        for ch in line.chars:
            ch.x0 += dx
            ch.x1 += dx
            ch.x += dx
            ch.y += dy

    def body_page_with(d, text):
        """Index into tx of the first body page whose text contains text."""
        return next(i for i in range(B - 1, len(d["tx"])) if text in d["tx"][i])

    def recto_with_head(pg):
        return next(n for n in range(B, len(pg) + 1) if n % 2 == 1 and above(pg, n))

    def m_drop_char(d):
        i = body_page_with(d, "的")
        d["tx"][i] = d["tx"][i].replace("的", "", 1)

    def m_swap_chars(d):
        i = body_page_with(d, "算力")
        t = d["tx"][i]
        k = t.index("算力")
        d["tx"][i] = t[:k] + "力算" + t[k + 2:]

    def m_kangxi(d):
        d["tx"][0] = d["tx"][0].replace("大", "\u2f24", 1)

    def m_no_folio(d):
        d["tx"][B] = d["tx"][B].rstrip().rstrip(str(B + 1))

    def m_head_kept(d):
        d["hd"][B - 1] = ""          # the running head not recognised: it stays in the text

    def m_head_other(d):
        d["hd"][B] = d["hd"][B] + "外"

    def m_badge_label(d):
        d["sh"] = copy.deepcopy(sheet)
        d["sh"].styles["callout.badge"]["label"] = "第{n}项"
        d["wt"] = expected_text(xml_path, d["sh"])

    def m_cover_publisher(d):
        d["tx"][0] = d["tx"][0].replace(meta["publishers"][1], "", 1)

    def m_imprint_label(d):
        d["sh"] = copy.deepcopy(sheet)
        name = next(a["style"] for tag, a, _ in sheet.parts[1].items if a.get("style")
                    and sheet.own(a["style"]).get("label"))
        d["sh"].styles[name]["label"] = "出版："

    def m_field_order(d):
        d["sh"] = copy.deepcopy(sheet)
        items = d["sh"].parts[0].items
        items[0], items[1] = items[1], items[0]

    def m_toc_entry(d):
        i = sheet.part_range(len(sheet.parts) - 1)[0] - 1
        t = re.sub(r"趋势\s*4\s*情绪智能\s*\d+", "", d["tx"][i], count=1)
        assert t != d["tx"][i]
        d["tx"][i] = t

    def m_toc_number(d):
        i = sheet.part_range(len(sheet.parts) - 1)[0] - 1
        d["tx"][i] = re.sub(r"^\s*\d+\s*$", "", d["tx"][i], count=1, flags=re.M)

    def m_outline_drop(d):
        del d["ol"][3]

    def m_outline_swap(d):
        d["ol"][1], d["ol"][2] = d["ol"][2], d["ol"][1]

    def m_outline_title(d):
        e = d["ol"][4]
        d["ol"][4] = (e[0], "趋势 4 情绪", e[2])

    def m_outline_badge(d):
        e = d["ol"][1]
        d["ol"][1] = (e[0], re.sub(r"^趋势\s*\d+\s*", "", e[1]), e[2])

    def m_outline_depth(d):
        e = d["ol"][1]
        d["ol"][1] = (0, e[1], e[2])

    def m_outline_page(d):
        e = d["ol"][-1]
        d["ol"][-1] = (e[0], e[1], 1)

    def m_outline_front(d):
        e = d["ol"][0]
        d["ol"][0] = (e[0], e[1], sheet.part_range(len(sheet.parts) - 1)[0])   # the contents page lists it

    def m_title(d):
        d["inf"]["Title"] = d["inf"]["Title"][:-1]

    def m_author(d):
        d["inf"]["Author"] = d["inf"]["Author"].replace(meta["publishers"][2], "")

    def m_subject(d):
        d["inf"].pop("Subject", None)

    def m_page_size(d):
        d["sz"][3] = (sheet.width + 0.2, sheet.height)

    def m_font_emb(d):
        d["fo"][0]["emb"] = "no"

    def m_font_type(d):
        d["fo"][-1]["type"] = "Type 1"

    def m_no_fonts(d):
        d["fo"] = []

    def m_glyph_right(d):
        shift(flush_line(d["pg"]), dx=1.0)

    def m_glyph_left_verso(d):
        # treat the pages as if numbered from 2: rectos become versos
        for p in d["pg"]:
            p.number += 1

    def m_glyph_top(d):
        shift(tlines(d["pg"], B + 1)[0], dy=-5)

    def m_glyph_bottom(d):
        # the body page whose last line comes nearest the foot, lowered 2 pt past it
        n = min(range(B, len(d["pg"]) + 1), key=lambda n: sheet.text_area(n)[3] - tlines(d["pg"], n)[-1].bottom)
        l = tlines(d["pg"], n)[-1]
        shift(l, dy=sheet.text_area(n)[3] - l.bottom + 2)

    def m_cover_margin(d):
        shift(tlines(d["pg"], 1)[0], dx=-(sheet.text_area(1)[0] - 2))

    def m_front_in_body_area(d):
        # the contents measured with margin-inner 10 mm wider: front pages use their own master
        d["sh"] = copy.deepcopy(sheet)
        d["sh"].parts[-1].master.margin_inner += parse_length("10mm")

    def m_folio_text(d):
        below(d["pg"], B - 1)[0].glyphs[0].c = "8"

    def m_folio_centre(d):
        shift(below(d["pg"], B)[0], dx=2)

    def m_folio_missing(d):
        d["pg"][B].lines.remove(below(d["pg"], B + 1)[0])

    def m_folio_height(d):
        shift(below(d["pg"], B + 2)[0], dy=3)

    def m_folio_cover(d):
        f = below(d["pg"], B)[0]
        d["pg"][0].lines.append(f)

    def m_head_raised_line(d):
        shift(tlines(d["pg"], B + 1)[0], dy=-20)

    def m_head_low(d):
        shift(above(d["pg"], B)[0], dy=3)

    def m_head_side(d):
        shift(above(d["pg"], recto_with_head(d["pg"]))[0], dx=-5)

    def m_head_front(d):
        d["pg"][1].lines.insert(0, above(d["pg"], B)[0])

    def m_head_missing(d):
        d["pg"][B - 1].lines.remove(above(d["pg"], B)[0])

    def m_head_font(d):
        for ch in above(d["pg"], B + 1)[0].chars:
            ch.size = 9.0

    def m_start_comma(d):
        tlines(d["pg"], B + 1)[5].glyphs[0].c = "，"

    def m_start_dash(d):
        tlines(d["pg"], B + 2)[4].glyphs[0].c = "—"

    def m_end_quote(d):
        tlines(d["pg"], B)[6].glyphs[-1].c = "“"

    def m_cover_break(d):
        tlines(d["pg"], 1)[1].glyphs[0].c = "。"

    def m_short_line(d):
        flush_line(d["pg"]).glyphs.pop()

    def m_long_line(d):
        flush_line(d["pg"]).glyphs[-1].x1 += 0.2

    def m_heading_last(d):
        for n in range(B, len(d["pg"]) + 1):
            body = tlines(d["pg"], n)
            hs = [k for k, l in enumerate(body) if line_has_font(l, geo.heading_font)]
            if hs and hs[-1] < len(body) - 1:
                pg = d["pg"][n - 1]
                for l in body[hs[-1] + 1:]:
                    pg.lines.remove(l)
                return
        raise AssertionError("no page with a heading followed by text")

    def m_overlap(d):
        shift(tlines(d["pg"], B + 1)[6], dy=-8)

    def m_overlap_side(d):
        # two lines on one baseline whose boxes meet: the second one's first glyph
        l = tlines(d["pg"], B)[5]
        d["pg"][B - 1].raw_lines.append(Line([copy.copy(l.glyphs[3])]))

    mutations = [
        ("text", "a character dropped on a body page", m_drop_char),
        ("text", "two characters swapped on a body page", m_swap_chars),
        ("kangxi", "U+2F24 KANGXI RADICAL BIG for 大 on page 1", m_kangxi),
        ("text", "the folio removed from a body page", m_no_folio),
        ("text", "a running head left in the body text", m_head_kept),
        ("text", "a running head that does not start its page's text", m_head_other),
        ("text", "callout.badge label changed in the style sheet", m_badge_label),
        ("front", "a publisher missing from the cover", m_cover_publisher),
        ("front", "an imprint label changed in the style sheet", m_imprint_label),
        ("front", "the cover's first two fields swapped in <front>", m_field_order),
        ("front", "a contents entry missing", m_toc_entry),
        ("front", "a contents entry without its page number", m_toc_number),
        ("outline", "an entry dropped", m_outline_drop),
        ("outline", "two entries swapped", m_outline_swap),
        ("outline", "a title truncated", m_outline_title),
        ("outline", "a callout entry without its badge", m_outline_badge),
        ("outline", "a callout entry at depth 0", m_outline_depth),
        ("outline", "the last entry pointing at page 1", m_outline_page),
        ("outline", "the first entry pointing at the contents page", m_outline_front),
        ("info", "Title truncated", m_title),
        ("info", "a publisher missing from Author", m_author),
        ("info", "no Subject", m_subject),
        ("info", "page 4 0.2 pt too wide", m_page_size),
        ("fonts", "a font not embedded", m_font_emb),
        ("fonts", "a Type 1 font", m_font_type),
        ("fonts", "no fonts", m_no_fonts),
        ("text area", "a justified line moved 1 pt right", m_glyph_right),
        ("text area", "recto/verso swapped", m_glyph_left_verso),
        ("text area", "the first line of a body page raised 5 pt", m_glyph_top),
        ("text area", "the last line of a body page lowered 2 pt past the foot", m_glyph_bottom),
        ("text area", "a cover line moved into the cover's margin", m_cover_margin),
        ("text area", "the contents master's margin-inner 10 mm wider", m_front_in_body_area),
        ("folio", "the contents page's folio reads 8", m_folio_text),
        ("folio", "a folio 2 pt off centre", m_folio_centre),
        ("folio", "a body page without a folio", m_folio_missing),
        ("folio", "a folio 3 pt low", m_folio_height),
        ("folio", "a folio on the cover (folio=no)", m_folio_cover),
        ("heads", "a body line raised 20 pt into the top margin", m_head_raised_line),
        ("heads", "a running head 3 pt low", m_head_low),
        ("heads", "a recto's running head 5 pt off the right edge", m_head_side),
        ("heads", "a running head on the title page", m_head_front),
        ("heads", "a body page without its running head", m_head_missing),
        ("heads", "a running head at 9 pt", m_head_font),
        ("breaks", "a line starting with ，", m_start_comma),
        ("breaks", "a line starting with a lone —", m_start_dash),
        ("breaks", "a line ending with “", m_end_quote),
        ("breaks", "a cover line starting with 。", m_cover_break),
        ("justification", "a justified line missing its last glyph", m_short_line),
        ("justification", "a justified line 0.2 pt too long", m_long_line),
        ("headings", "a page cut after its heading", m_heading_last),
        ("overlaps", "a line moved 8 pt up into the previous one", m_overlap),
        ("overlaps", "a glyph drawn twice on a line", m_overlap_side),
    ]
    touches = {"text": ("tx", "hd"), "front": ("tx",), "kangxi": ("tx",), "outline": ("ol",),
               "info": ("inf", "sz"), "fonts": ("fo",)}
    for name, what, mutate in mutations:
        d = dict(base)
        for k in touches.get(name, ("pg",)):
            d[k] = clone_pages(base[k]) if k == "pg" else copy.deepcopy(base[k])
        try:
            mutate(d)
            probs = checks[name](d)
        except Exception as e:      # a mutation that no longer applies
            rep.group("selftest: %s detects %s" % (name, what), ["cannot plant the fault: %r" % e])
            continue
        rep.group("selftest: %s detects %s" % (name, what),
                  [] if probs else ["the check passed"], probs[0].split("\n")[0][:100] if probs else "")

    def fake(where):
        k = iter(range(1, 100))
        return [_fake_page(n, ["x巨型标注第%d段。正文" % next(k)] if n in where else ["正文"])
                for n in range(1, 8)]

    probs, _ = check_giant(fake((3, 4, 5)), "巨型标注第", 3)
    rep.group("selftest: giant passes on paragraphs 1-3 on pages 3-5", probs)
    probs, _ = check_giant(fake((2, 4, 6)), "巨型标注第", 3)
    rep.group("selftest: giant detects a callout on non-consecutive pages",
              [] if probs else ["the check passed"], probs[0] if probs else "")
    probs, _ = check_giant(fake((3, 4, 5))[:4], "巨型标注第", 3)
    rep.group("selftest: giant detects missing paragraphs", [] if probs else ["the check passed"],
              probs[0] if probs else "")
    if not rep.failed:
        print("ok checker self-test: %d checks pass on this PDF, %d planted faults detected"
              % (len(checks), rep.passed - len(checks)))
    return rep.failed

# --------------------------------------------------------------------------
def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "text":
            multi = "--multi-page-parts" in args
            return 1 if cmd_text(*[a for a in args if a != "--multi-page-parts"], one_page=not multi) else 0
        if cmd == "outline":
            return 1 if cmd_outline(*args) else 0
        if cmd == "info":
            return 1 if cmd_info(*args) else 0
        if cmd == "pdf":
            failed = cmd_fonts(args[0])
            failed += cmd_info(*args)
            failed += cmd_outline(*args)
            failed += cmd_text(*args)
            return 1 if failed else 0
        if cmd == "fonts":
            return 1 if cmd_fonts(*args) else 0
        if cmd == "geometry":
            pdf, style = args[0], args[1]
            min_pages = giant = source = None
            rest = args[2:]
            while rest:
                if rest[0] == "--min-pages":
                    min_pages = int(rest[1])
                elif rest[0] == "--source":
                    source = rest[1]
                elif rest[0] == "--giant":
                    giant = (rest[1], int(rest[2]))
                    rest = rest[1:]
                else:
                    raise ValueError("unknown option %s" % rest[0])
                rest = rest[2:]
            return 1 if geometry_report(stext_pages(pdf), prepare_sheet(style, pdf, source), min_pages, giant) else 0
        if cmd == "selftest":
            return 1 if selftest(*args) else 0
        if cmd == "echo":
            print("# " + " ".join(args))
            return 0
        if cmd == "gen-long":
            make_long(args[0], args[1])
            return 0
    except (RuntimeError, ValueError, ET.ParseError, OSError, TypeError) as e:
        print("FAIL %s: cannot run the check: %s" % (cmd, e))
        return 1
    print("FAIL pdfcheck: unknown command %r" % cmd)
    return 2


def main_then(argv, main_fn=None):
    """Run main_fn (default: this module's main) for each command of
    "CMD ARGS --then CMD ARGS ...", in order, in this one process (a python
    start costs a few tenths of a second)."""
    main_fn = main_fn or main
    rc, cmd = 0, [argv[0]]
    for a in argv[1:] + ["--then"]:
        if a == "--then":
            if len(cmd) > 1:
                rc = max(rc, main_fn(cmd))
            cmd = [argv[0]]
        else:
            cmd.append(a)
    return rc


if __name__ == "__main__":
    sys.exit(main_then(sys.argv))
