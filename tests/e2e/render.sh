#!/bin/sh
# render.sh: `ccr render` end to end on stores built with SQL (tests/fixtures/render_store.sh):
# the contract URLs exist, hostile names are escaped, every internal link
# resolves, a no-op render writes nothing, an incremental render writes only
# what changed, a killed render keeps the old site, two renders do not interleave.
. "$(dirname "$0")/lib.sh"
. "$top/tests/fixtures/render_store.sh"
cd "$T"
fx_base "$T/ccr.db"
S="$T/site"

check render_runs ccr render --out "$S"

missing=""
for f in index.html flakes.html feed.atom assets/style.css assets/site.js data/runs.json data/sweeps.json \
	data/runs/2026-06-18.json data/runs/index.json data/classification.json data/classification/mumble/index.json \
	sweeps/20260617-ci1.html sweeps/20260618-ci1.html recipes/gitea/index.html \
	runs/20260618T001000Z-gitea/index.html runs/20260617T030000Z-mumble/index.html \
	runs/20260618T001000Z-gitea/logs/harness.log.html runs/20260618T001000Z-gitea/logs/harness.log.p2.html \
	runs/20260618T001000Z-gitea/logs/harness.log.p3.html runs/20260618T001000Z-gitea/logs/harness.log.txt \
	recipes/gitea/tests/restore/test_restore_returns_state-$(printf 'test_restoretest_restore_returns_state' | sha256sum | cut -c1-8).html; do
	[ -f "$S/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok render_contract_urls || fail render_contract_urls "missing:$missing"

# anchors on the run page: #<tier> and #<tier>--<test-slug>
run="$S/runs/20260618T001000Z-gitea/index.html"
if grep -q 'id="restore"' "$run" && grep -q 'id="restore--test_restore_returns_state-' "$run" &&
	grep -q 'class="perma" href="#restore--test_restore_returns_state-' "$run" &&
	grep -q '<h1 id="run" data-recipe="gitea" data-version="1.2.0+1.21" data-date="2026-06-18"' "$run"; then ok render_run_anchors; else fail render_run_anchors "anchors missing"; fi

# hostile names: shown as text, never as markup; slugs stay inside the folder
pages="--include=*.html --include=*.atom"
if grep -rq $pages '<script>alert' "$S" || grep -rq $pages '<img src=x' "$S" || grep -rq $pages '<b>&' "$S"; then
	fail render_hostile_escaped "raw markup from input in: $(grep -rl $pages '<script>alert\|<img src=x\|<b>&' "$S" | head -3)"
elif ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$S/runs/20260618T001050Z-evil/index.html"; then
	fail render_hostile_escaped "the hostile test name is not shown escaped"
else
	ok render_hostile_escaped
fi
if [ -z "$(find "$S" -name '*<*' -o -name '*"*')" ]; then ok render_slugs_safe; else fail render_slugs_safe "unsafe file names"; fi

# logs: line anchors, ANSI as classes, invalid bytes and controls visible
log="$S/runs/20260618T001000Z-gitea/logs/harness.log.p2.html"
if grep -q 'id="L2001"' "$log" && grep -q 'id="L4000"' "$log" && ! grep -q 'id="L4001"' "$log" &&
	grep -q '<span class="f1 b">ERROR</span>' "$S/runs/20260618T001000Z-gitea/logs/harness.log.html" &&
	grep -q '\\xFF' "$log" && ! grep -q "$(printf '\033')" "$log" && ! LC_ALL=C grep -q "$(printf '\377')" "$log"; then
	ok render_log_pages
else
	fail render_log_pages "line anchors, colours or byte escapes wrong in $log"
fi
cmp -s "$S/runs/20260618T001000Z-gitea/logs/harness.log.txt" "$T/harness.log" && ok render_raw_log || fail render_raw_log "raw log differs"
# a short plain log is shown exactly on its page: no raw copy beside it, the page says so
ev="$S/runs/20260618T001050Z-evil/logs"
if [ "$(ls "$ev")" = "evil-.log-25d5774a.html" ] && grep -q 'data-exact="1"' "$ev/evil-.log-25d5774a.html" &&
	[ "$(grep -o '<a id="L[0-9]*" href="#L[0-9]*">[0-9]*</a>short line$' "$ev/evil-.log-25d5774a.html" | wc -l)" = 50 ] &&
	! grep -q 'data-exact' "$S/runs/20260618T001000Z-gitea/logs/harness.log.html"; then
	ok render_exact_log_no_raw
else
	fail render_exact_log_no_raw "$(ls "$ev")"
fi

# what changed: a new failure, and a test that turned flaky (not "fixed")
sw="$S/sweeps/20260618-ci1.html"
if sed -n '/class="k0"/,/<\/ul>/p' "$sw" | grep -q test_restore_returns_state &&
	sed -n '/class="k2"/,/<\/ul>/p' "$sw" | grep -q test_handshake_completes &&
	! grep -q 'class="k1"' "$sw"; then
	ok render_sweep_changes
else
	fail render_sweep_changes "new failures / newly flaky lists wrong in $sw"
fi

check render_links python3 "$top/tests/e2e/sitecheck.py" "$S"
check render_feed_xml xmllint --noout "$S/feed.atom"
check render_json sqlite3 :memory: "SELECT CASE WHEN json_array_length(readfile('$S/data/runs.json')) = 7
	AND json_array_length(readfile('$S/data/sweeps.json')) = 2 THEN 1 ELSE abs(-9223372036854775808) END"

# data/runs.json is what `ccr runs --json --since` prints for the 7 days before the newest
# start (here every run); the day files listed by data/runs/index.json hold every run
since=$(sqlite3 "$CCR_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started) - 7 * 86400, 'unixepoch') FROM run")
ccr runs --json --since "$since" > "$T/runs.json" 2> /dev/null
ccr runs --json > "$T/runs_all.json" 2> /dev/null
python3 "$top/tests/e2e/classdata.py" --runs "$S" > "$T/runs_days.json" 2> "$T/runs_days.err"
if cmp -s "$T/runs.json" "$S/data/runs.json" &&
	python3 -c "import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))" \
		"$T/runs_all.json" "$T/runs_days.json"; then
	ok render_runs_json_matches_cli
else
	fail render_runs_json_matches_cli "data/runs.json or the day files differ from ccr runs --json: $(head -c 200 "$T/runs_days.err")"
fi

# a second render with nothing new writes no file
touch "$T/marker"; sleep 1
ccr render --out "$S" 2> "$T/noop.err"
changed=$(find "$S" -newer "$T/marker" -type f | grep -v '/.ccr/lock$')
[ -z "$changed" ] && ok render_noop_writes_nothing || fail render_noop_writes_nothing "wrote: $(echo $changed | head -c 200)"

# one more sweep: an incremental render rewrites its pages, not the old runs'
fx_sweep "$T/ccr.db" 3
touch "$T/marker"; sleep 1
check render_incremental ccr render --out "$S"
changed=$(find "$S" -newer "$T/marker" -type f | sed "s|$S/||" | sort | tr '\n' ' ')
case " $changed" in
*" runs/20260617"*|*" runs/20260618"*|*" recipes/mumble"*) fail render_incremental_scope "old pages rewritten: $changed" ;;
*" index.html "*) case $changed in
	*runs/20260619T001000Z-gitea/index.html*) ok render_incremental_scope ;;
	*) fail render_incremental_scope "new run page not written: $changed" ;;
	esac ;;
*) fail render_incremental_scope "index not rewritten: $changed" ;;
esac
# a full render now finds every page already right: incremental == full
touch "$T/marker"; sleep 1
ccr render --out "$S" --full 2> "$T/full.err"
changed=$(find "$S" -newer "$T/marker" -type f | grep -v '/.ccr/')
[ -z "$changed" ] && ok render_incremental_equals_full || fail render_incremental_equals_full "full render changed: $(echo $changed | head -c 300)"

# a render killed midway leaves the previous site byte-identical and whole
fx_sweep "$T/ccr.db" 4
rm -rf "$T/before" && cp -a "$S" "$T/before"
CCR_RENDER_ABORT_AFTER=3 ccr render --out "$S" 2> /dev/null
rc=$?
differ=""
for f in $(cd "$T/before" && find . -type f ! -path './.ccr/*'); do
	cmp -s "$T/before/$f" "$S/$f" || differ="$differ $f"
done
if [ $rc -ne 0 ] && [ -z "$differ" ]; then ok render_killed_keeps_site; else fail render_killed_keeps_site "rc $rc, changed:$differ"; fi
check render_after_kill ccr render --out "$S"
[ -z "$(find "$S" -name '.ccr-tmp.*')" ] && ok render_kill_cleanup || fail render_kill_cleanup "temp files left"
check render_links_after python3 "$top/tests/e2e/sitecheck.py" "$S"

# a first render (no site in the folder yet) writes its pages in place, no temp files; killed,
# it leaves no index.html (written last), and the next render completes the same site as an
# uninterrupted one, rewriting only what is missing or differs
F="$T/first"
CCR_RENDER_ABORT_AFTER=12 ccr render --out "$F" 2> /dev/null
rc=$?
nf=$(find "$F" -type f ! -path '*/.ccr/*' | wc -l)
if [ $rc -ne 0 ] && [ ! -e "$F/index.html" ] && [ -e "$F/.ccr/dirty" ] && [ "$nf" -ge 11 ] &&
	[ -z "$(find "$F" -name '.ccr-tmp.*')" ]; then
	ok render_first_killed_no_index
else
	fail render_first_killed_no_index "rc $rc, $nf files, $(ls "$F" | tr '\n' ' ')"
fi
# a written page cut short by the kill is found by the comparison and rewritten
p1=$(cd "$F" && find runs -name index.html | LC_ALL=C sort | head -n 1)
printf 'cut' > "$F/$p1"
touch "$T/marker"; sleep 1
ccr render --out "$F" 2> "$T/first.err"
rc=$?
ccr render --out "$T/first-ref" 2> /dev/null
if [ $rc -eq 0 ] && [ -n "$p1" ] && [ ! -e "$F/.ccr/dirty" ] && [ "$F/$p1" -nt "$T/marker" ] &&
	[ ! "$F/assets/style.css" -nt "$T/marker" ] &&
	diff -r -x .ccr "$F" "$T/first-ref" > "$T/first.diff" 2>&1; then
	ok render_first_killed_then_completes
else
	fail render_first_killed_then_completes "rc $rc $(head -c 300 "$T/first.diff" "$T/first.err")"
fi

# two renders at once: the second is refused, exit 2
flock "$S/.ccr/lock" sleep 3 &
holder=$!
sleep 1
ccr render --out "$S" --full 2> "$T/busy.err"
rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
if [ $rc -eq 2 ] && grep -q 'render in progress' "$T/busy.err"; then ok render_lock; else fail render_lock "rc $rc: $(cat "$T/busy.err")"; fi

# --base-url: absolute links in the feed and the copy buttons; unsafe schemes refused
check render_base_url ccr render --out "$T/abs" --base-url https://ci.example.org/reports/
if grep -q 'xml:base="https://ci.example.org/reports/"' "$T/abs/feed.atom" &&
	grep -q 'data-base="https://ci.example.org/reports/runs/20260618T001000Z-gitea/index.html"' \
		"$T/abs/runs/20260618T001000Z-gitea/index.html"; then
	ok render_base_url_links
else
	fail render_base_url_links "absolute links missing"
fi
ccr render --out "$T/bad" --base-url 'javascript:alert(1)' 2> /dev/null
[ $? -eq 2 ] && ok render_base_url_checked || fail render_base_url_checked "javascript: accepted"
ccr render --bogus 2> /dev/null
[ $? -eq 2 ] && ok render_usage || fail render_usage "bad option accepted"
ccr --db "$T/none.db" render --out "$T/none" 2> /dev/null
[ $? -eq 2 ] && [ ! -e "$T/none/index.html" ] && ok render_no_store || fail render_no_store "rendered without a store"
