// html-validate configuration for the rendered site (used by lib/htmlcheck.mjs).
// The recommended preset; a rule turned off or relaxed here needs its reason beside it.
export default {
	root: true,
	extends: ['html-validate:recommended'],
	rules: {
		// The permanent anchors of DESIGN.md (#<tier>--<test-slug>) hold '.' from test
		// slugs (lib/slug.h). HTML5 allows any id without white space; "relaxed" checks
		// exactly that instead of the stricter letters/digits/-/_ convention.
		'valid-id': ['error', { relaxed: true }],
	},
};
