#!/usr/bin/env python3
"""badges.py SITE DB OUT: every run page's state words against the store.

For every run page of SITE, every testcase item (<li id="<tier>--<slug>">) is read
with the state badge it shows (class "cl-<state>" of its <a class="cl ...">, or
none). The store (DB, read only) says what it must show: the classification of the
test at the run's version and harness ref, when its state is not plainly passing
(or failures were left out as an incident); "load" for a load flake. Prints one
line per mismatch and exits 1 when there is any. Writes "run<TAB>anchor<TAB>word"
lines of every badge shown to OUT (to compare two renders' badges).
"""
import html.parser
import os
import sqlite3
import sys


class RunPage(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items, self.cur = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "li" and "case" in cls and "id" in a:
            self.cur = a["id"]
            self.items[self.cur] = None
        elif tag == "a" and "cl" in cls and self.cur is not None:
            words = [c[3:] for c in cls if c.startswith("cl-")]
            self.items[self.cur] = words[0] if words else "?"

    def handle_endtag(self, tag):
        if tag == "li":
            self.cur = None


def main():
    site, dbpath, out = sys.argv[1:4]
    db = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
    want = {}
    q = """SELECT tc.run_id, tc.tier, t.slug,
                  CASE WHEN cl.load THEN 'load' ELSE cl.state END
             FROM testcase tc JOIN run r ON r.id = tc.run_id JOIN test t ON t.id = tc.test_id
             JOIN classification cl ON cl.test_id = tc.test_id
              AND cl.version = coalesce(r.version, '') AND cl.harness_ref = coalesce(r.harness_ref, '')
            WHERE cl.state <> 'passing' OR cl.excluded > 0"""
    for run, tier, slug, word in db.execute(q):
        want[(run, "%s--%s" % (tier, slug))] = word
    bad, lines, pages = [], [], 0
    runs = os.path.join(site, "runs")
    for run in sorted(os.listdir(runs)):
        p = os.path.join(runs, run, "index.html")
        if not os.path.exists(p):
            continue
        pages += 1
        page = RunPage()
        with open(p, encoding="utf-8") as f:
            page.feed(f.read())
        for anchor, word in sorted(page.items.items()):
            exp = want.get((run, anchor))
            if word != exp:
                bad.append("%s#%s: shows %s, the store says %s" % (run, anchor, word, exp))
            if word:
                lines.append("%s\t%s\t%s\n" % (run, anchor, word))
    with open(out, "w") as f:
        f.writelines(lines)
    for b in bad[:20]:
        print(b)
    if pages == 0:
        print("no run pages in %s" % site)
        return 1
    return 1 if bad else 0


sys.exit(main())
