"""`taizhang restore FILE [--force]`: into an empty database (migrated or not)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 `taizhang backup` 的加密备份恢复数据库和上传文件；目标数据库须为空，除非加 --force"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")

    def handle(self, *args, file: str, force: bool, **opts) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = restore(path, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(result["counts"].values())
        self.stdout.write(
            f"已恢复：{len(result['counts'])} 张表 {rows} 行（与备份清单一致），"
            f"上传文件 {result['files']} 个；备份时间 {result['manifest']['created_at']}"
        )
