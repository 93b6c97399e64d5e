/*
 * plan.h: what outputs one run writes, from the command line or from a
 * build description.
 *
 * A run reads one document and writes one or more outputs.  Each output
 * names its file (a pattern with one %d when it is split), its style
 * sheet, its imposition and the part of the document it shows.  The
 * command line describes one output with its options; a build description
 * (an XML file checked against xml/build.rng) describes several, so that
 * one run parses the document once, lays out each style once, and writes
 * the print edition, its imposition and every handout:
 *
 *   <build input="report.xml">
 *     <output file="../out/report.pdf" style="../styles/print.xml"/>
 *     <output file="../out/report-imposed.pdf" style="../styles/print.xml"
 *             impose="saddle" marks="yes" sheet="A3"/>
 *   </build>
 *
 * Paths in a build description are relative to its directory.  The option
 * values (impose, marks, sheet, creep, nup) are read by plan_set_option for
 * both, so they mean the same in each.
 *
 * Ownership: a plan owns its strings; plan_free frees them.
 */
#ifndef PAIBAN_PLAN_H
#define PAIBAN_PLAN_H

#include "ctx.h"
#include "impose.h"

/* One output of a run. */
typedef struct plan_output {
    char *file;                 /* the PDF, or with split a pattern with one %d */
    char *style;                /* its style sheet; NULL: the installation's default */
    impose_options impose;
    char *split;                /* one PDF per element of this name, or NULL */
    char *select;               /* only the element with this id, or NULL */
    int untagged;               /* 1: no structure tree (a smaller, inaccessible PDF) */
    int sheet_given, creep_given; /* for options that only apply to some impositions */
    pb_pos pos;                 /* where a build description describes it */
} plan_output;

/* Every output of a run, from one document. */
typedef struct plan {
    char *source;               /* the build description, or NULL; outputs' pos.file */
    char *input;                /* the document */
    int n, cap;
    plan_output *outputs;
} plan;

/* Append an empty output writing file (copied) with style (copied, may be NULL). */
plan_output *plan_add(plan *p, const char *file, const char *style);

/*
 * Set the output option name (impose, marks, sheet, creep, nup, split,
 * select, untagged) from value ("yes"/"no" for marks and untagged).  NULL, or a phrase saying
 * what the value should have been.
 */
const char *plan_set_option(plan_output *o, const char *name, const char *value);

/* Why the options of o do not go together (e.g. a sheet without imposition), or NULL. */
const char *plan_check(const plan_output *o);

/*
 * Find the one number conversion (%d, %2d, %02d …) of an output pattern:
 * 1 when there is exactly one and no other '%' but "%%"; its start goes
 * to *slot when slot is not NULL.
 */
int plan_number_slot(const char *pattern, const char **slot);

/* The output name for element number n: the pattern with its %d filled in (malloc'd). */
char *plan_output_name(const char *pattern, int n);

/* Read the build description at path, checked against schema; NULL with errors reported. */
plan *plan_load(pb_ctx *ctx, const char *path, const char *schema);

/* Free the plan and its strings. */
void plan_free(plan *p);

#endif
