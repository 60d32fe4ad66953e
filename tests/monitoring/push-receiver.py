#!/usr/bin/env python3
"""A member's push endpoint for tests/monitoring/check-live: an mTLS HTTPS server that
answers 202 to every POST (DESIGN §4: 2xx = delivered) and counts what it got.

usage: push-receiver.py PORT CERT KEY CA COUNT_FILE
The client (the gateway) must present a certificate that chains to CA.
"""
import http.server
import ssl
import sys
import threading

port, cert, key, ca, count_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
lock = threading.Lock()
received = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        global received
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with lock:
            received += 1
            with open(count_file, "w", encoding="utf-8") as f:
                f.write(f"{received}\n")
        body = b'{"status":"accepted"}'
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("push-receiver: " + (fmt % args) + "\n")


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED

server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(f"push-receiver listening on 127.0.0.1:{port}", flush=True)
server.serve_forever()
