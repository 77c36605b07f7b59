#!/bin/sh
# classification through the binary: run folders shaped like the journal's failures,
# ingested in several collects, then the site: data/classification/ (and .json),
# data/signatures.json, signatures/<id>.html, flakes.html, badges on run pages
# valgrind: yes
. "$(dirname "$0")/lib.sh"

# junit FILE TEST STATUS [MESSAGE]: a one-test pytest (xunit2) file
junit() {
	if [ "$3" = failed ]; then
		body="<failure message=\"$4\">Traceback\nE   $4</failure>"
	else
		body=""
	fi
	printf '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="1">
<testcase classname="tests.t" name="%s" time="1.5">%s</testcase></testsuite></testsuites>\n' \
		"$2" "$body" > "$1"
}

# mkrun DIR RECIPE VERSION TRIGGER START END TIER TEST STATUS [MESSAGE [EXTRA-JSON]]
mkrun() {
	mkdir -p "$1/junit" "$1/logs"
	junit "$1/junit/$7__cc-ci__test_$7.xml" "$8" "$9" "${10:-}"
	echo "log of $2" > "$1/logs/harness.log"
	code=0
	[ "$9" = failed ] && code=1
	printf '{"recipe": "%s", "version": "%s", "host": "cc-ci", "trigger": "%s",
 "harness_ref": "9c4d2e7a", "started": "%s", "finished": "%s", "exit_code": %s%s}\n' \
		"$2" "$3" "$4" "$5" "$6" "$code" "${11:-}" > "$1/run.json"
}

R=$T/runs
MSG='relation &quot;ci_marker&quot; does not exist'
# night 1: a sweep of 4 recipes on one host, all overlapping (00:15 - 00:40)
mkrun "$R/n1-m" mattermost-lts 2.1.9+10.11.15 sweep 2026-06-16T00:15:00Z 2026-06-16T00:40:00Z restore test_restore_returns_state failed "$MSG"
mkrun "$R/n1-mu" mumble 1.0.0+v1.6.870-0 sweep 2026-06-16T00:16:00Z 2026-06-16T00:41:00Z custom test_handshake failed "handshake timed out after 60.0s"
mkrun "$R/n1-b" bluesky-pds 0.3.0+v0.4.219 sweep 2026-06-16T00:17:00Z 2026-06-16T00:42:00Z install test_install passed "" \
	', "promote": {"outcome": "failed", "version": "0.3.0+v0.4.219", "at": "2026-06-16T00:45:00Z", "reason": "not healthy over HTTPS (last status 0)"}'
mkrun "$R/n1-c" caddy 2.0.0 sweep 2026-06-16T00:18:00Z 2026-06-16T00:43:00Z custom test_tls failed "dial tcp 10.10.0.4:3000: connect: connection refused"
check ingest_night1 ccr -q collect ingest "$R/n1-m" "$R/n1-mu" "$R/n1-b" "$R/n1-c"
# isolation re-runs, one after another
mkrun "$R/i1-m" mattermost-lts 2.1.9+10.11.15 isolation 2026-06-16T06:00:00Z 2026-06-16T06:20:00Z restore test_restore_returns_state failed "$MSG"
mkrun "$R/i1-mu" mumble 1.0.0+v1.6.870-0 isolation 2026-06-16T06:30:00Z 2026-06-16T06:50:00Z custom test_handshake passed
mkrun "$R/i2-mu" mumble 1.0.0+v1.6.870-0 isolation 2026-06-16T07:00:00Z 2026-06-16T07:20:00Z custom test_handshake passed
check ingest_isolation ccr -q collect ingest "$R/i1-m" "$R/i1-mu" "$R/i2-mu"
# night 2: mattermost fails again at the same tag; caddy with another address
mkrun "$R/n2-m" mattermost-lts 2.1.9+10.11.15 sweep 2026-06-17T00:15:00Z 2026-06-17T00:40:00Z restore test_restore_returns_state failed "$MSG"
mkrun "$R/n2-c" caddy 2.0.0 sweep 2026-06-17T00:16:00Z 2026-06-17T00:41:00Z custom test_tls failed "dial tcp 10.10.0.12:3000: connect: connection refused"
check ingest_night2 ccr -q collect ingest "$R/n2-m" "$R/n2-c"
# night 3: the next tag fixes mattermost
mkrun "$R/n3-m" mattermost-lts 2.1.10+10.11.16 sweep 2026-06-18T00:15:00Z 2026-06-18T00:40:00Z restore test_restore_returns_state passed
check ingest_night3 ccr -q collect ingest "$R/n3-m"

check render ccr -q render --out "$T/site"
# the whole history: every data/classification/<recipe>/<version>.json the index lists
check classification_files python3 "$top/tests/e2e/classdata.py" "$T/site" && cp "$T/last.out" "$T/classall.json"
C="$T/classall.json"
S="$T/site/data/signatures.json"

# pycheck NAME EXPR: EXPR over c (the whole classification) and s (signatures.json)
pycheck() {
	if r=$(python3 -c "
import json, sys
c = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
def one(recipe, test, version):
    m = [x for x in c if x['recipe'] == recipe and x['test'] == test and x['version'] == version]
    return m[0] if len(m) == 1 else {'missing': (recipe, test, version, len(m))}
ok = ($2)
print('' if ok else 'false')
" "$C" "$S" 2>&1) && [ -z "$r" ]; then ok "$1"; else fail "$1" "$r"; fi
}

pycheck json_fields "all(set(x) >= {'recipe', 'tier', 'test', 'version', 'harness_ref', 'state', 'load',
 'passes', 'failures', 'isolated_passes', 'isolated_failures', 'runs', 'signature'} for x in c)
 and all(x['harness_ref'] == '9c4d2e7a' for x in c)"
pycheck mattermost_deterministic "one('mattermost-lts', 'tests.t::test_restore_returns_state', '2.1.9+10.11.15')['state'] == 'deterministic'
 and one('mattermost-lts', 'tests.t::test_restore_returns_state', '2.1.9+10.11.15')['failures'] == 3
 and one('mattermost-lts', 'tests.t::test_restore_returns_state', '2.1.9+10.11.15')['isolated_failures'] == 1
 and one('mattermost-lts', 'tests.t::test_restore_returns_state', '2.1.9+10.11.15')['evidence'].startswith(
   'deterministic: 3 of 3 runs at 2.1.9+10.11.15 failed, 1 of them in isolation')"
pycheck mattermost_fixed "one('mattermost-lts', 'tests.t::test_restore_returns_state', '2.1.10+10.11.16')['state'] == 'fixed'"
pycheck mumble_load_flake "one('mumble', 'tests.t::test_handshake', '1.0.0+v1.6.870-0')['state'] == 'flaky'
 and one('mumble', 'tests.t::test_handshake', '1.0.0+v1.6.870-0')['load'] is True
 and one('mumble', 'tests.t::test_handshake', '1.0.0+v1.6.870-0')['isolated_passes'] == 2
 and one('mumble', 'tests.t::test_handshake', '1.0.0+v1.6.870-0')['evidence'].startswith(
   'load flake: failed 1 of 3, only with 3 runs overlapping; passed 2 of 2 alone')"
pycheck bluesky_promote_failed_not_a_test_failure "one('bluesky-pds', 'tests.t::test_install', '0.3.0+v0.4.219')['state'] == 'passing'
 and one('bluesky-pds', 'tests.t::test_install', '0.3.0+v0.4.219')['failures'] == 0"
pycheck caddy_one_signature "one('caddy', 'tests.t::test_tls', '2.0.0')['state'] == 'deterministic'
 and [x['occurrences'] for x in s if x['text'] == 'dial tcp <ip>:<n>: connect: connection refused'] == [2]
 and one('caddy', 'tests.t::test_tls', '2.0.0')['signature'] in [x['id'] for x in s]"
# data/classification.json lists the state now: each recipe's rows at its newest run's
# version (classdata.py --now gathers them as a script would)
if r=$(python3 "$top/tests/e2e/classdata.py" --now "$T/site" > "$T/now.json" && python3 -c "
import json, sys
now = json.load(open(sys.argv[1]))
got = sorted((x['recipe'], x['version']) for x in now)
want = sorted({('mattermost-lts', '2.1.10+10.11.16'), ('mumble', '1.0.0+v1.6.870-0'),
  ('caddy', '2.0.0'), ('bluesky-pds', '0.3.0+v0.4.219')})
print('' if sorted(set(got)) == want and len(got) == len({(x['recipe'], x['tier'], x['test']) for x in now})
      else got)" "$T/now.json" 2>&1) && [ -z "$r" ]; then
	ok classification_now
else
	fail classification_now "$r"
fi
pycheck signatures_distinct "len(s) == 3 and len({x['id'] for x in s}) == 3"

sig=$(python3 -c "
import json, sys
print([x['id'] for x in json.load(open(sys.argv[1])) if x['text'].startswith('dial tcp')][0])" "$S")
P="$T/site/signatures/$sig.html"
if [ -f "$P" ] && grep -q '20260616T001800Z-caddy' "$P" && grep -q '20260617T001600Z-caddy' "$P" &&
	grep -q 'dial tcp &lt;ip&gt;:&lt;n&gt;: connect: connection refused' "$P"; then
	ok signature_page_lists_occurrences
else
	fail signature_page_lists_occurrences "$P"
fi
F="$T/site/flakes.html"
# deterministic (mattermost is fixed now: not listed; caddy is), then flaky (mumble)
if grep -q 'caddy' "$F" && grep -q 'load flake' "$F" && ! grep -q 'mattermost-lts &#8250;\|mattermost-lts › restore' "$F" &&
	[ "$(grep -n 'id="deterministic"' "$F" | cut -d: -f1)" -lt "$(grep -n 'id="flaky"' "$F" | cut -d: -f1)" ]; then
	ok flakes_page_sections
else
	fail flakes_page_sections "$(grep -c . "$F") lines"
fi
RUNP="$T/site/runs/20260617T001500Z-mattermost-lts/index.html"
# the run page shows the state word, linking to the test page that holds the evidence
TESTP=$(grep -o 'class="cl cl-deterministic" href="../../recipes/mattermost-lts/tests/[^"#]*#tags"' "$RUNP" |
	head -1 | sed 's|.*href="../../||; s|#tags"$||')
if [ -n "$TESTP" ] && grep -q 'deterministic: 3 of 3 runs at 2.1.9+10.11.15 failed, 1 of them in isolation' "$T/site/$TESTP" &&
	! grep -q 'of 3 runs at' "$RUNP" && grep -q "signatures/" "$RUNP"; then
	ok run_page_badge_and_signature
else
	fail run_page_badge_and_signature "$RUNP"
fi
# a second render with nothing new writes nothing; collect with nothing new derives nothing
check ingest_again_unchanged ccr -q collect ingest "$R/n3-m"
before=$(sqlite3 "$CCR_DB" "SELECT group_concat(state || evidence, '|') FROM classification")
ccr -q collect ingest "$R/n1-m" > /dev/null 2>&1
after=$(sqlite3 "$CCR_DB" "SELECT group_concat(state || evidence, '|') FROM classification")
if [ "$before" = "$after" ]; then ok derive_idempotent; else fail derive_idempotent "changed"; fi
# --rerun-isolated belongs to a sweep, and takes a count
ccr collect sweep --harness true --recipes a --trigger isolation --rerun-isolated 2 > /dev/null 2>&1
rc=$?
ccr collect sweep --harness true --recipes a --rerun-isolated lots > /dev/null 2>&1
rc2=$?
[ $rc = 2 ] && [ $rc2 = 2 ] && ok rerun_isolated_usage || fail rerun_isolated_usage "exit $rc, $rc2"
