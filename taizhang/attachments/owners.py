"""The records files may belong to. Each domain app registers its attachable models here
(beside their ScopeRule), so this app, which sits below them, never imports them.

An owner is named by a short key in the API (`owner_type=matter`) and by its content type
in the database. Whoever sees the owner through `Scope` sees its files; whoever may add
files is decided by `can_attach` (default: every signed-in role with a profile except the
read-only leaders)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model

from taizhang.core.errors import invalid
from taizhang.core.models import Role
from taizhang.core.scope import Scope, rule_for


def writes_in_scope(scope: Scope, obj: Model) -> bool:
    return scope.role is not None and scope.role != Role.LEADER


@dataclass(frozen=True)
class OwnerKind:
    key: str
    model: type[Model]
    label: str
    can_attach: Callable[[Scope, Model], bool] = writes_in_scope


_BY_KEY: dict[str, OwnerKind] = {}
_BY_MODEL: dict[type[Model], OwnerKind] = {}


def register_owner(
    key: str,
    model: type[Model],
    label: str,
    *,
    can_attach: Callable[[Scope, Model], bool] = writes_in_scope,
) -> None:
    rule_for(model)  # an owner without a ScopeRule could not be checked: fail at start-up
    kind = OwnerKind(key, model, label, can_attach)
    _BY_KEY[key] = kind
    _BY_MODEL[model] = kind


def owner_kinds() -> list[OwnerKind]:
    return list(_BY_KEY.values())


def kind_by_key(key: str) -> OwnerKind:
    found = _BY_KEY.get((key or "").strip())
    if found is None:
        names = "、".join(_BY_KEY)
        raise invalid("owner_type", f"不能给「{key}」上传佐证材料（可选：{names}）")
    return found


def kind_of(obj: Model | type[Model]) -> OwnerKind:
    model = obj if isinstance(obj, type) else type(obj)
    found = _BY_MODEL.get(model)
    if found is None:
        raise invalid("owner_type", f"{model._meta.verbose_name}不能上传佐证材料")
    return found


def resolve(scope: Scope, key: str, pk: object) -> Model:
    """The owner named by key and id, inside the scope (404 otherwise)."""
    return scope.get(kind_by_key(key).model.objects.all(), pk)


def require_attach(scope: Scope, owner: Model) -> None:
    if not kind_of(owner).can_attach(scope, owner):
        raise PermissionDenied("您可以查看该记录，但无权为它上传佐证材料")


def division_path(obj: Model) -> str:
    """The owner's division path, found through its ScopeRule (for the audit log)."""
    value: object = obj
    for part in rule_for(type(obj)).division.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)
