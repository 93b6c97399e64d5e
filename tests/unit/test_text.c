/*
 * test_text.c: text.c's decoders and character classes against ICU.
 *
 * The classes are hand-written tables (fast, and fixed to what the
 * typesetting rules need); ICU's Unicode data is the independent witness
 * that each table holds only what its name promises, that the tables
 * agree with one another, and that the UTF-8 decoder accepts exactly the
 * well-formed sequences.  ICU 72 has Unicode 15, like the tables.
 */
#include "text.h"
#include "unit.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#define LAST_CP 0x10FFFF

/* A failing code point counted, and the first remembered for the message. */
typedef struct misses {
    long n;
    uint32_t first;
} misses;

static void miss(misses *m, uint32_t cp)
{
    if (!m->n++)
        m->first = cp;
}

static int is_scalar(uint32_t cp)
{
    return cp <= LAST_CP && (cp < 0xD800 || cp > 0xDFFF);
}

static int lb(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK);
}

static int eaw(uint32_t cp)
{
    return u_getIntPropertyValue((UChar32)cp, UCHAR_EAST_ASIAN_WIDTH);
}

/* ---- UTF-8 and UTF-16 ------------------------------------------------------ */

/* Every scalar value encodes to ICU's length and decodes back, with and without an end. */
static void test_utf8_round_trip(void)
{
    misses m = {0};
    for (uint32_t cp = 0; cp <= LAST_CP; cp++) {
        if (!is_scalar(cp))
            continue;
        unsigned char buf[5] = {0};
        size_t n = text_utf8_encode(cp, (char *)buf);
        const unsigned char *p = buf, *q = buf;
        uint32_t bounded = text_utf8_next(&p, buf + n);
        uint32_t open = cp ? text_utf8_next(&q, NULL) : 0;
        if (n != (size_t)U8_LENGTH(cp) || bounded != cp || p != buf + n ||
            (cp && (open != cp || q != buf + n)))
            miss(&m, cp);
    }
    CHECK(m.n == 0, "%ld scalar values fail to round-trip, first U+%04X", m.n, (unsigned)m.first);
}

/* Surrogates and values past U+10FFFF are written as U+FFFD. */
static void test_utf8_encode_replaces(void)
{
    static const uint32_t bad[] = {0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0x110000, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[4];
        size_t n = text_utf8_encode(bad[i], buf);
        CHECK(n == 3 && memcmp(buf, "\xEF\xBF\xBD", 3) == 0, "0x%X encodes as %zu bytes", bad[i], n);
    }
}

/* Decode buf[0..len) once; compare with ICU: the same value and length when
 * the sequence is well formed, else U+FFFD after exactly one byte. */
static int decodes_like_icu(const unsigned char *buf, int len)
{
    const unsigned char *p = buf;
    uint32_t got = text_utf8_next(&p, buf + len);
    int32_t i = 0;
    UChar32 want;
    U8_NEXT(buf, i, len, want);
    if (want < 0)
        return got == 0xFFFD && p == buf + 1;
    return got == (uint32_t)want && p == buf + i;
}

/* Every 1-, 2- and 3-byte input, and 4-byte inputs with telling last bytes:
 * overlongs, surrogates, values above U+10FFFF, stray and missing
 * continuation bytes are all U+FFFD, and decoding always advances. */
static void test_utf8_rejects_ill_formed(void)
{
    static const unsigned char last[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
    misses m = {0};
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0; c < 256; c++) {
                unsigned char buf[4] = {(unsigned char)a, (unsigned char)b, (unsigned char)c, 0};
                int ok = decodes_like_icu(buf, 1) && decodes_like_icu(buf, 2) && decodes_like_icu(buf, 3);
                for (size_t k = 0; ok && a >= 0xF0 && k < sizeof last; k++) {
                    buf[3] = last[k];
                    ok = decodes_like_icu(buf, 4);
                }
                if (!ok)
                    miss(&m, a << 16 | b << 8 | c);
            }
    CHECK(m.n == 0, "%ld byte sequences decode unlike ICU, first %06X", m.n, (unsigned)m.first);
}

/* Without an end the NUL ends the text: a sequence cut by it is U+FFFD and
 * the bytes after the NUL are never taken. */
static void test_utf8_stops_at_nul(void)
{
    static const unsigned char cut[] = {0xE4, 0x00, 0x80, 0x80};
    const unsigned char *p = cut;
    CHECK(text_utf8_next(&p, NULL) == 0xFFFD && p == cut + 1, "a sequence cut by NUL");
    CHECK(text_utf8_prefix("\xE4\xB8\xAD\xE6\x96\x87", 1) == 3, "prefix of 中文");
}

/* UTF-16 matches ICU's units for every scalar value; the rest become U+FFFD. */
static void test_utf16(void)
{
    misses m = {0};
    for (uint32_t cp = 0; cp <= LAST_CP + 1; cp++) {
        uint16_t u[2];
        int n = text_utf16_encode(cp, u);
        uint32_t want = is_scalar(cp) ? cp : 0xFFFD;
        int ok = n == U16_LENGTH(want) &&
                 (n == 1 ? u[0] == want : u[0] == U16_LEAD(want) && u[1] == U16_TRAIL(want));
        if (!ok)
            miss(&m, cp);
    }
    CHECK(m.n == 0, "%ld code points encode unlike ICU, first U+%04X", m.n, (unsigned)m.first);
}

/* ---- character classes ------------------------------------------------------ */

static void test_default_ignorable(void)
{
    misses m = {0};
    for (uint32_t cp = 0; cp <= LAST_CP; cp++)
        if (!text_is_default_ignorable(cp) != !u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            miss(&m, cp);
    CHECK(m.n == 0, "%ld code points differ from ICU, first U+%04X", m.n, (unsigned)m.first);
}

/* A letter of the Hangul script, which text_is_cjk leaves out on purpose. */
static int is_hangul_letter(uint32_t cp)
{
    UErrorCode err = U_ZERO_ERROR;
    return uscript_getScript((UChar32)cp, &err) == USCRIPT_HANGUL && u_isalpha((UChar32)cp);
}

/* An East Asian wide, full-width or half-width character, or an ideographic one. */
static int is_east_asian(uint32_t cp)
{
    int w = eaw(cp);
    return w == U_EA_WIDE || w == U_EA_FULLWIDTH || w == U_EA_HALFWIDTH || lb(cp) == U_LB_IDEOGRAPHIC;
}

/* What the CJK class claims is East Asian and not Hangul; every unified
 * ideograph, and every BMP letter of the Han, kana and bopomofo scripts, is in it. */
static void test_cjk(void)
{
    misses foreign = {0}, hangul = {0}, missing = {0};
    for (uint32_t cp = 0; cp <= LAST_CP; cp++) {
        int assigned = u_charType((UChar32)cp) != U_UNASSIGNED;
        UErrorCode err = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript((UChar32)cp, &err);
        int kana_han = cp < 0x10000 && u_isalpha((UChar32)cp) &&
                       (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA ||
                        sc == USCRIPT_BOPOMOFO);
        if (text_is_cjk(cp) && assigned && !is_east_asian(cp) &&
            !(cp >= 0x3248 && cp <= 0x324F) && /* ㉈-㉏: ambiguous, set wide by CJK fonts */
            !(cp >= 0x4DC0 && cp <= 0x4DFF))   /* Yijing hexagrams: wide from Unicode 16 */
            miss(&foreign, cp);
        if (text_is_cjk(cp) && is_hangul_letter(cp))
            miss(&hangul, cp);
        if (!text_is_cjk(cp) && (u_hasBinaryProperty((UChar32)cp, UCHAR_UNIFIED_IDEOGRAPH) || kana_han))
            miss(&missing, cp);
    }
    CHECK(foreign.n == 0, "%ld code points are not East Asian, first U+%04X", foreign.n, (unsigned)foreign.first);
    CHECK(hangul.n == 0, "%ld Hangul letters, first U+%04X", hangul.n, (unsigned)hangul.first);
    CHECK(missing.n == 0, "%ld ideographs or kana missing, first U+%04X", missing.n, (unsigned)missing.first);
}

/* Members of a class and its witness, over all code points. */
static void check_class(const char *name, int (*is)(uint32_t), int (*witness)(uint32_t))
{
    misses m = {0};
    int members = 0;
    for (uint32_t cp = 0; cp <= LAST_CP; cp++)
        if (is(cp)) {
            members++;
            if (!witness(cp))
                miss(&m, cp);
        }
    CHECK(members > 0 && m.n == 0, "%s: %ld of %d members fail, first U+%04X", name, m.n, members,
          (unsigned)m.first);
}

static int opens(uint32_t cp)
{
    int t = u_charType((UChar32)cp), l = lb(cp);
    return t == U_START_PUNCTUATION || l == U_LB_OPEN_PUNCTUATION || l == U_LB_QUOTATION;
}

static int closes(uint32_t cp)
{
    int t = u_charType((UChar32)cp), l = lb(cp);
    return t == U_END_PUNCTUATION || l == U_LB_CLOSE_PUNCTUATION ||
           l == U_LB_CLOSE_PARENTHESIS || l == U_LB_QUOTATION;
}

/* Full-width punctuation UAX #14 already keeps off a line start. */
static int cjk_tail_mark(uint32_t cp)
{
    int l = lb(cp), w = eaw(cp);
    return u_charType((UChar32)cp) == U_OTHER_PUNCTUATION && (w == U_EA_WIDE || w == U_EA_FULLWIDTH) &&
           (l == U_LB_CLOSE_PUNCTUATION || l == U_LB_NONSTARTER || l == U_LB_EXCLAMATION);
}

static int named_middle_dot(uint32_t cp)
{
    char name[128];
    UErrorCode err = U_ZERO_ERROR;
    u_charName((UChar32)cp, U_UNICODE_CHAR_NAME, name, sizeof name, &err);
    size_t n = strlen(name);
    return n >= 10 && strcmp(name + n - 10, "MIDDLE DOT") == 0;
}

/* The dash and ellipsis break like their doubles: UAX #14 B2 and IN. */
static int pairs_like_dash(uint32_t cp)
{
    return lb(cp) == U_LB_BREAK_BOTH || lb(cp) == U_LB_INSEPARABLE;
}

static int is_dash_punct(uint32_t cp)
{
    return u_charType((UChar32)cp) == U_DASH_PUNCTUATION;
}

static int is_punct_or_symbol(uint32_t cp)
{
    return U_GET_GC_MASK((UChar32)cp) & (U_GC_P_MASK | U_GC_S_MASK);
}

static void test_classes_hold_what_they_name(void)
{
    check_class("opening brackets", text_is_open_bracket, opens);
    check_class("closing brackets", text_is_close_bracket, closes);
    check_class("pauses", text_is_pause, cjk_tail_mark);
    check_class("stops", text_is_stop, cjk_tail_mark);
    check_class("middle dots", text_is_middle_dot, named_middle_dot);
    check_class("dashes", text_is_dash, pairs_like_dash);
    check_class("hyphens", text_is_hyphen, is_dash_punct);
    check_class("CJK punctuation", text_is_cjk_punct, is_punct_or_symbol);
}

/* Brackets come in pairs: each one's mirror (Bidi_Paired_Bracket) is in the other class. */
static void test_brackets_pair(void)
{
    misses m = {0};
    for (uint32_t cp = 0; cp <= LAST_CP; cp++) {
        uint32_t partner = (uint32_t)u_getBidiPairedBracket((UChar32)cp);
        if ((text_is_open_bracket(cp) && partner != cp && !text_is_close_bracket(partner)) ||
            (text_is_close_bracket(cp) && partner != cp && !text_is_open_bracket(partner)))
            miss(&m, cp);
    }
    CHECK(m.n == 0, "%ld brackets lack their partner, first U+%04X", m.n, (unsigned)m.first);
}

/* The line-edge prohibitions are the classes: not-at-end is the opening
 * brackets, not-at-start holds every closing, pausing, stopping, middle and
 * dash mark and no opening one; all of them are CJK punctuation or ‼ ⁇ ～ –. */
static void test_prohibitions_follow_classes(void)
{
    misses m = {0};
    for (uint32_t cp = 0; cp <= LAST_CP; cp++) {
        int tail = text_is_close_bracket(cp) || text_is_pause(cp) || text_is_stop(cp) ||
                   text_is_middle_dot(cp) || text_is_dash(cp);
        int classes = tail || text_is_open_bracket(cp);
        int ok = !text_not_at_line_end(cp) == !text_is_open_bracket(cp) &&
                 (!tail || text_not_at_line_start(cp)) &&
                 !(text_not_at_line_start(cp) && text_not_at_line_end(cp)) &&
                 (!classes || text_is_cjk_punct(cp));
        if (!ok)
            miss(&m, cp);
    }
    CHECK(m.n == 0, "%ld code points break the rules, first U+%04X", m.n, (unsigned)m.first);
    CHECK(text_not_at_line_start(0x3019) && text_not_at_line_end(0x3018), "〘〙 are brackets at the line edges");
}

static int lb_inseparable(uint32_t cp)
{
    return lb(cp) == U_LB_INSEPARABLE;
}

/* The inseparables are exactly UAX #14 class IN. */
static void test_inseparable(void)
{
    check_class("inseparables", text_is_inseparable, lb_inseparable);
    check_class("line-break IN", lb_inseparable, text_is_inseparable);
}

int main(void)
{
    test_utf8_round_trip();
    test_utf8_encode_replaces();
    test_utf8_rejects_ill_formed();
    test_utf8_stops_at_nul();
    test_utf16();
    test_default_ignorable();
    test_cjk();
    test_classes_hold_what_they_name();
    test_brackets_pair();
    test_prohibitions_follow_classes();
    test_inseparable();
    return unit_done("test_text");
}
