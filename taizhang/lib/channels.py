"""Push channels: one adapter class per messaging service, all answering `send(message)`.

Pure Python (stdlib urllib only), so the adapters can be tested against a local fake
server and reused outside Django. Each adapter turns a `Message` into the vendor's
webhook payload, posts it with a bounded timeout and reads the vendor's answer into a
`DeliveryResult`: `ok` only when the vendor says so (HTTP 2xx *and* errcode/code 0),
`retry` when trying again later may help (timeouts, connection errors, HTTP 5xx/429,
vendor rate limits). The adapters never raise for a delivery problem: a channel that is
down is an answer to record, not a crash of the worker.

Payload formats follow the vendors' robot documentation:
- 企业微信群机器人: POST JSON {"msgtype": "text", "text": {"content", "mentioned_mobile_list"}};
  answer {"errcode": 0, "errmsg": "ok"}.
- 钉钉自定义机器人: POST JSON {"msgtype": "markdown", "markdown": {"title", "text"},
  "at": {"atMobiles", "isAtAll"}}; with 加签 the URL carries timestamp (ms) and
  sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")));
  answer {"errcode": 0, "errmsg": "ok"}.
- 飞书自定义机器人: POST JSON {"msg_type": "text", "content": {"text"}}; with 签名校验 the
  body carries timestamp (s) and sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b"")); answer {"code": 0, "msg": "success"} (older bots: {"StatusCode": 0}).
  A Feishu robot can only @ people by their Feishu user id, so mentions are written as text.
- 短信网关 (generic): a URL template and an optional body template with {mobile} and
  {text} placeholders, sent as GET, form POST or JSON POST; success is HTTP 2xx and, when
  configured, a marker text in the answer (e.g. `"code":"OK"`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

DEFAULT_TIMEOUT = 10.0
PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
SMS_PLACEHOLDERS = ("mobile", "text", "secret")
ANSWER_LIMIT = 1000  # characters of a vendor's answer kept in the delivery log


@dataclass(frozen=True)
class Message:
    """What to say: a title, plain text lines, an optional link, mobiles to @-mention."""

    title: str
    text: str
    link: str = ""
    mobiles: tuple[str, ...] = ()

    def plain(self) -> str:
        parts = [self.title, self.text]
        if self.link:
            parts.append(self.link)
        return "\n".join(p for p in parts if p)

    def markdown(self) -> str:
        lines = [
            f"#### {self.title}",
            *(f"> {line}" if line else ">" for line in self.text.splitlines()),
        ]
        if self.link:
            lines.append(f"\n[查看详情]({self.link})")
        return "\n".join(lines)


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    answer: str
    retry: bool = False
    status: int | None = None

    @classmethod
    def failure(cls, answer: str, *, retry: bool, status: int | None = None) -> DeliveryResult:
        return cls(False, answer[:ANSWER_LIMIT], retry=retry, status=status)


Poster = Callable[[urllib.request.Request, float], tuple[int, str]]


def _urlopen(request: urllib.request.Request, timeout: float) -> tuple[int, str]:
    """POST/GET and return (HTTP status, body text); HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310 (URL from config)
            return r.status, r.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read(64 * 1024).decode("utf-8", "replace")


def _retry_status(status: int) -> bool:
    return status >= 500 or status in (408, 429)


@dataclass
class Channel(ABC):
    """Base of the adapters. `url` and `secret` are the (decrypted) configuration."""

    url: str
    secret: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    poster: Poster = _urlopen

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    per_person: ClassVar[bool] = False  # SMS: one delivery per recipient; robots: one per group
    has_secret: ClassVar[bool] = False

    def send(self, message: Message) -> DeliveryResult:
        try:
            request = self.request(message)
        except (ValueError, KeyError) as e:
            return DeliveryResult.failure(f"配置错误：{e}", retry=False)
        try:
            status, body = self.poster(request, self.timeout)
        except TimeoutError:
            return DeliveryResult.failure(f"超时（{self.timeout:g}秒）无应答", retry=True)
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            return DeliveryResult.failure(f"无法连接：{reason}", retry=True)
        if not 200 <= status < 300:
            return DeliveryResult.failure(
                f"HTTP {status} {body}", retry=_retry_status(status), status=status
            )
        return self.judge(status, body)

    @abstractmethod
    def request(self, message: Message) -> urllib.request.Request:
        """The vendor's HTTP request for `message` (each adapter builds its own payload)."""

    def judge(self, status: int, body: str) -> DeliveryResult:
        """A JSON answer with errcode (or code) 0 is success; anything else is a failure."""
        try:
            data = json.loads(body)
        except ValueError:
            return DeliveryResult.failure(f"应答不是JSON：{body}", retry=True, status=status)
        code = (
            data.get("errcode", data.get("code", data.get("StatusCode")))
            if isinstance(data, dict)
            else None
        )
        if code == 0:
            return DeliveryResult(True, body[:ANSWER_LIMIT], status=status)
        # Rate limits (WeCom 45009, DingTalk 130101, Feishu 9499/11232) clear by themselves.
        retry = code in (45009, 130101, 9499, 11232, -1)
        return DeliveryResult.failure(body, retry=retry, status=status)

    @staticmethod
    def _json(url: str, payload: dict[str, Any]) -> urllib.request.Request:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )


class WeComRobot(Channel):
    kind = "wecom"
    label = "企业微信群机器人"

    def request(self, message: Message) -> urllib.request.Request:
        text: dict[str, Any] = {"content": message.plain()}
        if message.mobiles:
            text["mentioned_mobile_list"] = list(message.mobiles)
        return self._json(self.url, {"msgtype": "text", "text": text})


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """DingTalk's 加签: base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(timestamp_s: int, secret: str) -> str:
    """Feishu's 签名校验: base64 HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", digestmod=hashlib.sha256).digest()).decode("ascii")


class DingTalkRobot(Channel):
    kind = "dingtalk"
    label = "钉钉群机器人"
    has_secret = True

    def request(self, message: Message) -> urllib.request.Request:
        url = self.url
        if self.secret:
            ts = int(time.time() * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(ts, self.secret))
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
        text = message.markdown()
        if message.mobiles:
            # DingTalk only notifies those whose @mobile also appears in a markdown text.
            text += "\n\n" + " ".join(f"@{m}" for m in message.mobiles)
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": text},
            "at": {"atMobiles": list(message.mobiles), "isAtAll": False},
        }
        return self._json(url, payload)


class FeishuRobot(Channel):
    kind = "feishu"
    label = "飞书群机器人"
    has_secret = True

    def request(self, message: Message) -> urllib.request.Request:
        text = message.plain()
        if message.mobiles:
            text += "\n请 " + "、".join(message.mobiles) + " 及时办理"
        payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if self.secret:
            ts = int(time.time())
            payload = {"timestamp": str(ts), "sign": feishu_sign(ts, self.secret), **payload}
        return self._json(self.url, payload)


class SmsGateway(Channel):
    """A generic HTTP SMS gateway: one message per mobile.

    options: "method" ("get", "form" or "json"; default "form"), "body" (a template of the
    form fields as `a=b&c=d` or of the JSON document, with {mobile} and {text}), "ok_text"
    (a marker the answer must contain to count as sent). The secret, if any, fills {secret}.
    """

    kind = "sms"
    label = "短信网关"
    per_person = True
    has_secret = True

    def _fill(self, template: str, message: Message, quote: Callable[[str], str]) -> str:
        values = {
            "mobile": quote(",".join(message.mobiles)),
            "text": quote(message.plain()),
            "secret": quote(self.secret),
        }
        # Plain token replacement, not str.format: a JSON template is full of braces.
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)

    def request(self, message: Message) -> urllib.request.Request:
        if not message.mobiles:
            raise ValueError("没有手机号")
        method = self.options.get("method", "form")
        body = self.options.get("body", "")
        url = self._fill(self.url, message, lambda s: urllib.parse.quote(s, safe=""))
        if method == "get":
            return urllib.request.Request(url, method="GET")
        if method == "json":
            # Placeholders sit inside JSON strings: escape the value as JSON would.
            data = self._fill(body, message, lambda s: json.dumps(s, ensure_ascii=False)[1:-1])
            json.loads(data)  # a broken template is a configuration error, not a retry
            return urllib.request.Request(
                url,
                data=data.encode("utf-8"),
                method="POST",
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        data = self._fill(body, message, lambda s: urllib.parse.quote(s, safe=""))
        return urllib.request.Request(
            url,
            data=data.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )

    def judge(self, status: int, body: str) -> DeliveryResult:
        marker = self.options.get("ok_text", "")
        if marker and marker not in body:
            return DeliveryResult.failure(body or f"HTTP {status}", retry=False, status=status)
        return DeliveryResult(True, body[:ANSWER_LIMIT], status=status)


CHANNELS: dict[str, type[Channel]] = {
    c.kind: c for c in (WeComRobot, DingTalkRobot, FeishuRobot, SmsGateway)
}


def channel(
    kind: str,
    url: str,
    secret: str = "",
    options: dict[str, Any] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Channel:
    """The adapter registered for `kind`, configured; KeyError for an unknown kind."""
    return CHANNELS[kind](url=url, secret=secret, options=dict(options or {}), timeout=timeout)


def mask(value: str) -> str:
    """A secret shown back: its scheme and host start, never the token (https://qyapi…****)."""
    if not value:
        return ""
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme and parsed.netloc:
        return f"{parsed.scheme}://{parsed.netloc[:5]}…****"
    return value[:3] + "…****" if len(value) > 8 else "****"
