"""fd2_check: prove that nothing but the protocol reaches the client when the server's fd 2 is the
connection (classic inetd, xinetd): every byte after the 101 response must belong to a valid,
unmasked server frame, and no log text ("event=", a child's stderr) may appear anywhere.

usage: /usr/bin/python3 fd2_check.py PORT LABEL [FORBIDDEN...]
Sends one text message, reads messages until it comes back (a handler may greet first), then
closes with 1000 and reads to the end of the connection. One result line per check.
"""
import base64
import os
import socket
import struct
import sys
import time

import tap
from wsraw import request

PORT, LABEL = int(sys.argv[1]), sys.argv[2]
FORBIDDEN = [w.encode() for w in ["event=", "program=vws"] + sys.argv[3:]]
PING = b"fd2-check-message"
result = tap.labelled(LABEL)


def masked_frame(opcode, payload):
    key = os.urandom(4)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + key + body


def parse_frames(data):
    """Split data into (opcode, payload) frames; raise ValueError on anything else."""
    frames, i = [], 0
    while i < len(data):
        if len(data) - i < 2:
            raise ValueError(f"truncated frame header at {i}: {data[i:i + 40]!r}")
        b0, b1 = data[i], data[i + 1]
        if b0 & 0x70 or b1 & 0x80 or (b0 & 0x0F) not in (0, 1, 2, 8, 9, 10):
            raise ValueError(f"not a server frame at {i}: {data[i:i + 40]!r}")
        n, i = b1 & 0x7F, i + 2
        if n == 126:
            n, i = struct.unpack("!H", data[i:i + 2])[0], i + 2
        elif n == 127:
            n, i = struct.unpack("!Q", data[i:i + 8])[0], i + 8
        if i + n > len(data):
            raise ValueError(f"frame of {n} bytes cut at {len(data) - i}")
        frames.append((b0 & 0x0F, data[i:i + n]))
        i += n
    return frames


def read_until(sock, stream, done, deadline):
    while not done(stream) and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            return stream, True
        stream += chunk
    return stream, False


def main():
    deadline = time.monotonic() + 10
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    sock.sendall(request(key, "/fd2"))
    stream, eof = read_until(sock, b"", lambda s: b"\r\n\r\n" in s, deadline)
    head, _, rest = stream.partition(b"\r\n\r\n")
    result(head.startswith(b"HTTP/1.1 101 "), "the answer starts with HTTP/1.1 101", repr(head[:80]))
    sock.sendall(masked_frame(1, PING))

    def echoed(s):
        try:
            return any(op == 1 and p == PING for op, p in parse_frames(s))
        except ValueError:
            return len(s) > 4096  # give up early on garbage; reported below
    rest, eof = read_until(sock, rest, echoed, deadline)
    result(echoed(rest), "the message comes back")
    sock.sendall(masked_frame(8, struct.pack("!H", 1000)))
    rest, eof = read_until(sock, rest, lambda s: False, deadline)
    result(eof, "the server ends the connection after the close handshake")
    try:
        frames = parse_frames(rest)
        ops = [op for op, _ in frames]
        result(ops and ops[-1] == 8, "every byte after the head is a frame, the last a Close",
               f"opcodes {ops}")
    except ValueError as e:
        result(False, "every byte after the head is a frame, the last a Close", str(e))
    whole = head + b"\r\n\r\n" + rest
    leaked = [w.decode() for w in FORBIDDEN if w in whole]
    result(not leaked, "no log or stderr text on the connection", f"found {leaked}: {whole[-300:]!r}")


main()
tap.done()
