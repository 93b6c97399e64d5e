/* hash.c: a 128-bit hash, fed in pieces: eight bytes at a time, FNV-1a for the rest. */
#include "hash.h"

#include <string.h>

#define LANE_A_PRIME 0x100000001b3u         /* FNV-1a's 64-bit prime */
#define LANE_B_PRIME 0x9e3779b97f4a7c15u    /* the golden ratio's odd multiplier */

/* A fresh hash state. */
pb_hash pb_hash_start(void)
{
    return (pb_hash){0xcbf29ce484222325u, 0x84222325cbf29ce4u};
}

/* Feed n bytes at p: whole words first, each folded so its high bits reach the low
 * ones (a display list or a PDF is megabytes; a byte at a time was a sixth of a
 * rebuild), then the last bytes one by one. */
void pb_hash_add(pb_hash *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t a = h->a, b = h->b;
    for (; n >= 8; c += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, c, sizeof w);
        a = (a ^ w) * LANE_A_PRIME;
        a ^= a >> 29;
        b = (b ^ w ^ 0xA5A5A5A5A5A5A5A5u) * LANE_B_PRIME;
        b ^= b >> 31;
    }
    for (size_t i = 0; i < n; i++) {
        a = (a ^ c[i]) * LANE_A_PRIME;
        b = (b ^ (c[i] ^ 0xA5u)) * LANE_A_PRIME;
    }
    h->a = a;
    h->b = b;
}

/* Feed a string with its NUL. */
void pb_hash_add_str(pb_hash *h, const char *s)
{
    const char *z = s ? s : "";
    size_t n = 0;
    while (z[n])
        n++;
    pb_hash_add(h, z, n + 1);
}

/* The digest. */
void pb_hash_end(const pb_hash *h, unsigned char out[PB_HASH_BYTES])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (unsigned char)(h->a >> (56 - 8 * i));
        out[8 + i] = (unsigned char)(h->b >> (56 - 8 * i));
    }
}
