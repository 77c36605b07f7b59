#!/bin/sh
# sweep_quick.sh: a short `ccr collect sweep` (a passing run, a crash without
# JUnit, a time limit, @FILE) quick enough to run under valgrind too.
# valgrind: yes
. "$(dirname "$0")/lib.sh"
cd "$T"
cat > h.sh <<'EOS'
#!/bin/sh
case $CCR_RECIPE in
crash) echo "Traceback (most recent call last):" >&2; exit 1 ;;
slow) exec sleep 30 ;;
esac
echo "deploying $CCR_RECIPE"
printf '<testsuites><testsuite name="pytest" tests="2"><testcase classname="tests.%s.test_install" name="test_ok" time="0.5"/><testcase classname="tests.%s.test_install" name="test_bad" time="0.1"><failure message="assert 1 == 2">E assert 1 == 2</failure></testcase></testsuite></testsuites>' "$CCR_RECIPE" "$CCR_RECIPE" > "$CCR_JUNIT_DIR/install__cc-ci__test_install.xml"
EOS
chmod +x h.sh
printf '# tonight\nok1\ncrash\n\nslow  # times out\n' > list
ccr collect sweep --harness "$T/h.sh" --recipes @list --jobs 2 --timeout 2 --runs runs --sweep s1 2> err
rc=$?
[ $rc -eq 0 ] && ok sweep_quick_exit_0 || fail sweep_quick_exit_0 "exit $rc: $(head -c 300 err)"
got=$(sqlite3 "$CCR_DB" "SELECT group_concat(recipe || ':' || status || ':' || exit_code, ' ') FROM (SELECT * FROM run ORDER BY recipe)")
[ "$got" = "crash:error:1 ok1:failed:0 slow:error:124" ] && ok sweep_quick_runs || fail sweep_quick_runs "got '$got'"
got=$(sqlite3 "$CCR_DB" "SELECT count(*) FROM run WHERE sweep_id = 's1' AND load_start IS NOT NULL")
[ "$got" = 3 ] && ok sweep_quick_sweep_and_load || fail sweep_quick_sweep_and_load "got '$got'"
grep -q "^deploying ok1$" runs/*-ok1/logs/harness.log && ok sweep_quick_harness_log || fail sweep_quick_harness_log "no output"
exit 0
