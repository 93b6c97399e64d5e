/*
 * bench_compose: paragraphs composed per second.
 *
 * Loads a document and its style sheet, shapes every text block once, then
 * composes all of them repeatedly at the body measure.  Prints the median
 * of several timed runs; shaping and file loading are not timed.
 * usage: bench_compose DOC.xml STYLE.xml SCHEMA.rng [RUNS]
 */
#include "pipeline.h"
#include "shape.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Collect shaped text blocks of the tree into *pars. */
static void collect(pb_ctx *ctx, const st_block *b, shaped_par ***pars, int *n, int *cap)
{
    if (b->kind == ST_TEXT) {
        pb_grow(pars, cap, *n + 1, sizeof **pars);
        (*pars)[(*n)++] = shape_block(ctx, b);
        return;
    }
    for (int i = 0; i < b->nchildren; i++)
        collect(ctx, b->children[i], pars, n, cap);
}

static int cmp_double(const void *a, const void *b);

/* Append the text of every paragraph (role "p") below b to *text. */
static void gather_paragraphs(const st_block *b, char **text, size_t *len, const style **st)
{
    if (b->kind == ST_TEXT && strcmp(b->role, "p") == 0) {
        for (int i = 0; i < b->nspans; i++) {
            size_t n = strlen(b->spans[i].text);
            *text = pb_realloc(*text, *len + n + 1);
            memcpy(*text + *len, b->spans[i].text, n + 1);
            *len += n;
        }
        *st = b->style;
    }
    for (int i = 0; i < b->nchildren; i++)
        gather_paragraphs(b->children[i], text, len, st);
}

/* Median rate (calls per second) of compose_paragraph over pars, several runs. */
static double median_rate(composer *c, shaped_par **pars, int n, const compose_params *pr, int runs)
{
    double *rates = pb_alloc(sizeof *rates * (size_t)runs);
    for (int r = 0; r < runs; r++) {
        int done = 0;
        double t0 = now();
        while (now() - t0 < 0.2)
            for (int i = 0; i < n; i++, done++)
                composed_par_free(compose_paragraph(c, pars[i], pr));
        rates[r] = done / (now() - t0);
    }
    qsort(rates, (size_t)runs, sizeof *rates, cmp_double);
    double m = rates[runs / 2];
    free(rates);
    return m;
}

/* Compare doubles for qsort. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return fprintf(stderr, "usage: bench_compose DOC.xml STYLE.xml SCHEMA.rng [RUNS]\n"), 2;
    int runs = argc > 4 ? atoi(argv[4]) : 7;
    pb_ctx *ctx = pb_ctx_new(stderr);
    pipeline_sources src;
    st_tree *t = pipeline_load(ctx, argv[1], argv[3], argv[2], &src) == 0
        ? style_apply(ctx, src.sheet, src.doc) : NULL;
    if (!t)
        return 1;
    shaped_par **pars = NULL;
    int n = 0, cap = 0;
    collect(ctx, t->root, &pars, &n, &cap);
    composer *c = composer_new(ctx);
    compose_params pr = compose_default_params(t->pages[0].width - t->pages[0].margin_inner - t->pages[0].margin_outer);
    pr.indent = 21;
    printf("composer: %.0f paragraphs/s (median of %d runs, the %d text blocks of %s)\n",
           median_rate(c, pars, n, &pr, runs), runs, n, argv[1]);
    /* a long text: every paragraph of the document run together, eight times */
    char *text = NULL;
    size_t len = 0;
    const style *st = NULL;
    for (int k = 0; k < 8; k++)
        gather_paragraphs(t->root, &text, &len, &st);
    st_span span = {text, st, {argv[1], 0, 0}};
    st_block long_par = {.kind = ST_TEXT, .role = "p", .style = st, .nspans = 1, .spans = &span};
    shaped_par *lp = st ? shape_block(ctx, &long_par) : NULL;
    if (lp)
        printf("composer: %.1f long paragraphs/s (median of %d runs, %d characters each)\n",
               median_rate(c, &lp, 1, &pr, runs), runs, lp->text_n);
    shaped_par_free(lp);
    free(text);
    for (int i = 0; i < n; i++)
        shaped_par_free(pars[i]);
    free(pars);
    composer_free(c);
    st_tree_free(t);
    pipeline_sources_free(&src);
    pb_ctx_free(ctx);
    return 0;
}
