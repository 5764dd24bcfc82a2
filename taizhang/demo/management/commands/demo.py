from __future__ import annotations

import errno
import os
import socket
import sys
import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD

BAR = 24


def parse_addr(addr: str) -> tuple[str, int]:
    """ "127.0.0.1:8000", ":8001" or "8001" → (host, port); a Chinese error otherwise."""
    host, _, port = addr.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise CommandError(f"监听地址无效：{addr}（应为 主机:端口，如 127.0.0.1:8000）") from None
    if not 1 <= number <= 65535:
        raise CommandError(f"端口应在 1 至 65535 之间：{addr}")
    return host or "127.0.0.1", number


def port_problem(host: str, port: int) -> str | None:
    """Why the demo cannot listen there, in Chinese; None when it can."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return (
                    f"端口 {port} 已被占用（可能已有一个演示或其他程序在运行）。"
                    f"请先停止它，或换一个端口：taizhang demo --addr {host}:{port + 1}"
                )
            if e.errno == errno.EACCES:
                return f"没有权限监听端口 {port}，请换一个大于 1024 的端口（--addr {host}:8000）"
            return f"无法监听 {host}:{port}：{e.strerror or e}（可用 --addr 换一个地址）"
    return None


class Command(BaseCommand):
    help = "加载演示数据（山城区、湛河区、示范区），打印演示账号，并在 127.0.0.1 启动服务"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只加载数据，不启动服务")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）"
        )

    def progress(self, n: int, total: int, name: str) -> None:
        """One line per stage with a bar; redrawn in place on a terminal."""
        done = n - 1 if n < total else total
        filled = round(BAR * done / total)
        elapsed = time.monotonic() - self.started
        line = f"[{'█' * filled}{'░' * (BAR - filled)}] {done}/{total} {name}… {elapsed:4.0f} 秒"
        if n >= total:
            line = f"[{'█' * BAR}] {total}/{total} 演示数据加载完成，用时 {elapsed:.0f} 秒"
        end = "\n" if n >= total or not self.stdout.isatty() else ""
        self.stdout.write(("\r" if self.stdout.isatty() else "") + line, ending=end)
        self.stdout.flush()

    def handle(self, *args, no_serve: bool = False, addr: str = "127.0.0.1:8000", **opts) -> None:
        from django.conf import settings

        host, port = parse_addr(addr)
        if not no_serve and (problem := port_problem(host, port)):
            # Checked before the ~45 s load, so the user is not kept waiting for an error.
            raise CommandError(problem)
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        self.stdout.write("准备数据库…")
        call_command("migrate", interactive=False, verbosity=0)
        self.started = time.monotonic()
        if demo.load(progress=self.progress):
            self.stdout.write("演示数据已加载。")
        else:
            self.stdout.write("演示数据已存在，未重复加载。")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label, sees in demo.accounts():
            self.stdout.write(f"  {username:<14} {label}  — {sees}")
        if no_serve:
            return
        if problem := port_problem(host, port):
            raise CommandError(problem)
        self.stdout.write(
            f"\n打开 http://{host}:{port}/ 登录。按 Ctrl+C 停止。\n"
            "（这是演示用的开发服务器，只监听本机；正式部署请用 taizhang serve。）\n"
        )
        self.stdout.flush()
        # Django's own English banner and production warning are replaced by the lines above.
        os.environ["DJANGO_RUNSERVER_HIDE_WARNING"] = "true"
        try:
            call_command(
                "runserver",
                f"{host}:{port}",
                use_reloader=False,
                skip_checks=True,
                stdout=StringIO(),
            )
        except KeyboardInterrupt:
            sys.exit(0)
