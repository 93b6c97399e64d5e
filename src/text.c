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

/* The byte length of the first max_chars code points of s. */
size_t text_utf8_prefix(const char *s, size_t max_chars)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t n = 0; *p && n < max_chars; n++)
        text_utf8_next(&p, NULL);
    return (size_t)(p - (const unsigned char *)s);
}

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
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return 1;
    return 0;
}
