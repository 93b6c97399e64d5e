/*
 * test_doc.c: doc_load and the document tree.
 *
 * Each test writes a small XML file into a mkdtemp() directory, loads it
 * with diagnostics captured in memory, and checks the tree (names,
 * attributes, text, positions) or the diagnostics (file:line:col: error:).
 * The schema is xml/paiban.rng, relative to the repository root, which is
 * the working directory when tests run.
 */
#include "doc.h"
#include "helpers.h"
#include "unit.h"

#include <string.h>

static const char *const SCHEMA = "xml/paiban.rng";

/* A valid document; the comments give each line's number. */
static const char VALID_DOC[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                    /* 1 */
    "<document xml:lang=\"zh-Hans\">\n"                                                /* 2 */
    "    <meta><title>标题</title><publisher>甲</publisher><year>2024</year></meta>\n" /* 3 */
    "  <body>\n"                                                                       /* 4 */
    "    <p style=\"lead\">第一段<em>强调</em>。</p>\n"                                  /* 5 */
    "    <callout number=\"3\"><title>T</title><p>x</p><p>y</p></callout>\n"          /* 6 */
    "  </body>\n"                                                                      /* 7 */
    "</document>\n";                                                                   /* 8 */

/* Load text as a file called name; the doc or NULL.  Diagnostics go to c. */
static doc *load_text(tmpdir *t, capture *c, const char *name, const char *text,
                      const char *schema, const char **path_out)
{
    const char *path = tmpdir_write(t, name, text);
    if (path_out)
        *path_out = path;
    return doc_load(c->ctx, path, schema);
}

/* The n-th (0-based) child element of node, or NULL. */
static doc_node *nth_element(const doc_node *node, int n)
{
    for (doc_node *c = node ? node->first : NULL; c; c = c->next)
        if (c->kind == DOC_ELEMENT && n-- == 0)
            return c;
    return NULL;
}

/* Check that node is element name at line:col of file. */
static void check_pos(const doc_node *n, const char *name, const char *file, int line, int col)
{
    CHECK(n != NULL, "<%s> is missing", name);
    if (!n)
        return;
    CHECK(n->kind == DOC_ELEMENT && strcmp(n->name, name) == 0, "expected <%s>, got <%s>",
          name, n->name ? n->name : "(text)");
    CHECK(n->pos.file && strcmp(n->pos.file, file) == 0, "<%s> file is %s", name,
          n->pos.file ? n->pos.file : "(null)");
    CHECK(n->pos.line == line && n->pos.col == col, "<%s> at %d:%d, expected %d:%d", name,
          n->pos.line, n->pos.col, line, col);
}

/* Does the diagnostic text hold "path:line:col: error:"? */
static int has_error_at(const char *diag, const char *path, int line, int col)
{
    char want[256];
    snprintf(want, sizeof want, "%s:%d:%d: error:", path, line, col);
    return strstr(diag, want) != NULL;
}

/* Load VALID_DOC and run check on it. */
static void with_valid_doc(void (*check)(const doc *d, const char *path))
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "valid.xml", VALID_DOC, SCHEMA, &path);
    CHECK(d != NULL, "valid document rejected: %s", capture_text(&c));
    CHECK(c.ctx->errors == 0, "%d errors for a valid document", c.ctx->errors);
    if (d)
        check(d, path);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* ---- the tree of a valid document ----------------------------------------- */

static void check_root(const doc *d, const char *path)
{
    CHECK(strcmp(d->root->name, "document") == 0, "root is <%s>", d->root->name);
    CHECK(d->root->parent == NULL, "the root has a parent");
    CHECK(d->nfiles == 1 && strcmp(d->files[0], path) == 0, "files[0] is %s",
          d->nfiles ? d->files[0] : "(none)");
    const char *lang = doc_attr_get(d->root, "xml:lang");
    CHECK(lang && strcmp(lang, "zh-Hans") == 0, "xml:lang is %s", lang ? lang : "(null)");
    CHECK(doc_attr_get(d->root, "lang") == NULL, "xml:lang also visible as plain 'lang'");
}

static void check_structure(const doc *d, const char *path)
{
    (void)path;
    const doc_node *meta = nth_element(d->root, 0), *body = nth_element(d->root, 1);
    CHECK(meta && strcmp(meta->name, "meta") == 0, "first element is not <meta>");
    CHECK(body && strcmp(body->name, "body") == 0, "second element is not <body>");
    CHECK(nth_element(d->root, 2) == NULL, "more than two children of <document>");
    const doc_node *p = nth_element(body, 0), *callout = nth_element(body, 1);
    CHECK(p && strcmp(p->name, "p") == 0 && p->parent == body, "first block is not <p> in body");
    CHECK(callout && strcmp(callout->name, "callout") == 0, "second block is not <callout>");
    const doc_node *em = nth_element(p, 0);
    CHECK(em && strcmp(em->name, "em") == 0 && em->parent == p, "<em> is not inside <p>");
    /* children in source order: text, em, text */
    CHECK(p && p->first && p->first->kind == DOC_TEXT && strcmp(p->first->text, "第一段") == 0,
          "first child of <p> is not the text 第一段");
    CHECK(p && p->last && p->last->kind == DOC_TEXT && strcmp(p->last->text, "。") == 0,
          "last child of <p> is not the text 。");
}

static void check_attributes(const doc *d, const char *path)
{
    (void)path;
    const doc_node *body = doc_child(d->root, "body");
    const doc_node *p = body ? doc_child(body, "p") : NULL;
    const doc_node *callout = body ? doc_child(body, "callout") : NULL;
    const char *style = p ? doc_attr_get(p, "style") : NULL;
    CHECK(style && strcmp(style, "lead") == 0, "p style is %s", style ? style : "(null)");
    CHECK(p && p->nattrs == 1, "p has %d attributes", p ? p->nattrs : -1);
    const char *num = callout ? doc_attr_get(callout, "number") : NULL;
    CHECK(num && strcmp(num, "3") == 0, "callout number is %s", num ? num : "(null)");
    CHECK(callout && doc_attr_get(callout, "style") == NULL, "absent attribute is not NULL");
}

static void check_positions(const doc *d, const char *path)
{
    const doc_node *meta = doc_child(d->root, "meta"), *body = doc_child(d->root, "body");
    check_pos(d->root, "document", path, 2, 1);
    check_pos(meta, "meta", path, 3, 5);
    check_pos(meta ? doc_child(meta, "title") : NULL, "title", path, 3, 11);
    /* columns count code points: 标题 is two columns, not six bytes */
    check_pos(meta ? doc_child(meta, "publisher") : NULL, "publisher", path, 3, 28);
    check_pos(body, "body", path, 4, 3);
    const doc_node *p = body ? doc_child(body, "p") : NULL;
    check_pos(p, "p", path, 5, 5);
    check_pos(p ? doc_child(p, "em") : NULL, "em", path, 5, 24);
    const doc_node *callout = body ? doc_child(body, "callout") : NULL;
    check_pos(callout, "callout", path, 6, 5);
    check_pos(nth_element(callout, 1), "p", path, 6, 41);
    check_pos(nth_element(callout, 2), "p", path, 6, 49); /* the second <p> on that line */
}

static void check_text_position(const doc *d, const char *path)
{
    const doc_node *body = doc_child(d->root, "body");
    const doc_node *p = body ? doc_child(body, "p") : NULL;
    const doc_node *text = p ? p->first : NULL;
    CHECK(text && text->kind == DOC_TEXT, "no text node in <p>");
    if (text)
        CHECK(text->pos.line == 5 && text->pos.col == 21 && strcmp(text->pos.file, path) == 0,
              "text at %d:%d, expected 5:21", text->pos.line, text->pos.col);
}

static void check_text_content(const doc *d, const char *path)
{
    (void)path;
    const doc_node *body = doc_child(d->root, "body");
    char *text = body ? doc_text_content(doc_child(body, "p")) : NULL;
    CHECK(text && strcmp(text, "第一段强调。") == 0, "text content is '%s'", text ? text : "");
    free(text);
    char *all = body ? doc_text_content(doc_child(body, "callout")) : NULL;
    CHECK(all && strcmp(all, "Txy") == 0, "callout text content is '%s'", all ? all : "");
    free(all);
}

static void check_doc_child(const doc *d, const char *path)
{
    (void)path;
    /* root->first is a white-space text node: doc_child must skip it */
    CHECK(d->root->first && d->root->first->kind == DOC_TEXT, "expected leading white space");
    const doc_node *body = doc_child(d->root, "body");
    CHECK(body && strcmp(body->name, "body") == 0, "doc_child(root, body) failed");
    CHECK(body && doc_child(body, "section") == NULL, "doc_child found an absent element");
    const doc_node *callout = body ? doc_child(body, "callout") : NULL;
    const doc_node *p = callout ? doc_child(callout, "p") : NULL;
    char *t = p ? doc_text_content(p) : NULL;
    CHECK(t && strcmp(t, "x") == 0, "doc_child(callout, p) is not the first <p>: '%s'", t ? t : "");
    free(t);
    CHECK(doc_child(d->root, "title") == NULL, "doc_child searched grandchildren");
}

static void test_valid_document(void)
{
    with_valid_doc(check_root);
    with_valid_doc(check_structure);
    with_valid_doc(check_attributes);
    with_valid_doc(check_positions);
    with_valid_doc(check_text_position);
    with_valid_doc(check_text_content);
    with_valid_doc(check_doc_child);
}

/* ---- text helpers on other documents ----------------------------------------- */

/* Load text without a schema and give the root's text content (malloc'd) or NULL. */
static char *root_text_of(const char *text, int *errors)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "t.xml", text, NULL, NULL);
    char *out = d ? doc_text_content(d->root) : NULL;
    *errors = c.ctx->errors;
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
    return out;
}

static void test_text_content_of_empty_element(void)
{
    int errors;
    char *s = root_text_of("<a><b/></a>", &errors);
    CHECK(s && s[0] == '\0', "text of an empty element is '%s'", s ? s : "(null)");
    free(s);
}

static void test_character_references_decoded(void)
{
    int errors;
    char *s = root_text_of("<a>x&amp;y&lt;<b>&#x6587;</b>&#23383;</a>", &errors);
    CHECK(s && strcmp(s, "x&y<文字") == 0, "text is '%s'", s ? s : "(null)");
    free(s);
}

/* An internal entity is ordinary text: its replacement must not vanish. */
static void test_internal_entity_expanded(void)
{
    int errors;
    char *s = root_text_of("<!DOCTYPE a [<!ENTITY y \"hello\">]>\n<a>A&y;B</a>", &errors);
    CHECK(s && strcmp(s, "AhelloB") == 0, "internal entity lost: text is '%s'", s ? s : "(null)");
    free(s);
}

/* An external entity must not read a local file into the document. */
static void check_entity_not_loaded(const char *url, const char *secret)
{
    char src[512];
    snprintf(src, sizeof src,
             "<!DOCTYPE d [<!ENTITY x SYSTEM \"%s\">]>\n<d>before&x;after</d>", url);
    int errors;
    char *s = root_text_of(src, &errors);
    CHECK(s == NULL || !strstr(s, secret), "external entity %s was read: '%s'", url, s);
    CHECK(s == NULL || strcmp(s, "beforeafter") == 0, "unexpected text '%s'", s);
    CHECK(s != NULL || errors > 0, "NULL without an error");
    free(s);
}

static void test_external_entity_not_loaded(void)
{
    tmpdir t;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    const char *secret = tmpdir_write(&t, "secret.txt", "SECRET-MARKER-7f3a");
    char url[256];
    snprintf(url, sizeof url, "file://%s", secret);
    check_entity_not_loaded(url, "SECRET-MARKER-7f3a");
    tmpdir_remove(&t);

    char line[128] = "";
    FILE *f = fopen("/etc/passwd", "r");
    if (f && fgets(line, sizeof line, f))
        line[strcspn(line, "\n")] = '\0';
    if (f)
        fclose(f);
    check_entity_not_loaded("file:///etc/passwd", line[0] ? line : "root:");
}

/* An external parameter entity must not pull declarations in either. */
static void test_external_parameter_entity_not_loaded(void)
{
    tmpdir t;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    const char *ent = tmpdir_write(&t, "decl.ent", "<!ENTITY leak \"SECRET-PE-MARKER\">");
    char src[512];
    snprintf(src, sizeof src,
             "<!DOCTYPE d [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]>\n<d>x&leak;y</d>", ent);
    int errors;
    char *s = root_text_of(src, &errors);
    CHECK(s == NULL || !strstr(s, "SECRET-PE-MARKER"), "parameter entity was read: '%s'", s);
    free(s);
    tmpdir_remove(&t);
}

/* When doc_load reports an error it must not also return a tree. */
static void test_undeclared_entity_is_fatal(void)
{
    int errors;
    char *s = root_text_of("<!DOCTYPE d SYSTEM \"file:///nonexistent/paiban.dtd\">\n<d>x&nope;y</d>",
                           &errors);
    CHECK(errors > 0, "an undeclared entity was not reported");
    CHECK(s == NULL, "doc_load reported %d error(s) but returned a tree with text '%s'", errors, s);
    free(s);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_malformed_xml(void)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "bad.xml", "<document>\n  <p>unclosed\n</document>\n", NULL, &path);
    const char *diag = capture_text(&c);
    CHECK(d == NULL, "malformed XML was accepted");
    CHECK(c.ctx->errors > 0, "no error counted");
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s:3:", path); /* the mismatched end tag is on line 3 */
    const char *at = strstr(diag, prefix);
    int col = 0, n = 0;
    CHECK(at && sscanf(at + strlen(prefix), "%d: error: %n", &col, &n) == 1 && n > 0 && col > 0,
          "no '%s<col>: error:' in: %s", prefix, diag);
    CHECK(strstr(diag, "mismatch") != NULL, "the message does not say what is wrong: %s", diag);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* Load text against the schema; expect rejection with an error at line:col. */
static void check_schema_error(const char *text, int line, int col, const char *word)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "invalid.xml", text, SCHEMA, &path);
    const char *diag = capture_text(&c);
    CHECK(d == NULL, "schema-invalid document accepted");
    CHECK(c.ctx->errors > 0, "no error counted");
    CHECK(has_error_at(diag, path, line, col), "expected an error at %d:%d, got: %s", line, col, diag);
    CHECK(strstr(diag, word) != NULL, "error does not name '%s': %s", word, diag);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

#define META "<meta><title>T</title><publisher>P</publisher><year>2024</year></meta>"

static void test_schema_unknown_element(void)
{
    check_schema_error("<?xml version=\"1.0\"?>\n"
                       "<document>\n"
                       "  " META "\n"
                       "  <body>\n"
                       "    <p>ok</p>\n"
                       "      <bogus/>\n"
                       "  </body>\n"
                       "</document>\n",
                       6, 7, "bogus");
}

/* The second <list> on a line is the invalid one: the column must be its own. */
static void test_schema_error_on_repeated_name(void)
{
    check_schema_error("<document>\n"
                       "  " META "\n"
                       "  <body>\n"
                       "    <list><item>x</item></list><p><list/></p>\n"
                       "  </body>\n"
                       "</document>\n",
                       4, 35, "list");
}

/* <p> follows <publisher> on its line: "<p" must not match "<publisher"; the
 * error is at the bad attribute of that <p>, and says what a style name is. */
static void test_schema_error_after_longer_name(void)
{
    check_schema_error("<document>\n"
                       "  " META "<body><p style=\"1x\">y</p></body>\n"
                       "</document>\n",
                       2, 82, "style=\"1x\": the value must be a name");
}

/* A schema error says what the schema expected at that place. */
static void test_schema_error_says_what_was_expected(void)
{
    check_schema_error("<document>\n  " META "\n  <body>\n    <section><p>x</p></section>\n"
                       "  </body>\n</document>\n", 4, 14, "<section> must begin with <heading>, not <p>");
    check_schema_error("<document>\n  <meta><year>2024</year></meta>\n  <body/>\n</document>\n",
                       2, 9, "<meta> must begin with <title>");
    check_schema_error("<document>\n  " META "\n  <body>\n    <callout><title>t</title></callout>\n"
                       "  </body>\n</document>\n", 4, 5, "<callout> needs <subtitle>, <p> or <list>");
    check_schema_error("<document>\n  " META "\n  <body>\n    <figure><image/><caption>c</caption></figure>\n"
                       "  </body>\n</document>\n", 4, 13, "<image> needs the attribute src=");
    check_schema_error("<document>\n  " META "\n  <body>\n    <list type=\"roman\"><item>a</item></list>\n"
                       "  </body>\n</document>\n", 4, 11, "the value must be \"bullet\" or \"number\"");
}

/* A start tag spread over lines is positioned at its '<', not its '>'. */
static void test_multiline_start_tag_position(void)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "multi.xml", "<d>\n  <e\n     a=\"1\"/>\n</d>\n", NULL, &path);
    CHECK(d != NULL, "not loaded: %s", capture_text(&c));
    if (d)
        check_pos(doc_child(d->root, "e"), "e", path, 2, 3);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

static void test_empty_file(void)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "empty.xml", "", SCHEMA, &path);
    const char *diag = capture_text(&c);
    CHECK(d == NULL, "an empty file was accepted");
    CHECK(c.ctx->errors == 1, "%d errors for an empty file", c.ctx->errors);
    CHECK(strstr(diag, path) == diag && strstr(diag, "error:") && strstr(diag, "empty"),
          "unclear message for an empty file: %s", diag);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

static void test_missing_file(void)
{
    capture c;
    capture_start(&c);
    doc *d = doc_load(c.ctx, "/nonexistent/paiban/x.xml", NULL);
    const char *diag = capture_text(&c);
    CHECK(d == NULL && c.ctx->errors == 1, "missing file: d=%p errors=%d", (void *)d, c.ctx->errors);
    CHECK(strstr(diag, "/nonexistent/paiban/x.xml: error:") != NULL, "message: %s", diag);
    doc_free(d);
    capture_end(&c);
}

static void test_no_schema_skips_validation(void)
{
    static const char text[] = "<anything>\n  <x y=\"1\"/>\n</anything>\n";
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "free.xml", text, NULL, NULL);
    CHECK(d && strcmp(d->root->name, "anything") == 0 && c.ctx->errors == 0,
          "without a schema the document was not loaded: %s", capture_text(&c));
    doc_free(d);
    d = load_text(&t, &c, "free2.xml", text, SCHEMA, NULL);
    CHECK(d == NULL && c.ctx->errors > 0, "the same document passed the schema");
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* ---- XInclude ------------------------------------------------------------------ */

#define XI_MAIN(href) \
    "<document xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n" \
    "  " META "\n" \
    "  <body>\n" \
    "    <xi:include href=\"" href "\"/>\n" \
    "  </body>\n" \
    "</document>\n"

/* Load main.xml (text) beside part.xml (part, may be NULL) against the schema. */
static doc *load_with_part(tmpdir *t, capture *c, const char *text, const char *part,
                           const char **part_path)
{
    const char *pp = part ? tmpdir_write(t, "part.xml", part) : NULL;
    if (part_path)
        *part_path = pp;
    return load_text(t, c, "main.xml", text, SCHEMA, NULL);
}

/* An included element keeps the file, line and column it came from. */
static void test_xinclude_positions(void)
{
    tmpdir t;
    capture c;
    const char *part;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_with_part(&t, &c, XI_MAIN("part.xml"), "<?xml version=\"1.0\"?>\n  <p>甲乙</p>\n", &part);
    CHECK(d != NULL, "the include failed: %s", capture_text(&c));
    const doc_node *p = d ? nth_element(doc_child(d->root, "body"), 0) : NULL;
    CHECK(p && strcmp(p->name, "p") == 0, "the body does not hold the included <p>");
    CHECK(p && strcmp(p->pos.file, part) == 0 && p->pos.line == 2 && p->pos.col == 3,
          "included <p> at %s:%d:%d, want %s:2:3", p ? p->pos.file : "?", p ? p->pos.line : 0,
          p ? p->pos.col : 0, part);
    CHECK(d && d->nfiles == 2 && strcmp(d->files[1], part) == 0, "files read: %d", d ? d->nfiles : 0);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* A schema error inside an included file names that file, line and column. */
static void test_xinclude_error_in_part(void)
{
    tmpdir t;
    capture c;
    const char *part;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_with_part(&t, &c, XI_MAIN("part.xml"), "<p>甲</p>\n", &part);
    doc_free(d);
    d = load_with_part(&t, &c, XI_MAIN("part.xml"), "<callout>\n  <bogus/>\n</callout>\n", &part);
    CHECK(d == NULL, "an invalid included file was accepted");
    CHECK(has_error_at(capture_text(&c), part, 2, 3), "no error at %s:2:3 in: %s", part, capture_text(&c));
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* An include may not leave the document's directory, nor include itself forever. */
static void test_xinclude_limits(void)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_with_part(&t, &c, XI_MAIN("/etc/passwd"), NULL, NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "outside"), "/etc/passwd was included: %s",
          capture_text(&c));
    CHECK(!strstr(capture_text(&c), "root:"), "the contents of /etc/passwd leaked");
    doc_free(d);
    d = load_with_part(&t, &c, XI_MAIN("part.xml"),
                       "<section xmlns:xi=\"http://www.w3.org/2001/XInclude\"><heading>h</heading>"
                       "<xi:include href=\"part.xml\"/></section>\n", NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "makes a cycle"), "a self-include was not stopped: %s",
          capture_text(&c));
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* Markup that comes through an internal entity is validated like any other. */
static void test_entity_markup_validated(void)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    doc *d = load_text(&t, &c, "ent.xml",
                       "<?xml version=\"1.0\"?>\n<!DOCTYPE document [\n<!ENTITY x \"<bogus/>\">\n]>\n"
                       "<document>" META "<body>\n<p>甲&x;</p>\n</body></document>\n", SCHEMA, NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "bogus"), "markup through an entity passed: %s",
          capture_text(&c));
    CHECK(strstr(capture_text(&c), ":6:1: error:") != NULL,
          "the error is not at the <p> holding the reference: %s", capture_text(&c));
    doc_free(d);
    capture_end(&c);
    capture_start(&c);
    d = load_text(&t, &c, "ent2.xml",
                  "<?xml version=\"1.0\"?>\n<!DOCTYPE document [\n<!ENTITY co \"中<em>科</em>院\">\n]>\n"
                  "<document>" META "<body><p>&co;&co;</p></body></document>\n", SCHEMA, NULL);
    const doc_node *body = d ? doc_child(d->root, "body") : NULL, *p = body ? doc_child(body, "p") : NULL;
    char *text = p ? doc_text_content(p) : NULL;
    CHECK(text && strcmp(text, "中科院中科院") == 0, "entity text: %s / %s", text ? text : "(none)",
          capture_text(&c));
    CHECK(p && doc_child(p, "em") != NULL, "the entity's <em> is not in the tree");
    free(text);
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* Write a chain of include files n deep below t: chainK.xml includes chain(K+1).xml twice. */
static void write_diamond(tmpdir *t, int levels)
{
    char name[32], body[256];
    for (int k = 0; k < levels; k++) {
        snprintf(name, sizeof name, "d%d.xml", k);
        if (k + 1 < levels)
            snprintf(body, sizeof body, "<section xmlns:xi=\"http://www.w3.org/2001/XInclude\">"
                     "<heading>h</heading><xi:include href=\"d%d.xml\"/><xi:include href=\"d%d.xml\"/>"
                     "</section>\n", k + 1, k + 1);
        else
            snprintf(body, sizeof body, "<p>leaf</p>\n");
        char path[256];
        snprintf(path, sizeof path, "%s/%s", t->path, name);
        FILE *f = fopen(path, "w");
        CHECK(f && fputs(body, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
    }
}

/* The run's limits hold over the whole include tree, each with a positioned error. */
static void test_run_limits(void)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    write_diamond(&t, 8); /* 1 + 2 + 4 + ... + 128 = 255 includes, none a cycle */
    capture_start(&c);
    c.ctx->limits.includes = 100;
    doc *d = load_text(&t, &c, "main.xml", XI_MAIN("d0.xml"), SCHEMA, NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "more than 100 xi:includes in all"),
          "255 includes passed a limit of 100: %s", capture_text(&c));
    CHECK(strstr(capture_text(&c), ".xml:1:") != NULL, "the include error has no position: %s",
          capture_text(&c));
    doc_free(d);
    capture_end(&c);
    capture_start(&c);
    d = load_text(&t, &c, "main2.xml", XI_MAIN("d0.xml"), SCHEMA, NULL);
    CHECK(d != NULL && c.ctx->used.includes == 255, "the diamond within the limits: %d includes, %s",
          c.ctx->used.includes, capture_text(&c));
    doc_free(d);
    capture_end(&c);
    capture_start(&c);
    c.ctx->limits.total_bytes = 2000;
    d = load_text(&t, &c, "main3.xml", XI_MAIN("d0.xml"), SCHEMA, NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "limit of 2000 bytes of XML in one run"),
          "the byte limit did not hold: %s", capture_text(&c));
    CHECK(strstr(capture_text(&c), ".xml:1:") != NULL, "the byte limit error has no position: %s",
          capture_text(&c));
    doc_free(d);
    capture_end(&c);
    capture_start(&c);
    c.ctx->limits.file_bytes = 100;
    d = load_text(&t, &c, "main4.xml", XI_MAIN("d0.xml"), SCHEMA, NULL);
    CHECK(d == NULL && strstr(capture_text(&c), "the limit for one file is 100"),
          "the file size limit did not hold: %s", capture_text(&c));
    doc_free(d);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* Positions are counted in characters whatever the file's encoding. */
static void test_positions_in_other_encodings(void)
{
    static const char *const encodings[] = {"GB18030", "UTF-16LE", "UTF-16BE"};
    for (size_t e = 0; e < sizeof encodings / sizeof encodings[0]; e++) {
        tmpdir t;
        capture c;
        CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
        char utf8[512], path[256];
        snprintf(utf8, sizeof utf8, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<document>" META
                 "<body>\n<p>中文</p>\n  <p>段落<bogus/></p>\n</body></document>\n",
                 strncmp(encodings[e], "UTF-16", 6) ? encodings[e] : "UTF-16");
        snprintf(path, sizeof path, "%s/enc.xml", t.path);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | iconv -f UTF-8 -t %s > %s", utf8, encodings[e], path);
        CHECK(system(cmd) == 0, "iconv to %s failed", encodings[e]);
        capture_start(&c);
        doc *d = doc_load(c.ctx, path, SCHEMA);
        CHECK(d == NULL && has_error_at(capture_text(&c), path, 4, 8),
              "%s: expected an error at 4:8, got: %s", encodings[e], capture_text(&c));
        doc_free(d);
        capture_end(&c);
        tmpdir_remove(&t);
    }
}

int main(void)
{
    test_valid_document();
    test_text_content_of_empty_element();
    test_character_references_decoded();
    test_internal_entity_expanded();
    test_external_entity_not_loaded();
    test_external_parameter_entity_not_loaded();
    test_undeclared_entity_is_fatal();
    test_malformed_xml();
    test_schema_unknown_element();
    test_schema_error_on_repeated_name();
    test_schema_error_after_longer_name();
    test_schema_error_says_what_was_expected();
    test_multiline_start_tag_position();
    test_empty_file();
    test_missing_file();
    test_no_schema_skips_validation();
    test_xinclude_positions();
    test_xinclude_error_in_part();
    test_xinclude_limits();
    test_entity_markup_validated();
    test_run_limits();
    test_positions_in_other_encodings();
    return unit_done("test_doc");
}
