#!/bin/sh
# classify_demo.sh: the demo history (demo/run-demo.sh, with --rerun-isolated on its
# isolation nights) lands each scripted behaviour of demo/harness.c in the right
# classification state, read from the site's data/classification/ files and
# data/signatures.json. The sanitizer build plays the first 12 nights only.
. "$(dirname "$0")/lib.sh"
harness="$CCR_BUILD/harness"
[ -x "$harness" ] || { fail classify_demo_harness_built "'$harness' missing (make tools)"; exit 0; }

case $CCR_BUILD in */san) nights=12 ;; *) nights=$("$harness" --nights) ;; esac
if DEMO_OUT="$T/demo" DEMO_NIGHTS="$nights" CCR_BUILD="$CCR_BUILD" CCR_DEMO_SEED=1 \
	sh "$top/demo/run-demo.sh" > "$T/demo.out" 2> "$T/demo.err" && [ -f "$T/demo/site/data/classification.json" ]; then
	ok classify_demo_runs
else
	fail classify_demo_runs "$(head -c 300 "$T/demo.err")"
	exit 0
fi
C="$T/classall.json"
S="$T/demo/site/data/signatures.json"
check classify_demo_files python3 "$top/tests/e2e/classdata.py" "$T/demo/site" && cp "$T/last.out" "$C"

# st NAME EXPR: EXPR (python) over c, s and one(recipe, test-name, version)
st() {
	if r=$(python3 -c "
import json, sys
c = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
def one(recipe, name, version):
    m = [x for x in c if x['recipe'] == recipe and x['test'].endswith('::' + name) and x['version'] == version]
    return m[0] if len(m) == 1 else {'state': 'missing %d' % len(m)}
ok = ($2)
print('' if ok else 'false')
" "$C" "$S" 2>&1) && [ -z "$r" ]; then ok "$1"; else fail "$1" "$r"; fi
}

# mattermost-lts: deterministic at 2.1.9+10.11.15, also failing alone, a regression
st demo_mattermost_deterministic "one('mattermost-lts', 'test_restore_returns_state', '2.1.9+10.11.15')['state'] == 'deterministic'
 and one('mattermost-lts', 'test_restore_returns_state', '2.1.9+10.11.15')['isolated_failures'] >= 1
 and one('mattermost-lts', 'test_restore_returns_state', '2.1.9+10.11.15')['regression'] is True"
# mumble: the handshake is a load flake at its first tag already
st demo_mumble_load_flake "one('mumble', 'test_handshake_completes_with_channel_presence', '0.9.3+v1.5.735-1')['state'] == 'flaky'
 and one('mumble', 'test_handshake_completes_with_channel_presence', '0.9.3+v1.5.735-1')['load'] is True
 and one('mumble', 'test_handshake_completes_with_channel_presence', '0.9.3+v1.5.735-1')['isolated_passes'] >= 1"
# an isolation re-run happened without being asked for by name
got=$(sqlite3 "$T/demo/ccr.db" "SELECT count(*) FROM run WHERE trigger_kind = 'isolation' AND overlap = 0")
[ "$got" -ge 2 ] && ok demo_isolation_reruns || fail demo_isolation_reruns "$got isolation runs"
case $CCR_BUILD in */san) exit 0 ;; esac

st demo_mattermost_fixed "one('mattermost-lts', 'test_restore_returns_state', '2.1.10+10.11.16')['state'] == 'fixed'"
st demo_mumble_load_flake_latest "one('mumble', 'test_handshake_completes_with_channel_presence', '1.0.0+v1.6.870-0')['state'] == 'flaky'
 and one('mumble', 'test_handshake_completes_with_channel_presence', '1.0.0+v1.6.870-0')['load'] is True"
st demo_discourse_two_deterministic "[one('discourse', n, '0.8.1+3.5.0')['state'] for n in
 ('test_head_runs_official_image_not_bitnamilegacy', 'test_sidekiq_service_dropped_by_head')] == ['deterministic'] * 2"
# bluesky-pds: every run promote_failed, never a test failure
st demo_bluesky_not_test_failures "[x for x in c if x['recipe'] == 'bluesky-pds'] and
 all(x['state'] == 'passing' and x['failures'] == 0 for x in c if x['recipe'] == 'bluesky-pds')"
got=$(sqlite3 "$T/demo/ccr.db" "SELECT count(*), sum(status = 'promote_failed') FROM run WHERE recipe = 'bluesky-pds'")
set -- $(echo "$got" | tr '|' ' ')
[ "$1" -ge 2 ] && [ "$1" = "$2" ] && ok demo_bluesky_promote_failed_runs || fail demo_bluesky_promote_failed_runs "$got"
# gitea: green runs whose advance failed are not test failures either
st demo_gitea_not_test_failures "all(x['failures'] == 0 for x in c if x['recipe'] == 'gitea')"
# hedgedoc: the last night's new tag breaks one test: new, a regression
st demo_hedgedoc_new "one('hedgedoc', 'test_image_upload_roundtrip', '2.2.0+1.10.4')['state'] == 'new'
 and one('hedgedoc', 'test_image_upload_roundtrip', '2.2.0+1.10.4')['regression'] is True"
st demo_healthy_passing "all(x['state'] == 'passing' for x in c
 if x['recipe'] in ('nextcloud', 'wordpress', 'matrix-synapse', 'custom-html', 'immich', 'keycloak'))"
st demo_every_state "{x['state'] for x in c} == {'passing', 'new', 'deterministic', 'flaky', 'fixed'}"
# one signature per cause: the restore failure is one signature across its runs
st demo_signatures "[x['occurrences'] for x in s if 'ci_marker' in x['text']] ==
 [one('mattermost-lts', 'test_restore_returns_state', '2.1.9+10.11.15')['failures']]"
# the triage page lists the deterministic failures before the flaky ones
F="$T/demo/site/flakes.html"
d=$(grep -n 'id="deterministic"' "$F" | cut -d: -f1)
f=$(grep -n 'id="flaky"' "$F" | cut -d: -f1)
if [ -n "$d" ] && [ -n "$f" ] && [ "$d" -lt "$f" ] && grep -q 'test_sidekiq_service_dropped_by_head' "$F" &&
	grep -q 'load flake' "$F" && grep -q 'test_image_upload_roundtrip' "$F"; then
	ok demo_flakes_page
else
	fail demo_flakes_page "$F"
fi
