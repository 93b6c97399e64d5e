#!/usr/bin/env python3
"""tagcheck.py: read a tagged PDF back and hold it against its source.

  tagcheck.py check PDF XML STYLE [ELEMENT]   every check group below; ELEMENT:
                                              the PDF is a handout of the
                                              body's ELEMENTs (--split), one of them
  tagcheck.py untagged PDF                    no structure tree, no /MarkInfo
                                              (an imposed sheet for the press)
  tagcheck.py selftest PDF XML STYLE          every group fails on planted faults

Check groups (one line each):
  catalog   /MarkInfo /Marked true, /Lang, /StructTreeRoot, /ViewerPreferences
            /DisplayDocTitle true, pdfuaid:part 1 in the XMP, /Tabs /S and
            /StructParents on pages with marked content
  content   every text, image and path painted on a page lies in marked
            content with an MCID or in an /Artifact (content streams parsed)
  mcids     every MCID of every page is claimed by exactly one structure
            element, and the ParentTree gives that element for it
  tree      the body's structure elements match the source's elements, element
            for element and level for level (section Sect, heading Hn, p P,
            callout Aside with its badge P, title Hn, subtitle P, figure Figure
            or Div without an image, caption Caption, list L, item LI > Lbl
            (when its style gives a label), LBody)
  text      the text of each element of the body (pdfinfo -struct-text) is the
            source text of its element, white space removed; a list item's
            Lbl and a callout's badge the style sheet's labels
  alt       every Figure has a non-empty /Alt

Standard library only; structure from qpdf --json, text from poppler.
"""
import base64
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}
PAINT_OPS = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"Do"}
DELIM = b"()<>[]{}/%"
WS = b" \t\r\n\f\0"


# ---------------------------------------------------------------- objects

class Pdf:
    """The objects of a PDF, streams decoded (qpdf --json=2)."""

    def __init__(self, path):
        raw = pc.run(["qpdf", "--json=2", "--json-stream-data=inline",
                      "--decode-level=generalized", path])
        data = json.loads(raw)["qpdf"][1]
        self.objs = {k[4:]: v for k, v in data.items() if k.startswith("obj:")}
        self.trailer = data["trailer"]["value"]

    def get(self, ref):
        """The value of an indirect reference ("N 0 R"), or ref itself."""
        if isinstance(ref, str) and ref.endswith(" R") and ref in self.objs:
            o = self.objs[ref]
            return o["stream"]["dict"] if "stream" in o else o.get("value")
        return ref

    def stream(self, ref):
        o = self.objs.get(ref, {})
        return base64.b64decode(o["stream"].get("data", "")) if "stream" in o else b""

    def catalog(self):
        return self.get(self.trailer["/Root"])

    def pages(self):
        """[(ref, dict)] in page order."""
        out = []

        def walk(ref):
            node = self.get(ref)
            if node.get("/Type") == "/Pages":
                for kid in node.get("/Kids", []):
                    walk(kid)
            else:
                out.append((ref, node))
        walk(self.catalog()["/Pages"])
        return out

    def contents(self, page):
        c = page.get("/Contents", [])
        return b"\n".join(self.stream(r) for r in (c if isinstance(c, list) else [c]))


# ---------------------------------------------------------------- content streams

def tokens(data):
    """Yield (kind, value) tokens of a content stream: op, name, num, str, [, ], <<, >>."""
    i, n = 0, len(data)
    while i < n:
        c = data[i:i + 1]
        if data[i] in WS:
            i += 1
        elif c == b"%":
            while i < n and data[i] not in b"\r\n":
                i += 1
        elif data.startswith(b"<<", i) or data.startswith(b">>", i):
            yield data[i:i + 2].decode(), None
            i += 2
        elif c in (b"[", b"]"):
            yield c.decode(), None
            i += 1
        elif c == b"<":
            j = data.index(b">", i)
            yield "str", data[i + 1:j]
            i = j + 1
        elif c == b"(":
            depth, j = 0, i
            while j < n:
                if data[j:j + 1] == b"\\":
                    j += 2
                    continue
                depth += {b"(": 1, b")": -1}.get(data[j:j + 1], 0)
                j += 1
                if depth == 0:
                    break
            yield "str", data[i + 1:j - 1]
            i = j
        elif c == b"/":
            j = i + 1
            while j < n and data[j] not in WS and data[j] not in DELIM:
                j += 1
            yield "name", data[i + 1:j].decode("latin-1")
            i = j
        else:
            j = i
            while j < n and data[j] not in WS and data[j] not in DELIM:
                j += 1
            word = data[i:j]
            if re.fullmatch(rb"[+-]?(\d+\.?\d*|\.\d+)", word):
                yield "num", float(word)
            else:
                yield "op", word
            i = j if j > i else i + 1


def operations(data):
    """Yield (operator, operands) with dicts as Python dicts and arrays as lists."""
    stack = []
    for kind, val in tokens(data):
        if kind == "op":
            yield val, stack
            stack = []
        elif kind in ("[", "<<"):
            stack.append(kind)
        elif kind in ("]", ">>"):
            opener = "[" if kind == "]" else "<<"
            k = len(stack) - 1 - stack[::-1].index(opener)
            items = stack[k + 1:]
            del stack[k:]
            stack.append(items if kind == "]" else dict(zip(items[::2], items[1::2])))
        else:
            stack.append(val)


def marked_content(data):
    """(problems, [mcid]) for one page's content: everything painted in MC or an artifact."""
    problems, mcids, open_ = [], [], []
    for op, args in operations(data):
        if op == b"BDC" and len(args) == 2:
            props = args[1] if isinstance(args[1], dict) else {}
            if args[0] == "Artifact":
                open_.append("artifact")
            elif "MCID" in props:
                mcids.append(int(props["MCID"]))
                open_.append("mcid")
            else:
                open_.append("span")
        elif op == b"BMC":
            open_.append("artifact" if args and args[0] == "Artifact" else "span")
        elif op == b"EMC":
            if not open_:
                problems.append("EMC without an open sequence")
            else:
                open_.pop()
        elif (op in TEXT_OPS or op in PAINT_OPS) and not ({"mcid", "artifact"} & set(open_)):
            problems.append("%s painted outside marked content and artifacts" % op.decode())
    if open_:
        problems.append("%d marked-content sequences left open" % len(open_))
    return problems, mcids


# ---------------------------------------------------------------- the structure tree

class Elem:
    def __init__(self, ref, kind):
        self.ref, self.type, self.kids, self.mcids, self.alt = ref, kind, [], [], None


def structure(pdf):
    """The root Elem (type StructTreeRoot) with every element below it, in order."""
    root_ref = pdf.catalog().get("/StructTreeRoot")
    if not root_ref:
        return None

    def build(ref, default_page):
        d = pdf.get(ref)
        e = Elem(ref, (d.get("/S") or d.get("/Type") or "").lstrip("/"))
        e.alt = d.get("/Alt")
        page = d.get("/Pg", default_page)
        k = d.get("/K", [])
        for kid in (k if isinstance(k, list) else [k]):
            if isinstance(kid, (int, float)):
                e.mcids.append((page, int(kid)))
            elif isinstance(kid, dict) and kid.get("/Type") == "/MCR":
                e.mcids.append((kid.get("/Pg", page), int(kid["/MCID"])))
            elif isinstance(kid, dict):
                continue  # OBJR
            else:
                e.kids.append(build(kid, page))
        return e
    return build(root_ref, None)


def walk(e):
    yield e
    for k in e.kids:
        yield from walk(k)


# ---------------------------------------------------------------- what the source says

HEADINGS = ("heading", "title", "headline")
SIMPLE = {"p": "P", "subtitle": "P", "deck": "P", "caption": "Caption", "titleblock": "Div",
          "list": "L", "section": "Sect", "callout": "Aside"}


def expected_tree(el, depth, sheet, out, parent=None, index=0):
    """Append (level, type, text) for el and its children, as paiban should tag them."""
    def text_of(node):
        parts = [node.text or ""]
        for c in node:
            if c.tag != "list":
                parts.append("".join(c.itertext()))
            parts.append(c.tail or "")
        return pc.nows("".join(parts))

    tag = el.tag
    if tag in HEADINGS:
        out.append((depth, "H%d" % min(max(depth, 1), 6), text_of(el)))
        return
    if tag == "item":
        numbered = parent is not None and parent.tag == "list" and parent.get("type") == "number"
        name = pc.block_style(el, ET.Element("list-number") if numbered else parent, sheet)
        label = (sheet.own(name).get("label") or "").replace("{n}", str(index)) if name else ""
        out.append((depth, "LI", None))
        if label:
            out.append((depth + 1, "Lbl", pc.nows(label)))
        out.append((depth + 1, "LBody", text_of(el)))
        for c in el:
            if c.tag == "list":
                expected_tree(c, depth + 1, sheet, out, el)
        return
    if tag == "figure":
        has_image = el.find("image") is not None
        out.append((depth, "Figure" if has_image else "Div", None))
    elif tag in ("p", "subtitle", "deck", "caption"):
        out.append((depth, SIMPLE[tag], text_of(el)))
        return
    elif tag in SIMPLE:
        out.append((depth, SIMPLE[tag], None))
    elif tag != "body":
        return
    inner = depth + (tag != "body")
    heading_depth = depth + (tag in ("section", "callout"))
    if tag == "callout" and el.get("number"):
        label = pc.badge_label(sheet, el.get("number"))
        if label:
            out.append((inner, "P", pc.nows(label)))
    i = 0
    for c in el:
        if c.tag == "item":
            i += 1
        if c.tag in HEADINGS:
            out.append((inner, "H%d" % min(max(heading_depth, 1), 6), text_of(c)))
        else:
            expected_tree(c, inner, sheet, out, el, i)


def source_body(xml):
    """The source's body."""
    return pc.parse_source(xml).getroot().find("body")


def back_parts(style):
    back = ET.parse(style).getroot().find("back")
    return len(back.findall("part")) if back is not None else 0


def actual_body(root, sheet, style):
    """[(level, type, elem)] of the body's elements: the Document's children
    between the front matter's parts and the back matter's."""
    doc = root.kids[0] if root.kids and root.kids[0].type == "Document" else root
    kids = doc.kids[len(sheet.parts):len(doc.kids) - back_parts(style)]
    out = []

    def rec(e, depth):
        out.append((depth, e.type, e))
        for k in e.kids:
            rec(k, depth + 1)
    for k in kids:
        rec(k, 0)
    return out


def struct_texts(pdf_path):
    """[text] per element in depth-first order, from pdfinfo -struct-text."""
    texts = []
    for line in pc.run(["pdfinfo", "-struct-text", pdf_path]).splitlines():
        s = line.strip()
        if s.startswith('"') and texts:
            texts[-1] += s[1:-1] if s.endswith('"') else s[1:]
        elif s and not s.startswith("Object ") and not s.startswith('"'):
            texts.append("")
    return texts


# ---------------------------------------------------------------- the checks

def check_catalog(pdf):
    cat, problems = pdf.catalog(), []
    if cat.get("/MarkInfo", {}).get("/Marked") is not True:
        problems.append("/MarkInfo /Marked is not true: %r" % cat.get("/MarkInfo"))
    if not cat.get("/Lang"):
        problems.append("no /Lang on the catalog")
    if not cat.get("/StructTreeRoot"):
        problems.append("no /StructTreeRoot")
    if pdf.get(cat.get("/ViewerPreferences", {})).get("/DisplayDocTitle") is not True:
        problems.append("/ViewerPreferences /DisplayDocTitle is not true")
    xmp = pdf.stream(cat.get("/Metadata", "")).decode("utf-8", "replace")
    if "<pdfuaid:part>1</pdfuaid:part>" not in xmp:
        problems.append("the XMP does not claim PDF/UA-1 (pdfuaid:part)")
    for n, (ref, page) in enumerate(pdf.pages(), 1):
        if page.get("/Annots") and page.get("/Tabs") != "/S":
            problems.append("page %d has annotations but no /Tabs /S" % n)
    return problems


def check_content(pdf):
    problems, per_page = [], {}
    for n, (ref, page) in enumerate(pdf.pages(), 1):
        p, mcids = marked_content(pdf.contents(page))
        problems += ["page %d: %s" % (n, x) for x in p]
        if len(set(mcids)) != len(mcids):
            problems.append("page %d: an MCID used twice" % n)
        per_page[ref] = mcids
        if mcids and "/StructParents" not in page:
            problems.append("page %d has marked content but no /StructParents" % n)
    return problems, per_page


def parent_tree(pdf, root_ref):
    nums = {}

    def rec(node):
        node = pdf.get(node)
        arr = node.get("/Nums", [])
        for k, v in zip(arr[::2], arr[1::2]):
            nums[int(k)] = v
        for kid in node.get("/Kids", []):
            rec(kid)
    rec(pdf.get(root_ref).get("/ParentTree", {}))
    return nums


def check_mcids(pdf, root, per_page):
    problems, owner = [], {}
    for e in walk(root):
        for page, mcid in e.mcids:
            if (page, mcid) in owner:
                problems.append("MCID %d of %s claimed twice" % (mcid, page))
            owner[(page, mcid)] = e
    seen = {(ref, m) for ref, ms in per_page.items() for m in ms}
    for key in sorted(seen - set(owner), key=str)[:5]:
        problems.append("MCID %d on page %s belongs to no element" % (key[1], key[0]))
    for key in sorted(set(owner) - seen, key=str)[:5]:
        problems.append("element %s claims MCID %d, not on page %s" % (owner[key].type, key[1], key[0]))
    nums = parent_tree(pdf, pdf.catalog()["/StructTreeRoot"])
    for ref, page in pdf.pages():
        arr = pdf.get(nums.get(page.get("/StructParents"), []))
        for m in per_page.get(ref, []):
            if (ref, m) in owner and (m >= len(arr) or arr[m] != owner[(ref, m)].ref):
                problems.append("ParentTree: MCID %d of %s does not lead to its element" % (m, ref))
                break
    return problems


def check_tree(want, got):
    w = [(lvl, t) for lvl, t, _ in want]
    g = [(lvl, t) for lvl, t, _ in got]
    if w == g:
        return []
    i = next((k for k in range(min(len(w), len(g))) if w[k] != g[k]), min(len(w), len(g)))
    return ["element %d: expected %s, got %s (%d expected, %d tagged)" %
            (i, w[i] if i < len(w) else "nothing", g[i] if i < len(g) else "nothing", len(w), len(g))]


def check_text(want, got, texts_of):
    problems = []
    for (lvl, t, text), (_, gt, e) in zip(want, got):
        if text is None or t != gt:
            continue
        have = pc.nows(texts_of.get(id(e), ""))
        if have != text:
            problems.append("%s: %s" % (t, pc.first_difference(text, have)))
    return problems


def check_alt(root):
    return ["a Figure without /Alt" for e in walk(root) if e.type == "Figure" and not e.alt]


def expected_for(body, element, sheet, got, texts_of):
    """The expected elements: the whole body, or the one ELEMENT of it that the
    handout shows (the one whose tree and text match, else the first)."""
    if not element:
        want = []
        expected_tree(body, 0, sheet, want)
        return want
    first = None
    for el in body.iter(element):
        one = ET.Element("body")
        one.append(el)
        cand = []
        expected_tree(one, 0, sheet, cand)
        first = first or cand
        if not check_tree(cand, got) and not check_text(cand, got, texts_of):
            return cand
    return first or []


def run_checks(pdf_path, pdf, xml, style, element, rep, mutate=None):
    sheet = pc.Sheet(style)
    root = structure(pdf)
    if mutate:
        root = mutate(pdf, root)
    if root is None:
        rep.group("catalog", ["no structure tree"])
        return
    got = actual_body(root, sheet, style)
    order = list(walk(root))[1:]
    texts = getattr(pdf, "texts", None) or struct_texts(pdf_path)
    texts_of = {id(e): t for e, t in zip(order, texts)} if len(texts) == len(order) else {}
    want = expected_for(source_body(xml), element, sheet, got, texts_of)
    rep.group("catalog", check_catalog(pdf), "MarkInfo, Lang, StructTreeRoot, DisplayDocTitle, pdfuaid 1, Tabs")
    problems, per_page = check_content(pdf)
    rep.group("content", problems, "every glyph, image and path tagged or an artifact, %d MCIDs on %d pages"
              % (sum(map(len, per_page.values())), len(per_page)))
    rep.group("mcids", check_mcids(pdf, root, per_page), "each MCID in one element, ParentTree agrees")
    rep.group("tree", check_tree(want, got), "%d body elements match the source" % len(want))
    problems = check_text(want, got, texts_of) if texts_of else [
        "pdfinfo lists %d elements, the tree has %d" % (len(texts), len(order))]
    rep.group("text", problems, "%d elements' text equals the source" %
              sum(1 for w in want if w[2] is not None))
    rep.group("alt", check_alt(root), "%d Figures, each with /Alt" %
              sum(1 for e in walk(root) if e.type == "Figure"))


def cmd_check(pdf_path, xml, style, element=None):
    rep = pc.Report()
    run_checks(pdf_path, Pdf(pdf_path), xml, style, element, rep)
    return 1 if rep.failed else 0


def cmd_untagged(pdf_path):
    pdf = Pdf(pdf_path)
    cat = pdf.catalog()
    problems = [k for k in ("/StructTreeRoot", "/MarkInfo") if k in cat]
    rep = pc.Report()
    rep.group("untagged", ["has %s" % k for k in problems], "no structure tree, no /MarkInfo")
    return 1 if rep.failed else 0


def cmd_selftest(pdf_path, xml, style):
    """Plant one fault per group and see that group, and only a check, fail."""
    def drop_marked(pdf, root):
        ref, page = pdf.pages()[-1]
        c = page["/Contents"]
        ref_c = c[0] if isinstance(c, list) else c
        data = pdf.stream(ref_c)
        pdf.objs[ref_c]["stream"]["data"] = base64.b64encode(
            re.sub(rb"/Artifact BMC\n|/Artifact <</Type /Pagination>> BDC\n", b"", data, count=1)
            + b"EMC\n").decode()
        return root

    def lose_lang(pdf, root):
        pdf.catalog().pop("/Lang", None)
        return root

    def swap_types(pdf, root):
        for e in reversed(list(walk(root))):   # the body's, not the front matter's
            if e.type == "P":
                e.type = "H1"
                break
        return root

    def orphan_mcid(pdf, root):
        for e in walk(root):
            if e.mcids:
                e.mcids.pop()
                break
        return root

    def wrong_text(pdf, root):
        pdf.texts = [t + "字" if t else t for t in struct_texts(pdf_path)]
        return root

    def no_alt(pdf, root):
        e = Elem("0 0 R", "Figure")
        root.kids.append(e)
        return root

    faults = [("content", drop_marked), ("catalog", lose_lang), ("tree", swap_types),
              ("mcids", orphan_mcid), ("text", wrong_text), ("alt", no_alt)]
    failed = 0
    for group, mutate in faults:
        out = []

        class Quiet(pc.Report):
            def group(self, name, problems, detail="", limit=6):
                if problems:
                    out.append(name)
        run_checks(pdf_path, Pdf(pdf_path), xml, style, None, Quiet(), mutate)
        if group in out:
            print("ok selftest %s: a planted fault is caught" % group)
        else:
            print("FAIL selftest %s: a planted fault went unseen (failed: %s)" % (group, out))
            failed += 1
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "check":
        return cmd_check(*argv[2:6])
    if len(argv) == 3 and argv[1] == "untagged":
        return cmd_untagged(argv[2])
    if len(argv) == 5 and argv[1] == "selftest":
        return cmd_selftest(*argv[2:5])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
