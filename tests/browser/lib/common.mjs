// common.mjs: what every tests/browser/*.mjs shares.
//   report     "ok NAME" / "not ok NAME: why" lines, counted by tests/run.sh
//   site()     the rendered site under test (built once per ccr binary, cached)
//   launch()   Debian's headless Chromium through playwright-core
//   serve()    a loopback static server (python3 -m http.server), stopped by pid
//   htmlFiles  every .html file under a folder, sorted
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const top = path.resolve(here, '../../..');
export const out = path.join(top, 'tests/out/browser');
fs.mkdirSync(out, { recursive: true });

// A test file must end by itself: a hung browser or server is a failure, not a
// stuck `make check`. Each file gets this long in all (the phase's budget is ~2 min).
const WATCHDOG_MS = 90_000;

let failures = 0;
const cleanups = [];
export function ok(name) { console.log(`ok ${name}`); }
export function notOk(name, why) {
	failures++;
	console.log(`not ok ${name}: ${String(why).replace(/\s+/g, ' ').slice(0, 400)}`);
}
// runs fn (async) and reports NAME: ok when it returns, not ok with the thrown message
export async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		ok(name);
		console.log(`# ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	} catch (e) {
		notOk(name, e && e.message ? e.message : e);
	}
}
export function assert(cond, why) { if (!cond) throw new Error(why); }
export function onCleanup(fn) { cleanups.push(fn); }
export async function finish() {
	for (const fn of cleanups.reverse()) {
		try { await fn(); } catch (e) { console.error(`cleanup: ${e.message}`); }
	}
	process.exit(failures ? 1 : 0);
}
const watchdog = setTimeout(() => {
	notOk(`${path.basename(process.argv[1] || 'test')}-watchdog`, `still running after ${WATCHDOG_MS / 1000}s`);
	for (const fn of cleanups.reverse()) { try { fn(); } catch { /* best effort */ } }
	process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
process.on('unhandledRejection', (e) => { notOk('unhandled', e && e.message ? e.message : e); finish(); });

// playwright-core is installed by tools/deps.sh (npm ci); say so instead of a stack trace
export async function playwright() {
	try {
		return await import('playwright-core');
	} catch {
		notOk('browser-driver', 'playwright-core missing: run tools/deps.sh (npm ci in tests/browser)');
		return finish();
	}
}

// The browser: Debian's chromium (CCR_CHROMIUM overrides), headless, with its own fresh
// profile (playwright-core gives every launch a new temporary user-data dir and removes it).
// The background-networking flags keep chromium from calling home on a closed network.
export const CHROMIUM = process.env.CCR_CHROMIUM || '/usr/bin/chromium';
const LAUNCH_TIMEOUT_MS = 30_000; // a cold start takes ~2 s here; 30 s means it is stuck
export async function launch() {
	if (!fs.existsSync(CHROMIUM)) {
		notOk('browser-launch', `${CHROMIUM} not found: install Debian's chromium (tools/deps.sh does)`);
		return finish();
	}
	const { chromium } = await playwright();
	let browser;
	try {
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			timeout: LAUNCH_TIMEOUT_MS,
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
				'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
	} catch (e) {
		notOk('browser-launch', `${CHROMIUM}: ${e.message.split('\n')[0]}`);
		return finish();
	}
	onCleanup(() => browser.close());
	return browser;
}

// a free loopback port: bind port 0, read it, release it
function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
	});
}

async function answers(url) {
	try { const r = await fetch(url); await r.arrayBuffer(); return r.status < 500; } catch { return false; }
}

// Serves dir on 127.0.0.1 with python3's http.server; returns { url, pid }.
// The server is stopped (by its pid) at finish() or by the watchdog.
const SERVER_START_MS = 10_000;
export async function serve(dir) {
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const child = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)],
			{ stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
		const stop = () => { if (child.exitCode === null) process.kill(child.pid, 'SIGTERM'); };
		onCleanup(stop);
		const url = `http://127.0.0.1:${port}/`;
		const t0 = Date.now();
		while (Date.now() - t0 < SERVER_START_MS && child.exitCode === null) {
			if (await answers(url)) return { url, pid: child.pid, stop };
			await new Promise((r) => setTimeout(r, 100));
		}
		stop();
		if (attempt === 2) throw new Error(`python3 http.server did not start: ${stderr.trim().split('\n').pop() || 'no answer'}`);
	}
}

export function htmlFiles(dir) {
	const found = [];
	const walk = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name)))
			if (e.isDirectory()) walk(path.join(d, e.name));
			else if (e.isFile() && e.name.endsWith('.html')) found.push(path.join(d, e.name));
	};
	walk(dir);
	return found;
}

// The site under test: $CCR_SITE when set (e.g. the demo's output), else built by
// make-site.sh from run folders it makes, into tests/out/browser/site. The build is
// reused while the ccr binary and make-site.sh are unchanged, so each test file
// does not build it again.
export function site() {
	if (process.env.CCR_SITE) return path.resolve(process.env.CCR_SITE);
	const bin = path.join(top, process.env.CCR_BUILD || 'build/rel', 'ccr');
	const script = path.join(here, '../make-site.sh');
	const dir = path.join(out, 'site');
	const stampFile = path.join(out, 'site.stamp');
	const st = (f) => { const s = fs.statSync(f); return `${f}:${s.size}:${s.mtimeMs}`; };
	if (!fs.existsSync(bin)) throw new Error(`${bin} not built: run make test-bin`);
	const stamp = [st(bin), st(script)].join('\n');
	if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(path.join(dir, 'index.html')))
		return dir;
	fs.rmSync(stampFile, { force: true });
	const r = spawnSync('sh', [script, bin, dir], { encoding: 'utf8', timeout: 60_000 });
	fs.writeFileSync(path.join(out, 'make-site.log'), `${r.stdout || ''}${r.stderr || ''}`);
	if (r.status !== 0)
		throw new Error(`make-site.sh failed (${r.error ? r.error.message : `exit ${r.status}`}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
	fs.writeFileSync(stampFile, stamp);
	return dir;
}
