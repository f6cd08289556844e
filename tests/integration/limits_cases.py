"""Size limits on a raw socket against vws-echo --max-message 1000 --max-frame 500.

usage: /usr/bin/python3 limits_cases.py PORT
"""
import sys

import tap
from wsraw import expect_close, expect_echo, frame

PORT = int(sys.argv[1])
TEXT, BINARY, CONT = 1, 2, 0


def frags(opcode, sizes, fill=b"a"):
    out = b""
    for i, n in enumerate(sizes):
        out += frame(opcode if i == 0 else CONT, fill * n, fin=i == len(sizes) - 1)
    return out


expect_echo(PORT, "binary frame of exactly 500 bytes (--max-frame) is echoed",
            frame(BINARY, b"\x01" * 500), [(BINARY, b"\x01" * 500)])
expect_echo(PORT, "text frame of exactly 500 bytes is echoed", frame(TEXT, b"t" * 500), [(TEXT, b"t" * 500)])
expect_close(PORT, "binary frame of 501 bytes gives 1009", frame(BINARY, b"\x01" * 501), 1009)
expect_close(PORT, "text frame of 501 bytes gives 1009", frame(TEXT, b"t" * 501), 1009)
expect_close(PORT, "501-byte continuation frame gives 1009", frags(BINARY, [10, 501]), 1009)
expect_echo(PORT, "message of exactly 1000 bytes in 2 fragments (--max-message) is echoed",
            frags(BINARY, [500, 500]), [(BINARY, b"a" * 1000)])
expect_echo(PORT, "text message of exactly 1000 bytes in 4 fragments is echoed",
            frags(TEXT, [250, 250, 250, 250]), [(TEXT, b"a" * 1000)])
expect_close(PORT, "message of 1001 bytes in fragments (500 + 500 + 1) gives 1009",
             frags(BINARY, [500, 500, 1]), 1009)
expect_close(PORT, "text message of 1001 bytes in fragments (400 + 400 + 201) gives 1009",
             frags(TEXT, [400, 400, 201]), 1009)
expect_echo(PORT, "ping of 125 bytes still allowed, and echo works after the limits",
            frame(9, b"p" * 125) + frame(TEXT, b"ok"), [(10, b"p" * 125), (TEXT, b"ok")])
tap.done()
