"""wsraw: a WebSocket client on a plain socket, for sending what real clients never send.

Frames are built byte by byte (any opcode, RSV bits, mask or none, any length field), and the
server's answer is read with a deadline: its Close frame's code and then the end of the TCP
connection. Shared by the protocol, limits, session, handshake and hardening tests; the
handshake request is built here for every raw-socket helper.
"""
import base64
import hashlib
import os
import socket
import struct
import time

from tap import result

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TIMEOUT = 5.0  # seconds for any one answer


def accept_of(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def request(key="dGhlIHNhbXBsZSBub25jZQ==", path="/", extra=(), method="GET", version="HTTP/1.1",
            drop=(), replace=None, host="127.0.0.1"):
    """A handshake request: the five required headers (less drop; replace's values in place of
    theirs, or added after them), then the extra lines as given."""
    headers = {"Host": host, "Upgrade": "websocket", "Connection": "Upgrade",
               "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13"}
    for name in drop:
        del headers[name]
    headers.update(replace or {})
    lines = [f"{method} {path} {version}"] + [f"{k}: {v}" for k, v in headers.items()] + list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Buffered reads from the socket with an overall deadline."""

    def __init__(self, sock, buf=b""):
        self.sock, self.buf, self.eof = sock, buf, False

    def fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer in time")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(1 << 20)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            raise EOFError("connection closed")
        self.buf += data

    def take(self, n, deadline):
        while len(self.buf) < n:
            self.fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def head(self, deadline):
        """The HTTP response head (up to the blank line), as text."""
        while b"\r\n\r\n" not in self.buf:
            self.fill(deadline)
        i = self.buf.index(b"\r\n\r\n") + 4
        out, self.buf = self.buf[:i], self.buf[i:]
        return out.decode("latin-1")

    def frame(self, deadline):
        """One server frame: (fin, rsv, opcode, masked, payload)."""
        b0, b1 = self.take(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.take(2, deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.take(8, deadline))[0]
        mask = self.take(4, deadline) if b1 & 0x80 else None
        payload = self.take(n, deadline)
        if mask:
            payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        return bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, mask is not None, payload

    def closed(self, seconds):
        """True if the peer ends the connection (FIN or RST) within seconds; data is dropped."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.buf = b""
                self.fill(deadline)
        except EOFError:
            return True
        except (TimeoutError, socket.timeout):
            return False


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None, key=None):
    """A client frame; length overrides the length field (payload is sent as given); key is the
    mask key (random by default). Masked a machine word at a time: payloads may be MiB-sized."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        head = bytes([b0, mbit | n])
    elif n < 65536:
        head = bytes([b0, mbit | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4) if key is None else key
    size = len(payload)
    keys = (key * (size // 4 + 1))[:size]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(size, "big")
    return head + key + body


def upgrade(port, data=None):
    """Connect and complete the handshake (data, or request()); returns (sock, reader)."""
    s = connect(port)
    s.sendall(data or request())
    r = Reader(s)
    head = r.head(time.monotonic() + TIMEOUT)
    if not head.startswith("HTTP/1.1 101"):
        raise RuntimeError("handshake answered: " + head.split("\r\n")[0])
    return s, r


def answer(port, data, body=True):
    """Send data (a request) and read the answer: (status, {lower-case header name: [values]},
    body (when asked for and not 101), whether the connection ended within 3 s)."""
    s = connect(port)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        r = Reader(s)
        head = r.head(time.monotonic() + TIMEOUT)
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(":")
                headers.setdefault(k.strip().lower(), []).append(v.strip())
        content = b""
        n = int(headers.get("content-length", ["0"])[0]) if body else 0
        if status != 101 and n:
            content = r.take(n, time.monotonic() + TIMEOUT)
        ended = status == 101 or r.closed(3.0)
        return status, headers, content, ended
    finally:
        s.close()


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def read_until_close(r, deadline, messages=None):
    """Frames until the server's Close; returns (messages, close code or None, reason).
    Messages are (opcode, payload) of text/binary messages and of pongs, appended to messages
    (if given) as they come, so a caller still sees them after a timeout."""
    messages = [] if messages is None else messages
    parts = []
    while True:
        fin, rsv, opcode, masked, payload = r.frame(deadline)
        if masked or rsv:
            raise RuntimeError(f"server frame with mask={masked} rsv={rsv}")
        if opcode == 8:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            return messages, code, payload[2:]
        if opcode == 10:  # pongs count as messages, in order, so tests can expect them
            messages.append((opcode, payload))
        elif opcode in (0, 1, 2):
            parts.append((opcode, payload))
            if fin:
                messages.append((parts[0][0], b"".join(p for _, p in parts)))
                parts = []


def expect_close(port, what, data, code, close_within=3.0, pieces=None):
    """Send data after the handshake; the server must answer Close with code, then end TCP."""
    try:
        s, r = upgrade(port)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"handshake: {type(e).__name__}: {e}")
        return
    try:
        for piece in pieces or [data]:
            try:
                s.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server may stop reading once it has seen the fault
        messages = []
        try:
            messages, got, reason = read_until_close(r, time.monotonic() + TIMEOUT, messages)
        except EOFError:
            result(False, what, "connection ended without a Close frame")
            return
        except (TimeoutError, socket.timeout):
            result(False, what, f"no Close frame within {TIMEOUT} s; got (opcode, length) "
                   f"{[(op, len(p)) for op, p in messages]}")
            return
        if got != code:
            result(False, what, f"expected close {code}, got close {got} {reason!r}"
                   + (f" after {len(messages)} messages" if messages else ""))
            return
        if not r.closed(close_within):
            result(False, what, f"close {code} received but TCP still open after {close_within}s")
            return
        result(True, what)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    finally:
        s.close()


def expect_echo(port, what, data, messages_expected, close_code=1000, reason=b""):
    """Send data (frames), then a Close; expect the messages echoed and the close code back."""
    try:
        s, r = upgrade(port)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"handshake: {type(e).__name__}: {e}")
        return
    try:
        s.sendall(data + frame(8, close_payload(close_code, reason)))
        try:
            messages, got, _ = read_until_close(r, time.monotonic() + TIMEOUT)
        except EOFError:
            result(False, what, "connection ended without a Close frame")
            return
        if messages != messages_expected:
            short = [(op, len(p)) for op, p in messages]
            result(False, what, f"echoed (opcode, length) {short}, expected "
                   f"{[(op, len(p)) for op, p in messages_expected]}")
        elif got != close_code:
            result(False, what, f"expected close {close_code} echoed, got {got}")
        elif not r.closed(3.0):
            result(False, what, "TCP still open 3 s after the close handshake")
        else:
            result(True, what)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    finally:
        s.close()
