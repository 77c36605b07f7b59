#!/bin/sh
# classify_incremental.sh: the classification does not depend on how the runs came
# in. collect derives a night incrementally (walk_start in collect/derive.c restarts
# each test's walk at the row before the first change, from the seq numbers the
# last walk left), so the same history ingested in one go, night by night, nights
# in reverse, and odd nights before even ones must give the same rows, column for
# column, and every test's seq must be 1..n. The history (genhist, seed 5) has
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
}

CCR_DB="$T/one.db" ccr -q collect ingest "$T"/h/* 2> "$T/err.one"
dump "$T/one.db" > "$T/one.txt"
ingest nightly $nights
ingest reverse $(echo "$nights" | sort -r)
ingest oddeven $(echo "$nights" | awk 'NR % 2') $(echo "$nights" | awk 'NR % 2 == 0')

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
for m in nightly reverse oddeven; do
	if [ -s "$T/err.$m" ]; then
		fail "classify_incremental_$m" "$(head -c 300 "$T/err.$m")"
	elif cmp -s "$T/one.txt" "$T/$m.txt"; then
		ok "classify_incremental_$m"
	else
		fail "classify_incremental_$m" "differs from one go: $(diff "$T/one.txt" "$T/$m.txt" | head -3 | cut -c1-200)"
	fi
done
b=""
for m in one nightly reverse oddeven; do
	b="$b$(badseq "$T/$m.db")"
done
[ "$b" = 0000 ] && ok classify_incremental_seq_contiguous || fail classify_incremental_seq_contiguous "per store: $b"
