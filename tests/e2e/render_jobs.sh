#!/bin/sh
# render_jobs.sh: `ccr render --jobs N` shares the pages among N processes. The site they
# write is byte for byte the one a single process writes (full and incremental); a killed
# parallel render leaves the old site and no worker behind; a collector committing between
# the processes' snapshots makes the render start again in one process, from its own
# snapshot, and the next render completes the site.
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
args="--recipes 10 --tiers 3 --tests 4 --seed 11 --nights 10 --start 2026-03-01"
# the history (nights 0-5), then one folder per further night; a night is ~12 runs, more
# than the 8 new runs an incremental render needs to use workers
"$G" --out "$T/hist" $args --to 6 > /dev/null 2>&1 || fail render_jobs_setup "genhist failed"
for k in 6 7 8 9; do
	"$G" --out "$T/n$k" $args --from $k --to $((k + 1)) > /dev/null 2>&1 ||
		fail render_jobs_setup "genhist night $k failed"
done
ingest() { ccr -q collect ingest "$1"/* 2> "$T/ingest.err" || fail render_jobs_setup "ingest $1: $(head -c 200 "$T/ingest.err")"; }
runs() { sqlite3 "$CCR_DB" 'SELECT count(*) FROM run'; }
position() { sed -n 's/^position \([0-9]*\) .*/\1/p' "$1/.ccr/state"; }
ingest "$T/hist"

# a full render: one process, then three
ccr render --jobs 1 --out "$T/one" 2> "$T/one.err"
ccr -v render --jobs 3 --out "$T/par" 2> "$T/par.err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'runs: [1-9][0-9]* pages.*\[worker 2\]' "$T/par.err" &&
	grep -q 'runs: [1-9][0-9]* pages.*\[worker 0\]' "$T/par.err" &&
	diff -r "$T/one" "$T/par" > "$T/full.diff" 2>&1; then
	ok render_jobs_full_identical
else
	fail render_jobs_full_identical "rc $rc; $(head -c 300 "$T/full.diff") $(grep -c worker "$T/par.err") worker lines"
fi
check render_jobs_links python3 "$top/tests/e2e/sitecheck.py" "$T/par"

# one more night, rendered incrementally both ways
ingest "$T/n6"
ccr render --jobs 1 --out "$T/one" 2> "$T/one.err"
ccr -v render --jobs 2 --out "$T/par" 2> "$T/par.err"
rc=$?
if [ $rc -eq 0 ] && grep -q '\[worker 1\]' "$T/par.err" && ! grep -q 'every page' "$T/par.err" &&
	diff -r "$T/one" "$T/par" > "$T/incr.diff" 2>&1; then
	ok render_jobs_incremental_identical
else
	fail render_jobs_incremental_identical "rc $rc; $(head -c 300 "$T/incr.diff") $(head -c 300 "$T/par.err")"
fi

# killed midway (the test hook kills the first process from whichever process gets
# there, as kill -9 of the render would): the site is as it was, no worker lives on
ingest "$T/n7"
rm -rf "$T/before" && cp -a "$T/par" "$T/before"
CCR_RENDER_ABORT_AFTER=5 ccr render --jobs 2 --out "$T/par" 2> /dev/null
rc=$?
sleep 0.3
left=$(pgrep -f -- "--out $T/par" || true)
# every page of the old site as it was, and no new page (only hidden temp files)
files() { (cd "$1" && find . -type f ! -name '.ccr-tmp.*' ! -path './.ccr/*' | LC_ALL=C sort); }
files "$T/before" > "$T/before.list"
files "$T/par" > "$T/par.list"
differ=$(cd "$T/before" && while read -r f; do cmp -s "$f" "$T/par/$f" || echo "$f"; done < "$T/before.list")
if [ $rc -ne 0 ] && [ -z "$left" ] && [ -z "$differ" ] && cmp -s "$T/before.list" "$T/par.list"; then
	ok render_jobs_killed_keeps_site
else
	fail render_jobs_killed_keeps_site "rc $rc, left: $left, changed: $(echo $differ | head -c 200), new: $(diff "$T/before.list" "$T/par.list" | head -c 200)"
fi
ccr render --jobs 1 --out "$T/one" 2> /dev/null
if ccr render --jobs 2 --out "$T/par" 2> "$T/after.err" && [ -z "$(find "$T/par" -name '.ccr-tmp.*')" ] &&
	diff -r "$T/one" "$T/par" > "$T/after.diff" 2>&1; then
	ok render_jobs_after_kill
else
	fail render_jobs_after_kill "$(head -c 300 "$T/after.err") $(head -c 300 "$T/after.diff")"
fi

# a collector commits after the first process took its snapshot and before the workers
# take theirs (CCR_RENDER_WORKER_WAIT holds them back): the render notices and renders
# again in one process, from the store as it is then (without the check, the site would
# mix both snapshots and record the first process's: $before runs)
ingest "$T/n8"
before=$(runs)
rm -f "$T/go"
CCR_RENDER_WORKER_WAIT="$T/go" $CCR_WRAP "$CCR_BUILD/ccr" -v render --jobs 2 --out "$T/par" 2> "$T/skew.err" &
pid=$!
i=0
while [ $i -lt 300 ] && ! grep -q 'planned in' "$T/skew.err"; do sleep 0.1; i=$((i + 1)); done
ingest "$T/n9"
touch "$T/go"
wait $pid
rc=$?
if [ $rc -eq 0 ] && [ "$(runs)" -gt "$before" ] && [ "$(position "$T/par")" = "$(runs)" ] &&
	grep -q 'the store changed while the workers opened it' "$T/skew.err" &&
	python3 "$top/tests/e2e/sitecheck.py" "$T/par" > "$T/skew.check" 2>&1; then
	ok render_jobs_snapshot_moved
else
	fail render_jobs_snapshot_moved "rc $rc, runs $before -> $(runs), position $(position "$T/par"): $(grep -v 'render:' "$T/skew.err" | head -c 300) $(head -c 200 "$T/skew.check")"
fi
ccr render --jobs 1 --out "$T/fresh" 2> /dev/null
if diff -r -x .ccr "$T/fresh" "$T/par" > "$T/final.diff" 2>&1; then
	ok render_jobs_after_snapshot_moved
else
	fail render_jobs_after_snapshot_moved "$(head -c 300 "$T/final.diff")"
fi

# --jobs takes 1 to 16
ccr render --jobs 0 --out "$T/bad" 2> "$T/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- '--jobs must be a number from 1 to 16' "$T/bad.err" && ok render_jobs_usage ||
	fail render_jobs_usage "rc $rc: $(head -c 200 "$T/bad.err")"
