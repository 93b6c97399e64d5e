/* plan.c: the outputs of a run, from the command line or a build description. */
#include "plan.h"
#include "doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Points per millimetre. */
#define MM_PT (72.0 / 25.4)

/* Append an empty output writing file with style. */
plan_output *plan_add(plan *p, const char *file, const char *style)
{
    pb_grow(&p->outputs, &p->cap, p->n + 1, sizeof *p->outputs);
    plan_output *o = &p->outputs[p->n++];
    *o = (plan_output){.file = file ? pb_strdup(file) : NULL, .style = style ? pb_strdup(style) : NULL};
    return o;
}

/* Parse a sheet size (A3, A4: landscape; WIDTHxHEIGHTmm) into points; -1 if bad. */
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

/* Parse a creep in millimetres (0 to 10) into points; -1 if bad. */
static int parse_creep(const char *v, impose_options *io)
{
    char *end;
    double mm = strtod(v, &end);
    if (end == v || *end || !(mm >= 0 && mm <= 10))
        return -1;
    io->creep = (float)(mm * MM_PT);
    return 0;
}

/* Set the imposition mode from v; -1 if bad. */
static int parse_impose(const char *v, impose_options *io)
{
    static const char *const modes[] = {"none", "saddle", "contact", NULL};
    static const impose_mode values[] = {IMPOSE_NONE, IMPOSE_SADDLE, IMPOSE_CONTACT};
    for (int i = 0; modes[i]; i++)
        if (strcmp(v, modes[i]) == 0) {
            io->mode = values[i];
            return 0;
        }
    return -1;
}

/* Set an output option by its command-line name; NULL or what was expected. */
const char *plan_set_option(plan_output *o, const char *name, const char *value)
{
    if (strcmp(name, "impose") == 0)
        return parse_impose(value, &o->impose) == 0 ? NULL : "saddle, contact or none";
    if (strcmp(name, "marks") == 0 || strcmp(name, "untagged") == 0) {
        int yes = strcmp(value, "yes") == 0;
        *(name[0] == 'm' ? &o->impose.marks : &o->untagged) = yes;
        return yes || strcmp(value, "no") == 0 ? NULL : "yes or no";
    }
    if (strcmp(name, "nup") == 0) {
        if (strcmp(value, "2") != 0 && strcmp(value, "4") != 0)
            return "2 or 4";
        o->impose.mode = IMPOSE_NUP;
        o->impose.nup = value[0] - '0';
        return NULL;
    }
    if (strcmp(name, "sheet") == 0) {
        o->sheet_given = 1;
        return parse_sheet(value, &o->impose) == 0 ? NULL : "A4, A3 or WIDTHxHEIGHTmm";
    }
    if (strcmp(name, "creep") == 0) {
        o->creep_given = 1;
        return parse_creep(value, &o->impose) == 0 ? NULL : "millimetres, 0 to 10";
    }
    char **slot = strcmp(name, "split") == 0 ? &o->split : strcmp(name, "select") == 0 ? &o->select : NULL;
    if (!slot)
        return "an output option";
    free(*slot);
    *slot = pb_strdup(value);
    return NULL;
}

/* Why the options of o do not go together, or NULL. */
const char *plan_check(const plan_output *o)
{
    if (o->impose.mode != IMPOSE_SADDLE && o->impose.mode != IMPOSE_NUP && o->sheet_given)
        return "a sheet size only applies with saddle imposition or n-up";
    if (o->impose.mode != IMPOSE_SADDLE && o->creep_given)
        return "creep only applies with saddle imposition";
    if (o->split && o->select)
        return "split and select cannot be combined";
    if (o->split && !plan_number_slot(o->file, NULL))
        return "a split output's file needs one %d or %02d for the number, e.g. out/trend-%02d.pdf";
    return NULL;
}

/* Find the one number conversion of an output pattern (plan.h). */
int plan_number_slot(const char *pattern, const char **slot)
{
    int found = 0;
    for (const char *p = pattern; (p = strchr(p, '%'));) {
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

/* The output name for element number n.  The pattern never reaches printf, so a
 * stray '%s' in a file name cannot read memory. */
char *plan_output_name(const char *pattern, int n)
{
    const char *slot;
    plan_number_slot(pattern, &slot);
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
    *o = '\0';
    return out;
}

/* ---- build descriptions --------------------------------------------------- */

/*
 * rel, a path in the build description in directory dir, as a path from
 * here.  A leading "../" takes back the last component of dir when that is
 * a plain directory (not a link, whose ".." is elsewhere), so that
 * xml/../out/report.pdf reads out/report.pdf in messages and make rules.
 */
static char *join_path(const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir[0])
        return pb_strdup(rel);
    char *d = pb_strdup(dir);
    struct stat st;
    while (strncmp(rel, "../", 3) == 0 && d[0] && lstat(d, &st) == 0 && S_ISDIR(st.st_mode)) {
        char *slash = strrchr(d, '/');
        const char *last = slash ? slash + 1 : d;
        if (strcmp(last, "..") == 0 || strcmp(last, ".") == 0 || !last[0])
            break;
        if (slash)
            *slash = '\0';
        else
            d[0] = '\0';
        rel += 3;
    }
    char *out = pb_alloc(strlen(d) + strlen(rel) + 2);
    sprintf(out, d[0] ? "%s/%s" : "%s%s", d, rel);
    free(d);
    return out;
}

/* The directory part of path ("" for a bare name). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = pb_strdup(path);
    dir[slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0] = '\0';
    return dir;
}

/* Read one <output> element into p; -1 (reported) when its options are bad. */
static int load_output(pb_ctx *ctx, plan *p, const doc_node *el, const char *dir)
{
    char *file = join_path(dir, doc_attr_get(el, "file"));
    const char *style = doc_attr_get(el, "style");
    char *style_path = style ? join_path(dir, style) : NULL;
    plan_output *o = plan_add(p, file, style_path);
    o->pos = (pb_pos){p->source, el->pos.line, el->pos.col}; /* the doc's names go with it */
    free(file);
    free(style_path);
    int bad = 0;
    for (int i = 0; i < el->nattrs; i++) {
        const doc_attr *a = &el->attrs[i];
        if (strcmp(a->name, "file") == 0 || strcmp(a->name, "style") == 0)
            continue;
        const char *expected = plan_set_option(o, a->name, a->value);
        if (expected) {
            pb_error(ctx, a->pos, "<output %s=\"%s\">: expected %s", a->name, a->value, expected);
            bad = 1;
        }
    }
    const char *why = bad ? NULL : plan_check(o);
    if (why)
        pb_error(ctx, el->pos, "<output file=\"%s\">: %s", doc_attr_get(el, "file"), why);
    return bad || why ? -1 : 0;
}

/* Read the build description at path; NULL with errors reported. */
plan *plan_load(pb_ctx *ctx, const char *path, const char *schema)
{
    doc *d = doc_load(ctx, path, schema);
    if (!d)
        return NULL;
    plan *p = pb_alloc(sizeof *p);
    p->source = pb_strdup(path);
    char *dir = dir_of(path);
    p->input = join_path(dir, doc_attr_get(d->root, "input"));
    int bad = 0;
    for (const doc_node *el = d->root->first; el; el = el->next)
        if (el->kind == DOC_ELEMENT)
            bad |= load_output(ctx, p, el, dir) < 0;
    free(dir);
    doc_free(d);
    if (bad) {
        plan_free(p);
        return NULL;
    }
    return p;
}

/* Free the plan and its strings. */
void plan_free(plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        free(p->outputs[i].file);
        free(p->outputs[i].style);
        free(p->outputs[i].split);
        free(p->outputs[i].select);
    }
    free(p->outputs);
    free(p->input);
    free(p->source);
    free(p);
}
