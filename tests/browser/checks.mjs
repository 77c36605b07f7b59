// checks.mjs: the whole rendered site, without a browser: every link resolves
// (lib/linkcheck.mjs), every page is valid HTML (html-validate, lib/htmlcheck.mjs),
// the contract's files are there. First each checker is shown to catch the
// mistakes planted in fixtures/broken, so a silent checker cannot pass.
// Full reports: tests/out/browser/links.txt and html.txt.
import fs from 'node:fs';
import path from 'node:path';
import { assert, finish, here, notOk, out, site, test } from './lib/common.mjs';

let checkLinks, linkLine, checkHtml, htmlLine;
try {
	({ checkLinks, describe: linkLine } = await import('./lib/linkcheck.mjs'));
	({ checkHtml, describe: htmlLine } = await import('./lib/htmlcheck.mjs'));
} catch (e) {
	notOk('site-checkers', `${e.code === 'ERR_MODULE_NOT_FOUND' ? 'run tools/deps.sh (npm ci in tests/browser): ' : ''}${e.message}`);
	await finish();
}

const broken = path.join(here, '../fixtures/broken');

await test('linkcheck-catches-planted-mistakes', () => {
	const r = checkLinks(broken);
	const got = r.problems.map((p) => p.url).sort();
	const want = ['#twice', '../outside.html', '//example.org/x', '/index.html', 'javascript:alert(1)',
		'missing.png', 'nothere.html', 'sub/', 'sub/page.html#L1-L9', 'sub/page.html#nope'].sort();
	assert(JSON.stringify(got) === JSON.stringify(want), `reported ${JSON.stringify(got)}`);
	assert(r.external === 1, `counted ${r.external} external links, want 1`);
});

await test('htmlcheck-catches-planted-mistakes', async () => {
	const r = await checkHtml([broken]);
	const rules = [...new Set(r.problems.map((p) => p.rule))].sort();
	for (const want of ['no-dup-id', 'no-implicit-close', 'wcag/h37'])
		assert(rules.includes(want), `missed ${want}; reported ${rules.join(' ')}`);
	assert(!r.problems.some((p) => p.file.startsWith('sub')), 'reported the valid sub/page.html');
});

let dir;
await test('site-built', () => { dir = site(); });
if (!dir) await finish();

await test('site-contract-files', () => {
	const need = (rel, re) => {
		const found = [];
		const rec = (d, r) => {
			for (const e of fs.readdirSync(d, { withFileTypes: true })) {
				const q = r ? `${r}/${e.name}` : e.name;
				if (e.isDirectory()) rec(path.join(d, e.name), q);
				else if (re.test(q)) found.push(q);
			}
		};
		rec(dir, '');
		assert(found.length > 0, `no ${rel} in ${dir}`);
	};
	need('index.html', /^index\.html$/);
	need('runs/<run-id>/index.html', /^runs\/[^/]+\/index\.html$/);
	need('runs/<run-id>/logs/<name>.html', /^runs\/[^/]+\/logs\/[^/]+\.html$/);
});

await test('site-links', () => {
	const r = checkLinks(dir);
	fs.writeFileSync(path.join(out, 'links.txt'), `${dir}\n${r.problems.map(linkLine).join('\n')}\n` +
		`${r.files} files, ${r.links} links (${r.internal} internal, ${r.fragments} with #fragment, ${r.external} external): ${r.problems.length} broken\n`);
	console.log(`# links: ${r.files} files, ${r.links} links, ${r.internal} internal, ${r.fragments} with #fragment, ${r.external} external, ${r.problems.length} broken`);
	assert(r.internal > 0 && r.fragments > 0, `only ${r.internal} internal links, ${r.fragments} with a fragment: the site links nothing`);
	assert(r.problems.length === 0, `${r.problems.length} broken, e.g. ${r.problems.slice(0, 3).map(linkLine).join('; ')} (all in tests/out/browser/links.txt)`);
});

await test('site-html-valid', async () => {
	const r = await checkHtml([dir]);
	fs.writeFileSync(path.join(out, 'html.txt'), `${dir}\n${r.problems.map(htmlLine).join('\n')}\n${r.files} files: ${r.errors} errors, ${r.warnings} warnings\n`);
	console.log(`# html: ${r.files} files, ${r.errors} errors, ${r.warnings} warnings`);
	assert(r.files > 0, 'no HTML files');
	assert(r.errors === 0, `${r.errors} errors, e.g. ${r.problems.slice(0, 3).map(htmlLine).join('; ')} (all in tests/out/browser/html.txt)`);
});

await finish();
