"""`taizhang importworker`: runs queued import jobs (set TAIZHANG_IMPORT_INLINE_THREAD=0 to use it)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from taizhang.imports.jobs import run_pending


class Command(BaseCommand):
    help = "处理排队中的导入任务（校验与写入）；--once 处理一轮后退出"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, once, interval, **kw):
        while True:
            n = run_pending()
            if n:
                self.stdout.write(f"处理了 {n} 个导入任务")
            if once:
                return
            time.sleep(interval)
