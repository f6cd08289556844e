"""Exit codes and timeouts of one vws-echo process, driven directly over a socketpair (--fd N),
so its exit status is visible: 0 after a clean close, 98 after a protocol violation; and
--idle-timeout / --close-timeout end a silent peer's connection.

usage: /usr/bin/python3 session_cases.py VWS-ECHO
"""
import socket
import subprocess
import sys
import time

import tap
from tap import result
from wsraw import Reader, TIMEOUT, close_payload, frame, read_until_close, request

ECHO = sys.argv[1]


def spawn(*args):
    ours, theirs = socket.socketpair()
    fd = theirs.fileno()
    proc = subprocess.Popen([ECHO, "--fd", str(fd), *args], pass_fds=(fd,),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    theirs.close()
    ours.settimeout(TIMEOUT)
    return ours, proc


def upgrade(sock):
    sock.sendall(request())
    r = Reader(sock)
    head = r.head(time.monotonic() + TIMEOUT)
    if not head.startswith("HTTP/1.1 101"):
        raise RuntimeError(head.split("\r\n")[0])
    return r


def status(proc, what, want):
    try:
        rc = proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        result(False, what, f"still running {TIMEOUT} s later")
        return
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    result(want is None or rc == want, what, f"exit {rc}; stderr: {err[-1] if err else ''}")


def run(what, want_rc, args, script):
    sock, proc = spawn(*args)
    try:
        script(sock)
    except Exception as e:  # noqa: BLE001
        result(False, what + " (session)", f"{type(e).__name__}: {e}")
    finally:
        sock.close()  # our FIN: a server draining until the peer's end may now exit
        status(proc, what, want_rc)
        proc.stderr.close()


def clean(sock):
    r = upgrade(sock)
    sock.sendall(frame(1, b"hi") + frame(8, close_payload(1000)))
    messages, code, _ = read_until_close(r, time.monotonic() + TIMEOUT)
    assert messages == [(1, b"hi")] and code == 1000, (messages, code)
    r.closed(TIMEOUT)


def violation(sock):
    r = upgrade(sock)
    sock.sendall(frame(1, b"x", mask=False))
    _, code, _ = read_until_close(r, time.monotonic() + TIMEOUT)
    assert code == 1002, code


def vanish(sock):
    upgrade(sock)
    sock.shutdown(socket.SHUT_RDWR)


def idle(sock):
    r = upgrade(sock)
    start = time.monotonic()
    _, code, _ = read_until_close(r, start + TIMEOUT)
    took = time.monotonic() - start
    result(code == 1001 and 0.5 <= took <= 3.0,
           "--idle-timeout 1: a silent peer gets close 1001 after about 1 s",
           f"close {code} after {took:.2f} s")
    sock.sendall(frame(8, close_payload(1001)))
    r.closed(TIMEOUT)


def idle_no_answer(sock):
    r = upgrade(sock)
    start = time.monotonic()
    _, code, _ = read_until_close(r, start + TIMEOUT)
    ended = r.closed(4.0)
    took = time.monotonic() - start
    result(code == 1001 and ended and took <= 4.0,
           "--close-timeout 1: a peer that never answers the close is dropped about 1 s later",
           f"close {code}, ended={ended} after {took:.2f} s")


def bad_handshake(sock):
    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n\r\n")
    head = Reader(sock).head(time.monotonic() + TIMEOUT)
    assert head.startswith("HTTP/1.1 405"), head


run("exit 0 after a clean close", 0, [], clean)
run("exit 0 after a clean close (--blocking)", 0, ["--blocking"], clean)
run("exit 98 after a protocol violation", 98, [], violation)
run("exit 98 after a protocol violation (--blocking)", 98, ["--blocking"], violation)
run("exit 98 when the peer vanishes without a close", 98, [], vanish)
run("exit 98 after a refused handshake (405)", 98, [], bad_handshake)
# After a server-initiated close the exit status is not specified here: only that it ends.
run("--idle-timeout 1: the process ends", None, ["--idle-timeout", "1"], idle)
run("--close-timeout 1: the process ends", None, ["--idle-timeout", "1", "--close-timeout", "1"],
    idle_no_answer)
tap.done()
