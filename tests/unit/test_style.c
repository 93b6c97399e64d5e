/*
 * test_style.c: values, style sheets and the styled tree.
 *
 * Sheets and documents are written into a mkdtemp() directory; diagnostics
 * are captured in memory so their text and position can be checked.
 */
#include "helpers.h"
#include "style.h"
#include "unit.h"

#include <math.h>
#include <string.h>

static const char *const SCHEMA = "xml/paiban.rng";

static int near(float a, float b)
{
    return fabsf(a - b) < 0.001f;
}

/* ---- lengths and colours ------------------------------------------------- */

static void check_length(const char *s, float font_size, float want)
{
    float v = -1;
    int rc = style_parse_length(s, font_size, &v);
    CHECK(rc == 0 && near(v, want), "'%s' → rc %d, %g; expected %g", s, rc, v, want);
}

static void check_bad_length(const char *s)
{
    float v = -1;
    CHECK(style_parse_length(s, 10, &v) < 0, "'%s' accepted as %g", s, v);
}

static void test_parse_length_units(void)
{
    check_length("12pt", 10, 12);
    check_length("10.5pt", 10, 10.5f);
    check_length("25.4mm", 10, 72);
    check_length("2.54cm", 10, 72);
    check_length("1in", 10, 72);
    check_length("4px", 10, 3);
    check_length("2em", 10.5f, 21);
    check_length("0.5em", 8, 4);
    check_length("0", 10, 0);
    check_length("-3pt", 10, -3);
}

static void test_parse_length_rejects(void)
{
    check_bad_length("12");
    check_bad_length("abc");
    check_bad_length("12 pt");
    check_bad_length("12pt ");
    check_bad_length("");
    check_bad_length("pt");
    check_bad_length("12ex");
    check_bad_length("infpt");
    check_bad_length("nanmm");
}

static void check_color(const char *s, int r, int g, int b)
{
    style_color c = {-1, -1, -1};
    int rc = style_parse_color(s, &c);
    CHECK(rc == 0 && near(c.r, r / 255.0f) && near(c.g, g / 255.0f) && near(c.b, b / 255.0f),
          "'%s' → rc %d (%g %g %g)", s, rc, c.r, c.g, c.b);
}

static void test_parse_color(void)
{
    check_color("#abc", 0xaa, 0xbb, 0xcc);
    check_color("#aabbcc", 0xaa, 0xbb, 0xcc);
    check_color("#9E2A2B", 0x9e, 0x2a, 0x2b);
    check_color("#000", 0, 0, 0);
    check_color("#fff", 255, 255, 255);
    static const char *const bad[] = {"red", "#12", "#1234", "#12345g", "abc", "#", "", "#aabbccd"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        style_color c;
        CHECK(style_parse_color(bad[i], &c) < 0, "'%s' accepted as a colour", bad[i]);
    }
}

/* ---- style sheets --------------------------------------------------------- */

#define SHEET_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stylesheet>\n"
#define PAGE_A5 "  <page size=\"A5\" margin-top=\"20mm\" margin-bottom=\"20mm\" " \
                "margin-inner=\"15mm\" margin-outer=\"15mm\"/>\n"

/* Load sheet text; the sheet or NULL.  Diagnostics go to c, the path to *path. */
static style_sheet *load_sheet(tmpdir *t, capture *c, const char *text, const char **path)
{
    *path = tmpdir_write(t, "sheet.xml", text);
    return style_sheet_load(c->ctx, *path);
}

/*
 * Load a sheet that must be rejected: check the error count, that the
 * diagnostic starts "path:line:col: error:" (line 0: "path: error:"), and
 * that it holds each of the words (NULL-terminated).
 */
static void check_bad_sheet(const char *text, int line, int col, const char *const *words)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    style_sheet *sh = load_sheet(&t, &c, text, &path);
    const char *diag = capture_text(&c);
    CHECK(sh == NULL, "an invalid sheet was accepted");
    CHECK(c.ctx->errors > 0, "no error counted");
    char want[256];
    snprintf(want, sizeof want, "%s:%d:%d: error:", path, line, col);
    CHECK(strstr(diag, want) != NULL, "expected '%s' in: %s", want, diag);
    for (int i = 0; words[i]; i++)
        CHECK(strstr(diag, words[i]) != NULL, "the error does not mention '%s': %s", words[i], diag);
    style_sheet_free(sh);
    capture_end(&c);
    tmpdir_remove(&t);
}

static void test_sheet_valid(void)
{
    tmpdir t;
    capture c;
    const char *path;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    style_sheet *sh = load_sheet(&t, &c,
                                 SHEET_HEAD PAGE_A5
                                 "  <style name=\"document\" font-size=\"10pt\" line-height=\"1.6\"/>\n"
                                 "  <style name=\"sans\" font-family=\"Noto Sans CJK SC\"/>\n"
                                 "  <style name=\"head\" parent=\"sans\" font-weight=\"bold\" "
                                 "color=\"#336699\" padding=\"2mm\" keep-with-next=\"yes\"/>\n"
                                 "</stylesheet>\n",
                                 &path);
    CHECK(sh != NULL && c.ctx->errors == 0, "valid sheet rejected: %s", capture_text(&c));
    style_sheet_free(sh);
    sh = style_sheet_load(c.ctx, "styles/print.xml");
    CHECK(sh != NULL && c.ctx->errors == 0, "styles/print.xml rejected: %s", capture_text(&c));
    style_sheet_free(sh);
    capture_end(&c);
    tmpdir_remove(&t);
}

static void test_sheet_unknown_property(void)
{
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <style name=\"p\" colour=\"#333333\"/>\n</stylesheet>\n",
                    4, 19, (const char *const[]){"colour", "unknown property", NULL}); /* at the attribute */
}

static void test_sheet_invalid_value(void)
{
    check_bad_sheet(SHEET_HEAD PAGE_A5 "    <style name=\"p\" font-size=\"big\"/>\n</stylesheet>\n",
                    4, 21, (const char *const[]){"'big'", "font-size", "expected a length", NULL});
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <style name=\"p\" text-align=\"middle\"/>\n</stylesheet>\n",
                    4, 19, (const char *const[]){"'middle'", "text-align", "justify, left", NULL});
}

static void test_sheet_undefined_parent(void)
{
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <style name=\"p\" parent=\"nope\"/>\n</stylesheet>\n",
                    4, 3, (const char *const[]){"'nope'", "not defined", NULL});
}

static void test_sheet_parent_loop(void)
{
    check_bad_sheet(SHEET_HEAD PAGE_A5
                    "  <style name=\"a\" parent=\"b\"/>\n"
                    "  <style name=\"b\" parent=\"a\"/>\n"
                    "</stylesheet>\n",
                    4, 3, (const char *const[]){"'a'", "loop", NULL});
}

static void test_sheet_missing_page(void)
{
    check_bad_sheet(SHEET_HEAD "  <style name=\"p\" font-size=\"10pt\"/>\n</stylesheet>\n",
                    2, 1, (const char *const[]){"<page>", NULL});
}

static void test_sheet_unknown_page_size(void)
{
    check_bad_sheet(SHEET_HEAD "  <page size=\"A9\"/>\n</stylesheet>\n",
                    3, 9, (const char *const[]){"'A9'", "unknown page size", NULL});
}

/* ---- style_apply ---------------------------------------------------------- */

static const char APPLY_SHEET[] =
    SHEET_HEAD PAGE_A5
    "  <style name=\"document\" font-family=\"Noto Serif CJK SC\" font-size=\"12pt\"\n"
    "         line-height=\"1.5\" text-align=\"justify\"/>\n"
    "  <style name=\"p\" text-indent=\"2em\"/>\n"
    "  <style name=\"big\" font-size=\"20pt\" text-indent=\"1em\"/>\n"
    "  <style name=\"title\" font-size=\"11pt\"/>\n"
    "  <style name=\"section\" outline-level=\"1\"/>\n"
    "  <style name=\"callout\" text-indent=\"3em\" outline-level=\"2\"/>\n"
    "  <style name=\"callout.title\" font-size=\"13pt\"/>\n"
    "  <style name=\"callout.badge\" font-size=\"8pt\" label=\"趋势 {n}\"/>\n"
    "</stylesheet>\n";

/* The document: body = [section = [heading, p, p, p], callout = [badge, title, p]]. */
static const char APPLY_DOC[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<document xml:lang=\"zh-Hans\">\n"
    "  <meta><title>测试</title><publisher>甲</publisher><year>2024</year></meta>\n"
    "  <body>\n"
    "    <section>\n"
    "      <heading>概述</heading>\n"
    "      <p>  甲\n"
    "           乙  </p>\n"
    "      <p style=\"big\">  Unitree   H1\n"
    "         robot </p>\n"
    "      <p>第一行<br/>第二行</p>\n"
    "    </section>\n"
    "    <callout number=\"3\"><title>标题</title><p>正文</p></callout>\n"
    "  </body>\n"
    "</document>\n";

typedef struct applied {
    tmpdir t;
    capture c;
    style_sheet *sheet;
    doc *doc;
    st_tree *tree;
    const char *doc_path;
} applied;

/* Load sheet and document text and style them; a->tree may be NULL. */
static void apply_start(applied *a, const char *sheet_text, const char *doc_text)
{
    memset(a, 0, sizeof *a);
    CHECK(tmpdir_make(&a->t) == 0, "mkdtemp failed");
    capture_start(&a->c);
    a->sheet = style_sheet_load(a->c.ctx, tmpdir_write(&a->t, "sheet.xml", sheet_text));
    a->doc_path = tmpdir_write(&a->t, "doc.xml", doc_text);
    a->doc = doc_load(a->c.ctx, a->doc_path, SCHEMA);
    CHECK(a->sheet && a->doc, "setup failed: %s", capture_text(&a->c));
    if (a->sheet && a->doc)
        a->tree = style_apply(a->c.ctx, a->sheet, a->doc);
}

static void apply_end(applied *a)
{
    st_tree_free(a->tree);
    doc_free(a->doc);
    style_sheet_free(a->sheet);
    capture_end(&a->c);
    tmpdir_remove(&a->t);
}

/* Child i of box b (NULL when absent or b is NULL). */
static const st_block *child(const st_block *b, int i)
{
    return b && b->kind == ST_BOX && i < b->nchildren ? b->children[i] : NULL;
}

/* The text of a text block's spans, joined (into buf). */
static const char *block_text(const st_block *b, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; b && i < b->nspans; i++)
        strncat(buf, b->spans[i].text, size - strlen(buf) - 1);
    return buf;
}

/* Style APPLY_DOC with APPLY_SHEET and run check on the tree. */
static void with_applied(void (*check)(const st_tree *t))
{
    applied a;
    apply_start(&a, APPLY_SHEET, APPLY_DOC);
    CHECK(a.tree != NULL && a.c.ctx->errors == 0, "style_apply failed: %s", capture_text(&a.c));
    if (a.tree)
        check(a.tree);
    apply_end(&a);
}

/* The body: the root's last child, after any front matter parts. */
#define BODY(t) child((t)->root, (t)->root->nchildren - 1)
#define SECTION(t) child(BODY(t), 0)
#define CALLOUT(t) child(BODY(t), 1)

static void check_tree_shape(const st_tree *t)
{
    CHECK(t->root->kind == ST_BOX && t->root->nchildren == 1, "the root has %d children, want the body alone",
          t->root->nchildren);
    CHECK(BODY(t)->kind == ST_BOX && BODY(t)->nchildren == 2, "body has %d children",
          BODY(t)->nchildren);
    CHECK(SECTION(t) && SECTION(t)->nchildren == 4, "section children wrong");
    CHECK(CALLOUT(t) && CALLOUT(t)->nchildren == 3, "callout children wrong");
    CHECK(t->lang && strcmp(t->lang, "zh-Hans") == 0, "lang is %s", t->lang ? t->lang : "(null)");
    CHECK(t->title && strcmp(t->title, "测试") == 0, "title is %s", t->title ? t->title : "(null)");
    CHECK(near(t->pages[0].width, 148 * 72 / 25.4f) && near(t->pages[0].margin_top, 20 * 72 / 25.4f),
          "page %g wide, top margin %g", t->pages[0].width, t->pages[0].margin_top);
}

static void check_inheritance(const st_tree *t)
{
    const st_block *p = child(SECTION(t), 1);
    CHECK(p && near(p->style->font_size, 12), "p font-size %g, expected 12 from document",
          p ? p->style->font_size : -1);
    CHECK(p && p->style->font_family && strcmp(p->style->font_family, "Noto Serif CJK SC") == 0,
          "p font-family not inherited");
    CHECK(p && p->style->align == ALIGN_JUSTIFY, "text-align not inherited");
}

static void check_parent_element_rule(const st_tree *t)
{
    const st_block *title = child(CALLOUT(t), 1);
    CHECK(title && strcmp(title->role, "title") == 0, "callout child 1 is not the title");
    CHECK(title && near(title->style->font_size, 13), "callout title %g pt; callout.title says 13",
          title ? title->style->font_size : -1);
}

static void check_em_and_line_height(const st_tree *t)
{
    const st_block *p = child(SECTION(t), 1), *big = child(SECTION(t), 2);
    CHECK(p && near(p->style->text_indent, 24), "p indent %g, expected 2em of 12pt",
          p ? p->style->text_indent : -1);
    CHECK(big && near(big->style->font_size, 20) && near(big->style->text_indent, 20),
          "big: %g pt, indent %g; 1em must use its own 20pt", big ? big->style->font_size : -1,
          big ? big->style->text_indent : -1);
    CHECK(p && near(p->style->line_height, 18), "line-height 1.5 at 12pt gave %g",
          p ? p->style->line_height : -1);
    CHECK(big && near(big->style->line_height, 30), "line-height 1.5 at 20pt gave %g",
          big ? big->style->line_height : -1);
}

static void check_indent_not_inherited(const st_tree *t)
{
    const st_block *callout = CALLOUT(t);
    CHECK(callout && near(callout->style->text_indent, 36), "callout indent %g",
          callout ? callout->style->text_indent : -1);
    const st_block *title = child(callout, 1);
    CHECK(title && near(title->style->text_indent, 0), "text-indent inherited by the title: %g",
          title ? title->style->text_indent : -1);
}

static void check_badge(const st_tree *t)
{
    const st_block *badge = child(CALLOUT(t), 0);
    char buf[128];
    CHECK(badge && badge->kind == ST_TEXT && strcmp(badge->role, "badge") == 0,
          "the callout does not start with a badge");
    CHECK(badge && strcmp(block_text(badge, buf, sizeof buf), "趋势 3") == 0, "badge text '%s'", buf);
    CHECK(badge && near(badge->style->font_size, 8), "badge not styled by callout.badge");
}

static void check_whitespace(const st_tree *t)
{
    char buf[128];
    block_text(child(SECTION(t), 1), buf, sizeof buf);
    CHECK(strcmp(buf, "甲乙") == 0, "Han across a line break: '%s'", buf);
    block_text(child(SECTION(t), 2), buf, sizeof buf);
    CHECK(strcmp(buf, "Unitree H1 robot") == 0, "Latin spaces: '%s'", buf);
    block_text(child(SECTION(t), 0), buf, sizeof buf);
    CHECK(strcmp(buf, "概述") == 0, "heading: '%s'", buf);
}

static void check_br(const st_tree *t)
{
    const st_block *p = child(SECTION(t), 3);
    CHECK(p && p->nspans == 3, "expected 3 spans around <br/>, got %d", p ? p->nspans : -1);
    if (p && p->nspans == 3)
        CHECK(strcmp(p->spans[0].text, "第一行") == 0 && strcmp(p->spans[1].text, "\n") == 0 &&
                  strcmp(p->spans[2].text, "第二行") == 0,
              "spans '%s' '%s' '%s'", p->spans[0].text, p->spans[1].text, p->spans[2].text);
}

static void check_outline_titles(const st_tree *t)
{
    const st_block *s = SECTION(t), *c = CALLOUT(t);
    CHECK(s && s->outline_title && strcmp(s->outline_title, "概述") == 0, "section outline '%s'",
          s && s->outline_title ? s->outline_title : "(null)");
    CHECK(c && c->outline_title && strcmp(c->outline_title, "趋势 3 标题") == 0,
          "callout outline '%s'", c && c->outline_title ? c->outline_title : "(null)");
    CHECK(child(s, 1) && child(s, 1)->outline_title == NULL, "a p has an outline title");
}

static void test_apply(void)
{
    with_applied(check_tree_shape);
    with_applied(check_inheritance);
    with_applied(check_parent_element_rule);
    with_applied(check_em_and_line_height);
    with_applied(check_indent_not_inherited);
    with_applied(check_badge);
    with_applied(check_whitespace);
    with_applied(check_br);
    with_applied(check_outline_titles);
}

static void test_apply_undefined_style(void)
{
    applied a;
    apply_start(&a, APPLY_SHEET,
                "<document>\n"
                "  <meta><title>T</title><publisher>P</publisher><year>2024</year></meta>\n"
                "  <body>\n"
                "    <p>ok</p>\n"
                "      <p style=\"nosuch\">x</p>\n"
                "  </body>\n"
                "</document>\n");
    const char *diag = capture_text(&a.c);
    char want[256];
    snprintf(want, sizeof want, "%s:5:7: error:", a.doc_path);
    CHECK(a.tree == NULL, "an undefined style was accepted");
    CHECK(a.c.ctx->errors == 1, "%d errors", a.c.ctx->errors);
    CHECK(strstr(diag, want) && strstr(diag, "'nosuch'"), "expected '%s … nosuch' in: %s", want, diag);
    apply_end(&a);
}

/* A label may use {n} several times; the expansion must fit its buffer. */
static void test_label_with_repeated_number(void)
{
    static const char sheet[] =
        SHEET_HEAD PAGE_A5
        "  <style name=\"document\" font-family=\"Noto Serif CJK SC\"/>\n"
        "  <style name=\"callout.badge\" label=\"{n}-{n}-{n}\"/>\n"
        "</stylesheet>\n";
    applied a;
    apply_start(&a, sheet,
                "<document>\n"
                "  <meta><title>T</title><publisher>P</publisher><year>2024</year></meta>\n"
                "  <body><callout number=\"1234567890\"><title>t</title><p>x</p></callout></body>\n"
                "</document>\n");
    const st_block *badge = a.tree ? child(child(BODY(a.tree), 0), 0) : NULL;
    char buf[128];
    CHECK(badge && strcmp(block_text(badge, buf, sizeof buf), "1234567890-1234567890-1234567890") == 0,
          "badge text '%s'", badge ? buf : "(no badge)");
    apply_end(&a);
}

/* Lengths outside their property's range are errors at the value, not text that vanishes. */
static void test_sheet_value_ranges(void)
{
    static const char *const bad[] = {
        "font-size=\"0\"", "font-size=\"-3pt\"", "font-size=\"1e39pt\"", "font-size=\"nan\"",
        "padding=\"1e39pt\"", "line-height=\"0\"", "line-height=\"-1\"", "border-width=\"-1pt\"",
        "space-before=\"inf\"", "text-indent=\"1e30em\"", NULL};
    for (int i = 0; bad[i]; i++) {
        char text[512], prop[32];
        snprintf(text, sizeof text, SHEET_HEAD PAGE_A5 "  <style name=\"p\" %s/>\n</stylesheet>\n", bad[i]);
        snprintf(prop, sizeof prop, "%.*s", (int)strcspn(bad[i], "="), bad[i]);
        const char *words[] = {prop, "expected", NULL};
        check_bad_sheet(text, 4, 19, words);
    }
    const char *page_words[] = {"margin-top", "14400pt", NULL};
    check_bad_sheet(SHEET_HEAD "  <page size=\"A5\" margin-top=\"1e39pt\"/>\n</stylesheet>\n", 3, 19,
                    page_words);
}

/* Images count against the run's pixel limits, each error at its <image>. */
static void test_image_pixel_limits(void)
{
    static const char SHEET[] = SHEET_HEAD PAGE_A5 "</stylesheet>\n";
    static const char DOC[] = "<document><meta><title>T</title><publisher>P</publisher>"
        "<year>2024</year></meta><body>\n<figure><image src=\"a.png\"/><caption>a</caption></figure>\n"
        "<figure><image src=\"a.png\"/><caption>b</caption></figure>\n</body></document>\n";
    for (int round = 0; round < 2; round++) {
        tmpdir t;
        capture c;
        CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
        tmpdir_copy(&t, "a.png", "tests/data/blue-16x8.png"); /* 128 pixels */
        capture_start(&c);
        if (round == 0)
            c.ctx->limits.image_pixels = 100;
        else
            c.ctx->limits.total_pixels = 200;
        style_sheet *sh = style_sheet_load(c.ctx, tmpdir_write(&t, "sheet.xml", SHEET));
        const char *path = tmpdir_write(&t, "doc.xml", DOC);
        doc *d = doc_load(c.ctx, path, "xml/paiban.rng");
        st_tree *tree = sh && d ? style_apply(c.ctx, sh, d) : NULL;
        char want[256];
        snprintf(want, sizeof want, "%s:%d:9: error: image", path, round == 0 ? 2 : 3);
        CHECK(tree == NULL && strstr(capture_text(&c), want), "round %d: expected '%s' in: %s",
              round, want, capture_text(&c));
        st_tree_free(tree);
        doc_free(d);
        style_sheet_free(sh);
        capture_end(&c);
        tmpdir_remove(&t);
    }
}

/* ---- the styled tree outlives the doc and the sheet ------------------------- */

/* A sheet with front matter, so that blocks come from the sheet's file too. */
static const char FRONT_SHEET[] =
    SHEET_HEAD PAGE_A5
    "  <page name=\"title\" size=\"A5\" margin-top=\"50mm\" margin-bottom=\"20mm\"\n"
    "        margin-inner=\"15mm\" margin-outer=\"15mm\" folio=\"no\"/>\n"
    "  <front>\n"
    "    <part page=\"title\"><field name=\"title\"/><text>目录</text><toc/></part>\n"
    "  </front>\n"
    "  <style name=\"document\" font-family=\"Noto Serif CJK SC\"/>\n"
    "  <style name=\"section\" outline-level=\"1\"/>\n"
    "  <style name=\"big\" font-size=\"20pt\"/>\n"
    "  <style name=\"callout\" outline-level=\"1\"/>\n"
    "  <style name=\"callout.badge\" label=\"趋势 {n}\"/>\n"
    "</stylesheet>\n";

typedef struct name_counts {
    const char *doc_path, *sheet_path;
    int blocks, spans, in_doc, in_sheet, bad;
    char roles[512];            /* every role once, each followed by a space, after a space */
} name_counts;

/* Count a position's file name: the document's, the sheet's or another. */
static void count_file(name_counts *n, const char *file)
{
    int doc = file && strcmp(file, n->doc_path) == 0;
    int sheet = file && strcmp(file, n->sheet_path) == 0;
    n->in_doc += doc;
    n->in_sheet += sheet;
    n->bad += !doc && !sheet;
}

/* Read the role and every position's file name of b and all below it. */
static void read_names(const st_block *b, name_counts *n)
{
    n->blocks++;
    count_file(n, b->pos.file);
    for (int i = 0; i < b->nspans; i++, n->spans++)
        count_file(n, b->spans[i].pos.file);
    char word[64];
    snprintf(word, sizeof word, " %s ", b->role ? b->role : "(null)");
    if (!strstr(n->roles, word) && strlen(n->roles) + strlen(word) < sizeof n->roles)
        strcat(n->roles, word + 1);
    for (int i = 0; i < b->nchildren; i++)
        read_names(b->children[i], n);
}

/*
 * style.h: the tree is independent of the doc and the sheet, which may be
 * freed first.  Free both, then read every block's role and the file name
 * of every position (blocks, spans, page masters); under AddressSanitizer
 * a pointer into either is a use-after-free.
 */
static void test_tree_outlives_doc_and_sheet(void)
{
    applied a;
    apply_start(&a, FRONT_SHEET, APPLY_DOC);
    CHECK(a.tree != NULL && a.c.ctx->errors == 0, "style_apply failed: %s", capture_text(&a.c));
    doc_free(a.doc);
    style_sheet_free(a.sheet);
    a.doc = NULL;
    a.sheet = NULL;
    if (!a.tree) {
        apply_end(&a);
        return;
    }
    name_counts n = {.doc_path = a.doc_path, .sheet_path = a.t.files[0], .roles = " "};
    read_names(a.tree->root, &n);
    CHECK(n.bad == 0, "%d positions name neither %s nor %s", n.bad, n.doc_path, n.sheet_path);
    CHECK(n.in_doc > 10 && n.in_sheet > 3, "%d positions in the document, %d in the sheet", n.in_doc,
          n.in_sheet);
    static const char *const want[] = {"document", "part", "field", "text", "toc", "toc-entry", "body",
                                       "section", "heading", "p", "callout", "badge", "title", NULL};
    for (int i = 0; want[i]; i++) {
        char word[64];
        snprintf(word, sizeof word, " %s ", want[i]);
        CHECK(strstr(n.roles, word) != NULL, "no block has the role '%s'; roles:%s", want[i], n.roles);
    }
    for (int i = 0; i < a.tree->npages; i++)
        CHECK(a.tree->pages[i].pos.file && strcmp(a.tree->pages[i].pos.file, n.sheet_path) == 0,
              "page master %d is at '%s'", i, a.tree->pages[i].pos.file);
    apply_end(&a);
}

/* ---- an element the schema admits but the style stage does not know ------------ */

/*
 * Every element the schema admits in the body has a handler in the style
 * stage; one without is paiban's own bug, an internal error, never text
 * that silently vanishes.  The document is loaded without the schema so
 * that an unknown element reaches style_apply.
 */
static void test_unhandled_element_is_internal_error(void)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    style_sheet *sh = style_sheet_load(c.ctx, tmpdir_write(&t, "sheet.xml", APPLY_SHEET));
    const char *path = tmpdir_write(&t, "doc.xml",
                                    "<document>\n"
                                    "  <meta><title>T</title><publisher>P</publisher><year>2024</year></meta>\n"
                                    "  <body>\n"
                                    "    <p>ok</p>\n"
                                    "    <section><heading>h</heading>\n"
                                    "      <sidebar>lost</sidebar></section>\n"
                                    "  </body>\n"
                                    "</document>\n");
    doc *d = doc_load(c.ctx, path, NULL);
    CHECK(sh && d && c.ctx->errors == 0, "setup failed: %s", capture_text(&c));
    st_tree *tree = sh && d ? style_apply(c.ctx, sh, d) : NULL;
    const char *diag = capture_text(&c);
    char want[256];
    snprintf(want, sizeof want, "%s:6:7: error: internal error: no handler for <sidebar> in <section>; "
             "paiban's schema and style stage disagree", path);
    CHECK(tree == NULL, "a tree was built around an element with no handler");
    CHECK(c.ctx->errors == 1 && strstr(diag, want), "expected exactly '%s' in: %s", want, diag);
    st_tree_free(tree);
    doc_free(d);
    style_sheet_free(sh);
    capture_end(&c);
    tmpdir_remove(&t);
}

/* ---- back matter: a list of the callouts, with the current one marked ------- */

static const char BACK_SHEET[] =
    SHEET_HEAD PAGE_A5
    "  <back>\n"
    "    <part style=\"trends\"><toc element=\"callout\" entry-style=\"e\" current-style=\"cur\"/></part>\n"
    "  </back>\n"
    "  <style name=\"document\" font-family=\"Noto Serif CJK SC\" font-size=\"12pt\"/>\n"
    "  <style name=\"trends\" float=\"bottom\"/>\n"
    "  <style name=\"e\" font-size=\"8pt\"/>\n"
    "  <style name=\"cur\" parent=\"e\" font-weight=\"bold\"/>\n"
    "  <style name=\"section\" outline-level=\"1\"/>\n"
    "  <style name=\"callout\" outline-level=\"1\"/>\n"
    "  <style name=\"callout.badge\" label=\"{n}\"/>\n"
    "</stylesheet>\n";

static const char BACK_DOC[] =
    "<document xml:lang=\"zh-Hans\">\n"
    "  <meta><title>T</title></meta>\n"
    "  <body>\n"
    "    <section><heading>节</heading><p>文</p></section>\n"
    "    <callout id=\"c1\" number=\"1\"><title>甲</title><p>一</p></callout>\n"
    "    <callout id=\"c2\" number=\"2\"><title>乙</title><p>二</p></callout>\n"
    "    <callout id=\"c3\" number=\"3\"><title>丙</title><p>三</p></callout>\n"
    "  </body>\n"
    "</document>\n";

/*
 * The back part of tree t: after the body, floating to the bottom, its
 * contents listing the three callouts (not the section) in order; current
 * is the entry of the element typeset alone (0: the whole document, whose
 * entries link to their blocks).
 */
static void check_back_toc(const st_tree *t, int current)
{
    const st_block *part = t->root->nchildren == 2 ? child(t->root, 1) : NULL;
    CHECK(part && strcmp(part->role, "part") == 0, "the root's last child is not the back part");
    if (!part)
        return;
    CHECK(part->style->float_to == FLOAT_BOTTOM, "the back part does not float to the bottom");
    const st_block *toc = child(part, 0);
    CHECK(toc && toc->nchildren == 3, "the back contents have %d entries, want the 3 callouts",
          toc ? toc->nchildren : -1);
    static const char *const want[] = {"1 甲", "2 乙", "3 丙"};
    for (int i = 0; toc && i < toc->nchildren && i < 3; i++) {
        const st_block *e = child(toc, i);
        char buf[64];
        CHECK(strcmp(block_text(e, buf, sizeof buf), want[i]) == 0, "entry %d reads '%s', not '%s'",
              i + 1, buf, want[i]);
        CHECK(e->style->bold == (i + 1 == current), "entry %d is %sbold (current: %d)", i + 1,
              e->style->bold ? "" : "not ", current);
        CHECK(near(e->style->font_size, 8), "entry %d is %gpt, not the entry style's 8pt", i + 1,
              e->style->font_size);
        CHECK((e->target != NULL) == (current == 0), "entry %d %s a target", i + 1,
              e->target ? "has" : "lacks");
    }
}

static void test_back_matter_toc(void)
{
    applied a;
    apply_start(&a, BACK_SHEET, BACK_DOC);
    CHECK(a.tree != NULL && a.c.ctx->errors == 0, "style_apply failed: %s", capture_text(&a.c));
    if (a.tree)
        check_back_toc(a.tree, 0);
    const doc_node *only = a.doc ? style_select(a.doc, "c2") : NULL;
    CHECK(only != NULL, "no element c2");
    st_tree *part = only ? style_apply_part(a.c.ctx, a.sheet, a.doc, only) : NULL;
    CHECK(part != NULL && a.c.ctx->errors == 0, "style_apply_part failed: %s", capture_text(&a.c));
    if (part)
        check_back_toc(part, 2);
    st_tree_free(part);
    apply_end(&a);
}

/* ---- structure types for tagged output ------------------------------------- */

static const char TAGS_SHEET[] =
    SHEET_HEAD PAGE_A5
    "  <style name=\"document\" font-family=\"Noto Serif CJK SC\" font-size=\"12pt\"/>\n"
    "  <style name=\"item\" label=\"•\"/>\n"
    "</stylesheet>\n";

static const char TAGS_DOC[] =
    "<document xml:lang=\"zh-Hans\">\n"
    "  <meta><title>T</title></meta>\n"
    "  <body>\n"
    "    <section><heading>一</heading>\n"
    "      <section><heading>二</heading><callout><title>三</title><p>文</p></callout></section>\n"
    "      <list><item>甲</item><item>乙<list><item>丙</item></list></item></list>\n"
    "      <figure><caption>图</caption></figure>\n"
    "    </section>\n"
    "  </body>\n"
    "</document>\n";

/* The tags of b: "TAG/CONTENT/LABEL" with "-" for NULL. */
static const char *tags_of(const st_block *b, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s/%s", b && b->tag ? b->tag : "-",
             b && b->content_tag ? b->content_tag : "-", b && b->label_tag ? b->label_tag : "-");
    return buf;
}

/* Headings by the sections and callouts around them; list items' labels apart; a
 * figure without an image a Div; the body adds no element. */
static void test_structure_tags(void)
{
    applied a;
    apply_start(&a, TAGS_SHEET, TAGS_DOC);
    CHECK(a.tree != NULL && a.c.ctx->errors == 0, "style_apply failed: %s", capture_text(&a.c));
    if (!a.tree) {
        apply_end(&a);
        return;
    }
    const st_block *body = child(a.tree->root, 0), *s1 = child(body, 0), *s2 = child(s1, 1);
    const st_block *callout = child(s2, 1), *list = child(s1, 2), *item2 = child(list, 1);
    struct { const st_block *b; const char *want; } cases[] = {
        {a.tree->root, "Document/-/-"}, {body, "-/-/-"}, {s1, "Sect/-/-"},
        {child(s1, 0), "H1/-/-"}, {child(s2, 0), "H2/-/-"}, {callout, "Aside/-/-"},
        {child(callout, 0), "H3/-/-"}, {child(callout, 1), "P/-/-"}, {list, "L/-/-"},
        {child(list, 0), "LI/LBody/Lbl"}, {item2, "LI/-/-"}, {child(item2, 0), "LBody/-/Lbl"},
        {child(s1, 3), "Div/-/-"}, {child(child(s1, 3), 0), "Caption/-/-"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        CHECK(strcmp(tags_of(cases[i].b, buf, sizeof buf), cases[i].want) == 0,
              "case %zu: %s, want %s", i, buf, cases[i].want);
    apply_end(&a);
}

static void test_sheet_back_errors(void)
{
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <back/>\n  <back/>\n</stylesheet>\n",
                    5, 3, (const char *const[]){"<back>", NULL});
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <back><part><toc current-style=\"nope\"/></part></back>\n"
                    "</stylesheet>\n", 4, 20, (const char *const[]){"'nope'", "current-style", NULL});
    check_bad_sheet(SHEET_HEAD PAGE_A5 "  <style name=\"p\" float=\"left\"/>\n</stylesheet>\n",
                    4, 19, (const char *const[]){"'left'", "float", "none, top or bottom", NULL});
}

int main(void)
{
    test_parse_length_units();
    test_parse_length_rejects();
    test_parse_color();
    test_sheet_valid();
    test_sheet_unknown_property();
    test_sheet_invalid_value();
    test_sheet_undefined_parent();
    test_sheet_parent_loop();
    test_sheet_missing_page();
    test_sheet_unknown_page_size();
    test_apply();
    test_apply_undefined_style();
    test_label_with_repeated_number();
    test_sheet_value_ranges();
    test_image_pixel_limits();
    test_tree_outlives_doc_and_sheet();
    test_unhandled_element_is_internal_error();
    test_back_matter_toc();
    test_sheet_back_errors();
    test_structure_tags();
    return unit_done("test_style");
}
