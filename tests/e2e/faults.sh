#!/bin/sh
# faults.sh: what the store and the site look like after things go wrong.
# (ingest_stress.sh covers a killed ingest's soundness and two collectors alone;
# render.sh a render stopped by its test hook; this adds the rest.)
#   - kill -9 of an ingest, then the same ingest again: the same 'runs --json' as a clean one
#   - kill -9 of a render while it writes: every file of the old site unchanged
#   - two collectors and a render at once on one store
#   - a full disk under the store and under the site
#   - a read-only store (file, then folder): collect refuses clearly, render still reads
#   - run files that vanish or never end (dangling symlink, FIFO): named, not hung
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
db() { sqlite3 "$1" "$2"; }
# for background jobs whose pid we need: the subshell of "bgccr ... &" becomes ccr itself
bgccr() { exec $CCR_WRAP "$CCR_BUILD/ccr" "$@"; }
# checksum listing of every file under a folder, hidden ones included
sums() { (cd "$1" && find . -type f | xargs -d '\n' sha256sum | LC_ALL=C sort); }

# every run row whole: tiers, testcases, files, manifest (ingest is one transaction per run)
whole() { # DB
	db "$1" "PRAGMA integrity_check; PRAGMA foreign_key_check;
		SELECT count(*) FROM run r WHERE manifest_hash = ''
		  OR NOT EXISTS (SELECT 1 FROM tier WHERE run_id = r.id)
		  OR NOT EXISTS (SELECT 1 FROM testcase WHERE run_id = r.id)
		  OR NOT EXISTS (SELECT 1 FROM file WHERE run_id = r.id);" | tr '\n' ' '
}

$G --out "$T/h" --recipes 6 --nights 20 --tests 12 --seed 5 > /dev/null || fail genhist "no history"
ls -d "$T"/h/* > "$T/list"
nruns=$(wc -l < "$T/list")

# ---- a clean ingest: the reference. Its own, longer history: ingest commits a
# batch every 1024 runs or $CCR_BATCH_MS (kill_ingest: 100 ms), and a history that
# takes less than one batch is never seen half done; the kill must land between two
$G --out "$T/hk" --recipes 6 --nights 80 --tests 12 --seed 5 > /dev/null || fail genhist "no history"
ls -d "$T"/hk/* > "$T/klist"
nk=$(wc -l < "$T/klist")
CCR_DB="$T/clean.db" ccr -q collect ingest $(cat "$T/klist") 2> "$T/err.clean"
CCR_DB="$T/clean.db" ccr runs --json > "$T/clean.json"

# ---- kill -9 mid-ingest (after its first commit), then the same command again
K="$T/k.db"
kill_ingest "$K" 1 "$nk" -q collect ingest $(cat "$T/klist")
r=$(whole "$K")
if [ "$r" = "ok 0 " ] && [ "$n" -lt "$nk" ]; then ok killed_ingest_no_half_run; else fail killed_ingest_no_half_run "runs $n of $nk: $r"; fi
CCR_DB="$K" ccr -q collect ingest $(cat "$T/klist") 2> "$T/err.k2"
rc=$?
CCR_DB="$K" ccr runs --json > "$T/k.json"
if [ $rc -eq 0 ] && cmp -s "$T/clean.json" "$T/k.json" && [ "$(whole "$K")" = "ok 0 " ]; then
	ok killed_ingest_rerun_same_as_clean
else
	fail killed_ingest_rerun_same_as_clean "rc $rc $(head -c 200 "$T/err.k2")"
fi
a=$(db "$T/clean.db" 'SELECT count(*) FROM testcase; SELECT count(*) FROM tier; SELECT count(*) FROM file' | tr '\n' ' ')
b=$(db "$K" 'SELECT count(*) FROM testcase; SELECT count(*) FROM tier; SELECT count(*) FROM file' | tr '\n' ' ')
[ "$a" = "$b" ] && ok killed_ingest_counts_as_clean || fail killed_ingest_counts_as_clean "clean $a, killed+rerun $b"

# ---- kill -9 of a render while it stages pages
S="$T/site"
half=$((nruns / 2))
CCR_DB="$T/r.db" ccr -q collect ingest $(head -n $half "$T/list") 2> /dev/null
CCR_DB="$T/r.db" ccr render --out "$S" 2> "$T/err.r0"
sums "$S" > "$T/sums.before"
CCR_DB="$T/r.db" ccr -q collect ingest $(tail -n +$((half + 1)) "$T/list") 2> /dev/null
CCR_DB="$T/r.db" bgccr render --out "$S" --full 2> /dev/null &
pid=$!
i=0
while [ $i -lt 1500 ]; do
	[ -n "$(find "$S" -name '.ccr-tmp.*' -print -quit)" ] && break
	i=$((i + 1))
	sleep 0.01
done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
sums "$S" > "$T/sums.after"
# the old files all there, byte for byte; new ones only the temp files and the
# "interrupted" marker the next render cleans up
missing=$(LC_ALL=C comm -23 "$T/sums.before" "$T/sums.after" | tr '\n' ' ' | head -c 300)
extra=$(LC_ALL=C comm -13 "$T/sums.before" "$T/sums.after" | grep -v -e '/\.ccr-tmp\.' -e ' \./\.ccr/dirty$' | head -c 300)
if [ $i -lt 1500 ] && [ -z "$missing" ] && [ -z "$extra" ]; then
	ok killed_render_old_site_intact
else
	fail killed_render_old_site_intact "waited $i; changed: $missing; new: $extra"
fi
CCR_DB="$T/r.db" ccr render --out "$S" 2> "$T/err.r1"
rc=$?
CCR_DB="$T/r.db" ccr render --out "$T/fresh" 2> /dev/null
if [ $rc -eq 0 ] && [ -z "$(find "$S" -name '.ccr-tmp.*')" ] && [ ! -e "$S/.ccr/dirty" ] &&
	diff -r -x .ccr "$S" "$T/fresh" > "$T/diff.r" 2>&1; then
	ok killed_render_rerun_completes
else
	fail killed_render_rerun_completes "rc $rc $(head -c 300 "$T/diff.r") $(head -c 200 "$T/err.r1")"
fi

# ---- two collectors and a render at once on one store
C="$T/c.db"
CCR_DB="$C" ccr -q collect ingest $(head -n 4 "$T/list") 2> /dev/null
CCR_DB="$C" ccr render --out "$T/csite" 2> /dev/null
(CCR_DB="$C" ccr -q collect ingest $(head -n $half "$T/list") 2> "$T/err.c1"; echo $? > "$T/rc.c1") &
p1=$!
(CCR_DB="$C" ccr -q collect ingest $(sort -r "$T/list") 2> "$T/err.c2"; echo $? > "$T/rc.c2") &
p2=$!
sleep 0.2
(CCR_DB="$C" ccr render --out "$T/csite" 2> "$T/err.c3"; echo $? > "$T/rc.c3") &
p3=$!
wait $p1 $p2 $p3
r1=$(cat "$T/rc.c1") r2=$(cat "$T/rc.c2") r3=$(cat "$T/rc.c3")
okrc() { [ "$1" = 0 ] || { [ "$1" = 2 ] && grep -q 'store is busy' "$2"; }; }
other=$(cat "$T/err.c1" "$T/err.c2" | grep -vc 'store is busy')
if okrc "$r1" "$T/err.c1" && okrc "$r2" "$T/err.c2" && [ "$other" = 0 ] && [ "$(whole "$C")" = "ok 0 " ]; then
	ok concurrent_collectors_store_whole
else
	fail concurrent_collectors_store_whole "rc $r1/$r2, $(whole "$C") $(head -c 300 "$T/err.c1" "$T/err.c2")"
fi
if [ "$r3" = 0 ] && python3 "$top/tests/e2e/sitecheck.py" "$T/csite" > "$T/sitecheck.c" 2>&1; then
	ok concurrent_render_whole_site
else
	fail concurrent_render_whole_site "rc $r3 $(head -c 300 "$T/err.c3" "$T/sitecheck.c")"
fi
# what the render recorded matches what it rendered: the next incremental render
# catches up to the same site a fresh full render makes
CCR_DB="$C" ccr -q collect ingest $(cat "$T/list") 2> /dev/null
CCR_DB="$C" ccr render --out "$T/csite" 2> /dev/null
CCR_DB="$C" ccr render --out "$T/cfresh" 2> /dev/null
if diff -r -x .ccr "$T/csite" "$T/cfresh" > "$T/diff.c" 2>&1; then
	ok concurrent_render_then_incremental_equals_full
else
	fail concurrent_render_then_incremental_equals_full "$(head -c 300 "$T/diff.c")"
fi

# ---- a full disk: a small tmpfs under the store, then under the site
M="$T/mnt"
mkdir -p "$M"
if mount -t tmpfs -o size=2m tmpfs "$M" 2> /dev/null; then
	trap 'umount "$M" 2> /dev/null' EXIT INT TERM
	F="$M/ccr.db"
	CCR_DB="$F" ccr -q collect ingest $(head -n 2 "$T/list") 2> "$T/err.f0"
	CCR_DB="$F" ccr runs --json > "$T/f.before"
	big="$T/bigrun"
	cp -r "$(sed -n 3p "$T/list")" "$big"
	head -c 3000000 /dev/urandom > "$big/logs/noise.log"
	CCR_DB="$F" ccr -q collect ingest "$big" 2> "$T/err.f1"
	rc=$?
	CCR_DB="$F" ccr runs --json > "$T/f.after"
	if [ $rc -eq 2 ] && grep -q "'$F'.*full" "$T/err.f1" && cmp -s "$T/f.before" "$T/f.after" &&
		[ "$(whole "$F")" = "ok 0 " ]; then
		ok full_disk_ingest_fails_cleanly
	else
		fail full_disk_ingest_fails_cleanly "rc $rc: $(head -c 300 "$T/err.f1")"
	fi
	rm -f "$F" "$F-wal" "$F-shm"
	# the site on the small disk: a first render fits, a bigger one does not
	CCR_DB="$T/f2.db" ccr -q collect ingest $(head -n 2 "$T/list") 2> /dev/null
	CCR_DB="$T/f2.db" ccr render --out "$M/site" 2> "$T/err.f2"
	sums "$M/site" > "$T/fs.before"
	CCR_DB="$T/f2.db" ccr -q collect ingest $(cat "$T/list") 2> /dev/null
	CCR_DB="$T/f2.db" ccr render --out "$M/site" 2> "$T/err.f3"
	rc=$?
	sums "$M/site" > "$T/fs.after"
	if [ $rc -eq 2 ] && grep -q 'No space left on device' "$T/err.f3" && grep -q 'previous site is kept' "$T/err.f3" &&
		cmp -s "$T/fs.before" "$T/fs.after"; then
		ok full_disk_render_keeps_site
	else
		fail full_disk_render_keeps_site "rc $rc: $(head -c 300 "$T/err.f3"; diff "$T/fs.before" "$T/fs.after" | head -c 300)"
	fi
	umount "$M" && trap - EXIT INT TERM
else
	echo "ok full_disk_ingest_fails_cleanly # skip: cannot mount"
	echo "ok full_disk_render_keeps_site # skip: cannot mount"
fi

# ---- a read-only store: collect refuses with exit 2, render and runs still read it
R="$T/ro"
mkdir -p "$R/d" "$R/out"
CCR_DB="$R/d/ccr.db" ccr -q collect ingest $(head -n 3 "$T/list") 2> /dev/null
chmod 444 "$R/d/ccr.db"
chmod 777 "$R/out"
# root writes whatever the mode says: run as nobody (the tests folder is world-readable)
as=""
if [ "$(id -u)" = 0 ]; then as="setpriv --reuid=65534 --regid=65534 --clear-groups"; fi
nxt=$(sed -n 4p "$T/list")
CCR_DB="$R/d/ccr.db" $as $CCR_WRAP "$CCR_BUILD/ccr" collect ingest "$nxt" 2> "$T/err.ro1"
rc=$?
[ $rc -eq 2 ] && grep -q "'$R/d/ccr.db': store is read-only" "$T/err.ro1" && ok readonly_file_collect_refused ||
	fail readonly_file_collect_refused "rc $rc: $(head -c 300 "$T/err.ro1")"
chmod 555 "$R/d"
CCR_DB="$R/d/ccr.db" $as $CCR_WRAP "$CCR_BUILD/ccr" collect ingest "$nxt" 2> "$T/err.ro2"
rc=$?
[ $rc -eq 2 ] && grep -q "'$R/d/ccr.db': store is read-only" "$T/err.ro2" && ok readonly_folder_collect_refused ||
	fail readonly_folder_collect_refused "rc $rc: $(head -c 300 "$T/err.ro2")"
CCR_DB="$R/d/ccr.db" $as $CCR_WRAP "$CCR_BUILD/ccr" render --out "$R/out/site" 2> "$T/err.ro3"
rc=$?
CCR_DB="$R/d/ccr.db" $as $CCR_WRAP "$CCR_BUILD/ccr" runs --json > "$T/ro.json" 2>> "$T/err.ro3"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/ro.json" 2> /dev/null)
[ $rc -eq 0 ] && [ -f "$R/out/site/index.html" ] && [ "$n" = 3 ] && [ ! -e "$R/d/ccr.db-shm" ] && ok readonly_store_render_reads ||
	fail readonly_store_render_reads "rc $rc runs $n: $(head -c 300 "$T/err.ro3")"
chmod 755 "$R/d"

# ---- run files that are gone or never end when read
V="$T/v"
mkdir -p "$V"
for k in 1 2 3; do cp -r "$(sed -n ${k}p "$T/list")" "$V/run$k"; done
j=$(ls "$V/run1/junit" | head -1)
rm "$V/run1/junit/$j"
ln -s "$V/gone.xml" "$V/run1/junit/$j"
j2=$(ls "$V/run2/junit" | head -1)
rm "$V/run2/junit/$j2"
mkfifo "$V/run2/junit/$j2" "$V/run2/logs/stuck.log"
CCR_DB="$T/v.db" timeout 60 $CCR_WRAP "$CCR_BUILD/ccr" collect ingest "$V/run1" "$V/run2" "$V/run3" 2> "$T/err.v"
rc=$?
n=$(db "$T/v.db" 'SELECT count(*) FROM run')
bad=$(db "$T/v.db" "SELECT count(*) FROM tier WHERE status = 'error' AND name IN ('${j%%__*}', '${j2%%__*}')")
if [ $rc -eq 1 ] && [ "$n" = 3 ] && grep -q "run1/junit/$j': No such file or directory" "$T/err.v" &&
	grep -q "run2/junit/$j2': not a regular file" "$T/err.v" && [ "$bad" -ge 2 ]; then
	ok vanished_files_named_others_archived
else
	fail vanished_files_named_others_archived "rc $rc runs $n bad $bad: $(head -c 300 "$T/err.v")"
fi
