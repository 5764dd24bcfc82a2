"""Deployment checks added to `taizhang check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

from taizhang.envconf import DEMO_SECRET_KEY


@register(Tags.security, deploy=True)
def demo_secret_key(app_configs: Any = None, **kw: Any) -> list[Warning]:
    # Django's own W009 does not catch it: the demo key is long and varied, but public.
    if settings.SECRET_KEY == DEMO_SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY 仍是演示密钥（公开在源代码中），任何人都能伪造会话和签名。",
                hint="生产环境请设置环境变量 SECRET_KEY 为至少 50 个随机字符，并且不要设置 TAIZHANG_DEMO / DEBUG。",
                id="taizhang.W001",
            )
        ]
    return []
