"""Echo suite with the python3-websockets client (Debian 10.4), one result line per case.

usage: /usr/bin/python3 py_echo_client.py URL LABEL
"""
import asyncio
import os
import sys

import websockets

import tap

URL, LABEL = sys.argv[1], sys.argv[2]
SIZES = [0, 1, 125, 126, 127, 65535, 65536, 16 * 1024 * 1024]
STEP = 30  # seconds allowed for any one case
result = tap.labelled(LABEL)


def text_of(n):
    # Multi-byte characters too, exactly n bytes of UTF-8: whole "aé€😀" groups (10 bytes)
    # and ASCII for the rest.
    return "aé€😀" * (n // 10) + "x" * (n % 10)


def binary_of(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n)) if n < 70000 else os.urandom(n)


def describe(x):
    return f"{type(x).__name__} of {len(x)}"


async def echo_case(ws, what, payload):
    try:
        await asyncio.wait_for(ws.send(payload), STEP)
        got = await asyncio.wait_for(ws.recv(), STEP)
        if isinstance(payload, list):  # fragments come back as one message
            payload = payload[0][:0].join(payload)
        if got == payload:
            result(True, what)
        else:
            result(False, what, f"sent {describe(payload)}, got {describe(got)}")
    except Exception as e:  # noqa: BLE001 - any failure is this case's failure
        result(False, what, f"{type(e).__name__}: {e}")


async def connect():
    return await asyncio.wait_for(
        websockets.connect(URL, max_size=None, ping_interval=None, close_timeout=5), STEP)


async def main():
    try:
        ws = await connect()
        result(True, "handshake")
    except Exception as e:  # noqa: BLE001
        result(False, "handshake", f"{type(e).__name__}: {e}")
        return
    for n in SIZES:
        t = text_of(n)
        assert len(t.encode()) == n
        await echo_case(ws, f"text message of {n} bytes", t)
        await echo_case(ws, f"binary message of {n} bytes", binary_of(n))
    # Fragments: websockets sends an iterable as one fragmented message.
    await echo_case(ws, "text message in 3 fragments", ["héllo ", "wörld", " 😀"])
    await echo_case(ws, "text message of multi-byte characters in 3 fragments", ["€", "€", "😀x"])
    await echo_case(ws, "binary message in 4 fragments", [b"\x00\x01", b"", b"\xff" * 300, b"end"])
    await echo_case(ws, "binary message in 2 fragments of 64 KiB", [b"\x01" * 65536, b"\x02" * 65536])
    for payload in (b"", b"ping!", bytes(range(125))):
        what = f"ping with {len(payload)} bytes gets a pong with the same payload"
        try:
            # websockets resolves the waiter only on a pong carrying this payload.
            waiter = await ws.ping(payload)
            await asyncio.wait_for(waiter, STEP)
            result(True, what)
        except Exception as e:  # noqa: BLE001
            result(False, what, f"{type(e).__name__}: {e}")
    await echo_case(ws, "echo still works after pings", "after pings")
    await close_case(ws, 1000, "")
    for code, reason in ((1000, "bye"), (4000, "app-defined"), (3000, ""), (1001, "going")):
        try:
            ws = await connect()
        except Exception as e:  # noqa: BLE001
            result(False, f"close {code}: connect", f"{type(e).__name__}: {e}")
            continue
        await echo_case(ws, f"echo before close {code}", "x")
        await close_case(ws, code, reason)


async def close_case(ws, code, reason):
    what = f"close {code} '{reason}' is answered with close {code}"
    try:
        await asyncio.wait_for(ws.close(code, reason), STEP)
        got = ws.close_code
        result(got == code, what, f"server answered close {got} '{ws.close_reason}'")
    except Exception as e:  # noqa: BLE001
        result(False, what, f"{type(e).__name__}: {e}")


asyncio.run(main())
tap.done()
