"""The problem rollup: enterprise problems counted as they stand now, per rollup division (a
problem's district, or its own division where it has none) × year × month of 提出 × one
grouping of the dashboard (``ProblemRollup.dim``: status, category, closed month, lead unit),
so a province's dashboard sums some thousands of rows instead of grouping 900,000 problems.

The counts are :func:`taizhang.matters.figures._tally_sql` over the problems as they stand
(``_settled`` from today on), grouped by month and key: one truth with the raw figures, which
``tests/test_problem_rollup`` compares after random changes. What depends on the day the
figures are read (open problems past their deadline) is not stored; the dashboard counts it
live. A past cut-off replays the step history and never reads the rollup.

The rows of one (rollup division, year, month) are recomputed from the problems by
:func:`refresh`, in the same transaction as every write that moves them: every single-row
save or delete of a problem (each step's ``run_step``, a new problem's ``save_problem``, a
save from the shell) through the Matter signals connected by :func:`connect`, with the old
key as well when a save moves the division or the 提出 date; bulk writes, which send no
signal (``insert_problems`` for imports and the demo, the demo's history), call
:func:`refresh_matters` themselves. The division row is locked first, so two transactions
refreshing the same division run one after the other and the second sees the first's
problems. A change of the working-day calendar rewrites the spans of the problems finished
since the change (:func:`workdays_changed`). A ``QuerySet.update`` of problems sends no
signal and must be followed by :func:`refresh_matters`; ``taizhang rollup --rebuild``
recomputes everything (or one division's subtree) after a restore or such a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from taizhang.core.calendar import ensure_workdays, ordinal_of
from taizhang.core.models import Division
from taizhang.lib.periods import month_end
from taizhang.matters.figures import ROLLED, _settled, _tally_sql
from taizhang.matters.models import Kind, Matter, ProblemRollup

# dim → the column of the settled rows it groups by.
DIMS = {
    "status": "_st",
    "category": "category_id",
    "closed": "_closed_month",
    "unit": "lead_unit_id",
}
Key = tuple[int, int, int]  # (rollup division id, year, month)


def rollup_ids(division_ids: Iterable[int]) -> dict[int, int]:
    """Each division's rollup division: its district, or itself where it has none (a district
    itself, a city, the province). Two queries, whatever the number of divisions."""
    paths = dict(Division.objects.filter(pk__in=set(division_ids)).values_list("pk", "path"))
    prefixes = {p[: i + 1] for p in paths.values() for i, ch in enumerate(p) if ch == "/" and i}
    districts = dict(
        Division.objects.filter(path__in=prefixes, level=Division.Level.DISTRICT).values_list(
            "path", "pk"
        )
    )
    out = {}
    for pk, path in paths.items():
        found = [d for p, d in districts.items() if path.startswith(p)]
        out[pk] = found[0] if found else pk
    return out


def _problems_of(r: Division) -> QuerySet[Matter]:
    """The problems whose rollup division is ``r``."""
    qs = Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)
    if r.level == Division.Level.DISTRICT:
        return qs.filter(division__path__startswith=r.path)
    return qs.filter(division_id=r.pk)


Folded = dict[tuple[int, int, str, Any], dict[str, int]]


def _fold(qs: QuerySet[Matter]) -> Folded:
    """The rollup counts of these problems per (year, month, dim, value), one GROUP BY over
    the four columns folded per dim here: one scan of the problems."""
    ensure_workdays()  # spans are Workday ordinals
    today = timezone.localdate()
    settled = (
        _settled(qs, today)
        .annotate(
            _y=ExtractYear("raised_on"),
            _m=ExtractMonth("raised_on"),
            # 销号 in the year the problem was raised: the 办结 chart's month.
            _closed_month=Case(
                When(_closed__year=F("_y"), then=ExtractMonth("_closed")),
                default=None,
                output_field=IntegerField(),
            ),
        )
        .alias(_fin_ord=ordinal_of("finished_on"), _assigned_ord=ordinal_of("assigned_on"))
    )
    counts = {k: v for k, v in _tally_sql(today).items() if k in ROLLED}
    folded: Folded = {}
    for g in settled.values("_y", "_m", *DIMS.values()).annotate(**counts).order_by():
        for dim, column in DIMS.items():
            key = (g["_y"], g["_m"], dim, g[column])
            acc = folded.setdefault(key, dict.fromkeys(ROLLED, 0))
            for k in ROLLED:
                acc[k] += g[k] or 0
    return folded


def raw_rows(r: Division, months: set[tuple[int, int]] | None = None) -> list[ProblemRollup]:
    """The rollup rows of ``r`` computed from its problems (of the (year, month)s given, or all),
    one GROUP BY per dim."""
    qs = _problems_of(r)
    if months is not None:
        within = Q(pk__in=[])
        for year, month in months:
            # A date range, not year/month lookups: the raised_on index answers it.
            within |= Q(raised_on__range=(dt.date(year, month, 1), month_end(year, month)))
        qs = qs.filter(within)
    folded = _fold(qs)
    return [
        ProblemRollup(
            division_id=r.pk,
            year=year,
            month=month,
            dim=dim,
            key="" if value is None else str(value),
            category_id=value if dim == "category" else None,
            unit_id=value if dim == "unit" else None,
            **acc,
        )
        for (year, month, dim, value), acc in folded.items()
    ]


def refresh(keys: Iterable[Key]) -> None:
    """Recompute the rollup rows of each (rollup division id, year, month) from the problems."""
    by_division: dict[int, set[tuple[int, int]]] = {}
    for r, year, month in keys:
        by_division.setdefault(r, set()).add((year, month))
    with transaction.atomic():
        for r_id in sorted(by_division):
            # Serialises refreshes of one division (PostgreSQL; SQLite writes one at a time).
            r = Division.objects.select_for_update().filter(pk=r_id).first()
            if r is None:
                continue
            months = by_division[r_id]
            stale = Q(pk__in=[])
            for year, month in months:
                stale |= Q(year=year, month=month)
            ProblemRollup.objects.filter(stale, division_id=r_id).delete()
            ProblemRollup.objects.bulk_create(raw_rows(r, months), batch_size=2000)


def keys_of(matters: Iterable[Any]) -> set[Key]:
    """The rollup keys of these problems (Matters or dicts with division_id, raised_on); other
    kinds of matter have none."""
    rows = [
        (m.division_id, m.raised_on)
        for m in matters
        if getattr(m, "kind", Kind.ENTERPRISE_PROBLEM) == Kind.ENTERPRISE_PROBLEM
    ]
    ids = rollup_ids({d for d, _ in rows})
    return {(ids[d], day.year, day.month) for d, day in rows}


def refresh_matters(matters: Iterable[Matter]) -> None:
    """Refresh the rollup of these matters (the enterprise problems among them)."""
    keys = keys_of(matters)
    if keys:
        refresh(keys)


Contribution = tuple[int | None, Folded]


def _contribution(pk: int | None) -> Contribution:
    """One problem's rollup division and counts, as its row stands in the database now."""
    row = (
        Matter.objects.filter(pk=pk, kind=Kind.ENTERPRISE_PROBLEM).values("division_id").first()
        if pk is not None
        else None
    )
    if row is None:
        return None, {}
    r = rollup_ids([row["division_id"]])[row["division_id"]]
    return r, _fold(Matter.objects.filter(pk=pk))


def apply_change(before: Contribution, after: Contribution) -> None:
    """Move one problem's counts from what it was to what it is: the rows of its keys gain
    the difference, in the saving transaction (a few small queries, where recomputing the
    month of a large district cost ~100 ms a write). Rows left with nothing raised go, as a
    refresh would leave them out. A row that would go negative means the rollup was not in
    step (built before this problem, or never built): those keys are recomputed instead."""
    change: dict[tuple[int, int, int, str, str], dict[str, int]] = {}
    values: dict[tuple[int, int, int, str, str], Any] = {}
    for sign, (r, folded) in ((-1, before), (1, after)):
        if r is None:
            continue
        for (year, month, dim, value), acc in folded.items():
            key = (r, year, month, dim, "" if value is None else str(value))
            values[key] = value
            d = change.setdefault(key, dict.fromkeys(ROLLED, 0))
            for k in ROLLED:
                d[k] += sign * acc[k]
    change = {key: d for key, d in change.items() if any(d.values())}
    if not change:
        return
    with transaction.atomic():
        for r_id in sorted({key[0] for key in change}):
            # Serialises writers of one division, as refresh does.
            list(Division.objects.select_for_update().filter(pk=r_id).values("pk"))
        which = Q(pk__in=[])
        for r, year, month, dim, key in change:
            which |= Q(division_id=r, year=year, month=month, dim=dim, key=key)
        found = {
            (row.division_id, row.year, row.month, row.dim, row.key): row
            for row in ProblemRollup.objects.filter(which)
        }
        new: list[ProblemRollup] = []
        kept: list[ProblemRollup] = []
        gone: list[int] = []
        redo = False
        for key, d in change.items():
            r, year, month, dim, k = key
            row = found.get(key) or ProblemRollup(
                division_id=r,
                year=year,
                month=month,
                dim=dim,
                key=k,
                category_id=values[key] if dim == "category" else None,
                unit_id=values[key] if dim == "unit" else None,
            )
            for name in ROLLED:
                setattr(row, name, (getattr(row, name) or 0) + d[name])
            if any(getattr(row, name) < 0 for name in ROLLED):
                redo = True
            elif row.raised == 0:
                if row.pk is not None:
                    gone.append(row.pk)
            elif row.pk is None:
                new.append(row)
            else:
                kept.append(row)
        if redo:
            refresh({key[:3] for key in change})
            return
        ProblemRollup.objects.filter(pk__in=gone).delete()
        ProblemRollup.objects.bulk_create(new)
        ProblemRollup.objects.bulk_update(kept, list(ROLLED))


def _before_save(instance: Matter, raw: bool = False, **kwargs: Any) -> None:
    """pre_save: what a saved problem counted before (its old key too: a save outside the
    services may move its division or 提出 date; the services never do)."""
    before: Contribution = (None, {})
    if not raw and instance.pk is not None and instance.kind == Kind.ENTERPRISE_PROBLEM:
        before = _contribution(instance.pk)
    instance._rollup_before = before  # type: ignore[attr-defined]


def _problem_saved(instance: Matter, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a Matter: move its counts in the saving transaction. Every single-row
    write of a problem — each step's ``run_step``, a new problem's ``save_problem``, a save
    from the shell or a test — comes through here; bulk writes (``insert_problems``, the
    demo's history) call :func:`refresh_matters` themselves."""
    if raw or instance.kind != Kind.ENTERPRISE_PROBLEM:
        return
    apply_change(getattr(instance, "_rollup_before", (None, {})), _contribution(instance.pk))


def _problem_deleted(instance: Matter, **kwargs: Any) -> None:
    """post_delete: the deleted problem's months are recomputed (deletes are rare)."""
    if instance.kind == Kind.ENTERPRISE_PROBLEM:
        refresh(keys_of([instance]))


def fill_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a database upgraded to the rollup (problems, no rollup rows) gets it
    built once, so dashboards never read an empty rollup as zero problems."""
    if kwargs.get("using", "default") != "default":
        return
    tables = connection.introspection.table_names()
    if ProblemRollup._meta.db_table not in tables:
        return
    problems = Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)
    if problems.exists() and not ProblemRollup.objects.exists():
        rebuild()


def connect() -> None:
    """Connect the receivers (MattersConfig.ready)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from taizhang.core.calendar import workdays_refilled

    pre_save.connect(_before_save, sender=Matter, dispatch_uid="problem_rollup_pre")
    post_save.connect(_problem_saved, sender=Matter, dispatch_uid="problem_rollup_save")
    post_delete.connect(_problem_deleted, sender=Matter, dispatch_uid="problem_rollup_delete")
    workdays_refilled.connect(workdays_changed, dispatch_uid="problem_rollup_workdays")


def workdays_changed(first: dt.date, **kwargs: Any) -> None:
    """The working-day calendar was rewritten from ``first``: the spans of problems finished
    since then may have moved (receiver of ``core.calendar.workdays_refilled``)."""
    if ProblemRollup._meta.db_table not in connection.introspection.table_names():
        return  # a migrate stopped before this app's tables: nothing is kept yet
    moved = (
        Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM, finished_on__gte=first)
        .values("division_id", "raised_on")
        .distinct()
    )
    rows = [(r["division_id"], r["raised_on"]) for r in moved]
    if not rows:
        return
    ids = rollup_ids({d for d, _ in rows})
    refresh({(ids[d], day.year, day.month) for d, day in rows})


def rebuild(division: Division | None = None) -> int:
    """Recompute every rollup row (of ``division``'s subtree): returns the rollup divisions
    refreshed. Divisions with no problems left lose their rows."""
    problems = Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)
    existing = ProblemRollup.objects.all()
    if division is not None:
        problems = problems.filter(division__path__startswith=division.path)
        existing = existing.filter(division__path__startswith=division.path)
    ids = set(rollup_ids(problems.values_list("division_id", flat=True).distinct()).values())
    ids |= set(existing.values_list("division_id", flat=True).distinct())
    if division is not None:
        # A town's rebuild recomputes its district: the rows are the district's.
        ids |= set(rollup_ids([division.pk]).values())
    for r in Division.objects.filter(pk__in=ids).order_by("path"):
        with transaction.atomic():
            list(Division.objects.select_for_update().filter(pk=r.pk).values("pk"))
            ProblemRollup.objects.filter(division_id=r.pk).delete()
            ProblemRollup.objects.bulk_create(raw_rows(r), batch_size=2000)
    return len(ids)
