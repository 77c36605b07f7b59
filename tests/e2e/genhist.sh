#!/bin/sh
# valgrind: yes
# genhist.sh: the bench's history generator is deterministic, writes well-formed
# pytest-style JUnit, and a night written alone equals the same night written with
# the rest (the bench relies on that for "one more night").
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
P="$CCR_BUILD/bareparse"
args="--recipes 3 --tiers 5 --tests 4 --seed 7"

$CCR_WRAP "$G" --out "$T/all" $args --nights 4 > "$T/all.out" 2> "$T/all.err" ||
	fail genhist_runs "$(head -c 300 "$T/all.err")"
$CCR_WRAP "$G" --out "$T/split" $args --nights 4 --to 3 > /dev/null 2>&1 &&
	$CCR_WRAP "$G" --out "$T/split" $args --nights 4 --from 3 > /dev/null 2>&1
if diff -r "$T/all" "$T/split" > "$T/diff.out" 2>&1; then
	ok genhist_night_ranges_compose
else
	fail genhist_night_ranges_compose "$(head -c 300 "$T/diff.out")"
fi

# the same seed gives the same bytes; another seed does not
$CCR_WRAP "$G" --out "$T/again" $args --nights 4 > /dev/null 2>&1
$CCR_WRAP "$G" --out "$T/other" --recipes 3 --tiers 5 --tests 4 --seed 8 --nights 4 > /dev/null 2>&1
if diff -r -q "$T/all" "$T/again" > /dev/null && ! diff -r -q "$T/all" "$T/other" > /dev/null; then
	ok genhist_seeded
else
	fail genhist_seeded "same seed differs or another seed is identical"
fi

# layout: run folders with run.json, one JUnit per tier that ran, a harness log
runs=$(ls "$T/all" | wc -l)
bad=0
for r in "$T/all"/*; do
	[ -f "$r/run.json" ] && [ -f "$r/logs/harness.log" ] || bad=$((bad + 1))
	case $(basename "$r") in [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-*) ;; *) bad=$((bad + 1)) ;; esac
done
if [ "$runs" -ge 12 ] && [ $bad -eq 0 ] && grep -q "^runs $runs " "$T/all.out"; then
	ok genhist_layout
else
	fail genhist_layout "$runs runs, $bad malformed; genhist said: $(cat "$T/all.out")"
fi

# JUnit: well-formed (xmllint when there), and bareparse counts the testcases genhist wrote
find "$T/all" -name '*.xml' | sort > "$T/list"
if command -v xmllint > /dev/null; then
	check genhist_junit_wellformed sh -c 'xargs xmllint --noout < "$1"' sh "$T/list"
fi
want=$(sed 's/.* testcases //' "$T/all.out")
got=$($CCR_WRAP "$P" - < "$T/list" | sed 's/.* testcases \([0-9]*\) .*/\1/')
if [ -n "$want" ] && [ "$want" = "$got" ] && [ "$want" -gt 0 ]; then
	ok bareparse_counts_testcases
else
	fail bareparse_counts_testcases "genhist wrote '$want' testcases, bareparse counted '$got'"
fi
# a broken file is counted bad and makes bareparse exit 1
printf '<testsuites><testcase name="x">' > "$T/broken.xml"
$CCR_WRAP "$P" "$T/broken.xml" > "$T/broken.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q ' bad 1$' "$T/broken.out"; then
	ok bareparse_rejects_broken
else
	fail bareparse_rejects_broken "exit $rc: $(cat "$T/broken.out")"
fi
