/*
 * test_pdf.c: the PDF writer, checked with the tools readers use.
 *
 * Documents are built by hand (text shaped with HarfBuzz right here), written
 * with pdf_write() into a temporary directory, and examined with qpdf,
 * pdffonts, pdftotext, pdfinfo and mutool: structure, embedded subset fonts
 * with ToUnicode maps, extracted text, glyph positions, rendered boxes,
 * metadata, outline, byte-identical rebuilds and failure handling.
 */
#include "unit.h"

#include "ctx.h"
#include "dl.h"
#include "font.h"
#include "pdf.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define A5_W 419.528f
#define A5_H 595.276f

/* The fonts and scratch directory every test uses. */
typedef struct env {
    pb_ctx *ctx;
    font *serif;                /* Noto Serif CJK SC: CID-keyed CFF */
    font *sans_bold;            /* Noto Sans CJK SC Bold */
    char dir[64];               /* scratch directory */
} env;

/* Decode UTF-8 into code points with HarfBuzz; returns a malloc'd array. */
static uint32_t *decode_utf8(const char *utf8, int *n)
{
    hb_buffer_t *b = hb_buffer_create();
    hb_buffer_add_utf8(b, utf8, -1, 0, -1);
    unsigned len;
    hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &len);
    uint32_t *cps = pb_alloc((len ? len : 1) * sizeof *cps);
    for (unsigned i = 0; i < len; i++)
        cps[i] = info[i].codepoint;     /* before shaping, these are characters */
    hb_buffer_destroy(b);
    *n = (int)len;
    return cps;
}

/* Characters in the cluster that starts at glyph i (0 for later glyphs of a cluster). */
static uint32_t cluster_len(const hb_glyph_info_t *info, unsigned n, unsigned i, int text_n)
{
    if (i > 0 && info[i - 1].cluster == info[i].cluster)
        return 0;
    unsigned j = i;
    while (j < n && info[j].cluster == info[i].cluster)
        j++;
    return (j < n ? info[j].cluster : (uint32_t)text_n) - info[i].cluster;
}

/* Shape utf8 and add it as a run whose pen starts at (x, y); returns the run. */
static dl_glyph_run *add_text(dl_page *pg, font *f, float size, const char *utf8,
                              float x, float y)
{
    dl_glyph_run *run = &dl_add_item(pg, DL_GLYPHS)->u.glyphs;
    run->font = f;
    run->size = size;
    run->text = decode_utf8(utf8, &run->text_n);
    hb_buffer_t *b = hb_buffer_create();
    hb_buffer_add_utf32(b, run->text, run->text_n, 0, run->text_n);
    hb_buffer_guess_segment_properties(b);
    hb_shape(f->hb, b, NULL, 0);
    unsigned n;
    hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &n);
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, &n);
    run->n = (int)n;
    run->glyphs = pb_alloc((n ? n : 1) * sizeof *run->glyphs);
    float scale = size / f->upem;
    for (unsigned i = 0; i < n; i++) {
        dl_glyph *g = &run->glyphs[i];
        g->gid = info[i].codepoint;
        g->x = x + pos[i].x_offset * scale;
        g->y = y - pos[i].y_offset * scale;
        g->text_start = info[i].cluster;
        g->text_len = cluster_len(info, n, i, run->text_n);
        x += pos[i].x_advance * scale;
    }
    hb_buffer_destroy(b);
    return run;
}

/* Run a shell command; its stdout goes to out (NUL-terminated). Returns the exit status. */
static int run_cmd(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    while (fgetc(p) != EOF)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Remove ASCII whitespace in place. */
static void strip_space(char *s)
{
    char *d = s;
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t' && *s != '\f')
            *d++ = *s;
    *d = '\0';
}

/* Build path = dir/name. */
static void path_in(const env *e, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", e->dir, name);
}

/* Write doc to path without an epoch and check pdf_write succeeded. */
static int write_ok(const env *e, const dl_document *doc, const char *path)
{
    pdf_options opts = {0, 0};
    int rc = pdf_write(e->ctx, doc, path, &opts);
    CHECK(rc == 0, "pdf_write(%s) returned %d", path, rc);
    return rc;
}

/* qpdf --check must pass without warnings. */
static void check_qpdf(const char *path)
{
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    int st = run_cmd(cmd, out, sizeof out);
    CHECK(st == 0, "qpdf --check %s: status %d:\n%s", path, st, out);
    CHECK(strstr(out, "No syntax or stream encoding errors") != NULL, "qpdf: %s", out);
    CHECK(strstr(out, "WARNING") == NULL, "qpdf warns: %s", out);
}

/* Parse one pdffonts line from the right; 1 when it was a font line. */
static int parse_font_line(char *line, char *type, size_t tsize, char flags[3][4])
{
    char *tok[32];
    int n = 0;
    for (char *t = strtok(line, " "); t && n < 32; t = strtok(NULL, " "))
        tok[n++] = t;
    if (n < 8)
        return 0;
    /* name, type words..., encoding, emb, sub, uni, object, generation */
    type[0] = '\0';
    for (int i = 1; i < n - 6; i++) {
        if (i > 1)
            strncat(type, " ", tsize - strlen(type) - 1);
        strncat(type, tok[i], tsize - strlen(type) - 1);
    }
    for (int k = 0; k < 3; k++)
        snprintf(flags[k], 4, "%s", tok[n - 5 + k]);
    return 1;
}

/* Every font must be embedded, subset, mapped to Unicode and of type want. */
static int check_pdffonts(const char *path, const char *want)
{
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
    CHECK(run_cmd(cmd, out, sizeof out) == 0, "pdffonts %s failed", path);
    int fonts = 0;
    char *save = NULL;
    char *line = strtok_r(out, "\n", &save);
    for (int ln = 0; line; line = strtok_r(NULL, "\n", &save), ln++) {
        char type[64], flags[3][4];
        if (ln < 2 || !parse_font_line(line, type, sizeof type, flags))
            continue;
        fonts++;
        CHECK(strcmp(type, want) == 0, "font type '%s', want '%s'", type, want);
        CHECK(!strcmp(flags[0], "yes") && !strcmp(flags[1], "yes") && !strcmp(flags[2], "yes"),
              "emb/sub/uni = %s/%s/%s", flags[0], flags[1], flags[2]);
    }
    return fonts;
}

/* pdftotext output with whitespace removed must equal want. */
static void check_text(const char *path, const char *want)
{
    char cmd[512];
    size_t size = 65536;
    char *out = pb_alloc(size);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>&1", path);
    CHECK(run_cmd(cmd, out, size) == 0, "pdftotext %s failed: %s", path, out);
    char *w = pb_strdup(want);
    strip_space(out);
    strip_space(w);
    CHECK(strcmp(out, w) == 0, "pdftotext:\n got  %s\n want %s", out, w);
    free(w);
    free(out);
}

/* The text page: CJK, bold, ligatures, a multi-glyph cluster, a non-BMP character. */
static dl_document *text_document(const env *e)
{
    dl_document *doc = dl_document_new();
    dl_page *pg = dl_add_page(doc, A5_W, A5_H);
    add_text(pg, e->serif, 12, "中文排版测试，标点。", 50, 100);
    add_text(pg, e->sans_bold, 16, "粗体标题", 50, 140);
    dl_glyph_run *lig = add_text(pg, e->serif, 12, "office file", 50, 180);
    CHECK(lig->n < lig->text_n, "expected ligatures: %d glyphs for %d chars", lig->n, lig->text_n);
    dl_glyph_run *mark = add_text(pg, e->serif, 12, "q\xcc\x81", 50, 220);
    CHECK(mark->n == 2 && mark->glyphs[1].text_len == 0,
          "expected q + U+0301 as one two-glyph cluster (%d glyphs)", mark->n);
    dl_glyph_run *sup = add_text(pg, e->sans_bold, 12, "\xf0\xa0\xae\xb7", 50, 260);
    CHECK(sup->n == 1 && sup->glyphs[0].gid != 0, "U+20BB7 missing from the font");
    dl_page *pg2 = dl_add_page(doc, A5_W, A5_H);
    add_text(pg2, e->serif, 10.5f, "第二页。", 50, 100);
    return doc;
}

/* Text extraction, font embedding and structure of the text document. */
static void test_text(const env *e)
{
    char path[256];
    path_in(e, "text.pdf", path, sizeof path);
    dl_document *doc = text_document(e);
    if (write_ok(e, doc, path) == 0) {
        check_qpdf(path);
        int n = check_pdffonts(path, "CID Type 0C");
        CHECK(n == 2, "%d fonts listed, want 2", n);
        check_text(path, "中文排版测试，标点。粗体标题office file q\xcc\x81 \xf0\xa0\xae\xb7 第二页。");
    }
    dl_document_free(doc);
}

/* Writing the same document twice gives the same bytes. */
static void test_deterministic(const env *e)
{
    char a[256], b[256], cmd[600], out[256];
    path_in(e, "same1.pdf", a, sizeof a);
    path_in(e, "same2.pdf", b, sizeof b);
    dl_document *doc = text_document(e);
    write_ok(e, doc, a);
    dl_document_free(doc);
    doc = text_document(e);
    write_ok(e, doc, b);
    dl_document_free(doc);
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
    CHECK(run_cmd(cmd, out, sizeof out) == 0, "rebuild differs: %s", out);
}

/* A line of consecutive Han characters from U+4E00 on, as UTF-8. */
static void han_line(int first, int count, char *out)
{
    for (int i = 0; i < count; i++) {
        unsigned cp = 0x4E00u + (unsigned)(first + i);
        *out++ = (char)(0xE0 | cp >> 12);
        *out++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *out++ = (char)(0x80 | (cp & 0x3F));
    }
    *out = '\0';
}

/* Several hundred distinct glyphs: many CMap blocks, and the subset size. */
static void test_many_glyphs(const env *e)
{
    enum { PER_LINE = 25, LINES = 20 };
    char *all = pb_alloc(PER_LINE * LINES * 3 + 1);
    char line[PER_LINE * 3 + 1], path[256];
    dl_document *doc = dl_document_new();
    dl_page *pg = dl_add_page(doc, A5_W, A5_H);
    all[0] = '\0';
    for (int l = 0; l < LINES; l++) {
        han_line(l * PER_LINE, PER_LINE, line);
        add_text(pg, e->serif, 14, line, 30, 40 + 26.0f * l);
        strcat(all, line);
    }
    path_in(e, "many.pdf", path, sizeof path);
    if (write_ok(e, doc, path) == 0) {
        check_qpdf(path);
        check_pdffonts(path, "CID Type 0C");
        check_text(path, all);
        struct stat st;
        stat(path, &st);
        printf("test_pdf: %d distinct Han glyphs -> %lld byte PDF\n",
               PER_LINE * LINES, (long long)st.st_size);
    }
    dl_document_free(doc);
    free(all);
}

/* The next <char .../> element after p that is not a space mutool inferred from a gap. */
static const char *next_char(const char *p)
{
    while ((p = strstr(p, "<char ")) != NULL) {
        p += 6;
        const char *c = strstr(p, " c=\"");
        if (!c || c[4] != ' ')
            return p;
    }
    return NULL;
}

/* Find the n-th real <char .../> in stext output and read its x, y. */
static int stext_char(const char *xml, int n, double *x, double *y)
{
    const char *p = xml;
    for (int i = 0; i <= n && p; i++)
        p = next_char(p);
    const char *px = p ? strstr(p, " x=\"") : NULL, *py = p ? strstr(p, " y=\"") : NULL;
    if (!px || !py)
        return 0;
    *x = atof(px + 4);
    *y = atof(py + 4);
    return 1;
}

/* Glyphs land where the display list puts them, including with added spacing. */
static void test_positions(const env *e)
{
    char path[256], cmd[512];
    size_t size = 65536;
    char *out = pb_alloc(size);
    dl_document *doc = dl_document_new();
    dl_page *pg = dl_add_page(doc, A5_W, A5_H);
    dl_glyph_run *run = add_text(pg, e->serif, 12, "中文排版位置", 100, 200);
    for (int i = 0; i < run->n; i++)     /* spacing the font's advances do not give */
        run->glyphs[i].x = 100 + 13.7f * (float)i + (i > 3 ? 0.33f : 0);
    run->glyphs[5].y = 230;              /* a second line inside one run */
    path_in(e, "pos.pdf", path, sizeof path);
    if (write_ok(e, doc, path) == 0) {
        snprintf(cmd, sizeof cmd, "mutool draw -q -F stext -o - '%s' 2>&1", path);
        CHECK(run_cmd(cmd, out, size) == 0, "mutool draw failed: %s", out);
        for (int i = 0; i < run->n; i++) {
            double x = -1, y = -1;
            CHECK(stext_char(out, i, &x, &y), "glyph %d not in stext", i);
            CHECK(fabs(x - run->glyphs[i].x) < 0.1 && fabs(y - run->glyphs[i].y) < 0.1,
                  "glyph %d at %.3f,%.3f, want %.3f,%.3f", i, x, y,
                  run->glyphs[i].x, run->glyphs[i].y);
        }
    }
    dl_document_free(doc);
    free(out);
}

/* Add a box item. */
static void add_box(dl_page *pg, float x, float y, float r, int fill, int stroke, unsigned open)
{
    dl_box *b = &dl_add_item(pg, DL_BOX)->u.box;
    b->x = x;
    b->y = y;
    b->w = 100;
    b->h = 80;
    b->radius = r;
    b->filled = fill;
    b->fill = (dl_color){0, 0, 1};
    b->stroked = stroke;
    b->stroke = (dl_color){1, 0, 0};
    b->stroke_width = 4;
    b->open_edges = open;
}

/* Boxes rounded and square, filled and stroked, open at top, bottom or both, and a rule. */
static dl_document *box_document(const env *e)
{
    dl_document *doc = dl_document_new();
    dl_page *pg = dl_add_page(doc, A5_W, A5_H);
    add_box(pg, 50, 50, 10, 0, 1, DL_OPEN_TOP);
    add_box(pg, 200, 50, 0, 1, 1, 0);
    add_box(pg, 50, 200, 15, 1, 0, DL_OPEN_BOTTOM);
    add_box(pg, 200, 200, 12, 0, 1, DL_OPEN_TOP | DL_OPEN_BOTTOM);
    add_box(pg, 50, 350, 20, 1, 1, 0);
    add_text(pg, e->serif, 12, "框内文字", 60, 390);   /* text after graphics, same stream */
    dl_rule *r = &dl_add_item(pg, DL_RULE)->u.rule;
    *r = (dl_rule){50, 500, 350, 500, 4, {0, 0, 0}};
    return doc;
}

/* Read pixel (x, y) of a binary PPM held in img. */
static void ppm_pixel(const unsigned char *img, int x, int y, int rgb[3])
{
    int w, h, max, off;
    sscanf((const char *)img, "P6 %d %d %d%n", &w, &h, &max, &off);
    const unsigned char *p = img + off + 1 + ((size_t)y * (size_t)w + (size_t)x) * 3;
    for (int i = 0; i < 3; i++)
        rgb[i] = p[i];
}

/* 1 when pixel (x, y) is close to colour (r, g, b) (0 or 255 each). */
static int pixel_is(const unsigned char *img, int x, int y, int r, int g, int b)
{
    int c[3];
    ppm_pixel(img, x, y, c);
    return abs(c[0] - r) < 60 && abs(c[1] - g) < 60 && abs(c[2] - b) < 60;
}

/* Render page 1 of path at 72 dpi into a malloc'd PPM (NULL on failure). */
static unsigned char *render(const env *e, const char *path)
{
    char ppm[256], cmd[600], out[1024];
    path_in(e, "render.ppm", ppm, sizeof ppm);
    snprintf(cmd, sizeof cmd, "mutool draw -q -r 72 -o '%s' '%s' 1 2>&1", ppm, path);
    if (run_cmd(cmd, out, sizeof out) != 0)
        return NULL;
    FILE *f = fopen(ppm, "rb");
    if (!f)
        return NULL;
    unsigned char *img = pb_alloc(1 << 21);
    size_t n = fread(img, 1, (1 << 21) - 1, f);
    img[n] = 0;
    fclose(f);
    return img;
}

/* Check the rendered boxes: open edges unstroked, rounded corners empty. */
static void check_box_pixels(const unsigned char *img)
{
    CHECK(pixel_is(img, 49, 90, 255, 0, 0), "open-top box: left edge not stroked");
    CHECK(pixel_is(img, 49, 51, 255, 0, 0), "open-top box: left edge should run square to the top");
    CHECK(pixel_is(img, 100, 50, 255, 255, 255), "open-top box: top edge stroked");
    CHECK(pixel_is(img, 100, 129, 255, 0, 0), "open-top box: bottom edge not stroked");
    CHECK(pixel_is(img, 49, 129, 255, 255, 255), "open-top box: bottom-left corner not rounded");
    CHECK(pixel_is(img, 250, 90, 0, 0, 255), "square box: not filled");
    CHECK(pixel_is(img, 201, 90, 255, 0, 0), "square box: not stroked");
    CHECK(pixel_is(img, 51, 201, 255, 255, 255), "filled box: top-left corner not rounded");
    CHECK(pixel_is(img, 51, 278, 0, 0, 255), "filled open-bottom box: bottom-left not square");
    CHECK(pixel_is(img, 199, 240, 255, 0, 0), "open box: left side not stroked");
    CHECK(pixel_is(img, 250, 200, 255, 255, 255), "open box: top stroked");
    CHECK(pixel_is(img, 250, 280, 255, 255, 255), "open box: bottom stroked");
    CHECK(pixel_is(img, 200, 500, 0, 0, 0), "rule not drawn");
}

/* Boxes and rules make a valid PDF that renders as intended. */
static void test_boxes(const env *e)
{
    char path[256];
    path_in(e, "boxes.pdf", path, sizeof path);
    dl_document *doc = box_document(e);
    if (write_ok(e, doc, path) == 0) {
        check_qpdf(path);
        check_text(path, "框内文字");
        unsigned char *img = render(e, path);
        CHECK(img != NULL, "mutool could not render %s", path);
        if (img)
            check_box_pixels(img);
        free(img);
    }
    dl_document_free(doc);
}

/* A small one-page document with metadata and an outline. */
static dl_document *meta_document(const env *e)
{
    dl_document *doc = dl_document_new();
    for (int i = 0; i < 3; i++)
        add_text(dl_add_page(doc, A5_W, A5_H), e->serif, 12, "正文", 50, 100);
    doc->title = pb_strdup("排版测试：标题");
    doc->author = pb_strdup("张三");
    doc->subject = pb_strdup("主题 Subject");
    doc->keywords = pb_strdup("排版, PDF");
    doc->lang = pb_strdup("zh-Hans");
    dl_add_outline(doc, "第一章 总论", 0, 0, 100);
    dl_add_outline(doc, "第一节 范围", 1, 1, 200);
    dl_add_outline(doc, "第二章 附录", 0, 2, 50);
    return doc;
}

/* pdfinfo output for path (with ISO dates) into out. */
static void pdfinfo(const char *path, char *out, size_t size)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "pdfinfo -isodates -enc UTF-8 '%s' 2>&1", path);
    CHECK(run_cmd(cmd, out, size) == 0, "pdfinfo failed: %s", out);
}

/* Chinese metadata and dates from the epoch, and none without it. */
static void test_info(const env *e)
{
    char path[256], out[8192];
    path_in(e, "meta.pdf", path, sizeof path);
    dl_document *doc = meta_document(e);
    pdf_options opts = {1, 1700000000};
    CHECK(pdf_write(e->ctx, doc, path, &opts) == 0, "pdf_write with epoch failed");
    pdfinfo(path, out, sizeof out);
    CHECK(strstr(out, "Title:           排版测试：标题\n") != NULL, "title: %s", out);
    CHECK(strstr(out, "Author:          张三\n") != NULL, "author: %s", out);
    CHECK(strstr(out, "Subject:         主题 Subject\n") != NULL, "subject: %s", out);
    CHECK(strstr(out, "Keywords:        排版, PDF\n") != NULL, "keywords: %s", out);
    CHECK(strstr(out, "CreationDate:    2023-11-14T22:13:20Z") != NULL, "creation date: %s", out);
    CHECK(strstr(out, "ModDate:         2023-11-14T22:13:20Z") != NULL, "mod date: %s", out);
    CHECK(strstr(out, "Pages:           3\n") != NULL, "pages: %s", out);
    check_qpdf(path);
    write_ok(e, doc, path);
    pdfinfo(path, out, sizeof out);
    CHECK(strstr(out, "CreationDate") == NULL && strstr(out, "ModDate") == NULL,
          "dates without an epoch: %s", out);
    dl_document_free(doc);
}

/* The outline lists the Chinese entries, nested, and /Lang is set. */
static void test_outline(const env *e)
{
    char path[256], cmd[512], out[8192];
    path_in(e, "outline.pdf", path, sizeof path);
    dl_document *doc = meta_document(e);
    write_ok(e, doc, path);
    snprintf(cmd, sizeof cmd, "mutool show '%s' outline 2>&1", path);
    CHECK(run_cmd(cmd, out, sizeof out) == 0, "mutool show outline failed: %s", out);
    const char *a = strstr(out, "\"第一章 总论\"\t#page=1");
    const char *b = strstr(out, "\"第一节 范围\"\t#page=2");
    const char *c = strstr(out, "\"第二章 附录\"\t#page=3");
    CHECK(a && b && c && a < b && b < c, "outline:\n%s", out);
    CHECK(b && b > out + 1 && b[-1] == '\t' && b[-2] == '\t', "section not nested:\n%s", out);
    snprintf(cmd, sizeof cmd, "mutool show '%s' trailer/Root/Lang 2>&1", path);
    CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "(zh-Hans)"), "lang: %s", out);
    snprintf(cmd, sizeof cmd, "mutool show '%s' trailer/Root/Outlines/First/Dest 2>&1", path);
    CHECK(run_cmd(cmd, out, sizeof out) == 0 && strstr(out, "/XYZ 0 495.276 null"),
          "destination: %s", out);
    dl_document_free(doc);
}

/* Count entries in dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d));)
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* pdf_write on a bad target fails, says so, and leaves nothing behind. */
static void expect_failure(const dl_document *doc, const char *path,
                           const char *dir, const char *tmp_prefix)
{
    char *msg = NULL;
    size_t len = 0;
    FILE *diag = open_memstream(&msg, &len);
    pb_ctx *ctx = pb_ctx_new(diag);
    pdf_options opts = {0, 0};
    int rc = pdf_write(ctx, doc, path, &opts);
    fclose(diag);
    CHECK(rc == -1, "pdf_write(%s) returned %d", path, rc);
    CHECK(ctx->errors == 1 && strstr(msg, "cannot write PDF") && strstr(msg, path),
          "error report for %s: '%s'", path, msg);
    CHECK(count_prefixed(dir, tmp_prefix) == 0, "temporary file left in %s", dir);
    pb_ctx_free(ctx);
    free(msg);
}

/* Read a whole small file into buf; returns its length or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    long n = (long)fread(buf, 1, size, f);
    fclose(f);
    return n;
}

/* A write that fails half-way (file size limit) must leave the old file intact. */
static void test_fail_midway(const env *e, const dl_document *doc, const char *path)
{
    /* Lowering the soft limit for one call is undone below; the hard
     * limit is untouched, so raising it back is always allowed. */
    struct rlimit saved, small;
    getrlimit(RLIMIT_FSIZE, &saved);
    small = saved;
    small.rlim_cur = 2048;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &small);
    expect_failure(doc, path, e->dir, "old.pdf.tmp");
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    char buf[64];
    long n = slurp(path, buf, sizeof buf);
    CHECK(n == 9 && memcmp(buf, "old file\n", 9) == 0, "old file damaged (%ld bytes)", n);
}

/* Unwritable targets fail cleanly; an existing file survives a failed write. */
static void test_failures(const env *e)
{
    dl_document *doc = text_document(e);
    expect_failure(doc, "/nonexistent/dir/x.pdf", "/", "nonexistent");
    expect_failure(doc, "/dev/full", "/dev", "full.");
    char old[256];
    path_in(e, "old.pdf", old, sizeof old);
    FILE *f = fopen(old, "w");
    fputs("old file\n", f);
    fclose(f);
    test_fail_midway(e, doc, old);
    dl_document *empty = dl_document_new();
    expect_failure(empty, old, e->dir, "old.pdf.tmp");
    char buf[64];
    CHECK(slurp(old, buf, sizeof buf) == 9, "old file damaged by an empty document");
    dl_document_free(empty);
    dl_document_free(doc);
}

/* TrueType fonts go in as CIDFontType2 with an Identity CIDToGIDMap. */
static void test_truetype(const env *e)
{
    FILE *null = fopen("/dev/null", "w");
    pb_ctx *quiet = pb_ctx_new(null);
    font *tt = font_get(quiet, "DejaVu Sans", 0, (pb_pos){"test", 0, 0});
    char path[256];
    if (!tt || tt->is_cff) {
        printf("test_pdf: DejaVu Sans (TrueType) not installed; skipping\n");
    } else {
        dl_document *doc = dl_document_new();
        add_text(dl_add_page(doc, A5_W, A5_H), tt, 12, "office fjord \xc3\xa9t\xc3\xa9", 50, 100);
        path_in(e, "tt.pdf", path, sizeof path);
        if (write_ok(e, doc, path) == 0) {
            check_qpdf(path);
            CHECK(check_pdffonts(path, "CID TrueType") == 1, "TrueType font not listed");
            check_text(path, "office fjord \xc3\xa9t\xc3\xa9");
        }
        dl_document_free(doc);
    }
    pb_ctx_free(quiet);
    fclose(null);
}

/* Open the fonts and the scratch directory; 0 on success. */
static int env_open(env *e)
{
    e->ctx = pb_ctx_new(stderr);
    pb_pos pos = {"test_pdf", 0, 0};
    e->serif = font_get(e->ctx, "Noto Serif CJK SC", 0, pos);
    e->sans_bold = font_get(e->ctx, "Noto Sans CJK SC", 1, pos);
    snprintf(e->dir, sizeof e->dir, "/tmp/test_pdf.XXXXXX");
    CHECK(e->serif && e->sans_bold, "Noto CJK fonts missing");
    CHECK(mkdtemp(e->dir) != NULL, "mkdtemp failed");
    return e->serif && e->sans_bold ? 0 : -1;
}

int main(void)
{
    env e = {0};
    if (env_open(&e) == 0) {
        test_text(&e);
        test_deterministic(&e);
        test_many_glyphs(&e);
        test_positions(&e);
        test_boxes(&e);
        test_info(&e);
        test_outline(&e);
        test_failures(&e);
        test_truetype(&e);
    }
    if (!getenv("KEEP_TEST_PDF") && e.dir[0] == '/') {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e.dir);
        CHECK(system(cmd) == 0, "cannot remove %s", e.dir);
    }
    pb_ctx_free(e.ctx);
    return unit_done("test_pdf");
}
