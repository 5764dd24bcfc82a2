"""A fake robot / SMS gateway on 127.0.0.1 for the notification tests: nothing leaves the machine.

It records every request (path, query, body) and answers the way the vendor would:
errcode 0, or what the test sets (`fail_with`: an HTTP status for the next answers).
With `dingtalk_secret` it checks DingTalk's 加签 like DingTalk does and refuses a bad sign.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: Any
    raw: bytes
    headers: dict[str, str]


@dataclass
class FakeWebhook:
    dingtalk_secret: str = ""
    feishu_secret: str = ""
    fail_with: int | None = None  # answer this HTTP status (500: down) until reset
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, got: Received) -> tuple[int, dict[str, Any]]:
        if self.fail_with is not None:
            return self.fail_with, {"errcode": -1, "errmsg": "system busy"}
        if got.path.startswith("/dingtalk") and self.dingtalk_secret:
            ts, sign = got.query.get("timestamp", ""), got.query.get("sign", "")
            to_sign = f"{ts}\n{self.dingtalk_secret}".encode()
            want = base64.b64encode(
                hmac.new(self.dingtalk_secret.encode(), to_sign, hashlib.sha256).digest()
            ).decode()
            if not ts or sign != want:
                self.refused.append(got.path)
                return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if got.path.startswith("/feishu") and self.feishu_secret:
            ts = got.body.get("timestamp", "")
            key = f"{ts}\n{self.feishu_secret}".encode()
            want = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if got.body.get("sign") != want:
                self.refused.append(got.path)
                return 200, {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                }
            return 200, {"code": 0, "msg": "success"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def of(self, prefix: str) -> list[Received]:
        return [r for r in self.received if r.path.startswith(prefix)]

    def start(self) -> FakeWebhook:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    body: Any = json.loads(raw.decode("utf-8"))
                elif raw:
                    body = dict(urllib.parse.parse_qsl(raw.decode("utf-8")))
                else:
                    body = {}
                got = Received(
                    parts.path,
                    dict(urllib.parse.parse_qsl(parts.query)),
                    body,
                    raw,
                    dict(self.headers),
                )
                status, answer = fake.answer(got)
                if status == 200 and answer.get("errcode", answer.get("code")) == 0:
                    fake.received.append(got)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _handle
            do_GET = _handle

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
