/*
 * ctx.h: the run context and diagnostics.
 *
 * One pb_ctx exists per run of paiban.  It is created by main() and passed
 * explicitly to every stage, so that no module keeps hidden global state.
 * It owns the diagnostics counters, the font cache (see font.h), the record
 * of files read and written (see files.h) and the run's limits with what
 * has been used of them; the caller owns the ctx itself and frees it with
 * pb_ctx_free().
 *
 * Every diagnostic has the form "file:line:col: error: message", which
 * editors and IDEs know how to jump to.  A position of line 0 means "no
 * position applies" and prints just "file: error: message".
 */
#ifndef PAIBAN_CTX_H
#define PAIBAN_CTX_H

#include <stdarg.h>
#include <stdio.h>


/* A position in a source file; file points into storage that outlives it. */
typedef struct pb_pos {
    const char *file;
    int line;
    int col;
} pb_pos;

/*
 * Limits that hold for a whole build (every output of one run, or of one
 * rebuild in watch mode): far beyond any booklet, short of exhausting the
 * machine.  Each is reported as an error at the place where it is passed.
 */
typedef struct pb_limits {
    size_t file_bytes;          /* one input file */
    size_t total_bytes;         /* every XML file read, XIncludes included */
    int includes;               /* XIncludes expanded */
    long long image_pixels;     /* one image */
    long long total_pixels;     /* every image placed */
    int pages;                  /* pages of every output (--max-pages) */
} pb_limits;

#define PB_DEFAULT_LIMITS ((pb_limits){ \
    .file_bytes = (size_t)1 << 31, .total_bytes = (size_t)1 << 31, .includes = 10000, \
    .image_pixels = 100000000LL, .total_pixels = 2000000000LL, .pages = 10000})

/* What the current build has used of its limits. */
typedef struct pb_usage {
    size_t bytes;
    int includes;
    long long pixels;
    int pages;
} pb_usage;

/* A file the run read or will write (kept by files.c). */
typedef struct pb_file {
    char *path;                 /* as the run named it (owned) */
    unsigned long long dev, ino; /* its identity; both 0 when it did not exist */
    int kind;                   /* PB_FILE_READ, PB_FILE_FONT or PB_FILE_OUTPUT */
    int build;                  /* the last build that used it */
} pb_file;

enum { PB_FILE_READ, PB_FILE_FONT, PB_FILE_OUTPUT };

/*
 * A costly result kept for the whole run, found by a key that names what it
 * was made from (e.g. a profile file's path and identity), so that a run
 * writing many PDFs makes it once.  Owned by the context.
 */
typedef struct pb_memo {
    char *key;
    unsigned char *data;
    size_t len;
    char *note;                 /* a string that goes with it, or NULL */
} pb_memo;

typedef struct pb_ctx {
    FILE *diag;                 /* where diagnostics are printed (stderr) */
    int errors;                 /* errors reported so far */
    int warnings;               /* warnings reported so far */
    int usage_errors;           /* of the errors, those of usage or environment (exit 2) */
    void *fonts;                /* owned: the font cache, made by font_get (font.h); */
    void (*free_fonts)(void *); /* ... and how to free it, so ctx need not know fonts */
    const char *font_dir;       /* project font directory searched first, or NULL */
    int include_anywhere;       /* XIncludes and images may leave the document's tree */
    pb_limits limits;
    pb_usage used;              /* reset by files_new_build */
    int build;                  /* counts builds (watch mode rebuilds) */
    int nfiles, files_cap;
    pb_file *files;             /* owned: every file read or planned as output */
    int nmemos, memos_cap;
    pb_memo *memos;             /* owned: results kept for the run (pb_memo_find) */
    const char *cache_dir;      /* where results are kept between runs (cache.h), or NULL */
    int cache_pruned;           /* the directory was brought under its bound in this run */
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

/* The result kept under key, or NULL. */
const pb_memo *pb_memo_find(const pb_ctx *ctx, const char *key);
/* Keep data (len bytes) and note (may be NULL) under key; takes both; returns the entry. */
const pb_memo *pb_memo_keep(pb_ctx *ctx, const char *key, unsigned char *data, size_t len, char *note);

/* malloc/calloc/realloc that abort with a message when memory runs out. */
void *pb_alloc(size_t size);
void *pb_realloc(void *ptr, size_t size);
char *pb_strdup(const char *s);

/* Grow *items (of *cap elements of size elem) so it can hold need elements. */
void pb_grow(void *items_ptr, int *cap, int need, size_t elem);

#endif
