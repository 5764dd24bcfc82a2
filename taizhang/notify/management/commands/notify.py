"""`taizhang notify`: send queued pushes (robots, SMS), retry failed ones with backoff.

Run it from cron or a systemd timer every minute (docs/notifications.md); several may
run at once, each row is sent by one of them. `--loop N` keeps it running, sending every
N seconds, for a long-lived service instead of a timer.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from taizhang.core.context import origin
from taizhang.notify.queue import dispatch_all, pending


class Command(BaseCommand):
    help = "发送待发的通知推送（企业微信、钉钉、飞书、短信），失败的按间隔重试；可多个进程同时运行"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop", type=int, default=0, help="每隔N秒发送一次，持续运行（默认只运行一次）"
        )
        parser.add_argument(
            "--limit", type=int, default=0, help="本次最多发送多少条（默认 TAIZHANG_NOTIFY_BATCH）"
        )

    def handle(self, *args, loop: int = 0, limit: int = 0, **opts) -> None:
        if loop < 0 or limit < 0:
            raise CommandError("--loop 和 --limit 不能为负数")
        while True:
            with origin("command"):
                counts = dispatch_all(limit or None)
            self.stdout.write(f"通知推送：{counts}；待发送{pending()}条。")
            if not loop:
                return
            time.sleep(loop)
