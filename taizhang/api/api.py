"""The JSON API under /api/v1/. Same scope and the same do_* functions as the web pages."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth

from taizhang.api import (
    assessment,
    attachments,
    bonds,
    civility,
    enterprises,
    forecast,
    imports,
    matters,
    measures,
    meetings,
    petitions,
    projects,
    services,
    similar,
    tasks,
)
from taizhang.api.auth import TokenAuth, TokenExpired
from taizhang.api.messages import chinese
from taizhang.api.schemas import ERRORS, ErrorOut
from taizhang.core.errors import ConflictError, messages_of
from taizhang.imports.reading import ReadError

logger = logging.getLogger("django.request")


class TaizhangAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI documents every refusal on every operation.

    Handlers below answer 400/401/403/404/409/422/500 with the same JSON body (ErrorOut)
    whatever the route; declaring them once here keeps the 58 route signatures short and
    no operation undocumented."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = error
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for ops in schema["paths"].values():
            for op in ops.values():
                responses = op.setdefault("responses", {})
                for status, text in ERRORS.items():
                    responses.setdefault(
                        status,
                        {"description": text, "content": {"application/json": {"schema": ref}}},
                    )
        return schema


api = TaizhangAPI(
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
        errors.setdefault(field, []).append(chinese(err, field))
    first = next(iter(errors.values()))[0] if errors else "请求数据格式不正确"
    return api.create_response(request, {"detail": first, "errors": errors}, status=422)


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


@api.exception_handler(BadRequest)
def _bad_request(request, exc: BadRequest):
    # taizhang.core.params.BadParam: a query parameter outside its type or range.
    detail = getattr(exc, "message", None) or "请求参数不正确"
    key = getattr(exc, "key", None) or "__all__"
    return api.create_response(request, {"detail": detail, "errors": {key: [detail]}}, status=400)


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    """Whatever else goes wrong answers JSON in Chinese, never Django's HTML 500 page.

    The error is still logged with its traceback (django.request) and still a 500: a client
    must not mistake it for its own mistake. ninja picks a handler along the exception's MRO,
    so every class handled above keeps its own answer."""
    logger.exception("API error on %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": "服务器处理请求时出错，已记录。请稍后重试或联系系统管理员。"},
        status=500,
    )


@api.exception_handler(ReadError)
def _unreadable_file(request, exc: ReadError):
    return api.create_response(request, {"detail": str(exc)}, status=422)


# Each ledger's route module is a leaf that lists its routers; a new ledger adds itself here.
for _module in (
    assessment,
    attachments,
    bonds,
    civility,
    enterprises,
    forecast,
    imports,
    matters,
    measures,
    meetings,
    petitions,
    projects,
    services,
    similar,
    tasks,
):
    for _router in _module.ROUTERS:
        api.add_router("", _router)
