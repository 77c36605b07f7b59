#!/bin/sh
# ingest_tiercounts.sh: a tier's counts (tests, failures, errors, skipped, time_ms) are
# kept in C as its testcases are written (collect/ingest.c tier_count), not read back
# from the store: they must equal a recount of the stored testcases, through merges
# (one test in two files of a tier: the worse status and its time win), an unreadable
# file (+1 error), results.json tests for a tier without JUnit, and missing times.
# valgrind: yes
. "$(dirname "$0")/lib.sh"
db() { sqlite3 "$CCR_DB" "$1"; }

R="$T/20260618T001730Z-gitea"
mkdir -p "$R/junit"
case1() { # NAME STATUS-ELEMENT [TIME]
	printf '<testcase classname="t" name="%s"%s>%s</testcase>' "$1" "${3:+ time=\"$3\"}" "$2"
}
suite() { # FILE CASES...
	f=$1; shift
	{ printf '<?xml version="1.0"?><testsuites><testsuite name="pytest">'
	  for c in "$@"; do printf '%s' "$c"; done
	  printf '</testsuite></testsuites>\n'; } > "$f"
}
suite "$R/junit/install__s__a.xml" "$(case1 a '' 1.5)" "$(case1 b '<skipped/>' 0.25)" \
	"$(case1 c '<skipped type="pytest.xfail"/>')"
# a again, failed, later: the merge takes the failure and its time
suite "$R/junit/install__s__b.xml" "$(case1 a '<failure message="boom">x</failure>' 2)" \
	"$(case1 d '<error message="setup">y</error>')"
# b again, passed: passed ranks above skipped, so the merge takes it
suite "$R/junit/install__s__c.xml" "$(case1 b '' 0.5)"
suite "$R/junit/upgrade__s__x.xml" "$(case1 e '' 3)" "$(case1 f '<failure message="m">z</failure>' 1)"
printf '<testsuites><testsuite><testcase name="g"' > "$R/junit/upgrade__s__y.xml" # cut short
cat > "$R/results.json" << 'EOF'
{"recipe": "gitea", "version": "1.0.0+1", "stages": [
 {"name": "backup", "tests": [{"name": "t::h", "status": "passed", "ms": 700},
                              {"name": "t::i", "status": "failed"}]}]}
EOF
ccr -q collect ingest "$R" 2> "$T/err"
rc=$?
have=$(db "SELECT name, tests, failures, errors, skipped, coalesce(time_ms, 'null')
	FROM tier WHERE tests > 0 ORDER BY name")
want=$(db "SELECT tc.tier, count(*), sum(tc.status = 'failed'),
	sum(tc.status = 'error') + (SELECT count(*) FROM file f WHERE f.tier = tc.tier
	                            AND f.kind = 'junit' AND f.error IS NOT NULL),
	sum(tc.status IN ('skipped', 'xfail')), coalesce(sum(tc.time_ms), 'null')
	FROM testcase tc GROUP BY tc.tier ORDER BY tc.tier")
merged=$(db "SELECT status || ' ' || time_ms FROM testcase tc JOIN test t ON t.id = tc.test_id
	WHERE t.name = 'a'")
if [ $rc -eq 1 ] && [ -n "$have" ] && [ "$have" = "$want" ] && [ "$merged" = "failed 2000" ] &&
	[ "$(db "SELECT count(*) FROM tier")" -ge 3 ]; then
	ok tier_counts_equal_recount
else
	fail tier_counts_equal_recount "rc $rc; tier: $(echo $have); recount: $(echo $want); a: $merged"
fi
install=$(db "SELECT tests || ' ' || failures || ' ' || errors || ' ' || skipped || ' ' || time_ms
	FROM tier WHERE name = 'install'")
# a failed 2000 ms, b passed 500 ms (merged over its skip), c xfail, d error
[ "$install" = "4 1 1 1 2500" ] && ok tier_counts_install || fail tier_counts_install "got '$install'"
