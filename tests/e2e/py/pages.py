#!/usr/bin/env python3
"""pages: how full the pages are, measured from glyph and box positions.

Standard library only; builds on pdfcheck (stext parsing, style sheet, page
roles, outline) and realtext (lines tied to the source's blocks).  Used by
tests/e2e/pages.sh, as a module (every check is a function of parsed data,
so the self-test can plant faults) and as a command:

  report PDF XML STYLE [--selftest]
        (a) foot: every body page followed by a page of the same section
            leaves at most FOOT_LIMIT body lines empty at its foot;
        (b) breaks: no page ends with a heading-style line, no paragraph
            leaves one line alone at a page foot (orphan) or head (widow)
        (e) continued: a box that goes on from the page before shows its
            continued label at the top of the page, and no other page does
  handouts STYLE PDF... [--selftest]
        (c) fill: each handout is one page, and its content spans at least
            FILL_LIMIT of the text area's height
  gen-long OUT.xml OUT-STYLE.xml
        write the long document of (d) and its style sheet
  long PDF XML STYLE [--selftest]
        (d) callouts: no page followed by a page that a callout begins at
            the top of leaves more than FOOT_LIMIT body lines at its foot;
            (b) and (e) on it too (it has a callout taller than a page, so
            at least one continued label, else a FAIL)
Commands may be chained in one run: CMD ARGS --then CMD ARGS ...

What a page holds.  Its text lines (mutool draw -F stext, grouped by
baseline as pdfcheck does; the lines inside its master's text area, so no
running head, foot or folio) and its boxes: every path mutool's trace device
draws (fill_path, stroke_path, widened by half the line width) and every
image (fill_image), in trimmed-page coordinates (the TrimBox's top-left
corner is the origin, so the bleed moves nothing), kept when it lies inside
the text area (1 pt of tolerance): callout backgrounds and borders, badges,
rules; a cover's background, which covers the page, is not content.  A
glyph's vertical extent is its ideographic em box (pdfcheck.Char).  The
content of a page runs from the top of its highest line or box to the
bottom of its lowest; the text area is the page master's (the style sheet's
margins; page roles from its <front>, pdfcheck.prepare_sheet).

A body line is the document style's font-size x line-height
(body_line()).  The empty space at a page's foot is the distance from the
bottom of its content to the bottom of the text area, in body lines.

Sections and callouts.  mutool show PDF outline gives every outline entry
with its page and the top of its target (mutool's coordinates, made
trimmed-page ones); the source (pdfcheck.expected_outline, in the same
order) says which entry is a section (outline level 1) and which a callout.
An entry begins "at the top" of its page when no line or box of the page
starts more than TOP_TOL above its target.  Page p+1 continues p's section
when no level-1 entry begins at the top of p+1.  A page "loses" to a
kept-together callout when a callout entry begins at the top of the next
page.

Lines and blocks (b).  Every text block of the source (headline, deck,
heading, paragraph, list item with its label, caption, a callout's badge
(the callout.badge label), title and subtitle) in document order is joined
into one stream without white space, and the body pages' text lines are
matched against it glyph by glyph (realtext.Doc.align), so each line knows
its block and whether it holds the block's first and last characters.  A
heading-style block is a heading, headline, deck, callout title, subtitle
or badge, or any block whose style has keep-with-next="yes".  A paragraph
is a <p>, <item> or <caption> block.

Continued labels (e).  A box (BOX_ELEMENTS) that goes on from one page to
the next shows, at the top of the next page, the label of the style
"ELEMENT.continued" (else "continued") of the style sheet, e.g. print.xml's
callout.continued "（续）".  paiban's display list marks those glyphs as
furniture, but in the PDF they are ordinary text, so the alignment would
take them for source text: a page's leading text lines whose text is the
label of one of the sheet's continued styles are taken out before the
alignment (strip_continued; a label anywhere else stays in, and the
alignment reports it).  Then the check: the boxes open at the top of a page
are those holding both its first text line and the text line before it
(by the source's nesting); their labels, outermost first, must be what was
taken out, no more, no less.

The self-test plants faults in the parsed data (lines and boxes removed or
moved between pages, never the PDF) and requires each check to report more
problems than on the document itself, and checks that pages which are not
measured (before a section's first page) stay unmeasured.  For (e): a label
dropped, a label planted at the top of a page no box goes on to, a label
moved below its page's first line (report, when a box goes on across a
page break there, and long).
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402
import realtext as rt  # noqa: E402

FOOT_LIMIT = 3.0        # body lines a page may leave empty at its foot
FILL_LIMIT = 0.55       # share of the text area's height a handout's content must span
AREA_TOL = 1.0          # pt: a box this far outside the text area still counts as inside
TOP_TOL = 2.0           # pt: content this far above an outline target does not precede it
HEADING_KINDS = ("heading", "headline", "deck", "title", "subtitle", "badge")
PARAGRAPH_KINDS = ("p", "item", "caption")
INLINE = ("em", "strong", "br")
BOX_ELEMENTS = ("body", "section", "callout", "figure", "titleblock", "list")   # src/styletree.c


# --------------------------------------------------------------------------
# Reading a PDF: lines, boxes, outline
# --------------------------------------------------------------------------
class Box:
    """A drawn path or image: its bounding box in trimmed-page coordinates."""
    __slots__ = ("x0", "top", "x1", "bottom", "what")

    def __init__(self, x0, top, x1, bottom, what):
        self.x0, self.top, self.x1, self.bottom, self.what = x0, top, x1, bottom, what

    def __repr__(self):
        return "Box(%s x %.1f..%.1f y %.1f..%.1f)" % (self.what, self.x0, self.x1, self.top, self.bottom)


def parse_trace(text, trims):
    """mutool draw -F trace -> per page [Box] of every fill_path, stroke_path
    and fill_image (clip paths are not drawn), in trimmed-page coordinates
    (trims: pdfcheck.trim_boxes)."""
    pages, cur = [], None
    kind, lw, tf, pts = None, 0.0, None, []
    attr = lambda s, k: re.search(r'\b%s="([^"]*)"' % k, s)
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("<page "):
            cur = []
            pages.append(cur)
        elif s.startswith(("<fill_path ", "<stroke_path ")):
            kind = "fill" if s.startswith("<fill") else "stroke"
            m = attr(s, "linewidth")
            lw = float(m.group(1)) if m and kind == "stroke" else 0.0
            tf = [float(v) for v in attr(s, "transform").group(1).split()]
            pts = []
        elif kind and s.startswith(("<moveto", "<lineto", "<curveto")):
            nums = dict((k, float(v)) for k, v in re.findall(r'\b(x\d?|y\d?)="([-0-9.e]+)"', s))
            for suffix in ("", "1", "2", "3"):
                if "x" + suffix in nums:
                    pts.append((nums["x" + suffix], nums["y" + suffix]))
        elif kind and s.startswith(("</fill_path", "</stroke_path")):
            if pts and cur is not None:
                a, b, c, d, e, f = tf
                dev = [(a * x + c * y + e, b * x + d * y + f) for x, y in pts]
                w = lw * max(abs(a) + abs(c), abs(b) + abs(d)) / 2
                xs, ys = [p[0] for p in dev], [p[1] for p in dev]
                cur.append(Box(min(xs) - w, min(ys) - w, max(xs) + w, max(ys) + w, kind))
            kind = None
        elif s.startswith("<fill_image ") and cur is not None:
            a, b, c, d, e, f = [float(v) for v in attr(s, "transform").group(1).split()]
            dev = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [p[0] for p in dev], [p[1] for p in dev]
            cur.append(Box(min(xs), min(ys), max(xs), max(ys), "image"))
    for boxes, (left, top, _, _) in zip(pages, trims):
        for bx in boxes:
            bx.x0, bx.x1, bx.top, bx.bottom = bx.x0 - left, bx.x1 - left, bx.top - top, bx.bottom - top
    return pages


def parse_outline_y(text, trims):
    """mutool show PDF outline -> [(depth, title, page, y of the target in
    trimmed-page coordinates or None)] (pdfcheck.parse_outline, plus the y
    of each link's zoom=Z,X,Y)."""
    out = []
    entries = pc.parse_outline(text)
    ys = []
    for line in text.splitlines():
        if re.match(r'^[-+|]\t+"', line):
            m = re.search(r"#page=\d+&zoom=[^,]*,[^,]*,([-0-9.]+)", line)
            ys.append(float(m.group(1)) if m else None)
    for (depth, title, page), y in zip([e for e in entries if e[0] is not None], ys):
        if y is not None and page is not None and 1 <= page <= len(trims):
            y -= trims[page - 1][1]
        out.append((depth, title, page, y))
    return out


def source_outline(xml_path, sheet):
    """[(level, tag, title)] of every outline-bearing block of the source, in
    order (pdfcheck.expected_outline with the element's tag)."""
    body = pc.parse_source(xml_path).getroot().find("body")
    tags = []

    def walk(el, parent):
        name = pc.block_style(el, parent, sheet)
        if name and int(sheet.own(name).get("outline-level", "0")) > 0:
            tags.append(el.tag)
        for child in el:
            walk(child, el)

    if body is not None:
        for child in body:
            walk(child, body)
    return [(lv, tag, t) for (lv, t), tag in zip(pc.expected_outline(xml_path, sheet), tags)]


class PageView:
    """What a page holds inside its text area: lines and boxes."""

    def __init__(self, page, area, lines, boxes):
        self.page, self.number, self.area = page, page.number, area
        self.lines = lines          # pdfcheck.Line, top to bottom
        self.boxes = boxes          # Box inside the text area

    def items(self):
        return [(l.top, l.bottom) for l in self.lines] + [(b.top, b.bottom) for b in self.boxes]

    @property
    def top(self):
        its = self.items()
        return min(t for t, _ in its) if its else None

    @property
    def bottom(self):
        its = self.items()
        return max(b for _, b in its) if its else None

    def foot(self):
        """Empty space (pt) from the bottom of the content to the bottom of
        the text area; the whole area when the page is empty."""
        b = self.bottom
        return self.area[3] - (b if b is not None else self.area[1])

    def copy(self):
        return PageView(self.page, self.area, list(self.lines), list(self.boxes))


def inside(box, area, tol=AREA_TOL):
    return (box.x0 >= area[0] - tol and box.x1 <= area[2] + tol and box.top >= area[1] - tol
            and box.bottom <= area[3] + tol)


class Pdf:
    """A PDF read once: stext pages, trace boxes, outline, style sheet."""

    def __init__(self, pdf, xml_path, style_path, outline=True):
        self.pdf, self.xml, self.style = pdf, xml_path, style_path
        self.trims = pc.trim_boxes(pdf)
        self.pages = pc.to_trim(pc.parse_stext(pc.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", pdf])
                                               .encode("utf-8")), self.trims)
        boxes = parse_trace(pc.run(["mutool", "draw", "-q", "-F", "trace", "-o", "-", pdf]), self.trims)
        self.sheet = pc.prepare_sheet(style_path, pdf, xml_path) if xml_path else pc.Sheet(style_path)
        self.views = []
        for p in self.pages:
            area = self.sheet.text_area(p.number)
            bx = boxes[p.number - 1] if p.number <= len(boxes) else []
            self.views.append(PageView(p, area, pc.text_lines(p, self.sheet), [b for b in bx if inside(b, area)]))
        self.outline, self.outline_problems = [], []
        if outline:
            got = parse_outline_y(pc.run(["mutool", "show", pdf, "outline"]), self.trims)
            want = source_outline(xml_path, self.sheet)
            if len(got) != len(want):
                self.outline_problems.append("the PDF's outline has %d entries, the source %d" % (len(got), len(want)))
            for (depth, title, page, y), (level, tag, text) in zip(got, want):
                if pc.nows(title) != text:
                    self.outline_problems.append("outline entry %r, the source has %r" % (title, text))
                self.outline.append(Entry(level, tag, title, page, y))

    def body_numbers(self):
        return [v.number for v in self.views if self.sheet.is_body(v.number)]


class Entry:
    """An outline entry: the source's level and element, the PDF's page and target y."""

    def __init__(self, level, tag, title, page, y):
        self.level, self.tag, self.title, self.page, self.y = level, tag, title, page, y

    def __repr__(self):
        return "Entry(%d %s %r p%s y%s)" % (self.level, self.tag, self.title, self.page, self.y)


def body_line(sheet):
    """The document style's line height in pt: font-size x line-height (a
    bare number), or the line-height length."""
    size = sheet.font_size("document")
    lh = sheet.own("document").get("line-height", "1.2").strip()
    try:
        return size * float(lh)
    except ValueError:
        return pc.parse_length(lh, em=size)


def at_top(entry, view):
    """Does the outline entry begin at the top of its page (nothing above its target)?"""
    if entry.y is None:
        return False
    top = view.top
    return top is None or top >= entry.y - TOP_TOL


def starts_at_top(outline, views, number, pred):
    """The first entry satisfying pred that begins at the top of page number, or None."""
    v = views[number - 1]
    for e in outline:
        if e.page == number and pred(e) and at_top(e, v):
            return e
    return None


# --------------------------------------------------------------------------
# (a) the foot of pages that a section continues past
# --------------------------------------------------------------------------
def section_of(outline, number):
    """The title of the last level-1 entry on a page <= number ('' before the first)."""
    t = ""
    for e in outline:
        if e.level == 1 and e.page is not None and e.page <= number:
            t = e.title
    return t


def check_foot(views, body, outline, line, limit=FOOT_LIMIT):
    """-> (problems, [figure line per body page], [(page, empty lines)] of
    the pages measured).  views: PageView per page
    (1-based numbers), body: the body page numbers."""
    problems, figs, measured = [], [], []
    last = max(body) if body else 0
    for n in body:
        v = views[n - 1]
        empty = v.foot() / line
        if n == last:
            why = "the document ends"
        else:
            start = starts_at_top(outline, views, n + 1, lambda e: e.level == 1)
            why = "page %d starts section %r" % (n + 1, start.title) if start else None
        sec = section_of(outline, n) or "-"
        if why:
            figs.append("page %d: %.2f lines empty at the foot (not measured: %s)" % (n, empty, why))
            continue
        figs.append("page %d: %.2f lines empty at the foot (section %r continues on page %d)"
                    % (n, empty, sec, n + 1))
        measured.append((n, empty))
        if empty > limit + 1e-6:
            problems.append("page %d leaves %.2f body lines empty at its foot (more than %g), though its "
                            "section %r continues on page %d" % (n, empty, limit, sec, n + 1))
    return problems, figs, measured


# --------------------------------------------------------------------------
# (b) widows, orphans, stranded headings
# --------------------------------------------------------------------------
def text_blocks(xml_path, sheet):
    """[Block] of every text block of the body in document order, each with
    .kind (the element, 'badge' for a callout's badge), .style, .keep and
    .boxes (the box elements holding it, outermost first, as (serial, tag):
    the <body> and every BOX_ELEMENTS ancestor)."""
    body = pc.parse_source(xml_path).getroot().find("body")
    out, pos = [], [0]
    boxes, serial = [(0, "body")], [0]

    def add(kind, text, style):
        b = rt.Block(kind, rt.paiban_ws(text), pos[0])
        if not b.ns:
            return
        b.style = style
        b.keep = bool(style) and sheet.own(style).get("keep-with-next") == "yes"
        b.boxes = tuple(boxes)
        out.append(b)
        pos[0] = b.end

    def inline_text(el):
        """el's own inline text (up to its first block child)."""
        s = [el.text or ""]
        for c in el:
            if c.tag not in INLINE:
                break
            s.append("".join(c.itertext()) + (c.tail or ""))
        return "".join(s)

    def walk(el, parent, index):
        name = pc.block_style(el, parent, sheet)
        if el.tag in BOX_ELEMENTS:
            serial[0] += 1
            boxes.append((serial[0], el.tag))
        if el.tag == "callout" and el.get("number"):
            badge = "callout.badge" if "callout.badge" in sheet.styles else "badge"
            label = sheet.own(badge).get("label")
            if label:
                add("badge", label.replace("{n}", el.get("number")), badge)
        leaf = all(c.tag in INLINE for c in el)
        if el.tag == "item" or (leaf and el.tag not in ("image",)):
            text = inline_text(el)
            if el.tag == "item" and name:
                label = sheet.own(name).get("label")
                if label:
                    text = label.replace("{n}", str(index)) + text
            add(el.tag, text, name)
        i = 0
        for c in el:
            if c.tag in INLINE:
                continue
            if c.tag == "item":
                i += 1
            walk(c, el, i)
        if el.tag in BOX_ELEMENTS:
            boxes.pop()

    if body is not None:
        for c in body:
            walk(c, body, 0)
    return out


def continued_label(sheet, tag):
    """(label without white space or None, style name) of the box element
    tag's continued style: paiban draws the label of the rule "TAG.continued"
    (else "continued"), verbatim, at the top of a box that goes on from the
    page before (src/styletree.c box_block, src/layout.c reopen_boxes)."""
    for name in (tag + ".continued", "continued"):
        if name in sheet.styles:
            return pc.nows(sheet.own(name).get("label") or "") or None, name
    return None, None


def continued_labels(sheet):
    """{label without white space: style name} of every continued style of
    the sheet ("continued", "ELEMENT.continued"; continued_label)."""
    out = {}
    for name in sheet.styles:
        if name == "continued" or name.endswith(".continued"):
            label = pc.nows(sheet.own(name).get("label") or "")
            if label:
                out.setdefault(label, name)
    return out


def strip_continued(pages, sheet):
    """(pages without the continued labels, [(page, label, style)] taken
    out): a page's leading text lines (inside the text area) whose text is a
    continued style's label are the page's furniture, not the source's text.
    A label anywhere else stays, and the alignment reports it."""
    labels = continued_labels(sheet)
    out, taken = [], []
    for pg in pages:
        ls = pc.text_lines(pg, sheet)
        k = 0
        while k < len(ls) and pc.nows(ls[k].text) in labels:
            taken.append((pg.number, pc.nows(ls[k].text), labels[pc.nows(ls[k].text)]))
            k += 1
        out.append(pc.Page(pg.number, pg.width, pg.height, ls[k:], ls[k:]) if k else pg)
    return out, taken


class SourceDoc(rt.Doc):
    """realtext's Doc over the body pages, with every text block of the
    source; the continued labels at the top of pages left out
    (strip_continued: .continued lists them)."""

    def __init__(self, p, pages=None):
        body = set(p.body_numbers())
        pages = pages if pages is not None else [pg for pg in p.pages if pg.number in body]
        pages, self.continued = strip_continued(pages, p.sheet)
        super().__init__(p.pdf, p.xml, p.style, pages=pages, texts=[], sheet=p.sheet)
        self.blocks = text_blocks(p.xml, p.sheet)
        self.stream = "".join(b.ns for b in self.blocks)
        self.starts = [b.start for b in self.blocks]


def heading_like(b):
    return b.kind in HEADING_KINDS or getattr(b, "keep", False)


def check_breaks(doc):
    """-> (stranded-heading problems, widow/orphan problems, figures, alignment problems)."""
    lines, align = doc.align()
    by_page = {}
    for t in lines:
        by_page.setdefault(t.page.number, []).append(t)
    numbers = [p.number for p in doc.pages]
    heads, widows = [], []
    nparas = 0
    for i, n in enumerate(numbers):
        ls = by_page.get(n, [])
        nxt = numbers[i + 1] if i + 1 < len(numbers) else None
        if not ls or nxt is None:
            continue
        last = ls[-1]
        if last.block is not None and heading_like(last.block):
            heads.append("page %d ends with the %s line %r (style %s); its text follows on page %d"
                         % (n, last.block.kind, last.text, last.block.style, nxt))
        if last.block is not None and last.block.kind in PARAGRAPH_KINDS and last.start == last.block.start \
                and not last.final():
            widows.append("page %d ends with the first line of a paragraph alone (an orphan): %r, the paragraph "
                          "goes on on page %d" % (n, last.text, nxt))
        first = (by_page.get(nxt) or [None])[0]
        if first is not None and first.block is not None and first.block.kind in PARAGRAPH_KINDS \
                and first.final() and first.start != first.block.start:
            widows.append("page %d starts with the last line of a paragraph alone (a widow): %r, the paragraph "
                          "starts on page %d" % (nxt, first.text, n))
    for b in doc.blocks:
        nparas += b.kind in PARAGRAPH_KINDS
    split = sum(1 for t in lines if t.block is not None and t.block.kind in PARAGRAPH_KINDS and not t.final()
                and t is by_page[t.page.number][-1])
    figs = {"lines": len(lines), "blocks": len(doc.blocks), "headings": sum(1 for b in doc.blocks if heading_like(b)),
            "paragraphs": nparas, "split": split, "pages": len(numbers)}
    return heads, widows, figs, align


def check_continued(doc):
    """(e) A box that goes on from one page to the next shows its continued
    label at the top of the next page, and a label stands nowhere else.
    The boxes open at the top of a page are those holding both the page's
    first text line and the text line before it (their blocks' .boxes in
    common, outermost first); each expects continued_label(its element), in
    order.  doc.continued holds the labels strip_continued took from the
    pages' heads (a label further down stays in the text, and the alignment
    reports it).  -> (problems, [figure per box going on])."""
    lines, _ = doc.align()
    got = {}
    for n, label, _ in doc.continued:
        got.setdefault(n, []).append(label)
    first = {}
    prev_of = {}
    before = None
    for t in lines:
        if t.block is None:
            continue
        if t.page.number not in first:
            first[t.page.number] = t
            prev_of[t.page.number] = before
        before = t
    problems, figs = [], []
    for pg in doc.pages:
        n = pg.number
        want, open_ = [], []
        b, a = first.get(n), prev_of.get(n)
        if b is not None and a is not None:
            for x, y in zip(a.block.boxes, b.block.boxes):
                if x != y:
                    break
                label, style = continued_label(doc.sheet, x[1])
                open_.append(x[1])
                if label:
                    want.append(label)
                    figs.append("page %d: a <%s> goes on from page %d, %r (%s)"
                                % (n, x[1], a.page.number, label, style))
        have = got.get(n, [])
        if have != want:
            if not want:
                problems.append("page %d: continued label %s at its top, but no box with a continued style goes on "
                                "from the page before (open there: %s)"
                                % (n, " ".join(repr(x) for x in have), ", ".join(open_) or "none"))
            else:
                problems.append("page %d: boxes %s go on from the page before: their continued labels %s expected "
                                "at its top, found %s" % (n, ", ".join(open_), " ".join(repr(x) for x in want),
                                                          " ".join(repr(x) for x in have) or "none"))
    return problems, figs


# --------------------------------------------------------------------------
# (c) handouts: how much of the page the content spans
# --------------------------------------------------------------------------
def fill_share(v):
    """(share of the text area's height from the top of the content to its bottom, span pt, area pt)."""
    h = v.area[3] - v.area[1]
    if v.top is None:
        return 0.0, 0.0, h
    span = v.bottom - v.top
    return span / h, span, h


def check_fill(handouts, limit=FILL_LIMIT):
    """handouts: [(name, [PageView])] -> (problems, figures)."""
    problems, figs = [], []
    for name, views in handouts:
        if not views:
            problems.append("%s: no page" % name)
            continue
        share, span, h = fill_share(views[0])
        more = ""
        if len(views) > 1:
            more = "; %d pages, the others %s" % (len(views), ", ".join("%.0f %%" % (100 * fill_share(v)[0])
                                                                        for v in views[1:]))
        v = views[0]
        figs.append("%s: content spans %.1f %% of the text area's height (%.1f of %.1f pt, y %.1f..%.1f, "
                    "text area %.1f..%.1f)%s" % (name, 100 * share, span, h, v.top or 0, v.bottom or 0,
                                                 v.area[1], v.area[3], more))
        if share < limit - 1e-9:
            problems.append("%s: its content spans %.1f %% of the text area's height, less than %.0f %%"
                            % (name, 100 * share, 100 * limit))
        if len(views) > 1:
            problems.append("%s: %d pages; a handout is one page" % (name, len(views)))
    return problems, figs


# --------------------------------------------------------------------------
# (d) pages before a callout that moved whole to the next page
# --------------------------------------------------------------------------
def check_callout_feet(views, body, outline, line, limit=FOOT_LIMIT):
    """-> (problems, figures, [(page, empty lines)] of the pages measured)."""
    problems, figs, measured = [], [], []
    for n in body:
        if n + 1 > len(views) or n + 1 not in body:
            continue
        e = starts_at_top(outline, views, n + 1, lambda e: e.tag == "callout")
        if e is None:
            continue
        empty = views[n - 1].foot() / line
        nv = views[n]
        box = [b for b in nv.boxes if abs(b.top - nv.top) < TOP_TOL and b.what == "fill"]
        height = max((b.bottom - b.top for b in box), default=0) / line
        measured.append((n, empty))
        figs.append("page %d: %.2f lines empty, before %r at the top of page %d (its box %.1f lines tall)"
                    % (n, empty, e.title, n + 1, height))
        if empty > limit + 1e-6:
            problems.append("page %d leaves %.2f body lines empty at its foot (more than %g) for %r, moved whole "
                            "to the top of page %d" % (n, empty, limit, e.title, n + 1))
    return problems, figs, measured


# --------------------------------------------------------------------------
# The long document of (d)
# --------------------------------------------------------------------------
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "corpus")
LONG_PARAGRAPHS = 112       # corpus paragraphs of body text: about 40 pages at 20 em
CALLOUT_LINES = (6, 9, 12, 7, 11, 8, 10)   # the callouts' target heights in body lines, in turn
LONG_CALLOUT_LINES = 30     # one callout taller than a page (a page has 18 body lines)
CALLOUT_EVERY = (3, 2, 4)   # body paragraphs between callouts, in turn
LONG_STYLES = """
  <!-- added by tests/e2e/py/pages.py gen-long: callouts kept together, in a box -->
  <style name="callout" background="#f4f0e8" border-width="0.75pt" border-color="#c8b89a"
         border-radius="4pt" padding-top="6pt" padding-bottom="6pt" padding-left="8pt"
         padding-right="8pt" space-before="6pt" space-after="10pt" keep-together="yes"
         outline-level="2"/>
  <style name="callout.badge" font-family="Noto Sans CJK SC, Noto Serif CJK SC" font-size="8pt"
         line-height="1.5" font-weight="bold" color="#ffffff" background="#9e2a2b"
         shrink-wrap="yes" padding-left="4pt" padding-right="4pt" label="注 {n}"
         space-after="4pt" keep-with-next="yes"/>
  <style name="callout.title" font-family="Noto Sans CJK SC, Noto Serif CJK SC" font-size="11pt"
         line-height="1.5" font-weight="bold" text-align="left" space-after="3pt" keep-with-next="yes"/>
  <style name="callout.p" text-indent="2em"/>
  <style name="callout.continued" font-size="7pt" line-height="1.2" text-align="right" label="（续）"/>
"""


def corpus_paragraphs():
    """[(section heading, [paragraph texts])] of manpages-zh-1.xml, in order."""
    root = ET.parse(os.path.join(CORPUS, "manpages-zh-1.xml")).getroot()
    out = []
    for sec in root.find("body").iter("section"):
        h = sec.find("heading")
        out.append(("".join(h.itertext()) if h is not None else "",
                    ["".join(p.itertext()) for p in sec.findall("p")]))
    return out


def make_long(out_xml, out_style):
    """Write the long document: corpus sections (outline level 1) with
    callouts of varied height between their paragraphs, and its style sheet:
    tests/data/corpus/measure-20em.xml with vertical-justify="yes", sections
    in the outline, and callout styles (a box, keep-together)."""
    chars_per_line = 17.0        # about 18 em inside a callout's padding, Latin text runs narrower
    secs = corpus_paragraphs()
    flat = [(h, t) for h, ps in secs for t in ps]
    body_paras = []             # (heading, text) in order, callouts inserted
    pool = [t for _, t in flat[LONG_PARAGRAPHS:]]
    k = c = 0

    def take(target_chars):
        """Paragraphs from the pool making up about target_chars characters."""
        got, n = [], 0
        while pool and n < target_chars - 15:
            i = min(range(min(len(pool), 40)), key=lambda j: abs(n + len(pool[j]) - target_chars))
            t = pool.pop(i)
            got.append(t)
            n += len(t)
        return got

    doc = ET.Element("document", {"xml:lang": "zh-Hans"})
    meta = ET.SubElement(doc, "meta")
    ET.SubElement(meta, "title").text = "长文档分页测试"
    ET.SubElement(meta, "source").text = "Debian manpages-zh"
    body = ET.SubElement(doc, "body")
    section, heading = None, None
    since, every = 0, 0
    for i, (h, t) in enumerate(flat[:LONG_PARAGRAPHS]):
        if h != heading:
            heading = h
            section = ET.SubElement(body, "section", {"id": "s%d" % (i + 1)})
            ET.SubElement(section, "heading").text = h
        ET.SubElement(section, "p").text = t
        since += 1
        if since >= CALLOUT_EVERY[every % len(CALLOUT_EVERY)]:
            since, every = 0, every + 1
            c += 1
            lines = LONG_CALLOUT_LINES if c == 9 else CALLOUT_LINES[k % len(CALLOUT_LINES)]
            k += c != 9
            call = ET.SubElement(section, "callout", {"id": "c%d" % c, "number": str(c)})
            ET.SubElement(call, "title").text = "标注 %d：%d 行" % (c, lines)
            for text in take(max(1, lines - 3) * chars_per_line):
                ET.SubElement(call, "p").text = text
    ET.ElementTree(doc).write(out_xml, encoding="UTF-8", xml_declaration=True)
    with open(os.path.join(CORPUS, "measure-20em.xml"), encoding="utf-8") as f:
        sheet = f.read()
    sheet = re.sub(r"<page ", '<page vertical-justify="yes" ', sheet, count=1)
    sheet = sheet.replace('<style name="section" space-before="12pt"/>',
                          '<style name="section" space-before="12pt" outline-level="1"/>')
    if 'outline-level="1"' not in sheet:
        raise ValueError("measure-20em.xml: no <style name=\"section\" space-before=\"12pt\"/> to give an outline level")
    sheet = sheet.replace("</stylesheet>", LONG_STYLES + "</stylesheet>")
    with open(out_style, "w", encoding="utf-8") as f:
        f.write(sheet)


# --------------------------------------------------------------------------
# Planting faults
# --------------------------------------------------------------------------
def drop_foot(v, lines_empty, line):
    """A copy of v without the lines and boxes that end below the text area's
    bottom less lines_empty body lines (so at least that much is empty)."""
    limit = v.area[3] - lines_empty * line
    w = v.copy()
    w.lines = [l for l in w.lines if l.bottom <= limit]
    w.boxes = [b for b in w.boxes if b.bottom <= limit]
    return w


def with_view(views, n, v):
    out = list(views)
    out[n - 1] = v
    return out


def place(line, baseline):
    """A copy of pdfcheck.Line moved to a new baseline."""
    dy = baseline - line.baseline
    chars = [pc.Char(ch.c, ch.x, ch.y + dy, ch.x0, ch.x1, ch.font, ch.size, ch.color) for ch in line.chars]
    return pc.Line(chars)


def move_lines(pages, sheet, n, k, down):
    """Pages (copies of the two touched) with text lines moved between page n
    and the next: down, the last k text lines of n go to the head of n+1;
    else the first k of n+1 go to the foot of n.  Moved lines get baselines
    inside the text area, in order (their exact place does not matter to the
    checks they test)."""
    pages = list(pages)
    i = next(j for j, p in enumerate(pages) if p.number == n)
    a, b = pages[i], pages[i + 1]
    la, lb = pc.text_lines(a, sheet), pc.text_lines(b, sheet)
    if down:
        moved, la = la[-k:], la[:-k]
    else:
        moved, lb = lb[:k], lb[k:]
    if down:
        top = sheet.text_area(b.number)[1]
        first = lb[0].baseline if lb else sheet.text_area(b.number)[3]
        base = [top + pc.EM_ASCENT * l.glyphs[0].size + 0.01 for l in moved]
        step = (first - max(base) - 0.5) / (len(moved) + 1) if first > max(base) + 0.5 else 0.0
        lb = [place(l, base[j] + step * j) for j, l in enumerate(moved)] + lb
    else:
        bottom = sheet.text_area(a.number)[3]
        last = la[-1].baseline if la else sheet.text_area(a.number)[1]
        base = [bottom - pc.EM_DESCENT * l.glyphs[0].size - 0.01 for l in moved]
        step = (min(base) - last - 0.5) / (len(moved) + 1) if min(base) > last + 0.5 else 0.0
        la = la + [place(l, base[j] - step * (len(moved) - j)) for j, l in enumerate(moved)]
    pages[i] = pc.Page(a.number, a.width, a.height, la, la)
    pages[i + 1] = pc.Page(b.number, b.width, b.height, lb, lb)
    return pages


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------
def cmd_report(pdf, xml_path, style_path, selftest=False):
    rep = pc.Report()
    print("# report %s: %s with %s" % (os.path.basename(pdf), xml_path, style_path))
    p = Pdf(pdf, xml_path, style_path)
    line = body_line(p.sheet)
    body = p.body_numbers()
    rep.group("pages: the outline ties to the source's sections and callouts", p.outline_problems,
              "%d entries, %d sections (level 1)" % (len(p.outline), sum(1 for e in p.outline if e.level == 1)))
    probs, figs, measured = check_foot(p.views, body, p.outline, line)
    print("# (a) %s: body pages %d-%d, a body line %.2f pt; the empty space at each page's foot:"
          % (os.path.basename(pdf), body[0], body[-1], line))
    for f in figs:
        print("#   " + f)
    worst = max(measured, key=lambda x: x[1], default=(0, 0.0))
    rep.group("pages: foot: no page that its section continues past leaves more than %g body lines empty"
              % FOOT_LIMIT, probs, "%d pages measured, the emptiest page %d with %.2f lines"
              % ((len(measured),) + worst))
    doc = SourceDoc(p)
    heads, widows, cont = breaks_groups(rep, doc, "pages")
    if selftest:
        selftest_report(p, doc, line, body, (len(probs), len(heads), len(widows)))
        rep.failed += selftest_failed[0]
        if doc.continued:
            rep.failed += selftest_continued(p, len(cont))
        else:
            print("# selftest: continued: no box goes on across a page break in %s (the long document's "
                  "self-test plants the faults)" % os.path.basename(pdf))
    return rep.failed


def breaks_groups(rep, doc, prefix):
    """Report (b) and (e) on doc (a SourceDoc): the alignment, stranded
    headings, widows and orphans, continued labels.  -> (heads, widows,
    continued problems)."""
    heads, widows, bf, align = check_breaks(doc)
    cont, cfigs = check_continued(doc)
    rep.group("%s: the body pages' lines tie to the source's text blocks" % prefix, align,
              "%d lines, %d blocks; %d continued label%s left out" % (
                  bf["lines"], bf["blocks"], len(doc.continued), "" if len(doc.continued) == 1 else "s"))
    rep.group("%s: no page ends with a heading, callout title or badge" % prefix, heads,
              "%d heading-style blocks on %d body pages" % (bf["headings"], bf["pages"]))
    rep.group("%s: no widow or orphan (a paragraph's one line alone at a page head or foot)" % prefix, widows,
              "%d paragraphs, %d split across a page break" % (bf["paragraphs"], bf["split"]))
    rep.group("%s: continued: a box going on from the page before shows its continued label at the top, "
              "and no other page does" % prefix, cont,
              "; ".join(cfigs) if cfigs else "no box with a continued style goes on across a page break")
    return heads, widows, cont


def selftest_continued(p, base):
    """(e) planted on the body pages (before strip_continued): a label
    dropped, a label copied to the top of a page no box goes on to, a label
    moved from the top of its page to its foot.  -> failures."""
    st = pc.Report()
    body = set(p.body_numbers())
    pages = [pg for pg in p.pages if pg.number in body]
    doc = SourceDoc(p)
    _, taken = strip_continued(pages, p.sheet)
    n = taken[0][0]
    i = next(j for j, pg in enumerate(pages) if pg.number == n)
    ls = pc.text_lines(pages[i], p.sheet)
    label, rest = ls[0], ls[1:]

    def with_lines(k, lines):
        out = list(pages)
        pg = out[k]
        out[k] = pc.Page(pg.number, pg.width, pg.height, lines, lines)
        return out

    def run(planted):
        d = SourceDoc(p, pages=planted)
        _, align = d.align()
        return check_continued(d)[0], align

    probs, align = run(with_lines(i, rest))
    expect(st, "continued detects page %d without its label %r" % (n, label.text), base, len(probs) + len(align))
    # a page where no box goes on, not the first body page, with text
    want = {m for m, _, _ in taken}
    lines, _ = doc.align()
    firsts = {}
    for t in lines:
        firsts.setdefault(t.page.number, t)
    other = next((j for j, pg in enumerate(pages) if j > 0 and pg.number not in want and pg.number in firsts
                  and pg.number - 1 not in want), None)
    if other is None:
        st.group("selftest: continued", ["no body page without a box going on to plant a label on"])
    else:
        # at the top of the text area, first in the page's lines (what the
        # checks go by), whether or not it overlaps the first line
        ol = pc.text_lines(pages[other], p.sheet)
        area = p.sheet.text_area(pages[other].number)
        ghost = place(label, area[1] + pc.EM_ASCENT * label.glyphs[0].size + 0.01)
        probs, align = run(with_lines(other, [ghost] + ol))
        expect(st, "continued detects a label %r planted at the top of page %d, where no box goes on"
               % (label.text, pages[other].number), base, len(probs) + len(align))
    # the label below its page's first line: the alignment meets it in the text
    if rest:
        moved = place(label, rest[0].baseline + 0.5 * (rest[0].bottom - rest[0].top))
        probs, align = run(with_lines(i, rest[:1] + [moved] + rest[1:]))
        expect(st, "the alignment detects page %d's label %r moved from its top to below its first line"
               % (n, label.text), 0, len(align))
    return st.failed


selftest_failed = [0]


def expect(rep, name, before, after, must_fail=True):
    """A self-test case: the check must report more problems than before (or not)."""
    if must_fail:
        rep.group("selftest: %s" % name, [] if after > before else
                  ["the check did not catch it (%d problems, %d on the PDF itself)" % (after, before)])
    else:
        rep.group("selftest: %s" % name, [] if after <= before else
                  ["the check reports it (%d problems, %d on the PDF itself)" % (after, before)])


def selftest_report(p, doc, line, body, base):
    rep = pc.Report()
    n_foot, n_heads, n_widows = base
    views = p.views
    # (a) a page its section continues past, its foot emptied to 3.5 lines
    cont = [n for n in body[:-1] if not starts_at_top(p.outline, views, n + 1, lambda e: e.level == 1)]
    starts = [n for n in body[:-1] if starts_at_top(p.outline, views, n + 1, lambda e: e.level == 1)]
    if cont:
        n = min(cont, key=lambda n: views[n - 1].foot())
        probs, _, _ = check_foot(with_view(views, n, drop_foot(views[n - 1], FOOT_LIMIT + 0.5, line)), body, p.outline, line)
        expect(rep, "foot detects page %d (its section goes on) with its last lines and boxes removed, %.1f lines "
               "empty" % (n, FOOT_LIMIT + 0.5), n_foot, len(probs))
    else:
        rep.group("selftest: foot", ["no body page is followed by a page of its section: nothing to plant on"])
    if starts:
        n = starts[0]
        probs, _, _ = check_foot(with_view(views, n, drop_foot(views[n - 1], FOOT_LIMIT + 2, line)), body, p.outline, line)
        expect(rep, "foot accepts page %d (page %d starts a section) with its foot emptied" % (n, n + 1),
               n_foot, len(probs), must_fail=False)
        # the section's heading pushed down by a line above it: page n now continues into n+1
        nv = views[n].copy()
        e = starts_at_top(p.outline, views, n + 1, lambda e: e.level == 1)
        ghost = place(nv.lines[0], e.y - 2 * line) if nv.lines else None
        if ghost is not None and ghost.top >= nv.area[1] - pc.EPS:
            nv.lines = [ghost] + nv.lines
            probs, _, _ = check_foot(with_view(with_view(views, n, drop_foot(views[n - 1], FOOT_LIMIT + 2, line)),
                                            n + 1, nv), body, p.outline, line)
            expect(rep, "foot detects the same page once a line stands above page %d's section heading" % (n + 1),
                   n_foot, len(probs))
    # (b) lines moved across a page break
    lines, _ = doc.align()
    numbers = [pg.number for pg in doc.pages]
    by_page = {}
    for t in lines:
        by_page.setdefault(t.page.number, []).append(t)

    def replant(pages):
        return check_breaks(SourceDoc(p, pages=pages))

    cases = []
    # a heading-style line to the foot of the page before, with what precedes it on its page
    best = None
    for n in numbers[1:]:
        ls = by_page.get(n, [])
        j = next((j for j, t in enumerate(ls) if t.block is not None and heading_like(t.block)), None)
        if j is not None and (best is None or j < best[1]):
            best = (n, j)
    if best:
        n, j = best
        t = by_page[n][j]
        cases.append(("heads", "a %s line (%r, %d line%s before it) moved from page %d to the foot of page %d"
                      % (t.block.kind, t.text, j, "" if j == 1 else "s", n, n - 1),
                      move_lines(doc.pages, p.sheet, n - 1, j + 1, False)))
    # an orphan: the lines after a paragraph's first line pushed to the next page
    for n in reversed(numbers[:-1]):
        ls = by_page.get(n, [])
        j = next((j for j in range(len(ls) - 2, -1, -1) if ls[j].block is not None
                  and ls[j].block.kind in PARAGRAPH_KINDS and ls[j].start == ls[j].block.start
                  and not ls[j].final()), None)
        if j is not None:
            cases.append(("widows", "an orphan: page %d's lines after %r pushed to page %d" % (n, ls[j].text[:12], n + 1),
                          move_lines(doc.pages, p.sheet, n, len(ls) - j - 1, True)))
            break
    # a widow: the lines before a paragraph's last line pulled back to the page before
    for n in numbers[1:]:
        ls = by_page.get(n, [])
        j = next((j for j in range(1, len(ls)) if ls[j].block is not None and ls[j].block.kind in PARAGRAPH_KINDS
                  and ls[j].final() and ls[j].start != ls[j].block.start), None)
        if j is not None:
            cases.append(("widows", "a widow: page %d's lines before %r pulled back to page %d"
                          % (n, ls[j].text[:12], n - 1), move_lines(doc.pages, p.sheet, n - 1, j, False)))
            break
    if len(cases) < 3:
        rep.group("selftest: breaks", ["could plant only %d of the 3 faults (heading, orphan, widow)" % len(cases)])
    for name, what, pages in cases:
        heads, widows, _, align = replant(pages)
        if align:
            rep.group("selftest: %s" % what, ["the planted pages no longer tie to the source: %s" % align[0]])
            continue
        before, after = (n_heads, len(heads)) if name == "heads" else (n_widows, len(widows))
        expect(rep, "%s detects %s" % (name, what), before, after)
    selftest_failed[0] = rep.failed


def cmd_handouts(style_path, pdfs, selftest=False):
    rep = pc.Report()
    sheet = pc.Sheet(style_path)
    handouts = []
    for pdf in pdfs:
        p = Pdf(pdf, None, style_path, outline=False)
        handouts.append((os.path.basename(pdf), p.views))
    probs, figs = check_fill(handouts)
    area = sheet.text_area(1)
    print("# (c) %d handouts, text area y %.1f..%.1f (%.1f pt) of %s:" % (len(handouts), area[1], area[3],
                                                                         area[3] - area[1], style_path))
    for f in figs:
        print("#   " + f)
    shares = [fill_share(v[0])[0] for _, v in handouts if v]
    rep.group("pages: fill: each handout is one page, its content spanning at least %.0f %% of the text area's height"
              % (100 * FILL_LIMIT), probs, "the least %.1f %%" % (100 * min(shares)) if shares else "")
    if selftest and handouts:
        st = pc.Report()
        name, views = handouts[0]
        v = views[0]
        base = len(probs)
        # the content cut to its top 40 % of the area: must fail
        cut = v.copy()
        limit = v.area[1] + 0.4 * (v.area[3] - v.area[1])
        cut.lines = [l for l in cut.lines if l.bottom <= limit]
        cut.boxes = [b for b in cut.boxes if b.bottom <= limit]
        if not cut.lines and not cut.boxes and v.lines:
            cut.lines = [v.lines[0]]
        p1, _ = check_fill([(name + " cut", [cut])])
        expect(st, "fill detects %s with its content cut to the top 40 %% of the text area" % name, 0, len(p1))
        # a line placed at the foot of the text area: the content spans it all, must pass
        full = v.copy()
        if v.lines:
            full.lines = [place(v.lines[0], v.area[1] + pc.EM_ASCENT * v.lines[0].glyphs[0].size)] + \
                [place(v.lines[-1], v.area[3] - pc.EM_DESCENT * v.lines[-1].glyphs[0].size)]
            p2, _ = check_fill([(name + " full", [full])])
            expect(st, "fill accepts %s with lines at the top and the foot of the text area" % name, 0, len(p2),
                   must_fail=False)
        # the handout run over a second page: must fail
        p3, _ = check_fill([(name + " twice", [v, v.copy()])])
        expect(st, "fill detects %s run over two pages" % name, 0, len(p3))
        rep.failed += st.failed
    return rep.failed


def cmd_long(pdf, xml_path, style_path, selftest=False):
    rep = pc.Report()
    p = Pdf(pdf, xml_path, style_path)
    line = body_line(p.sheet)
    body = p.body_numbers()
    rep.group("pages: long: the outline ties to the source's sections and callouts", p.outline_problems,
              "%d entries (%d callouts)" % (len(p.outline), sum(1 for e in p.outline if e.tag == "callout")))
    probs, figs, measured = check_callout_feet(p.views, body, p.outline, line)
    area = p.sheet.text_area(1)
    print("# (d) %s: %d pages, measure %.1f pt = %.1f em, text area %.1f pt = %.1f body lines; pages before a "
          "callout that begins at the top of the next page:" % (
              os.path.basename(pdf), len(p.views), area[2] - area[0], (area[2] - area[0]) / p.sheet.font_size("p"),
              area[3] - area[1], (area[3] - area[1]) / line))
    for f in figs:
        print("#   " + f)
    others = [(p.views[n - 1].foot() / line, n) for n in body[:-1] if n not in [m for m, _ in measured]]
    print("#   the other pages: %s" % " ".join("%d:%.1f" % (n, e) for e, n in sorted(others, key=lambda x: x[1])))
    if not measured:
        probs = probs + ["no callout begins at the top of a page: the check measured nothing"]
    rep.group("pages: long: no page before a callout moved whole to the next page leaves more than %g body "
              "lines empty" % FOOT_LIMIT, probs, "%d such pages, the emptiest %.2f lines" % (
                  len(measured), max((e for _, e in measured), default=0)))
    if selftest:
        st = pc.Report()
        if measured:
            n = min(measured, key=lambda x: x[1])[0]
            p1, _, _ = check_callout_feet(with_view(p.views, n, drop_foot(p.views[n - 1], FOOT_LIMIT + 0.5, line)),
                                          body, p.outline, line)
            expect(st, "long detects page %d (a callout begins page %d) with %.1f lines emptied at its foot"
                   % (n, n + 1, FOOT_LIMIT + 0.5), len(probs), len(p1))
        # a page whose next page does not start with a callout, made to: its callout entry moved there
        cand = [n for e, n in others if e > FOOT_LIMIT]
        cand = cand or [n for _, n in others]
        if cand:
            n = cand[0]
            nv = p.views[n]
            fake = Entry(2, "callout", "planted", n + 1, nv.top if nv.top is not None else nv.area[1])
            emptied = with_view(p.views, n, drop_foot(p.views[n - 1], FOOT_LIMIT + 0.5, line))
            p2, _, _ = check_callout_feet(emptied, body, p.outline, line)
            p3, _, _ = check_callout_feet(emptied, body, p.outline + [fake], line)
            expect(st, "long ignores page %d emptied at its foot while page %d starts with no callout" % (n, n + 1),
                   len(probs), len(p2), must_fail=False)
            expect(st, "long detects it once a callout begins at the top of page %d" % (n + 1), len(p2), len(p3))
        rep.failed += st.failed
    doc = SourceDoc(p)
    _, _, cont = breaks_groups(rep, doc, "pages: long")
    if not doc.continued:
        rep.group("pages: long: a callout taller than a page", ["no continued label in the long document, so no "
                                                               "callout went on across a page break"])
    elif selftest:
        rep.failed += selftest_continued(p, len(cont))
    return rep.failed


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    sel = "--selftest" in args
    args = [a for a in args if a != "--selftest"]
    try:
        if cmd == "report":
            return 1 if cmd_report(*args, selftest=sel) else 0
        if cmd == "handouts":
            return 1 if cmd_handouts(args[0], args[1:], selftest=sel) else 0
        if cmd == "long":
            return 1 if cmd_long(*args, selftest=sel) else 0
        if cmd == "gen-long":
            make_long(*args)
            return 0
    except (RuntimeError, ValueError, OSError, TypeError, IndexError, ET.ParseError) as e:
        print("FAIL pages %s: cannot run the check: %s" % (cmd, e))
        return 1
    print("FAIL pages: unknown command %r" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
