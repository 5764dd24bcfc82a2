"""The JSON API under /api/v1/. Same scope and the same do_* functions as the web pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from taizhang.api import assessment, attachments, enterprises, imports, matters, projects, tasks
from taizhang.api.auth import TokenAuth, TokenExpired
from taizhang.core.errors import ConflictError, messages_of
from taizhang.imports.reading import ReadError

api = NinjaAPI(
    title="台账 API",
    version="1",
    description="区县重点项目、万人助万企、督查督办台账接口。认证：浏览器会话（需 CSRF）或 `Authorization: Bearer <令牌>`。金额单位为万元，比率单位为百分比。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    errors = messages_of(exc)
    first = next(iter(errors.values()))[0] if errors else "数据无效"
    return api.create_response(request, {"detail": first, "errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def _schema_validation(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(f"字段格式不正确：{err.get('msg', '')}")
    return api.create_response(
        request, {"detail": "请求数据格式不正确", "errors": errors}, status=422
    )


@api.exception_handler(ConflictError)
def _conflict(request, exc: ConflictError):
    return api.create_response(request, {"detail": exc.message, "changes": exc.changes}, status=409)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作"}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    return api.create_response(request, {"detail": str(exc) or "未找到"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(TokenExpired)
def _token_expired(request, exc):
    return api.create_response(
        request, {"detail": "令牌已过期，请在“接口令牌”页重新签发"}, status=401
    )


@api.exception_handler(ReadError)
def _unreadable_file(request, exc: ReadError):
    return api.create_response(request, {"detail": str(exc)}, status=422)


for _module in (assessment, attachments, enterprises, imports, matters, projects, tasks):
    for _router in _module.ROUTERS:
        api.add_router("", _router)
