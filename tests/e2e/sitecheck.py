#!/usr/bin/env python3
"""sitecheck.py SITE: checks a rendered site without a browser.

- every href/src in every .html page resolves to a file inside SITE, and its
  #fragment to an id in that file (#L<n> in a log: in the page holding line n);
- no external references: nothing starts with a scheme but the http(s) links of
  input that the pages show (class-free <a rel="nofollow noopener">);
- the markup nests: every opened element is closed in order (void elements aside);
- every file the data/ indexes list (data/classification.json, each recipe's
  data/classification/<recipe>/index.json, data/runs/index.json; urls relative to data/)
  is there.
Prints one line per problem and exits 1 when there is any.
"""
import html.parser
import json
import os
import re
import sys
import urllib.parse

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.refs, self.stack, self.problems = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append("duplicate id %r" % a["id"])
            self.ids.add(a["id"])
        for k in ("href", "src"):
            if k in a and a[k] is not None:
                self.refs.append((k, a[k], a.get("rel") or ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def main(site):
    site = os.path.realpath(site)
    pages, problems, nlinks = {}, [], 0

    def parse(path):
        if path not in pages:
            p = Page()
            with open(path, encoding="utf-8") as f:
                p.feed(f.read())
            p.close()
            pages[path] = p
        return pages[path]

    for root, _, files in os.walk(site):
        for name in files:
            if not name.endswith(".html"):
                continue
            path = os.path.join(root, name)
            page = parse(path)
            rel = os.path.relpath(path, site)
            for pr in page.problems:
                problems.append("%s: %s" % (rel, pr))
            if page.stack:
                problems.append("%s: unclosed %s" % (rel, page.stack))
            for kind, ref, relattr in page.refs:
                nlinks += 1
                u = urllib.parse.urlsplit(ref)
                if u.scheme or u.netloc:
                    if u.scheme in ("http", "https") and "nofollow" in relattr:
                        continue
                    problems.append("%s: external or scheme reference %r" % (rel, ref))
                    continue
                target = path if not u.path else os.path.normpath(os.path.join(root, urllib.parse.unquote(u.path)))
                if not target.startswith(site + os.sep):
                    problems.append("%s: %r leaves the site" % (rel, ref))
                    continue
                if not os.path.isfile(target):
                    problems.append("%s: broken link %r" % (rel, ref))
                    continue
                frag = urllib.parse.unquote(u.fragment)
                if frag and target.endswith(".html"):
                    ids = parse(target).ids
                    m = re.fullmatch(r"L(\d+)(?:-L(\d+))?", frag)
                    if frag not in ids and not (m and "log" in ids):
                        problems.append("%s: no id %r in %s" % (rel, frag, os.path.relpath(target, site)))
    # the data/ indexes: every url they list is a file under data/
    data = os.path.join(site, "data")

    def data_urls(rel, keys):
        path = os.path.join(data, rel)
        if not os.path.isfile(path):
            return []
        found = []
        for e in json.load(open(path, encoding="utf-8")):
            for k in keys:
                if e.get(k) is None:
                    continue
                target = os.path.normpath(os.path.join(data, e[k]))
                if not target.startswith(data + os.sep) or not os.path.isfile(target):
                    problems.append("data/%s: broken %s %r" % (rel, k, e[k]))
                else:
                    found.append(e[k])
        return found

    for idx in data_urls("classification.json", ("url", "index")):
        if idx.endswith("/index.json"):
            nlinks += len(data_urls(idx, ("url",)))
    nlinks += len(data_urls(os.path.join("runs", "index.json"), ("url",)))
    for p in problems:
        print(p)
    print("%d pages, %d links, %d problems" % (len(pages), nlinks, len(problems)), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
