// Echo suite with the Node `ws` client, one result line per case.
// usage: node node_echo_client.js URL LABEL
'use strict';
const WebSocket = require('ws');

const [url, label] = process.argv.slice(2);
const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 16 * 1024 * 1024];
const STEP = 30000; // ms allowed for any one case
let failed = 0;

function result(good, what, why) {
  if (good) {
    console.log(`ok - ${label}: ${what}`);
  } else {
    failed++;
    console.log(`not ok - ${label}: ${what}` + (why ? ` (${why})` : ''));
  }
}

function withTimeout(promise, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), STEP);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// A connection whose incoming messages, pongs and close wait in queues.
function connect() {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 0 }); // 0: no limit on what we receive
    const conn = { ws, messages: [], waiters: [], pongs: [], pongWaiters: [], closed: null };
    ws.on('message', (data, isBinary) => {
      const m = { data, isBinary };
      if (conn.waiters.length) conn.waiters.shift()(m); else conn.messages.push(m);
    });
    ws.on('pong', (data) => {
      if (conn.pongWaiters.length) conn.pongWaiters.shift()(data); else conn.pongs.push(data);
    });
    conn.closedPromise = new Promise((res) => ws.on('close', (code, reason) => {
      conn.closed = { code, reason: reason.toString() };
      // Whoever still waits for a message or a pong will not get one: fail now, not at timeout.
      for (const w of conn.waiters.splice(0)) w(null);
      for (const w of conn.pongWaiters.splice(0)) w(null);
      res(conn.closed);
    }));
    ws.on('open', () => resolve(conn));
    ws.on('error', (e) => reject(e));
  }), 'connect');
}

// The next message or pong; rejects at once if the connection is (or becomes) closed.
function next(conn, queue, waiters) {
  if (queue.length) return Promise.resolve(queue.shift());
  if (conn.closed) return Promise.reject(new Error(`connection closed with ${conn.closed.code}`));
  return new Promise((resolve, reject) => waiters.push((m) => (m === null
    ? reject(new Error(`connection closed with ${conn.closed.code} '${conn.closed.reason}'`))
    : resolve(m))));
}
const nextMessage = (conn) => next(conn, conn.messages, conn.waiters);
const nextPong = (conn) => next(conn, conn.pongs, conn.pongWaiters);

function textOf(n) {
  // Exactly n bytes of UTF-8 with multi-byte characters: "aé€😀" is 10 bytes.
  return 'aé€😀'.repeat(Math.floor(n / 10)) + 'x'.repeat(n % 10);
}

function binaryOf(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) & 0xff;
  return b;
}

// Send `parts` (one part: one frame; more: fragments of one message) and expect it back.
async function echoCase(conn, what, parts, binary) {
  try {
    const want = Buffer.concat(parts.map((p) => Buffer.from(p))); // strings as UTF-8
    parts.forEach((p, i) => conn.ws.send(p, { binary, fin: i === parts.length - 1 }));
    const m = await withTimeout(nextMessage(conn), what);
    if (m.isBinary !== binary) {
      result(false, what, `sent ${binary ? 'binary' : 'text'}, got ${m.isBinary ? 'binary' : 'text'}`);
    } else if (!Buffer.from(m.data).equals(want)) {
      result(false, what, `sent ${want.length} bytes, got ${m.data.length} different bytes`);
    } else {
      result(true, what);
    }
  } catch (e) {
    result(false, what, String(e));
  }
}

async function closeCase(conn, code, reason) {
  const what = `close ${code} '${reason}' is answered with close ${code}`;
  try {
    conn.ws.close(code, reason);
    const c = await withTimeout(conn.closedPromise, what);
    result(c.code === code, what, `server answered close ${c.code} '${c.reason}'`);
  } catch (e) {
    result(false, what, String(e));
  }
}

async function main() {
  let conn;
  try {
    conn = await connect();
    result(true, 'handshake');
  } catch (e) {
    result(false, 'handshake', String(e));
    return;
  }
  for (const n of SIZES) {
    const t = textOf(n);
    if (Buffer.byteLength(t) !== n) throw new Error('textOf');
    await echoCase(conn, `text message of ${n} bytes`, [t], false);
    await echoCase(conn, `binary message of ${n} bytes`, [binaryOf(n)], true);
  }
  // Fragments with {fin: false}; the second set splits "€" (E2 82 AC) inside the character.
  await echoCase(conn, 'text message in 3 fragments', ['héllo ', 'wörld', ' 😀'], false);
  const euro = Buffer.from('€€', 'utf8');
  await echoCase(conn, 'text message split inside a character',
    [euro.subarray(0, 1), euro.subarray(1, 4), euro.subarray(4)], false);
  await echoCase(conn, 'binary message in 4 fragments',
    [Buffer.from([0, 1]), Buffer.alloc(0), Buffer.alloc(300, 0xff), Buffer.from('end')], true);
  await echoCase(conn, 'binary message in 2 fragments of 64 KiB',
    [Buffer.alloc(65536, 1), Buffer.alloc(65536, 2)], true);
  for (const payload of [Buffer.alloc(0), Buffer.from('ping!'), binaryOf(125)]) {
    const what = `ping with ${payload.length} bytes gets a pong with the same payload`;
    try {
      conn.ws.ping(payload);
      const got = await withTimeout(nextPong(conn), what);
      result(Buffer.from(got).equals(payload), what, `pong carried ${got.length} other bytes`);
    } catch (e) {
      result(false, what, String(e));
    }
  }
  await echoCase(conn, 'echo still works after pings', ['after pings'], false);
  await closeCase(conn, 1000, '');
  for (const [code, reason] of [[1000, 'bye'], [4000, 'app-defined'], [3000, ''], [1001, 'going']]) {
    try {
      conn = await connect();
    } catch (e) {
      result(false, `close ${code}: connect`, String(e));
      continue;
    }
    await echoCase(conn, `echo before close ${code}`, ['x'], false);
    await closeCase(conn, code, reason);
  }
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  console.log(`not ok - ${label}: suite crashed (${e && e.stack})`);
  process.exit(1);
});
