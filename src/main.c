/* main.c: the command line; runs read → style → layout → (imposition →) PDF for one output. */
#include "compose.h"
#include "ctx.h"
#include "doc.h"
#include "layout.h"
#include "pdf.h"
#include "style.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAIBAN_VERSION "0.1.0"

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

typedef struct options {
    const char *style;
    const char *output;
    const char *input;
    const char *schema;
    const char *fonts;
    const char *output_intent;
    impose_options impose;
} options;

/* Points per millimetre. */
#define MM_PT (72.0 / 25.4)

static const char USAGE[] =
    "usage: paiban [-s STYLE.xml] [--marks] [--impose saddle] -o OUT.pdf INPUT.xml\n"
    "\n"
    "Typeset an XML document as a paginated PDF.\n"
    "\n"
    "  -s, --style FILE    style sheet (default: styles/print.xml of the installation)\n"
    "  -o, --output FILE   the PDF to write; it is replaced only when complete\n"
    "      --schema FILE   RELAX NG schema to validate against (default: xml/paiban.rng)\n"
    "      --fonts DIR     font directory searched before the system (default: fonts/)\n"
    "      --marks         crop marks, fold marks and a slug line outside the bleed\n"
    "      --impose saddle 2-up printer's spreads for a saddle-stitched booklet\n"
    "                      (--impose none, the default: one trimmed page per PDF page)\n"
    "      --sheet SIZE    sheet for --impose saddle: A4 (default, landscape), A3,\n"
    "                      or WIDTHxHEIGHTmm\n"
    "      --creep MM      shift toward the fold per sheet, from the outermost one\n"
    "      --output-intent FILE  CMYK printer ICC profile for the PDF/X output intent\n"
    "                      (default: Ghostscript's default_cmyk.icc, package libgs-common)\n"
    "  -h, --help          show this help\n"
    "      --version       show the version\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, gives the PDF's creation date; without it the\n"
    "PDF carries no date, so the same input always gives the same bytes.\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage or environment.\n";

/*
 * A file of the installation: rel under the nearest ancestor of the
 * executable's directory that has it (build/paiban and build/asan/paiban
 * both find the project's xml/ and styles/).  Falls back to rel itself.
 */
static char *installed_path(const char *rel)
{
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0)
        return pb_strdup(rel);
    dir[n] = '\0';
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        *slash = '\0';
        char *path = pb_alloc(strlen(dir) + strlen(rel) + 2);
        sprintf(path, "%s/%s", dir, rel);
        if (access(path, F_OK) == 0)
            return path;
        free(path);
    }
    return pb_strdup(rel);
}

/* Parse a --sheet value (A3, A4: landscape; WIDTHxHEIGHTmm) into points; -1 if bad. */
static int parse_sheet(const char *v, impose_options *io)
{
    double w, h;
    char unit[4] = "", extra;
    if (strcmp(v, "A4") == 0 || strcmp(v, "a4") == 0)
        w = 297, h = 210;
    else if (strcmp(v, "A3") == 0 || strcmp(v, "a3") == 0)
        w = 420, h = 297;
    else if (sscanf(v, "%lfx%lf%3[a-z]%c", &w, &h, unit, &extra) != 3 ||
             strcmp(unit, "mm") != 0 || !(w > 0 && h > 0 && w < 5000 && h < 5000))
        return -1;
    io->sheet_width = (float)(w * MM_PT);
    io->sheet_height = (float)(h * MM_PT);
    return 0;
}

/* Parse a --creep value in millimetres (>= 0) into points; -1 if bad. */
static int parse_creep(const char *v, impose_options *io)
{
    char *end;
    double mm = strtod(v, &end);
    if (end == v || *end || !(mm >= 0 && mm <= 10))
        return -1;
    io->creep = (float)(mm * MM_PT);
    return 0;
}

/* Apply one of the print-edition options (c: its short code) with value v; -1 if bad. */
static int print_option(int c, const char *v, options *o)
{
    switch (c) {
    case 'M': o->impose.marks = 1; return 0;
    case 'I':
        if (strcmp(v, "saddle") != 0 && strcmp(v, "none") != 0)
            break;
        o->impose.mode = strcmp(v, "saddle") == 0 ? IMPOSE_SADDLE : IMPOSE_NONE;
        return 0;
    case 'P': if (parse_sheet(v, &o->impose) == 0) return 0; break;
    case 'C': if (parse_creep(v, &o->impose) == 0) return 0; break;
    case 'O': o->output_intent = v; return 0;
    }
    fprintf(stderr, "paiban: error: bad value '%s' for %s (%s)\n", v,
            c == 'I' ? "--impose" : c == 'P' ? "--sheet" : "--creep",
            c == 'I' ? "saddle or none" : c == 'P' ? "A4, A3 or WIDTHxHEIGHTmm"
            : "millimetres, 0 to 10");
    return -1;
}

/* Parse the command line into opts; returns -1 (after printing) on bad usage, 1 when done. */
static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"style", required_argument, 0, 's'}, {"output", required_argument, 0, 'o'},
        {"schema", required_argument, 0, 'S'}, {"fonts", required_argument, 0, 'F'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'},
        {"marks", no_argument, 0, 'M'}, {"impose", required_argument, 0, 'I'},
        {"sheet", required_argument, 0, 'P'}, {"creep", required_argument, 0, 'C'},
        {"output-intent", required_argument, 0, 'O'}, {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 's': o->style = optarg; break;
        case 'o': o->output = optarg; break;
        case 'S': o->schema = optarg; break;
        case 'F': o->fonts = optarg; break;
        case 'h': fputs(USAGE, stdout); return 1;
        case 'V': printf("paiban %s\n", PAIBAN_VERSION); return 1;
        case 'M': case 'I': case 'P': case 'C': case 'O':
            if (print_option(c, optarg, o) != 0)
                return -1;
            break;
        case ':': fprintf(stderr, "paiban: error: option '%s' needs a value\n", argv[optind - 1]); return -1;
        default: fprintf(stderr, "paiban: error: unknown option '%s'\n", argv[optind - 1]); return -1;
        }
    }
    if (optind != argc - 1 || !o->output) {
        fprintf(stderr, "paiban: error: %s\n%s", !o->output ? "no output file given (-o OUT.pdf)"
                : "expected exactly one input file", USAGE);
        return -1;
    }
    o->input = argv[optind];
    return 0;
}

/* Read SOURCE_DATE_EPOCH into the PDF options; -1 when it is malformed. */
static int read_epoch(pdf_options *po)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0 || v > 253402300799LL) {
        fprintf(stderr, "paiban: error: SOURCE_DATE_EPOCH='%s' is not a number of seconds since 1970\n", s);
        return -1;
    }
    po->have_epoch = 1;
    po->epoch = v;
    return 0;
}

/* Run the whole pipeline for one output; returns an exit status. */
static int build(pb_ctx *ctx, const options *o, const pdf_options *po)
{
    int status = EXIT_BAD_INPUT;
    doc *d = doc_load(ctx, o->input, o->schema);
    style_sheet *sheet = d ? style_sheet_load(ctx, o->style) : NULL;
    st_tree *tree = sheet ? style_apply(ctx, sheet, d) : NULL;
    composer *comp = tree ? composer_new(ctx) : NULL;
    dl_document *pages = comp ? layout_document(ctx, comp, tree) : NULL;
    if (pages) {
        int rc = pdf_write(ctx, pages, o->output, po);
        status = rc == 0 ? 0 : rc == -2 ? EXIT_BAD_INPUT : EXIT_USAGE;
    }
    dl_document_free(pages);
    composer_free(comp);
    st_tree_free(tree);
    style_sheet_free(sheet);
    doc_free(d);
    return status;
}

int main(int argc, char **argv)
{
    options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_USAGE : 0;
    pdf_options po = {0};
    po.impose = &o.impose;
    po.output_intent = o.output_intent;
    if (read_epoch(&po) < 0)
        return EXIT_USAGE;
    char *style = o.style ? NULL : installed_path("styles/print.xml");
    char *schema = o.schema ? NULL : installed_path("xml/paiban.rng");
    char *fonts = o.fonts ? NULL : installed_path("fonts");
    if (!o.style) o.style = style;
    if (!o.schema) o.schema = schema;
    if (!o.fonts) o.fonts = fonts;
    pb_ctx *ctx = pb_ctx_new(stderr);
    ctx->font_dir = o.fonts;
    int status = build(ctx, &o, &po);
    pb_ctx_free(ctx);
    free(style);
    free(schema);
    free(fonts);
    return status;
}
