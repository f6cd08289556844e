"""Clients for the vws-handler tests (handler*.test), one subcommand per case group; each prints
TAP-like "ok - ..." / "not ok - ..." lines. Every read and send has a deadline.

usage: /usr/bin/python3 handler_client.py CASE PORT LABEL [ARGS...]

Children used by the tests report "PID PPID" as their first line where the test needs to watch
them in /proc: PID is the child, PPID is vws-handler itself.
"""
import asyncio
import base64
import json
import os
import socket
import struct
import sys
import time

import websockets

import tap
import wsraw

CASE, PORT, LABEL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ARGS = sys.argv[4:]
URL = f"ws://127.0.0.1:{PORT}/"
STEP = 30.0  # seconds for any one exchange
result = tap.labelled(LABEL)


def describe(x):
    if isinstance(x, (bytes, str)) and len(x) <= 40:
        return repr(x)
    return f"{type(x).__name__} of {len(x)}"


def text_of(n):
    """Exactly n bytes of UTF-8 with multi-byte characters, no newline."""
    return "aé€😀" * (n // 10) + "x" * (n % 10)


def binary_of(n):
    """n bytes covering every byte value, including '\\n', ':' and ','."""
    if n < 70000:
        return bytes((i * 7 + 3) & 0xFF for i in range(n))
    return os.urandom(n)


def alive(pid):
    """True while /proc/PID exists and is not a zombie; 'zombie' if it is one."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "zombie" if state == "Z" else True


def gone_within(pid, seconds):
    """Wait until /proc/PID is gone (reaped); returns (gone, seconds waited, last state)."""
    t0 = time.monotonic()
    state = alive(pid)
    while state is not False and time.monotonic() - t0 < seconds:
        time.sleep(0.02)
        state = alive(pid)
    return state is False, time.monotonic() - t0, state


def expect_gone(pid, seconds, what):
    """One result: pid is gone (reaped) within seconds."""
    gone, waited, state = gone_within(pid, seconds)
    result(gone, what, f"after {waited:.2f}s state {state}")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


async def connect(path="/", **kw):
    return await asyncio.wait_for(
        websockets.connect(f"ws://127.0.0.1:{PORT}{path}", max_size=None, ping_interval=None,
                           close_timeout=5, **kw), STEP)


async def recv(ws, timeout=STEP):
    return await asyncio.wait_for(ws.recv(), timeout)


async def close_code_of(ws, timeout=STEP):
    """Read until the connection ends; returns (messages, close code, reason)."""
    messages = []
    try:
        while True:
            messages.append(await recv(ws, timeout))
    except websockets.ConnectionClosed:
        pass
    return messages, ws.close_code, ws.close_reason


# ---------------------------------------------------------------- raw socket client

class Raw:
    """A WebSocket client on a plain socket: exact request bytes, frames by hand."""

    def __init__(self, path="/", headers=(), timeout=10.0):
        self.s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(wsraw.request(key, path, headers, host=f"127.0.0.1:{PORT}"))

    def fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer in time")
        self.s.settimeout(left)
        data = self.s.recv(1 << 20)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def take(self, n, deadline):
        while len(self.buf) < n:
            self.fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def status(self, seconds=10.0):
        """The response's status line."""
        deadline = time.monotonic() + seconds
        while b"\r\n\r\n" not in self.buf:
            self.fill(deadline)
        i = self.buf.index(b"\r\n\r\n") + 4
        head, self.buf = self.buf[:i], self.buf[i:]
        return head.split(b"\r\n")[0].decode("latin-1")

    def frame(self, seconds=10.0):
        deadline = time.monotonic() + seconds
        b0, b1 = self.take(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.take(2, deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.take(8, deadline))[0]
        return b0 & 0x0F, self.take(n, deadline)

    def messages_until_close(self, seconds=10.0):
        """(messages as (opcode, payload), close code or None)."""
        deadline = time.monotonic() + seconds
        out = []
        while True:
            op, payload = self.frame(max(0.01, deadline - time.monotonic()))
            if op == 8:
                # Answer the Close as a client does (the server then ends TCP).
                try:
                    self.s.sendall(frame(8, payload[:2]))
                except OSError:
                    pass
                return out, (struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None)
            out.append((op, payload))

    def send(self, opcode, payload, fin=True):
        self.s.sendall(frame(opcode, payload, fin))

    def close(self):
        self.s.close()


def frame(opcode, payload, fin=True, length=None):
    return wsraw.frame(opcode, payload, fin=fin, length=length, key=b"\x37\xfa\x21\x3d")


# ---------------------------------------------------------------- cat in each framing

LINE_SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]
NETSTRING_SIZES = [0, 1, 9, 10, 125, 126, 65535, 65536, 1 << 20, 16 << 20]


async def cat_line():
    ws = await connect()
    for n in LINE_SIZES:
        t = text_of(n)
        try:
            await asyncio.wait_for(ws.send(t), STEP)
            got = await recv(ws)
            result(got == t, f"line: text message of {n} bytes comes back as one text message",
                   f"got {describe(got)}")
        except Exception as e:  # noqa: BLE001
            result(False, f"line: text message of {n} bytes", f"{type(e).__name__}: {e}")
    # Line mode is websocketd's: a message is written with a '\n' after it and every line the
    # child writes is a message, so a message holding '\n' comes back as one message per line,
    # and one trailing '\r' per line is dropped ("a\r\nb" -> "a", "b").
    cases = [("one\ntwo", ["one", "two"]), ("a\r\nb", ["a", "b"]), ("cr\r", ["cr"]),
             ("\n", ["", ""]), ("x\n\ny", ["x", "", "y"]), ("two\r\r", ["two\r"])]
    for sent, want in cases:
        try:
            await asyncio.wait_for(ws.send(sent), STEP)
            got = [await recv(ws) for _ in want]
            await ws.send("sentinel")
            extra = await recv(ws)
            result(got == want and extra == "sentinel",
                   f"line: {sent!r} comes back as {want!r}", f"got {got!r} then {extra!r}")
        except Exception as e:  # noqa: BLE001
            result(False, f"line: {sent!r} comes back as {want!r}", f"{type(e).__name__}: {e}")
    try:
        await ws.send(["frag", "mented ", "😀"])
        got = await recv(ws)
        result(got == "fragmented 😀", "line: a fragmented text message is one line", describe(got))
    except Exception as e:  # noqa: BLE001
        result(False, "line: a fragmented text message is one line", f"{type(e).__name__}: {e}")
    # A binary message has no line form: close 1003 (RFC 6455 §7.4.1).
    try:
        await ws.send(b"\x00\x01binary")
        _, code, _ = await close_code_of(ws, 10)
        result(code == 1003, "line: a binary message gets close 1003", f"close {code}")
    except Exception as e:  # noqa: BLE001
        result(False, "line: a binary message gets close 1003", f"{type(e).__name__}: {e}")


async def cat_raw():
    ws = await connect()
    # Raw: bytes both ways, boundaries not kept, everything back as binary messages.
    for what, payloads in [("1 binary message of 16 MiB", [binary_of(16 << 20)]),
                           ("300 binary messages of 1..65536 bytes",
                            [binary_of(1 + (i * 997) % 65536) for i in range(300)]),
                           ("text messages (bytes as sent, no newline added)",
                            [text_of(n).encode() for n in (0, 1, 10, 70000)])]:
        want = b"".join(payloads)
        got = bytearray()
        types = set()
        try:
            async def send_all():
                for p in payloads:
                    await ws.send(p if what.startswith(("1 ", "300")) else p.decode())
            sender = asyncio.ensure_future(send_all())
            deadline = time.monotonic() + STEP
            while len(got) < len(want):
                m = await recv(ws, max(0.1, deadline - time.monotonic()))
                types.add(type(m).__name__)
                got += m if isinstance(m, bytes) else m.encode()
            await asyncio.wait_for(sender, STEP)
            result(bytes(got) == want and types <= {"bytes"},
                   f"raw: {what} come back byte for byte as binary",
                   f"{len(got)} of {len(want)} bytes, equal={bytes(got) == want}, types {types}")
        except Exception as e:  # noqa: BLE001
            result(False, f"raw: {what}", f"{type(e).__name__}: {e}; {len(got)} of {len(want)} bytes")
    await ws.close()


async def cat_netstring(kind):
    ws = await connect()
    # Netstring keeps boundaries and payloads exactly, both ways; the type of what comes back is
    # --netstring-type (binary by default), whatever the type sent.
    for n in NETSTRING_SIZES:
        for sent in (binary_of(n), text_of(n)) if kind == "binary" else (text_of(n),):
            want = sent if isinstance(sent, bytes) else sent.encode()
            if kind == "text":
                want = want.decode()
            what = f"netstring-type={kind}: {type(sent).__name__} message of {n} bytes"
            try:
                await asyncio.wait_for(ws.send(sent), STEP)
                got = await recv(ws)
                result(got == want, f"{what} comes back exactly as {type(want).__name__}",
                       f"got {describe(got)}")
            except Exception as e:  # noqa: BLE001
                result(False, what, f"{type(e).__name__}: {e}")
    if kind == "binary":
        # Many small messages in one burst: each one separately, in order.
        msgs = [bytes([i % 256]) * (i % 7) + b":," for i in range(500)]
        try:
            for m in msgs:
                await ws.send(m)
            got = [await recv(ws) for _ in msgs]
            result(got == msgs, "netstring: 500 small messages with ':' and ',' keep their boundaries",
                   f"{sum(a == b for a, b in zip(got, msgs))} of {len(msgs)} equal")
        except Exception as e:  # noqa: BLE001
            result(False, "netstring: 500 small messages keep their boundaries", f"{type(e).__name__}: {e}")
    await ws.close()
    result(ws.close_code == 1000, f"netstring-type={kind}: client close 1000 answered",
           f"close {ws.close_code}")


async def child_output(want_messages, want_code, what, reason_prefix=None):
    """Connect to a child that writes something and exits; check messages and the close."""
    try:
        ws = await connect()
        got, code, reason = await close_code_of(ws, 10)
        good = got == want_messages and code == want_code
        if reason_prefix is not None:
            good = good and reason.startswith(reason_prefix)
        result(good, what, f"got {[describe(m) for m in got]} close {code} {reason!r}")
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


# ---------------------------------------------------------------- environment

def environment(log=None):
    """Child: prints its environment (env -0 style, one NAME=VALUE a line) and exits 0.
    With log (vws-handler --verbose's), the open line must count the 5 headers not passed."""
    # Names holding '_' or bytes outside [A-Za-z0-9-] are not passed (nginx and Apache do the
    # same): they would otherwise land on the variable of a header a proxy sets.
    r = Raw(path="/some/path?x=1&y=%20two", headers=[
        "X-Custom-Thing: hello world", "Proxy: http://evil.example:3128", "X-Weird.Name!: odd",
        "X_Forwarded_For: 6.6.6.6", "X-Forwarded-For: 203.0.113.9", "X-Auth.User: admin",
        "X-Auth_User: admin",
        "X-Twice: one", "X-Twice: two", "Cookie: a=b; c=d", "Origin: http://127.0.0.1"])
    status = r.status()
    result(status.startswith("HTTP/1.1 101"), "environment: upgrade", status)
    msgs, code = r.messages_until_close()
    local_port = r.s.getsockname()[1]
    r.close()
    result(code == 1000, "environment: child exits 0, close 1000", f"close {code}")
    env = {}
    for op, payload in msgs:
        k, sep, v = payload.decode().partition("=")
        if sep:
            env[k] = v
    want = {
        "PROTO": "TCP", "TCPREMOTEIP": "127.0.0.1", "TCPLOCALIP": "127.0.0.1",
        "TCPLOCALPORT": str(PORT), "TCPREMOTEPORT": str(local_port),
        "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET",
        "REQUEST_URI": "/some/path?x=1&y=%20two", "SCRIPT_NAME": "", "PATH_INFO": "/some/path",
        "QUERY_STRING": "x=1&y=%20two", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": str(local_port),
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(PORT), "WEBSOCKET_PROTOCOL": "",
        "HTTP_X_CUSTOM_THING": "hello world", "HTTP_HOST": f"127.0.0.1:{PORT}",
        "HTTP_UPGRADE": "websocket", "HTTP_SEC_WEBSOCKET_VERSION": "13",
        "HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_TWICE": "one, two", "HTTP_COOKIE": "a=b; c=d",
        "HTTP_ORIGIN": "http://127.0.0.1",
        "AUTH_TYPE": "", "CONTENT_LENGTH": "", "CONTENT_TYPE": "", "REMOTE_IDENT": "",
        "REMOTE_USER": "", "FROM_TCPSERVER_ENV": "kept", "FROM_OPTION": "a=b c",
    }
    wrong = {k: env.get(k) for k, v in want.items() if env.get(k) != v}
    result(not wrong, f"environment: ucspi, CGI, HTTP_* and inherited variables ({len(want)} checked)",
           f"wrong or missing: {wrong}")
    result(env.get("SERVER_SOFTWARE", "").startswith("vws/"), "environment: SERVER_SOFTWARE=vws/...",
           repr(env.get("SERVER_SOFTWARE")))
    for name in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "HTTP_PROXY"):
        result(name not in env, f"environment: no {name}", f"{name}={env.get(name)!r}")
    odd = {k: v for k, v in env.items() if k in ("HTTP_X_WEIRDNAME", "HTTP_X_AUTHUSER", "HTTP_X_AUTH_USER")}
    result(not odd, "environment: headers named with '_' or '.' are not passed (X-Auth.User, X_Forwarded_For)",
           f"got {odd}")
    if log:
        fields = None
        deadline = time.monotonic() + 5
        while fields is None and time.monotonic() < deadline:
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if " event=open " in line and "/some/path?" in line:
                        fields = dict(m.split("=", 1) for m in line.split() if "=" in m)
            time.sleep(0.05)
        got = (fields or {}).get("headers_dropped")
        result(got == "5", "environment: --verbose: the open line counts the 5 headers not passed",
               f"headers_dropped={got!r} in {fields}")
    # The override of an inherited value by --env, and the empty AUTH_TYPE over an inherited one.
    result(env.get("OVERRIDDEN") == "by-option", "environment: --env overrides an inherited variable",
           repr(env.get("OVERRIDDEN")))


def pass_env(present, absent):
    """Child: prints its environment. --pass-env: present names are there, absent ones not."""
    r = Raw(path="/pass?x=1")
    status = r.status()
    msgs, code = r.messages_until_close()
    r.close()
    env = {}
    for op, payload in msgs:
        k, sep, v = payload.decode().partition("=")
        if sep:
            env[k] = v
    missing = [n for n in present if n not in env]
    leaked = [n for n in absent if n in env]
    result(status.startswith("HTTP/1.1 101") and code == 1000 and not missing,
           f"environment: {LABEL}: present {','.join(present)}", f"{status} close {code} missing {missing}")
    if absent:
        result(not leaked, f"environment: {LABEL}: absent {','.join(absent)}", f"leaked {leaked}")


def environment_socket_activate():
    r = Raw(path="/sa?q=1")
    status = r.status()
    msgs, code = r.messages_until_close()
    r.close()
    env = dict(p.decode().partition("=")[::2] for _, p in msgs if b"=" in p)
    result(status.startswith("HTTP/1.1 101") and code == 1000, "environment: upgrade and close 1000",
           f"{status} close {code}")
    for name in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
        result(name not in env, f"environment: no {name}", f"{name}={env.get(name)!r}")
    good = env.get("REMOTE_ADDR") == "127.0.0.1" and env.get("QUERY_STRING") == "q=1" \
        and env.get("SERVER_PORT") == str(PORT) and env.get("PATH_INFO") == "/sa"
    result(good, "environment: REMOTE_ADDR, SERVER_PORT, PATH_INFO, QUERY_STRING from the socket",
           str({k: env.get(k) for k in ("REMOTE_ADDR", "SERVER_PORT", "PATH_INFO", "QUERY_STRING")}))


# ---------------------------------------------------------------- transcripts

TRANSCRIPT = ["hello", "", "héllo wörld 😀", "two\nlines", "cr\r", "a\r\nb", " spaces  ",
              "x" * 4000, "tab\there", "\n", "END"]


async def transcript(out_path):
    """The line-mode transcript: send TRANSCRIPT, read until "END"; write what came back (JSON)."""
    ws = await connect()
    for m in TRANSCRIPT:
        await ws.send(m)
    got = []
    while True:
        m = await recv(ws, 10)
        got.append(m)
        if m == "END":
            break
    await ws.close()
    with open(out_path, "w") as f:
        json.dump(got, f)
    result(True, f"transcript: {len(TRANSCRIPT)} messages sent, {len(got)} received")


async def many(n):
    ws = await connect()
    msgs = [f"message {i:05d} " + "z" * (i % 50) for i in range(n)]

    async def send_all():
        for m in msgs:
            await ws.send(m)
    sender = asyncio.ensure_future(send_all())
    got = []
    try:
        while len(got) < n:
            got.append(await recv(ws, 20))
        await asyncio.wait_for(sender, STEP)
        first_bad = next((i for i, (a, b) in enumerate(zip(got, msgs)) if a != b), None)
        result(got == msgs, f"{n} small messages through cat come back in order",
               f"first difference at {first_bad}")
    except Exception as e:  # noqa: BLE001
        result(False, f"{n} small messages through cat", f"{type(e).__name__}: {e}; got {len(got)}")
    await ws.close()


# ---------------------------------------------------------------- endings

def pids_line(r):
    """First message of a child that reports "PID PPID"."""
    msgs = []
    while not msgs:
        op, payload = r.frame()
        if op in (1, 2):
            msgs.append(payload)
    pid, ppid = (int(x) for x in msgs[0].split())
    return pid, ppid


def ignores_term(grace):
    """Child ignores SIGTERM; client closes; the child must be gone about 2 x grace later,
    and its status (killed) answers the client's Close."""
    r = Raw()
    r.status()
    pid, handler = pids_line(r)
    t0 = time.monotonic()
    r.send(8, struct.pack("!H", 1000))
    r.s.settimeout(10)
    op, payload = r.frame()
    code = struct.unpack("!H", payload[:2])[0] if op == 8 and len(payload) >= 2 else None
    reason = payload[2:] if op == 8 else b""
    result(code == 1011 and reason == b"signal=9",
           "SIGTERM-ignoring child: client's close answered with its status (1011 signal=9)",
           f"opcode {op} close {code} {reason!r}")
    r.close()
    gone, waited, state = gone_within(pid, 10 * grace + 5)
    took = time.monotonic() - t0
    result(gone and 1.6 * grace <= took <= 2 * grace + 1.5,
           f"SIGTERM-ignoring child is killed about 2 x grace ({2 * grace:g}s) after the close",
           f"gone={gone} after {took:.2f}s, last state {state}")
    gone, _, state = gone_within(handler, 2)
    result(gone, "SIGTERM-ignoring child: vws-handler ends within 2 s after it", f"handler state {state}")


def drop(mode):
    """Client vanishes in the middle of a message (FIN or RST); child gone, no zombie."""
    r = Raw()
    r.status()
    pid, handler = pids_line(r)
    # The header of a 1 MiB text frame and only part of it.
    r.s.sendall(frame(1, b"a" * 1000, length=1 << 20)[:1000])
    time.sleep(0.2)
    if mode == "rst":
        r.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    r.close()
    expect_gone(pid, 8, f"client drops TCP ({mode}) mid-message: child {pid} gone and reaped")
    expect_gone(handler, 8, f"client drops TCP ({mode}) mid-message: vws-handler {handler} ends")
    return pid


def flood(total_mb, bound_mb, how):
    """The child never reads; the client sends up to total_mb in 64 KiB text messages with a send
    timeout. vws-handler's RSS must stay under bound_mb and the client must be held back."""
    r = Raw()
    r.status()
    pid, handler = pids_line(r)
    one = frame(1, b"f" * 65536)
    sent = 0
    peak = rss_kib(handler) or 0
    blocked = False
    r.s.settimeout(3.0)
    t0 = time.monotonic()
    while sent < total_mb << 20 and time.monotonic() - t0 < 60:
        try:
            r.s.sendall(one)
        except (socket.timeout, TimeoutError):
            blocked = True
            break
        sent += 65536
        if sent % (1 << 20) == 0:
            peak = max(peak, rss_kib(handler) or 0)
    for _ in range(10):  # and a little while after
        peak = max(peak, rss_kib(handler) or 0)
        time.sleep(0.1)
    result(blocked, f"flood: a child that never reads holds the client back (send blocked after "
           f"{sent >> 20} MiB of {total_mb} MiB)", f"sent {sent >> 20} MiB without blocking")
    result(peak < bound_mb * 1024, f"flood: vws-handler RSS stays under {bound_mb} MB "
           f"(peak {peak} KiB)", f"peak RSS {peak} KiB")
    # The client vanishes while vws-handler holds back its input: that must still be noticed.
    if how == "rst":
        r.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    r.close()
    expect_gone(pid, 10, f"flood: child gone within 10 s after the client left ({how})")
    expect_gone(handler, 3, f"flood: vws-handler ends after the client left ({how})")


def flood_out(bound_mb):
    """The child writes without end (yes); the client does not read for a while."""
    r = Raw()
    r.status()
    pid, handler = pids_line(r)
    peak = 0
    for _ in range(30):
        peak = max(peak, rss_kib(handler) or 0)
        time.sleep(0.1)
    result(peak < bound_mb * 1024, f"flood out: child writing without end, client not reading: "
           f"RSS under {bound_mb} MB (peak {peak} KiB)", f"peak RSS {peak} KiB")
    # The client reads again: messages keep coming.
    try:
        op, payload = r.frame(5)
        result(op == 1 and payload in (b"y", b"y" * 0), "flood out: messages still flow after",
               f"opcode {op} {payload[:20]!r}")
    except Exception as e:  # noqa: BLE001
        result(False, "flood out: messages still flow after", f"{type(e).__name__}: {e}")
    r.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    r.close()
    expect_gone(pid, 10, "flood out: child gone after the client left")


def grandchild(grace):
    """The child exits 0 while a background process it started still holds its stdout: close 1000
    about one grace later, and the background process (same process group) is ended."""
    t0 = time.monotonic()
    r = Raw()
    r.status()
    msgs, code = r.messages_until_close(10)
    took = time.monotonic() - t0
    r.close()
    texts = [p.decode() for _, p in msgs]
    result(code == 1000 and texts[-1:] == ["hi"] and took < grace + 1.5,
           "child exits 0, a background process keeps stdout: close 1000 after about the grace",
           f"messages {texts}, close {code} after {took:.2f}s")
    if len(texts) >= 2 and texts[1].isdigit():
        expect_gone(int(texts[1]), 3 * grace + 3, "the background process in the child's group is ended")
    else:
        result(False, "the background process in the child's group is ended", f"messages {texts}")


def stop_signal(sig, via_thread=False):
    """SIGTERM/SIGHUP to vws-handler: close 1001 to the client, the child gone. via_thread: send
    it with kill(2) on the id of another thread of vws-handler (--blocking has reader and writer
    threads): still a signal to the whole process, which the kernel hands to that thread if it
    does not block it -- as it may do with any plain kill when the main thread is busy."""
    r = Raw()
    r.status()
    pid, handler = pids_line(r)
    r.send(1, b"before")
    op, payload = r.frame()
    target = handler
    if via_thread:
        tids = sorted(int(t) for t in os.listdir(f"/proc/{handler}/task") if int(t) != handler)
        if not tids:
            print(f"ok - {LABEL}: signal through another thread # SKIP vws-handler has one thread")
            r.close()
            return
        target = tids[0]
        time.sleep(0.2)  # the main thread waiting in ppoll, the others in read/wait
    os.kill(target, sig)
    try:
        msgs, code = r.messages_until_close(10)
    except Exception as e:  # noqa: BLE001
        msgs, code = [], f"{type(e).__name__}: {e}"
    name = {15: "SIGTERM", 1: "SIGHUP"}.get(sig, str(sig)) + (" (through a thread id)" if via_thread else "")
    result(payload == b"before" and code == 1001, f"{name} to vws-handler: the client gets close 1001",
           f"echo {payload!r}, close {code}")
    r.close()
    expect_gone(pid, 10, f"{name} to vws-handler: child gone")
    expect_gone(handler, 3, f"{name} to vws-handler: vws-handler ends within 3 s")


# ---------------------------------------------------------------- --dir

def route(path, want_status, want_env=None):
    try:
        r = Raw(path=path)
        status = r.status()
    except Exception as e:  # noqa: BLE001
        result(False, f"--dir: {path} answers {want_status}", f"{type(e).__name__}: {e}")
        return
    code = status.split(" ")[1] if " " in status else status
    if code != str(want_status) or want_env is None:
        result(code == str(want_status), f"--dir: {path} answers {want_status}", status)
        r.close()
        return
    msgs, close = r.messages_until_close()
    r.close()
    env = dict(p.decode().partition("=")[::2] for _, p in msgs if b"=" in p)
    wrong = {k: env.get(k) for k, v in want_env.items() if env.get(k) != v}
    result(not wrong and close == 1000, f"--dir: {path} answers 101 and runs it with {want_env}",
           f"wrong {wrong} close {close}")


def main():
    if CASE == "cat-line":
        asyncio.run(cat_line())
    elif CASE == "cat-raw":
        asyncio.run(cat_raw())
    elif CASE == "cat-netstring":
        asyncio.run(cat_netstring(ARGS[0]))
    elif CASE == "output":  # output JSON-MESSAGES CODE WHAT [REASON-PREFIX]
        want = [m if isinstance(m, str) else bytes.fromhex(m["hex"]) for m in json.loads(ARGS[0])]
        asyncio.run(child_output(want, int(ARGS[1]), ARGS[2], ARGS[3] if len(ARGS) > 3 else None))
    elif CASE == "environment":
        environment(ARGS[0] if ARGS else None)
    elif CASE == "pass-env":  # pass-env PRESENT,NAMES ABSENT,NAMES
        pass_env([n for n in ARGS[0].split(",") if n], [n for n in ARGS[1].split(",") if n])
    elif CASE == "environment-sa":
        environment_socket_activate()
    elif CASE == "transcript":
        asyncio.run(transcript(ARGS[0]))
    elif CASE == "many":
        asyncio.run(many(int(ARGS[0])))
    elif CASE == "ignores-term":
        ignores_term(float(ARGS[0]))
    elif CASE == "drop":
        drop(ARGS[0])
    elif CASE == "flood":
        flood(int(ARGS[0]), int(ARGS[1]), ARGS[2])
    elif CASE == "flood-out":
        flood_out(int(ARGS[0]))
    elif CASE == "grandchild":
        grandchild(float(ARGS[0]))
    elif CASE == "stop":
        stop_signal(int(ARGS[0]), len(ARGS) > 1 and ARGS[1] == "thread")
    elif CASE == "route":
        route(ARGS[0], int(ARGS[1]), json.loads(ARGS[2]) if len(ARGS) > 2 else None)
    else:
        print(f"handler_client.py: unknown case {CASE}", file=sys.stderr)
        sys.exit(100)
    tap.done()


if __name__ == "__main__":
    main()
