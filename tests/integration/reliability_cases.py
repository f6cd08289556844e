"""reliability_cases: the properties production depends on, in every driver.

    stall-child-output PORT TCPSERVER_PID   a client that never reads; the child writes forever
    ping-flood PORT TCPSERVER_PID           a client that sends Pings as fast as it can, reads none
    client-stall VWS_CLIENT                 vws-client against a server that stops reading
    pipe-bytes PROGRAM SIZE RUNS ARGS...    one message through PROGRAM on pipes, a slow reader
    pipe-eof PROGRAM SIZE RUNS              a message, then the input ends without a Close
    pipe-close HANDLER RUNS CHILD           9 x 512 KiB and a Close piped in; the child reads late
    pipe-sigterm PROGRAM ARGS...            SIGTERM mid-transfer on pipes
    stdout-closed PORT TMP                  a child that closed its stdout keeps getting messages
    zombie-group HANDLER                    a group member that never goes away (a zombie)

Stalls are judged by resources, not timings: the CPU time (utime + stime from /proc/PID/stat)
of our process over a 5 s stall, and its peak RSS (VmHWM). Pipe runs count every byte the reader
got against the frames they must hold and against the log line's bytes_out.
"""
import ctypes
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import wsraw
from tap import done, result

TICKS = os.sysconf("SC_CLK_TCK")
STALL_SECONDS = 5.0
MAX_CPU_SECONDS = 0.3
MAX_HWM_KIB = 32 * 1024


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def children_of(ppid):
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == ppid:
                out.append(int(name))
    return out


def server_process(tcpserver_pid, seconds=5.0):
    """The one connection's process: the child tcpserver forked for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kids = children_of(tcpserver_pid)
        if kids:
            return kids[0]
        time.sleep(0.02)
    raise RuntimeError("no connection process under tcpserver")


def stall_bound(pid, what, seconds=STALL_SECONDS):
    """Our process's CPU time and peak RSS over a stall: the resource bounds."""
    time.sleep(1.0)  # buffers fill; the stall begins
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    used = cpu_seconds(pid) - c0
    hwm = hwm_kib(pid)
    result(used <= MAX_CPU_SECONDS, f"{what}: CPU over a {seconds:g} s stall <= {MAX_CPU_SECONDS} s",
           f"{used:.2f} s")
    result(hwm is not None and hwm <= MAX_HWM_KIB, f"{what}: peak RSS <= {MAX_HWM_KIB // 1024} MiB",
           f"VmHWM {hwm} KiB")


def gone_within(pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (FileNotFoundError, ProcessLookupError):  # gone between open and read
            return True
        time.sleep(0.05)
    return False


def small_window_upgrade(port):
    """Upgrade with a 4 KiB receive buffer (a slow browser tab): what we do not read stalls soon."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(wsraw.TIMEOUT)
    s.connect(("127.0.0.1", port))
    s.sendall(wsraw.request())
    r = wsraw.Reader(s)
    head = r.head(time.monotonic() + wsraw.TIMEOUT)
    if not head.startswith("HTTP/1.1 101"):
        raise RuntimeError("handshake answered: " + head.split("\r\n")[0])
    return s


def stall_child_output(port, tcpserver_pid):
    """vws-handler with a child that writes forever (yes) and a client that never reads."""
    s = small_window_upgrade(port)
    pid = server_process(tcpserver_pid)
    stall_bound(pid, "child writes, client reads nothing")
    s.close()
    result(gone_within(pid, 10), "child writes, client reads nothing: the handler ends after the client")


def ping_flood(port, tcpserver_pid):
    """Pings as fast as the socket takes them, nothing read (RFC 6455 §5.5.3: one Pong is owed)."""
    s = small_window_upgrade(port)
    pid = server_process(tcpserver_pid)
    ping = wsraw.frame(9, b"p" * 125) * 512
    stop = threading.Event()

    def flood():
        s.settimeout(0.2)
        while not stop.is_set():
            try:
                s.sendall(ping)
            except socket.timeout:
                continue
            except OSError:
                return

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    stall_bound(pid, "ping flood, nothing read")
    stop.set()
    t.join(2)
    s.close()
    result(gone_within(pid, 10), "ping flood: the server ends after the client")


def client_stall(client):
    """vws-client with endless input against a server that answers the upgrade, then reads
    nothing: the client's mirror of the stalled child."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE, start_new_session=True)
    proc = subprocess.Popen([client, f"ws://127.0.0.1:{port}/"], stdin=yes.stdout,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    yes.stdout.close()
    try:
        lsock.settimeout(wsraw.TIMEOUT)
        conn, _ = lsock.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        req = b""
        while b"\r\n\r\n" not in req:
            req += conn.recv(4096)
        key = re.search(rb"Sec-WebSocket-Key: *(\S+)", req, re.I).group(1).decode()
        conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {wsraw.accept_of(key)}\r\n\r\n").encode())
        stall_bound(proc.pid, "vws-client, server reads nothing")
        conn.close()
    finally:
        for p in (proc, yes):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        lsock.close()


# ------------------------------------------------------------------------------------ pipes

def parse_output(data):
    """The server's output: (status line, [(opcode, payload)] of its frames, bytes left over)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, [], data
    status = data[:data.find(b"\r\n")].decode("latin-1")
    frames, i = [], end + 4
    while True:
        if len(data) - i < 2:
            break
        b0, b1 = data[i], data[i + 1]
        n, j = b1 & 0x7F, i + 2
        if n == 126:
            if len(data) - j < 2:
                break
            n, j = struct.unpack("!H", data[j:j + 2])[0], j + 2
        elif n == 127:
            if len(data) - j < 8:
                break
            n, j = struct.unpack("!Q", data[j:j + 8])[0], j + 8
        if len(data) - j < n:
            break
        frames.append((b0 & 0x0F, data[j:j + n]))
        i = j + n
    return status, frames, data[i:]


def run_on_pipes(argv, data, reader_delay, feed_by_pipe=False, signal_after=None, keep_open=False):
    """Runs argv with data on stdin (a file, or a pipe written by a thread and closed after it,
    or kept open until the program ends) and stdout to a pipe read by a reader that starts
    late; returns (exit status, output bytes, stderr text)."""
    rfd, wfd = os.pipe()
    if feed_by_pipe:
        stdin = subprocess.PIPE
    else:
        stdin = open(os.path.join(os.environ.get("TMP", "/tmp"), f"req.{os.getpid()}"), "w+b")
        stdin.write(data)
        stdin.flush()
        stdin.seek(0)
    proc = subprocess.Popen(argv, stdin=stdin, stdout=wfd, stderr=subprocess.PIPE, start_new_session=True)
    os.close(wfd)
    if feed_by_pipe:
        def feed():
            try:
                proc.stdin.write(data)
            except BrokenPipeError:
                pass
            finally:
                if keep_open:
                    proc.wait()
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        threading.Thread(target=feed, daemon=True).start()
    else:
        stdin.close()
    if signal_after is not None:
        time.sleep(signal_after)
        proc.send_signal(signal.SIGTERM)
    time.sleep(reader_delay)
    chunks = []
    with os.fdopen(rfd, "rb") as out:
        while True:
            b = out.read(1 << 20)
            if not b:
                break
            chunks.append(b)
    err = proc.stderr.read().decode(errors="replace")
    try:
        status = proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        status = proc.wait()
    return status, b"".join(chunks), err


def logged_bytes_out(err):
    m = re.findall(r"event=close .*?bytes_out=(\d+)", err)
    return int(m[-1]) if m else None


def pipe_bytes(program, size, runs, args):
    """One binary message of size bytes echoed through program on pipes with a slow reader:
    every byte arrives, and the log's bytes_out is what the reader counted."""
    payload = os.urandom(size)
    data = wsraw.request() + wsraw.frame(2, payload) + wsraw.frame(8, struct.pack("!H", 1000))
    name = f"{os.path.basename(program)} {' '.join(args)}".strip()
    bad = []
    for run in range(runs):
        status, out, err = run_on_pipes([program] + args, data, reader_delay=0.2 + 0.1 * (run % 4))
        head, frames, rest = parse_output(out)
        logged = logged_bytes_out(err)
        fine = (status == 0 and head and head.startswith("HTTP/1.1 101") and not rest and len(frames) == 2
                and frames[0] == (2, payload) and frames[1][0] == 8 and logged == len(out))
        if not fine:
            bad.append(f"run {run}: exit {status}, {len(out)} bytes read, logged {logged}, frames "
                       f"{[(op, len(p)) for op, p in frames]}, {len(rest)} left over")
    result(not bad, f"{name}: {size} bytes on pipes, slow reader, {runs} runs: every byte there, "
           "bytes_out as counted", "; ".join(bad[:3]))


def pipe_eof(program, size, runs):
    """One binary message and then the input's end, no Close (the peer is gone, but may still
    read): the echo already queued still reaches the slow reader whole, bytes_out as counted."""
    payload = os.urandom(size)
    data = wsraw.request() + wsraw.frame(2, payload)
    bad = []
    for run in range(runs):
        status, out, err = run_on_pipes([program], data, reader_delay=0.3)
        head, frames, rest = parse_output(out)
        logged = logged_bytes_out(err)
        if not (frames[:1] == [(2, payload)] and not rest and logged == len(out)):
            bad.append(f"run {run}: exit {status}, {len(out)} bytes read, logged {logged}, frames "
                       f"{[(op, len(p)) for op, p in frames]}, {len(rest)} left over")
    result(not bad, f"{os.path.basename(program)}: input ends after a {size}-byte message, no Close: "
           f"the echo still arrives whole, {runs} runs", "; ".join(bad[:3]))


def pipe_close(handler, runs, child):
    """9 x 512 KiB text messages and a Close piped in while the child reads late: the input's
    hang-up is not the peer vanishing, so the Close is read and answered 1000 every time."""
    msgs = [bytes([97 + i]) * (512 << 10) for i in range(9)]
    data = wsraw.request() + b"".join(wsraw.frame(1, m) for m in msgs) + \
        wsraw.frame(8, struct.pack("!H", 1000))
    bad = []
    for run in range(runs):
        status, out, err = run_on_pipes([handler, child], data, reader_delay=0.0, feed_by_pipe=True)
        head, frames, rest = parse_output(out)
        code = struct.unpack("!H", frames[-1][1][:2])[0] if frames and frames[-1][0] == 8 else None
        if not (status == 0 and code == 1000 and "messages_in=9 " in err):
            bad.append(f"run {run}: exit {status}, close {code}, log {err.strip()[-200:]!r}")
    result(not bad, f"9 x 512 KiB and a Close piped in, the child reads late, {runs} runs: "
           "always Close 1000", "; ".join(bad[:2]))


def pipe_sigterm(program, args):
    """SIGTERM while a large message is echoed on pipes (the input stays open, no Close comes):
    whole frames, then Close 1001, every byte accounted for."""
    payload = os.urandom(8 << 20)
    data = wsraw.request() + wsraw.frame(2, payload)
    name = f"{os.path.basename(program)} {' '.join(args)}".strip()
    status, out, err = run_on_pipes([program, "--close-timeout", "1"] + args, data, reader_delay=0.3,
                                    feed_by_pipe=True, keep_open=True, signal_after=0.3)
    head, frames, rest = parse_output(out)
    last = frames[-1] if frames else (None, b"")
    code = struct.unpack("!H", last[1][:2])[0] if last[0] == 8 else None
    logged = logged_bytes_out(err)
    result(code == 1001 and not rest and logged == len(out),
           f"{name}: SIGTERM mid-transfer on pipes: Close 1001, bytes_out as counted",
           f"exit {status}, close {code}, {len(out)} bytes read, logged {logged}, {len(rest)} left over, "
           f"stderr {err.strip()[-200:]!r}")


def zombie_group(handler):
    """A member of the child's process group that never goes away (a zombie nobody reaps: we are
    its subreaper and do not reap) must not make the bridge spin while it waits for the group."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    ours, theirs = socket.socketpair()
    # The child leaves a zombie child of its own behind and exits; the zombie comes to us.
    proc = subprocess.Popen([handler, "--kill-grace", "0.2", "/bin/sh", "-c", "(exit 0) & exec sleep 0.2"],
                            stdin=theirs, stdout=theirs, stderr=subprocess.DEVNULL)
    theirs.close()
    try:
        ours.sendall(wsraw.request())
        r = wsraw.Reader(ours)
        r.head(time.monotonic() + wsraw.TIMEOUT)
        _, code, _ = wsraw.read_until_close(r, time.monotonic() + wsraw.TIMEOUT)
        ours.sendall(wsraw.frame(8, struct.pack("!H", code or 1000)))
        ours.shutdown(socket.SHUT_WR)
        time.sleep(1.0)  # past SIGTERM and SIGKILL (2 x grace): waiting for the group
        c0 = cpu_seconds(proc.pid)
        time.sleep(3.0)
        used = cpu_seconds(proc.pid) - c0
        result(used <= MAX_CPU_SECONDS, f"a group member that outlives SIGKILL: CPU over 3 s <= {MAX_CPU_SECONDS} s",
               f"{used:.2f} s")
        # Reap the zombie: the group is gone, and the handler ends on its next tick.
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0 or pid == proc.pid:
                break
        try:
            proc.wait(3)
            result(True, "a group member that outlives SIGKILL: the handler ends once it is gone")
        except subprocess.TimeoutExpired:
            result(False, "a group member that outlives SIGKILL: the handler ends once it is gone", "still running")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        ours.close()


def stdout_closed(port, tmp):
    """A child that closed its stdout (exec >/dev/null; exec cat > FILE) still gets every message:
    its stdout's EOF is a half-close."""
    import asyncio
    import glob
    import websockets

    async def talk():
        async with websockets.connect(f"ws://127.0.0.1:{port}/") as ws:
            for i in range(5):
                await ws.send(f"message {i}")
                await asyncio.sleep(0.2)
            await ws.close()
            return ws.close_code

    try:
        code = asyncio.run(asyncio.wait_for(talk(), 20))
    except Exception as e:  # noqa: BLE001
        code = f"{type(e).__name__}: {e}"
    deadline, got = time.monotonic() + 3, []
    while time.monotonic() < deadline and got[:5] != [f"message {i}" for i in range(5)]:
        files = glob.glob(os.path.join(tmp, "got-*"))
        got = open(files[0]).read().split("\n") if files else []
        time.sleep(0.1)
    result(got[:5] == [f"message {i}" for i in range(5)],
           "a child that closed its stdout still gets all 5 messages", f"got {got}")
    result(code == 1000, "a child that closed its stdout: the client's close is answered 1000", f"close {code}")


def main():
    case, args = sys.argv[1], sys.argv[2:]
    if case == "stall-child-output":
        stall_child_output(int(args[0]), int(args[1]))
    elif case == "ping-flood":
        ping_flood(int(args[0]), int(args[1]))
    elif case == "client-stall":
        client_stall(args[0])
    elif case == "pipe-bytes":
        pipe_bytes(args[0], int(args[1]), int(args[2]), args[3:])
    elif case == "pipe-eof":
        pipe_eof(args[0], int(args[1]), int(args[2]))
    elif case == "pipe-close":
        pipe_close(args[0], int(args[1]), args[2])
    elif case == "pipe-sigterm":
        pipe_sigterm(args[0], args[1:])
    elif case == "stdout-closed":
        stdout_closed(int(args[0]), args[1])
    elif case == "zombie-group":
        zombie_group(args[0])
    else:
        sys.exit(f"unknown case {case}")
    done()


if __name__ == "__main__":
    main()
