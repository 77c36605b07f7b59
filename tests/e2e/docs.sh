#!/bin/sh
# Decisions documents: every kind of reference renders and resolves, a broken one is
# reported, back-links appear on the cited run, test and recipe pages, raw HTML never
# passes through.
# valgrind: yes
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/empty" "$T/docs/ops"
ccr collect canon "$T/empty" # an empty store
sqlite3 "$CCR_DB" "
INSERT INTO sweep(id, host, started, finished) VALUES ('s1', 'node1', 1781740000, 1781750000);
INSERT INTO run(id, recipe, version, host, trigger_kind, sweep_id, started, finished, status, manifest_hash, ingested_at)
VALUES ('20260618T001730Z-mattermost-lts', 'mattermost-lts', '2.1.9+10.11.15', 'node1', 'sweep', 's1', 1781741850, 1781745000, 'failed', 'm', 1781746000),
       ('20260618T003000Z-mumble', 'mumble', '1.0.0+v1.6.870-0', 'node1', 'sweep', 's1', 1781742600, 1781745000, 'passed', 'm', 1781746000);
INSERT INTO tier(run_id, name, seq, status, tests, failures) VALUES
  ('20260618T001730Z-mattermost-lts', 'restore', 4, 'failed', 1, 1), ('20260618T003000Z-mumble', 'custom', 5, 'passed', 1, 0);
INSERT INTO test(id, recipe, tier, classname, name, slug) VALUES
  (1, 'mattermost-lts', 'restore', 'tests.test_restore', 'test_restore_returns_state', 'test_restore.test_restore_returns_state-0a1b2c3d'),
  (2, 'mumble', 'custom', 'custom.test_protocol_handshake', 'test_handshake_completes_with_channel_presence', 'test_protocol_handshake.test_handshake_completes_with_channel_presence-1f2e3d4c');
INSERT INTO testcase(run_id, test_id, tier, seq, status, message, signature) VALUES
  ('20260618T001730Z-mattermost-lts', 1, 'restore', 1, 'failed', 'relation \"ci_marker\" does not exist', '5e1f00d2a9c4'),
  ('20260618T003000Z-mumble', 2, 'custom', 1, 'passed', NULL, NULL);
INSERT INTO signature(id, text, occurrences, runs, recipes, tests, last_run) VALUES
  ('5e1f00d2a9c4', 'relation <id> does not exist', 1, 1, 1, 1, '20260618T001730Z-mattermost-lts');"

cat > "$T/docs/decisions.md" <<'EOF'
# Decisions

## Mattermost restore

The restore of 20260618T001730Z-mattermost-lts fails on every run at
mattermost-lts@2.1.9+10.11.15: mattermost-lts/restore/test_restore_returns_state
(signature sig:5e1f00d2a9c4), a recipe defect. See [its tier](runs/20260618T001730Z-mattermost-lts/index.html#restore).

## Mumble handshake

A load flake: `mumble/custom/test_protocol_handshake.py::test_handshake_completes_with_channel_presence`
passed in isolation; compare [the notes](ops/notes.md) and the [timeline](timeline.html).

| run | verdict |
|---|---|
| 20260618T003000Z-mumble | [green](runs/20260618T003000Z-mumble/index.html#custom) |

<script>alert("x")</script>

Inline <img src=x onerror=alert(1)> and [js](javascript:alert(1)) and [data](data:text/html,x).

Not references: mail someone@example.com, and/or/maybe, 20260618T001730Z alone, `sig:xyz`.

## Broken

A typo: 20260618T001730Z-mattermost and gitea@9.9.9 and [gone](recipes/nope/index.html).
EOF
printf '# Notes\n\nSee [decisions](../decisions.md#mattermost-restore).\n' > "$T/docs/ops/notes.md"

ccr render --out "$T/site" --docs "$T/docs" 2> "$T/err"
rc=$?
d="$T/site/docs/decisions.html"
[ $rc -eq 1 ] && [ -f "$d" ] && [ -f "$T/site/docs/ops/notes.html" ] && [ -f "$T/site/docs/index.html" ] && ok docs_rendered ||
	fail docs_rendered "rc=$rc (want 1: broken references) $(ls "$T/site/docs" 2>&1) $(head -c 300 "$T/err")"

# every kind of reference became a link
for want in \
	'<a class="ref" href="../runs/20260618T001730Z-mattermost-lts/index.html">20260618T001730Z-mattermost-lts</a>' \
	'<a class="ref" href="../recipes/mattermost-lts/index.html">mattermost-lts@2.1.9+10.11.15</a>' \
	'<a class="ref" href="../recipes/mattermost-lts/tests/restore/test_restore.test_restore_returns_state-0a1b2c3d.html">mattermost-lts/restore/test_restore_returns_state</a>' \
	'<a class="ref" href="../signatures/5e1f00d2a9c4.html">sig:5e1f00d2a9c4</a>' \
	'<a href="../runs/20260618T001730Z-mattermost-lts/index.html#restore">its tier</a>' \
	'<a class="ref" href="../recipes/mumble/tests/custom/test_protocol_handshake.test_handshake_completes_with_channel_presence-1f2e3d4c.html"><code>' \
	'<a href="../docs/ops/notes.html">the notes</a>' \
	'<a href="../timeline.html">timeline</a>' \
	'<td><a class="ref" href="../runs/20260618T003000Z-mumble/index.html">20260618T003000Z-mumble</a></td>' \
	'<td><a href="../runs/20260618T003000Z-mumble/index.html#custom">green</a></td>'; do
	grep -qF "$want" "$d" || { fail docs_references "missing: $want"; bad=1; }
done
[ -z "${bad:-}" ] && ok docs_references

grep -qF '<p>Not references: mail someone@example.com, and/or/maybe, 20260618T001730Z alone, <code>sig:xyz</code>.</p>' "$d" &&
	ok docs_not_references || fail docs_not_references "$(grep -o '<p>Not references.*' "$d")"

# every relative link on the page leads to a file of the site (broken ones are not links)
missing=$(grep -o 'href="[^"#]*' "$d" | sed 's/^href="//' | grep -v '^http' | while read -r h; do
	[ -e "$T/site/docs/$h" ] || echo "$h"; done)
[ -z "$missing" ] && ok docs_links_resolve || fail docs_links_resolve "dangling: $missing"

# broken references: marked on the page, named on stderr with file and line
nb=$(grep -o '<small>\[broken\]</small>' "$d" | wc -l)
if [ "$nb" -eq 3 ] && grep -q "^ccr: warning: 'decisions.md:26': broken reference '20260618T001730Z-mattermost': no such run" "$T/err" &&
	grep -q "'decisions.md:26': broken reference 'gitea@9.9.9'" "$T/err" && grep -q "'recipes/nope/index.html': no such recipe" "$T/err"; then
	ok docs_broken_reported
else
	fail docs_broken_reported "marks=$nb err=$(head -c 400 "$T/err")"
fi

# in several processes: the same site, each warning once (every process reads the docs)
ccr render --jobs 2 --out "$T/site2" --docs "$T/docs" 2> "$T/err2"
rc=$?
nw=$(grep -c "broken reference 'gitea@9.9.9'" "$T/err2")
[ $rc -eq 1 ] && [ "$nw" -eq 1 ] && diff -r -x .ccr "$T/site" "$T/site2" > "$T/site2.diff" 2>&1 &&
	ok docs_jobs_warn_once || fail docs_jobs_warn_once "rc $rc, warned $nw times, $(head -c 200 "$T/site2.diff")"

# raw HTML escaped, never passed through; javascript: dropped
if ! grep -q '<script>alert' "$d" && ! grep -q '<img' "$d" && ! grep -q 'href="javascript\|href="data' "$d" &&
	grep -q '&lt;script&gt;' "$d" && grep -q '&lt;img src=x onerror=alert(1)&gt; and js and data' "$d"; then
	ok docs_raw_html_escaped
else
	fail docs_raw_html_escaped "$(grep -n 'script\|img\|javascript' "$d" | head -3)"
fi
grep -A1 '^<h1 id="decisions">Decisions</h1>$' "$d" | grep -q '^<nav class="toc"' && grep -q '<a href="#mumble-handshake">Mumble handshake</a>' "$d" && ok docs_toc || fail docs_toc "no contents"
grep -q '<a href="../../docs/decisions.html#mattermost-restore">decisions</a>' "$T/site/docs/ops/notes.html" && ok docs_between_docs || fail docs_between_docs "$(grep -o '<p>See.*' "$T/site/docs/ops/notes.html")"

# back-links: the cited run, test and recipe pages list the document and section
grep -qF '<a href="../../docs/decisions.html#mattermost-restore">decisions.md: Mattermost restore</a>' "$T/site/runs/20260618T001730Z-mattermost-lts/index.html" &&
	ok docs_backlink_run || fail docs_backlink_run "run page"
grep -qF 'decisions.md: Mattermost restore</a>' "$T/site/recipes/mattermost-lts/tests/restore/test_restore.test_restore_returns_state-0a1b2c3d.html" &&
	ok docs_backlink_test || fail docs_backlink_test "test page"
grep -qF 'decisions.md: Mumble handshake</a>' "$T/site/recipes/mumble/index.html" &&
	grep -qF 'decisions.md: Mumble handshake</a>' "$T/site/recipes/mumble/tests/custom/test_protocol_handshake.test_handshake_completes_with_channel_presence-1f2e3d4c.html" &&
	ok docs_backlink_recipe || fail docs_backlink_recipe "mumble pages"

grep -qF 'decisions.md: Mattermost restore</a>' "$T/site/signatures/5e1f00d2a9c4.html" &&
	ok docs_backlink_signature || fail docs_backlink_signature "signature page"

# fixing the document re-renders, and the back-links follow
sed -i 's/20260618T001730Z-mattermost and gitea@9.9.9 and \[gone\](recipes\/nope\/index.html)/none/' "$T/docs/decisions.md"
ccr render --out "$T/site" --docs "$T/docs" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && ! grep -q '\[broken\]' "$d" && ok docs_fixed_rerendered || fail docs_fixed_rerendered "rc=$rc $(head -c 300 "$T/err")"
