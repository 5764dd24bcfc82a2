from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from taizhang.core.context import origin
from taizhang.core.errors import messages_of
from taizhang.core.tokens import do_issue_token, max_days


class Command(BaseCommand):
    help = "为用户签发 API 令牌（只显示一次；库中只存摘要）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="令牌用途，如“数据中心对接”")
        parser.add_argument(
            "--days", type=int, default=None, help=f"有效天数（默认且最多 {max_days()} 天）"
        )
        parser.add_argument(
            "--read-only", action="store_true", help="只读令牌：只能查询，修改请求返回 403"
        )

    def handle(self, *args, username: str, name: str, days: int | None, read_only: bool, **opts):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在或已停用")
        try:
            with origin("command"):
                token, raw = do_issue_token(user, name=name, days=days, read_only=read_only)
        except ValidationError as e:
            raise CommandError("；".join(m for ms in messages_of(e).values() for m in ms)) from e
        self.stdout.write(
            f"令牌（{'只读' if token.read_only else '读写'}，"
            f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} 到期；请妥善保存，不会再次显示）："
        )
        self.stdout.write(raw)
