#!/bin/sh
# schema_readers.sh: a migration marked "(readers need not wait)" (lib/schema.sql; 6 is
# the index blob_pruned, 7 the table failure_line, 8 the index classification_sources)
# leaves a store that render, runs and show still open as it is; the next collect
# applies it; the render after that is not a full one (it writes nothing), and the
# prune check then seeks the index.
# valgrind: yes
. "$(dirname "$0")/lib.sh"
db() { sqlite3 "$CCR_DB" "$1"; }
S="$T/site"
"$CCR_BUILD/genhist" --out "$T/h" --recipes 2 --nights 3 --tests 3 --seed 5 > /dev/null
ccr -q collect ingest "$T"/h/* 2> "$T/err.i" || fail schema_readers_setup "$(head -c 300 "$T/err.i")"
latest=$(grep -c '^-- migration ' "$top/lib/schema.sql")
[ "$(db 'PRAGMA user_version')" = "$latest" ] && [ "$latest" -ge 6 ] &&
	[ "$(db "SELECT count(*) FROM sqlite_master WHERE name = 'blob_pruned'")" = 1 ] &&
	ok schema_readers_migrated || fail schema_readers_migrated "version $(db 'PRAGMA user_version') of $latest"

# the store as a collector before migration 6 left it
db "DROP INDEX blob_pruned; DROP TABLE failure_line; DROP INDEX classification_sources;
	PRAGMA user_version = 5"
ccr -q render --out "$S" 2> "$T/err.r0"
rc=$?
ccr runs --json > "$T/runs.json" 2> "$T/err.runs"
rc2=$?
run=$(db "SELECT id FROM run ORDER BY id LIMIT 1")
ccr show "$run" > /dev/null 2>> "$T/err.runs"
rc3=$?
[ $rc = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] && [ -s "$S/index.html" ] && [ "$(db 'PRAGMA user_version')" = 5 ] &&
	ok schema_readers_render_old_store ||
	fail schema_readers_render_old_store "rc $rc $rc2 $rc3: $(head -c 300 "$T/err.r0" "$T/err.runs")"

# one migration readers need, missing: still refused, with the way out
cp "$CCR_DB" "$T/v4.db"
sqlite3 "$T/v4.db" "PRAGMA user_version = 4"
CCR_DB="$T/v4.db" ccr -q render --out "$T/site4" 2> "$T/err.v4"
rc=$?
[ $rc = 2 ] && grep -q "schema version 4 is older than $latest; run 'ccr collect' to migrate" "$T/err.v4" &&
	ok schema_readers_needed_refused || fail schema_readers_needed_refused "rc $rc: $(head -c 300 "$T/err.v4")"

# a collect migrates; the render after it has nothing to do (no full render for an index)
ccr -q collect ingest "$T/h/$(ls "$T/h" | head -1)" 2> "$T/err.i2"
touch "$T/marker"; sleep 1
ccr -q render --out "$S" 2> "$T/err.r1"
rc=$?
written=$(find "$S" -type f -newer "$T/marker" ! -path '*/.ccr/*' | head -5)
plan=$(db "EXPLAIN QUERY PLAN SELECT count(*), coalesce(max(pruned_at), 0) FROM blob WHERE pruned_at IS NOT NULL")
[ $rc = 0 ] && [ "$(db 'PRAGMA user_version')" = "$latest" ] && [ -z "$written" ] &&
	echo "$plan" | grep -q 'COVERING INDEX blob_pruned' &&
	ok schema_readers_collect_migrates || fail schema_readers_collect_migrates "rc $rc, wrote '$written', plan '$plan'"

# every page is the same read through the new indexes (and table): --full writes nothing
touch "$T/marker2"; sleep 1
ccr -q render --full --out "$S" 2> "$T/err.r2"
rc=$?
written=$(find "$S" -type f -newer "$T/marker2" ! -path '*/.ccr/*' | head -5)
[ $rc = 0 ] && [ -z "$written" ] && ok schema_readers_same_pages ||
	fail schema_readers_same_pages "rc $rc, rewrote: $written"

# the prune check answers the same through the index: a prune is still noticed
export CCR_NOW=2030-01-01T00:00:00Z
ccr -q prune --logs-older-than 1d 2> /dev/null
ccr -q render --out "$S" 2> /dev/null
grep -rlq 'Log pruned on 2030-01-01' "$S/runs" && ok schema_readers_prune_noticed ||
	fail schema_readers_prune_noticed "no log page says pruned"
