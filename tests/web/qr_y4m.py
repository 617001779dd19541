#!/usr/bin/env python3
"""Writes a short Y4M video whose frames show the QR code of argv[1] (libqrencode, via
qr_matrix.py), to argv[2]. Chromium plays it as a fake camera
(--use-file-for-fake-video-capture), so the browser suite can test scanning with the camera."""
import json
import subprocess
import sys
from pathlib import Path

rows = json.loads(subprocess.check_output([sys.executable, str(Path(__file__).with_name("qr_matrix.py")), sys.argv[1]]))
scale, quiet = 8, 4
n = len(rows) + 2 * quiet
size = n * scale
size += size % 2  # 4:2:0 needs even dimensions
y = bytearray([255]) * (size * size)
for r, row in enumerate(rows):
    for c, m in enumerate(row):
        if m:
            for dy in range((r + quiet) * scale, (r + quiet + 1) * scale):
                start = dy * size + (c + quiet) * scale
                y[start:start + scale] = bytes(scale)
chroma = bytes([128]) * ((size // 2) * (size // 2) * 2)
with open(sys.argv[2], "wb") as f:
    f.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
    for _ in range(10):
        f.write(b"FRAME\n" + bytes(y) + chroma)
