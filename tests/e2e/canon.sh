#!/bin/sh
# collect canon: the command, its exit statuses and what it stores
# valgrind: yes
. "$(dirname "$0")/lib.sh"

w="$T/warm"
mkdir -p "$w/gitea" "$w/keycloak"
printf '{"recipe": "gitea", "version": "3.5.3", "commit": "2b82eba", "status": "idle", "ts": "20260617T050314Z"}' > "$w/gitea/canonical.json"
CCR_NOW=2026-06-17T20:00:00Z ccr collect canon "$w" > "$T/out" 2> "$T/err"
rc=$?
n=$(sqlite3 "$CCR_DB" "SELECT kind || ' ' || version || ' ' || at FROM canon_event")
want="enrolled 3.5.3 $(date -u -d 2026-06-17T05:03:14Z +%s)"
if [ $rc -eq 0 ] && [ "$n" = "$want" ] && [ ! -s "$T/err" ]; then ok canon_first_collect; else fail canon_first_collect "rc=$rc events='$n' want '$want' err=$(head -c 200 "$T/err")"; fi

CCR_NOW=2026-06-17T21:00:00Z ccr collect canon "$w" 2> "$T/err"
rc=$?
n=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM canon_event")/$(sqlite3 "$CCR_DB" "SELECT count(*) FROM canon_record")
if [ $rc -eq 0 ] && [ "$n" = 1/1 ]; then ok canon_recollect_adds_nothing; else fail canon_recollect_adds_nothing "rc=$rc counts=$n"; fi

echo '[1, 2' > "$w/keycloak/canonical.json"
CCR_NOW=2026-06-18T00:00:00Z ccr collect canon "$w" 2> "$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "^ccr: '.*keycloak/canonical.json': not valid JSON$" "$T/err"; then ok canon_bad_record_rejected; else fail canon_bad_record_rejected "rc=$rc err=$(head -c 200 "$T/err")"; fi

echo '["keycloak"]' > "$w/keycloak/canonical.json"
CCR_NOW=2026-06-18T00:00:00Z ccr collect canon "$w" 2> "$T/err"
rc=$?
if [ $rc -eq 1 ] && grep -q "keycloak/canonical.json': not a JSON object$" "$T/err"; then ok canon_array_rejected; else fail canon_array_rejected "rc=$rc err=$(head -c 200 "$T/err")"; fi

rm -r "$w/gitea"; rm "$w/keycloak/canonical.json"
CCR_NOW=2026-06-19T00:00:00Z ccr collect canon "$w" 2> "$T/err"
rc=$?
n=$(sqlite3 "$CCR_DB" "SELECT kind || ' ' || prev_version FROM canon_event ORDER BY at DESC LIMIT 1")
if [ $rc -eq 0 ] && [ "$n" = "removed 3.5.3" ]; then ok canon_removal; else fail canon_removal "rc=$rc last='$n'"; fi

ccr collect canon "$T/nonexistent" 2> "$T/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "nonexistent" "$T/err"; then ok canon_missing_dir; else fail canon_missing_dir "rc=$rc"; fi
ccr collect canon 2> "$T/err"
[ $? -eq 2 ] && ok canon_usage || fail canon_usage "no DIR must be a usage error"
