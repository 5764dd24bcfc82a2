"""Demo enterprise-service ledger whose figures reproduce what the seed documents printed.

* 山城区 (000, 2022): 265 enterprises under liaison, 403 service officers, 走访企业1100余次,
  207 problems resolved, 满意率100%.
* 湛河区 (004, 2021): 区级问题61条，已解决61条（解决率100%）, 企业座谈会32次, 走访企业180余次,
  82 首席服务官.

Enterprises named in the seeds are real names; the rest are synthetic ("（合成）" in the name,
is_synthetic=True). Historical rows (visits, closed problems) are bulk-inserted; the
dashboard figures come from the system's own computations over them. A handful of
live problems in every state are written through the do_* functions, dated so that
some are yellow or red today.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from taizhang.core.calendar import get_calendar
from taizhang.core.models import Person, Profile, Role, Unit, UnitKind
from taizhang.core.scope import Scope
from taizhang.demo.org import DEMO_PASSWORD, Org
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Enterprise, Liaison, Visit, VisitKind
from taizhang.lib.credit_code import make
from taizhang.lib.pinyin import search_key
from taizhang.matters import rollup, services
from taizhang.matters.models import (
    Matter,
    MatterStep,
    ProblemCategory,
    Rating,
    Source,
    Status,
    ensure_default_categories,
)
from taizhang.matters.problems import clean_problem, insert_problems
from taizhang.projects.models import IndustryChain

ENTERPRISE_ACCOUNT = "qy_xintuoyang"

NAMED = {
    # district code: [(name, park or None, chain, 四上 category)]
    "410603": [
        ("新拓洋生物工程有限公司", "牟山园区管委会", "生物医药", "industry"),
        ("宝发能源科技有限公司", "石林园区管委会", "化工新材料", "industry"),
        ("三贤电子有限公司", "牟山园区管委会", "汽车零部件", "industry"),
        ("纳新稀有气体有限公司", "循环经济园区管委会", "功能性新材料", "industry"),
        ("德瑞电子化学品有限公司", "循环经济园区管委会", "功能性新材料", "industry"),
        ("金硕纤维素醚有限公司", "石林园区管委会", "化工新材料", "industry"),
        ("华石能源有限公司", "石林园区管委会", "新能源", "industry"),
        ("汇恩科技有限公司", None, "数字经济", "service"),
        ("天瑞石油设备有限公司", None, "高端装备制造", "industry"),
        ("博龙科技有限公司", None, "汽车零部件", "industry"),
    ],
    "410411": [
        ("耀中纸业有限公司", "湛河区工业园区管委会", None, "industry"),
        ("神马博列气囊有限公司", "湛河区工业园区管委会", "汽车零部件", "industry"),
        ("双鹤华利药业有限公司", None, "生物医药", "industry"),
        ("海王生物医药有限公司", "湛河新区管委会", "生物医药", "trade"),
        ("冠宏矿山机械有限公司", "湛河区工业园区管委会", "高端装备制造", "industry"),
    ],
    "410471": [
        ("平高集团通用电气有限公司", "平新先进制造业开发区管委会", "高端装备制造", "industry"),
        ("首期电子科技有限公司", "平新先进制造业开发区管委会", "数字经济", "industry"),
        ("跃新装备制造有限公司", "平新先进制造业开发区管委会", "高端装备制造", "industry"),
        ("真实药业有限公司", "平新先进制造业开发区管委会", "生物医药", "industry"),
        ("九州通医药有限公司", "平新先进制造业开发区管委会", "生物医药", "trade"),
    ],
}
CATEGORY_MIX = ["industry"] * 6 + ["construction", "trade", "trade", "service"]
PROBLEM_TOPICS = {
    "融资": ["流动资金贷款续贷", "技改项目融资", "银行授信额度不足", "留抵退税办理"],
    "用地": ["项目用地指标", "厂区扩建用地手续", "土地证办理"],
    "用工": ["一线普工招聘", "技术工人短缺", "员工返岗"],
    "审批手续": ["环评批复", "施工许可办理", "消防验收"],
    "政策兑现": ["高质量发展奖补资金", "稳岗补贴兑现"],
    "水电气暖": ["电力增容", "天然气管网接入", "供水管网改造"],
    "基础设施": ["厂区道路修缮", "园区污水管网"],
    "市场开拓": ["产品进入政府采购目录", "参加产销对接会"],
    "其他": ["疫情期间物流通行", "防疫物资保障"],
}


# What a historical problem's later steps set on it.
HISTORY_FIELDS = [
    "lead_unit",
    "leader",
    "status",
    "accepted_on",
    "assigned_on",
    "deadline",
    "original_deadline",
    "finished_on",
    "rated_on",
    "rating",
    "closed_on",
]


class Loader:
    def __init__(self, scope: Scope, org: Org) -> None:
        self.scope = scope
        self.org = org
        self.rng = random.Random(20221118)
        self.seq = 0
        self.cal = get_calendar()
        self.chains = {c.name: c for c in IndustryChain.objects.all()}
        self.categories = {c.name: c for c in ProblemCategory.objects.all()}
        self._seen: dict[int, bool] = {}

    def in_scope(self, e: Enterprise) -> bool:
        """scope.contains, asked once per enterprise: the history names each one many times."""
        if e.pk not in self._seen:
            self._seen[e.pk] = self.scope.contains(e)
        return self._seen[e.pk]

    def credit_code(self, dcode: str) -> str:
        self.seq += 1
        return make(f"91{dcode}MA{self.seq:07d}")

    def named(self, dcode: str) -> list[Enterprise]:
        out = []
        for name, park, chain, cat in NAMED[dcode]:
            out.append(
                ent_services.do_create_enterprise(
                    self.scope,
                    {
                        "name": name,
                        "credit_code": self.credit_code(dcode),
                        "division": self.org.divisions[dcode],
                        "park": self.org.units[(dcode, park)] if park else None,
                        "industry_chain": self.chains.get(chain) if chain else None,
                        "category": cat,
                        "legal_rep": "（演示）",
                        "contact": "办公室",
                    },
                )
            )
        return out

    def synthetic(self, dcode: str, prefix: str, count: int) -> list[Enterprise]:
        district = self.org.divisions[dcode]
        towns = list(district.children.filter(level="town"))
        parks = [
            u for (d, _), u in self.org.units.items() if d == dcode and u.kind == UnitKind.PARK
        ]
        chains = list(self.chains.values())
        return [
            ent_services.do_create_enterprise(
                self.scope,
                {
                    "name": f"{prefix}合成企业{i:03d}（合成）",
                    "credit_code": self.credit_code(dcode),
                    "division": self.rng.choice(towns) if towns and i % 3 == 0 else district,
                    "park": self.rng.choice(parks) if parks and i % 2 else None,
                    "industry_chain": self.rng.choice(chains) if chains else None,
                    "category": self.rng.choice(CATEGORY_MIX),
                    "contact": "（合成）",
                },
                is_synthetic=True,
            )
            for i in range(1, count + 1)
        ]

    def officers(self, dcode: str, count: int, title: str) -> list[Person]:
        district = self.org.divisions[dcode]
        towns = [
            u for (d, _), u in self.org.units.items() if d == dcode and u.kind == UnitKind.TOWN
        ]
        return Person.objects.bulk_create(
            [
                Person(
                    name=f"{title}{i:03d}（合成）",
                    search_key=search_key(f"{title}{i:03d}（合成）"),
                    division=district,
                    unit=towns[i % len(towns)] if towns else None,
                    position=title,
                )
                for i in range(1, count + 1)
            ]
        )

    def liaisons(
        self,
        dcode: str,
        enterprises: list[Enterprise],
        officers: list[Person],
        role: str,
        start: dt.date,
    ) -> None:
        """Every enterprise gets one officer; the remaining officers go to the larger ones.

        Each row passes new_liaison's rules (the ones do_add_liaison applies), then all
        are written in bulk.
        """
        pairs = []
        for i, person in enumerate(officers):
            e = enterprises[i] if i < len(enterprises) else self.rng.choice(enterprises[:80])
            pairs.append((person, role, e))
        leaders = self.org.leaders[dcode]
        for i, e in enumerate(enterprises):
            if i < 40 or i % 5 == 0:
                pairs.append((leaders[i % len(leaders)], Liaison.Role.LEADER, e))
        rows = [
            ent_services.new_liaison(
                self.scope, person=p, role=r, enterprise=e, start=start, in_scope=self.in_scope
            )
            for p, r, e in pairs
        ]
        Liaison.objects.bulk_create(rows)

    def visits(
        self,
        dcode: str,
        enterprises: list[Enterprise],
        people: list[Person],
        *,
        kind: str,
        count: int,
        start: dt.date,
        end: dt.date,
        per: int = 1,
        title: str = "",
    ) -> list[Visit]:
        """Historical visits: each passes clean_visit, then all are written in bulk."""
        district = self.org.divisions[dcode]
        span = (end - start).days
        days = [start + dt.timedelta(days=self.rng.randint(0, span)) for _ in range(count)]
        cleaned = []
        for day in days:
            met = self.rng.sample(enterprises, min(per, len(enterprises)))
            cleaned.append(
                ent_services.clean_visit(
                    self.scope,
                    {
                        "kind": kind,
                        "division": district,
                        "title": title,
                        "date": day,
                        "notes": "了解生产经营情况，宣传惠企政策，收集问题诉求",
                        "enterprises": met,
                        "persons": [self.rng.choice(people)],
                    },
                    in_scope=self.in_scope,
                )
            )
        rows = Visit.objects.bulk_create(
            [ent_services.new_visit(self.scope, c, is_synthetic=True) for c in cleaned]
        )
        ent_through, per_through = Visit.enterprises.through, Visit.persons.through
        ent_through.objects.bulk_create(
            [
                ent_through(visit_id=v.pk, enterprise_id=e.pk)
                for v, c in zip(rows, cleaned, strict=True)
                for e in c["enterprises"]
            ]
        )
        per_through.objects.bulk_create(
            [
                per_through(visit_id=v.pk, person_id=p.pk)
                for v, c in zip(rows, cleaned, strict=True)
                for p in c["persons"]
            ]
        )
        return rows

    def closed_problems(
        self,
        dcode: str,
        enterprises: list[Enterprise],
        units: list[str],
        count: int,
        start: dt.date,
        end: dt.date,
        *,
        weights: dict[str, int],
        late_every: int = 0,
    ) -> None:
        """Historical problems, all resolved (销号) and rated 满意/基本满意.

        Each enters the ledger through the same rules and rows as an imported problem
        (clean_problem, insert_problems); its later steps are history written in bulk.
        """
        leaders = self.org.leaders[dcode]
        names = [n for n, w in weights.items() for _ in range(w)]
        span = (end - start).days - 45
        new, plan = [], []
        for i in range(count):
            cat = self.categories[self.rng.choice(names)]
            e = self.rng.choice(enterprises)
            raised = start + dt.timedelta(days=self.rng.randint(0, span))
            to_assign = self.rng.randint(1, 2)
            took = self.rng.randint(2, cat.default_workdays)
            if late_every and i % late_every == late_every - 1:
                took = cat.default_workdays + self.rng.randint(1, 4)
            to_rate, to_close = self.rng.randint(1, 3), self.rng.randint(0, 2)
            # Every problem counted as resolved in the quoted period was closed (销号) by
            # its last day: the figures are as of that day. A problem whose history would
            # run past it is raised earlier instead, keeping its working-day spans (and so
            # its lateness and its time to finish).
            while True:
                assigned = self.cal.add_workdays(raised, to_assign).date
                deadline = self.cal.add_workdays(assigned, cat.default_workdays).date
                finished = self.cal.add_workdays(assigned, took).date
                rated = self.cal.add_workdays(finished, to_rate).date
                closed = self.cal.add_workdays(rated, to_close).date
                if closed <= end or raised <= start:
                    break
                raised = max(start, raised - (closed - end))
            rating = Rating.SATISFIED if self.rng.random() < 0.85 else Rating.BASIC
            unit = self.org.units[(dcode, self.rng.choice(units))]
            title = f"{self.rng.choice(PROBLEM_TOPICS[cat.name])}（合成）"
            source = self.rng.choice(
                [
                    Source.VISIT,
                    Source.VISIT,
                    Source.FORUM,
                    Source.SERVICE_DAY,
                    Source.SELF,
                    Source.HOTLINE,
                ]
            )
            new.append(
                clean_problem(
                    self.scope,
                    {
                        "enterprise": e,
                        "category": cat,
                        "title": title,
                        "description": "走访中企业反映，已建立问题台账",
                        "source": source,
                        "raised_on": raised,
                        "raised_by_name": "包联干部",
                    },
                    in_scope=self.in_scope,
                )
            )
            plan.append((raised, assigned, deadline, finished, rated, closed, rating, unit))
        matters = [
            m
            for chunk in insert_problems(self.scope, new, is_synthetic=True, backdate=True)
            for m in chunk
        ]
        for i, (
            m,
            (raised, assigned, deadline, finished, rated, closed, rating, unit),
        ) in enumerate(zip(matters, plan, strict=True)):
            m.lead_unit, m.leader = unit, leaders[i % len(leaders)]
            m.status = Status.CLOSED
            m.accepted_on, m.assigned_on, m.finished_on = raised, assigned, finished
            m.deadline = m.original_deadline = deadline
            m.rating, m.rated_on, m.closed_on = rating, rated, closed
        Matter.objects.bulk_update(matters, HISTORY_FIELDS, batch_size=500)
        rollup.refresh_matters(matters)  # the history written above moves the dashboard's counts
        steps = []
        for m, (raised, assigned, deadline, finished, rated, closed, rating, unit) in zip(
            matters, plan, strict=True
        ):
            label = str(Rating(rating).label)
            for action, lab, frm, to, day, extra in [
                ("accept", "受理", Status.SUBMITTED, Status.ACCEPTED, raised, {}),
                (
                    "assign",
                    "交办",
                    Status.ACCEPTED,
                    Status.ASSIGNED,
                    assigned,
                    {"deadline_after": deadline},
                ),
                (
                    "report",
                    "办结",
                    Status.ASSIGNED,
                    Status.REPORTED,
                    finished,
                    {"note": "问题已协调解决", "by_unit": unit},
                ),
                (
                    "rate",
                    f"企业评价：{label}",
                    Status.REPORTED,
                    Status.RATED,
                    rated,
                    {"rating": rating},
                ),
                ("close", "销号", Status.RATED, Status.CLOSED, closed, {}),
            ]:
                steps.append(
                    MatterStep(
                        matter=m,
                        action=action,
                        label=lab,
                        from_status=frm,
                        to_status=to,
                        date=day,
                        at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
                        by_name="督查室" if action in {"accept", "assign", "close"} else "（合成）",
                        **extra,
                    )
                )
        MatterStep.objects.bulk_create(steps)


def load(scope: Scope, org: Org) -> None:
    ensure_default_categories()
    ld = Loader(scope, org)
    sc = load_shancheng(ld)
    load_zhanhe(ld)
    load_shifanqu(ld)
    live_problems(ld, sc)
    current_year(ld)


def current_year(ld: Loader) -> None:
    """This year's 山城区 visits, forums and resolved problems, so the figures page opens on
    something. Its own generator leaves every draw of the seeds' years unchanged."""
    today = timezone.localdate()
    jan, end = dt.date(today.year, 1, 1), today - dt.timedelta(days=1)
    if (end - jan).days < 60:
        return  # early in the year the live problems above are this year's story
    ld.rng = random.Random(today.year)
    d = "410603"
    enterprises = list(Enterprise.objects.filter(division__code=d).order_by("pk"))
    officers = list(Person.objects.filter(division__code=d, position="服务专员").order_by("pk"))
    ld.visits(d, enterprises, officers, kind=VisitKind.VISIT, count=140, start=jan, end=end)
    ld.visits(
        d,
        enterprises,
        list(ld.org.leaders[d]),
        kind=VisitKind.FORUM,
        count=4,
        start=jan,
        end=end,
        per=6,
        title="政企座谈会",
    )
    # Resolved this year through the workflow itself (提出 → 受理 → 交办 → 办结 → 评价 → 销号).
    units = [ld.org.units[(d, u)] for u in ("工业和信息化局", "人力资源和社会保障局", "财政局")]
    # Twelve distinct titles: a title names one problem in the enterprise's portal.
    titles = [
        ("新厂房不动产权证办理", "审批手续"),
        ("技改项目贷款贴息兑现", "融资"),
        ("春节后季节性用工缺口", "用工"),
        ("厂区周边道路照明", "基础设施"),
        ("研发费用加计扣除政策咨询", "政策兑现"),
        ("污水处理站排污许可延续", "审批手续"),
        ("流动资金贷款续贷", "融资"),
        ("化验员岗位技能培训", "用工"),
        ("厂区雨水管网堵塞", "基础设施"),
        ("高新技术企业认定奖补兑现", "政策兑现"),
        ("二期用地规划条件变更", "用地"),
        ("夏季用电高峰有序用电安排", "水电气暖"),
    ]
    cal = ld.cal
    # Only the enterprise that raised a problem may rate it: the demo's enterprise account
    # (新拓洋) rates its own, so these are all its problems and its portal shows the history.
    ent = Scope(get_user_model().objects.get(username=ENTERPRISE_ACCOUNT))
    xty = Profile.objects.get(user__username=ENTERPRISE_ACCOUNT).enterprise
    for n in range(12):
        title, category = titles[n % len(titles)]
        raised = jan + dt.timedelta(days=10 + n * ((end - jan).days - 40) // 12)
        m = services.do_create_problem(
            ld.scope,
            {
                "enterprise": xty,
                "category": ld.categories[category],
                "title": title,
                "raised_on": raised,
                "description": f"{title}，请协调解决。",
                "source": Source.SERVICE_DAY,
            },
        )
        m = services.do_accept(ld.scope, m, expected_version=m.version, date=raised).matter
        m = services.do_assign(
            ld.scope, m, lead_unit=units[n % 3], expected_version=m.version, date=raised
        ).matter
        done = cal.add_workdays(raised, 3 + n % 4).date
        m = services.do_finish(
            ld.scope, m, note="已协调办结", expected_version=m.version, date=done
        ).matter
        m = services.do_rate(
            ent,
            m,
            rating=Rating.SATISFIED,
            expected_version=m.version,
            date=done + dt.timedelta(days=2),
        ).matter
        services.do_close(ld.scope, m, expected_version=m.version, date=done + dt.timedelta(days=4))


def load_shancheng(ld: Loader) -> list[Enterprise]:
    d = "410603"
    named = ld.named(d)
    enterprises = named + ld.synthetic(d, "山城区", 265 - len(named))
    start = dt.date(2021, 6, 1)
    officers = ld.officers(d, 403, "服务专员")
    # The ten named enterprises each have a 首席服务官; the rest are 服务专员.
    ld.liaisons(d, enterprises, officers[:10], Liaison.Role.CHIEF, start)
    ld.liaisons(d, enterprises[10:], officers[10:], Liaison.Role.OFFICER, start)
    # The demo cadre account (包联领导张卫东) answers for the named enterprises.
    cadre = ld.org.leaders[d][2]
    for e in named[:5]:
        ent_services.do_add_liaison(
            ld.scope, person=cadre, role=Liaison.Role.LEADER, start=start, enterprise=e
        )
    # 2022 through August (the bulletin of September 2022): 走访企业1100余次, 207 problems solved.
    jan, aug = dt.date(2022, 1, 1), dt.date(2022, 8, 31)
    ld.visits(d, enterprises, officers, kind=VisitKind.VISIT, count=1126, start=jan, end=aug)
    ld.visits(
        d,
        enterprises,
        list(ld.org.leaders[d]),
        kind=VisitKind.FORUM,
        count=16,
        start=jan,
        end=aug,
        per=8,
        title="政企座谈会",
    )
    ld.closed_problems(
        d,
        enterprises,
        [
            "工业和信息化局",
            "人力资源和社会保障局",
            "自然资源局",
            "财政局",
            "营商环境服务中心",
            "牟山园区管委会",
            "石林园区管委会",
        ],
        207,
        jan,
        aug,
        weights={
            "融资": 6,
            "用地": 4,
            "用工": 5,
            "其他": 3,
            "审批手续": 2,
            "政策兑现": 2,
            "水电气暖": 1,
        },
        late_every=23,
    )
    return named


def load_zhanhe(ld: Loader) -> None:
    d = "410411"
    named = ld.named(d)
    enterprises = named + ld.synthetic(d, "湛河区", 60 - len(named))
    officers = ld.officers(d, 82, "首席服务官")  # 82名乡(街道)干部下沉重点项目和企业
    ld.liaisons(d, enterprises, officers, Liaison.Role.CHIEF, dt.date(2021, 4, 1))
    y0, y1 = dt.date(2021, 3, 1), dt.date(2021, 12, 31)
    ld.visits(d, enterprises, officers, kind=VisitKind.VISIT, count=186, start=y0, end=y1)
    ld.visits(
        d,
        enterprises,
        list(ld.org.leaders[d]),
        kind=VisitKind.FORUM,
        count=32,
        start=y0,
        end=y1,
        per=6,
        title="企业座谈会",
    )
    # The 18th of every month is 企业服务日.
    for month in range(3, 13):
        day = dt.date(2021, month, 18)
        ld.visits(
            d,
            enterprises,
            officers,
            kind=VisitKind.SERVICE_DAY,
            count=1,
            start=day,
            end=day,
            per=5,
            title="企业服务日",
        )
    ld.closed_problems(
        d,
        enterprises,
        [
            "工业和信息化局",
            "发展和改革委员会",
            "自然资源局",
            "财政局",
            "湛河区工业园区管委会",
            "湛河新区管委会",
            "马庄街道",
        ],
        61,
        y0,
        y1,
        weights={"融资": 5, "用地": 3, "用工": 2, "政策兑现": 3, "审批手续": 2, "基础设施": 1},
    )


def load_shifanqu(ld: Loader) -> None:
    d = "410471"
    named = ld.named(d)
    officers = ld.officers(d, len(named), "驻厂专员")
    ld.liaisons(d, named, officers, Liaison.Role.STATIONED, dt.date(2022, 3, 1))


def live_problems(ld: Loader, named: list[Enterprise]) -> None:
    """A few current problems in every state, written through the workflow functions."""
    s = ld.scope
    user = get_user_model().objects.create_user(
        ENTERPRISE_ACCOUNT, password=DEMO_PASSWORD, first_name="新拓洋生物工程有限公司"
    )
    xty = named[0]
    Profile.objects.create(user=user, role=Role.ENTERPRISE, enterprise=xty)
    ent = Scope(user)
    today = timezone.localdate()
    cal = ld.cal
    cat = ld.categories
    units = ld.org.units
    moushan, gxj = units[("410603", "牟山园区管委会")], units[("410603", "工业和信息化局")]
    rsj = units[("410603", "人力资源和社会保障局")]

    def back(n: int) -> dt.date:
        return cal.add_workdays(today, -n).date if n else today

    def problem(who: Scope, e: Enterprise, title: str, category: str, raised: dt.date) -> Matter:
        return services.do_create_problem(
            who,
            {
                "enterprise": e,
                "category": cat[category],
                "title": title,
                "raised_on": raised,
                "description": f"{title}，请协调解决。",
                "source": Source.SERVICE_DAY,
            },
        )

    def assigned(
        e: Enterprise, title: str, category: str, days_ago: int, unit: Unit, who: Scope = s, co=()
    ) -> Matter:
        day = back(days_ago)
        m = problem(who, e, title, category, day)
        m = services.do_accept(s, m, expected_version=m.version, date=day).matter
        return services.do_assign(
            s, m, lead_unit=unit, co_units=co, expected_version=m.version, date=day
        ).matter

    # 待受理: the enterprise itself just submitted it.
    problem(ent, xty, "扩建车间施工临时用电增容", "水电气暖", today)
    # 已受理, waiting to be assigned.
    m = problem(s, named[1], "气化装置技改项目环评批复", "审批手续", back(1))
    services.do_accept(s, m, expected_version=m.version, date=back(1))
    # Yellow: 7 working days from 4 working days ago leaves 3.
    assigned(named[2], "二期项目一线普工招聘缺口120人", "用工", 4, rsj, co=[moushan])
    # Red: overdue by 5 working days, progress recorded.
    m = assigned(named[3], "稀有气体充装站天然气管网接入", "水电气暖", 12, gxj)
    services.do_progress(
        s, m, note="已与燃气公司对接，管线设计中", expected_version=m.version, date=back(8)
    )
    # Reported, waiting for the enterprise's rating (log in as qy_xintuoyang).
    m = assigned(xty, "生物工程车间留抵退税办理", "融资", 6, units[("410603", "财政局")], who=ent)
    services.do_finish(
        s,
        m,
        note="已会同税务部门完成留抵退税审核，退税款已到账",
        expected_version=m.version,
        date=back(1),
    )
    # Rated, waiting for close-out.
    m = assigned(xty, "园区道路破损影响货车进出", "基础设施", 10, moushan, who=ent)
    m = services.do_finish(s, m, note="道路已修复", expected_version=m.version, date=back(3)).matter
    services.do_rate(
        ent,
        m,
        rating=Rating.SATISFIED,
        comment="修得及时",
        expected_version=m.version,
        date=back(2),
    )
    # 不满意 → 退回重办 with a new deadline, now in its second round.
    m = assigned(xty, "技术工人招聘渠道", "用工", 9, rsj, who=ent)
    m = services.do_finish(
        s, m, note="已推送招聘信息", expected_version=m.version, date=back(6)
    ).matter
    services.do_rate(
        ent,
        m,
        rating=Rating.UNSATISFIED,
        comment="只发了信息，没有实际招到人",
        expected_version=m.version,
        date=back(5),
    )
    # Extension requested, waiting for the office.
    m = assigned(
        named[4], "电子化学品仓库消防验收", "审批手续", 5, units[("410603", "住房和城乡建设局")]
    )
    services.do_request_extension(
        s,
        m,
        deadline=m.deadline + dt.timedelta(days=14),
        reason="需等待第三方检测报告",
        expected_version=m.version,
        date=back(1),
    )
