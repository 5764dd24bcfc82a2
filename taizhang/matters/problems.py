"""Creating an enterprise problem: the one set of rules and the one shape of what is written.

The web form, the API and a single imported row go through
`services.do_create_problem`; a large import and the demo's history validate every
row with the same `clean_problem` and write the same rows with `insert_problems`
(bulk inserts, no notifications). Nothing else builds a new problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.bulk import insert_returning, insert_rows
from taizhang.core.errors import as_date
from taizhang.core.models import AuditEntry, Role
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise, Visit
from taizhang.lib import similar
from taizhang.matters import rollup
from taizhang.matters.models import Kind, Matter, MatterStep, ProblemCategory, Source, Status

VERB = "登记企业问题"
# Source.values builds a new list on every call; an import asks once per row.
SOURCES = frozenset(Source.values)
# What a new problem says; the rest of the row is defaults, not news (kept short so a
# 100,000-row import does not spend its time writing empty fields into the audit log).
CREATED_FIELDS = [
    "kind",
    "division",
    "title",
    "description",
    "source",
    "enterprise",
    "category",
    "visit",
    "raised_on",
    "raised_by_name",
    "status",
]


@dataclass(frozen=True)
class NewProblem:
    """A problem that passed every rule, ready to be written."""

    enterprise: Enterprise
    category: ProblemCategory
    title: str
    description: str
    source: str
    raised_on: dt.date
    raised_by_name: str
    visit: Visit | None = None

    def as_data(self) -> dict[str, Any]:
        """The same values as `do_create_problem` data (a shallow dict, no copies of rows)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _row(model: type, value: Any) -> Any:
    """A model instance from an instance or a primary key; None when missing or blank."""
    if value in (None, "") or isinstance(value, model):
        return value or None
    try:
        return model.objects.filter(pk=value).first()
    except (TypeError, ValueError):
        return None


def clean_problem(
    scope: Scope,
    data: dict[str, Any],
    *,
    today: dt.date | None = None,
    in_scope: Callable[[Enterprise], bool] | None = None,
) -> NewProblem:
    """Check who may register the problem and every field at once.

    `data` holds instances or primary keys (enterprise, category, visit). Raises
    PermissionDenied for a user who may not register problems, ValidationError with
    Chinese messages keyed by field otherwise. `in_scope` replaces the per-row scope
    query when the caller already loaded the enterprises the user may see (imports).
    """
    errors: dict[str, list[str]] = {}
    enterprise = _row(Enterprise, data.get("enterprise"))
    if scope.role == Role.ENTERPRISE:
        if scope.enterprise is None:
            raise PermissionDenied("您的账号未关联企业")
        if enterprise is not None and enterprise.pk != scope.enterprise.pk:
            raise PermissionDenied("企业用户只能为本企业提交问题")
        enterprise = scope.enterprise
    elif not (scope.can_manage or scope.role == Role.CADRE):
        raise PermissionDenied("只有企业、包联干部或督查室可以登记企业问题")
    if enterprise is None or not (in_scope or scope.contains)(enterprise):
        errors["enterprise"] = ["请选择企业（企业不存在或不在您的范围内）"]
    category = _row(ProblemCategory, data.get("category"))
    if category is None:
        errors["category"] = ["请选择问题类别"]
    elif not category.active:
        errors["category"] = [f"问题类别「{category.name}」已停用"]
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = ["请填写问题标题"]
    elif len(title) > 120:
        errors["title"] = ["问题标题不能超过120字"]
    # An enterprise's own submission is always 企业自报, whatever the form said.
    if scope.role == Role.ENTERPRISE:
        source = Source.SELF
    else:
        source = data.get("source") or Source.VISIT
    if source not in SOURCES:
        errors["source"] = ["问题来源无效"]
    today = today or timezone.localdate()
    raised_on = today
    try:
        raised_on = as_date(data.get("raised_on"), "raised_on", "提出日期", required=False) or today
        if raised_on > today:
            errors["raised_on"] = ["提出日期不能晚于今天"]
    except ValidationError as e:
        errors.update(e.message_dict)
    visit = None
    if data.get("visit") not in (None, ""):
        visit = _row(Visit, data.get("visit"))
        if visit is None:
            errors["visit"] = ["所选走访/座谈不存在"]
        elif enterprise is not None and not visit.enterprises.filter(pk=enterprise.pk).exists():
            errors["visit"] = ["所选走访/座谈未包含该企业"]
    if errors:
        raise ValidationError(errors)
    return NewProblem(
        enterprise=enterprise,  # type: ignore[arg-type]
        category=category,  # type: ignore[arg-type]
        title=title,
        description=str(data.get("description") or "").strip(),
        source=source,
        raised_on=raised_on,
        raised_by_name=str(data.get("raised_by_name") or scope.actor_name)[:60],
        visit=visit,
    )


# What is written ---------------------------------------------------------------


def problem_text(title: str, description: str) -> str:
    """The text a problem is compared by (docs/similar.md): its title and the start of its
    description (a long account would drown the title's words)."""
    return f"{title}。{(description or '')[:200]}"


def new_matter(scope: Scope, p: NewProblem, *, is_synthetic: bool = False) -> Matter:
    """The unsaved Matter of a new problem (待受理)."""
    return Matter(
        kind=Kind.ENTERPRISE_PROBLEM,
        division=p.enterprise.division,
        title=p.title,
        description=p.description,
        source=p.source,
        enterprise=p.enterprise,
        category=p.category,
        visit=p.visit,
        raised_on=p.raised_on,
        raised_by=scope.actor,
        raised_by_name=p.raised_by_name,
        status=Status.SUBMITTED,
        is_synthetic=is_synthetic,
        similar_keys=similar.keys(problem_text(p.title, p.description)),
    )


def submit_step(scope: Scope, m: Matter, at: dt.datetime | None = None) -> dict[str, Any]:
    """The 提出 step's column values (by attname), for create(**…) or a bulk insert."""
    actor = scope.actor
    return {
        "matter_id": m.pk,
        "action": "submit",
        "label": "提出",
        "to_status": Status.SUBMITTED,
        "date": m.raised_on,
        "by_id": actor.pk if actor else None,
        "by_name": scope.actor_name,
        "note": m.description[:500],
        "at": at or timezone.now(),
    }


def created_entry(scope: Scope, m: Matter) -> dict[str, Any]:
    """The audit entry's column values for a new problem."""
    return audit.entry_values(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after=audit.snapshot(m, CREATED_FIELDS),
        verb=VERB,
        division_path=m.division.path,
    )


def save_problem(scope: Scope, p: NewProblem, *, is_synthetic: bool = False) -> Matter:
    """Write one new problem, its 提出 step and its audit entry (caller holds the transaction)."""
    m = new_matter(scope, p, is_synthetic=is_synthetic)
    m.save()
    MatterStep.objects.create(**submit_step(scope, m))
    AuditEntry.objects.create(**created_entry(scope, m))
    return m


def insert_problems(
    scope: Scope,
    problems: Iterable[NewProblem],
    *,
    is_synthetic: bool = False,
    backdate: bool = False,
    batch: int = 2000,
) -> Iterator[list[Matter]]:
    """The rows `save_problem` writes, for many problems at once (bulk inserts).

    Yields each written batch, so that a 100,000-row import keeps one batch of
    Matters in memory at a time. `backdate` stamps each 提出 step at 10:00 on its
    raising day, for history written after the fact (the demo) whose later steps
    carry their own dates.
    """
    items = iter(problems)
    while chunk := list(islice(items, batch)):
        matters = [new_matter(scope, p, is_synthetic=is_synthetic) for p in chunk]
        insert_returning(Matter, matters)
        insert_rows(
            MatterStep,
            [
                submit_step(
                    scope,
                    m,
                    timezone.make_aware(dt.datetime.combine(m.raised_on, dt.time(10, 0)))
                    if backdate
                    else None,
                )
                for m in matters
            ],
        )
        insert_rows(AuditEntry, [created_entry(scope, m) for m in matters])
        # A bulk insert sends no post_save: the rollup is refreshed here, in the same transaction.
        rollup.refresh_matters(matters)
        yield matters
