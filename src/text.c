/* text.c: UTF-8 decoding, growable strings, shared character properties. */
#include "text.h"
#include "ctx.h"

#include <stdlib.h>
#include <string.h>

/* Append n bytes of s. */
void pb_str_add(pb_str *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = pb_realloc(b->s, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Append a NUL-terminated string. */
void pb_str_adds(pb_str *b, const char *s)
{
    if (s)
        pb_str_add(b, s, strlen(s));
}

/* Hand the string to the caller. */
char *pb_str_take(pb_str *b)
{
    char *s = b->s ? b->s : pb_strdup("");
    *b = (pb_str){0};
    return s;
}

/* Free the buffer. */
void pb_str_free(pb_str *b)
{
    free(b->s);
    *b = (pb_str){0};
}

/* The continuation bytes after a lead byte, or -1 for a byte that cannot lead. */
static int utf8_tail(unsigned char c)
{
    return c < 0x80 ? 0 : c < 0xC2 ? -1 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : c < 0xF5 ? 3 : -1;
}

/* Decode one code point and advance; malformed input gives U+FFFD. */
uint32_t text_utf8_next(const unsigned char **s, const unsigned char *end)
{
    const unsigned char *p = *s;
    int tail = utf8_tail(p[0]);
    *s = p + 1;
    if (tail <= 0)
        return tail == 0 ? p[0] : 0xFFFD;
    uint32_t cp = p[0] & (0x3F >> tail);
    for (int i = 1; i <= tail; i++) {
        if ((end && p + i >= end) || (p[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    static const uint32_t least[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[tail] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *s = p + tail + 1;
    return cp;
}

/* Encode one code point as UTF-8. */
size_t text_utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3F));
    out[0] = (char)(lead[n] | cp);
    return n;
}

/* The byte length of the first max_chars code points of s. */
size_t text_utf8_prefix(const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t n = 0; *p && n < max_chars; n++)
        text_utf8_next(&p, NULL);
    return (size_t)(p - (const unsigned char *)s);
}

/* 1 when cp lies in one of n inclusive ranges. */
static int in_ranges(const uint32_t (*ranges)[2], size_t n, uint32_t cp)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return 1;
    return 0;
}

#define IN_RANGES(ranges, cp) in_ranges(ranges, sizeof ranges / sizeof ranges[0], cp)

/* Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties, Unicode 15). */
int text_is_default_ignorable(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160},
        {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E},
        {0x2060, 0x206F}, {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
        {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
        {0xE0000, 0xE0FFF},
    };
    return IN_RANGES(ranges, cp);
}

/* Encode one code point as UTF-16. */
int text_utf16_encode(uint32_t cp, uint16_t out[2])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x10000) {
        out[0] = (uint16_t)cp;
        return 1;
    }
    cp -= 0x10000;
    out[0] = (uint16_t)(0xD800 + (cp >> 10));
    out[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
    return 2;
}

/* ---- character classes -------------------------------------------------- */

/*
 * Hangul letters (jamo, syllables, their half-width forms) are left out on
 * purpose: Korean separates words with spaces, so a source line break
 * between two syllables is a word space that must survive white-space
 * collapsing (CSS Text 3 keeps it for the same reason), and Korean lines
 * are justified at those spaces rather than between syllables as Han is.
 */
int text_is_cjk(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x2E80, 0x312F},   /* radicals, CJK symbols, kana, bopomofo */
        {0x3190, 0x9FFF},   /* kanbun … unified ideographs (3130–318F: Hangul jamo) */
        {0xF900, 0xFAFF}, {0xFE30, 0xFE4F},
        {0xFF00, 0xFF9F},   /* full-width forms, half-width kana (FFA0–FFDF: Hangul) */
        {0xFFE0, 0xFFEF}, {0x20000, 0x3FFFF},
    };
    return IN_RANGES(ranges, cp);
}

/* 1 when cp is in the zero-terminated list. */
static int in_list(const uint32_t *list, uint32_t cp)
{
    for (; *list; list++)
        if (*list == cp)
            return 1;
    return 0;
}

/* Each opening mark at the index of its closing partner. */
static const uint32_t OPEN_BRACKETS[] = {0x201C, 0x2018, 0xFF08, 0x300A, 0x3008, 0x300C, 0x300E,
                                         0x3010, 0x3016, 0x3014, 0xFF3B, 0xFF5B, 0x3018, 0x301A, 0};
static const uint32_t CLOSE_BRACKETS[] = {0x201D, 0x2019, 0xFF09, 0x300B, 0x3009, 0x300D, 0x300F,
                                          0x3011, 0x3017, 0x3015, 0xFF3D, 0xFF5D, 0x3019, 0x301B, 0};

int text_is_open_bracket(uint32_t cp) { return in_list(OPEN_BRACKETS, cp); }
int text_is_close_bracket(uint32_t cp) { return in_list(CLOSE_BRACKETS, cp); }

int text_is_pause(uint32_t cp)
{
    static const uint32_t list[] = {0x3001, 0xFF0C, 0xFF1B, 0xFF1A, 0};
    return in_list(list, cp);
}

int text_is_stop(uint32_t cp)
{
    static const uint32_t list[] = {0x3002, 0xFF1F, 0xFF01, 0xFF0E, 0};
    return in_list(list, cp);
}

/* U+00B7 is the middle dot GB/T 15834 prescribes between the parts of a name. */
int text_is_middle_dot(uint32_t cp)
{
    return cp == 0x00B7 || cp == 0x30FB || cp == 0xFF65;
}

int text_is_dash(uint32_t cp)
{
    return cp == 0x2014 || cp == 0x2026;
}

/* The classes above, and the other marks of the CJK punctuation and
 * full-width blocks that are set one em wide between characters. */
int text_is_cjk_punct(uint32_t cp)
{
    static const uint32_t more[][2] = {
        {0x201A, 0x201B}, {0x201E, 0x201F}, {0x3003, 0x3003}, {0x301C, 0x301F},
        {0xFF02, 0xFF03}, {0xFF05, 0xFF07}, {0xFF0A, 0xFF0B}, {0xFF0D, 0xFF0D},
        {0xFF0F, 0xFF0F}, {0xFF1C, 0xFF1E},
    };
    return text_is_open_bracket(cp) || text_is_close_bracket(cp) || text_is_pause(cp) ||
           text_is_stop(cp) || text_is_middle_dot(cp) || text_is_dash(cp) || IN_RANGES(more, cp);
}

/* Marks that belong to the text before them: a line may not open with one. */
int text_not_at_line_start(uint32_t cp)
{
    static const uint32_t more[] = {0x203C, 0x2047, 0xFF5E, 0x2013, 0}; /* ‼ ⁇ ～ – */
    if (cp < 0xB7 || (cp >= 0x3400 && cp <= 0x9FFF))
        return 0; /* the composer asks for every character: ideographs and ASCII answer at once */
    return text_is_close_bracket(cp) || text_is_pause(cp) || text_is_stop(cp) ||
           text_is_middle_dot(cp) || text_is_dash(cp) || in_list(more, cp);
}

int text_not_at_line_end(uint32_t cp)
{
    if (cp < 0x2018 || (cp >= 0x3400 && cp <= 0x9FFF))
        return 0; /* as above: no opening bracket is there */
    return text_is_open_bracket(cp);
}

/* CSS Text 3, line-break: the hyphens ‐ – 〜 ゠. */
int text_is_hyphen(uint32_t cp)
{
    static const uint32_t list[] = {0x2010, 0x2013, 0x301C, 0x30A0, 0};
    return in_list(list, cp);
}

/* UAX #14 class IN (Unicode 15). */
int text_is_inseparable(uint32_t cp)
{
    static const uint32_t list[] = {0x2024, 0x2025, 0x2026, 0x22EF, 0xFE19, 0x10AF6, 0};
    return in_list(list, cp);
}
