/*
 * main.c: the command line.  Reads the document and the style sheet once,
 * then runs style → layout → (imposition →) PDF for each output: the whole
 * document, one element of it (--select), or one output per element
 * (--split).  Optionally writes a make dependency file and watches the
 * sources to rebuild on every save (--watch).
 */
#include "ctx.h"
#include "files.h"
#include "pipeline.h"
#include "text.h"
#include "watch.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAIBAN_VERSION "0.2.0"

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

typedef struct options {
    const char *style;
    const char *output;
    const char *input;
    const char *schema;
    const char *fonts;
    const char *output_intent;
    impose_options impose;
    const char *split;          /* one output per element of this name */
    const char *select;         /* only the element with this id */
    const char *depfile;        /* write a make dependency file here */
    const char *deptarget;      /* its target; default: the outputs */
    int watch;                  /* rebuild on every save */
    int include_anywhere;       /* XIncludes may leave the document's tree */
    int max_pages;              /* 0: the default limit */
    int sheet_given, creep_given; /* for options that only apply to imposition */
} options;

/* Points per millimetre. */
#define MM_PT (72.0 / 25.4)

static const char USAGE[] =
    "usage: paiban [-s STYLE.xml] [--marks] [--impose saddle] -o OUT.pdf INPUT.xml\n"
    "\n"
    "Typeset an XML document as a paginated PDF.\n"
    "\n"
    "  -s, --style FILE    style sheet (default: styles/booklet.xml of the installation)\n"
    "  -o, --output FILE   the PDF to write; it is replaced only when complete\n"
    "      --schema FILE   RELAX NG schema to validate against (default: xml/paiban.rng)\n"
    "      --fonts DIR     font directory searched before the system (default: fonts/)\n"
    "      --marks         crop marks, fold marks and a slug line outside the bleed\n"
    "      --impose saddle 2-up printer's spreads for a saddle-stitched booklet\n"
    "                      (--impose none, the default: one trimmed page per PDF page)\n"
    "      --sheet SIZE    sheet for --impose saddle: A4 (default, landscape), A3,\n"
    "                      or WIDTHxHEIGHTmm\n"
    "      --creep MM      shift toward the fold per sheet, from the outermost one\n"
    "      --impose contact  every page small on one sheet, spreads side by side:\n"
    "                      a proof to look at\n"
    "      --nup N         N pages (2 or 4) per A4 sheet with cut marks; a one-page\n"
    "                      document is repeated, e.g. two A5 handouts on one A4 sheet\n"
    "      --output-intent FILE  CMYK printer ICC profile for the PDF/X output intent\n"
    "                      (default: Ghostscript's default_cmyk.icc, package libgs-common)\n"
    "      --split ELEMENT one PDF per ELEMENT of the body (e.g. callout); -o is then a\n"
    "                      pattern whose %d or %02d is the element's number= (or its\n"
    "                      position); outputs whose bytes would not change are left alone\n"
    "      --select ID     typeset only the element with id=ID (e.g. trend-3)\n"
    "      --depfile FILE  write a make dependency file: the outputs depend on every\n"
    "                      XML file read (XIncludes too), the schema, the style sheet and\n"
    "                      the font files used\n"
    "      --deptarget T   the target named in it (default: the outputs)\n"
    "      --watch         after building, rebuild whenever a source is saved (Ctrl-C ends)\n"
    "      --include-anywhere  let XIncludes reach outside the document's directory tree\n"
    "      --max-pages N   stop with an error past N pages (default 10000)\n"
    "  -h, --help          show this help\n"
    "      --version       show the version\n"
    "\n"
    "SOURCE_DATE_EPOCH, when set, gives the PDF's dates; without it they are the\n"
    "newest modification time of the inputs, so the same inputs give the same bytes.\n"
    "More: man paiban.  Examples: share/paiban/examples of the installation.\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage or environment.\n";

/*
 * A file of the installation: rel under the nearest ancestor of the
 * executable's directory that has it, directly (build/paiban and
 * build/asan/paiban find the project's xml/ and styles/) or in
 * share/paiban (PREFIX/bin/paiban finds PREFIX/share/paiban/styles/…, and
 * still does when the installed tree is moved).  Falls back to rel itself.
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
        static const char *const homes[] = {"", "share/paiban/"};
        for (int h = 0; h < 2; h++) {
            char *path = pb_alloc(strlen(dir) + strlen(homes[h]) + strlen(rel) + 2);
            sprintf(path, "%s/%s%s", dir, homes[h], rel);
            if (access(path, F_OK) == 0)
                return path;
            free(path);
        }
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
    case 'I': {
        static const char *const modes[] = {"none", "saddle", "contact", NULL};
        static const impose_mode values[] = {IMPOSE_NONE, IMPOSE_SADDLE, IMPOSE_CONTACT};
        for (int i = 0; modes[i]; i++)
            if (strcmp(v, modes[i]) == 0) {
                o->impose.mode = values[i];
                return 0;
            }
        break;
    }
    case 'U':
        if (strcmp(v, "2") != 0 && strcmp(v, "4") != 0)
            break;
        o->impose.mode = IMPOSE_NUP;
        o->impose.nup = v[0] - '0';
        return 0;
    case 'P': o->sheet_given = 1; if (parse_sheet(v, &o->impose) == 0) return 0; break;
    case 'C': o->creep_given = 1; if (parse_creep(v, &o->impose) == 0) return 0; break;
    case 'O': o->output_intent = v; return 0;
    }
    fprintf(stderr, "paiban: error: bad value '%s' for %s (%s)\n", v,
            c == 'I' ? "--impose" : c == 'P' ? "--sheet" : c == 'U' ? "--nup" : "--creep",
            c == 'I' ? "saddle, contact or none" : c == 'P' ? "A4, A3 or WIDTHxHEIGHTmm"
            : c == 'U' ? "2 or 4" : "millimetres, 0 to 10");
    return -1;
}

/*
 * Find the one number conversion (%d, %2d, %02d …) in an output pattern:
 * 1 when there is exactly one and no other '%' but "%%"; its start and
 * end go to *slot.  The pattern is never given to printf, so a stray '%s'
 * in a file name cannot read memory.
 */
static int number_slot(const char *pattern, const char **slot)
{
    int found = 0;
    for (const char *p = pattern; (p = strchr(p, '%')); ) {
        if (p[1] == '%') {
            p += 2;
            continue;
        }
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9' && q - p < 3) /* a width of at most 2 digits */
            q++;
        if (*q != 'd' || found++)
            return 0;
        if (slot)
            *slot = p;
        p = q + 1;
    }
    return found == 1;
}

/* The output name for element number n: the pattern with its %d filled in. */
static char *output_name(const char *pattern, int n)
{
    const char *slot;
    number_slot(pattern, &slot);
    int width = 0, zero = slot[1] == '0';
    const char *q = slot + 1;
    for (; *q != 'd'; q++)
        width = width * 10 + (*q - '0');
    char *out = pb_alloc(strlen(pattern) + (size_t)width + 32), *o = out;
    for (const char *p = pattern; *p;) {
        if (p == slot) {
            o += sprintf(o, zero ? "%0*d" : "%*d", width, n);
            p = q + 1;
        } else {
            *o++ = *p;
            p += p[0] == '%' && p[1] == '%' ? 2 : 1;
        }
    }
    return out;
}

/*
 * An option that would have no effect is an error, not silence: the user
 * meant something by it.  -1 (reported) when one is given.
 */
static int check_no_effect(const options *o)
{
    const char *why = NULL;
    if (o->impose.mode != IMPOSE_SADDLE && o->impose.mode != IMPOSE_NUP && o->sheet_given)
        why = "--sheet only applies with --impose saddle or --nup";
    else if (o->impose.mode != IMPOSE_SADDLE && o->creep_given)
        why = "--creep only applies with --impose saddle";
    else if (o->deptarget && !o->depfile)
        why = "--deptarget only applies with --depfile";
    if (why) {
        fprintf(stderr, "paiban: error: %s\n", why);
        return -1;
    }
    struct stat st;
    if (o->fonts && (stat(o->fonts, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "paiban: error: --fonts %s: %s\n", o->fonts,
                errno == ENOENT ? "no such directory" : "not a directory");
        return -1;
    }
    return 0;
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
        {"output-intent", required_argument, 0, 'O'}, {"split", required_argument, 0, 'X'},
        {"select", required_argument, 0, 'L'}, {"depfile", required_argument, 0, 'D'},
        {"deptarget", required_argument, 0, 'T'}, {"watch", no_argument, 0, 'W'},
        {"include-anywhere", no_argument, 0, 'A'}, {"max-pages", required_argument, 0, 'N'},
        {"nup", required_argument, 0, 'U'},
        {0, 0, 0, 0}};
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
        case 'M': case 'I': case 'P': case 'C': case 'O': case 'U':
            if (print_option(c, optarg, o) != 0)
                return -1;
            break;
        case 'X': o->split = optarg; break;
        case 'L': o->select = optarg; break;
        case 'D': o->depfile = optarg; break;
        case 'T': o->deptarget = optarg; break;
        case 'W': o->watch = 1; break;
        case 'A': o->include_anywhere = 1; break;
        case 'N': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || errno || v <= 0 || v > INT_MAX) {
                fprintf(stderr, "paiban: error: --max-pages needs a positive whole number, not '%s'\n", optarg);
                return -1;
            }
            o->max_pages = (int)v;
            break;
        }
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
    if (o->split && o->select) {
        fprintf(stderr, "paiban: error: --split and --select cannot be combined\n");
        return -1;
    }
    if (o->split && !number_slot(o->output, NULL)) {
        fprintf(stderr, "paiban: error: with --split, -o needs one %%d or %%02d for the number, "
                "e.g. out/trend-%%02d.pdf\n");
        return -1;
    }
    return check_no_effect(o);
}

/* Read SOURCE_DATE_EPOCH into the PDF options; -1 when it is malformed. */
static int read_epoch(output_options *po)
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

/* One PDF to write: the whole document (only == NULL) or one element of it. */
typedef struct job {
    const doc_node *only;
    char *name;                 /* the output as the command line names it */
    char *path;                 /* where it is written (a link's target); NULL until planned */
} job;

/* What one build read and wrote, kept between rebuilds in watch mode. */
typedef struct run {
    const options *o;
    const output_options *po;
    pb_ctx *ctx;
    int njobs, jobs_cap;
    job *jobs;
    char *depfile;              /* where the dependency file is written, once planned */
    int nfiles, files_cap;
    char **files;               /* sources to watch: every file the last good build read */
    int status;
} run;

/* Append a job for element only (NULL: the whole document) written to name (taken). */
static void add_job(run *r, const doc_node *only, char *name)
{
    pb_grow(&r->jobs, &r->jobs_cap, r->njobs + 1, sizeof *r->jobs);
    r->jobs[r->njobs++] = (job){only, name, NULL};
}

/* -1 (reported) when two split outputs would share one file name. */
static int check_distinct(run *r)
{
    for (int i = 0; i < r->njobs; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(r->jobs[i].name, r->jobs[k].name) == 0) {
                pb_error(r->ctx, r->jobs[i].only->pos, "--split: this <%s> would be written to %s, "
                         "like the one at %s:%d; give them different number= attributes",
                         r->jobs[i].only->name, r->jobs[i].name, r->jobs[k].only->pos.file,
                         r->jobs[k].only->pos.line);
                return -1;
            }
    return 0;
}

/* Decide the outputs of this run; -1 (reported) when there are none. */
static int plan_jobs(run *r, const doc *d)
{
    if (r->o->split) {
        int n;
        const doc_node **parts = style_split(d, r->o->split, &n);
        for (int i = 0; i < n; i++) {
            int number = style_part_number(parts[i]);
            add_job(r, parts[i], output_name(r->o->output, number ? number : i + 1));
        }
        free(parts);
        if (!n)
            pb_error(r->ctx, d->root->pos, "--split %s: the body has no <%s> element", r->o->split,
                     r->o->split);
        return n ? check_distinct(r) : -1;
    }
    const doc_node *only = r->o->select ? style_select(d, r->o->select) : NULL;
    if (r->o->select && !only) {
        pb_error(r->ctx, d->root->pos, "--select %s: no element of the body has id=\"%s\"",
                 r->o->select, r->o->select);
        return -1;
    }
    add_job(r, only, pb_strdup(r->o->output));
    return 0;
}

/*
 * Declare every output before anything is written: none may be a file
 * this run reads (see files.h).  -1 (reported, a usage error) otherwise.
 */
static int plan_outputs(run *r)
{
    int bad = 0;
    for (int i = 0; i < r->njobs; i++)
        bad |= !(r->jobs[i].path = files_plan_output(r->ctx, r->jobs[i].name));
    if (r->o->depfile)
        bad |= !(r->depfile = files_plan_output(r->ctx, r->o->depfile));
    return bad ? -1 : 0;
}

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Typeset one job; an exit status.  In watch mode, says what was rewritten. */
static int run_job(run *r, const job *j, const pipeline_sources *src, composer *comp)
{
    double t0 = now_ms();
    int status = EXIT_BAD_INPUT;
    dl_document *pages = pipeline_typeset(r->ctx, comp, src, j->only);
    if (pages) {
        output_options po = *r->po;
        po.keep_same = r->o->split != NULL || r->o->watch;
        if (!po.have_epoch) { /* dates from the inputs: the same inputs, the same bytes */
            po.epoch = files_newest_mtime(r->ctx);
            po.have_epoch = po.epoch >= 0;
        }
        int rc = output_write(r->ctx, &pdf_writer_ops, pages, j->path, &po);
        status = rc >= 0 ? 0 : rc == WRITER_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_USAGE;
        if (r->o->watch && rc >= 0)
            printf("%s %s in %.0f ms\n", rc == 0 ? "rebuilt" : "unchanged", j->name, now_ms() - t0);
    }
    dl_document_free(pages);
    return r->ctx->usage_errors ? EXIT_USAGE : status; /* e.g. an image that is also an output */
}

/* Write one name into a make rule, escaping what make would misread. */
static void put_make_name(pb_str *b, const char *name)
{
    for (const char *c = name; *c; c++) {
        if (*c == ' ' || *c == '#' || *c == '\\')
            pb_str_add(b, "\\", 1);
        if (*c == '$')
            pb_str_add(b, "$", 1);
        pb_str_add(b, c, 1);
    }
}

/* The rule's target: --deptarget, else every output of the run. */
static void put_targets(pb_str *b, const run *r)
{
    if (r->o->deptarget) {
        put_make_name(b, r->o->deptarget);
        return;
    }
    for (int i = 0; i < r->njobs; i++) {
        if (i)
            pb_str_add(b, " ", 1);
        put_make_name(b, r->jobs[i].name);
    }
}

/* Write the dependency file: the outputs depend on everything read, fonts too. */
static int write_depfile(run *r)
{
    int n = files_sources(r->ctx, NULL, 0, 1);
    const char **names = pb_alloc(sizeof *names * (size_t)(n + 1));
    files_sources(r->ctx, names, n, 1);
    pb_str b = {0};
    put_targets(&b, r);
    pb_str_add(&b, ":", 1);
    for (int i = 0; i < n; i++) {
        pb_str_adds(&b, " \\\n ");
        put_make_name(&b, names[i]);
    }
    pb_str_add(&b, "\n", 1);
    for (int i = 0; i < n; i++) { /* so a deleted source does not stop make */
        pb_str_add(&b, "\n", 1);
        put_make_name(&b, names[i]);
        pb_str_adds(&b, ":\n");
    }
    int rc = files_write(r->ctx, r->depfile, (const unsigned char *)b.s, b.len, 1);
    pb_str_free(&b);
    free(names);
    return rc < 0 ? -1 : 0;
}

/* Forget the outputs of the previous build. */
static void forget_jobs(run *r)
{
    for (int i = 0; i < r->njobs; i++) {
        free(r->jobs[i].name);
        free(r->jobs[i].path);
    }
    free(r->jobs);
    r->jobs = NULL;
    r->njobs = r->jobs_cap = 0;
    free(r->depfile);
    r->depfile = NULL;
}

/* Forget the sources of the previous build. */
static void forget_files(run *r)
{
    for (int i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    free(r->files);
    r->files = NULL;
    r->nfiles = r->files_cap = 0;
}

/* Add name to the watch list unless it is there. */
static void watch_file(run *r, const char *name)
{
    for (int i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i], name) == 0)
            return;
    pb_grow(&r->files, &r->files_cap, r->nfiles + 1, sizeof *r->files);
    r->files[r->nfiles++] = pb_strdup(name);
}

/*
 * Remember the sources of this build: every file it read (XML files,
 * XIncludes, the style sheet and what it includes, the schema, images),
 * and the style sheet and schema named on the command line even when they
 * were not reached.  When the document could not be read, what this build
 * read is added to the last good list rather than replacing it, so a watch
 * still sees the fix of a typo in an included file.
 */
static void note_sources(run *r, int loaded)
{
    if (loaded)
        forget_files(r);
    int n = files_sources(r->ctx, NULL, 0, 0);
    const char **names = pb_alloc(sizeof *names * (size_t)(n + 1));
    files_sources(r->ctx, names, n, 0);
    watch_file(r, r->o->input);
    for (int i = 0; i < n; i++)
        watch_file(r, names[i]);
    free(names);
    watch_file(r, r->o->style);
    watch_file(r, r->o->schema);
}

/* Read the sources once and write every output; sets r->status. */
static void build(run *r)
{
    forget_jobs(r);
    files_new_build(r->ctx);
    r->ctx->errors = 0;
    r->ctx->usage_errors = 0;
    r->status = EXIT_BAD_INPUT;
    pipeline_sources src;
    if (pipeline_load(r->ctx, r->o->input, r->o->schema, r->o->style, &src) == 0 &&
        plan_jobs(r, src.doc) == 0 && plan_outputs(r) == 0) {
        composer *comp = composer_new(r->ctx);
        r->status = 0;
        for (int i = 0; i < r->njobs; i++) {
            int st = run_job(r, &r->jobs[i], &src, comp);
            if (st > r->status)
                r->status = st;
        }
        composer_free(comp);
        if (r->status == 0 && r->o->depfile && write_depfile(r) < 0)
            r->status = EXIT_USAGE;
    }
    if (r->ctx->usage_errors)
        r->status = EXIT_USAGE;
    note_sources(r, src.doc != NULL);
    pipeline_sources_free(&src);
}

/* watch_run's callback: build again after a save; the new list of sources. */
static watch_files rebuild(void *arg, const char *changed)
{
    run *r = arg;
    printf("%s changed\n", changed);
    build(r);
    if (r->status != 0)
        printf("build failed; the last good PDF is kept\n");
    fflush(stdout);
    return (watch_files){r->nfiles, (const char *const *)r->files};
}

int main(int argc, char **argv)
{
    options o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? EXIT_USAGE : 0;
    output_options po = {0};
    po.impose = &o.impose;
    po.output_intent = o.output_intent;
    if (read_epoch(&po) < 0)
        return EXIT_USAGE;
    char *style = o.style ? NULL : installed_path("styles/booklet.xml");
    char *schema = o.schema ? NULL : installed_path("xml/paiban.rng");
    char *fonts = o.fonts ? NULL : installed_path("fonts");
    if (!o.style) o.style = style;
    if (!o.schema) o.schema = schema;
    if (!o.fonts) o.fonts = fonts;
    int status = EXIT_USAGE;
    struct stat st;
    errno = 0;
    if (access(o.schema, R_OK) != 0 || stat(o.schema, &st) != 0 || !S_ISREG(st.st_mode)) {
        /* part of the installation: an environment problem */
        fprintf(stderr, "%s: error: cannot read the schema: %s (reinstall paiban, or give --schema FILE)\n",
                o.schema, errno ? strerror(errno) : "not a regular file");
        free(style);
        free(schema);
        free(fonts);
        return status;
    }
    pb_ctx *ctx = pb_ctx_new(stderr);
    ctx->font_dir = o.fonts;
    ctx->include_anywhere = o.include_anywhere;
    if (o.max_pages)
        ctx->limits.pages = o.max_pages;
    run r = {.o = &o, .po = &po, .ctx = ctx};
    build(&r);
    status = r.status;
    if (o.watch) {
        printf("watching %d file%s (the sources of this build); edit and save one to rebuild, "
               "Ctrl-C to stop\n", r.nfiles, r.nfiles == 1 ? "" : "s");
        if (access(o.input, F_OK) != 0)
            printf("%s does not exist yet: the build starts when it is saved\n", o.input);
        fflush(stdout);
        status = watch_run(ctx, (watch_files){r.nfiles, (const char *const *)r.files}, rebuild, &r);
    }
    forget_jobs(&r);
    forget_files(&r);
    pb_ctx_free(ctx);
    free(style);
    free(schema);
    free(fonts);
    return status;
}
