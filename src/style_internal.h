/*
 * style_internal.h: what the style sheet (style.c) shares with the styled
 * tree builder (styletree.c), and nothing else sees.
 *
 * The sheet owns its rules and page masters; the tree builder only reads
 * them.  Computed styles are allocated into the st_tree they belong to.
 */
#ifndef PAIBAN_STYLE_INTERNAL_H
#define PAIBAN_STYLE_INTERNAL_H

#include "style.h"

typedef struct style_decl {
    int prop;                   /* index into the property table */
    char *value;
} style_decl;

typedef struct style_rule {
    char *name;
    char *parent;               /* style inherited from, or NULL */
    pb_pos pos;
    int ndecls;
    style_decl *decls;
} style_rule;

struct style_sheet {
    doc *source;                /* keeps file names alive for positions */
    int nrules, rules_cap;
    style_rule *rules;
    int npages, pages_cap;
    style_page *pages;          /* pages[0] is the default master */
    const doc_node *front;      /* the <front> element, in source; may be NULL */
    const doc_node *back;       /* the <back> element (parts after the body); may be NULL */
};

/* Index of value in a NULL-terminated word list, or -1. */
int style_word_index(const char *value, const char *const *words);
/* The rule called name, or NULL. */
const style_rule *style_find_rule(const style_sheet *sh, const char *name);
/* The rule for an element: "parent.element", else "element"; may be NULL. */
const style_rule *style_rule_for(const style_sheet *sh, const char *parent, const char *name);
/* The index of the page master called name (NULL: the default), or -1. */
int style_find_page(const style_sheet *sh, const char *name);
/* Compute a block's style from its parent's and rule r (may be NULL), owned by t. */
style *style_compute(st_tree *t, const style_sheet *sh, const style_rule *r, const style *parent);
/* Free a computed style. */
void style_free_computed(style *s);
/* A copy of a page master that owns its own strings. */
style_page style_copy_page(const style_page *pg);
/* Free a page master's strings. */
void style_free_page(style_page *pg);

#endif
