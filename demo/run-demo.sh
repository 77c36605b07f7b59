#!/bin/sh
# run-demo.sh: a simulated sweep history into demo-out/, then the site (`make demo`).
#
# Every night of the history is one `ccr collect sweep --jobs 4` over the demo
# recipes with the simulated harness (demo/harness.c) and CCR_NOW set to that
# night's 00:15Z; on some nights with `--rerun-isolated`: the recipes whose failures
# are not yet known as flake or defect are re-run alone (trigger isolation, from
# 06:00Z), as the operator did by hand in the journal. The last night has none, so
# its new failure stays `new`. After each night the canonical records are collected
# (`ccr collect canon`); the site is rendered with demo/docs/DECISIONS.md. The
# history is seeded (CCR_DEMO_SEED, default 1): the same seed gives the same runs,
# byte for byte.
#
# Environment: DEMO_OUT (default demo-out), DEMO_NIGHTS (default: the harness's
# full history), CCR_DEMO_SEED, CCR_BUILD (default build/rel), DEMO_RENDER=0 to
# skip rendering the site.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${CCR_BUILD:-build/rel}
case $build in /*) ;; *) build="$top/$build" ;; esac
ccr="$build/ccr"
harness="$build/harness"
out=${DEMO_OUT:-demo-out}
for f in "$ccr" "$harness"; do
	[ -x "$f" ] || { echo "run-demo: '$f' is not built; run 'make demo'" >&2; exit 2; }
done

start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
export CCR_DB="$out/ccr.db"
export CCR_DEMO_SEED="${CCR_DEMO_SEED:-1}"
nights=${DEMO_NIGHTS:-$("$harness" --nights)}
# isolation re-runs a night may add: more than the demo's recipes that can fail
DEMO_RERUNS=8
{ echo "# the demo recipes (demo/harness.c), one per line"; "$harness" --recipes; } > "$out/recipes.txt"

# a sweep that rejected input (1) is reported and the demo goes on; 2 stops it
sweep() {
	rc=0
	"$ccr" -q collect sweep --harness "$harness" --runs "$out/runs" "$@" || rc=$?
	[ $rc -le 1 ] || { echo "run-demo: ccr collect sweep failed (exit $rc)" >&2; exit 2; }
}

# Canonical records, as the harness keeps them (one DIR/<recipe>/canonical.json,
# rewritten in place by every promote and advance), collected after each night
# with `ccr collect canon`. Two changes no run explains are scripted from the
# operator's journal: the gitea advance that found warm-gitea deployed while its
# record said idle, and the operator's redeploy of the known-good 3.5.3 next day.
warm="$out/warm"
mkdir -p "$warm"
canon_night() { # DATE
	sqlite3 -separator '|' "$CCR_DB" "SELECT r.recipe, r.id, r.promote_version, r.promote_at,
		ifnull(r.ref, '') FROM run r WHERE r.promote_outcome IN ('promoted', 'advanced')
		AND r.promote_at = (SELECT max(x.promote_at) FROM run x WHERE x.recipe = r.recipe
		AND x.promote_outcome IN ('promoted', 'advanced')) ORDER BY r.recipe" |
	while IFS='|' read -r recipe id version at ref; do
		# written once per promote: a record changed by hand stays as it is
		[ "$(cat "$warm/$recipe/.promoted-by" 2> /dev/null)" = "$id" ] && continue
		mkdir -p "$warm/$recipe"
		printf '{"recipe": "%s", "version": "%s", "commit": "%s", "status": "idle", "ts": "%s"}\n' \
			"$recipe" "$version" "$ref" "$(date -u -d "@$at" +%Y%m%dT%H%M%SZ)" > "$warm/$recipe/canonical.json"
		echo "$id" > "$warm/$recipe/.promoted-by"
	done
	g="$warm/gitea/canonical.json"
	case $1 in
	2026-06-06) [ -f "$g" ] && sed -i 's/"status": "idle"/"status": "deployed"/' "$g" ;;
	2026-06-07) [ -f "$g" ] && sed -i 's/"status": "deployed"/"status": "idle"/; s/"ts": "[^"]*"/"ts": "20260607T091500Z"/' "$g" ;;
	esac
	rc=0
	CCR_NOW="${1}T12:00:00Z" "$ccr" -q collect canon "$warm" || rc=$?
	[ $rc -eq 0 ] || { echo "run-demo: ccr collect canon failed (exit $rc)" >&2; exit 2; }
}

n=0
while [ "$n" -lt "$nights" ]; do
	# DATE SWEEP_START SWEEP_ID ISOLATION_START ISOLATE
	set -- $("$harness" --night-info "$n")
	[ -t 2 ] && printf '\rrun-demo: night %d/%d (%s)' $((n + 1)) "$nights" "$1" >&2
	if [ "$5" = 1 ]; then
		# on isolation nights the sweep re-runs alone what it cannot yet call flake or
		# defect (README "Isolation re-runs"); the harness places those runs from 06:00Z
		CCR_DEMO_NIGHT=$n CCR_NOW=$2 sweep --recipes "@$out/recipes.txt" --jobs 4 --sweep "$3" \
			--rerun-isolated "$DEMO_RERUNS"
	else
		CCR_DEMO_NIGHT=$n CCR_NOW=$2 sweep --recipes "@$out/recipes.txt" --jobs 4 --sweep "$3"
	fi
	canon_night "$1"
	n=$((n + 1))
done
[ -t 2 ] && printf '\r\033[K' >&2

runs=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run")
isolated=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run WHERE trigger_kind = 'isolation'")
cases=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM testcase")
echo "demo: $nights nights, $runs runs ($isolated isolation re-runs), $cases testcases in $CCR_DB"

# the site, when this build has a renderer
if [ "${DEMO_RENDER:-1}" = 0 ]; then
	:
else
	# with the decisions document about this history (demo/docs); exit 1 = rendered,
	# but a reference in it did not resolve (named in render.err)
	rc=0
	"$ccr" render --out "$out/site" --docs "$top/demo/docs" 2> "$out/render.err" || rc=$?
	if [ $rc -eq 0 ]; then
		echo "demo: site at $out/site/index.html (timeline: $out/site/timeline.html)"
	elif [ $rc -eq 1 ]; then
		echo "demo: site at $out/site/index.html; warnings in $out/render.err"
	else
		echo "demo: no site rendered: $(head -1 "$out/render.err")"
	fi
fi
# the latest runs, when this build lists them
if ! "$ccr" runs --limit 15 2> /dev/null; then
	sqlite3 -column -header "$CCR_DB" "SELECT id, version, trigger_kind AS trigger, status,
		overlap FROM run ORDER BY started DESC, id LIMIT 15"
fi
echo "demo: done in $(($(date +%s) - start)) s"
