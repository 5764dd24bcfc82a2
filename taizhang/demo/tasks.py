"""Demo supervision tasks, suggestions and proposals for 山城区.

* 2023: 办理人大代表建议96件、政协提案132件，办结率、满意率均为100% (seed 003). Historical,
  bulk-inserted like the enterprise history (synthetic titles, is_synthetic=True); the
  figures page computes the rates from them.
* This year: targets of the kind a work report sets, published through do_create_task
  and assigned to units, with monthly reports so that the lights show every colour
  (on pace, behind, a missed report, a deadline soon, an overdue task with a 督办单),
  plus a few live suggestions and proposals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from taizhang.core.calendar import get_calendar
from taizhang.core.models import Person, Unit
from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.matters import services as mservices
from taizhang.matters.models import Kind, Matter, MatterStep, Rating, Status
from taizhang.tasks import services
from taizhang.tasks.models import TaskDetail, TaskReport, TaskSource

DISTRICT = "410603"
TOPICS = [
    "老旧小区改造",
    "背街小巷整治",
    "农村道路养护",
    "中小学校园安全",
    "社区养老服务",
    "公共停车位建设",
    "城市公园绿化",
    "农产品冷链物流",
    "中小企业融资",
    "职业技能培训",
    "饮用水安全",
    "文旅融合发展",
    "便民市场建设",
    "垃圾分类处理",
    "基层医疗服务",
    "文化遗产保护",
]
UNITS = [
    "住房和城乡建设局",
    "自然资源局",
    "发展和改革委员会",
    "人力资源和社会保障局",
    "财政局",
    "商务局",
    "市场监督管理局",
    "生态环境局",
    "工业和信息化局",
]


def load(scope: Scope, org: Org) -> None:
    history(scope, org, Kind.SUGGESTION, 96, "建议", "代表")
    history(scope, org, Kind.PROPOSAL, 132, "提案", "委员")
    live_tasks(scope, org)
    answered_this_year(scope, org)


def history(scope: Scope, org: Org, kind: str, count: int, word: str, who: str) -> None:
    """Answered and closed items of 2023, every one rated 满意 or 基本满意.

    Each item passes clean_task_data and is built by new_task, as a task published
    on the web; its closed state and later steps are history written in bulk.
    """
    district = org.divisions[DISTRICT]
    units = [org.units[(DISTRICT, u)] for u in UNITS]
    cal = get_calendar()
    matters, details = [], []
    for n in range(count):
        raised = dt.date(2023, 2, 20) + dt.timedelta(days=n % 30)
        deadline = cal.add_workdays(raised, 60).date
        finished = cal.add_workdays(raised, 20 + n % 30).date
        c = services.clean_task_data(
            scope,
            {
                "division": district,
                "title": f"关于加强{TOPICS[n % len(TOPICS)]}工作的{word}（合成）",
                "description": f"{word}第{n + 1}号（演示合成数据）",
                "raised_on": raised,
                "year": 2023,
                "deadline": deadline,
                "lead_unit": units[n % len(units)],
                "proposer": f"{who}{n + 1:03d}",
                "serial": n + 1,
            },
            kind,
        )
        m, detail = services.new_task(scope, c, kind, is_synthetic=True)
        m.lead_unit = c["lead_unit"]
        m.status = Status.CLOSED
        m.accepted_on = m.assigned_on = raised
        m.deadline = m.original_deadline = deadline
        m.finished_on = finished
        m.rated_on = finished + dt.timedelta(days=5)
        m.closed_on = finished + dt.timedelta(days=10)
        m.rating = Rating.BASIC if n % 9 == 0 else Rating.SATISFIED
        detail.evidence = "答复函（演示）"
        matters.append(m)
        details.append(detail)
    matters = Matter.objects.bulk_create(matters)
    for m, detail in zip(matters, details, strict=True):
        detail.matter = m
    TaskDetail.objects.bulk_create(details)
    steps = []
    for m in matters:
        steps += [
            MatterStep(matter=m, action="assign", label="交办", from_status=Status.ACCEPTED,
                       to_status=Status.ASSIGNED, date=m.assigned_on, by_name="山城区督查室"),
            MatterStep(matter=m, action="report", label="答复办结", from_status=Status.ASSIGNED,
                       to_status=Status.REPORTED, date=m.finished_on, by_name=m.lead_unit.name),
            MatterStep(matter=m, action="rate", label=f"{who}评价：{m.get_rating_display()}",
                       from_status=Status.REPORTED, to_status=Status.RATED, date=m.rated_on,
                       by_name="山城区督查室", rating=m.rating),
            MatterStep(matter=m, action="close", label="销号", from_status=Status.RATED,
                       to_status=Status.CLOSED, date=m.closed_on, by_name="山城区督查室"),
        ]  # fmt: skip
    MatterStep.objects.bulk_create(steps)


# (title, unit, target, unit of measure, share of the target reached per elapsed share,
#  months left unreported at the end, cycle)
TARGETS = [
    ("城镇新增就业3760人以上", "人力资源和社会保障局", 3760, "人", Decimal("1.05"), 0),
    ("新签约亿元以上项目26个以上", "发展和改革委员会", 26, "个", Decimal("0.7"), 0),
    ("12个省市重点项目完成投资60亿元以上", "发展和改革委员会", 60, "亿元", Decimal("0.95"), 1),
    ("新开工项目30个以上", "商务局", 30, "个", Decimal("1.2"), 0),
    ("新增高新技术企业20家以上", "工业和信息化局", 20, "家", Decimal("0.85"), 0),
]


def live_tasks(scope: Scope, org: Org) -> None:
    district = org.divisions[DISTRICT]
    today = timezone.localdate()
    year = today.year
    start = min(dt.date(year, 1, 15), today)
    sc = scope
    leaders = list(Person.objects.filter(division=district, is_leader=True))

    def unit(name: str) -> Unit:
        return org.units[(DISTRICT, name)]

    for n, (title, uname, target, measure, speed, gap) in enumerate(TARGETS):
        m = services.do_create_task(
            sc,
            {
                "division": district,
                "title": title,
                "task_source": TaskSource.WORK_REPORT,
                "year": year,
                "lead_unit": unit(uname),
                "co_units": [unit("财政局")] if n % 2 else [],
                "leader": leaders[1 + n % (len(leaders) - 1)] if leaders else None,
                "deadline": dt.date(year, 12, 31),
                "target_value": target,
                "target_unit": measure,
                "comparator": ">=",
                "raised_on": start,
            },
            is_synthetic=True,
        )
        _reports(m, today, speed, gap)
    services.do_create_task(
        sc,
        {
            "division": district,
            "title": "落实区长批示：加快冷链物流集散中心枢纽项目建设",
            "task_source": TaskSource.INSTRUCTION,
            "lead_unit": unit("牟山园区管委会"),
            "deadline": get_calendar().add_workdays(today, 3).date,
            "cycle": "none",
            "raised_on": start,
        },
        is_synthetic=True,
    )
    meeting = services.do_create_task(
        sc,
        {
            "division": district,
            "title": "区政府常务会议定：盘活石林园区闲置低效用地",
            "task_source": TaskSource.MEETING,
            "lead_unit": unit("自然资源局"),
            "co_units": [unit("石林园区管委会")],
            "deadline": max(start, today - dt.timedelta(days=10)),
            "cycle": "none",
            "raised_on": start,
        },
        is_synthetic=True,
    )
    if meeting.deadline < today:
        services.do_issue_notice(
            sc,
            meeting,
            level="blue",
            note="已超过完成时限，请于3个工作日内报送办理情况",
            expected_version=meeting.version,
        )
    for kind, title, uname in (
        (Kind.SUGGESTION, "关于加快老旧小区加装电梯的建议（合成）", "住房和城乡建设局"),
        (Kind.SUGGESTION, "关于完善农村公交线路的建议（合成）", "发展和改革委员会"),
        (Kind.PROPOSAL, "关于支持专精特新企业发展的提案（合成）", "工业和信息化局"),
    ):
        services.do_create_task(
            sc,
            {
                "division": district,
                "title": title,
                "year": year,
                "lead_unit": unit(uname),
                "deadline": get_calendar().add_workdays(start, 60).date,
                "proposer": "区人大代表（合成）"
                if kind == Kind.SUGGESTION
                else "区政协委员（合成）",
                "raised_on": start,
            },
            kind=kind,
            is_synthetic=True,
        )


def answered_this_year(scope: Scope, org: Org) -> None:
    """This year's suggestions and proposals already answered, rated and closed through
    the workflow, so the 建议提案 page opens on rates rather than a year of open items."""
    today = timezone.localdate()
    start = dt.date(today.year, 1, 20)
    cal = get_calendar()
    if cal.add_workdays(start, 45).date >= today:
        return  # too early in the year for answers; the open ones above tell the story
    district = org.divisions[DISTRICT]
    for n in range(12):
        kind, word, who = (
            (Kind.SUGGESTION, "建议", "代表") if n % 2 else (Kind.PROPOSAL, "提案", "委员")
        )
        raised = start + dt.timedelta(days=n)
        m = services.do_create_task(
            scope,
            {
                "division": district,
                "title": f"关于推进{TOPICS[(n + 5) % len(TOPICS)]}的{word}（合成）",
                "year": today.year,
                "lead_unit": org.units[(DISTRICT, UNITS[n % len(UNITS)])],
                "deadline": cal.add_workdays(raised, 60).date,
                "proposer": f"区{'人大' if who == '代表' else '政协'}{who}（合成）",
                "raised_on": raised,
            },
            kind=kind,
            is_synthetic=True,
        )
        finished = cal.add_workdays(raised, 25 + n).date
        m = services.do_finish_task(
            scope,
            m,
            note=f"已书面答复{who}，相关工作纳入年度计划推进",
            evidence="答复函（演示）",
            expected_version=m.version,
            date=finished,
        ).matter
        m = mservices.do_rate(
            scope,
            m,
            rating=Rating.BASIC if n % 5 == 0 else Rating.SATISFIED,
            expected_version=m.version,
            date=finished + dt.timedelta(days=5),
        ).matter
        mservices.do_close(
            scope, m, expected_version=m.version, date=finished + dt.timedelta(days=8)
        )


def _reports(m: Matter, today: dt.date, speed: Decimal, gap: int) -> None:
    """Monthly reports for every period already due, the last ``gap`` of them left missing."""
    from taizhang.lib.task_lights import elapsed_share, period_end
    from taizhang.tasks.status import schedule_of

    d = m.task
    due = [p for p in schedule_of(m) if p.due < today]
    if gap:
        due = due[:-gap] if len(due) > gap else []
    rows = []
    for p in due:
        share = elapsed_share(dt.date(d.year, 1, 1), dt.date(d.year, 12, 31), period_end(p.label))
        value = (d.target_value * share * speed / 100).quantize(Decimal("1"))
        rows.append(
            TaskReport(
                matter=m,
                period=p.label,
                due=p.due,
                submitted_on=p.due - dt.timedelta(days=2),
                submitted_at=timezone.make_aware(
                    dt.datetime.combine(p.due - dt.timedelta(days=2), dt.time(10))
                ),
                actual_value=value,
                text=f"截至{p.label}累计完成{value}{d.target_unit}（演示）",
                by_name=m.lead_unit.name,
                by_unit=m.lead_unit,
            )
        )
    TaskReport.objects.bulk_create(rows)
    if rows:
        d.actual_value, d.actual_period = rows[-1].actual_value, rows[-1].period
        d.save(update_fields=["actual_value", "actual_period"])
        Matter.objects.filter(pk=m.pk).update(status=Status.IN_PROGRESS)
    m.refresh_from_db()
