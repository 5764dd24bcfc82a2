"""What the permission matrix must cover: every web route in the resolver and every API operation.

The completeness test compares these with the tables; a route added without a table entry,
or a table entry whose route is gone, fails it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver

# Namespaces the web matrix leaves out: Django's own admin, and the API, which the API
# matrix covers operation by operation.
SKIPPED_NAMESPACES = {"admin", "api"}


def _walk(patterns: Iterable, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif getattr(p.callback, "__module__", "") != "django.views.static":
            yield prefix + str(p.pattern), p


def web_routes(urlconf: str | None = None) -> dict[str, str]:
    """Every web route as {name: route}; a route without a name is keyed by its route."""
    return {p.name or route: route for route, p in _walk(get_resolver(urlconf).url_patterns)}


def api_operations(api=None, prefix: str | None = None) -> set[tuple[str, str]]:
    """Every API operation as (METHOD, path), the path as OpenAPI writes it (/api/v1/x/{pk}).

    `prefix` is for an API that is not mounted in the URLconf (its root cannot be reversed).
    """
    if api is None:
        from taizhang.api.api import api
    paths = api.get_openapi_schema(path_prefix=prefix)["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def uncovered(found: Iterable, table: Iterable) -> tuple[list, list]:
    """(found but not in the table, in the table but no longer found), both sorted."""
    found, table = set(found), set(table)
    return sorted(found - table), sorted(table - found)


def _name(key) -> str:
    return " ".join(key) if isinstance(key, tuple) else str(key)


def coverage_problems(found: Iterable, table: Iterable) -> str:
    missing, stale = uncovered(found, table)
    parts = []
    if missing:
        parts.append("新路由未列入权限矩阵：" + "，".join(map(_name, missing)))
    if stale:
        parts.append("权限矩阵中的路由已不存在：" + "，".join(map(_name, stale)))
    return "；".join(parts)
