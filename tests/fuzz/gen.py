#!/usr/bin/env python3
"""gen.py: random, mostly VALID inputs for the fuzz harness (structure-aware fuzzing).

Writes inputs in the format of tests/fuzz/fuzz_pipeline.c: an XML document
valid against xml/paiban.rng (most of the time), optionally followed by
"\\n--paiban-style--\\n" and a style sheet.  About half the inputs carry no
sheet (the harness then uses styles/print.xml); the others carry
styles/print.xml or styles/handout.xml verbatim, a mutated copy of one of
them, or a generated sheet that uses every property and <page> attribute
of styles/README.md with edge values.  Documents cover every element and
attribute of the schema with edge values: empty, blank and comment-only
content, long runs of one character (Han, NBSP, U+3000, ZWSP, emoji,
characters outside the BMP, combining marks, ...), huge text up to the
harness's 64 KB cap, deep nesting, many repeats, internal entities (text
and markup, including markup the schema would refuse), CDATA, character
references, XIncludes, images and odd encodings.  A minority is made
invalid on purpose, to exercise the error paths.

With --docdir, the images and XInclude targets the inputs name are written
there (img/, inc/); run the harness with PAIBAN_FUZZ_DOCDIR set to it.

Deterministic: the same --seed (and --count) gives the same bytes; input i
of a batch depends only on the seed and i.  Standard library only.

  gen.py --seed 7 --count 200 --out DIR [--docdir DIR] [--check]
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SEPARATOR = "\n--paiban-style--\n"
MAX_INPUT = 65536          # the harness ignores longer inputs (FUZZ_MAX_INPUT)
XI_NS = "http://www.w3.org/2001/XInclude"
HUGE = "\x00HUGE\x00"     # stands for the huge paragraph until the rest of the input is known

# ---------------------------------------------------------------------------
# Text material
# ---------------------------------------------------------------------------

HAN_WORDS = [
    "大模型", "人工智能", "多模态", "具身智能", "智能体", "推理能力", "算力", "数据要素",
    "开源生态", "端侧部署", "安全治理", "产业应用", "科学发现", "通用人工智能", "机器外脑",
    "趋势", "报告", "技术", "发展", "世界", "我们", "正在", "进入", "一个", "新的", "时代",
    "龘", "齉", "〇", "丨", "乂", "鑫", "犇", "骉", "麤", "𠀀", "𪚥", "𰻞",
]
HAN_SENTENCES = [
    "大模型正在从“能说会道”走向“能干实事”。",
    "2024年，人工智能的发展进入了一个新的阶段——从技术突破走向规模应用。",
    "具身智能、智能体与多模态融合，构成了本年度最值得关注的三条主线……",
    "（注：本报告的数据截至2024年6月。）",
    "《2024大模型十大趋势》由多家机构联合发布；详见附录。",
    "他说：“这不是终点，而是起点！”你同意吗？",
    "第一，算力；第二，数据；第三，算法、人才与生态。",
    "GPT-4o、Claude 3与Gemini 1.5相继发布，推理成本下降了约90%。",
    "访问 https://example.com/report?id=2024&lang=zh 获取全文。",
    "中文English混排123测试，Han–Latin spacing（自动间距）。",
]
LATIN_WORDS = [
    "AI", "GPT-4", "Transformer", "RLHF", "API", "token", "LLM", "Hello", "world", "the",
    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "2024", "3.14", "10,000", "50%",
    "1.5×", "e.g.", "i.e.", "co-operate", "naïve", "Ærøskøbing", "straße", "ﬁnance",
    "supercalifragilisticexpialidocious", "antidisestablishmentarianism",
    "https://example.com/a/b/c?d=e&f=g#h", "www.example.org/路径/文件.html",
    "user@example.com", "C:\\Program Files\\x", "/usr/share/fonts", "v1.2.3-rc.4+build.5",
    "ﬀ", "Ǆ", "ǅ", "ǆ", "I\u0307", "Ω", "∑∫√∞", "½", "①②③", "Ⅻ",
]
PUNCT = ["，", "。", "、", "；", "：", "？", "！", "“", "”", "‘", "’", "（", "）", "《", "》",
         "〈", "〉", "【", "】", "「", "」", "『", "』", "——", "……", "·", "～", "—", "…",
         "(", ")", "[", "]", ",", ".", ";", ":", "?", "!", "'", "\"", "/", "-", "–"]
# Characters for long runs of one character.
RUN_CHARS = [
    "汉", "a", "W", "8", " ", "\u00a0", "\u3000", "—", "——", "…", "……", "。", "，", "“", "”",
    "“”", "（", "）", "《", "、", "\u200b", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u200e",
    "\u2028", "😀", "👩\u200d💻", "🇨🇳", "❤\ufe0f", "𠀀", "𝄞", "\U0010fffd", "\ue000",
    "\uf8ff", "e\u0301", "\u0301", "\u0e01\u0e34", "\u0915\u094d", "ب", "한", "\ufffd",
    "汉\U000e0100", "-", "/", ".", "\t", "a ", "汉 ", "1a汉", "<>&", "\u00a0汉",
    "\u3000\u00a0", "ﷺ", "\u0f00", "ꦄ",
]
URLS = ["https://example.com/", "http://a.b/c?d=1&e=2", "ftp://x.y/z.txt",
        "https://例子.测试/路径?查询=值", "mailto:a@b.c", "https://example.com/" + "x" * 200]
FAMILIES = ["Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans Mono CJK SC",
            "Noto Serif CJK TC", "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "Nimbus Roman",
            "Nimbus Sans", "URW Bookman", "Standard Symbols PS", "D050000L", "C059", "Z003"]
BAD_FAMILIES = ["No Such Font", "serif", "sans-serif", "monospace", "Noto Color Emoji", ""]
LANGS = ["zh-Hans", "zh-Hans-CN", "zh", "en", "en-GB", "ja", "zh-Hant-TW", "i-klingon",
         "x-private", "a-b1c2d3e4", "ABCDEFGH", "zh-cmn-Hans-CN", "de-1996"]
BAD_LANGS = ["", "zh_CN", "toolonglanguage", "-en", "en-", "中文"]
YEARS = ["2024", "1999", "0001", "9999", "12345", "-0044", " 2024 ", "2024Z", "2024+08:00",
         "2024-14:00", "\n2024\t", "-12345"]
BAD_YEARS = ["二〇二四", "24", "2024-01", "0000", "", "abcd", "2024.0", "+2024"]
ELEMENT_STYLES = ["document", "p", "em", "strong", "titleblock", "headline", "deck", "section",
                  "heading", "list", "item", "figure", "image", "figure.image", "caption",
                  "callout", "callout.badge", "callout.title", "callout.subtitle", "callout.p",
                  "callout.list", "section.heading", "section.p", "list.item", "folio",
                  "running-head", "running-head-verso", "running-head-recto", "running-foot",
                  "toc-entry", "toc-entry-0", "toc-entry-1", "toc-entry-2", "toc-entry-9",
                  "titleblock.headline", "figure.caption", "em.strong", "item.em", "br"]
UNDEFINED_STYLES = ["nosuch", "Sans", "callout.nope", "x-1", "\u6837\u5f0f", "_", "a.b.c"]


def escape_text(s):
    """Escape character data for XML content."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(s, quote='"'):
    """Escape an attribute value for the given quote character."""
    s = s.replace("&", "&amp;").replace("<", "&lt;")
    return s.replace('"', "&quot;") if quote == '"' else s.replace("'", "&apos;")


def xml_char_ok(c):
    """True for a code point XML 1.0 allows in a document."""
    o = ord(c)
    return (o in (9, 10, 13) or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD
            or 0x10000 <= o <= 0x10FFFF)


def short_hash(data):
    """A short content hash, for file names."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()[:10]


# ---------------------------------------------------------------------------
# Images: PNG and JPEG files, valid and broken
# ---------------------------------------------------------------------------

def png_chunk(kind, data, bad_crc=False):
    """One PNG chunk: length, type, data, CRC."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    if bad_crc:
        crc ^= 0x5A5A
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(rng, w, h, color_type=2, depth=8, interlace=0, claim=None):
    """A PNG of w x h pixels (claim: the size written in IHDR instead)."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color_type, 3)
    rowbytes = (w * channels * depth + 7) // 8
    seed = rng.randrange(256)
    rows = b"".join(b"\x00" + bytes((seed + x * 7 + y * 13) & 0xFF for x in range(rowbytes))
                    for y in range(h))
    cw, ch = claim if claim else (w, h)
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", cw, ch, depth, color_type, 0, 0, interlace))
    if color_type == 3:
        out += png_chunk(b"PLTE", bytes(rng.randrange(256) for _ in range(3 * (1 << min(depth, 8)))))
    out += png_chunk(b"IDAT", zlib.compress(rows, 9))
    return out + png_chunk(b"IEND", b"")


def jpeg_bytes(w, h, ncomp=1, sof=0xC0, precision=8, extra=b""):
    """A baseline JPEG of one flat colour (every block: DC 0, then EOB)."""
    seg = lambda marker, body: bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    out = b"\xff\xd8" + extra
    out += seg(0xDB, b"\x00" + bytes([1] * 64))
    comps = b"".join(bytes([i + 1, 0x11, 0]) for i in range(ncomp))
    out += seg(sof, bytes([precision]) + struct.pack(">HH", h, w) + bytes([ncomp]) + comps)
    one_code = bytes([1] + [0] * 15)
    out += seg(0xC4, b"\x00" + one_code + b"\x00")   # DC table: category 0 -> "0"
    out += seg(0xC4, b"\x10" + one_code + b"\x00")   # AC table: EOB -> "0"
    out += seg(0xDA, bytes([ncomp]) + b"".join(bytes([i + 1, 0]) for i in range(ncomp)) + b"\x00\x3f\x00")
    blocks = max(1, ((w + 7) // 8) * ((h + 7) // 8) * ncomp)
    bits = 2 * min(blocks, 200000)
    data = bytearray(b"\x00" * (bits // 8))
    if bits % 8:
        data.append((1 << (8 - bits % 8)) - 1)       # pad the last byte with 1 bits
    out += bytes(data).replace(b"\xff", b"\xff\x00")
    return out + b"\xff\xd9"


class Aux:
    """The auxiliary files of a batch (images, XInclude targets) in the doc directory."""

    def __init__(self, docdir):
        """Files go below docdir (None: nowhere, only the names are made)."""
        self.docdir = docdir

    def put(self, sub, stem, ext, data):
        """Write data as DOCDIR/sub/stem-HASH.ext (once); return the relative path."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        rel = "%s/%s-%s.%s" % (sub, stem, short_hash(data), ext)
        if self.docdir:
            path = os.path.join(self.docdir, rel)
            if not os.path.exists(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
        return rel

    def put_named(self, rel, data):
        """Write data as DOCDIR/rel (a fixed name, for files that name themselves)."""
        if self.docdir:
            path = os.path.join(self.docdir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(data)
        return rel

    def copy_data(self, name):
        """Copy tests/data/NAME into DOCDIR/img/; return the relative path."""
        rel = "img/" + name
        if self.docdir and not os.path.exists(os.path.join(self.docdir, rel)):
            os.makedirs(os.path.join(self.docdir, "img"), exist_ok=True)
            shutil.copyfile(os.path.join(ROOT, "tests", "data", name), os.path.join(self.docdir, rel))
        return rel


def image_src(rng, aux, broken_ok=True):
    """An <image src> value: a real image, or (when broken_ok) a broken one or a path that does not work."""
    kind = rng.choices(
        ["data", "png", "png-odd", "jpeg", "png-broken", "jpeg-broken", "missing", "weird"],
        [18, 22, 10, 12, 12, 10, 5, 5] if broken_ok else [30, 30, 8, 12, 0, 0, 0, 0])[0]
    if kind == "data":
        return aux.copy_data(rng.choice(["blue-16x8.png", "red-16x8.jpg"]))
    if kind == "png":
        ct, depth = rng.choice([(2, 8), (0, 8), (6, 8), (4, 8), (3, 8), (0, 1), (0, 16), (2, 16),
                                (3, 1), (3, 4), (0, 2)])
        w, h = rng.choice([(1, 1), (16, 8), (17, 5), (33, 33), (2, 1), (1, 2), (64, 64)])
        return aux.put("img", "png-c%d-d%d-%dx%d" % (ct, depth, w, h), "png", png_bytes(rng, w, h, ct, depth))
    if kind == "png-odd":
        w, h = rng.choice([(2480, 2), (4000, 1), (1, 4000), (3, 3000), (1000, 1000), (999, 7),
                           (12000, 1), (1, 12000)])
        return aux.put("img", "png-odd-%dx%d" % (w, h), "png", png_bytes(rng, w, h, 0, 1 if w * h > 10 ** 6 else 8))
    if kind == "jpeg":
        w, h = rng.choice([(1, 1), (8, 8), (17, 5), (3, 1000), (1000, 3), (16, 8), (2480, 8)])
        nc = rng.choice([1, 1, 3, 3, 4])
        return aux.put("img", "jpeg-%dx%d-c%d" % (w, h, nc), "jpg", jpeg_bytes(w, h, nc))
    if kind == "png-broken":
        how = rng.choice(["truncated", "sig-only", "bad-crc", "bad-zlib", "no-idat", "claim-huge",
                          "claim-zero", "claim-2g", "bad-depth", "bad-type", "no-plte", "interlace",
                          "empty-idat", "claim-limit", "claim-over"])
        good = png_bytes(rng, 16, 8)
        data = {
            "truncated": lambda: good[:rng.randrange(9, len(good) - 1)],
            "sig-only": lambda: good[:8],
            "bad-crc": lambda: good[:8] + png_chunk(b"IHDR", good[16:29], bad_crc=True) + good[33:],
            "bad-zlib": lambda: good[:33] + png_chunk(b"IDAT", b"\x78\x9c" + bytes(rng.randrange(256) for _ in range(40))) + png_chunk(b"IEND", b""),
            "no-idat": lambda: good[:33] + png_chunk(b"IEND", b""),
            "claim-huge": lambda: png_bytes(rng, 4, 4, claim=(100000, 100000)),
            "claim-zero": lambda: png_bytes(rng, 4, 4, claim=(0, 5)),
            "claim-2g": lambda: png_bytes(rng, 4, 4, claim=(0x80000000, 1)),
            "bad-depth": lambda: png_bytes(rng, 4, 4, 2, 3),
            "bad-type": lambda: png_bytes(rng, 4, 4, 5, 8),
            "no-plte": lambda: png_bytes(rng, 4, 4, 0, 8)[:25] + b"\x03" + png_bytes(rng, 4, 4, 0, 8)[26:],
            "interlace": lambda: png_bytes(rng, 16, 8, interlace=1),
            "empty-idat": lambda: good[:33] + png_chunk(b"IDAT", b"") + png_chunk(b"IEND", b""),
            "claim-limit": lambda: png_bytes(rng, 4, 4, 0, 1, claim=(100000, 1)),
            "claim-over": lambda: png_bytes(rng, 4, 4, claim=(100001, 1)),
        }[how]()
        return aux.put("img", "png-" + how, "png", data)
    if kind == "jpeg-broken":
        how = rng.choice(["truncated", "soi-only", "no-sof", "zero-size", "max-size", "progressive",
                          "ncomp2", "prec12", "seglen0", "seglen-big", "fill-bytes", "com-long",
                          "eoi-early", "claim-limit"])
        good = jpeg_bytes(16, 8, 3)
        data = {
            "truncated": lambda: good[:rng.randrange(3, len(good) - 1)],
            "soi-only": lambda: b"\xff\xd8\xff",
            "no-sof": lambda: b"\xff\xd8" + good[2:].replace(b"\xff\xc0", b"\xff\xfe", 1),
            "zero-size": lambda: jpeg_bytes(0, 0, 1),
            "max-size": lambda: jpeg_bytes(65535, 65535, 1)[:400] + b"\xff\xd9",
            "progressive": lambda: jpeg_bytes(16, 8, 3, sof=0xC2),
            "ncomp2": lambda: jpeg_bytes(16, 8, 2),
            "prec12": lambda: jpeg_bytes(16, 8, 1, precision=12),
            "seglen0": lambda: b"\xff\xd8\xff\xe0\x00\x00" + good[2:],
            "seglen-big": lambda: b"\xff\xd8\xff\xe0\xff\xff" + good[2:60],
            "fill-bytes": lambda: b"\xff\xd8" + b"\xff" * 50 + good[2:],
            "com-long": lambda: b"\xff\xd8\xff\xfe\xff\xff" + bytes(65533) + good[2:],
            "eoi-early": lambda: b"\xff\xd8\xff\xd9" + good[2:],
            "claim-limit": lambda: jpeg_bytes(65500, 1, 1)[:300] + b"\xff\xd9",
        }[how]()
        return aux.put("img", "jpeg-" + how, "jpg", data)
    if kind == "missing":
        return rng.choice(["missing.png", "img/nothing-here.jpg", "no/such/dir/x.png", "../x.png",
                           "/nonexistent/a.png", "missing.PNG"])
    return rng.choice(["", " ", "img", "img/", ".", "/", "/etc/passwd", "/dev/null", "/proc/self/maps",
                       "file:///etc/passwd", "http://example.com/a.png", "img/%20x.png", "a\u00a0b.png",
                       "图片.png", "x" * 300 + ".png", "./img/../img/", "?#", "/dev/zero"])


# ---------------------------------------------------------------------------
# Style sheets
# ---------------------------------------------------------------------------

# Properties of <style>, by value type (styles/README.md).
PROPERTIES = {
    "font-family": "family", "font-weight": ("normal", "bold"), "font-size": "size",
    "line-height": "line-height", "color": "color",
    "text-align": ("justify", "left", "center", "right"),
    "line-break": ("strict", "normal", "loose", "gb"),
    "punctuation": ("kaiming", "quanjiao", "banjiao"),
    "punctuation-trim-start": ("yes", "no"), "hanging-punctuation": ("yes", "no"),
    "missing-glyph": ("warning", "error"), "autospace": ("yes", "no"),
    "text-indent": "indent", "space-before": "length", "space-after": "length",
    "margin-left": "length", "margin-right": "length", "padding": "length",
    "padding-top": "length", "padding-right": "length", "padding-bottom": "length",
    "padding-left": "length", "background": "background", "border-width": "length",
    "border-color": "color", "border-radius": "length", "shrink-wrap": ("yes", "no"),
    "keep-with-next": ("yes", "no"), "keep-together": ("yes", "no"), "outline-level": "level",
    "page-break-before": ("yes", "no"), "rule-above": "length", "rule-color": "color",
    "rule-gap": "length", "label": "label",
}
# Attributes of <page>, by value type.
PAGE_ATTRS = {
    "size": ("A3", "A4", "A5", "A6", "B5", "letter"), "width": "page-length",
    "height": "page-length", "bleed": "length", "margin-top": "margin", "margin-bottom": "margin",
    "margin-inner": "margin", "margin-outer": "margin", "folio": ("yes", "no"),
    "folio-offset": "length", "running-head-verso": "furniture", "running-head-recto": "furniture",
    "running-head-offset": "length", "running-foot": "furniture", "running-foot-offset": "length",
    "background": "color",
}
FIELDS = ["title", "subtitle", "publishers", "year", "subject", "source"]
UNITS = ["pt", "mm", "cm", "in", "px", "em"]
# Lengths at the edges of what the sheet checks accept (spaces 0..14400pt,
# padding and rules 0..1000pt, font sizes 1..1000pt, indents -1000..1000pt,
# page lengths 0..14400pt without em), and beyond them.
EDGE_LENGTHS = ["0", "0pt", "-0pt", "0.001pt", "1e-30pt", "1e-45pt", ".5mm", "+5pt", " 5pt", "0x10pt",
                "00007mm", "1E2pt", "5.pt", "999.9pt", "1000pt", "0.0001em", "0em", "35.277mm"]
SIZE_EDGES = ["1pt", "1.0001pt", "1000pt", "999pt", "0.1em", "72pt", "200pt", "0x1p4pt", "1e3pt"]
PAGE_EDGES = ["0", "0pt", "0.001pt", "1e-30pt", "14400pt", "200in", "5080mm", "508cm", "19200px", "+5pt"]
OUT_LENGTHS = ["-5pt", "-1e3mm", "1e39pt", "1e38pt", "3.4e38pt", "1e308pt", "-1e39pt", "99999in",
               "1e5pt", "-0.001pt", "100em", "14401pt", "1001pt", "0.5pt", "-2em"]
BAD_LENGTHS = ["NaN", "nanpt", "NaNpt", "infpt", "inf", "-infpt", "12", "", " ", "5 pt", "5PT",
               "5pt;", "abc", "1e309pt", "pt", "em", "5pt ", "5px5", "１０pt"]
BAD_WORDS = ["", "Bold", "yes ", "YES", "1", "centre", "none", "inherit"]
BAD_COLORS = ["", "red", "#12", "#1234", "#12345g", "#1234567", "rgb(0,0,0)", "#", " #fff"]


class SheetGen:
    """Generates style sheets: verbatim, mutated or new (see choose_sheet)."""

    def __init__(self, rng, scale):
        """rng: this input's random source; scale: how much to shrink counts (1 = full size)."""
        self.rng = rng
        self.scale = scale
        self.invalid = rng.random() < 0.08     # this sheet may carry a bad value
        self.out = self.invalid or rng.random() < 0.08   # ... or a length out of range

    def length(self, kind="length"):
        """A length of kind length, size, indent or page: ordinary mostly, else an edge, rarely out of range."""
        r = self.rng
        x = r.random()
        if self.invalid and x < 0.05:
            return r.choice(BAD_LENGTHS)
        if self.out and x < 0.04:
            return r.choice(OUT_LENGTHS)
        if x < 0.2:
            return r.choice(SIZE_EDGES if kind == "size" else PAGE_EDGES if kind == "page" else EDGE_LENGTHS)
        if kind == "size":
            return r.choice(["%gpt" % r.choice([5, 8, 9, 10.5, 12, 14, 18, 24, 36, 72]),
                             "%gem" % r.choice([0.5, 0.8, 1, 1.2, 2]), "%gmm" % r.choice([3, 4, 5]),
                             "%gpx" % r.choice([12, 16, 20])])
        unit = r.choice(UNITS[:5] if kind == "page" else UNITS)
        top = {"pt": 24, "px": 32, "mm": 9, "cm": 0.9, "in": 0.35, "em": 2.5}[unit]
        v = round(r.uniform(0, top), r.choice([0, 1, 3]))
        if kind == "indent" and r.random() < 0.3:
            v = -v
        return "%g%s" % (v, unit)

    def color(self):
        """A colour: #rgb or #rrggbb (rarely a bad one)."""
        r = self.rng
        if self.invalid and r.random() < 0.1:
            return r.choice(BAD_COLORS)
        if r.random() < 0.3:
            return "#" + "".join(r.choice("0123456789abcdefABCDEF") for _ in range(3))
        return "#%06x" % r.randrange(1 << 24)

    def furniture(self):
        """A running head or foot pattern: fields, repeated, mixed with text."""
        r = self.rng
        fields = ["{title}", "{section}", "{source}", "{year}"]
        kind = r.choices(["one", "mix", "repeat", "text", "odd", "empty", "long"], [25, 25, 15, 10, 10, 5, 10])[0]
        if kind == "one":
            return r.choice(fields)
        if kind == "mix":
            return "　｜　".join(r.choice(fields) for _ in range(r.randint(2, 4)))
        if kind == "repeat":
            return r.choice(fields) * r.choice([2, 7, 8, 9, 16, 40, 200])
        if kind == "text":
            return r.choice(HAN_SENTENCES)
        if kind == "odd":
            return r.choice(["{", "}", "{}", "{{title}}", "{title", "title}", "{n}", "{TITLE}",
                             "{section}{", "{foo}", "%s%n%x", "{title}\u00a0" * 5, "\t{year}\n"])
        if kind == "empty":
            return r.choice(["", " ", "\u3000"])
        return ("{title}{section}" + "汉" * 50) * r.choice([1, 10, 60])

    def label(self):
        """A label: text with {n}, long, empty or odd."""
        r = self.rng
        return r.choice(["• ", "趋势 {n}", "{n}. ", "({n})", "{n}" * r.choice([2, 8, 50]), "", " ",
                         "第{n}条：", "{", "{n", "n}", "—— ", "\u00a0" * 40, "汉" * r.choice([10, 400]),
                         "😀{n}𠀀", "{n}" + "长" * 200, "\t", "%s%d{n}", "\u200b"])

    def value(self, prop):
        """A value for style property prop (PROPERTIES gives its type)."""
        r = self.rng
        kind = PROPERTIES[prop]
        if isinstance(kind, tuple):
            if self.invalid and r.random() < 0.05:
                return r.choice(BAD_WORDS)
            return "warning" if prop == "missing-glyph" and r.random() < 0.8 else r.choice(kind)
        if kind == "family":      # a CJK family first (or last), so that most text has a font
            fams = [r.choice(FAMILIES) for _ in range(r.choice([0, 0, 1, 1, 2, 7, 39]))]
            fams.insert(0 if r.random() < 0.8 else len(fams), r.choice(FAMILIES[:5]))
            if self.invalid and r.random() < 0.3:
                fams.insert(r.randrange(len(fams) + 1), r.choice(BAD_FAMILIES))
            s = ", ".join(fams)
            return r.choice([s, s, s, s.replace(", ", ","), s + ", ", " " + s.replace(", ", " ,  ")])
        if kind in ("length", "size", "indent"):
            return self.length(kind)
        if kind == "line-height":
            x = r.random()
            if x < 0.6:
                return str(r.choice([1, 1.2, 1.5, 1.7, 2, 3]))
            if x < 0.8:
                return self.length("size")
            if x < 0.95:
                return r.choice(["0.5", "20", "0.01", "1e-3", "19.99", "0.1pt", "2000pt"])
            if not self.out:
                return "1.6"
            return r.choice(["0.0001", "1e39", "100", "20.5", "2001pt"]
                            + (["-1", "0", "NaN", "inf"] if self.invalid else []))
        if kind == "color":
            return self.color()
        if kind == "background":
            return "none" if r.random() < 0.2 else self.color()
        if kind == "level":
            if self.invalid and r.random() < 0.1:
                return r.choice(["10", "-1", "1.5", "", "one"])
            return str(r.randint(0, 9))
        if kind == "label":
            return self.label()
        raise ValueError(kind)

    def page_value(self, attr, default):
        """A value for <page> attribute attr; default is the master's sane value."""
        r = self.rng
        kind = PAGE_ATTRS[attr]
        if isinstance(kind, tuple):
            if self.invalid and r.random() < 0.05:
                return r.choice(["A7", "a5", "Letter", "", "B4"])
            return r.choice(kind)
        if kind == "furniture":
            return self.furniture()
        if kind == "color":
            return self.color()
        if kind == "margin" and default and r.random() < 0.93:
            return default
        if kind == "margin":
            return r.choice(["0", "-0", "1e-30pt", "0.001pt", "5pt", "0pt", "1mm"]
                            + (["-5mm", "-1e39pt", "2em", "1e38pt"] if self.out else []))
        if kind == "page-length" and default and r.random() < 0.9:
            return default
        return self.length("page")

    def attrs(self, pairs):
        """Serialise (name, value) pairs as attributes, with random quoting and spacing."""
        r = self.rng
        out = []
        for name, value in pairs:
            q = '"' if r.random() < 0.9 else "'"
            sep = " " if r.random() < 0.9 else r.choice(["\n    ", "\t", "  \r\n "])
            out.append('%s%s=%s%s%s' % (sep, name, q, escape_attr(value, q), q))
        return "".join(out)

    def page(self, name=None):
        """A <page> master; its margins fit unless the sheet is allowed to be invalid."""
        r = self.rng
        pairs = []
        if name:
            pairs.append(("name", name))
        limit = r.random() < 0.1
        if limit:       # the smallest page the checks accept, margins at the limit
            pairs += [("width", "72pt"), ("height", r.choice(["72pt", "1in", "25.4mm"])),
                      ("margin-inner", "18pt"), ("margin-outer", "18pt"), ("margin-top", "0"),
                      ("margin-bottom", "36pt")]
        elif r.random() < 0.7:
            pairs.append(("size", r.choice(PAGE_ATTRS["size"])))
        else:
            big = self.out and r.random() < 0.3         # beyond PDF's largest page
            pairs += [("width", r.choice(["1e39pt", "1e38pt", "14401pt"] if big else
                                         ["100mm", "5in", "14400pt", "300pt", "3e3mm", "200in", "72.001pt"])),
                      ("height", r.choice(["1e39pt", "1e38pt", "20in"] if big else
                                          ["150mm", "7in", "14400pt", "200pt", "508cm", "72pt"]))]
        if not limit:
            for m in ("margin-top", "margin-bottom", "margin-inner", "margin-outer"):
                if r.random() < 0.8:
                    pairs.append((m, self.page_value(m, r.choice(["10mm", "20mm", "15pt", "0", "12.7mm", "1in"]))))
        for a in ("bleed", "folio", "folio-offset", "running-head-verso", "running-head-recto",
                  "running-head-offset", "running-foot", "running-foot-offset", "background"):
            if r.random() < 0.45:
                pairs.append((a, self.page_value(a, None)))
        if self.invalid and r.random() < 0.05:
            pairs.append(r.choice([("colour", "red"), ("margin", "1mm"), ("name", "")]))
        r.shuffle(pairs)
        return "<page%s/>" % self.attrs(pairs)

    def generate(self, doc_names):
        """A new sheet: masters, front matter and styles for the element names and doc_names."""
        r = self.rng
        masters = ["m%d" % i for i in range(r.choice([0, 1, 2, 3, 6]))]
        lines = ["<stylesheet>", self.page()] + [self.page(m) for m in masters]
        defined = ["document"]
        for name in ELEMENT_STYLES + doc_names + ["st%d" % i for i in range(r.randint(0, 6))]:
            if name not in defined and (name in doc_names or r.random() < 0.7):
                defined.append(name)
        chain = []
        if r.random() < 0.25:                     # a deep parent chain
            chain = ["chain%d" % i for i in range(int(r.choice([10, 50, 200, 600]) * self.scale) + 1)]
        if r.random() < 0.7:
            lines.append(self.front(masters, defined + chain))
        for i, c in enumerate(chain):
            parent = [("parent", chain[i - 1])] if i else []
            props = r.sample(sorted(PROPERTIES), r.randint(0, 2))
            lines.append("<style%s/>" % self.attrs([("name", c)] + parent + [(p, self.value(p)) for p in props]))
        sink = r.random() < 0.3                   # one style with every property
        for name in defined:
            props = sorted(PROPERTIES) if sink else r.sample(sorted(PROPERTIES), r.randint(0, 6))
            sink = False
            if name == "document" and "font-family" not in props and r.random() < 0.95:
                props.append("font-family")
            pairs = [("name", name)]
            if chain and r.random() < 0.3:
                pairs.append(("parent", r.choice(chain)))
            elif r.random() < 0.2:
                others = [n for n in defined if n != name]
                if others:
                    pairs.append(("parent", r.choice(others)))
            pairs += [(p, self.value(p)) for p in props]
            lines.append("<style%s/>" % self.attrs(pairs))
        if self.invalid and r.random() < 0.3:
            lines.append(r.choice(['<style name="loop1" parent="loop2"/><style name="loop2" parent="loop1"/>',
                                   '<style name="orphan" parent="nobody"/>', '<style/>',
                                   '<style name="x" bogus="1"/>', '<unknown/>', '<front/><front/>']))
        lines.append("</stylesheet>")
        sep = r.choice(["\n", "\n  ", "", "\r\n"])
        return sep.join(lines) + "\n"

    def front(self, masters, names):
        """A <front> with parts holding fields, text and a table of contents."""
        r = self.rng
        out = ["<front>"]
        for _ in range(r.choice([0, 1, 2, 3, 3, 5, 30])):
            pairs = []
            if masters and r.random() < 0.8:
                pairs.append(("page", r.choice(masters)))
            if r.random() < 0.3:
                pairs.append(("style", r.choice(names)))
            items = []
            for _ in range(r.choice([0, 1, 2, 4, 8])):
                what = r.choice(["field", "field", "text", "toc"])
                ipairs = []
                if what == "field":
                    ipairs.append(("name", r.choice(FIELDS)))
                    if r.random() < 0.4:
                        ipairs.append(("separator", r.choice(["br", "、", "", " / ", "{n}", "汉" * 100, "\n"])))
                if r.random() < 0.6:
                    ipairs.append(("entry-style" if what == "toc" and r.random() < 0.7 else "style",
                                   r.choice(names)))
                if what == "text":
                    body = escape_text(r.choice(["目录", "", " ", "版权页", "汉" * r.choice([1, 300, 3000])]))
                    items.append("<text%s>%s</text>" % (self.attrs(ipairs), body))
                else:
                    items.append("<%s%s/>" % (what, self.attrs(ipairs)))
            out.append("<part%s>%s</part>" % (self.attrs(pairs), "".join(items)))
        if self.invalid and r.random() < 0.2:
            out.append(r.choice(['<part page="nosuch"/>', '<part><field name="author"/></part>',
                                 '<part><figure/></part>', '<chapter/>']))
        out.append("</front>")
        return "\n".join(out)

    def mutate(self, text):
        """Change a few attribute values (and sometimes lines) of a real style sheet."""
        r = self.rng
        spans = [m for m in re.finditer(r'([\w.-]+)="([^"]*)"', text)]
        edits = r.sample(spans, min(len(spans), r.choice([1, 1, 2, 3, 5, 10])))
        for m in sorted(edits, key=lambda m: m.start(), reverse=True):
            name = m.group(1)
            tag = re.match(r"<(\w+)", text[text.rfind("<", 0, m.start()):])
            if tag and tag.group(1) == "page" and name in PAGE_ATTRS:
                v = self.page_value(name, self.length("page"))
            elif name in PROPERTIES:
                v = self.value(name)
            elif name in PAGE_ATTRS:
                v = self.page_value(name, self.length("page"))
            elif name in ("parent", "style", "entry-style") and r.random() < 0.7:
                v = r.choice(re.findall(r'<style name="([^"]+)"', text) or ["document"])
            elif name == "separator":
                v = r.choice(["br", "", "、" * 20])
            else:
                continue    # names, pages and fields are kept, so the sheet stays consistent
            text = text[:m.start(2)] + escape_attr(v) + text[m.end(2):]
        if r.random() < 0.2:
            lines = text.split("\n")
            i = r.randrange(len(lines))
            op = r.choice(["dup", "dup", "drop-comment", "running"])
            if op == "dup" and lines[i].lstrip().startswith("<style name="):
                lines.insert(i, lines[i].replace('name="', 'name="copy-', 1))
            elif op == "drop-comment":
                text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
                return text
            elif op == "running":
                return re.sub(r'running-head-recto="[^"]*"',
                              'running-head-recto="%s"' % escape_attr(self.furniture()), text)
            text = "\n".join(lines)
        return text


def sheet_style_names(text):
    """The names of the <style> rules of a sheet."""
    return re.findall(r'<style\s+name="([^"]+)"', text)


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------

# Edge features: each input enables a few, so that every one is hit often.
FEATURES = {
    "empty-inline": 10, "run": 12, "huge": 6, "deep-sections": 5, "deep-inline": 5,
    "many-callouts": 5, "many-br": 4, "entities": 8, "entity-markup": 5, "entity-bypass": 5,
    "cdata": 5, "charref": 6, "whitespace": 8, "images": 12, "xinclude": 5, "meta-edge": 8,
    "lists": 6, "ids": 4, "mixed-script": 10, "comments": 6, "encoding": 4, "style-attrs": 10,
    "many-sections": 4,
}
# Corruptions for the invalid minority.
CORRUPTIONS = ["drop-year", "bad-year", "unknown-element", "unknown-attr", "text-in-body",
               "truncate", "mismatch", "dup-id", "number-zero", "bad-charref", "undefined-entity",
               "bad-utf8", "external-entity", "too-deep", "laughs", "bad-lang", "no-meta",
               "empty-list", "bad-list-type", "stray-separator", "xml-decl-late"]


class DocGen:
    """Generates one document (and its style sheet); see make_input."""

    def __init__(self, rng, aux, scale, features, sheet_names, undefined_ok):
        """features: the edge features of this input; sheet_names: the styles style= may name."""
        self.rng = rng
        self.aux = aux
        self.scale = scale
        self.f = features
        self.sheet_names = sheet_names
        self.undefined_ok = undefined_ok       # may name a style the sheet lacks
        self.entities = {}                     # name -> entity value (as written in the DTD)
        self.ids = 0
        self.numbers = 0
        self.need_xi = False
        self.layout = rng.choice(["compact", "pretty", "pretty", "heavy", "crlf"]) \
            if "whitespace" in features else rng.choice(["compact", "pretty"])
        self.depth = 0

    # ---- small pieces ----

    def n(self, *choices):
        """A count from choices, scaled down when the input must shrink."""
        return max(0, int(self.rng.choice(choices) * self.scale))

    def sep(self, depth=0):
        """White space between elements, following the document's layout."""
        r = self.rng
        if self.layout == "compact":
            return ""
        if self.layout == "pretty":
            return "\n" + "  " * min(depth, 40)
        if self.layout == "crlf":
            return "\r\n" + "\t" * min(depth, 10)
        return "".join(r.choice([" ", "\t", "\n", "\r\n", "   "]) for _ in range(r.randint(0, 30)))

    def comment(self):
        """An XML comment (never containing "--")."""
        return "<!--%s-->" % self.rng.choice(["", " 注释 ", "x", "<p>not markup</p>", " & ", "汉" * 50, "\n"])

    def run(self):
        """A long run of one character (escaped)."""
        r = self.rng
        ch = r.choice(RUN_CHARS)
        count = self.n(1, 2, 3, 8, 31, 100, 500, 2000, 8000, 20000)
        return escape_text(ch * max(1, count))

    def charref(self, s):
        """s written as numeric character references (decimal or hex)."""
        return "".join(("&#x%X;" % ord(c)) if self.rng.random() < 0.5 else ("&#%d;" % ord(c)) for c in s)

    def words(self):
        """Ordinary text: Chinese, Latin or both."""
        r = self.rng
        mixed = "mixed-script" in self.f
        kind = r.choices(["han", "sentence", "latin", "mixed"], [3, 4, 1, 4 if mixed else 1])[0]
        if kind == "han":
            return "".join(r.choice(HAN_WORDS) + (r.choice(PUNCT) if r.random() < 0.3 else "")
                           for _ in range(r.randint(1, 12)))
        if kind == "sentence":
            return "".join(r.choice(HAN_SENTENCES) for _ in range(r.randint(1, 4)))
        if kind == "latin":
            return " ".join(r.choice(LATIN_WORDS) for _ in range(r.randint(1, 15)))
        parts = []
        for _ in range(r.randint(2, 14)):
            parts.append(r.choice([r.choice(HAN_WORDS), r.choice(LATIN_WORDS), str(r.randrange(10 ** r.randint(1, 12))),
                                   r.choice(URLS), r.choice(PUNCT), " ", r.choice(HAN_SENTENCES)]))
        return "".join(parts)

    def text(self, meta=False):
        """Character data (escaped): words or an edge case, possibly with entities, CDATA, refs."""
        r = self.rng
        f = self.f
        options = [("words", 30)]
        if "empty-inline" in f:
            options += [("empty", 6), ("blank", 6), ("comment", 3 if "comments" in f else 1)]
        if "run" in f:
            options.append(("run", 10))
        if "charref" in f:
            options.append(("charref", 6))
        if "cdata" in f:
            options.append(("cdata", 6))
        if "entities" in f:
            options.append(("entity", 6))
        if "comments" in f:
            options.append(("with-comment", 4))
        if "mixed-script" in f:
            options.append(("punct", 4))
        kind = r.choices([k for k, _ in options], [w for _, w in options])[0]
        if kind == "words":
            return escape_text(self.words())
        if kind == "empty":
            return ""
        if kind == "blank":
            return "".join(r.choice([" ", "\t", "\n", "\r\n", "\u3000", "\u00a0"][:4 if r.random() < 0.7 else 6])
                           for _ in range(r.randint(1, 40)))
        if kind == "comment":
            return self.comment()
        if kind == "run":
            return self.run()
        if kind == "charref":
            s = self.words() + r.choice(RUN_CHARS) * r.randint(1, 5)
            return self.charref("".join(c for c in s if c not in "<&" and xml_char_ok(c)))
        if kind == "cdata":
            return "<![CDATA[%s]]>" % r.choice(["<p>not markup</p> & ", self.words(), "", "]]", "]",
                                                "&amp;&lt;", "\n\t ", "汉" * 200])
        if kind == "entity":
            return self.text_entity()
        if kind == "with-comment":
            return escape_text(self.words()) + self.comment() + escape_text(self.words())
        return escape_text("".join(r.choice(PUNCT) for _ in range(r.randint(1, 60))))

    def text_entity(self):
        """A reference to an internal entity holding text (declared on first use)."""
        r = self.rng
        name = "t%d" % r.randrange(6)
        if name not in self.entities:
            value = r.choice([escape_text(self.words()), "", " ", self.charref("汉字"),
                              "&amp;&lt;&gt;", escape_text(r.choice(RUN_CHARS) * self.n(10, 500, 3000))])
            if self.entities and r.random() < 0.3:     # nested: refers to earlier entities
                value += "".join("&%s;" % k for k in list(self.entities)[:3] if k.startswith("t"))
            self.entities[name] = value
        return "&%s;" % name

    def markup_entity(self, kind):
        """A reference to an internal entity holding markup (declared on first use).

        kind "inline": em/strong/br the schema allows; "block": whole blocks;
        "bypass": markup the schema would refuse (paiban's validator sees
        only the reference), such as an <image/> without src.
        """
        r = self.rng
        if kind == "inline":
            value = r.choice(["<em>%s</em>" % escape_text(self.words()), "<br/>", "<strong><em>x</em></strong>",
                              "<br/>" * 20, "<em></em>", "%s<br/>%s" % (escape_text(self.words()), self.text_entity())])
        elif kind == "block":
            value = r.choice(["<p>%s</p>" % escape_text(self.words()),
                              "<section><heading>%s</heading><p>x</p></section>" % escape_text(self.words()),
                              "<callout number='7'><title>t</title><p>p</p></callout>",
                              "<list><item>a</item><item>b</item></list>",
                              "<figure><caption>%s</caption></figure>" % escape_text(self.words())])
        else:
            value = r.choice([
                "<image/>", "<image alt='no src'/>", "<image src=''/>", "<heading/>",
                "<section><p>no heading</p></section>", "<section><heading/></section>",
                "<bogus>%s</bogus>" % escape_text(self.words()), "<p><p>nested p</p></p>",
                "<callout><title>t</title></callout>", "<list/>", "<item>stray item</item>",
                "<figure><caption/><caption/></figure>", "<p style='nosuch'>x</p>",
                "<callout number='0'><title>t</title><p>p</p></callout>", "<list type='roman'><item>i</item></list>",
                "<em><p>block in inline</p></em>", "<br>text in br</br>", "<meta><title>m</title></meta>",
                "<title>title in body</title>", "<document/>", "<caption>stray caption</caption>",
                "<image src='%s'/>" % escape_attr(image_src(r, self.aux), "'"), "<titleblock/>",
                "<titleblock><deck>no headline</deck></titleblock>", "<heading>h</heading><heading>h2</heading>",
                "<figure><image src='x.png'/><image src='y.png'/><caption>c</caption></figure>",
                "<section id='dup'><heading>a</heading></section><section id='dup'><heading>b</heading></section>",
                "<p xml:lang='zz'>x</p>", "<em style='x'>x</em>", "<subtitle>s</subtitle>",
                "<list><item><list><item>deep</item></list></item></list>",
                "<section><heading>x</heading>" * 3 + "</section>" * 3,
            ])
        name = "%s%d" % (kind[0], len(self.entities))
        self.entities[name] = value
        return "&%s;" % name

    def style_attr(self):
        """A style="..." attribute naming a defined style (rarely an undefined one), or nothing."""
        r = self.rng
        if "style-attrs" not in self.f or r.random() < 0.5:
            return ""
        if self.undefined_ok and r.random() < 0.1:
            name = r.choice(UNDEFINED_STYLES)
        elif self.sheet_names:
            name = r.choice(self.sheet_names)
        else:
            return ""
        if "entities" in self.f and r.random() < 0.1:
            ent = "s%d" % len(self.entities)
            self.entities[ent] = name
            return ' style="&%s;"' % ent
        q = r.choice(['"', "'"])
        return " style=%s%s%s" % (q, name, q)

    def id_attr(self):
        """An id="..." attribute (unique), or nothing."""
        r = self.rng
        if r.random() < (0.7 if "ids" in self.f else 0.3):
            return ""
        self.ids += 1
        stem = r.choice(["s", "trend-", "图", "_x", "a" * 200 + "-", "x.y-", "Ω"])
        return ' id="%s%d"' % (stem, self.ids)

    # ---- inline content ----

    def inline(self, depth=0, budget=None):
        """Mixed content: text, em, strong (nested) and br."""
        r = self.rng
        f = self.f
        if budget is None:
            budget = r.choice([1, 1, 2, 3, 5])
        if "empty-inline" in f and r.random() < 0.15:
            return r.choice(["", "<br/>", "<br/>" * r.randint(2, 9), " ", self.comment(), "<em></em>",
                             "<strong/>", "<em><br/></em>", "\n\t \n"])
        if "deep-inline" in f and depth == 0 and r.random() < 0.3:
            n = self.n(20, 50, 100, 150, 200, 230)
            tags = [r.choice(["em", "strong"]) for _ in range(n)]
            inner = self.text() if r.random() < 0.8 else "<br/>"
            return "".join("<%s>" % t for t in tags) + inner + "".join("</%s>" % t for t in reversed(tags))
        if "many-br" in f and r.random() < 0.2:
            return ("<br/>" if r.random() < 0.5 else escape_text(r.choice(HAN_WORDS)) + "<br/>") * self.n(10, 100, 1000, 4000)
        parts = []
        for _ in range(budget):
            x = r.random()
            if x < 0.55 or depth > 6:
                parts.append(self.text())
            elif x < 0.8:
                t = r.choice(["em", "strong"])
                parts.append("<%s>%s</%s>" % (t, self.inline(depth + 1, r.randint(1, 3)), t))
            elif x < 0.9:
                parts.append(r.choice(["<br/>", "<br />", "<br></br>"]))
            elif "entity-markup" in f:
                parts.append(self.markup_entity("inline"))
            elif "entities" in f:
                parts.append(self.text_entity())
            else:
                parts.append(self.text())
        return "".join(parts)

    # ---- blocks ----

    def p(self, d):
        """A <p>."""
        return "<p%s>%s</p>" % (self.style_attr(), self.inline())

    def list_(self, d):
        """A <list> of items, bullet, number or plain."""
        r = self.rng
        t = r.choice(["", ' type="bullet"', ' type="number"', " type='number'"])
        count = self.n(1, 1, 2, 3, 5, 30, 300) if "lists" in self.f else r.randint(1, 4)
        items = "".join(self.sep(d + 1) + "<item>%s</item>" % self.inline() for _ in range(max(1, count)))
        return "<list%s%s>%s%s</list>" % (t, self.style_attr(), items, self.sep(d))

    def figure(self, d):
        """A <figure>: an optional <image> (src, alt) and a <caption>."""
        r = self.rng
        img = ""
        if r.random() < (0.85 if "images" in self.f else 0.4):
            alt = ""
            if r.random() < 0.5:
                alt = ' alt="%s"' % escape_attr(r.choice(["", "图", self.words(), "汉" * 500, "\u00a0", "a\"b<c&d"]))
            if "entities" in self.f and r.random() < 0.1:
                alt = ' alt="%s"' % self.text_entity()
            src = image_src(r, self.aux, broken_ok="images" in self.f and r.random() < 0.4)
            img = self.sep(d + 1) + '<image src="%s"%s/>' % (escape_attr(src), alt)
        if "entity-bypass" in self.f and r.random() < 0.3:
            img = self.markup_entity("bypass")
        return "<figure%s%s>%s%s<caption>%s</caption>%s</figure>" % (
            self.id_attr(), self.style_attr(), img, self.sep(d + 1), self.inline(), self.sep(d))

    def callout(self, d):
        """A <callout>: id, number, style, title, optional subtitle, then p and list."""
        r = self.rng
        num = ""
        if r.random() < 0.7:
            self.numbers += 1
            num = ' number="%s"' % r.choice([str(self.numbers), str(self.numbers), "1", "007", " 3 ", "+5",
                                             "99999999999999999999999", "2147483648", "4294967297", "10"])
        sub = ""
        if r.random() < 0.5:
            sub = self.sep(d + 1) + "<subtitle>%s</subtitle>" % self.inline()
        body = "".join(self.sep(d + 1) + (self.p(d + 1) if r.random() < 0.75 else self.list_(d + 1))
                       for _ in range(max(1, self.n(1, 1, 2, 3, 6))))
        return "<callout%s%s%s>%s<title>%s</title>%s%s%s</callout>" % (
            self.id_attr(), num, self.style_attr(), self.sep(d + 1), self.inline(), sub, body, self.sep(d))

    def titleblock(self, d):
        """A <titleblock>: a headline and decks."""
        decks = "".join(self.sep(d + 1) + "<deck>%s</deck>" % self.inline() for _ in range(self.n(0, 1, 1, 2, 5)))
        return "<titleblock%s>%s<headline>%s</headline>%s%s</titleblock>" % (
            self.style_attr(), self.sep(d + 1), self.inline(), decks, self.sep(d))

    def section(self, d, nest):
        """A <section> with a heading and blocks; nest more sections up to nest levels."""
        r = self.rng
        head = "<heading%s>%s</heading>" % (self.style_attr(), self.inline())
        inner = []
        for _ in range(r.choice([0, 1, 1, 2, 3])):
            inner.append(self.block(d + 1, nest - 1))
        return "<section%s%s>%s%s%s%s</section>" % (
            self.id_attr(), self.style_attr(), self.sep(d + 1), head,
            "".join(self.sep(d + 1) + b for b in inner), self.sep(d))

    def block(self, d, nest=2):
        """One block of any kind (sections only while nest > 0)."""
        r = self.rng
        f = self.f
        choices = [("p", 10), ("list", 3), ("figure", 3 if "images" not in f else 8), ("callout", 3),
                   ("titleblock", 1)]
        if nest > 0:
            choices.append(("section", 4))
        if "entity-markup" in f:
            choices.append(("entity-block", 2))
        if "entity-bypass" in f:
            choices.append(("entity-bypass", 2))
        if "xinclude" in f:
            choices.append(("xinclude", 3))
        if "comments" in f:
            choices.append(("comment", 1))
        kind = r.choices([k for k, _ in choices], [w for _, w in choices])[0]
        if kind == "p":
            return self.p(d)
        if kind == "list":
            return self.list_(d)
        if kind == "figure":
            return self.figure(d)
        if kind == "callout":
            return self.callout(d)
        if kind == "titleblock":
            return self.titleblock(d)
        if kind == "section":
            return self.section(d, nest)
        if kind == "entity-block":
            return self.markup_entity("block")
        if kind == "entity-bypass":
            return self.markup_entity("bypass")
        if kind == "xinclude":
            return self.xinclude()
        return self.comment()

    def deep_sections(self, d):
        """Sections nested many levels deep (up to about 230: libxml2 stops at 256)."""
        r = self.rng
        n = max(1, self.n(10, 40, 100, 150, 200, 240))
        out = []
        for i in range(n):
            out.append("<section%s><heading>%s</heading>%s" % (
                self.id_attr(), self.inline(0, 1) if r.random() < 0.7 else r.choice(["", " ", str(i)]),
                self.p(d) if r.random() < 0.2 else ""))
        return "".join(out) + "</section>" * n

    def xinclude(self):
        """An <xi:include> of a file written into the doc directory (or of one that cannot be used)."""
        r = self.rng
        self.need_xi = True
        saved = self.f     # included files have no DTD: no entities in them
        self.f = self.f - {"entities", "entity-markup", "entity-bypass", "xinclude"}
        try:
            return self.include_element(r)
        finally:
            self.f = saved

    def include_element(self, r):
        """The <xi:include> element itself, for xinclude()."""
        kind = r.choices(["block", "section", "callout", "chain", "loop", "missing", "outside", "malformed",
                          "empty", "text-parse", "xpointer", "no-href", "entities", "wrong-root"],
                         [12, 6, 6, 6, 2, 2, 2, 2, 1, 1, 1, 1, 3, 1])[0]
        aux = self.aux
        if kind == "block":
            href = aux.put("inc", "p", "xml", '<?xml version="1.0" encoding="UTF-8"?>\n<p>%s</p>\n' % self.inline())
        elif kind == "section":
            href = aux.put("inc", "section", "xml", "<section><heading>%s</heading>%s</section>" % (self.inline(), self.p(0)))
        elif kind == "callout":
            href = aux.put("inc", "callout", "xml", self.callout(0))
        elif kind == "chain":
            leaf = aux.put("inc", "leaf", "xml", "<p>%s</p>" % self.inline())
            href = aux.put("inc", "mid", "xml", '<section xmlns:xi="%s"><heading>链</heading><xi:include href="%s"/></section>'
                           % (XI_NS, leaf.split("/", 1)[1]))
        elif kind == "loop":
            href = aux.put_named("inc/loop.xml", '<section xmlns:xi="%s"><heading>loop</heading>'
                                 '<xi:include href="loop.xml"/></section>' % XI_NS)
        elif kind == "missing":
            href = r.choice(["inc/none.xml", "nowhere/x.xml", "", "."])
        elif kind == "outside":
            href = r.choice(["../../../../etc/passwd", "/etc/hostname", "../x.xml", "/proc/self/status"])
        elif kind == "malformed":
            href = aux.put("inc", "bad", "xml", "<p>unclosed <em>x</p>")
        elif kind == "empty":
            href = aux.put("inc", "empty", "xml", "")
        elif kind == "entities":
            href = aux.put("inc", "ent", "xml", '<!DOCTYPE p [<!ENTITY e "%s">]><p>&e;&e;</p>' % escape_text(self.words()))
        elif kind == "wrong-root":
            href = aux.put("inc", "root", "xml", "<meta><title>t</title></meta>")
        else:
            href = aux.put("inc", "p", "xml", "<p>x</p>")
        extra = {"text-parse": ' parse="text"', "xpointer": ' xpointer="xpointer(/p)"'}.get(kind, "")
        if kind == "no-href":
            return "<xi:include/>"
        return '<xi:include href="%s"%s/>' % (escape_attr(href), extra)

    # ---- the document ----

    def meta(self):
        """The <meta> block: title, subtitle?, publisher+, year, subject?, keywords?, source?."""
        r = self.rng
        edge = "meta-edge" in self.f
        d = 1

        def field(name, force_edge=False):
            """One text-only metadata element."""
            if edge and (force_edge or r.random() < 0.5):
                value = r.choice(["", " ", "\n\t", self.comment(), self.run(), escape_text("汉" * 500),
                                  "<![CDATA[<&>]]>", self.charref("标题"), escape_text(r.choice(LATIN_WORDS)),
                                  self.text_entity() if "entities" in self.f else "T",
                                  escape_text("{title}{section}{n}"), escape_text("()\\%s"),
                                  escape_text(r.choice(URLS))])
            else:
                value = escape_text(r.choice([self.words(), r.choice(HAN_SENTENCES)]))
            return "%s<%s>%s</%s>" % (self.sep(d + 1), name, value, name)

        parts = [field("title")]
        if r.random() < 0.5:
            parts.append(field("subtitle"))
        for _ in range(max(1, self.n(1, 1, 2, 4, 40) if edge else r.randint(1, 4))):
            parts.append(field("publisher"))
        year = r.choice(YEARS) if edge else str(r.randint(1990, 2030))
        parts.append("%s<year>%s</year>" % (self.sep(d + 1), year))
        for name in ("subject", "keywords", "source"):
            if r.random() < 0.6:
                parts.append(field(name))
        return "<meta>%s%s</meta>" % ("".join(parts), self.sep(d))

    def body(self):
        """The <body>: blocks, with the edge features of this input."""
        r = self.rng
        f = self.f
        blocks = []
        if r.random() < 0.5:
            blocks.append(self.titleblock(2))
        for _ in range(self.n(0, 1, 2, 4, 6, 10, 20)):
            blocks.append(self.block(2))
        if "many-sections" in f:
            blocks += [self.section(2, 1) for _ in range(self.n(10, 30, 60, 150))]
        if "many-callouts" in f:
            blocks += [self.callout(2) for _ in range(self.n(10, 30, 60, 150, 600))]
        if "deep-sections" in f:
            blocks.insert(r.randrange(len(blocks) + 1), self.deep_sections(2))
        if "huge" in f:
            blocks.insert(r.randrange(len(blocks) + 1), "<p>%s</p>" % HUGE)
        if "images" in f:
            blocks += [self.figure(2) for _ in range(r.randint(1, 4))]
        return "<body>%s%s</body>" % ("".join(self.sep(2) + b for b in blocks), self.sep(1))

    def document(self):
        """The whole document text (before encoding), with DOCTYPE and prolog."""
        r = self.rng
        meta = self.meta()
        body = self.body()
        lang = ""
        if r.random() < 0.85:
            q = r.choice(['"', "'"])
            lang = " xml:lang=%s%s%s" % (q, r.choice(LANGS), q)
        ns = (' xmlns:xi="%s"' % XI_NS) if self.need_xi else ""
        root = "<document%s%s>%s%s%s%s%s</document>" % (lang, ns, self.sep(1), meta, self.sep(1), body, self.sep(0))
        prolog = ""
        if r.random() < 0.4:
            prolog = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if "comments" in self.f:
            prolog += self.comment() + "\n" + "<?paiban some processing instruction?>\n"
        if self.entities:
            decls = "".join('\n  <!ENTITY %s "%s">' % (k, v.replace("%", "&#37;").replace('"', "&#34;"))
                            for k, v in self.entities.items())
            prolog += "<!DOCTYPE document [%s\n]>\n" % decls
        elif r.random() < 0.05:
            prolog += "<!DOCTYPE document>\n"
        tail = self.sep(0) + (self.comment() if "comments" in self.f and r.random() < 0.5 else "")
        return prolog + root + tail


def corrupt(rng, doc):
    """Make the document text invalid (or not well-formed) in one way."""
    how = rng.choice(CORRUPTIONS)
    if how == "drop-year":
        return re.sub(r"<year>.*?</year>", "", doc, count=1, flags=re.S)
    if how == "bad-year":
        return re.sub(r"<year>.*?</year>", "<year>%s</year>" % rng.choice(BAD_YEARS), doc, count=1, flags=re.S)
    if how == "unknown-element":
        return doc.replace("<body>", "<body><bogus/>", 1)
    if how == "unknown-attr":
        return doc.replace("<body", '<body foo="bar"', 1)
    if how == "text-in-body":
        return doc.replace("<body>", "<body>stray text", 1)
    if how == "truncate":
        return doc[:rng.randrange(max(1, len(doc)))]
    if how == "mismatch":
        return doc.replace("</meta>", "</metadata>", 1)
    if how == "dup-id":
        return doc.replace("<body>", '<body><section id="d"><heading>a</heading></section>'
                                     '<section id="d"><heading>b</heading></section>', 1)
    if how == "number-zero":
        return doc.replace("<body>", '<body><callout number="%s"><title>t</title><p>p</p></callout>'
                           % rng.choice(["0", "-1", "1.5", "", "one"]), 1)
    if how == "bad-charref":
        return doc.replace("</title>", "%s</title>" % rng.choice(["&#0;", "&#xFFFE;", "&#xD800;", "&#x110000;",
                                                                  "&#1;", "&#x;", "&#99999999999;"]), 1)
    if how == "undefined-entity":
        return doc.replace("</title>", "&nope;</title>", 1)
    if how == "bad-utf8":
        return doc.replace("</title>", "\udcff\udcfe\udcc3</title>", 1)   # raw bytes FF FE C3
    if how == "external-entity":
        dt = '<!DOCTYPE document [<!ENTITY x SYSTEM "%s">]>' % rng.choice(["file:///etc/passwd", "inc/none.xml", "http://example.com/"])
        return dt + re.sub(r"<!DOCTYPE.*?\]>", "", doc, flags=re.S).replace("</title>", "&x;</title>", 1)
    if how == "too-deep":
        return doc.replace("<body>", "<body>" + "<section><heading>h</heading>" * 300 + "</section>" * 300, 1)
    if how == "laughs":
        dt = "<!DOCTYPE document [" + '<!ENTITY l0 "lol">' + "".join(
            '<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10) for i in range(1, 10)) + "]>"
        return dt + re.sub(r"<!DOCTYPE.*?\]>", "", doc, flags=re.S).replace("</title>", "&l9;</title>", 1)
    if how == "bad-lang":
        return re.sub(r"<document", '<document xml:lang="%s"' % rng.choice(BAD_LANGS),
                      re.sub(r" xml:lang=(\"[^\"]*\"|'[^']*')", "", doc, count=1), count=1)
    if how == "no-meta":
        return re.sub(r"<meta>.*?</meta>", "", doc, count=1, flags=re.S)
    if how == "empty-list":
        return doc.replace("<body>", "<body><list></list>", 1)
    if how == "bad-list-type":
        return doc.replace("<body>", '<body><list type="roman"><item>i</item></list>', 1)
    if how == "stray-separator":
        return doc.replace("</title>", "\n--paiban-style--\n</title>", 1)
    return "<!-- comment first -->" + doc if doc.startswith("<?xml") else doc + "<?xml version='1.0'?>"


def choose_encoding(rng, features):
    """How the document is encoded: UTF-8, or with the encoding feature a BOM, UTF-16 or a legacy charset."""
    if "encoding" not in features:
        return "utf8"
    return rng.choice(["bom", "utf16le", "utf16be", "latin1", "gb18030", "declared-utf16-but-utf8"])


def encode_document(doc, how):
    """The document text as bytes in encoding how (see choose_encoding)."""
    body = re.sub(r"^<\?xml[^>]*\?>\s*", "", doc)
    if how == "utf8":
        return doc.encode("utf-8", "surrogateescape")
    if how == "bom":
        return b"\xef\xbb\xbf" + doc.encode("utf-8", "surrogateescape")
    if how == "utf16le":
        return b"\xff\xfe" + ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16-le", "surrogatepass")
    if how == "utf16be":
        return b"\xfe\xff" + body.encode("utf-16-be", "surrogatepass")
    if how == "latin1":
        return ('<?xml version="1.0" encoding="ISO-8859-1"?>' + body).encode("latin-1", "xmlcharrefreplace")
    if how == "gb18030":
        return ('<?xml version="1.0" encoding="GB18030"?>' + body).encode("gb18030", "xmlcharrefreplace")
    return ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-8", "surrogateescape")


def read_sheet(name):
    """The text of styles/NAME."""
    with open(os.path.join(ROOT, "styles", name), encoding="utf-8") as f:
        return f.read()


def choose_sheet(rng):
    """How this input gets its style sheet: none, print, handout, mutate-*, generate."""
    return rng.choices(["none", "print", "handout", "mutate-print", "mutate-handout", "generate"],
                       [48, 6, 6, 10, 5, 25])[0]


def make_input(seed, index, aux):
    """Input number index of the batch with this seed: (bytes, description)."""
    rng = random.Random("paiban-%d-%d" % (seed, index))
    mode = choose_sheet(rng)
    nfeat = rng.choices([0, 1, 2, 3, 4], [8, 30, 30, 20, 12])[0]
    names = list(FEATURES)
    features = set()
    while len(features) < nfeat:
        features.add(rng.choices(names, [FEATURES[n] for n in names])[0])
    invalid = rng.random() < 0.1
    state = rng.getstate()
    for attempt in range(8):        # shrink until the input fits the harness's cap
        rng.setstate(state)
        scale = 0.5 ** attempt
        sheet_text = None
        if mode == "print":
            sheet_text = read_sheet("print.xml")
        elif mode == "handout":
            sheet_text = read_sheet("handout.xml")
        elif mode.startswith("mutate"):
            sheet_text = SheetGen(rng, scale).mutate(read_sheet(mode[7:] + ".xml"))
        defined = sheet_style_names(sheet_text if sheet_text is not None else read_sheet("print.xml"))
        custom = ["st%d" % i for i in range(rng.randint(0, 6))]
        if mode == "generate":
            doc_names = custom + rng.sample(ELEMENT_STYLES, 3)
            sheet_text = SheetGen(rng, scale).generate(doc_names)
            defined = sheet_style_names(sheet_text)
        g = DocGen(rng, aux, scale, features, defined, undefined_ok=rng.random() < 0.3)
        doc = g.document()
        if invalid:
            doc = corrupt(rng, doc)
        enc = choose_encoding(rng, features)
        tail = b"" if sheet_text is None else SEPARATOR.encode() + sheet_text.encode("utf-8", "surrogateescape")
        data = encode_document(doc, enc) + tail
        if HUGE in doc:             # fill the huge paragraph up to the cap (or less)
            ch = rng.choice(["汉", "汉字", "a", "The quick brown fox. ", "中文English混排。", "\u00a0", "。",
                             "\u3000", "😀", "汉\u00a0", "—", "a\u0301", "\u200b"])
            size = lambda n: len(encode_document(doc.replace(HUGE, escape_text(ch * n)), enc)) + len(tail)
            base = size(0)
            unit = max(1, size(1) - base)
            n = max(0, (MAX_INPUT - base) // unit)
            if rng.random() < 0.3:
                n = rng.randrange(n + 1)
            while n > 0 and size(n) > MAX_INPUT:
                n -= max(1, (size(n) - MAX_INPUT) // unit)
            data = encode_document(doc.replace(HUGE, escape_text(ch * max(0, n))), enc) + tail
        if len(data) <= MAX_INPUT:
            break
    desc = "sheet=%s features=%s%s" % (mode, ",".join(sorted(features)) or "-", " invalid" if invalid else "")
    return data, desc


def check_with_xmllint(paths, docdir):
    """Validate the document part of each input with xmllint (XIncludes resolved in docdir); return the valid count."""
    valid = 0
    rng_path = os.path.join(ROOT, "xml", "paiban.rng")
    with tempfile.TemporaryDirectory() as tmp:
        t = os.path.join(docdir or tmp, ".gen-check-input.xml")
        for p in paths:
            with open(p, "rb") as f:
                doc = f.read().split(SEPARATOR.encode(), 1)[0]
            with open(t, "wb") as f:
                f.write(doc)
            rc = subprocess.run(["xmllint", "--noout", "--nonet", "--xinclude", "--noxincludenode",
                                 "--nofixup-base-uris", "--relaxng", rng_path, t],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            valid += rc == 0
        if os.path.exists(t):
            os.remove(t)
    return valid


def main():
    """Command line: write --count inputs for --seed into --out."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--out", required=True, help="directory for the inputs (NNNNNN.xml)")
    ap.add_argument("--docdir", help="directory for images and XInclude targets (PAIBAN_FUZZ_DOCDIR)")
    ap.add_argument("--list", action="store_true", help="print each input's file name and features")
    ap.add_argument("--check", action="store_true", help="validate the documents with xmllint, print the share")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.docdir:
        os.makedirs(args.docdir, exist_ok=True)
    aux = Aux(os.path.abspath(args.docdir) if args.docdir else None)
    paths = []
    for i in range(args.count):
        data, desc = make_input(args.seed, i, aux)
        path = os.path.join(args.out, "%06d.xml" % i)
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
        if args.list:
            print("%s %d %s" % (path, len(data), desc))
    if args.check:
        valid, n = check_with_xmllint(paths, args.docdir), len(paths)
        print("gen.py: %d of %d documents valid against xml/paiban.rng (%.0f%%)" % (valid, n, 100.0 * valid / max(1, n)))


if __name__ == "__main__":
    main()
