/*
 * schema.h: explaining a schema error in the reader's terms.
 *
 * libxml2 validates documents against the RELAX NG schema, but its messages
 * say what is wrong ("Did not expect element p there"), not what the
 * schema wanted.  When validation fails, schema_explain() reads the same
 * schema as a set of content models (one small automaton over child
 * elements per element definition), walks the document tree, and reports
 * for each element that breaks its model what was expected at that place:
 * "<section> must begin with <heading>, not <p>", "<meta> needs <title>",
 * "<image> needs src=\"…\" (a file name)".  Every message is derived from
 * the schema, so a change to the schema changes the messages with it.
 *
 * It understands the patterns paiban's schema uses: grammar, start,
 * define, ref, element, attribute, group, choice, optional, zeroOrMore,
 * oneOrMore, mixed, interleave (read as a group), text, empty, data and
 * value.  Anything else makes it explain nothing, and the caller falls back
 * to libxml2's own messages.
 *
 * Ownership: nothing is kept between calls; the tree is borrowed.
 */
#ifndef PAIBAN_SCHEMA_H
#define PAIBAN_SCHEMA_H

#include "ctx.h"
#include "doc.h"

/*
 * Check the tree against the schema at schema_path and report each
 * element whose children, text or attributes it does not allow, saying
 * what the schema expected there.  Returns the number of errors reported
 * (0 when the schema cannot be read or finds nothing to explain).
 */
int schema_explain(pb_ctx *ctx, const char *schema_path, const doc_node *root);

#endif
