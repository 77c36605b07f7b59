#!/bin/sh
# run.sh: every test layer, in order; ends with one line "N passed, N failed".
#
# Each test program prints one line per test: "ok NAME" or "not ok NAME: why".
# Phases (CCR_TEST_PHASES, default all of them):
#   unit       tests/unit on the normal build
#   e2e        tests/e2e/*.sh against the normal ccr binary
#   san        unit + e2e again on the ASan+UBSan build (build/san)
#   valgrind   the e2e scripts marked "# valgrind: yes" under valgrind (leaks are errors)
#   browser    tests/browser/*.mjs in headless Chromium on a rendered site
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=tests/out
mkdir -p "$out"
phases=${CCR_TEST_PHASES:-"unit e2e san valgrind browser"}
results="$out/results.txt"
: > "$results"

# run one test program; its ok/not ok lines go to the results, the rest to a log
run() { # phase name cmd...
	phase=$1; name=$2; shift 2
	log="$out/$phase-$(echo "$name" | tr '/ ' '__').log"
	"$@" > "$log.stdout" 2> "$log"
	rc=$?
	grep -E '^(ok|not ok) ' "$log.stdout" | sed "s|^\(not ok\|ok\) |\1 [$phase] |" >> "$results"
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$log.stdout"; then
		echo "not ok [$phase] $name: exited $rc (see $log)" >> "$results"
	fi
	grep '^not ok ' "$log.stdout" | sed "s|^|  [$phase] |" >&2
	[ $rc -eq 0 ] || { echo "  [$phase] $name: exit $rc; stderr in $log" >&2; tail -5 "$log" | sed 's/^/    /' >&2; }
}

e2e_all() { # phase build-dir [filter]
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		[ "$t" = tests/e2e/lib.sh ] && continue
		if [ "${3:-}" = valgrind ] && ! grep -q '^# valgrind: yes' "$t"; then continue; fi
		CCR_BUILD=$2 run "$1" "$t" sh "$t"
	done
}

for p in $phases; do
	case $p in
	unit) run unit unit build/rel/test_unit ;;
	e2e) e2e_all e2e build/rel ;;
	san)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		run san unit build/san/test_unit
		e2e_all san build/san
		unset ASAN_OPTIONS UBSAN_OPTIONS ;;
	valgrind)
		CCR_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
			e2e_all valgrind build/rel valgrind ;;
	browser)
		for t in tests/browser/*.mjs; do
			[ -f "$t" ] || continue
			run browser "$t" node "$t"
		done ;;
	*) echo "run.sh: unknown phase '$p'" >&2; exit 2 ;;
	esac
done

pass=$(grep -c '^ok ' "$results")
fail=$(grep -c '^not ok ' "$results")
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
