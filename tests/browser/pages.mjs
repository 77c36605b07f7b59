// pages.mjs: the rendered site in real headless Chromium (Debian's), opened over
// file:// and from a loopback static server (python3 -m http.server):
//   load-clean-*      pages load with no console error, page error or failed request
//   same-origin-*     no request leaves the page's origin (others are aborted, never sent)
//   index-grid-*      the index grid's links reach run pages
//   recipe-history-*  a recipe page links its month pages (recipes/<r>/history/<YYYY-MM>.html);
//                     a click opens one, whose runs and grid link to existing run pages
//   log-anchor        #L<n> on a log page scrolls to that line (also without JS)
//   log-range         #L<a>-L<b> highlights exactly that range where JS runs
//   log-download      a log page with no raw copy beside it (shown exactly) downloads
//                     the very bytes of the log it shows
//   hostile-escaped   names like <script>alert(1)</script> show as text; no dialog opens
//   no-js-content     with JavaScript off, the index, a run and a log page have their content
//   screenshots       index and a run page, in tests/out/browser/ (CCR_SCREENSHOT_DOCS=1
//                     also copies the index one to docs/screenshot-index.png)
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, finish, htmlFiles, launch, notOk, out, serve, site, test, top } from './lib/common.mjs';

// pages visited per origin by load-clean: enough to meet every page kind, few enough
// that the phase stays well under its two minutes
const PAGES_PER_KIND = 2;
const NAV_TIMEOUT_MS = 15_000;
const HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'];
// pages with a hostile name opened per origin (make-site.sh makes about ten)
const HOSTILE_PAGES = 12;

let dir;
try { dir = site(); } catch (e) { notOk('site-built', e.message); await finish(); }
const rel = (f) => path.relative(dir, f).split(path.sep).join('/');
const all = htmlFiles(dir).map(rel);
const kind = (p) => p === 'index.html' ? 'index'
	: /^runs\/[^/]+\/logs\//.test(p) ? 'log'
	: /^runs\/[^/]+\/index\.html$/.test(p) ? 'run'
	: /^recipes\/[^/]+\/tests\//.test(p) ? 'test'
	: /^recipes\/[^/]+\/index\.html$/.test(p) ? 'recipe'
	: /^recipes\/[^/]+\/history\//.test(p) ? 'history'
	: p.split('/')[0];
const byKind = new Map();
for (const p of all) {
	const k = kind(p);
	if (!byKind.has(k)) byKind.set(k, []);
	byKind.get(k).push(p);
}
const sample = [...byKind.values()].flatMap((ps) => ps.slice(0, PAGES_PER_KIND));
const logs = byKind.get('log') || [];

const browser = await launch();
const server = await serve(dir);
const origins = {
	file: pathToFileURL(dir).href.replace(/\/?$/, '/'),
	http: server.url,
};

// A context that aborts (and records) every request outside base: nothing is sent
// off the machine even if a page tried. file:// loads are not network requests and
// never reach the route; any http(s) request from a file:// page is foreign.
async function context(base, opts = {}) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts });
	ctx.foreign = [];
	await ctx.route('**/*', (route) => {
		const u = route.request().url();
		if (u.startsWith(base)) return route.continue();
		ctx.foreign.push(u);
		return route.abort('blockedbyclient');
	});
	return ctx;
}

// Opens base+p in a new page, recording problems; returns { page, problems, foreign }
async function open(ctx, base, p) {
	const page = await ctx.newPage();
	const problems = [];
	const foreign = [];
	page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('requestfailed', (r) => {
		if (!r.url().startsWith(base)) return; // foreign ones are counted below
		problems.push(`failed: ${r.url().slice(base.length)} (${r.failure()?.errorText})`);
	});
	page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
	page.on('request', (r) => {
		const u = r.url();
		if (!u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('about:')) foreign.push(u);
	});
	page.on('dialog', (d) => { problems.push(`dialog opened: ${d.message()}`); d.dismiss().catch(() => {}); });
	const resp = await page.goto(base + p, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
	if (resp && !resp.ok()) problems.push(`HTTP ${resp.status()} for ${p}`);
	return { page, problems, foreign };
}

for (const [name, base] of Object.entries(origins)) {
	const ctx = await context(base);
	const problems = [];
	const foreign = [];
	await test(`load-clean-${name}`, async () => {
		for (const p of sample) {
			const r = await open(ctx, base, p);
			problems.push(...r.problems.map((x) => `${p}: ${x}`));
			foreign.push(...r.foreign.map((x) => `${p}: ${x}`));
			await r.page.close();
		}
		assert(!problems.length, `${problems.length} problems in ${sample.length} pages: ${problems.slice(0, 3).join('; ')}`);
	});
	await test(`same-origin-${name}`, () => {
		assert(!foreign.length && !ctx.foreign.length, `requests left ${base}: ${[...foreign, ...ctx.foreign].slice(0, 3).join('; ')}`);
	});

	await test(`index-grid-links-run-pages-${name}`, async () => {
		const r = await open(ctx, base, 'index.html');
		const hrefs = await r.page.$$eval('table a[href]', (as) => as.map((a) => a.getAttribute('href')));
		const toRuns = hrefs.filter((h) => /(^|\/)runs\/[^/]+\/index\.html(#|$)/.test(h));
		assert(toRuns.length > 0, `no link from the index grid to a run page (table links: ${hrefs.slice(0, 5).join(' ')})`);
		// every grid link names an existing run page
		for (const h of toRuns) {
			const f = path.join(dir, decodeURIComponent(h.split('#')[0]));
			assert(fs.existsSync(f), `grid link ${h}: no such page`);
		}
		// and a click on one gets there in the browser
		await Promise.all([r.page.waitForURL(/\/runs\/[^/]+\/index\.html/, { timeout: NAV_TIMEOUT_MS }),
			r.page.click(`table a[href="${toRuns[0].replace(/"/g, '\\"')}"]`)]);
		const h1 = await r.page.textContent('h1');
		assert(h1 && h1.trim(), 'the run page has no <h1>');
		assert(!r.problems.length, r.problems.join('; '));
		await r.page.close();
	});

	await test(`recipe-history-${name}`, async () => {
		const recipe = (byKind.get('recipe') || []).find((p) => p.includes('/mumble/'));
		assert(recipe, 'no recipe page of mumble');
		const r = await open(ctx, base, recipe);
		const months = await r.page.$$eval('#history a[href]', (as) => as.map((a) => a.getAttribute('href')));
		assert(months.length > 0 && months.every((h) => /^(\.\.\/)+recipes\/mumble\/history\/\d{4}-\d{2}\.html$/.test(h)),
			`month links: ${months.join(' ')}`);
		for (const h of months)
			assert(fs.existsSync(path.join(dir, 'recipes', 'mumble', decodeURIComponent(h.replace(/^(\.\.\/)+recipes\/mumble\//, '')))),
				`month link ${h}: no such page`);
		await Promise.all([r.page.waitForURL(/\/recipes\/mumble\/history\/\d{4}-\d{2}\.html$/, { timeout: NAV_TIMEOUT_MS }),
			r.page.click(`#history a[href="${months[0]}"]`)]);
		const here = r.page.url();
		const runs = await r.page.$$eval('#runs a[href], #tests th a[href]', (as) => as.map((a) => a.href));
		const toRuns = runs.filter((u) => /\/runs\/[^/]+\/index\.html(#|$)/.test(u));
		assert(toRuns.length > 0, `${here}: no link to a run page`);
		for (const u of toRuns) {
			const f = path.join(dir, decodeURIComponent(new URL(u).pathname.replace(/^.*?\/runs\//, 'runs/')));
			assert(fs.existsSync(f), `${here}: link ${u}: no such page`);
		}
		assert(!r.problems.length, r.problems.join('; '));
		await r.page.close();
	});
	await ctx.close();
}

// a log page with at least 141 lines (for #L120-L140), else the longest one
function longLog() {
	let best = null, bestN = 0;
	for (const p of logs) {
		const n = (fs.readFileSync(path.join(dir, p), 'utf8').match(/id="L\d+"/g) || []).length;
		if (n > bestN) { best = p; bestN = n; }
		if (n >= 141) break;
	}
	return { p: best, n: bestN };
}
const log = longLog();

// line id is inside the viewport and the page has scrolled
const inView = (page, id) => page.evaluate((i) => {
	const e = document.getElementById(i);
	if (!e) return `no #${i}`;
	const r = e.getBoundingClientRect();
	if (window.scrollY <= 0) return 'page did not scroll';
	return r.top > -2 && r.top < window.innerHeight ? '' : `#${i} at y=${Math.round(r.top)} outside the viewport`;
}, id);

for (const js of [true, false]) {
	await test(`log-anchor${js ? '' : '-no-js'}`, async () => {
		assert(log.p && log.n >= 141, `no log page with 141 lines (longest: ${log.p} with ${log.n})`);
		const ctx = await context(origins.http, { javaScriptEnabled: js });
		const r = await open(ctx, origins.http, `${log.p}#L130`);
		const why = await inView(r.page, 'L130');
		assert(!why, why);
		assert(!r.problems.length, r.problems.join('; '));
		await ctx.close();
	});
}

await test('log-range', async () => {
	assert(log.p && log.n >= 141, `no log page with 141 lines (longest: ${log.p} with ${log.n})`);
	const ctx = await context(origins.http);
	const r = await open(ctx, origins.http, `${log.p}#L120-L140`);
	await r.page.waitForTimeout(100); // highlighting may run after load
	const bg = await r.page.evaluate(() => {
		const c = (i) => getComputedStyle(document.getElementById(`L${i}`)).backgroundColor;
		return { in: [120, 130, 140].map(c), out: [1, 119, 141].map(c) };
	});
	assert(new Set(bg.out).size === 1, `lines outside the range differ: ${bg.out.join(' / ')}`);
	for (const c of bg.in) assert(c !== bg.out[0], `a line in the range looks like the rest (${c})`);
	const why = await inView(r.page, 'L120');
	assert(!why, why);
	// a second range on the same page (hashchange) moves the highlight
	await r.page.evaluate(() => { location.hash = '#L5-L6'; });
	await r.page.waitForTimeout(100);
	const moved = await r.page.evaluate(() => [5, 130].map((i) => getComputedStyle(document.getElementById(`L${i}`)).backgroundColor));
	assert(moved[0] !== moved[1], 'the highlight did not follow a new #L5-L6');
	assert(!r.problems.length, r.problems.join('; '));
	await ctx.close();
});

// the logs the site was built from (make-site.sh keeps its run folders in SITE.work)
function rawLogs() {
	const runs = `${dir}.work/runs`;
	if (!fs.existsSync(runs)) return [];
	return fs.readdirSync(runs).flatMap((r) => {
		const d = path.join(runs, r, 'logs');
		return fs.existsSync(d) ? fs.readdirSync(d).map((f) => fs.readFileSync(path.join(d, f))) : [];
	});
}

await test('log-download', async () => {
	const exact = logs.find((p) => fs.readFileSync(path.join(dir, p), 'utf8').includes('data-exact="1"'));
	assert(exact, 'no log page marked data-exact (shown byte for byte)');
	const stem = exact.replace(/\.html$/, '');
	assert(!fs.existsSync(path.join(dir, `${stem}.txt`)), `${stem}.txt written beside an exact page`);
	const raws = rawLogs();
	assert(raws.length, `no run folders in ${dir}.work/runs to compare with`);
	const ctx = await context(origins.http, { acceptDownloads: true });
	const r = await open(ctx, origins.http, exact);
	const [dl] = await Promise.all([r.page.waitForEvent('download'), r.page.click('#loginfo a[download]')]);
	const got = fs.readFileSync(await dl.path());
	assert(got.length > 0 && raws.some((b) => b.equals(got)),
		`the download (${got.length} bytes) is none of the ${raws.length} logs: ${JSON.stringify(got.subarray(0, 80).toString())}`);
	assert(!r.problems.length, r.problems.join('; '));
	await ctx.close();
});

await test('hostile-escaped', async () => {
	// pages whose source holds an escaped hostile name
	const pages = all.filter((p) => {
		const s = fs.readFileSync(path.join(dir, p), 'utf8');
		return s.includes('alert(1)');
	}).slice(0, HOSTILE_PAGES);
	assert(pages.length > 0, 'no page shows a hostile name: make-site.sh should have made some');
	const seen = new Set();
	// over http only: file:// loads of the same pages are in load-clean-file already
	for (const base of [origins.http]) {
		const ctx = await context(base);
		for (const p of pages) {
			const r = await open(ctx, base, p);
			await r.page.waitForTimeout(50);
			const found = await r.page.evaluate((hs) => {
				const text = document.body.innerText + ' ' + document.title;
				const live = [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('alert(')).length +
					document.querySelectorAll('[onerror], [onload]:not(body)').length;
				return { shown: hs.filter((h) => text.includes(h)), live };
			}, HOSTILE);
			found.shown.forEach((h) => seen.add(h));
			assert(found.live === 0, `${p}: a hostile name became markup`);
			assert(!r.problems.length, `${p}: ${r.problems.join('; ')}`);
			await r.page.close();
		}
		await ctx.close();
	}
	for (const h of HOSTILE) assert(seen.has(h), `${h} never shown as text`);
});

await test('no-js-content', async () => {
	const ctx = await context(origins.http, { javaScriptEnabled: false });
	const check = async (p, what) => {
		const r = await open(ctx, origins.http, p);
		const text = await r.page.evaluate(() => document.body.innerText);
		assert(text.length > 20, `${p}: almost empty without JS`);
		for (const w of what) assert(text.includes(w), `${p}: "${w}" missing without JS`);
		await r.page.close();
	};
	await check('index.html', ['mumble']);
	const run = (byKind.get('run') || []).find((p) => p.includes('mumble'));
	assert(run, 'no run page of mumble');
	await check(run, ['test_handshake']);
	assert(log.p, 'no log page');
	await check(log.p, ['harness: step']);
	const rows = await (async () => {
		const r = await open(ctx, origins.http, 'index.html');
		const n = await r.page.$$eval('table tr', (t) => t.length);
		await r.page.close();
		return n;
	})();
	assert(rows > 1, 'the index has no table rows without JS');
	await ctx.close();
});

await test('screenshots', async () => {
	const ctx = await context(origins.http);
	const shot = async (p, file, fullPage) => {
		const r = await open(ctx, origins.http, p);
		const f = path.join(out, file);
		await r.page.screenshot({ path: f, fullPage });
		await r.page.close();
		assert(fs.statSync(f).size > 5000, `${file} is suspiciously small`);
		return f;
	};
	const index = await shot('index.html', 'index.png', false);
	const run = (byKind.get('run') || [])[0];
	assert(run, 'no run page');
	await shot(run, 'run.png', true);
	if (process.env.CCR_SCREENSHOT_DOCS === '1') {
		fs.mkdirSync(path.join(top, 'docs'), { recursive: true });
		fs.copyFileSync(index, path.join(top, 'docs/screenshot-index.png'));
	}
	await ctx.close();
});

await finish();
