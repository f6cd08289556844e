// bench-ws-echo.js: node's `ws` echo server, one of scripts/bench's references.
//   NODE_PATH=tests/integration/node_modules node scripts/bench-ws-echo.js PORT
// Listens on 127.0.0.1 only; echoes every message with its type.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
    console.error('usage: bench-ws-echo.js PORT');
    process.exit(100);
}
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false,
                                  maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
});
wss.on('listening', () => console.error(`bench-ws-echo: listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
