#!/usr/bin/env python3
"""booklet: the print edition's booklet structure, checked on the PDF.

Standard library only; builds on pdfcheck (stext, style sheet, page roles).
Used by tests/e2e/booklet.sh, as a module (every check is a function of
parsed data returning (problems, figures), so the self-test can plant faults)
and as a command:

  check PDF XML STYLE [--selftest DIR] [--label TEXT] [--only NAME...]
                             the booklet checks below (or the named ones),
                             one line per group; then the self-test (copies
                             planted in DIR)
  check PDF XML STYLE --expect-fail NAME... [--label TEXT]
                             PDF was built with a mutated style sheet and is
                             measured against STYLE: the named checks must fail
  selftest PDF XML STYLE DIR every check passes on PDF and fails on planted
                             faults (links: on copies of PDF with link
                             annotations planted by qpdf --update-from-json)
  images PDF XML STYLE       the images of XML's figures in PDF (pdfimages
                             -list, mutool's trace device); then the same
                             check on planted faults in what it read
  png OUT W H [corrupt]      write a W x H RGB PNG (zlib + struct); corrupt:
                             valid signature and IHDR, garbage image data
  fixtures DIR               write booklet.sh's test images into DIR
  jpeg-size FILE             print a JPEG's pixel size (its SOF marker)
Commands may be chained in one run: CMD ARGS --then CMD ARGS ...

Where things are.  Pages are read in trimmed-page coordinates (origin at the
TrimBox's top-left corner, y down), from the boxes in the PDF itself (qpdf
--json), so bleed and marks around the trim move nothing.  Page roles come
from the style sheet and the PDF (pdfcheck.prepare_sheet): the <front>
parts, then the body.

Checks:
  toc       the contents list the outline titles (sections: their heading;
            callouts: badge and title) in document order, each with a page
            number, and that number is the page where the title really lands:
            the first body page (from the previous title's on) where
            consecutive lines of pdftotext, running head and folio off, join
            to the title
  outline   mutool's outline mirrors the contents: the same titles in the
            same order, each pointing at the contents' page number; entries
            of one depth share one indent in the contents, deeper ones are
            indented more
  links     every line of every contents entry lies under a /Link annotation
            of its page whose destination is page (number - 1, 0-based), its
            view top at or above the title's first line (within 72 pt)
  heads     on each body page the first line is its running head: on versos
            the master's running-head-verso ({title}: the metadata title), on
            rectos running-head-recto ({section}: the first outline title
            landing on the page, else the last one before it); none where the
            pattern comes out empty; none on front matter pages
  folios    pages of masters with folio="no" (the cover, the title page) have
            nothing below the text area, the cover nothing above it either;
            every other page's folio is its physical page number (the cover
            counts as page 1)
  background  every page on a master with a background (the cover), rendered
            at 20 dpi by pdftoppm (which converts CMYK through the output
            intent), is >= 99% that colour outside its text lines (within 24
            per channel), over the BleedBox when the PDF has one beyond the
            TrimBox, and then over the bleed strip outside the trim too
"""

import json
import math
import os
import re
import struct
import sys
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

BG_SHARE = 0.99        # of the pixels outside the text
RENDER_DPI = 20
BG_TOL = 24            # per channel, 0-255: a CMYK output intent moves colours a little
NUMBER_GAP = 1.0       # em: gap before a right-aligned page number
DEST_ABOVE = 72.0      # pt: a link's view top may be this far above the title


# --------------------------------------------------------------------------
# The PDF's objects (qpdf --json)
# --------------------------------------------------------------------------
REF = re.compile(r"^\d+ \d+ R$")


class PdfModel:
    """Pages, boxes and annotations of a PDF, read with qpdf --json."""

    def __init__(self, pdf):
        j = json.loads(pc.run(["qpdf", "--json=2", "--json-key=pages", "--json-key=qpdf", pdf]))
        self.objects = j["qpdf"][1]
        self.page_refs = [p["object"] for p in j["pages"]]
        self.page_dicts = [self.get(r) for r in self.page_refs]

    def get(self, v):
        """v with a reference resolved (a stream gives its dictionary)."""
        while isinstance(v, str) and REF.match(v):
            o = self.objects.get("obj:" + v, {})
            v = o["value"] if "value" in o else o.get("stream", {}).get("dict")
        return v

    def inherited(self, page, key):
        seen = 0
        while page is not None and seen < 64:
            if key in page:
                return [float(x) for x in self.get(page[key])]
            page, seen = self.get(page.get("/Parent")), seen + 1
        return None

    def box(self, n, name):
        """Page n's box (x0, y0, x1, y1) in PDF coordinates; a missing TrimBox or
        BleedBox defaults to the CropBox, a missing CropBox to the MediaBox."""
        page = self.page_dicts[n - 1]
        media = self.inherited(page, "/MediaBox")
        crop = self.inherited(page, "/CropBox") or media
        b = self.inherited(page, name) if name != "/MediaBox" else media
        if b is None:
            b = crop if name in ("/TrimBox", "/BleedBox", "/CropBox") else media
        return (min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3]))

    def shown(self, n):
        """The region mutool shows of page n: its CropBox within its MediaBox."""
        m, c = self.box(n, "/MediaBox"), self.box(n, "/CropBox")
        return (max(m[0], c[0]), max(m[1], c[1]), min(m[2], c[2]), min(m[3], c[3]))

    def to_trim(self, n, x, y):
        """PDF coordinates of page n -> trimmed-page coordinates (y down)."""
        t = self.box(n, "/TrimBox")
        return x - t[0], t[3] - y

    def dest_page(self, dest):
        """(0-based page index, view top in PDF coordinates or None) of a
        destination: an explicit array, a name, or a GoTo action's /D."""
        dest = self.get(dest)
        if isinstance(dest, str) and not REF.match(dest):
            dest = self.named_dest(dest)
        if isinstance(dest, dict):
            dest = self.get(dest.get("/D"))
        if not isinstance(dest, list) or not dest:
            return None, None
        target = dest[0]
        if isinstance(target, int):
            index = target
        else:
            index = self.page_refs.index(target) if target in self.page_refs else None
        top = None
        kind = dest[1] if len(dest) > 1 else None
        if kind == "/XYZ" and len(dest) > 3 and isinstance(dest[3], (int, float)):
            top = float(dest[3])
        elif kind in ("/FitH", "/FitBH") and len(dest) > 2 and isinstance(dest[2], (int, float)):
            top = float(dest[2])
        return index, top

    def named_dest(self, name):
        key = name[2:] if name.startswith(("u:", "b:")) else name.lstrip("/")
        root = self.get(self.objects.get("trailer", {}).get("value", {}).get("/Root"))
        old = self.get((root or {}).get("/Dests"))
        if isinstance(old, dict) and ("/" + key) in old:
            return self.get(old["/" + key])
        tree = self.get(self.get((root or {}).get("/Names") or {}).get("/Dests")) if root else None
        stack, seen = [tree], 0
        while stack and seen < 10000:
            node, seen = self.get(stack.pop()), seen + 1
            if not isinstance(node, dict):
                continue
            names = self.get(node.get("/Names")) or []
            for i in range(0, len(names) - 1, 2):
                k = names[i]
                if isinstance(k, str) and (k[2:] if k.startswith(("u:", "b:")) else k) == key:
                    return self.get(names[i + 1])
            stack.extend(self.get(node.get("/Kids")) or [])
        return None

    def links(self, n):
        """[(x0, top, x1, bottom) in trimmed coordinates, page index, view top
        in trimmed coordinates or None] for the /Link annotations of page n."""
        out = []
        for a in self.get(self.page_dicts[n - 1].get("/Annots")) or []:
            a = self.get(a)
            if not isinstance(a, dict) or a.get("/Subtype") != "/Link":
                continue
            r = [float(v) for v in self.get(a.get("/Rect", [0, 0, 0, 0]))]
            x0, top = self.to_trim(n, min(r[0], r[2]), max(r[1], r[3]))
            x1, bottom = self.to_trim(n, max(r[0], r[2]), min(r[1], r[3]))
            dest = a.get("/Dest")
            if dest is None and isinstance(self.get(a.get("/A")), dict):
                action = self.get(a.get("/A"))
                dest = action.get("/D") if action.get("/S") == "/GoTo" else None
            index, view = self.dest_page(dest) if dest is not None else (None, None)
            if view is not None and index is not None and 0 <= index < len(self.page_dicts):
                view = self.to_trim(index + 1, 0, view)[1]
            out.append(((x0, top, x1, bottom), index, view))
        return out


def trimmed_pages(pdf, model):
    """mutool's stext of pdf in trimmed-page coordinates (the boxes from model)."""
    pages = pc.parse_stext(pc.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", pdf]).encode("utf-8"))
    for p in pages:
        shown, trim = model.shown(p.number), model.box(p.number, "/TrimBox")
        dx, dy = trim[0] - shown[0], shown[3] - trim[3]
        seen = set()
        for line in p.raw_lines + p.lines:
            for ch in line.chars:
                if id(ch) not in seen:
                    seen.add(id(ch))
                    ch.x, ch.x0, ch.x1, ch.y = ch.x - dx, ch.x0 - dx, ch.x1 - dx, ch.y - dy
        p.width, p.height = trim[2] - trim[0], trim[3] - trim[1]
    return pages


# --------------------------------------------------------------------------
# What the booklet says
# --------------------------------------------------------------------------
class TocEntry:
    def __init__(self, title, number, lines, page):
        self.title, self.number, self.page = title, number, page
        self.lines = lines          # [(Line, title glyphs)]

    @property
    def indent(self):
        return min(g.x0 for g in self.lines[0][1]) if self.lines[0][1] else self.lines[0][0].x0

    def __repr__(self):
        return "TocEntry(%r, %s, page %d)" % (self.title, self.number, self.page)


def split_number(line):
    """(title glyphs, page number or None): a right-aligned run of digits at
    the end of line, more than NUMBER_GAP em after the glyph before it."""
    g = line.glyphs
    k = len(g)
    while k > 0 and g[k - 1].c.isdigit():
        k -= 1
    if k == len(g) or k == 0 or g[k].x0 - g[k - 1].x1 < NUMBER_GAP * g[k].size:
        return g, None
    return g[:k], int("".join(ch.c for ch in g[k:]))


def toc_entries(pages, sheet, meta):
    """(entries, problems) read from the stext of the contents pages: the
    items before <toc> (e.g. its title) first, then entries, each ending on
    the line that carries its page number."""
    entries, problems = [], []
    for i, part in enumerate(sheet.parts):
        if not part.has_toc:
            continue
        k = next(j for j, (tag, _, _) in enumerate(part.items) if tag == "toc")
        lead = "".join(pc.front_item_text(sheet, meta, tag, a, t) for tag, a, t in part.items[:k])
        text, lines = "", []
        for n in sheet.part_range(i):
            if n > len(pages):
                break
            for l in pc.text_lines(pages[n - 1], sheet):
                if lead:
                    lead_so_far = text + l.text
                    if lead.startswith(lead_so_far):
                        text = "" if lead_so_far == lead else lead_so_far
                        lead = "" if lead_so_far == lead else lead
                        continue
                    problems.append("page %d: the contents start with %r, expected %r" % (n, lead_so_far[:30], lead))
                    lead = ""
                glyphs, number = split_number(l)
                text += "".join(g.c for g in glyphs)
                lines.append((l, glyphs))
                if number is not None:
                    entries.append(TocEntry(text, number, lines, n))
                    text, lines = "", []
        if text:
            problems.append("contents: text after the last page number: %r" % text[:40])
    return entries, problems


def page_lines(texts, heads, sheet):
    """Per page: its non-empty pdftotext lines without whitespace, the running
    head (first line, when it is the head) and the folio (last line) off."""
    out = []
    for n, t in enumerate(texts, 1):
        lines = [pc.nows(x) for x in t.splitlines() if x.strip()]
        if heads and heads[n - 1] and lines and lines[0] == pc.nows(heads[n - 1]):
            lines = lines[1:]
        if sheet.master_of(n).folio and lines and lines[-1] == str(n):
            lines = lines[:-1]
        out.append(lines)
    return out


def landing_pages(lines_by_page, sheet, titles):
    """For each title in order, the body page where it lands: consecutive lines
    joining to exactly the title, searched from where the previous title was
    found; None when it is nowhere."""
    out = []
    page, start = sheet.first_body_page, 0
    for t in titles:
        found = None
        n = page
        while n <= len(lines_by_page) and found is None:
            ls = lines_by_page[n - 1]
            for i in range(start if n == page else 0, len(ls)):
                acc = ""
                for j in range(i, len(ls)):
                    acc += ls[j]
                    if acc == t:
                        found = (n, j + 1)
                        break
                    if not t.startswith(acc):
                        break
                if found:
                    break
            n += 1
        out.append(found[0] if found else None)
        if found:
            page, start = found
    return out


def expand_head(pattern, title, section):
    """A running-head pattern with {title} and {section} filled in, whitespace removed."""
    return pc.nows(pattern.replace("{title}", title or "").replace("{section}", section or ""))


def current_title(titles, landed, n):
    """The outline title current on page n: the first landing on it, else the last before it."""
    on = [t for t, p in zip(titles, landed) if p == n]
    if on:
        return on[0]
    before = [t for t, p in zip(titles, landed) if p is not None and p < n]
    return before[-1] if before else ""


# --------------------------------------------------------------------------
# Checks: each returns (problems, figures)
# --------------------------------------------------------------------------
def check_toc(entries, titles, landed):
    problems = []
    got = [e.title for e in entries]
    if got != titles:
        for i, (a, b) in enumerate(zip(got + [None] * len(titles), titles + [None] * len(got))):
            if a != b:
                problems.append("contents entry %d is %r, the outline of the source has %r (%d entries, %d titles)"
                                % (i + 1, a, b, len(got), len(titles)))
                break
    for e, t, p in zip(entries, titles, landed):
        if e.title != t:
            break
        if p is None:
            problems.append("%r (contents: page %d) lands on no body page" % (t, e.number))
        elif e.number != p:
            problems.append("%r: the contents say page %d, it lands on page %d" % (t, e.number, p))
    nums = [str(e.number) for e in entries]
    return problems, "%d entries on page%s %s; numbers %s equal the landing pages" % (
        len(entries), "s" if len({e.page for e in entries}) > 1 else "",
        ",".join(sorted({str(e.page) for e in entries}, key=int)) or "-",
        ",".join(nums) if len(nums) <= 16 else ",".join(nums[:8]) + ",...," + ",".join(nums[-4:]))


def check_outline(outline, entries):
    problems = []
    bad = [e[1] for e in outline if e[0] is None]
    if bad:
        problems.append("unparsed outline line: %r" % bad[0])
    outline = [e for e in outline if e[0] is not None]
    if len(outline) != len(entries):
        problems.append("%d outline entries, %d contents entries" % (len(outline), len(entries)))
    for i, ((depth, title, page), e) in enumerate(zip(outline, entries)):
        if pc.nows(title) != e.title:
            problems.append("outline entry %d is %r, contents entry %d is %r" % (i + 1, title, i + 1, e.title))
        elif page != e.number:
            problems.append("outline entry %d %r points at page %s, the contents say %d"
                            % (i + 1, title, page, e.number))
    indents = {}
    for (depth, title, page), e in zip(outline, entries):
        indents.setdefault(depth, []).append(e.indent)
    for depth, xs in indents.items():
        if max(xs) - min(xs) > 0.5:
            problems.append("outline depth %d: contents entries indented %.2f..%.2f, expected one indent"
                            % (depth, min(xs), max(xs)))
    depths = sorted(indents)
    for a, b in zip(depths, depths[1:]):
        if not min(indents[b]) > max(indents[a]) + 0.5:
            problems.append("outline depth %d is not indented more than depth %d in the contents" % (b, a))
    return problems, "%d entries, depths %s, same titles, order and pages as the contents" % (
        len(outline), "/".join(map(str, depths)))


def check_links(entries, links_by_page, title_tops):
    """links_by_page: {page: PdfModel.links(page)}; title_tops: per entry the
    top of its title's first line on the landing page (None when unknown)."""
    problems, covered = [], 0
    for e, top in zip(entries, title_tops):
        for l, glyphs in e.lines:
            pts = [((g.x0 + g.x1) / 2, (g.top + g.bottom) / 2) for g in glyphs]
            over = [k for k in links_by_page.get(e.page, [])
                    if all(k[0][0] - pc.EPS <= x <= k[0][2] + pc.EPS and k[0][1] - pc.EPS <= y <= k[0][3] + pc.EPS
                           for x, y in pts)]
            if not over:
                problems.append("page %d: no link annotation over the contents line %r" % (e.page, l.text[:30]))
                continue
            good = [k for k in over if k[1] == e.number - 1]
            if not good:
                problems.append("page %d: the link over %r goes to page index %s, expected %d (page %d)"
                                % (e.page, l.text[:30], over[0][1], e.number - 1, e.number))
                continue
            view = good[0][2]
            if view is not None and top is not None and not (top - DEST_ABOVE <= view <= top + 0.5):
                problems.append("page %d: the link over %r shows page %d from y %.2f, the title's top is at %.2f"
                                % (e.page, l.text[:30], e.number, view, top))
                continue
            covered += 1
    nlinks = sum(len(v) for v in links_by_page.values())
    return problems, "%d contents lines under %d link annotations, each to page (number - 1)" % (covered, nlinks)


def check_heads(pages, sheet, meta, titles, landed):
    problems, shown = [], []
    for p in pages:
        n = p.number
        master = sheet.master_of(n)
        area = sheet.text_area(n)
        first = p.lines[0] if p.lines else None
        is_head = first is not None and first.bottom < area[1] + pc.EPS
        if not sheet.is_body(n):
            if is_head:
                problems.append("page %d (%s): a line above the text area: %r" % (n, sheet.role(n), first.text))
            continue
        pattern = master.head(n)
        want = expand_head(pattern, meta.get("title"), current_title(titles, landed, n)) if pattern else ""
        got = first.text if is_head else ""
        if got != want:
            problems.append("page %d (%s): first line %r, expected the running head %r" % (
                n, "verso" if n % 2 == 0 else "recto", first.text if first else None, want or "(none)"))
        elif want:
            shown.append("%d:%s" % (n, want[:6]))
    return problems, "%d running heads (%s)" % (len(shown), ", ".join(shown) if len(shown) <= 8
                                                 else ", ".join(shown[:6]) + ", ...")


def check_folios(pages, sheet):
    problems, folios, none = [], [], []
    for p in pages:
        n = p.number
        master = sheet.master_of(n)
        _, above, below = pc.furniture(p, sheet.text_area(n))
        if n == 1 and above:
            problems.append("page 1 (cover): a running head %r" % above[0].text)
        if not master.folio:
            none.append(n)
            if below:
                problems.append("page %d (%s, folio=no): %r below the text area" % (n, sheet.role(n), below[0].text))
            continue
        got = below[-1].text if below else None
        if got != str(n):
            problems.append("page %d: folio %r, expected the physical page number %d" % (n, got, n))
        else:
            folios.append(n)
    return problems, "no folio on page%s %s; folios %s" % (
        "s" if len(none) != 1 else "", ",".join(map(str, none)) or "-",
        "%d..%d on pages %d..%d" % (folios[0], folios[-1], folios[0], folios[-1]) if folios else "none")


def read_ppm(data):
    """(width, height, rgb bytes) of a binary PPM (P6, maxval 255)."""
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m or m.group(3) != b"255":
        raise ValueError("not a P6 PPM with maxval 255")
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + 3 * w * h]


def colour_share(img, colour, region=None, exclude=()):
    """Share of the pixels of img in region (x0, y0, x1, y1 in pixels), less
    those in the rectangles of exclude, within BG_TOL of colour."""
    w, h, px = img
    x0, y0, x1, y1 = region or (0, 0, w, h)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    mask = bytearray(w * h)
    for e in exclude:
        ex0, ex1 = max(0, e[0]), min(w, e[2])
        if ex1 > ex0:
            for y in range(max(0, e[1]), min(h, e[3])):
                mask[y * w + ex0:y * w + ex1] = b"\x01" * (ex1 - ex0)
    r0, g0, b0 = colour
    hit = total = 0
    for y in range(y0, y1):
        base = y * w
        for x in range(x0, x1):
            if mask[base + x]:
                continue
            total += 1
            i = 3 * (base + x)
            if abs(px[i] - r0) <= BG_TOL and abs(px[i + 1] - g0) <= BG_TOL and abs(px[i + 2] - b0) <= BG_TOL:
                hit += 1
    return hit / total if total else 0.0


def parse_colour(s):
    s = s.lstrip("#")
    if len(s) == 3:
        s = "".join(c * 2 for c in s)
    return tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))


def check_background(renders, sheet):
    """renders: {page: (img, (media, trim, bleed) in PDF coordinates, text
    boxes in trimmed coordinates)} for each page of a master with a
    background.  Outside its text lines (antialiased glyphs are mixed
    colours) the page, or its BleedBox when the PDF has one beyond the
    TrimBox, is >= 99% the master's background colour; the bleed strip
    outside the trim too."""
    problems, figs = [], []
    for n, (img, (media, trim, bleed), boxes) in sorted(renders.items()):
        colour = parse_colour(sheet.master_of(n).background)
        w, h, _ = img
        sx = sy = RENDER_DPI / 72.0     # the image is rounded up to whole pixels
        # pixels wholly inside a box (a partly covered edge pixel is mixed)
        px = lambda b: (math.ceil((b[0] - media[0]) * sx), math.ceil((media[3] - b[3]) * sy),
                        math.floor((b[2] - media[0]) * sx), math.floor((media[3] - b[1]) * sy))
        # pixels touching a box
        touching = lambda b: (math.floor((b[0] - media[0]) * sx), math.floor((media[3] - b[3]) * sy),
                              math.ceil((b[2] - media[0]) * sx), math.ceil((media[3] - b[1]) * sy))
        ox, oy = trim[0] - media[0], media[3] - trim[3]
        text = [(int((x0 + ox) * sx) - 1, int((t + oy) * sy) - 1, int((x1 + ox) * sx) + 2, int((b + oy) * sy) + 2)
                for x0, t, x1, b in boxes]
        has_bleed = bleed[0] < trim[0] - 0.5 and bleed[3] > trim[3] + 0.5
        region = px(bleed if has_bleed else trim)
        raw = colour_share(img, colour, region)
        share = colour_share(img, colour, region, exclude=text)
        fig = "page %d: %.1f%% %s outside the text (%.1f%% with it)" % (
            n, 100 * share, sheet.master_of(n).background, 100 * raw)
        if share < BG_SHARE:
            problems.append("page %d (%s): outside its text %.1f%% of the %s is the background %s, expected >= %d%%"
                            % (n, sheet.role(n), 100 * share, "BleedBox" if has_bleed else "page",
                               sheet.master_of(n).background, 100 * BG_SHARE))
        if has_bleed:
            strip = colour_share(img, colour, px(bleed), exclude=[touching(trim)])
            fig += ", bleed strip %.1f%%" % (100 * strip)
            if strip < BG_SHARE:
                problems.append("page %d: the bleed strip outside the trim is %.1f%% background, expected >= %d%%"
                                % (n, 100 * strip, 100 * BG_SHARE))
        else:
            fig += " (no BleedBox beyond the trim in this PDF)"
        figs.append(fig)
    if not renders:
        problems.append("no page on a master with a background")
    return problems, "; ".join(figs)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
class Booklet:
    """Everything the checks read from one PDF and its source."""

    def __init__(self, pdf, xml_path, style_path, render=True):
        self.pdf = pdf
        self.model = PdfModel(pdf)
        self.texts = pc.page_texts(pdf)
        self.pages = trimmed_pages(pdf, self.model)
        self.sheet = pc.prepare_sheet(style_path, pdf, xml_path, self.texts)
        self.meta = pc.read_meta(xml_path)
        self.titles = [t for _, t in pc.expected_outline(xml_path, self.sheet)]
        self.outline = pc.parse_outline(pc.run(["mutool", "show", pdf, "outline"]))
        self.heads = pc.head_texts(self.pages, self.sheet)
        self.lines = page_lines(self.texts, self.heads, self.sheet)
        self.landed = landing_pages(self.lines, self.sheet, self.titles)
        self.entries, self.toc_problems = toc_entries(self.pages, self.sheet, self.meta)
        self.links = {n: self.model.links(n) for n in {e.page for e in self.entries}}
        self.renders = self.render() if render else {}

    def title_tops(self, entries=None):
        """Per contents entry: the top of its title's first line on the page it
        names (stext), or None."""
        out = []
        for e in entries or self.entries:
            top = None
            if 1 <= e.number <= len(self.pages):
                body = pc.text_lines(self.pages[e.number - 1], self.sheet)
                for i in range(len(body)):
                    acc = ""
                    for l in body[i:]:
                        acc += l.text
                        if acc == e.title:
                            top = body[i].top
                        if not e.title.startswith(acc) or top is not None:
                            break
                    if top is not None:
                        break
            out.append(top)
        return out

    def render(self):
        out = {}
        for n in range(1, len(self.pages) + 1):
            if not self.sheet.master_of(n).background:
                continue
            # poppler converts a CMYK fill through the output intent's profile
            # (mutool without ICC support would not)
            data = run_bytes(["pdftoppm", "-r", str(RENDER_DPI), "-f", str(n), "-l", str(n), self.pdf])
            out[n] = (read_ppm(data), (self.model.box(n, "/MediaBox"), self.model.box(n, "/TrimBox"),
                                       self.model.box(n, "/BleedBox")),
                      [l.bbox() for l in self.pages[n - 1].lines])
        return out


def run_bytes(cmd):
    import subprocess
    p = pc.run_tool(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d" % (" ".join(cmd), p.returncode))
    return p.stdout


def run_checks(b, only=None):
    """{name: (problems, figures)} for the booklet b."""
    funcs = {
        "toc": lambda: check_toc(b.entries, b.titles, b.landed),
        "outline": lambda: check_outline(b.outline, b.entries),
        "links": lambda: check_links(b.entries, b.links, b.title_tops()),
        "heads": lambda: check_heads(b.pages, b.sheet, b.meta, b.titles, b.landed),
        "folios": lambda: check_folios(b.pages, b.sheet),
        "background": lambda: check_background(b.renders, b.sheet),
    }
    out = {}
    for name, f in funcs.items():
        if only is None or name in only:
            probs, fig = f()
            if name == "toc":
                probs = b.toc_problems + probs
            out[name] = (probs, fig)
    return out


TITLES = {"toc": "contents: every outline title, its page number where it lands",
          "outline": "the outline mirrors the contents (titles, order, pages, depth by indent)",
          "links": "each contents line links to page (number - 1)",
          "heads": "running heads: verso the title, recto the current section; none in the front matter",
          "folios": "no folio on folio=no pages, none or head on the cover; folios are physical page numbers",
          "background": "pages on a master with a background are that colour (>= 99% outside the text)"}


def cmd_check(pdf, xml_path, style_path, selftest_dir=None, expect_fail=(), label="", only=None):
    rep = pc.Report()
    if expect_fail:
        b = Booklet(pdf, xml_path, style_path, render="background" in expect_fail)
        results = run_checks(b, only=expect_fail)
        for name in expect_fail:
            probs, fig = results[name]
            rep.group("%smutation detected by %s" % (label + ": " if label else "", name),
                      [] if probs else ["the check passed: %s" % fig], probs[0][:150] if probs else "")
        return rep.failed
    b = Booklet(pdf, xml_path, style_path, render=not only or "background" in only)
    if label:
        print("# %s" % label)
    print("# %d pages: %s; body %d-%d" % (
        len(b.pages), ", ".join("%s %s" % (part.master.name, "-".join(map(str, (r[0], r[-1]))) if len(r) > 1
                                           else r[0]) for part, r in zip(b.sheet.parts, map(
                                               b.sheet.part_range, range(len(b.sheet.parts))))),
        b.sheet.first_body_page, len(b.pages)))
    for name, (probs, fig) in run_checks(b, only).items():
        rep.group("%s%s: %s" % (label + ": " if label else "booklet: ", name, TITLES[name]), probs, fig)
    if selftest_dir:
        rep.failed += selftest(pdf, xml_path, style_path, selftest_dir, b)
    return rep.failed


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------
def write_png(path, w, h, corrupt=False):
    """A w x h 8-bit RGB PNG (a colour ramp); corrupt: its image data is garbage."""
    row = lambda y: b"\0" + bytes(v for x in range(w) for v in (x * 255 // max(1, w - 1), y * 255 // max(1, h - 1), 96))
    data = zlib.compress(b"".join(row(y) for y in range(h)))
    if corrupt:
        data = bytes((i * 37 + 11) & 0xFF for i in range(len(data)))

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def write_fixtures(d):
    """The test images of booklet.sh in directory d: photo.png 300x200,
    wide.png 1600x100 (wider than the measure at 300 dpi), random.png
    (bytes that are no image), truncated.png (a PNG signature and half an
    IHDR), baddata.png (a valid signature and IHDR, garbage image data)."""
    write_png(os.path.join(d, "photo.png"), 300, 200)
    write_png(os.path.join(d, "wide.png"), 1600, 100)
    write_png(os.path.join(d, "baddata.png"), 300, 200, corrupt=True)
    with open(os.path.join(d, "random.png"), "wb") as f:
        f.write(bytes((i * 131 + 7) * 17 % 251 for i in range(700)))     # starts 0x77: no image signature
    with open(os.path.join(d, "truncated.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00")


def image_size(path):
    """(width, height) in pixels of a PNG (IHDR) or JPEG (first SOF marker)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            m = data[i + 1]
            if m in (0xD8, 0x01) or 0xD0 <= m <= 0xD7 or m == 0xFF:
                i += 1 if m == 0xFF else 2
                continue
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + length
    raise ValueError("%s: not a PNG or JPEG file" % path)


def parse_pdfimages(text):
    """pdfimages -list -> [dict(page, type, width, height, enc, xppi, yppi)]."""
    out = []
    for line in text.splitlines()[2:]:
        t = line.split()
        if len(t) >= 14 and t[0].isdigit():
            out.append({"page": int(t[0]), "type": t[2], "width": int(t[3]), "height": int(t[4]),
                        "enc": t[8], "xppi": float(t[12]), "yppi": float(t[13])})
    return out


def parse_trace_images(text):
    """mutool draw -F trace -> {page: [(a, d, e, f, width px, height px)]}."""
    out, page = {}, 0
    for line in text.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<fill_image .*transform="([-0-9. ]+)" width="(\d+)" height="(\d+)"', line)
        if m:
            a, b, c, d, e, f = (float(v) for v in m.group(1).split())
            out.setdefault(page, []).append((a, d, e, f, int(m.group(2)), int(m.group(3))))
    return out


def expected_images(xml_path):
    """[(src resolved against the XML's directory, pixel size)] of every <image>, in order."""
    base = os.path.dirname(xml_path)
    out = []
    for el in pc.parse_source(xml_path).getroot().iter("image"):
        path = os.path.join(base, el.get("src"))
        out.append((path, image_size(path)))
    return out


def check_images(listed, traced, want, sheet, model, dpi=300.0):
    """Every image of the source appears once, in order, at its pixel size,
    drawn at dpi (or scaled down to the measure when wider), inside the text
    area and centred on it."""
    problems = []
    if len(listed) != len(want):
        problems.append("pdfimages lists %d images, the document has %d" % (len(listed), len(want)))
    figs = []
    placed = [(n, t) for n in sorted(traced) for t in traced[n]]
    for i, ((path, (w, h)), got) in enumerate(zip(want, listed)):
        name = os.path.basename(path)
        if (got["width"], got["height"]) != (w, h):
            problems.append("image %d (%s): %dx%d pixels in the PDF, the file has %dx%d"
                            % (i + 1, name, got["width"], got["height"], w, h))
            continue
        area = sheet.text_area(got["page"])
        measure = area[2] - area[0]
        natural = w * 72.0 / dpi
        ppi = dpi if natural <= measure + 0.01 else w * 72.0 / measure
        if abs(got["xppi"] - round(ppi)) > 1.5 or abs(got["yppi"] - round(ppi)) > 1.5:
            problems.append("image %d (%s): %g x %g ppi, expected %.0f (%s)" % (
                i + 1, name, got["xppi"], got["yppi"], ppi, "its natural size" if ppi == dpi else "scaled to the measure"))
        if i < len(placed):
            n, (a, d, e, f, pw, ph) = placed[i]
            shown, trim = model.shown(n), model.box(n, "/TrimBox")
            x0, y0 = e - (trim[0] - shown[0]), f - (shown[3] - trim[3])
            width, height = abs(a), abs(d)
            top = min(y0, y0 + d) if d else y0
            if abs(width - w * 72.0 / ppi) > 0.1:
                problems.append("image %d (%s): drawn %.2f pt wide, expected %.2f" % (i + 1, name, width, w * 72.0 / ppi))
            if x0 < area[0] - 0.1 or x0 + width > area[2] + 0.1 or top < area[1] - 0.1 or top + height > area[3] + 0.1:
                problems.append("image %d (%s): drawn at x %.2f..%.2f, y %.2f..%.2f, outside the text area"
                                % (i + 1, name, x0, x0 + width, top, top + height))
            elif abs((x0 + width / 2) - (area[0] + area[2]) / 2) > 0.5:
                problems.append("image %d (%s): centred at x %.2f, the measure's centre is %.2f"
                                % (i + 1, name, x0 + width / 2, (area[0] + area[2]) / 2))
        figs.append("%s %dx%d %s %gppi p%d" % (name, w, h, got["enc"], got["xppi"], got["page"]))
    if len(placed) != len(want):
        problems.append("mutool draws %d images, the document has %d" % (len(placed), len(want)))
    return problems, "; ".join(figs)


def cmd_images(pdf, xml_path, style_path):
    rep = pc.Report()
    texts = pc.page_texts(pdf)
    sheet = pc.prepare_sheet(style_path, pdf, xml_path, texts)
    model = PdfModel(pdf)
    listed = parse_pdfimages(pc.run(["pdfimages", "-list", pdf]))
    traced = parse_trace_images(pc.run(["mutool", "draw", "-q", "-F", "trace", "-o", "-", pdf]))
    want = expected_images(xml_path)
    probs, fig = check_images(listed, traced, want, sheet, model)
    rep.group("images: every <image> in the PDF at its pixel size, 300 dpi or the measure, centred", probs, fig)
    if probs or len(want) < 2:
        return rep.failed
    # the check must fail on planted faults in what it read
    import copy
    quiet = pc.Report(quiet=True)
    first = min(traced)

    def moved(dx=0.0, scale=1.0, drop=False):
        t = copy.deepcopy(traced)
        if drop:
            t[first].pop(0)
        else:
            a, d, e, f, w, h = t[first][0]
            t[first][0] = (a * scale, d * scale, e + dx, f, w, h)
        return t

    def listed_with(**kv):
        l = copy.deepcopy(listed)
        l[0].update(kv)
        return l

    faults = [
        ("the first image listed at half its width", listed_with(width=listed[0]["width"] // 2), traced),
        ("the first image at 150 ppi", listed_with(xppi=150.0, yppi=150.0), traced),
        ("the first image drawn 5 pt right of centre", listed, moved(dx=5.0)),
        ("the first image drawn at twice its size", listed, moved(scale=2.0)),
        ("the first image not drawn", listed[1:], moved(drop=True)),
        ("the images in another order", listed[::-1], traced),
    ]
    for what, l, t in faults:
        p, _ = check_images(l, t, want, sheet, model)
        quiet.group("images: detects %s" % what, [] if p else ["the check passed"])
    if not quiet.failed:
        print("ok images self-test: %d planted faults detected" % len(faults))
    return rep.failed + quiet.failed


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------
def plant_links(pdf, out, b, wrong=None):
    """Copy pdf to out with a /Link annotation over every line of every
    contents entry (qpdf --update-from-json), pointing where it should, or
    with one fault: wrong = "dest" (entry 3 one page further), "missing"
    (entry 2 without links), "rect" (entry 4's rectangle over entry 5's
    line), "view" (the entry whose title is lowest on its page shown from
    the page's top edge).  A correct link shows its page from 6 pt above
    the title."""
    j = json.loads(pc.run(["qpdf", "--json=2", "--json-key=pages", "--json-key=qpdf", pdf]))
    objs, refs = j["qpdf"][1], [p["object"] for p in j["pages"]]
    nextid = j["qpdf"][0]["maxobjectid"] + 1
    model = b.model
    tops = b.title_tops()
    far = max(range(len(tops)), key=lambda i: tops[i] or 0)
    update, annots = {}, {}
    lines = [(i, l) for i, e in enumerate(b.entries) for l, _ in e.lines]
    for i, l in lines:
        e = b.entries[i]
        if wrong == "missing" and i == 1:
            continue
        target = e.number - 1 + (1 if wrong == "dest" and i == 2 else 0)
        src = l
        if wrong == "rect" and i == 3:
            src = b.entries[4].lines[0][0]
        t = model.box(e.page, "/TrimBox")
        rect = [t[0] + src.x0 - 1, t[3] - (src.bottom + 1), t[0] + src.x1 + 1, t[3] - (src.top - 1)]
        tt = model.box(target + 1, "/TrimBox") if target < len(refs) else t
        view = 0.0 if wrong == "view" and i == far else (tops[i] or 0.0) - 6
        ref = "%d 0 R" % nextid
        nextid += 1
        update["obj:" + ref] = {"value": {"/Type": "/Annot", "/Subtype": "/Link", "/Rect": rect,
                                          "/Border": [0, 0, 0],
                                          "/Dest": [refs[min(target, len(refs) - 1)], "/XYZ", 0, tt[3] - view, None]}}
        annots.setdefault(e.page, []).append(ref)
    for n, rs in annots.items():
        val = dict(objs["obj:" + refs[n - 1]]["value"])
        val["/Annots"] = rs
        update["obj:" + refs[n - 1]] = {"value": val}
    head = {"jsonversion": 2, "pushedinheritedpageresources": False, "calledgetallpages": False,
            "maxobjectid": nextid - 1}
    with open(out + ".json", "w") as f:
        json.dump({"qpdf": [head, update]}, f)
    pc.run(["qpdf", pdf, out, "--update-from-json=" + out + ".json"])
    os.unlink(out + ".json")


def selftest(pdf, xml_path, style_path, tmpdir, b=None):
    import copy
    rep = pc.Report(quiet=True)
    b = b or Booklet(pdf, xml_path, style_path)
    base = run_checks(b)
    for name, (probs, _) in base.items():
        if name != "links":         # links: on planted copies below
            rep.group("selftest: %s passes on the good PDF" % name, probs)

    def mutant(**changes):
        m = copy.copy(b)
        for k, v in changes.items():
            setattr(m, k, v)
        return m

    def with_pages(f):
        pages = pc.clone_pages(b.pages)
        f(pages)
        return mutant(pages=pages)

    def shift(line, dy):
        for ch in line.chars:
            ch.y += dy

    B = b.sheet.first_body_page
    entries = b.entries

    def renumber(i, delta):
        es = [copy.copy(e) for e in entries]
        es[i].number += delta
        return es

    def recolour(share):
        # repaint the first `share` of the cover's pixels white
        n, (img, boxes, text) = next(iter(b.renders.items()))
        w, h, px = img
        k = int(w * h * share)
        return mutant(renders={n: ((w, h, b"\xff" * (3 * k) + px[3 * k:]), boxes, text)})

    def no_bleed(img_share=0.0):
        # the background drawn on the trimmed page only: the bleed strip left white
        n, (img, (media, trim, bleed), text) = next(iter(b.renders.items()))
        w, h, px = img
        sx = sy = RENDER_DPI / 72.0
        x0, y0 = round((trim[0] - media[0]) * sx), round((media[3] - trim[3]) * sy)
        x1, y1 = round((trim[2] - media[0]) * sx), round((media[3] - trim[1]) * sy)
        out = bytearray(px)
        for y in range(h):
            for x in range(w):
                if not (x0 <= x < x1 and y0 <= y < y1):
                    out[3 * (w * y + x):3 * (w * y + x) + 3] = b"\xff\xff\xff"
        if bleed[0] >= trim[0] - 0.5:           # no bleed in this PDF: fake one for the check
            bleed = (trim[0] - 8.5, trim[1] - 8.5, trim[2] + 8.5, trim[3] + 8.5)
            media = bleed
        return mutant(renders={n: ((w, h, bytes(out)), (media, trim, bleed), text)})

    def heads_swapped(pages):
        a, c = pages[B - 1], pages[B]         # a verso and the recto after it
        ha, hc = pc.furniture(a, b.sheet.text_area(B))[1][0], pc.furniture(c, b.sheet.text_area(B + 1))[1][0]
        ha.glyphs[:], hc.glyphs[:] = list(hc.glyphs), list(ha.glyphs)

    def stale_recto(pages):
        # a recto whose head names the previous outline title rather than the one landing on it
        n = next(n for n in range(B, len(pages) + 1) if n % 2 == 1 and n in b.landed
                 and b.titles.index(current_title(b.titles, b.landed, n)) > 0)
        prev = b.titles[b.titles.index(current_title(b.titles, b.landed, n)) - 1]
        h = pages[n - 1].lines[0]
        h.glyphs[:] = [copy.copy(h.glyphs[0]) for _ in prev]
        for g, c in zip(h.glyphs, prev):
            g.c = c

    def drop_head(pages):
        pages[B - 1].lines.pop(0)

    def head_on_front(pages):
        pages[1].lines.insert(0, pages[B - 1].lines[0])

    def folio_on_cover(pages):
        pages[0].lines.append(pages[B - 1].lines[-1])

    def body_numbering(pages):
        f = pages[B - 1].lines[-1]
        f.glyphs[:] = f.glyphs[:1]
        f.glyphs[0].c = "1"           # the body numbered from 1

    def outline_page(i, delta):
        ol = list(b.outline)
        d, t, p = ol[i]
        ol[i] = (d, t, p + delta)
        return ol

    def outline_depth():
        ol = list(b.outline)
        d, t, p = ol[1]
        ol[1] = (d - 1, t, p)
        return ol

    muts = [
        ("toc", "an entry's number one too high", lambda: mutant(entries=renumber(2, 1))),
        ("toc", "two entries swapped", lambda: mutant(entries=[entries[1], entries[0]] + entries[2:])),
        ("toc", "a title landing one page later", lambda: mutant(
            landed=b.landed[:5] + [b.landed[5] + 1] + b.landed[6:])),
        ("toc", "an entry missing", lambda: mutant(entries=entries[:4] + entries[5:])),
        ("outline", "an entry pointing one page further", lambda: mutant(outline=outline_page(6, 1))),
        ("outline", "entries swapped", lambda: mutant(outline=[b.outline[1], b.outline[0]] + b.outline[2:])),
        ("outline", "a title changed", lambda: mutant(outline=[(d, t + "外" if i == 3 else t, p)
                                                               for i, (d, t, p) in enumerate(b.outline)])),
        ("outline", "a callout entry at its section's depth", lambda: mutant(outline=outline_depth())),
        ("heads", "verso and recto heads swapped", lambda: with_pages(heads_swapped)),
        ("heads", "a recto head naming the previous title", lambda: with_pages(stale_recto)),
        ("heads", "a body page without its head", lambda: with_pages(drop_head)),
        ("heads", "a running head on the title page", lambda: with_pages(head_on_front)),
        ("folios", "a folio on the cover", lambda: with_pages(folio_on_cover)),
        ("folios", "the body numbered from 1", lambda: with_pages(body_numbering)),
        ("background", "a white cover", lambda: recolour(1.0)),
        ("background", "a cover only 90% background", lambda: recolour(0.10)),
        ("background", "a background stopping at the trim", lambda: no_bleed()),
    ]
    for name, what, make in muts:
        try:
            probs = run_checks(make(), only=(name,))[name][0]
        except Exception as e:      # a planted fault that no longer applies
            rep.group("selftest: %s detects %s" % (name, what), ["cannot plant the fault: %r" % e])
            continue
        rep.group("selftest: %s detects %s" % (name, what), [] if probs else ["the check passed"])

    # links: real annotations planted into copies of the PDF
    nlinks = 0
    for wrong, what in ((None, None), ("dest", "a link to the wrong page"),
                        ("missing", "an entry without a link"), ("rect", "a link over another entry's line"),
                        ("view", "a link showing the page far above its title")):
        out = os.path.join(tmpdir, "links-%s.pdf" % (wrong or "good"))
        try:
            plant_links(pdf, out, b, wrong)
            model = PdfModel(out)
            links = {n: model.links(n) for n in {e.page for e in entries}}
            probs = check_links(entries, links, b.title_tops())[0]
        except Exception as e:
            rep.group("selftest: links on planted annotations (%s)" % (wrong or "good"), ["cannot plant: %r" % e])
            continue
        nlinks += 1
        if wrong is None:
            rep.group("selftest: links passes on correct planted annotations", probs)
        else:
            rep.group("selftest: links detects %s" % what, [] if probs else ["the check passed"])
    if not rep.failed:
        print("ok booklet self-test: %d checks pass on %s (links on planted annotations), %d planted faults "
              "detected" % (len(base), os.path.basename(pdf), len(muts) + nlinks - 1))
    return rep.failed


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "check":
            opts, pos, key = {"--selftest": None, "--expect-fail": [], "--label": "", "--only": []}, [], None
            for a in args:
                if a in opts:
                    key = a
                elif key in ("--expect-fail", "--only"):
                    if a not in TITLES:
                        raise ValueError("unknown check %r" % a)
                    opts[key].append(a)
                elif key:
                    opts[key], key = a, None
                else:
                    pos.append(a)
            return 1 if cmd_check(*pos, selftest_dir=opts["--selftest"], expect_fail=opts["--expect-fail"],
                                  label=opts["--label"], only=opts["--only"] or None) else 0
        if cmd == "fixtures":
            write_fixtures(args[0])
            return 0
        if cmd == "selftest":
            return 1 if selftest(*args) else 0
        if cmd == "images":
            return 1 if cmd_images(*args) else 0
        if cmd == "png":
            write_png(args[0], int(args[1]), int(args[2]), corrupt=args[3:] == ["corrupt"])
            return 0
        if cmd == "jpeg-size":
            print("%d %d" % image_size(args[0]))
            return 0
    except (RuntimeError, ValueError, pc.ET.ParseError, OSError, KeyError, IndexError) as e:
        print("FAIL %s: cannot run the check: %s" % (cmd, e))
        return 1
    print("FAIL booklet: unknown command %r" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
