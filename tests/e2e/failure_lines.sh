#!/bin/sh
# valgrind: yes
# failure_lines.sh: collect records, for every failed or error testcase, the log line the
# site links it to (table failure_line): the first line of the run's logs (harness.log
# first, then by name) holding the test's name or its message's first line. Checked here
# against the logs themselves, read with Python's zlib; and a site rendered from the
# recorded lines equals one whose renderer searched the logs itself (no rows: a store
# collected before the table existed).
. "$(dirname "$0")/lib.sh"
"$CCR_BUILD/genhist" --out "$T/hist" --recipes 4 --tiers 3 --tests 4 --nights 8 --seed 5 \
	--start 2026-05-01 > /dev/null 2>&1 || fail failure_lines_setup "genhist failed"
ccr -q collect ingest "$T"/hist/* 2> "$T/ingest.err" || fail failure_lines_setup "$(head -c 300 "$T/ingest.err")"

failures=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM testcase WHERE status IN ('failed', 'error')")
rows=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM failure_line f JOIN testcase c USING (run_id, test_id)
	WHERE c.status IN ('failed', 'error')")
found=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM failure_line WHERE log IS NOT NULL")
if [ "$failures" -gt 0 ] && [ "$rows" = "$failures" ] && [ "$found" -gt 0 ]; then
	ok failure_lines_every_failure
else
	fail failure_lines_every_failure "$failures failures, $rows rows, $found with a line"
fi

python3 - "$CCR_DB" > "$T/check.out" 2>&1 << 'EOF'
import sqlite3, sys, zlib
db = sqlite3.connect(sys.argv[1])
bad = checked = 0
for run, test, log, line, name, msg in db.execute(
        "SELECT f.run_id, f.test_id, f.log, f.line, t.name, coalesce(c.message, '')"
        " FROM failure_line f JOIN testcase c USING (run_id, test_id) JOIN test t ON t.id = f.test_id"):
    needles = [n for n in (name, msg.splitlines()[0][:200] if msg else '') if len(n) >= 6]
    logs = db.execute("SELECT f.name, b.data FROM file f JOIN blob b ON b.hash = f.hash"
                      " WHERE f.run_id = ? AND f.kind = 'log'"
                      " ORDER BY f.name = 'logs/harness.log' DESC, f.name", (run,)).fetchall()
    want = None  # the first (log, line) holding a needle
    for lname, data in logs:
        for i, text in enumerate(zlib.decompress(data).decode('utf-8', 'replace').split('\n')):
            if any(n in text for n in needles):
                want = (lname, i + 1)
                break
        if want:
            break
    checked += 1
    if (log, line) != (want or (None, None)):
        bad += 1
        print("run %s test %s: recorded %s:%s, the logs say %s" % (run, test, log, line, want))
print("%d checked, %d wrong" % (checked, bad))
sys.exit(1 if bad or not checked else 0)
EOF
[ $? -eq 0 ] && ok failure_lines_match_logs || fail failure_lines_match_logs "$(head -c 300 "$T/check.out")"

# the same site from recorded lines and from the renderer's own search
ccr render --out "$T/recorded" 2> "$T/r1.err"
mkdir -p "$T/old" && cp "$CCR_DB" "$T/old/ccr.db" # the same name: footers show it
sqlite3 "$T/old/ccr.db" "DELETE FROM failure_line"
CCR_DB="$T/old/ccr.db" ccr render --out "$T/searched" 2> "$T/r2.err"
links=$(grep -rho 'class="loglink" href="[^"]*#L[0-9]*' "$T/recorded/recipes" | wc -l)
if [ "$links" -gt 0 ] && diff -r -x .ccr "$T/recorded" "$T/searched" > "$T/site.diff" 2>&1; then
	ok failure_lines_site_as_searched
else
	fail failure_lines_site_as_searched "$links line links; $(head -c 300 "$T/site.diff")"
fi
