"""A stand-in SMS provider for the tests: accepts POSTed JSON messages on 127.0.0.1:PORT and
appends each body as one line to OUTFILE; answers 500 to the first FAIL_FIRST requests."""
import http.server
import sys

port, outfile, fail_first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
requests = 0


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global requests
        requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if requests <= fail_first:
            self.send_response(500)
        else:
            with open(outfile, "ab") as out:
                out.write(body + b"\n")
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Sink).serve_forever()
