/*
 * cache.h: costly results kept for the run and, with a cache directory,
 * between runs.
 *
 * A result (a subset font program, deflated) is found by a key that names
 * everything it was made from: the font file's path and identity, the face,
 * the glyphs.  cache_get looks in the run's memo (ctx.h), then in the
 * cache directory (--cache DIR, e.g. out/.cache); cache_put keeps it in
 * both.  A file of the directory holds a check hash of its bytes, so a
 * truncated or damaged entry is a miss, never a broken PDF; entries are
 * written to a temporary file and renamed, so concurrent runs see whole
 * entries or none; when the directory holds more than CACHE_MAX_BYTES the
 * oldest entries are removed (once a run, before its first new entry, so a
 * run may leave it over the bound by what it added).  Deleting the
 * directory costs only time.
 *
 * Ownership: entries belong to the context (pb_memo).
 */
#ifndef PAIBAN_CACHE_H
#define PAIBAN_CACHE_H

#include "ctx.h"
#include "hash.h"

/* The most the cache directory holds before its oldest entries go. */
#define CACHE_MAX_BYTES (64L << 20)

/* The size of a key cache_key makes (prefix of at most 15 characters). */
#define CACHE_KEY_SIZE (16 + 2 * PB_HASH_BYTES)

/* The key of the entry that h names: prefix (letters, '-') then h's digest in hex. */
void cache_key(char key[CACHE_KEY_SIZE], const char *prefix, const pb_hash *h);

/* The entry under key (letters, digits, '-'), from the run or the directory; NULL when absent. */
const pb_memo *cache_get(pb_ctx *ctx, const char *key);

/* Keep data (len bytes, taken) under key, for the run and in the directory; the entry. */
const pb_memo *cache_put(pb_ctx *ctx, const char *key, unsigned char *data, size_t len);

#endif
