"""The one step table: every kind of tracked matter registers its steps here, and every web
form and API call takes a step through `take_step`.

A kind registers (`register_kind`) one `Step` per action: the transition (from which
statuses, to which status, by whom), the input schema (a pydantic model whose field titles
are the Chinese labels; the same schema is the API's request body in OpenAPI and parses the
web form) and the one `do_*` service function that performs it. Enterprise problems
register in `taizhang.matters.problem_steps`, supervision tasks, suggestions and proposals in
`taizhang.tasks.steps`; a new kind of matter registers itself the same way and gets the web
dispatch and `POST /api/v1/matters/{id}/steps/{action}` without changing this module.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import pydantic
from django.core.exceptions import ValidationError
from django.db import models
from pydantic import BaseModel, ConfigDict, Field

from taizhang.core.errors import invalid
from taizhang.core.scope import Scope
from taizhang.matters.models import Kind, Matter, MatterStep, Status
from taizhang.matters.workflow import Actor, Transition


@dataclass(frozen=True)
class StepResult:
    """What a step did: the matter as it is now (re-read under lock, never the caller's
    object), the MatterStep stamped into its history, and what else the step created
    (a TaskReport for 进度报送, a Reminder for a 督办单), if anything."""

    matter: Matter
    step: MatterStep
    created: models.Model | None = None


class StepInput(BaseModel):
    """Every step's input starts with the version the user read: a step taken on a stale
    page is refused (409 in the API) instead of silently overwriting someone else's step."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    version: int = Field(title="版本号", description="读取时的版本号；版本已变则返回409")


class StepFunction(Protocol):
    def __call__(
        self, scope: Scope, matter: Matter, *, expected_version: int | None, **kwargs: Any
    ) -> StepResult: ...


@dataclass(frozen=True)
class Step:
    """One action of one kind: its transition, its input schema and its do_* function.

    The schema's fields (besides `version`) are the do_* function's keyword arguments."""

    transition: Transition
    schema: type[StepInput]
    do: StepFunction

    @property
    def action(self) -> str:
        return self.transition.action

    @property
    def label(self) -> str:
        return self.transition.label


@dataclass(frozen=True)
class KindSteps:
    kind: str
    label: str
    steps: dict[str, Step]
    # Who rates the result (企业, 代表, 委员) as the step history names them.
    rater: str = "企业"
    # Working days for a deadline counted by the kind's rule (交办 or reopening) when the
    # matter has no problem category of its own.
    default_workdays: int = 7
    # What a reopening after 不满意 is called in the history.
    redo_label: str = "退回重办"
    # Run by `run_step` after every step, in its transaction, on the saved matter: the kind
    # keeps what it derives from the matter up to date (a task's stored light dates).
    after_step: Callable[[Matter], None] | None = None

    @property
    def transitions(self) -> dict[str, Transition]:
        return {a: s.transition for a, s in self.steps.items()}

    @property
    def requires_rating(self) -> bool:
        return "rate" in self.steps


_KINDS: dict[str, KindSteps] = {}


def register_kind(
    kind: str,
    steps: Iterable[Step],
    *,
    label: str | None = None,
    rater: str = "企业",
    default_workdays: int = 7,
    redo_label: str = "退回重办",
    after_step: Callable[[Matter], None] | None = None,
) -> KindSteps:
    """Register (or replace) a kind of matter with its steps."""
    table: dict[str, Step] = {}
    for s in steps:
        if s.action in table:
            raise ValueError(f"{kind}: action {s.action!r} registered twice")
        if "version" not in s.schema.model_fields:
            raise TypeError(f"{kind}.{s.action}: the schema must derive from StepInput")
        # The dispatcher passes the schema's fields as keywords: a mismatch fails here, at
        # start-up, not on a user's first click.
        params = inspect.signature(s.do).parameters
        passed = [n for n in s.schema.model_fields if n != "version"] + ["expected_version"]
        unknown = [n for n in passed if n not in params]
        if unknown:
            raise TypeError(f"{kind}.{s.action}: {s.do.__name__} does not take {unknown}")
        table[s.action] = s
    spec = KindSteps(
        kind=kind,
        label=label or str(dict(Kind.choices).get(kind, kind)),
        steps=table,
        rater=rater,
        default_workdays=default_workdays,
        redo_label=redo_label,
        after_step=after_step,
    )
    _KINDS[kind] = spec
    return spec


def unregister_kind(kind: str) -> None:
    _KINDS.pop(kind, None)


@contextmanager
def kind_registered(kind: str, steps: Iterable[Step], **options: Any):
    """A kind registered for the length of a block (tests of a throwaway kind)."""
    previous = _KINDS.get(kind)
    register_kind(kind, steps, **options)
    try:
        yield _KINDS[kind]
    finally:
        if previous is None:
            unregister_kind(kind)
        else:
            _KINDS[kind] = previous


def registered_kinds() -> list[KindSteps]:
    return list(_KINDS.values())


def kind_steps(kind: str) -> KindSteps | None:
    return _KINDS.get(kind)


def transitions(kind: str) -> dict[str, Transition]:
    """The kind's table; empty for a kind nothing registered (no step may run)."""
    spec = _KINDS.get(kind)
    return spec.transitions if spec else {}


def kinds_rated_or_closed_by_office() -> list[str]:
    """Kinds whose finished (已办结) matters wait for the office, not for an enterprise:
    the office records the rating or closes them straight away."""
    return [
        spec.kind
        for spec in _KINDS.values()
        if any(
            Status.REPORTED in t.sources
            and t.target in {Status.RATED, Status.CLOSED}
            and t.actor == Actor.MANAGER
            for t in spec.transitions.values()
        )
    ]


def step_of(kind: str, action: str) -> Step:
    spec = _KINDS.get(kind)
    step = spec.steps.get(action) if spec else None
    if step is None:
        raise invalid("action", f"该类事项没有「{action}」环节")
    return step


# Input -----------------------------------------------------------------------------


def _label(schema: type[StepInput], name: str) -> str:
    f = schema.model_fields.get(name)
    return (f.title if f and f.title else None) or name


def _message(schema: type[StepInput], err: Mapping[str, Any]) -> tuple[str, str]:
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    name = loc[0] if loc else "__all__"
    label = _label(schema, name)
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if name == "version":
        return name, "缺少有效的版本号，请刷新页面后重试"
    if kind == "missing":
        return name, f"请填写{label}"
    if kind.startswith(("date", "datetime")):
        return name, f"{label}应为日期，格式 YYYY-MM-DD"
    if kind.startswith("int"):
        return name, f"{label}应为整数编号"
    if kind.startswith("bool"):
        return name, f"{label}应为是或否"
    if kind == "string_too_long":
        return name, f"{label}不能超过{ctx.get('max_length')}字"
    if kind.startswith("list"):
        return name, f"{label}应为列表"
    return name, f"{label}格式不正确"


def parse_input(schema: type[StepInput], data: Mapping[str, Any] | StepInput) -> StepInput:
    """The step's input checked against its schema; ValidationError keyed by field, in Chinese."""
    if isinstance(data, schema):
        return data
    if isinstance(data, StepInput):
        data = data.model_dump(exclude_unset=True)
    try:
        return schema.model_validate(dict(data))
    except pydantic.ValidationError as e:
        errors: dict[str, list[str]] = {}
        for err in e.errors():
            name, msg = _message(schema, err)
            if msg not in errors.get(name, []):
                errors.setdefault(name, []).append(msg)
        raise ValidationError(errors) from None


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(typing.get_origin(a) is list for a in typing.get_args(annotation))


def form_data(schema: type[StepInput], post: Any) -> dict[str, Any]:
    """The schema's fields from a submitted HTML form (a QueryDict): lists from repeated
    keys, empty inputs left out so that optional fields take their defaults."""
    out: dict[str, Any] = {}
    for name, f in schema.model_fields.items():
        if name not in post:
            continue
        if _is_list(f.annotation):
            out[name] = [v for v in post.getlist(name) if str(v).strip()]
            continue
        value = post.get(name)
        if isinstance(value, str) and not value.strip():
            continue
        out[name] = value
    return out


# The dispatcher --------------------------------------------------------------------------


def take_step(
    scope: Scope, matter: Matter, action: str, data: Mapping[str, Any] | StepInput
) -> StepResult:
    """Take one step on a matter: look the action up in the kind's table, check the input
    with the action's schema, and run its do_* function (which checks the version, the
    status and who is asking, in one transaction)."""
    step = step_of(matter.kind, action)
    inp = parse_input(step.schema, data)
    kwargs = inp.model_dump(exclude={"version"})
    return step.do(scope, matter, expected_version=inp.version, **kwargs)


__all__ = [
    "KindSteps",
    "Step",
    "StepInput",
    "StepResult",
    "form_data",
    "kind_registered",
    "kind_steps",
    "parse_input",
    "register_kind",
    "registered_kinds",
    "step_of",
    "take_step",
    "transitions",
]
