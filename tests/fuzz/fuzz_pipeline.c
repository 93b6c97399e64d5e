/*
 * fuzz_pipeline.c: libFuzzer harness for the whole pipeline, in memory.
 *
 * An input is an XML document, optionally followed by a style sheet after
 * a line "--paiban-style--" (the separator is "\n--paiban-style--\n");
 * without one, styles/print.xml is the sheet.  The document is validated
 * against xml/paiban.rng, styled, laid out and rendered to PDF bytes; no
 * file is written.  Inputs over FUZZ_MAX_INPUT bytes are ignored, and a
 * display list of more than FUZZ_MAX_PAGES pages is not rendered, so that every
 * execution stays fast.  XIncludes are refused (the document's name lies
 * in a directory that does not exist) unless PAIBAN_FUZZ_DOCDIR names a
 * real directory: the document is then "$PAIBAN_FUZZ_DOCDIR/input.xml", so
 * that its XIncludes and <image src> resolve there (tests/fuzz/gen.py
 * writes images and included files into such a directory).
 *
 * PAIBAN_FUZZ_STATS=1 prints at exit how far the inputs got, as
 * "fuzz_pipeline: rendered N of M inputs (...)"; PAIBAN_FUZZ_STATS=2 also
 * prints one line per input, "fuzz_pipeline: input K: STAGE", where STAGE
 * is the first stage that stopped it, or "rendered" (see stage_names).
 *
 * One pb_ctx (and so one font cache) serves every input; its counters are
 * reset before each, and each input is a new build (files_new_build), so
 * that the limits of one run (pages, bytes, pixels) count afresh.  Diagnostics go to /dev/null, or to stderr when
 * PAIBAN_FUZZ_VERBOSE is set.  Paths are relative to PAIBAN_ROOT (the
 * project directory, set by the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "files.h"
#include "font.h"
#include "pipeline.h"

#ifndef PAIBAN_ROOT
#define PAIBAN_ROOT "."
#endif

enum { FUZZ_MAX_INPUT = 65536, FUZZ_MAX_PAGES = 50 };

static const char SEPARATOR[] = "\n--paiban-style--\n";

static pb_ctx *ctx;
static char *default_sheet;
static size_t default_sheet_len;

/* How far an input got: the stage that stopped it, or STAGE_RENDERED. */
typedef enum stage {
    STAGE_TOO_LARGE, STAGE_DOCUMENT, STAGE_STYLE_SHEET, STAGE_TYPESET,
    STAGE_PAGE_LIMIT, STAGE_RENDER_FAILED, STAGE_RENDERED, NSTAGES
} stage;
static const char *const stage_names[NSTAGES] = {
    "too-large", "document-rejected", "style-sheet-rejected", "styling-or-layout-failed",
    "over-page-limit", "render-failed", "rendered",
};
static int stats_level;             /* PAIBAN_FUZZ_STATS: 0, 1 (summary) or 2 (per input) */
static long stage_count[NSTAGES];   /* inputs that stopped at each stage */
static long inputs_seen;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read a whole file once at start-up; exits when it cannot. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "fuzz_pipeline: cannot read %s\n", path);
        exit(2);
    }
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fuzz_pipeline: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Print the PAIBAN_FUZZ_STATS summary: how many inputs reached each stage. */
static void print_stats(void)
{
    fprintf(stderr, "fuzz_pipeline: rendered %ld of %ld inputs (", stage_count[STAGE_RENDERED],
            inputs_seen);
    for (int i = 0; i < STAGE_RENDERED; i++)
        fprintf(stderr, "%s%s %ld", i ? ", " : "", stage_names[i], stage_count[i]);
    fprintf(stderr, ")\n");
}

/* Count (and with PAIBAN_FUZZ_STATS=2 print) the stage an input reached. */
static void record_stage(stage st)
{
    stage_count[st]++;
    if (stats_level >= 2)
        fprintf(stderr, "fuzz_pipeline: input %ld: %s\n", inputs_seen, stage_names[st]);
}

/* Free what init() made, so that a leak check at exit sees only real leaks. */
static void cleanup(void)
{
    if (stats_level)
        print_stats();
    FILE *diag = ctx->diag;
    pb_ctx_free(ctx);
    if (diag != stderr)
        fclose(diag);
    free(default_sheet);
}

/*
 * The context, the default sheet, and fontconfig's start-up: FcInit leaks
 * a little once (fontconfig 2.14's config parser), which must happen
 * before the first input or libFuzzer reports it as that input's leak.
 */
static void init(void)
{
    FILE *diag = getenv("PAIBAN_FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
    if (!diag)
        diag = stderr;
    const char *stats = getenv("PAIBAN_FUZZ_STATS");
    stats_level = stats && *stats ? atoi(stats) > 1 ? 2 : 1 : 0;
    ctx = pb_ctx_new(diag);
    ctx->font_dir = PAIBAN_ROOT "/fonts";
    default_sheet = slurp(PAIBAN_ROOT "/styles/print.xml", &default_sheet_len);
    font_get(ctx, "Noto Sans CJK SC", 0, (pb_pos){"(fuzz)", 0, 0});
    atexit(cleanup);
}

/* Where the separator starts in data, or NULL. */
static const uint8_t *find_separator(const uint8_t *data, size_t size)
{
    size_t n = sizeof SEPARATOR - 1;
    for (size_t i = 0; i + n <= size; i++)
        if (data[i] == '\n' && memcmp(data + i, SEPARATOR, n) == 0)
            return data + i;
    return NULL;
}

/* libFuzzer calls this once before the first input (replay.c does not: init is lazy). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init();
    return 0;
}

/* The name the document is given: in PAIBAN_FUZZ_DOCDIR, else in "(fuzz)" (no such directory). */
static const char *document_name(char *buf, size_t size)
{
    const char *dir = getenv("PAIBAN_FUZZ_DOCDIR");
    if (!dir || !*dir)
        return "(fuzz)/input.xml";
    snprintf(buf, size, "%s/input.xml", dir);
    return buf;
}

/* Run one input through the whole pipeline; libFuzzer's entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx)
        init();
    inputs_seen++;
    if (size > FUZZ_MAX_INPUT) {
        record_stage(STAGE_TOO_LARGE);
        return 0;
    }
    ctx->errors = 0;
    ctx->warnings = 0;
    ctx->usage_errors = 0;
    files_new_build(ctx);       /* each input is a build of its own: the run's limits count afresh */

    const char *xml = (const char *)data, *sheet_buf = default_sheet;
    size_t xml_len = size, sheet_len = default_sheet_len;
    const uint8_t *sep = find_separator(data, size);
    if (sep) {
        xml_len = (size_t)(sep - data);
        sheet_buf = (const char *)sep + sizeof SEPARATOR - 1;
        sheet_len = size - xml_len - (sizeof SEPARATOR - 1);
    }

    char name[4096];
    pipeline_sources src;
    pipeline_load_buffers(ctx, document_name(name, sizeof name), xml, xml_len, "(fuzz)/style.xml",
                          sheet_buf, sheet_len, PAIBAN_ROOT "/xml/paiban.rng", &src);
    composer *comp = src.sheet ? composer_new(ctx) : NULL;
    dl_document *pages = comp ? pipeline_typeset(ctx, comp, &src, NULL) : NULL;
    stage st = !src.doc ? STAGE_DOCUMENT : !src.sheet ? STAGE_STYLE_SHEET
             : !pages ? STAGE_TYPESET
             : pages->npages > FUZZ_MAX_PAGES ? STAGE_PAGE_LIMIT : STAGE_RENDER_FAILED;
    if (pages && pages->npages <= FUZZ_MAX_PAGES) {
        output_options po = {.have_epoch = 1, .epoch = 0};
        unsigned char *pdf = NULL;
        size_t len = 0;
        if (output_render(ctx, &pdf_writer_ops, pages, &po, NULL, &pdf, &len) == 0) {
            if (len < 8 || memcmp(pdf, "%PDF-", 5) != 0) {
                fprintf(stderr, "fuzz_pipeline: output_render returned no PDF\n");
                abort();
            }
            st = STAGE_RENDERED;
        }
        free(pdf);
    }
    record_stage(st);
    dl_document_free(pages);
    if (comp)
        composer_free(comp);
    pipeline_sources_free(&src);
    return 0;
}
