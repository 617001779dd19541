#!/usr/bin/env python3
"""A password-guessing flood for bench/http/login_flood.sh: N keep-alive connections from a
source address of its own (default 127.0.0.2, so the server sees another client than the
measured logins from 127.0.0.1), each sending wrong passwords for one account, together at
RATE requests per second (0: as fast as the server answers), for a fixed time. Prints the
requests per second and the answers by status. Loopback only: the target must be 127.0.0.0/8."""
import json, socket, sys, threading, time
from collections import Counter

port, seconds = int(sys.argv[1]), float(sys.argv[2])
login = sys.argv[3] if len(sys.argv) > 3 else "13800000002"
source = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.2"
conns = int(sys.argv[5]) if len(sys.argv) > 5 else 8
rate = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
interval = conns / rate if rate > 0 else 0.0  # seconds between one connection's requests
counts, lock = Counter(), threading.Lock()
deadline = time.time() + seconds

def worker(n):
    mine = Counter()
    s = None
    i = 0
    next_at = time.time() + interval * n / max(conns, 1)
    while time.time() < deadline:
        if interval:
            pause = next_at - time.time()
            if pause > 0:
                time.sleep(pause)
            next_at += interval
        try:
            if s is None:
                s = socket.socket()
                s.bind((source, 0))
                s.connect(("127.0.0.1", port))
                s.settimeout(10)
            body = json.dumps({"login": login, "password": f"guess-{n}-{i}"}).encode()
            i += 1
            s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("closed")
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            status = int(head[9:12])
            length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
            while len(rest) < length:
                rest += s.recv(65536)
            mine[status] += 1
            if b"connection: close" in head.lower():
                s.close(); s = None
        except OSError:
            mine["error"] += 1
            if s: s.close()
            s = None
    with lock:
        counts.update(mine)

threads = [threading.Thread(target=worker, args=(n,)) for n in range(conns)]
start = time.time()
for t in threads: t.start()
for t in threads: t.join()
total = sum(v for k, v in counts.items())
print(f"flood: {total / (time.time() - start):.0f} req/s from {source}; answers {dict(counts)}")
