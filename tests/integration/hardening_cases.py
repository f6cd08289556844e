"""Bad peers against a server on 127.0.0.1, each with the exact answer expected.

usage: /usr/bin/python3 hardening_cases.py CASE PORT LABEL [ARGS...]

Cases (the server's options are chosen by hardening.test):
  answers             handshake answers: 431, 405, 400, 426 + version, 403 origin/host, subprotocols
  require-protocol    with --require-protocol chat: 400 without an offer we speak, 101 with one
  health              /healthz answers 200 "ok"; another plain GET gets 426 + Upgrade: websocket
  slowloris SECONDS   one byte of a valid request a second: cut at --handshake-timeout SECONDS
  too-big             --max-frame 1000 --max-message 2000: one byte over each gets 1009
  rate                --max-rate 20: 100 messages at once get 1008
  ping-unanswered LOG       --ping-interval 1 --pong-timeout 1: a Ping, then the end; log ending=ping_timeout
  ping-answered             a peer that answers pings stays open past several intervals
  close-unanswered LOG      --idle-timeout 1 --close-timeout 1: Close 1001, then the end; log close_timeout
  flood SERVER_PID MB       a peer that sends MB megabytes and never reads: RSS bounded, end when it leaves
  stuck SERVER_PID          --ping-interval 1 --pong-timeout 1: a peer that neither reads nor sends ends
  sigterm SERVER_PID        SIGTERM to the connection's process: Close 1001
  json-log LOG              --log-format json: the close line has every field
  forwarded LOG WANT [ECHO] X-Forwarded-For: 203.0.113.9: the log's remote_addr is WANT
                            (and, with ECHO, the first message from the child is WANT too)
  forwarded-bad LOG [ECHO]  --trust-proxy 127.0.0.1 and an X-Forwarded-For that is no IP literal:
                            remote_addr stays 127.0.0.1, the value is logged as bad_forwarded
  escaped-path LOG          a path holding \ and ": the open and close lines parse back to it
Each result is one "ok - LABEL: ..." or "not ok - LABEL: ..." line.
"""
import json
import os
import re
import signal
import socket
import struct
import sys
import time

import tap
import wsraw
from wsraw import TIMEOUT, accept_of, connect, frame, close_payload, request

KEY = "x3JJHMbDL1EzLkh9GBhXDw=="


def req(path="/", **kw):
    return request(KEY, path, **kw)


def case(what, data, status, want_headers=None, absent=(), body=None):
    """want_headers: {name: value} that must be in the answer; absent: names that must not."""
    try:
        got, headers, got_body, ended = wsraw.answer(PORT, data)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
        return
    why = ""
    if got != status:
        why = f"expected {status}, got {got}"
    elif not ended:
        why = f"{status} sent but the connection is still open 3 s later"
    else:
        for name, value in (want_headers or {}).items():
            if headers.get(name.lower()) != [value]:
                why = f"{name}: expected [{value!r}], got {headers.get(name.lower())}"
        for name in absent:
            if name.lower() in headers:
                why = f"{name} should be absent, got {headers[name.lower()]}"
        if body is not None and got_body != body:
            why = f"body {got_body!r}, expected {body!r}"
    result(not why, what, why)


def answers():
    case("a request head over 8 KiB gets 431", req(extra=("X-Big: " + "a" * 9000,)), 431)
    case("101 headers get 431", req(extra=[f"X-H{i}: v" for i in range(96)]), 431)
    case("POST gets 405 with Allow: GET", req(method="POST"), 405, {"Allow": "GET"})
    case("HTTP/1.0 gets 400", req(version="HTTP/1.0"), 400)
    case("a bad Sec-WebSocket-Key gets 400", req(replace={"Sec-WebSocket-Key": "c2hvcnQ="}), 400)
    case("Sec-WebSocket-Version 8 gets 426 with Sec-WebSocket-Version: 13",
         req(replace={"Sec-WebSocket-Version": "8"}), 426, {"Sec-WebSocket-Version": "13"})
    case("a forbidden Origin gets 403", req(extra=("Origin: https://evil.test",)), 403)
    case("an Origin of the allowed host on another port gets 403",
         req(extra=("Origin: https://ok.test:8443",)), 403)
    case("the allowed Origin gets 101", req(extra=("Origin: https://ok.test",)), 101,
         {"Sec-WebSocket-Accept": accept_of(KEY)})
    case("no Origin (not a browser) gets 101", req(), 101)
    case("the allowed Origin followed by a forbidden one gets 403",
         req(extra=("Origin: https://ok.test", "Origin: https://evil.test")), 403)
    case("a Host not in --host gets 403", req(replace={"Host": "evil.test"}), 403)
    case("a Host in --host with a port gets 101", req(replace={"Host": f"127.0.0.1:{PORT}"}), 101)
    case("an unknown subprotocol without --require-protocol gets 101 with no protocol header",
         req(extra=("Sec-WebSocket-Protocol: foo",)), 101, absent=("Sec-WebSocket-Protocol",))
    case("subprotocol: the client's first offer we speak (superchat, chat -> superchat)",
         req(extra=("Sec-WebSocket-Protocol: foo, superchat, chat",)), 101,
         {"Sec-WebSocket-Protocol": "superchat"})
    case("subprotocol: the client's first offer we speak (chat, superchat -> chat)",
         req(extra=("Sec-WebSocket-Protocol: chat, superchat",)), 101, {"Sec-WebSocket-Protocol": "chat"})


def require_protocol():
    case("--require-protocol: an unknown subprotocol gets 400", req(extra=("Sec-WebSocket-Protocol: foo",)), 400)
    case("--require-protocol: no subprotocol offered gets 400", req(), 400)
    case("--require-protocol: an offer we speak gets 101 with it",
         req(extra=("Sec-WebSocket-Protocol: foo, chat",)), 101, {"Sec-WebSocket-Protocol": "chat"})


def health():
    case("a plain GET /healthz gets 200 ok", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200,
         body=b"ok\n")
    case("a plain GET / gets 426 with Upgrade: websocket", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 426,
         {"Upgrade": "websocket"})
    case("a WebSocket upgrade on /healthz gets 101", req(path="/healthz"), 101)


def slowloris(seconds):
    what = f"slowloris (one header byte a second) is cut at --handshake-timeout {seconds:g}"
    data = req()
    s = connect(PORT)
    start = time.monotonic()
    got = b""
    try:
        for i in range(len(data) - 1):  # never the last byte
            try:
                s.send(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            s.settimeout(1.0)
            try:
                chunk = s.recv(4096)
            except socket.timeout:
                chunk = None
            except ConnectionResetError:
                chunk = b""
            if chunk == b"":
                break
            if chunk:
                got += chunk
            if time.monotonic() - start > seconds + 5:
                break
        took = time.monotonic() - start
        if took > seconds + 3:
            result(False, what, f"still open after {took:.1f} s")
        elif took < seconds * 0.9:
            result(False, what, f"cut after only {took:.2f} s")
        elif not got.startswith(b"HTTP/1.1 408 "):
            result(False, what, f"answered {got[:40]!r}, expected 408 Request Timeout")
        else:
            result(True, what + f" with 408 (after {took:.1f} s)")
    finally:
        s.close()


def upgrade(path="/", extra=()):
    return wsraw.upgrade(PORT, req(path=path, extra=extra))


def too_big():
    wsraw.PORT = PORT
    wsraw.expect_close(PORT, f"{LABEL}: a frame of 1001 bytes (--max-frame 1000) gets 1009",
                       frame(2, b"x" * 1001), 1009)
    wsraw.expect_close(PORT, f"{LABEL}: a message of 2001 bytes in 3 frames (--max-message 2000) gets 1009",
                       frame(2, b"x" * 1000, fin=False) + frame(0, b"x" * 1000, fin=False)
                       + frame(0, b"x", fin=True), 1009)
    echo_then_close("a message of exactly 2000 bytes in 2 frames is echoed",
                    frame(1, b"y" * 1000, fin=False) + frame(0, b"y" * 1000), [(1, b"y" * 2000)])


def read_messages(r, n, deadline):
    """n data messages (opcode, payload), assembling fragments; pings and pongs are skipped."""
    messages, parts = [], []
    while len(messages) < n:
        fin, rsv, opcode, masked, payload = r.frame(deadline)
        if opcode == 8:
            raise RuntimeError(f"Close {payload[:2].hex()} {payload[2:]!r} after {len(messages)} messages")
        if opcode in (0, 1, 2):
            parts.append((opcode, payload))
            if fin:
                messages.append((parts[0][0], b"".join(p for _, p in parts)))
                parts = []
    return messages


def echo_then_close(what, data, want):
    """Send data, read the echoed messages (a child answers in its own time), then close 1000."""
    try:
        s, r = upgrade()
        s.sendall(data)
        got = read_messages(r, len(want), time.monotonic() + TIMEOUT)
        s.sendall(frame(8, close_payload(1000)))
        _, code, _ = wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        why = ""
        if got != want:
            why = f"echoed {[(op, len(p)) for op, p in got]}, expected {[(op, len(p)) for op, p in want]}"
        elif code != 1000:
            why = f"close {code}"
        result(not why, what, why)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def rate():
    wsraw.expect_close(PORT, f"{LABEL}: 100 messages at once over --max-rate 20 get 1008",
                       b"".join(frame(1, b"m%d" % i) for i in range(100)), 1008)
    # Under the rate: 10 messages, 0.1 s apart, all echoed.
    what = "10 messages 0.1 s apart under --max-rate 20 are all echoed"
    try:
        s, r = upgrade()
        for i in range(10):
            s.sendall(frame(1, b"slow%d" % i))
            time.sleep(0.1)
        s.sendall(frame(8, close_payload(1000)))
        messages, code, _ = wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        want = [(1, b"slow%d" % i) for i in range(10)]
        result(messages == want and code == 1000, what, f"got {len(messages)} messages, close {code}")
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def parse_logfmt(line):
    fields = {}
    for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line):
        v = m.group(2)
        fields[m.group(1)] = json.loads(v) if v.startswith('"') else v
    return fields


def log_line(log, path, event="close", seconds=5.0):
    """The fields of the first log line with this event and path, waiting up to seconds."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with open(log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    fields = json.loads(line) if line.startswith("{") else parse_logfmt(line)
                    if fields.get("event") == event and fields.get("path") == path:
                        return fields
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def ping_unanswered(log):
    what = "a peer that never answers pings gets a Ping, then Close 1001 and the end within 5 s"
    path = "/ping-unanswered"
    try:
        s, r = upgrade(path)
        start = time.monotonic()
        opcodes = []
        code = None
        try:
            while True:
                fin, rsv, opcode, masked, payload = r.frame(start + 8)
                opcodes.append(opcode)
                if opcode == 8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    break
        except EOFError:
            pass
        ended = r.closed(3.0) if not r.eof else True
        took = time.monotonic() - start
        why = ""
        if 9 not in opcodes:
            why = f"no Ping; frames {opcodes}"
        elif code != 1001:
            why = f"close code {code}, frames {opcodes}"
        elif not ended or took > 5:
            why = f"still open after {took:.1f} s"
        elif took < 1.8:
            why = f"ended after only {took:.2f} s (ping 1 + pong 1)"
        result(not why, what + f" ({took:.1f} s)", why)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    fields = log_line(log, path)
    result(fields is not None and fields.get("ending") == "ping_timeout",
           "the log line says ending=ping_timeout", f"log line: {fields}")


def ping_answered():
    what = "a peer that answers pings stays open past 4 intervals, then closes 1000"
    try:
        s, r = upgrade("/ping-answered")
        start = time.monotonic()
        pings = 0
        while time.monotonic() - start < 4.5:
            try:
                fin, rsv, opcode, masked, payload = r.frame(time.monotonic() + 0.3)
            except (TimeoutError, socket.timeout):
                continue
            if opcode == 9:
                pings += 1
                s.sendall(frame(10, payload))
            else:
                raise RuntimeError(f"unexpected frame opcode {opcode} {payload[:20]!r} after {pings} pings")
        s.sendall(frame(8, close_payload(1000)))
        messages, code, _ = wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        why = ""
        if pings < 3:
            why = f"only {pings} pings in 4.5 s"
        elif code != 1000:
            why = f"close {code}"
        result(not why, what + f" ({pings} pings)", why)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def close_unanswered(log):
    what = "idle 1 s: Close 1001; a peer that never answers it is cut at --close-timeout 1"
    path = "/close-unanswered"
    try:
        s, r = upgrade(path)
        start = time.monotonic()
        fin, rsv, opcode, masked, payload = r.frame(start + 5)
        t_close = time.monotonic() - start
        code = struct.unpack("!H", payload[:2])[0] if opcode == 8 and len(payload) >= 2 else None
        ended = r.closed(4.0)
        t_end = time.monotonic() - start
        why = ""
        if opcode != 8 or code != 1001:
            why = f"first frame opcode {opcode} code {code}"
        elif not 0.8 <= t_close <= 2.5:
            why = f"Close after {t_close:.2f} s (--idle-timeout 1)"
        elif not ended:
            why = f"still open {t_end:.1f} s after the start"
        elif t_end - t_close < 0.8:
            why = f"cut {t_end - t_close:.2f} s after the Close: before --close-timeout 1"
        result(not why, what + f" (close at {t_close:.1f} s, end at {t_end:.1f} s)", why)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    fields = log_line(log, path)
    result(fields is not None and fields.get("ending") == "close_timeout" and fields.get("by") == "idle",
           "the log line says ending=close_timeout by=idle", f"log line: {fields}")


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == pid:
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def connection_process(server_pid, seconds=5.0):
    """The vws program tcpserver started for our connection (its only child)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kids = children(server_pid)
        if len(kids) == 1:
            return kids[0]
        time.sleep(0.05)
    raise RuntimeError(f"tcpserver {server_pid} has children {children(server_pid)}, expected one")


def rss_kib(pid):
    """VmRSS of pid and its descendants, in KiB (0 when gone)."""
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def flood_until_blocked(s, pid, megabytes):
    """Send 1 MiB binary frames (mask key 0) until megabytes are sent or a send blocks 3 s.
    Returns (MiB sent, peak RSS KiB of the server process)."""
    block = b"\x82\xff" + struct.pack("!Q", 1 << 20) + b"\0\0\0\0" + b"f" * (1 << 20)
    view = memoryview(block)
    sent_mb = 0
    peak = rss_kib(pid)
    s.settimeout(3.0)
    try:
        while sent_mb < megabytes:
            off = 0
            while off < len(block):
                off += s.send(view[off:])
            sent_mb += 1
            if sent_mb % 8 == 0:
                peak = max(peak, rss_kib(pid))
    except socket.timeout:
        pass  # the server stopped reading
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server gave up on us
    peak = max(peak, rss_kib(pid))
    return sent_mb, peak


def flood(server_pid, megabytes, limit_mb=50):
    what = f"a peer that floods {megabytes} MiB and never reads: the server's RSS stays under {limit_mb} MB"
    try:
        s, r = upgrade("/flood")
        pid = connection_process(server_pid)
        sent, peak = flood_until_blocked(s, pid, megabytes)
        time.sleep(0.5)
        peak = max(peak, rss_kib(pid))
        result(peak < limit_mb * 1024, what + f" (sent {sent} MiB, peak {peak // 1024} MB)",
               f"peak RSS {peak} KiB")
        # The client gives up: the connection must end.
        s.close()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        result(not alive(pid), "once the flooding peer leaves, the connection process ends within 5 s")
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def stuck(server_pid):
    what = "a peer that floods, then neither reads nor sends, is cut within 8 s (ping 1, pong 1)"
    try:
        s, r = upgrade("/stuck")
        pid = connection_process(server_pid)
        sent, _ = flood_until_blocked(s, pid, 300)
        start = time.monotonic()
        while alive(pid) and time.monotonic() - start < 8:
            time.sleep(0.05)
        took = time.monotonic() - start
        result(not alive(pid), what + f" (sent {sent} MiB; ended after {took:.1f} s)",
               f"still running {took:.1f} s after the peer stopped")
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def sigterm(server_pid):
    what = "SIGTERM to the connection's process: the client gets Close 1001, then the end"
    try:
        s, r = upgrade("/sigterm")
        s.sendall(frame(1, b"before"))
        fin, rsv, opcode, masked, payload = r.frame(time.monotonic() + TIMEOUT)
        if (opcode, payload) != (1, b"before"):
            raise RuntimeError(f"echo: opcode {opcode} {payload!r}")
        pid = connection_process(server_pid)
        os.kill(pid, signal.SIGTERM)
        messages, code, reason = wsraw.read_until_close(r, time.monotonic() + 5)
        s.sendall(frame(8, close_payload(1001)))
        ended = r.closed(3.0)
        s.close()  # the server waits for our end of TCP too
        deadline = time.monotonic() + 3
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        why = ""
        if code != 1001:
            why = f"close code {code} {reason!r}"
        elif not ended:
            why = "TCP still open 3 s after the close handshake"
        elif alive(pid):
            why = f"process {pid} still running"
        result(not why, what, why)
        s.close()
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def json_log(log):
    what = "--log-format json: every line parses, the close line has every field"
    path = "/json-log?x=1"
    try:
        s, r = upgrade(path)
        s.sendall(frame(1, b"one") + frame(1, b"two"))
        read_messages(r, 2, time.monotonic() + TIMEOUT)
        s.sendall(frame(8, close_payload(1000)))
        messages, code, _ = wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        r.closed(3.0)
        s.close()
        fields = log_line(log, path)
        why = ""
        if fields is None:
            why = "no close line"
        else:
            want = ["time", "program", "pid", "event", "remote_addr", "path", "duration", "bytes_in",
                    "bytes_out", "messages_in", "messages_out", "code_sent", "code_received", "by"]
            missing = [k for k in want if k not in fields]
            if missing:
                why = f"missing {missing} in {fields}"
            elif not (fields["messages_in"] == 2 and fields["messages_out"] == 2 and fields["code_sent"] == 1000
                      and fields["code_received"] == 1000 and fields["by"] == "peer"
                      and fields["remote_addr"] == "127.0.0.1" and isinstance(fields["pid"], int)
                      and isinstance(fields["duration"], (int, float)) and fields["bytes_in"] > 0):
                why = f"unexpected values: {fields}"
            elif not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", fields["time"]):
                why = f"time {fields['time']!r}"
        if not why:
            with open(log, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        try:
                            json.loads(line)
                        except ValueError as e:
                            why = f"not JSON ({e}): {line.strip()[:200]}"
                            break
        result(not why, what, why)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def forwarded_exchange(path, value, echo):
    """Upgrade with X-Forwarded-For: value, read the child's first line (its REMOTE_ADDR) when
    echo, close; returns that line (or None)."""
    s, r = upgrade(path, extra=(f"X-Forwarded-For: {value}",))
    try:
        first = None
        if echo:
            fin, rsv, opcode, masked, payload = r.frame(time.monotonic() + TIMEOUT)
            first = payload.decode(errors="replace")
        s.sendall(frame(8, close_payload(1000)))
        wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        return first
    finally:
        s.close()


def forwarded(log, want, echo=False):
    path = f"/forwarded-{want}"
    what = f"X-Forwarded-For: 203.0.113.9 from 127.0.0.1: the log's remote_addr is {want}"
    try:
        first = forwarded_exchange(path, "198.51.100.1, 203.0.113.9", echo)
        fields = log_line(log, path)
        got = fields.get("remote_addr") if fields else None
        result(got == want, what, f"log line: {fields}")
        if echo:
            result(first == want, f"the child's REMOTE_ADDR is {want}", f"child said {first!r}")
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def forwarded_bad(log, echo=False):
    bad = '9.9.9.9 remote_addr=1.1.1.1 "q"'
    path = "/forwarded-bad"
    what = f"X-Forwarded-For: {bad} is no IP literal: the log's remote_addr stays 127.0.0.1"
    try:
        first = forwarded_exchange(path, bad, echo)
        fields = log_line(log, path) or {}
        result(fields.get("remote_addr") == "127.0.0.1" and "proxy" not in fields, what, f"log line: {fields}")
        result(fields.get("bad_forwarded") == bad, "the log line holds the bad value, escaped, as bad_forwarded",
               f"log line: {fields}")
        if echo:
            result(first == "127.0.0.1", "the child's REMOTE_ADDR stays 127.0.0.1", f"child said {first!r}")
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


def escaped_path(log):
    # Neither byte is refused in a request target; both must be escaped in a quoted log value.
    path = '/esc"aped\\path\\"?q=\\"'
    what = f"a path holding \\ and \" ({path}) is logged escaped: the open and close lines parse back to it"
    try:
        s, r = upgrade(path)
        s.sendall(frame(8, close_payload(1000)))
        wsraw.read_until_close(r, time.monotonic() + TIMEOUT)
        s.close()
        opened, closed = log_line(log, path, "open"), log_line(log, path)
        why = ""
        if opened is None or closed is None:
            with open(log, encoding="utf-8", errors="replace") as f:
                tail = " | ".join(f.read().splitlines()[-2:])
            why = f"no open and close line parses to that path; the log ends: {tail}"
        elif closed.get("remote_addr") != "127.0.0.1" or closed.get("code_received") not in (1000, "1000"):
            why = f"close line: {closed}"
        result(not why, what, why)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


CASES = {
    "answers": answers, "require-protocol": require_protocol, "health": health,
    "slowloris": lambda seconds: slowloris(float(seconds)), "too-big": too_big, "rate": rate,
    "ping-unanswered": ping_unanswered, "ping-answered": ping_answered,
    "close-unanswered": close_unanswered,
    "flood": lambda pid, mb: flood(int(pid), int(mb)), "stuck": lambda pid: stuck(int(pid)),
    "sigterm": lambda pid: sigterm(int(pid)), "json-log": json_log,
    "forwarded": lambda log, want, echo="": forwarded(log, want, bool(echo)),
    "forwarded-bad": lambda log, echo="": forwarded_bad(log, bool(echo)),
    "escaped-path": escaped_path,
}

if __name__ == "__main__":
    name, PORT, LABEL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    result = tap.labelled(LABEL)
    CASES[name](*sys.argv[4:])
    tap.done()
