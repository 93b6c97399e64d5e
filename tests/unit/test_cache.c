/*
 * test_cache.c: costly results kept between runs (cache.h).
 *
 * A result put by one run (one context) is found by the next; an entry
 * damaged on disk is a miss, not wrong bytes; a directory over
 * CACHE_MAX_BYTES loses its oldest entries before a run adds one.
 */
#include "cache.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

/* A fresh run context keeping its results in dir. */
static pb_ctx *run_in(const char *dir)
{
    pb_ctx *ctx = pb_ctx_new(stderr);
    ctx->cache_dir = dir;
    return ctx;
}

/* A copy of s as cache data (cache_put takes its data). */
static unsigned char *bytes(const char *s)
{
    unsigned char *d = pb_alloc(strlen(s));
    memcpy(d, s, strlen(s));
    return d;
}

/* Flip the last byte of the file at path. */
static void damage(const char *path)
{
    FILE *f = fopen(path, "r+b");
    CHECK(f && fseek(f, -1, SEEK_END) == 0, "cannot open %s", path);
    if (!f)
        return;
    int c = fgetc(f);
    fseek(f, -1, SEEK_END);
    fputc(c ^ 1, f);
    fclose(f);
}

static void test_between_runs(const char *dir)
{
    pb_ctx *a = run_in(dir);
    const pb_memo *m = cache_put(a, "font-abc", bytes("subset bytes"), 12);
    CHECK(m && m->len == 12, "put returned no entry");
    pb_ctx_free(a);
    pb_ctx *b = run_in(dir);
    m = cache_get(b, "font-abc");
    CHECK(m && m->len == 12 && memcmp(m->data, "subset bytes", 12) == 0,
          "the next run does not find what the last one put");
    CHECK(cache_get(b, "font-none") == NULL, "a key never put was found");
    pb_ctx_free(b);
    char path[256];
    snprintf(path, sizeof path, "%s/font-abc", dir);
    damage(path);
    pb_ctx *c = run_in(dir);
    CHECK(cache_get(c, "font-abc") == NULL, "a damaged entry was returned");
    pb_ctx_free(c);
}

/* Write a file of size bytes at dir/name dated age seconds ago. */
static void old_file(const char *dir, const char *name, long size, long age)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f && ftruncate(fileno(f), size) == 0, "cannot write %s", path);
    if (f)
        fclose(f);
    struct utimbuf t = {time(NULL) - age, time(NULL) - age};
    utime(path, &t);
}

static int exists(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void test_bound(const char *dir)
{
    long quarter = CACHE_MAX_BYTES / 4 - 1024; /* five are over the bound, four under it */
    old_file(dir, "font-oldest", quarter, 400);
    old_file(dir, "font-older", quarter, 300);
    old_file(dir, "font-old", quarter, 200);
    old_file(dir, "font-new", quarter, 100);
    old_file(dir, "font-newest", quarter, 10);
    pb_ctx *ctx = run_in(dir);
    cache_put(ctx, "font-added", bytes("x"), 1);
    pb_ctx_free(ctx);
    CHECK(!exists(dir, "font-oldest"), "the oldest entry survived a directory over its bound");
    CHECK(exists(dir, "font-older") && exists(dir, "font-newest") && exists(dir, "font-added"),
          "more than the oldest entry went, or the new one is missing");
}

int main(void)
{
    char dir[] = "/tmp/paiban-cache-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
    test_between_runs(dir);
    test_bound(dir);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "cannot remove %s", dir);
    return unit_done("test_cache");
}
