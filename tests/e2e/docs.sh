#!/bin/sh
# docs.sh: the documentation cannot drift from the schema and the code
# (issue 11).  tests/e2e/py/docs_check.py does the checking (its docstring
# details each check and the conventions the documents follow):
#
#   (a) elements  docs/elements.md has one section "### `<name>`" for every
#                 element of xml/paiban.rng and no other level-3 heading; each
#                 section's Parents and Contains name exactly the elements the
#                 schema allows there, and its attribute table has one row
#                 per attribute of the schema, marked required or optional as
#                 the schema says, naming every value an attribute is
#                 restricted to;
#   (b) styles    styles/README.md has one table row "| `name` |" for every
#                 property of PROPS in src/style.c and no row for a property
#                 that does not exist, with its inheritance, keywords and
#                 range (the R_* macros); the same for the <page> attributes
#                 (PAGE_ATTRS), the <front> fields (FIELDS), the placeholders
#                 in string literals of src/layout.c and src/styletree.c
#                 ({title}, {n}, ...), the built-in rules (DEFAULT_RULES,
#                 with what each sets), the length ranges including page
#                 lengths, and every style name the code looks up by name;
#   (c) examples  every ```xml block of docs/elements.md and styles/README.md:
#                 complete documents validate (xmllint --relaxng) and
#                 typeset with the default style sheet; fragments validate
#                 inside a minimal document; style sheets load;
#   (d) selftest  each check above fails on planted faults (copies of the
#                 files with a section, a row, a parent or a value removed,
#                 a bogus heading or property added, a range or a use
#                 changed; a schema, a style.c and a layout.c that gained an
#                 element, an attribute, a property, a placeholder; broken
#                 examples).
#
# It always tests the real files.  To try the checks on other versions of
# them, point these at copies (each defaults to the real file):
#   DOCS_SCHEMA (xml/paiban.rng), DOCS_ELEMENTS (docs/elements.md),
#   DOCS_STYLES (styles/README.md), DOCS_STYLE_C (src/style.c),
#   DOCS_LAYOUT_C (src/layout.c), DOCS_STYLETREE_C (src/styletree.c).
#
# Environment: BUILD (see lib.sh).
. tests/e2e/lib.sh
e2e_init docs python3 xmllint

DOCS_PY=tests/e2e/py/docs_check.py
SCHEMA=${DOCS_SCHEMA:-xml/paiban.rng}
ELEMENTS=${DOCS_ELEMENTS:-docs/elements.md}
STYLES=${DOCS_STYLES:-styles/README.md}
STYLE_C=${DOCS_STYLE_C:-src/style.c}
LAYOUT_C=${DOCS_LAYOUT_C:-src/layout.c}
STYLETREE_C=${DOCS_STYLETREE_C:-src/styletree.c}

for f in "$SCHEMA" "$ELEMENTS" "$STYLES" "$STYLE_C" "$LAYOUT_C" "$STYLETREE_C"; do
    [ -f "$f" ] || { fail "docs: $f does not exist"; e2e_finish; }
done

echo "(a) $ELEMENTS against $SCHEMA"
run_py "$DOCS_PY" elements "$SCHEMA" "$ELEMENTS"
echo "(b) $STYLES against $STYLE_C, $LAYOUT_C, $STYLETREE_C"
run_py "$DOCS_PY" styles "$STYLE_C" "$LAYOUT_C" "$STYLETREE_C" "$STYLES"
echo "(c) the examples of $ELEMENTS and $STYLES"
run_py "$DOCS_PY" examples "$SCHEMA" "$PAIBAN" "$TMP/examples" "$ELEMENTS" "$STYLES"
echo "(d) every check fails on planted faults"
run_py "$DOCS_PY" selftest "$SCHEMA" "$ELEMENTS" "$STYLE_C" "$LAYOUT_C" "$STYLETREE_C" "$STYLES" \
    "$PAIBAN" "$TMP/planted"
e2e_finish
