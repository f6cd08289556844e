"""Many concurrent connections through one asyncio client (python3-websockets 10.4).

usage: /usr/bin/python3 load_client.py PORT LABEL CONNECTIONS SECONDS

Opens CONNECTIONS connections at once, holds them SECONDS with pings both ways (the client pings
every 2 s; the server's own pings are answered), then sends one message on every connection and
expects it echoed, and closes every one with 1000. Every connection is accounted for: each either
completes all of that or is reported with its error.
"""
import asyncio
import collections
import sys
import time

import websockets

import tap

PORT, LABEL, N, SECONDS = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
result = tap.labelled(LABEL)


async def one(i, opened, go):
    """Returns None when all went well, else a short error."""
    stage = "connect"
    try:
        ws = await asyncio.wait_for(
            websockets.connect(f"ws://127.0.0.1:{PORT}/load/{i}", ping_interval=2, ping_timeout=10,
                               close_timeout=10, max_size=1 << 20),
            timeout=60)
    except Exception as e:  # noqa: BLE001
        return f"{stage}: {type(e).__name__}: {e}"
    try:
        opened[i] = True
        await go.wait()
        stage = "hold"
        if ws.closed:
            return f"hold: closed early with {ws.close_code} {ws.close_reason!r}"
        stage = "echo"
        text = f"message {i} " + "x" * (i % 50)
        await asyncio.wait_for(ws.send(text), timeout=30)
        got = await asyncio.wait_for(ws.recv(), timeout=30)
        if got != text:
            return f"echo: got {got[:40]!r}"
        stage = "close"
        await asyncio.wait_for(ws.close(1000), timeout=30)
        if ws.close_code != 1000:
            return f"close: code {ws.close_code} {ws.close_reason!r}"
        return None
    except Exception as e:  # noqa: BLE001
        return f"{stage}: {type(e).__name__}: {e}"
    finally:
        if not ws.closed:
            ws.transport.abort()


async def main():
    opened = {}
    go = asyncio.Event()
    start = time.monotonic()
    tasks = [asyncio.create_task(one(i, opened, go)) for i in range(N)]
    # Wait until every connection is open (or has failed), bounded.
    deadline = start + 90
    while len(opened) + sum(t.done() for t in tasks) < N and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    took = time.monotonic() - start
    result(len(opened) == N, f"{N} connections open at once (in {took:.1f} s)", f"only {len(opened)} open")
    await asyncio.sleep(SECONDS)
    go.set()
    errors = await asyncio.gather(*tasks)
    bad = [(i, e) for i, e in enumerate(errors) if e]
    kinds = collections.Counter(e.split(":")[0] + ": " + e.split(":")[1].strip() for _, e in bad)
    result(not bad, f"all {N} held {SECONDS:g} s with pings, echoed one message each and closed 1000",
           f"{len(bad)} failed: {dict(kinds)}; first: {bad[:3]}")


asyncio.run(main())
tap.done()
