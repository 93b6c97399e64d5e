/*
 * ctx.h: the run context and diagnostics.
 *
 * One pb_ctx exists per run of paiban.  It is created by main() and passed
 * explicitly to every stage, so that no module keeps hidden global state.
 * It owns the diagnostics counters and the font cache (see font.h); the
 * caller owns the ctx itself and frees it with pb_ctx_free().
 *
 * Every diagnostic has the form "file:line:col: error: message", which
 * editors and IDEs know how to jump to.  A position of line 0 means "no
 * position applies" and prints just "file: error: message".
 */
#ifndef PAIBAN_CTX_H
#define PAIBAN_CTX_H

#include <stdarg.h>
#include <stdio.h>

struct font_cache;

/* A position in a source file; file points into storage that outlives it. */
typedef struct pb_pos {
    const char *file;
    int line;
    int col;
} pb_pos;

/* The default page limit: far beyond any booklet, short of filling a disk. */
#define PB_DEFAULT_MAX_PAGES 10000

typedef struct pb_ctx {
    FILE *diag;                 /* where diagnostics are printed (stderr) */
    int errors;                 /* errors reported so far */
    int warnings;               /* warnings reported so far */
    struct font_cache *fonts;   /* owned; created lazily by font_cache_get */
    const char *font_dir;       /* project font directory searched first, or NULL */
    int include_anywhere;       /* XIncludes may leave the document's directory tree */
    int max_pages;              /* a layout longer than this is an error (0: no limit) */
} pb_ctx;

/* Create a context that prints diagnostics to diag. */
pb_ctx *pb_ctx_new(FILE *diag);
/* Free the context and everything it owns. */
void pb_ctx_free(pb_ctx *ctx);

/* Report an error at pos (printf-style message) and count it. */
void pb_error(pb_ctx *ctx, pb_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report a warning at pos and count it. */
void pb_warning(pb_ctx *ctx, pb_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report a diagnostic of the given severity word from a va_list. */
void pb_vreport(pb_ctx *ctx, pb_pos pos, const char *severity,
                const char *fmt, va_list ap);

/* malloc/calloc/realloc that abort with a message when memory runs out. */
void *pb_alloc(size_t size);
void *pb_realloc(void *ptr, size_t size);
char *pb_strdup(const char *s);

/* Grow *items (of *cap elements of size elem) so it can hold need elements. */
void pb_grow(void *items_ptr, int *cap, int need, size_t elem);

#endif
