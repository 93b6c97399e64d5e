/*
 * hash.h: a 128-bit hash, fed in pieces.
 *
 * Two 64-bit lanes with different bases, multipliers and masks, fed eight
 * bytes at a time (multiply, then fold the high bits down), the tail byte
 * by byte as FNV-1a.  The digest depends on how the input is cut into
 * pieces, so a caller feeds the same thing the same way every time.  Not for
 * security: it tells apart files and the inputs of an output (the PDF
 * trailer /ID, an output's fingerprint), where a collision costs a
 * needless or a missed rewrite, not a secret.
 *
 * Ownership: the state is a plain value; nothing is allocated.
 */
#ifndef PAIBAN_HASH_H
#define PAIBAN_HASH_H

#include <stddef.h>
#include <stdint.h>

enum { PB_HASH_BYTES = 16 };

typedef struct pb_hash {
    uint64_t a, b;
} pb_hash;

/* A fresh hash state. */
pb_hash pb_hash_start(void);
/* Feed n bytes at p. */
void pb_hash_add(pb_hash *h, const void *p, size_t n);
/* Feed a string and its terminating NUL (NULL feeds one NUL), so "ab","c" differs from "a","bc". */
void pb_hash_add_str(pb_hash *h, const char *s);
/* The digest, big-endian lane a then lane b. */
void pb_hash_end(const pb_hash *h, unsigned char out[PB_HASH_BYTES]);

#endif
