#!/usr/bin/env python3
"""Draw the Fuel Copilot icon (a fuel drop on a rounded teal tile) and write the
PNG and ICO files Tauri bundles. Standard library only, so it runs anywhere:
`python3 scripts/gen-icons.py` rewrites icons/ deterministically."""

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "icons"
SS = 4  # supersampling factor per axis, for smooth (anti-aliased) edges

TOP = (0x12, 0x7A, 0x8C)  # tile gradient, top
BOTTOM = (0x0B, 0x3D, 0x5C)  # tile gradient, bottom
DROP = (0xFF, 0xFF, 0xFF)
GAUGE = (0xF5, 0xA6, 0x23)


def inside_rounded_square(x, y, r):
    """Unit coordinates in [0,1]; r is the corner radius."""
    m = 0.04
    if x < m or y < m or x > 1 - m or y > 1 - m:
        return False
    cx = min(max(x, m + r), 1 - m - r)
    cy = min(max(y, m + r), 1 - m - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def inside_drop(x, y):
    """A drop: a circle at the bottom with a tangent point above it."""
    cx, cy, r = 0.5, 0.60, 0.22
    if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
        return True
    tip_y = 0.16
    if y < tip_y or y > cy:
        return False
    # Tangent lines from the tip to the circle bound the upper part.
    d = cy - tip_y
    half_angle = math.asin(r / d)
    t = (y - tip_y) / (d * math.cos(half_angle) ** 2) if d else 0
    half_width = math.tan(half_angle) * (y - tip_y)
    return abs(x - cx) <= half_width and t <= 1.0


def inside_gauge(x, y):
    """A level mark across the drop: the fuel line."""
    return 0.62 <= y <= 0.68 and abs(x - 0.5) <= 0.15


def pixel(size, px, py):
    acc = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SS):
        for sx in range(SS):
            x = (px + (sx + 0.5) / SS) / size
            y = (py + (sy + 0.5) / SS) / size
            if not inside_rounded_square(x, y, 0.2):
                continue
            if inside_gauge(x, y):
                c = GAUGE
            elif inside_drop(x, y):
                c = DROP
            else:
                c = tuple(TOP[i] + (BOTTOM[i] - TOP[i]) * y for i in range(3))
            acc[0] += c[0]
            acc[1] += c[1]
            acc[2] += c[2]
            acc[3] += 255
    n = SS * SS
    a = acc[3] / n
    if a == 0:
        return (0, 0, 0, 0)
    cover = acc[3] / 255
    return tuple(round(acc[i] / cover) for i in range(3)) + (round(a),)


def png(size):
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter: none
        for px in range(size):
            rows.extend(pixel(size, px, py))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def ico(pngs):
    """ICO with embedded PNG images (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries = b""
    offset = 6 + 16 * len(pngs)
    for size, data in pngs:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(d for _, d in pngs)


def main():
    OUT.mkdir(exist_ok=True)
    cache = {}
    for name, size in [
        ("32x32.png", 32),
        ("64x64.png", 64),
        ("128x128.png", 128),
        ("128x128@2x.png", 256),
        ("icon.png", 512),
    ]:
        cache[size] = png(size)
        (OUT / name).write_bytes(cache[size])
    cache[16] = png(16)
    cache[48] = png(48)
    (OUT / "icon.ico").write_bytes(ico([(s, cache[s]) for s in (16, 32, 48, 64, 128, 256)]))


if __name__ == "__main__":
    main()
