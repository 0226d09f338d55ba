"""A stand-in for an OpenAI-compatible provider (real chat-completions HTTP API, SSE streaming).

Key A is over its quota: every call answers 429 like a provider whose daily limit is exhausted.
Any other key gets a normal completion naming the key's last four characters. Each request is
logged as one JSON line (path and key suffix only: never a whole key).
  python3 fake_openai.py PORT FILE_WITH_RATE_LIMITED_KEY LOG
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG = int(sys.argv[1]), sys.argv[3]
with open(sys.argv[2]) as key_file:  # a root-only file: the test key never shows in argv
    LIMITED = key_file.read().strip()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.reply(200, json.dumps({"object": "list", "data": [{"id": "m1", "object": "model"}]}).encode())

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        key = self.headers.get("Authorization", "").replace("Bearer ", "")
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path, "key_suffix": key[-4:], "limited": key == LIMITED}) + "\n")
        if key == LIMITED:
            error = {"error": {"message": "Rate limit reached: daily usage limit exhausted for this API key",
                               "type": "requests", "code": "rate_limit_exceeded"}}
            self.reply(429, json.dumps(error).encode())
            return
        text = "pong from key ...%s" % key[-4:]
        now = int(time.time())
        if request.get("stream"):
            chunks = [{"id": "c1", "object": "chat.completion.chunk", "created": now, "model": "m1",
                       "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}]},
                      {"id": "c1", "object": "chat.completion.chunk", "created": now, "model": "m1",
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}}]
            body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
            self.reply(200, body, "text/event-stream")
            return
        self.reply(200, json.dumps({"id": "c1", "object": "chat.completion", "created": now, "model": "m1",
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}}).encode())


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
