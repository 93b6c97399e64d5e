#!/usr/bin/env python3
"""docs_check: the documentation must say what the schema and the code say.

Standard library only (xml.etree for the schema, regular expressions for the
C tables); xmllint and paiban check the examples.  Used by tests/e2e/docs.sh.
Every check prints "ok NAME: ..." or "FAIL NAME: reason"; the exit status is
1 when anything failed.

  elements SCHEMA ELEMENTS_MD
      docs/elements.md against xml/paiban.rng.  The convention: one section
      per element, headed exactly "### `<name>`" (every level-3 heading must
      be one, and name an element of the schema; each element has exactly
      one).  A section has the paragraphs **Parents:**, **Contains:**,
      **Attributes:**, **Example:** and **Styling:**.  The element names
      written `<name>` in the Parents paragraph are exactly the elements the
      schema allows it in ("none" for the root), those in the Contains
      paragraph exactly the elements it may hold.  Attributes are a table
      "| attribute | use | values | meaning |" with one row per attribute of
      the schema ("| `name` | required |" or "optional"), or "**Attributes:**
      none." when it has none; an attribute restricted to <value>s names
      each of them as `value` in its row.  An element defined twice in the
      schema (<title> in <meta> and in <callout>) gets the union.

  styles STYLE_C LAYOUT_C STYLETREE_C STYLES_MD
      styles/README.md against the tables of src/style.c, found by regular
      expressions over its text (a row the expression cannot read is a
      failure, so a change of format is noticed, not skipped):
        PROPS ({"font-size", P_LENGTH, F(...), 1, WORDS, R_SIZE}) = the rows
          of the table headed "| property |": one row "| `name` |" each, no
          other; its "inherited" cell says yes/no as the table does; a word
          property names every word of its list (WEIGHTS, BOOLS, ...) as
          `word`; a length names its range "MINpt to MAXpt" from the R_*
          macros, line-height also "up to N" (the multiple's limit) and
          outline-level "MIN to MAX";
        the lengths table ("| lengths |") gives every length property's range
          again, and the page length range from page_length();
        PAGE_ATTRS = the rows of "| page attribute |"; a length attribute
          names the page length range, a yes/no one both words, size every
          named size of page_size();
        FIELDS = the rows of "| field |";
        the placeholders in string literals of LAYOUT_C and STYLETREE_C
          ("{title}", "{n}", ...) = the rows of "| placeholder |";
        DEFAULT_RULES = the rows of "| built-in rule |", each row naming its
          declarations as prop="value" (and parent="...");
        every style name the code looks up by name (style_find_rule(...,
          "folio"), style_rule_for(..., "badge")) appears as `name`.

  examples SCHEMA PAIBAN OUTDIR MD...
      Every ```xml block of the Markdown files is checked: a complete
      document (root <document>, after an optional XML declaration, comments
      and DOCTYPE) must validate with xmllint --relaxng SCHEMA (--noent,
      --xinclude) and typeset with PAIBAN (its default style sheet); a style
      sheet (root <stylesheet>; a <style> or <page> alone is put into one)
      must load, with PAIBAN typesetting a minimal document; anything else
      is a fragment of a document and must validate once put into a minimal
      document (as the <meta>, the <body>, body blocks, meta fields, inline
      content of a <p>, items of a <list>, content of a <figure> or of a
      <titleblock>: any one of these).  A block preceded by the line
      "File `PATH`:" is written to OUTDIR/PATH (so XInclude examples find
      their files); others to OUTDIR/example-N.xml.  A block whose XML
      declaration names an encoding is written in that encoding.

  selftest SCHEMA ELEMENTS_MD STYLE_C LAYOUT_C STYLETREE_C STYLES_MD PAIBAN OUTDIR
      Every check above fails on planted faults: copies of the files with an
      element's section removed, a heading that names no element, an
      attribute row removed or its use flipped, a parent dropped; a schema
      with a new element and a new attribute; a property, a page attribute,
      a field, a placeholder and a built-in rule removed from the README, a
      property that does not exist added, a range changed, an inherited
      flag flipped; a style.c with a new property, a layout.c with a new
      placeholder; an example document, a fragment and a style sheet made
      invalid.
"""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

RNG = '{http://relaxng.org/ns/structure/1.0}'
XML_NS = 'http://www.w3.org/XML/1998/namespace'


class Report:
    """Collects "ok"/"FAIL" lines; quiet ones are kept for the self-test."""

    def __init__(self, quiet=False):
        self.lines = []
        self.quiet = quiet

    def ok(self, msg):
        self._add('ok ' + msg)

    def fail(self, msg):
        self._add('FAIL ' + msg)

    def _add(self, line):
        self.lines.append(line)
        if not self.quiet:
            print(line, flush=True)

    def failures(self):
        return [l for l in self.lines if l.startswith('FAIL')]


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


# ---- the schema ---------------------------------------------------------------

def load_schema(path):
    """{element name: {'attrs': {name: {'required', 'values'}}, 'children', 'parents'}}."""
    root = ET.parse(path).getroot()
    defines = {}
    for d in root.iter(RNG + 'define'):
        defines.setdefault(d.get('name'), []).append(d)
    elements = {}
    problems = []

    def info_for(name):
        return elements.setdefault(name, {'attrs': {}, 'children': set(), 'parents': set()})

    def attr_name(a):
        name = a.get('name')
        ns = a.get('ns', '')
        if name is None:
            problems.append('an <attribute> without a name attribute (a name class): not understood')
            return None
        if ns == XML_NS:
            return 'xml:' + name
        if ns:
            problems.append('attribute %s in namespace %s: not understood' % (name, ns))
        return name

    def walk(node, info, optional, seen):
        for c in node:
            if not isinstance(c.tag, str) or not c.tag.startswith(RNG):
                continue
            tag = c.tag[len(RNG):]
            if tag == 'element':
                if c.get('name') is None:
                    problems.append('an <element> without a name attribute (a name class): not understood')
                else:
                    info['children'].add(c.get('name'))
            elif tag == 'attribute':
                name = attr_name(c)
                if name:
                    a = info['attrs'].setdefault(name, {'required': not optional, 'values': set()})
                    a['required'] = a['required'] and not optional
                    a['values'] |= {v.text.strip() for v in c.iter(RNG + 'value') if v.text}
            elif tag == 'ref':
                n = c.get('name')
                if n not in defines:
                    problems.append('<ref name="%s"> names no <define>' % n)
                elif n not in seen:
                    for d in defines[n]:
                        walk(d, info, optional, seen | {n})
            elif tag in ('optional', 'zeroOrMore'):
                walk(c, info, True, seen)
            elif tag in ('oneOrMore', 'choice', 'group', 'interleave', 'mixed'):
                walk(c, info, optional, seen)

    for el in root.iter(RNG + 'element'):
        name = el.get('name')
        if name is None:
            problems.append('an <element> without a name attribute (a name class): not understood')
            continue
        walk(el, info_for(name), False, frozenset())
    for name, info in list(elements.items()):
        for child in info['children']:
            info_for(child)['parents'].add(name)
    return elements, problems


# ---- Markdown -------------------------------------------------------------------

def md_lines(text):
    """(line number, text, inside a fence) for every line."""
    out = []
    fence = False
    for i, line in enumerate(text.split('\n'), 1):
        if line.startswith('```'):
            out.append((i, line, True))
            fence = not fence
            continue
        out.append((i, line, fence))
    return out


def md_headings(text):
    return [(n, len(m.group(1)), m.group(2).strip())
            for n, line, fenced in md_lines(text) if not fenced
            for m in [re.match(r'(#{1,6})\s+(.*)$', line)] if m]


def paragraphs(lines):
    """Paragraphs (lists of lines) outside fences."""
    paras, cur = [], []
    for _, line, fenced in lines:
        if fenced or not line.strip():
            if cur:
                paras.append(cur)
            cur = []
        else:
            cur.append(line)
    if cur:
        paras.append(cur)
    return paras


def tables(text):
    """Tables as (header cells, [(line number, cells)]) outside fences."""
    out, cur = [], None
    for n, line, fenced in md_lines(text) + [(0, '', False)]:
        if not fenced and line.startswith('|'):
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if cur is None:
                cur = (cells, [])
            elif not all(re.fullmatch(r':?-+:?', c) for c in cells):
                cur[1].append((n, cells))
        elif cur is not None:
            out.append(cur)
            cur = None
    return out


ELEMENT_HEADING = re.compile(r'`<([A-Za-z_][\w.:-]*)>`')
NAMED = re.compile(r'`<([A-Za-z_][\w.:-]*)>`')


def element_sections(text):
    """{name: (heading line, [lines])} and problems with headings."""
    lines = md_lines(text)
    sections, problems = {}, []
    heads = md_headings(text)
    for k, (n, level, title) in enumerate(heads):
        if level != 3:
            continue
        m = re.fullmatch(ELEMENT_HEADING, title)
        if not m:
            problems.append('line %d: the level-3 heading "%s" is not of the form ### `<name>`' % (n, title))
            continue
        end = next((h[0] for h in heads[k + 1:] if h[1] <= 3), len(lines) + 1)
        name = m.group(1)
        if name in sections:
            problems.append('line %d: a second section for <%s> (the first at line %d)'
                            % (n, name, sections[name][0]))
            continue
        sections[name] = (n, lines[n:end - 1])
    return sections, problems


def check_elements(schema_path, md_path, rep):
    elements, problems = load_schema(schema_path)
    for p in problems:
        rep.fail('schema %s: %s' % (schema_path, p))
    text = read(md_path)
    sections, head_problems = element_sections(text)
    for p in head_problems:
        rep.fail('elements headings: %s: %s' % (md_path, p))
    for name in sorted(set(sections) - set(elements)):
        rep.fail('elements headings: %s:%d: ### `<%s>` names no element of %s'
                 % (md_path, sections[name][0], name, schema_path))
    missing = sorted(set(elements) - set(sections))
    for name in missing:
        rep.fail('elements sections: <%s> of %s has no section "### `<%s>`" in %s'
                 % (name, schema_path, name, md_path))
    if not missing and not head_problems and set(sections) <= set(elements):
        rep.ok('elements sections: one section each for the %d elements of %s, no other'
               % (len(elements), schema_path))
    bad_before = len(rep.failures())
    nattrs = 0
    for name in sorted(set(sections) & set(elements)):
        nattrs += check_section(name, elements[name], sections[name], md_path, rep)
    if len(rep.failures()) == bad_before:
        rep.ok('elements details: parents, contents and %d attributes (use and values) of every '
               'element as in the schema' % nattrs)


def check_section(name, info, section, md_path, rep):
    line, lines = section
    where = '%s:%d <%s>' % (md_path, line, name)
    paras = {}
    for para in paragraphs(lines):
        m = re.match(r'\*\*(\w+):\*\*', para[0])
        if m:
            paras.setdefault(m.group(1), ' '.join(para))
    for key in ('Parents', 'Contains', 'Attributes', 'Example', 'Styling'):
        if key not in paras:
            rep.fail('elements section %s: no "**%s:**" paragraph' % (where, key))
    for key, want in (('Parents', info['parents']), ('Contains', info['children'])):
        if key in paras:
            got = set(NAMED.findall(paras[key]))
            if got != want:
                rep.fail('elements %s %s: names %s; the schema says %s (missing %s, extra %s)'
                         % (key.lower(), where, fmt_set(got), fmt_set(want),
                            fmt_set(want - got), fmt_set(got - want)))
    rows = {}
    for header, body in tables('\n'.join(l for _, l, _ in lines)):
        if header and header[0].lower() == 'attribute':
            for n, cells in body:
                m = re.fullmatch(r'`([^`]+)`', cells[0])
                if not m:
                    rep.fail('elements attributes %s: row "%s" does not name one attribute as `name`'
                             % (where, cells[0]))
                    continue
                rows[m.group(1)] = cells
    if not rows and 'Attributes' in paras and not re.match(r'\*\*Attributes:\*\*\s+none\b', paras['Attributes']):
        rep.fail('elements attributes %s: neither an attribute table nor "**Attributes:** none."' % where)
    for attr in sorted(set(info['attrs']) - set(rows)):
        rep.fail('elements attributes %s: the schema\'s attribute %s has no row "| `%s` |"'
                 % (where, attr, attr))
    for attr in sorted(set(rows) - set(info['attrs'])):
        rep.fail('elements attributes %s: a row for %s, which the schema does not allow on <%s>'
                 % (where, attr, name))
    for attr in sorted(set(rows) & set(info['attrs'])):
        a, cells = info['attrs'][attr], rows[attr]
        use = 'required' if a['required'] else 'optional'
        if len(cells) < 2 or cells[1].lower() != use:
            rep.fail('elements attributes %s: %s is %s in the schema; the row says "%s"'
                     % (where, attr, use, cells[1] if len(cells) > 1 else ''))
        row = ' | '.join(cells)
        for v in sorted(a['values']):
            if '`%s`' % v not in row:
                rep.fail('elements attributes %s: %s may be "%s" in the schema; its row does not name `%s`'
                         % (where, attr, v, v))
    return len(info['attrs'])


def fmt_set(s):
    return '{' + ', '.join('<%s>' % x for x in sorted(s)) + '}' if s else 'none'


# ---- the C tables -------------------------------------------------------------------

def c_block(src, start_re):
    """The text from the match of start_re to the first line that is '};'."""
    m = re.search(start_re, src)
    if not m:
        return None
    end = src.find('\n};', m.end())
    return src[m.end():end if end >= 0 else len(src)]


def c_strings(s):
    """The tokens of a C initialiser: its strings (unescaped) and NULL as None."""
    return [None if null else text.replace('\\"', '"').replace('\\\\', '\\')
            for null, text in re.findall(r'(NULL)|"((?:[^"\\]|\\.)*)"', s)]


def num(s):
    return float(s.rstrip('f'))


def fmt_num(v):
    return '%g' % v


def parse_style_c(path, rep):
    """The tables of style.c, or None (reported) when they cannot be read."""
    src = read(path)
    bad = []
    ranges = {m.group(1): (num(m.group(2)), num(m.group(3)))
              for m in re.finditer(r'#define\s+(R_[A-Z]+)\s+(-?[\d.]+f?),\s*(-?[\d.]+f?)', src)}
    words = {m.group(1): [w for w in c_strings(m.group(2)) if w is not None]
             for m in re.finditer(r'static const char \*const (\w+)\[\] = \{([^}]*)\};', src)}
    props = []
    block = c_block(src, r'prop_def PROPS\[\] = \{')
    if block is None:
        bad.append('no PROPS table (static const prop_def PROPS[] = {)')
    else:
        row_re = re.compile(r'\{"([a-z-]+)",\s*P_([A-Z_]+),\s*F\(\w+\),\s*([01]),\s*(\w+),\s*'
                            r'(R_[A-Z]+|-?[\d.]+f?,\s*-?[\d.]+f?)\},?\s*(?://.*|/\*.*\*/)?$')
        for line in block.split('\n'):
            if not line.strip().startswith('{'):
                continue
            m = row_re.fullmatch(line.strip())
            if not m:
                bad.append('a PROPS row the checker cannot read: %s' % line.strip())
                continue
            rng = m.group(5)
            if rng.startswith('R_'):
                if rng not in ranges:
                    bad.append('%s: range macro %s not defined' % (m.group(1), rng))
                    continue
                lo, hi = ranges[rng]
            else:
                lo, hi = (num(x) for x in rng.split(','))
            wl = m.group(4)
            if wl != 'NULL' and wl not in words:
                bad.append('%s: word list %s not found' % (m.group(1), wl))
                continue
            props.append({'name': m.group(1), 'type': m.group(2), 'inherited': m.group(3) == '1',
                          'words': words.get(wl, []), 'min': lo, 'max': hi})
    page_attrs = []
    block = c_block(src, r'PAGE_ATTRS\[\] = \{')
    if block is None:
        bad.append('no PAGE_ATTRS table')
    else:
        for line in block.split('\n'):
            if not line.strip().startswith('{'):
                continue
            m = re.match(r'\{"([a-z-]+)",\s*PA_([A-Z]+),', line.strip())
            if not m:
                bad.append('a PAGE_ATTRS row the checker cannot read: %s' % line.strip())
                continue
            page_attrs.append({'name': m.group(1), 'kind': m.group(2)})
    fields = words.get('FIELDS')
    if not fields:
        bad.append('no FIELDS list (static const char *const FIELDS[] = {...};)')
    rules = []
    block = c_block(src, r'DEFAULT_RULES\[\]\[\d+\] = \{')
    if block is None:
        bad.append('no DEFAULT_RULES table')
    else:
        for line in block.split('\n'):
            if not line.strip().startswith('{'):
                continue
            t = c_strings(line)
            if len(t) < 2 or t[0] is None:
                bad.append('a DEFAULT_RULES row the checker cannot read: %s' % line.strip())
                continue
            decls = []
            k = 2
            while k + 1 < len(t) and t[k] is not None:
                decls.append((t[k], t[k + 1]))
                k += 2
            rules.append({'name': t[0], 'parent': t[1], 'decls': decls})

    def grab(func_re, value_re, what):
        body = re.search(func_re + r'.*?\n\}', src, re.S)
        m = re.search(value_re, body.group(0)) if body else None
        if not m:
            bad.append('cannot find %s' % what)
        return m

    m = grab(r'static int page_length\(', r'v >= (-?[\d.]+) && v <= (-?[\d.]+)',
             'the page length range in page_length() (v >= MIN && v <= MAX)')
    page_range = (num(m.group(1)), num(m.group(2))) if m else None
    body = re.search(r'static int page_size\(.*?\n\}', src, re.S)
    sizes = re.findall(r'\{"(\w+)",\s*[\d.]+f?,\s*[\d.]+f?\}', body.group(0)) if body else []
    if not sizes:
        bad.append('cannot find the page sizes in page_size() ({"A4", 210, 297}, ...)')
    m = re.search(r'case P_LINE_HEIGHT:.*?v > 0 && v <= ([\d.]+)', src, re.S)
    lh_multiple = num(m.group(1)) if m else None
    if not m:
        bad.append('cannot find the line-height multiple limit (case P_LINE_HEIGHT: ... v <= N)')
    m = re.search(r'case P_INT:.*?v < (\d+) \|\| v > (\d+)', src, re.S)
    int_range = (int(m.group(1)), int(m.group(2))) if m else None
    if not m:
        bad.append('cannot find the P_INT range (case P_INT: ... v < MIN || v > MAX)')
    for b in bad:
        rep.fail('styles source %s: %s' % (path, b))
    if bad:
        return None
    return {'props': props, 'page_attrs': page_attrs, 'fields': fields, 'rules': rules,
            'page_range': page_range, 'sizes': sizes, 'lh_multiple': lh_multiple,
            'int_range': int_range}


def placeholders(paths):
    found = {}
    for p in paths:
        for m in re.finditer(r'"(\{[a-z_]+\})"', read(p)):
            found.setdefault(m.group(1), p)
    return found


def looked_up_names(path):
    src = read(path)
    names = set(re.findall(r'style_find_rule\([^;()]*?,\s*"([\w.-]+)"\)', src))
    names |= set(re.findall(r'style_rule_for\([^;]*?,\s*"([\w.-]+)"\)', src))
    return names


def check_styles(style_c, layout_c, styletree_c, md_path, rep):
    c = parse_style_c(style_c, rep)
    if c is None:
        return
    md = read(md_path)
    kinds = {'property': {}, 'page attribute': {}, 'field': {}, 'placeholder': {}, 'built-in rule': {},
             'lengths': []}
    for header, body in tables(md):
        key = header[0].lower() if header else ''
        if key == 'lengths':
            kinds[key].extend(body)
            continue
        if key not in kinds:
            continue
        for n, cells in body:
            m = re.fullmatch(r'`([^`]+)`', cells[0])
            if not m:
                rep.fail('styles %s:%d: a row of the "%s" table that does not name one %s as `name`: %s'
                         % (md_path, n, key, key, cells[0]))
                continue
            if m.group(1) in kinds[key]:
                rep.fail('styles %s:%d: a second row for `%s`' % (md_path, n, m.group(1)))
            kinds[key][m.group(1)] = (n, cells)

    def same_names(key, want, source):
        rows = kinds[key]
        nbad = len(rep.failures())
        for name in want:
            if name not in rows:
                rep.fail('styles %s: `%s` (%s) has no row "| `%s` |" in %s' % (key, name, source, name, md_path))
        for name in rows:
            if name not in want:
                rep.fail('styles %s: %s:%d has a row for `%s`, which is not in %s'
                         % (key, md_path, rows[name][0], name, source))
        return len(rep.failures()) == nbad

    props = {p['name']: p for p in c['props']}
    if same_names('property', list(props), '%s PROPS' % style_c):
        rep.ok('styles properties: the %d properties of PROPS, one row each, no other' % len(props))
    nbad = len(rep.failures())
    for name, (n, cells) in kinds['property'].items():
        p = props.get(name)
        if not p:
            continue
        where = '%s:%d `%s`' % (md_path, n, name)
        values = cells[1] if len(cells) > 1 else ''
        inh = cells[2].lower() if len(cells) > 2 else ''
        if inh != ('yes' if p['inherited'] else 'no'):
            rep.fail('styles property %s: inherited is "%s"; PROPS says %s'
                     % (where, inh, 'yes' if p['inherited'] else 'no'))
        for w in p['words']:
            if '`%s`' % w not in values:
                rep.fail('styles property %s: the value `%s` of PROPS is not named' % (where, w))
        if p['type'] in ('LENGTH', 'PADDING', 'LINE_HEIGHT'):
            want = '%spt to %spt' % (fmt_num(p['min']), fmt_num(p['max']))
            if want not in values:
                rep.fail('styles property %s: the range "%s" is not named (values: %s)' % (where, want, values))
        if p['type'] == 'LINE_HEIGHT' and 'up to %s' % fmt_num(c['lh_multiple']) not in values:
            rep.fail('styles property %s: the multiple\'s limit "up to %s" is not named'
                     % (where, fmt_num(c['lh_multiple'])))
        if p['type'] == 'INT' and '%d to %d' % c['int_range'] not in values:
            rep.fail('styles property %s: the range "%d to %d" is not named' % ((where,) + c['int_range']))
        if p['type'] in ('COLOR', 'BACKGROUND') and 'colour' not in values:
            rep.fail('styles property %s: does not say it is a colour' % where)
        if p['type'] == 'BACKGROUND' and '`none`' not in values:
            rep.fail('styles property %s: does not name `none`' % where)
    if len(rep.failures()) == nbad:
        rep.ok('styles property values: inheritance, keywords and ranges as in PROPS and the R_* macros')

    nbad = len(rep.failures())
    length_rows = [(n, cells, set(re.findall(r'`([a-z-]+)`', cells[0]))) for n, cells in kinds['lengths']]
    for p in c['props']:
        if p['type'] not in ('LENGTH', 'PADDING', 'LINE_HEIGHT'):
            continue
        hit = [r for r in length_rows if p['name'] in r[2]]
        want = '%spt to %spt' % (fmt_num(p['min']), fmt_num(p['max']))
        if not hit:
            rep.fail('styles lengths: `%s` is in no row of the "| lengths |" table' % p['name'])
        elif want not in hit[0][1][1]:
            rep.fail('styles lengths: %s:%d gives `%s` "%s", not "%s"'
                     % (md_path, hit[0][0], p['name'], hit[0][1][1], want))
    page_rows = [r for r in length_rows if 'page' in r[1][0]]
    want = '%spt to %spt' % tuple(fmt_num(v) for v in c['page_range'])
    if not page_rows or want not in page_rows[0][1][1]:
        rep.fail('styles lengths: no row for page lengths giving "%s" (page_length())' % want)
    if len(rep.failures()) == nbad:
        rep.ok('styles lengths: the range of every length property and of page lengths (%s)' % want)

    attrs = {a['name']: a for a in c['page_attrs']}
    if same_names('page attribute', list(attrs), '%s PAGE_ATTRS' % style_c):
        rep.ok('styles page attributes: the %d attributes of PAGE_ATTRS, one row each, no other' % len(attrs))
    nbad = len(rep.failures())
    for name, (n, cells) in kinds['page attribute'].items():
        a = attrs.get(name)
        values = cells[1] if len(cells) > 1 else ''
        where = '%s:%d `%s`' % (md_path, n, name)
        if not a:
            continue
        if a['kind'] == 'LENGTH' and want not in values:
            rep.fail('styles page attribute %s: the page length range "%s" is not named' % (where, want))
        if a['kind'] == 'BOOL' and not ('`yes`' in values and '`no`' in values):
            rep.fail('styles page attribute %s: does not name `yes` and `no`' % where)
        if a['kind'] == 'COLOR' and 'colour' not in values:
            rep.fail('styles page attribute %s: does not say it is a colour' % where)
        for s in c['sizes'] if a['kind'] == 'SIZE' else []:
            if '`%s`' % s not in values:
                rep.fail('styles page attribute %s: the size `%s` of page_size() is not named' % (where, s))
    if len(rep.failures()) == nbad:
        rep.ok('styles page attribute values: lengths, yes/no, colour and the %d page sizes' % len(c['sizes']))

    if same_names('field', c['fields'], '%s FIELDS' % style_c):
        rep.ok('styles fields: the %d <front> fields of FIELDS (%s)' % (len(c['fields']), ', '.join(c['fields'])))
    ph = placeholders([layout_c, styletree_c])
    if same_names('placeholder', list(ph), 'a string literal of %s or %s' % (layout_c, styletree_c)):
        rep.ok('styles placeholders: %s, as in the string literals of %s and %s'
               % (' '.join(sorted(ph)), layout_c, styletree_c))
    rules = {r['name']: r for r in c['rules']}
    if same_names('built-in rule', list(rules), '%s DEFAULT_RULES' % style_c):
        nbad = len(rep.failures())
        for name, (n, cells) in kinds['built-in rule'].items():
            r = rules.get(name)
            row = ' | '.join(cells)
            for prop, value in r['decls'] + ([('parent', r['parent'])] if r['parent'] else []):
                if '%s="%s"' % (prop, value) not in row:
                    rep.fail('styles built-in rule %s:%d `%s`: does not say %s="%s"' % (md_path, n, name, prop, value))
        if len(rep.failures()) == nbad:
            rep.ok('styles built-in rules: %s, each with what it sets' % ', '.join(rules))
    names = looked_up_names(styletree_c)
    absent = sorted(n for n in names if '`%s`' % n not in md)
    for n in absent:
        rep.fail('styles rule names: %s looks up the style `%s`; %s does not mention it' % (styletree_c, n, md_path))
    if not absent:
        rep.ok('styles rule names: every style the code looks up by name is named (%s)' % ', '.join(sorted(names)))


# ---- examples ----------------------------------------------------------------------

META = '<meta><title>T</title></meta>'
WRAPPERS = [
    ('the <meta>', '<document>%s<body/></document>'),
    ('the <body>', '<document>' + META + '%s</document>'),
    ('body blocks', '<document>' + META + '<body>%s</body></document>'),
    ('meta fields', '<document><meta>%s</meta><body/></document>'),
    ('inline content of a <p>', '<document>' + META + '<body><p>%s</p></body></document>'),
    ('items of a <list>', '<document>' + META + '<body><list>%s</list></body></document>'),
    ('content of a <figure>', '<document>' + META + '<body><figure>%s</figure></body></document>'),
    ('content of a <titleblock>', '<document>' + META + '<body><titleblock>%s</titleblock></body></document>'),
]
MINIMAL_DOC = ('<?xml version="1.0" encoding="UTF-8"?>\n<document><meta><title>样例</title>'
               '<publisher>某社</publisher><year>2024</year><source>某会</source></meta><body>'
               '<section><heading>一节</heading><p>一段文字。</p>'
               '<list type="number"><item>一</item></list>'
               '<callout number="1"><title>框注</title><p>文字。</p></callout></section>'
               '</body></document>\n')
PROLOG = re.compile(r'\s*(<\?xml[^>]*\?>)?(\s|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>)*', re.S)


def md_xml_blocks(path):
    """(line, text, file caption or None) of every ```xml block."""
    blocks = []
    lines = read(path).split('\n')
    i = 0
    while i < len(lines):
        if lines[i].strip() == '```xml':
            start = i
            j = i + 1
            while j < len(lines) and not lines[j].startswith('```'):
                j += 1
            k = start - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            m = re.fullmatch(r'File `([^`]+)`:', lines[k].strip()) if k >= 0 else None
            blocks.append((start + 1, '\n'.join(lines[start + 1:j]) + '\n', m.group(1) if m else None))
            i = j + 1
        else:
            i += 1
    return blocks


def root_of(text):
    m = PROLOG.match(text)
    rest = text[m.end():] if m else text
    r = re.match(r'<([A-Za-z_][\w.:-]*)', rest)
    return (r.group(1) if r else None), rest


def declared_encoding(text):
    m = re.match(r'\s*<\?xml[^>]*encoding\s*=\s*["\']([^"\']+)["\']', text)
    return m.group(1) if m else 'utf-8'


def xmllint(schema, files, cwd):
    """{file: None (valid) or the first error line} for every file."""
    if not files:
        return {}
    r = subprocess.run(['xmllint', '--noout', '--nonet', '--noent', '--xinclude', '--nofixup-base-uris',
                        '--relaxng', os.path.abspath(schema)] + files,
                       cwd=cwd, capture_output=True, text=True, errors='replace')
    out = {}
    errors = {}
    for line in r.stderr.split('\n'):
        for f in files:
            if line == f + ' validates':
                out[f] = None
            elif line == f + ' fails to validate':
                out[f] = errors.get(f, 'fails to validate')
            elif line.startswith(f + ':') and f not in errors:
                errors[f] = line
    for f in files:
        out.setdefault(f, errors.get(f, 'no verdict from xmllint: ' + r.stderr.strip()[:200]))
    return out


def check_examples(schema, paiban, outdir, mds, rep, typeset=True):
    os.makedirs(outdir, exist_ok=True)
    docs, sheets, frags = [], [], []
    for md in mds:
        for k, (line, text, caption) in enumerate(md_xml_blocks(md)):
            where = '%s:%d' % (md, line)
            root, rest = root_of(text)
            name = caption or 'example-%s-%d.xml' % (re.sub(r'\W', '_', os.path.basename(md)), k + 1)
            if os.path.isabs(name) or '..' in name.split('/'):
                rep.fail('examples %s: file name %s must be relative and stay below the example' % (where, name))
                continue
            path = os.path.join(outdir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            enc = declared_encoding(text)
            try:
                data = text.encode(enc)
            except (LookupError, UnicodeError) as e:
                rep.fail('examples %s: cannot write it in its declared encoding %s: %s' % (where, enc, e))
                continue
            with open(path, 'wb') as f:
                f.write(data)
            if root == 'document':
                docs.append((where, name))
            elif root == 'stylesheet':
                sheets.append((where, name))
            elif root in ('style', 'page', 'front'):
                with open(path, 'w', encoding='utf-8') as f:
                    f.write('<stylesheet><page size="A5" margin-top="20mm" margin-bottom="20mm" '
                            'margin-inner="20mm" margin-outer="20mm"/>%s</stylesheet>\n' % rest)
                sheets.append((where, name))
            elif root is None:
                rep.fail('examples %s: an ```xml block without an element' % where)
            else:
                frags.append((where, name, rest))
    files = [n for _, n in docs]
    wrapped = {}
    for where, name, rest in frags:
        for i, (_, w) in enumerate(WRAPPERS):
            wname = '%s.wrap%d.xml' % (name, i)
            with open(os.path.join(outdir, wname), 'w', encoding='utf-8') as f:
                f.write(w % rest)
            wrapped.setdefault(name, []).append(wname)
            files.append(wname)
    verdict = xmllint(schema, files, outdir)
    n_ok = 0
    for where, name in docs:
        if verdict[name] is not None:
            rep.fail('examples %s: the document does not validate: %s' % (where, verdict[name]))
            continue
        if not typeset:
            n_ok += 1
            continue
        pdf = os.path.join(outdir, name + '.pdf')
        r = subprocess.run([paiban, '--schema', schema, '-o', pdf, os.path.join(outdir, name)],
                           capture_output=True, text=True, errors='replace')
        if r.returncode != 0:
            rep.fail('examples %s: validates, but paiban exits %d: %s'
                     % (where, r.returncode, r.stderr.strip().split('\n')[0] if r.stderr.strip() else ''))
            continue
        n_ok += 1
    if docs:
        rep.ok('examples documents: %d of %d complete documents validate%s'
               % (n_ok, len(docs), ' and typeset' if typeset else ''))
    n_ok = 0
    for where, name, _ in frags:
        good = [WRAPPERS[i][0] for i, w in enumerate(wrapped[name]) if verdict[w] is None]
        if good:
            n_ok += 1
        else:
            errs = [verdict[w] for w in wrapped[name]]
            rep.fail('examples %s: the fragment is valid nowhere in a minimal document: %s'
                     % (where, errs[2]))
    if frags:
        rep.ok('examples fragments: %d of %d fragments validate in a minimal document' % (n_ok, len(frags)))
    if sheets and typeset:
        doc = os.path.join(outdir, 'minimal-for-sheets.xml')
        with open(doc, 'w', encoding='utf-8') as f:
            f.write(MINIMAL_DOC)
        n_ok = 0
        for where, name in sheets:
            r = subprocess.run([paiban, '--schema', schema, '-s', os.path.join(outdir, name),
                                '-o', os.path.join(outdir, name + '.pdf'), doc],
                               capture_output=True, text=True, errors='replace')
            if r.returncode != 0:
                rep.fail('examples %s: the style sheet does not load: paiban exits %d: %s'
                         % (where, r.returncode, r.stderr.strip().split('\n')[0] if r.stderr.strip() else ''))
            else:
                n_ok += 1
        rep.ok('examples style sheets: %d of %d load and typeset a minimal document' % (n_ok, len(sheets)))


# ---- the self-test ----------------------------------------------------------------------

def selftest(schema, elements_md, style_c, layout_c, styletree_c, styles_md, paiban, outdir, rep):
    os.makedirs(outdir, exist_ok=True)
    elements, _ = load_schema(schema)
    emd, smd, sch, sc, lc = (read(p) for p in (elements_md, styles_md, schema, style_c, layout_c))
    n = [0]

    def planted(name, text):
        n[0] += 1
        path = os.path.join(outdir, '%02d-%s' % (n[0], name))
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return path

    def expect(what, pattern, run):
        sub = Report(quiet=True)
        try:
            run(sub)
        except Exception as e:  # a crash is not a caught fault
            sub.lines.append('crash %r' % e)
        hits = [l for l in sub.failures() if re.search(pattern, l)]
        if hits:
            rep.ok('selftest %s: caught: %s' % (what, hits[0][:160]))
        else:
            rep.fail('selftest %s: not caught (expected a FAIL matching /%s/; got %s)'
                     % (what, pattern, sub.failures()[:2] or 'no FAIL'))

    def replaced(what, text, old, new, count=1):
        if old not in text:
            rep.fail('selftest %s: could not plant it (%r not found; the file changed?)' % (what, old[:60]))
            return None
        return text.replace(old, new, count)

    def elements_with(text, what, pattern):
        p = planted('elements.md', text)
        expect(what, pattern, lambda r: check_elements(schema, p, r))

    def styles_with(text, what, pattern, style=None, layout=None):
        p = planted('README.md', text)
        expect(what, pattern, lambda r: check_styles(style or style_c, layout or layout_c, styletree_c, p, r))

    # (a) elements.md and the schema
    sections, _ = element_sections(emd)
    victim = sorted(sections)[len(sections) // 2]
    head = '### `<%s>`\n' % victim
    t = replaced('an element section removed', emd, head, '')
    if t:
        elements_with(t, 'the section of <%s> removed' % victim, r'<%s> .*has no section' % re.escape(victim))
    t = emd + '\n### `<chapter>`\n\nNot an element.\n'
    elements_with(t, 'a heading for <chapter>, which is no element', r'<chapter>` names no element')
    t = emd + '\n### Chapters\n\nA level-3 heading off the convention.\n'
    elements_with(t, 'a level-3 heading off the convention', r'not of the form')
    with_attrs = sorted(e for e in elements if elements[e]['attrs'] and e in sections)
    if with_attrs:
        e = with_attrs[-1]
        a = sorted(elements[e]['attrs'])[0]
        row = next((l for _, l, _ in sections[e][1] if l.startswith('| `%s` |' % a)), None)
        if row:
            t = replaced('an attribute row removed', emd, row + '\n', '')
            elements_with(t, 'the row of %s on <%s> removed' % (a, e), r'attribute %s has no row' % re.escape(a))
            use = 'required' if elements[e]['attrs'][a]['required'] else 'optional'
            other = 'optional' if use == 'required' else 'required'
            t = replaced('an attribute\'s use flipped', emd, row, row.replace('| %s |' % use, '| %s |' % other))
            elements_with(t, '%s on <%s> said to be %s' % (a, e, other), r'%s is %s in the schema' % (re.escape(a), use))
        else:
            rep.fail('selftest: could not plant: no row for %s in the section of <%s>' % (a, e))
    valued = [(e, a) for e in sorted(elements) for a, v in sorted(elements[e]['attrs'].items()) if v['values']]
    if valued:
        e, a = valued[0]
        v = sorted(elements[e]['attrs'][a]['values'])[-1]
        row = next((l for _, l, _ in sections.get(e, (0, []))[1] if l.startswith('| `%s` |' % a)), None)
        t = replaced('an allowed value dropped', emd, row, row.replace('`%s`' % v, v)) if row else None
        if t:
            elements_with(t, 'the value %s of %s on <%s> not named' % (v, a, e), r'does not name `%s`' % re.escape(v))
    multi = sorted(e for e in elements if len(elements[e]['parents']) > 1 and e in sections)
    if multi:
        e = multi[0]
        p = sorted(elements[e]['parents'])[-1]
        para = next(('\n'.join(x) for x in paragraphs(sections[e][1]) if x[0].startswith('**Parents:**')), None)
        at = emd.find(para, emd.find('### `<%s>`' % e)) if para else -1
        t = emd[:at] + para.replace('`<%s>`' % p, 'nothing') + emd[at + len(para):] if at >= 0 else None
        if t is None:
            rep.fail('selftest: could not plant: no Parents paragraph in the section of <%s>' % e)
        if t:
            elements_with(t, 'the parent <%s> of <%s> dropped' % (p, e), r'parents .*<%s>.*missing \{<%s>\}' % (e, p))
    t = replaced('a new element in the schema', sch, '<element name="br"><empty/></element>',
                 '<element name="br"><empty/></element>\n        <element name="code"><text/></element>')
    if t:
        ps = planted('paiban.rng', t)
        expect('a schema with a new inline element <code>', r'<code> of .* has no section',
               lambda r: check_elements(ps, elements_md, r))
    t = replaced('a new attribute in the schema', sch, '<element name="p">',
                 '<element name="p">\n      <optional><attribute name="kind"><text/></attribute></optional>')
    if t:
        ps = planted('paiban.rng', t)
        expect('a schema with a new attribute kind on <p>', r'attribute kind has no row',
               lambda r: check_elements(ps, elements_md, r))

    # (b) styles/README.md and the C tables
    rows = {}
    for header, body in tables(smd):
        for ln, cells in body:
            rows.setdefault(header[0].lower(), []).append((ln, cells))
    lines = smd.split('\n')

    def without_row(kind, name):
        hit = [ln for ln, cells in rows.get(kind, []) if cells[0] == '`%s`' % name]
        if not hit:
            rep.fail('selftest: could not plant: no "%s" row for %s' % (kind, name))
            return None
        return '\n'.join(l for i, l in enumerate(lines, 1) if i != hit[0])

    c = parse_style_c(style_c, Report(quiet=True))
    if c:
        for kind, name in (('property', c['props'][-1]['name']), ('page attribute', 'running-foot'),
                           ('field', c['fields'][-1]), ('placeholder', '{year}'),
                           ('built-in rule', c['rules'][-1]['name'])):
            t = without_row(kind, name)
            if t:
                styles_with(t, 'the %s row of %s removed' % (kind, name),
                            r'no row "\| `%s` \|"' % re.escape(name))
        prop_rows = rows.get('property', [])
        if prop_rows:
            ln = prop_rows[0][0]
            bogus = '| `font-style` | `normal`, `italic` | yes | there is no such property |'
            t = '\n'.join(lines[:ln] + [bogus] + lines[ln:])
            styles_with(t, 'a row for font-style, which does not exist', r'row for `font-style`, which is not in')
        fs = next((l for l in lines if l.startswith('| `font-size` |')), None)
        t = replaced('a range changed', smd, fs, fs.replace('1pt to 1000pt', '1pt to 500pt')) if fs else None
        if t:
            styles_with(t, 'the range of font-size changed to 1pt to 500pt', r'`font-size`: the range "1pt to 1000pt"')
        col = next((l for l in lines if l.startswith('| `color` |')), None)
        t = replaced('inherited flipped', smd, col, col.replace('| yes |', '| no |')) if col else None
        if t:
            styles_with(t, 'color said not to be inherited', r'`color`: inherited is "no"')
        t = replaced('a new property in style.c', sc, '{"label", P_STRING',
                     '{"letter-spacing", P_LENGTH, F(rule_gap), 0, NULL, R_EDGE},\n    {"label", P_STRING')
        if t:
            p = planted('style.c', t)
            styles_with(smd, 'a style.c with a new property letter-spacing', r'no row "\| `letter-spacing` \|"',
                        style=p)
        t = replaced('a new placeholder in layout.c', lc, '{"{year}", t->year}',
                     '{"{year}", t->year}, {"{subject}", t->subject}')
        if t:
            p = planted('layout.c', t)
            styles_with(smd, 'a layout.c with a new placeholder {subject}', r'no row "\| `\{subject\}` \|"',
                        layout=p)

    # (c) examples
    blocks = md_xml_blocks(elements_md)
    doc = next((b for b in blocks if root_of(b[1])[0] == 'document' and '<p>' in b[1]), None)
    if doc:
        t = replaced('an invalid example document', emd, doc[1], doc[1].replace('<p>', '<para>', 1)
                     .replace('</p>', '</para>', 1))
        if t:
            p = planted('elements.md', t)
            expect('an example document with <para>', r'%s:%d: the document does not validate' % (re.escape(p), doc[0]),
                   lambda r: check_examples(schema, paiban, os.path.join(outdir, 'ex1'), [p], r, typeset=False))
    frag = next((b for b in blocks if root_of(b[1])[0] == 'callout'), None)
    if frag:
        t = replaced('an invalid fragment', emd, frag[1], frag[1].replace('<title>', '<heading>', 1)
                     .replace('</title>', '</heading>', 1))
        if t:
            p = planted('elements.md', t)
            expect('a callout fragment with <heading> for <title>', r'%s:%d: the fragment is valid nowhere' % (re.escape(p), frag[0]),
                   lambda r: check_examples(schema, paiban, os.path.join(outdir, 'ex2'), [p], r, typeset=False))
    sblocks = md_xml_blocks(styles_md)
    sheet = next((b for b in sblocks if root_of(b[1])[0] == 'stylesheet'), None)
    if sheet:
        t = replaced('an invalid style sheet', smd, sheet[1], re.sub(r'<style name="(\w+)" ', r'<style name="\1" text-indnt="2em" ', sheet[1], count=1))
        if t:
            p = planted('README.md', t)
            expect('an example style sheet with the unknown property text-indnt',
                   r'%s:%d: the style sheet does not load' % (re.escape(p), sheet[0]),
                   lambda r: check_examples(schema, paiban, os.path.join(outdir, 'ex3'), [p], r))
    else:
        rep.fail('selftest: could not plant: no ```xml style sheet in %s' % styles_md)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    rep = Report()
    cmd, args = argv[1], argv[2:]
    if cmd == 'elements' and len(args) == 2:
        check_elements(*args, rep)
    elif cmd == 'styles' and len(args) == 4:
        check_styles(*args, rep)
    elif cmd == 'examples' and len(args) >= 4:
        check_examples(args[0], args[1], args[2], args[3:], rep)
    elif cmd == 'selftest' and len(args) == 8:
        selftest(*args, rep)
    else:
        print('usage: see the docstring of %s' % argv[0], file=sys.stderr)
        return 2
    return 1 if rep.failures() else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
