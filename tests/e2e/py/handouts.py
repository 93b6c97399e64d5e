#!/usr/bin/env python3
"""handouts: checks of the per-trend handouts, dependency files and mtimes.

Standard library only; builds on pdfcheck (style sheet, source text with
XIncludes expanded, stext, Report).  Used by tests/e2e/handouts.sh.  Every
check is a function from parsed data to a list of problems, so ``selftest``
can plant faults in that data and see each fail.
Commands print "ok NAME: detail" / "FAIL NAME: reason" lines and exit 1 when
a group failed.

Commands:
  split DIR PATTERN XML STYLE
        DIR holds exactly one PDF per <callout> of XML's body, named by
        PATTERN (a %02d-style pattern, the callout's number=), and nothing
        else.  Each handout: every page is the sheet's page size (its
        <page size=...>, A5); its text (pdftotext, whitespace off, the
        running foot below the text area taken off, as mutool's stext
        places it) equals its callout's badge label (callout.badge's label,
        {n} = number) and the callout's whole text (title, subtitle,
        paragraphs), followed by what the sheet's <back> gives: its fields
        (the metadata <title>) and its <toc element="callout">'s list, each
        callout's badge label and title in document order; no other
        callout's subtitle or paragraph appears anywhere, and each other
        callout's title only in the list, once; the list is the last lines
        of the text area, one entry a line, in order, and exactly one of
        them is in a bold face (mutool's font names): the handout's own
        trend's, every glyph of it in the font of the <toc>'s current-style,
        those of the others in that of its entry-style; there is no running
        head (the master has none and no line lies above the text area);
        the running foot holds <source> and <year>; qpdf --check finds
        nothing; every font is embedded, subset, CID-keyed, with ToUnicode.
  sametext PDF REF              pdftotext of PDF equals that of REF (whitespace off)
  contains PDF TEXT [LABEL]     pdftotext of PDF holds TEXT (whitespace off)
  depfile DEP XML STYLE SCHEMA TARGET... [--make-list FILE] [--pdf PDF]...
          [--base DIR]
        DEP is a make rule whose targets are exactly TARGET...; its
        prerequisites are XML, every file it XIncludes (recursively),
        STYLE (compared by real path), the schema (a file with SCHEMA's
        name and bytes: paiban's default schema is found from where the
        executable lies) and font files (.ttc, .otc, .otf, .ttf), nothing
        else, each existing; at least one font file, and one for every
        font embedded in the PDFs (--pdf); every XML file, the style sheet
        and the schema also have an empty rule of their own.  --make-list: what GNU make read
        as the prerequisites ($^ of the target, one per line) must be the
        same list.  --base: the directory paiban ran in (relative names
        in DEP are relative to it; default: the current one).
  mtimes DIR                    print "MTIME_NS PATH" for every file below DIR
                                (changed also reads GNU stat's "%.9Y %n")
  changed BEFORE AFTER LABEL [--ignore REGEX] [--] PATH...
        the files whose mtime differs between two `mtimes` listings (or
        that appeared or vanished), REGEX-matching paths ignored, are
        exactly PATH...
  selftest DIR PATTERN XML STYLE DEP SCHEMA [BASE]
        every check above passes on the real data and fails on planted
        faults
Commands may be chained: CMD ARGS --then CMD ARGS ...
"""

import concurrent.futures
import copy
import filecmp
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pdfcheck as pc  # noqa: E402

SIZE_TOL = 0.1          # pt
FONT_EXT = (".ttc", ".otf", ".ttf", ".otc")


# --------------------------------------------------------------------------
# The source: callouts and metadata
# --------------------------------------------------------------------------
class Trend:
    """A callout of the source: number, id, badge label, title, and the
    pieces another handout must not show (title, subtitle, paragraphs)."""

    def __init__(self, el, sheet):
        self.number = el.get("number")
        self.id = el.get("id")
        self.badge = pc.nows(pc.badge_label(sheet, self.number) or "")
        t = el.find("title")
        self.title = pc.nows("".join(t.itertext())) if t is not None else ""
        self.text = self.badge + pc.nows("".join(el.itertext()))
        self.pieces = [pc.nows("".join(c.itertext())) for c in el if c.tag in ("title", "subtitle", "p")]
        self.pieces = [p for p in self.pieces if p]
        # Its line in a <toc>'s list: the badge prefixed to its first text.
        self.entry = self.badge + self.title

    def __repr__(self):
        return "Trend(%s)" % self.number


def read_trends(xml_path, sheet):
    body = pc.parse_source(xml_path).getroot().find("body")
    return [Trend(el, sheet) for el in body.iter("callout")] if body is not None else []


class Back:
    """What the style sheet's <back> gives every handout (styles/README.md,
    <front> and <back>), from the sheet and the source: each item's text in
    order (a <field>: its label and the metadata field; a <toc
    element="callout">: one entry per callout, its badge label and title),
    whitespace off.  fields: the text of the items before the list; entries:
    [(Trend, entry text)] of the list, which must be the last item (the
    list's lines are then the page's last lines); entry_style and
    current_style: the <toc>'s styles.  problems: what the test cannot
    derive from the sheet."""

    def __init__(self, style_path, meta, trends):
        import xml.etree.ElementTree as ET
        root = ET.parse(style_path).getroot()
        back = root.find("back")
        items = [el for part in (back.findall("part") if back is not None else []) for el in part]
        self.fields, self.entries, self.problems = "", [], []
        self.entry_style = self.current_style = None
        if not items:
            self.problems.append("%s has no <back> part: the handouts should list every trend" % style_path)
        for i, el in enumerate(items):
            if el.tag == "field":
                name = el.get("name")
                if name == "publishers":
                    value = el.get("separator", "、").join(meta.get("publishers") or [])
                else:
                    value = meta.get(name)
                if value:          # a field the document lacks is left out, with its label
                    self.fields += pc.nows(el.get("label", "") + value)
            elif el.tag == "toc" and el.get("element") == "callout" and i == len(items) - 1:
                self.entries = [(t, t.entry) for t in trends]
                self.entry_style, self.current_style = el.get("entry-style"), el.get("current-style")
            else:
                self.problems.append("%s: <back> item <%s%s> is not a <field> or a last <toc element=\"callout\">:"
                                     " this test does not know what it shows" % (style_path, el.tag, "".join(
                                         ' %s="%s"' % kv for kv in sorted(el.attrib.items()))))
        if items and not self.entries:
            self.problems.append("%s: <back> does not end with a <toc element=\"callout\">" % style_path)
        if self.entries and (not self.entry_style or not self.current_style):
            self.problems.append("%s: the <toc> lacks entry-style or current-style" % style_path)

    @property
    def list_text(self):
        return "".join(e for _, e in self.entries)

    @property
    def text(self):
        return self.fields + self.list_text


def pattern_name(pattern, number):
    """The file name a %d / %02d pattern gives number (as paiban fills it in)."""
    m = re.search(r"%(0?)(\d*)d", pattern)
    num = "%0*d" % (int(m.group(2) or 0), number) if m.group(1) else "%*d" % (int(m.group(2) or 0), number)
    return (pattern[:m.start()].replace("%%", "%") + num + pattern[m.end():].replace("%%", "%"))


# --------------------------------------------------------------------------
# A handout read back
# --------------------------------------------------------------------------
def trim_boxes(info):
    """Each page's TrimBox (else MediaBox) as (left, top, width, height) in
    mutool's coordinates, from the output of pdfinfo -box -f 1 -l N."""
    boxes = {}
    for m in re.finditer(r"^Page\s+(\d+) (MediaBox|TrimBox):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", info, re.M):
        boxes.setdefault(int(m.group(1)), {})[m.group(2)] = [float(v) for v in m.group(3, 4, 5, 6)]
    out = []
    for n in sorted(boxes):
        media = boxes[n]["MediaBox"]
        trim = boxes[n].get("TrimBox", media)
        out.append((trim[0] - media[0], media[3] - trim[3], trim[2] - trim[0], trim[3] - trim[1]))
    return out


# --------------------------------------------------------------------------
# --------------------------------------------------------------------------
class Handout:
    """What a handout PDF shows: per page its size, running head, running
    foot, text (pdftotext, whitespace off) and the lines of its text area
    (mutool's stext, with each glyph's font), plus qpdf's and pdffonts'
    verdicts."""

    def __init__(self, path, sheet):
        self.path = path
        self.name = os.path.basename(path)
        # One run of each tool per file (a handout is read ten times over).
        boxes = trim_boxes(pc.run(["pdfinfo", "-box", "-f", "1", "-l", "100000", path]))
        texts = pc.run(["pdftotext", "-q", "-enc", "UTF-8", path, "-"]).split("\f")
        pages = pc.to_trim(pc.parse_stext(pc.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", path])
                                          .encode("utf-8")), boxes)
        self.sizes = [(w, h) for _, _, w, h in boxes]
        self.heads, self.feet, self.bodies, self.furniture_problems = [], [], [], []
        self.lines = []
        if len(pages) != len(boxes):
            self.furniture_problems.append("%s: mutool reads %d pages, pdfinfo %d" % (self.name, len(pages), len(boxes)))
        for n, page in enumerate(pages, 1):
            inside, above, below = pc.furniture(page, sheet.text_area(n))
            self.lines.append(inside)
            head = "".join(l.text for l in above)
            foot = "".join(l.text for l in below)
            t = pc.nows(texts[n - 1] if n <= len(texts) else "")
            if not t.startswith(head):
                self.furniture_problems.append("%s page %d: pdftotext does not start with the running head %r: %s..."
                                               % (self.name, n, head, t[:30]))
            else:
                t = t[len(head):]
            if foot and not t.endswith(foot):
                self.furniture_problems.append("%s page %d: pdftotext does not end with the running foot %r: ...%s"
                                               % (self.name, n, foot, t[-30:]))
            elif foot:
                t = t[:-len(foot)]
            self.heads.append(head)
            self.feet.append(foot)
            self.bodies.append(t)
        p = pc.run_tool(["qpdf", "--check", path], stdout=pc.subprocess.PIPE, stderr=pc.subprocess.STDOUT)
        self.qpdf_rc = p.returncode
        self.qpdf = p.stdout.decode("utf-8", "replace")
        self.fonts = pc.parse_pdffonts(pc.run(["pdffonts", path]))

    @property
    def body(self):
        return "".join(self.bodies)


def read_handouts(paths, sheet):
    """Handout objects for paths, read in parallel (each read runs several tools)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        return list(ex.map(lambda p: Handout(p, sheet), paths))


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------
def check_names(found, want):
    """found: the file names in the directory; want: the expected ones."""
    problems = []
    missing = [n for n in want if n not in found]
    extra = sorted(n for n in found if n not in want)
    if missing:
        problems.append("missing: %s" % " ".join(missing))
    if extra:
        problems.append("unexpected files: %s" % " ".join(extra))
    return problems


def check_size(h, sheet):
    problems = []
    if not h.sizes:
        problems.append("%s: no pages" % h.name)
    for n, (w, ht) in enumerate(h.sizes, 1):
        m = sheet.master_of(n)
        if abs(w - m.width) > SIZE_TOL or abs(ht - m.height) > SIZE_TOL:
            problems.append("%s page %d is %.2f x %.2f pt, expected %.2f x %.2f (%s)"
                            % (h.name, n, w, ht, m.width, m.height, m.attrib.get("size", "page size")))
    return problems


def expected_text(trend, back):
    """A handout's whole text, running foot off, whitespace off: the badge
    label and the callout's text, then the back matter."""
    return trend.text + back.text


def check_text(h, trend, back):
    """The handout's text, furniture off, is exactly its callout's badge
    label and text followed by the back matter: the fields (the report's
    title) and every trend's entry in document order."""
    problems = list(h.furniture_problems) + list(back.problems)
    want = expected_text(trend, back)
    d = pc.first_difference(want, h.body)
    if d:
        problems.append("%s: text is not trend %s's and the back matter (%s): %s"
                        % (h.name, trend.number, "it contains it" if want in h.body
                           else "it does not contain it", d))
    return problems


def list_lines(h, back):
    """The stext lines of the list: the last len(back.entries) lines of the
    last page's text area (the list is the back matter's last item, one line
    an entry)."""
    lines = h.lines[-1] if h.lines else []
    return lines[-len(back.entries):] if back.entries else []


def split_list(h, back):
    """(the handout's text, running head and foot included, without the
    list; the list's text; problems): the list as mutool reads it, taken
    off the end of pdftotext's text."""
    listed = "".join(l.text for l in list_lines(h, back))
    body, problems = h.body, []
    if listed and body.endswith(listed):
        body = body[:-len(listed)]
    elif listed:
        problems.append("%s: pdftotext's text does not end with the list's lines as mutool reads them: ...%s"
                        % (h.name, body[-30:]))
    return body + "".join(h.heads) + "".join(h.feet), listed, problems


def check_others(h, trend, trends, back):
    """No other callout's title, subtitle or paragraph outside the list
    (running head and foot included), and each other callout's title in the
    list as often as the source's list holds it (once).  A piece that also
    occurs in this trend's own text or in the back matter's fields cannot be
    told apart and is skipped."""
    rest, listed, problems = split_list(h, back)
    own = trend.text + back.fields
    for other in trends:
        if other is trend:
            continue
        for piece in other.pieces:
            if piece not in own and piece in rest:
                problems.append("%s holds trend %s's %r outside the list" % (h.name, other.number, piece[:30]))
        want = back.list_text.count(other.title)
        got = listed.count(other.title)
        if other.title and got != want:
            problems.append("%s: the list holds trend %s's title %r %d times, expected %d"
                            % (h.name, other.number, other.title, got, want))
    return problems


BOLD = re.compile(r"(?i)bold|black|heavy")


def check_list(h, trend, back, sheet):
    """The list's lines (list_lines) read each trend's entry in document
    order; exactly one of them is in a bold face (mutool's font names), the
    entry of the handout's own trend; every glyph of that entry is in the
    font of the <toc>'s current-style, every glyph of the others in that of
    its entry-style (family, weight, size)."""
    problems = list(back.problems)
    if not back.entries:
        return problems
    lines = list_lines(h, back)
    if len(lines) < len(back.entries):
        return problems + ["%s: %d lines in the last page's text area, fewer than the %d list entries"
                           % (h.name, len(lines), len(back.entries))]
    for k, (line, (t, want)) in enumerate(zip(lines, back.entries), 1):
        if line.text != want:
            problems.append("%s: list line %d reads %r, expected trend %s's entry %r"
                            % (h.name, k, line.text, t.number, want))
    bold = [k for k, line in enumerate(lines, 1) if any(BOLD.search(ch.font) for ch in line.glyphs)]
    mine = next(k for k, (t, _) in enumerate(back.entries, 1) if t is trend)
    if bold != [mine]:
        problems.append("%s: list lines in a bold face: %s, expected only line %d (trend %s's): %s"
                        % (h.name, bold or "none", mine, trend.number,
                           ["%s %s" % (lines[k - 1].text, lines[k - 1].font[0]) for k in bold]))
    for k, (line, (t, _)) in enumerate(zip(lines, back.entries), 1):
        style = back.current_style if t is trend else back.entry_style
        family, weight, size = sheet.font_of(style)
        wrong = [ch for ch in line.glyphs
                 if not pc.font_matches(ch.font, family, weight) or abs(ch.size - size) > pc.FONT_SIZE_TOL]
        if wrong:
            problems.append("%s: list line %d %r: %r in %s %g, style %s says %s %s %g"
                            % (h.name, k, line.text, wrong[0].c, wrong[0].font, wrong[0].size, style,
                               family, weight, size))
    return problems


def check_head(h, sheet):
    """No running head: the master has no running-head pattern and no line
    lies above the text area."""
    problems = []
    for n, head in enumerate(h.heads, 1):
        pattern = sheet.master_of(n).head(n)
        if pattern is not None:
            problems.append("%s page %d: the style sheet gives it the running head %r; the handouts have none"
                            " (update this test if that changed)" % (h.name, n, pattern))
        if head:
            problems.append("%s page %d: a line above the text area (a running head?): %r" % (h.name, n, head))
    return problems


def check_foot(h, meta):
    """Every page's running foot holds <source> and <year>."""
    problems = []
    for n, foot in enumerate(h.feet, 1):
        for what in ("source", "year"):
            want = pc.nows(meta.get(what) or "")
            if not want:
                problems.append("the source document has no <%s>" % what)
            elif want not in foot:
                problems.append("%s page %d: running foot %r lacks the %s %r" % (h.name, n, foot, what, want))
    return problems


def check_qpdf(h):
    lines = [l for l in h.qpdf.splitlines() if re.search(r"(?i)warning|error", l)
             and not l.startswith(("No syntax or stream encoding errors found", "errors that qpdf cannot detect"))]
    if h.qpdf_rc != 0 or lines or "No syntax or stream encoding errors found" not in h.qpdf:
        return ["%s: qpdf --check exited %d: %s" % (h.name, h.qpdf_rc, " | ".join(lines[:3]) or h.qpdf[:100])]
    return []


def check_fonts(h):
    return ["%s: %s" % (h.name, p) for p in pc.check_fonts(h.fonts)]


HANDOUT_CHECKS = ("size", "text", "others", "list", "head", "foot", "qpdf", "fonts")


def handout_problems(handouts, trends, by_name, meta, sheet, back):
    """{check name: problems} over all handouts; by_name: file name -> Trend."""
    out = {k: [] for k in HANDOUT_CHECKS}
    for h in handouts:
        trend = by_name[h.name]
        out["size"] += check_size(h, sheet)
        out["text"] += check_text(h, trend, back)
        out["others"] += check_others(h, trend, trends, back)
        out["list"] += check_list(h, trend, back, sheet)
        out["head"] += check_head(h, sheet)
        out["foot"] += check_foot(h, meta)
        out["qpdf"] += check_qpdf(h)
        out["fonts"] += check_fonts(h)
    return out


_LOADED = {}


def load_split(dir_, pattern, xml_path, style_path):
    """(sheet, trends, wanted names, name -> Trend, names found, handouts,
    metadata, Back);
    cached, so split and selftest chained in one run read the PDFs once."""
    key = (dir_, pattern, xml_path, style_path)
    if key not in _LOADED:
        _LOADED[key] = _load_split(*key)
    return _LOADED[key]


def _load_split(dir_, pattern, xml_path, style_path):
    sheet = pc.Sheet(style_path)
    trends = read_trends(xml_path, sheet)
    want = [pattern_name(pattern, int(t.number)) for t in trends]
    by_name = dict(zip(want, trends))
    found = sorted(os.listdir(dir_))
    present = [n for n in want if n in found]
    handouts = read_handouts([os.path.join(dir_, n) for n in present], sheet)
    meta = pc.read_meta(xml_path)
    return sheet, trends, want, by_name, found, handouts, meta, Back(style_path, meta, trends)


def cmd_split(dir_, pattern, xml_path, style_path):
    rep = pc.Report()
    sheet, trends, want, by_name, found, handouts, meta, back = load_split(dir_, pattern, xml_path, style_path)
    rep.group("split: one PDF per callout, named by %s, nothing else" % pattern,
              check_names(found, want) or ([] if trends else ["the source has no callout"]),
              "%d files: %s .. %s" % (len(want), want[0] if want else "", want[-1] if want else ""))
    probs = handout_problems(handouts, trends, by_name, meta, sheet, back)
    what = {
        "size": "every page is %s (%.2f x %.2f pt)" % (sheet.page.get("size", "the page size"),
                                                       sheet.width, sheet.height),
        "text": "text (running foot off) = badge label + the callout's whole text (XIncludes expanded)"
                " + the report title + every trend's entry (badge label + title)",
        "others": "no other callout's subtitle or paragraph; its title only in the list, once",
        "list": "the list's lines: every entry in order, only the trend's own in bold (%s, %s), the others %s"
                % (back.current_style, " ".join(sheet.font_of(back.current_style)[:2]) if back.current_style else "?",
                   back.entry_style),
        "head": "no running head: nothing above the text area",
        "foot": "running foot: <source> and <year>",
        "qpdf": "qpdf --check: no errors or warnings",
        "fonts": "pdffonts: embedded, subset, ToUnicode, CID",
    }
    pages = sum(len(h.sizes) for h in handouts)
    for k in HANDOUT_CHECKS:
        detail = "%d handouts, %d pages" % (len(handouts), pages)
        if k == "text":
            lens = [len(expected_text(t, back)) for t in trends]
            detail += ", %d-%d characters each" % (min(lens), max(lens))
        if k == "list":
            detail += ", %d entries each" % len(back.entries)
        rep.group("handouts: " + what[k], probs[k], detail)
    return rep.failed


def cmd_sametext(pdf, ref):
    rep = pc.Report()
    a = pc.nows(pc.run(["pdftotext", "-q", "-enc", "UTF-8", pdf, "-"]))
    b = pc.nows(pc.run(["pdftotext", "-q", "-enc", "UTF-8", ref, "-"]))
    d = pc.first_difference(b, a)
    rep.group("%s has the same text as %s" % (os.path.basename(pdf), os.path.basename(ref)),
              [d] if d else ([] if a else ["no text at all"]), "%d characters" % len(a))
    return rep.failed


def cmd_contains(pdf, text, label=""):
    rep = pc.Report()
    got = pc.nows(pc.run(["pdftotext", "-q", "-enc", "UTF-8", pdf, "-"]))
    rep.group("%s%s shows %r" % (label + ": " if label else "", os.path.basename(pdf), text),
              [] if pc.nows(text) in got else ["not in its text (%d characters)" % len(got)])
    return rep.failed


# --------------------------------------------------------------------------
# Dependency files
# --------------------------------------------------------------------------
def make_words(s):
    """Split make text into words: backslash escapes a space, '#' or
    backslash; '$$' is a dollar."""
    words, cur, i = [], [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in " #\\":
            cur.append(s[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < len(s) and s[i + 1] == "$":
            cur.append("$")
            i += 2
            continue
        if c.isspace():
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        words.append("".join(cur))
    return words


def parse_depfile(text):
    """[(targets, prerequisites)] of a make dependency file."""
    text = re.sub(r"\\\n", " ", text)
    rules = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"((?:[^:\\]|\\.)*):(?!=)(.*)$", line)
        if not m:
            rules.append((None, line))
            continue
        rules.append((make_words(m.group(1)), make_words(m.group(2))))
    return rules


def xml_closure(xml_path):
    """The XML file and every file it XIncludes, recursively, as real paths."""
    import xml.etree.ElementTree as ET
    seen, todo = [], [xml_path]
    while todo:
        p = todo.pop(0)
        rp = os.path.realpath(p)
        if rp in seen:
            continue
        seen.append(rp)
        for el in ET.parse(p).getroot().iter("{http://www.w3.org/2001/XInclude}include"):
            todo.append(os.path.join(os.path.dirname(p), el.get("href")))
    return seen


def font_key(name):
    """A key shared by a font file's base name and pdffonts' name of a font
    from it: NotoSansCJK-Bold.ttc and ABCDEF+NotoSansCJKsc-Bold-Identity-H
    both give notosanscjkbold."""
    name = pc.strip_subset(os.path.basename(name))
    name = re.sub(r"(\.(ttc|otf|ttf|otc)|-Identity-[HV])$", "", name, flags=re.I)
    name = re.sub(r"(?i)cjk(sc|tc|jp|kr|hk)", "cjk", name)
    return re.sub(r"[^a-z0-9]", "", name.lower())


def check_depfile(rules, targets, sources, fonts_used, base="."):
    """rules: parse_depfile(); targets: the wanted targets; sources: real
    paths of every XML file, the style sheet and the schema; fonts_used:
    pdffonts names of the fonts in the outputs; base: the directory the
    rule's relative names are relative to.  -> (problems, figures)."""
    problems = []
    resolve = lambda p: os.path.realpath(os.path.join(base, p))
    top = os.path.realpath(base)
    show = lambda p: os.path.relpath(p, top) if p.startswith(top + os.sep) else p
    bad = [r for r in rules if r[0] is None]
    if bad:
        problems.append("not a make rule: %r" % bad[0][1][:60])
    rules = [r for r in rules if r[0] is not None]
    main = [r for r in rules if r[1]]
    if len(main) != 1:
        problems.append("expected one rule with prerequisites, found %d" % len(main))
        return problems, {}
    tg, prereqs = main[0]
    if sorted(map(resolve, tg)) != sorted(map(os.path.realpath, targets)):
        problems.append("targets are %s, expected %s" % (" ".join(tg), " ".join(targets)))
    real = [resolve(p) for p in prereqs]
    for s in sources:
        if s not in real:
            problems.append("%s is not a prerequisite" % show(s))
    fonts = [p for p in prereqs if p.lower().endswith(FONT_EXT)]
    others = [p for p, r in zip(prereqs, real) if r not in sources and p not in fonts]
    if others:
        problems.append("prerequisites that are neither sources nor font files: %s" % " ".join(others))
    if not fonts:
        problems.append("no font file among the prerequisites")
    for p in prereqs:
        if not os.path.exists(resolve(p)):
            problems.append("prerequisite %s does not exist" % p)
    keys = {font_key(f) for f in fonts}
    for f in sorted(set(fonts_used)):
        if font_key(f) not in keys:
            problems.append("font %s is embedded but no font file for it is listed (%s)"
                            % (pc.strip_subset(f), ", ".join(os.path.basename(x) for x in fonts)))
    if len(set(real)) != len(real):
        problems.append("a prerequisite is listed twice")
    empty = {resolve(w) for t, p in rules if not p for w in t}
    for s in sources:
        if s not in empty:
            problems.append("%s has no empty rule (deleting it would stop make)" % show(s))
    return problems, {"targets": len(tg), "prereqs": len(prereqs), "fonts": fonts}


def find_schema(rules, schema, base):
    """The real path of the schema the rules name: paiban's default schema is
    the installation's (found from the executable's own location), so it is
    the prerequisite with SCHEMA's name and bytes; SCHEMA itself when none."""
    for _, prereqs in rules:
        for p in prereqs or []:
            rp = os.path.realpath(os.path.join(base, p))
            if os.path.basename(rp) == os.path.basename(schema) and os.path.isfile(rp) \
                    and filecmp.cmp(rp, schema, shallow=False):
                return rp
    return os.path.realpath(schema)


def cmd_depfile(dep, xml_path, style_path, schema, *rest):
    rest = list(rest)
    make_list, pdfs, targets, base = None, [], [], "."
    while rest:
        a = rest.pop(0)
        if a == "--make-list":
            make_list = rest.pop(0)
        elif a == "--base":
            base = rest.pop(0)
        elif a == "--pdf":
            pdfs.append(rest.pop(0))
        else:
            targets.append(a)
    rep = pc.Report()
    text = open(dep, encoding="utf-8").read()
    rules = parse_depfile(text)
    sources = xml_closure(xml_path) + [os.path.realpath(style_path), find_schema(rules, schema, base)]
    used = [f["name"] for pdf in pdfs for f in pc.parse_pdffonts(pc.run(["pdffonts", pdf]))]
    probs, fig = check_depfile(rules, targets, sources, used, base)
    rep.group("depfile %s: targets, every XML file read (%d), style sheet, schema, font files"
              % (os.path.basename(dep), len(sources) - 2), probs,
              "%d targets, %d prerequisites, fonts %s" % (fig.get("targets", 0), fig.get("prereqs", 0),
                                                          " ".join(os.path.basename(f) for f in fig.get("fonts", []))))
    if make_list is not None:
        got = open(make_list, encoding="utf-8").read().split()
        main = [p for t, p in rules if t and p]
        want = main[0] if main else []
        d = [] if got == want else ["make read %d prerequisites, the parser %d; first difference: %s"
                                    % (len(got), len(want), next((("make %r, parser %r" % (a, b))
                                                                   for a, b in zip(got, want) if a != b),
                                                                  "in the length"))]
        rep.group("depfile %s: GNU make reads the same prerequisites" % os.path.basename(dep), d,
                  "%d prerequisites" % len(got))
    return rep.failed


# --------------------------------------------------------------------------
# mtimes
# --------------------------------------------------------------------------
def mtimes(dir_):
    out = {}
    for root, _, files in os.walk(dir_):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, dir_)] = os.stat(p).st_mtime_ns
    return out


def read_mtimes(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        mtime, _, name = line.rstrip("\n").partition(" ")
        out[name] = mtime           # nanoseconds, or seconds.nanoseconds (GNU stat %.9Y)
    return out


def changed_files(before, after, ignore=None):
    names = set(before) | set(after)
    rx = re.compile(ignore) if ignore else None
    return sorted(n for n in names if before.get(n) != after.get(n) and not (rx and rx.search(n)))


def check_changed(before, after, want, ignore=None):
    got = changed_files(before, after, ignore)
    problems = []
    extra = [n for n in got if n not in want]
    missing = [n for n in want if n not in got]
    if extra:
        problems.append("rewritten but should not be: %s" % " ".join(extra))
    if missing:
        problems.append("not rewritten: %s" % " ".join(missing))
    return problems, got


def cmd_changed(before, after, label, *rest):
    rest = list(rest)
    ignore = None
    if rest and rest[0] == "--ignore":
        ignore = rest[1]
        rest = rest[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    rep = pc.Report()
    b, a = read_mtimes(before), read_mtimes(after)
    probs, got = check_changed(b, a, rest, ignore)
    rep.group(label, probs, "new mtime: %s (of %d files)" % (" ".join(got) or "none", len(a)))
    return rep.failed


# --------------------------------------------------------------------------
# Self-test: every check fails on planted faults
# --------------------------------------------------------------------------
def restyled(line, font):
    """A copy of the stext line with every glyph in font (a mutool font name)."""
    return pc.Line([pc.Char(ch.c, ch.x, ch.y, ch.x0, ch.x1, font, ch.size, ch.color) for ch in line.chars])


def selftest(dir_, pattern, xml_path, style_path, dep, schema, base="."):
    rep = pc.Report(quiet=True)
    sheet, trends, want, by_name, found, handouts, meta, back = load_split(dir_, pattern, xml_path, style_path)
    good = handout_problems(handouts, trends, by_name, meta, sheet, back)
    for k in HANDOUT_CHECKS:
        rep.group("selftest: %s passes on the real handouts" % k, good[k])
    rep.group("selftest: names pass on the real directory", check_names(found, want))
    planted = 0

    def expect(name, check, problems):
        nonlocal planted
        planted += 1
        rep.group("selftest: %s fails on %s" % (check, name), [] if problems else ["no problem reported"])

    h3 = next(h for h in handouts if by_name[h.name].number == "3")
    t3, t4 = by_name[h3.name], next(t for t in trends if t.number == "4")
    i3, i4 = trends.index(t3), trends.index(t4)

    def with_body(h, body):
        """A copy of h whose text (one page) is body."""
        m = copy.copy(h)
        m.bodies = [body]
        return m

    def before_back(h, extra):
        """A copy of h with extra in its text just before the back matter."""
        at = h.body.rfind(back.text)
        return with_body(h, h.body[:at] + extra + h.body[at:])

    def with_list(h, lines, body):
        """A copy of h whose list's lines are lines (the last page's lines
        before the list kept) and whose text is body."""
        m = with_body(h, body)
        last = h.lines[-1]
        m.lines = h.lines[:-1] + [last[:len(last) - len(back.entries)] + lines]
        return m

    real = list_lines(h3, back)
    regular = real[i4].glyphs[0].font          # the font names the handout itself uses
    bold = real[i3].glyphs[0].font
    body_list = h3.body[:h3.body.rfind(back.list_text)]   # the text up to the list

    expect("trend-03.pdf checked as trend 4", "text", check_text(h3, t4, back))
    expect("trend-03.pdf checked as trend 4", "others", check_others(h3, t4, trends, back))
    expect("trend-03.pdf checked as trend 4", "list", check_list(h3, t4, back, sheet))
    m = with_body(h3, h3.body[:len(t3.text) - 1] + h3.body[len(t3.text):])
    expect("the callout's last character dropped", "text", check_text(m, t3, back))
    m = before_back(h3, t4.pieces[-1])
    expect("trend 4's paragraph before the back matter", "others", check_others(m, t3, trends, back))
    expect("trend 4's paragraph before the back matter", "text", check_text(m, t3, back))
    m = before_back(h3, next(p for p in t4.pieces if p != t4.title))
    expect("trend 4's subtitle before the back matter", "others", check_others(m, t3, trends, back))
    m = before_back(h3, t4.title)
    expect("trend 4's title in the text as well as in the list", "others", check_others(m, t3, trends, back))
    m = with_body(h3, h3.body.replace(t3.badge, "", 1))
    expect("no badge", "text", check_text(m, t3, back))
    m = with_body(h3, h3.body.replace(back.fields, "", 1))
    expect("no report title", "text", check_text(m, t3, back))
    lines = real[:i4] + real[i4 + 1:]
    m = with_list(h3, lines, body_list + "".join(l.text for l in lines))
    expect("trend 4's entry missing from the list", "text", check_text(m, t3, back))
    expect("trend 4's entry missing from the list", "list", check_list(m, t3, back, sheet))
    expect("trend 4's entry missing from the list", "others", check_others(m, t3, trends, back))
    lines = list(real)
    lines[i4], lines[i4 + 1] = real[i4 + 1], real[i4]
    m = with_list(h3, lines, body_list + "".join(l.text for l in lines))
    expect("trend 4's and 5's entries swapped", "text", check_text(m, t3, back))
    expect("trend 4's and 5's entries swapped", "list", check_list(m, t3, back, sheet))
    lines = list(real)
    lines[i4 + 1] = real[i4]
    m = with_list(h3, lines, body_list + "".join(l.text for l in lines))
    expect("trend 4's entry in place of trend 5's", "others", check_others(m, t3, trends, back))
    expect("trend 4's entry in place of trend 5's", "list", check_list(m, t3, back, sheet))
    lines = list(real)
    lines[i3], lines[i4] = restyled(real[i3], regular), restyled(real[i4], bold)
    m = with_list(h3, lines, h3.body)
    expect("the bold on trend 4's entry instead of trend 3's", "list", check_list(m, t3, back, sheet))
    lines = list(real)
    lines[i4] = restyled(real[i4], bold)
    m = with_list(h3, lines, h3.body)
    expect("trend 4's entry bold as well", "list", check_list(m, t3, back, sheet))
    lines = list(real)
    lines[i3] = restyled(real[i3], regular)
    m = with_list(h3, lines, h3.body)
    expect("no entry in bold", "list", check_list(m, t3, back, sheet))
    lines = list(real)
    lines[i3] = pc.Line(real[i3].chars[:1] + [pc.Char(ch.c, ch.x, ch.y, ch.x0, ch.x1, regular, ch.size, ch.color)
                                                for ch in real[i3].chars[1:]])
    m = with_list(h3, lines, h3.body)
    expect("trend 3's entry bold in its badge only", "list", check_list(m, t3, back, sheet))
    m = copy.copy(h3)
    m.heads = [pc.nows(meta["title"])] + h3.heads[1:]
    expect("a running head (the report title)", "head", check_head(m, sheet))
    m = copy.copy(h3)
    m.heads = [t4.title] + h3.heads[1:]
    expect("trend 4's title in a running head", "others", check_others(m, t3, trends, back))
    m = copy.copy(h3)
    m.feet = [f.replace(meta["year"], "") for f in h3.feet]
    expect("no year in the running foot", "foot", check_foot(m, meta))
    m = copy.copy(h3)
    m.feet = [""] * len(h3.feet)
    expect("no running foot", "foot", check_foot(m, meta))
    other = "A5" if sheet.page.get("size") == "A4" else "A4"
    m = copy.copy(h3)
    m.sizes = [tuple(v * 72 / 25.4 for v in pc.PAPER_MM[other])]
    expect("an %s page" % other, "size", check_size(m, sheet))
    m = copy.copy(h3)
    m.sizes = []
    expect("no pages", "size", check_size(m, sheet))
    m = copy.copy(h3)
    m.qpdf, m.qpdf_rc = "WARNING: xref not found\n", 3
    expect("a qpdf warning", "qpdf", check_qpdf(m))
    m = copy.copy(h3)
    m.fonts = [dict(h3.fonts[0], emb="no")] + h3.fonts[1:]
    expect("a font not embedded", "fonts", check_fonts(m))
    m = copy.copy(h3)
    m.fonts = [dict(h3.fonts[0], sub="no")] + h3.fonts[1:]
    expect("a font not subset", "fonts", check_fonts(m))
    expect("trend-07.pdf missing", "names", check_names([n for n in found if n != want[6]], want))
    expect("an extra trend-11.pdf", "names", check_names(found + ["trend-11.pdf"], want))

    # depfile
    rules = parse_depfile(open(dep, encoding="utf-8").read())
    schema = find_schema(rules, schema, base)
    sources = xml_closure(xml_path) + [os.path.realpath(style_path), schema]
    used = [f["name"] for h in handouts for f in h.fonts]
    targets = [os.path.join(dir_, n) for n in want]
    probs, _ = check_depfile(rules, targets, sources, used, base)
    rep.group("selftest: depfile passes on the real one", probs)

    def dep_mutant(name, edit):
        r = copy.deepcopy(rules)
        try:
            edit(r)
        except (StopIteration, ValueError, IndexError):
            rep.group("selftest: depfile fails on %s" % name, ["cannot plant it: the depfile lacks what it removes"])
            return
        expect(name, "depfile", check_depfile(r, targets, sources, used, base)[0])

    main = next((i for i, r in enumerate(rules) if r[1]), None)
    if main is None:
        rep.group("selftest: depfile", ["no rule with prerequisites to plant faults in"])
        return rep.failed
    dep_mutant("trends/07.xml left out", lambda r: r[main][1].remove(
        next(p for p in r[main][1] if p.endswith("trends/07.xml"))))
    dep_mutant("the style sheet left out", lambda r: r[main][1].remove(
        next(p for p in r[main][1] if os.path.realpath(os.path.join(base, p)) == os.path.realpath(style_path))))
    dep_mutant("the schema left out", lambda r: r[main][1].remove(
        next(p for p in r[main][1] if os.path.realpath(os.path.join(base, p)) == os.path.realpath(schema))))
    dep_mutant("no font files", lambda r: r[main][1].__setitem__(
        slice(None), [p for p in r[main][1] if not p.endswith(FONT_EXT)]))
    fonts = [p for p in rules[main][1] if p.endswith(FONT_EXT)]
    used_keys = {font_key(f) for f in used}
    used_file = next((f for f in fonts if font_key(f) in used_keys), None)
    dep_mutant("an embedded font's file left out", lambda r: r[main][1].remove(used_file))
    dep_mutant("a missing file listed", lambda r: r[main][1].append("xml/trends/99.xml"))
    dep_mutant("a target missing", lambda r: r[main][0].pop())
    dep_mutant("trends/07.xml without its empty rule",
               lambda r: r.remove(next(x for x in r if not x[1] and x[0] and x[0][0].endswith("trends/07.xml"))))
    dep_mutant("not make syntax", lambda r: r.append((None, "this is not a rule")))

    # mtimes
    before = {"a.pdf": 1, "b.pdf": 2, "c.pdf": 3, ".deps/x.d": 4}
    after = dict(before, **{"b.pdf": 5, ".deps/x.d": 6})
    rep.group("selftest: changed passes when exactly b.pdf changed",
              check_changed(before, after, ["b.pdf"], r"\.d$")[0])
    expect("an extra rewrite", "changed", check_changed(before, dict(after, **{"c.pdf": 7}), ["b.pdf"], r"\.d$")[0])
    expect("a missing rewrite", "changed", check_changed(before, before, ["b.pdf"])[0])
    expect("a new file", "changed", check_changed(before, dict(after, **{"d.pdf": 1}), ["b.pdf"], r"\.d$")[0])
    expect("a vanished file", "changed",
           check_changed(before, {k: v for k, v in after.items() if k != "a.pdf"}, ["b.pdf"], r"\.d$")[0])
    if rep.failed == 0:
        print("ok selftest: every check passes on the real data and fails on %d planted faults" % planted)
    return rep.failed


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "split":
            return 1 if cmd_split(*args) else 0
        if cmd == "contains":
            return 1 if cmd_contains(*args) else 0
        if cmd == "sametext":
            return 1 if cmd_sametext(*args) else 0
        if cmd == "depfile":
            return 1 if cmd_depfile(*args) else 0
        if cmd == "mtimes":
            for name, ns in sorted(mtimes(args[0]).items()):
                print("%d %s" % (ns, name))
            return 0
        if cmd == "changed":
            return 1 if cmd_changed(*args) else 0
        if cmd == "selftest":
            return 1 if selftest(*args) else 0
    except (RuntimeError, OSError, ValueError, StopIteration, IndexError, AttributeError) as e:
        print("FAIL %s: %s: %s" % (cmd, type(e).__name__, e))
        return 1
    print("unknown command %r" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(pc.main_then(sys.argv, main))
