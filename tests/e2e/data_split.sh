#!/bin/sh
# data_split.sh: the data/ exports are split so that one more night rewrites a
# bounded part of them (README "Data files", "data/classification"): a generated history
# over two months, rendered, then one more night rendered incrementally. Everything is
# gathered the way a script would (tests/e2e/classdata.py, from the indexes) and
# compared with the store:
#  - data/classification/<recipe>/<version>[~<harness>].json, found through
#    data/classification.json and each recipe's index.json, together hold exactly the
#    objects of the whole history (the same query over the store), each once, each file
#    one set of sources, and the indexes' counts agree;
#  - the state now (each recipe's url in data/classification.json) is exactly the rows
#    at each recipe's newest run's sources;
#  - data/runs/<YYYY-MM-DD>.json, found through data/runs/index.json, together hold
#    `ccr runs --json`, each run once, each day its own runs in order; data/runs.json
#    is `ccr runs --json --since` the newest start - 7 days;
#  - the checks fail on a site whose split is wrong (a run missing from every file, a
#    state row in two files, a file no index lists);
#  - after the night, only the files of the night's (recipe, version, harness ref)
#    sources, their recipes' indexes and its days change, the rest is byte-identical; a --full render
#    then changes nothing in data/ nor in feed.atom (the incremental one missed
#    nothing); the night writes a small part of data/; feed.atom holds 20 entries.
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
# compare.py KIND WANT GOT: "" when GOT holds WANT's objects, each once (runs: in order)
cat > "$T/compare.py" <<'PY'
import json, sys
kind, want, got = sys.argv[1], sys.argv[2], sys.argv[3]
def rows(p):
    if p.endswith('.jsonl'): return [json.loads(l) for l in open(p)]
    return json.load(open(p))
w, g = rows(want), rows(got)
k = lambda x: json.dumps(x, sort_keys=True)
if kind == 'runs':
    ok = w == g and len({x['id'] for x in g}) == len(g)
else:
    ok = sorted(map(k, w)) == sorted(map(k, g))
print('' if ok and len(w) > 10 else '%s: %d objects wanted, %d gathered' % (kind, len(w), len(g)))
PY
ncheck data_split_union_is_whole_export "
import json, sys, subprocess
T = sys.argv[1]
r = subprocess.run(['python3', T + '/compare.py', 'history', T + '/whole.jsonl', T + '/union.json'],
                   capture_output=True, text=True).stdout.strip()
whole = [json.loads(l) for l in open(T + '/whole.jsonl')]
vs = {(x['recipe'], x['version']) for x in whole}
print(r if r or len(vs) < 8 else '')"

# the state now: each recipe's newest run's sources, nothing older
sqlite3 "$CCR_DB" "SELECT r.recipe, coalesce(r.version, ''), coalesce(r.harness_ref, '') FROM run r
 WHERE r.id = (SELECT x.id FROM run x WHERE x.recipe = r.recipe ORDER BY x.started DESC, x.id DESC LIMIT 1)" > "$T/current.txt"
python3 -c "
import json, sys
T = sys.argv[1]
cur = {l.split('|')[0]: tuple(l.rstrip('\n').split('|')[1:]) for l in open(T + '/current.txt')}
whole = [json.loads(l) for l in open(T + '/whole.jsonl')]
json.dump([x for x in whole if cur[x['recipe']] == (x['version'] or '', x['harness_ref'] or '')],
          open(T + '/now_want.json', 'w'))" "$T"
python3 "$top/tests/e2e/classdata.py" --now "$S" > "$T/now.json" 2> "$T/now.err"
ncheck data_split_classification_now "
import json, sys, subprocess
T, S = sys.argv[1], sys.argv[2]
r = subprocess.run(['python3', T + '/compare.py', 'now', T + '/now_want.json', T + '/now.json'],
                   capture_output=True, text=True).stdout.strip()
top = json.load(open(S + '/data/classification.json'))
whole = sum(1 for l in open(T + '/whole.jsonl'))
now = json.load(open(T + '/now.json'))
err = open(T + '/now.err').read().strip()
print(err or r or ('' if [x['recipe'] for x in top] == sorted({l.split('|')[0] for l in open(T + '/current.txt')})
                   and len(now) < whole / 3 else '%d recipes, %d of %d rows' % (len(top), len(now), whole)))"

# runs: days, and the last 7 days
ccr runs --json > "$T/runs_all.json"
since=$(sqlite3 "$CCR_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started) - 7 * 86400, 'unixepoch') FROM run")
ccr runs --json --since "$since" > "$T/runs_since.json"
if [ -s "$T/runs_since.json" ] && cmp -s "$T/runs_since.json" "$S/data/runs.json"; then
	ok data_split_runs_json_is_since
else
	fail data_split_runs_json_is_since "data/runs.json differs from ccr runs --json --since $since"
fi
# --since AGE counts back from now ($CCR_NOW); a bad time is a usage error
newest=$(sqlite3 "$CCR_DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started), 'unixepoch') FROM run")
CCR_NOW=$newest ccr runs --json --since 7d > "$T/runs_age.json" 2> /dev/null
ccr runs --since 2026-13-01 > /dev/null 2>&1
rc=$?
ccr runs --since 0d > /dev/null 2>&1
rc0=$?
cmp -s "$T/runs_age.json" "$T/runs_since.json" && [ $rc = 2 ] && [ $rc0 = 2 ] && ok data_split_runs_since_age ||
	fail data_split_runs_since_age "--since 7d differs from --since $since, or bad times accepted ($rc, $rc0)"
# runs_gathered NAME SITE: the day files, gathered through the index, are `ccr runs --json`
runs_gathered() {
	if python3 "$top/tests/e2e/classdata.py" --runs "$2" > "$T/runs_got.json" 2> "$T/runs_got.err"; then
		r=$(python3 "$T/compare.py" runs "$T/runs_all.json" "$T/runs_got.json")
	else
		r=$(head -c 300 "$T/runs_got.err")
	fi
	[ -z "$r" ] && ok "$1" || fail "$1" "$r"
}
runs_gathered data_split_runs_days "$S"
ncheck data_split_runs_days_bounded "
import json, os, sys
T, S = sys.argv[1], sys.argv[2]
allr = json.load(open(T + '/runs_all.json'))
recent = json.load(open(S + '/data/runs.json'))
days = sorted(f for f in os.listdir(S + '/data/runs') if f != 'index.json')
want = sorted({x['started'][:10] + '.json' for x in allr})
print('' if days == want and len(days) >= 50 and 0 < len(recent) < len(allr) / 4
      else 'days %s, want %s' % (days[:3], want[:3]))"

# the checks above fail on a wrong split: in a copy of data/, (a) a run dropped from its
# day file (and the index's counts fixed to match), (b) a state row copied into another
# version's file of its recipe (counts fixed), (c) a day file that the index does not list
mutate() { # NAME PYTHON-MUTATING-DATA-DIR(argv[1])
	rm -rf "$T/mut" && mkdir -p "$T/mut" && cp -a "$S/data" "$T/mut/data"
	python3 -c "$2" "$T/mut/data"
}
mutate a "
import json, sys
d = sys.argv[1]
idx = json.load(open(d + '/runs/index.json'))
e = idx[len(idx) // 2]
rows = json.load(open(d + '/' + e['url']))
gone = rows.pop()
json.dump(rows, open(d + '/' + e['url'], 'w'))
e['runs'] -= 1; e['passed' if gone['status'] == 'passed' else 'failed'] -= 1
json.dump(idx, open(d + '/runs/index.json', 'w'))"
python3 "$top/tests/e2e/classdata.py" --runs "$T/mut" > "$T/mut_runs.json" 2> /dev/null
ra=$(python3 "$T/compare.py" runs "$T/runs_all.json" "$T/mut_runs.json")
mutate b "
import json, sys
d = sys.argv[1]
top = json.load(open(d + '/classification.json'))
for rec in top:
    idx = json.load(open(d + '/' + rec['index']))
    if len(idx) >= 2: break
a, b = idx[0], idx[1]
row = json.load(open(d + '/' + a['url']))[0]
part = json.load(open(d + '/' + b['url'])); part.append(dict(row, version=b['version'], harness_ref=b['harness_ref']))
json.dump(part, open(d + '/' + b['url'], 'w'))
b['rows'] += 1; b['states'][row['state']] += 1
json.dump(idx, open(d + '/' + rec['index'], 'w'))"
python3 "$top/tests/e2e/classdata.py" "$T/mut" > "$T/mut_union.json" 2> /dev/null
rb=$(python3 "$T/compare.py" history "$T/whole.jsonl" "$T/mut_union.json")
mutate c "
import json, sys
d = sys.argv[1]
idx = json.load(open(d + '/runs/index.json'))
idx.pop(0)
json.dump(idx, open(d + '/runs/index.json', 'w'))"
python3 "$top/tests/e2e/classdata.py" --runs "$T/mut" > /dev/null 2> "$T/mut_c.err"
rc=$?
[ -n "$ra" ] && [ -n "$rb" ] && [ $rc = 1 ] && grep -q 'not in the index' "$T/mut_c.err" &&
	ok data_split_checks_catch_a_wrong_split ||
	fail data_split_checks_catch_a_wrong_split "missing run: '$ra'; row twice: '$rb'; unlisted day: rc $rc"

# one more night, incrementally
rm -rf "$T/before" && cp -a "$S" "$T/before"
last=$(sqlite3 "$CCR_DB" "SELECT max(rowid) FROM run")
check data_split_ingest_night sh -c 'cd "$1" && ls | xargs "$2" -q collect ingest' sh "$T/night" "$CCR_BUILD/ccr"
check data_split_render_night ccr -q render --out "$S"
sqlite3 "$CCR_DB" "SELECT DISTINCT recipe || '|' || coalesce(version, '') || '|' || coalesce(harness_ref, '') FROM run WHERE rowid > $last" > "$T/touched.txt"
sqlite3 "$CCR_DB" "SELECT DISTINCT strftime('%Y-%m-%d', started, 'unixepoch') FROM run WHERE rowid > $last" > "$T/days.txt"
ncheck data_split_night_touches_only_its_files "
import json, os, sys, filecmp
T, S = sys.argv[1], sys.argv[2]
B = T + '/before'
touched = {tuple(l.rstrip('\n').split('|')) for l in open(T + '/touched.txt')}
days = {l.strip() + '.json' for l in open(T + '/days.txt')}
bad, changed = [], []
def cmp(f):
    same = os.path.exists(B + '/' + f) and filecmp.cmp(B + '/' + f, S + '/' + f, shallow=False)
    if not same: changed.append(f)
    return same
for rec in json.load(open(S + '/data/classification.json')):
    mine_recipe = any(t[0] == rec['recipe'] for t in touched)
    if not rec['index']: continue
    if not cmp('data/' + rec['index']) and not mine_recipe: bad.append(rec['index'])
    for e in json.load(open(S + '/data/' + rec['index'])):
        if not cmp('data/' + e['url']) and (e['recipe'], e['version'] or '', e['harness_ref'] or '') not in touched:
            bad.append(e['url'])
for m in os.listdir(S + '/data/runs'):
    if not cmp('data/runs/' + m) and m not in days and m != 'index.json': bad.append(m)
mine = [f for f in changed if f.startswith('data/classification/')]
print('' if not bad and mine and any(f.startswith('data/runs/2') for f in changed) and len(touched) >= 2
      else 'changed but not touched: %s; changed: %s; touched: %s' % (bad, changed, sorted(touched)))"
python3 "$top/tests/e2e/classdata.py" "$S" > /dev/null 2> "$T/union.err" &&
	ok data_split_index_after_night || fail data_split_index_after_night "$(head -c 300 "$T/union.err")"
ccr runs --json > "$T/runs_all.json"
runs_gathered data_split_runs_days_after_night "$S"

# bytes the night wrote in data/ against the size of data/: besides data/runs.json (the
# last 7 days, checked above) a small part (the whole-history export was 3/4 of it; with
# the state now and the history in one file each, a night wrote over a quarter)
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
print('' if total > 0 and written * 6 < total else 'wrote %d of %d bytes' % (written, total))"

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
[ "$sweeps" -gt 20 ] && [ "$n" = 20 ] && ok data_split_feed_20 || fail data_split_feed_20 "$n entries of $sweeps sweeps"

# the feed's entries: an incremental render copies those of sweeps it does not touch and
# computes the others. Marked in the feed on disk: the newest entry (its sweep is the new
# night's neighbour, so it is computed again) and the 15th (copied as it is).
python3 - "$S/feed.atom" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
parts = s.split('<entry>\n<title>')
for k in (1, 15):
    parts[k] = 'MARK%d ' % k + parts[k]
open(p, 'w').write('<entry>\n<title>'.join(parts))
PY
$CCR_WRAP "$G" --out "$T/night2" $gen --from 60 --to 61 > /dev/null 2>&1
(cd "$T/night2" && ls | xargs "$CCR_BUILD/ccr" -q collect ingest) > /dev/null 2>&1
# a recipe's index on disk that is not in the shape the renderer writes is computed
# whole again, not copied from
idx=$(python3 -c "import json, sys; print([e['index'] for e in json.load(open(sys.argv[1])) if e['index']][0])" "$S/data/classification.json")
printf '[\n{"version": garbage\n]\n' > "$S/data/$idx"
check data_split_render_night2 ccr -q render --out "$S"
python3 "$top/tests/e2e/classdata.py" "$S" > /dev/null 2> "$T/union2.err" && ! grep -q garbage "$S/data/$idx" &&
	ok data_split_index_rebuilt || fail data_split_index_rebuilt "$(head -c 300 "$T/union2.err")"
if ! grep -q 'MARK1 ' "$S/feed.atom" && grep -q 'MARK15 ' "$S/feed.atom" && [ "$(grep -c '<entry>' "$S/feed.atom")" = 20 ] &&
	xmllint --noout "$S/feed.atom" 2> /dev/null; then
	ok data_split_feed_copies_untouched_entries
else
	fail data_split_feed_copies_untouched_entries "MARK1 kept or MARK15 lost: $(grep -o 'MARK[0-9]*' "$S/feed.atom" | tr '\n' ' ')"
fi
