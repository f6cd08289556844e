"""readme_cases.py README VWS_BIN: runs the commands README.md shows, so the README cannot drift
from the programs.

Every shell command in a code block of the README (fenced ```sh blocks and indented blocks;
```text and ```cpp are not commands) must be claimed here: run by a scenario below, or listed
in NOT_RUN with the reason. A command the README shows that nothing claims fails, and so does
a claimed command the README no longer shows. Scenarios run the README's own text, changed
only where a test must: port 8181/8282 -> a free port of 127.0.0.1, `bin/` -> the build under
test, `/usr/local` -> a staged install tree. Each scenario runs in a scratch directory; every
process it starts has its own process group and is ended by that group at the end.
"""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from tap import done, result

README, VWS_BIN = sys.argv[1], os.path.abspath(sys.argv[2])
ROOT = os.path.dirname(os.path.abspath(README))


# --- what the README shows ----------------------------------------------------------------------

def blocks(text):
    """(language, body) of each code block: fenced ones with their language (none: sh),
    indented ones (after a blank line) as sh."""
    out, lines, i, prev_blank = [], text.split("\n"), 0, True
    while i < len(lines):
        m = re.match(r"^```(\S*)\s*$", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append((m.group(1) or "sh", "\n".join(lines[i + 1:j])))
            i, prev_blank = j + 1, False
            continue
        if prev_blank and lines[i].startswith("    ") and lines[i].strip():
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            body = [line[4:] for line in lines[i:j]]
            while body and not body[-1].strip():
                body.pop()
            out.append(("sh", "\n".join(body)))
            i, prev_blank = j, True
            continue
        prev_blank = not lines[i].strip()
        i += 1
    return out


def commands(body):
    """The commands of a shell block as written: comment and blank lines dropped, continuation
    lines joined to their command, a here-document kept with its command."""
    out, lines, i = [], body.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        cmd = [line]
        while cmd[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        m = re.search(r"<<-?'?(\w+)'?", line)
        while m and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
            if lines[i].strip() == m.group(1):
                break
        out.append("\n".join(cmd))
        i += 1
    return out


TEXT = open(README).read()
SHOWN = [c for lang, body in blocks(TEXT) if lang in ("sh", "shell", "bash") for c in commands(body)]
CPP = [body for lang, body in blocks(TEXT) if lang == "cpp"]

# Commands deliberately not run, by prefix, and why.
NOT_RUN = {
    "scripts/setup && make test": "the whole suite, this test included",
    "scripts/setup  ": "installs Debian packages as root; the test machine has them (Quick start's "
                      "`scripts/setup && make &&` prefix is not run either: the build is what is tested)",
    "scripts/bench  ": "the full benchmark takes about 12 minutes and loads the machine",
    "scripts/bench --quick": "bench.test runs scripts/bench --quick --only vws-echo",
    "scripts/bench --only": "writes /tmp/b.json; bench.test runs a --quick --only run",
    "socat OPENSSL:example.com": "needs a host outside 127.0.0.1; wss-client.test runs the same "
                                 "command against the shipped HAProxy wss:// frontend",
    "install -m 755 scripts/vws-log-summary": "installs into /usr/local/bin; metrics.test runs "
                                              "scripts/vws-metrics from the tree",
    "vws-metrics --output /var/lib/prometheus": "writes node_exporter's system directory; metrics.test "
                                                "runs the same command on its own directory, logs and journal",
    "cp -R service/vws-metrics /etc/service/": "installs a service; metrics.test runs service/vws-metrics "
                                               "under supervise",
    "cp service/systemd/vws-metrics": "installs units; metrics.test checks them with systemd-analyze verify",
    "systemctl enable --now vws-metrics.timer": "needs a running systemd (PID 1), which the test machine lacks",
    "curl -s http://127.0.0.1:9100/metrics": "node_exporter's system port; metrics.test scrapes its own "
                                             "node_exporter on a free port",
    "exec envdir ": "a daemontools run-script line for an installed host (a vws user, ./env); "
                    "service/*/run are run by daemontools.test",
}
claimed = set()


def readme(cmd):
    """The command as the README shows it; a failure if it no longer does."""
    claimed.add(cmd)
    if cmd not in SHOWN:
        result(False, f"README still shows: {cmd.splitlines()[0]}", "changed or removed: update readme_cases.py")
        return None
    return cmd


# --- running it ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # children buffer as usual


class Scenario:
    """A scratch directory, free ports, and the process groups to end."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"readme-{name}.")
        self.ports = {"8181": free_port(), "8282": free_port()}
        self.groups = []

    def sub(self, cmd):
        for k, v in self.ports.items():
            cmd = cmd.replace(k, str(v))
        return re.sub(r"(?<![\w/.-])bin/", VWS_BIN + "/", cmd)

    def file(self, name, content, mode=0o755):
        path = os.path.join(self.dir, name)
        with open(path, "wb" if isinstance(content, bytes) else "w") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def daemon(self, cmd, port="8181"):
        """Starts the README's server command (its own group) and waits for its port."""
        cmd = self.sub(cmd).rstrip().rstrip("&").rstrip()
        log = open(os.path.join(self.dir, f"daemon{len(self.groups)}.log"), "wb")
        p = subprocess.Popen(["bash", "-c", "exec " + cmd], cwd=self.dir, env=ENV, stdin=subprocess.DEVNULL,
                             stdout=log, stderr=log, start_new_session=True)
        self.groups.append(p)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.ports[port]), timeout=1).close()
                return log.name
            except OSError:
                time.sleep(0.05)
        result(False, f"{self.name}: `{cmd}` listens", open(log.name).read()[-300:])
        return None

    def run(self, cmd, stdin=b"", timeout=20, subst=True, hold=0.0):
        """Runs a command through bash in the scratch directory: (status, stdout, stderr).
        With `hold`, stdin stays open that many seconds after its bytes, as a person typing
        leaves it: a client closes when its stdin ends."""
        p = subprocess.Popen(["bash", "-c", self.sub(cmd) if subst else cmd], cwd=self.dir, env=ENV,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            if hold:
                p.stdin.write(stdin)
                p.stdin.flush()
                time.sleep(hold)
                stdin = None
            out, err = p.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            return -1, out, err + b" (timed out)"
        return p.returncode, out, err

    def first_line(self, cmd, line, wait):
        """Runs a client with stdin held open, sends one line, and returns the first line it
        prints within `wait` seconds (b"" if none): output that arrives only at the end does
        not count."""
        p = subprocess.Popen(["bash", "-c", "exec " + self.sub(cmd)], cwd=self.dir, env=ENV,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        got = b""
        try:
            p.stdin.write(line)
            p.stdin.flush()
            deadline = time.monotonic() + wait
            while b"\n" not in got and time.monotonic() < deadline:
                ready, _, _ = select.select([p.stdout], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    break
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                got += chunk
        finally:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        return got.split(b"\n")[0] if b"\n" in got else b""

    def end(self):
        for p in self.groups:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
        for p in self.groups:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def check_run(what, status, out, err, want_status, want_out=None):
    good = status == want_status and (want_out is None or out == want_out)
    result(good, what, f"exit {status}, stdout {out[:200]!r}, stderr {err[-300:]!r}")


# --- Quick start --------------------------------------------------------------------------------

def quick_start():
    s = Scenario("quick-start")
    try:
        cmd = readme("scripts/setup && make && tcpserver -vDHRl0 -c 100 -b 1024 127.0.0.1 8181 bin/vws-echo")
        py = readme("/usr/bin/python3 -m websockets ws://127.0.0.1:8181/        # Debian's python3-websockets")
        ours = readme("bin/vws-client ws://127.0.0.1:8181/                        # ours: lines in, lines out")
        if not cmd or not s.daemon(cmd.split(" && ")[-1]):
            return
        if py:
            st, out, err = s.run(py, b"hello\n", hold=1.0)
            result(st == 0 and b"< hello" in out, "Quick start: python3 -m websockets gets its line back",
                   f"exit {st}, {out[-200:]!r}")
        if ours:
            st, out, err = s.run(ours, "hello\nwörld\n".encode())
            check_run("Quick start: bin/vws-client gets its lines back", st, out, err, 0, "hello\nwörld\n".encode())
    finally:
        s.end()


# --- vws-handler --------------------------------------------------------------------------------

def handler():
    s = Scenario("handler")
    try:
        cmd = readme("tcpserver -vDHRl0 -c 100 -b 1024 127.0.0.1 8181 bin/vws-handler ./chat")
        s.file("chat", "#!/bin/sh\nexec cat\n")
        if cmd and s.daemon(cmd):
            st, out, err = s.run("bin/vws-client ws://127.0.0.1:8181/", b"hi\n")
            check_run("handler: ./chat (here cat) runs per connection", st, out, err, 0, b"hi\n")
        s.end()

        s = Scenario("handler-count")
        heredoc = readme("cat > count.sh <<'EOF'\n#!/bin/sh\nn=0\n"
                         "while read -r line; do n=$((n + 1)); echo \"$n: $line\"; done\nEOF")
        chmod = readme("chmod +x count.sh")
        serve = readme("tcpserver -vDHRl0 -c 100 -b 1024 127.0.0.1 8181 bin/vws-handler ./count.sh")
        if heredoc and chmod and serve:
            st, _, err = s.run(heredoc + "\n" + chmod)
            result(st == 0, "handler: the counter's script is written", err[-200:])
            if s.daemon(serve):
                st, out, err = s.run("bin/vws-client ws://127.0.0.1:8181/", b"a\nb\n")
                check_run("handler: the counter counts", st, out, err, 0, b"1: a\n2: b\n")
        s.end()

        # Buffered stdio: without the fix nothing comes back while the connection is open; with
        # it the answer comes at once.
        s = Scenario("handler-buffering")
        s.file("chat.py", "import sys\nfor line in sys.stdin:\n    print(line.strip().upper())\n")
        s.file("chat", "#!/bin/sh\nexec tr a-z A-Z\n")
        fixes = [readme("tcpserver -vDHRl0 -c 100 -b 1024 127.0.0.1 8181 bin/vws-handler python3 -u ./chat.py"),
                 readme("tcpserver -vDHRl0 -c 100 -b 1024 127.0.0.1 8181 bin/vws-handler stdbuf -oL ./chat")]
        for fix, unfixed in zip(fixes, ["python3 -u ", "stdbuf -oL "]):
            if not fix:
                continue
            for cmd, want, wait in [(fix.replace(unfixed, "python3 " if "python" in unfixed else ""), b"", 1.5),
                                    (fix, b"HELLO", 5)]:
                s.ports["8181"] = free_port()
                label = "as the README says" if want else "without the fix"
                if s.daemon(cmd):
                    got = s.first_line("bin/vws-client ws://127.0.0.1:8181/", b"hello\n", wait)
                    result(got == want, f"handler buffering, {label}: `{cmd.split('vws-handler ')[1]}` "
                           f"answers {want.decode() or 'nothing'} within {wait} s", f"got {got!r}")
    finally:
        s.end()


# --- Client -------------------------------------------------------------------------------------

def client():
    s = Scenario("client")
    try:
        serve = readme("tcpserver -HRl0 -D -c 100 -b 1024 127.0.0.1 8181 bin/vws-echo &")
        if not serve or not s.daemon(serve):
            return
        cases = [
            ("bin/vws-client ws://127.0.0.1:8181/chat", b"typed\n", 0, b"typed\n"),
            ("printf 'hello\\nwörld\\n' | bin/vws-client ws://127.0.0.1:8181/", b"", 0, "hello\nwörld\n".encode()),
            ("echo '{\"op\":\"status\"}' | bin/vws-client -1 --linger 5 ws://127.0.0.1:8181/api", b"", 0,
             b'{"op":"status"}\n'),
            ("printf '5:hello,3:\\000\\001\\002,' | bin/vws-client --framing=netstring ws://127.0.0.1:8181/ | od -c",
             b"", 0, subprocess.run(["bash", "-c", "printf '5:hello,3:\\000\\001\\002,' | od -c"],
                                    capture_output=True).stdout),
            ("bin/vws-client -v --protocol chat.v2,chat --origin https://app.example \\\n"
             "    --header 'Authorization: Bearer t0k3n' ws://127.0.0.1:8181/chat", b"x\n", 0, b"x\n"),
            ("bin/vws-client ws://localhost:8181/", b"by name\n", 0, b"by name\n"),
            ("tcpclient -HRl0 127.0.0.1 8181 bin/vws-client --ucspi ws://127.0.0.1:8181/chat", b"ucspi\n", 0,
             b"ucspi\n"),
            ("bin/vws-client --ping-interval 25 ws://127.0.0.1:8181/feed", b"feed\n", 0, b"feed\n"),
        ]
        for cmd, stdin, status, out_want in cases:
            if readme(cmd):
                st, out, err = s.run(cmd, stdin)
                check_run(f"Client: {cmd.splitlines()[0]}", st, out, err, status, out_want)
                if "-v --protocol" in cmd:
                    result(b"event=open" in err and b"event=close" in err,
                           "Client: -v logs the open and the close", err[-300:])

        raw = readme("bin/vws-client --framing=raw ws://127.0.0.1:8181/ <photo.jpg >copy.jpg")
        if raw:
            photo = os.urandom(300_000)
            s.file("photo.jpg", photo, 0o644)
            st, _, err = s.run(raw)
            with open(os.path.join(s.dir, "copy.jpg"), "rb") as f:
                copy = f.read()
            result(st == 0 and copy == photo, "Client: --framing=raw: copy.jpg is photo.jpg",
                   f"exit {st}, {len(copy)} of {len(photo)} bytes, {err[-200:]!r}")

        v6 = readme("bin/vws-client 'ws://[::1]:8181/'")
        if v6:
            # Our servers listen on 127.0.0.1 only: the IPv6 literal parses and is dialled (111:
            # refused or unreachable), never a usage error (100).
            st, _, err = s.run(v6)
            result(st == 111 and b"[::1]" in err, "Client: 'ws://[::1]:PORT/' is dialled as IPv6",
                   f"exit {st}, {err[-200:]!r}")

        serve_dir = readme("tcpserver -HRl0 -D -c 100 -b 1024 127.0.0.1 8282 bin/vws-handler --dir ./handlers &")
        refused = readme("bin/vws-client ws://127.0.0.1:8282/nothing-here </dev/null")
        status = readme("echo \"exit $?\"   # 3, with event=refused status=404 "
                        "status_line=\"HTTP/1.1 404 Not Found\" on stderr")
        os.mkdir(os.path.join(s.dir, "handlers"))
        if serve_dir and refused and status and s.daemon(serve_dir, "8282"):
            st, out, err = s.run(refused + "\n" + status)
            result(out == b"exit 3\n" and b'event=refused' in err and b"status=404" in err and
                   b'status_line="HTTP/1.1 404 Not Found"' in err,
                   "Client: --dir without the program: exit 3 and the 404 on stderr", f"{out!r} {err[-300:]!r}")
    finally:
        s.end()


# --- libvws: the handler of your own ------------------------------------------------------------

def libvws():
    s = Scenario("libvws")
    try:
        build = readme("c++ -std=c++20 -I/usr/local/include/vws upper.cpp -L/usr/local/lib -lvws -lcrypto "
                       "-static -o upper")
        serve = readme("tcpserver -HRl0 -D -c 100 -b 1024 127.0.0.1 8181 ./upper")
        source = [b for b in CPP if b.startswith("// upper.cpp")]
        result(len(source) == 1, "libvws: the README shows upper.cpp")
        if not (build and serve and source):
            return
        s.file("upper.cpp", source[0] + "\n", 0o644)
        # What `make install` puts under PREFIX (its install rule), staged here from the build.
        prefix = os.path.join(s.dir, "prefix")
        for sub in ("vws", "sys"):
            os.makedirs(os.path.join(prefix, "include/vws", sub))
            for name in os.listdir(os.path.join(ROOT, "src", sub)):
                if name.endswith(".hpp"):
                    shutil.copy(os.path.join(ROOT, "src", sub, name), os.path.join(prefix, "include/vws", sub))
        os.makedirs(os.path.join(prefix, "lib"))
        shutil.copy(os.path.join(VWS_BIN, "libvws.a"), os.path.join(prefix, "lib"))
        st, out, err = s.run(s.sub(build).replace("/usr/local", prefix), timeout=120, subst=False)
        result(st == 0 and not err.strip(), "libvws: upper.cpp builds without a warning",
               f"exit {st}, {err[-600:]!r}")
        if st != 0:
            return
        log = s.daemon(serve)
        if not log:
            return
        st, out, err = s.run("bin/vws-client ws://127.0.0.1:8181/up", b"hello\nworld\n")
        check_run("libvws: ./upper answers in upper case", st, out, err, 0, b"HELLO\nWORLD\n")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "event=close" not in open(log).read():
            time.sleep(0.05)
        text = open(log).read()
        result(re.search(r"program=upper .*event=open remote_addr=127\.0\.0\.1 remote_port=\d+ path=/up", text),
               "libvws: serve() logs event=open with the client's address", text[-400:])
        result(re.search(r"event=close remote_addr=127\.0\.0\.1 .*ending=closed .*messages_in=2 messages_out=2 ",
                         text), "libvws: serve() logs event=close with the messages counted", text[-400:])
    finally:
        s.end()


# --- scripts/bench's options, as the README lists them ------------------------------------------

def bench_help():
    p = subprocess.run([os.path.join(ROOT, "scripts/bench"), "--help"], capture_output=True, timeout=10)
    listed = re.search(r"Options: (`--quick`.*?)\. It prints", TEXT, re.S)
    options = re.findall(r"`(--[a-z-]+)", listed.group(1)) if listed else []
    missing = [o for o in options if o.encode() not in p.stdout]
    result(p.returncode == 0 and p.stdout.startswith(b"usage: scripts/bench") and options and not missing,
           f"scripts/bench --help: usage on stdout, exit 0, and the README's options ({len(options)})",
           f"exit {p.returncode}, missing {missing}, {p.stdout[:200]!r}")


quick_start()
handler()
client()
libvws()
bench_help()

for cmd in SHOWN:
    if cmd in claimed:
        continue
    why = [w for prefix, w in NOT_RUN.items() if cmd.startswith(prefix)]
    if why:
        print(f"# not run: {cmd.splitlines()[0]}  ({why[0]})")
    else:
        result(False, f"README command run by readme.test: {cmd.splitlines()[0]}",
               "new or changed: run it in readme_cases.py or list it in NOT_RUN with the reason")
result(len(SHOWN) >= 30, f"the README's commands were found ({len(SHOWN)})")
done()
