"""ws_steps: drive several WebSocket connections through a script of steps, for the operations
tests (supervisors, inetd, proxies). One result line per checking step; every message received
is also printed as a comment ("# NAME got: TEXT") for the calling script to grep.

usage: /usr/bin/python3 ws_steps.py LABEL STEP...
  open NAME URL        connect (ws:// or wss://; wss skips certificate verification)
  send NAME TEXT       send a text message
  recv NAME TEXT       the next message is exactly TEXT
  recv~ NAME REGEX     the next message matches REGEX (re.search)
  sendrecv NAME TEXT   send TEXT and expect it back (an echo)
  sendrecvsize NAME N  send a text message of N bytes and expect it back
  close NAME           close handshake; ok when it completes with 1000
  gone NAME            the connection has been ended by the other side (recv fails)
  closedwith NAME CODE the other side closes with a Close frame carrying CODE
  refused URL          connecting fails (nobody listens, or the handshake is refused)
  sleep SECONDS        wait
  sh COMMAND           run COMMAND with bash; ok when it exits 0 (within 30 s)
Every step is bounded by STEP seconds (default 15; environment WS_STEP_TIMEOUT).
Exit status: 0 when every step passed, 1 otherwise.
"""
import asyncio
import os
import re
import ssl
import subprocess
import sys

import websockets

import tap

LABEL = sys.argv[1]
STEP = float(os.environ.get("WS_STEP_TIMEOUT", "15"))
result = tap.labelled(LABEL)


def ssl_for(url):
    if not url.startswith("wss:"):
        return None
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # a throwaway test certificate
    return ctx


async def connect(url):
    return await asyncio.wait_for(
        websockets.connect(url, ssl=ssl_for(url), ping_interval=None, close_timeout=5,
                           max_size=None), STEP)


async def step(conns, op, args):
    what = f"{op} {' '.join(args)}"
    try:
        if op == "open":
            conns[args[0]] = await connect(args[1])
            result(True, what)
        elif op == "send":
            await asyncio.wait_for(conns[args[0]].send(args[1]), STEP)
        elif op == "sendrecvsize":
            ws, payload = conns[args[0]], "x" * int(args[1])
            await asyncio.wait_for(ws.send(payload), STEP)
            got = await asyncio.wait_for(ws.recv(), STEP)
            result(got == payload, what, f"got {len(got)} bytes")
        elif op in ("recv", "recv~", "sendrecv"):
            ws = conns[args[0]]
            if op == "sendrecv":
                await asyncio.wait_for(ws.send(args[1]), STEP)
            got = await asyncio.wait_for(ws.recv(), STEP)
            print(f"# {args[0]} got: {got}")
            good = re.search(args[1], got) if op == "recv~" else got == args[1]
            result(bool(good), what, f"got {got!r}")
        elif op == "close":
            ws = conns.pop(args[0])
            await asyncio.wait_for(ws.close(), STEP)
            result(ws.close_code == 1000, what, f"close code {ws.close_code}")
        elif op in ("gone", "closedwith"):
            ws = conns.pop(args[0])
            try:
                got = await asyncio.wait_for(ws.recv(), STEP)
                result(False, what, f"still open, got {got!r}")
            except websockets.ConnectionClosed as e:
                code = e.rcvd.code if e.rcvd else None
                if op == "gone":
                    result(True, what + f" (code {'none' if code is None else code})")
                else:
                    result(code == int(args[1]), what, f"close code {code}")
        elif op == "refused":
            try:
                ws = await connect(args[0])
                await ws.close()
                result(False, what, "connected")
            except (OSError, websockets.InvalidHandshake, asyncio.TimeoutError) as e:
                result(True, what + f" ({type(e).__name__})")
        elif op == "sleep":
            await asyncio.sleep(float(args[0]))
        elif op == "sh":
            proc = await asyncio.create_subprocess_exec(
                "bash", "-c", args[0], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
            result(proc.returncode == 0, what,
                   f"exit {proc.returncode}: {out.decode(errors='replace').strip()[-300:]}")
        else:
            raise ValueError(f"unknown step {op}")
    except Exception as e:  # noqa: BLE001 - any failure is this step's failure
        result(False, what, f"{type(e).__name__}: {e}")


ARITY = {"open": 2, "send": 2, "recv": 2, "recv~": 2, "sendrecv": 2, "sendrecvsize": 2, "close": 1, "gone": 1, "closedwith": 2,
         "refused": 1, "sleep": 1, "sh": 1}


async def main(argv):
    conns = {}
    i = 0
    while i < len(argv):
        op = argv[i]
        n = ARITY.get(op)
        if n is None or i + n >= len(argv):
            result(False, f"step {op}", "unknown step or missing arguments")
            break
        await step(conns, op, argv[i + 1:i + 1 + n])
        i += 1 + n
    for ws in conns.values():
        await ws.close()


asyncio.run(main(sys.argv[2:]))
tap.done()
