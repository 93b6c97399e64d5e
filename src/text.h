/*
 * text.h: text utilities that every stage shares.
 *
 * One UTF-8 decoder (malformed bytes become U+FFFD, one byte at a time, so
 * decoding always advances), a growable string for text assembled from
 * pieces, and the character properties more than one stage asks about.
 * Keeping them here means the stages cannot disagree about what a
 * character is.
 *
 * Ownership: a pb_str owns its buffer until pb_str_take() hands it to the
 * caller (who frees it) or pb_str_free() releases it.
 */
#ifndef PAIBAN_TEXT_H
#define PAIBAN_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated string; zero-initialise it before use. */
typedef struct pb_str {
    char *s;
    size_t len, cap;
} pb_str;

/* Append n bytes of s. */
void pb_str_add(pb_str *b, const char *s, size_t n);
/* Append the NUL-terminated string s (NULL appends nothing). */
void pb_str_adds(pb_str *b, const char *s);
/* The string, now the caller's (never NULL); b is empty again. */
char *pb_str_take(pb_str *b);
/* Free the buffer; b is empty again. */
void pb_str_free(pb_str *b);

/*
 * Decode the code point at *s (before end, or up to the NUL when end is
 * NULL) and advance *s past it; a malformed sequence gives U+FFFD and
 * advances one byte.
 */
uint32_t text_utf8_next(const unsigned char **s, const unsigned char *end);

/* The byte length of the first max_chars code points of s (all of it when shorter). */
size_t text_utf8_prefix(const char *s, size_t max_chars);

/*
 * 1 for Unicode's default-ignorable code points (zero-width space and
 * joiners, variation selectors, soft hyphen, …): no font needs a glyph
 * for them, HarfBuzz hides them.
 */
int text_is_default_ignorable(uint32_t cp);

#endif
