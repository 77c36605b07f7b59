#!/bin/sh
# collect fetch against real HTTP servers on 127.0.0.1 (tests/e2e/httpd.py): a folder of
# runs, a re-fetch that downloads nothing, a node that is down, one that stalls, one that
# answers 500, one that drops the connection mid-file, one that fails twice then serves.
. "$(dirname "$0")/lib.sh"

pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' EXIT
export TMPDIR="$T/tmp"
mkdir -p "$TMPDIR"

# mkrun ROOT ID RECIPE VERSION STARTED: a run folder as a harness leaves it
mkrun() {
	d="$1/$2"
	mkdir -p "$d/junit" "$d/logs"
	cat > "$d/run.json" <<-EOF
	{"recipe": "$3", "version": "$4", "host": "node1", "mode": "cold", "trigger": "sweep",
	 "started": "$5", "finished": "$5", "exit_code": 0}
	EOF
	cat > "$d/junit/install__cc-ci__test_install.xml" <<-EOF
	<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="2" time="3.2"><testcase classname="tests.test_install" name="test_install_ok" time="1.5"/><testcase classname="tests.test_install" name="test_health" time="1.7"/></testsuite></testsuites>
	EOF
	seq 1 2000 | sed "s/^/$3 log line /" > "$d/logs/harness.log"
}

# serve NAME ROOT MODE: starts a server; sets $port; its requests go to $T/NAME.log
serve() {
	rm -f "$T/$1.port" "$T/$1.port.pid" "$T/$1.log"
	python3 "$top/tests/e2e/httpd.py" --root "$2" --mode "$3" --port-file "$T/$1.port" --log "$T/$1.log" \
		> "$T/$1.stderr" 2>&1 &
	pids="$pids $!"
	i=0
	while [ ! -s "$T/$1.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	: >> "$T/$1.log"
	port=$(cat "$T/$1.port")
	pids="$pids $(cat "$T/$1.port.pid")"
}
runs() { sqlite3 "$CCR_DB" "SELECT count(*) FROM run"; }
# requests that carried a file body (200 on a path that is not a folder)
file_bodies() { grep ' 200$' "$1" | grep -vc '/ 200$'; }

node1="$T/node1"
mkrun "$node1" 20260618T001730Z-mumble mumble 1.0.0+v1.6.870-0 2026-06-18T00:17:30Z
mkrun "$node1" 20260618T003000Z-gitea gitea 3.6.0 2026-06-18T00:30:00Z
mkrun "$node1" 20260618T004500Z-discourse discourse 0.8.1+3.5.0 2026-06-18T00:45:00Z
mkdir -p "$node1/not-a-run" && echo hello > "$node1/not-a-run/README"
serve ok "$node1" ok
p1=$port
base="http://127.0.0.1:$port/"

# 1. a folder of run folders
ccr collect fetch "$base" > "$T/out" 2> "$T/err"
rc=$?
n=$(runs)
src=$(sqlite3 "$CCR_DB" "SELECT source FROM run ORDER BY id LIMIT 1")
if [ $rc -eq 0 ] && [ "$n" = 3 ] && case $src in "$base"20260618T*/) true ;; *) false ;; esac; then
	ok fetch_folder_of_runs
else
	fail fetch_folder_of_runs "rc=$rc runs=$n source=$src err=$(head -c 300 "$T/err")"
fi
left=$(find "$TMPDIR" -mindepth 1 | wc -l)
[ "$left" -eq 0 ] && ok fetch_temp_removed || fail fetch_temp_removed "$left entries left in TMPDIR"
cp "$T/ok.log" "$T/ok1.log"
first_bodies=$(file_bodies "$T/ok.log")
[ "$first_bodies" -eq 9 ] && ok fetch_downloads_each_file_once || fail fetch_downloads_each_file_once "$first_bodies file bodies, want 9"

# 2. again: nothing new, so no file body at all (conditional requests: 304)
: > "$T/ok.log"
ccr collect fetch "$base" > "$T/out" 2> "$T/err"
rc=$?
b=$(file_bodies "$T/ok.log")
c304=$(grep -c ' 304$' "$T/ok.log")
if [ $rc -eq 0 ] && [ "$b" -eq 0 ] && [ "$c304" -eq 3 ] && [ "$(runs)" = 3 ]; then
	ok fetch_refetch_downloads_nothing
else
	fail fetch_refetch_downloads_nothing "rc=$rc bodies=$b 304s=$c304 log: $(tr '\n' ' ' < "$T/ok.log" | head -c 400)"
fi

# 3. a new run appears: only its files are downloaded
mkrun "$node1" 20260619T001730Z-mumble mumble 1.0.1+v1.6.870-0 2026-06-19T00:17:30Z
: > "$T/ok.log"
ccr collect fetch "$base" 2> "$T/err"
rc=$?
other=$(grep ' 200$' "$T/ok.log" | grep -v '/ 200$' | grep -vc '20260619T001730Z-mumble')
if [ $rc -eq 0 ] && [ "$(runs)" = 4 ] && [ "$other" -eq 0 ] && [ "$(file_bodies "$T/ok.log")" -eq 3 ]; then
	ok fetch_only_new_runs
else
	fail fetch_only_new_runs "rc=$rc runs=$(runs) other bodies=$other"
fi

# 4. one run folder as the URL, into a fresh store
export CCR_DB="$T/single.db"
ccr collect fetch "${base}20260618T003000Z-gitea" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(runs)" = 1 ] && ok fetch_one_run_folder || fail fetch_one_run_folder "rc=$rc runs=$(runs) $(head -c 300 "$T/err")"

# 4b. a run archived by collect ingest is recognised by its run.json: nothing else downloaded
export CCR_DB="$T/local.db"
ccr collect ingest "$node1/20260618T003000Z-gitea" 2> "$T/err"
: > "$T/ok.log"
ccr collect fetch "${base}20260618T003000Z-gitea/" 2> "$T/err"
rc=$?
b=$(file_bodies "$T/ok.log")
if [ $rc -eq 0 ] && [ "$(runs)" = 1 ] && [ "$b" -eq 1 ] && grep -q 'run.json 200$' "$T/ok.log"; then
	ok fetch_skips_run_ingested_locally
else
	fail fetch_skips_run_ingested_locally "rc=$rc runs=$(runs) bodies=$b $(head -c 300 "$T/err")"
fi

# 5. a node that is down is an error for its URL only
export CCR_DB="$T/down.db"
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ccr collect fetch --retries 1 "http://127.0.0.1:$dead/node2/" "$base" 2> "$T/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(runs)" = 4 ] && grep -q "^ccr: 'http://127.0.0.1:$dead/node2/': connection refused" "$T/err"; then
	ok fetch_node_down_others_collected
else
	fail fetch_node_down_others_collected "rc=$rc runs=$(runs) err=$(head -c 300 "$T/err")"
fi

# 6. a server answering 500 (retried, then given up)
export CCR_DB="$T/e500.db"
serve e500 "$node1" 500
p=$port
ccr collect fetch --retries 2 "http://127.0.0.1:$p/" 2> "$T/err"
rc=$?
cp "$T/e500.log" "$T/e500-1.log"
tries=$(grep -c ' 500$' "$T/e500.log")
if [ $rc -eq 1 ] && [ "$tries" -eq 3 ] && grep -q "HTTP 500 (3 attempts)" "$T/err" && [ "$(runs)" = 0 ]; then
	ok fetch_500_retried_then_error
else
	fail fetch_500_retried_then_error "rc=$rc requests=$tries err=$(head -c 300 "$T/err")"
fi

# 7. a server that stalls is abandoned after the timeout
export CCR_DB="$T/stall.db"
serve stall "$node1" stall
p=$port
t0=$(date +%s)
ccr collect fetch --timeout 1 --retries 1 "http://127.0.0.1:$p/" 2> "$T/err"
rc=$?
t1=$(date +%s)
if [ $rc -eq 1 ] && [ $((t1 - t0)) -le 8 ] && grep -q "timed out" "$T/err"; then
	ok fetch_stall_times_out
else
	fail fetch_stall_times_out "rc=$rc took $((t1 - t0))s err=$(head -c 300 "$T/err")"
fi

# 8. a connection dropped mid-file: the run is never ingested, nothing left behind
export CCR_DB="$T/drop.db"
serve drop "$node1" drop
p=$port
ccr collect fetch --retries 1 "http://127.0.0.1:$p/" 2> "$T/err"
rc=$?
left=$(find "$TMPDIR" -mindepth 1 | wc -l)
if [ $rc -eq 1 ] && [ "$(runs)" = 0 ] && [ "$left" -eq 0 ] && grep -q "connection closed before the end of the file" "$T/err" &&
	grep -q "incomplete download; run not ingested" "$T/err"; then
	ok fetch_drop_never_ingests_partial
else
	fail fetch_drop_never_ingests_partial "rc=$rc runs=$(runs) left=$left err=$(head -c 300 "$T/err")"
fi

# 9. transient 500s are retried with backoff and the runs arrive whole
export CCR_DB="$T/flaky.db"
serve flaky "$node1" flaky
p=$port
ccr collect fetch "http://127.0.0.1:$p/" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] && [ "$(runs)" = 4 ] && ok fetch_flaky_retried || fail fetch_flaky_retried "rc=$rc runs=$(runs) err=$(head -c 300 "$T/err")"

# 10. only http and https; a size limit per file
export CCR_DB="$T/misc.db"
ccr collect fetch "file:///etc/" "ftp://127.0.0.1/x/" 2> "$T/err"
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'not an http or https URL' "$T/err")" -eq 2 ] && ok fetch_http_only || fail fetch_http_only "rc=$rc $(head -c 300 "$T/err")"
ccr collect fetch --max-size 100 "${base}20260618T003000Z-gitea/" 2> "$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "larger than the limit of 100 bytes" "$T/err" && [ "$(runs)" = 0 ] && ok fetch_size_limit || fail fetch_size_limit "rc=$rc $(head -c 300 "$T/err")"
ccr collect fetch 2> "$T/err"
[ $? -eq 2 ] && ok fetch_usage || fail fetch_usage "no URL must be a usage error"

# 11. redirects: limited, and never to another protocol; TLS is verified (here: no TLS at all)
serve loop "$node1" loop
ccr collect fetch --retries 0 "http://127.0.0.1:$port/" 2> "$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "more than 5 redirects" "$T/err" && ok fetch_redirect_loop || fail fetch_redirect_loop "rc=$rc $(head -c 300 "$T/err")"
serve file "$node1" file
ccr collect fetch --retries 0 "http://127.0.0.1:$port/" 2> "$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q "only http and https are fetched" "$T/err" && ok fetch_redirect_to_file_refused || fail fetch_redirect_to_file_refused "rc=$rc $(head -c 300 "$T/err")"
ccr collect fetch --retries 0 "https://127.0.0.1:$p1/" 2> "$T/err"
rc=$?
[ $rc -eq 1 ] && grep -qi "ssl\|tls" "$T/err" && [ "$(runs)" = 0 ] && ok fetch_https_checked || fail fetch_https_checked "rc=$rc $(head -c 300 "$T/err")"
