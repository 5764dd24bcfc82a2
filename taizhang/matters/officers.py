"""驻厂专员 / 首席服务官 workload: per stationed officer, what they answer for and what they did.

One function behind the roster page, its export and the API. Counted in SQL, one grouped
query per column, whatever the number of officers:

* 派驻企业/项目 = the officer's stationed liaison rows in force at the period's end;
* 走访次数 = visits in the period the officer took part in;
* 问题 = enterprise problems raised in the period by the enterprises the officer is stationed
  at; 已解决 = of those, closed out (销号); 逾期未办结 = open past their deadline at the period's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from taizhang.core.models import Division, Person
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Liaison, Visit, active_on
from taizhang.matters.models import Kind, Matter, Status

OPEN = (Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED)
WORKLOAD_FORMULAS = [
    "派驻企业/项目：期末在岗的驻厂专员、首席服务官包联关系数",
    "走访次数：期内该专员参加的走访、座谈和企业服务日次数",
    "提出问题：期内派驻企业提出的企业问题数；已解决 = 其中已销号；逾期 = 期末未办结且超过时限",
]


@dataclass
class OfficerRow:
    person: Person
    enterprises: int = 0
    projects: int = 0
    visits: int = 0
    raised: int = 0
    resolved: int = 0
    overdue: int = 0


def stationed_liaisons(scope: Scope, division: Division, as_of: dt.date):
    return scope.filter(Liaison.objects.all()).filter(
        active_on(as_of),
        role__in=Liaison.STATIONED_ROLES,
        division__path__startswith=division.path,
    )


def officer_workload(
    scope: Scope, division: Division, start: dt.date, end: dt.date, as_of: dt.date
) -> list[OfficerRow]:
    live = Liaison.objects.filter(pk__in=stationed_liaisons(scope, division, as_of).values("pk"))
    targets = live.values("person_id").annotate(
        e=Count("enterprise", distinct=True), p=Count("project", distinct=True)
    )
    rows: dict[int, OfficerRow] = {}
    targets = list(targets)
    people = Person.objects.select_related("unit").in_bulk([t["person_id"] for t in targets])
    for t in targets:
        rows[t["person_id"]] = OfficerRow(people[t["person_id"]], t["e"], t["p"])
    ids = list(rows)
    visits = (
        Visit.persons.through.objects.filter(
            person_id__in=ids, visit__date__gte=start, visit__date__lte=end
        )
        .values("person_id")
        .annotate(n=Count("visit_id", distinct=True))
        .values_list("person_id", "n")
    )
    for pid, n in visits:
        rows[pid].visits = n
    problems = (
        Matter.objects.filter(
            kind=Kind.ENTERPRISE_PROBLEM,
            raised_on__gte=start,
            raised_on__lte=end,
            enterprise__liaisons__in=live,
        )
        .values("enterprise__liaisons__person_id")
        .annotate(
            raised=Count("pk", distinct=True),
            resolved=Count("pk", distinct=True, filter=Q(status=Status.CLOSED)),
            overdue=Count("pk", distinct=True, filter=Q(status__in=OPEN, deadline__lt=as_of)),
        )
        .values_list("enterprise__liaisons__person_id", "raised", "resolved", "overdue")
    )
    for pid, raised, resolved, overdue in problems:
        if pid in rows:
            rows[pid].raised, rows[pid].resolved, rows[pid].overdue = raised, resolved, overdue
    return sorted(rows.values(), key=lambda r: (-r.raised, -r.visits, r.person.name))
