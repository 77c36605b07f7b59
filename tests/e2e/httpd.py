#!/usr/bin/env python3
"""httpd.py: a loopback static file server for the fetch tests.

Serves ROOT with python's own autoindex listings (as `python3 -m http.server`
does), plus an ETag per file (If-None-Match and If-Modified-Since answered with
304), and can misbehave on purpose:

  --mode ok      serve normally
  --mode stall   accept the connection, never answer
  --mode 500     answer every request with 500
  --mode flaky   answer the first two requests of every path with 500, then serve
  --mode drop    listings normally; files: full Content-Length, half the body, then
                 the connection is closed
  --mode loop    every request redirected to itself plus "x/" (an endless redirect)
  --mode file    every request redirected to file:///etc/ (a protocol not allowed)

It binds 127.0.0.1 on a free port, writes its pid to PORT_FILE.pid and then the
port to --port-file once it listens,
and appends one line per request to --log: "GET /path STATUS" ("drop" for a
dropped file, "stall" for a stalled request).
"""
import argparse
import collections
import http.server
import os
import socket
import sys
import threading
import time

args = None
log_lock = threading.Lock()
counts = collections.Counter()


def log_line(text):
    with log_lock:
        with open(args.log, "a") as f:
            f.write(text + "\n")


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=args.root, **kw)

    def log_message(self, fmt, *a):
        pass

    def log_request(self, code="-", size="-"):
        log_line("%s %s %s" % (self.command, self.path, getattr(code, "value", code)))

    def end_headers(self):
        etag = getattr(self, "_etag", None)
        if etag:
            self.send_header("ETag", etag)
        super().end_headers()

    def do_GET(self):
        self._etag = None
        path = self.translate_path(self.path)
        is_file = os.path.isfile(path)
        with log_lock:
            counts[self.path] += 1
            n = counts[self.path]
        if args.mode == "stall":
            log_line("GET %s stall" % self.path)
            time.sleep(3600)
            return
        if args.mode in ("loop", "file"):
            self.send_response(302)
            self.send_header("Location", self.path + "x/" if args.mode == "loop" else "file:///etc/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if args.mode == "500" or (args.mode == "flaky" and n <= 2):
            self.send_error(500)
            return
        if is_file:
            st = os.stat(path)
            self._etag = '"%x-%x"' % (st.st_mtime_ns, st.st_size)
            if self.headers.get("If-None-Match") == self._etag:
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if args.mode == "drop":
                with open(path, "rb") as f:
                    data = f.read()
                self.send_response_only(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                log_line("GET %s drop" % self.path)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        super().do_GET()


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--mode", default="ok", choices=["ok", "stall", "500", "flaky", "drop", "loop", "file"])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    args = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    # the server's own pid beside the port: a launcher (a pyenv shim) may not exec it,
    # so the test's $! can be another process
    with open(args.port_file + ".pid", "w") as f:
        f.write("%d\n" % os.getpid())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
