"""Demo key projects whose totals reproduce what the seed documents printed.

Named projects come from the seeds; where the papers give only totals, the
remaining records are synthetic (is_synthetic=True, "合成" in the UI) and their
amounts are split so the system's own sums land exactly on the printed figures.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.projects import services
from taizhang.projects.models import IndustryChain, Project, Stage

CHAINS = [
    "生物医药",
    "高端装备制造",
    "数字经济",
    "化工新材料",
    "汽车零部件",
    "生物化工",
    "功能性新材料",
    "新能源",
    "现代物流",
    "文化旅游",
    "城市建设",
]

CENT = Decimal("0.01")


def split(total: Decimal, weights: list[float]) -> list[Decimal]:
    """Split total into parts proportional to weights, to the cent, summing exactly to total."""
    s = sum(weights)
    parts = [(total * Decimal(str(w / s))).quantize(CENT) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def wan(yi: str) -> Decimal:
    return Decimal(yi) * 10000


class Loader:
    def __init__(self, scope: Scope, org: Org) -> None:
        self.scope = scope
        self.org = org
        self.rng = random.Random(20220901)
        self.chains = {
            n: IndustryChain.objects.get_or_create(name=n, defaults={"order": i})[0]
            for i, n in enumerate(CHAINS)
        }
        self.seq: dict[str, int] = {}

    def code(self, dcode: str, year: int) -> str:
        self.seq[dcode] = self.seq.get(dcode, 0) + 1
        return f"{year}-{self.seq[dcode]:03d}"

    def project(
        self,
        dcode: str,
        name: str,
        unit: str,
        total: Decimal,
        *,
        division: str | None = None,
        chain: str | None = None,
        stage: str = Stage.BUILDING,
        since: dt.date = dt.date(2021, 9, 1),
        synthetic: bool = False,
        leader: int | None = None,
        location: str = "",
        year: int = 2022,
        description: str = "",
    ) -> Project:
        div = self.org.divisions[division or dcode]
        leaders = self.org.leaders[dcode]
        person = leaders[leader if leader is not None else self.rng.randrange(len(leaders))]
        data = {
            "division": div,
            "code": self.code(dcode, year),
            "name": name,
            "industry_chain": self.chains.get(chain) if chain else None,
            "responsible_unit": self.org.units[(dcode, unit)],
            "liaison_leader": person,
            "location": location,
            "total_investment": total,
            "start_year": since.year,
            "end_year": since.year + self.rng.choice([1, 2, 3]),
            "description": description,
        }
        return services.do_create_project(
            self.scope, data, stage=stage, stage_date=since, is_synthetic=synthetic
        )

    def reports(self, project: Project, year: int, months: range, total: Decimal) -> None:
        amounts = split(total, [self.rng.uniform(0.6, 1.4) for _ in months])
        for month, amount in zip(months, amounts, strict=True):
            services.do_submit_monthly_report(
                self.scope,
                project,
                year=year,
                month=month,
                amount=amount,
                note="按计划推进" if amount else "",
            )

    def milestones(self, project: Project, year: int, done_until: dt.date) -> None:
        names = ["完成备案及用地手续", "主体工程开工", "主体结构封顶", "设备安装调试", "竣工投产"]
        count = self.rng.choice([3, 4])
        for i, name in enumerate(names[:count]):
            planned = dt.date(year, 3 + i * 3, 20)
            actual = planned + dt.timedelta(days=self.rng.randint(-10, 12))
            # A few nodes stay unfinished, so the red list shows what a real ledger shows.
            done = actual <= done_until and self.rng.random() > 0.06
            services.do_add_milestone(
                self.scope,
                project,
                {
                    "name": name,
                    "planned_date": planned,
                    "actual_date": actual if done else None,
                    "evidence": "现场照片及验收资料" if done else "",
                },
            )


SHANCHENG_NAMED = [
    # name, unit, total 亿元, chain, location
    ("新拓洋生物科技产业园项目", "牟山园区管委会", "30.0", "生物医药", "牟山园区南部片区"),
    ("宝发能源移动床纯氧连续气化节能优化项目", "工业和信息化局", "6.5", "化工新材料", "石林园区"),
    ("三贤电子二期项目", "牟山园区管委会", "8.0", "汽车零部件", "牟山园区北部片区"),
    ("纳新稀有气体项目", "循环经济园区管委会", "5.2", "功能性新材料", "循环经济园区"),
    ("德瑞电子化学品项目", "循环经济园区管委会", "6.0", "功能性新材料", "循环经济园区"),
    ("金硕纤维素醚项目", "石林园区管委会", "4.5", "化工新材料", "石林园区"),
    ("30万吨乙醇项目", "发展和改革委员会", "25.0", "生物化工", "牟山园区"),
    ("冷链物流集散中心枢纽项目", "商务局", "2.8", "现代物流", "鹿楼乡"),
    ("枫岭体育公园提升项目", "住房和城乡建设局", "3.2", "城市建设", "红旗街道"),
    ("释林古镇文旅综合体项目", "石林镇", "4.0", "文化旅游", "石林镇"),
]


def load_shancheng(ld: Loader) -> None:
    d = "410603"
    # 2022: 35 district key projects, 217.9亿元 total, plan 86.1亿元, Jan–Aug done 123.3亿元.
    n_synth = 35 - len(SHANCHENG_NAMED)
    named_total = sum(wan(t) for _, _, t, _, _ in SHANCHENG_NAMED)
    synth_totals = split(
        wan("217.9") - named_total, [ld.rng.uniform(0.5, 1.5) for _ in range(n_synth)]
    )
    units = [
        "牟山园区管委会",
        "石林园区管委会",
        "循环经济园区管委会",
        "发展和改革委员会",
        "工业和信息化局",
        "住房和城乡建设局",
        "汤河街道",
        "大胡乡",
        "鹿楼乡",
    ]
    projects: list[Project] = []
    for name, unit, total, chain, loc in SHANCHENG_NAMED:
        projects.append(
            ld.project(
                d,
                name,
                unit,
                wan(total),
                chain=chain,
                location=loc,
                since=dt.date(2021, ld.rng.randint(3, 11), 15),
            )
        )
    for i, total in enumerate(synth_totals, 1):
        projects.append(
            ld.project(
                d,
                f"山城区重点项目（合成）{i:02d}号",
                units[i % len(units)],
                total,
                chain=CHAINS[i % len(CHAINS)],
                synthetic=True,
                since=dt.date(2021, ld.rng.randint(1, 12), 10),
                stage=ld.rng.choice(
                    [Stage.STARTED, Stage.BUILDING, Stage.BUILDING, Stage.PRODUCING]
                ),
            )
        )
    weights = [float(p.total_investment) for p in projects]
    plans = split(wan("86.1"), weights)
    done = split(wan("123.3"), [w * ld.rng.uniform(0.8, 1.2) for w in weights])
    for p, plan, amount in zip(projects, plans, done, strict=True):
        services.do_set_project_year(ld.scope, p, year=2022, level="district", annual_plan=plan)
        ld.reports(p, 2022, range(1, 9), amount)
        # September arrives later than the August bulletin: the dashboard must cut at the month.
        services.do_submit_monthly_report(
            ld.scope, p, year=2022, month=9, amount=(amount / 8).quantize(CENT)
        )
        ld.milestones(p, 2022, dt.date(2023, 3, 31))

    # First half of 2022: 11 projects signed (69亿元), 9 landed (59亿元).
    signed = split(wan("69"), [ld.rng.uniform(0.4, 1.6) for _ in range(11)])
    for i, total in enumerate(signed, 1):
        p = ld.project(
            d,
            f"招商签约项目（合成）{i:02d}号",
            "商务局",
            total,
            stage=Stage.RESERVE,
            since=dt.date(2021, 10, 1),
            synthetic=True,
            chain=CHAINS[i % 5],
        )
        services.do_change_stage(ld.scope, p, Stage.SIGNED, date=dt.date(2022, 1 + i % 6, 8 + i))
    landed = split(wan("59"), [ld.rng.uniform(0.4, 1.6) for _ in range(9)])
    for i, total in enumerate(landed, 1):
        p = ld.project(
            d,
            f"落地项目（合成）{i:02d}号",
            "发展和改革委员会",
            total,
            stage=Stage.SIGNED,
            since=dt.date(2021, 8, 1),
            synthetic=True,
            chain=CHAINS[(i + 2) % 5],
        )
        services.do_change_stage(ld.scope, p, Stage.LANDED, date=dt.date(2022, 1 + i % 6, 12 + i))

    # 2023: 15 provincial and city key projects completed 34.7亿元 = 121.3% of plan (28.6亿元).
    spent = {p.pk: sum((r.amount for r in p.reports.all()), Decimal(0)) for p in projects}
    continuing = sorted(projects, key=lambda p: p.total_investment - spent[p.pk], reverse=True)[:9]
    new = [
        ld.project(
            d,
            f"省市重点项目（合成）{i:02d}号",
            "工业和信息化局",
            wan(str(6 + i)),
            synthetic=True,
            since=dt.date(2022, 11, 1),
            year=2023,
            chain=CHAINS[i],
        )
        for i in range(1, 7)
    ]
    listed = continuing + new
    room = [float(p.total_investment - spent.get(p.pk, Decimal(0))) for p in listed]
    plans23 = split(wan("28.6"), [r * ld.rng.uniform(0.8, 1.2) for r in room])
    done23 = [p * Decimal("1.213") for p in plans23]
    done23 = split(wan("34.7"), [float(x) for x in done23])
    for i, (p, plan, amount) in enumerate(zip(listed, plans23, done23, strict=True)):
        level = "province" if i % 4 == 0 else "city"
        services.do_set_project_year(ld.scope, p, year=2023, level=level, annual_plan=plan)
        ld.reports(p, 2023, range(1, 13), amount)
    # A few ongoing projects carry this year's milestones so today's lights mean something.
    today = timezone.localdate()
    for p in listed[:6]:
        services.do_add_milestone(
            ld.scope,
            p,
            {
                "name": "年度设备安装完成",
                "planned_date": today + dt.timedelta(days=ld.rng.choice([-9, 3, 4, 25])),
            },
        )


def load_zhanhe(ld: Loader) -> None:
    d = "410411"
    # 马庄街道, February 2022: 11 provincial and city key projects, 75亿元, plan 20亿元, done 2.2亿元.
    named = [("建昌城市花园项目", "11")]
    totals = [wan(t) for _, t in named] + split(
        wan("64"), [ld.rng.uniform(0.5, 1.5) for _ in range(10)]
    )
    names = [n for n, _ in named] + [f"马庄街道省市重点项目（合成）{i:02d}号" for i in range(1, 11)]
    plans = split(wan("20"), [float(t) for t in totals])
    done = split(wan("2.2"), [float(t) * ld.rng.uniform(0.7, 1.3) for t in totals])
    for i, (name, total, plan, amount) in enumerate(zip(names, totals, plans, done, strict=True)):
        p = ld.project(
            d,
            name,
            "马庄街道",
            total,
            division="410411001",
            synthetic=i > 0,
            chain="城市建设" if i == 0 else CHAINS[i % len(CHAINS)],
            location="黄河路与开源路交叉口" if i == 0 else "马庄街道",
            since=dt.date(2021, 6, 1),
        )
        services.do_set_project_year(
            ld.scope, p, year=2022, level="city" if i % 3 else "province", annual_plan=plan
        )
        ld.reports(p, 2022, range(1, 3), amount)
    # Other 湛河区 projects named in the news of 23 February 2022.
    others = [
        ("耀中纸业技改项目", "湛河区工业园区管委会", "4.0", Stage.PRODUCING, "410411100"),
        ("耀中纸业二期项目", "湛河区工业园区管委会", "61", Stage.PLANNED, "410411100"),
        ("尼龙切片气囊生产线项目", "湛河区工业园区管委会", "10", Stage.PLANNED, "410411100"),
        ("双鹤华利药业一期项目", "工业和信息化局", "5", Stage.PRODUCING, "410411003"),
        ("希尔顿欢朋酒店项目", "商务局", "8", Stage.LANDED, "410411004"),
        ("海王生物医药物流产业园项目", "湛河新区管委会", "3.5", Stage.LANDED, "410411005"),
    ]
    for name, unit, total, stage, div in others:
        p = ld.project(
            d,
            name,
            unit,
            wan(total),
            division=div,
            stage=stage,
            since=dt.date(2021, 12, 1),
            chain="生物医药" if "药" in name else None,
        )
        services.do_set_project_year(
            ld.scope,
            p,
            year=2022,
            level="district",
            annual_plan=(p.total_investment / 5).quantize(CENT),
        )
    p = ld.project(
        d,
        "新能源发电及智慧能源系统建设项目",
        "发展和改革委员会",
        wan("60"),
        stage=Stage.RESERVE,
        since=dt.date(2021, 12, 1),
        chain="新能源",
    )
    services.do_change_stage(ld.scope, p, Stage.SIGNED, date=dt.date(2022, 2, 22))


def load_shifanqu(ld: Loader) -> None:
    d = "410471"
    for name, chain, total in [
        ("高端智能矿山装备制造基地项目", "高端装备制造", "12"),
        ("国家级绿色智慧矿山技术研发中心项目", "高端装备制造", "3"),
        ("京东慧采全国电商市场服务平台项目", "数字经济", "5"),
        ("敬东君卓医药MAH持牌项目", "生物医药", "2.5"),
    ]:
        p = ld.project(
            d,
            name,
            "平新先进制造业开发区管委会",
            wan(total),
            chain=chain,
            stage=Stage.BUILDING,
            since=dt.date(2021, 10, 1),
        )
        services.do_set_project_year(
            ld.scope,
            p,
            year=2022,
            level="city",
            annual_plan=(p.total_investment / 3).quantize(CENT),
        )
        ld.reports(p, 2022, range(1, 9), (p.total_investment / 4).quantize(CENT))


# The current year: the seeds stop in 2022/2023, but a newcomer opens the ledger today, so
# part of each district's portfolio is listed again for this year with reports up to last
# month and this year's milestones. A separate generator keeps the seeds' draws unchanged.
CURRENT_MILESTONES = ["年度开工手续办结", "主体工程施工", "设备采购安装", "年度投资计划完成"]


def load_current_year(ld: Loader) -> None:
    today = timezone.localdate()
    year, last = today.year, today.month - 1
    rng = random.Random(year)
    for dcode, count in (("410603", 24), ("410411", 6), ("410471", 4)):
        projects = list(
            Project.objects.filter(division__code__startswith=dcode)
            .exclude(stage__in=[Stage.RESERVE, Stage.SIGNED])
            .order_by("pk")[:count]
        )
        # Only projects with investment still to place: reports may never exceed the total.
        room = {
            p.pk: p.total_investment - sum((r.amount for r in p.reports.all()), Decimal(0))
            for p in projects
        }
        projects = [p for p in projects if room[p.pk] > p.total_investment / 10]
        for i, p in enumerate(projects):
            share = Decimal(rng.choice(["0.15", "0.2", "0.25"]))
            plan = min(p.total_investment * share, room[p.pk] * Decimal("0.7")).quantize(CENT)
            level = "province" if i % 5 == 0 else "city" if i % 3 == 0 else "district"
            services.do_set_project_year(ld.scope, p, year=year, level=level, annual_plan=plan)
            # Most are on pace, every fifth lags a little (yellow), every seventh badly (red).
            pace = Decimal("0.75") if i % 7 == 3 else Decimal("0.95") if i % 5 == 2 else None
            pace = pace or Decimal(str(round(rng.uniform(1.0, 1.15), 2)))
            if last:
                done = (plan * last / 12 * pace).quantize(CENT)
                ld_reports(ld.scope, p, year, range(1, last + 1), done, rng)
            _catch_up(ld, p, today)
            _current_milestones(ld, p, today, i)


def _catch_up(ld: Loader, p: Project, today: dt.date) -> None:
    """Nodes left open in an earlier year were finished late, early this year: this year's
    lights are about this year, and a past period's page (judged as of its cut-off) still
    shows them open then."""
    day = min(dt.date(today.year, 1, 20), today)
    for m in p.milestones.filter(actual_date__isnull=True, planned_date__year__lt=today.year):
        services.do_update_milestone(
            ld.scope,
            m,
            {"actual_date": day, "evidence": "补办完成，见现场照片"},
            expected_version=m.version,
        )


def ld_reports(
    scope: Scope, p: Project, year: int, months: range, total: Decimal, rng: random.Random
) -> None:
    amounts = split(total, [rng.uniform(0.7, 1.3) for _ in months])
    for month, amount in zip(months, amounts, strict=True):
        services.do_submit_monthly_report(
            scope, p, year=year, month=month, amount=amount, note="按计划推进"
        )


def _current_milestones(ld: Loader, p: Project, today: dt.date, i: int) -> None:
    """This year's nodes: past ones done, future ones open; one project overdue, two due soon."""
    year = today.year
    for k, name in enumerate(CURRENT_MILESTONES):
        planned = dt.date(year, 3 * k + 2, 28)
        if i == 1 and k == 3:
            planned = today - dt.timedelta(days=12)  # overdue: the red light a newcomer sees
        elif i in (4, 9) and k == 3:
            planned = today + dt.timedelta(days=3)  # due within days: yellow
        elif planned < today and k == 3:
            planned = min(dt.date(year, 12, 28), today + dt.timedelta(days=30))
        done = planned < today and not (i == 1 and k == 3)
        services.do_add_milestone(
            ld.scope,
            p,
            {
                "name": name,
                "planned_date": planned,
                "actual_date": planned - dt.timedelta(days=2) if done else None,
                "evidence": "现场照片及验收资料" if done else "",
            },
        )
