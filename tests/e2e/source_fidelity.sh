#!/bin/sh
# source_fidelity.sh: check xml/report.xml against the seed text and
# xml/paiban.rng against good and bad documents.
#
#   sh tests/e2e/source_fidelity.sh        (from the repository root)
#
# Environment (all optional):
#   PAIBAN_SEED  the seed text  (default tests/data/seed-report.txt)
#   PAIBAN_XML   the document   (default xml/report.xml)
#   PAIBAN_RNG   the schema     (default xml/paiban.rng)
#
# Checks:
#  (a) the document is valid against the schema (xmllint --xinclude --relaxng: the trends are XIncluded);
#  (b) every non-empty seed line, whitespace removed, is a substring of the
#      whitespace-removed text of <body> (br counts as nothing), with exactly
#      these normalisations:
#        - a line ending in "：" (a trend title) may match without that colon,
#          because title and subtitle are set as separate elements;
#        - a label line "趋势N" is not body text: it must instead be a
#          callout with number="N", whose title is the seed's next line;
#          the callouts must come in the order 1..N;
#        - a paragraph broken by a blank line in the seed (a long line, 40+
#          characters, not ending in closing punctuation) is checked joined
#          with the next non-empty line;
#      and every seed paragraph (a line, or joined halves, ending in "。")
#      must lie inside ONE p/caption/item, never split across blocks;
#  (c) nothing invented: the multiset of non-whitespace characters of the
#      body text is a sub-multiset of the seed's (label lines excluded), and
#      nothing is lost beyond the documented title colons;
#  (d) the schema rejects small invalid documents (xmllint exit status 3,
#      i.e. a validity error, not a parse error) and accepts a minimal valid
#      general document.
#
# Prints each failure; exits non-zero on any failure.  On success prints one
# line: "source_fidelity: N checks passed".

SEED=${PAIBAN_SEED:-tests/data/seed-report.txt}
XML=${PAIBAN_XML:-xml/report.xml}
RNG=${PAIBAN_RNG:-xml/paiban.rng}

pass=0
fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for f in "$SEED" "$XML" "$RNG"; do
    if [ ! -f "$f" ]; then
        echo "FAIL: missing file $f"
        echo "source_fidelity: cannot run (missing input)"
        exit 1
    fi
done
command -v xmllint >/dev/null 2>&1 || { echo "FAIL: xmllint not found (libxml2-utils)"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "FAIL: python3 not found"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/source_fidelity.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- (a)
if xmllint --xinclude --nofixup-base-uris --noout --relaxng "$RNG" "$XML" >"$TMP/a.log" 2>&1; then
    ok
else
    bad "(a) $XML is not valid against $RNG:"
    sed 's/^/      /' "$TMP/a.log"
fi

# ---------------------------------------------------------- (b), (c)
python3 - "$SEED" "$XML" >"$TMP/py.out" 2>&1 <<'PYEOF'
import re
import sys
import xml.etree.ElementTree as ET
from xml.etree import ElementInclude
from collections import Counter

seed_path, xml_path = sys.argv[1], sys.argv[2]
npass = 0
nfail = 0


def check(cond, msg):
    global npass, nfail
    if cond:
        npass += 1
    else:
        nfail += 1
        print("FAIL: " + msg)


def norm(s):
    return re.sub(r"\s+", "", s)


def text(el):
    # All character data below el; <br/> has none, so it counts as nothing.
    return "".join(el.itertext()) if el is not None else ""


LABEL = re.compile(r"趋势([0-9]+)")
CLOSERS = "。！？!?”’」』）)…"

try:
    with open(seed_path, encoding="utf-8") as f:
        seed_lines = [norm(l) for l in f.read().splitlines()]
    root = ET.parse(xml_path).getroot()
    ElementInclude.include(root, base_url=xml_path)  # the trends live in xml/trends/
except Exception as e:  # unreadable seed or ill-formed XML
    print("FAIL: cannot read inputs: %s" % e)
    print("#counts 0 1")
    sys.exit(0)

body = root.find("body")
check(body is not None, "(b) %s has no <body>" % xml_path)
body_text = norm(text(body))

# Single blocks that may hold a whole seed paragraph.
blocks = []
if body is not None:
    for tag in ("p", "caption", "item"):
        blocks += [norm(text(e)) for e in body.iter(tag)]

callouts = list(body.iter("callout")) if body is not None else []
by_number = {}
for c in callouts:
    by_number.setdefault(c.get("number"), []).append(c)

lines = [l for l in seed_lines if l]          # non-empty, whitespace removed
labels = []                                   # numbers of 趋势N lines
title_colons = 0                              # lines ending in "："
i = 0
while i < len(lines):
    line = lines[i]
    m = LABEL.fullmatch(line)
    if m:
        n = m.group(1)
        labels.append(int(n))
        found = by_number.get(n, [])
        check(len(found) == 1,
              "(b) label line '%s' needs exactly one callout number=\"%s\", found %d"
              % (line, n, len(found)))
        if len(found) == 1 and i + 1 < len(lines):
            want = lines[i + 1]
            want = want[:-1] if want.endswith("：") else want
            got = norm(text(found[0].find("title")))
            check(got == want,
                  "(b) callout number=\"%s\" title is '%s', expected '%s' (the seed line after the label, minus a trailing ：)" % (n, got, want))
        i += 1
        continue

    unit = line
    if (len(line) >= 40 and line[-1] not in CLOSERS and i + 1 < len(lines)
            and not LABEL.fullmatch(lines[i + 1])):
        # A paragraph broken by a blank line in the seed: check it joined.
        unit = line + lines[i + 1]
        i += 1

    if unit.endswith("："):
        title_colons += 1
        check(unit in body_text or unit[:-1] in body_text,
              "(b) title line not in body text: %s" % unit)
    else:
        check(unit in body_text, "(b) seed line not in body text: %s" % unit)
    if unit.endswith("。"):
        check(any(unit in b for b in blocks),
              "(b) seed paragraph is not inside a single p/caption/item: %s" % unit)
    i += 1

numbers = []
for c in callouts:
    try:
        numbers.append(int(c.get("number")))
    except (TypeError, ValueError):
        numbers.append(c.get("number"))
check(numbers == sorted(labels),
      "(b) callout numbers in document order are %s, expected %s" % (numbers, sorted(labels)))

# (c) nothing invented, nothing lost beyond the title colons.
seed_chars = Counter("".join(l for l in lines if not LABEL.fullmatch(l)))
body_chars = Counter(body_text)
extra = body_chars - seed_chars
check(not extra,
      "(c) body text has characters not in the seed (or too many of them): %s"
      % ", ".join("%r x%d" % (k, v) for k, v in sorted(extra.items())))
lost = seed_chars - body_chars
allowed = Counter({"：": title_colons})
check(not (lost - allowed),
      "(c) seed characters missing from the body text: %s"
      % ", ".join("%r x%d" % (k, v) for k, v in sorted((lost - allowed).items())))

print("#counts %d %d" % (npass, nfail))
PYEOF
counts=$(sed -n 's/^#counts //p' "$TMP/py.out")
grep -v '^#counts ' "$TMP/py.out"
if [ -n "$counts" ]; then
    set -- $counts
    pass=$((pass + $1))
    fail=$((fail + $2))
else
    bad "(b)/(c) the python checks did not run to the end"
fi

# ---------------------------------------------------------------- (d)
# A minimal valid general document; every negative case is one edit of it.
cat >"$TMP/good.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<document xml:lang="en">
  <meta>
    <title>Test</title>
    <subtitle>A subtitle</subtitle>
    <publisher>One</publisher>
    <publisher>Two</publisher>
    <year>2024</year>
    <keywords>a, b</keywords>
  </meta>
  <body>
    <titleblock>
      <headline>Head<br/>line</headline>
      <deck>A deck</deck>
    </titleblock>
    <p style="lead">Some <em>emph <strong>and strong</strong></em> text.</p>
    <section id="s1" style="chapter">
      <heading style="h1">Part <strong>one</strong></heading>
      <p>Text.</p>
      <section id="s1-1">
        <heading>Nested</heading>
        <list type="number">
          <item>first</item>
          <item>second <em>item</em></item>
        </list>
        <figure id="f1" style="wide">
          <image src="img/a.png" alt="An image"/>
          <caption>A <em>caption</em></caption>
        </figure>
      </section>
    </section>
    <figure>
      <caption>No image yet</caption>
    </figure>
    <list>
      <item>bullet</item>
    </list>
    <callout id="c1" number="3" style="box">
      <title>Callout</title>
      <subtitle>sub</subtitle>
      <p>Para.</p>
      <list type="bullet"><item>x</item></list>
    </callout>
  </body>
</document>
EOF

if xmllint --noout --relaxng "$RNG" "$TMP/good.xml" >"$TMP/d.log" 2>&1; then
    ok
else
    bad "(d) minimal valid document rejected:"
    sed 's/^/      /' "$TMP/d.log"
fi

# negative NAME SED-SCRIPT: apply the edit to good.xml; the result must differ
# from good.xml and xmllint must report a validity error (status 3).
negative() {
    name=$1
    sed "$2" "$TMP/good.xml" >"$TMP/$name.xml"
    if cmp -s "$TMP/good.xml" "$TMP/$name.xml"; then
        bad "(d) $name: the edit did not change the document"
        return
    fi
    xmllint --noout --relaxng "$RNG" "$TMP/$name.xml" >"$TMP/$name.log" 2>&1
    rc=$?
    if [ "$rc" -eq 3 ]; then
        ok
    elif [ "$rc" -eq 0 ]; then
        bad "(d) $name: invalid document accepted by the schema"
    else
        bad "(d) $name: xmllint exit status $rc, expected 3 (validity error):"
        sed 's/^/      /' "$TMP/$name.log"
    fi
}

negative unknown-element  's|<p>Text.</p>|<p>Text.</p><blink>x</blink>|'
negative callout-no-title '/<title>Callout<\/title>/d'
negative number-not-int   's|number="3"|number="abc"|'
negative number-zero      's|number="3"|number="0"|'
negative missing-meta     '/<meta>/,/<\/meta>/d'
negative image-no-src     's| src="img/a.png"||'
negative list-bad-type    's|type="number"|type="roman"|'
negative year-not-gyear   's|<year>2024</year>|<year>MMXXIV</year>|'
negative section-no-head  '/<heading>Nested<\/heading>/d'
negative duplicate-id     's|id="s1-1"|id="s1"|'
negative lang-no-xml-ns   's|xml:lang="en"|lang="en"|'

# ------------------------------------------------------------------ end
if [ "$fail" -ne 0 ]; then
    echo "source_fidelity: $fail of $((pass + fail)) checks failed"
    exit 1
fi
echo "source_fidelity: $pass checks passed"
