// The development console (--devconsole): one page, compiled in, with no
// external scripts, styles or fonts, so it works offline and behind any proxy.
// It connects back to its own URL (wss:// when it came over https://), and
// shows every message with its type and time, and the Close's code and reason.
// Messages are put into the page with textContent only: whatever the server
// sends is never parsed as HTML.
#include "vws/plain_http.hpp"

namespace vws {

namespace {

constexpr std::string_view page = R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vws devconsole</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
header, form { display: flex; gap: .5em; padding: .5em; background: #eee; align-items: center; }
#url, #line { flex: 1; font-family: monospace; }
#status { font-weight: bold; min-width: 8em; }
main { flex: 1; overflow: auto; }
table { border-collapse: collapse; width: 100%; font-family: monospace; }
td { padding: .1em .5em; border-bottom: 1px solid #ddd; vertical-align: top; white-space: pre-wrap; word-break: break-all; }
td:nth-child(-n+3) { white-space: nowrap; width: 1%; color: #555; }
tr.in td:last-child { color: #05a; } tr.out td:last-child { color: #070; } tr.note td:last-child { color: #a40; }
</style>
</head>
<body>
<header>
  <span id="status">not connected</span>
  <input id="url" aria-label="WebSocket URL">
  <button id="connect" type="button">Connect</button>
  <button id="disconnect" type="button">Close</button>
</header>
<main><table><tbody id="log"></tbody></table></main>
<form id="form">
  <select id="kind" aria-label="message type">
    <option value="text">text</option>
    <option value="hex">binary (hex)</option>
  </select>
  <input id="line" autocomplete="off" placeholder="a message; Enter sends it" aria-label="message">
  <button id="send">Send</button>
</form>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let ws = null;
$("url").value = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + location.pathname + location.search;

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
function row(dir, type, text) {
  const tr = document.createElement("tr");
  tr.className = { "<": "in", ">": "out" }[dir] || "note";
  tr.dataset.type = type;
  for (const v of [new Date().toISOString().slice(11, 23), dir, type, text]) {
    const td = document.createElement("td");
    td.textContent = v;
    tr.appendChild(td);
  }
  $("log").appendChild(tr);
  tr.scrollIntoView({ block: "nearest" });
}
function status(s) { $("status").textContent = s; }

function connect() {
  if (ws) ws.close(1000);
  status("connecting");
  const sock = new WebSocket($("url").value);
  ws = sock;
  sock.binaryType = "arraybuffer";
  sock.onopen = () => { status("open"); row("*", "open", sock.url + (sock.protocol ? " protocol " + sock.protocol : "")); };
  sock.onmessage = (e) => {
    if (typeof e.data === "string") row("<", "text", e.data);
    else row("<", "binary", hex(new Uint8Array(e.data)) + " (" + e.data.byteLength + " bytes)");
  };
  // A refused handshake (403 for the Origin, 404 under --dir) is hidden from
  // scripts: the server's log says which.
  sock.onerror = () => row("*", "error", "the connection failed; the server's log says why");
  sock.onclose = (e) => {
    row("*", "close", "code " + e.code + (e.reason ? " reason \"" + e.reason + "\"" : "") + (e.wasClean ? "" : " (not clean)"));
    status("closed " + e.code);
    if (ws === sock) ws = null;
  };
}

function send(event) {
  event.preventDefault();
  const v = $("line").value;
  if (!ws || ws.readyState !== WebSocket.OPEN) return row("*", "error", "not connected");
  if ($("kind").value === "hex") {
    const digits = v.replace(/[\s:]/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(digits)) return row("*", "error", "binary: pairs of hex digits expected");
    const bytes = new Uint8Array(digits.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.substr(2 * i, 2), 16);
    ws.send(bytes);
    row(">", "binary", hex(bytes) + " (" + bytes.length + " bytes)");
  } else {
    ws.send(v);
    row(">", "text", v);
  }
  $("line").value = "";
}

$("connect").onclick = connect;
$("disconnect").onclick = () => { if (ws) ws.close(1000, "closed from the console"); };
$("form").onsubmit = send;
connect();
</script>
</body>
</html>
)PAGE";

} // namespace

PlainAnswer devconsole_answer(const Request& req, std::string_view extra_headers)
{
    PlainAnswer a;
    a.head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
             std::to_string(page.size()) + "\r\nCache-Control: no-store\r\n" + std::string(extra_headers) +
             "Connection: close\r\n\r\n";
    if (req.method != "HEAD") a.head += page;
    return a;
}

} // namespace vws
