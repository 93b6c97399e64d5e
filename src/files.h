/*
 * files.h: reading inputs and writing outputs, safely.
 *
 * Every file a run reads is opened here or noted here when a library opens
 * it itself (the schema through libxml2, fonts through FreeType, images
 * through libpng and libharu).  That record, kept in the context, is what
 * lets paiban promise that it never writes over a file it reads in the same
 * run (compared by device and inode, after resolving links), and it is what
 * --depfile and --watch list as the sources of a build.
 *
 * Inputs must be regular files: a FIFO would block the run and /dev/zero
 * would never end, so both are refused before anything reads them.  Paths
 * named by a document (XIncludes, images) must stay below the main
 * document's directory unless --include-anywhere is given; a path outside
 * it gets the same message whether or not a file exists there.
 *
 * Outputs are written to a temporary file beside the target, synced and
 * renamed into place, with SIGINT, SIGTERM and SIGHUP held back meanwhile,
 * so a failed or interrupted run never leaves a broken file or a temporary
 * one.  An output that is a symbolic link is written through: its target
 * is replaced and the link stays a link.
 *
 * Ownership: the registry belongs to the context (ctx.h) and is freed with
 * it; functions returning char * return malloc'd strings the caller frees.
 */
#ifndef PAIBAN_FILES_H
#define PAIBAN_FILES_H

#include "ctx.h"

#include <stddef.h>

/*
 * Read a whole regular file at most max bytes long (0: the run's input
 * limit) and note it as read; NULL with an error at pos when it cannot be
 * read, is not a regular file, is too long, or is one of this run's outputs.
 */
char *files_read(pb_ctx *ctx, pb_pos pos, const char *path, size_t max, size_t *len);

/*
 * Before a library opens path itself: check that it is a regular file and
 * note it as read.  what names it in the message ("the schema", "image").
 * Returns 0, or -1 with an error at pos.
 */
int files_check_input(pb_ctx *ctx, pb_pos pos, const char *path, const char *what);

/*
 * Resolve href, named in the file from, against from's directory.  With
 * root set, the result must lie below root (real paths, so a symbolic link
 * cannot lead out) unless ctx->include_anywhere; what names the referring
 * construct in messages ("xi:include", "image").  Returns the path (as
 * joined, not canonicalised), or NULL with an error at pos.
 */
char *files_resolve(pb_ctx *ctx, pb_pos pos, const char *root, const char *from,
                    const char *href, const char *what);

/* The real directory of path (its parent, made absolute): the root for files_resolve. */
char *files_root_of(const char *path);

/*
 * Declare path an output of this run, before it is written: a symbolic
 * link resolves to its target.  Returns the path to write (malloc'd), or
 * NULL with an error naming both files when it is a file read in this run
 * (or a dangling link).  Such an error is a usage error (ctx->usage_errors).
 */
char *files_plan_output(pb_ctx *ctx, const char *path);

/*
 * Write len bytes at buf to path (a planned output), replacing it only when
 * complete.  With keep_same, a regular file that already holds exactly
 * these bytes is left untouched.  Returns 0, 1 (left untouched), or -1
 * with an error naming path.
 */
int files_write(pb_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                int keep_same);

/* Start a new build (watch mode): outputs are planned again, reads listed afresh. */
void files_new_build(pb_ctx *ctx);

/*
 * The files read in the current build, in the order first read: fills
 * names (borrowed from the registry) with up to max entries and returns
 * how many there are; fonts are included when with_fonts is set.
 */
int files_sources(const pb_ctx *ctx, const char **names, int max, int with_fonts);

/*
 * The newest modification time (seconds since 1970) of the files read in
 * the current build, fonts left out (they belong to the system): the date
 * a PDF gets when SOURCE_DATE_EPOCH is not set, so the same inputs give
 * the same bytes.  -1 when no file was read.
 */
long long files_newest_mtime(const pb_ctx *ctx);

/* Note a font file read (FreeType opens it): recorded like any input. */
void files_note_font(pb_ctx *ctx, const char *path);

#endif
