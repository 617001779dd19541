#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a server on 127.0.0.1 and reports the server's resident
memory and thread count before and after (from /proc/<pid>/status).

Usage: idle_connections.py PID PORT [N]   (run with `ulimit -n` above N + 100)
"""
import socket
import sys
import time


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["Threads"])


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    rss0, threads0 = status(pid)
    conns = []
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)  # one request each, so every connection is a real keep-alive session
        conns.append(s)
    answered = 0
    for s in conns:
        s.settimeout(10)
        if b"200 OK" in s.recv(4096):
            answered += 1
    time.sleep(1)
    rss1, threads1 = status(pid)
    print(f"idle keep-alive connections: {n} (answered {answered})")
    print(f"server RSS: {rss0} MiB before, {rss1} MiB with them open ({rss1 - rss0} MiB for {n})")
    print(f"server threads: {threads0} before, {threads1} after")
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
