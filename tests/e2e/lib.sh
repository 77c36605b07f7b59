# lib.sh: sourced by every tests/e2e/*.sh.
#   ccr ARGS...      runs the binary under test ($CCR_BUILD/ccr, wrapped by $CCR_WRAP)
#   ok NAME / fail NAME WHY      report one test
#   check NAME CMD...            ok when CMD succeeds
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
