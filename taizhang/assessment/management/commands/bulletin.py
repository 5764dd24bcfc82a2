"""`taizhang bulletin --division 山城区 --period 2022Q3 -o 通报.docx [--user 用户名] [--recompute]`.

An issued period writes the stored (issued) document unchanged; ``--recompute`` builds it
from the ledgers now instead, marked as not the issued one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.http import Http404

from taizhang.assessment.bulletin import bulletin_file
from taizhang.core.context import origin
from taizhang.core.errors import messages_of
from taizhang.core.models import Division, Profile, Role
from taizhang.core.scope import Scope


def default_user(division: Division):
    """The division's supervision office account, else an administrator."""
    for role in (Role.SUPERVISOR, Role.ADMIN):
        qs = Profile.objects.filter(role=role, user__is_active=True).select_related("user")
        if role == Role.SUPERVISOR:
            qs = qs.filter(division=division)
        else:
            qs = qs.filter(Q(division__isnull=True) | Q(division=division))
        found = qs.order_by("pk").first()
        if found is not None:
            return found.user
    return None


class Command(BaseCommand):
    help = "生成某区县某期间的督查通报（.docx，与网页下载的相同）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--division", required=True, help="区划代码或名称，如 410603 或 山城区")
        parser.add_argument(
            "--period", required=True, help="2022Q3（季度）、2022（年度）或 2022-08（月份）"
        )
        parser.add_argument("-o", "--output", required=True, help="输出文件 .docx")
        parser.add_argument("--user", help="以该用户的权限范围生成（默认：该区督查室或业务管理员）")
        parser.add_argument("--today", help="按指定日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="已印发的期间也按当前台账重算（不是印发稿）；默认输出印发稿原文件",
        )

    def handle(
        self,
        *args,
        division: str,
        period: str,
        output: str,
        user=None,
        today=None,
        recompute: bool = False,
        **o,
    ):
        ref = division.strip()
        found = Division.objects.filter(Q(code=ref) | Q(name=ref)).order_by("path").first()
        if found is None:
            raise CommandError(f"未找到区划「{ref}」")
        district = found.district() or found
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"用户「{user}」不存在或已停用")
        else:
            account = default_user(district)
            if account is None:
                raise CommandError(f"{district.name}没有督查室或业务管理员账号，请用 --user 指定")
        scope = Scope(account)
        if not scope.divisions.filter(pk=district.pk).exists():
            raise CommandError(f"用户「{account.username}」无权查看{district.name}")
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today 应为 YYYY-MM-DD") from None
        try:
            with origin("command"):
                f = bulletin_file(scope, district, period, recompute=recompute, today=day)
        except ValidationError as e:
            raise CommandError("；".join(m for ms in messages_of(e).values() for m in ms)) from None
        except (PermissionDenied, Http404) as e:
            raise CommandError(str(e)) from None
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.body)
        if f.issued is not None:
            what = f"印发稿原文件，SHA-256 {f.issued.sha256[:12]}…"
        elif recompute:
            what = "按当前数据重算，非印发稿"
        else:
            what = "未印发，按当前数据生成"
        self.stdout.write(f"已生成 {path}（{f.doc_number}，{f.label}，{what}，{len(f.body)} 字节）")
