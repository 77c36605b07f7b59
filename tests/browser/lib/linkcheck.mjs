// linkcheck.mjs: every link of a rendered site, checked without a browser.
//
// Reads every .html file under the site folder (htmlparser2, entities decoded) and
// every .css file, and checks each href/src/action/poster/data attribute and CSS url():
//  - internal links are relative (no "/x", no "//host": the site must work under any
//    prefix and from file://), resolve inside the site folder, and name an existing
//    file (not a folder: file:// shows no index.html for "dir/");
//  - a #fragment names an id= in the target page; #L<a>-L<b> (a log line range, see
//    DESIGN.md) needs both L<a> and L<b>;
//  - external links are http: or https: only (never javascript:, data:, file:, ...).
// Used by tests/browser/checks.mjs; also a command:
//   node tests/browser/lib/linkcheck.mjs SITE_DIR     (exit 1 when a link is broken)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from 'htmlparser2';

// attributes that hold a URL (the elements that matter in a static site)
const URL_ATTRS = ['href', 'src', 'action', 'poster', 'data', 'formaction'];
const EXTERNAL_OK = new Set(['http:', 'https:']);
const RANGE = /^L(\d+)-L(\d+)$/;

function walk(dir, exts) {
	const found = [];
	const rec = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) rec(p);
			else if (e.isFile() && exts.some((x) => e.name.endsWith(x))) found.push(p);
		}
	};
	rec(dir);
	return found.sort();
}

// ids and links of one HTML file
function parseHtml(file) {
	const ids = new Set();
	const links = [];
	const dupIds = [];
	const p = new Parser({
		onopentag(name, attribs) {
			if (attribs.id !== undefined) {
				if (ids.has(attribs.id)) dupIds.push(attribs.id);
				ids.add(attribs.id);
			}
			for (const a of URL_ATTRS)
				if (attribs[a] !== undefined) links.push({ url: attribs[a], where: `<${name} ${a}>` });
		},
	}, { decodeEntities: true, lowerCaseAttributeNames: true });
	p.end(fs.readFileSync(file, 'utf8'));
	return { ids, links, dupIds };
}

function parseCss(file) {
	const links = [];
	const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
	for (const m of text.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) links.push({ url: m[2], where: 'css url()' });
	for (const m of text.matchAll(/@import\s+(['"])([^'"]*)\1/g)) links.push({ url: m[2], where: 'css @import' });
	return { ids: new Set(), links, dupIds: [] };
}

// Checks the site folder; returns { files, links, internal, external, fragments, problems }
// where problems is [{ file, url, where, why }] (file relative to the site).
export function checkLinks(siteDir) {
	const root = path.resolve(siteDir);
	const pages = new Map();
	for (const f of walk(root, ['.html'])) pages.set(f, parseHtml(f));
	const css = new Map();
	for (const f of walk(root, ['.css'])) css.set(f, parseCss(f));
	const res = { files: pages.size + css.size, links: 0, internal: 0, external: 0, fragments: 0, problems: [] };
	const bad = (file, l, why) => res.problems.push({ file: path.relative(root, file), url: l.url, where: l.where, why });

	const check = (file, l) => {
		res.links++;
		const u = l.url;
		if (u === '') return bad(file, l, 'empty URL');
		if (u !== u.trim()) return bad(file, l, 'URL with surrounding white space');
		const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(u);
		if (scheme) {
			const s = scheme[1].toLowerCase() + ':';
			if (!EXTERNAL_OK.has(s)) return bad(file, l, `scheme ${s} not allowed (only http: and https: leave the site)`);
			try { new URL(u); } catch { return bad(file, l, 'malformed external URL'); }
			res.external++;
			return;
		}
		if (u.startsWith('//')) return bad(file, l, 'protocol-relative URL leaves the site');
		if (u.startsWith('/')) return bad(file, l, 'absolute path: breaks under a prefix and from file://');
		if (u.includes('\\')) return bad(file, l, 'backslash in URL');
		res.internal++;
		const hash = u.indexOf('#');
		const beforeHash = hash < 0 ? u : u.slice(0, hash);
		const rawFrag = hash < 0 ? null : u.slice(hash + 1);
		const q = beforeHash.indexOf('?');
		const rawPath = q < 0 ? beforeHash : beforeHash.slice(0, q);
		let rel, frag = null;
		try {
			rel = decodeURIComponent(rawPath);
			if (rawFrag !== null) frag = decodeURIComponent(rawFrag);
		} catch { return bad(file, l, 'malformed percent-encoding'); }
		const target = rel === '' ? file : path.resolve(path.dirname(file), rel);
		if (target !== root && !target.startsWith(root + path.sep)) return bad(file, l, 'points outside the site folder');
		let st;
		try { st = fs.statSync(target); } catch { return bad(file, l, `missing target ${path.relative(root, target)}`); }
		if (st.isDirectory()) return bad(file, l, 'links a folder: name its index.html (file:// lists folders)');
		if (frag === null || frag === '') return;
		res.fragments++;
		const page = pages.get(target);
		if (!page) return bad(file, l, `#${frag} on a file that is not an HTML page`);
		const m = RANGE.exec(frag);
		if (m) {
			if (!page.ids.has(`L${m[1]}`) || !page.ids.has(`L${m[2]}`)) return bad(file, l, `line range #${frag} outside ${path.relative(root, target)}`);
			if (Number(m[1]) > Number(m[2])) return bad(file, l, `line range #${frag} runs backwards`);
			return;
		}
		if (!page.ids.has(frag)) return bad(file, l, `no id="${frag}" in ${path.relative(root, target)}`);
	};
	for (const [file, info] of [...pages, ...css]) {
		for (const id of info.dupIds) res.problems.push({ file: path.relative(root, file), url: `#${id}`, where: 'id', why: 'duplicate id' });
		for (const l of info.links) check(file, l);
	}
	return res;
}

export function describe(p) { return `${p.file}: ${p.where} "${p.url}": ${p.why}`; }

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	if (process.argv.length !== 3) {
		console.error('usage: node linkcheck.mjs SITE_DIR');
		process.exit(2);
	}
	const r = checkLinks(process.argv[2]);
	for (const p of r.problems) console.log(describe(p));
	console.log(`${r.files} files, ${r.links} links (${r.internal} internal, ${r.fragments} with #fragment, ${r.external} external): ${r.problems.length} broken`);
	process.exit(r.problems.length ? 1 : 0);
}
