"""syscall_filter: are the system calls a traced connection made all allowed by a unit's
SystemCallFilter= lines? For tests/integration/systemd-units.test.

usage: /usr/bin/python3 syscall_filter.py LABEL UNIT-FILE STRACE-OUTPUT PROGRAM...
  STRACE-OUTPUT comes from "strace -f -o FILE" around systemd-socket-activate. Counted are the
  calls of each process after it executed one of PROGRAM (basenames), and every call of the
  processes those start (the handler's child). The unit's SystemCallFilter= lines are applied
  in order (a list adds, "~" removes), groups expanded by "systemd-analyze syscall-filter".
Prints two result lines (what was traced, whether all of it is allowed); exit 1 on a failure.
"""
import os
import re
import subprocess
import sys

import tap


def groups():
    """{"@name": [entries]} from systemd-analyze syscall-filter (entries may be groups)."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True,
                         capture_output=True, text=True).stdout
    sets, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            cur = sets.setdefault(line.strip(), [])
        elif cur is not None and line.strip() and not line.strip().startswith("#"):
            cur.append(line.strip())
    return sets


def expand(names, sets, seen=None):
    seen = set() if seen is None else seen
    calls = set()
    for n in names:
        if n.startswith("@"):
            if n in seen:
                continue
            seen.add(n)
            calls |= expand(sets[n], sets, seen)
        else:
            calls.add(n)
    return calls


def allowed(unit, sets):
    calls = set()
    for line in open(unit):
        m = re.match(r"^SystemCallFilter=(.*)$", line.strip())
        if not m:
            continue
        value = m.group(1).strip()
        if value.startswith("~"):
            calls -= expand(value[1:].split(), sets)
        else:
            calls |= expand(value.split(), sets)
    return calls


def used(trace, programs):
    """{syscall: count} for the traced programs (from their exec on) and all their
    descendants, and how many runs of the programs there were. Two passes: a child's first
    calls can come before the line where its parent's clone returns."""
    exec_re = re.compile(r'^(\d+)\s+execve\("([^"]*)"')
    call_re = re.compile(r'^(\d+)\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]')
    child_re = re.compile(r'(?:clone3?|vfork|fork)(?:\(| resumed>).*= (\d+)$')
    lines = [line.rstrip("\n") for line in open(trace, errors="replace")]
    parent, roots = {}, set()
    for line in lines:
        m, c = exec_re.match(line), child_re.search(line)
        if m and os.path.basename(m.group(2)) in programs:
            roots.add(m.group(1))
        if c:
            parent[c.group(1)] = line.split()[0]

    def descends(pid):
        while pid in parent:
            pid = parent[pid]
            if pid in roots:
                return True
        return False

    calls, started = {}, set()
    for line in lines:
        m = call_re.match(line)
        if not m:
            continue
        pid = m.group(1)
        if pid in roots and pid not in started:
            e = exec_re.match(line)
            if not (e and os.path.basename(e.group(2)) in programs):
                continue  # the launcher's calls before the exec
            started.add(pid)
        elif pid not in roots and not descends(pid):
            continue
        calls[m.group(2)] = calls.get(m.group(2), 0) + 1
    return calls, len(roots)


def main(label, unit, trace, programs):
    result = tap.labelled(label)
    sets = groups()
    ok_calls = allowed(unit, sets)
    calls, runs = used(trace, set(programs))
    result(runs > 0 and len(calls) > 10, f"strace saw {runs} runs of {' '.join(programs)} "
           f"making {len(calls)} distinct system calls")
    bad = sorted(c for c in calls if c not in ok_calls)
    result(not bad, f"every one of them is allowed by {os.path.basename(unit)}'s SystemCallFilter=",
           "not allowed: " + " ".join(f"{c} ({calls[c]}x)" for c in bad))
    print("# used: " + " ".join(sorted(calls)))


main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
tap.done()
