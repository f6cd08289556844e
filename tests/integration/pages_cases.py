"""pages_cases: plain HTTP on a vws port (--static, --devconsole, --header*, --same-origin), on
raw sockets so that paths no client would send can be sent.

    pages_cases.py static PORT DIR      files, traversal, odd paths, dates, methods, headers
    pages_cases.py console PORT         the console page, 405, the upgrade beside it
    pages_cases.py same-origin PORT     Origin against Host
"""
import hashlib
import os
import socket
import sys
import time

from tap import done, result
from wsraw import answer, expect_echo, frame, request

def get(port, path, method="GET", extra=(), version="HTTP/1.1", host="127.0.0.1"):
    head = f"{method} {path} {version}\r\nHost: {host}\r\n" + "".join(e + "\r\n" for e in extra) + "\r\n"
    return answer(port, head.encode("latin-1"), body=method != "HEAD")


def expect(port, what, path, status, method="GET", extra=(), body=None, headers=None, absent=()):
    try:
        got, hdrs, content, ended = get(port, path, method, extra)
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
        return None
    why = []
    if got != status:
        why.append(f"status {got}, expected {status}")
    if body is not None and content != body:
        why.append(f"body {content[:60]!r}, expected {body[:60]!r}")
    for name, value in (headers or {}).items():
        if hdrs.get(name) != [value]:
            why.append(f"{name}: {hdrs.get(name)}, expected {value!r}")
    for name in absent:
        if name in hdrs:
            why.append(f"unexpected {name}: {hdrs[name]}")
    if not ended:
        why.append("connection still open 3 s after the answer")
    result(not why, what, "; ".join(why))
    return hdrs


def static(port, root):
    index = open(os.path.join(root, "index.html"), "rb").read()
    hdrs = expect(port, "GET / is index.html, with --header and --header-http, not --header-ws", "/", 200,
                  body=index, headers={"content-type": "text/html; charset=utf-8",
                                       "content-length": str(len(index)), "x-all": "1", "x-plain": "1"},
                  absent=("x-ws",))
    types = {"app.js": "text/javascript; charset=utf-8", "app.mjs": "text/javascript; charset=utf-8",
             "style.css": "text/css; charset=utf-8", "data.json": "application/json",
             "pic.png": "image/png", "pic.jpeg": "image/jpeg", "pic.gif": "image/gif", "logo.svg": "image/svg+xml",
             "favicon.ico": "image/vnd.microsoft.icon", "mod.wasm": "application/wasm",
             "notes.txt": "text/plain; charset=utf-8", "font.woff2": "font/woff2",
             "blob.unknownext": "application/octet-stream"}
    for name, ctype in types.items():
        expect(port, f"{name} is {ctype}", "/" + name, 200, headers={"content-type": ctype},
               body=open(os.path.join(root, name), "rb").read())
    expect(port, "a file in a subdirectory", "/sub/page.html", 200, body=b"sub\n")
    expect(port, "a symlink that stays inside the directory is followed", "/link-in.txt", 200, body=b"notes\n")

    expect(port, "HEAD: the headers and Content-Length, no body", "/index.html", 200, method="HEAD",
           headers={"content-length": str(len(index))})
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        raw = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
        s.close()
        result(raw.endswith(b"\r\n\r\n") and raw.count(b"\r\n\r\n") == 1, "HEAD: nothing after the head",
               repr(raw[-80:]))
    except Exception as e:  # noqa: BLE001
        result(False, "HEAD: nothing after the head", str(e))

    modified = hdrs["last-modified"][0] if hdrs and "last-modified" in hdrs else "none"
    expect(port, "If-Modified-Since: the file's Last-Modified -> 304", "/", 304,
           extra=[f"If-Modified-Since: {modified}"], body=b"", absent=("content-length",))
    t = time.gmtime(time.time() - 3600 * 24 * 365 * 40)
    for what, value in [("garbage", "garbage"), ("empty", ""), ("a number", "1700000000"),
                        ("an ISO date", "2020-01-01T00:00:00Z"), ("a date in the future",
                         "Fri, 01 Jan 2100 00:00:00 GMT"), ("trailing junk", modified + " junk"),
                        ("a date before the file's", time.strftime("%a, %d %b %Y %H:%M:%S GMT", t))]:
        expect(port, f"If-Modified-Since {what} -> 200", "/", 200, extra=[f"If-Modified-Since: {value}"],
               body=index)

    # Everything that must not name a file, or a file outside the directory.
    refused = ["/../secret.txt", "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
               "/.%2e/secret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
               "/sub/..%2f..%2fsecret.txt", "/..\\secret.txt", "/%2e%2e%5csecret.txt",
               "/.hidden", "/%2ehidden", "/.git/config", "/sub/.env", "/link-out.txt", "/link-abs.txt",
               "/sub", "/sub/", "/empty-dir/", "/fifo", "/missing.html", "/index.html%00.txt",
               "/%", "/%zz", "//secret.txt", "/sub//page.html", "/" + "a" * 300,
               "/" + "d/" * 2000 + "x", "/%c0%ae%c0%ae/secret.txt"]
    for path in refused:
        expect(port, f"404 for {path[:60]}", path, 404, body=b"not found\n")
    expect(port, "absolute-form target: the path is what counts", "http://127.0.0.1/index.html", 200, body=index)
    for what, raw, status in [
            ("a path beyond --max-head -> 431", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
            ("raw bytes in the path -> 400", b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("a space in the path -> 400", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("HTTP/1.1 without Host -> 400", b"GET / HTTP/1.1\r\n\r\n", 400),
            ("two Host headers -> 400", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]:
        try:
            status_got = answer(port, raw)[0]
            result(status_got == status, what, f"status {status_got}")
        except Exception as e:  # noqa: BLE001
            result(False, what, str(e))
    try:
        st = answer(port, b"GET / HTTP/1.0\r\n\r\n")[0]
        result(st == 200, "HTTP/1.0 without Host is served", f"status {st}")
    except Exception as e:  # noqa: BLE001
        result(False, "HTTP/1.0 without Host is served", str(e))

    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        expect(port, f"{method} -> 405 with Allow: GET, HEAD", "/", 405, method=method,
               extra=["Content-Length: 0"], headers={"allow": "GET, HEAD"})
    expect(port, "the health path still answers", "/healthz", 200, body=b"ok\n", headers={"x-plain": "1"})

    big = os.path.join(root, "big.bin")
    want = hashlib.sha256(open(big, "rb").read()).hexdigest()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        raw = bytearray()
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            raw += chunk
        s.close()
        body = bytes(raw[raw.index(b"\r\n\r\n") + 4:])
        result(hashlib.sha256(body).hexdigest() == want,
               f"a {os.path.getsize(big) >> 20} MiB file arrives whole under softlimit -m 16M (streamed)",
               f"got {len(body)} bytes")
    except Exception as e:  # noqa: BLE001
        result(False, "the big file arrives whole", str(e))

    upgrade_beside(port, "/", {"x-all": "1", "x-ws": "1"}, ("x-plain",))


def upgrade_beside(port, path, want, absent):
    """An upgrade on the same port is a WebSocket as ever, with its own extra headers."""
    try:
        status, hdrs, _, _ = answer(port, request(path=path))
        bad = [f"{k}: {hdrs.get(k)}" for k, v in want.items() if hdrs.get(k) != [v]] + [k for k in absent if k in hdrs]
        result(status == 101 and not bad, "an upgrade on the same port gets 101 with --header and --header-ws",
               f"status {status} {bad}")
    except Exception as e:  # noqa: BLE001
        result(False, "an upgrade on the same port gets 101", str(e))
    expect_echo(port, "... and its messages are echoed", frame(1, b"hello"), [(1, b"hello")])


def console(port):
    expect(port, "GET / answers the console page", "/", 200,
           headers={"content-type": "text/html; charset=utf-8", "cache-control": "no-store"})
    _, _, page, _ = get(port, "/any/path?x=1")
    result(b"new WebSocket(" in page and b"<script src" not in page and b"https://" not in page,
           "the page is self-contained and opens a WebSocket", repr(page[:80]))
    expect(port, "HEAD on the console: no body", "/", 200, method="HEAD")
    expect(port, "POST -> 405", "/", 405, method="POST", extra=["Content-Length: 0"])
    expect(port, "the health path still answers", "/healthz", 200, body=b"ok\n")
    upgrade_beside(port, "/", {}, ())


def same_origin(port):
    for origin, status in [(f"http://127.0.0.1:{port}", 101), (f"https://127.0.0.1:{port}", 101),
                           (f"http://127.0.0.1:{port + 1}", 403), ("http://127.0.0.1", 403),
                           ("https://evil.example", 403), ("null", 403), (None, 101)]:
        extra = [f"Origin: {origin}"] if origin else []
        try:
            got = answer(port, request(host=f"127.0.0.1:{port}", extra=extra))[0]
            result(got == status, f"--same-origin: Origin {origin} to Host 127.0.0.1:{port} -> {status}",
                   f"status {got}")
        except Exception as e:  # noqa: BLE001
            result(False, f"--same-origin: Origin {origin}", str(e))


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "static":
        static(port, sys.argv[3])
    elif mode == "console":
        console(port)
    elif mode == "same-origin":
        same_origin(port)
    done()
