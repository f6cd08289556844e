"""metrics_client: the connections of metrics.test, on plain sockets, counting every byte each
way so that the test can compare vws_bytes_total with what really crossed the wire.

usage: /usr/bin/python3 metrics_client.py MODE PORT [ARG]
  echo PORT N          N connections: two text messages (5 and 6 bytes) sent at once, both
                       echoed, then Close 1000 answered with 1000
  big PORT             one 100-byte message (over --max-message 64): Close 1009
  origin PORT          the upgrade with a foreign Origin: 403
  line PORT TEXT CODE  one text message TEXT to a line-mode vws-handler; when CODE is 1000,
                       its echo and then Close 1000; the server's Close must carry CODE
  hold PORT SECONDS    one message echoed, SECONDS of quiet, then Close 1000
After the result lines, one line "# bytes SENT RECEIVED" with the totals of all connections.
"""
import socket
import struct
import sys
import time

import wsraw
from tap import done, result

ORIGIN = "Origin: https://good.example"


def connection(port, request, frames, hold=0.0, wait=0):
    """Send request and the first frame; after hold seconds and once wait messages came back,
    the other frames. Read to the end, answering the server's Close. Returns (sent, received,
    messages, close code or None, what is left unparsed)."""
    s = wsraw.connect(port)
    s.settimeout(10)
    st = {"sent": 0, "received": 0, "buf": b"", "messages": [], "code": None,
          "closing": any(f[0] & 0x0F == 8 for f in frames)}

    def send(data):
        s.sendall(data)
        st["sent"] += len(data)

    def receive():
        data = s.recv(65536)
        if not data:
            return False
        st["received"] += len(data)
        buf = st["buf"] + data
        if buf.startswith(b"HTTP/1.1 101") and b"\r\n\r\n" in buf:
            buf = buf[buf.index(b"\r\n\r\n") + 4:]
        while not buf.startswith(b"HTTP") and len(buf) >= 2 and len(buf) >= 2 + (buf[1] & 0x7F):
            n = buf[1] & 0x7F  # the server's frames here are all short
            op, payload, buf = buf[0] & 0x0F, buf[2:2 + n], buf[2 + n:]
            if op == 8:
                st["code"] = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                if not st["closing"]:
                    send(wsraw.frame(8, payload[:2]))
                    st["closing"] = True
            else:
                st["messages"].append(payload.decode())
        st["buf"] = buf
        return True

    send(request + (frames[0] if frames else b""))
    if hold:
        time.sleep(hold)
    while len(st["messages"]) < wait and receive():
        pass
    for data in frames[1:]:
        send(data)
    while receive():
        pass
    s.close()
    return st["sent"], st["received"], st["messages"], st["code"], st["buf"]


def main(mode, port, *args):
    port = int(port)
    req = wsraw.request(extra=[ORIGIN])
    close = wsraw.frame(8, wsraw.close_payload(1000))
    totals = [0, 0]
    if mode == "echo":
        for i in range(int(args[0])):
            sent, got, msgs, code, _ = connection(
                port, req, [wsraw.frame(1, b"hello") + wsraw.frame(1, b"world!"), close], wait=2)
            result(msgs == ["hello", "world!"] and code == 1000, f"echo connection {i + 1}: two echoes, Close 1000",
                   f"got {msgs} and close {code}")
            totals = [totals[0] + sent, totals[1] + got]
    elif mode == "big":
        sent, got, msgs, code, _ = connection(port, req, [wsraw.frame(1, b"x" * 100)])
        result(code == 1009 and not msgs, "a 100-byte message over --max-message 64: Close 1009", f"close {code}")
        totals = [sent, got]
    elif mode == "origin":
        sent, got, _, _, rest = connection(
            port, wsraw.request(extra=["Origin: https://evil.example"]), [])
        result(rest.startswith(b"HTTP/1.1 403"), "a foreign Origin: 403", rest[:40])
        totals = [sent, got]
    elif mode == "line":
        text, want = args[0], int(args[1])
        frames = [wsraw.frame(1, text.encode())] + ([close] if want == 1000 else [])
        sent, got, msgs, code, _ = connection(port, req, frames, wait=1 if want == 1000 else 0)
        echoed = msgs == [text] if want == 1000 else msgs == []
        result(code == want and echoed, f"vws-handler, {text!r}: Close {want}", f"got {msgs}, close {code}")
        totals = [sent, got]
    elif mode == "hold":
        sent, got, msgs, code, _ = connection(
            port, req, [wsraw.frame(1, b"held"), close], hold=float(args[0]), wait=1)
        result(msgs == ["held"] and code == 1000, f"a connection held {args[0]} s: echoed, Close 1000",
               f"got {msgs}, close {code}")
        totals = [sent, got]
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(100)
    print(f"# bytes {totals[0]} {totals[1]}")
    done()


if __name__ == "__main__":
    main(*sys.argv[1:])
