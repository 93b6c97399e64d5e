/* hash.c: 128-bit FNV-1a, fed in pieces. */
#include "hash.h"

/* A fresh hash state. */
pb_hash pb_hash_start(void)
{
    return (pb_hash){0xcbf29ce484222325u, 0x84222325cbf29ce4u};
}

/* Feed n bytes at p. */
void pb_hash_add(pb_hash *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t a = h->a, b = h->b;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ c[i]) * 0x100000001b3u;
        b = (b ^ (c[i] ^ 0xA5u)) * 0x100000001b3u;
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
