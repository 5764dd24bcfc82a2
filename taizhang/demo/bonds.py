"""Demo 专项债 ledger and 三个一批 events, from seed 001 and the demo's own projects.

* 城乡一体化示范区 (410471) 2022: "共谋划包装入库智慧科技产业园、新能源智能矿山装备制造产业园、
  智能装备制造产业园、数字经济产业园、创业孵化中心、新能源装备制造产业园6个专项债项目，
  总投资26.3亿元，拟申请专项债15.5亿元". The seed gives only the totals; the split between
  the six is invented (and says so in each project's description). The dashboard's
  6 / 263000 / 155000 are summed by bond_figures from these rows.
* 三个一批: one event per kind for 山城区 2022, naming the projects whose stage history
  reached 签约 / 开工 / 投产 that year, dated on the latest of those days.

Only do_* functions write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Max

from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.projects import bond_services
from taizhang.projects import services as project_services
from taizhang.projects.bonds import BatchKind, BondField, BondStatus
from taizhang.projects.models import Project, Stage, StageChange

SFQ = "410471"
# (name, field, total investment 万元, applying 万元): totals 263000 and 155000 as in seed 001.
BOND_PROJECTS = [
    ("智慧科技产业园", BondField.MUNICIPAL, "62000", "36000"),
    ("新能源智能矿山装备制造产业园", BondField.MUNICIPAL, "55000", "32000"),
    ("智能装备制造产业园", BondField.MUNICIPAL, "48000", "28000"),
    ("数字经济产业园", BondField.NEW_INFRA, "42000", "25000"),
    ("创业孵化中心", BondField.SOCIAL, "18000", "10000"),
    ("新能源装备制造产业园", BondField.MUNICIPAL, "38000", "24000"),
]
PLANNED_ON = dt.date(2022, 2, 15)
PACKAGED_ON = dt.date(2022, 4, 20)
POOLED_ON = dt.date(2022, 6, 30)


def load_bonds(scope: Scope, org: Org) -> None:
    division = org.divisions[SFQ]
    unit = org.units[(SFQ, "发展和改革委员会")]
    for i, (name, field, total, applied) in enumerate(BOND_PROJECTS, start=1):
        project = project_services.do_create_project(
            scope,
            {
                "division": division,
                "code": f"ZXZ-2022-{i:02d}",
                "name": f"{name}项目",
                "responsible_unit": unit,
                "liaison_leader": org.leaders[SFQ][i % len(org.leaders[SFQ])],
                "location": "平新先进制造业开发区",
                "total_investment": Decimal(total),
                "start_year": 2023,
                "description": "专项债项目（种子材料只给出六个项目的合计，单个项目的金额为演示分配）",
            },
            stage=Stage.PLANNED,
            stage_date=PLANNED_ON,
        )
        bond = bond_services.do_create_bond(
            scope,
            project,
            year=2022,
            field=field,
            status=BondStatus.PLANNING,
            date=PLANNED_ON,
            amounts={"applied": Decimal(applied)},
        )
        bond_services.do_change_bond_status(scope, bond, BondStatus.PACKAGING, date=PACKAGED_ON)
        bond_services.do_change_bond_status(scope, bond, BondStatus.POOLED, date=POOLED_ON)


def load_batch_events(scope: Scope, org: Org) -> None:
    district = org.divisions["410603"]
    for stage, kind, title in (
        (Stage.SIGNED, BatchKind.SIGN, "2022年第二季度重点项目集中签约"),
        (Stage.STARTED, BatchKind.START, "2022年重点项目集中开工"),
        (Stage.PRODUCING, BatchKind.PRODUCE, "2022年重点项目集中投产"),
    ):
        changes = StageChange.objects.filter(
            to_stage=stage,
            date__year=2022,
            project__division__path__startswith=district.path,
        )
        ids = sorted(set(changes.values_list("project_id", flat=True)))[:8]
        if len(ids) < 2:
            continue
        day = changes.filter(project_id__in=ids).aggregate(d=Max("date"))["d"]
        bond_services.do_create_batch_event(
            scope,
            {
                "division": district,
                "kind": kind,
                "date": day,
                "title": title,
                "place": "山城区人民政府",
                "projects": list(Project.objects.filter(pk__in=ids)),
            },
        )


def load(scope: Scope, org: Org) -> None:
    load_bonds(scope, org)
    load_batch_events(scope, org)
