#!/usr/bin/env python3
"""Prints the QR code of argv[1] as JSON rows of 0/1 modules, using Debian's libqrencode (the
library the server draws its QR codes with) through ctypes. Test helper for pages.mjs: the suite
draws the modules as an image and feeds it to the pages' image-file scanner."""
import ctypes
import ctypes.util
import json
import sys


class QRcode(ctypes.Structure):
    _fields_ = [("version", ctypes.c_int), ("width", ctypes.c_int), ("data", ctypes.POINTER(ctypes.c_ubyte))]


lib = ctypes.CDLL(ctypes.util.find_library("qrencode") or "libqrencode.so.4")
lib.QRcode_encodeString.restype = ctypes.POINTER(QRcode)
lib.QRcode_encodeString.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]
QR_ECLEVEL_M, QR_MODE_8 = 1, 2
code = lib.QRcode_encodeString(sys.argv[1].encode("utf-8"), 0, QR_ECLEVEL_M, QR_MODE_8, 1)
if not code:
    sys.exit("qrencode failed")
w = code.contents.width
rows = [[code.contents.data[y * w + x] & 1 for x in range(w)] for y in range(w)]
lib.QRcode_free(code)
print(json.dumps(rows))
