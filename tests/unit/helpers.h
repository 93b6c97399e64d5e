/*
 * helpers.h: small helpers shared by the unit tests.
 *
 *   tmpdir   a mkdtemp() directory and the files a test writes into it;
 *   capture  a pb_ctx whose diagnostics go to memory, to check their text;
 *   tblock   a text block built by hand (style, spans) for shape/compose.
 *
 * Everything is static inline so each test program stays one file.
 */
#ifndef PAIBAN_TEST_HELPERS_H
#define PAIBAN_TEST_HELPERS_H

#include "ctx.h"
#include "style.h"

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

#endif
