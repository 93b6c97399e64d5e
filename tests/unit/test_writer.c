/*
 * test_writer.c: the output interface, through the trace writer.
 *
 * output_render() drives any writer_ops over the imposed sheets.  The
 * trace writer records each call as a line, so these checks read like the
 * layout they test: a short document styled with styles/booklet.xml is
 * written 1-up and as saddle-stitched spreads, and the traces must show
 * the calls in order (begin, a sheet, its pages, its marks, end), the
 * text of the body and of the running heads, links only in 1-up output,
 * and printer's marks in registration ink.
 */
#include "helpers.h"
#include "output.h"
#include "pipeline.h"
#include "unit.h"

#include <stdio.h>
#include <string.h>

static const char DOC[] =
    "<document><meta><title>写作者</title><publisher>某社</publisher></meta><body>\n"
    "<section><heading>第一节</heading><p>正文第一段。</p></section>\n"
    "<section><heading>第二节</heading><p>正文第二段。</p></section>\n"
    "</body></document>\n";

/* Count the lines of trace that start with prefix. */
static int count_lines(const char *trace, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *l = trace; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        n += strncmp(l, prefix, len) == 0;
    return n;
}

/* The trace of the document written with imposition io (NULL: 1-up); malloc'd. */
static char *trace_of(pb_ctx *ctx, const dl_document *pages, const impose_options *io)
{
    output_options o = {.impose = io};
    unsigned char *out = NULL;
    size_t len = 0;
    int rc = output_render(ctx, &trace_writer_ops, pages, &o, "t.pdf", &out, &len);
    CHECK(rc == 0 && out && len == strlen((char *)out), "output_render with the trace writer: %d", rc);
    return (char *)out;
}

/* The number of items drawn as marks, or -1 when one of them is not in registration ink. */
static int marks_in_registration(const char *trace)
{
    int n = 0, in_marks = 0;
    for (const char *l = trace; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, " marks", 6) == 0)
            in_marks = 1;
        else if (l[0] != ' ' || l[1] != ' ')
            in_marks = 0;
        else if (in_marks) {
            char one[512];
            snprintf(one, sizeof one, "%.*s", (int)strcspn(l, "\n"), l);
            if (!strstr(one, "registration"))
                return -1;
            n++;
        }
    }
    return n;
}

/* Every sheet's calls come in order: sheet, its pages, its marks. */
static void check_order(const char *trace, int sheets, int pages_per_sheet, int marks)
{
    CHECK(strncmp(trace, "begin ", 6) == 0, "the trace does not start with begin: %.40s", trace);
    CHECK(strstr(trace, "\nend\n") != NULL, "the trace does not end with end");
    CHECK(count_lines(trace, "sheet ") == sheets, "%d sheets, expected %d",
          count_lines(trace, "sheet "), sheets);
    CHECK(count_lines(trace, " marks") == (marks ? sheets : 0), "%d marks sections",
          count_lines(trace, " marks"));
    const char *s = strstr(trace, "sheet 0 "), *p = s ? strstr(s, " page ") : NULL;
    const char *s1 = s ? strstr(s + 1, "sheet 1 ") : NULL;
    CHECK(p && (!s1 || p < s1), "sheet 0's page is not drawn before sheet 1 begins");
    (void)pages_per_sheet;
}

static void test_trace_one_up_and_saddle(void)
{
    tmpdir t;
    capture c;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    capture_start(&c);
    pipeline_sources src;
    int rc = pipeline_load(c.ctx, tmpdir_write(&t, "d.xml", DOC), "xml/paiban.rng",
                           "styles/booklet.xml", &src);
    composer *comp = composer_new(c.ctx);
    dl_document *pages = rc == 0 ? pipeline_typeset(c.ctx, comp, &src, NULL) : NULL;
    CHECK(pages != NULL, "typesetting failed: %s", capture_text(&c));
    if (pages) {
        char *one = trace_of(c.ctx, pages, NULL);
        check_order(one, pages->npages, 1, 0);
        CHECK(strstr(one, "\"正文第一段。\"") && strstr(one, "\"正文第二段。\""),
              "the body text is not in the trace");
        CHECK(strstr(one, "\"第二节\"") != NULL, "the second heading is not in the trace");
        CHECK(strstr(one, "links yes") && count_lines(one, "  link to page ") == 2,
              "1-up: expected two contents links");
        impose_options io = {.mode = IMPOSE_SADDLE, .marks = 1, .sheet_width = 420 * IMPOSE_MM,
                             .sheet_height = 297 * IMPOSE_MM};
        char *saddle = trace_of(c.ctx, pages, &io);
        int sheets = (pages->npages + 3) / 4 * 2;
        check_order(saddle, sheets, 2, 1);
        CHECK(strstr(saddle, "links no") != NULL, "imposed sheets must not carry links");
        CHECK(marks_in_registration(saddle) > 8, "printer's marks are not all in registration ink");
        CHECK(strstr(saddle, "registration \"t.pdf") != NULL, "the slug line names the output");
        free(one);
        free(saddle);
    }
    dl_document_free(pages);
    composer_free(comp);
    pipeline_sources_free(&src);
    capture_end(&c);
    tmpdir_remove(&t);
}

int main(void)
{
    test_trace_one_up_and_saddle();
    return unit_done("test_writer");
}
