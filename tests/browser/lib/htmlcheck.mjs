// htmlcheck.mjs: every HTML file of a rendered site through html-validate, a real
// validator (pinned in tests/browser/package.json), configured by
// tests/browser/lib/htmlvalidate.config.mjs (html-validate:recommended plus reasoned changes).
// Used by tests/browser/checks.mjs; also a command:
//   node tests/browser/lib/htmlcheck.mjs SITE_DIR|FILE.html ...   (exit 1 on any error)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlValidate, StaticConfigLoader } from 'html-validate';
import config from './htmlvalidate.config.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// the configuration: ./htmlvalidate.config.mjs

function htmlUnder(p) {
	if (!fs.statSync(p).isDirectory()) return [p];
	const found = [];
	const rec = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const q = path.join(d, e.name);
			if (e.isDirectory()) rec(q);
			else if (e.isFile() && e.name.endsWith('.html')) found.push(q);
		}
	};
	rec(p);
	return found.sort();
}

// Validates every .html file under each path; returns { files, errors, warnings,
// problems: [{ file, line, column, rule, message, severity }] } (file relative to base).
export async function checkHtml(paths, base = paths[0]) {
	const hv = new HtmlValidate(new StaticConfigLoader(config));
	const files = paths.flatMap(htmlUnder);
	const res = { files: files.length, errors: 0, warnings: 0, problems: [] };
	const rel = fs.statSync(base).isDirectory() ? base : path.dirname(base);
	for (const f of files) {
		const report = await hv.validateFile(f);
		res.errors += report.errorCount;
		res.warnings += report.warningCount;
		for (const r of report.results)
			for (const m of r.messages)
				res.problems.push({ file: path.relative(rel, f), line: m.line, column: m.column,
					rule: m.ruleId, message: m.message, severity: m.severity === 2 ? 'error' : 'warning' });
	}
	return res;
}

export function describe(p) { return `${p.file}:${p.line}:${p.column}: ${p.severity}: ${p.message} [${p.rule}]`; }

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	if (!args.length) {
		console.error('usage: node htmlcheck.mjs SITE_DIR|FILE.html ...');
		process.exit(2);
	}
	const r = await checkHtml(args);
	for (const p of r.problems) console.log(describe(p));
	console.log(`${r.files} files: ${r.errors} errors, ${r.warnings} warnings`);
	process.exit(r.errors ? 1 : 0);
}
