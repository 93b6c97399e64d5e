/* ctx.c: the run context, diagnostics and checked allocation. */
#include "ctx.h"

#include <stdlib.h>
#include <string.h>

/* Create a context that prints diagnostics to diag. */
pb_ctx *pb_ctx_new(FILE *diag)
{
    pb_ctx *ctx = pb_alloc(sizeof *ctx);
    ctx->diag = diag;
    ctx->limits = PB_DEFAULT_LIMITS;
    return ctx;
}

/* Free the context and the font cache it owns. */
void pb_ctx_free(pb_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->fonts && ctx->free_fonts)
        ctx->free_fonts(ctx->fonts);
    for (int i = 0; i < ctx->nfiles; i++)
        free(ctx->files[i].path);
    free(ctx->files);
    for (int i = 0; i < ctx->nmemos; i++) {
        free(ctx->memos[i].key);
        free(ctx->memos[i].data);
        free(ctx->memos[i].note);
    }
    free(ctx->memos);
    free(ctx);
}

/* The result kept under key, or NULL. */
const pb_memo *pb_memo_find(const pb_ctx *ctx, const char *key)
{
    for (int i = 0; i < ctx->nmemos; i++)
        if (strcmp(ctx->memos[i].key, key) == 0)
            return &ctx->memos[i];
    return NULL;
}

/* Keep data and note under key (taking both); the entry. */
const pb_memo *pb_memo_keep(pb_ctx *ctx, const char *key, unsigned char *data, size_t len, char *note)
{
    pb_grow(&ctx->memos, &ctx->memos_cap, ctx->nmemos + 1, sizeof *ctx->memos);
    pb_memo *m = &ctx->memos[ctx->nmemos++];
    *m = (pb_memo){pb_strdup(key), data, len, note};
    return m;
}

/* Print one diagnostic in the file:line:col: severity: message form. */
void pb_vreport(pb_ctx *ctx, pb_pos pos, const char *severity,
                const char *fmt, va_list ap)
{
    FILE *f = ctx->diag ? ctx->diag : stderr;
    if (pos.file && pos.line > 0)
        fprintf(f, "%s:%d:%d: %s: ", pos.file, pos.line,
                pos.col > 0 ? pos.col : 1, severity);
    else if (pos.file)
        fprintf(f, "%s: %s: ", pos.file, severity);
    else
        fprintf(f, "paiban: %s: ", severity);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

/* Report an error at pos and count it. */
void pb_error(pb_ctx *ctx, pb_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pb_vreport(ctx, pos, "error", fmt, ap);
    va_end(ap);
    ctx->errors++;
}

/* Report a warning at pos and count it. */
void pb_warning(pb_ctx *ctx, pb_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pb_vreport(ctx, pos, "warning", fmt, ap);
    va_end(ap);
    ctx->warnings++;
}

/*
 * Out of memory is not an input error that a caller could recover from:
 * the one failure that ends the process (abort, so a core or a sanitizer
 * shows where).  The run's limits (ctx.h) keep inputs from getting here.
 */
static void out_of_memory(void)
{
    fputs("paiban: fatal: out of memory\n", stderr);
    abort();
}

/* Allocate zeroed memory or exit. */
void *pb_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

/* Resize memory or exit. */
void *pb_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

/* Duplicate a string or exit; NULL stays NULL. */
char *pb_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = pb_alloc(n);
    memcpy(d, s, n);
    return d;
}

/* Grow a dynamic array geometrically; new elements are zeroed. */
void pb_grow(void *items_ptr, int *cap, int need, size_t elem)
{
    void **items = items_ptr;
    if (need <= *cap)
        return;
    int ncap = *cap ? *cap : 8;
    while (ncap < need)
        ncap *= 2;
    *items = pb_realloc(*items, (size_t)ncap * elem);
    memset((char *)*items + (size_t)*cap * elem, 0,
           (size_t)(ncap - *cap) * elem);
    *cap = ncap;
}
