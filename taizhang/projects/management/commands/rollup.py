"""`taizhang rollup --rebuild [--division CODE]`: recompute the investment rollup from the
monthly reports and the problem rollup from the enterprise problems (after a restore, or a
change made outside the services)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taizhang.core.models import Division
from taizhang.matters import rollup as problem_rollup
from taizhang.projects import rollup


class Command(BaseCommand):
    help = (
        "重算重点项目投资汇总表（按区划、单位、年月、级别）和企业问题汇总表（按区划、年月、分组）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="从月度报送重算汇总表")
        parser.add_argument("--division", help="只重算该区划（代码）及其下级")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["rebuild"]:
            raise CommandError("请指定 --rebuild")
        division = None
        if options["division"]:
            division = Division.objects.filter(code=options["division"]).first()
            if division is None:
                raise CommandError(f"未找到区划「{options['division']}」")
        n = rollup.rebuild(division)
        where = division.name if division else "全部区划"
        self.stdout.write(f"已重算{where}的投资汇总：{n} 个区划年度")
        n = problem_rollup.rebuild(division)
        self.stdout.write(f"已重算{where}的企业问题汇总：{n} 个区划")
