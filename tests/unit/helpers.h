/*
 * helpers.h: small helpers shared by the unit tests.
 *
 *   tmpdir   a mkdtemp() directory and the files a test writes (or copies) into it,
 *            and read_whole_file() to read a data file back;
 *   capture  a pb_ctx whose diagnostics go to memory, to check their text;
 *   tblock   a text block built by hand (style, spans) for shape/compose;
 *   strbuf   a growable UTF-8 string, for documents generated in a loop;
 *   styled   a sheet and a document written to files, loaded and styled.
 *
 * Everything is static inline so each test program stays one file.
 */
#ifndef PAIBAN_TEST_HELPERS_H
#define PAIBAN_TEST_HELPERS_H

#include "ctx.h"
#include "style.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- temporary files ---------------------------------------------------- */

enum { TMPDIR_MAX_FILES = 8 };

typedef struct tmpdir {
    char path[64];
    int nfiles;
    char files[TMPDIR_MAX_FILES][160];
} tmpdir;

/* Create a fresh private directory under /tmp; 0 on success. */
static inline int tmpdir_make(tmpdir *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "/tmp/paiban-unit-XXXXXX");
    return mkdtemp(t->path) ? 0 : -1;
}

/* Write content to dir/name; returns the file's path (owned by t). */
static inline const char *tmpdir_write(tmpdir *t, const char *name, const char *content)
{
    if (t->nfiles == TMPDIR_MAX_FILES) {
        fprintf(stderr, "helpers.h: too many temporary files\n");
        exit(2);
    }
    char full[sizeof t->files[0]];
    snprintf(full, sizeof full, "%s/%s", t->path, name);
    char *path = t->files[t->nfiles++];
    memcpy(path, full, sizeof full);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(content, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "helpers.h: cannot write %s\n", path);
        exit(2);
    }
    return path;
}

/* Copy the file src to dir/name; returns the copy's path (owned by t), NULL on failure. */
static inline const char *tmpdir_copy(tmpdir *t, const char *name, const char *src)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return NULL;
    const char *path = tmpdir_write(t, name, "");
    FILE *out = fopen(path, "wb");
    char buf[8192];
    size_t n;
    int ok = out != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    ok = !ferror(in) && ok;
    fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok ? path : NULL;
}

/* The whole of file path, NUL-terminated (malloc'd; free it), or NULL. */
static inline char *read_whole_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t len = 0, cap = 8192;
    char *s = malloc(cap);
    size_t n;
    while (s && (n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *t = realloc(s, cap *= 2);
            if (!t)
                free(s);
            s = t;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!s || bad) {
        free(s);
        return NULL;
    }
    s[len] = '\0';
    return s;
}

/* Remove the files written and the directory. */
static inline void tmpdir_remove(tmpdir *t)
{
    for (int i = 0; i < t->nfiles; i++)
        unlink(t->files[i]);
    rmdir(t->path);
}

/* ---- captured diagnostics ----------------------------------------------- */

typedef struct capture {
    FILE *f;
    char *buf;
    size_t len;
    pb_ctx *ctx;
} capture;

/* A context whose diagnostics are kept in memory. */
static inline pb_ctx *capture_start(capture *c)
{
    memset(c, 0, sizeof *c);
    c->f = open_memstream(&c->buf, &c->len);
    if (!c->f) {
        fprintf(stderr, "helpers.h: open_memstream failed\n");
        exit(2);
    }
    c->ctx = pb_ctx_new(c->f);
    return c->ctx;
}

/* Everything reported so far. */
static inline const char *capture_text(capture *c)
{
    fflush(c->f);
    return c->buf ? c->buf : "";
}

/* Free the context and the captured text. */
static inline void capture_end(capture *c)
{
    pb_ctx_free(c->ctx);
    fclose(c->f);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* ---- hand-built text blocks --------------------------------------------- */

enum { TBLOCK_MAX_SPANS = 8 };

typedef struct tblock {
    style st;                       /* the style of spans added without one */
    st_span spans[TBLOCK_MAX_SPANS];
    st_block b;
} tblock;

/* An empty left-aligned text block in family at size points. */
static inline void tblock_init(tblock *t, const char *family, float size)
{
    memset(t, 0, sizeof *t);
    t->st.font_family = (char *)family;
    t->st.font_size = size;
    t->st.line_height = size * 1.5f;
    t->st.align = ALIGN_LEFT;
    t->b.kind = ST_TEXT;
    t->b.role = "p";
    t->b.style = &t->st;
    t->b.pos = (pb_pos){"test-block", 1, 1};
    t->b.spans = t->spans;
}

/* Append a span of UTF-8 text (borrowed) in style s, or the block's style. */
static inline void tblock_add(tblock *t, const char *text, const style *s)
{
    if (t->b.nspans == TBLOCK_MAX_SPANS) {
        fprintf(stderr, "helpers.h: too many spans\n");
        exit(2);
    }
    st_span *sp = &t->spans[t->b.nspans];
    sp->text = (char *)text;
    sp->style = s ? s : &t->st;
    sp->pos = (pb_pos){"test-block", 1, 1 + t->b.nspans};
    t->b.nspans++;
}

/* ---- growable strings ---------------------------------------------------- */

typedef struct strbuf {
    char *s;                        /* NUL-terminated; NULL until something is added */
    size_t len, cap;
} strbuf;

/* Append printf-style text. */
static inline void strbuf_printf(strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) {
            fprintf(stderr, "helpers.h: out of memory\n");
            exit(2);
        }
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Append code point cp (below U+10000) times times, as UTF-8. */
static inline void strbuf_repeat_cp(strbuf *b, uint32_t cp, int times)
{
    char u[4] = {0};
    if (cp < 0x80)
        u[0] = (char)cp;
    else if (cp < 0x800)
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
    else
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        u[2] = (char)(0x80 | (cp & 0x3F));
    for (int i = 0; i < times; i++)
        strbuf_printf(b, "%s", u);
}

/* The text so far ("" when empty). */
static inline const char *strbuf_text(const strbuf *b)
{
    return b->s ? b->s : "";
}

static inline void strbuf_free(strbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* ---- styled documents --------------------------------------------------- */

typedef struct styled {
    tmpdir dir;
    style_sheet *sheet;
    doc *doc;
    st_tree *tree;                  /* NULL when anything failed (reported to the ctx) */
} styled;

/*
 * Write sheet_text and doc_text into a fresh temporary directory, load the
 * sheet, load the document validated against schema, and style it.
 */
static inline st_tree *styled_load(styled *s, pb_ctx *ctx, const char *sheet_text,
                                   const char *doc_text, const char *schema)
{
    memset(s, 0, sizeof *s);
    if (tmpdir_make(&s->dir) != 0) {
        fprintf(stderr, "helpers.h: mkdtemp failed\n");
        exit(2);
    }
    s->sheet = style_sheet_load(ctx, tmpdir_write(&s->dir, "sheet.xml", sheet_text));
    s->doc = doc_load(ctx, tmpdir_write(&s->dir, "doc.xml", doc_text), schema);
    if (s->sheet && s->doc)
        s->tree = style_apply(ctx, s->sheet, s->doc);
    return s->tree;
}

/* Free what styled_load made and remove its files. */
static inline void styled_free(styled *s)
{
    st_tree_free(s->tree);
    doc_free(s->doc);
    style_sheet_free(s->sheet);
    tmpdir_remove(&s->dir);
    memset(s, 0, sizeof *s);
}


/* ---- raw text in one font ---------------------------------------------------- */

#include "dl.h"

/*
 * Shape UTF-8 text with HarfBuzz in font f at size points, no fallback, and
 * append it to pg as one glyph run whose pen starts at (x, y); for tests of
 * the PDF writer that need a particular font (paiban itself sets text only
 * through shape.h and label.h).
 */
static inline dl_glyph_run *test_add_text(dl_page *pg, font *f, float size, const char *utf8,
                                          float x, float y)
{
    dl_glyph_run *run = &dl_add_item(pg, DL_GLYPHS)->u.glyphs;
    run->font = f;
    run->size = size;
    hb_buffer_t *b = hb_buffer_create();
    hb_buffer_add_utf8(b, utf8, -1, 0, -1);
    unsigned len;
    hb_glyph_info_t *info = hb_buffer_get_glyph_infos(b, &len);
    run->text = pb_alloc((len ? len : 1) * sizeof *run->text);
    for (unsigned i = 0; i < len; i++)
        run->text[i] = info[i].codepoint;      /* before shaping, characters */
    run->text_n = (int)len;
    for (unsigned i = 0; i < len; i++)
        info[i].cluster = i;                   /* clusters by character */
    hb_buffer_guess_segment_properties(b);
    hb_shape(f->hb, b, NULL, 0);
    unsigned n;
    info = hb_buffer_get_glyph_infos(b, &n);
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, &n);
    run->n = (int)n;
    run->glyphs = pb_alloc((n ? n : 1) * sizeof *run->glyphs);
    float scale = size / (float)f->upem;
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;
        while (j < n && info[j].cluster == info[i].cluster)
            j++;
        int first = i == 0 || info[i - 1].cluster != info[i].cluster;
        uint32_t end = j < n ? info[j].cluster : (uint32_t)run->text_n;
        run->glyphs[i] = (dl_glyph){info[i].codepoint, x + (float)pos[i].x_offset * scale,
                                    y - (float)pos[i].y_offset * scale, info[i].cluster,
                                    first ? end - info[i].cluster : 0};
        x += (float)pos[i].x_advance * scale;
    }
    hb_buffer_destroy(b);
    return run;
}

#endif
