"""Upstream test server for the egress scenario: HTTPS and WSS that report who connected.

Every answer carries the TCP peer address as seen by this server, so a test can tell whether a
request arrived from the relay (proxied) or straight from the gateway node (direct).
  GET /anything            -> {"source": "<ip>", "host": "<Host header>", "path": "/anything"}
  WebSocket upgrade /ws    -> each text message is answered with {"source": ..., "echo": "<message>"}
Standard library only (it runs on the minimal Debian image); TLS with the test CA's server cert.
"""

import base64
import hashlib
import json
import socketserver
import ssl
import struct
import sys

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_headers(stream):
    request_line = stream.readline().decode("latin-1").strip()
    headers = {}
    while True:
        line = stream.readline().decode("latin-1")
        if line in ("\r\n", "\n", ""):
            break
        name, dummy, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return request_line, headers


def read_frame(stream):
    head = stream.read(2)
    if len(head) < 2:
        return None, None
    opcode = head[0] & 0x0F
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", stream.read(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", stream.read(8))[0]
    mask = stream.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = bytearray(stream.read(length))
    for i in range(length):
        payload[i] ^= mask[i % 4]
    return opcode, bytes(payload)


def frame(opcode, payload):
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 65536:
        head += bytes([126]) + struct.pack("!H", len(payload))
    else:
        head += bytes([127]) + struct.pack("!Q", len(payload))
    return head + payload


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        source = self.client_address[0]
        request_line, headers = read_headers(self.rfile)
        if not request_line:
            return
        path = request_line.split(" ")[1] if " " in request_line else "/"
        if headers.get("upgrade", "").lower() == "websocket":
            accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest()).decode()
            self.wfile.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
            while True:
                opcode, payload = read_frame(self.rfile)
                if opcode is None or opcode == 0x8:
                    return
                if opcode == 0x9:
                    self.wfile.write(frame(0xA, payload))
                elif opcode == 0x1:
                    reply = json.dumps({"source": source, "echo": payload.decode("utf-8", "replace")}).encode()
                    self.wfile.write(frame(0x1, reply))
                self.wfile.flush()
        body = json.dumps({"source": source, "host": headers.get("host"), "path": path}).encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    cert, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Server(("0.0.0.0", port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
