#!/usr/bin/env python3
"""A test SMS / e-mail gateway for the notify webhook (docs/notifications.md): checks the
X-Tongban-Signature HMAC-SHA256 over "<timestamp>.<body>" with the deployment's secret, drops
message ids it has seen (the idempotent receiver the delivery guarantee relies on), and appends one
JSON line per message to a log: {"id", "to", "template", "repeat"}. Bad signatures get 401 and a
{"bad_signature": true} line.

    webhook_receiver.py <secret file> <port file> <log file>
Writes the port it listens on (127.0.0.1, chosen by the system) to <port file>."""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret = bytes.fromhex(open(sys.argv[1]).read().strip())
port_file, log_file = sys.argv[2], sys.argv[3]
seen = set()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ts = self.headers.get("X-Tongban-Timestamp", "")
        want = "v1=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Tongban-Signature", "")
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        with lock, open(log_file, "a") as log:
            if not hmac.compare_digest(want, got) or not fresh:
                log.write(json.dumps({"bad_signature": True}) + "\n")
                self.send_response(401)
                self.end_headers()
                return
            batch = json.loads(body)
            assert batch["batch"] == self.headers.get("Idempotency-Key")
            for m in batch["messages"]:
                log.write(json.dumps({"id": m["id"], "to": m["to"], "template": m["template"],
                                      "body": m["body"], "repeat": m["id"] in seen}, ensure_ascii=False) + "\n")
                seen.add(m["id"])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"accepted":true}')


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
