"""cdp_page: a person at a page in headless Chromium, played over the DevTools protocol: open
the URL, wait for what the page shows, type into its fields and press its buttons.

    cdp_page.py DEVTOOLS_PORT SCENARIO URL LABEL

Scenarios:
    static        the test's own page (served by vws --static) writes "ok ..." into #result
                  once its WebSocket to the same service has round-tripped a message
    console-echo  --devconsole on vws-echo: text and binary (hex) typed, echoed, shown with
                  their types; Close pressed: close 1000 shown
    console-exit  --devconsole on vws-handler with a program that answers one line and exits 3:
                  the answer shown, then close 1011 "exit=3"; the URL is wss:// behind TLS
"""
import asyncio
import json
import sys
import time
import urllib.request

import websockets

from tap import done, labelled

PORT, SCENARIO, URL, LABEL = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
result = labelled(LABEL)
TIMEOUT = 20.0


class Page:
    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    async def call(self, method, **params):
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def value(self, expr):
        r = await self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")

    async def wait(self, what, expr, timeout=TIMEOUT):
        """ok when expr turns truthy within timeout; else not ok with the page's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.value(expr):
                result(True, what)
                return True
            await asyncio.sleep(0.1)
        shown = await self.value("(document.getElementById('log') || document.body).innerText")
        result(False, what, f"not within {timeout} s; the page shows: {str(shown)[:400]!r}")
        return False

    async def do(self, js):
        await self.value(js)


def row(direction_class, kind, text):
    """An expression: the console's log has a row of that class and type whose data is text."""
    return ("[...document.querySelectorAll('#log tr." + direction_class + "')].some(r => r.dataset.type === "
            + json.dumps(kind) + " && r.lastChild.textContent === " + json.dumps(text) + ")")


def close_row(text):
    return ("[...document.querySelectorAll('#log tr')].some(r => r.dataset.type === 'close' && "
            "r.lastChild.textContent.startsWith(" + json.dumps(text) + "))")


def send(kind, text):
    return (f"document.getElementById('kind').value = {json.dumps(kind)};"
            f"document.getElementById('line').value = {json.dumps(text)};"
            "document.getElementById('send').click();")


async def scenario(page):
    await page.call("Page.enable")
    await page.call("Page.navigate", url=URL)
    if SCENARIO == "static":
        await page.wait("the page from --static opens its WebSocket to the same service and a message "
                        "round-trips", "(document.getElementById('result') || {}).textContent === 'ok echo:round-trip'")
        return
    scheme = "wss://" if URL.startswith("https:") else "ws://"
    if not await page.wait("the console connects back to its own URL",
                           "document.getElementById('status').textContent === 'open'"):
        return
    url = await page.value("document.getElementById('url').value")
    result(url.startswith(scheme), f"the console's URL is {scheme}... (page came over {URL.split(':')[0]})", url)
    if SCENARIO == "console-echo":
        await page.do(send("text", "héllo from the console"))
        await page.wait("a typed text line is sent and the echo shown as text",
                        row("in", "text", "héllo from the console"))
        await page.do(send("hex", "00 ff 41 42"))
        await page.wait("hex typed is sent as binary and the echo shown as hex",
                        row("in", "binary", "00 ff 41 42 (4 bytes)"))
        await page.do("document.getElementById('disconnect').click();")
        # The server's reply echoes the code; the CloseEvent's reason is the server's (none).
        await page.wait("Close pressed: the close code 1000 shown", close_row("code 1000"))
    elif SCENARIO == "console-exit":
        await page.do(send("text", "hi"))
        await page.wait("the program's answer is shown as a text message", row("in", "text", "got hi"))
        await page.wait("the program exits 3: close code 1011 and reason exit=3 shown",
                        close_row('code 1011 reason "exit=3"'))


async def main():
    deadline = time.monotonic() + TIMEOUT
    targets = []
    while not targets and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/json/list", timeout=2) as f:
                targets = [t for t in json.load(f) if t.get("type") == "page"]
        except OSError:
            await asyncio.sleep(0.2)
    if not targets:
        result(False, "Chromium's DevTools endpoint answers", f"port {PORT}")
        return
    async with websockets.connect(targets[0]["webSocketDebuggerUrl"], max_size=None) as ws:
        await asyncio.wait_for(scenario(Page(ws)), 4 * TIMEOUT)


try:
    asyncio.run(main())
except Exception as e:  # noqa: BLE001
    result(False, f"{SCENARIO}: the DevTools session", f"{type(e).__name__}: {e}")
done()
