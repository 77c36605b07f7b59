#!/bin/sh
# bench.sh: `make bench` [SIZE=medium|large|small]. Generates a seeded sweep history in
# a temp folder, then times, in one run and side by side: a bare libxml2 parse of its
# JUnit files, ccr collect ingest, a full render, one more night (ingest + incremental
# render), a render with nothing new, and the peers (Allure 3, Allure 2, xunit-viewer)
# on the same single sweep and on a nightly-regenerated history. Every step runs under
# /usr/bin/time -v for its peak RSS. Prints one table and the goals (PASS/MISS, each
# a ratio or a bound), and writes both to tests/out/bench.txt.
#
# Environment:
#   SIZE               medium (default: 20 recipes x 60 nights x 5 tiers x 8 tests),
#                      large (60 x 365 x 5 x 10), small (a quick self-check)
#   CCR_BENCH_CACHE    where the peers are installed (default ~/.cache/ccr-bench);
#                      never inside the repository
#   BENCH_PEERS        "allure3 allure2 xunit-viewer" (default), or "" to skip peers
#   BENCH_PEER_NIGHTS  nights of nightly regeneration for history-keeping peers (10)
#   BENCH_KEEP=1       keep the temp folder (its path is printed)
#   BENCH_CCR          the ccr binary to measure (default build/rel/ccr)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

SIZE=${SIZE:-medium}
case $SIZE in
medium) RECIPES=20 NIGHTS=60 TIERS=5 TESTS=8 ;;
large) RECIPES=60 NIGHTS=365 TIERS=5 TESTS=10 ;;
small) RECIPES=5 NIGHTS=12 TIERS=5 TESTS=4 ;;
*) echo "bench: SIZE must be small, medium or large, not '$SIZE'" >&2; exit 2 ;;
esac
SEED=${BENCH_SEED:-42}
START=2026-01-01
PEERS=${BENCH_PEERS-"allure3 allure2 xunit-viewer"}
PEER_NIGHTS=${BENCH_PEER_NIGHTS:-10}
[ "$PEER_NIGHTS" -gt "$NIGHTS" ] && PEER_NIGHTS=$NIGHTS
CACHE=${CCR_BENCH_CACHE:-$HOME/.cache/ccr-bench}
case $CACHE in "$top"/*) echo "bench: CCR_BENCH_CACHE must be outside the repository" >&2; exit 2 ;; esac
# peers, pinned to the versions verified with this bench
ALLURE3_PKG=allure@3.18.0
ALLURE2_PKG=allure-commandline@2.46.1
XUNIT_PKG=xunit-viewer@10.6.1

B=$top/build/rel
CCR=${BENCH_CCR:-$B/ccr} # BENCH_CCR: another ccr binary to measure (e.g. before/after a change)
for t in "$CCR" "$B/genhist" "$B/bareparse" /usr/bin/time; do
	[ -x "$t" ] || { echo "bench: '$t' missing: run 'make bench'" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ccr-bench.XXXXXX") || exit 2
if [ "${BENCH_KEEP:-0}" = 1 ]; then
	echo "bench: keeping $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
	trap 'rm -rf "$tmp"; exit 130' INT TERM
fi
mkdir -p tests/out
rows=$tmp/rows
: > "$rows"
goals=$tmp/goals
: > "$goals"
notes=$tmp/notes
: > "$notes"

say() { echo "bench: $*" >&2; }
note() { echo "$*" >> "$notes"; say "$*"; }

# measure NAME CMD...: runs CMD under /usr/bin/time -v; sets W (wall s), CPU (user+sys s),
# RSS (peak MB over the command and its children), RC. Output in $tmp/NAME.{out,err}.
measure() {
	m_name=$1; shift
	t0=$(date +%s%N)
	/usr/bin/time -v -o "$tmp/$m_name.time" "$@" > "$tmp/$m_name.out" 2> "$tmp/$m_name.err"
	RC=$?
	t1=$(date +%s%N)
	W=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	RSS=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$tmp/$m_name.time")
	CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' \
		"$tmp/$m_name.time")
	if [ $RC -ne 0 ]; then
		say "$m_name: exit $RC: $(grep -v '^Command exited' "$tmp/$m_name.err" | head -3 | tr '\n' ' ')"
	fi
	return $RC
}

# row STEP FILES BYTES RATE: one line of the table, from the last measure
row() {
	st=ok
	[ "$RC" -eq 0 ] || st="exit $RC"
	printf '%s|%s|%s|%s|%s|%s|%s|%s\n' "$1" "$W" "$CPU" "$RSS" "$2" "$3" "$4" "$st" >> "$rows"
}

# files and bytes under a folder, or only those newer than a marker file
count_files() { find "$1" -type f ${2:+-newer "$2"} | wc -l | tr -d ' '; }
count_bytes() { find "$1" -type f ${2:+-newer "$2"} -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
marker() { touch "$1"; sleep 0.05; } # file times have a few ms of granularity

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# goal TEXT MEASURED BOUND VERDICT-EXPR(1 pass): a PASS/MISS line
goal() {
	if [ "$4" = na ]; then v="n/a"; set -- "$1" "${5:-not measured: a ccr step failed}" "$3"; elif [ "$(awk "BEGIN { print ($4) ? 1 : 0 }")" = 1 ]; then v=PASS; else v=MISS; fi
	printf '%-4s  %-62s %s (goal %s)\n' "$v" "$1" "$2" "$3" >> "$goals"
}

night_date() { date -u -d "$START + $1 days" +%Y%m%d; }

hist=$tmp/hist
night=$tmp/night
db=$tmp/ccr.db
site=$tmp/site

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. the history, and one more night beside it ----
say "SIZE=$SIZE: $RECIPES recipes x $NIGHTS nights x $TIERS tiers x $TESTS tests, seed $SEED, in $tmp"
measure gen "$B/genhist" --out "$hist" --recipes "$RECIPES" --nights "$NIGHTS" --tiers "$TIERS" \
	--tests "$TESTS" --seed "$SEED" --start "$START" || exit 2
set -- $(cat "$tmp/gen.out") # runs N files N bytes N junit_files N junit_bytes N testcases N
G_RUNS=$2 G_FILES=$4 G_BYTES=$6 J_FILES=$8 J_BYTES=${10} G_CASES=${12}
row "generate history (genhist)" "$G_FILES" "$G_BYTES" "$G_RUNS runs, $G_CASES testcases"
measure gen_night "$B/genhist" --out "$night" --recipes "$RECIPES" --nights "$NIGHTS" \
	--tiers "$TIERS" --tests "$TESTS" --seed "$SEED" --start "$START" --from "$NIGHTS" \
	--to $((NIGHTS + 1)) || exit 2
set -- $(cat "$tmp/gen_night.out")
N_RUNS=$2 N_FILES=$4 N_BYTES=$6 N_CASES=${12}
row "generate one more night" "$N_FILES" "$N_BYTES" "$N_RUNS runs, $N_CASES testcases"
(cd "$hist" && find . -path '*/junit/*.xml' | sort) > "$tmp/junit.list"
MB=$(calc "$J_BYTES / 1048576" 1)

# ---- 2. the baseline: parse the same JUnit files and nothing else ----
rate() { # files bytes cases wall
	awk -v f="$1" -v b="$2" -v c="$3" -v w="$4" 'BEGIN {
		if (w <= 0) w = 0.001
		printf "%.0f files/s, %.1f MB/s, %.0f testcases/s", f / w, b / 1048576 / w, c / w }'
}
# warm the page cache, so that every step reads from memory alike
find "$hist" "$night" -type f -exec cat {} + > /dev/null
# the baseline is short: take the best of three, so a busy moment does not flatter ingest
BARE_W=
for i in 1 2 3; do
	measure bare sh -c 'cd "$1" && exec "$2" - < ../junit.list' sh "$hist" "$B/bareparse"
	if [ -z "$BARE_W" ] || [ "$(calc "$W < $BARE_W" 0)" = 1 ]; then
		BARE_W=$W BARE_CPU=$CPU BARE_RSS=$RSS
	fi
done
W=$BARE_W CPU=$BARE_CPU RSS=$BARE_RSS
row "bare parse, libxml2 reader (bareparse)" "$J_FILES" "$J_BYTES" "$(rate "$J_FILES" "$J_BYTES" "$G_CASES" "$W")"
if command -v xmllint > /dev/null; then
	measure xmllint sh -c 'cd "$1" && exec xargs -s 1900000 xmllint --stream --noout < ../junit.list' \
		sh "$hist"
	XMLLINT_W=$W XMLLINT_CPU=$CPU
	row "bare parse, xmllint --stream --noout" "$J_FILES" "$J_BYTES" "$(rate "$J_FILES" "$J_BYTES" "$G_CASES" "$W")"
else
	XMLLINT_W=0
	note "xmllint missing (Debian libxml2-utils): its baseline is skipped"
fi

# ---- 3. ccr: ingest the history, render it, one more night, nothing new ----
# run folders are named <start>-<recipe>, so ls lists them in time order; xargs
# passes them in as few invocations as the argument limit allows
measure ingest sh -c 'cd "$1" && ls | xargs -s 1900000 "$2" --db "$3" -q collect ingest' \
	sh "$hist" "$CCR" "$db"
ING_W=$W ING_OK=$RC ING_RSS=$RSS ING_CPU=$CPU
ING_INV=$( (cd "$hist" && ls | xargs -s 1900000 echo | wc -l | tr -d ' ') )
DB_BYTES=$(stat -c %s "$db" 2> /dev/null || echo 0)
row "ccr collect ingest (history)" "$G_FILES" "$G_BYTES" "$(rate "$J_FILES" "$J_BYTES" "$G_CASES" "$W"); store $(calc "$DB_BYTES / 1048576" 1) MB"
[ "$ING_INV" -gt 1 ] && note "ingest ran as $ING_INV invocations (xargs split the folder list)"

mkdir -p "$site"
marker "$tmp/m.full"
measure render_full "$CCR" --db "$db" -q render --out "$site"
FULL_W=$W FULL_OK=$RC FULL_RSS=$RSS FULL_CPU=$CPU
FULL_PAGES=$(count_files "$site" "$tmp/m.full") FULL_BYTES=$(count_bytes "$site" "$tmp/m.full")
row "ccr render (full)" "$FULL_PAGES" "$FULL_BYTES" "$(awk -v p="$FULL_PAGES" -v w="$W" 'BEGIN { printf "%.0f pages/s", p / (w > 0 ? w : 0.001) }')"

measure ingest_night sh -c 'cd "$1" && ls | xargs -s 1900000 "$2" --db "$3" -q collect ingest' \
	sh "$night" "$CCR" "$db"
NING_W=$W NING_OK=$RC NING_RSS=$RSS NING_CPU=$CPU
row "ccr collect ingest (one more night)" "$N_FILES" "$N_BYTES" "$N_RUNS runs"
marker "$tmp/m.incr"
measure render_incr "$CCR" --db "$db" -q render --out "$site"
INCR_W=$W INCR_OK=$RC INCR_RSS=$RSS INCR_CPU=$CPU
INCR_PAGES=$(count_files "$site" "$tmp/m.incr") INCR_BYTES=$(count_bytes "$site" "$tmp/m.incr")
row "ccr render (incremental, one night)" "$INCR_PAGES" "$INCR_BYTES" "pages rewritten"
marker "$tmp/m.noop"
measure render_noop "$CCR" --db "$db" -q render --out "$site"
NOOP_W=$W NOOP_OK=$RC NOOP_RSS=$RSS NOOP_CPU=$CPU
NOOP_PAGES=$(count_files "$site" "$tmp/m.noop") NOOP_BYTES=$(count_bytes "$site" "$tmp/m.noop")
row "ccr render (nothing new)" "$NOOP_PAGES" "$NOOP_BYTES" "pages rewritten"
SITE_FILES=$(count_files "$site") SITE_BYTES=$(count_bytes "$site")
# pages (HTML, the feed, badges) and the data/ exports are counted apart: the goal is
# about pages a browser opens; the exports are listed so their size stays visible
BIG_PAGES=$(find "$site" -type f -size +1024k ! -path "$site/data/*" | wc -l | tr -d ' ')
BIG_DATA=$(find "$site/data" -type f -size +1024k 2>/dev/null | wc -l | tr -d ' ')
BIGGEST=$(find "$site" -type f ! -path "$site/data/*" -printf '%s %P\n' | sort -n | tail -1)
BIGGEST_DATA=$(find "$site/data" -type f -printf '%s %P\n' 2>/dev/null | sort -n | tail -1)
[ -n "$BIGGEST" ] && note "site: $SITE_FILES files, $(calc "$SITE_BYTES / 1048576" 1) MB; largest page: $BIGGEST bytes"
[ -n "$BIGGEST_DATA" ] && note "data/: $BIG_DATA files over 1 MB; largest: $BIGGEST_DATA bytes"

# ---- 4. the peers: the last sweep alone, then nightly regeneration with history ----
# peer inputs: night k's JUnit files, flattened into one results folder (hard links)
peer_night() { # k out-folder
	mkdir -p "$2"
	if [ "$1" -eq "$NIGHTS" ]; then src=$night; else src=$hist; fi
	d=$(night_date "$1")
	for r in "$src"/"$d"T*; do
		[ -d "$r/junit" ] || continue
		for f in "$r"/junit/*.xml; do
			[ -f "$f" ] && ln "$f" "$2/$(basename "$r")__$(basename "$f")"
		done
	done
}
peer_install() { # name pkg@version path-inside-node_modules
	d=$CACHE/$1
	if [ -e "$d/node_modules/$3" ] &&
		grep -q "\"version\": \"${2##*@}\"" "$d/node_modules/${2%@*}/package.json" 2> /dev/null; then
		return 0
	fi
	if ! command -v npm > /dev/null; then
		note "peer $1 skipped: npm is not installed"
		return 1
	fi
	say "installing $2 into $d"
	mkdir -p "$d"
	if ! npm install --prefix "$d" --no-audit --no-fund --loglevel=error "$2" > "$tmp/npm-$1.log" 2>&1; then
		note "peer $1 skipped: 'npm install $2' failed: $(tail -2 "$tmp/npm-$1.log" | tr '\n' ' ')"
		return 1
	fi
}
out_size() { # folder-or-file -> sets OF (files), OB (bytes)
	if [ -d "$1" ]; then OF=$(count_files "$1"); OB=$(count_bytes "$1"); else OF=1; OB=$(stat -c %s "$1"); fi
}

first=$((NIGHTS - PEER_NIGHTS + 1))
for k in $(seq "$first" "$NIGHTS"); do
	peer_night "$k" "$tmp/peers/night-$k"
done
single=$tmp/peers/night-$NIGHTS
SINGLE_FILES=$(ls "$single" | wc -l | tr -d ' ')

# ccr on the same single sweep: a fresh store, ingest, full render
measure ccr_single sh -c 'cd "$1" && ls | xargs "$2" --db "$3" -q collect ingest && "$2" --db "$3" -q render --out "$4"' \
	sh "$night" "$CCR" "$tmp/single.db" "$tmp/single-site"
[ -d "$tmp/single-site" ] && out_size "$tmp/single-site" || { OF=0; OB=0; }
row "ccr single sweep (fresh store, ingest+render)" "$OF" "$OB" "$SINGLE_FILES JUnit files"

A2_NIGHT_W=0 A3_NIGHT_W=0 A2_NIGHT_B=0 A3_NIGHT_B=0
for p in $PEERS; do
	case $p in
	allure3)
		peer_install allure3 "$ALLURE3_PKG" allure/cli.js || continue
		a3() { node "$CACHE/allure3/node_modules/allure/cli.js" "$@"; }
		printf 'export default { historyPath: "%s" };\n' "$tmp/peers/a3-history.jsonl" > "$tmp/peers/a3rc.mjs"
		printf 'export default { };\n' > "$tmp/peers/a3rc-single.mjs"
		measure a3_single node "$CACHE/allure3/node_modules/allure/cli.js" generate "$single" \
			-o "$tmp/peers/a3-single" -c "$tmp/peers/a3rc-single.mjs"
		if [ $RC -ne 0 ]; then
			note "peer allure3 skipped: it failed on the single sweep (see above)"
			continue
		fi
		out_size "$tmp/peers/a3-single"
		row "Allure 3: single sweep" "$OF" "$OB" "$SINGLE_FILES JUnit files"
		tot=0
		for k in $(seq "$first" "$NIGHTS"); do
			# Allure 3 never empties its output folder (stale files pile up): start each
			# night from an empty one, outside the timing
			rm -rf "$tmp/peers/a3-report"
			measure a3_night node "$CACHE/allure3/node_modules/allure/cli.js" generate \
				"$tmp/peers/night-$k" -o "$tmp/peers/a3-report" -c "$tmp/peers/a3rc.mjs" || break
			tot=$(calc "$tot + $W" 3)
		done
		out_size "$tmp/peers/a3-report"
		A3_NIGHT_W=$W A3_NIGHT_B=$OB
		HB=$(stat -c %s "$tmp/peers/a3-history.jsonl" 2> /dev/null || echo 0)
		row "Allure 3: night $PEER_NIGHTS of $PEER_NIGHTS, history kept" "$OF" "$OB" "history file $(calc "$HB / 1048576" 1) MB; all nights $tot s"
		;;
	allure2)
		if ! command -v java > /dev/null; then
			note "peer allure2 skipped: no java on PATH (Allure 2 needs Java 8+)"
			continue
		fi
		peer_install allure2 "$ALLURE2_PKG" allure-commandline/dist/bin/allure || continue
		A2=$CACHE/allure2/node_modules/allure-commandline/dist/bin/allure
		measure a2_single "$A2" generate "$single" -o "$tmp/peers/a2-single" --clean
		if [ $RC -ne 0 ]; then
			note "peer allure2 skipped: it failed on the single sweep (see above)"
			continue
		fi
		out_size "$tmp/peers/a2-single"
		row "Allure 2: single sweep" "$OF" "$OB" "$SINGLE_FILES JUnit files"
		tot=0
		for k in $(seq "$first" "$NIGHTS"); do
			# history carried the documented way: the last report's history/ into the results
			res=$tmp/peers/a2-res-$k
			cp -al "$tmp/peers/night-$k" "$res"
			[ -d "$tmp/peers/a2-report/history" ] && cp -r "$tmp/peers/a2-report/history" "$res/history"
			measure a2_night "$A2" generate "$res" -o "$tmp/peers/a2-report" --clean || break
			tot=$(calc "$tot + $W" 3)
		done
		out_size "$tmp/peers/a2-report"
		A2_NIGHT_W=$W A2_NIGHT_B=$OB
		row "Allure 2: night $PEER_NIGHTS of $PEER_NIGHTS, history kept" "$OF" "$OB" "all nights $tot s"
		;;
	xunit-viewer)
		peer_install xunit-viewer "$XUNIT_PKG" xunit-viewer/package.json || continue
		XV=$CACHE/xunit-viewer/node_modules/xunit-viewer/bin/xunit-viewer
		[ -f "$XV" ] || XV=$CACHE/xunit-viewer/node_modules/.bin/xunit-viewer
		measure xv_single node "$XV" -r "$single" -o "$tmp/peers/xv.html"
		if [ $RC -ne 0 ]; then
			note "peer xunit-viewer skipped: it failed on the single sweep (see above)"
			continue
		fi
		out_size "$tmp/peers/xv.html"
		row "xunit-viewer: single sweep (no history)" "$OF" "$OB" "$SINGLE_FILES JUnit files"
		;;
	*) note "unknown peer '$p' ignored" ;;
	esac
done

# ---- 5. the table and the goals ----
NIGHT_W=$(calc "$NING_W + $INCR_W" 3)
NIGHT_B=$INCR_BYTES
# v "RC..." EXPR: EXPR when every step it depends on succeeded, else na
v() {
	for rc in $1; do [ "$rc" -eq 0 ] || { echo na; return; }; done
	echo "$2"
}
goal "ingest <= 2x bare parse (bareparse)" "$(calc "$ING_W / ($BARE_W > 0 ? $BARE_W : 0.001)")x (cpu $(calc "$ING_CPU / ($BARE_CPU > 0 ? $BARE_CPU : 0.01)" 1)x)" "<= 2x" "$(v "$ING_OK" "$ING_W <= 2 * $BARE_W")"
[ "$XMLLINT_W" != 0 ] && goal "ingest <= 2x bare parse (xmllint --stream)" "$(calc "$ING_W / $XMLLINT_W")x (cpu $(calc "$ING_CPU / ($XMLLINT_CPU > 0 ? $XMLLINT_CPU : 0.01)" 1)x)" "<= 2x" "$(v "$ING_OK" "$ING_W <= 2 * $XMLLINT_W")"
goal "full render" "$FULL_W s (cpu $FULL_CPU s)" "< 30 s (large)" "$(v "$FULL_OK" "$FULL_W < 30")"
goal "incremental render after one night" "$INCR_W s (cpu $INCR_CPU s)" "< 2 s" "$(v "$INCR_OK" "$INCR_W < 2")"
goal "incremental render / full render" "$(calc "100 * $INCR_W / ($FULL_W > 0 ? $FULL_W : 0.001)" 1)%" "< 5%" "$(v "$INCR_OK $FULL_OK" "$INCR_W < 0.05 * $FULL_W")"
goal "no-op render" "$NOOP_W s (cpu $NOOP_CPU s)" "< 1 s" "$(v "$NOOP_OK" "$NOOP_W < 1")"
maxrss=$(awk -F'|' '$1 ~ /^ccr/ { if ($4 > m) m = $4 } END { print m + 0 }' "$rows")
goal "peak RSS of every ccr step" "$maxrss MB" "< 150 MB" "$(v "$ING_OK $FULL_OK $NING_OK $INCR_OK $NOOP_OK" "$maxrss < 150")"
goal "history ingested + fully rendered" "$(calc "$ING_W + $FULL_W" 2) s" "< 5 s (medium)" "$(v "$ING_OK $FULL_OK" "$ING_W + $FULL_W < 5")"
goal "peak RSS, history ingest and full render" "$(calc "($ING_RSS > $FULL_RSS ? $ING_RSS : $FULL_RSS)" 1) MB" "< 100 MB (medium)" "$(v "$ING_OK $FULL_OK" "$ING_RSS < 100 && $FULL_RSS < 100")"
goal "one more night: ingest + incremental render" "$NIGHT_W s (cpu $(calc "$NING_CPU + $INCR_CPU") s)" "< 0.2 s" "$(v "$NING_OK $INCR_OK" "$NIGHT_W < 0.2")"
for p in a2:"Allure 2":$A2_NIGHT_W:$A2_NIGHT_B a3:"Allure 3":$A3_NIGHT_W:$A3_NIGHT_B; do
	IFS=: read -r _ pname pw pb <<- EOF
	$p
	EOF
	if [ "$pw" = 0 ]; then
		goal "one night vs $pname regenerating" "" ">= 20x" na "peer not run"
		continue
	fi
	goal "one night vs $pname regenerating: speed" "$(calc "$pw / ($NIGHT_W > 0 ? $NIGHT_W : 0.001)" 1)x faster" ">= 20x" "$(v "$NING_OK $INCR_OK" "$pw >= 20 * $NIGHT_W")"
	goal "one night vs $pname regenerating: bytes written" "$(calc "$pb / ($NIGHT_B > 0 ? $NIGHT_B : 1)" 1)x fewer" ">= 20x" "$(v "$NING_OK $INCR_OK" "$pb >= 20 * $NIGHT_B")"
done
goal "no page over 1 MB (data/ exports apart)" "$BIG_PAGES over" "0" "$(v "$FULL_OK" "$BIG_PAGES == 0")"
goal "no data/ export over 1 MB" "$BIG_DATA over" "0" "$(v "$FULL_OK" "$BIG_DATA == 0")"

{
	echo "ccr bench, SIZE=$SIZE: $RECIPES recipes x $NIGHTS nights x $TIERS tiers x $TESTS tests (seed $SEED)"
	echo "history: $G_RUNS runs, $J_FILES JUnit files ($MB MB), $G_CASES testcases, $G_FILES files ($(calc "$G_BYTES / 1048576" 1) MB with logs)"
	echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ); load average $LOAD0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
	echo "(walls stretch when the load exceeds the cores: the cpu column is user+sys of the step and its children)"
	echo
	awk -F'|' 'BEGIN {
		printf "%-46s %8s %7s %8s %7s %9s  %s\n", "step", "wall s", "cpu s", "RSS MB", "files", "MB", "rate / notes"
		printf "%-46s %8s %7s %8s %7s %9s  %s\n", "----", "------", "-----", "------", "-----", "--", "------------" }
	$8 != "ok" { printf "%-46s %8.3f %7.2f %8.1f %7s %9s  failed: %s\n", $1, $2, $3, $4, "-", "-", $8; next }
	{ printf "%-46s %8.3f %7.2f %8.1f %7s %9.2f  %s\n", $1, $2, $3, $4, $5, $6 / 1048576, $7 }' "$rows"
	echo
	echo "goals (every ratio measured in this one run):"
	cat "$goals"
	if [ -s "$notes" ]; then
		echo
		echo "notes:"
		sed 's/^/  /' "$notes"
	fi
} > "$tmp/report"
cat "$tmp/report"
cp "$tmp/report" tests/out/bench.txt
echo "(written to tests/out/bench.txt)"
exit 0
