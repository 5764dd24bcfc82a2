"""Password validators of the 等保三级 policy, each with a Chinese message.

Listed in settings.AUTH_PASSWORD_VALIDATORS, so Django's password forms, `changepassword`
and taizhang.core.identity all apply the same rules.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import (
    CommonPasswordValidator as DjangoCommonPasswordValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
)


class LengthValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码至少需要 %(n)d 位。") % {"n": self.min_length}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("至少 %(n)d 位。") % {"n": self.min_length}


class CharacterClassValidator:
    """Three of the four classes: lower case, upper case, digits, symbols."""

    def __init__(self, required: int = 3) -> None:
        self.required = required

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for pattern, _label in CLASSES if pattern.search(password))
        if found < self.required:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。")
                % {"n": self.required},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("包含大写字母、小写字母、数字、符号中的至少三类。")


class NoUsernameValidator:
    def validate(self, password: str, user: Any = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        # A one- or two-letter username would forbid half the alphabet; three is the floor.
        if len(username) >= 3 and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("不能包含用户名。")


class CommonPasswordValidator(DjangoCommonPasswordValidator):
    """Django's list of 20,000 common passwords, with the message in Chinese."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("该密码过于常见，请换一个。"), code="password_too_common")

    def get_help_text(self) -> str:
        return _("不能是常见密码。")


class HistoryValidator:
    """Not the current password nor one of the last `keep` (hashes in PasswordHistory)."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None) or self.keep <= 0:
            return
        from taizhang.core.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
                : self.keep
            ]
        )
        # The stored hash of the user row is the current password (it may predate the history).
        User = get_user_model()  # request.user is a lazy proxy: ask the model, not its type
        current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
        if current:
            hashes.append(current)
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": self.keep}, code="password_reused"
            )

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)d 次的密码相同。") % {"n": self.keep}
