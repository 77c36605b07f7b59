#!/bin/sh
# data_split.sh: the data/ exports are split so that one more night rewrites a
# bounded part of them (README "Data files"): a generated history over two months,
# rendered, then one more night rendered incrementally.
#  - data/classification/<recipe>/<version>.json together hold exactly the objects
#    the whole-history export held (the same query over the store), and the index
#    lists every file with the right counts;
#  - data/classification.json holds only each recipe's rows at its newest run's
#    version and harness ref;
#  - data/runs/<YYYY-MM>.json together hold `ccr runs --json`, each month its own
#    runs; data/runs.json is `ccr runs --json --since` the newest start - 31 days;
#  - after the night, only the files of the night's (recipe, version) groups and of
#    its month change, the rest is byte-identical; a --full render then changes
#    nothing in data/ nor in feed.atom (the incremental one missed nothing); the night
#    writes a small part of data/; feed.atom holds 50 entries.
. "$(dirname "$0")/lib.sh"
G="$CCR_BUILD/genhist"
[ -x "$G" ] || { fail data_split_genhist_built "'$G' missing (make tools)"; exit 0; }
cd "$T"
gen="--recipes 4 --tiers 2 --tests 3 --seed 11 --start 2026-01-08 --nights 60"
S="$T/site"
ncheck() { # NAME PYTHON-EXPR-PRINTING-"" -- the script gets T and S as argv[1], argv[2]
	name=$1; shift
	if r=$(python3 -c "$1" "$T" "$S" 2>&1) && [ -z "$r" ]; then ok "$name"; else fail "$name" "$r"; fi
}

if $CCR_WRAP "$G" --out "$T/hist" $gen --to 59 > /dev/null 2> "$T/gen.err" &&
	$CCR_WRAP "$G" --out "$T/night" $gen --from 59 --to 60 > /dev/null 2>> "$T/gen.err"; then
	ok data_split_generated
else
	fail data_split_generated "$(head -c 300 "$T/gen.err")"
	exit 0
fi
check data_split_ingest sh -c 'cd "$1" && ls | xargs "$2" -q collect ingest' sh "$T/hist" "$CCR_BUILD/ccr"
check data_split_render ccr -q render --out "$S"

# the old whole-history export, straight from the store (its README fields and order)
sqlite3 "$CCR_DB" "SELECT json_object('recipe', c.recipe, 'tier', c.tier,
 'test', t.classname || '::' || t.name, 'version', nullif(c.version, ''),
 'harness_ref', nullif(c.harness_ref, ''), 'state', c.state,
 'load', json(CASE c.load WHEN 1 THEN 'true' ELSE 'false' END),
 'passes', c.passes, 'failures', c.failures,
 'isolated_passes', c.isolated_passes, 'isolated_failures', c.isolated_failures,
 'runs', json(c.runs), 'isolated_runs', json(c.isolated_runs),
 'isolation_runs', c.isolation_runs, 'excluded', c.excluded, 'signature', c.signature,
 'first_seen', strftime('%Y-%m-%dT%H:%M:%SZ', c.first_seen, 'unixepoch'),
 'last_seen', strftime('%Y-%m-%dT%H:%M:%SZ', c.last_seen, 'unixepoch'),
 'failing_since', c.failing_since,
 'regression', json(CASE c.regression WHEN 1 THEN 'true' ELSE 'false' END),
 'prev_version', c.prev_version, 'evidence', c.evidence)
 FROM classification c JOIN test t ON t.id = c.test_id
 ORDER BY c.recipe, c.tier, t.classname, t.name, c.seq" > "$T/whole.jsonl"
if python3 "$top/tests/e2e/classdata.py" "$S" > "$T/union.json" 2> "$T/union.err"; then
	ok data_split_index_matches_files
else
	fail data_split_index_matches_files "$(head -c 300 "$T/union.err")"
fi
ncheck data_split_union_is_whole_export "
import json, sys
T = sys.argv[1]
whole = [json.loads(l) for l in open(T + '/whole.jsonl')]
union = json.load(open(T + '/union.json'))
k = lambda x: json.dumps(x, sort_keys=True)
vs = {(x['recipe'], x['version']) for x in whole}
print('' if len(whole) > 100 and len(vs) >= 8 and sorted(map(k, whole)) == sorted(map(k, union))
      else '%d objects, %d in the files, %d versions' % (len(whole), len(union), len(vs)))"

# the state now: each recipe's newest run's sources, nothing older
sqlite3 "$CCR_DB" "SELECT r.recipe, coalesce(r.version, ''), coalesce(r.harness_ref, '') FROM run r
 WHERE r.id = (SELECT x.id FROM run x WHERE x.recipe = r.recipe ORDER BY x.started DESC, x.id DESC LIMIT 1)" > "$T/current.txt"
ncheck data_split_classification_now "
import json, sys
T, S = sys.argv[1], sys.argv[2]
cur = {l.split('|')[0]: tuple(l.rstrip('\n').split('|')[1:]) for l in open(T + '/current.txt')}
whole = [json.loads(l) for l in open(T + '/whole.jsonl')]
want = [x for x in whole if cur[x['recipe']] == (x['version'] or '', x['harness_ref'] or '')]
now = json.load(open(S + '/data/classification.json'))
print('' if now == want and len({x['recipe'] for x in now}) == 4 and len(now) < len(whole) / 3
      else '%d rows, want %d of %d' % (len(now), len(want), len(whole)))"

# runs: months, and the last 31 days
ccr runs --json > "$T/runs_all.json"
since=$(sqlite3 "$CCR_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started) - 31 * 86400, 'unixepoch') FROM run")
ccr runs --json --since "$since" > "$T/runs_since.json"
if [ -s "$T/runs_since.json" ] && cmp -s "$T/runs_since.json" "$S/data/runs.json"; then
	ok data_split_runs_json_is_since
else
	fail data_split_runs_json_is_since "data/runs.json differs from ccr runs --json --since $since"
fi
# --since AGE counts back from now ($CCR_NOW); a bad time is a usage error
newest=$(sqlite3 "$CCR_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started), 'unixepoch') FROM run")
CCR_NOW=$newest ccr runs --json --since 31d > "$T/runs_age.json" 2> /dev/null
ccr runs --since 2026-13-01 > /dev/null 2>&1
rc=$?
ccr runs --since 0d > /dev/null 2>&1
rc0=$?
cmp -s "$T/runs_age.json" "$T/runs_since.json" && [ $rc = 2 ] && [ $rc0 = 2 ] && ok data_split_runs_since_age ||
	fail data_split_runs_since_age "--since 31d differs from --since $since, or bad times accepted ($rc, $rc0)"
ncheck data_split_runs_months "
import json, os, sys
T, S = sys.argv[1], sys.argv[2]
allr = json.load(open(T + '/runs_all.json'))
recent = json.load(open(S + '/data/runs.json'))
d = S + '/data/runs'
months = sorted(os.listdir(d))
bad = []
for m in months:
    rows = json.load(open(d + '/' + m))
    if rows != [x for x in allr if x['started'][:7] + '.json' == m]: bad.append(m)
want = sorted({x['started'][:7] + '.json' for x in allr})
print('' if months == want and len(months) >= 2 and not bad and 0 < len(recent) < len(allr)
      else 'months %s, want %s; wrong: %s' % (months, want, bad))"

# one more night, incrementally
rm -rf "$T/before" && cp -a "$S" "$T/before"
last=$(sqlite3 "$CCR_DB" "SELECT max(rowid) FROM run")
check data_split_ingest_night sh -c 'cd "$1" && ls | xargs "$2" -q collect ingest' sh "$T/night" "$CCR_BUILD/ccr"
check data_split_render_night ccr -q render --out "$S"
sqlite3 "$CCR_DB" "SELECT DISTINCT recipe || '|' || coalesce(version, '') FROM run WHERE rowid > $last" > "$T/touched.txt"
sqlite3 "$CCR_DB" "SELECT DISTINCT strftime('%Y-%m', started, 'unixepoch') FROM run WHERE rowid > $last" > "$T/months.txt"
ncheck data_split_night_touches_only_its_files "
import json, os, sys, filecmp
T, S = sys.argv[1], sys.argv[2]
B = T + '/before'
touched = {tuple(l.rstrip('\n').split('|')) for l in open(T + '/touched.txt')}
months = {l.strip() + '.json' for l in open(T + '/months.txt')}
idx = json.load(open(S + '/data/classification/index.json'))
bad, changed = [], []
for e in idx:
    f = 'data/' + e['url']
    same = os.path.exists(B + '/' + f) and filecmp.cmp(B + '/' + f, S + '/' + f, shallow=False)
    mine = (e['recipe'], e['version'] or '') in touched
    if not same: changed.append(f)
    if not same and not mine: bad.append(f)
for m in os.listdir(S + '/data/runs'):
    f = 'data/runs/' + m
    same = os.path.exists(B + '/' + f) and filecmp.cmp(B + '/' + f, S + '/' + f, shallow=False)
    if not same: changed.append(f)
    if not same and m not in months: bad.append(f)
mine = [f for f in changed if f.startswith('data/classification/')]
print('' if not bad and mine and any(f.startswith('data/runs/') for f in changed) and len(touched) >= 2
      else 'changed but not touched: %s; changed: %s; touched: %s' % (bad, changed, sorted(touched)))"
python3 "$top/tests/e2e/classdata.py" "$S" > /dev/null 2> "$T/union.err" &&
	ok data_split_index_after_night || fail data_split_index_after_night "$(head -c 300 "$T/union.err")"

# bytes the night wrote in data/ against the size of data/: besides data/runs.json (the
# last 31 days, checked above) a small part (the whole-history export was 3/4 of it)
ncheck data_split_night_writes_a_part "
import os, sys, filecmp
T, S = sys.argv[1], sys.argv[2]
total = written = 0
for root, dirs, files in os.walk(S + '/data'):
    for n in files:
        p = os.path.join(root, n); b = T + '/before' + p[len(S):]
        total += os.path.getsize(p)
        if p.endswith('/data/runs.json'): continue
        if not (os.path.exists(b) and filecmp.cmp(b, p, shallow=False)): written += os.path.getsize(p)
print('' if total > 0 and written * 4 < total else 'wrote %d of %d bytes' % (written, total))"

# the incremental render left nothing for a full one to fix in data/ and the feed (whose
# untouched entries it copied from the feed before)
cp "$S/feed.atom" "$T/feed.incr"
touch "$T/marker"; sleep 1
ccr -q render --out "$S" --full 2> "$T/full.err"
changed=$(find "$S/data" "$S/feed.atom" -newer "$T/marker" -type f | sed "s|$S/||")
[ -z "$changed" ] && ok data_split_incremental_equals_full ||
	fail data_split_incremental_equals_full "the full render changed: $(echo $changed | head -c 300)"

n=$(grep -c '<entry>' "$S/feed.atom")
sweeps=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM sweep")
[ "$sweeps" -gt 50 ] && [ "$n" = 50 ] && ok data_split_feed_50 || fail data_split_feed_50 "$n entries of $sweeps sweeps"

# the feed's entries: an incremental render copies those of sweeps it does not touch and
# computes the others. Marked in the feed on disk: the newest entry (its sweep is the new
# night's neighbour, so it is computed again) and the 30th (copied as it is).
python3 - "$S/feed.atom" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
parts = s.split('<entry>\n<title>')
for k in (1, 30):
    parts[k] = 'MARK%d ' % k + parts[k]
open(p, 'w').write('<entry>\n<title>'.join(parts))
PY
$CCR_WRAP "$G" --out "$T/night2" $gen --from 60 --to 61 > /dev/null 2>&1
(cd "$T/night2" && ls | xargs "$CCR_BUILD/ccr" -q collect ingest) > /dev/null 2>&1
check data_split_render_night2 ccr -q render --out "$S"
if ! grep -q 'MARK1 ' "$S/feed.atom" && grep -q 'MARK30 ' "$S/feed.atom" && [ "$(grep -c '<entry>' "$S/feed.atom")" = 50 ] &&
	xmllint --noout "$S/feed.atom" 2> /dev/null; then
	ok data_split_feed_copies_untouched_entries
else
	fail data_split_feed_copies_untouched_entries "MARK1 kept or MARK30 lost: $(grep -o 'MARK[0-9]*' "$S/feed.atom" | tr '\n' ' ')"
fi
