"""The facts adapter: ledger rows as of a cut-off date → taizhang.lib.scoring facts.

Every query goes through the caller's Scope, so a unit computing its own card
sees exactly the rows its card is made of, and nothing else.

* Milestones: nodes of projects in the district planned within the scored year;
  unit = the project's 责任单位, person = its 包联领导. ``done_on`` is the recorded
  completion date (a date after the cut-off means "not done" to the scorer).
* Investment: one fact per project on the year's list — the annual plan and the
  sum of its monthly reports up to the cut-off month, exactly as the dashboard
  (projects.figures.project_figures) adds them up.
* Matters (enterprise problems and supervision tasks): one fact for the lead unit
  and one per co-operating unit. State as of the cut-off is replayed from the
  MatterStep history by taizhang.matters.timing.state_as_of, the same replay the
  screen, reminders and the bulletin use. 催办 = red and escalation reminders sent
  in the period.
* Progress reports: supervision tasks' 进度报送 (taizhang.tasks: each report the task's
  schedule made due by the cut-off, with the date it was submitted); none when the
  tasks app is not installed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, Sum
from django.urls import NoReverseMatch, reverse

from taizhang.core.models import Division, Person, Unit, UnitKind
from taizhang.core.scope import Scope
from taizhang.lib import scoring
from taizhang.lib.scoring import Facts, Target
from taizhang.matters.models import Kind, Matter, MatterStep, Rating, Reminder
from taizhang.matters.timing import state_as_of
from taizhang.projects.models import Milestone, MonthlyReport, ProjectYear

UNIT_GROUPS = {
    UnitKind.TOWN: "乡镇/街道",
    UnitKind.DEPARTMENT: "区直部门",
    UnitKind.PARK: "园区",
    UnitKind.OTHER: "其他单位",
}
LEADER_GROUP = "县级干部"
CADRE_GROUP = "其他干部"
GROUP_ORDER = [*UNIT_GROUPS.values(), LEADER_GROUP, CADRE_GROUP]
RATING_CN = {Rating.SATISFIED: "满意", Rating.BASIC: "基本满意", Rating.UNSATISFIED: "不满意"}
CENT = Decimal("0.01")
REMINDER_KINDS = ("red", "escalate")  # 逾期提醒 and 逾期升级 are 催办; a 临期提醒 is not


@dataclass(frozen=True)
class Ref:
    """What a scored item points at: shown in the drill-down, linked to its ledger page."""

    kind: str  # milestone | investment | matter | report | adjustment
    id: Hashable
    label: str
    url: str = ""

    def as_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "label": self.label, "url": self.url}


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _matter_url(m: Matter) -> str:
    if m.kind == Kind.SUPERVISION_TASK:
        return _url("task_detail", m.pk) or _url("problem_detail", m.pk)
    return _url("problem_detail", m.pk)


# --------------------------------------------------------------------------- projects


def milestone_facts(
    scope: Scope, district: Division, year: int, cutoff: dt.date
) -> list[scoring.MilestoneFact]:
    qs = (
        scope.filter(Milestone.objects.all())
        .filter(
            project__division__path__startswith=district.path,
            planned_date__gte=dt.date(year, 1, 1),
            planned_date__lte=dt.date(year, 12, 31),
        )
        .select_related("project")
        .order_by("planned_date", "id")
    )
    return [
        scoring.MilestoneFact(
            unit_id=m.project.responsible_unit_id,
            leader_id=m.project.liaison_leader_id,
            planned=m.planned_date,
            done_on=m.actual_date,
            ref=Ref(
                "milestone",
                m.pk,
                f"{m.project.name} · {m.name}",
                _url("project_detail", m.project_id),
            ),
        )
        for m in qs
    ]


def investment_facts(
    scope: Scope, district: Division, cutoff: dt.date
) -> list[scoring.InvestmentFact]:
    rows = list(
        scope.filter(ProjectYear.objects.all())
        .filter(year=cutoff.year, project__division__path__startswith=district.path)
        .select_related("project")
        .order_by("project__code")
    )
    ids = [r.project_id for r in rows]
    done = dict(
        MonthlyReport.objects.filter(project_id__in=ids, year=cutoff.year, month__lte=cutoff.month)
        .values("project_id")
        .annotate(s=Sum("amount"))
        .values_list("project_id", "s")
    )
    return [
        scoring.InvestmentFact(
            unit_id=r.project.responsible_unit_id,
            leader_id=r.project.liaison_leader_id,
            annual_plan=r.annual_plan,
            completed=Decimal(done.get(r.project_id) or 0).quantize(CENT),
            as_of=cutoff,
            ref=Ref(
                "investment",
                r.project_id,
                f"{r.project.code} {r.project.name}",
                _url("project_detail", r.project_id),
            ),
        )
        for r in rows
    ]


# --------------------------------------------------------------------------- matters


def scored_matters(scope: Scope, district: Division, cutoff: dt.date) -> list[Matter]:
    """Matters of the district assigned by the cut-off and not finished before its year."""
    year_start = dt.date(cutoff.year, 1, 1)
    return list(
        scope.filter(Matter.objects.all())
        .filter(
            division__path__startswith=district.path,
            lead_unit__isnull=False,
            assigned_on__isnull=False,
            assigned_on__lte=cutoff,
        )
        .filter(Q(finished_on__isnull=True) | Q(finished_on__gte=year_start))
        .select_related(*(["task"] if tasks_installed() else []))  # Matter.number reads it
        .order_by("assigned_on", "id")
    )


def matter_facts(
    scope: Scope, district: Division, since: dt.date, cutoff: dt.date
) -> list[scoring.MatterFact]:
    matters = scored_matters(scope, district, cutoff)
    ids = [m.pk for m in matters]
    # All steps, also later ones: they tell what the matter looked like at the cut-off.
    steps: dict[int, list[MatterStep]] = {}
    for s in MatterStep.objects.filter(matter_id__in=ids).order_by("date", "at", "id"):
        steps.setdefault(s.matter_id, []).append(s)
    co: dict[int, list[int]] = {}
    for mid, uid in Matter.co_units.through.objects.filter(matter_id__in=ids).values_list(
        "matter_id", "unit_id"
    ):
        co.setdefault(mid, []).append(uid)
    reminders = Counter(
        Reminder.objects.filter(
            matter_id__in=ids, kind__in=REMINDER_KINDS, sent_on__gte=since, sent_on__lte=cutoff
        ).values_list("matter_id", flat=True)
    )
    out: list[scoring.MatterFact] = []
    for m in matters:
        st = state_as_of(m, steps.get(m.pk, []), cutoff)
        if st.deadline is None:
            continue
        ref = Ref("matter", m.pk, f"{m.number} {m.title}", _matter_url(m))
        rating = RATING_CN.get(st.rating) if st.rating else None
        for unit_id, role in [(m.lead_unit_id, "lead"), *((u, "co") for u in co.get(m.pk, []))]:
            out.append(
                scoring.MatterFact(
                    unit_id=unit_id,
                    role=role,
                    leader_id=m.leader_id,
                    deadline=st.deadline,
                    closed_on=st.finished_on,
                    resolved=st.resolved,
                    rating=rating,  # type: ignore[arg-type]
                    reminders=reminders.get(m.pk, 0),
                    assigned_on=st.assigned_on,
                    ref=ref,
                )
            )
    return out


# --------------------------------------------------------------------------- tasks


def tasks_installed() -> bool:
    return apps.is_installed("taizhang.tasks")


def report_facts(
    scope: Scope, district: Division, since: dt.date, cutoff: dt.date
) -> list[scoring.ReportFact]:
    """进度报送 facts: every report a supervision task's schedule made due, with the date it came in.

    Returns [] when the tasks app (taizhang.tasks) is not installed. The unit is the
    task's lead unit, the person its responsible leader.
    """
    if not tasks_installed():
        return []
    try:
        from taizhang.tasks.models import TaskReport
        from taizhang.tasks.rules import TASK_KINDS
        from taizhang.tasks.status import schedule_of
    except ImportError:  # pragma: no cover - a tasks app without the expected modules
        return []
    matters = list(
        scope.filter(Matter.objects.filter(kind__in=TASK_KINDS))
        .filter(
            division__path__startswith=district.path,
            lead_unit__isnull=False,
            task__isnull=False,
        )
        .select_related("task")
        .order_by("id")
    )
    submitted: dict[tuple[int, str], dt.date] = {
        (mid, period): on
        for mid, period, on in TaskReport.objects.filter(
            matter_id__in=[m.pk for m in matters]
        ).values_list("matter_id", "period", "submitted_on")
    }
    out = []
    for m in matters:
        url = _matter_url(m)
        for due in schedule_of(m, m.task):
            if due.due > cutoff:
                continue
            out.append(
                scoring.ReportFact(
                    unit_id=m.lead_unit_id,
                    due=due.due,
                    submitted_on=submitted.get((m.pk, due.label)),
                    leader_id=m.leader_id,
                    ref=Ref(
                        "report", f"{m.pk}-{due.label}", f"{m.number} {m.title}（{due.label}）", url
                    ),
                )
            )
    return out


# --------------------------------------------------------------------------- adjustments


def adjustment_facts(
    scope: Scope, district: Division, year: int, cutoff: dt.date
) -> list[scoring.Adjustment]:
    from taizhang.assessment.models import Adjustment

    qs = scope.filter(Adjustment.objects.all()).filter(
        division=district, on__gte=dt.date(year, 1, 1), on__lte=cutoff
    )
    out = []
    for a in qs.order_by("on", "id"):
        kind, tid = ("unit", a.unit_id) if a.unit_id else ("person", a.person_id)
        out.append(
            scoring.Adjustment(
                kind, tid, a.points, a.reason, a.on, ref=Ref("adjustment", a.pk, a.reason)
            )
        )
    return out


# --------------------------------------------------------------------------- all together


def gather(
    scope: Scope, district: Division, since: dt.date, cutoff: dt.date
) -> tuple[Facts, list[Target]]:
    """The facts of a district for a period, and the targets that have something to score."""
    year = cutoff.year
    facts = Facts(
        milestones=milestone_facts(scope, district, year, cutoff),
        investments=investment_facts(scope, district, cutoff),
        matters=matter_facts(scope, district, since, cutoff),
        reports=report_facts(scope, district, since, cutoff),
        adjustments=adjustment_facts(scope, district, year, cutoff),
    )
    return facts, targets_for(scope, district, facts)


def targets_for(scope: Scope, district: Division, facts: Facts) -> list[Target]:
    unit_ids: set = set()
    person_ids: set = set()
    for f in (*facts.milestones, *facts.investments, *facts.matters, *facts.reports):
        unit_ids.add(f.unit_id)
        if f.leader_id is not None:
            person_ids.add(f.leader_id)
    for a in facts.adjustments:
        (unit_ids if a.target_kind == "unit" else person_ids).add(a.target_id)
    if not scope.reads_division:
        # Units and cadres score only themselves: their own unit or person.
        unit_ids &= {scope.unit.pk} if scope.unit is not None and scope.role == "unit" else set()
        person_ids &= (
            {scope.person.pk} if scope.person is not None and scope.role == "cadre" else set()
        )
    targets: list[Target] = []
    units = scope.filter(Unit.objects.all()).filter(
        pk__in=unit_ids, division__path__startswith=district.path
    )
    for u in units.order_by("name"):
        targets.append(Target("unit", u.pk, u.name, UNIT_GROUPS.get(u.kind, "其他单位")))
    people = scope.filter(Person.objects.all()).filter(
        pk__in=person_ids, division__path__startswith=district.path
    )
    for p in people.order_by("name"):
        targets.append(Target("person", p.pk, p.name, LEADER_GROUP if p.is_leader else CADRE_GROUP))
    return targets
