#!/usr/bin/env python3
"""Writes cover.jpg: a small, valid baseline JPEG (720x1280 greyscale gradient, 8x8 blocks of flat colour),
encoded with the standard Huffman tables of ITU-T T.81 Annex K so that no image library is needed."""
import struct
import sys

WIDTH, HEIGHT = 720, 1280
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALS = list(range(12))
AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
AC_VALS = bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738"
    "393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5"
    "a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa")


def codes(bits, vals):
    table, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            table[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return table


def segment(marker, payload):
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def main(path):
    dc, ac = codes(DC_BITS, DC_VALS), codes(AC_BITS, list(AC_VALS))
    out, acc, nbits = bytearray(), 0, 0

    def put(value, length):
        nonlocal acc, nbits
        acc, nbits = (acc << length) | value, nbits + length
        while nbits >= 8:
            byte = (acc >> (nbits - 8)) & 0xFF
            out.append(byte)
            if byte == 0xFF:
                out.append(0)
            nbits -= 8

    previous = 0
    for by in range(HEIGHT // 8):
        for bx in range(WIDTH // 8):
            level = int(((by * 8) / HEIGHT) * 200 + ((bx * 8) / WIDTH) * 40) - 120  # -120 … 120
            coefficient = level * 8 // 8  # DC = 8 × mean with a quantiser of 8
            diff = coefficient - previous
            previous = coefficient
            size = abs(diff).bit_length()
            put(*dc[size])
            if size:
                put(diff if diff > 0 else diff + (1 << size) - 1, size)
            put(*ac[0x00])  # end of block: every AC coefficient is zero
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)
    data = bytearray(b"\xFF\xD8")
    data += segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    data += segment(0xDB, b"\x00" + bytes([8] * 64))
    data += segment(0xC0, struct.pack(">BHHB", 8, HEIGHT, WIDTH, 1) + b"\x01\x11\x00")
    data += segment(0xC4, b"\x00" + bytes(DC_BITS) + bytes(DC_VALS))
    data += segment(0xC4, b"\x10" + bytes(AC_BITS) + AC_VALS)
    data += segment(0xDA, b"\x01\x01\x00\x00\x3F\x00")
    data += out + b"\xFF\xD9"
    with open(path, "wb") as handle:
        handle.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "cover.jpg")
