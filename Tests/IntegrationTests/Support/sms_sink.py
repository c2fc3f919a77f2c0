"""A stand-in SMS provider for the tests: accepts POSTed JSON messages on 127.0.0.1:PORT and
appends each body as one line to OUTFILE; answers 500 to the first FAIL_FIRST requests. With
CERT and KEY (PEM files) it speaks HTTPS only."""
import http.server
import ssl
import sys

port, outfile, fail_first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
requests = 0


class Sink(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 with a Content-Length: over TLS a body that ends with the connection would be
    # one an attacker could cut short, and a client rightly refuses it (NIOSSL: uncleanShutdown).
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global requests
        requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("Idempotency-Key", "")
        if requests <= fail_first:
            self.send_response(500)
        else:
            with open(outfile, "ab") as out:
                out.write(body + b"\n")
            self.send_response(200)
        self.send_header("X-Idempotency-Key", key)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink)
if len(sys.argv) > 5:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
