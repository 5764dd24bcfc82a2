"""Demo 推进会 and 领导批示 for 湛河区 (410411), 2022 (seed 004: 成立湛河新区和工业园区两个产业专班，
由区委书记和区长牵头，每周召开一次重点产业项目推进会，当场听取问题，研究解决办法).

The demo organisation has no 区委书记, so the 区长 chairs the 工业园区专班 and the 常务副区长
the 湛河新区专班. From 6 January to 29 April 2022 each 专班 meets weekly (Thursday and
Friday): 34 推进会, plus the 现场会 at 耀中纸业 on 23 February (the seed's day): 35 meetings.
Each 推进会 agrees two 议定事项, the 现场会 three: 71 decisions, each a supervision task.
Outcomes follow the decision's running number n: every 8th from the 8th (n % 8 == 7) is
still open (overdue), every 8th from the 4th (n % 8 == 3) finished late, the rest on time —
8 overdue, 9 late, 54 on time. Three problems raised at meetings are linked to decisions, and
four 领导批示 become tasks. Everything goes through the do_* functions; the figures are the
system's own (tests/test_meetings_demo.py pins them through the API).
"""

from __future__ import annotations

import datetime as dt

from taizhang.core.calendar import get_calendar
from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.enterprises.models import Enterprise
from taizhang.matters import services as ms
from taizhang.matters.models import ProblemCategory, Source
from taizhang.meetings import services
from taizhang.projects.models import Project
from taizhang.tasks import services as tasks

D = "410411"
FIRST = dt.date(2022, 1, 6)  # a Thursday
WEEKS = 17
SITE_DAY = dt.date(2022, 2, 23)
PARK, NEW_AREA = "湛河区工业园区管委会", "湛河新区管委会"
GROUPS = [
    # 专班, the projects it follows, its units; chaired by the leader at this index.
    ("工业园区", PARK, ["耀中纸业技改项目", "耀中纸业二期项目", "尼龙切片气囊生产线项目", "双鹤华利药业一期项目"], 0),
    ("湛河新区", NEW_AREA, ["海王生物医药物流产业园项目", "希尔顿欢朋酒店项目", "建昌城市花园项目"], 1),
]  # fmt: skip
ACTIONS = [
    ("协调{p}用电增容，供电线路年内接通", "发展和改革委员会"),
    ("加快{p}用地组卷报批", "自然资源局"),
    ("{p}施工许可并联审批，压缩办理时限", "住房和城乡建设局"),
    ("落实{p}环评批复前置服务", "生态环境局"),
    ("兑现{p}技改奖补资金", "财政局"),
    ("解决{p}周边道路和管网配套", None),
    ("组织{p}专场招聘会，保障用工", "人力资源和社会保障局"),
]
PROBLEMS = [
    # (enterprise, title, category, meeting week)
    ("耀中纸业有限公司", "耀中纸业技改后试生产用电负荷不足", "水电气暖", 2),
    ("神马博列气囊有限公司", "气囊生产线项目用地指标未落实", "用地", 4),
    ("海王生物医药有限公司", "物流产业园控制性详细规划待批复", "审批手续", 5),
]
INSTRUCTIONS = [
    # (leader index, day, text, subject project or document, lead unit)
    (0, dt.date(2022, 2, 24), "耀中纸业二期是全区一号工程，请自然资源局、发改委倒排工期，3月底前完成可研评审。", "耀中纸业二期项目", "发展和改革委员会"),
    (1, dt.date(2022, 3, 2), "海王物流园控规批复后立即启动土地挂牌，区新区管委会全程跟踪。", "海王生物医药物流产业园项目", NEW_AREA),
    (0, dt.date(2022, 3, 10), "请区营商环境服务中心牵头，对照考核奖惩暂行办法梳理容缺办理事项清单。", "关于湛河区优化营商环境工作的报告", "营商环境服务中心"),
    (2, dt.date(2022, 4, 7), "银企对接要见实效，请财政局会同金融机构每月通报对接进展。", "湛河区银企对接工作情况汇报", "财政局"),
]  # fmt: skip


def load(scope: Scope, org: Org) -> None:
    district = org.divisions[D]
    units = org.units
    leaders = org.leaders[D]
    cal = get_calendar()
    projects = {p.name: p for p in Project.objects.filter(division__path__startswith=district.path)}
    firms = {e.name: e for e in Enterprise.objects.filter(division__path__startswith=district.path)}
    categories = {c.name: c for c in ProblemCategory.objects.all()}
    n = 0  # the running number of a decision across all meetings

    def unit(name: str | None, fallback: str):
        return units[(D, name or fallback)]

    def settle(task, deadline: dt.date, day: dt.date) -> None:
        """Finish the decision's task on time, late, or leave it open (overdue today)."""
        if n % 8 == 7:
            return
        finished = (
            cal.add_workdays(deadline, 5).date
            if n % 8 == 3
            else max(day, cal.add_workdays(deadline, -2).date)
        )
        tasks.do_finish_task(
            scope,
            task,
            note="已按会议要求办结",
            evidence="责任单位办结报告（演示）",
            expected_version=task.version,
            date=finished,
        )

    def meeting(day: dt.date, kind: str, title: str, chair, group, names, problem=None, count=2):
        nonlocal n
        decisions = []
        for k in range(count):
            text, lead = ACTIONS[(n + k) % len(ACTIONS)]
            project = names[(n + k) % len(names)]
            deadline = cal.add_workdays(day, 10 + 5 * ((n + k) % 4)).date
            decisions.append(
                {
                    "text": text.format(p=project),
                    "lead_unit": unit(lead, group),
                    "co_units": [units[(D, group)]] if lead else [],
                    "deadline": deadline,
                    "problem": problem if k == 0 else None,
                }
            )
        m = services.do_create_meeting(
            scope,
            {
                "division": district,
                "kind": kind,
                "title": title,
                "date": day,
                "place": "区行政服务中心三楼会议室" if kind == "progress" else "耀中纸业生产车间",
                "chair": chair,
                "attendees": [p for p in leaders if p != chair][:2],
                "attendee_units": [
                    units[(D, group)],
                    units[(D, "发展和改革委员会")],
                    units[(D, "自然资源局")],
                ],
                "projects": [projects[x] for x in names if x in projects][:3],
                "problems": [problem] if problem else [],
                "summary": "会议听取了专班重点项目推进情况汇报，当场听取企业反映的问题，研究解决办法。",
                "decisions": decisions,
            },
        )
        for d in m.decisions.select_related("matter").order_by("order"):
            settle(d.matter, d.matter.deadline, day)
            n += 1
        return m

    raised = {}
    for firm, title, category, week in PROBLEMS:
        day = FIRST + dt.timedelta(weeks=week)
        raised[week] = ms.do_create_problem(
            scope,
            {
                "enterprise": firms[firm],
                "category": categories[category],
                "title": title,
                "description": f"{title}，企业在推进会上反映。",
                "raised_on": day,
                "source": Source.FORUM,
            },
            accept=True,
        )
    for week in range(WEEKS):
        for offset, (name, group, names, chair_at) in enumerate(GROUPS):
            day = FIRST + dt.timedelta(weeks=week, days=offset)
            problem = raised.get(week) if offset == week % 2 else None
            meeting(
                day,
                "progress",
                f"{name}专班重点产业项目推进会",
                leaders[chair_at],
                group,
                names,
                problem=problem,
            )
        if FIRST + dt.timedelta(weeks=week) <= SITE_DAY < FIRST + dt.timedelta(weeks=week + 1):
            meeting(
                SITE_DAY,
                "site",
                "耀中纸业技改项目现场会",
                leaders[0],
                PARK,
                ["耀中纸业技改项目"],
                count=3,
            )
    for at, day, text, subject, lead in INSTRUCTIONS:
        project = projects.get(subject)
        services.do_create_instruction(
            scope,
            {
                "division": district,
                "leader": leaders[at],
                "text": text,
                "given_on": day,
                "on_project": project,
                "doc_title": "" if project else subject,
                "lead_unit": units[(D, lead)],
                "deadline": cal.add_workdays(day, 20).date,
            },
        )
