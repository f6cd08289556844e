"""client_peer: servers for the vws-client tests, on a loopback address.

usage: /usr/bin/python3 client_peer.py ws HOST PORT     python3-websockets (10.4), by path:
         /echo            every message back, same type
         /echo/N          the same for N messages, then Close 1000
         /headers         one text message: the request as JSON (path, headers), Close 1000
         /protocol        one text message: the chosen subprotocol ("" for none), Close 1000
         /close/CODE      Close with CODE at once (reason "bye")
         /binary          one binary message, then wait
         /big/N           one text message of N bytes, then wait
         /status/NNN      no upgrade: HTTP NNN with a one-line body
       /usr/bin/python3 client_peer.py raw HOST PORT    a plain socket server, by path:
         /masked          a valid 101, then a masked text frame (a server must not mask)
         /badaccept       101 with a wrong Sec-WebSocket-Accept
         /drop            the request read, then the TCP connection closed: no answer
         /noclose         a valid 101, one text frame, then TCP closed without a Close
         /reset           a valid 101, then a TCP reset
         /silent          the request read, then nothing (for --timeout)
         /pings           a valid 101; counts the client's pings for 1.5 s, answers
                          them, then sends "pings=N" and Close 1000
         /maskkeys/N      a valid 101; reads N data frames, then sends "masks=D/N" (D: how
                          many different mask keys they had) and Close 1000
Every connection is served in its own thread (raw) or task (ws); the process runs until killed.
"""
import asyncio
import base64
import hashlib
import http
import json
import socket
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# ---------------------------------------------------------------- python3-websockets

async def ws_handler(ws):
    path = ws.path
    if path.startswith("/close/"):
        await ws.close(int(path.split("/")[2]), "bye")
        return
    if path.startswith("/headers"):
        await ws.send(json.dumps({"path": path, "headers": dict(ws.request_headers.raw_items())}))
        await ws.close(1000)
        return
    if path == "/protocol":
        await ws.send(ws.subprotocol or "")
        await ws.close(1000)
        return
    if path.startswith("/echo/"):
        for _ in range(int(path.split("/")[2])):
            await ws.send(await ws.recv())
        await ws.close(1000)
        return
    if path == "/binary":
        await ws.send(b"\x00\x01binary")
    elif path.startswith("/big/"):
        await ws.send("x" * int(path.split("/")[2]))
    try:
        async for msg in ws:
            await ws.send(msg)
    except Exception:
        pass
    print(f"closed path={path} code={ws.close_code}", flush=True)


def process_request(path, headers):
    if path.startswith("/status/"):
        status = int(path.split("/")[2])
        return http.HTTPStatus(status), [("Content-Type", "text/plain")], b"refused by client_peer\n"
    return None


async def ws_main(host, port):
    import websockets
    async with websockets.serve(ws_handler, host, port, subprotocols=["chat", "superchat"],
                                max_size=None, process_request=process_request):
        print(f"listening ws {host} {port}", flush=True)
        await asyncio.Future()


# ---------------------------------------------------------------- raw sockets

def read_head(conn):
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return (path, headers), rest


def accept_response(key, good=True):
    acc = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    if not good:
        acc = base64.b64encode(hashlib.sha1(b"wrong" + GUID).digest()).decode()
    return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {acc}\r\n\r\n").encode()


def frame(opcode, payload, mask=None):
    b0 = 0x80 | opcode
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return head + mask + payload
    return head + payload


def read_frames(conn, buf, until, masks=None):
    """Yields (opcode, payload) of the client's frames until the deadline; each frame's mask
    key is appended to masks when given."""
    while True:
        while True:
            if len(buf) >= 2:
                n = buf[1] & 0x7F
                off = 2
                if n == 126:
                    off = 4
                elif n == 127:
                    off = 10
                if len(buf) >= off:
                    if n == 126:
                        n = struct.unpack("!H", buf[2:4])[0]
                    elif n == 127:
                        n = struct.unpack("!Q", buf[2:10])[0]
                    if len(buf) >= off + 4 + n:
                        mask = buf[off:off + 4]
                        if masks is not None:
                            masks.append(mask)
                        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(buf[off + 4:off + 4 + n]))
                        yield buf[0] & 0x0F, payload
                        buf = buf[off + 4 + n:]
                        continue
            break
        left = until - time.monotonic()
        if left <= 0:
            return
        conn.settimeout(left)
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            return
        if not chunk:
            return
        buf += chunk


def raw_serve(conn):
    try:
        req, rest = read_head(conn)
        if req is None:
            return
        path, headers = req
        key = headers.get("sec-websocket-key", "")
        if path == "/drop":
            return
        if path == "/silent":
            time.sleep(30)
            return
        if path == "/badaccept":
            conn.sendall(accept_response(key, good=False))
            time.sleep(2)
            return
        conn.sendall(accept_response(key))
        if path == "/masked":
            conn.sendall(frame(0x1, b"masked", mask=b"\x01\x02\x03\x04"))
            time.sleep(2)
        elif path == "/noclose":
            conn.sendall(frame(0x1, b"bye"))
            time.sleep(0.2)
        elif path == "/reset":
            time.sleep(0.2)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path.startswith("/maskkeys/"):
            # RFC 6455 §10.3: a fresh, unpredictable key for every frame.
            want, masks, data = int(path.split("/")[2]), [], 0
            for op, _ in read_frames(conn, rest, time.monotonic() + 10, masks):
                data += op in (0x0, 0x1, 0x2)
                if data == want:
                    break
            keys = masks[:want]
            conn.sendall(frame(0x1, f"masks={len(set(keys))}/{len(keys)}".encode()))
            conn.sendall(frame(0x8, struct.pack("!H", 1000)))
            for op, _ in read_frames(conn, b"", time.monotonic() + 5):
                if op == 0x8:
                    break
        elif path == "/pings":
            pings = 0
            for op, payload in read_frames(conn, rest, time.monotonic() + 1.5):
                if op == 0x9:
                    pings += 1
                    conn.sendall(frame(0xA, payload))
            conn.sendall(frame(0x1, f"pings={pings}".encode()))
            conn.sendall(frame(0x8, struct.pack("!H", 1000)))
            for op, _ in read_frames(conn, b"", time.monotonic() + 5):
                if op == 0x8:
                    break
    except OSError:
        pass
    finally:
        conn.close()


def raw_main(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(64)
    print(f"listening raw {host} {port}", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=raw_serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "ws":
        asyncio.run(ws_main(host, port))
    else:
        raw_main(host, port)
