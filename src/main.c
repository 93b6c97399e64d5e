/*
 * main.c: the command line.  Reads the document once and each style sheet
 * once, then runs style → layout → (imposition →) PDF for each output of
 * the plan (plan.h): the one the options describe, or every output of a
 * build description (--build).  An output is the whole document, one
 * element of it (--select), or one PDF per element (--split); outputs that
 * share a style sheet and show the whole document share one layout.
 * Optionally writes a make dependency file and watches the sources to
 * rebuild on every save (--watch).
 */
#include "ctx.h"
#include "files.h"
#include "pipeline.h"
#include "plan.h"
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
    plan *plan;                 /* owned: the outputs (one from the options, or --build's) */
    const char *build;          /* the build description, or NULL */
    int output_options;         /* options that describe one output were given */
    const char *schema;
    const char *fonts;
    const char *output_intent;
    const char *depfile;        /* write a make dependency file here */
    const char *deptarget;      /* its target; default: the outputs */
    int watch;                  /* rebuild on every save */
    int include_anywhere;       /* XIncludes may leave the document's tree */
    int max_pages;              /* 0: the default limit */
    const char *default_style;  /* the style sheet of an output that names none */
    const char *cache;          /* keep costly results between runs here (cache.h) */
} options;

static const char USAGE[] =
    "usage: paiban [-s STYLE.xml] [--marks] [--impose saddle] -o OUT.pdf INPUT.xml\n"
    "       paiban --build BUILD.xml    (every output a build description names)\n"
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
    "      --untagged      no structure tree: a smaller PDF that a screen reader cannot\n"
    "                      read (1-up PDFs are tagged, PDF/UA-1, by default)\n"
    "      --output-intent FILE  CMYK printer ICC profile for the PDF/X output intent\n"
    "                      (default: Ghostscript's default_cmyk.icc, package libgs-common)\n"
    "      --split ELEMENT one PDF per ELEMENT of the body (e.g. callout); -o is then a\n"
    "                      pattern whose %d or %02d is the element's number= (or its\n"
    "                      position); outputs whose bytes would not change are left alone\n"
    "      --select ID     typeset only the element with id=ID (e.g. trend-3)\n"
    "      --build FILE    write every output of a build description (xml/build.rng):\n"
    "                      one run reads the document once and lays out each style once\n"
    "      --cache DIR     keep font subsets here between runs (created when missing;\n"
    "                      safe to delete; at most 64 MB, the oldest go first)\n"
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

/* Apply an option that describes the output (c: its short code) with value v; -1 if bad. */
static int output_option(int c, const char *v, options *o)
{
    static const struct { int code; const char *name; } names[] = {
        {'M', "marks"}, {'I', "impose"}, {'U', "nup"}, {'P', "sheet"}, {'C', "creep"},
        {'X', "split"}, {'L', "select"}, {'G', "untagged"}};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == c)
            name = names[i].name;
    o->output_options = 1;
    const char *expected = plan_set_option(&o->plan->outputs[0], name,
                                           c == 'M' || c == 'G' ? "yes" : v);
    if (expected)
        fprintf(stderr, "paiban: error: bad value '%s' for --%s (%s)\n", v, name, expected);
    return expected ? -1 : 0;
}

/*
 * An option that would have no effect is an error, not silence: the user
 * meant something by it.  -1 (reported) when one is given.
 */
static int check_no_effect(const options *o)
{
    const char *why = o->build ? NULL : plan_check(&o->plan->outputs[0]);
    if (o->deptarget && !o->depfile)
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

static int check_build_args(int argc, options *o);
static int check_output_args(int argc, char **argv, options *o);

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
        {"nup", required_argument, 0, 'U'}, {"build", required_argument, 0, 'B'},
        {"cache", required_argument, 0, 'K'}, {"untagged", no_argument, 0, 'G'},
        {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            free(o->plan->outputs[0].style);
            o->plan->outputs[0].style = pb_strdup(optarg);
            o->output_options = 1;
            break;
        case 'o':
            free(o->plan->outputs[0].file);
            o->plan->outputs[0].file = pb_strdup(optarg);
            break;
        case 'B': o->build = optarg; break;
        case 'K': o->cache = optarg; break;
        case 'S': o->schema = optarg; break;
        case 'F': o->fonts = optarg; break;
        case 'h': fputs(USAGE, stdout); return 1;
        case 'V': printf("paiban %s\n", PAIBAN_VERSION); return 1;
        case 'O': o->output_intent = optarg; break;
        case 'M': case 'I': case 'P': case 'C': case 'U': case 'X': case 'L': case 'G':
            if (output_option(c, optarg, o) != 0)
                return -1;
            break;
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
    return o->build ? check_build_args(argc, o) : check_output_args(argc, argv, o);
}

/* With --build: no input, no -o, no option of one output; -1 (printed) otherwise. */
static int check_build_args(int argc, options *o)
{
    const char *why = optind != argc ? "--build takes no input file: the build description names it"
                      : o->plan->outputs[0].file ? "--build and -o cannot be combined: the build "
                                                   "description names the outputs"
                      : o->output_options ? "with --build, the style sheet, imposition, --split and "
                                            "--select of each output belong in the build description"
                      : NULL;
    if (why) {
        fprintf(stderr, "paiban: error: %s\n", why);
        return -1;
    }
    return check_no_effect(o);
}

/* Without --build: one input and -o; -1 (printed) otherwise. */
static int check_output_args(int argc, char **argv, options *o)
{
    if (optind != argc - 1 || !o->plan->outputs[0].file) {
        fprintf(stderr, "paiban: error: %s\n%s", !o->plan->outputs[0].file ? "no output file given (-o OUT.pdf)"
                : "expected exactly one input file", USAGE);
        return -1;
    }
    o->plan->input = pb_strdup(argv[optind]);
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
    const plan_output *out;     /* the output it belongs to */
    int sheet;                  /* index of its style sheet in run.sheets */
    const doc_node *only;
    char *name;                 /* the output as the command line names it */
    char *path;                 /* where it is written (a link's target); NULL until planned */
} job;

/* What one build read and wrote, kept between rebuilds in watch mode. */
typedef struct run {
    options *o;
    const output_options *po;
    pb_ctx *ctx;
    int njobs, jobs_cap;
    job *jobs;
    doc *doc;                   /* the document of this build */
    int nsheets;
    style_sheet **sheets;       /* one per distinct style sheet path of the plan */
    const char **sheet_paths;   /* borrowed from the plan */
    char *depfile;              /* where the dependency file is written, once planned */
    int nfiles, files_cap;
    char **files;               /* sources to watch: every file the last good build read */
    int status;
} run;

/* Append a job of output out (sheet: its style sheet's index) for element only
 * (NULL: the whole document) written to name (taken). */
static void add_job(run *r, const plan_output *out, int sheet, const doc_node *only, char *name)
{
    pb_grow(&r->jobs, &r->jobs_cap, r->njobs + 1, sizeof *r->jobs);
    r->jobs[r->njobs++] = (job){out, sheet, only, name, NULL};
}

/* -1 (reported) when two jobs would write one file. */
static int check_distinct(run *r)
{
    for (int i = 0; i < r->njobs; i++)
        for (int k = 0; k < i; k++) {
            const job *a = &r->jobs[i], *b = &r->jobs[k];
            if (strcmp(a->name, b->name) != 0)
                continue;
            if (a->out == b->out)
                pb_error(r->ctx, a->only->pos, "--split: this <%s> would be written to %s, like "
                         "the one at %s:%d; give them different number= attributes", a->only->name,
                         a->name, b->only->pos.file, b->only->pos.line);
            else
                pb_error(r->ctx, a->out->pos, "two outputs would be written to %s", a->name);
            return -1;
        }
    return 0;
}

/* Add the jobs of output out (its sheet: index sheet); -1 (reported) when it has none. */
static int plan_output_jobs(run *r, const plan_output *out, int sheet)
{
    const doc *d = r->doc;
    if (out->split) {
        int n;
        const doc_node **parts = style_split(d, out->split, &n);
        for (int i = 0; i < n; i++) {
            int number = style_part_number(parts[i]);
            add_job(r, out, sheet, parts[i], plan_output_name(out->file, number ? number : i + 1));
        }
        free(parts);
        if (!n)
            pb_error(r->ctx, d->root->pos, "--split %s: the body has no <%s> element", out->split,
                     out->split);
        return n ? 0 : -1;
    }
    const doc_node *only = out->select ? style_select(d, out->select) : NULL;
    if (out->select && !only) {
        pb_error(r->ctx, d->root->pos, "--select %s: no element of the body has id=\"%s\"",
                 out->select, out->select);
        return -1;
    }
    add_job(r, out, sheet, only, pb_strdup(out->file));
    return 0;
}

/* The index of the style sheet at path, loading it on first use; -1 (reported) when bad. */
static int sheet_index(run *r, const char *path)
{
    for (int i = 0; i < r->nsheets; i++)
        if (strcmp(r->sheet_paths[i], path) == 0)
            return r->sheets[i] ? i : -1;
    r->sheets = pb_realloc(r->sheets, sizeof *r->sheets * (size_t)(r->nsheets + 1));
    r->sheet_paths = pb_realloc(r->sheet_paths, sizeof *r->sheet_paths * (size_t)(r->nsheets + 1));
    r->sheet_paths[r->nsheets] = path;
    r->sheets[r->nsheets] = style_sheet_load(r->ctx, path);
    return r->sheets[r->nsheets++] ? r->nsheets - 1 : -1;
}

/* Load the style sheets and decide every output of this run; -1 (reported) when one fails. */
static int plan_jobs(run *r)
{
    int bad = 0;
    for (int i = 0; i < r->o->plan->n; i++) {
        const plan_output *out = &r->o->plan->outputs[i];
        int sheet = sheet_index(r, out->style);
        bad |= sheet < 0 || plan_output_jobs(r, out, sheet) < 0;
    }
    return bad ? -1 : check_distinct(r);
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

/*
 * The pages of job j: those of the job before it (*prev, whose style
 * sheet and part were prev_job's) when it shows the same, else typeset
 * anew, replacing *prev.  So an edition and its imposition share a layout.
 */
static const dl_document *job_pages(run *r, const job *j, composer *comp, dl_document **prev,
                                    const job *prev_job)
{
    if (*prev && prev_job && prev_job->sheet == j->sheet && prev_job->only == j->only)
        return *prev;
    dl_document_free(*prev);
    pipeline_sources src = {r->doc, r->sheets[j->sheet]};
    *prev = pipeline_typeset(r->ctx, comp, &src, j->only);
    return *prev;
}

/* Typeset and write one job; an exit status.  In watch mode, says what was rewritten. */
static int run_job(run *r, const job *j, const dl_document *pages)
{
    double t0 = now_ms();
    int status = EXIT_BAD_INPUT;
    if (pages) {
        output_options po = *r->po;
        po.impose = &j->out->impose;
        po.keep_same = j->out->split != NULL || r->o->watch || r->o->build != NULL;
        po.untagged = j->out->untagged;
        if (!po.have_epoch) { /* dates from the inputs: the same inputs, the same bytes */
            po.epoch = files_newest_mtime(r->ctx);
            po.have_epoch = po.epoch >= 0;
        }
        int rc = output_write(r->ctx, &pdf_writer_ops, pages, j->path, &po);
        status = rc >= 0 ? 0 : rc == WRITER_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_USAGE;
        if (r->o->watch && rc >= 0)
            printf("%s %s in %.0f ms\n", rc == 0 ? "rebuilt" : "unchanged", j->name, now_ms() - t0);
    }
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

/* Add name to the watch list unless it is there (or NULL). */
static void watch_file(run *r, const char *name)
{
    if (!name)
        return;
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
    watch_file(r, r->o->plan->input);
    for (int i = 0; i < n; i++)
        watch_file(r, names[i]);
    free(names);
    for (int i = 0; i < r->o->plan->n; i++)
        watch_file(r, r->o->plan->outputs[i].style);
    watch_file(r, r->o->schema);
    if (r->o->build)
        watch_file(r, r->o->build);
}

/* Free the document and style sheets of the last build. */
static void forget_sources(run *r)
{
    for (int i = 0; i < r->nsheets; i++)
        style_sheet_free(r->sheets[i]);
    free(r->sheets);
    free(r->sheet_paths);
    r->sheets = NULL;
    r->sheet_paths = NULL;
    r->nsheets = 0;
    doc_free(r->doc);
    r->doc = NULL;
}

/* Write every job's output, consecutive jobs of one layout sharing it; the worst status. */
static int run_jobs(run *r)
{
    composer *comp = composer_new(r->ctx);
    dl_document *pages = NULL;
    int status = 0;
    for (int i = 0; i < r->njobs; i++) {
        const dl_document *d = job_pages(r, &r->jobs[i], comp, &pages, i ? &r->jobs[i - 1] : NULL);
        int st = run_job(r, &r->jobs[i], d);
        if (st > status)
            status = st;
    }
    dl_document_free(pages);
    composer_free(comp);
    return status;
}

/* Give every output that names no style sheet the installation's default. */
static void default_styles(options *o)
{
    for (int i = 0; i < o->plan->n; i++)
        if (!o->plan->outputs[i].style)
            o->plan->outputs[i].style = pb_strdup(o->default_style);
}

/* Read --build's description into o->plan, replacing it; -1 (reported) when bad. */
static int load_build(pb_ctx *ctx, options *o)
{
    char *schema = installed_path("xml/build.rng");
    plan *p = plan_load(ctx, o->build, schema);
    free(schema);
    if (!p)
        return -1;
    plan_free(o->plan);
    o->plan = p;
    default_styles(o);
    return 0;
}

/* Read the sources once and write every output; sets r->status. */
static void build(run *r)
{
    forget_jobs(r);
    files_new_build(r->ctx);
    r->ctx->errors = 0;
    r->ctx->usage_errors = 0;
    r->status = EXIT_BAD_INPUT;
    /* read in this build, so the dependency file and the watch list name it */
    if (r->o->build && load_build(r->ctx, r->o) < 0) {
        note_sources(r, 0);
        return;
    }
    r->doc = doc_load(r->ctx, r->o->plan->input, r->o->schema);
    if (r->doc && plan_jobs(r) == 0 && plan_outputs(r) == 0) {
        r->status = run_jobs(r);
        if (r->status == 0 && r->o->depfile && write_depfile(r) < 0)
            r->status = EXIT_USAGE;
    }
    if (r->ctx->usage_errors)
        r->status = EXIT_USAGE;
    note_sources(r, r->doc != NULL);
    forget_sources(r);
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

/* Watch the sources of r and rebuild on every save; the exit status. */
static int watch_sources(run *r)
{
    printf("watching %d file%s (the sources of this build); edit and save one to rebuild, "
           "Ctrl-C to stop\n", r->nfiles, r->nfiles == 1 ? "" : "s");
    if (r->o->plan->input && access(r->o->plan->input, F_OK) != 0)
        printf("%s does not exist yet: the build starts when it is saved\n", r->o->plan->input);
    fflush(stdout);
    return watch_run(r->ctx, (watch_files){r->nfiles, (const char *const *)r->files}, rebuild, r);
}

/* Free what main's options hold. */
static void free_options(options *o, char *style, char *schema, char *fonts)
{
    plan_free(o->plan);
    free(style);
    free(schema);
    free(fonts);
}

int main(int argc, char **argv)
{
    options o = {.plan = pb_alloc(sizeof(plan))};
    plan_add(o.plan, NULL, NULL);
    int rc = parse_args(argc, argv, &o);
    output_options po = {.output_intent = o.output_intent};
    if (rc || read_epoch(&po) < 0) {
        plan_free(o.plan);
        return rc > 0 ? 0 : EXIT_USAGE;
    }
    char *style = installed_path("styles/booklet.xml");
    char *schema = o.schema ? NULL : installed_path("xml/paiban.rng");
    char *fonts = o.fonts ? NULL : installed_path("fonts");
    o.default_style = style;
    if (!o.schema) o.schema = schema;
    if (!o.fonts) o.fonts = fonts;
    struct stat st;
    errno = 0;
    if (access(o.schema, R_OK) != 0 || stat(o.schema, &st) != 0 || !S_ISREG(st.st_mode)) {
        /* part of the installation: an environment problem */
        /* a copied binary finds no installation: say where it looked, not "reinstall" */
        fprintf(stderr, "%s: error: cannot read the schema: %s (paiban looks for xml/paiban.rng "
                "and share/paiban/xml/paiban.rng in the directories above its binary; run "
                "make install, or give --schema FILE)\n",
                o.schema, errno ? strerror(errno) : "not a regular file");
        free_options(&o, style, schema, fonts);
        return EXIT_USAGE;
    }
    pb_ctx *ctx = pb_ctx_new(stderr);
    ctx->font_dir = o.fonts;
    ctx->include_anywhere = o.include_anywhere;
    ctx->cache_dir = o.cache;
    if (o.max_pages)
        ctx->limits.pages = o.max_pages;
    run r = {.o = &o, .po = &po, .ctx = ctx};
    default_styles(&o);
    build(&r);
    int status = r.status;
    if (o.watch)
        status = watch_sources(&r);
    forget_jobs(&r);
    forget_files(&r);
    pb_ctx_free(ctx);
    free_options(&o, style, schema, fonts);
    return status;
}
