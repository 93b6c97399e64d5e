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

/* Encode code point cp as UTF-8 into out; the number of bytes (1 to 4).
 * A value that is not a Unicode scalar value is encoded as U+FFFD. */
size_t text_utf8_encode(uint32_t cp, char out[4]);

/* The byte length of the first max_chars code points of s (all of it when shorter). */
size_t text_utf8_prefix(const char *s, size_t max_chars);

/*
 * 1 for Unicode's default-ignorable code points (zero-width space and
 * joiners, variation selectors, soft hyphen, …): no font needs a glyph
 * for them, HarfBuzz hides them.
 */
int text_is_default_ignorable(uint32_t cp);

/* Encode cp as UTF-16 into out; the number of units (1 or 2).  A value that
 * is not a Unicode scalar value is encoded as U+FFFD. */
int text_utf16_encode(uint32_t cp, uint16_t out[2]);

/*
 * Character classes of Chinese typesetting.  Each is defined once, here;
 * shaping, composition and white-space collapsing all ask these, and
 * tests/unit/test_text.c checks them against ICU's Unicode data.
 */
/* 1 for wide characters of Chinese and Japanese text: ideographs, kana,
 * bopomofo, full-width forms; not Hangul letters (text.c says why). */
int text_is_cjk(uint32_t cp);
/* 1 for full-width punctuation of Chinese text: every class below and a few other marks. */
int text_is_cjk_punct(uint32_t cp);
/* 1 for opening brackets and quotation marks “‘（《〈「『【〖〔［｛〘〚. */
int text_is_open_bracket(uint32_t cp);
/* 1 for closing brackets and quotation marks ”’）》〉」』】〗〕］｝〙〛. */
int text_is_close_bracket(uint32_t cp);
/* 1 for pauses 、，；：. */
int text_is_pause(uint32_t cp);
/* 1 for sentence stops 。？！．. */
int text_is_stop(uint32_t cp);
/* 1 for middle dots · ・ ･. */
int text_is_middle_dot(uint32_t cp);
/* 1 for the dash — and the ellipsis …, set in pairs that never split. */
int text_is_dash(uint32_t cp);
/* 1 for marks CLREQ forbids at the start of a line (under strict breaking). */
int text_not_at_line_start(uint32_t cp);
/* 1 for marks CLREQ forbids at the end of a line (under strict breaking). */
int text_not_at_line_end(uint32_t cp);
/* 1 for the hyphens CSS Text 3 lets start a line at normal and loose breaking. */
int text_is_hyphen(uint32_t cp);
/* 1 for UAX #14's inseparable characters ․ ‥ … ⋯ ︙ 𐫶, which CSS lets start a line at loose. */
int text_is_inseparable(uint32_t cp);

#endif
