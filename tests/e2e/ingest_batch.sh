#!/bin/sh
# ingest_batch.sh: collect ingest commits many runs per transaction (each run in its
# own savepoint). More runs than one batch holds are all stored, once; two collectors
# racing over the same folders store each run once and both succeed.
. "$(dirname "$0")/lib.sh"
db() { sqlite3 "$CCR_DB" "$1"; }

# 30 recipes x 10 nights: more runs than INGEST_BATCH_RUNS (256)
"$CCR_BUILD/genhist" --out "$T/h" --recipes 30 --nights 10 --tiers 2 --tests 2 --seed 3 > "$T/gen.out" ||
	fail batch_history "genhist failed"
want=$(ls "$T/h" | wc -l)
(cd "$T/h" && ccr -q collect ingest *) 2> "$T/err"
rc=$?
got=$(db 'SELECT count(*) FROM run')
files=$(db 'SELECT count(*) FROM file')
want_files=$(find "$T/h" -type f | wc -l)
if [ $rc -eq 0 ] && [ "$want" -gt 256 ] && [ "$got" = "$want" ] && [ "$files" = "$want_files" ]; then
	ok batch_stores_every_run
else
	fail batch_stores_every_run "rc=$rc runs $got of $want, files $files of $want_files: $(head -c 300 "$T/err")"
fi

(cd "$T/h" && ccr collect ingest *) 2> "$T/err2"
rc=$?
if [ $rc -eq 0 ] && [ "$(db 'SELECT count(*) FROM run')" = "$want" ] &&
	[ "$(grep -c 'already archived' "$T/err2")" = "$want" ]; then
	ok batch_reingest_is_noop
else
	fail batch_reingest_is_noop "rc=$rc $(head -c 300 "$T/err2")"
fi

# two collectors at once on a fresh store, the same folders in opposite orders
export CCR_DB="$T/race.db"
(cd "$T/h" && ccr -q collect ingest *) 2> "$T/ra.err" &
pa=$!
(cd "$T/h" && ccr -q collect ingest $(ls | sort -r)) 2> "$T/rb.err" &
pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
got=$(db 'SELECT count(*) FROM run')
dup=$(db 'SELECT count(*) FROM (SELECT run_id, test_id FROM testcase GROUP BY 1, 2 HAVING count(*) > 1)')
cases=$(db 'SELECT count(*) FROM testcase')
want_cases=$(sed 's/.* testcases //' "$T/gen.out")
if [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ "$got" = "$want" ] && [ "$dup" = 0 ] && [ "$cases" = "$want_cases" ]; then
	ok batch_two_collectors_store_once
else
	fail batch_two_collectors_store_once "exit $ra/$rb, runs $got of $want, testcases $cases of $want_cases: $(head -c 200 "$T/ra.err") $(head -c 200 "$T/rb.err")"
fi
