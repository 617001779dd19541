#!/usr/bin/env python3
"""Sends N GET requests one after another over one keep-alive connection to 127.0.0.1 and checks
that each gets a complete response (status 200). Used by instructions.sh to drive a server under
callgrind with a fixed amount of work.

Usage: keepalive_client.py PORT PATH N [BEARER_TOKEN]
"""
import socket
import sys


def main():
    port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    auth = f"Authorization: Bearer {sys.argv[4]}\r\n" if len(sys.argv) > 4 else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()
    s = socket.create_connection(("127.0.0.1", port))
    buf = b""
    for i in range(n):
        s.sendall(request)
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                head = buf[:end].decode("latin-1").split("\r\n")
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                if len(buf) >= end + 4 + length:
                    if not head[0].startswith("HTTP/1.1 200"):
                        sys.exit(f"request {i}: {head[0]}")
                    buf = buf[end + 4 + length:]
                    break
            chunk = s.recv(65536)
            if not chunk:
                sys.exit(f"request {i}: connection closed")
            buf += chunk


if __name__ == "__main__":
    main()
