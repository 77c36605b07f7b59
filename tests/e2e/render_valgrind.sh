#!/bin/sh
# render_valgrind.sh: one full and one incremental render of the SQL-built store,
# small enough to run under valgrind (leaks and invalid reads are errors there).
# valgrind: yes
. "$(dirname "$0")/lib.sh"
. "$top/tests/fixtures/render_store.sh"
cd "$T"
fx_base "$T/ccr.db"
check render_small_full ccr render --out "$T/site"
fx_sweep "$T/ccr.db" 3
check render_small_incremental ccr render --out "$T/site"
[ -f "$T/site/runs/20260619T001000Z-gitea/index.html" ] && ok render_small_pages || fail render_small_pages "new run page missing"
