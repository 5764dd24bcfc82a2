from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from taizhang.attachments.services import purge_files, purge_orphans
from taizhang.core.context import origin


class Command(BaseCommand):
    help = "清除删除时间早于保留期（TAIZHANG_ATTACH_RETENTION_DAYS）的佐证材料文件；记录保留在审计日志中"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="保留天数（默认取设置 TAIZHANG_ATTACH_RETENTION_DAYS）",
        )

    def handle(self, *args, days: int | None = None, **opts) -> None:
        days = settings.TAIZHANG["ATTACH_RETENTION_DAYS"] if days is None else days
        with origin("command"):
            count = purge_files(days=days)
            orphans = purge_orphans()
        self.stdout.write(f"已清除 {count} 个删除已满 {days} 天的佐证材料文件")
        if orphans:
            self.stdout.write(f"已清除 {orphans} 个没有对应记录的孤儿文件（事务回滚所遗留）")
