/*
 * doc.h: reading XML sources into the document tree.
 *
 * doc_load() parses an XML file with libxml2 (no network, no external
 * entities, no DTD loading), validates it against the RELAX NG schema and
 * converts it into a small tree of doc_nodes that remember their source
 * file, line and column.  Parse and validation errors are reported through
 * the context in file:line:col form.
 *
 * Ownership: the doc owns every node, string and file name in it; node
 * positions point at file names held by the doc.  doc_free() releases all.
 */
#ifndef PAIBAN_DOC_H
#define PAIBAN_DOC_H

#include "ctx.h"

typedef enum doc_kind { DOC_ELEMENT, DOC_TEXT } doc_kind;

typedef struct doc_attr {
    char *name;                 /* local name, or "xml:lang" for the xml: ones */
    char *value;
    pb_pos pos;                 /* where the attribute's name starts */
} doc_attr;

typedef struct doc_node {
    doc_kind kind;
    char *name;                 /* element name; NULL for text */
    char *text;                 /* text content (UTF-8) for DOC_TEXT */
    int nattrs;
    doc_attr *attrs;
    pb_pos pos;                 /* where the node starts in its source */
    struct doc_node *parent, *first, *last, *next;
} doc_node;

typedef struct doc {
    doc_node *root;
    int nfiles;
    char **files;               /* every file read, the main file first */
    char *root_dir;             /* the real directory of the main file: files the
                                   document names must lie below it; NULL when
                                   unknown (a buffer without a directory) */
} doc;

/* Parse path, validate against schema_path (none when NULL), build the tree; NULL on error. */
doc *doc_load(pb_ctx *ctx, const char *path, const char *schema_path);

/*
 * The same for a document already in memory (len bytes at buf, copied).
 * name stands for the file in diagnostics and positions; XIncludes are
 * resolved against its directory and must stay below it.  When that
 * directory does not exist, every xi:include is refused with an error.
 */
doc *doc_load_buffer(pb_ctx *ctx, const char *name, const char *buf, size_t len,
                     const char *schema_path);

/* Free the document. */
void doc_free(doc *d);

/* The value of attribute name on node, or NULL. */
const char *doc_attr_get(const doc_node *node, const char *name);

/* The first child element of node called name, or NULL. */
doc_node *doc_child(const doc_node *node, const char *name);

/* All text below node, concatenated (malloc'd UTF-8). */
char *doc_text_content(const doc_node *node);

#endif
