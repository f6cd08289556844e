# browser_server.py ROOT PORT HOLD_SECONDS: a tiny static HTTP server on 127.0.0.1:PORT for
# browser.test. It serves the files in ROOT (SimpleHTTPRequestHandler, threaded), plus:
#   GET  /hold   answers 204 only once /done has been posted (or after HOLD_SECONDS). The page
#                holds an <img src="/hold">, which delays its load event, so that
#                chromium --dump-dom dumps the DOM after the page has written its results
#                (--virtual-time-budget does not wait for WebSocket traffic: it dumps early).
#   POST /done   the page's results (also saved as ROOT/posted.txt, for diagnosis); releases /hold.
import functools
import http.server
import os
import sys
import threading

root, port, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
done = threading.Event()


class Handler(http.server.SimpleHTTPRequestHandler):
    def _empty(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def do_GET(self):
        if self.path.startswith("/hold"):
            done.wait(hold)
            self._empty(204)
            return
        super().do_GET()

    def do_POST(self):
        if not self.path.startswith("/done"):
            self._empty(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(os.path.join(root, "posted.txt"), "wb") as f:
            f.write(body)
        done.set()
        self._empty(204)


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=root))
server.daemon_threads = True
server.serve_forever()
