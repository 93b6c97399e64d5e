/* doc.c: XML → document tree, through libxml2 with RELAX NG validation. */
#include "doc.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The source text kept while converting, to recover element columns. */
typedef struct source {
    const char *file;
    const char *buf;
    size_t len;
    int nlines;
    size_t *line_start;         /* byte offset of each line (1-based index) */
    int cur_line;               /* search cursor: positions are found in order */
    size_t cur_off;
} source;

/* State for libxml2's error callbacks. */
typedef struct err_sink {
    pb_ctx *ctx;
    source *src;
    int count;
} err_sink;

enum { MAX_REPORTED_ERRORS = 20 };

/* Read a whole file into memory; NULL with an error when it cannot be read. */
static char *read_file(pb_ctx *ctx, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        pb_error(ctx, (pb_pos){path, 0, 0}, "cannot read: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = pb_alloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            buf = pb_realloc(buf, (cap *= 2) + 1);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        pb_error(ctx, (pb_pos){path, 0, 0}, "cannot read: I/O error");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Index the start of every line so a line number maps to its text. */
static void index_lines(source *s)
{
    int cap = 0;
    s->line_start = NULL;
    s->nlines = 0;
    pb_grow(&s->line_start, &cap, 2, sizeof *s->line_start);
    s->line_start[++s->nlines] = 0;
    for (size_t i = 0; i < s->len; i++)
        if (s->buf[i] == '\n') {
            pb_grow(&s->line_start, &cap, s->nlines + 2, sizeof *s->line_start);
            s->line_start[++s->nlines] = i + 1;
        }
    s->cur_line = 1;
    s->cur_off = 0;
}

/* Count code points between two byte offsets, for a 1-based column. */
static int column_of(const source *s, int line, size_t off)
{
    int col = 1;
    for (size_t i = s->line_start[line]; i < off; i++)
        if (((unsigned char)s->buf[i] & 0xC0) != 0x80)
            col++;
    return col;
}

/*
 * Find needle on line at or after the cursor (when on the cursor's line) and
 * return its column; 0 when absent.  Moving the cursor forward makes repeated
 * element names on one line resolve to successive occurrences.
 */
static int find_on_line(source *s, int line, const char *needle, size_t nlen)
{
    if (line < 1 || line > s->nlines || nlen == 0)
        return 0;
    size_t from = s->line_start[line];
    size_t end = line < s->nlines ? s->line_start[line + 1] : s->len;
    if (line == s->cur_line && s->cur_off > from)
        from = s->cur_off;
    for (size_t i = from; i + nlen <= end; i++)
        if (memcmp(s->buf + i, needle, nlen) == 0) {
            s->cur_line = line;
            s->cur_off = i + 1;
            return column_of(s, line, i);
        }
    return 0;
}

/* The 1-based line holding byte offset off. */
static int line_of(const source *s, size_t off)
{
    int lo = 1, hi = s->nlines;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The position of an element's '<', recorded while parsing (see on_start_element). */
static pb_pos element_pos(const source *s, xmlNodePtr x)
{
    size_t stored = (size_t)(uintptr_t)x->_private;
    if (!stored)
        return (pb_pos){s->file, (int)xmlGetLineNo(x), 1};
    int line = line_of(s, stored - 1);
    return (pb_pos){s->file, line, column_of(s, line, stored - 1)};
}

/* Parser state for recording where each start tag begins. */
typedef struct tag_recorder {
    startElementNsSAX2Func start_element;   /* libxml2's own handler */
    const source *src;
} tag_recorder;

/*
 * Build the element as libxml2 would, then note the byte offset of its '<'
 * in node->_private.  libxml2 itself only keeps the line where the tag
 * ends, which is wrong for tags spanning lines and gives no column.  The
 * tag start is the last '<' before the parser's position, because
 * attribute values cannot contain a literal '<'.
 */
static void on_start_element(void *ctxp, const xmlChar *name, const xmlChar *prefix,
                             const xmlChar *uri, int nns, const xmlChar **nss, int nattrs,
                             int ndefaulted, const xmlChar **attrs)
{
    xmlParserCtxtPtr pc = ctxp;
    tag_recorder *rec = pc->_private;
    rec->start_element(ctxp, name, prefix, uri, nns, nss, nattrs, ndefaulted, attrs);
    size_t off = (size_t)pc->input->consumed + (size_t)(pc->input->cur - pc->input->base);
    if (off > rec->src->len)
        off = rec->src->len;
    while (off > 0 && rec->src->buf[off - 1] != '<')
        off--;
    if (pc->node && off > 0)
        pc->node->_private = (void *)(uintptr_t)off; /* offset of '<' plus one */
}

/* Report one libxml2 error (parse or validation) at its source position. */
static void on_xml_error(void *data, xmlErrorPtr err)
{
    err_sink *sink = data;
    if (err->level == XML_ERR_WARNING)
        return;
    if (++sink->count > MAX_REPORTED_ERRORS) {
        if (sink->count == MAX_REPORTED_ERRORS + 1)
            pb_error(sink->ctx, (pb_pos){sink->src->file, 0, 0}, "too many errors; stopping");
        return;
    }
    int line = err->line, col = err->int2;
    xmlNodePtr node = err->node;
    if (node && node->type == XML_ELEMENT_NODE) {
        pb_pos p = element_pos(sink->src, node);
        line = p.line;
        col = p.col;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err->message ? err->message : "invalid XML");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    pb_error(sink->ctx, (pb_pos){sink->src->file, line > 0 ? line : 1, col > 0 ? col : 1},
             "%s", msg);
}

/* Append child as the last child of parent. */
static void append_child(doc_node *parent, doc_node *child)
{
    child->parent = parent;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

/*
 * Where attribute name starts inside the start tag that begins at the
 * element's recorded offset: the first "name" there preceded by white
 * space and followed by '='.  Falls back to the element's position.
 */
static pb_pos attribute_pos(const source *s, xmlNodePtr x, const char *name, pb_pos elem)
{
    size_t start = (size_t)(uintptr_t)x->_private, n = strlen(name);
    if (!start)
        return elem;
    for (size_t i = start; i + n < s->len && s->buf[i] != '>'; i++) {
        const char *p = s->buf + i;
        if (strchr(" \t\r\n", p[-1]) && memcmp(p, name, n) == 0) {
            size_t k = i + n;
            while (k < s->len && strchr(" \t\r\n", s->buf[k]))
                k++;
            if (k < s->len && s->buf[k] == '=') {
                int line = line_of(s, i);
                return (pb_pos){s->file, line, column_of(s, line, i)};
            }
        }
    }
    return elem;
}

/* Copy the element's attributes, naming xml: ones "xml:NAME". */
static void copy_attributes(const source *s, doc_node *n, xmlNodePtr x)
{
    int count = 0;
    for (xmlAttrPtr a = x->properties; a; a = a->next)
        count++;
    n->attrs = pb_alloc(sizeof *n->attrs * (size_t)(count ? count : 1));
    for (xmlAttrPtr a = x->properties; a; a = a->next) {
        doc_attr *d = &n->attrs[n->nattrs++];
        char name[256];
        if (a->ns && a->ns->prefix)
            snprintf(name, sizeof name, "%s:%s", a->ns->prefix, a->name);
        else
            snprintf(name, sizeof name, "%s", a->name);
        d->name = pb_strdup(name);
        d->pos = attribute_pos(s, x, name, n->pos);
        xmlChar *v = xmlNodeListGetString(x->doc, a->children, 1);
        d->value = pb_strdup(v ? (const char *)v : "");
        xmlFree(v);
    }
}

/* Convert x and its following siblings into children of parent. */
static void convert_children(source *s, doc_node *parent, xmlNodePtr x)
{
    for (; x; x = x->next) {
        doc_node *n;
        int line = (int)xmlGetLineNo(x);
        if (x->type == XML_ELEMENT_NODE) {
            n = pb_alloc(sizeof *n);
            n->kind = DOC_ELEMENT;
            n->name = pb_strdup((const char *)x->name);
            n->pos = element_pos(s, x);
            copy_attributes(s, n, x);
            append_child(parent, n);
            convert_children(s, n, x->children);
        } else if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE) {
            n = pb_alloc(sizeof *n);
            n->kind = DOC_TEXT;
            n->text = pb_strdup((const char *)x->content);
            size_t k = strspn(n->text, " \t\r\n");
            size_t len = strcspn(n->text + k, "\n");
            int col = find_on_line(s, line, n->text + k, len < 12 ? len : 12);
            n->pos = (pb_pos){s->file, line, col ? col : 1};
            append_child(parent, n);
        } else if (x->type == XML_ENTITY_REF_NODE) {
            /* the child of a reference is the declaration; only internal
             * entities have content, external ones are never loaded */
            xmlEntityPtr e = (xmlEntityPtr)x->children;
            if (e && e->etype == XML_INTERNAL_GENERAL_ENTITY)
                convert_children(s, parent, e->children);
        }
    }
}

/* Validate xdoc against the schema at schema_path; 0 when valid. */
static int validate(pb_ctx *ctx, xmlDocPtr xdoc, const char *schema_path, err_sink *sink)
{
    FILE *probe = fopen(schema_path, "rb");
    if (!probe) {
        pb_error(ctx, (pb_pos){schema_path, 0, 0}, "cannot read the schema: %s", strerror(errno));
        return -1;
    }
    fclose(probe);
    source schema_src = {.file = schema_path};
    err_sink schema_sink = {ctx, &schema_src, 0};
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(schema_path);
    xmlRelaxNGSetParserStructuredErrors(pc, on_xml_error, &schema_sink);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    if (!schema) {
        pb_error(ctx, (pb_pos){schema_path, 0, 0}, "cannot load the schema");
        return -1;
    }
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vc, on_xml_error, sink);
    int rc = xmlRelaxNGValidateDoc(vc, xdoc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlRelaxNGFree(schema);
    if (rc != 0 && sink->count == 0)
        pb_error(ctx, (pb_pos){sink->src->file, 0, 0}, "does not match the schema");
    return rc == 0 ? 0 : -1;
}

/* Parse the bytes of src into an xmlDoc, reporting errors; NULL on failure. */
static xmlDocPtr parse_xml(pb_ctx *ctx, source *src, err_sink *sink)
{
    if (src->len == 0) {
        pb_error(ctx, (pb_pos){src->file, 1, 1}, "the file is empty; expected an XML document");
        return NULL;
    }
    xmlParserCtxtPtr pc = xmlCreateMemoryParserCtxt(src->buf, (int)src->len);
    if (!pc) {
        pb_error(ctx, (pb_pos){src->file, 0, 0}, "cannot start the XML parser");
        return NULL;
    }
    xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING);
    tag_recorder rec = {pc->sax->startElementNs, src};
    pc->sax->startElementNs = on_start_element;
    pc->_private = &rec;
    xmlSetStructuredErrorFunc(sink, on_xml_error);
    xmlParseDocument(pc);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlDocPtr xdoc = pc->myDoc;
    int wellformed = pc->wellFormed;
    xmlFreeParserCtxt(pc);
    /* some errors (an undeclared entity) leave the document well-formed
     * but incomplete: any reported error rejects it */
    if (xdoc && (!wellformed || sink->count > 0)) {
        xmlFreeDoc(xdoc);
        xdoc = NULL;
    }
    if (!xdoc && sink->count == 0)
        pb_error(ctx, (pb_pos){src->file, 1, 1}, "not well-formed XML");
    return xdoc;
}

/* Parse path, validate (unless schema_path is NULL), build the tree; NULL on error. */
doc *doc_load(pb_ctx *ctx, const char *path, const char *schema_path)
{
    source src = {.file = path};
    char *buf = read_file(ctx, path, &src.len);
    if (!buf)
        return NULL;
    if (src.len > (size_t)0x7fffffff) {
        pb_error(ctx, (pb_pos){path, 0, 0}, "the file is too large (over 2 GiB)");
        free(buf);
        return NULL;
    }
    src.buf = buf;
    index_lines(&src);
    err_sink sink = {ctx, &src, 0};
    doc *d = NULL;
    xmlDocPtr xdoc = parse_xml(ctx, &src, &sink);
    if (xdoc && (!schema_path || validate(ctx, xdoc, schema_path, &sink) == 0)) {
        d = pb_alloc(sizeof *d);
        d->files = pb_alloc(sizeof *d->files);
        d->files[d->nfiles++] = pb_strdup(path);
        src.file = d->files[0];
        src.cur_line = 1;
        src.cur_off = 0;
        doc_node holder = {0};
        convert_children(&src, &holder, xmlDocGetRootElement(xdoc));
        d->root = holder.first;
        d->root->parent = NULL;
    }
    xmlFreeDoc(xdoc);
    free(src.line_start);
    free(buf);
    return d;
}

/* Free a node and its subtree. */
static void free_node(doc_node *n)
{
    while (n) {
        doc_node *next = n->next;
        free_node(n->first);
        for (int i = 0; i < n->nattrs; i++) {
            free(n->attrs[i].name);
            free(n->attrs[i].value);
        }
        free(n->attrs);
        free(n->name);
        free(n->text);
        free(n);
        n = next;
    }
}

/* Free the document. */
void doc_free(doc *d)
{
    if (!d)
        return;
    free_node(d->root);
    for (int i = 0; i < d->nfiles; i++)
        free(d->files[i]);
    free(d->files);
    free(d);
}

/* The value of attribute name on node, or NULL. */
const char *doc_attr_get(const doc_node *node, const char *name)
{
    for (int i = 0; i < node->nattrs; i++)
        if (strcmp(node->attrs[i].name, name) == 0)
            return node->attrs[i].value;
    return NULL;
}

/* The first child element of node called name, or NULL. */
doc_node *doc_child(const doc_node *node, const char *name)
{
    for (doc_node *c = node->first; c; c = c->next)
        if (c->kind == DOC_ELEMENT && strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Append the text below node to *buf. */
static void gather_text(const doc_node *node, char **buf, size_t *len, size_t *cap)
{
    for (const doc_node *c = node->first; c; c = c->next) {
        if (c->kind == DOC_ELEMENT) {
            gather_text(c, buf, len, cap);
            continue;
        }
        size_t n = strlen(c->text);
        while (*len + n + 1 > *cap)
            *buf = pb_realloc(*buf, *cap *= 2);
        memcpy(*buf + *len, c->text, n + 1);
        *len += n;
    }
}

/* All text below node, concatenated (malloc'd UTF-8). */
char *doc_text_content(const doc_node *node)
{
    size_t len = 0, cap = 64;
    char *buf = pb_alloc(cap);
    gather_text(node, &buf, &len, &cap);
    return buf;
}
