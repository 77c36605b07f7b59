#!/bin/sh
# sweep.sh: `ccr collect sweep` with small shell harnesses written here: the
# environment and folders a harness gets, the --jobs limit, time limits that kill
# whole process groups, harness.log, SIGTERM to ccr, crashes, @FILE, isolation,
# overlap, the simulated clock, exit statuses.
. "$(dirname "$0")/lib.sh"
cd "$T"
q() { sqlite3 "$CCR_DB" "$@"; }
mark="leaf-$$-$(date +%s)" # in the command line of every process a harness leaves behind
leaf="$T/$mark.sh"
printf '#!/bin/sh\nsleep 60\n' > "$leaf"
chmod +x "$leaf"
# processes still alive (not zombies: an init that does not reap is not ours to judge)
leftovers() { ps -eo stat=,args= | grep -v '^Z' | grep -c "[l]eaf-$$-" || true; }
now_ms() { date +%s%3N; }

# a harness that leaves a passing JUnit file and notes what it saw
cat > env.sh <<'EOF'
#!/bin/sh
d=$(dirname "$0")
{ echo "recipe=$CCR_RECIPE"; echo "run=$CCR_RUN_DIR"; echo "junit=$CCR_JUNIT_DIR"
  echo "trigger=$CCR_TRIGGER"; echo "sweep=${CCR_SWEEP-unset}"
  [ -d "$CCR_JUNIT_DIR" ] && [ -d "$CCR_RUN_DIR/logs" ] && echo dirs=yes; } > "$d/env-$CCR_RECIPE"
echo "to-stdout $CCR_RECIPE"
echo "to-stderr $CCR_RECIPE" >&2
printf '<testsuites><testsuite name="pytest" tests="1"><testcase classname="t" name="ok" time="0.1"/></testsuite></testsuites>' > "$CCR_JUNIT_DIR/install__cc-ci__test_install.xml"
EOF
# a harness that records when it ran: "<ms> +1" at start, "<ms> -1" at the end
cat > timed.sh <<'EOF'
#!/bin/sh
d=$(dirname "$0")
echo "$(date +%s%3N) +1" >> "$d/events"
sleep "${NAP:-0.4}"
echo "$(date +%s%3N) -1" >> "$d/events"
printf '<testsuites><testsuite name="pytest" tests="1"><testcase classname="t" name="ok" time="0.1"/></testsuite></testsuites>' > "$CCR_JUNIT_DIR/install__cc-ci__test_install.xml"
EOF
chmod +x env.sh timed.sh
# the most harnesses that ran at once, from the events file
max_at_once() { sort -n events | awk '{ n += $2; if (n > m) m = n } END { print m + 0 }'; }

# ---- environment, folders, harness.log, sweep id ----
ccr collect sweep --harness "$T/env.sh" --recipes alpha,beta --runs runs --sweep s-env > out 2> err
rc=$?
[ $rc -eq 0 ] && ok sweep_exit_0 || fail sweep_exit_0 "exit $rc: $(head -c 300 err)"
[ ! -s err ] && [ ! -s out ] && ok sweep_silent_without_terminal || fail sweep_silent_without_terminal "$(head -c 300 err out)"
dir=$(ls -d runs/*-alpha 2> /dev/null | head -1)
case $dir in runs/[0-9]*T[0-9]*Z-alpha) ok sweep_run_folder_name ;; *) fail sweep_run_folder_name "got '$dir'" ;; esac
abs=$(cd "$dir" && pwd)
if grep -qx "recipe=alpha" env-alpha && grep -qx "run=$abs" env-alpha &&
	grep -qx "junit=$abs/junit" env-alpha && grep -qx "trigger=sweep" env-alpha &&
	grep -qx "sweep=s-env" env-alpha && grep -qx dirs=yes env-alpha; then
	ok sweep_harness_environment
else
	fail sweep_harness_environment "$(tr '\n' ' ' < env-alpha)"
fi
if grep -qx "to-stdout alpha" "$dir/logs/harness.log" && grep -qx "to-stderr alpha" "$dir/logs/harness.log"; then
	ok sweep_output_in_harness_log
else
	fail sweep_output_in_harness_log "$(head -c 200 "$dir/logs/harness.log")"
fi
got=$(q "SELECT count(*) FROM file JOIN run ON run.id = file.run_id WHERE run.recipe = 'alpha' AND file.name = 'logs/harness.log'")
[ "$got" = 1 ] && ok sweep_harness_log_archived || fail sweep_harness_log_archived "got '$got'"
got=$(q "SELECT recipe, trigger_kind, sweep_id, host = '$(hostname)', load_start IS NOT NULL, load_end IS NOT NULL, exit_code FROM run ORDER BY recipe" | tr '\n' ' ')
[ "$got" = "alpha|sweep|s-env|1|1|1|0 beta|sweep|s-env|1|1|1|0 " ] && ok sweep_run_recorded || fail sweep_run_recorded "got '$got'"

# ---- --jobs limit ----
: > events
ccr collect sweep --harness "$T/timed.sh" --recipes j1,j2,j3,j4,j5 --jobs 2 --runs runs 2> err
m=$(max_at_once)
[ "$m" = 2 ] && ok sweep_jobs_limit || fail sweep_jobs_limit "at most $m at once with --jobs 2 (want 2)"
got=$(q "SELECT count(*) FROM run WHERE recipe LIKE 'j_'")
[ "$got" = 5 ] && ok sweep_jobs_all_ingested || fail sweep_jobs_all_ingested "$got runs"

# ---- isolation: one at a time, no sweep id ----
: > events
ccr collect sweep --harness "$T/timed.sh" --recipes i1,i2,i3 --jobs 4 --trigger isolation --runs runs 2> err
m=$(max_at_once)
[ "$m" = 1 ] && ok sweep_isolation_one_at_a_time || fail sweep_isolation_one_at_a_time "$m at once"
got=$(q "SELECT count(*) FROM run WHERE recipe LIKE 'i_' AND trigger_kind = 'isolation' AND sweep_id IS NULL")
[ "$got" = 3 ] && ok sweep_isolation_recorded || fail sweep_isolation_recorded "$got runs"

# ---- overlap: runs at once overlap each other; an isolated run overlaps nothing ----
: > events
NAP=1.6 ccr collect sweep --harness "$T/timed.sh" --recipes o1,o2,o3 --jobs 3 --runs runs 2> err
sleep 1.1
ccr collect sweep --harness "$T/timed.sh" --recipes o4 --trigger isolation --runs runs 2>> err
got=$(q "SELECT group_concat(recipe || ':' || (overlap >= 2), ' ') FROM (SELECT * FROM run WHERE recipe IN ('o1','o2','o3') ORDER BY recipe)")
[ "$got" = "o1:1 o2:1 o3:1" ] && ok sweep_overlap_concurrent || fail sweep_overlap_concurrent "got '$got' (recipe:overlap>=2)"
got=$(q "SELECT overlap FROM run WHERE recipe = 'o4'")
[ "$got" = 0 ] && ok sweep_overlap_isolated_zero || fail sweep_overlap_isolated_zero "got '$got'"

# ---- time limit: the whole process group is killed, exit_code 124 ----
cat > slow.sh <<EOF
#!/bin/sh
echo "slow harness \$\$"
"$leaf" &
sleep 60
EOF
chmod +x slow.sh
t0=$(now_ms)
ccr collect sweep --harness "$T/slow.sh" --recipes slow --timeout 1 --runs runs 2> err
rc=$?
el=$(($(now_ms) - t0))
[ $rc -eq 0 ] && [ "$el" -lt 8000 ] && ok sweep_timeout_stops_run || fail sweep_timeout_stops_run "exit $rc after $el ms"
n=$(leftovers)
[ "$n" = 0 ] && ok sweep_timeout_kills_process_group || fail sweep_timeout_kills_process_group "$n processes left"
got=$(q "SELECT exit_code FROM run WHERE recipe = 'slow'")
[ "$got" = 124 ] && ok sweep_timeout_exit_124 || fail sweep_timeout_exit_124 "got '$got'"
grep -q "killed after" runs/*-slow/logs/harness.log && ok sweep_timeout_noted_in_log || fail sweep_timeout_noted_in_log "no line"
grep -q "slow.*time limit" err && ok sweep_timeout_warned || fail sweep_timeout_warned "$(head -c 200 err)"

# ---- the grace after SIGTERM: the harness tears down even when the shell ccr
# started is gone at once (a harness tearing down its deploys on SIGTERM) ----
cat > teardown.sh <<'EOF'
#!/bin/sh
d=$(dirname "$0")
trap 'sleep 0.5; echo done > "$d/torn-down-$CCR_RECIPE"; exit 1' TERM
sleep 60 &
wait
EOF
chmod +x teardown.sh
ccr collect sweep --harness "$T/teardown.sh" --recipes td --timeout 1 --runs runs 2> err
[ -f torn-down-td ] && ok sweep_grace_lets_harness_tear_down || fail sweep_grace_lets_harness_tear_down "no teardown after the time limit"

# ---- a harness that crashes without JUnit: the run is kept, with an error tier ----
printf '#!/bin/sh\necho "Traceback (most recent call last):" >&2\nexit 1\n' > crash.sh
chmod +x crash.sh
ccr collect sweep --harness "$T/crash.sh" --recipes crash --runs runs 2> err
rc=$?
got=$(q "SELECT status, exit_code, (SELECT count(*) FROM tier WHERE run_id = run.id AND status = 'error') >= 1 FROM run WHERE recipe = 'crash'")
[ "$got" = "error|1|1" ] && ok sweep_crash_recorded_as_error || fail sweep_crash_recorded_as_error "got '$got' (exit $rc)"

# ---- @FILE: one a line, comments and blank lines ignored ----
printf '# recipes for tonight\n\nfa\n  fb   # trailing comment\n\n#fc\n' > list.txt
ccr collect sweep --harness "$T/env.sh" --recipes @list.txt --runs runs 2> err
got=$(q "SELECT group_concat(recipe, ',') FROM (SELECT recipe FROM run WHERE recipe LIKE 'f_' ORDER BY recipe)")
[ "$got" = "fa,fb" ] && ok sweep_recipes_file || fail sweep_recipes_file "got '$got'"

# ---- SIGTERM to ccr: running harnesses stop, finished runs stay archived ----
printf '#!/bin/sh\ncase $CCR_RECIPE in quick) exit 0 ;; esac\n"%s" &\nsleep 60\n' "$leaf" > mixed.sh
chmod +x mixed.sh
t0=$(now_ms)
"$CCR_BUILD/ccr" collect sweep --harness "$T/mixed.sh" --recipes quick,long1,long2,long3 --jobs 2 --runs runs 2> err &
pid=$!
i=0
while [ "$(q "SELECT count(*) FROM run WHERE recipe = 'quick'" 2> /dev/null)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.3
kill -TERM $pid
wait $pid
rc=$?
el=$(($(now_ms) - t0))
[ $rc -eq 2 ] && [ "$el" -lt 9000 ] && ok sweep_sigterm_stops || fail sweep_sigterm_stops "exit $rc after $el ms"
n=$(leftovers)
[ "$n" = 0 ] && ok sweep_sigterm_kills_harnesses || fail sweep_sigterm_kills_harnesses "$n processes left"
got=$(q "SELECT group_concat(recipe, ',') FROM (SELECT recipe FROM run WHERE recipe IN ('quick','long1','long2','long3') ORDER BY recipe)")
[ "$got" = quick ] && ok sweep_sigterm_keeps_finished || fail sweep_sigterm_keeps_finished "stored '$got'"
grep -q "interrupted" err && ok sweep_sigterm_reported || fail sweep_sigterm_reported "$(head -c 200 err)"
ls -d runs/*-long3 > /dev/null 2>&1 && fail sweep_sigterm_starts_no_more "long3 was started" || ok sweep_sigterm_starts_no_more

# ---- the simulated clock: CCR_NOW starts the sweep, real time gives durations ----
printf '#!/bin/sh\nsleep 1.2\nprintf "<testsuites/>" > "$CCR_JUNIT_DIR/install__s__t.xml"\n' > nap.sh
chmod +x nap.sh
CCR_NOW=2026-06-18T00:15:00Z ccr collect sweep --harness "$T/nap.sh" --recipes clock --runs runs 2> err
got=$(q "SELECT id, sweep_id LIKE '20260618T001500Z-%', finished - started >= 1 FROM run WHERE recipe = 'clock'")
[ "$got" = "20260618T001500Z-clock|1|1" ] && ok sweep_simulated_clock || fail sweep_simulated_clock "got '$got'"

# ---- errors: harness not found, usage ----
ccr collect sweep --harness "$T/no-such-harness" --recipes x1 --runs runs 2> err
rc=$?
[ $rc -eq 2 ] && grep -q "no-such-harness" err && ok sweep_harness_missing_exit_2 || fail sweep_harness_missing_exit_2 "exit $rc"
ccr collect sweep --harness "no-such-command-$$" --recipes x2,x3 --runs runs 2> err
rc=$?
got=$(q "SELECT count(*) FROM run WHERE recipe IN ('x1','x2','x3')")
[ $rc -eq 2 ] && [ "$got" = 0 ] && grep -q "not found" err && ok sweep_command_not_found_exit_2 || fail sweep_command_not_found_exit_2 "exit $rc, $got runs, $(head -c 200 err)"
: > not-a-folder
ccr collect sweep --harness true --recipes y1,y2 --runs not-a-folder 2> err
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c not-a-folder err)" = 1 ] && ok sweep_runs_folder_unusable_exit_2 || fail sweep_runs_folder_unusable_exit_2 "exit $rc: $(head -c 200 err)"
bad=0
ccr collect sweep --recipes a 2> /dev/null; [ $? -eq 2 ] || bad="no --harness"
ccr collect sweep --harness true --recipes a --jobs 0 2> /dev/null; [ $? -eq 2 ] || bad="--jobs 0"
ccr collect sweep --harness true --recipes a --trigger nightly 2> /dev/null; [ $? -eq 2 ] || bad="--trigger nightly"
ccr collect sweep --harness true --recipes a/b 2> /dev/null; [ $? -eq 2 ] || bad="recipe a/b"
ccr collect sweep --harness true --recipes a --bogus 2> /dev/null; [ $? -eq 2 ] || bad="--bogus"
ccr collect sweep --harness true --recipes a --trigger isolation --sweep s 2> /dev/null; [ $? -eq 2 ] || bad="--sweep with isolation"
[ "$bad" = 0 ] && ok sweep_usage_errors || fail sweep_usage_errors "$bad: not exit 2"
exit 0
