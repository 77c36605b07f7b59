# lib.sh: sourced by every tests/e2e/*.sh.
#   ccr ARGS...      runs the binary under test ($CCR_BUILD/ccr, wrapped by $CCR_WRAP)
#   ok NAME / fail NAME WHY      report one test
#   check NAME CMD...            ok when CMD succeeds
#   kill_ingest DB AT ALL ARGS...  kill -9 of an ingest once DB holds AT runs (below)
#   T                a fresh scratch folder for this script
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
CCR_BUILD=${CCR_BUILD:-build/rel}
case $CCR_BUILD in /*) ;; *) CCR_BUILD="$top/$CCR_BUILD" ;; esac
CCR_WRAP=${CCR_WRAP:-}
T="$top/tests/out/e2e/$(basename "$0" .sh)-$(basename "$CCR_BUILD")"
rm -rf "$T" && mkdir -p "$T"
export CCR_DB="$T/ccr.db"
FIXTURES="$top/tests/fixtures"

ccr() { $CCR_WRAP "$CCR_BUILD/ccr" "$@"; }
ok() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }
check() {
	name=$1; shift
	if "$@" > "$T/last.out" 2> "$T/last.err"; then ok "$name"; else fail "$name" "$(head -c 300 "$T/last.err")"; fi
}

# kill_ingest DB AT ALL ARGS...: `ccr ARGS...` (an ingest) into a fresh store DB in the
# background, killed with -9 once DB holds AT runs. On a fast, idle machine the ingest
# can finish before the kill lands (all ALL runs in): then it starts again on a fresh
# store, at most 3 times, so the kill hits a running ingest. stderr goes to DB.err;
# sets n to the number of runs DB holds afterwards.
kill_ingest() {
	ki_db=$1 ki_at=$2 ki_all=$3
	shift 3
	for ki_try in 1 2 3; do
		rm -f "$ki_db" "$ki_db-wal" "$ki_db-shm"
		# the binary itself in the background (not the ccr function): $! is its pid
		# batches of 100 ms (1 s by default): commits land before the ingest ends
		CCR_BATCH_MS=100 CCR_DB="$ki_db" $CCR_WRAP "$CCR_BUILD/ccr" "$@" 2> "$ki_db.err" &
		ki_pid=$!
		ki_i=0
		while [ $ki_i -lt 1500 ]; do
			n=$(sqlite3 "$ki_db" 'SELECT count(*) FROM run' 2> /dev/null || echo 0)
			[ "${n:-0}" -ge "$ki_at" ] && break
			ki_i=$((ki_i + 1))
			sleep 0.02
		done
		kill -9 $ki_pid 2> /dev/null
		wait $ki_pid 2> /dev/null
		n=$(sqlite3 "$ki_db" 'SELECT count(*) FROM run')
		[ "$n" -lt "$ki_all" ] && break
	done
}
