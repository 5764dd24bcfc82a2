from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD


class Command(BaseCommand):
    help = "加载演示数据（山城区、湛河区、示范区），打印演示账号，并在 127.0.0.1 启动服务"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只加载数据，不启动服务")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）"
        )

    def handle(self, *args, no_serve: bool = False, addr: str = "127.0.0.1:8000", **opts) -> None:
        from django.conf import settings

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if demo.load():
            self.stdout.write("演示数据已加载。")
        else:
            self.stdout.write("演示数据已存在，未重复加载。")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label, sees in demo.accounts():
            self.stdout.write(f"  {username:<14} {label}  — {sees}")
        if no_serve:
            return
        self.stdout.write(f"\n打开 http://{addr}/ 登录。按 Ctrl+C 停止。\n")
        call_command("runserver", addr, use_reloader=False)
