#!/bin/sh
# classify_incremental.sh: the classification does not depend on how the runs came
# in. collect derives a night incrementally (walk_start in collect/derive.c restarts
# each test's walk at the row before the first change, from the seq numbers the
# last walk left), so the same history ingested in one go, night by night, nights
# in reverse, and odd nights before even ones must give the same rows, column for
# column (and the same signature statistics and incidents), and every test's seq
# must be 1..n. So must the runs ingested one at a
# time (count_group writes only the rows whose counts changed, and drops those left
# without outcomes). The history (genhist, seed 5) has
# version bumps, a harness ref change at night 30 (two rows for one version),
# flaky and deterministic tests, isolation re-runs and two incident nights.
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
db() { sqlite3 "$1" "$2"; }

$CCR_WRAP "$G" --out "$T/h" --recipes 5 --nights 40 --tiers 3 --tests 3 --seed 5 > /dev/null ||
	fail genhist "no history"
nights=$(ls "$T/h" | cut -c1-8 | sort -u)

# every column but test_id (ids are given in order of first sight, so they differ)
dump() { # DB
	db "$1" "SELECT t.recipe, t.tier, t.classname, t.name, c.version, c.harness_ref, c.seq,
		c.state, c.load, c.passes, c.failures, c.isolated_passes, c.isolated_failures,
		c.isolation_runs, c.excluded, c.fail_overlap_min, c.fail_overlap_max, c.runs,
		c.isolated_runs, c.first_seen, c.last_seen, c.last_failed, c.failing_since,
		c.regression, c.prev_version, c.signature, c.evidence
		FROM classification c JOIN test t ON t.id = c.test_id ORDER BY 1, 2, 3, 4, 5, 6"
}
# the signatures' statistics (added to night by night, counted in full in one go)
# and the incidents, with test ids turned into names
dumpsig() { # DB
	db "$1" "SELECT * FROM signature ORDER BY id;
		SELECT * FROM incident ORDER BY sweep_id, tier, signature;
		SELECT i.run_id, t.recipe, t.tier, t.classname, t.name, i.sweep_id, i.signature
		FROM incident_testcase i JOIN test t ON t.id = i.test_id ORDER BY 1, 2, 3, 4, 5"
}
# tests whose seq is not exactly 1..n
badseq() { # DB
	db "$1" "SELECT count(*) FROM (SELECT test_id, count(*) n, min(seq) lo, max(seq) hi,
		count(DISTINCT seq) d FROM classification GROUP BY test_id)
		WHERE lo <> 1 OR hi <> n OR d <> n"
}
# ingest NAME NIGHT...: one collect per night, in the order given
ingest() {
	name=$1; shift
	for n in "$@"; do
		CCR_DB="$T/$name.db" ccr -q collect ingest "$T"/h/"$n"T* 2>> "$T/err.$name" ||
			echo "night $n: exit $?" >> "$T/err.$name"
	done
	dump "$T/$name.db" > "$T/$name.txt"
	dumpsig "$T/$name.db" > "$T/$name.sig"
}

CCR_DB="$T/one.db" ccr -q collect ingest "$T"/h/* 2> "$T/err.one"
dump "$T/one.db" > "$T/one.txt"
dumpsig "$T/one.db" > "$T/one.sig"
ingest nightly $nights
ingest reverse $(echo "$nights" | sort -r)
ingest oddeven $(echo "$nights" | awk 'NR % 2') $(echo "$nights" | awk 'NR % 2 == 0')
# run by run: an incident forms only once its third recipe's run is in, so counted
# failures leave the counts afterwards (a group's row can lose every outcome and go),
# and a run's overlap with runs ingested before it moves their runs alone
CCR_DB="$T/byrun.db"
export CCR_DB
for r in "$T"/h/*; do
	ccr -q collect ingest "$r" 2>> "$T/err.byrun" || echo "run $r: exit $?" >> "$T/err.byrun"
done
unset CCR_DB
dump "$T/byrun.db" > "$T/byrun.txt"
dumpsig "$T/byrun.db" > "$T/byrun.sig"

rows=$(wc -l < "$T/one.txt")
states=$(db "$T/one.db" "SELECT count(DISTINCT state) FROM classification")
multi=$(db "$T/one.db" "SELECT count(*) FROM (SELECT 1 FROM classification
	GROUP BY test_id, version HAVING count(*) > 1)")
inc=$(db "$T/one.db" "SELECT count(*) FROM incident")
# the history holds what the incremental walk has to get right
if [ "$rows" -gt 100 ] && [ "$states" -ge 4 ] && [ "$multi" -gt 0 ] && [ "$inc" -gt 0 ]; then
	ok classify_incremental_history_has_cases
else
	fail classify_incremental_history_has_cases "rows $rows states $states multi $multi incidents $inc"
fi
for m in nightly reverse oddeven byrun; do
	if [ -s "$T/err.$m" ]; then
		fail "classify_incremental_$m" "$(head -c 300 "$T/err.$m")"
	elif ! cmp -s "$T/one.txt" "$T/$m.txt"; then
		fail "classify_incremental_$m" "differs from one go: $(diff "$T/one.txt" "$T/$m.txt" | head -3 | cut -c1-200)"
	elif ! cmp -s "$T/one.sig" "$T/$m.sig"; then
		fail "classify_incremental_$m" "signatures or incidents differ from one go: $(diff "$T/one.sig" "$T/$m.sig" | head -3 | cut -c1-200)"
	else
		ok "classify_incremental_$m"
	fi
done
# an incident that forms only with its third recipe's run: the first two runs'
# failures were counted, then leave the counts, and their rows (each its test's only
# outcome at that version) go; the same runs in one collect never count them
I=$T/inc
mkinc() { # NAME RECIPE VERSION START END STATUS
	mkdir -p "$I/$1/junit" "$I/$1/logs"
	body=""
	[ "$6" = failed ] && body='<failure message="registry unreachable">E   registry unreachable</failure>'
	printf '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="1">
<testcase classname="tests.t" name="test_pull" time="1.5">%s</testcase></testsuite></testsuites>\n' \
		"$body" > "$I/$1/junit/install__cc-ci__test_install.xml"
	echo "log of $2" > "$I/$1/logs/harness.log"
	printf '{"recipe": "%s", "version": "%s", "host": "n1", "trigger": "sweep", "sweep": "s-%s",
 "started": "%s", "finished": "%s"}\n' "$2" "$3" "$(echo "$4" | cut -c1-10)" "$4" "$5" > "$I/$1/run.json"
}
mkinc 0a ra 0.9 2026-06-01T01:00:00Z 2026-06-01T01:10:00Z passed
mkinc 0b rb 0.9 2026-06-01T02:00:00Z 2026-06-01T02:10:00Z passed
mkinc 0c rc 0.9 2026-06-01T03:00:00Z 2026-06-01T03:10:00Z passed
mkinc 1a ra 1.0 2026-06-02T01:00:00Z 2026-06-02T01:10:00Z failed
mkinc 1b rb 1.0 2026-06-02T02:00:00Z 2026-06-02T02:10:00Z failed
mkinc 1c rc 1.0 2026-06-02T03:00:00Z 2026-06-02T03:10:00Z failed
CCR_DB="$T/inc1.db" ccr -q collect ingest "$I"/0a "$I"/0b "$I"/0c "$I"/1a "$I"/1b "$I"/1c 2> "$T/err.inc"
before=""
for r in 0a 0b 0c 1a 1b 1c; do
	CCR_DB="$T/incn.db" ccr -q collect ingest "$I/$r" 2>> "$T/err.inc"
	[ $r = 1b ] && before=$(db "$T/incn.db" "SELECT count(*) FROM classification WHERE version = '1.0'")
done
dump "$T/inc1.db" > "$T/inc1.txt"
dump "$T/incn.db" > "$T/incn.txt"
after=$(db "$T/incn.db" "SELECT count(*) FROM classification WHERE version = '1.0'")
inc=$(db "$T/incn.db" "SELECT recipes FROM incident")
if [ ! -s "$T/err.inc" ] && [ "$before" = 2 ] && [ "$after" = 0 ] && [ "$inc" = 3 ] &&
	cmp -s "$T/inc1.txt" "$T/incn.txt"; then
	ok classify_incremental_late_incident_drops_rows
else
	fail classify_incremental_late_incident_drops_rows "rows at 1.0 before the third run $before, after $after, incident '$inc': $(head -c 200 "$T/err.inc") $(diff "$T/inc1.txt" "$T/incn.txt" | head -3)"
fi

b=""
for m in one nightly reverse oddeven byrun; do
	b="$b$(badseq "$T/$m.db")"
done
[ "$b" = 00000 ] && ok classify_incremental_seq_contiguous || fail classify_incremental_seq_contiguous "per store: $b"
