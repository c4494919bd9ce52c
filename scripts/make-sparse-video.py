#!/usr/bin/env python3
"""Makes a structurally valid MP4 of any size from a small one: its ftyp and moov boxes, then an mdat with a
64-bit size covering the rest of a sparse file. For benchmarks of the probe, hashing and uploads."""
import struct
import sys

source, target, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
    out.truncate(size)
