#!/usr/bin/env python3
"""classdata.py SITE: prints the whole classification history of a rendered site as one
JSON array: every data/classification/<recipe>/<version>.json that
data/classification/index.json lists, in the index's order. Exit 1 when the index
and the files disagree (a file missing, a row of another recipe or version, a count
that differs), naming what is wrong on stderr."""
import json
import os
import sys


def load(site):
    data = os.path.join(site, "data")
    index = json.load(open(os.path.join(data, "classification", "index.json")))
    rows, bad = [], []
    for e in index:
        path = os.path.join(data, e["url"])
        if not os.path.isfile(path):
            bad.append("missing " + e["url"])
            continue
        part = json.load(open(path))
        if len(part) != e["rows"]:
            bad.append("%s: %d rows, index says %d" % (e["url"], len(part), e["rows"]))
        for x in part:
            if x["recipe"] != e["recipe"] or x["version"] != e["version"]:
                bad.append("%s: a row of %s %s" % (e["url"], x["recipe"], x["version"]))
        states = {s: sum(1 for x in part if x["state"] == s) for s in e["states"]}
        if states != e["states"]:
            bad.append("%s: states %s, index says %s" % (e["url"], states, e["states"]))
        rows += part
    return rows, bad


if __name__ == "__main__":
    rows, bad = load(sys.argv[1])
    if bad:
        sys.stderr.write("classdata.py: " + "; ".join(bad[:5]) + "\n")
        sys.exit(1)
    json.dump(rows, sys.stdout)
    sys.stdout.write("\n")
