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

/* Every file of one document (the main file and its XIncludes). */
typedef struct loader {
    pb_ctx *ctx;
    int n, cap;
    source **src;               /* owned; src[0] is the main file */
    char *root_dir;             /* XIncludes must stay below this directory;
                                   NULL: none are allowed (no directory known) */
} loader;

/* State for libxml2's error callbacks. */
typedef struct err_sink {
    pb_ctx *ctx;
    loader *ld;
    source *src;                /* the file being parsed, for parse errors */
    int count;
} err_sink;

enum { MAX_REPORTED_ERRORS = 20, MAX_INCLUDE_DEPTH = 16 };

/*
 * Element positions live in libxml2's node->_private while parsing: the
 * file's index in the loader in the high bits, the byte offset of the
 * element's '<' plus one in the low 40 bits (0 means unknown).
 */
#define OFFSET_BITS 40
#define OFFSET_MASK ((((uintptr_t)1) << OFFSET_BITS) - 1)

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
static pb_pos element_pos(const loader *ld, xmlNodePtr x)
{
    uintptr_t mark = (uintptr_t)x->_private;
    const source *s = ld->src[mark >> OFFSET_BITS];
    size_t stored = (size_t)(mark & OFFSET_MASK);
    if (!stored)
        return (pb_pos){s->file, (int)xmlGetLineNo(x), 1};
    int line = line_of(s, stored - 1);
    return (pb_pos){s->file, line, column_of(s, line, stored - 1)};
}

/* The loader's index of the file that element x came from. */
static int file_of(xmlNodePtr x)
{
    return (int)((uintptr_t)x->_private >> OFFSET_BITS);
}

/* Parser state for recording where each start tag begins. */
typedef struct tag_recorder {
    startElementNsSAX2Func start_element;   /* libxml2's own handler */
    const source *src;
    int file;                               /* its index in the loader */
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
    if (pc->node)
        pc->node->_private = (void *)((uintptr_t)rec->file << OFFSET_BITS | (uintptr_t)off);
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
    const char *file = sink->src->file;
    xmlNodePtr node = err->node;
    if (node && node->type == XML_ELEMENT_NODE && sink->ld) {
        pb_pos p = element_pos(sink->ld, node);
        file = p.file;
        line = p.line;
        col = p.col;
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", err->message ? err->message : "invalid XML");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    for (char *c = msg; *c; c++) /* one diagnostic, one line */
        if (*c == '\n')
            *c = ' ';
    pb_error(sink->ctx, (pb_pos){file, line > 0 ? line : 1, col > 0 ? col : 1}, "%s", msg);
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
static pb_pos attribute_pos(const loader *ld, xmlNodePtr x, const char *name, pb_pos elem)
{
    const source *s = ld->src[file_of(x)];
    size_t start = (size_t)((uintptr_t)x->_private & OFFSET_MASK), n = strlen(name);
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
static void copy_attributes(const loader *ld, doc_node *n, xmlNodePtr x)
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
        d->pos = attribute_pos(ld, x, name, n->pos);
        xmlChar *v = xmlNodeListGetString(x->doc, a->children, 1);
        d->value = pb_strdup(v ? (const char *)v : "");
        xmlFree(v);
    }
}

/* Convert x and its following siblings (from file number file) into children of parent. */
static void convert_children(loader *ld, int file, doc_node *parent, xmlNodePtr x)
{
    source *s = ld->src[file];
    for (; x; x = x->next) {
        doc_node *n;
        int line = (int)xmlGetLineNo(x);
        if (x->type == XML_ELEMENT_NODE) {
            n = pb_alloc(sizeof *n);
            n->kind = DOC_ELEMENT;
            n->name = pb_strdup((const char *)x->name);
            n->pos = element_pos(ld, x);
            copy_attributes(ld, n, x);
            append_child(parent, n);
            convert_children(ld, file_of(x), n, x->children);
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
                convert_children(ld, file, parent, e->children);
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
    err_sink schema_sink = {ctx, NULL, &schema_src, 0};
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

/* Parse the bytes of file number file into an xmlDoc, reporting errors; NULL on failure. */
static xmlDocPtr parse_xml(loader *ld, int file, err_sink *sink)
{
    source *src = ld->src[file];
    sink->src = src;
    if (src->len == 0) {
        pb_error(ld->ctx, (pb_pos){src->file, 1, 1}, "the file is empty; expected an XML document");
        return NULL;
    }
    xmlParserCtxtPtr pc = xmlCreateMemoryParserCtxt(src->buf, (int)src->len);
    if (!pc) {
        pb_error(ld->ctx, (pb_pos){src->file, 0, 0}, "cannot start the XML parser");
        return NULL;
    }
    /* no dictionary: included elements move into the main document, and
     * their names must not belong to a dictionary freed with their file */
    xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING |
                      XML_PARSE_NODICT);
    tag_recorder rec = {pc->sax->startElementNs, src, file};
    pc->sax->startElementNs = on_start_element;
    pc->_private = &rec;
    int before = sink->count;
    xmlSetStructuredErrorFunc(sink, on_xml_error);
    xmlParseDocument(pc);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlDocPtr xdoc = pc->myDoc;
    int wellformed = pc->wellFormed;
    xmlFreeParserCtxt(pc);
    /* some errors (an undeclared entity) leave the document well-formed
     * but incomplete: any reported error rejects it */
    if (xdoc && (!wellformed || sink->count > before)) {
        xmlFreeDoc(xdoc);
        xdoc = NULL;
    }
    if (!xdoc && sink->count == before)
        pb_error(ld->ctx, (pb_pos){src->file, 1, 1}, "not well-formed XML");
    return xdoc;
}

/* Add the bytes buf (owned from now on) as a new source named name; its index, or -1 (reported). */
static int add_source(loader *ld, const char *name, char *buf, size_t len)
{
    if (len > (size_t)0x7fffffff) {
        pb_error(ld->ctx, (pb_pos){name, 0, 0}, "the file is too large (over 2 GiB)");
        free(buf);
        return -1;
    }
    source *src = pb_alloc(sizeof *src);
    src->file = pb_strdup(name);
    src->buf = buf;
    src->len = len;
    index_lines(src);
    pb_grow(&ld->src, &ld->cap, ld->n + 1, sizeof *ld->src);
    ld->src[ld->n] = src;
    return ld->n++;
}

/* Read path into a new source of the loader; its index, or -1 (reported). */
static int load_source(loader *ld, const char *path)
{
    size_t len;
    char *buf = read_file(ld->ctx, path, &len);
    return buf ? add_source(ld, path, buf, len) : -1;
}

/* Free the loader; the file names in keep_names stay allocated (moved to a doc). */
static void loader_free(loader *ld, int keep_names)
{
    for (int i = 0; i < ld->n; i++) {
        if (!keep_names)
            free((char *)ld->src[i]->file);
        free((char *)ld->src[i]->buf);
        free(ld->src[i]->line_start);
        free(ld->src[i]);
    }
    free(ld->src);
    free(ld->root_dir);
}

/* 1 when x is an XInclude <include> element. */
static int is_xinclude(xmlNodePtr x)
{
    return x->type == XML_ELEMENT_NODE && xmlStrEqual(x->name, BAD_CAST "include") && x->ns &&
           (xmlStrEqual(x->ns->href, BAD_CAST "http://www.w3.org/2001/XInclude") ||
            xmlStrEqual(x->ns->href, BAD_CAST "http://www.w3.org/2003/XInclude"));
}

/*
 * The file an <xi:include> names, resolved against the including file;
 * NULL (reported) when it has no href, asks for text or a fragment, or
 * leads outside the main document's directory tree.
 */
static char *include_target(loader *ld, xmlNodePtr inc)
{
    pb_pos pos = element_pos(ld, inc);
    xmlChar *href = xmlGetProp(inc, BAD_CAST "href"), *parse = xmlGetProp(inc, BAD_CAST "parse");
    xmlChar *xpointer = xmlGetProp(inc, BAD_CAST "xpointer");
    char *target = NULL;
    if (!ld->root_dir) {
        pb_error(ld->ctx, pos, "xi:include is not available here: the document's directory "
                 "is unknown (it was not read from a file)");
    } else if (!href || !*href || xpointer || (parse && !xmlStrEqual(parse, BAD_CAST "xml"))) {
        pb_error(ld->ctx, pos, "xi:include needs an href to a whole XML file "
                 "(parse=\"text\" and xpointer are not supported)");
    } else {
        const char *from = ld->src[file_of(inc)]->file, *slash = strrchr(from, '/');
        size_t dir = slash && href[0] != '/' ? (size_t)(slash - from) + 1 : 0;
        char *joined = pb_alloc(dir + strlen((const char *)href) + 1);
        memcpy(joined, from, dir);
        strcpy(joined + dir, (const char *)href);
        char *real = realpath(joined, NULL);
        size_t root = strlen(ld->root_dir);
        if (!real)
            pb_error(ld->ctx, pos, "xi:include: cannot read '%s': %s", joined, strerror(errno));
        else if (!ld->ctx->include_anywhere &&
                 (strncmp(real, ld->root_dir, root) != 0 || real[root] != '/'))
            pb_error(ld->ctx, pos, "xi:include: '%s' is outside the document's directory %s; "
                     "only files below it may be included (--include-anywhere allows it)",
                     (const char *)href, ld->root_dir);
        else
            target = pb_strdup(joined);
        free(real);
        free(joined);
    }
    xmlFree(href);
    xmlFree(parse);
    xmlFree(xpointer);
    return target;
}

static int expand_includes(loader *ld, xmlNodePtr x, int depth, err_sink *sink);

/* Replace one <xi:include> by the root element of the file it names. */
static int include_one(loader *ld, xmlNodePtr inc, int depth, err_sink *sink)
{
    if (depth >= MAX_INCLUDE_DEPTH) {
        pb_error(ld->ctx, element_pos(ld, inc), "xi:include nested more than %d deep "
                 "(does a file include itself?)", MAX_INCLUDE_DEPTH);
        return -1;
    }
    char *path = include_target(ld, inc);
    int file = path ? load_source(ld, path) : -1;
    free(path);
    xmlDocPtr sub = file >= 0 ? parse_xml(ld, file, sink) : NULL;
    if (!sub)
        return -1;
    xmlNodePtr root = xmlDocGetRootElement(sub);
    xmlUnlinkNode(root);
    xmlFreeDoc(sub);
    xmlSetTreeDoc(root, inc->doc);
    xmlReplaceNode(inc, root);
    xmlFreeNode(inc);
    return expand_includes(ld, root, depth + 1, sink);
}

/* Replace every <xi:include> at or below x by the file it names. */
static int expand_includes(loader *ld, xmlNodePtr x, int depth, err_sink *sink)
{
    int bad = 0;
    xmlNodePtr next;
    for (xmlNodePtr c = x->children; c; c = next) {
        next = c->next;
        if (is_xinclude(c))
            bad |= include_one(ld, c, depth, sink) < 0;
        else if (c->type == XML_ELEMENT_NODE)
            bad |= expand_includes(ld, c, depth, sink) < 0;
    }
    return bad ? -1 : 0;
}

/* The directory of path, made absolute: the limit of what it may include. */
static char *directory_of(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return pb_strdup("/");
    char *slash = strrchr(real, '/');
    if (slash && slash != real)
        *slash = '\0';
    else if (slash)
        slash[1] = '\0';
    return real;
}

/* Move the loader's file names into a new doc built from xdoc. */
static doc *build_doc(loader *ld, xmlDocPtr xdoc)
{
    doc *d = pb_alloc(sizeof *d);
    d->files = pb_alloc(sizeof *d->files * (size_t)ld->n);
    for (int i = 0; i < ld->n; i++)
        d->files[d->nfiles++] = (char *)ld->src[i]->file;
    doc_node holder = {0};
    convert_children(ld, 0, &holder, xmlDocGetRootElement(xdoc));
    d->root = holder.first;
    d->root->parent = NULL;
    return d;
}

/*
 * Parse the loader's main source and its XIncludes, validate (unless
 * schema_path is NULL), build the tree; NULL on error.  Frees the loader.
 */
static doc *load_main(loader *ld, int main_file, const char *schema_path)
{
    err_sink sink = {ld->ctx, ld, NULL, 0};
    doc *d = NULL;
    xmlDocPtr xdoc = main_file == 0 ? parse_xml(ld, 0, &sink) : NULL;
    if (xdoc && expand_includes(ld, (xmlNodePtr)xdoc, 0, &sink) == 0) {
        sink.src = ld->src[0];
        if (!schema_path || validate(ld->ctx, xdoc, schema_path, &sink) == 0)
            d = build_doc(ld, xdoc);
    }
    xmlFreeDoc(xdoc);
    loader_free(ld, d != NULL);
    return d;
}

/* Parse path and its XIncludes, validate (unless schema_path is NULL), build the tree; NULL on error. */
doc *doc_load(pb_ctx *ctx, const char *path, const char *schema_path)
{
    loader ld = {.ctx = ctx, .root_dir = directory_of(path)};
    return load_main(&ld, load_source(&ld, path), schema_path);
}

/* The absolute directory part of name, or NULL when it does not exist. */
static char *directory_of_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    if (!slash)
        return realpath(".", NULL);
    size_t n = slash == name ? 1 : (size_t)(slash - name);
    char *dir = pb_alloc(n + 1);
    memcpy(dir, name, n);
    dir[n] = '\0';
    char *real = realpath(dir, NULL);
    free(dir);
    return real;
}

/* doc_load() on bytes in memory; name stands for the file in diagnostics and XIncludes. */
doc *doc_load_buffer(pb_ctx *ctx, const char *name, const char *buf, size_t len,
                     const char *schema_path)
{
    loader ld = {.ctx = ctx, .root_dir = directory_of_name(name)};
    char *copy = pb_alloc(len + 1);
    if (len)
        memcpy(copy, buf, len);
    copy[len] = '\0';
    return load_main(&ld, add_source(&ld, name, copy, len), schema_path);
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
