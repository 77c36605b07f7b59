/*
 * docs: decisions documents (`ccr render --docs DIR`): every .md file under DIR rendered
 * with cmark into docs/<path>.html, evidence references in the text turned into
 * links, and the citations kept so run, test and recipe pages can link back.
 *
 * Reference forms recognised in text (outside code and links):
 *   20260618T001730Z-mumble          a run id                 -> its run page
 *   mumble@1.0.0+v1.6.870-0          a recipe at a version    -> the recipe page
 *   gitea/upgrade/test_upgrade_ok    recipe/tier/test (the test's name, its
 *                                    classname::name, or its slug) -> the test page
 *   sig:3f2a9c0d1e4b                 a failure signature      -> signatures/<id>.html
 * and markdown links to site pages, written relative to the site root
 * ("runs/<id>/index.html#restore", "recipes/gitea/index.html", "timeline.html") or
 * to another document ("OTHER.md#section"). A reference that does not resolve is
 * shown as broken and named in a warning; the render then exits 1.
 */
#ifndef CCR_RENDER_DOCS_H
#define CCR_RENDER_DOCS_H

#include "render.h"

/* documents read from --docs; more is not a decisions folder */
#define DOCS_MAX_FILES 1000
/* bytes of one document: a long decisions log is ~100 KB */
#define DOCS_MAX_BYTES (4 * 1024 * 1024)
/* references resolved per document: bounds the store lookups of a hostile file */
#define DOCS_MAX_REFS 20000

/*
 * Page kind "docs-scan", first in the table: reads --docs, renders every document
 * into memory and records what each cites (TEMP table doc_cite), so the run, test
 * and recipe pages rendered after it can list their citations. Writes nothing.
 */
int page_docs_scan(struct render *r);
/* Page kind "docs": writes the documents rendered by page_docs_scan() and docs/index.html. */
int page_docs(struct render *r);

/*
 * Writes a "Cited in" section listing the documents (and their sections) that
 * cite this run (kind "run", key its id), test ("test", key its test.id in
 * decimal) or recipe ("recipe": anything of that recipe). Nothing when none, or
 * when the render has no --docs.
 */
void docs_citations(struct html *h, struct render *r, const char *kind, const char *key);

/* The length of the evidence reference (run id, recipe@version, recipe/tier/test,
 * signature) starting at s[i] (a word start) of s[0..n), 0 when there is none. The
 * store is not asked, so recipe/tier/test counts only with one of the five standard
 * tiers. For tests and tests/fuzz/fuzz_docs.c; the render uses the same matcher. */
size_t docs_ref_len(const char *s, size_t n, size_t i);

/* SHA-256 over the documents' paths and bytes, for the render state: a changed
 * document makes the next render a full one (back-links may have moved). "" when
 * dir is NULL. 0, or -1 with the error printed. */
int docs_fingerprint(const char *dir, char out[65]);

#endif
