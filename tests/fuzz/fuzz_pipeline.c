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
 * in a directory that does not exist).
 *
 * One pb_ctx (and so one font cache) serves every input; its counters are
 * reset before each.  Diagnostics go to /dev/null, or to stderr when
 * PAIBAN_FUZZ_VERBOSE is set.  Paths are relative to PAIBAN_ROOT (the
 * project directory, set by the Makefile).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "ctx.h"
#include "dl.h"
#include "doc.h"
#include "font.h"
#include "layout.h"
#include "pdf.h"
#include "style.h"

#ifndef PAIBAN_ROOT
#define PAIBAN_ROOT "."
#endif

enum { FUZZ_MAX_INPUT = 65536, FUZZ_MAX_PAGES = 50 };

static const char SEPARATOR[] = "\n--paiban-style--\n";

static pb_ctx *ctx;
static char *default_sheet;
static size_t default_sheet_len;

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

/* Free what init() made, so that a leak check at exit sees only real leaks. */
static void cleanup(void)
{
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!ctx)
        init();
    ctx->errors = 0;
    ctx->warnings = 0;

    const char *xml = (const char *)data, *sheet_buf = default_sheet;
    size_t xml_len = size, sheet_len = default_sheet_len;
    const uint8_t *sep = find_separator(data, size);
    if (sep) {
        xml_len = (size_t)(sep - data);
        sheet_buf = (const char *)sep + sizeof SEPARATOR - 1;
        sheet_len = size - xml_len - (sizeof SEPARATOR - 1);
    }

    doc *d = doc_load_buffer(ctx, "(fuzz)/input.xml", xml, xml_len,
                             PAIBAN_ROOT "/xml/paiban.rng");
    style_sheet *sheet = d ? style_sheet_load_buffer(ctx, "(fuzz)/style.xml", sheet_buf, sheet_len)
                           : NULL;
    st_tree *tree = sheet ? style_apply_part(ctx, sheet, d, NULL) : NULL;
    composer *comp = tree ? composer_new(ctx) : NULL;
    dl_document *pages = tree ? layout_document(ctx, comp, tree) : NULL;
    if (pages && pages->npages <= FUZZ_MAX_PAGES) {
        pdf_options po = {.have_epoch = 1, .epoch = 0};
        unsigned char *pdf = NULL;
        size_t len = 0;
        if (pdf_render(ctx, pages, &po, &pdf, &len) == 0 &&
            (len < 8 || memcmp(pdf, "%PDF-", 5) != 0)) {
            fprintf(stderr, "fuzz_pipeline: pdf_render returned no PDF\n");
            abort();
        }
        free(pdf);
    }
    dl_document_free(pages);
    if (comp)
        composer_free(comp);
    st_tree_free(tree);
    style_sheet_free(sheet);
    doc_free(d);
    return 0;
}
