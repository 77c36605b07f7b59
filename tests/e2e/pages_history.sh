#!/bin/sh
# pages_history.sh: a generated history (demo/genhist.c) rendered night after night
# with incremental renders, as cron does:
#  - recipe month pages (recipes/<r>/history/<YYYY-MM>.html) and the site's
#    (history/<YYYY-MM>.html) exist, are linked from the recipe page and the index,
#    and a past month's page stays byte-identical while new nights come in;
#  - every run page's state words match the store after each incremental render
#    (tests/e2e/badges.py), and some old run page's word did change on the way
#    (flaky -> load flake): badges are updated, not left stale;
#  - a night rewrites only a bounded set of pages (no run page of an older sweep
#    whose shown states did not change);
#  - the incremental site equals a fresh full render byte for byte;
#  - a test failing once ("new") then again at the same tag: the first run's page
#    says "deterministic" after the incremental render.
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
# seed 14: two flaky tests of the latest tag become load flakes in the last nights
args="--recipes 4 --tiers 5 --tests 4 --seed 14 --start 2026-01-10 --nights 42"
S=$T/site

# nights 0..35 (2026-01-10 .. 02-14) at once, then one night at a time
$CCR_WRAP "$G" --out "$T/hist" $args --to 36 > /dev/null 2> "$T/gen.err" ||
	fail history_generated "$(head -c 300 "$T/gen.err")"
(cd "$T/hist" && ls | xargs "$CCR_BUILD/ccr" -q collect ingest) 2> "$T/ingest.err"
check history_full_render ccr render --out "$S"
m=$(ls "$S/recipes/gitea/history" 2> /dev/null | tr '\n' ' ')
if [ "$m" = "2026-01.html 2026-02.html " ] && grep -q 'href="../../recipes/gitea/history/2026-01.html"' "$S/recipes/gitea/index.html"; then
	ok history_month_pages
else
	fail history_month_pages "month pages: '$m'"
fi
# a month page lists that month's runs and only those
jan=$(grep -o 'href="../../../runs/202601[0-9T]*Z-gitea/index.html"' "$S/recipes/gitea/history/2026-01.html" | sort -u | wc -l)
want=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run WHERE recipe = 'gitea' AND started < strftime('%s', '2026-02-01')")
other=$(grep -c 'runs/202602' "$S/recipes/gitea/history/2026-01.html")
if [ "$jan" -eq "$want" ] && [ "$want" -gt 0 ] && [ "$other" -eq 0 ]; then ok history_month_runs; else fail history_month_runs "$jan linked runs, $want in the store, $other of February"; fi

# the site's month pages: January's sweeps, linked from the front page
jsw=$(grep -c 'href="../sweeps/[^"]*"' "$S/history/2026-01.html")
want=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM sweep WHERE started < strftime('%s', '2026-02-01')")
if grep -q 'href="history/2026-01.html"' "$S/index.html" && [ "$jsw" -eq "$want" ] && [ "$want" -gt 20 ]; then
	ok history_site_months
else
	fail history_site_months "$jsw sweeps on history/2026-01.html, $want in the store"
fi

python3 "$top/tests/e2e/badges.py" "$S" "$CCR_DB" "$T/badges.0" > "$T/b.out" ||
	fail history_badges_full "$(head -5 "$T/b.out")"
(cd "$S" && find . -path '*/history/2026-01.html' -exec sha256sum {} + | sort) > "$T/jan.sum"

stale="" wrote_old="" n=36
while [ $n -lt 42 ]; do
	rm -rf "$T/night"
	$CCR_WRAP "$G" --out "$T/night" $args --from $n --to $((n + 1)) > /dev/null 2>&1
	(cd "$T/night" && ls | xargs "$CCR_BUILD/ccr" -q collect ingest) 2>> "$T/ingest.err"
	touch "$T/marker"
	sleep 1
	ccr render --out "$S" 2> "$T/render.$n.err" || stale="$stale render-$n"
	python3 "$top/tests/e2e/badges.py" "$S" "$CCR_DB" "$T/badges.$n" > "$T/b.out" ||
		stale="$stale night-$n: $(head -2 "$T/b.out" | tr '\n' ' ')"
	# run pages rewritten: the night's runs, and older ones only for a changed word
	for f in $(find "$S/runs" -name index.html -newer "$T/marker"); do
		run=$(basename "$(dirname "$f")")
		new=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run WHERE id = '$run' AND started >= strftime('%s', '2026-01-10', '+$n days')")
		[ "$new" = 1 ] && continue
		grep -q "^$run	" "$T/badges.$n" || wrote_old="$wrote_old $run"
	done
	n=$((n + 1))
done
[ -z "$stale" ] && ok history_badges_current || fail history_badges_current "$stale"
# a word changed on an old run page along the way (else this test proves nothing)
changed=$(cat "$T/badges.0" "$T/badges.41" | sort | uniq -u | cut -f1 | sort -u |
	while read -r run; do grep -q "^$run	" "$T/badges.0" && echo "$run"; done | wc -l)
[ "$changed" -gt 0 ] && ok history_badge_updated || fail history_badge_updated "no old run page changed its state word in 6 nights"
[ -z "$wrote_old" ] && ok history_night_scope || fail history_night_scope "old run pages without a badge rewritten:$wrote_old"
(cd "$S" && find . -path '*/history/2026-01.html' -exec sha256sum {} + | sort) > "$T/jan.after"
if [ "$(grep -c . "$T/jan.sum")" -eq 5 ] && cmp -s "$T/jan.sum" "$T/jan.after"; then ok history_archive_stable; else fail history_archive_stable "January pages changed: $(diff "$T/jan.sum" "$T/jan.after" | head -c 200)"; fi

# the incremental site is the full render's, byte for byte
ccr render --out "$T/fresh" 2> "$T/fresh.err"
if diff -r -x .ccr "$S" "$T/fresh" > "$T/diff.out" 2>&1; then
	ok history_incremental_equals_full
else
	fail history_incremental_equals_full "$(grep -c . "$T/diff.out") diff lines: $(head -c 300 "$T/diff.out")"
fi
check history_links python3 "$top/tests/e2e/sitecheck.py" "$S"

# new -> deterministic: a test fails once (its run page says "new"), then again at the
# same tag; the incremental render rewrites the first run's page to "deterministic"
mkrun() { # DIR STARTED STATUS
	mkdir -p "$1/junit"
	printf '{"recipe": "solo", "version": "1.0.0", "host": "h1", "trigger": "sweep", "started": "%s", "finished": "%s", "exit_code": 1}\n' \
		"$2" "$2" > "$1/run.json"
	printf '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2" failures="1">
<testcase classname="tests.test_install" name="test_ok" time="0.1"/>
<testcase classname="tests.test_install" name="test_broken" time="0.2"><failure message="boom">Traceback\nboom</failure></testcase>
</testsuite></testsuites>\n' > "$1/junit/install__cc-ci__test_install.xml"
}
export CCR_DB="$T/solo.db"
mkrun "$T/solo/20260301T001000Z-solo" 2026-03-01T00:10:00Z
mkrun "$T/solo/20260302T001000Z-solo" 2026-03-02T00:10:00Z
ccr -q collect ingest "$T/solo/20260301T001000Z-solo" 2> "$T/solo.err"
ccr -q render --out "$T/solo-site" 2>> "$T/solo.err"
first="$T/solo-site/runs/20260301T001000Z-solo/index.html"
was=$(grep -o 'class="cl cl-[a-z]*"' "$first" | sort -u | tr '\n' ' ')
ccr -q collect ingest "$T/solo/20260302T001000Z-solo" 2>> "$T/solo.err"
ccr -q render --out "$T/solo-site" 2>> "$T/solo.err"
now=$(grep -o 'class="cl cl-[a-z]*"' "$first" | sort -u | tr '\n' ' ')
if [ "$was" = 'class="cl cl-new" ' ] && [ "$now" = 'class="cl cl-deterministic" ' ]; then
	ok history_new_to_deterministic
else
	fail history_new_to_deterministic "first run's page said '$was', then '$now': $(head -c 200 "$T/solo.err")"
fi
ccr -q render --out "$T/solo-fresh" 2> /dev/null
if diff -r -x .ccr "$T/solo-site" "$T/solo-fresh" > "$T/solo.diff" 2>&1; then
	ok history_solo_equals_full
else
	fail history_solo_equals_full "$(head -c 300 "$T/solo.diff")"
fi
