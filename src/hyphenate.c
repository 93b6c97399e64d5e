/* hyphenate.c: hyphenation points of English words through libhyphen. */
#include "hyphenate.h"

#include <hyphen.h>
#include <stdlib.h>
#include <string.h>

struct hyphenator {
    pb_ctx *ctx;
    HyphenDict *dict;           /* NULL until loaded, or when it cannot be */
    int tried;                  /* the load was attempted (and reported if it failed) */
};

/* Create a hyphenator. */
hyphenator *hyphenator_new(pb_ctx *ctx)
{
    hyphenator *h = pb_alloc(sizeof *h);
    h->ctx = ctx;
    return h;
}

/* Free a hyphenator. */
void hyphenator_free(hyphenator *h)
{
    if (!h)
        return;
    if (h->dict)
        hnj_hyphen_free(h->dict);
    free(h);
}

/* The dictionary, loaded once; NULL (warned once) when the patterns are missing. */
static HyphenDict *dictionary(hyphenator *h)
{
    if (!h->tried) {
        h->tried = 1;
        h->dict = hnj_hyphen_load(HYPHENATE_PATTERNS);
        if (!h->dict)
            pb_warning(h->ctx, (pb_pos){HYPHENATE_PATTERNS, 0, 0}, "cannot read the hyphenation "
                       "patterns (Debian package hyphen-en-us); English words are not hyphenated");
    }
    return h->dict;
}

/* Mark the word's hyphenation points. */
int hyphenate_word(hyphenator *h, const uint32_t *text, int n, int left, int right,
                   unsigned char *at)
{
    enum { MAX_WORD = 64 };
    HyphenDict *d = n >= left + right && n < MAX_WORD ? dictionary(h) : NULL;
    if (!d)
        return 0;
    char word[MAX_WORD], points[MAX_WORD + 5];
    for (int i = 0; i < n; i++) {
        if (text[i] > 0x7F)
            return 0;           /* the patterns are for ASCII letters */
        word[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
    }
    char **rep = NULL;
    int *pos = NULL, *cut = NULL, marked = 0;
    if (hnj_hyphen_hyphenate3(d, word, n, points, NULL, &rep, &pos, &cut, left, right, 0, 0) == 0)
        for (int i = left - 1; i < n - right; i++)
            if ((points[i] & 1) && !(rep && rep[i])) { /* odd: a point after letter i */
                at[i + 1] = 1;
                marked++;
            }
    if (rep) {
        for (int i = 0; i < n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    return marked;
}
