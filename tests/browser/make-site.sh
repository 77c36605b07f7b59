#!/bin/sh
# make-site.sh CCR OUT [NOTES]: builds the site the browser tests look at.
#
# Makes run folders the way a harness leaves them (JUnit files written by pytest
# itself, logs of a few hundred lines), with a load flake, a deterministic failure,
# an isolation re-run and hostile names (a recipe named <img src=x onerror=alert(1)>,
# a test and a message holding <script>alert(1)</script>), ingests them into a fresh
# store with `ccr collect ingest` and renders OUT with `ccr render --notes NOTES`
# (default: a folder with notes for mumble).
# Everything it makes lives in OUT.work/ beside OUT.
set -eu
ccr=$1
out=$2
work=$out.work
rm -rf "$work" "$out"
mkdir -p "$work/tests"
notes=${3:-$work/notes}
if [ $# -lt 3 ]; then
	mkdir -p "$notes"
	cat > "$notes/mumble.md" <<'EOF'
# mumble

Voice chat. Enrolled for canonicals since 1.0.0.

## Known failures

- `test_handshake_completes_with_channel_presence` fails under **heavy concurrent sweeps**
  and passes in isolation: a load flake, not a defect
  ([the failing run](../../runs/20260617T001000Z-mumble/index.html#custom)).
EOF
fi
export CCR_DB="$work/ccr.db" CCR_NOW=2026-06-18T12:00:00Z

# Debian's python3-pytest; the first python3 on PATH may be another one without it
py=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import pytest' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "make-site.sh: no python3 with pytest (apt-get install python3-pytest)" >&2; exit 2; }

# one test module per tier; CCR_FAIL names the tests that fail, CCR_MSG their message
touch "$work/tests/pytest.ini"
cat > "$work/tests/test_install.py" <<'EOF'
import os, pytest
def check(name):
    if name in os.environ.get("CCR_FAIL", "").split(","):
        pytest.fail(os.environ.get("CCR_MSG", "assertion failed"), pytrace=False)
def test_deploy(): check("test_deploy")
def test_health_endpoint(): check("test_health_endpoint")
EOF
cat > "$work/tests/test_custom.py" <<'EOF'
import os, pytest
def check(name):
    if name in os.environ.get("CCR_FAIL", "").split(","):
        pytest.fail(os.environ.get("CCR_MSG", "assertion failed"))
def test_handshake_completes_with_channel_presence(): check("test_handshake_completes_with_channel_presence")
def test_restore_returns_state(): check("test_restore_returns_state")
@pytest.mark.parametrize("v", ["<script>alert(1)</script>"])
def test_hostile(v): check("test_hostile")
EOF

# tier DIR TIER MODULE SELECT FAIL MSG: one tier's JUnit file, written by pytest
# running the tests of MODULE whose names match SELECT (pytest -k)
tier() {
	mkdir -p "$1/junit"
	(cd "$work/tests" && CCR_FAIL=$5 CCR_MSG=$6 "$py" -m pytest -q -p no:cacheprovider \
		-k "$4" --junitxml="$1/junit/$2__cc-ci__$3.xml" "$3.py" > /dev/null 2>&1) || true
}

# log DIR NEEDLE: a 300-line harness log naming NEEDLE at line 130
log() {
	mkdir -p "$1/logs"
	awk -v needle="$2" 'BEGIN {
		for (i = 1; i <= 300; i++)
			if (i == 130) print "E   FAILED " needle
			else printf "%04d harness: step %d of 300 <ok> & done\n", i, i
	}' > "$1/logs/harness.log"
}

# run NAME RECIPE VERSION TRIGGER STARTED FINISHED EXIT
run() {
	d="$work/runs/$1"
	mkdir -p "$d"
	cat > "$d/run.json" <<EOF
{"recipe": "$2", "version": "$3", "trigger": "$4", "mode": "cold", "host": "ci-1",
 "started": "$5", "finished": "$6", "exit_code": $7, "tiers": {"upgrade": "expected_na"}}
EOF
	echo "$d"
}

all=test_
d=$(run 1 mumble 1.0.0+1.5.0 sweep 2026-06-16T00:10:00Z 2026-06-16T00:20:00Z 0)
tier "$d" install test_install $all "" ""
tier "$d" custom test_custom handshake "" ""
log "$d" "nothing failed"
d=$(run 2 mumble 1.0.0+1.5.0 sweep 2026-06-17T00:10:00Z 2026-06-17T00:25:00Z 1)
tier "$d" install test_install $all "" ""
tier "$d" custom test_custom handshake test_handshake_completes_with_channel_presence \
	"timeout waiting for channel presence after 30s"
log "$d" "test_handshake_completes_with_channel_presence"
d=$(run 3 mumble 1.0.0+1.5.0 isolation 2026-06-17T06:00:00Z 2026-06-17T06:09:00Z 0)
tier "$d" install test_install $all "" ""
tier "$d" custom test_custom handshake "" ""
log "$d" "nothing failed"
d=$(run 4 gitea 2.1.9+10.11.15 sweep 2026-06-17T00:11:00Z 2026-06-17T00:30:00Z 1)
tier "$d" install test_install $all "" ""
tier "$d" restore test_custom restore test_restore_returns_state 'relation "ci_marker" does not exist'
log "$d" "test_restore_returns_state"
d=$(run 5 '<img src=x onerror=alert(1)>' '0.1.0+<b>1</b>' sweep 2026-06-17T00:12:00Z 2026-06-17T00:14:00Z 1)
tier "$d" install test_install $all "" ""
tier "$d" custom test_custom hostile test_hostile "<script>alert(1)</script>"
log "$d" "test_hostile[<script>alert(1)</script>]"

"$ccr" -q collect ingest "$work"/runs/*
"$ccr" -q render --out "$out" --notes "$notes"
