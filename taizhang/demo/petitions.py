"""Demo petitions (信访) of 示范区纪工委, reproducing seed 001:

"示范区纪工委对全区2022年以来未办结的信访举报问题线索进行全面梳理，共排查出9起疑难信访、
重点访、重复访案件 … 严格落实领导包案制 … 带案下访 … 截至目前，区纪工委受理信访件16次，
接待群众80余人次，化解疑难重点信访12起。… 8月19日，示范区纪工委下沉走访，向信访群众反馈
信访办理结果。"

Everything is written through the petitions do_* functions; the figures (16 accepted, 83
people received, 9 under 领导包案, 12 difficult resolved) are computed by
`petitions.figures.petition_figures`. Petitioners' names, phones and ID numbers are synthetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from taizhang.core.models import Person, Unit, UnitKind
from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.matters import services as msvc
from taizhang.matters.models import Matter
from taizhang.petitions import services as ps

D = dt.date
UNIT_NAME = "示范区纪工委"
# Synthetic leadership of the 纪工委 (the seed names none).
LEADERS = [("郭正清", "纪工委书记"), ("冯爱民", "纪工委副书记")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _id_number(n: int, born: dt.date) -> str:
    """A synthetic ID number with a correct check digit (area 410471, the district's code)."""
    body = f"410471{born:%Y%m%d}{100 + n:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


# title, channel, people, flags (r 重复访, c 集体访, s 越级访, k 疑难/重点), raised, accepted,
# leader (0/1 index into LEADERS, None), replied, rating, resolved (True 化解, False 办结, None open)
BACKLOG = [
    # 2021 cases still open when 2022 began ("2022年以来未办结"), combed out and put under 包案.
    ("反映某村集体土地流转收益分配不公", "visit", 6, "rk", D(2021, 9, 6), D(2021, 9, 10), 0),
    ("反映某社区干部违规办理低保", "letter", 1, "r", D(2021, 10, 12), D(2021, 10, 18), 1),
    ("反映征迁补偿款发放不到位", "visit", 3, "k", D(2021, 11, 3), D(2021, 11, 8), 0),
    ("反映村务公开不及时、账目不清", "online", 1, "rk", D(2021, 12, 1), D(2021, 12, 6), 1),
]
CASES_2022: list[tuple[Any, ...]] = [
    # Five more 疑难/重点/重复访 cases combed out in 2022 and put under 包案 (9 in all).
    ("反映某村修路工程质量问题", "visit", 12, "ck", D(2022, 2, 14), D(2022, 2, 18), 0),
    ("反映某村干部优亲厚友分配救助物资", "visit", 1, "r", D(2022, 3, 2), D(2022, 3, 7), 1),
    ("反映安置房分配程序不规范", "visit", 19, "cks", D(2022, 3, 21), D(2022, 3, 24), 0),
    ("反映某村集体资产出租不公开", "letter", 1, "rk", D(2022, 4, 11), D(2022, 4, 15), 1),
    ("反映农村饮水工程维修款去向", "visit", 28, "ck", D(2022, 5, 9), D(2022, 5, 12), 0),
    # Three 疑难 cases registered later, resolved by the unit without 包案.
    ("反映某街道拆违执法不公", "visit", 4, "k", D(2022, 6, 6), D(2022, 6, 9), None),
    ("反映某社区物业费收支不透明", "hotline", 1, "k", D(2022, 6, 20), D(2022, 6, 22), None),
    ("反映某村宅基地审批拖延", "visit", 5, "k", D(2022, 7, 4), D(2022, 7, 7), None),
    # Ordinary cases.
    ("反映某单位公职人员工作日饮酒", "online", 1, "", D(2022, 1, 17), D(2022, 1, 20), None),
    ("反映某站所办事推诿", "visit", 2, "", D(2022, 2, 21), D(2022, 2, 23), None),
    ("反映村级补贴发放延迟", "mailbox", 1, "", D(2022, 4, 25), D(2022, 4, 27), None),
    ("反映某社区网格员工作作风问题", "visit", 5, "", D(2022, 5, 23), D(2022, 5, 25), None),
    ("反映公益性岗位人员在岗不出力", "hotline", 1, "", D(2022, 7, 18), D(2022, 7, 20), None),
    ("反映某村换届选举拉票问题", "visit", 5, "c", D(2022, 8, 8), D(2022, 8, 10), None),
    ("反映某单位公车私用", "letter", 1, "", D(2022, 9, 13), D(2022, 9, 15), None),
    ("反映某村扶贫项目资金使用问题", "online", 1, "", D(2022, 11, 7), D(2022, 11, 9), None),
]
REJECTED = ("反映邻里宅基地纠纷（属民事纠纷）", "visit", 2, "", D(2022, 4, 6))
VISIT_DAY = D(2022, 8, 19)


def _unit(org: Org) -> Unit:
    district = org.divisions["410471"]
    unit, _ = Unit.objects.get_or_create(
        division=district, name=UNIT_NAME, defaults={"kind": UnitKind.OTHER}
    )
    return unit


def _leaders(org: Org, unit: Unit) -> list[Person]:
    district = org.divisions["410471"]
    return [
        Person.objects.get_or_create(
            name=n, division=district, defaults={"unit": unit, "position": p, "is_leader": True}
        )[0]
        for n, p in LEADERS
    ]


class _Writer:
    def __init__(self, scope: Scope, org: Org) -> None:
        self.scope = scope
        self.division = org.divisions["410471"]
        self.unit = _unit(org)
        self.leaders = _leaders(org, self.unit)
        self.n = 0

    def register(
        self, title: str, channel: str, people: int, flags: str, raised: dt.date
    ) -> Matter:
        self.n += 1
        n = self.n
        return ps.do_register_petition(
            self.scope,
            {
                "division": self.division,
                "title": title,
                "content": f"{title}，请求调查处理。",
                "raised_on": raised,
                "channel": channel,
                "category": "report",
                "people_count": people,
                "is_repeat": "r" in flags,
                "is_collective": "c" in flags,
                "is_skip_level": "s" in flags,
                "is_key": "k" in flags,
                "petitioner_name": SURNAMES[n % len(SURNAMES)] + "某" + "甲乙丙丁"[n % 4],
                "petitioner_phone": f"138{37100000 + n * 7919:08d}",
                "petitioner_id_number": _id_number(n, D(1960 + n % 30, 1 + n % 12, 1 + n % 27)),
            },
        )

    def v(self, m: Matter) -> int:
        m.refresh_from_db()
        return m.version

    def accept_assign(self, m: Matter, accepted: dt.date, leader: int | None) -> None:
        ps.do_accept_petition(self.scope, m, expected_version=self.v(m), date=accepted)
        ps.do_assign_petition(
            self.scope,
            m,
            lead_unit=self.unit,
            leader=self.leaders[leader] if leader is not None and accepted.year == 2022 else None,
            expected_version=self.v(m),
            date=accepted + dt.timedelta(days=1),
            note="请依规依纪调查核实，按期答复",
        )

    def take_charge(self, m: Matter, leader: int, day: dt.date) -> None:
        ps.do_take_charge(
            self.scope,
            m,
            leader=self.leaders[leader],
            expected_version=self.v(m),
            date=day,
            note="领导包案：组建专班，梳理问题清单，带案下访",
        )

    def finish(
        self,
        m: Matter,
        replied: dt.date,
        rated: dt.date,
        rating: str,
        resolved: bool,
        closed: dt.date,
    ) -> None:
        msvc.do_progress(
            self.scope,
            m,
            note="调查核实中",
            expected_version=self.v(m),
            date=replied - dt.timedelta(days=10),
        )
        msvc.do_finish(
            self.scope,
            m,
            note="经调查核实，已依规依纪处理，并向信访人反馈办理结果",
            expected_version=self.v(m),
            date=replied,
        )
        msvc.do_rate(self.scope, m, rating=rating, expected_version=self.v(m), date=rated)
        ps.do_resolve(
            self.scope,
            m,
            resolved=resolved,
            expected_version=self.v(m),
            date=closed,
            note="矛盾纠纷已化解，息诉罢访" if resolved else "已办结",
        )


def load(scope: Scope, org: Org) -> None:
    w = _Writer(scope, org)
    # The 2021 backlog: accepted and assigned in 2021, put under 包案 when combed out in
    # March 2022, visited, replied and resolved in 2022.
    for i, (title, channel, people, flags, raised, accepted, leader) in enumerate(BACKLOG):
        m = w.register(title, channel, people, flags, raised)
        w.accept_assign(m, accepted, leader)
        w.take_charge(m, leader, D(2022, 3, 1))
        ps.do_record_visit(
            scope,
            m,
            date=D(2022, 3, 15 + i),
            place="信访人所在村（社区）",
            met="信访人及村（社区）干部",
            note="带案下访，当面听取诉求，梳理问题清单",
        )
        w.finish(m, D(2022, 5, 10 + i), D(2022, 5, 20 + i), "satisfied", True, D(2022, 5, 25 + i))
    feedback: Matter | None = None
    for k, (title, channel, people, flags, raised, accepted, leader) in enumerate(CASES_2022):
        m = w.register(title, channel, people, flags, raised)
        w.accept_assign(m, accepted, leader)
        flagged = "k" in flags or "r" in flags
        if k == 4:
            # The case reported back on 8月19日 at the petitioner's home (seed 001).
            feedback = m
            continue
        if k == len(CASES_2022) - 1:
            continue  # still being handled at the year's end
        if k == len(CASES_2022) - 2:
            msvc.do_progress(
                scope, m, note="正在调查核实", expected_version=w.v(m), date=D(2022, 10, 20)
            )
            continue
        replied = accepted + dt.timedelta(days=75 if k == 9 else 40)  # one answered late
        rating = "basic" if k in (6, 11) else "satisfied"
        w.finish(
            m,
            replied,
            replied + dt.timedelta(days=5),
            rating,
            flagged,
            replied + dt.timedelta(days=8),
        )
    assert feedback is not None
    msvc.do_progress(
        scope, feedback, note="专班调查核实", expected_version=w.v(feedback), date=D(2022, 7, 1)
    )
    ps.do_record_mediation(
        scope,
        feedback,
        outcome="success",
        agreement="村委会公开维修款收支明细，由镇纪委监督整改；信访人认可处理结果。",
        date=D(2022, 7, 8),
    )
    msvc.do_finish(
        scope,
        feedback,
        note="经区纪工委调查核实，反映问题部分属实，已督促整改并处理相关责任人",
        expected_version=w.v(feedback),
        date=D(2022, 7, 10),
    )
    ps.do_record_visit(
        scope,
        feedback,
        date=VISIT_DAY,
        place="信访人家中",
        met="实名信访人",
        note=(
            "当面反馈办理结果：“您实名反映的问题，经过区纪工委认真调查核实，目前已办结，"
            "今天当面向您反馈办理结果。”信访人表示：“办理结果我很满意！”"
        ),
    )
    msvc.do_rate(
        scope,
        feedback,
        rating="satisfied",
        comment="办理结果我很满意",
        expected_version=w.v(feedback),
        date=VISIT_DAY,
    )
    ps.do_resolve(
        scope,
        feedback,
        resolved=True,
        expected_version=w.v(feedback),
        date=D(2022, 8, 22),
        note="息诉罢访",
    )
    title, channel, people, flags, raised = REJECTED
    m = w.register(title, channel, people, flags, raised)
    ps.do_reject_petition(
        scope,
        m,
        note="属民事纠纷，不属于纪检监察机关受理范围，已告知信访人向人民法院起诉或申请人民调解",
        expected_version=w.v(m),
        date=raised + dt.timedelta(days=3),
    )
