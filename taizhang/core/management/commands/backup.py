"""`taizhang backup -o FILE`: database + uploaded files, encrypted and checksummed."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from taizhang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个加密文件（密钥取自 TAIZHANG_BACKUP_KEY）；--generate-key 生成密钥"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "-o", "--output", help="备份文件路径，例如 /backup/taizhang-20261202.tzb"
        )
        parser.add_argument(
            "--generate-key", action="store_true", help="打印一个新的备份密钥后退出"
        )

    def handle(self, *args, output: str | None, generate_key: bool, **opts) -> None:
        if generate_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        if not output:
            raise CommandError("请用 -o 指定备份文件路径")
        try:
            done = backup(Path(output))
        except BackupError as e:
            raise CommandError(str(e)) from None
        m = done.manifest
        rows = sum(m["counts"].values())
        files = sum(1 for k in m["sha256"] if k.startswith("media/"))
        self.stdout.write(
            f"已备份：{done.path}（{done.size / 1048576:.1f} MB，{m['database']['method']}，"
            f"{len(m['counts'])} 张表 {rows} 行，上传文件 {files} 个）\nSHA-256 {done.digest}"
        )
