"""Handshake answers on raw sockets: each bad request gets its HTTP status and the connection
ends (within wsraw.TIMEOUT, shorter than the server's --handshake-timeout); good variants get
101. With --slow, a client that never finishes its request is cut.

usage: /usr/bin/python3 handshake_cases.py PORT
       /usr/bin/python3 handshake_cases.py --slow PORT SECONDS
"""
import sys
import time

import tap
import wsraw
from tap import result
from wsraw import Reader, accept_of, connect, request

KEY = "x3JJHMbDL1EzLkh9GBhXDw=="


def req(**kw):
    return request(KEY, "/chat", **kw)


def answer(data):
    """Send a request; return (status, headers dict, connection ended within 3 s after head)."""
    status, headers, _, ended = wsraw.answer(PORT, data, body=False)
    return status, {k: v[-1] for k, v in headers.items()}, ended


def case(what, data, status, check=None):
    try:
        got, headers, ended = answer(data)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
        return
    if got != status:
        result(False, what, f"expected {status}, got {got}")
    elif not ended:
        result(False, what, f"{status} sent but the connection is still open 3 s later")
    elif check and check(headers):
        result(False, what, check(headers))
    else:
        result(True, what)


def needs_version_13(headers):
    v = headers.get("sec-websocket-version")
    return None if v == "13" else f"Sec-WebSocket-Version in the answer is {v!r}, expected '13'"


def accept_ok(headers):
    v = headers.get("sec-websocket-accept")
    return None if v == accept_of(KEY) else f"Sec-WebSocket-Accept {v!r}, expected {accept_of(KEY)!r}"


def main():
    case("valid request gets 101 with the right Sec-WebSocket-Accept", req(), 101, accept_ok)
    case("header names and values in other cases get 101",
         req(drop=("Upgrade", "Connection"), extra=("upgrade: WebSocket", "CONNECTION: UPGRADE")), 101, accept_ok)
    case("Connection: keep-alive, Upgrade (a token list) gets 101",
         req(replace={"Connection": "keep-alive, Upgrade"}), 101, accept_ok)
    case("POST gets 405", req(method="POST"), 405)
    case("PUT gets 405", req(method="PUT"), 405)
    case("HTTP/1.0 gets 400", req(version="HTTP/1.0"), 400)
    case("missing Host gets 400", req(drop=("Host",)), 400)
    case("missing Connection gets 400", req(drop=("Connection",)), 400)
    case("Connection: keep-alive (no upgrade token) gets 400", req(replace={"Connection": "keep-alive"}), 400)
    case("missing Sec-WebSocket-Key gets 400", req(drop=("Sec-WebSocket-Key",)), 400)
    case("Sec-WebSocket-Key not base64 gets 400", req(replace={"Sec-WebSocket-Key": "not base64 at all!!"}), 400)
    case("Sec-WebSocket-Key of 15 bytes gets 400", req(replace={"Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAA"}), 400)
    case("Sec-WebSocket-Key of 17 bytes gets 400",
         req(replace={"Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAAAAA="}), 400)
    case("Sec-WebSocket-Version 8 gets 426 with Sec-WebSocket-Version: 13",
         req(replace={"Sec-WebSocket-Version": "8"}), 426, needs_version_13)
    case("Sec-WebSocket-Version 14 gets 426 with Sec-WebSocket-Version: 13",
         req(replace={"Sec-WebSocket-Version": "14"}), 426, needs_version_13)
    case("missing Upgrade gets 426", req(drop=("Upgrade",)), 426)
    case("Upgrade: h2c gets 426", req(replace={"Upgrade": "h2c"}), 426)
    case("request head over 8192 bytes gets 431", req(extra=("X-Big: " + "a" * 9000,)), 431)
    many = [f"X-H{i}: v" for i in range(95)]  # 5 required headers + 95 = 100 headers
    case("exactly 100 headers get 101", req(extra=many), 101, accept_ok)
    case("101 headers get 431", req(extra=many + ["X-One-Too-Many: v"]), 431)
    base = len(req(extra=("X-Pad: ",)))
    case("request head of exactly 8192 bytes (blank line included) gets 101",
         req(extra=("X-Pad: " + "p" * (8192 - base),)), 101, accept_ok)
    case("request head of 8193 bytes gets 431", req(extra=("X-Pad: " + "p" * (8193 - base),)), 431)
    # A body on the upgrade GET would be read as frames after the 101 (here: one to echo).
    smuggled = wsraw.frame(1, b"smuggled")
    case("Content-Length > 0 with a body that is a frame gets 400, not 101 and an echo",
         req(extra=(f"Content-Length: {len(smuggled)}",)) + smuggled, 400)
    case("Transfer-Encoding: chunked gets 400",
         req(extra=("Transfer-Encoding: chunked",)) + b"%x\r\n" % len(smuggled) + smuggled + b"\r\n0\r\n\r\n", 400)
    case("Content-Length: 0 (no body) gets 101", req(extra=("Content-Length: 0",)), 101, accept_ok)
    case("Sec-WebSocket-Version: 13 twice gets 400, not 426 (the version is right, the request is not)",
         req(extra=("Sec-WebSocket-Version: 13",)), 400)
    case("two different Origin headers get 403, even with no --origin",
         req(extra=("Origin: http://a.test", "Origin: http://b.test")), 403)
    case("the same Origin twice gets 101", req(extra=("Origin: http://a.test", "Origin: http://a.test")), 101)
    # RFC 9112 §2.2 lets a server refuse lines ending in a bare LF: 400 at once, not at the timeout.
    case("a request in bare LF lines gets 400 at once",
         req().replace(b"\r\n", b"\n"), 400)
    case("a request whose last header and blank line end in bare LF gets 400 at once",
         req()[:-4] + b"\n\n", 400)


def slow(seconds):
    for what, data in (("a client that sends half a request line", b"GET /chat HTT"),
                       ("a client that sends a request without the blank line", req()[:-2]),
                       ("a client that sends nothing", b"")):
        what = f"{what} is cut within {seconds} s + 3 s (--handshake-timeout {seconds})"
        s = connect(PORT)
        try:
            start = time.monotonic()
            if data:
                s.sendall(data)
            r = Reader(s)
            ended = r.closed(seconds + 3.0)
            took = time.monotonic() - start
            if not ended:
                result(False, what, f"still open after {took:.1f} s")
            elif took < seconds * 0.5:
                result(False, what, f"cut after only {took:.2f} s")
            else:
                result(True, what)
        except Exception as e:  # noqa: BLE001
            result(False, what, f"{type(e).__name__}: {e}")
        finally:
            s.close()


if sys.argv[1] == "--slow":
    PORT = int(sys.argv[2])
    slow(float(sys.argv[3]))
else:
    PORT = int(sys.argv[1])
    main()
tap.done()
