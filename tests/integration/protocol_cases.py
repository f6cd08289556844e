"""Protocol violations on a raw socket, one connection each: the exact close code, then TCP end.

usage: /usr/bin/python3 protocol_cases.py PORT
"""
import struct
import sys
import time

import tap
import wsraw
from tap import result
from wsraw import (accept_of, close_payload, connect, expect_close, expect_echo, frame,
                   request, Reader, TIMEOUT)

PORT = int(sys.argv[1])
TEXT, BINARY, CONT, CLOSE, PING, PONG = 1, 2, 0, 8, 9, 10


def handshake_accept():
    what = "RFC 6455 §1.3 key dGhlIHNhbXBsZSBub25jZQ== gets Sec-WebSocket-Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert accept_of("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    s = connect(PORT)
    try:
        s.sendall(request("dGhlIHNhbXBsZSBub25jZQ=="))
        head = Reader(s).head(time.monotonic() + TIMEOUT)
        lines = head.split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
        good = (lines[0].startswith("HTTP/1.1 101")
                and headers.get("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
                and headers.get("upgrade", "").lower() == "websocket"
                and "upgrade" in headers.get("connection", "").lower())
        result(good, what, repr(head))
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    finally:
        s.close()


def violations():
    text = frame(TEXT, b"hi", fin=False)
    cases = [
        (f"RSV{i} set gives 1002", frame(TEXT, b"x", rsv=bit), 1002)
        for i, bit in ((1, 4), (2, 2), (3, 1))
    ]
    cases += [(f"reserved opcode 0x{op:X} gives 1002", frame(op, b"x"), 1002)
              for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF)]
    cases += [
        ("unmasked text frame gives 1002", frame(TEXT, b"hello", mask=False), 1002),
        ("unmasked close frame gives 1002", frame(CLOSE, close_payload(1000), mask=False), 1002),
        ("ping with 126-byte payload gives 1002", frame(PING, b"p" * 126), 1002),
        ("close with 126-byte payload gives 1002", frame(CLOSE, close_payload(1000, b"r" * 124)), 1002),
        ("pong with 126-byte payload gives 1002", frame(PONG, b"p" * 126), 1002),
        ("fragmented ping (FIN=0) gives 1002", frame(PING, b"p", fin=False), 1002),
        ("continuation with nothing to continue gives 1002", frame(CONT, b"x"), 1002),
        ("final continuation with nothing to continue gives 1002", frame(CONT, b"x", fin=True), 1002),
        ("new text frame inside a fragmented message gives 1002", text + frame(TEXT, b"again"), 1002),
        ("new binary frame inside a fragmented message gives 1002",
         frame(BINARY, b"a", fin=False) + frame(BINARY, b"b"), 1002),
        ("64-bit length with the top bit set gives 1002",
         bytes([0x82, 0xFF]) + struct.pack("!Q", 1 << 63) + b"\0\0\0\0", 1002),
        ("close with a 1-byte payload gives 1002", frame(CLOSE, b"\x03"), 1002),
    ]
    cases += [(f"close code {c} gives 1002", frame(CLOSE, close_payload(c)), 1002)
              for c in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)]
    bad_utf8 = [("overlong C0 80", b"\xc0\x80"), ("overlong E0 80 80", b"\xe0\x80\x80"),
                ("surrogate ED A0 80", b"\xed\xa0\x80"), ("above U+10FFFF F4 90 80 80", b"\xf4\x90\x80\x80"),
                ("byte FF", b"a\xff"), ("lone continuation 80", b"\x80"),
                ("message ending mid-sequence E2 82", b"ok\xe2\x82")]
    cases += [(f"text {name} gives 1007", frame(TEXT, data), 1007) for name, data in bad_utf8]
    cases += [
        ("text ending mid-sequence across fragments gives 1007",
         frame(TEXT, b"ok\xe2", fin=False) + frame(CONT, b"\x82", fin=True), 1007),
        ("invalid UTF-8 in the first fragment gives 1007",
         frame(TEXT, b"\xed\xa0\x80", fin=False) + frame(CONT, b"x", fin=True), 1007),
        ("invalid UTF-8 split across fragments gives 1007",
         frame(TEXT, b"\xf4", fin=False) + frame(CONT, b"\x90\x80\x80", fin=True), 1007),
        ("invalid UTF-8 in a close reason gives 1007", frame(CLOSE, close_payload(1000, b"\xc0\x80")), 1007),
        ("close reason ending mid-sequence gives 1007", frame(CLOSE, close_payload(1000, b"bye\xe2\x82")), 1007),
        ("ping between fragments, then a bad continuation opcode sequence gives 1002",
         text + frame(PING, b"p") + frame(BINARY, b"x"), 1002),
    ]
    for what, data, code in cases:
        expect_close(PORT, what, data, code)
    # The header alone is the violation; the server must not wait for the payload.
    expect_close(PORT, "frame header over the default --max-frame (16 MiB + 1) gives 1009 before the payload",
                 None, 1009, pieces=[frame(BINARY, b"", length=16 * 1024 * 1024 + 1)[:10] + b"\0\0\0\0"])


def valid():
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999):
        expect_echo(PORT, f"valid close code {code} is echoed", b"", [], close_code=code)
    _empty_close()
    euro = "é€😀".encode()  # C3 A9, E2 82 AC, F0 9F 98 80
    frags = frame(TEXT, euro[:1], fin=False) + frame(CONT, euro[1:4], fin=False) \
        + frame(CONT, euro[4:8], fin=False) + frame(CONT, euro[8:], fin=True)
    expect_echo(PORT, "valid UTF-8 split inside characters across 4 fragments is echoed", frags, [(TEXT, euro)])
    expect_echo(PORT, "ping between fragments gets its pong and the message is echoed",
                frame(TEXT, b"ab", fin=False) + frame(PING, b"p") + frame(CONT, b"cd", fin=True),
                [(PONG, b"p"), (TEXT, b"abcd")])
    expect_echo(PORT, "empty fragments around a binary message are echoed as one message",
                frame(BINARY, b"", fin=False) + frame(CONT, b"\x00\xff", fin=False) + frame(CONT, b"", fin=True),
                [(BINARY, b"\x00\xff")])
    expect_echo(PORT, "close 1000 with a valid UTF-8 reason is echoed", frame(TEXT, "naïve".encode()),
                [(TEXT, "naïve".encode())], reason="fin ✓".encode())


def _empty_close():
    what = "close with an empty payload is answered with a Close and TCP ends"
    try:
        s, r = wsraw.upgrade(PORT)
        s.sendall(frame(CLOSE, b""))
        fin, rsv, opcode, masked, payload = r.frame(time.monotonic() + TIMEOUT)
        good = opcode == CLOSE and len(payload) in (0, 2) and (not payload or payload == close_payload(1000))
        if not good:
            result(False, what, f"got opcode {opcode} payload {payload!r}")
        elif not r.closed(3.0):
            result(False, what, "TCP still open 3 s later")
        else:
            result(True, what)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


handshake_accept()
violations()
valid()
tap.done()
