from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from taizhang.core.models import ApiToken


class Command(BaseCommand):
    help = "为用户签发 API 令牌（只显示一次；库中只存摘要）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="令牌用途，如“数据中心对接”")

    def handle(self, *args, username: str, name: str, **opts) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{username}」不存在或已停用")
        _, raw = ApiToken.issue(user, name)
        self.stdout.write("令牌（请妥善保存，不会再次显示）：")
        self.stdout.write(raw)
