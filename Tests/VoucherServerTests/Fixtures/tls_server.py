"""A TLS HTTP/1.1 server for the https tests of the REST client (test-only key and
certificate beside it: localhost and 127.0.0.1, made once with openssl, valid to 2126).

Prints its port, then serves until its standard input closes. GET answers with the path,
the X-App-Id header and the client's port (the same port twice means a kept-alive
connection); POST answers with the body it got.
"""

import http.server
import json
import os
import ssl
import sys
import threading

here = os.path.dirname(os.path.abspath(__file__))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, fields):
        body = json.dumps(fields).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer({"path": self.path, "app_id": self.headers.get("X-App-Id"),
                     "client_port": self.client_address[1]})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.answer({"body": self.rfile.read(length).decode(),
                     "client_port": self.client_address[1]})

    def log_message(self, *arguments):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.path.join(here, "localhost.pem"),
                        os.path.join(here, "localhost-key.pem"))
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
