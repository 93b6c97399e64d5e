/* cache.c: costly results kept for the run and in a cache directory. */
#include "cache.h"
#include "hash.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "paiban-cache-1\n"
enum { MAGIC_LEN = sizeof MAGIC - 1, HEAD_LEN = MAGIC_LEN + PB_HASH_BYTES };

/* The path of key's file in the cache directory (malloc'd). */
static char *entry_path(const pb_ctx *ctx, const char *key, const char *suffix)
{
    char *p = pb_alloc(strlen(ctx->cache_dir) + strlen(key) + strlen(suffix) + 2);
    sprintf(p, "%s/%s%s", ctx->cache_dir, key, suffix);
    return p;
}

/* The payload of the entry file at path when it is whole (its check hash holds); NULL otherwise. */
static unsigned char *read_entry(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    unsigned char *buf = NULL;
    if (f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= HEAD_LEN &&
        st.st_size <= CACHE_MAX_BYTES) {
        buf = pb_alloc((size_t)st.st_size);
        if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
    }
    if (f)
        fclose(f);
    unsigned char sum[PB_HASH_BYTES];
    size_t n = buf ? (size_t)st.st_size - HEAD_LEN : 0;
    if (buf) {
        pb_hash h = pb_hash_start();
        pb_hash_add(&h, buf + HEAD_LEN, n);
        pb_hash_end(&h, sum);
    }
    if (!buf || memcmp(buf, MAGIC, MAGIC_LEN) != 0 || memcmp(buf + MAGIC_LEN, sum, sizeof sum) != 0) {
        free(buf);
        return NULL;
    }
    memmove(buf, buf + HEAD_LEN, n);
    *len = n;
    return buf;
}

/* The entry under key, from the run or the directory. */
const pb_memo *cache_get(pb_ctx *ctx, const char *key)
{
    const pb_memo *m = pb_memo_find(ctx, key);
    if (m || !ctx->cache_dir)
        return m;
    char *path = entry_path(ctx, key, "");
    size_t len;
    unsigned char *data = read_entry(path, &len);
    free(path);
    return data ? pb_memo_keep(ctx, key, data, len, NULL) : NULL;
}

/* Write the entry for data under key: a temporary file renamed into place. */
static void write_entry(const pb_ctx *ctx, const char *key, const unsigned char *data, size_t len)
{
    char suffix[48];
    snprintf(suffix, sizeof suffix, ".%ld.tmp", (long)getpid());
    char *tmp = entry_path(ctx, key, suffix), *path = entry_path(ctx, key, "");
    unsigned char sum[PB_HASH_BYTES];
    pb_hash h = pb_hash_start();
    pb_hash_add(&h, data, len);
    pb_hash_end(&h, sum);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(MAGIC, 1, MAGIC_LEN, f) == MAGIC_LEN && fwrite(sum, 1, sizeof sum, f) == sizeof sum &&
             fwrite(data, 1, len, f) == len;
    if (f)
        ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp); /* a cache that cannot be written costs time, not the build */
    free(tmp);
    free(path);
}

/* One file of the directory, for pruning. */
typedef struct entry_file {
    char *path;
    long long size, mtime;
} entry_file;

static int cmp_older(const void *a, const void *b)
{
    const entry_file *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime ? 1 : strcmp(x->path, y->path);
}

/* Remove the oldest entries while the directory holds more than CACHE_MAX_BYTES. */
static void prune(const pb_ctx *ctx)
{
    DIR *d = opendir(ctx->cache_dir);
    entry_file *files = NULL;
    int n = 0, cap = 0;
    long long total = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat st;
        char *path = entry_path(ctx, e->d_name, "");
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        pb_grow(&files, &cap, n + 1, sizeof *files);
        files[n++] = (entry_file){path, (long long)st.st_size, (long long)st.st_mtime};
        total += st.st_size;
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(files, (size_t)n, sizeof *files, cmp_older);
    for (int i = 0; i < n; i++) {
        if (total > CACHE_MAX_BYTES && unlink(files[i].path) == 0)
            total -= files[i].size;
        free(files[i].path);
    }
    free(files);
}

/* Keep data under key, for the run and in the directory. */
const pb_memo *cache_put(pb_ctx *ctx, const char *key, unsigned char *data, size_t len)
{
    if (ctx->cache_dir && (mkdir(ctx->cache_dir, 0777) == 0 || access(ctx->cache_dir, W_OK) == 0)) {
        /* once a run: a run adds a few entries, and a scan of a full directory is not free */
        if (!ctx->cache_pruned)
            prune(ctx);
        ctx->cache_pruned = 1;
        write_entry(ctx, key, data, len);
    }
    return pb_memo_keep(ctx, key, data, len, NULL);
}

/* The key of the entry that h names: prefix then h's digest in hex. */
void cache_key(char key[CACHE_KEY_SIZE], const char *prefix, const pb_hash *h)
{
    unsigned char d[PB_HASH_BYTES];
    pb_hash_end(h, d);
    int k = snprintf(key, CACHE_KEY_SIZE - 2 * PB_HASH_BYTES, "%s", prefix);
    for (int i = 0; i < PB_HASH_BYTES; i++)
        k += snprintf(key + k, 3, "%02x", d[i]);
}
