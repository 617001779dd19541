"""What the change-feed end-to-end tests share (feed_e2e_test.sh, feed_two_nodes_test.sh): a JSON
call, synthetic ID numbers with valid check digits, an NDJSON push of household records and a
minimal Server-Sent Events client over a raw socket (so a test can kill it mid-stream and resume
with Last-Event-ID as a browser's EventSource does)."""
import http.client
import json
import socket


def call(port, method, path, token=None, body=None, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": ctype}
    if token:
        headers["Authorization"] = "Bearer " + token
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def check_digit(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(a) * b for a, b in zip(first17, w)) % 11]


def person(prefix, n, seq):
    """A synthetic ID number: `prefix` (region + three digits of the birth year), then the year's
    last digit, month and day from n (as household_lines writes the birth date), and `seq`."""
    f = "%s%d%02d%02d%03d" % (prefix, n % 10, 1 + n % 12, 1 + n % 28, seq % 1000)
    return f + check_digit(f)


def household_lines(ids_and_keys, name, street, year):
    lines = []
    for n, pid, key in ids_and_keys:
        lines.append(json.dumps({"subject": pid, "key": key, "version": 1, "fields": {
            "name": name, "sex": "女", "ethnicity": "汉",
            "birth_date": "%d-%02d-%02d" % (year, 1 + n % 12, 1 + n % 28),
            "household_address": "浙江省杭州市西湖区%s %d 号" % (street, n),
            "household_head_id": pid, "relation_to_head": "户主"}}, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def push_household(port, key, body, expected):
    status, answer = call(port, "POST", "/api/v1/data/datasets/household_registration/records/bulk",
                          key, body, "application/x-ndjson")
    assert status == 200, answer
    assert json.loads(answer)["accepted"] == expected, answer


class Sse:
    """Reads events of GET `path` from a raw socket until closed."""

    def __init__(self, port, path, token, last_event_id=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        req = (f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               "Accept: text/event-stream\r\n")
        if last_event_id is not None:
            req += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((req + "\r\n").encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        assert b"text/event-stream" in head

    def _until(self, sep):
        while sep not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf.split(sep, 1)
        return out

    def event(self):
        ev = {}
        for line in self._until(b"\n\n").decode().split("\n"):
            if line.startswith(":") or not line:
                continue
            k, _, v = line.partition(": ")
            ev[k] = v
        return ev

    def close(self):
        self.sock.close()
