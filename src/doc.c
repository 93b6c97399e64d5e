/* doc.c: XML → document tree, through libxml2 with RELAX NG validation. */
#include "doc.h"
#include "files.h"
#include "schema.h"

#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <sys/stat.h>
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
    int col_line;               /* column cache: positions are mostly asked in order, */
    size_t col_off;             /* so counting resumes where the last one ended */
    int col;
    unsigned long long dev, ino; /* the file's identity, to find include cycles (0: none) */
} source;

/* Every file of one document (the main file and its XIncludes). */
typedef struct loader {
    pb_ctx *ctx;
    int n, cap;
    source **src;               /* owned; src[0] is the main file */
    char *root_dir;             /* XIncludes must stay below this directory;
                                   NULL: none are allowed (no directory known) */
    int chain[32];              /* the files being included, outermost first */
    int nchain;
} loader;

/* State for libxml2's error callbacks. */
typedef struct err_sink {
    pb_ctx *ctx;
    loader *ld;
    source *src;                /* the file being parsed, for parse errors */
    int count;
} err_sink;

enum { MAX_REPORTED_ERRORS = 20, MAX_INCLUDE_DEPTH = 16, MAX_ENTITY_NODES = 1000000 };

/*
 * Element positions live in libxml2's node->_private while parsing: the
 * file's index in the loader in the high bits, the byte offset of the
 * element's '<' plus one in the low 40 bits (0 means unknown).
 */
#define OFFSET_BITS 40
#define OFFSET_MASK ((((uintptr_t)1) << OFFSET_BITS) - 1)

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
    s->col_line = 0;
}

/*
 * The 1-based column (in code points) of byte offset off on line.  Counting
 * resumes from the last answer when it lies earlier on the same line, so
 * positions asked in document order cost linear time even when the whole
 * file is one line.
 */
static int column_of(source *s, int line, size_t off)
{
    size_t from = s->line_start[line];
    int col = 1;
    if (s->col_line == line && s->col_off <= off) {
        from = s->col_off;
        col = s->col;
    }
    for (size_t i = from; i < off; i++)
        if (((unsigned char)s->buf[i] & 0xC0) != 0x80)
            col++;
    s->col_line = line;
    s->col_off = off;
    s->col = col;
    return col;
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

/* The mark (see OFFSET_BITS) for byte offset off of file number file. */
static void *make_mark(int file, size_t off)
{
    return (void *)((uintptr_t)file << OFFSET_BITS | (uintptr_t)(off + 1));
}

/* The position of an element's '<', recorded while parsing (see on_start_element). */
static pb_pos element_pos(const loader *ld, xmlNodePtr x)
{
    uintptr_t mark = (uintptr_t)x->_private;
    source *s = ld->src[mark >> OFFSET_BITS];
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

/* Parser state for recording where each start tag and each text begins. */
typedef struct tag_recorder {
    startElementNsSAX2Func start_element;   /* libxml2's own handlers */
    endElementNsSAX2Func end_element;
    charactersSAXFunc characters;
    cdataBlockSAXFunc cdata;
    commentSAXFunc comment;
    const source *src;
    int file;                               /* its index in the loader */
    size_t markup_end;                      /* just past the last tag or comment */
} tag_recorder;

/* The parser's byte offset in the source; SIZE_MAX inside an entity's text. */
static size_t parser_offset(xmlParserCtxtPtr pc, const tag_recorder *rec)
{
    if (pc->inputNr > 1) /* an entity's replacement text, not the file */
        return SIZE_MAX;
    size_t off = (size_t)pc->input->consumed + (size_t)(pc->input->cur - pc->input->base);
    return off > rec->src->len ? rec->src->len : off;
}

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
    size_t off = parser_offset(pc, rec);
    if (off == SIZE_MAX)
        return;
    /* libxml2 calls this with the tag's '>' not yet consumed */
    rec->markup_end = off < rec->src->len && rec->src->buf[off] == '>' ? off + 1 : off;
    while (off > 0 && rec->src->buf[off - 1] != '<')
        off--;
    if (pc->node && off > 0)
        pc->node->_private = make_mark(rec->file, off - 1);
}

/* After an end tag: text that follows starts here. */
static void on_end_element(void *ctxp, const xmlChar *name, const xmlChar *prefix,
                           const xmlChar *uri)
{
    xmlParserCtxtPtr pc = ctxp;
    tag_recorder *rec = pc->_private;
    rec->end_element(ctxp, name, prefix, uri);
    size_t off = parser_offset(pc, rec);
    if (off != SIZE_MAX)
        rec->markup_end = off;
}

/* After a comment: text that follows starts here. */
static void on_comment(void *ctxp, const xmlChar *value)
{
    xmlParserCtxtPtr pc = ctxp;
    tag_recorder *rec = pc->_private;
    rec->comment(ctxp, value);
    size_t off = parser_offset(pc, rec);
    if (off != SIZE_MAX)
        rec->markup_end = off;
}

/* Give a text node just created the offset where its text began. */
static void mark_text(xmlParserCtxtPtr pc, tag_recorder *rec)
{
    xmlNodePtr t = pc->node ? pc->node->last : NULL;
    if (t && (t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && !t->_private &&
        parser_offset(pc, rec) != SIZE_MAX)
        t->_private = make_mark(rec->file, rec->markup_end);
}

/* Character data: libxml2 builds the text node, we note where it began. */
static void on_characters(void *ctxp, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr pc = ctxp;
    tag_recorder *rec = pc->_private;
    rec->characters(ctxp, ch, len);
    mark_text(pc, rec);
}

/* A CDATA section: the same. */
static void on_cdata(void *ctxp, const xmlChar *value, int len)
{
    xmlParserCtxtPtr pc = ctxp;
    tag_recorder *rec = pc->_private;
    rec->cdata(ctxp, value, len);
    mark_text(pc, rec);
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
    source *s = ld->src[file_of(x)];
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

/* Where text node x starts: its first non-blank character, else its parent's position. */
static pb_pos text_pos(const loader *ld, xmlNodePtr x, pb_pos parent)
{
    uintptr_t mark = (uintptr_t)x->_private;
    size_t off = (size_t)(mark & OFFSET_MASK);
    if (!off)
        return parent;
    source *s = ld->src[mark >> OFFSET_BITS];
    off--;
    while (off < s->len && strchr(" \t\r\n", s->buf[off]) && s->buf[off])
        off++;
    int line = line_of(s, off);
    return (pb_pos){s->file, line, column_of(s, line, off)};
}

/* Convert x and its following siblings into children of parent. */
static void convert_children(loader *ld, doc_node *parent, xmlNodePtr x)
{
    for (; x; x = x->next) {
        doc_node *n;
        if (x->type == XML_ELEMENT_NODE) {
            n = pb_alloc(sizeof *n);
            n->kind = DOC_ELEMENT;
            n->name = pb_strdup((const char *)x->name);
            n->pos = element_pos(ld, x);
            copy_attributes(ld, n, x);
            append_child(parent, n);
            convert_children(ld, n, x->children);
        } else if (x->type == XML_TEXT_NODE || x->type == XML_CDATA_SECTION_NODE) {
            n = pb_alloc(sizeof *n);
            n->kind = DOC_TEXT;
            n->text = pb_strdup((const char *)x->content);
            n->pos = text_pos(ld, x, parent->pos);
            append_child(parent, n);
        }
    }
}

/* Count the nodes of a list and their descendants. */
static long count_nodes(xmlNodePtr x)
{
    long n = 0;
    for (; x; x = x->next)
        n += 1 + (x->type == XML_ELEMENT_NODE ? count_nodes(x->children) : 0);
    return n;
}

/* Give every node of a list (and below) the mark, so it reports at the reference. */
static void set_marks(xmlNodePtr x, void *mark)
{
    for (; x; x = x->next) {
        x->_private = mark;
        if (x->type == XML_ELEMENT_NODE)
            set_marks(x->children, mark);
    }
}

/*
 * Replace entity reference ref (a child of parent) by a copy of its
 * replacement text, so the schema validates what the reader will see:
 * libxml2's validator does not look inside references.  External entities
 * are never loaded; a reference to one is an error.  *budget bounds the
 * nodes all expansions may make.  Returns -1 (reported) on error.
 */
static int replace_reference(loader *ld, xmlNodePtr parent, xmlNodePtr ref, long *budget)
{
    xmlEntityPtr e = (xmlEntityPtr)ref->children;
    pb_pos pos = element_pos(ld, parent);
    if (!e || e->etype != XML_INTERNAL_GENERAL_ENTITY) {
        pb_error(ld->ctx, pos, "the entity '&%s;' is %s; paiban expands only entities whose "
                 "text is given in the document", (const char *)ref->name,
                 e ? "external (never loaded)" : "not declared");
        return -1;
    }
    xmlNodePtr copy = xmlDocCopyNodeList(ref->doc, e->children);
    if ((*budget -= count_nodes(copy)) < 0) {
        pb_error(ld->ctx, pos, "entity '&%s;' expands to more than %d nodes in all",
                 (const char *)ref->name, MAX_ENTITY_NODES);
        xmlFreeNodeList(copy);
        return -1;
    }
    set_marks(copy, parent->_private);
    while (copy) {
        xmlNodePtr next = copy->next;
        xmlUnlinkNode(copy);
        xmlAddPrevSibling(ref, copy); /* text may merge into its neighbour */
        copy = next;
    }
    xmlUnlinkNode(ref);
    xmlFreeNode(ref);
    return 0;
}

/* Expand every entity reference at or below x (an element or the document). */
static int expand_entities(loader *ld, xmlNodePtr x, long *budget)
{
    for (xmlNodePtr c = x->children; c;) {
        if (c->type == XML_ENTITY_REF_NODE) {
            xmlNodePtr before = c->prev;
            if (replace_reference(ld, x, c, budget) < 0)
                return -1;
            c = before ? before->next : x->children; /* the copy may hold references */
            continue;
        }
        if (c->type == XML_ELEMENT_NODE && expand_entities(ld, c, budget) < 0)
            return -1;
        c = c->next;
    }
    return 0;
}

/* Validate xdoc against the schema at schema_path; 0 when valid, -2 when the schema is unusable. */
static int validate(pb_ctx *ctx, xmlDocPtr xdoc, const char *schema_path, err_sink *sink)
{
    if (files_check_input(ctx, (pb_pos){schema_path, 0, 0}, schema_path, "the schema") < 0)
        return -2;
    source schema_src = {.file = schema_path};
    err_sink schema_sink = {ctx, NULL, &schema_src, 0};
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(schema_path);
    xmlRelaxNGSetParserStructuredErrors(pc, on_xml_error, &schema_sink);
    xmlSetStructuredErrorFunc(&schema_sink, on_xml_error); /* the schema's own XML errors */
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pc);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlRelaxNGFreeParserCtxt(pc);
    if (!schema) {
        pb_error(ctx, (pb_pos){schema_path, 0, 0}, "cannot load the schema");
        return -2;
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

/* Hook our position recorders into the parser's SAX handlers. */
static void record_positions(xmlParserCtxtPtr pc, tag_recorder *rec)
{
    xmlSAXHandlerPtr sax = pc->sax;
    rec->start_element = sax->startElementNs;
    rec->end_element = sax->endElementNs;
    rec->characters = sax->characters;
    rec->cdata = sax->cdataBlock;
    rec->comment = sax->comment;
    sax->startElementNs = on_start_element;
    sax->endElementNs = on_end_element;
    sax->characters = on_characters;
    sax->cdataBlock = on_cdata;
    sax->comment = on_comment;
    pc->_private = rec;
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
     * their names must not belong to a dictionary freed with their file.
     * The text is UTF-8 by now (see to_utf8), whatever its declaration says. */
    xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING |
                      XML_PARSE_NODICT | XML_PARSE_IGNORE_ENC);
    tag_recorder rec = {.src = src, .file = file};
    record_positions(pc, &rec);
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

/* ---- encodings ------------------------------------------------------------- */

/*
 * The encoding of an XML file's bytes when it is not UTF-8: from its byte
 * order mark, its first characters (UTF-16 without a mark), or the
 * encoding declaration.  NULL for UTF-8.  name receives a declared name.
 */
static const char *declared_encoding(const char *buf, size_t len, char name[64])
{
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 4 && !memcmp(u, "\0\0\xFE\xFF", 4)) return "UTF-32BE";
    if (len >= 4 && !memcmp(u, "\xFF\xFE\0\0", 4)) return "UTF-32LE";
    if (len >= 2 && !memcmp(u, "\xFE\xFF", 2)) return "UTF-16BE";
    if (len >= 2 && !memcmp(u, "\xFF\xFE", 2)) return "UTF-16LE";
    if (len >= 4 && !memcmp(u, "<\0?\0", 4)) return "UTF-16LE";
    if (len >= 4 && !memcmp(u, "\0<\0?", 4)) return "UTF-16BE";
    if (len < 5 || memcmp(buf, "<?xml", 5) != 0)
        return NULL;
    const char *end = memchr(buf, '>', len < 1024 ? len : 1024);
    const char *enc = end ? strstr(buf, "encoding") : NULL; /* buf is NUL-terminated */
    if (!enc || enc > end)
        return NULL;
    enc += strspn(enc + 8, " \t\r\n") + 8;
    if (*enc++ != '=')
        return NULL;
    enc += strspn(enc, " \t\r\n");
    char quote = *enc++;
    size_t n = quote == '"' || quote == '\'' ? strcspn(enc, quote == '"' ? "\"" : "'") : 0;
    if (!n || n >= 64 || enc + n > end)
        return NULL;
    memcpy(name, enc, n);
    name[n] = '\0';
    return strcasecmp(name, "UTF-8") == 0 || strcasecmp(name, "UTF8") == 0 ? NULL : name;
}

/* Report a conversion error at the position reached in the UTF-8 text out[0..n). */
static void conversion_error(loader *ld, const source *src, const char *out, size_t n,
                             const char *enc)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < n; i++) {
        if (out[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)out[i] & 0xC0) != 0x80)
            col++;
    }
    pb_error(ld->ctx, (pb_pos){src->file, line, col}, "this is not valid %s text "
             "(the encoding the file declares or starts with)", enc);
}

/*
 * Convert a source in another encoding (GB18030, UTF-16, …) to UTF-8, so
 * that byte offsets, lines and columns are counted in the text the parser
 * sees and positions come out right.  0, or -1 (reported).
 */
static int to_utf8(loader *ld, source *src)
{
    char name[64];
    const char *enc = declared_encoding(src->buf, src->len, name);
    if (!enc)
        return 0;
    iconv_t cd = iconv_open("UTF-8", enc);
    if (cd == (iconv_t)-1) {
        pb_error(ld->ctx, (pb_pos){src->file, 1, 1}, "unknown encoding '%s'", enc);
        return -1;
    }
    size_t cap = src->len * 2 + 16, left_out = cap, left_in = src->len;
    char *out = pb_alloc(cap + 1), *o = out, *in = (char *)src->buf;
    size_t rc = iconv(cd, &in, &left_in, &o, &left_out);
    iconv_close(cd);
    if (rc == (size_t)-1) {
        conversion_error(ld, src, out, (size_t)(o - out), enc);
        free(out);
        return -1;
    }
    size_t n = (size_t)(o - out), bom = n >= 3 && !memcmp(out, "\xEF\xBB\xBF", 3) ? 3 : 0;
    memmove(out, out + bom, n - bom);
    out[n - bom] = '\0';
    free((char *)src->buf);
    src->buf = out;
    src->len = n - bom;
    return 0;
}

/* ---- files and includes ---------------------------------------------------- */

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
    pb_grow(&ld->src, &ld->cap, ld->n + 1, sizeof *ld->src);
    ld->src[ld->n] = src;
    if (to_utf8(ld, src) < 0) {
        src->len = 0; /* keeps the name for the doc, parses nothing */
        index_lines(src);
        ld->n++;
        return -1;
    }
    index_lines(src);
    return ld->n++;
}

/* Read path (named at pos) into a new source of the loader; its index, or -1 (reported). */
static int load_source(loader *ld, pb_pos pos, const char *path)
{
    size_t len;
    char *buf = files_read(ld->ctx, pos, path, 0, &len);
    if (!buf)
        return -1;
    int file = add_source(ld, path, buf, len);
    struct stat st;
    if (file >= 0 && stat(path, &st) == 0) {
        ld->src[file]->dev = (unsigned long long)st.st_dev;
        ld->src[file]->ino = (unsigned long long)st.st_ino;
    }
    return file;
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
    if (!ld->root_dir)
        pb_error(ld->ctx, pos, "xi:include is not available here: the document's directory "
                 "is unknown (it was not read from a file)");
    else if (!href || !*href || xpointer || (parse && !xmlStrEqual(parse, BAD_CAST "xml")))
        pb_error(ld->ctx, pos, "xi:include needs an href to a whole XML file "
                 "(parse=\"text\" and xpointer are not supported)");
    else
        target = files_resolve(ld->ctx, pos, ld->root_dir, ld->src[file_of(inc)]->file,
                               (const char *)href, "xi:include");
    xmlFree(href);
    xmlFree(parse);
    xmlFree(xpointer);
    return target;
}

/* -1 (reported at pos) when path is a file that is including it already, or one too many. */
static int check_include(loader *ld, pb_pos pos, const char *path)
{
    struct stat st;
    if (++ld->ctx->used.includes > ld->ctx->limits.includes) {
        pb_error(ld->ctx, pos, "more than %d xi:includes in all; is a file included over and over?",
                 ld->ctx->limits.includes);
        return -1;
    }
    if (ld->nchain >= MAX_INCLUDE_DEPTH) {
        pb_error(ld->ctx, pos, "xi:include nested more than %d deep", MAX_INCLUDE_DEPTH);
        return -1;
    }
    if (stat(path, &st) != 0)
        return 0; /* reading it reports why */
    for (int k = 0; k < ld->nchain; k++) {
        const source *s = ld->src[ld->chain[k]];
        if (s->dev == (unsigned long long)st.st_dev && s->ino == (unsigned long long)st.st_ino &&
            (s->dev | s->ino)) {
            pb_error(ld->ctx, pos, "xi:include of '%s' makes a cycle: %s is already "
                     "including it", path, s->file);
            return -1;
        }
    }
    return 0;
}

static int expand_includes(loader *ld, xmlNodePtr x, err_sink *sink);

/* Replace one <xi:include> by the root element of the file it names. */
static int include_one(loader *ld, xmlNodePtr inc, err_sink *sink)
{
    pb_pos pos = element_pos(ld, inc);
    char *path = include_target(ld, inc);
    int file = path && check_include(ld, pos, path) == 0 ? load_source(ld, pos, path) : -1;
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
    ld->chain[ld->nchain++] = file;
    int rc = expand_includes(ld, root, sink);
    ld->nchain--;
    return rc;
}

/* Replace every <xi:include> at or below x by the file it names. */
static int expand_includes(loader *ld, xmlNodePtr x, err_sink *sink)
{
    int bad = 0;
    xmlNodePtr next;
    for (xmlNodePtr c = x->children; c && !bad; c = next) {
        next = c->next;
        if (is_xinclude(c))
            bad |= include_one(ld, c, sink) < 0;
        else if (c->type == XML_ELEMENT_NODE)
            bad |= expand_includes(ld, c, sink) < 0;
    }
    return bad ? -1 : 0;
}

/* Move the loader's file names into a new doc built from xdoc. */
static doc *build_doc(loader *ld, xmlDocPtr xdoc)
{
    doc *d = pb_alloc(sizeof *d);
    d->files = pb_alloc(sizeof *d->files * (size_t)ld->n);
    for (int i = 0; i < ld->n; i++)
        d->files[d->nfiles++] = (char *)ld->src[i]->file;
    d->root_dir = ld->root_dir;
    ld->root_dir = NULL;
    doc_node holder = {0};
    convert_children(ld, &holder, xmlDocGetRootElement(xdoc));
    d->root = holder.first;
    d->root->parent = NULL;
    return d;
}

/*
 * Validate xdoc against the schema; 0 when valid.  libxml2's messages are
 * held back: when the document is invalid, schema_explain() says what the
 * schema expected at each wrong place, and libxml2's words are shown only
 * when it has nothing to say.  Builds the tree either way (*out).
 */
static int validate_and_build(loader *ld, xmlDocPtr xdoc, const char *schema_path, err_sink *sink,
                              doc **out)
{
    pb_ctx *ctx = ld->ctx;
    char *held = NULL;
    size_t held_len = 0;
    FILE *diag = ctx->diag, *mem = open_memstream(&held, &held_len);
    int before = ctx->errors;
    ctx->diag = mem ? mem : diag;
    int rc = validate(ctx, xdoc, schema_path, sink);
    ctx->diag = diag;
    if (mem)
        fclose(mem);
    *out = build_doc(ld, xdoc);
    if (rc == -1 && mem) {
        int libxml_errors = ctx->errors - before;
        ctx->errors = before;
        if (schema_explain(ctx, schema_path, (*out)->root) == 0) {
            fputs(held, diag);
            ctx->errors += libxml_errors;
        }
    } else if (rc != 0 && held) {
        fputs(held, diag); /* the schema itself is unusable: nothing to explain with */
    }
    free(held);
    return rc;
}

/*
 * Parse the loader's main source and its XIncludes, expand entities,
 * validate (unless schema_path is NULL), build the tree; NULL on error.
 * Frees the loader.
 */
static doc *load_main(loader *ld, int main_file, const char *schema_path)
{
    err_sink sink = {ld->ctx, ld, NULL, 0};
    doc *d = NULL;
    long budget = MAX_ENTITY_NODES;
    xmlDocPtr xdoc = main_file == 0 ? parse_xml(ld, 0, &sink) : NULL;
    if (xdoc)
        ld->chain[ld->nchain++] = 0;
    int names_moved = 0;
    if (xdoc && expand_includes(ld, (xmlNodePtr)xdoc, &sink) == 0 &&
        expand_entities(ld, (xmlNodePtr)xdoc, &budget) == 0) {
        sink.src = ld->src[0];
        if (!schema_path)
            d = build_doc(ld, xdoc);
        else if (validate_and_build(ld, xdoc, schema_path, &sink, &d) != 0) {
            doc_free(d); /* it took the file names with it */
            d = NULL;
            names_moved = 1;
        }
    }
    xmlFreeDoc(xdoc);
    loader_free(ld, d != NULL || names_moved);
    return d;
}

/* Parse path and its XIncludes, validate (unless schema_path is NULL), build the tree; NULL on error. */
doc *doc_load(pb_ctx *ctx, const char *path, const char *schema_path)
{
    loader ld = {.ctx = ctx, .root_dir = files_root_of(path)};
    if (!ld.root_dir)
        ld.root_dir = pb_strdup("/");
    return load_main(&ld, load_source(&ld, (pb_pos){path, 0, 0}, path), schema_path);
}

/* doc_load() on bytes in memory; name stands for the file in diagnostics and XIncludes. */
doc *doc_load_buffer(pb_ctx *ctx, const char *name, const char *buf, size_t len,
                     const char *schema_path)
{
    loader ld = {.ctx = ctx, .root_dir = files_root_of(name)};
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
    free(d->root_dir);
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
