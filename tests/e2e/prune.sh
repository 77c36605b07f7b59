#!/bin/sh
# prune.sh: `ccr prune` drops old log bodies and nothing else: verdicts, testcases,
# signatures and classification stay; shared blobs of kept runs stay; log pages
# say "pruned" at the same URL; the same bytes ingested again come back.
. "$(dirname "$0")/lib.sh"
db() { sqlite3 "$CCR_DB" "$1"; }
export CCR_NOW=2026-01-07T00:00:00Z
"$CCR_BUILD/genhist" --out "$T/h" --recipes 3 --nights 6 --tests 6 --seed 11 > /dev/null
old=$(ls -d "$T"/h/20260101T* | head -1)
new=$(ls -d "$T"/h/20260106T* | head -1)
# a kept run holding the same bytes as an old run's log: that blob must stay
cp "$old/logs/harness.log" "$new/logs/copy-of-old.log"
ccr -q collect ingest "$T"/h/* 2> "$T/err.i" || fail prune_setup "$(head -c 300 "$T/err.i")"
verdicts() {
	db "SELECT run_id, test_id, tier, status, message, signature FROM testcase ORDER BY 1,2,3;
	    SELECT * FROM classification ORDER BY 1,2,3,4,5; SELECT * FROM signature ORDER BY id;
	    SELECT run_id, kind, name, hash, size, lines FROM file ORDER BY 1,3"
}
verdicts > "$T/v.before"
ccr runs --json > "$T/runs.before"

ccr prune --logs-older-than 3d 2> "$T/err.p"
rc=$?
n=$(db 'SELECT count(*) FROM blob WHERE pruned_at IS NOT NULL')
[ $rc -eq 0 ] && [ "$n" -gt 0 ] && grep -q "pruned $n log bodies" "$T/err.p" && ok prune_runs ||
	fail prune_runs "rc $rc pruned $n: $(cat "$T/err.p")"
verdicts > "$T/v.after"
ccr runs --json > "$T/runs.after"
cmp -s "$T/v.before" "$T/v.after" && cmp -s "$T/runs.before" "$T/runs.after" && ok prune_keeps_verdicts ||
	fail prune_keeps_verdicts "testcases, classification, signatures or files changed"
# only logs of runs started before the cutoff (2026-01-04), never JUnit or run.json,
# never a blob a kept run's file shares
cutoff=$(date -u -d 2026-01-04 +%s)
bad=$(db "SELECT count(*) FROM file f JOIN blob b ON b.hash = f.hash JOIN run r ON r.id = f.run_id
	WHERE b.pruned_at IS NOT NULL AND (f.kind <> 'log' OR r.started >= $cutoff)")
left=$(db "SELECT count(*) FROM file f JOIN blob b ON b.hash = f.hash JOIN run r ON r.id = f.run_id
	WHERE b.pruned_at IS NULL AND f.kind = 'log' AND r.started < $cutoff
	  AND NOT EXISTS (SELECT 1 FROM file k JOIN run kr ON kr.id = k.run_id
	                  WHERE k.hash = f.hash AND (k.kind <> 'log' OR kr.started >= $cutoff))")
shared=$(db "SELECT b.pruned_at IS NULL FROM file f JOIN blob b ON b.hash = f.hash
	WHERE f.run_id = '$(basename "$old")' AND f.name = 'logs/harness.log'")
[ "$bad" = 0 ] && [ "$left" = 0 ] && [ "$shared" = 1 ] && ok prune_only_old_unshared_logs ||
	fail prune_only_old_unshared_logs "wrongly pruned $bad, left $left, shared kept $shared"
z=$(db 'SELECT count(*) FROM blob WHERE pruned_at IS NOT NULL AND length(data) > 0')
[ "$z" = 0 ] && ok prune_drops_bytes || fail prune_drops_bytes "$z pruned blobs still hold bytes"

# the site: every link resolves, pruned log pages say so at the same URL
ccr render --out "$T/site" --full 2> "$T/err.r"
rc=$?
check prune_site_links python3 "$top/tests/e2e/sitecheck.py" "$T/site"
run=$(db "SELECT f.run_id FROM file f JOIN blob b ON b.hash = f.hash
	WHERE b.pruned_at IS NOT NULL AND f.name = 'logs/harness.log' ORDER BY 1 LIMIT 1")
page="$T/site/runs/$run/logs/harness.log.html"
if [ $rc -eq 0 ] && grep -q 'Log pruned on 2026-01-07' "$page" &&
	grep -q "$run/logs/harness.log.html\"" "$T/site/runs/$run/index.html" &&
	grep -q 'id="L1"' "$T/site/runs/$(basename "$new")/logs/harness.log.html"; then
	ok prune_log_page_says_so
else
	fail prune_log_page_says_so "rc $rc $(head -c 200 "$T/err.r")"
fi

# the same bytes ingested again come back
ccr collect ingest "$T/h/$run" 2> "$T/err.re"
n=$(db "SELECT count(*) FROM file f JOIN blob b ON b.hash = f.hash
	WHERE f.run_id = '$run' AND f.kind = 'log' AND (b.pruned_at IS NOT NULL OR length(b.data) = 0)")
ccr render --out "$T/site" --full 2> /dev/null
grep -q 'id="L1"' "$page" && [ "$n" = 0 ] && grep -q 'already archived' "$T/err.re" && ok prune_reingest_restores ||
	fail prune_reingest_restores "$n logs still pruned: $(head -c 200 "$T/err.re")"
verdicts > "$T/v.again"
cmp -s "$T/v.before" "$T/v.again" && ok prune_restore_keeps_verdicts || fail prune_restore_keeps_verdicts "changed"

# --keep-logs N: only the newest N runs of each recipe keep their logs; --vacuum
ccr -q prune --keep-logs 1 --vacuum
kept=$(db "SELECT count(DISTINCT f.run_id) FROM file f JOIN blob b ON b.hash = f.hash
	WHERE f.kind = 'log' AND b.pruned_at IS NULL AND f.run_id <> '$(basename "$old")'")
recipes=$(db 'SELECT count(DISTINCT recipe) FROM run')
[ "$kept" = "$recipes" ] && [ "$(db 'PRAGMA integrity_check')" = ok ] && ok prune_keep_logs ||
	fail prune_keep_logs "runs with logs $kept, recipes $recipes"

ccr prune --logs-older-than 3x 2> "$T/err.u"
rc1=$?
ccr prune 2>> "$T/err.u"
rc2=$?
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && ok prune_usage || fail prune_usage "rc $rc1 $rc2"
