#!/usr/bin/env python3
"""printcheck: checks of paiban's print edition (boxes, imposition, marks, PDF/X).

Standard library only; reads PDFs through qpdf --json (structure), pdftotext
(the text of each half-sheet), mutool draw -F trace (what the marks draw) and
pdfinfo -meta (XMP).  Every check is a function from parsed data to a list
of problems, so ``selftest`` can plant faults in the parsed data and see
each check fail.  Commands print "ok NAME: detail" / "FAIL NAME: reason"
lines (pdfcheck.Report) and exit 1 when a group failed.

Coordinates: PDF boxes are [x0 y0 x1 y1] in PDF space (y up); marks and
half-sheets are compared in mutool's top-left space.

Commands:
  boxes PDF STYLE [--marks]     1-up: TrimBox = the page, BleedBox = trim + bleed,
                                MediaBox = BleedBox (+ 9 mm with marks), every page
  sheets PDF STYLE              imposed: TrimBox = the spread, centred, bleed around it
  order ONEUP IMPOSED           each half-sheet shows the page the booklet order wants
  marks PDF [--saddle]          registration marks and slug outside the BleedBox
  meta PDF XML                  XMP, Info, OutputIntent, /ID, version, links
  nolinks PDF                   no annotations (imposed sheets)
  selftest ONEUP IMPOSED STYLE XML   every check fails on planted faults
"""

import copy
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

MM = 72 / 25.4
MARK_MARGIN = 9 * MM      # impose.h: IMPOSE_MARK_MARGIN
TOL = 0.02
NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
      "dc": "http://purl.org/dc/elements/1.1/",
      "xmp": "http://ns.adobe.com/xap/1.0/",
      "pdfxid": "http://www.npes.org/pdfx/ns/id/"}


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
class Pdf:
    """The objects of a PDF as qpdf --json=2 gives them, with page boxes."""

    def __init__(self, path):
        self.path = path
        data = json.loads(pc.run(["qpdf", "--json=2", "--json-key=pages", "--json-key=qpdf", path]))
        self.header, self.objects = data["qpdf"]
        self.page_refs = [p["object"] for p in data["pages"]]
        self.pages = [self.value(ref) for ref in self.page_refs]
        self.trailer = self.objects["trailer"]["value"]

    def value(self, ref):
        """The value of an indirect reference ("12 0 R"), or ref itself."""
        if isinstance(ref, str) and ref.endswith(" R") and ("obj:" + ref) in self.objects:
            obj = self.objects["obj:" + ref]
            return obj.get("value", obj.get("stream", {}).get("dict"))
        return ref

    def boxes(self, page):
        """Media, Crop, Bleed and Trim boxes of a page dict, with PDF's defaults."""
        media = page["/MediaBox"]
        crop = page.get("/CropBox", media)
        return {"media": media, "crop": crop, "bleed": page.get("/BleedBox", crop),
                "trim": page.get("/TrimBox", crop), "explicit": "/TrimBox" in page and "/BleedBox" in page}


def near(a, b):
    return all(abs(x - y) <= TOL for x, y in zip(a, b))


def grow(box, d):
    return [box[0] - d, box[1] - d, box[2] + d, box[3] + d]


def fmt(box):
    return "[%s]" % " ".join("%.2f" % v for v in box)


# --------------------------------------------------------------------------
# Boxes
# --------------------------------------------------------------------------
def check_boxes(boxes, width, height, bleed, margin):
    """1-up pages: trim is the page, bleed around it, media around that."""
    problems = []
    for n, b in enumerate(boxes, 1):
        t = b["trim"]
        if not b["explicit"]:
            problems.append("page %d: no TrimBox or BleedBox entry" % n)
        if abs(t[2] - t[0] - width) > TOL or abs(t[3] - t[1] - height) > TOL:
            problems.append("page %d: TrimBox %s is not %.2f x %.2f" % (n, fmt(t), width, height))
        if not near(b["bleed"], grow(t, bleed)):
            problems.append("page %d: BleedBox %s, want %s" % (n, fmt(b["bleed"]), fmt(grow(t, bleed))))
        if not near(b["media"], grow(b["bleed"], margin)) or b["media"][:2] != [0, 0]:
            problems.append("page %d: MediaBox %s, want %s" % (n, fmt(b["media"]),
                                                                fmt(grow(b["bleed"], margin))))
    return problems


def check_sheets(boxes, width, height, bleed):
    """Imposed sheets: the trim is a spread of two pages centred on the sheet,
    the bleed around it (cut at the sheet edge)."""
    problems = []
    for n, b in enumerate(boxes, 1):
        m, t = b["media"], b["trim"]
        if abs(t[2] - t[0] - 2 * width) > TOL or abs(t[3] - t[1] - height) > TOL:
            problems.append("sheet %d: TrimBox %s is not a %.2f x %.2f spread" % (n, fmt(t), 2 * width, height))
        if abs((t[0] + t[2]) - m[2]) > TOL or abs((t[1] + t[3]) - m[3]) > TOL:
            problems.append("sheet %d: TrimBox %s not centred on %s" % (n, fmt(t), fmt(m)))
        want = [max(t[0] - bleed, m[0]), max(t[1] - bleed, m[1]), min(t[2] + bleed, m[2]), min(t[3] + bleed, m[3])]
        if not near(b["bleed"], want) or not b["explicit"]:
            problems.append("sheet %d: BleedBox %s, want %s" % (n, fmt(b["bleed"]), fmt(want)))
    return problems


def style_page(style):
    """(width, height, bleed) of the style sheet's default page master."""
    sheet = pc.Sheet(style)
    return sheet.width, sheet.height, pc.parse_length(sheet.page.get("bleed", "0"))


def cmd_boxes(pdf, style, marks):
    rep = pc.Report()
    w, h, bleed = style_page(style)
    doc = Pdf(pdf)
    boxes = [doc.boxes(p) for p in doc.pages]
    rep.group("boxes: TrimBox %.2f x %.2f, BleedBox +%.2f, MediaBox +%.2f%s" % (
        w, h, bleed, MARK_MARGIN if marks else 0, " (marks)" if marks else ""),
        check_boxes(boxes, w, h, bleed, MARK_MARGIN if marks else 0),
        "%d pages; page 1 TrimBox %s BleedBox %s MediaBox %s" % (
            len(boxes), fmt(boxes[0]["trim"]), fmt(boxes[0]["bleed"]), fmt(boxes[0]["media"])))
    return rep.failed


def cmd_sheets(pdf, style):
    rep = pc.Report()
    w, h, bleed = style_page(style)
    doc = Pdf(pdf)
    boxes = [doc.boxes(p) for p in doc.pages]
    rep.group("sheets: TrimBox a centred spread, BleedBox around it", check_sheets(boxes, w, h, bleed),
              "%d sheets; TrimBox %s BleedBox %s MediaBox %s" % (
                  len(boxes), fmt(boxes[0]["trim"]), fmt(boxes[0]["bleed"]), fmt(boxes[0]["media"])))
    return rep.failed


# --------------------------------------------------------------------------
# Imposition order
# --------------------------------------------------------------------------
def booklet_order(n):
    """[(left, right)] per sheet, 1-based pages, 0 for a blank: paper k holds
    (N-2k, 2k+1) on its front and (2k+2, N-2k-1) on its back."""
    padded = (n + 3) // 4 * 4
    order = []
    for k in range(padded // 4):
        for pair in ((padded - 2 * k, 2 * k + 1), (2 * k + 2, padded - 2 * k - 1)):
            order.append(tuple(p if p <= n else 0 for p in pair))
    return order


def half_texts(pdf, doc):
    """[(left text, right text)] per sheet: pdftotext of each half of the spread's trim."""
    halves = []
    for n, page in enumerate(doc.pages, 1):
        b = doc.boxes(page)
        x0, x1, top = b["trim"][0], b["trim"][2], b["media"][3] - b["trim"][3]
        height, fold = b["trim"][3] - b["trim"][1], (b["trim"][0] + b["trim"][2]) / 2
        pair = []
        for left, right in ((x0, fold), (fold, x1)):
            pair.append(pc.run(["pdftotext", "-q", "-enc", "UTF-8", "-f", str(n), "-l", str(n),
                                "-x", str(int(left) + 1), "-y", str(int(top) + 1),
                                "-W", str(int(right - left) - 2), "-H", str(int(height) - 2), pdf, "-"]))
        halves.append(tuple(pair))
    return halves


def check_order(halves, page_texts):
    """Each half shows the page booklet_order wants (by its whole text), blanks are empty."""
    problems = []
    want = booklet_order(len(page_texts))
    if len(halves) != len(want):
        return ["%d sheets for %d pages, want %d (padded to %d)" % (
            len(halves), len(page_texts), len(want), 2 * len(want))]
    for s, (pair, pages) in enumerate(zip(halves, want), 1):
        for side, text, p in zip(("left", "right"), pair, pages):
            expect = pc.nows(page_texts[p - 1]) if p else ""
            if pc.nows(text) != expect:
                problems.append("sheet %d %s: shows %r..., want page %s %r..." % (
                    s, side, pc.nows(text)[:16], p or "blank", expect[:16]))
    return problems


def cmd_order(oneup, imposed):
    rep = pc.Report()
    pages = pc.page_texts(oneup)
    halves = half_texts(imposed, Pdf(imposed))
    order = booklet_order(len(pages))
    rep.group("order: each half-sheet shows its booklet page", check_order(halves, pages),
              "%d pages padded to %d on %d sheets; sheet 1 front %s | %s, back %s | %s; "
              "sheet 2 front %s | %s, back %s | %s" % ((len(pages), 2 * len(order), len(order)) +
                                                       tuple(p or "blank" for pair in order[:4] for p in pair)))
    return rep.failed


# --------------------------------------------------------------------------
# Marks
# --------------------------------------------------------------------------
class SheetMarks:
    """What a sheet draws in registration colour, in top-left coordinates."""

    def __init__(self, media, bleed, strokes, glyphs):
        self.media, self.bleed = media, bleed          # [x0, top, x1, bottom]
        self.strokes = strokes                          # [(x0, y0, x1, y1, width)]
        self.glyphs = glyphs                            # [(x0, y0, x1, y1, char)]

    @property
    def slug(self):
        return "".join(g[4] for g in self.glyphs)


def transform(matrix, x, y):
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def parse_marks(trace_page, boxes):
    """SheetMarks from one <page> of mutool's trace and the sheet's PDF boxes."""
    h = boxes["media"][3]
    flip = lambda box: [box[0], h - box[3], box[2], h - box[1]]
    strokes, glyphs = [], []
    for el in trace_page.iter():
        if el.get("color") != "1 1 1 1" or el.tag not in ("stroke_path", "fill_text"):
            continue
        m = [float(v) for v in el.get("transform").split()]
        if el.tag == "stroke_path":
            pts = [transform(m, float(p.get("x")), float(p.get("y"))) for p in el if p.get("x")]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            strokes.append((min(xs), min(ys), max(xs), max(ys), float(el.get("linewidth"))))
        for span in el.iter("span"):
            size = float(span.get("trm").split()[0])
            for g in span.iter("g"):
                x, y = transform(m, float(g.get("x")), float(g.get("y")))
                glyphs.append((x, y - 0.88 * size, x + float(g.get("adv")) * size, y + 0.12 * size,
                               g.get("unicode")))
    return SheetMarks(flip(boxes["media"]), flip(boxes["bleed"]), strokes, glyphs)


def sheet_marks(pdf, doc):
    root = ET.fromstring(pc.run(["mutool", "draw", "-q", "-F", "trace", "-o", "-", pdf]))
    return [parse_marks(p, doc.boxes(page)) for p, page in zip(root.iter("page"), doc.pages)]


def overlaps(a, b, pad=0):
    return a[0] - pad < b[2] and a[2] + pad > b[0] and a[1] - pad < b[3] and a[3] + pad > b[1]


def inside(a, b):
    return a[0] >= b[0] - TOL and a[1] >= b[1] - TOL and a[2] <= b[2] + TOL and a[3] <= b[3] + TOL


def check_marks(sheets, rules, name):
    """rules registration strokes per sheet, and a slug naming the file, all
    outside the BleedBox (not touching it) and on the sheet."""
    problems = []
    for n, s in enumerate(sheets, 1):
        if len(s.strokes) != rules:
            problems.append("sheet %d: %d marks, want %d" % (n, len(s.strokes), rules))
        for st in s.strokes:
            if overlaps(st, s.bleed, st[4] / 2 + 0.5) or not inside(st, s.media):
                problems.append("sheet %d: mark %s touches the BleedBox %s or leaves the sheet" % (
                    n, fmt(st[:4]), fmt(s.bleed)))
        for g in s.glyphs:
            if overlaps(g, s.bleed) or not inside(g, s.media):
                problems.append("sheet %d: slug glyph %r at %s inside the BleedBox or off the sheet"
                                % (n, g[4], fmt(g[:4])))
        if name not in s.slug:
            problems.append("sheet %d: slug %r does not name %s" % (n, s.slug, name))
    return problems


def cmd_marks(pdf, saddle):
    rep = pc.Report()
    sheets = sheet_marks(pdf, Pdf(pdf))
    rules = 10 if saddle else 8
    rep.group("marks: %d crop%s marks and a slug per sheet, outside the BleedBox" % (
        8, " + 2 fold" if saddle else ""), check_marks(sheets, rules, os.path.basename(pdf)),
        "%d sheets; slug 1: %r" % (len(sheets), sheets[0].slug if sheets else ""))
    return rep.failed


# --------------------------------------------------------------------------
# Metadata and conformance
# --------------------------------------------------------------------------
def text_value(v):
    """A qpdf JSON string value ("u:text", "b:hex") as text."""
    if isinstance(v, str) and v.startswith("u:"):
        return v[2:]
    if isinstance(v, str) and v.startswith("b:"):
        return bytes.fromhex(v[2:]).decode("utf-16" if v[2:6].lower() == "feff" else "latin-1")
    return v


def check_xmp(xmp, meta, info):
    """XMP well-formed; title, language, dates and PDF/X version agree with Info and the source."""
    try:
        root = ET.fromstring(xmp.encode("utf-8"))
    except ET.ParseError as e:
        return ["XMP is not well-formed: %s" % e]
    one = lambda path: [el.text for el in root.iterfind(path, NS)]
    problems = []
    if one(".//dc:title//rdf:li") != [meta["title"]]:
        problems.append("dc:title %r, want %r" % (one(".//dc:title//rdf:li"), meta["title"]))
    if one(".//dc:language//rdf:li") != ["zh-Hans"]:
        problems.append("dc:language %r" % one(".//dc:language//rdf:li"))
    if one(".//pdfxid:GTS_PDFXVersion") != ["PDF/X-4"]:
        problems.append("pdfxid:GTS_PDFXVersion %r" % one(".//pdfxid:GTS_PDFXVersion"))
    created = text_value(info.get("/CreationDate", ""))
    iso = one(".//xmp:CreateDate")
    if not iso or re.sub(r"[-:TZ]", "", iso[0]) != created[2:16]:
        problems.append("xmp:CreateDate %r does not match CreationDate %r" % (iso, created))
    return problems


def check_pdfx(doc, info):
    """The PDF/X-4 keys: version, Info, OutputIntent with a CMYK profile, /ID, TrimBox everywhere."""
    problems = []
    if doc.header.get("pdfversion") != "1.6":
        problems.append("PDF version %s, want 1.6" % doc.header.get("pdfversion"))
    if text_value(info.get("/GTS_PDFXVersion")) != "PDF/X-4" or info.get("/Trapped") != "/False":
        problems.append("Info GTS_PDFXVersion %r, Trapped %r" % (info.get("/GTS_PDFXVersion"), info.get("/Trapped")))
    intents = doc.value(doc.value(doc.trailer["/Root"]).get("/OutputIntents", []))
    oi = doc.value(intents[0]) if intents else {}
    profile = doc.value(oi.get("/DestOutputProfile"))
    if oi.get("/S") != "/GTS_PDFX" or not isinstance(profile, dict) or profile.get("/N") != 4:
        problems.append("OutputIntent %r with profile %r" % (oi, profile))
    # two 16-byte strings, neither the placeholder: the output's fingerprint
    # (what it was made from) and the hash of the file
    ids = doc.trailer.get("/ID", [])
    if len(ids) != 2 or ids[0] == ids[1] or any(len(i) != 34 or set(i[2:]) == {"0"} for i in ids):
        problems.append("trailer /ID %r" % ids)
    problems += ["page %d has no TrimBox" % n for n, p in enumerate(doc.pages, 1) if "/TrimBox" not in p]
    return problems


def check_links(doc):
    """Every link: no border, inside its page's TrimBox, pointing at a page of the document."""
    problems, count = [], 0
    page_refs = set(doc.page_refs)
    for n, page in enumerate(doc.pages, 1):
        trim = doc.boxes(page)["trim"]
        for a in (doc.value(x) for x in doc.value(page.get("/Annots", []))):
            count += 1
            dest = doc.value(a.get("/Dest"))
            if a.get("/Border") != [0, 0, 0] or not inside(a["/Rect"], trim):
                problems.append("page %d: link %s (border %r) not borderless inside the TrimBox %s"
                                % (n, fmt(a["/Rect"]), a.get("/Border"), fmt(trim)))
            if not isinstance(dest, list) or dest[0] not in page_refs or dest[1] != "/XYZ":
                problems.append("page %d: link destination %r is not a page of the document" % (n, dest))
    return problems, count


def cmd_meta(pdf, xml_path):
    rep = pc.Report()
    doc = Pdf(pdf)
    info = doc.value(doc.trailer.get("/Info", {}))
    meta = pc.read_meta(xml_path)
    xmp = pc.run(["pdfinfo", "-meta", pdf])
    rep.group("XMP: well-formed, title, zh-Hans, dates, PDF/X-4", check_xmp(xmp, meta, info),
              "%d bytes" % len(xmp.encode("utf-8")))
    rep.group("PDF/X-4 keys: 1.6, Info, OutputIntent (CMYK), /ID, TrimBox", check_pdfx(doc, info),
              "OutputCondition %r" % text_value(doc.value(doc.value(doc.value(doc.trailer["/Root"])
                                                    .get("/OutputIntents", [{}]))[0]).get("/OutputCondition")))
    problems, count = check_links(doc)
    rep.group("links: borderless, inside the trim, to pages of the document",
              problems + ([] if count else ["no links at all (the contents page has some)"]), "%d links" % count)
    return rep.failed


def cmd_nolinks(pdf):
    rep = pc.Report()
    doc = Pdf(pdf)
    rep.group("imposed sheets carry no link annotations",
              ["sheet %d has /Annots" % n for n, p in enumerate(doc.pages, 1) if "/Annots" in p],
              "%d sheets" % len(doc.pages))
    return rep.failed


# --------------------------------------------------------------------------
# Self-test: every check fails on planted faults
# --------------------------------------------------------------------------
def cmd_selftest(oneup, imposed, style, xml_path):
    rep = pc.Report()
    w, h, bleed = style_page(style)
    one, imp = Pdf(oneup), Pdf(imposed)
    boxes = [one.boxes(p) for p in one.pages]
    sheet_boxes = [imp.boxes(p) for p in imp.pages]
    pages = pc.page_texts(oneup)
    halves = half_texts(imposed, imp)
    sheets = sheet_marks(imposed, imp)
    info = one.value(one.trailer.get("/Info", {}))
    meta = pc.read_meta(xml_path)
    xmp = pc.run(["pdfinfo", "-meta", oneup])
    name = os.path.basename(imposed)

    def planted(label, check, mutate, data):
        bad = copy.deepcopy(data)
        mutate(bad)
        rep.group("selftest: %s is caught" % label, [] if check(bad) else ["check passed on the fault"])

    def shift_trim(b):
        b[1]["trim"] = [v + 1 for v in b[1]["trim"]]

    def drop_bleed(b):
        b[0]["bleed"] = b[0]["trim"]

    def swap_back(hs):
        hs[1] = (hs[1][1], hs[1][0])

    def mark_in_bleed(ss):
        x0, y0, _, _ = ss[0].bleed
        ss[0].strokes[0] = (x0 + 1, y0 + 1, x0 + 10, y0 + 1, 0.25)

    def slug_in_bleed(ss):
        g = ss[0].glyphs[0]
        ss[0].glyphs[0] = (g[0], ss[0].bleed[3] - 3, g[2], ss[0].bleed[3] + 3, g[4])

    planted("a TrimBox 1 pt off", lambda b: check_boxes(b, w, h, bleed, 0), shift_trim, boxes)
    planted("a page without bleed", lambda b: check_boxes(b, w, h, bleed, 0), drop_bleed, boxes)
    planted("a spread off centre", lambda b: check_sheets(b, w, h, bleed), shift_trim, sheet_boxes)
    planted("a back side with its halves swapped", lambda hs: check_order(hs, pages), swap_back, halves)
    planted("a missing padding page", lambda hs: check_order(hs, pages), lambda hs: hs.pop(), halves)
    planted("a crop mark inside the bleed", lambda ss: check_marks(ss, 10, name), mark_in_bleed, sheets)
    planted("a slug in the bleed", lambda ss: check_marks(ss, 10, name), slug_in_bleed, sheets)
    planted("a missing fold mark", lambda ss: check_marks(ss, 10, name), lambda ss: ss[1].strokes.pop(), sheets)
    planted("an unescaped & in the XMP", lambda x: check_xmp(x[0], meta, info),
            lambda x: x.__setitem__(0, x[0].replace("<dc:format>", "<dc:format>&")), [xmp])
    planted("a wrong XMP title", lambda x: check_xmp(x[0], dict(meta, title="x"), info), lambda x: None, [xmp])
    return rep.failed


def main(argv):
    cmds = {"boxes": lambda a: cmd_boxes(a[0], a[1], "--marks" in a[2:]),
            "sheets": lambda a: cmd_sheets(a[0], a[1]),
            "order": lambda a: cmd_order(a[0], a[1]),
            "marks": lambda a: cmd_marks(a[0], "--saddle" in a[1:]),
            "meta": lambda a: cmd_meta(a[0], a[1]),
            "nolinks": lambda a: cmd_nolinks(a[0]),
            "selftest": lambda a: cmd_selftest(*a[:4])}
    if len(argv) < 2 or argv[0] not in cmds:
        print(__doc__)
        return 2
    try:
        return 1 if cmds[argv[0]](argv[1:]) else 0
    except (RuntimeError, OSError, ValueError, KeyError, IndexError) as e:
        print("FAIL %s: %s: %s" % (argv[0], type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
