"""`taizhang import KIND FILE [--commit] [--user USERNAME]`: the web's preview and commit, in a terminal."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from taizhang.core.models import Profile, Role
from taizhang.core.scope import Scope
from taizhang.imports import engine
from taizhang.imports.engine import CommitError
from taizhang.imports.reading import ReadError


def _bar(stream):
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and done < total:
            return
        last[0] = now
        pct = done * 100 // max(total, 1)
        filled = pct * 30 // 100
        stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {pct:3d}%")
        stream.flush()
        if done >= total:
            stream.write("\n")

    return progress


class Command(BaseCommand):
    help = "从 Excel/CSV 导入台账：先校验并打印预览，加 --commit 才写入（一个事务，来源记为“导入”）"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="projects / reports / enterprises / liaisons / problems")
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="校验后写入")
        parser.add_argument("--user", help="以该用户身份导入（默认第一个督查室或管理员账号）")
        parser.add_argument("--cumulative", action="store_true", help="月度投资按累计完成投资导入")
        parser.add_argument("--errors", type=int, default=20, help="打印前 N 条错误")

    def handle(self, *args, kind, file, commit, user, cumulative, errors, **kw):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        User = get_user_model()
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"用户不存在：{user}")
        else:
            profile = (
                Profile.objects.filter(role__in=[Role.SUPERVISOR, Role.ADMIN])
                .select_related("user")
                .order_by("role", "pk")
                .first()
            )
            if profile is None:
                raise CommandError("没有督查室或管理员账号，请用 --user 指定")
            account = profile.user
        scope = Scope(account)
        try:
            analysis = engine.run(
                kind,
                scope,
                path.read_bytes(),
                path.name,
                commit=commit,
                options={"cumulative": cumulative},
                progress=_bar(sys.stderr),
            )
        except (ReadError, CommitError) as e:
            raise CommandError(("导入失败，未写入任何数据。" if commit else "") + str(e)) from None
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        out = self.stdout
        if analysis.missing:
            raise CommandError("缺少必填列：" + "、".join(analysis.missing))
        c = analysis.counts
        out.write(
            f"{engine.importer_for(kind).label}：共 {c['total']} 行（表头在第 {'、'.join(map(str, analysis.sheet.header_rows))} 行，忽略注释行 {c['notes']} 行）"
        )
        out.write(
            f"  新增 {c['create']}  更新 {c['update']}  未变化 {c['unchanged']}  错误 {c['error']}"
        )
        for row, col, val, reason in analysis.errors[:errors]:
            out.write(
                f"  第{row}行 {col}「{val}」：{reason}" if val else f"  第{row}行 {col}：{reason}"
            )
        if len(analysis.errors) > errors:
            out.write(f"  ……另有 {len(analysis.errors) - errors} 条错误")
        out.write("已写入（一个事务）。" if commit else "仅预览，未写入；加 --commit 写入。")
