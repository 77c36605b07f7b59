#!/bin/sh
# deps.sh: install the Debian packages ccr needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the one command to run.
set -u
cd "$(dirname "$0")/.." || exit 2

# build: compiler, pkg-config and the six libraries (libdeflate compresses stored
# bytes, zlib reads them back)
build="gcc make pkg-config libxml2-dev libsqlite3-dev zlib1g-dev libdeflate-dev libcmark-dev libcurl4-openssl-dev"
# tests: xmllint (bare-parse baseline, HTML check), valgrind, a real browser,
# node/npm for the browser driver, python3 for a loopback HTTP server, GNU time,
# the sqlite3 shell for store checks, curl for fetch tests, pytest to write real
# JUnit fixtures (tests/browser/make-site.sh), groff to check the manual page ccr.1
tests="libxml2-utils valgrind chromium python3 python3-pytest time sqlite3 curl groff-base"

missing=""
for p in $build $tests; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# node and npm may come from elsewhere than Debian's packages; any working pair will do
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
			{ echo "deps: apt-get install failed" >&2; exit 2; }
	else
		echo "deps: missing packages; run:" >&2
		echo "  sudo apt-get install -y$missing" >&2
		exit 2
	fi
fi

# the browser driver and checkers for tests/browser (pinned by package-lock.json):
# installed when missing, and again whenever the lock file is newer than the install
b=tests/browser
if [ -f $b/package.json ] && { [ ! -f $b/node_modules/.package-lock.json ] ||
	[ $b/package-lock.json -nt $b/node_modules/.package-lock.json ]; }; then
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null) ||
		{ echo "deps: npm ci in tests/browser failed" >&2; exit 2; }
fi
exit 0
