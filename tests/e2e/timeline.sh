#!/bin/sh
# The promote timeline: canonical records changing across several collects (promote,
# advance, a green run whose promote failed, removal), then timeline.html, the recipe
# lanes, the run page and the grid.
# valgrind: yes
. "$(dirname "$0")/lib.sh"

w="$T/warm"
mkdir -p "$w/gitea" "$w/mumble" "$w/discourse"
t() { date -u -d "$1" +%s; }
# run ID RECIPE VERSION STATUS OUTCOME PROMOTE_AT: a swept run with all tiers green
run() {
	po=NULL; pv=NULL; pa=NULL
	if [ "$5" != - ]; then po="'$5'"; pv="'$3'"; pa=$(t "$6"); fi
	st=$(t "$(echo "$1" | sed 's/^\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\)Z.*/\1-\2-\3T\4:\5:\6Z/')")
	sqlite3 "$CCR_DB" "INSERT OR IGNORE INTO sweep(id, host, started, finished) VALUES ('s-$2', 'node1', $st, $st + 1800);
	INSERT INTO run(id, recipe, version, host, mode, trigger_kind, sweep_id, started, finished, exit_code, status,
	  promote_outcome, promote_version, promote_at, manifest_hash, ingested_at)
	VALUES ('$1', '$2', '$3', 'node1', 'cold', 'sweep', 's-$2', $st, $st + 1800, 0, '$4', $po, $pv, $pa, 'm', $st + 3600);
	INSERT INTO tier(run_id, name, seq, status, tests) VALUES ('$1', 'install', 1, 'passed', 1);"
}
canon() { # RECIPE VERSION TS
	printf '{"recipe": "%s", "version": "%s", "commit": "c0ffee", "status": "idle", "ts": "%s"}\n' "$1" "$2" "$3" > "$w/$1/canonical.json"
}

mkdir -p "$T/empty" && ccr collect canon "$T/empty" # an empty store
# collect 1: gitea's record predates ccr; mumble promoted by a run; discourse enrolled
canon gitea 3.5.3 20260617T050314Z
canon discourse 0.8.1+3.5.0 20260610T000000Z
run 20260617T230000Z-mumble mumble 1.0.0+v1.6.870-0 passed promoted 2026-06-18T00:17:00Z
canon mumble 1.0.0+v1.6.870-0 20260618T001730Z
CCR_NOW=2026-06-18T01:00:00Z ccr collect canon "$w" 2> "$T/err" || fail collect1 "$(cat "$T/err")"
# collect 2: gitea green at 3.6.0, then its advance failed (record untouched); keycloak runs, never enrolled
run 20260618T010000Z-gitea gitea 3.6.0 promote_failed failed 2026-06-18T02:10:00Z
run 20260618T020000Z-keycloak keycloak 26.0.0 passed - -
CCR_NOW=2026-06-18T03:00:00Z ccr collect canon "$w" 2> "$T/err" || fail collect2 "$(cat "$T/err")"
# collect 3: gitea advanced to 3.6.1 by a run; mumble's record removed; a newer gitea tag exists
run 20260619T010000Z-gitea gitea 3.6.1 passed advanced 2026-06-19T02:00:00Z
canon gitea 3.6.1 20260619T020107Z
run 20260620T010000Z-gitea gitea 3.7.0 failed - -
rm "$w/mumble/canonical.json"
CCR_NOW=2026-06-19T03:00:00Z ccr collect canon "$w" 2> "$T/err" || fail collect3 "$(cat "$T/err")"
CCR_NOW=2026-06-19T04:00:00Z ccr collect canon "$w" 2> "$T/err" || fail collect4 "$(cat "$T/err")"

n=$(sqlite3 "$CCR_DB" "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM canon_event ORDER BY at, recipe, kind)")
want="enrolled enrolled promoted failed advanced removed"
[ "$n" = "$want" ] && ok timeline_events_stored || fail timeline_events_stored "got '$n', want '$want'"

ccr render --out "$T/site" 2> "$T/err"
rc=$?
tl="$T/site/timeline.html"
[ $rc -eq 0 ] && [ -f "$tl" ] && ok timeline_rendered || fail timeline_rendered "rc=$rc $(head -c 300 "$T/err")"

# one lane per recipe with events, in the SVG
lanes=$(grep -o 'id="lane-[a-z0-9.-]*"' "$tl" | tr '\n' ' ')
[ "$lanes" = 'id="lane-discourse" id="lane-gitea" id="lane-mumble" ' ] && ok timeline_lanes || fail timeline_lanes "lanes: $lanes"

# each mark with a run links to its run page, and that page exists
marks=$(grep -o '<a href="runs/[^"]*"><g class="mk mk-[a-z-]*"' "$tl" | sed 's/<a href="\([^"]*\)"><g class="mk mk-\([a-z-]*\)"/\2 \1/' | sort | tr '\n' ';')
want='advanced runs/20260619T010000Z-gitea/index.html;green-failed runs/20260618T010000Z-gitea/index.html;promoted runs/20260617T230000Z-mumble/index.html;'
[ "$marks" = "$want" ] && ok timeline_marks_link_runs || fail timeline_marks_link_runs "marks: $marks"
for f in runs/20260619T010000Z-gitea/index.html runs/20260618T010000Z-gitea/index.html; do
	[ -f "$T/site/$f" ] || fail timeline_mark_targets "$f missing"
done

# the table: the green run whose promote failed is exactly that, with the canonical it kept
row=$(grep 'ev-row ev-green-failed' "$tl")
case $row in
*"green, then promote failed"*"3.6.0"*"3.5.3"*20260618T010000Z-gitea*) ok timeline_green_then_failed ;;
*) fail timeline_green_then_failed "row: $row" ;;
esac
grep -q 'Not enrolled.*keycloak' "$tl" && ok timeline_not_enrolled || fail timeline_not_enrolled "keycloak not listed"

# recipe pages: own lane, canonical now and since when, behind the latest tag, enrolment
g="$T/site/recipes/gitea/index.html"
grep -q 'id="lane-gitea"' "$g" && ! grep -q 'id="lane-mumble"' "$g" && ok recipe_lane || fail recipe_lane "gitea page lanes wrong"
grep -q 'Canonical: <strong>3.6.1</strong> since <time datetime="2026-06-19T02:01:07Z">' "$g" && ok recipe_canonical_since || fail recipe_canonical_since "$(grep -o 'canon-now.\{0,200\}' "$g")"
grep -q '1 tag behind 3.7.0' "$g" && ok recipe_behind_latest || fail recipe_behind_latest "$(grep -o 'canon-now.\{0,300\}' "$g")"
grep -q 'No canonical: its record was removed' "$T/site/recipes/mumble/index.html" && ok recipe_removed || fail recipe_removed "mumble page"
grep -q 'Not enrolled: no canonical record and no promote attempt' "$T/site/recipes/keycloak/index.html" && ok recipe_not_enrolled || fail recipe_not_enrolled "keycloak page"
grep -q 'at the latest tag' "$T/site/recipes/discourse/index.html" && ok recipe_at_latest || fail recipe_at_latest "discourse page"

# the run page and the grid say "promote failed" for the green run
grep -q 'promote failed' "$T/site/runs/20260618T010000Z-gitea/index.html" &&
	grep -q '<a href="../../recipes/gitea/index.html#canonical">promote timeline</a>' "$T/site/runs/20260618T010000Z-gitea/index.html" &&
	ok run_page_promote_failed || fail run_page_promote_failed "run page"
grep -rq 'promote failed' "$T/site/sweeps/" && ok grid_promote_failed || fail grid_promote_failed "no sweep page says it"

# a new collect with nothing new re-renders nothing
ccr render --out "$T/site" -v 2> "$T/err"
grep -q "nothing new" "$T/err" && ok timeline_render_noop || fail timeline_render_noop "$(cat "$T/err")"
