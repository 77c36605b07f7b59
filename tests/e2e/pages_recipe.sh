#!/bin/sh
# pages_recipe.sh: the recipe pages, test pages and badges, rendered from run
# folders with real pytest JUnit files (tests/browser/make-site.sh): files at the
# contract URLs, escaping of hostile names, the test-history grid's links reaching
# existing anchors, failures linked to their log line, notes through cmark.
. "$(dirname "$0")/lib.sh"

site=$T/site
notes=$T/notes
mkdir -p "$notes"
# notes with a heading, raw HTML and a javascript: link: the last two must not survive
cat > "$notes/mumble.md" <<'EOF'
# Decisions

The handshake test is a **load flake**: it fails only in heavy sweeps.
<script>alert(1)</script>

[click](javascript:alert(1)) and [the run](../../runs/20260617T001000Z-mumble/index.html)
EOF
printf 'caf\351 \377 notes\n' > "$notes/gitea.md" # not UTF-8

if ! sh "$top/tests/browser/make-site.sh" "$CCR_BUILD/ccr" "$site" "$notes" > "$T/make.out" 2> "$T/make.err"; then
	fail make-site "$(tail -3 "$T/make.err")"
	exit 1
fi
db=$site.work/ccr.db

# the slug of a test, as the store has it
slug() { sqlite3 "$db" "SELECT tier || '/' || slug FROM test WHERE recipe = '$1' AND name LIKE '$2%'"; }
hostile_dir=$(cd "$site/recipes" && ls | grep '^img-src-x-onerror')

check recipe-pages-exist test -f "$site/recipes/mumble/index.html" -a -f "$site/recipes/gitea/index.html" \
	-a -f "$site/recipes/$hostile_dir/index.html"
hs=$(slug mumble test_handshake)
check test-page-exists test -n "$hs" -a -f "$site/recipes/mumble/tests/$hs.html"
check badges-exist test -f "$site/badges/mumble.svg" -a -f "$site/badges/gitea.svg" -a -f "$site/badges/$hostile_dir.svg"
check badges-well-formed xmllint --noout "$site/badges/mumble.svg" "$site/badges/gitea.svg" "$site/badges/$hostile_dir.svg"
# mumble's latest run (the isolation re-run) passed; gitea's failed
check badge-status grep -q '>pass</text>' "$site/badges/mumble.svg"
if grep -q '>pass</text>' "$site/badges/gitea.svg"; then fail badge-status-red "gitea's badge says pass"; else ok badge-status-red; fi

# escaping: the hostile recipe and test appear as text only
hp=$site/recipes/$hostile_dir/index.html
ht=$(slug '<img src=x onerror=alert(1)>' test_hostile)
if grep -q '<img src=x\|<script>alert' "$hp" "$site/recipes/$hostile_dir/tests/$ht.html" "$site/badges/$hostile_dir.svg"; then
	fail hostile-escaped "raw markup from a name on the page"
elif grep -q '&lt;img src=x onerror=alert(1)&gt;' "$hp" &&
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$site/recipes/$hostile_dir/tests/$ht.html"; then
	ok hostile-escaped
else
	fail hostile-escaped "the hostile names are not shown escaped"
fi

# every link in the test-history grid reaches an existing anchor of a run page (a
# cell that passed is its symbol alone; the others link to the testcase)
grid=$(sed -n '/<table class="history">/,/<\/table>/p' "$site/recipes/mumble/index.html" |
	grep -o 'href="[^"]*#[^"]*"' | sed 's/^href="//; s/"$//')
n=0 bad=""
for h in $grid; do
	n=$((n + 1))
	f=${h%%#*} a=${h#*#}
	grep -q "id=\"$a\"" "$site/recipes/mumble/$f" 2> /dev/null || bad="$bad $h"
done
# 3 tests x 3 runs in the fixtures, of which one failed (the handshake in the first sweep)
if [ "$n" -ne 1 ]; then fail grid-cells "$n grid links, want 1"; elif [ -n "$bad" ]; then fail grid-cells "no anchor for$bad"; else ok grid-cells; fi
check grid-row-links-test-page grep -q "href=\"../../recipes/mumble/tests/$hs.html\"" "$site/recipes/mumble/index.html"

# the failure links to the log line that names the test (line 130 in make-site.sh's logs)
check failure-log-line grep -q 'logs/harness.log.html#L130">log line 130<' "$site/recipes/mumble/tests/$hs.html"
check failure-grouped grep -q 'timeout waiting for channel presence after 30s</pre>' "$site/recipes/mumble/tests/$hs.html"

# trends: two accessible SVG charts
check trend-charts sh -c "grep -c 'role=\"img\" aria-labelledby=' '$site/recipes/mumble/index.html' | grep -qx 2"

# notes: cmark's safe output, headings moved under the page's <h2>
np=$site/recipes/mumble/index.html
check notes-rendered grep -q '<h3>Decisions</h3>' "$np"
check notes-bold grep -q '<strong>load flake</strong>' "$np"
if grep -q '<script>alert\|javascript:' "$np"; then fail notes-safe "raw HTML or a javascript: link survived"; else ok notes-safe; fi
check notes-utf8 grep -q "$(printf 'caf\357\277\275')" "$site/recipes/gitea/index.html"

# a second render with nothing new writes nothing
sleep 1
touch "$T/stamp"
if CCR_DB=$db ccr -q render --out "$site" --notes "$notes" 2> "$T/r2.err"; then
	changed=$(find "$site" -type f -newer "$T/stamp" ! -path '*/.ccr/*' | wc -l)
	if [ "$changed" -eq 0 ]; then ok rerender-noop; else fail rerender-noop "$changed files rewritten"; fi
else
	fail rerender-noop "$(head -c 300 "$T/r2.err")"
fi
