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


@register(Tags.caches, deploy=True)
def shared_cache_with_replicas(app_configs: Any = None, **kw: Any) -> list[Warning]:
    # Replicas mean several servers: a per-process cache would count API rate limits per
    # process and forget an API client's pin on the next server (docs/deploy.md).
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if getattr(settings, "DATABASE_REPLICAS", None) and backend.endswith("LocMemCache"):
        return [
            Warning(
                "已配置只读副本（DATABASE_REPLICA_URLS），但缓存仍是每进程一份的 LocMemCache。",
                hint="设置 CACHE_URL=db:// 并执行 taizhang createcachetable，各服务器共享限流计数与写后读主库的标记。",
                id="taizhang.W002",
            )
        ]
    return []
