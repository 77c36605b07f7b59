#!/bin/sh
# collect ingest, runs, show: run folders in, JSON out; bad files, idempotence,
# conflicts, expected-NA, crashes, results.json, hostile names, byte-exact logs
# valgrind: yes
. "$(dirname "$0")/lib.sh"

FX="$top/tests/fixtures/ingest"
TIERS="install upgrade backup restore custom"

# mkrun DIR RECIPE STARTED [JSON-FIELDS]: a run folder with run.json, every
# tier's pytest JUnit and a harness log
mkrun() {
	mkdir -p "$1/junit" "$1/logs"
	for t in $TIERS; do cp "$FX/${t}__cc-ci__test_$t.xml" "$1/junit/"; done
	printf 'deploying %s\nok\n' "$2" > "$1/logs/harness.log"
	printf '{"recipe": "%s", "version": "1.0.0+2.0", "host": "node1", "trigger": "sweep",
 "started": "%s", "exit_code": 1%s}\n' "$2" "$3" "${4:-}" > "$1/run.json"
}

# jcheck NAME PYTHON-EXPR CMD...: ok when EXPR is true of the JSON CMD prints (as d)
jcheck() {
	name=$1 expr=$2; shift 2
	if ! "$@" > "$T/j.out" 2> "$T/j.err"; then
		fail "$name" "exit $?: $(head -c 300 "$T/j.err")"
		return
	fi
	if r=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
ok = ($expr)
print('' if ok else 'false: ' + repr(d)[:400])
" "$T/j.out" 2>&1) && [ -z "$r" ]; then ok "$name"; else fail "$name" "$r"; fi
}

db() { sqlite3 "$CCR_DB" "$@"; }

# ---- a complete run
mkrun "$T/r1" mumble 2026-06-18T00:17:30Z ', "finished": "2026-06-18T00:40:00Z"'
ccr collect ingest "$T/r1" > "$T/out" 2> "$T/err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then ok ingest_quiet_success; else fail ingest_quiet_success "rc=$rc $(head -c 300 "$T/err")"; fi
ID=20260618T001730Z-mumble
jcheck runs_json_contract "len(d) == 1 and d[0]['id'] == '$ID' and d[0]['recipe'] == 'mumble'
 and d[0]['version'] == '1.0.0+2.0' and d[0]['trigger'] == 'sweep'
 and d[0]['started'] == '2026-06-18T00:17:30Z' and d[0]['status'] == 'failed'
 and list(d[0]['tiers']) == ['install', 'upgrade', 'backup', 'restore', 'custom']
 and d[0]['tiers']['upgrade'] == dict(d[0]['tiers']['upgrade'], tests=2, failures=1, errors=0, skipped=0, status='failed')
 and d[0]['tiers']['custom'] == dict(d[0]['tiers']['custom'], tests=3, failures=0, skipped=2, status='passed')
 and d[0]['tiers']['install']['status'] == 'passed'" ccr runs --json
jcheck show_json_testcases "d['id'] == '$ID' and len(d['testcases']) == 10
 and [t['tier'] for t in d['testcases']][:3] == ['install', 'install', 'upgrade']
 and any(t['name'] == 'test_restore_returns_state' and t['status'] == 'failed'
         and 'ci_marker' in t['message'] and t['classname'] == 'tests.test_restore' for t in d['testcases'])
 and any(t['status'] == 'xfail' for t in d['testcases'])
 and all(set(t) >= {'tier', 'classname', 'name', 'status', 'time', 'message'} for t in d['testcases'])
 and len(d['files']) == 7 and d['sweep'] == '20260618-node1'" ccr show "$ID" --json
ccr show "$ID" > "$T/show.txt" 2>&1
if grep -q 'relation "ci_marker" does not exist' "$T/show.txt" && grep -q '^  restore  *failed' "$T/show.txt"; then ok show_text; else fail show_text "$(head -c 300 "$T/show.txt")"; fi
ccr runs > "$T/runs.txt" 2>&1
if grep -q "^$ID  *failed .*upgrade=failed(1/2)" "$T/runs.txt"; then ok runs_text; else fail runs_text "$(cat "$T/runs.txt")"; fi

# ---- idempotence: the same folder again writes nothing and says so
db 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
before=$(sha256sum "$CCR_DB" | cut -c1-64)
ccr collect ingest "$T/r1" 2> "$T/err"
rc=$?
after=$(sha256sum "$CCR_DB" | cut -c1-64)
wal=$(stat -c %s "$CCR_DB-wal" 2>/dev/null || echo 0)
if [ $rc -eq 0 ] && [ "$before" = "$after" ] && [ "$wal" = 0 ] &&
	grep -q "^ccr: '.*/r1': already archived as $ID\$" "$T/err"; then ok reingest_is_noop; else fail reingest_is_noop "rc=$rc wal=$wal $(cat "$T/err")"; fi
ccr -q collect ingest "$T/r1" 2> "$T/err"
[ $? -eq 0 ] && [ ! -s "$T/err" ] && ok reingest_quiet || fail reingest_quiet "$(cat "$T/err")"

# ---- conflict: same id, other content: kept, exit 1
cp -r "$T/r1" "$T/r1b"
printf 'another log\n' > "$T/r1b/logs/harness.log"
n0=$(db 'SELECT count(*) FROM blob')
ccr collect ingest "$T/r1b" 2> "$T/err"
rc=$?
n1=$(db 'SELECT count(*) FROM blob')
if [ $rc -eq 1 ] && [ "$n0" = "$n1" ] && grep -q "run $ID is archived already with other content; kept the archived one" "$T/err"; then ok conflict_keeps_archived; else fail conflict_keeps_archived "rc=$rc blobs $n0 -> $n1 $(cat "$T/err")"; fi

# ---- expected-NA, and a crash with no JUnit after install
mkrun "$T/na" bluesky-pds 2026-06-18T00:45:00Z ', "exit_code": 0, "tiers": {"upgrade": {"status": "expected_na", "reason": "moving pds:0.4 tag"}}'
sed -i 's/"exit_code": 1, "exit_code": 0/"exit_code": 0/' "$T/na/run.json"
rm "$T/na/junit/upgrade__cc-ci__test_upgrade.xml"
mkdir -p "$T/crash/junit" "$T/crash/logs"
cp "$FX/install__cc-ci__test_install.xml" "$T/crash/junit/"
printf 'Traceback (most recent call last):\nKilled\n' > "$T/crash/logs/harness.log"
printf '{"recipe": "gitea", "started": "2026-06-18T01:00:00Z", "exit_code": 137, "tiers": {"upgrade": "expected-NA"}}' > "$T/crash/run.json"
ccr collect ingest "$T/na" "$T/crash" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && ok ingest_two_runs || fail ingest_two_runs "rc=$rc $(cat "$T/err")"
jcheck expected_na_tier "d['tiers']['upgrade'] == dict(d['tiers']['upgrade'], status='expected_na', reason='moving pds:0.4 tag', tests=0)
 and d['status'] == 'failed'" ccr show 20260618T004500Z-bluesky-pds --json
jcheck crash_tiers "[(k, v['status']) for k, v in d['tiers'].items()] == [('install', 'passed'), ('upgrade', 'expected_na'), ('backup', 'error'), ('restore', 'not_run'), ('custom', 'not_run')]
 and d['tiers']['backup']['reason'] == 'no JUnit: harness exited 137 (see logs/harness.log)'
 and d['status'] == 'error' and d['exit_code'] == 137" ccr show 20260618T010000Z-gitea --json

# ---- green tiers, failed promote: its own state; the run.json fields all come through
P="$T/promote"
mkdir -p "$P/junit"
cp "$FX/install__cc-ci__test_install.xml" "$FX/backup__cc-ci__test_backup.xml" "$FX/custom__cc-ci__test_custom.xml" "$P/junit/"
cat > "$P/run.json" <<'EOF'
{"recipe": "bluesky-pds", "version": "0.3.0+v0.4.219", "ref": "9f1c2d3", "harness_ref": "h77",
 "host": "node1", "mode": "warm", "trigger": "sweep", "sweep": "nightly-42", "external_id": "x1",
 "started": "2026-06-18T01:30:00Z", "finished": "2026-06-18T01:40:00Z", "exit_code": 1,
 "tiers": {"upgrade": "expected_na", "restore": "skip"},
 "promote": {"outcome": "failed", "version": "0.3.0+v0.4.219", "at": "2026-06-18T01:41:00Z",
             "reason": "warm-bluesky-pds: not healthy over HTTPS (last status 0)"}}
EOF
ccr collect ingest "$P" 2> "$T/err"
jcheck promote_failed_state "d['status'] == 'promote_failed' and d['mode'] == 'warm' and d['sweep'] == 'nightly-42'
 and d['harness_ref'] == 'h77' and d['ref'] == '9f1c2d3' and d['external_id'] == 'x1' and d['exit_code'] == 1
 and d['promote'] == {'outcome': 'failed', 'version': '0.3.0+v0.4.219', 'at': '2026-06-18T01:41:00Z',
                      'reason': 'warm-bluesky-pds: not healthy over HTTPS (last status 0)'}
 and [(k, v['status']) for k, v in d['tiers'].items()] == [('install', 'passed'), ('upgrade', 'expected_na'), ('backup', 'passed'), ('restore', 'skipped'), ('custom', 'passed')]" ccr show 20260618T013000Z-bluesky-pds --json

# ---- bad files: each rejected alone, named, archived raw; the rest goes in
B="$T/bad"
mkrun "$B" keycloak 2026-06-18T02:00:00Z
: > "$B/junit/backup__cc-ci__empty.xml"
head -c 200 "$FX/upgrade__cc-ci__test_upgrade.xml" > "$B/junit/upgrade__cc-ci__truncated.xml"
printf '<?xml version="1.0" encoding="utf-8"?><testsuite name="x"><testcase classname="a" name="b\377\376"/></testsuite>' > "$B/junit/restore__cc-ci__latin.xml"
printf 'Traceback: this is not XML at all\n' > "$B/junit/custom__cc-ci__text.xml"
printf '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n' > "$B/junit/custom__cc-ci__html.xml"
mkrun "$T/good" discourse 2026-06-18T02:10:00Z
ccr collect ingest "$B" "$T/good" 2> "$T/err"
rc=$?
nerr=$(grep -c "^ccr: '$B/junit/.*': " "$T/err")
if [ $rc -eq 1 ] && [ "$nerr" = 5 ]; then ok bad_files_exit_1_each_named; else fail bad_files_exit_1_each_named "rc=$rc named=$nerr $(cat "$T/err")"; fi
for f in backup__cc-ci__empty upgrade__cc-ci__truncated restore__cc-ci__latin custom__cc-ci__text custom__cc-ci__html; do
	grep -q "^ccr: '$B/junit/$f.xml': ." "$T/err" || fail "bad_file_named_$f" "$(cat "$T/err")"
done
n=$(db "SELECT count(*) FROM file f JOIN blob b ON b.hash = f.hash WHERE f.run_id = '20260618T020000Z-keycloak' AND f.error IS NOT NULL")
[ "$n" = 5 ] && ok bad_files_archived_raw || fail bad_files_archived_raw "rows with error and blob: $n"
jcheck bad_files_tiers_error "all(d['tiers'][t]['status'] == 'error' for t in ('backup', 'upgrade', 'restore', 'custom'))
 and d['tiers']['custom']['errors'] == 2 and 'custom__cc-ci__html.xml' in d['tiers']['custom']['reason']
 and d['tiers']['install']['status'] == 'passed' and d['tiers']['upgrade']['tests'] == 2
 and d['status'] == 'error'" ccr show 20260618T020000Z-keycloak --json
jcheck good_run_beside_bad "d['status'] == 'failed' and len(d['testcases']) == 10" ccr show 20260618T021000Z-discourse --json
ccr collect ingest "$B" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && grep -q "already archived" "$T/err" && ok bad_run_reingest_noop || fail bad_run_reingest_noop "rc=$rc $(cat "$T/err")"

# ---- a file over its size cap is refused unread
mkrun "$T/big" immich 2026-06-18T02:20:00Z
truncate -s 65M "$T/big/junit/custom__cc-ci__huge.xml"
ccr collect ingest "$T/big" 2> "$T/err"
rc=$?
n=$(db "SELECT count(*) FROM file WHERE run_id = '20260618T022000Z-immich' AND hash IS NULL AND error LIKE '%over the limit%'")
if [ $rc -eq 1 ] && [ "$n" = 1 ] && grep -q "custom__cc-ci__huge.xml': .*over the limit" "$T/err"; then ok oversize_rejected_alone; else fail oversize_rejected_alone "rc=$rc n=$n $(cat "$T/err")"; fi

# ---- logs keep their bytes: ANSI colours, invalid UTF-8, NUL, no final newline
L="$T/logs"
mkrun "$L" mattermost-lts 2026-06-18T03:00:00Z
printf 'plain\n\033[31mred\033[0m \377\376 bad utf-8 \300\257\000nul\r\nlast line' > "$L/logs/harness.log"
mkdir -p "$L/logs/sub dir"
printf 'nested\n' > "$L/logs/sub dir/deploy.log"
ccr collect ingest "$L" 2> "$T/err"
hex=$(db "SELECT hex(b.data) FROM blob b JOIN file f ON f.hash = b.hash WHERE f.run_id = '20260618T030000Z-mattermost-lts' AND f.name = 'logs/harness.log'")
if python3 -c "
import sys, zlib
raw = zlib.decompress(bytes.fromhex(sys.argv[1]))
sys.exit(0 if raw == open(sys.argv[2], 'rb').read() else 1)" "$hex" "$L/logs/harness.log"; then ok log_bytes_exact; else fail log_bytes_exact "blob differs"; fi
n=$(db "SELECT group_concat(name || ':' || lines, ' ') FROM file WHERE run_id = '20260618T030000Z-mattermost-lts' AND kind = 'log'")
[ "$n" = "logs/harness.log:3 logs/sub dir/deploy.log:1" ] && ok log_rows_lines || fail log_rows_lines "$n"

# ---- results.json only (cc-ci's harness)
R="$T/res"
mkdir -p "$R"
cat > "$R/results.json" <<'EOF'
{"recipe": "custom-html", "version": "1.13.0+1.31.1", "pr": 901, "ref": "2b82eba",
 "run_id": "cc-ci-4711", "started": "2026-06-18T04:00:00Z", "finished": "2026-06-18T04:12:00Z",
 "level": 3, "level_cap_reason": "upgrade not applicable", "rungs": {"L2": "skip"},
 "expected_na": {"upgrade": "tracks a moving image tag"},
 "stages": [
  {"name": "install", "status": "pass", "tests": [
    {"name": "tests/install/test_install.py::test_deploy_succeeds", "status": "passed", "ms": 1520},
    {"name": "tests/install/test_install.py::TestHttp::test_https_answers", "status": "passed", "ms": 80}]},
  {"name": "upgrade", "status": "skip", "tests": []},
  {"name": "backup", "status": "fail", "tests": [
    {"name": "tests/backup/test_backup.py::test_backup_creates_snapshot", "status": "failed", "ms": 3000,
     "message": "snapshot missing"}]},
  {"name": "restore", "status": "skip"}
 ]}
EOF
ccr collect ingest "$R" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && ok results_json_only_ingests || fail results_json_only_ingests "rc=$rc $(cat "$T/err")"
jcheck results_json_fields "d['id'] == '20260618T040000Z-custom-html' and d['external_id'] == '#901' and d['trigger'] == 'testme'
 and d['finished'] == '2026-06-18T04:12:00Z'
 and [(k, v['status']) for k, v in d['tiers'].items()] == [('install', 'passed'), ('upgrade', 'expected_na'), ('backup', 'failed'), ('restore', 'skipped')]
 and d['tiers']['upgrade']['reason'] == 'tracks a moving image tag'
 and [(t['classname'], t['name'], t['time']) for t in d['testcases']][:2] == [('tests.install.test_install', 'test_deploy_succeeds', 1.52), ('tests.install.test_install.TestHttp', 'test_https_answers', 0.08)]
 and d['testcases'][2]['message'] == 'snapshot missing' and d['ref'] == '2b82eba'" ccr show 20260618T040000Z-custom-html --json

# ---- bare JUnit files with flags
ccr collect ingest "$FX/install__cc-ci__test_install.xml" "$FX/restore__cc-ci__test_restore.xml" \
	--recipe gitea --version 3.5.3 --started 2026-06-18T05:00:00Z --trigger isolation 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && ok bare_files_ingest || fail bare_files_ingest "rc=$rc $(cat "$T/err")"
jcheck bare_files_run "d['trigger'] == 'isolation' and d['version'] == '3.5.3' and list(d['tiers']) == ['install', 'restore']
 and [f['name'] for f in d['files']] == ['junit/install__cc-ci__test_install.xml', 'junit/restore__cc-ci__test_restore.xml']" ccr show 20260618T050000Z-gitea --json

# ---- hostile names: quotes, spaces, newline, <script>, a non-UTF-8 byte
H="$T/it's a <script>
x$(printf '\377') run"
mkrun "$H" "ignored" 2026-06-18T06:00:00Z
printf '{"started": "2026-06-18T06:00:00Z", "host": "node2"}' > "$H/run.json"
: > "$H/junit/custom__cc-ci__\"quoted\" name.xml"
ccr collect ingest "$H" 2> "$T/err"
rc=$?
lines=$(wc -l < "$T/err")
id=$(db "SELECT id FROM run WHERE started = strftime('%s', '2026-06-18T06:00:00')")
if [ $rc -eq 1 ] && [ "$lines" = 1 ] && grep -q "it\\\\'s a <script>\\\\nx\\\\xff run/junit/custom__cc-ci__\"quoted\" name.xml': empty" "$T/err" &&
	printf '%s' "$id" | grep -Eq '^20260618T060000Z-[a-z0-9._-]+$'; then ok hostile_folder_name; else fail hostile_folder_name "rc=$rc id=$id $(cat "$T/err")"; fi
jcheck hostile_recipe_utf8 "d[0]['recipe'] == 'it\\'s a <script>\\nx\\ufffd run' and d[0]['id'] == '$id'" ccr runs --json --recipe "$(db "SELECT recipe FROM run WHERE id = '$id'")"
ccr collect ingest "$T/no such folder" 2> "$T/err"
[ $? -eq 1 ] && grep -q "no such folder': No such file" "$T/err" && ok missing_path_rejected || fail missing_path_rejected "$(cat "$T/err")"

# ---- overlap, from runs ingested out of order; sweeps grouped by host and day
mkov() { # DIR RECIPE HOST START END
	mkdir -p "$1/junit"
	cp "$FX/install__cc-ci__test_install.xml" "$1/junit/"
	printf '{"recipe": "%s", "host": "%s", "trigger": "sweep", "started": "%s", "finished": "%s", "exit_code": 0}' "$2" "$3" "$4" "$5" > "$1/run.json"
}
mkov "$T/ov/a" ova h9 2026-07-01T10:00:00Z 2026-07-01T10:30:00Z
mkov "$T/ov/b" ovb h9 2026-07-01T10:20:00Z 2026-07-01T10:50:00Z
mkov "$T/ov/c" ovc h9 2026-07-01T10:50:00Z 2026-07-01T11:00:00Z
mkov "$T/ov/d" ovd h8 2026-07-01T10:00:00Z 2026-07-01T11:00:00Z
mkov "$T/ov/e" ove h9 2026-07-01T10:25:00Z 2026-07-01T10:26:00Z
ccr collect ingest "$T/ov/e" "$T/ov/c" "$T/ov/d" "$T/ov/b" "$T/ov/a" 2> "$T/err"
n=$(db "SELECT group_concat(recipe || '=' || overlap, ' ') FROM (SELECT * FROM run WHERE recipe LIKE 'ov_' ORDER BY recipe)")
[ "$n" = "ova=2 ovb=2 ovc=0 ovd=0 ove=2" ] && ok overlap_out_of_order || fail overlap_out_of_order "$n"
n=$(db "SELECT id || ' ' || host || ' ' || datetime(started, 'unixepoch') || ' ' || datetime(finished, 'unixepoch') FROM sweep WHERE id = '20260701-h9'")
[ "$n" = "20260701-h9 h9 2026-07-01 10:00:00 2026-07-01 11:00:00" ] && ok sweep_grouped || fail sweep_grouped "$n"

# ---- runs --recipe / --limit, order newest first; show of an unknown id
jcheck runs_order_limit "[r['id'] for r in d] == ['20260701T105000Z-ovc', '20260701T102500Z-ove']" ccr runs --json --limit 2
jcheck runs_recipe_filter "[r['id'] for r in d] == ['$ID']" ccr runs --recipe mumble --json
ccr show 20990101T000000Z-nothing > "$T/out" 2> "$T/err"
[ $? -eq 2 ] && grep -q "^ccr: '20990101T000000Z-nothing': no such run\$" "$T/err" && ok show_unknown_exit_2 || fail show_unknown_exit_2 "$(cat "$T/err")"
ccr collect ingest 2> /dev/null; [ $? -eq 2 ] && ok ingest_usage || fail ingest_usage "no path must be exit 2"
ccr collect ingest "$T/r1" --trigger nightly 2> /dev/null; [ $? -eq 2 ] && ok ingest_bad_trigger || fail ingest_bad_trigger "exit 2 expected"
ccr runs --limit x 2> /dev/null; [ $? -eq 2 ] && ok runs_usage || fail runs_usage "exit 2 expected"
CCR_DB="$T/none.db" ccr runs 2> "$T/err"; [ $? -eq 2 ] && ok runs_no_store || fail runs_no_store "$(cat "$T/err")"

# ---- the store stays sound
n=$(db 'PRAGMA integrity_check; PRAGMA foreign_key_check;')
[ "$n" = ok ] && ok store_integrity || fail store_integrity "$n"
