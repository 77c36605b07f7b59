#!/bin/sh
# collect ingest under stress: the same runs into two fresh stores in different
# orders give the same ids and JSON; a killed ingest leaves a sound store that a
# re-ingest completes; two collectors at once on one store.
. "$(dirname "$0")/lib.sh"

gen() { python3 "$top/tests/bench/gen_runs.py" "$@"; }
db() { sqlite3 "$1" "$2"; }

# every run complete: its files, tiers and manifest are there (no half-written run)
sound() { # DB RUNS
	n=$(db "$1" "PRAGMA integrity_check; PRAGMA foreign_key_check;
		SELECT count(*) FROM run;
		SELECT count(*) FROM run r WHERE manifest_hash = ''
		  OR (SELECT count(*) FROM file WHERE run_id = r.id) <> 7
		  OR (SELECT count(*) FROM tier WHERE run_id = r.id) <> 5
		  OR NOT EXISTS (SELECT 1 FROM testcase WHERE run_id = r.id);" | tr '\n' ' ')
	[ "$n" = "ok $2 0 " ] || { echo "$n"; return 1; }
}

# ---- stable ids and identical JSON across stores rebuilt in another order
gen "$T/s" 40 --tests 8 --log-kb 4 --seed 7
ls -d "$T"/s/* > "$T/list"
sort -r "$T/list" > "$T/rlist"
CCR_DB="$T/a.db" ccr collect ingest $(cat "$T/list") 2> "$T/err.a"
ra=$?
CCR_DB="$T/b.db" ccr collect ingest $(sed -n '1,20p' "$T/rlist") 2> "$T/err.b"
rb=$?
CCR_DB="$T/b.db" ccr collect ingest $(sed -n '21,$p' "$T/rlist") 2>> "$T/err.b"
rb=$((rb + $?))
CCR_DB="$T/a.db" ccr runs --json > "$T/a.json"
CCR_DB="$T/b.db" ccr runs --json > "$T/b.json"
same=1
for id in $(python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))))' "$T/a.json"); do
	CCR_DB="$T/a.db" ccr show "$id" --json > "$T/a.show"
	CCR_DB="$T/b.db" ccr show "$id" --json > "$T/b.show" || same=0
	cmp -s "$T/a.show" "$T/b.show" || same=0
done
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/a.json")
if [ $ra -eq 0 ] && [ $rb -eq 0 ] && [ "$n" = 40 ] && cmp -s "$T/a.json" "$T/b.json" && [ $same = 1 ]; then
	ok rebuilt_store_same_ids_and_json
else
	fail rebuilt_store_same_ids_and_json "rc=$ra/$rb n=$n same=$same $(head -c 200 "$T/err.a" "$T/err.b")"
fi
o=$(db "$T/a.db" 'SELECT sum(overlap) FROM run')
[ "$o" -gt 0 ] && [ "$o" = "$(db "$T/b.db" 'SELECT sum(overlap) FROM run')" ] && ok overlap_order_independent || fail overlap_order_independent "a=$o"

# ---- kill -9 in the middle of a large ingest
gen "$T/k" 200 --tests 20 --log-kb 64 --seed 3 --start 2026-07-01
K="$T/k.db"
# kill once some runs are in (200 in all)
r=""
kill_ingest "$K" 20 200 collect ingest "$T"/k/*
if [ "$n" -lt 200 ] && r=$(sound "$K" "$n"); then ok killed_ingest_store_sound; else fail killed_ingest_store_sound "runs=$n: $r"; fi
CCR_DB="$K" ccr collect ingest "$T"/k/* 2> "$T/err.k2"
rc=$?
nun=$(grep -c 'already archived' "$T/err.k2")
if [ $rc -eq 0 ] && r=$(sound "$K" 200) && [ "$nun" = "$n" ]; then ok killed_ingest_reingest_completes; else fail killed_ingest_reingest_completes "rc=$rc unchanged=$nun of $n: $r $(head -c 200 "$T/err.k2")"; fi
n=$(db "$K" 'SELECT count(*) FROM run WHERE id NOT IN (SELECT run_id FROM derived_run)')
[ "$n" = 0 ] && ok killed_ingest_runs_derived || fail killed_ingest_runs_derived "$n runs left underived"
# killed after its last commit, before deriving: an unchanged re-ingest derives it
id1=$(db "$K" 'SELECT id FROM run ORDER BY id LIMIT 1')
db "$K" "DELETE FROM derived_run WHERE run_id = '$id1'"
CCR_DB="$K" ccr -q collect ingest "$T/k/$id1"
n=$(db "$K" "SELECT count(*) FROM derived_run WHERE run_id = '$id1'")
[ "$n" = 1 ] && ok unchanged_reingest_derives_missing || fail unchanged_reingest_derives_missing "not derived"
n=$(db "$K" 'SELECT count(*) FROM testcase')
m=$(python3 -c '
import glob, re, sys
print(sum(len(set(re.findall(r"<testcase classname=\"([^\"]*)\" name=\"([^\"]*)\"", open(f).read())))
          for f in glob.glob(sys.argv[1] + "/*/junit/*.xml")))' "$T/k")
[ "$n" = "$m" ] && ok killed_ingest_counts_consistent || fail killed_ingest_counts_consistent "testcases $n, in the files $m"

# ---- two collectors at once on one fresh store, with runs in common
C="$T/c.db"
(CCR_DB="$C" ccr collect ingest "$T"/s/* > /dev/null 2> "$T/err.c1"; echo $? > "$T/rc.c1") &
p1=$!
(CCR_DB="$C" ccr collect ingest $(cat "$T/rlist") "$T"/k/20260701T0[0-4]* > /dev/null 2> "$T/err.c2"; echo $? > "$T/rc.c2") &
p2=$!
wait $p1 $p2
r1=$(cat "$T/rc.c1") r2=$(cat "$T/rc.c2")
want=$((40 + $(ls -d "$T"/k/20260701T0[0-4]* | wc -l)))
busy=$(cat "$T/err.c1" "$T/err.c2" | grep -c 'store is busy')
other=$(cat "$T/err.c1" "$T/err.c2" | grep -v 'already archived' | grep -vc 'store is busy')
if [ "$other" = 0 ] && { [ "$r1$r2" = 00 ] || [ "$busy" -gt 0 ]; } && r=$(sound "$C" "$want"); then
	ok two_collectors_at_once
else
	fail two_collectors_at_once "rc=$r1/$r2 busy=$busy other=$other $r $(head -c 300 "$T/err.c1" "$T/err.c2")"
fi

# ---- a store held by another writer longer than the wait: "store is busy", exit 2, nothing half done
n0=$(db "$C" 'SELECT count(*) FROM run')
late=$(ls -d "$T"/k/20260701T2* | head -1)
r=$(python3 -c '
import os, sqlite3, subprocess, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO sweep(id) VALUES (?)", ("held",))
env = dict(os.environ, CCR_BUSY_MS="300", CCR_DB=sys.argv[1])
p = subprocess.run(sys.argv[2:], env=env, capture_output=True, text=True)
c.execute("ROLLBACK")
print(p.returncode, p.stderr.strip())' "$C" $CCR_WRAP "$CCR_BUILD/ccr" collect ingest "$late" 2>&1)
n1=$(db "$C" 'SELECT count(*) FROM run')
case $r in
"2 ccr: '$C': store is busy (another collector holds it):"*) [ "$n0" = "$n1" ] && ok store_busy_said_clearly || fail store_busy_said_clearly "runs $n0 -> $n1" ;;
*) fail store_busy_said_clearly "$r" ;;
esac
CCR_DB="$C" ccr collect ingest "$late" 2> "$T/err"
[ $? -eq 0 ] && r=$(sound "$C" $((n0 + 1))) && ok store_free_again || fail store_free_again "$r $(cat "$T/err")"
