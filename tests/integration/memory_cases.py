"""Memory bounds of one connection's process, read from /proc (resource bounds, not timings).

usage: /usr/bin/python3 memory_cases.py flood PORT TCPSERVER_PID LABEL [--cpu]
       /usr/bin/python3 memory_cases.py big PORT LABEL SIZE FRAGMENT CODE
       /usr/bin/python3 memory_cases.py await PORT LABEL CODE REASON

flood: Pings of 125 bytes as fast as the socket takes them for 5 s, never reading; the server
  process's VmHWM must stay under 16 MiB (RFC 6455 §5.5.3: one Pong held, not one per Ping).
  --cpu: then, once the server stops taking our bytes (at most 20 s), it must use under 0.2 s of
  CPU in the next 2 s of flooding: a peer that does not read is not read either.
await: send nothing; the server must close with CODE and a reason holding REASON (answered).
big: one text message of SIZE bytes in FRAGMENT-byte fragments. CODE 1000: it must come back
  whole (then our Close is answered with 1000); any other CODE: the server must answer with a
  Close carrying it, and end the connection.
"""
import os
import socket
import struct
import sys
import time

import tap
from wsraw import close_payload, frame, upgrade

HWM_BOUND_KIB = 16 * 1024


def server_pid(tcpserver_pid):
    """The connection's process: tcpserver's child (one connection at a time here)."""
    for _ in range(50):
        with open(f"/proc/{tcpserver_pid}/task/{tcpserver_pid}/children") as f:
            kids = f.read().split()
        if kids:
            return int(kids[-1])
        time.sleep(0.1)
    raise RuntimeError("no connection process under tcpserver")


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def flood(port, tcpserver_pid, label, check_cpu):
    result = tap.labelled(label)
    s, _ = upgrade(port)
    pid = server_pid(tcpserver_pid)
    pings = frame(9, b"p" * 125) * 256
    s.setblocking(False)
    at, sent, last_progress = 0, 0, time.monotonic()

    def send_for(seconds, until_stalled=False):
        nonlocal at, sent, last_progress
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                n = s.send(pings[at:])
                at, sent, last_progress = (at + n) % len(pings), sent + n, time.monotonic()
            except BlockingIOError:
                if until_stalled and time.monotonic() - last_progress > 1.0:
                    return True
                time.sleep(0.001)
        return False

    try:
        send_for(5.0)
        hwm = status_kib(pid, "VmHWM")
        result(hwm < HWM_BOUND_KIB, f"Ping flood ({sent >> 20} MiB unread Pongs' worth): "
               f"peak RSS under {HWM_BOUND_KIB >> 10} MiB", f"VmHWM {hwm} kB")
        if check_cpu:
            stalled = send_for(20.0, until_stalled=True)
            if not stalled:
                result(False, "Ping flood: the server stops reading a peer that does not read",
                       f"still taking bytes after 25 s ({sent >> 20} MiB)")
            else:
                before = cpu_seconds(pid)
                send_for(2.0)
                used = cpu_seconds(pid) - before
                result(used < 0.2, "Ping flood: no CPU spent once the peer's buffers are full",
                       f"{used:.2f} s of CPU in 2 s")
    finally:
        s.close()


class FastReader:
    """Server frames from the socket into one bytearray (large payloads, quickly)."""

    def __init__(self, sock, buf):
        self.sock, self.buf = sock, bytearray(buf)

    def need(self, n, deadline):
        while len(self.buf) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(4 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def frame(self, deadline):
        self.need(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        n, at = b1 & 0x7F, 2
        if n == 126:
            self.need(4, deadline)
            n, at = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self.need(10, deadline)
            n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
        self.need(at + n, deadline)
        payload = bytes(self.buf[at:at + n])
        del self.buf[:at + n]
        return b0 & 0x0F, bool(b0 & 0x80), payload


def big(port, label, size, fragment, code):
    result = tap.labelled(label)
    what = f"a {size >> 20} MiB text message in {fragment >> 20} MiB fragments"
    what += " comes back whole" if code == 1000 else f" is answered with Close {code}"
    s, r = upgrade(port)
    reader = FastReader(s, r.buf)
    deadline = time.monotonic() + 120
    try:
        payload = b"a" * fragment
        try:
            for off in range(0, size, fragment):
                n = min(fragment, size - off)
                s.sendall(frame(1 if off == 0 else 0, payload[:n], fin=off + n >= size, key=b"\0\0\0\0"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # it may stop reading once it failed the connection
        received, opcode = 0, None
        while True:
            try:
                op, fin, data = reader.frame(deadline)
            except (EOFError, ConnectionResetError):
                result(False, what, f"connection ended without a Close after {received} bytes")
                return
            if op == 8:
                got = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                if code == 1000:
                    result(False, what, f"Close {got} {data[2:]!r} after {received} of {size} bytes")
                else:
                    result(got == code, what, f"Close {got} {data[2:]!r}")
                return
            if op in (0, 1):
                opcode = opcode or op
                received += len(data)
                if fin and code == 1000:
                    result(received == size and opcode == 1, what, f"got {received} bytes, opcode {opcode}")
                    s.sendall(frame(8, close_payload(1000), fin=True, key=b"\0\0\0\0"))
                    while reader.frame(deadline)[0] != 8:
                        pass
                    return
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    finally:
        s.close()


def await_close(port, label, code, reason):
    result = tap.labelled(label)
    what = f"the server closes with {code} ({reason})"
    s, r = upgrade(port)
    reader = FastReader(s, r.buf)
    try:
        while True:
            op, _, data = reader.frame(time.monotonic() + 60)
            if op == 8:
                got = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                result(got == code and reason.encode() in data[2:], what, f"Close {got} {data[2:]!r}")
                s.sendall(frame(8, data[:2], fin=True, key=b"\0\0\0\0"))
                return
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")
    finally:
        s.close()


if __name__ == "__main__":
    case = sys.argv[1]
    if case == "flood":
        flood(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], "--cpu" in sys.argv[5:])
    elif case == "big":
        big(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif case == "await":
        await_close(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(f"memory_cases.py: unknown case {case}")
    tap.done()
