#!/usr/bin/env python3
"""Prints width, height, distinct colours and non-white pixels of an 8-bit RGB/RGBA PNG.

Used by report_render_test.cpp to check that Chromium's screenshot of the case report is
not blank. Standard library only (zlib inflates the IDAT stream; the scanline filters
are undone here).
"""
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        print("error not-a-png")
        return 1
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    if depth != 8 or colour not in (2, 6):
        print("error unsupported depth=%d colour=%d" % (depth, colour))
        return 1
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours, non_white = set(), 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 0xFF
        for x in range(0, stride, bpp):
            px = bytes(line[x:x + 3])
            if px != b"\xff\xff\xff":
                non_white += 1
            if len(colours) < 100000:
                colours.add(px)
        prev = line
    print("width %d height %d colours %d nonwhite %d" % (width, height, len(colours), non_white))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
