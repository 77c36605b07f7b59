#!/usr/bin/env python3
"""classdata.py [--now | --runs] SITE: gathers a rendered site's split data/ exports the
way README "Data files" and "data/classification" tell a script to, and prints the result
as one JSON array:
  (default)  the whole classification history: every data/classification/<recipe>/
             <version>[~<harness>].json that each recipe's index (data/classification.json
             -> "index") lists, in that order;
  --now      the state now: for each recipe of data/classification.json, the rows of
             its "url";
  --runs     every run: each day file data/runs/index.json lists, in its order.
Exit 1 when the files disagree with what lists them (a file missing, a file on disk
that no index lists, a row of another recipe, version or day, a count that differs),
naming what is wrong on stderr."""
import json
import os
import sys

STATES = ("passing", "new", "deterministic", "flaky", "fixed")


def load(data, rel):
    return json.load(open(os.path.join(data, rel)))


def states_of(rows):
    return {s: sum(1 for x in rows if x["state"] == s) for s in STATES}


def history(data, bad):
    rows, listed = [], set()
    for rec in load(data, "classification.json"):
        for e in load(data, rec["index"]) if rec["index"] else []:
            listed.add(e["url"])
            path = os.path.join(data, e["url"])
            if not os.path.isfile(path):
                bad.append("missing " + e["url"])
                continue
            part = load(data, e["url"])
            if len(part) != e["rows"]:
                bad.append("%s: %d rows, index says %d" % (e["url"], len(part), e["rows"]))
            for x in part:
                if (x["recipe"], x["version"], x["harness_ref"]) != (rec["recipe"], e["version"], e["harness_ref"]):
                    bad.append("%s: a row of %s %s %s" % (e["url"], x["recipe"], x["version"], x["harness_ref"]))
            if states_of(part) != e["states"]:
                bad.append("%s: states %s, index says %s" % (e["url"], states_of(part), e["states"]))
            rows += part
    # every version file on disk is reachable from the indexes
    top = os.path.join(data, "classification")
    for r in sorted(os.listdir(top)):
        if not os.path.isdir(os.path.join(top, r)):
            continue
        for f in sorted(os.listdir(os.path.join(top, r))):
            rel = "classification/%s/%s" % (r, f)
            if f != "index.json" and rel not in listed:
                bad.append("not in any index: " + rel)
    return rows


def now(data, bad):
    rows = []
    for rec in load(data, "classification.json"):
        if rec["url"] is None:
            part = []
        else:
            part = load(data, rec["url"])
        for x in part:
            if (x["recipe"], x["version"], x["harness_ref"]) != (rec["recipe"], rec["version"], rec["harness_ref"]):
                bad.append("%s: a row of %s %s %s" % (rec["url"], x["recipe"], x["version"], x["harness_ref"]))
        if len(part) != rec["rows"] or states_of(part) != rec["states"]:
            bad.append("%s: %d rows %s, classification.json says %d %s"
                       % (rec["recipe"], len(part), states_of(part), rec["rows"], rec["states"]))
        if (rec["url"] is None) != (rec["rows"] == 0):
            bad.append("%s: url %r with %d rows" % (rec["recipe"], rec["url"], rec["rows"]))
        rows += part
    return rows


def runs(data, bad):
    rows, listed = [], set()
    for e in load(data, "runs/index.json"):
        listed.add(e["url"])
        if e["url"] != "runs/%s.json" % e["day"]:
            bad.append("%s: url %s" % (e["day"], e["url"]))
        if not os.path.isfile(os.path.join(data, e["url"])):
            bad.append("missing " + e["url"])
            continue
        part = load(data, e["url"])
        for x in part:
            if x["started"][:10] != e["day"]:
                bad.append("%s: run %s started %s" % (e["url"], x["id"], x["started"]))
        passed = sum(1 for x in part if x["status"] == "passed")
        if (len(part), passed, len(part) - passed) != (e["runs"], e["passed"], e["failed"]):
            bad.append("%s: %d runs, %d passed, index says %d, %d, %d"
                       % (e["url"], len(part), passed, e["runs"], e["passed"], e["failed"]))
        rows += part
    for f in sorted(os.listdir(os.path.join(data, "runs"))):
        if f != "index.json" and "runs/" + f not in listed:
            bad.append("not in the index: runs/" + f)
    return rows


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 2 else ""
    data = os.path.join(sys.argv[-1], "data")
    bad = []
    rows = {"--now": now, "--runs": runs, "": history}[mode](data, bad)
    if bad:
        sys.stderr.write("classdata.py: " + "; ".join(bad[:5]) + "\n")
        sys.exit(1)
    json.dump(rows, sys.stdout)
    sys.stdout.write("\n")
