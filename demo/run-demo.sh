#!/bin/sh
# run-demo.sh: a simulated sweep history into demo-out/, then the site (`make demo`).
#
# Every night of the history is one `ccr collect sweep --jobs 4` over the demo
# recipes with the simulated harness (demo/harness.c) and CCR_NOW set to that
# night's 00:15Z; after some nights the recipes that did not pass are re-run alone
# (`--trigger isolation`, from 06:00Z), as the operator does to tell flakes from
# defects. The history is seeded (CCR_DEMO_SEED, default 1): the same seed gives
# the same runs, byte for byte.
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
{ echo "# the demo recipes (demo/harness.c), one per line"; "$harness" --recipes; } > "$out/recipes.txt"

# a sweep that rejected input (1) is reported and the demo goes on; 2 stops it
sweep() {
	rc=0
	"$ccr" -q collect sweep --harness "$harness" --runs "$out/runs" "$@" || rc=$?
	[ $rc -le 1 ] || { echo "run-demo: ccr collect sweep failed (exit $rc)" >&2; exit 2; }
}

n=0
isolated=0
while [ "$n" -lt "$nights" ]; do
	# DATE SWEEP_START SWEEP_ID ISOLATION_START ISOLATE
	set -- $("$harness" --night-info "$n")
	[ -t 2 ] && printf '\rrun-demo: night %d/%d (%s)' $((n + 1)) "$nights" "$1" >&2
	CCR_DEMO_NIGHT=$n CCR_NOW=$2 sweep --recipes "@$out/recipes.txt" --jobs 4 --sweep "$3"
	if [ "$5" = 1 ]; then
		# the recipes whose sweep run did not pass, read from the store's schema
		failed=$(sqlite3 "$CCR_DB" "SELECT group_concat(recipe, ',') FROM
			(SELECT recipe FROM run WHERE sweep_id = '$3' AND status <> 'passed'
			 ORDER BY recipe)")
		if [ -n "$failed" ]; then
			CCR_DEMO_NIGHT=$n CCR_NOW=$4 sweep --recipes "$failed" --trigger isolation
			isolated=$((isolated + $(echo "$failed" | tr ',' '\n' | wc -l)))
		fi
	fi
	n=$((n + 1))
done
[ -t 2 ] && printf '\r\033[K' >&2

runs=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run")
cases=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM testcase")
echo "demo: $nights nights, $runs runs ($isolated isolation re-runs), $cases testcases in $CCR_DB"

# the site, when this build has a renderer
if [ "${DEMO_RENDER:-1}" = 0 ]; then
	:
elif "$ccr" -q render --out "$out/site" 2> "$out/render.err"; then
	echo "demo: site at $out/site/index.html"
else
	echo "demo: no site rendered: $(head -1 "$out/render.err")"
fi
# the latest runs, when this build lists them
if ! "$ccr" runs --limit 15 2> /dev/null; then
	sqlite3 -column -header "$CCR_DB" "SELECT id, version, trigger_kind AS trigger, status,
		overlap FROM run ORDER BY started DESC, id LIMIT 15"
fi
echo "demo: done in $(($(date +%s) - start)) s"
