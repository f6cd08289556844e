"""Client for valgrind.test: one full connection (messages, a large one, close 1000), or one that
drops TCP mid-conversation.

usage: /usr/bin/python3 valgrind_client.py PORT LABEL close|drop
"""
import asyncio
import sys

import websockets

PORT, LABEL, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


async def main():
    # The server runs under valgrind: everything is slow, so every wait is generous.
    async with websockets.connect(f"ws://127.0.0.1:{PORT}/vg?q=1", ping_interval=None,
                                  close_timeout=30, max_size=1 << 22,
                                  extra_headers={"X-Forwarded-For": "203.0.113.1"}) as ws:
        want = [f"line {i} " + "z" * i for i in range(50)] + ["big " + "b" * 200000]
        for m in want:
            await ws.send(m)
        got = [await asyncio.wait_for(ws.recv(), 60) for _ in want]
        if got != want:
            print(f"not ok - {LABEL}: echo ({len(got)} messages, first differing "
                  f"{next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)})")
            return 1
        if MODE == "drop":
            await ws.send("unanswered")
            ws.transport.abort()
            print(f"ok - {LABEL}: {len(want)} messages echoed, then TCP dropped")
            return 0
        await asyncio.wait_for(ws.close(1000), 60)
        if ws.close_code != 1000:
            print(f"not ok - {LABEL}: close code {ws.close_code}")
            return 1
        print(f"ok - {LABEL}: {len(want)} messages echoed (one of 200 KB), closed 1000")
        return 0


sys.exit(asyncio.run(main()))
