#!/usr/bin/env python3
"""Where the server's request threads are, wall-clock (off-CPU too): a poor man's profiler.

   stacks.py PID SAMPLES INTERVAL_S

Attaches gdb SAMPLES times (each stop takes a few hundred ms and pauses the server: it perturbs the
rate, not the proportions), takes every thread's backtrace and classifies each thread that serves
requests (its stack holds the handler pool's or an io thread's run loop) by its innermost
recognised frame. Prints the share of thread samples per state. Used by bench/service/run.sh
(STACKS=1) during phase (c).
"""
import collections
import re
import subprocess
import sys
import time

pid, samples, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

# (state, pattern) in priority order: the first that matches a thread's stack names its state.
STATES = [
    ("waiting for the SQLite writer lock (BEGIN IMMEDIATE)", r"SqliteDatabase::Begin.*\n(?:.*\n)*?.*(?:lock_wait|mutex_lock|futex)|(?:lock_wait|mutex_lock|futex)(?:.*\n)*?.*SqliteDatabase::Begin"),
    ("COMMIT of a write transaction (WAL write, fsync)", r"DoCommit"),
    ("waiting for a read group's leader (data reads)", r"GroupCommit.*::Run\b(?:.*\n)*?|condition_variable.*GroupCommit"),
    ("upload: fsync / write of the file", r"UploadStore::Put"),
    ("in a write transaction (statements, JSON, licences)", r"Database::Transact"),
    ("in a read transaction", r"Database::Read"),
    ("request work outside transactions (JSON, auth, answer)", r"Dispatcher::Handle"),
    ("idle: waiting for a request", r"scheduler::(?:run|do_run_one)|epoll_wait|thread_pool"),
]

counts = collections.Counter()
threads_seen = 0
for i in range(samples):
    out = subprocess.run(["gdb", "-p", pid, "-batch", "-ex", "set pagination off", "-ex", "thread apply all bt 40"],
                         capture_output=True, text=True).stdout
    for block in re.split(r"\n(?=Thread \d+ )", out):
        if not block.startswith("Thread "):
            continue
        # Only threads that serve requests: the handler pool and the io threads.
        if not re.search(r"thread_pool|HttpServer::Run|Dispatcher::Handle", block):
            continue
        threads_seen += 1
        frames = "\n".join(l for l in block.splitlines() if l.startswith("#"))
        for name, pattern in STATES:
            if name.startswith("waiting for the SQLite writer"):
                hit = "SqliteDatabase::Begin" in frames and re.search(r"lock_wait|mutex_lock|futex", frames.split("SqliteDatabase::Begin")[0])
            elif name.startswith("waiting for a read group"):
                hit = "GroupCommit" in frames and re.search(r"pthread_cond|condition_variable|futex", frames.split("GroupCommit")[0]) and "Database::Run" not in frames.split("GroupCommit")[0]
            else:
                hit = re.search(pattern, frames)
            if hit:
                counts[name] += 1
                break
        else:
            counts["other"] += 1
    time.sleep(interval)

total = sum(counts.values())
print(f"request threads by state, {samples} stops of every thread (gdb), {total} thread samples:")
for name, _ in STATES + [("other", "")]:
    if counts[name]:
        print(f"  {100 * counts[name] / total:5.1f}%  {name}")
