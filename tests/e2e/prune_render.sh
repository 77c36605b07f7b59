#!/bin/sh
# prune_render.sh: an incremental render notices `ccr prune`: the pruned runs' log and
# run pages say "pruned" without --full, little else is rewritten, and the site is
# the one a fresh render makes; logs that come back (ingested again) show again; a
# corrupt log says so on its page.
. "$(dirname "$0")/lib.sh"
db() { sqlite3 "$CCR_DB" "$1"; }
export CCR_NOW=2026-01-07T00:00:00Z
S="$T/site"
"$CCR_BUILD/genhist" --out "$T/h" --recipes 3 --nights 6 --tests 6 --seed 11 > /dev/null
ccr -q collect ingest "$T"/h/* 2> "$T/err.i" || fail prune_render_setup "$(head -c 300 "$T/err.i")"
ccr -q render --out "$S" 2> "$T/err.r0" || fail prune_render_setup "$(head -c 300 "$T/err.r0")"

# same_as_fresh NAME: the site equals a first render of the store into a new folder
same_as_fresh() {
	rm -rf "$T/fresh"
	ccr -q render --out "$T/fresh" 2> /dev/null
	if diff -r -x .ccr "$S" "$T/fresh" > "$T/diff.$1" 2>&1; then ok "$1"; else fail "$1" "$(head -c 300 "$T/diff.$1")"; fi
}
# written: the site's files newer than the marker
written() { find "$S" -type f -newer "$T/marker" ! -path '*/.ccr/*' | sed "s|^$S/||" | LC_ALL=C sort; }

ccr -q prune --logs-older-than 3d
run=$(db "SELECT f.run_id FROM file f JOIN blob b ON b.hash = f.hash
	WHERE b.pruned_at IS NOT NULL AND f.name = 'logs/harness.log' ORDER BY 1 LIMIT 1")
nruns=$(db "SELECT count(DISTINCT f.run_id) FROM file f JOIN blob b ON b.hash = f.hash
	WHERE b.pruned_at IS NOT NULL AND f.kind = 'log'")
touch "$T/marker"; sleep 1
ccr render --out "$S" 2> "$T/err.r1"
rc=$?
page="$S/runs/$run/logs/harness.log.html"
if [ $rc -eq 0 ] && [ -n "$run" ] && grep -q 'Log pruned on 2026-01-07' "$page" &&
	grep -q 'bytes, pruned</small>' "$S/runs/$run/index.html"; then
	ok prune_render_incremental_says_pruned
else
	fail prune_render_incremental_says_pruned "rc $rc run '$run' $(head -c 200 "$T/err.r1")"
fi
# only the pruned runs' pages (run page, log pages), the test pages linking their failures
# to those logs, and the always-rebuilt overviews
other=$(written | grep -v -e '^runs/[^/]*/index\.html$' -e '^runs/[^/]*/logs/' -e '^recipes/[^/]*/tests/' \
	-e '^index\.html$' -e '^flakes\.html$' -e '^feed\.atom$' -e '^data/')
runs_written=$(written | grep -c '^runs/[^/]*/index\.html$')
if [ -z "$other" ] && [ "$runs_written" -ge 1 ] && [ "$runs_written" -le "$nruns" ]; then
	ok prune_render_only_pruned_runs
else
	fail prune_render_only_pruned_runs "$runs_written run pages for $nruns pruned runs; also: $(echo $other | head -c 200)"
fi
same_as_fresh prune_render_same_as_fresh

# nothing new after that
touch "$T/marker"; sleep 1
ccr render --out "$S" 2> "$T/err.r2"
[ $? -eq 0 ] && [ -z "$(written)" ] && ok prune_render_then_noop || fail prune_render_then_noop "wrote $(written | head -c 200)"

# the same bytes ingested again come back: the page shows the log again, with no --full
ccr -q collect ingest "$T/h/$run" 2> /dev/null
ccr render --out "$S" 2> "$T/err.r3"
rc=$?
if [ $rc -eq 0 ] && grep -q 'id="L1"' "$page" && ! grep -q 'Log pruned' "$page"; then
	ok prune_render_restored_shows_log
else
	fail prune_render_restored_shows_log "rc $rc $(head -c 200 "$T/err.r3")"
fi
same_as_fresh prune_render_restored_same_as_fresh

# a second prune, later and with --vacuum: again only incremental, again the fresh site
CCR_NOW=2026-01-09T00:00:00Z ccr -q prune --keep-logs 1 --vacuum
CCR_NOW=2026-01-09T00:00:00Z ccr render --out "$S" 2> "$T/err.r4"
rc=$?
n=$(grep -l 'Log pruned on 2026-01-09' "$S"/runs/*/logs/*.html 2> /dev/null | wc -l)
[ $rc -eq 0 ] && [ "$n" -ge 1 ] && ok prune_render_second_prune || fail prune_render_second_prune "rc $rc, $n pages say so"
CCR_NOW=2026-01-09T00:00:00Z same_as_fresh prune_render_second_same_as_fresh

# a log whose stored bytes are corrupt (not a zlib stream, or a cut one): its page says so,
# the rest renders, exit status 1 (input shown as unreadable)
h1=$(db "SELECT hash FROM file WHERE kind = 'log' AND run_id = '$(basename "$(ls -d "$T"/h/20260106T* | head -1)")' LIMIT 1")
r1=$(db "SELECT run_id || '|' || name FROM file WHERE hash = '$h1' LIMIT 1")
db "UPDATE blob SET data = substr(data, 1, length(data) / 2) WHERE hash = '$h1'"
ccr render --out "$T/corrupt" 2> "$T/err.c"
rc=$?
cpage="$T/corrupt/runs/${r1%%|*}/logs/$(basename "${r1#*|}").html"
if [ $rc -eq 1 ] && grep -q "missing from the store or corrupt" "$cpage" && [ -f "$T/corrupt/index.html" ]; then
	ok prune_render_corrupt_log_said
else
	fail prune_render_corrupt_log_said "rc $rc, $cpage: $(head -c 200 "$T/err.c")"
fi
