/* schema.c: RELAX NG content models as small automata, to say what was expected. */
#include "schema.h"
#include "text.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_REF_DEPTH = 64, MAX_EXPLAINED = 20 };

typedef enum pat_kind {
    PT_EMPTY, PT_TEXT, PT_DATA, PT_VALUE, PT_ELEMENT, PT_ATTRIBUTE, PT_GROUP, PT_CHOICE,
    PT_OPTIONAL, PT_ZERO_MORE, PT_ONE_MORE, PT_REF, PT_NOT_ALLOWED
} pat_kind;

struct nfa;

/* One pattern of the schema; the children of a container pattern form a group. */
typedef struct pat {
    pat_kind kind;
    char *name;                 /* element or attribute ("xml:lang"), ref target, data type */
    char *value;                /* PT_VALUE */
    int n, cap;
    struct pat **kids;
    struct nfa *nfa;            /* PT_ELEMENT: the automaton over its children, made on demand */
} pat;

/* A transition: to state `to`, on element `label` (NULL: on nothing). */
typedef struct edge {
    int to;
    const pat *label;
} edge;

typedef struct nstate {
    int n, cap;
    edge *edges;
} nstate;

/* A Thompson automaton over the child elements of one element definition. */
typedef struct nfa {
    int n, cap;
    nstate *s;
    int start, end;
} nfa;

typedef struct define {
    char *name;
    pat *p;
} define;

typedef struct schema {
    int npats, pats_cap;
    pat **pats;                 /* every pattern, for freeing */
    int ndefs, defs_cap;
    define *defs;
    pat *start;
    int bad;                    /* a construct it does not understand */
} schema;

/* What the walk over the document carries. */
typedef struct explainer {
    pb_ctx *ctx;
    schema *sc;
    int reported;
    int nids, ids_cap;
    const doc_node **ids;       /* elements with an id= seen so far */
} explainer;

/* ---- reading the schema ------------------------------------------------------ */

/* A new pattern owned by the schema. */
static pat *new_pat(schema *sc, pat_kind kind)
{
    pat *p = pb_alloc(sizeof *p);
    p->kind = kind;
    pb_grow(&sc->pats, &sc->pats_cap, sc->npats + 1, sizeof *sc->pats);
    sc->pats[sc->npats++] = p;
    return p;
}

/* Append kid to container p. */
static void add_kid(pat *p, pat *kid)
{
    pb_grow(&p->kids, &p->cap, p->n + 1, sizeof *p->kids);
    p->kids[p->n++] = kid;
}

/* An attribute of x as a malloc'd string, or NULL. */
static char *prop(xmlNodePtr x, const char *name)
{
    xmlChar *v = xmlGetProp(x, BAD_CAST name);
    char *s = v ? pb_strdup((const char *)v) : NULL;
    xmlFree(v);
    return s;
}

static pat *read_pattern(schema *sc, xmlNodePtr x);

/* Read the element children of x, from first, as kids of p. */
static void read_kids(schema *sc, pat *p, xmlNodePtr first)
{
    for (xmlNodePtr c = first; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrEqual(c->name, BAD_CAST "name"))
            add_kid(p, read_pattern(sc, c));
}

/* The name of an element or attribute pattern: its name= or a <name> child. */
static char *pattern_name(xmlNodePtr x, int attribute)
{
    char *name = prop(x, "name");
    for (xmlNodePtr c = x->children; !name && c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "name")) {
            xmlChar *t = xmlNodeGetContent(c);
            name = pb_strdup((const char *)t);
            xmlFree(t);
        }
    char *ns = prop(x, "ns");
    if (attribute && name && ns && strcmp(ns, "http://www.w3.org/XML/1998/namespace") == 0) {
        char *q = pb_alloc(strlen(name) + 5);
        sprintf(q, "xml:%s", name);
        free(name);
        name = q;
    }
    free(ns);
    return name;
}

/* The pattern kinds by RELAX NG element name; mixed becomes a group with text. */
static const struct { const char *name; pat_kind kind; } KINDS[] = {
    {"element", PT_ELEMENT}, {"attribute", PT_ATTRIBUTE}, {"group", PT_GROUP},
    {"interleave", PT_GROUP}, {"mixed", PT_GROUP}, {"choice", PT_CHOICE},
    {"optional", PT_OPTIONAL}, {"zeroOrMore", PT_ZERO_MORE}, {"oneOrMore", PT_ONE_MORE},
    {"ref", PT_REF}, {"text", PT_TEXT}, {"empty", PT_EMPTY}, {"data", PT_DATA},
    {"value", PT_VALUE}, {"notAllowed", PT_NOT_ALLOWED}, {"list", PT_TEXT},
};

/* Read one RELAX NG pattern element. */
static pat *read_pattern(schema *sc, xmlNodePtr x)
{
    size_t k = 0;
    while (k < sizeof KINDS / sizeof KINDS[0] && !xmlStrEqual(x->name, BAD_CAST KINDS[k].name))
        k++;
    if (k == sizeof KINDS / sizeof KINDS[0]) {
        sc->bad = 1;
        return new_pat(sc, PT_NOT_ALLOWED);
    }
    pat *p = new_pat(sc, KINDS[k].kind);
    if (p->kind == PT_ELEMENT || p->kind == PT_ATTRIBUTE)
        p->name = pattern_name(x, p->kind == PT_ATTRIBUTE);
    else if (p->kind == PT_REF)
        p->name = prop(x, "name");
    else if (p->kind == PT_DATA)
        p->name = prop(x, "type");
    if (p->kind == PT_VALUE) {
        xmlChar *t = xmlNodeGetContent(x);
        p->value = pb_strdup((const char *)t);
        xmlFree(t);
        return p;
    }
    if (p->kind == PT_DATA || p->kind == PT_TEXT)
        return p;
    if (xmlStrEqual(x->name, BAD_CAST "mixed"))
        add_kid(p, new_pat(sc, PT_TEXT));
    read_kids(sc, p, x->children);
    if (((p->kind == PT_ELEMENT && !p->name) || (p->kind == PT_ATTRIBUTE && !p->name)) ||
        (p->kind == PT_REF && !p->name))
        sc->bad = 1;
    return p;
}

/* The definition called name, or NULL. */
static pat *find_define(const schema *sc, const char *name)
{
    for (int i = 0; i < sc->ndefs; i++)
        if (strcmp(sc->defs[i].name, name) == 0)
            return sc->defs[i].p;
    return NULL;
}

/* Read <start> and every <define> of a grammar (a name defined twice is a choice). */
static void read_grammar(schema *sc, xmlNodePtr grammar)
{
    for (xmlNodePtr c = grammar->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        pat *group = new_pat(sc, PT_GROUP);
        read_kids(sc, group, c->children);
        if (xmlStrEqual(c->name, BAD_CAST "start")) {
            sc->start = group;
        } else if (xmlStrEqual(c->name, BAD_CAST "define")) {
            char *name = prop(c, "name");
            pat *old = name ? find_define(sc, name) : NULL;
            if (!name || old) {
                sc->bad |= !name;
                if (old)
                    add_kid(old, group); /* combine: read as alternatives */
                free(name);
                continue;
            }
            pat *choice = new_pat(sc, PT_CHOICE);
            add_kid(choice, group);
            pb_grow(&sc->defs, &sc->defs_cap, sc->ndefs + 1, sizeof *sc->defs);
            sc->defs[sc->ndefs++] = (define){name, choice};
        } else {
            sc->bad = 1; /* include, div: not used by paiban's schema */
        }
    }
}

/* Free the automaton of an element pattern. */
static void free_nfa(nfa *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        free(a->s[i].edges);
    free(a->s);
    free(a);
}

/* Free the schema and every pattern in it. */
static void schema_free(schema *sc)
{
    for (int i = 0; i < sc->npats; i++) {
        free(sc->pats[i]->name);
        free(sc->pats[i]->value);
        free(sc->pats[i]->kids);
        free_nfa(sc->pats[i]->nfa);
        free(sc->pats[i]);
    }
    free(sc->pats);
    for (int i = 0; i < sc->ndefs; i++)
        free(sc->defs[i].name);
    free(sc->defs);
    free(sc);
}

/* Load the schema's patterns; NULL when it cannot be read or is not understood. */
static schema *schema_read(const char *path)
{
    xmlDocPtr x = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                              XML_PARSE_NOWARNING);
    xmlNodePtr root = x ? xmlDocGetRootElement(x) : NULL;
    schema *sc = NULL;
    if (root && xmlStrEqual(root->name, BAD_CAST "grammar")) {
        sc = pb_alloc(sizeof *sc);
        read_grammar(sc, root);
        if (sc->bad || !sc->start) {
            schema_free(sc);
            sc = NULL;
        }
    }
    xmlFreeDoc(x);
    return sc;
}

/* ---- automata ------------------------------------------------------------------ */

/* A new state. */
static int add_state(nfa *a)
{
    pb_grow(&a->s, &a->cap, a->n + 1, sizeof *a->s);
    return a->n++;
}

/* An edge from state from to state to, on label (NULL: free). */
static void add_edge(nfa *a, int from, int to, const pat *label)
{
    nstate *s = &a->s[from];
    pb_grow(&s->edges, &s->cap, s->n + 1, sizeof *s->edges);
    s->edges[s->n++] = (edge){to, label};
}

static int compile(schema *sc, nfa *a, const pat *p, int from, int depth);

/* Compile the kids of p in sequence from state from; the state reached. */
static int compile_group(schema *sc, nfa *a, const pat *p, int from, int depth)
{
    for (int i = 0; i < p->n; i++)
        from = compile(sc, a, p->kids[i], from, depth);
    return from;
}

/* Compile pattern p starting at state from; returns the state where it ends. */
static int compile(schema *sc, nfa *a, const pat *p, int from, int depth)
{
    int end, loop;
    switch (p->kind) {
    case PT_ELEMENT:
        end = add_state(a);
        add_edge(a, from, end, p);
        return end;
    case PT_REF: {
        const pat *d = find_define(sc, p->name);
        if (!d || depth > MAX_REF_DEPTH) {
            sc->bad = 1;
            return from;
        }
        return compile(sc, a, d, from, depth + 1);
    }
    case PT_GROUP:
        return compile_group(sc, a, p, from, depth);
    case PT_CHOICE:
        end = add_state(a);
        for (int i = 0; i < p->n; i++)
            add_edge(a, compile(sc, a, p->kids[i], from, depth), end, NULL);
        return end;
    case PT_OPTIONAL:
        end = compile_group(sc, a, p, from, depth);
        add_edge(a, from, end, NULL);
        return end;
    case PT_ONE_MORE:
        from = compile_group(sc, a, p, from, depth);
        /* then any number more */
        __attribute__((fallthrough));
    case PT_ZERO_MORE:
        loop = add_state(a);
        add_edge(a, from, loop, NULL);
        add_edge(a, compile_group(sc, a, p, loop, depth), loop, NULL);
        return loop;
    case PT_NOT_ALLOWED:
        return add_state(a); /* a state nothing leads to */
    default:
        return from; /* text, data, values and attributes are not child elements */
    }
}

/* The automaton over the children of element pattern p (made once). */
static const nfa *automaton(schema *sc, pat *p)
{
    if (!p->nfa) {
        nfa *a = pb_alloc(sizeof *a);
        a->start = add_state(a);
        a->end = compile_group(sc, a, p, a->start, 0);
        p->nfa = a;
    }
    return p->nfa;
}

/* Add the states reachable from state i on free edges to set. */
static void closure(const nfa *a, unsigned char *set, int i)
{
    if (set[i])
        return;
    set[i] = 1;
    for (int k = 0; k < a->s[i].n; k++)
        if (!a->s[i].edges[k].label)
            closure(a, set, a->s[i].edges[k].to);
}

/* Step set over an element called name into next; the pattern it matched, or NULL. */
static const pat *step(const nfa *a, const unsigned char *set, const char *name, unsigned char *next)
{
    const pat *matched = NULL;
    memset(next, 0, (size_t)a->n);
    for (int i = 0; i < a->n; i++)
        for (int k = 0; set[i] && k < a->s[i].n; k++) {
            const edge *e = &a->s[i].edges[k];
            if (e->label && strcmp(e->label->name, name) == 0) {
                matched = matched ? matched : e->label;
                closure(a, next, e->to);
            }
        }
    return matched;
}

/* ---- what was expected, in words ------------------------------------------ */

/* "<a>, <b> or <c>" for the elements set allows next, and the end of parent when it may end. */
static void expected_list(pb_str *out, const nfa *a, const unsigned char *set, const char *parent)
{
    const char *names[64];
    int n = 0;
    for (int i = 0; i < a->n; i++)
        for (int k = 0; set[i] && k < a->s[i].n; k++) {
            const pat *l = a->s[i].edges[k].label;
            int seen = !l;
            for (int j = 0; j < n && !seen; j++)
                seen = strcmp(names[j], l->name) == 0;
            if (!seen && n < 64)
                names[n++] = l->name;
        }
    int end = set[a->end];
    for (int j = 0; j < n; j++) {
        pb_str_adds(out, j == 0 ? "<" : j + 1 == n && !end ? " or <" : ", <");
        pb_str_adds(out, names[j]);
        pb_str_adds(out, ">");
    }
    if (end) {
        pb_str_adds(out, n ? " or the end of <" : "the end of <");
        pb_str_adds(out, parent);
        pb_str_adds(out, ">");
    }
}

/* Report one explained error at pos (at most MAX_EXPLAINED in all). */
static void explain(explainer *ex, pb_pos pos, const char *msg)
{
    if (ex->reported++ < MAX_EXPLAINED)
        pb_error(ex->ctx, pos, "%s", msg);
}

/* 1 when element pattern p's own content (not its children's) admits text. */
static int admits_text(schema *sc, const pat *p, int depth)
{
    if (p->kind == PT_TEXT || p->kind == PT_DATA || p->kind == PT_VALUE)
        return 1;
    if (p->kind == PT_ELEMENT && depth > 0)
        return 0;
    if (p->kind == PT_ATTRIBUTE || depth > MAX_REF_DEPTH)
        return 0;
    if (p->kind == PT_REF) {
        const pat *d = find_define(sc, p->name);
        return d && admits_text(sc, d, depth + 1);
    }
    for (int i = 0; i < p->n; i++)
        if (admits_text(sc, p->kids[i], depth + 1))
            return 1;
    return 0;
}

/* ---- values ------------------------------------------------------------------ */

/* 1 when v (white space around it ignored) is a value of XML Schema type; *what describes the type. */
static int type_ok(const char *type, const char *v, const char **what)
{
    while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
        v++;
    size_t n = strcspn(v, " \t\r\n");
    int ok = n > 0 && v[n + strspn(v + n, " \t\r\n")] == '\0';
    if (strcmp(type, "positiveInteger") == 0) {
        *what = "a whole number from 1 up";
        size_t d = strspn(v + (v[0] == '+'), "0123456789");
        return ok && d + (v[0] == '+') == n && strspn(v + (v[0] == '+'), "0") < d;
    }
    if (strcmp(type, "gYear") == 0) {
        *what = "a year such as 2024";
        size_t d = strspn(v + (v[0] == '-'), "0123456789");
        return ok && d >= 4 && (d + (v[0] == '-') == n || v[d + (v[0] == '-')] == 'Z');
    }
    if (strcmp(type, "language") == 0) {
        *what = "a language tag such as zh-Hans or en";
        for (size_t i = 0, part = 0; ok && i <= n; i++, part++) {
            if (i == n || v[i] == '-') {
                ok = part >= 1 && part <= 8;
                part = (size_t)-1;
            } else if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
                         (i > 0 && v[i] >= '0' && v[i] <= '9'))) {
                ok = 0;
            }
        }
        return ok;
    }
    if (strcmp(type, "NCName") == 0 || strcmp(type, "ID") == 0) {
        *what = "a name: letters, digits, '-', '_' or '.', not starting with a digit, "
                "'-' or '.', without spaces or ':'";
        return ok && !strchr("0123456789-.", v[0]) && !memchr(v, ':', n);
    }
    *what = strcmp(type, "anyURI") == 0 ? "a file name or address" : "text";
    return 1;
}

/* ---- attributes ------------------------------------------------------------- */

/* An attribute an element takes: its pattern and whether it must be there. */
typedef struct attr_def {
    const pat *p;
    int required;
} attr_def;

/* Collect the attributes element pattern p takes (not those of its children). */
static void collect_attrs(schema *sc, const pat *p, int required, attr_def *out, int *n, int depth)
{
    if (depth > MAX_REF_DEPTH || (p->kind == PT_ELEMENT && depth > 0))
        return;
    if (p->kind == PT_ATTRIBUTE) {
        if (*n < 32)
            out[(*n)++] = (attr_def){p, required};
        return;
    }
    if (p->kind == PT_REF) {
        const pat *d = find_define(sc, p->name);
        if (d)
            collect_attrs(sc, d, required, out, n, depth + 1);
        return;
    }
    int kids_required = required && (p->kind == PT_GROUP || p->kind == PT_ONE_MORE ||
                                      p->kind == PT_ELEMENT || (p->kind == PT_CHOICE && p->n == 1));
    for (int i = 0; i < p->n; i++)
        collect_attrs(sc, p->kids[i], kids_required, out, n, depth + 1);
}

/* The first data type or the list of values an attribute's pattern allows (into words); NULL for any text. */
static const pat *attr_type(const pat *a, pb_str *words)
{
    const pat *p = a->n ? a->kids[0] : NULL;
    if (p && p->kind == PT_DATA)
        return p;
    if (p && p->kind == PT_CHOICE)
        for (int i = 0; i < p->n; i++) {
            const pat *k = p->kids[i]->kind == PT_GROUP && p->kids[i]->n ? p->kids[i]->kids[0] : p->kids[i];
            if (k->kind != PT_VALUE)
                continue;
            pb_str_adds(words, i == 0 ? "\"" : i + 1 == p->n ? "\" or \"" : "\", \"");
            pb_str_adds(words, k->value);
        }
    if (words->len)
        pb_str_adds(words, "\"");
    return p && p->kind == PT_VALUE ? p : NULL;
}

/* 1 when value is one of the values listed by the attribute's choice. */
static int value_listed(const pat *a, const char *value)
{
    const pat *p = a->n ? a->kids[0] : NULL;
    if (!p || p->kind != PT_CHOICE)
        return 1;
    for (int i = 0; i < p->n; i++) {
        const pat *k = p->kids[i]->kind == PT_GROUP && p->kids[i]->n ? p->kids[i]->kids[0] : p->kids[i];
        if (k->kind != PT_VALUE || strcmp(k->value, value) == 0)
            return 1;
    }
    return 0;
}

/* Check one attribute's value against its pattern. */
static void check_attr_value(explainer *ex, const doc_node *el, const doc_attr *da, const pat *ap)
{
    pb_str words = {0}, msg = {0};
    const pat *type = attr_type(ap, &words);
    const char *what = NULL;
    int ok = type && type->kind == PT_DATA ? type_ok(type->name, da->value, &what)
                                            : value_listed(ap, da->value);
    if (!ok) {
        pb_str_adds(&msg, "<");
        pb_str_adds(&msg, el->name);
        pb_str_adds(&msg, "> ");
        pb_str_adds(&msg, da->name);
        pb_str_adds(&msg, "=\"");
        pb_str_adds(&msg, da->value);
        pb_str_adds(&msg, "\": the value must be ");
        pb_str_adds(&msg, what ? what : words.s);
        explain(ex, da->pos, msg.s);
    }
    pb_str_free(&words);
    pb_str_free(&msg);
}

/* Remember an element with an id=, reporting one used before. */
static void check_id(explainer *ex, const doc_node *el, const doc_attr *da)
{
    for (int i = 0; i < ex->nids; i++) {
        const char *other = doc_attr_get(ex->ids[i], "id");
        if (other && strcmp(other, da->value) == 0) {
            char msg[512];
            snprintf(msg, sizeof msg, "id=\"%.200s\" is already used by the <%s> at %s:%d:%d; "
                     "each id must be unique", da->value, ex->ids[i]->name, ex->ids[i]->pos.file,
                     ex->ids[i]->pos.line, ex->ids[i]->pos.col);
            explain(ex, da->pos, msg);
            return;
        }
    }
    pb_grow(&ex->ids, &ex->ids_cap, ex->nids + 1, sizeof *ex->ids);
    ex->ids[ex->nids++] = el;
}

/* Check the attributes of el against element pattern p. */
static void check_attributes(explainer *ex, const doc_node *el, const pat *p)
{
    attr_def defs[32];
    int n = 0;
    collect_attrs(ex->sc, p, 1, defs, &n, 0);
    for (int i = 0; i < el->nattrs; i++) {
        const doc_attr *da = &el->attrs[i];
        int k = 0;
        while (k < n && strcmp(defs[k].p->name, da->name) != 0)
            k++;
        pb_str msg = {0};
        if (k == n) {
            pb_str_adds(&msg, "<");
            pb_str_adds(&msg, el->name);
            pb_str_adds(&msg, n ? "> has no attribute " : "> takes no attributes; not ");
            pb_str_adds(&msg, da->name);
            for (int j = 0; j < n; j++) {
                pb_str_adds(&msg, j == 0 ? "; it takes " : j + 1 == n ? " and " : ", ");
                pb_str_adds(&msg, defs[j].p->name);
            }
            explain(ex, da->pos, msg.s);
        } else {
            check_attr_value(ex, el, da, defs[k].p);
            if (strcmp(da->name, "id") == 0)
                check_id(ex, el, da);
        }
        pb_str_free(&msg);
    }
    for (int k = 0; k < n; k++)
        if (defs[k].required && !doc_attr_get(el, defs[k].p->name)) {
            pb_str msg = {0}, words = {0};
            const char *what = NULL;
            const pat *type = attr_type(defs[k].p, &words);
            if (type && type->kind == PT_DATA)
                type_ok(type->name, "", &what);
            pb_str_adds(&msg, "<");
            pb_str_adds(&msg, el->name);
            pb_str_adds(&msg, "> needs the attribute ");
            pb_str_adds(&msg, defs[k].p->name);
            pb_str_adds(&msg, "=\"…\"");
            if (what || words.len) {
                pb_str_adds(&msg, " (");
                pb_str_adds(&msg, what ? what : words.s);
                pb_str_adds(&msg, ")");
            }
            explain(ex, el->pos, msg.s);
            pb_str_free(&msg);
            pb_str_free(&words);
        }
}

/* ---- children ------------------------------------------------------------------ */

/* 1 for text that is only white space (ignored between elements). */
static int blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

/* Say that child c is not allowed where it stands in el (after prev, or first). */
static void explain_child(explainer *ex, const doc_node *el, const doc_node *c, const doc_node *prev,
                          const nfa *a, const unsigned char *set)
{
    pb_str msg = {0}, list = {0};
    expected_list(&list, a, set, el->name);
    int single = !strchr(list.s ? list.s : "", ',') && !strstr(list.s ? list.s : "", " or ");
    const char *what = c->kind == DOC_TEXT ? "text" : c->name;
    if (!prev && single && list.len) {
        pb_str_adds(&msg, "<");
        pb_str_adds(&msg, el->name);
        pb_str_adds(&msg, "> must begin with ");
        pb_str_adds(&msg, list.s);
        pb_str_adds(&msg, c->kind == DOC_TEXT ? ", not text" : ", not <");
        if (c->kind != DOC_TEXT) {
            pb_str_adds(&msg, what);
            pb_str_adds(&msg, ">");
        }
    } else {
        pb_str_adds(&msg, c->kind == DOC_TEXT ? "text is" : "<");
        if (c->kind != DOC_TEXT) {
            pb_str_adds(&msg, what);
            pb_str_adds(&msg, "> is");
        }
        pb_str_adds(&msg, " not allowed here in <");
        pb_str_adds(&msg, el->name);
        pb_str_adds(&msg, prev ? ">, after <" : ">");
        if (prev) {
            pb_str_adds(&msg, prev->name);
            pb_str_adds(&msg, ">");
        }
        pb_str_adds(&msg, list.len ? "; expected " : "; nothing more may come here");
        pb_str_adds(&msg, list.s);
    }
    explain(ex, c->pos, msg.s);
    pb_str_free(&msg);
    pb_str_free(&list);
}

/* Say that el ended before what its model requires. */
static void explain_end(explainer *ex, const doc_node *el, const nfa *a, const unsigned char *set)
{
    pb_str msg = {0}, list = {0};
    expected_list(&list, a, set, el->name);
    pb_str_adds(&msg, "<");
    pb_str_adds(&msg, el->name);
    pb_str_adds(&msg, "> needs ");
    pb_str_adds(&msg, list.s);
    if (el->first)
        pb_str_adds(&msg, " before its end");
    explain(ex, el->pos, msg.s);
    pb_str_free(&msg);
    pb_str_free(&list);
}

static void explain_element(explainer *ex, const doc_node *el, pat *p);

/* Check text that the element's own content holds: typed text, or text where none may be. */
static int check_text(explainer *ex, const doc_node *el, const doc_node *c, const pat *p)
{
    if (!admits_text(ex->sc, p, 0))
        return -1;
    for (int i = 0; i < p->n; i++)
        if (p->kids[i]->kind == PT_DATA) {
            const char *what;
            char *all = doc_text_content(el);
            if (!type_ok(p->kids[i]->name, all, &what)) {
                char msg[256];
                snprintf(msg, sizeof msg, "<%s> must hold %s", el->name, what);
                explain(ex, c->pos, msg);
            }
            free(all);
        }
    return 0;
}

/* Run el's children through p's automaton, explaining the first that does not fit. */
static void explain_children(explainer *ex, const doc_node *el, pat *p)
{
    const nfa *a = automaton(ex->sc, p);
    unsigned char *set = pb_alloc((size_t)a->n), *next = pb_alloc((size_t)a->n);
    closure(a, set, a->start);
    const doc_node *prev = NULL;
    int broken = 0;
    for (const doc_node *c = el->first; c && !broken; c = c->next) {
        if (c->kind == DOC_TEXT) {
            if (!blank(c->text) && check_text(ex, el, c, p) < 0) {
                explain_child(ex, el, c, prev, a, set);
                broken = 1;
            }
            continue;
        }
        const pat *m = step(a, set, c->name, next);
        if (!m) {
            explain_child(ex, el, c, prev, a, set);
            broken = 1;
            continue;
        }
        memcpy(set, next, (size_t)a->n);
        explain_element(ex, c, (pat *)m);
        prev = c;
    }
    if (!broken && !set[a->end])
        explain_end(ex, el, a, set);
    free(set);
    free(next);
}

/* Check element el against element pattern p: attributes, then children. */
static void explain_element(explainer *ex, const doc_node *el, pat *p)
{
    check_attributes(ex, el, p);
    explain_children(ex, el, p);
}

/* Check the tree against the schema; the number of errors reported. */
int schema_explain(pb_ctx *ctx, const char *schema_path, const doc_node *root)
{
    schema *sc = schema_read(schema_path);
    if (!sc || !root)
        return sc ? (schema_free(sc), 0) : 0;
    explainer ex = {ctx, sc, 0, 0, 0, NULL};
    /* the root is the one child of the document node: the start pattern is its model */
    pat top = {.kind = PT_ELEMENT, .name = "", .n = 1, .kids = &sc->start};
    const nfa *a = automaton(sc, &top);
    for (int i = 0; i < sc->npats; i++) /* all at once: a bad ref means explain nothing */
        if (sc->pats[i]->kind == PT_ELEMENT)
            automaton(sc, sc->pats[i]);
    unsigned char *set = pb_alloc((size_t)a->n), *next = pb_alloc((size_t)a->n);
    closure(a, set, a->start);
    const pat *m = sc->bad ? NULL : step(a, set, root->name, next);
    if (m) {
        explain_element(&ex, root, (pat *)m);
    } else if (!sc->bad) {
        pb_str list = {0};
        expected_list(&list, a, set, "");
        char msg[512];
        snprintf(msg, sizeof msg, "the root element must be %s, not <%.100s>", list.s, root->name);
        explain(&ex, root->pos, msg);
        pb_str_free(&list);
    }
    free(set);
    free(next);
    free_nfa(top.nfa);
    free(ex.ids);
    int n = sc->bad ? 0 : ex.reported;
    schema_free(sc);
    return n;
}
