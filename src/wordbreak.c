/* wordbreak.c: break points inside technical tokens, hyphenation points in English words. */
#include "wordbreak.h"
#include "text.h"

#include <string.h>

/* The first character of cluster k. */
static uint32_t first_char(const shaped_par *p, int k)
{
    return p->text[p->clusters[k].text_start];
}

/* 1 when cluster k belongs to a token: a run of Latin letters, digits and symbols. */
static int in_token(const shaped_par *p, int k)
{
    shape_class c = p->clusters[k].cls;
    return (c == SC_LATIN || c == SC_OTHER) && first_char(p, k) < 0x2000;
}

/* 1 for ASCII letters and digits. */
static int alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * 1 when the token [s, e) is technical, a path, URL, address, option or
 * identifier, rather than a word: it holds '/', '\\', '_', '=', '@' or a
 * '.' between two letters or digits, or starts with '-'.
 */
static int technical(const shaped_par *p, int s, int e)
{
    if (first_char(p, s) == '-' && e - s > 2)
        return 1;
    for (int k = s; k < e; k++) {
        uint32_t c = first_char(p, k);
        if (strchr("/\\_=@", (int)c) && c)
            return 1;
        if (c == '.' && k > s && k + 1 < e && alnum(first_char(p, k - 1)) && alnum(first_char(p, k + 1)))
            return 1;
    }
    return 0;
}

/* Break points of the technical token [s, e): after '/', before . ? # & = _ -,
 * each leaving at least two characters of the token on either side; and
 * before the token when Chinese text runs straight into it (UAX #14 keeps
 * "由/lib" and "、-n" together, a Chinese line does not). */
static void token_points(const shaped_par *p, int s, int e, unsigned char *kind)
{
    if (s > 0 && (p->clusters[s - 1].cls == SC_HAN || p->clusters[s - 1].cls == SC_PUNCT) &&
        !text_not_at_line_end(first_char(p, s - 1)))
        kind[s] = WB_TOKEN;
    for (int k = s + 1; k < e; k++) {
        uint32_t before = first_char(p, k - 1), c = first_char(p, k);
        int after_slash = before == '/' && c != '/';
        int before_mark = c && strchr(".?#&=_-", (int)c) && before != c;
        /* only these points: ICU's others ("/|etc", "kernel-|version", which would
         * read as a hyphenated word) are withdrawn */
        kind[k] = (after_slash || before_mark) && k >= s + 2 && k + 1 < e ? WB_TOKEN : WB_WITHDRAWN;
    }
}

/* Hyphenation points of the runs of letters in the plain token [s, e). */
static void word_points(hyphenator *h, const shaped_par *p, int s, int e, unsigned char *kind)
{
    enum { MAX_WORD = 64 };
    for (int k = s; k < e;) {
        int j = k;
        while (j < e && j - k < MAX_WORD && p->clusters[j].text_len == 1 && alnum(first_char(p, j)) &&
               !(first_char(p, j) >= '0' && first_char(p, j) <= '9'))
            j++;
        int upper = 1;
        for (int i = k; i < j; i++)
            upper &= first_char(p, i) >= 'A' && first_char(p, i) <= 'Z';
        if (j - k >= WORDBREAK_LEFT + WORDBREAK_RIGHT && !upper) { /* not acronyms */
            uint32_t word[MAX_WORD];
            unsigned char at[MAX_WORD + 1] = {0};
            for (int i = k; i < j; i++)
                word[i - k] = first_char(p, i);
            hyphenate_word(h, word, j - k, WORDBREAK_LEFT, WORDBREAK_RIGHT, at);
            for (int i = 1; i < j - k; i++)
                if (at[i])
                    kind[k + i] = WB_HYPHEN;
        }
        k = j > k ? j : k + 1;
    }
}

/* Mark token break points and hyphenation points for every cluster of p. */
void wordbreak_find(hyphenator *h, const shaped_par *p, int hyphenate, unsigned char *kind)
{
    memset(kind, WB_SAME, (size_t)p->nclusters);
    for (int k = 0; k < p->nclusters;) {
        if (!in_token(p, k)) {
            k++;
            continue;
        }
        int e = k;
        while (e < p->nclusters && in_token(p, e))
            e++;
        if (technical(p, k, e))
            token_points(p, k, e, kind);
        else if (hyphenate)
            word_points(h, p, k, e, kind);
        k = e;
    }
}
