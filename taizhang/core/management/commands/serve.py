from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "用 gunicorn 提供服务（默认 127.0.0.1:8000；生产环境请设置 SECRET_KEY、ALLOWED_HOSTS 等环境变量）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="监听地址")
        parser.add_argument("--workers", type=int, default=2, help="工作进程数")
        parser.add_argument(
            "--timeout",
            type=int,
            default=None,
            help="请求超时秒数（默认取 TAIZHANG_GUNICORN_TIMEOUT，60）",
        )

    def handle(self, *args, bind: str, workers: int, timeout: int | None, **opts) -> None:
        from django.conf import settings
        from gunicorn.app.wsgiapp import run

        # Explicit, not gunicorn's 30 s default: long work (imports) goes to the worker,
        # and the limit an operator tunes is written down in one setting.
        timeout = timeout or settings.TAIZHANG.get("GUNICORN_TIMEOUT", 60)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"taizhang 服务于 http://{bind}/")
        sys.argv = [
            "gunicorn",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "taizhang.wsgi:application",
        ]
        run()
