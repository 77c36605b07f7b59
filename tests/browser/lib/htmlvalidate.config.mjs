// html-validate configuration for the rendered site (used by htmlcheck.mjs).
// The recommended preset; a rule turned off or relaxed here needs its reason beside it.
export default {
	root: true,
	extends: ['html-validate:recommended'],
	rules: {
		// The permanent anchors of DESIGN.md (#<tier>--<test-slug>) hold '.' from test
		// slugs (lib/slug.h). HTML5 allows any id without white space; "relaxed" checks
		// exactly that instead of the stricter letters/digits/-/_ convention.
		'valid-id': ['error', { relaxed: true }],
		// Tracebacks, messages and log lines are shown verbatim in <pre>: their trailing
		// blanks are data, not sloppy markup.
		'no-trailing-whitespace': 'off',
		// Titles carry names from input (recipe, run id, test) in full: a search engine's
		// snippet length is no reason to cut what identifies the page.
		'long-title': 'off',
		// The filter forms (flakes.html) are live filters that assets/site.js shows and
		// drives; there is nothing to submit, so a submit button would be a dead control.
		'wcag/h32': 'off',
	},
};
