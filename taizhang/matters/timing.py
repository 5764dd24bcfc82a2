"""One truth of time: a matter's deadline, lateness and light as of a date.

``timing_of(matter, as_of)`` answers from the matter's step history, using only
steps dated on or before ``as_of``: a matter closed in 2023 is still open (and
late) as of 2022-08-31. The screen calls it with today, reminders with the run's
day, scoring and the bulletin with the period's cut-off.

When no step is dated after ``as_of`` (always so for today: a step can never be
dated in the future), the matter's own columns are its state; that is also what
the SQL twin :func:`annotate_timing` reads, and the two are tested to agree.
The SQL is for "as of today" lists (filter, sort, count and page by light in the
database); figures of a past date use the Python replay.

Kinds with their own light rule (supervision tasks: missed progress reports,
pace) register it with :func:`register_light`; the rule gets the replayed state
and the date, and must judge only what was known by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from taizhang.core.calendar import (
    first_day_after_ordinal,
    get_calendar,
    ordinal_at,
    ordinal_of,
    today,
    unconfirmed_note,
)
from taizhang.lib.lights import Light, LightResult, deadline_light
from taizhang.lib.workdays import WorkCalendar
from taizhang.matters.models import FINISHED, Matter, MatterStep, Status

__all__ = [
    "FINISHED",
    "LIGHT_RANK",
    "annotate_timing",
    "MatterState",
    "Timing",
    "light_of",
    "register_light",
    "state_as_of",
    "states_as_of",
    "timing_of",
    "timings_for",
]

# Before 交办 a matter has no deadline to be late against.
_NOT_YET_ASSIGNED = frozenset({"", Status.SUBMITTED, Status.ACCEPTED})


@dataclass(frozen=True)
class MatterState:
    """A matter as it stood at the end of a day."""

    exists: bool
    status: str
    assigned_on: dt.date | None
    deadline: dt.date | None
    finished_on: dt.date | None  # None unless finished (已办结/已评价/已销号) by then
    resolved: bool  # 已销号
    rating: str | None


@dataclass(frozen=True)
class Timing:
    """Deadline, lateness and light of a matter as of ``as_of``.

    ``late_workdays``: working days past the deadline — until ``as_of`` while open,
    until 办结 when finished; 0 when not late; None without a deadline.
    ``confirmed`` is False when a count ran through a year whose holiday notice
    is not yet known (statutory fallback); ``unconfirmed_year`` names that year.
    """

    as_of: dt.date
    deadline: dt.date | None
    finished_on: dt.date | None
    status_then: str
    light: Light | None
    late_workdays: int | None
    confirmed: bool
    reason: str
    unconfirmed_year: int | None = None
    # The deadline rule alone (what 临期/逾期 reminders follow for every kind).
    deadline_result: LightResult | None = field(default=None, compare=False)
    state: MatterState | None = field(default=None, compare=False, repr=False)

    @property
    def result(self) -> LightResult | None:
        """The light as the pages and exports show it (None before there is a deadline)."""
        if self.light is None:
            return None
        return LightResult(self.light, self.reason, self.confirmed)

    @property
    def unconfirmed_note(self) -> str:
        return unconfirmed_note(self.unconfirmed_year) if self.unconfirmed_year else ""


LightRule = Callable[[Matter, MatterState, dt.date, WorkCalendar], LightResult | None]
_LIGHT_RULES: dict[str, LightRule] = {}


def register_light(kind: str, rule: LightRule) -> None:
    """A kind's own light rule (as of the date it is given); the deadline rule otherwise."""
    _LIGHT_RULES[kind] = rule


def yellow_workdays() -> int:
    return int(settings.TAIZHANG["YELLOW_WORKDAYS"])


# --------------------------------------------------------------------------- state


def _row_state(m: Matter, as_of: dt.date) -> MatterState:
    """The columns are the state (no step after ``as_of``, or no history at all)."""
    finished = m.finished_on if m.status in FINISHED else None
    finished = finished if finished and finished <= as_of else None
    status = m.status
    if m.status in FINISHED and finished is None:
        status = Status.IN_PROGRESS  # rows without history that finished later
    closed = m.status == Status.CLOSED and m.closed_on is not None and m.closed_on <= as_of
    rated = m.rating if m.rated_on and m.rated_on <= as_of and finished else None
    assigned = m.assigned_on if m.assigned_on and m.assigned_on <= as_of else None
    return MatterState(True, status, assigned, m.deadline, finished, closed, rated or None)


def state_as_of(m: Matter, steps: Sequence[MatterStep], as_of: dt.date) -> MatterState:
    """``m`` at the end of ``as_of``, replayed from ``steps`` (sorted by date, at, id)."""
    if m.raised_on > as_of:
        return MatterState(False, "", None, None, None, False, None)
    later = [s for s in steps if s.date > as_of]
    if not later:
        return _row_state(m, as_of)
    known = [s for s in steps if s.date <= as_of]
    status = known[-1].to_status if known else (later[0].from_status or Status.SUBMITTED)
    assigned = deadline = finished = None
    rating: str | None = None
    for s in known:
        if s.action == "assign" and assigned is None:
            assigned = s.date
        if s.deadline_after:
            deadline = s.deadline_after
        if s.to_status == Status.REPORTED:
            finished = s.date
        if s.rating:
            rating = s.rating
        if s.to_status == Status.RETURNED:
            finished, rating = None, None
    if assigned is None and m.assigned_on and m.assigned_on <= as_of:
        assigned = m.assigned_on
    if deadline is None:
        # The next step records the deadline it found; older histories (demo data)
        # recorded none, then the first deadline is the best we know.
        deadline = later[0].deadline_before
        if deadline is None and status not in _NOT_YET_ASSIGNED:
            deadline = m.original_deadline or m.deadline
    if status not in FINISHED:
        finished, rating = None, None
    return MatterState(True, status, assigned, deadline, finished, status == Status.CLOSED, rating)


# --------------------------------------------------------------------------- timing


def _first_unconfirmed(cal: WorkCalendar, a: dt.date, b: dt.date) -> int | None:
    lo, hi = min(a, b), max(a, b)
    for y in range(lo.year, hi.year + 1):
        if not cal.year_confirmed(y):
            return y
    return None


def _timing(m: Matter, state: MatterState, as_of: dt.date, cal: WorkCalendar) -> Timing:
    if not state.exists:
        return Timing(as_of, None, None, "", None, None, True, "尚未提出", state=state)
    by_deadline = None
    if state.deadline is not None:
        by_deadline = deadline_light(
            state.deadline, state.finished_on, as_of, cal, yellow_workdays()
        )
    rule = _LIGHT_RULES.get(m.kind)
    res = rule(m, state, as_of, cal) if rule is not None else by_deadline
    late = None
    year = None
    confirmed = res.confirmed if res is not None else True
    if state.deadline is not None:
        end = state.finished_on or as_of
        count = cal.workdays_between(state.deadline, end)
        late = max(count.days, 0)
        if state.finished_on is None or late > 0:
            # The working days shown (left, or late) ran through these years.
            confirmed = confirmed and count.confirmed
        if not confirmed:
            year = _first_unconfirmed(cal, state.deadline, end)
    if not confirmed and year is None:
        year = _first_unconfirmed(cal, as_of, state.deadline or as_of)
    return Timing(
        as_of=as_of,
        deadline=state.deadline,
        finished_on=state.finished_on,
        status_then=state.status,
        light=res.light if res is not None else None,
        late_workdays=late,
        confirmed=confirmed,
        reason=res.reason if res is not None else "",
        unconfirmed_year=year,
        deadline_result=by_deadline,
        state=state,
    )


def _steps_of(m: Matter) -> list[MatterStep]:
    cache = getattr(m, "_prefetched_objects_cache", {})
    if "steps" in cache:
        return sorted(cache["steps"], key=lambda s: (s.date, s.at, s.pk))
    return list(m.steps.order_by("date", "at", "id"))


def timing_of(m: Matter, as_of: dt.date | None = None) -> Timing:
    """Deadline, lateness and light of ``m`` as of ``as_of`` (default today)."""
    as_of = as_of or today()
    cal = get_calendar()
    # No step is ever dated after today, so from today on the row is the state.
    steps = [] if as_of >= today() else _steps_of(m)
    return _timing(m, state_as_of(m, steps, as_of), as_of, cal)


def states_as_of(matters: Iterable[Matter], as_of: dt.date) -> dict[int, MatterState]:
    """:func:`state_as_of` for many matters with one query for their steps (none from today on)."""
    rows = list(matters)
    steps: dict[int, list[MatterStep]] = {}
    if as_of < today() and rows:
        for s in MatterStep.objects.filter(matter_id__in=[m.pk for m in rows]).order_by(
            "date", "at", "id"
        ):
            steps.setdefault(s.matter_id, []).append(s)
    return {m.pk: state_as_of(m, steps.get(m.pk, []), as_of) for m in rows}


def timings_for(matters: Iterable[Matter], as_of: dt.date | None = None) -> dict[int, Timing]:
    """:func:`timing_of` for many matters with one query for their steps."""
    rows = list(matters)
    as_of = as_of or today()
    cal = get_calendar()
    states = states_as_of(rows, as_of)
    return {m.pk: _timing(m, states[m.pk], as_of, cal) for m in rows}


def light_of(m: Matter, as_of: dt.date | None = None) -> LightResult | None:
    """Shorthand for ``timing_of(m, as_of).result``: what a page shows as the light."""
    return timing_of(m, as_of).result


# --------------------------------------------------------------------------- the same rule in SQL


def light_q(light: str | None, as_of: dt.date | None = None) -> Q:
    """Matters whose light (as :func:`annotate_timing` computes it) is `light`, as
    conditions on the matter's own columns.

    Filtering on the annotated CASE would evaluate it, with its calendar subqueries, for
    every row in scope (2 million for a province) before one page could be cut; these
    conditions an index on (kind, status, deadline) answers. The yellow window "due within
    N working days" becomes a date bound: ordinal(deadline) ≤ ordinal(D) + N ⟺ deadline
    before the first day whose ordinal is greater (ordinals never decrease with the date).
    `tests/test_light_filter.py` holds both spellings equal.
    """
    as_of = as_of or today()
    finished = Q(status__in=list(FINISHED), finished_on__isnull=False, finished_on__lte=as_of)
    dated = Q(deadline__isnull=False)
    until = first_day_after_ordinal(ordinal_at(as_of) + yellow_workdays())
    # Past the calendar table's end a deadline has no ordinal, and the SQL rule calls it green.
    beyond = Q(deadline__gte=until) if until else Q(pk__in=[])
    if light is None or light == "none":
        return Q(deadline__isnull=True)
    # Not finished by then, spelled as index ranges on (kind, status, …): an open status,
    # or a finished one without a 办结 date on or before the day. ``~finished`` says the
    # same (every status is a Status value) but becomes `status <> ALL (…)`, which no index
    # answers; the red filter then read every problem of a province.
    unfinished = Q(status__in=[s for s in Status.values if s not in FINISHED]) | Q(
        Q(finished_on__isnull=True) | Q(finished_on__gt=as_of), status__in=list(FINISHED)
    )
    if light == "red":
        return dated & unfinished & Q(deadline__lt=as_of)
    if light == "yellow":
        return dated & unfinished & Q(deadline__gte=as_of) & ~beyond
    if light == "green":
        return dated & (finished | beyond)
    return Q(pk__in=[])


# Sort order of lights: red first, no light (no deadline yet) last.
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, None: 3}


def annotate_timing(qs: QuerySet[Matter], as_of: dt.date | None = None) -> QuerySet[Matter]:
    """Add ``light`` ('red'/'yellow'/'green'/None), ``late_workdays``, ``deadline_as_of``
    and ``light_rank`` to matters, computed by the database with the core.Workday table.

    The rule of :func:`timing_of` for the matter's current columns, i.e. as of today
    (or any day on or after its last step). Working days late = ordinal(end) −
    ordinal(deadline). Tasks' extra rules (missed reports, pace) are not in SQL:
    for them this is the deadline rule only.
    """
    as_of = as_of or today()
    now = ordinal_at(as_of)
    yellow = yellow_workdays()
    finished = Q(status__in=list(FINISHED), finished_on__isnull=False, finished_on__lte=as_of)
    late_open = Value(now) - F("_deadline_ord")
    late_done = F("_finished_ord") - F("_deadline_ord")
    return (
        qs.alias(_deadline_ord=ordinal_of("deadline"), _finished_ord=ordinal_of("finished_on"))
        .annotate(
            deadline_as_of=F("deadline"),
            late_workdays=Case(
                When(deadline__isnull=True, then=Value(None)),
                When(finished & Q(finished_on__gt=F("deadline")), then=late_done),
                When(finished, then=Value(0)),
                When(deadline__lt=as_of, then=late_open),
                default=Value(0),
                output_field=IntegerField(),
            ),
            light=Case(
                When(deadline__isnull=True, then=Value(None)),
                When(finished, then=Value("green")),
                When(deadline__lt=as_of, then=Value("red")),
                When(Q(_deadline_ord__lte=now + yellow), then=Value("yellow")),
                default=Value("green"),
                output_field=CharField(),
            ),
        )
        .annotate(
            light_rank=Case(
                *(When(light=k, then=Value(v)) for k, v in LIGHT_RANK.items() if k),
                default=Value(LIGHT_RANK[None]),
                output_field=IntegerField(),
            )
        )
    )
