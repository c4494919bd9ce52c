#!/usr/bin/env python3
"""Makes a structurally valid MP4 of any size from a small one: its ftyp and moov boxes, then an mdat with a
64-bit size covering the rest of a sparse file (or, with --fill-random, of random bytes written 8 MiB at a
time). For benchmarks of the probe, hashing and uploads."""
import os
import struct
import sys

source, target, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
fill_random = "--fill-random" in sys.argv[4:]
data = open(source, "rb").read()
head, offset = b"", 0
while offset + 8 <= len(data):
    box_size, box_type = struct.unpack(">I4s", data[offset:offset + 8])
    if box_type == b"mdat" or box_size < 8:
        break
    head += data[offset:offset + box_size]
    offset += box_size
head += struct.pack(">I4sQ", 1, b"mdat", size - len(head))
with open(target, "wb") as out:
    out.write(head)
    if fill_random:
        left = size - len(head)
        while left > 0:
            step = min(left, 8 << 20)
            out.write(os.urandom(step))
            left -= step
    out.truncate(size)
