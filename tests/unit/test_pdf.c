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
#include "fingerprint.h"
#include "helpers.h"

#include "ctx.h"
#include "dl.h"
#include "font.h"
#include "impose.h"
#include "output.h"
#include "pdfmeta.h"
#include "pdftags.h"

#include <ctype.h>
#include <dirent.h>
#include <time.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
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
    output_options opts = {0};
    int rc = output_write(e->ctx, &pdf_writer_ops, doc, path, &opts);
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
    test_add_text(pg, e->serif, 12, "中文排版测试，标点。", 50, 100);
    test_add_text(pg, e->sans_bold, 16, "粗体标题", 50, 140);
    dl_glyph_run *lig = test_add_text(pg, e->serif, 12, "office file", 50, 180);
    CHECK(lig->n < lig->text_n, "expected ligatures: %d glyphs for %d chars", lig->n, lig->text_n);
    dl_glyph_run *mark = test_add_text(pg, e->serif, 12, "q\xcc\x81", 50, 220);
    CHECK(mark->n == 2 && mark->glyphs[1].text_len == 0,
          "expected q + U+0301 as one two-glyph cluster (%d glyphs)", mark->n);
    dl_glyph_run *sup = test_add_text(pg, e->sans_bold, 12, "\xf0\xa0\xae\xb7", 50, 260);
    CHECK(sup->n == 1 && sup->glyphs[0].gid != 0, "U+20BB7 missing from the font");
    dl_page *pg2 = dl_add_page(doc, A5_W, A5_H);
    test_add_text(pg2, e->serif, 10.5f, "第二页。", 50, 100);
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
        test_add_text(pg, e->serif, 14, line, 30, 40 + 26.0f * l);
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
    dl_glyph_run *run = test_add_text(pg, e->serif, 12, "中文排版位置", 100, 200);
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
    b->fill = (dl_color){0, 0, 1, 0};
    b->stroked = stroke;
    b->stroke = (dl_color){1, 0, 0, 0};
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
    test_add_text(pg, e->serif, 12, "框内文字", 60, 390);   /* text after graphics, same stream */
    dl_rule *r = &dl_add_item(pg, DL_RULE)->u.rule;
    *r = (dl_rule){50, 500, 350, 500, 4, {0, 0, 0, 0}};
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
    unsigned char *img = pb_alloc(1 << 23);  /* an A3 sheet at 72 dpi is 3 MB */
    size_t n = fread(img, 1, (1 << 23) - 1, f);
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
        test_add_text(dl_add_page(doc, A5_W, A5_H), e->serif, 12, "正文", 50, 100);
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
    output_options opts = {.have_epoch = 1, .epoch = 1700000000};
    CHECK(output_write(e->ctx, &pdf_writer_ops, doc, path, &opts) == 0, "pdf_write with epoch failed");
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

/* Write doc to path in a context of its own; its diagnostics in *msg (malloc'd),
 * their counts in *errors and *warnings; what output_write returned. */
static int write_diag(const dl_document *doc, const char *path, char **msg, int *errors,
                      int *warnings)
{
    size_t len = 0;
    *msg = NULL;
    FILE *diag = open_memstream(msg, &len);
    pb_ctx *ctx = pb_ctx_new(diag);
    output_options opts = {0};
    int rc = output_write(ctx, &pdf_writer_ops, doc, path, &opts);
    fclose(diag);
    *errors = ctx->errors;
    *warnings = ctx->warnings;
    pb_ctx_free(ctx);
    return rc;
}

/* pdf_write on a bad target fails, says so, and leaves nothing behind. */
static void expect_failure(const dl_document *doc, const char *path,
                           const char *dir, const char *tmp_prefix)
{
    char *msg;
    int errors, warnings, rc = write_diag(doc, path, &msg, &errors, &warnings);
    CHECK(rc == -1, "pdf_write(%s) returned %d", path, rc);
    CHECK(errors == 1 && strstr(msg, "cannot write") && strstr(msg, path),
          "error report for %s: '%s'", path, msg);
    CHECK(count_prefixed(dir, tmp_prefix) == 0, "temporary file left in %s", dir);
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
        SKIP("the TrueType font check: DejaVu Sans (TrueType) not installed");
    } else {
        dl_document *doc = dl_document_new();
        test_add_text(dl_add_page(doc, A5_W, A5_H), tt, 12, "office fjord \xc3\xa9t\xc3\xa9", 50, 100);
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

/* ---- print edition: boxes, bleed, marks, imposition, colour, metadata ---- */

#define MM (72.0f / 25.4f)
#define BLEED (3 * MM)

/* Run a printf-formatted shell command; stdout into out.  Returns its exit status. */
static int sh(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sh(char *out, size_t size, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return run_cmd(cmd, out, size);
}

/* Write doc to path with the given imposition (NULL: 1-up) and epoch; 0 on success. */
static int write_with(const env *e, const dl_document *doc, const char *path,
                      const impose_options *io, int epoch)
{
    output_options opts = {.have_epoch = epoch, .epoch = 1700000000, .impose = io};
    int rc = output_write(e->ctx, &pdf_writer_ops, doc, path, &opts);
    CHECK(rc == 0, "pdf_write(%s) returned %d", path, rc);
    return rc;
}

/* A filled blue box on pg. */
static void blue_box(dl_page *pg, float x, float y, float w, float h)
{
    dl_box *b = &dl_add_item(pg, DL_BOX)->u.box;
    *b = (dl_box){.x = x, .y = y, .w = w, .h = h, .filled = 1, .fill = {0, 0, 1}};
}

/* n A5 pages with a 3 mm bleed, each with a box reaching 20 pt past its left
 * and right edges (into the bleed and beyond) and a line of text. */
static dl_document *bleed_document(const env *e, int n)
{
    dl_document *doc = dl_document_new();
    for (int i = 0; i < n; i++) {
        dl_page *pg = dl_add_page(doc, A5_W, A5_H);
        pg->bleed = BLEED;
        blue_box(pg, -20, 100, 80, 40);
        blue_box(pg, A5_W - 60, 100, 80, 40);
        test_add_text(pg, e->serif, 12, "出血测试", 100, 200);
    }
    return doc;
}

/* pdfinfo's box `key` for page 1 must be (x0 y0 x1 y1) within 0.01 pt. */
static void check_box(const char *info, const char *key, double x0, double y0,
                      double x1, double y1)
{
    const char *p = strstr(info, key);
    double v[4] = {-1, -1, -1, -1};
    if (p)
        sscanf(p + strlen(key) + 1, "%lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3]);
    CHECK(fabs(v[0] - x0) < 0.01 && fabs(v[1] - y0) < 0.01 && fabs(v[2] - x1) < 0.01 &&
          fabs(v[3] - y1) < 0.01, "%s is %.2f %.2f %.2f %.2f, want %.2f %.2f %.2f %.2f", key,
          v[0], v[1], v[2], v[3], x0, y0, x1, y1);
}

/* MediaBox, BleedBox and TrimBox: 1-up, 1-up with marks, and a saddle sheet on A3. */
static void test_page_boxes(const env *e)
{
    char path[256], out[4096];
    dl_document *doc = bleed_document(e, 2);
    impose_options marks = {.mode = IMPOSE_NONE, .marks = 1, .slug_name = "boxes.pdf"};
    impose_options saddle = {.mode = IMPOSE_SADDLE, .marks = 1, .sheet_width = 420 * MM, .sheet_height = 297 * MM, .slug_name = "boxes.pdf"};
    path_in(e, "boxes-1up.pdf", path, sizeof path);
    if (write_with(e, doc, path, NULL, 0) == 0 && sh(out, sizeof out, "pdfinfo -box '%s'", path) == 0) {
        check_box(out, "MediaBox:", 0, 0, 436.54, 612.28);
        check_box(out, "BleedBox:", 0, 0, 436.54, 612.28);
        check_box(out, "TrimBox:", 8.50, 8.50, 428.03, 603.78);
        check_qpdf(path);
    }
    path_in(e, "boxes-marks.pdf", path, sizeof path);
    if (write_with(e, doc, path, &marks, 0) == 0 && sh(out, sizeof out, "pdfinfo -box '%s'", path) == 0) {
        check_box(out, "MediaBox:", 0, 0, 487.56, 663.31);
        check_box(out, "BleedBox:", 25.51, 25.51, 462.05, 637.80);
        check_box(out, "TrimBox:", 34.02, 34.02, 453.54, 629.29);
    }
    path_in(e, "boxes-saddle.pdf", path, sizeof path);
    if (write_with(e, doc, path, &saddle, 0) == 0 && sh(out, sizeof out, "pdfinfo -box '%s'", path) == 0) {
        check_box(out, "MediaBox:", 0, 0, 1190.55, 841.89);
        check_box(out, "BleedBox:", 167.24, 114.80, 1023.31, 727.09);
        check_box(out, "TrimBox:", 175.75, 123.31, 1014.80, 718.58);
        CHECK(strstr(out, "Pages:           2\n") != NULL, "2 pages -> 1 paper, 2 sheets: %s", out);
        check_qpdf(path);
    }
    dl_document_free(doc);
}

/* With marks the page sits at bleed + margin: glyphs move, and nothing shows past the bleed. */
static void test_bleed_drawing(const env *e)
{
    char path[256];
    size_t size = 65536;
    char *out = pb_alloc(size);
    double off = BLEED + IMPOSE_MARK_MARGIN, x = -1, y = -1;
    dl_document *doc = bleed_document(e, 1);
    impose_options marks = {.mode = IMPOSE_NONE, .marks = 1, .slug_name = "bleed.pdf"};
    path_in(e, "bleed.pdf", path, sizeof path);
    if (write_with(e, doc, path, &marks, 0) == 0) {
        CHECK(sh(out, size, "mutool draw -q -F stext -o - '%s' 2>&1", path) == 0 &&
              stext_char(out, 0, &x, &y), "no glyph in stext");
        CHECK(fabs(x - (100 + off)) < 0.1 && fabs(y - (200 + off)) < 0.1,
              "first glyph at %.2f,%.2f, want %.2f,%.2f", x, y, 100 + off, 200 + off);
        unsigned char *img = render(e, path);
        CHECK(img != NULL, "cannot render %s", path);
        int py = (int)(off + 120);
        if (img) {
            CHECK(pixel_is(img, (int)(off - BLEED + 2), py, 0, 0, 255), "box missing in the bleed");
            CHECK(pixel_is(img, (int)(off - BLEED - 3), py, 255, 255, 255), "box drawn past the bleed");
            CHECK(pixel_is(img, (int)(off + 30), py, 0, 0, 255), "box missing on the page");
            CHECK(pixel_is(img, (int)(off + A5_W + BLEED + 3), py, 255, 255, 255),
                  "right box drawn past the bleed");
        }
        free(img);
    }
    dl_document_free(doc);
    free(out);
}

/* In a spread the bleed shows on the outer edges only: at the fold the page is cut at its trim. */
static void test_saddle_clip(const env *e)
{
    char path[256];
    dl_document *doc = bleed_document(e, 2);
    impose_options saddle = {.mode = IMPOSE_SADDLE, .sheet_width = 420 * MM, .sheet_height = 297 * MM, .slug_name = "fold.pdf"};
    double x0 = (420 * MM - 2 * A5_W) / 2, fold = x0 + A5_W, y = (297 * MM - A5_H) / 2 + 120;
    path_in(e, "fold.pdf", path, sizeof path);
    if (write_with(e, doc, path, &saddle, 0) == 0) {
        unsigned char *img = render(e, path);   /* sheet 1 front: blank | page 1 */
        CHECK(img != NULL, "cannot render %s", path);
        if (img) {
            CHECK(pixel_is(img, (int)(fold - 3), (int)y, 255, 255, 255),
                  "page 1's box crosses the fold into the blank page");
            CHECK(pixel_is(img, (int)(fold + 3), (int)y, 0, 0, 255), "page 1's box missing");
            CHECK(pixel_is(img, (int)(fold + A5_W + BLEED - 2), (int)y, 0, 0, 255),
                  "no bleed at the outer edge");
            CHECK(pixel_is(img, (int)(fold + A5_W + BLEED + 3), (int)y, 255, 255, 255),
                  "drawn past the outer bleed");
        }
        free(img);
    }
    dl_document_free(doc);
}

/* The decoded content stream of PDF page `page` (1-based) into out. */
static int page_content(const char *path, int page, char *out, size_t size)
{
    return sh(out, size, "mutool show -b '%s' trailer/Root/Pages/Kids/%d/Contents 2>&1", path, page);
}

/* Colours are DeviceCMYK: grey to black ink only, marks in registration. */
static void test_cmyk(const env *e)
{
    char path[256];
    size_t size = 1 << 16;
    char *out = pb_alloc(size);
    dl_document *doc = dl_document_new();
    dl_page *pg = dl_add_page(doc, A5_W, A5_H);
    test_add_text(pg, e->serif, 12, "灰色", 50, 100)->color = (dl_color){0.2f, 0.2f, 0.2f, 0};
    *(&dl_add_item(pg, DL_RULE)->u.rule) = (dl_rule){50, 300, 300, 300, 2, {1, 0, 0, 0}};
    impose_options marks = {.mode = IMPOSE_NONE, .marks = 1, .slug_name = "cmyk.pdf"};
    path_in(e, "cmyk.pdf", path, sizeof path);
    if (write_with(e, doc, path, &marks, 0) == 0 && page_content(path, 1, out, size) == 0) {
        CHECK(strstr(out, "\n0 0 0 0.8 k\n") != NULL, "grey text not K only:\n%.400s", out);
        CHECK(strstr(out, "0 1 1 0 K") != NULL, "red rule not 0 1 1 0 K:\n%.400s", out);
        CHECK(strstr(out, "1 1 1 1 K") != NULL && strstr(out, "\n1 1 1 1 k\n") != NULL,
              "marks and slug not in registration colour");
        CHECK(strstr(out, " rg") == NULL && strstr(out, " RG") == NULL, "DeviceRGB colour left");
    }
    dl_document_free(doc);
    free(out);
}

/* The string value of an XMP property (by local name) extracted with xmllint. */
static int xmp_value(const char *path, const char *name, char *out, size_t size)
{
    int st = sh(out, size, "pdfinfo -meta '%s' | xmllint --xpath "
                "'string(//*[local-name()=\"%s\"])' - 2>&1", path, name);
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';     /* xmllint ends its output with a newline */
    return st;
}

/* XMP: well-formed, markup characters escaped, values as in the Info dictionary. */
static void test_xmp(const env *e)
{
    char path[256], out[8192];
    const char *title = "A & B <C> \"D\" 'E' \xe6\xa0\x87\xe9\xa2\x98";
    dl_document *doc = meta_document(e);
    free(doc->title);
    doc->title = malloc(strlen(title) + 2);
    sprintf(doc->title, "%s\x01", title);       /* a control character XML cannot hold */
    path_in(e, "xmp.pdf", path, sizeof path);
    if (write_with(e, doc, path, NULL, 1) == 0) {
        CHECK(sh(out, sizeof out, "pdfinfo -meta '%s' | xmllint --noout - 2>&1", path) == 0,
              "XMP is not well-formed XML: %s", out);
        CHECK(sh(out, sizeof out, "pdfinfo -meta '%s'", path) == 0 &&
              strstr(out, "A &amp; B &lt;C&gt; &quot;D&quot; &apos;E&apos;"), "escaping: %s", out);
        CHECK(xmp_value(path, "title", out, sizeof out) == 0 && strcmp(out, title) == 0,
              "dc:title '%s', want '%s'", out, title);
        CHECK(xmp_value(path, "creator", out, sizeof out) == 0 && strcmp(out, "张三") == 0,
              "dc:creator '%s'", out);
        CHECK(xmp_value(path, "language", out, sizeof out) == 0 && strcmp(out, "zh-Hans") == 0,
              "dc:language '%s'", out);
        CHECK(xmp_value(path, "CreateDate", out, sizeof out) == 0 &&
              strcmp(out, "2023-11-14T22:13:20Z") == 0, "xmp:CreateDate '%s'", out);
        CHECK(xmp_value(path, "GTS_PDFXVersion", out, sizeof out) == 0 &&
              strcmp(out, "PDF/X-4") == 0, "pdfxid:GTS_PDFXVersion '%s'", out);
        CHECK(xmp_value(path, "DocumentID", out, sizeof out) == 0 && strncmp(out, "uuid:", 5) == 0 &&
              strlen(out) == 41, "xmpMM:DocumentID '%s'", out);
    }
    dl_document_free(doc);
}

/* The byte a literal-string escape \c stands for (PDF 32000 7.3.4.2), or -1. */
static int literal_escape(char c)
{
    static const char from[] = "nrtbf()\\", to[] = "\n\r\t\b\f()\\";
    const char *at = strchr(from, c);
    return c && at ? (unsigned char)to[at - from] : -1;
}

/*
 * Read one PDF string at *s into uppercase hex (at most 32 bytes) and move *s past it;
 * 0 when there is none.  mutool prints a string as (literal) when most of its bytes
 * are printable and as <hex> otherwise, so an /ID may come either way.
 */
static int pdf_string_hex(const char **s, char hex[80])
{
    const char *p = *s + strspn(*s, " \n");
    int n = 0;
    if (*p == '<') {
        size_t len = strspn(p + 1, "0123456789ABCDEFabcdef");
        if (p[1 + len] != '>' || len > 64)
            return 0;
        for (size_t k = 0; k < len; k++)
            hex[k] = (char)toupper((unsigned char)p[1 + k]);
        hex[len] = '\0';
        *s = p + len + 2;
        return 1;
    }
    if (*p++ != '(')
        return 0;
    for (; *p && *p != ')' && n < 32; p++, n++) {
        int byte = (unsigned char)*p;
        if (*p == '\\' && p[1] >= '0' && p[1] <= '7') {
            int digits = 0;
            for (byte = 0; digits < 3 && p[1] >= '0' && p[1] <= '7'; digits++)
                byte = byte * 8 + (*++p - '0');
        } else if (*p == '\\' && (byte = literal_escape(*++p)) < 0)
            return 0;
        sprintf(hex + 2 * n, "%02X", byte & 0xff);
    }
    hex[2 * n] = '\0';
    *s = p + 1;
    return *p == ')';
}

/*
 * 1 when the trailer /ID is two different 32-digit strings, not the
 * placeholder: the output's fingerprint and the file's hash; id gets both.
 */
static int read_id(const char *path, char id[80])
{
    char out[512], a[80] = "", b[80] = "";
    const char *s = out;
    if (sh(out, sizeof out, "mutool show '%s' trailer/ID", path) != 0 || *s++ != '[' ||
        !pdf_string_hex(&s, a) || !pdf_string_hex(&s, b))
        return 0;
    if (strlen(a) != 32 || strlen(b) != 32)
        return 0;
    memcpy(id, a, 32);
    memcpy(id + 32, b, 33);
    return strcmp(a, b) != 0 && strspn(a, "0") != 32 && strspn(b, "0") != 32;
}

/* Write doc (with n elements under one) to path; 1 when pdfinfo says Tagged: yes.  The
 * warnings given go to *warnings, the first message to msg. */
static int write_wide(const env *e, int n, const char *path, int *warnings, char msg[256])
{
    dl_document *doc = meta_document(e);
    int root = dl_add_struct(doc, "Document", -1, NULL);
    for (int i = 0; i < n; i++)
        dl_add_struct(doc, "P", root, NULL);
    doc->pages[0].items[0].tag = 2;
    char *diag_text, out[4096];
    int errors, rc = write_diag(doc, path, &diag_text, &errors, warnings);
    snprintf(msg, 256, "%s", diag_text ? diag_text : "");
    CHECK(rc == 0, "writing %d elements under one returned %d: %s", n, rc, msg);
    pdfinfo(path, out, sizeof out);
    free(diag_text);
    dl_document_free(doc);
    const char *tagged = strstr(out, "Tagged:");
    return tagged && strncmp(tagged + 7 + strspn(tagged + 7, " "), "yes", 3) == 0;
}

/* An element with more children than libharu's arrays hold: a warning and an untagged,
 * whole PDF; one fewer is tagged without a word. */
static void test_tags_too_wide(const env *e)
{
    char path[256], msg[256];
    int warnings;
    path_in(e, "wide.pdf", path, sizeof path);
    CHECK(write_wide(e, PDFTAGS_MAX_CHILDREN - 1, path, &warnings, msg) && warnings == 0,
          "%d elements under one: not tagged, or %d warnings: %s", PDFTAGS_MAX_CHILDREN - 1,
          warnings, msg);
    CHECK(!write_wide(e, PDFTAGS_MAX_CHILDREN, path, &warnings, msg) && warnings == 1 &&
          strstr(msg, "not tagged"), "%d elements under one: tagged, or no warning: %s",
          PDFTAGS_MAX_CHILDREN, msg);
    check_qpdf(path);
}

/* read_id's string reader on both forms mutool prints (this /ID once came as a literal). */
static void test_id_reader(void)
{
    char hex[80];
    const char *lit = "(\\260c/]%At\\346\\023mO\\324y\\231YT\\)\\n)", *h = " <0aFF>";
    CHECK(pdf_string_hex(&lit, hex) && strcmp(hex, "B0632F5D254174E6136D4FD479995954290A") == 0,
          "literal string read as %s", hex);
    CHECK(pdf_string_hex(&h, hex) && strcmp(hex, "0AFF") == 0, "hex string read as %s", hex);
}

/* The hex of the fingerprint output_write records for doc at path (write_with's options). */
static void expected_fingerprint(const env *e, const dl_document *doc, const char *path, int epoch,
                                 char hex[40])
{
    output_options opts = {.have_epoch = epoch, .epoch = 1700000000};
    unsigned char fp[PB_HASH_BYTES];
    fingerprint_output(e->ctx, doc, &opts, path, fp);
    for (int k = 0; k < PB_HASH_BYTES; k++)
        sprintf(hex + 2 * k, "%02X", fp[k]);
}

/* PDF/X-4 keys: version 1.6, Info keys, OutputIntent with a CMYK profile, /ID from the content. */
static void test_pdfx(const env *e)
{
    char path[256], out[8192], id1[80] = "", id2[80] = "", fp[40] = "";
    dl_document *doc = meta_document(e);
    path_in(e, "pdfx.pdf", path, sizeof path);
    if (write_with(e, doc, path, NULL, 1) == 0) {
        CHECK(slurp(path, out, 8) == 8 && memcmp(out, "%PDF-1.6", 8) == 0, "header %.8s", out);
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Info", path) == 0 &&
              strstr(out, "/GTS_PDFXVersion (PDF/X-4)") && strstr(out, "/Trapped /False"),
              "Info: %s", out);
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/OutputIntents", path) == 0 &&
              strstr(out, "/S /GTS_PDFX") && strstr(out, "/DestOutputProfile") &&
              strstr(out, "(Artifex CMYK SWOP Profile)"), "OutputIntents: %s", out);
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/OutputIntents/1/DestOutputProfile "
                 "| head -c 300", path) == 0 && strstr(out, "/N 4"), "profile: %s", out);
        CHECK(read_id(path, id1), "trailer /ID missing, placeholder, or its two strings equal");
        expected_fingerprint(e, doc, path, 1, fp);
        CHECK(strncmp(id1, fp, 32) == 0, "the first /ID string %.32s is not the fingerprint %s", id1, fp);
    }
    test_add_text(&doc->pages[0], e->serif, 12, "改", 50, 300);
    if (write_with(e, doc, path, NULL, 1) == 0)
        CHECK(read_id(path, id2) && strncmp(id1, id2, 32) != 0 && strcmp(id1 + 32, id2 + 32) != 0,
              "/ID did not change with the content in both strings: %s, %s", id1, id2);
    if (write_with(e, doc, path, NULL, 0) == 0) {
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Info", path) == 0 &&
              !strstr(out, "GTS_PDFXVersion") && strstr(out, "/Trapped /False"),
              "without dates there is no PDF/X claim: %s", out);
        CHECK(xmp_value(path, "GTS_PDFXVersion", out, sizeof out) == 0 && !out[0],
              "XMP claims PDF/X without dates");
    }
    dl_document_free(doc);
}

/* pdf_write with output intent profile must fail naming it and saying why. */
static void expect_profile_error(const dl_document *doc, const char *path, const char *profile,
                                 const char *why)
{
    capture c;
    pb_ctx *ctx = capture_start(&c);
    output_options opts = {.output_intent = profile};
    CHECK(output_write(ctx, &pdf_writer_ops, doc, path, &opts) == -1, "profile %s accepted", profile);
    CHECK(strstr(capture_text(&c), profile) && strstr(capture_text(&c), why),
          "profile %s: '%s'", profile, capture_text(&c));
    capture_end(&c);
}

/* --output-intent: missing and non-CMYK profiles fail; another CMYK profile works. */
static void test_output_intent(const env *e)
{
    char path[256], out[4096];
    dl_document *doc = meta_document(e);
    path_in(e, "oi.pdf", path, sizeof path);
    expect_profile_error(doc, path, "/nonexistent/cmyk.icc", "No such file");
    expect_profile_error(doc, path, PDFMETA_SRGB, "not a CMYK profile");
    expect_profile_error(doc, path, "tests/data/blue-16x8.png", "not an ICC profile");
    output_options opts = {.output_intent = "/usr/share/color/icc/ghostscript/ps_cmyk.icc"};
    CHECK(output_write(e->ctx, &pdf_writer_ops, doc, path, &opts) == 0, "ps_cmyk.icc refused");
    CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/OutputIntents", path) == 0 &&
          strstr(out, "(Artifex PS CMYK Profile)"), "v4 profile description: %s", out);
    dl_document_free(doc);
}

/* Add an image item. */
static void add_image(dl_page *pg, const char *file, float x, float y)
{
    dl_image *im = &dl_add_item(pg, DL_IMAGE)->u.image;
    *im = (dl_image){pb_strdup(file), x, y, 160, 80};
}

/* pdf_write must fail with -2 (bad input), naming the image and saying why. */
static void expect_image_error(const dl_document *doc, const char *path, const char *image,
                               const char *why)
{
    capture c;
    output_options opts = {0};
    int rc = output_write(capture_start(&c), &pdf_writer_ops, doc, path, &opts);
    CHECK(rc == -2 && strstr(capture_text(&c), image) && strstr(capture_text(&c), why),
          "image %s: returned %d: '%s'", image, rc, capture_text(&c));
    capture_end(&c);
}

/* PNG and JPEG: drawn where placed, each file embedded once, DefaultRGB given. */
static void test_images(const env *e)
{
    char path[256], out[8192];
    dl_document *doc = dl_document_new();
    dl_page *p1 = dl_add_page(doc, A5_W, A5_H);
    add_image(p1, "tests/data/blue-16x8.png", 50, 50);
    add_image(p1, "tests/data/red-16x8.jpg", 50, 200);
    add_image(dl_add_page(doc, A5_W, A5_H), "tests/data/blue-16x8.png", 50, 50);
    path_in(e, "images.pdf", path, sizeof path);
    if (write_ok(e, doc, path) == 0) {
        check_qpdf(path);
        int rows = 0, ids[3] = {0}, gen;
        CHECK(sh(out, sizeof out, "pdfimages -list '%s' | tail -n +3", path) == 0, "pdfimages");
        for (char *l = strtok(out, "\n"); l && rows < 3; l = strtok(NULL, "\n"), rows++)
            sscanf(l, "%*d %*d %*s %*d %*d %*s %*d %*d %*s %*s %d %d", &ids[rows], &gen);
        CHECK(rows == 3 && ids[0] != ids[1] && ids[2] == ids[0], "images %d %d %d (%d rows): "
              "want the PNG object twice", ids[0], ids[1], ids[2], rows);
        unsigned char *img = render(e, path);
        CHECK(img && pixel_is(img, 130, 90, 0, 0, 255) && pixel_is(img, 130, 240, 255, 0, 0) &&
              pixel_is(img, 130, 150, 255, 255, 255), "images not drawn where placed");
        free(img);
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/Pages/Kids/1/Resources", path) == 0 &&
              strstr(out, "/DefaultRGB"), "no DefaultRGB: %s", out);
    }
    add_image(p1, "tests/data/no-such-image.png", 50, 350);
    expect_image_error(doc, path, "tests/data/no-such-image.png", "no such file");
    dl_document_free(doc);
}

/* A PNG whose header is sound but whose pixel data is not: an error, not
 * libpng's abort() through libharu. */
static void test_corrupt_png(const env *e)
{
    char png[256], path[256];
    path_in(e, "corrupt.png", png, sizeof png);
    path_in(e, "corrupt.pdf", path, sizeof path);
    char *data = pb_alloc(8192);
    FILE *in = fopen("tests/data/blue-16x8.png", "rb");
    size_t n = in ? fread(data, 1, 8192, in) : 0;
    if (in)
        fclose(in);
    char *idat = NULL;
    for (size_t i = 8; !idat && i + 8 < n; i++)
        if (memcmp(data + i, "IDAT", 4) == 0)
            idat = data + i;
    CHECK(idat != NULL, "no IDAT in the test PNG");
    if (idat) {
        memset(idat + 4, 0x55, 4);      /* the zlib header and the first data bytes */
        FILE *out = fopen(png, "wb");
        fwrite(data, 1, n, out);
        fclose(out);
        dl_document *doc = dl_document_new();
        add_image(dl_add_page(doc, A5_W, A5_H), png, 50, 50);
        expect_image_error(doc, path, png, "corrupt PNG data");
        dl_document_free(doc);
    }
    free(data);
}

/* The object number of PDF page n (1-based) of path, or -1. */
static int page_object(const char *path, int n)
{
    char out[1024];
    if (sh(out, sizeof out, "mutool show '%s' trailer/Root/Pages/Kids", path) != 0)
        return -1;
    const char *p = out + 1;
    int obj = -1, used = 0;
    for (int i = 0; i < n && sscanf(p, " %d 0 R%n", &obj, &used) == 1; i++)
        p += used;
    return obj;
}

/* Links: the rectangle moved with the bleed, the target page and height; none when imposed. */
static void test_links(const env *e)
{
    char path[256], out[4096], want[64];
    dl_document *doc = meta_document(e);
    doc->pages[0].bleed = doc->pages[1].bleed = doc->pages[2].bleed = BLEED;
    dl_link *l = &dl_add_item(&doc->pages[0], DL_LINK)->u.link;
    *l = (dl_link){50, 60, 100, 20, 1, 200};
    path_in(e, "links.pdf", path, sizeof path);
    if (write_ok(e, doc, path) == 0) {
        double r[4] = {0};
        const char *rect = sh(out, sizeof out, "mutool show '%s' trailer/Root/Pages/Kids/1/Annots/1",
                              path) == 0 ? strstr(out, "/Rect [") : NULL;
        CHECK(rect && sscanf(rect, "/Rect [ %lf %lf %lf %lf", &r[0], &r[1], &r[2], &r[3]) == 4 &&
              fabs(r[0] - 58.504) < 0.01 && fabs(r[1] - 523.780) < 0.01 &&
              fabs(r[2] - 158.504) < 0.01 && fabs(r[3] - 543.780) < 0.01 &&
              strstr(out, "/Border [ 0 0 0 ]"), "link annotation: %s", out);
        snprintf(want, sizeof want, "[ %d 0 R /XYZ 0 403.77", page_object(path, 2));
        CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/Pages/Kids/1/Annots/1/Dest",
                 path) == 0 && strstr(out, want), "link target: %s, want %s", out, want);
    }
    impose_options saddle = {.mode = IMPOSE_SADDLE, .sheet_width = 420 * MM, .sheet_height = 297 * MM, .slug_name = "links.pdf"};
    if (write_with(e, doc, path, &saddle, 0) == 0) {
        for (int s = 1; s <= 2; s++)
            CHECK(sh(out, sizeof out, "mutool show '%s' trailer/Root/Pages/Kids/%d/Annots", path,
                     s) == 0 && strncmp(out, "null", 4) == 0, "imposed sheet %d has links", s);
        /* Pages 1..3 of 4: the third is on the second sheet (back: 2 | 3). */
        CHECK(sh(out, sizeof out, "mutool show '%s' outline", path) == 0 &&
              strstr(out, "\"第一章 总论\"\t#page=1") && strstr(out, "\"第二章 附录\"\t#page=2"),
              "imposed outline: %s", out);
    }
    dl_document_free(doc);
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

/* Wait ms milliseconds. */
static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Flip one byte in the middle of the file at path (not its trailer); 0 or -1. */
static int tamper(const char *path)
{
    FILE *f = fopen(path, "r+b");
    int c = -1;
    if (f && fseek(f, 1000, SEEK_SET) == 0 && (c = fgetc(f)) != EOF && fseek(f, 1000, SEEK_SET) == 0)
        fputc(c ^ 1, f);
    return f && fclose(f) == 0 && c != EOF ? 0 : -1;
}

/*
 * An output whose recorded fingerprint is what this run would write is left
 * alone without being written again (keep_same): a byte tampered with in
 * the middle stays; a change of the document writes it anew.
 */
static void test_fingerprint_skip(const env *e)
{
    char path[256], copy[300], cmd[700], out[256];
    path_in(e, "keep.pdf", path, sizeof path);
    snprintf(copy, sizeof copy, "%s.tampered", path);
    dl_document *doc = text_document(e);
    output_options opts = {.have_epoch = 1, .epoch = 1700000000, .keep_same = 1};
    CHECK(output_write(e->ctx, &pdf_writer_ops, doc, path, &opts) == 0, "first write failed");
    CHECK(tamper(path) == 0, "cannot tamper with %s", path);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, copy);
    CHECK(run_cmd(cmd, out, sizeof out) == 0, "cp: %s", out);
    int rc = output_write(e->ctx, &pdf_writer_ops, doc, path, &opts);
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", path, copy);
    CHECK(rc == 1 && run_cmd(cmd, out, sizeof out) == 0, "same fingerprint: rc %d (want 1, left "
          "alone) and the file was rewritten: %s", rc, out);
    test_add_text(&doc->pages[0], e->serif, 12, "改", 50, 300);
    rc = output_write(e->ctx, &pdf_writer_ops, doc, path, &opts);
    CHECK(rc == 0 && run_cmd(cmd, out, sizeof out) != 0, "changed document: rc %d (want 0) and the "
          "file was %srewritten", rc, rc == 0 ? "not " : "");
    /* an image that is newer than the output: written again, as make would */
    char image[300];
    snprintf(image, sizeof image, "%s.png", path);
    snprintf(cmd, sizeof cmd, "cp tests/data/blue-16x8.png '%s'", image);
    CHECK(run_cmd(cmd, out, sizeof out) == 0, "cp: %s", out);
    add_image(&doc->pages[0], image, 50, 50);
    CHECK(output_write(e->ctx, &pdf_writer_ops, doc, path, &opts) == 0, "with the image: not written");
    CHECK(tamper(path) == 0, "cannot tamper with %s", path);
    struct timespec later[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    sleep_ms(20);
    CHECK(utimensat(AT_FDCWD, image, later, 0) == 0, "cannot touch %s", image);
    CHECK(output_write(e->ctx, &pdf_writer_ops, doc, path, &opts) == 0,
          "an image newer than the output: the output was left alone");
    dl_document_free(doc);
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
        test_page_boxes(&e);
        test_bleed_drawing(&e);
        test_saddle_clip(&e);
        test_cmyk(&e);
        test_xmp(&e);
        test_id_reader();
        test_tags_too_wide(&e);
        test_pdfx(&e);
        test_output_intent(&e);
        test_images(&e);
        test_corrupt_png(&e);
        test_links(&e);
        test_fingerprint_skip(&e);
    }
    if (!getenv("KEEP_TEST_PDF") && e.dir[0] == '/') {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", e.dir);
        CHECK(system(cmd) == 0, "cannot remove %s", e.dir);
    }
    pb_ctx_free(e.ctx);
    return unit_done("test_pdf");
}
