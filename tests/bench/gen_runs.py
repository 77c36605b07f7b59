#!/usr/bin/env python3
"""gen_runs.py OUT N [--tests T] [--log-kb K] [--seed S] [--recipes R] [--start DAY]

Writes N run folders under OUT as a harness leaves them (DESIGN.md "Run
directory"): run.json, junit/<tier>__cc-ci__test_<tier>.xml for the five tiers
in pytest's xunit2 shape (about T testcases each, a few failing with tracebacks,
some skipped), and logs/harness.log of about K KiB with ANSI colours. Runs start
every 7 minutes from DAY (default 2026-06-01), spread over R recipes and two hosts, so runs
overlap. Deterministic for a given seed. For ingest tests and benchmarks.
"""
import argparse
import json
import os
import random
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape, quoteattr

TIERS = ["install", "upgrade", "backup", "restore", "custom"]
RECIPES = ["gitea", "discourse", "mattermost-lts", "mumble", "bluesky-pds", "keycloak",
           "immich", "custom-html", "nextcloud", "wordpress", "matrix-synapse", "jitsi"]
MESSAGES = ['relation "ci_marker" does not exist',
            "dial tcp 10.10.0.%d:3000: connect: connection refused",
            "failed to save \"/etc/gitea/app.ini\": open /etc/gitea/app.ini: read-only file system",
            "assert 502 == 200"]


def junit(rng, recipe, tier, ntests, t0):
    cases = []
    fails = errors = skips = 0
    for i in range(ntests):
        name = "test_%s_%03d" % (tier, i)
        cls = "tests.%s.test_%s" % (tier, tier)
        r = rng.random()
        body = ""
        if r < 0.04:
            msg = rng.choice(MESSAGES)
            if "%d" in msg:
                msg = msg % rng.randint(2, 14)
            tb = "\n".join("    frame %d in %s" % (k, name) for k in range(rng.randint(3, 30)))
            body = "<failure message=%s>%s\nE   %s</failure>" % (
                quoteattr("AssertionError: " + msg), escape(tb), escape(msg))
            fails += 1
        elif r < 0.05:
            body = "<error message=\"failed on teardown\">teardown traceback</error>"
            errors += 1
        elif r < 0.12:
            body = "<skipped type=\"pytest.skip\" message=\"not on this recipe\">skip</skipped>"
            skips += 1
        cases.append("<testcase classname=%s name=%s time=\"%.3f\">%s</testcase>" % (
            quoteattr(cls), quoteattr(name), rng.random() * 5, body))
    return ('<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
            'errors="%d" failures="%d" skipped="%d" tests="%d" time="%.3f" timestamp="%s" '
            'hostname="node">%s</testsuite></testsuites>' % (
                errors, fails, skips, ntests, 1.0, t0.strftime("%Y-%m-%dT%H:%M:%S"),
                "".join(cases)))


def log(rng, recipe, kb):
    lines = []
    size = 0
    n = 0
    while size < kb * 1024:
        n += 1
        colour = rng.choice(["\x1b[32m", "\x1b[31m", "\x1b[33m", ""])
        line = "%s[%05d]\x1b[0m %s deploy step %d: waiting for %s healthy (%d/%d)\n" % (
            colour, n, recipe, n % 17, recipe, n % 60, 60)
        lines.append(line)
        size += len(line)
    return "".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--tests", type=int, default=20)
    ap.add_argument("--log-kb", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--recipes", type=int, default=len(RECIPES))
    ap.add_argument("--start", default="2026-06-01")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    start = datetime.strptime(a.start, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    for i in range(a.n):
        recipe = RECIPES[i % a.recipes]
        t0 = start + timedelta(minutes=7 * i)
        t1 = t0 + timedelta(minutes=rng.randint(5, 20))
        d = os.path.join(a.out, "%s-%s" % (t0.strftime("%Y%m%dT%H%M%SZ"), recipe))
        os.makedirs(os.path.join(d, "junit"), exist_ok=True)
        os.makedirs(os.path.join(d, "logs"), exist_ok=True)
        meta = {"recipe": recipe, "version": "1.%d.0+2.%d" % (i % 5, i % 3),
                "host": "node%d" % (i % 2), "mode": "cold", "trigger": "sweep",
                "started": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "finished": t1.strftime("%Y-%m-%dT%H:%M:%SZ"), "exit_code": 0}
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump(meta, f)
        for tier in TIERS:
            p = os.path.join(d, "junit", "%s__cc-ci__test_%s.xml" % (tier, tier))
            with open(p, "w") as f:
                f.write(junit(rng, recipe, tier, max(1, a.tests + rng.randint(-3, 3)), t0))
        with open(os.path.join(d, "logs", "harness.log"), "w") as f:
            f.write(log(rng, recipe, a.log_kb))


if __name__ == "__main__":
    main()
