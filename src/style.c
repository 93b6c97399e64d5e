/* style.c: style sheets (loading and checking them) and computing styles. */
#include "style.h"
#include "style_internal.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum prop_type {
    P_STRING, P_LENGTH, P_LINE_HEIGHT, P_COLOR, P_BACKGROUND, P_WORD, P_INT, P_PADDING
} prop_type;

/* One style property: its name, value type, where it lives, and inheritance. */
typedef struct prop_def {
    const char *name;
    prop_type type;
    size_t offset;
    int inherited;
    const char *const *words;   /* P_WORD: the values, in the order of their enum */
    float min, max;             /* lengths: the range allowed, in points */
} prop_def;

/* Ranges of lengths, in points: nothing on a page is larger than PDF's largest page. */
#define R_SIZE 1, 1000                  /* font sizes */
#define R_LEAD 0.1f, 2000               /* baseline distances */
#define R_SPACE 0, 14400                /* spaces and margins: at most a page */
#define R_EDGE 0, 1000                  /* padding, borders, rules, radii */
#define R_INDENT -1000, 1000            /* a first-line indent may hang */

/* Keyword values; each list is in the order of the matching enum in style.h. */
static const char *const WEIGHTS[] = {"normal", "bold", NULL};
static const char *const ALIGNS[] = {"justify", "left", "center", "right", NULL};
static const char *const BOOLS[] = {"no", "yes", NULL};
static const char *const LINE_BREAKS[] = {"strict", "normal", "loose", "gb", NULL};
static const char *const PUNCT_STYLES[] = {"kaiming", "quanjiao", "banjiao", NULL};
static const char *const MISSING_GLYPH[] = {"warning", "error", NULL};
static const char *const FLOATS[] = {"none", "top", "bottom", NULL}; /* FLOAT_* */

/*
 * Every style property.  A P_STRING field is a char * that a computed style
 * owns: style_compute copies each one and style_free_computed frees each
 * one, so a new string property needs only its line here (and a field of
 * its own: two properties must not share a string field).
 */
#define F(field) offsetof(style, field)
static const prop_def PROPS[] = {
    {"font-family", P_STRING, F(font_family), 1, NULL, 0, 0},
    {"font-weight", P_WORD, F(bold), 1, WEIGHTS, 0, 0},
    {"font-size", P_LENGTH, F(font_size), 1, NULL, R_SIZE},
    {"line-height", P_LINE_HEIGHT, F(line_height), 1, NULL, R_LEAD},
    {"color", P_COLOR, F(color), 1, NULL, 0, 0},
    {"text-align", P_WORD, F(align), 1, ALIGNS, 0, 0},
    {"line-break", P_WORD, F(line_break), 1, LINE_BREAKS, 0, 0},
    {"punctuation", P_WORD, F(punctuation), 1, PUNCT_STYLES, 0, 0},
    {"punctuation-trim-start", P_WORD, F(trim_start), 1, BOOLS, 0, 0},
    {"hanging-punctuation", P_WORD, F(hanging), 1, BOOLS, 0, 0},
    {"autospace", P_WORD, F(autospace), 1, BOOLS, 0, 0},
    {"hyphenate", P_WORD, F(hyphenate), 1, BOOLS, 0, 0},
    {"missing-glyph", P_WORD, F(missing_glyph_error), 1, MISSING_GLYPH, 0, 0},
    {"text-indent", P_LENGTH, F(text_indent), 0, NULL, R_INDENT},
    {"space-before", P_LENGTH, F(space_before), 0, NULL, R_SPACE},
    {"space-after", P_LENGTH, F(space_after), 0, NULL, R_SPACE},
    {"margin-left", P_LENGTH, F(margin_left), 0, NULL, R_SPACE},
    {"margin-right", P_LENGTH, F(margin_right), 0, NULL, R_SPACE},
    {"padding", P_PADDING, F(padding_top), 0, NULL, R_EDGE},
    {"padding-top", P_LENGTH, F(padding_top), 0, NULL, R_EDGE},
    {"padding-right", P_LENGTH, F(padding_right), 0, NULL, R_EDGE},
    {"padding-bottom", P_LENGTH, F(padding_bottom), 0, NULL, R_EDGE},
    {"padding-left", P_LENGTH, F(padding_left), 0, NULL, R_EDGE},
    {"background", P_BACKGROUND, F(background), 0, NULL, 0, 0},
    {"border-width", P_LENGTH, F(border_width), 0, NULL, R_EDGE},
    {"border-color", P_COLOR, F(border_color), 0, NULL, 0, 0},
    {"border-radius", P_LENGTH, F(radius), 0, NULL, R_EDGE},
    {"shrink-wrap", P_WORD, F(shrink_wrap), 0, BOOLS, 0, 0},
    {"keep-with-next", P_WORD, F(keep_with_next), 0, BOOLS, 0, 0},
    {"keep-together", P_WORD, F(keep_together), 0, BOOLS, 0, 0},
    {"float", P_WORD, F(float_to), 0, FLOATS, 0, 0},
    {"widows", P_INT, F(widows), 1, NULL, 0, 0},
    {"orphans", P_INT, F(orphans), 1, NULL, 0, 0},
    {"outline-level", P_INT, F(outline_level), 0, NULL, 0, 0},
    {"page-break-before", P_WORD, F(page_break_before), 0, BOOLS, 0, 0},
    {"rule-above", P_LENGTH, F(rule_above), 0, NULL, R_EDGE},
    {"rule-color", P_COLOR, F(rule_color), 0, NULL, 0, 0},
    {"rule-gap", P_LENGTH, F(rule_gap), 0, NULL, R_EDGE},
    {"label", P_STRING, F(label), 0, NULL, 0, 0},
};
#undef F

enum { NPROPS = sizeof PROPS / sizeof PROPS[0] };

/* ---- values ---------------------------------------------------------- */

/* Parse a length such as "12pt", "4mm", "2em" (em relative to font_size). */
int style_parse_length(const char *s, float font_size, float *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || fabs(v) > 1e6)
        return -1; /* no sane length is a million units; larger ones overflow a float */
    static const struct { const char *unit; double pt; } units[] = {
        {"pt", 1}, {"mm", 72 / 25.4}, {"cm", 720 / 25.4}, {"in", 72}, {"px", 0.75},
    };
    if (strcmp(end, "em") == 0) {
        *out = (float)(v * font_size);
        return 0;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            *out = (float)(v * units[i].pt);
            return 0;
        }
    if (*end == '\0' && v == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Parse "#rgb" or "#rrggbb". */
int style_parse_color(const char *s, style_color *out)
{
    size_t n = strlen(s);
    if (s[0] != '#' || (n != 4 && n != 7) || strspn(s + 1, "0123456789abcdefABCDEF") != n - 1)
        return -1;
    unsigned v = (unsigned)strtoul(s + 1, NULL, 16);
    if (n == 4)
        v = ((v & 0xF00) << 12 | (v & 0xF00) << 8 | (v & 0xF0) << 8 |
             (v & 0xF0) << 4 | (v & 0xF) << 4 | (v & 0xF));
    out->r = (float)((v >> 16) & 0xFF) / 255.0f;
    out->g = (float)((v >> 8) & 0xFF) / 255.0f;
    out->b = (float)(v & 0xFF) / 255.0f;
    return 0;
}

/* Index of value in a NULL-terminated word list, or -1. */
int style_word_index(const char *value, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(value, words[i]) == 0)
            return i;
    return -1;
}

/* Parse a length for p into *out, within p's range; -1 (nothing stored) when invalid. */
static int parse_in_range(const prop_def *p, const char *value, float font_size, float *out)
{
    float v;
    if (style_parse_length(value, font_size, &v) < 0 || !(v >= p->min && v <= p->max))
        return -1;
    *out = v;
    return 0;
}

/* Store value into the field of s for property p; -1 when it is invalid. */
static int set_prop(style *s, const prop_def *p, const char *value)
{
    char *field = (char *)s + p->offset;
    switch (p->type) {
    case P_STRING:
        *(char **)field = (char *)value; /* points into the rule; copied later */
        return 0;
    case P_LENGTH:
        return parse_in_range(p, value, s->font_size, (float *)field);
    case P_LINE_HEIGHT: {
        char *end;
        double v = strtod(value, &end);
        if (end != value && *end == '\0' && v > 0 && v <= 20 && s->font_size * v <= p->max) {
            *(float *)field = (float)(v * s->font_size);
            return 0;
        }
        return parse_in_range(p, value, s->font_size, (float *)field);
    }
    case P_COLOR:
        return style_parse_color(value, (style_color *)field);
    case P_BACKGROUND:
        s->has_background = strcmp(value, "none") != 0;
        return s->has_background ? style_parse_color(value, (style_color *)field) : 0;
    case P_WORD: {
        int i = style_word_index(value, p->words);
        *(int *)field = i;
        return i < 0 ? -1 : 0;
    }
    case P_INT: {
        char *end;
        long v = strtol(value, &end, 10);
        *(int *)field = (int)v;
        return (end == value || *end || v < 0 || v > 9) ? -1 : 0;
    }
    case P_PADDING: {
        float v;
        if (parse_in_range(p, value, s->font_size, &v) < 0)
            return -1;
        s->padding_top = s->padding_right = s->padding_bottom = s->padding_left = v;
        return 0;
    }
    }
    return -1;
}

/* What a valid value of p looks like, for error messages (into buf). */
static const char *expected_value(const prop_def *p, char *buf, size_t size)
{
    switch (p->type) {
    case P_LENGTH: case P_PADDING:
        snprintf(buf, size, "a length such as 10pt, 4mm or 2em, from %gpt to %gpt", p->min, p->max);
        return buf;
    case P_LINE_HEIGHT: return "a multiple from 0 to 20 such as 1.6, or a length up to 2000pt";
    case P_COLOR: return "a colour such as #336699";
    case P_BACKGROUND: return "a colour such as #336699, or none";
    case P_INT: return "a whole number from 0 to 9";
    case P_STRING: return "text";
    case P_WORD: break;
    }
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; p->words[i] && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? "" : p->words[i + 1] ? ", " : " or ",
                              p->words[i]);
    return buf;
}

/* ---- loading a sheet --------------------------------------------------- */

/* The index of property name, or -1. */
static int find_prop(const char *name)
{
    for (int i = 0; i < NPROPS; i++)
        if (strcmp(PROPS[i].name, name) == 0)
            return i;
    return -1;
}

/* Check one declared value by applying it to a scratch style. */
static int check_value(pb_ctx *ctx, const style_rule *r, int prop, const doc_attr *a)
{
    style scratch = {.font_size = 10};
    if (set_prop(&scratch, &PROPS[prop], a->value) == 0)
        return 0;
    char words[128];
    pb_error(ctx, a->pos, "style '%s': invalid value '%s' for %s; expected %s",
             r->name, a->value, PROPS[prop].name, expected_value(&PROPS[prop], words, sizeof words));
    return -1;
}

/* Read one <style> element into rule; -1 on errors (reported). */
static int read_rule(pb_ctx *ctx, const doc_node *el, style_rule *r)
{
    int bad = 0;
    r->pos = el->pos;
    r->name = pb_strdup(doc_attr_get(el, "name"));
    r->parent = pb_strdup(doc_attr_get(el, "parent"));
    if (!r->name) {
        pb_error(ctx, el->pos, "<style> needs a name attribute");
        return -1;
    }
    r->decls = pb_alloc(sizeof *r->decls * (size_t)(el->nattrs ? el->nattrs : 1));
    for (int i = 0; i < el->nattrs; i++) {
        const doc_attr *a = &el->attrs[i];
        if (strcmp(a->name, "name") == 0 || strcmp(a->name, "parent") == 0)
            continue;
        int p = find_prop(a->name);
        if (p < 0) {
            pb_error(ctx, a->pos, "style '%s': unknown property '%s' "
                     "(see styles/README.md for the list)", r->name, a->name);
            bad = 1;
            continue;
        }
        if (check_value(ctx, r, p, a) < 0)
            bad = 1;
        r->decls[r->ndecls++] = (style_decl){p, pb_strdup(a->value)};
    }
    return bad ? -1 : 0;
}

/* Named page sizes, in millimetres. */
static int page_size(const char *name, float *w, float *h)
{
    static const struct { const char *name; float w, h; } sizes[] = {
        {"A3", 297, 420}, {"A4", 210, 297}, {"A5", 148, 210}, {"A6", 105, 148},
        {"B5", 176, 250}, {"letter", 215.9f, 279.4f},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (strcmp(name, sizes[i].name) == 0) {
            *w = sizes[i].w * 72 / 25.4f;
            *h = sizes[i].h * 72 / 25.4f;
            return 0;
        }
    return -1;
}

/* The attributes of <page>: how each is read and where it goes. */
typedef enum page_attr_kind { PA_LENGTH, PA_STRING, PA_BOOL, PA_COLOR, PA_SIZE } page_attr_kind;
static const struct page_attr {
    const char *name;
    page_attr_kind kind;
    size_t offset;
} PAGE_ATTRS[] = {
    {"name", PA_STRING, offsetof(style_page, name)},
    {"size", PA_SIZE, 0},
    {"width", PA_LENGTH, offsetof(style_page, width)},
    {"height", PA_LENGTH, offsetof(style_page, height)},
    {"bleed", PA_LENGTH, offsetof(style_page, bleed)},
    {"margin-top", PA_LENGTH, offsetof(style_page, margin_top)},
    {"margin-bottom", PA_LENGTH, offsetof(style_page, margin_bottom)},
    {"margin-inner", PA_LENGTH, offsetof(style_page, margin_inner)},
    {"margin-outer", PA_LENGTH, offsetof(style_page, margin_outer)},
    {"folio", PA_BOOL, offsetof(style_page, folio)},
    {"folio-offset", PA_LENGTH, offsetof(style_page, folio_offset)},
    {"running-head-verso", PA_STRING, offsetof(style_page, head_verso)},
    {"running-head-recto", PA_STRING, offsetof(style_page, head_recto)},
    {"running-head-offset", PA_LENGTH, offsetof(style_page, head_offset)},
    {"running-foot", PA_STRING, offsetof(style_page, foot)},
    {"running-foot-offset", PA_LENGTH, offsetof(style_page, foot_offset)},
    {"background", PA_COLOR, offsetof(style_page, background)},
    {"vertical-justify", PA_BOOL, offsetof(style_page, vertical_justify)},
};

/* A page dimension: a length from 0 to PDF's largest page, 14400pt (em means nothing here). */
static int page_length(const char *value, float *out)
{
    float v;
    if (strstr(value, "em") || style_parse_length(value, 0, &v) < 0 || !(v >= 0 && v <= 14400))
        return -1;
    *out = v;
    return 0;
}

/* Read one attribute of <page> into pg; -1 (reported) when invalid. */
static int read_page_attr(pb_ctx *ctx, const doc_attr *a, style_page *pg)
{
    for (size_t k = 0; k < sizeof PAGE_ATTRS / sizeof PAGE_ATTRS[0]; k++) {
        const struct page_attr *pa = &PAGE_ATTRS[k];
        if (strcmp(a->name, pa->name) != 0)
            continue;
        void *field = (char *)pg + pa->offset;
        int ok = 0;
        switch (pa->kind) {
        case PA_LENGTH: ok = page_length(a->value, field) == 0; break;
        case PA_STRING: *(char **)field = pb_strdup(a->value); ok = 1; break;
        case PA_BOOL: ok = (*(int *)field = style_word_index(a->value, BOOLS)) >= 0; break;
        case PA_COLOR: ok = (pg->has_background = style_parse_color(a->value, field) == 0); break;
        case PA_SIZE: ok = page_size(a->value, &pg->width, &pg->height) == 0; break;
        }
        if (!ok && pa->kind == PA_SIZE)
            pb_error(ctx, a->pos, "unknown page size '%s'; use A3, A4, A5, A6, B5 or letter, "
                     "or give width and height", a->value);
        else if (!ok && pa->kind == PA_LENGTH)
            pb_error(ctx, a->pos, "page: invalid value '%s' for %s; expected a length from 0 "
                     "to 14400pt such as 20mm", a->value, a->name);
        else if (!ok)
            pb_error(ctx, a->pos, "page: invalid value '%s' for %s", a->value, a->name);
        return ok ? 0 : -1;
    }
    pb_error(ctx, a->pos, "page: unknown property '%s'", a->name);
    return -1;
}

/* Read a <page> element into a page master; -1 on errors. */
static int read_page(pb_ctx *ctx, const doc_node *el, style_page *pg)
{
    int bad = 0;
    *pg = (style_page){.folio = 1, .pos = el->pos};
    for (int i = 0; i < el->nattrs; i++)
        bad |= read_page_attr(ctx, &el->attrs[i], pg) < 0;
    if (!bad && (pg->width < 72 || pg->height < 72 ||
                 pg->margin_inner + pg->margin_outer > pg->width - 36 ||
                 pg->margin_top + pg->margin_bottom > pg->height - 36)) {
        pb_error(ctx, el->pos, "page: the margins leave no room for text (or the page is smaller than 1 inch)");
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Free a page master's strings. */
void style_free_page(style_page *pg)
{
    free(pg->name);
    free(pg->head_verso);
    free(pg->head_recto);
    free(pg->foot);
}

/* A copy of a page master that owns its own strings. */
style_page style_copy_page(const style_page *pg)
{
    style_page c = *pg;
    c.name = pb_strdup(pg->name);
    c.head_verso = pb_strdup(pg->head_verso);
    c.head_recto = pb_strdup(pg->head_recto);
    c.foot = pb_strdup(pg->foot);
    return c;
}

/* The rule called name, or NULL. */
const style_rule *style_find_rule(const style_sheet *sh, const char *name)
{
    for (int i = 0; i < sh->nrules; i++)
        if (strcmp(sh->rules[i].name, name) == 0)
            return &sh->rules[i];
    return NULL;
}

/* Check that every parent exists and that no chain loops. */
static int check_parents(pb_ctx *ctx, const style_sheet *sh)
{
    int bad = 0;
    for (int i = 0; i < sh->nrules; i++) {
        const style_rule *r = &sh->rules[i];
        int depth = 0;
        for (const style_rule *p = r; p && p->parent; depth++) {
            const style_rule *next = style_find_rule(sh, p->parent);
            if (!next) {
                pb_error(ctx, p->pos, "style '%s': parent style '%s' is not defined", p->name, p->parent);
                bad = 1;
                break;
            }
            if (depth > sh->nrules) {
                pb_error(ctx, r->pos, "style '%s': its parent styles form a loop", r->name);
                bad = 1;
                break;
            }
            p = next;
        }
    }
    return bad ? -1 : 0;
}

/* The index of the page master called name (NULL: the default), or -1. */
int style_find_page(const style_sheet *sh, const char *name)
{
    if (!name)
        return sh->npages ? 0 : -1;
    for (int i = 0; i < sh->npages; i++)
        if (sh->pages[i].name && strcmp(sh->pages[i].name, name) == 0)
            return i;
    return -1;
}

/* Report an attribute of el naming something that does not exist. */
static int check_reference(pb_ctx *ctx, const doc_node *el, const char *attr, int found, const char *what)
{
    const char *v = doc_attr_get(el, attr);
    if (!v || found)
        return 0;
    for (int i = 0; i < el->nattrs; i++)
        if (strcmp(el->attrs[i].name, attr) == 0)
            pb_error(ctx, el->attrs[i].pos, "<%s %s=\"…\">: %s '%s' is not defined in the style sheet",
                     el->name, attr, what, v);
    return -1;
}

static const char *const FIELDS[] = {"title", "subtitle", "publishers", "year", "subject", "source", NULL};

/* Check one element inside a <part>: <field>, <text> or <toc>. */
static int check_part_item(pb_ctx *ctx, const style_sheet *sh, const doc_node *el)
{
    int bad = check_reference(ctx, el, "style", !doc_attr_get(el, "style") ||
                              style_find_rule(sh, doc_attr_get(el, "style")), "style") < 0;
    if (strcmp(el->name, "field") == 0) {
        const char *name = doc_attr_get(el, "name");
        if (!name || style_word_index(name, FIELDS) < 0) {
            pb_error(ctx, el->pos, "<field> needs name= one of title, subtitle, publishers, year, "
                     "subject, source");
            bad = 1;
        }
    } else if (strcmp(el->name, "toc") == 0) {
        const char *cur = doc_attr_get(el, "current-style");
        bad |= check_reference(ctx, el, "current-style", !cur || style_find_rule(sh, cur), "style") < 0;
    } else if (strcmp(el->name, "text") != 0) {
        pb_error(ctx, el->pos, "unknown element <%s> in <part>; expected <field>, <text> or <toc>", el->name);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Check a <front> or <back> element: parts on known page masters holding known items. */
static int check_matter(pb_ctx *ctx, const style_sheet *sh, const doc_node *matter)
{
    int bad = 0;
    for (const doc_node *part = matter ? matter->first : NULL; part; part = part->next) {
        if (part->kind != DOC_ELEMENT)
            continue;
        if (strcmp(part->name, "part") != 0) {
            pb_error(ctx, part->pos, "unknown element <%s> in <%s>; expected <part>", part->name,
                     matter->name);
            bad = 1;
            continue;
        }
        const char *style_name = doc_attr_get(part, "style");
        bad |= check_reference(ctx, part, "page", style_find_page(sh, doc_attr_get(part, "page")) >= 0,
                               "page master") < 0;
        bad |= check_reference(ctx, part, "style", !style_name || style_find_rule(sh, style_name), "style") < 0;
        for (const doc_node *el = part->first; el; el = el->next)
            if (el->kind == DOC_ELEMENT)
                bad |= check_part_item(ctx, sh, el) < 0;
    }
    return bad ? -1 : 0;
}

/* Read a <page> into the sheet's masters; the unnamed one goes first. */
static int add_page(pb_ctx *ctx, style_sheet *sh, const doc_node *el)
{
    style_page pg;
    int bad = read_page(ctx, el, &pg) < 0;
    if (!bad && style_find_page(sh, pg.name) >= 0 && pg.name) {
        pb_error(ctx, el->pos, "page master '%s' is defined twice", pg.name);
        bad = 1;
    }
    pb_grow(&sh->pages, &sh->pages_cap, sh->npages + 1, sizeof *sh->pages);
    sh->pages[sh->npages++] = pg;
    if (!pg.name && sh->npages > 1) { /* the default master comes first */
        sh->pages[sh->npages - 1] = sh->pages[0];
        sh->pages[0] = pg;
    }
    return bad ? -1 : 0;
}

/* Read every child of the <stylesheet> root; -1 when any is wrong. */
static int read_sheet(pb_ctx *ctx, style_sheet *sh, const doc_node *root)
{
    int bad = 0;
    for (const doc_node *el = root->first; el; el = el->next) {
        if (el->kind != DOC_ELEMENT)
            continue;
        if (strcmp(el->name, "style") == 0) {
            pb_grow(&sh->rules, &sh->rules_cap, sh->nrules + 1, sizeof *sh->rules);
            bad |= read_rule(ctx, el, &sh->rules[sh->nrules++]) < 0;
        } else if (strcmp(el->name, "page") == 0) {
            bad |= add_page(ctx, sh, el) < 0;
        } else if (strcmp(el->name, "front") == 0 && !sh->front) {
            sh->front = el;
        } else if (strcmp(el->name, "back") == 0 && !sh->back) {
            sh->back = el;
        } else {
            pb_error(ctx, el->pos, "unknown style sheet element <%s>; expected <page>, <style>, "
                     "one <front> or one <back>", el->name);
            bad = 1;
        }
    }
    if (!sh->npages) {
        pb_error(ctx, root->pos, "the style sheet has no <page> element");
        bad = 1;
    }
    if (bad || check_parents(ctx, sh) < 0)
        return -1;
    return check_matter(ctx, sh, sh->front) | check_matter(ctx, sh, sh->back);
}

/*
 * Rules every sheet has unless it defines them itself, so that emphasis is
 * visible and a numbered list is numbered in any style sheet.  Each is
 * name, parent (or NULL), then property/value pairs; see styles/README.md.
 */
static const char *const DEFAULT_RULES[][8] = {
    {"em", NULL, "font-family", "Noto Sans CJK SC, Noto Serif CJK SC", NULL},
    {"strong", NULL, "font-weight", "bold", NULL},
    {"item", NULL, NULL},
    {"list-number.item", "item", "label", "{n}. ", NULL},
};

/* Add the default rules the sheet does not define (their values are known good). */
static void add_default_rules(style_sheet *sh)
{
    for (size_t i = 0; i < sizeof DEFAULT_RULES / sizeof DEFAULT_RULES[0]; i++) {
        const char *const *d = DEFAULT_RULES[i];
        if (style_find_rule(sh, d[0]))
            continue;
        pb_grow(&sh->rules, &sh->rules_cap, sh->nrules + 1, sizeof *sh->rules);
        style_rule *r = &sh->rules[sh->nrules++];
        *r = (style_rule){.name = pb_strdup(d[0]), .parent = pb_strdup(d[1]),
                          .pos = {"(built-in default)", 0, 0}};
        r->decls = pb_alloc(sizeof *r->decls * 3);
        for (int k = 2; d[k]; k += 2)
            r->decls[r->ndecls++] = (style_decl){find_prop(d[k]), pb_strdup(d[k + 1])};
    }
}

/* Check the parsed sheet d (owned from now on); NULL with errors reported when invalid. */
static style_sheet *sheet_from_doc(pb_ctx *ctx, doc *d)
{
    if (!d)
        return NULL;
    style_sheet *sh = pb_alloc(sizeof *sh);
    sh->source = d;
    if (strcmp(d->root->name, "stylesheet") != 0) {
        pb_error(ctx, d->root->pos, "expected a <stylesheet> root element, not <%s>", d->root->name);
        style_sheet_free(sh);
        return NULL;
    }
    if (read_sheet(ctx, sh, d->root) < 0) {
        style_sheet_free(sh);
        return NULL;
    }
    add_default_rules(sh);
    return sh;
}

/* Load and check a style sheet; NULL with errors reported when invalid. */
style_sheet *style_sheet_load(pb_ctx *ctx, const char *path)
{
    return sheet_from_doc(ctx, doc_load(ctx, path, NULL));
}

/* The same for a sheet in memory (len bytes at buf); name is used in diagnostics. */
style_sheet *style_sheet_load_buffer(pb_ctx *ctx, const char *name, const char *buf, size_t len)
{
    return sheet_from_doc(ctx, doc_load_buffer(ctx, name, buf, len, NULL));
}

/* Free a style sheet. */
void style_sheet_free(style_sheet *sh)
{
    if (!sh)
        return;
    for (int i = 0; i < sh->nrules; i++) {
        for (int k = 0; k < sh->rules[i].ndecls; k++)
            free(sh->rules[i].decls[k].value);
        free(sh->rules[i].decls);
        free(sh->rules[i].name);
        free(sh->rules[i].parent);
    }
    free(sh->rules);
    for (int i = 0; i < sh->npages; i++)
        style_free_page(&sh->pages[i]);
    free(sh->pages);
    doc_free(sh->source);
    free(sh);
}

/* ---- computing styles -------------------------------------------------- */

/* Apply rule's parents, then rule: only the property size_prop (font-size)
 * when sizes_only, else every other one. */
static void apply_rule(const style_sheet *sh, const style_rule *r, style *s, int size_prop,
                       int sizes_only)
{
    if (r->parent)
        apply_rule(sh, style_find_rule(sh, r->parent), s, size_prop, sizes_only);
    for (int i = 0; i < r->ndecls; i++)
        if ((r->decls[i].prop == size_prop) == sizes_only)
            set_prop(s, &PROPS[r->decls[i].prop], r->decls[i].value);
}

/* The string field of s for property i (a P_STRING). */
static char **string_field(style *s, int i)
{
    return (char **)(void *)((char *)s + PROPS[i].offset);
}

/* Start a child's style: inherited fields from parent, the rest zero. */
static void inherit(style *s, const style *parent)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < NPROPS; i++)
        if (PROPS[i].inherited) {
            size_t size = PROPS[i].type == P_STRING ? sizeof(char *)
                        : PROPS[i].type == P_COLOR ? sizeof(style_color)
                        : PROPS[i].type == P_LENGTH || PROPS[i].type == P_LINE_HEIGHT ? sizeof(float)
                        : sizeof(int);
            memcpy((char *)s + PROPS[i].offset, (const char *)parent + PROPS[i].offset, size);
        }
}

/*
 * Compute the style of a block from its parent's and the rule, resolving
 * em against the block's own final font size (font-size first), as CSS does.
 */
style *style_compute(st_tree *t, const style_sheet *sh, const style_rule *r,
                            const style *parent)
{
    style *s = pb_alloc(sizeof *s);
    inherit(s, parent);
    if (r) {
        int size_prop = find_prop("font-size");
        apply_rule(sh, r, s, size_prop, 1);
        float base = s->font_size;
        float old_lh = parent->font_size > 0 ? parent->line_height / parent->font_size : 1;
        if (base != parent->font_size)
            s->line_height = old_lh * base; /* keep the inherited ratio */
        apply_rule(sh, r, s, size_prop, 0);
    }
    /* the strings so far are borrowed (from the rules or the parent): copy them */
    for (int i = 0; i < NPROPS; i++)
        if (PROPS[i].type == P_STRING)
            *string_field(s, i) = pb_strdup(*string_field(s, i));
    pb_grow(&t->styles, &t->styles_cap, t->nstyles + 1, sizeof *t->styles);
    t->styles[t->nstyles++] = s;
    return s;
}

/* The rule for an element: "parent.element", else "element"; may be NULL. */
const style_rule *style_rule_for(const style_sheet *sh, const char *parent, const char *name)
{
    char key[256];
    if (parent) {
        snprintf(key, sizeof key, "%s.%s", parent, name);
        const style_rule *r = style_find_rule(sh, key);
        if (r)
            return r;
    }
    return style_find_rule(sh, name);
}

/* Free a computed style and its strings. */
void style_free_computed(style *s)
{
    for (int i = 0; i < NPROPS; i++)
        if (PROPS[i].type == P_STRING)
            free(*string_field(s, i));
    free(s);
}

