"""The bulletin (通报) of a period: gather the figures, tables, boards and charts, then build the .docx.

Headline figures come from the same functions as the dashboard
(projects.figures.project_figures for the period's last month, matters.figures
.problem_figures), so the bulletin prints the numbers the dashboard shows. Scores
come from the published period if there is one, else they are computed live.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from taizhang.assessment import facts as facts_mod
from taizhang.assessment import service
from taizhang.assessment.models import BulletinSettings, DocCounter, IssuedBulletin, ScorePeriod
from taizhang.attachments import services as attachments
from taizhang.bulletins.docx import (
    BulletinContent,
    ChartBlock,
    Section,
    TableBlock,
    build_bulletin,
)
from taizhang.core import audit
from taizhang.core.calendar import get_calendar
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division, Unit
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_rate, fmt_yi, quantize_1
from taizhang.matters.figures import problem_figures
from taizhang.matters.models import Kind, Matter
from taizhang.matters.timing import timings_for
from taizhang.projects.bond_figures import BondFilter, bond_figures
from taizhang.projects.figures import project_figures
from taizhang.projects.forecast import forecast_figures

LIGHT_CN = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


# --------------------------------------------------------------------------- settings and numbers


def settings_for(district: Division) -> BulletinSettings:
    """The district's settings, or unsaved defaults (山城区 → 山城督, 山城区人民政府督查室)."""
    found = BulletinSettings.objects.filter(division=district).first()
    if found is not None:
        return found
    short = district.name.removesuffix("区").removesuffix("县").removesuffix("市")[:4]
    return BulletinSettings(
        division=district,
        issuer_name=f"{district.name}督查通报",
        number_prefix=f"{short}督",
        closing_office=f"{district.name}人民政府督查室",
    )


def next_number(district: Division, year: int) -> int:
    c = DocCounter.objects.filter(division=district, year=year).first()
    return c.next_number if c else 1


def doc_number(s: BulletinSettings, year: int, n: int) -> str:
    return f"{s.number_prefix}〔{year}〕{n}号"


@dataclass
class Heading:
    doc_number: str
    issued_on: dt.date
    issued: IssuedBulletin | None


def heading_for(district: Division, code: str, today: dt.date | None = None) -> Heading:
    """The number and date a bulletin prints: those it was issued with, else the next number."""
    period = service.period_of(code)
    found = IssuedBulletin.objects.filter(division=district, period_code=period.code).first()
    if found is not None:
        return Heading(found.doc_number, found.issued_on, found)
    today = today or timezone.localdate()
    s = settings_for(district)
    return Heading(doc_number(s, today.year, next_number(district, today.year)), today, None)


def do_save_settings(scope: Scope, district: Division, data: dict[str, Any]) -> BulletinSettings:
    service.require_district(scope, district)
    scope.require_manage()
    s = settings_for(district)
    before = audit.snapshot(s) if s.pk else {}
    for field in ("issuer_name", "number_prefix", "closing_office", "addressee"):
        value = str(data.get(field) or "").strip()
        if not value and field != "addressee":
            raise invalid(field, f"请填写{BulletinSettings._meta.get_field(field).verbose_name}")
        setattr(s, field, value)
    with transaction.atomic():
        s.save()
        audit.record(
            scope.actor,
            s,
            AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
            before=before,
            after=audit.snapshot(s),
            verb="修改通报设置",
            division_path=district.path,
        )
        if data.get("next_number") not in (None, ""):
            year = int(data.get("year") or timezone.localdate().year)
            try:
                n = int(data["next_number"])
            except (TypeError, ValueError):
                raise invalid("next_number", "文号应为正整数") from None
            if n < 1:
                raise invalid("next_number", "文号应为正整数")
            c, _ = DocCounter.objects.select_for_update().get_or_create(
                division=district, year=year
            )
            if c.next_number != n:
                old = c.next_number
                c.next_number = n
                c.save()
                audit.record(
                    scope.actor,
                    c,
                    AuditEntry.Action.UPDATE,
                    before={"下一个文号": old},
                    after={"下一个文号": n},
                    verb="修改发文字号",
                    division_path=district.path,
                )
    return s


def do_issue(
    scope: Scope, district: Division, code: str, *, today: dt.date | None = None
) -> IssuedBulletin:
    """Issue (印发) a published period's bulletin: take the next document number and store
    the .docx, its text and every figure in it, once. Later downloads serve these bytes."""
    service.require_district(scope, district)
    scope.require_manage()
    period = service.period_of(code)
    today = today or timezone.localdate()
    if not ScorePeriod.objects.filter(division=district, code=period.code).exists():
        # Issuing freezes the bulletin, so its scores must already be frozen (published).
        raise invalid("period", f"{period.label}考评结果尚未发布，请先发布再印发通报")
    with transaction.atomic():
        found = IssuedBulletin.objects.filter(division=district, period_code=period.code).first()
        if found is not None:
            raise invalid("period", f"{period.label}通报已印发（{found.doc_number}）")
        c, _ = DocCounter.objects.select_for_update().get_or_create(
            division=district, year=today.year
        )
        n = c.next_number
        c.next_number = n + 1
        c.save()
        number = doc_number(settings_for(district), today.year, n)
        g = gather(scope, district, period.code, today=today, heading=Heading(number, today, None))
        body = build_bulletin(g.content)
        digest = hashlib.sha256(body).hexdigest()
        ib = IssuedBulletin.objects.create(
            division=district,
            period_code=period.code,
            number=n,
            doc_number=number,
            issued_on=today,
            issued_by=scope.actor,
            body=body,
            sha256=digest,
            content=content_json(g.content),
            figures=figures_of(g),
        )
        audit.record(
            scope.actor,
            ib,
            AuditEntry.Action.CREATE,
            after={"期间": period.label, "发文字号": ib.doc_number, "成文日期": today.isoformat()},
            extra={"文件摘要": digest, "字节数": len(body)},
            verb="印发通报",
            division_path=district.path,
        )
    return ib


# --------------------------------------------------------------------------- content


def _pct(v: Decimal | None) -> str:
    return fmt_rate(v)


def _num(v: Decimal | str | None) -> str:
    return "—" if v in (None, "") else f"{Decimal(str(v)):f}"


def _movement(m: int | None) -> str:
    if m is None:
        return "—"
    return f"↑{m}" if m > 0 else f"↓{-m}" if m < 0 else "—"


@dataclass
class Overdue:
    kind: str
    title: str
    unit: str
    due: dt.date
    days: int
    evidence: tuple[str, ...] = ()  # names of the 佐证材料 uploaded on the matter so far


def overdue_items(scope: Scope, district: Division, cutoff: dt.date) -> list[Overdue]:
    """Milestones and matters open past their dates at the cut-off, naming the responsible unit."""
    year = cutoff.year
    cal = get_calendar()
    names = dict(
        Unit.objects.filter(division__path__startswith=district.path).values_list("pk", "name")
    )
    out: list[Overdue] = []
    for f in facts_mod.milestone_facts(scope, district, year, cutoff):
        if f.planned < cutoff and (f.done_on is None or f.done_on > cutoff):
            days = cal.workdays_between(f.planned, cutoff).days
            out.append(Overdue("项目节点", f.ref.label, names.get(f.unit_id, ""), f.planned, days))
    # Matters late at the cut-off, judged as of the cut-off (taizhang.matters.timing).
    matters = facts_mod.scored_matters(scope, district, cutoff)
    late = [
        (m, t)
        for m, t in zip(matters, timings_for(matters, cutoff).values(), strict=True)
        if t.finished_on is None and t.deadline is not None and t.deadline < cutoff
    ]
    files = attachments.names_by_owner(Matter, [m.pk for m, _t in late])
    for m, t in late:
        label = f"{m.number} {m.title}"
        kind = str(m.get_kind_display())
        unit = names.get(m.lead_unit_id, "")
        evidence = tuple(files.get(m.pk, ()))
        out.append(Overdue(kind, label, unit, t.deadline, t.late_workdays or 0, evidence))
    out.sort(key=lambda o: (-o.days, o.unit, o.title))
    return out


def _evidence_note(items: list[Overdue]) -> str:
    """ "。已报佐证材料：WQ2026-00004 道路破损（现场.jpg、说明.pdf）" — names only, never files."""
    listed = [f"{o.title.split(' ')[0]}（{'、'.join(o.evidence)}）" for o in items if o.evidence]
    return "。已报佐证材料：" + "；".join(listed) if listed else ""


def task_lights(scope: Scope, district: Division, cutoff: dt.date) -> dict[str, int]:
    """Supervision tasks (and suggestions, proposals) by light at the cut-off; {} when none.

    Each light is the one the task had at the cut-off (taizhang.matters.timing), with
    the tasks app's rule (reports, pace) when it is installed.
    """
    kinds = [Kind.SUPERVISION_TASK, Kind.SUGGESTION, Kind.PROPOSAL]
    qs = scope.filter(Matter.objects.filter(kind__in=kinds)).filter(
        division__path__startswith=district.path, deadline__isnull=False
    )
    counts = {"red": 0, "yellow": 0, "green": 0}
    for t in timings_for(
        qs.select_related("task").prefetch_related("task_reports"), cutoff
    ).values():
        if t.light is not None:
            counts[t.light.value] += 1
    return counts if any(counts.values()) else {}


@dataclass
class Gathered:
    content: BulletinContent
    result: service.Result
    heading: Heading
    project_figures: Any
    problem_figures: Any
    tasks: dict[str, int]
    overdue: list[Overdue]


# Sections of the ledgers of apps above this one (信访、政务服务、银企对接、推进会 …): each app
# registers, in its AppConfig.ready, a function (scope, district, year, cutoff) → Section, or
# None when the district has nothing of it in the period (so other bulletins stay as they
# were). They follow 企业问题办理情况, in registration order.
ExtraSection = Callable[[Scope, Division, int, dt.date], Section | None]
EXTRA_SECTIONS: list[ExtraSection] = []


def register_section(fn: ExtraSection) -> None:
    if fn not in EXTRA_SECTIONS:
        EXTRA_SECTIONS.append(fn)


def bond_paragraphs(scope: Scope, district: Division, year: int) -> list[str]:
    """专项债 in one sentence, from the ledger's own figures; nothing when the year has none."""
    b = bond_figures(scope, BondFilter(year=year, division=district))
    if not b.bond_projects:
        return []
    return [
        f"专项债方面，{year}年全区谋划包装专项债项目{b.bond_projects}个，"
        f"总投资{fmt_yi(b.total_investment_wan)}亿元，拟申请专项债{fmt_yi(b.bond_applied_wan)}亿元，"
        f"已获批{fmt_yi(b.bond_approved_wan)}亿元，资金到位{fmt_yi(b.bond_received_wan)}亿元。"
    ]


def forecast_section(scope: Scope, district: Division, year: int, month: int) -> Section:
    """The year-end forecast, printed as an estimate with its method (projects/forecast.py)."""
    f = forecast_figures(scope, district, year, month)
    years = "、".join(str(y) for y in f.forecast.history_years)
    basis = f"依据{years}年各月完成规律" if years else "往年完整数据不足两年，按线性进度推算"
    return Section(
        "年末完成预测（估算）",
        paragraphs=[
            f"{f.sentence}（{basis}）。",
            f"注：此为估算，不是统计数。{f.forecast.method_label}：{f.formula}",
        ],
    )


def gather(
    scope: Scope,
    district: Division,
    code: str,
    *,
    today: dt.date | None = None,
    heading: Heading | None = None,
) -> Gathered:
    """The bulletin computed from the ledgers now (``heading``: the number it is issued with)."""
    period = service.period_of(code)
    today = today or timezone.localdate()
    cutoff = service.cutoff_of(period, today)
    year, month = cutoff.year, cutoff.month
    pf = project_figures(scope, district, year, month)
    qf = problem_figures(scope, district, year, month, cutoff)
    tasks = task_lights(scope, district, cutoff)
    result = service.result_for(scope, district, period.code, today=today)
    overdue = overdue_items(scope, district, cutoff)
    heading = heading or heading_for(district, period.code, today)
    s = settings_for(district)

    months = f"1—{month}月" if month > 1 else "1月"
    pace = ""
    if pf.completion_rate_pct is not None:
        diff = quantize_1(pf.completion_rate_pct - pf.elapsed_rate_pct)
        pace = (
            f"，高于时序进度{diff}个百分点"
            if diff > 0
            else f"，低于时序进度{-diff}个百分点"
            if diff < 0
            else "，与时序进度持平"
        )
    headline = (
        f"截至{year}年{month}月底，全区{pf.project_count}个重点项目总投资{fmt_yi(pf.total_investment_wan)}亿元，"
        f"年度投资计划{fmt_yi(pf.annual_plan_wan)}亿元；{months}累计完成投资{fmt_yi(pf.completed_wan)}亿元，"
        f"占年度投资计划的{_pct(pf.completion_rate_pct)}，时序进度{_pct(pf.elapsed_rate_pct)}{pace}。"
    )
    problems = (
        f"{year}年{months}，全区共收集企业问题{qf.raised}个，已解决{qf.resolved}个，"
        f"解决率{_pct(qf.resolution_pct)}；按时办结率{_pct(qf.on_time_pct)}，"
        f"企业满意率{_pct(qf.satisfaction_pct)}；逾期未办结{qf.overdue_open}个。"
    )
    overview = [headline, problems]
    if tasks:
        overview.append(
            "督办任务中，" + "，".join(f"{LIGHT_CN[k]}{v}项" for k, v in tasks.items() if v) + "。"
        )

    unit_rows = [
        [str(i), r.unit, str(r.count), fmt_yi(r.plan), fmt_yi(r.completed), _pct(r.rate)]
        for i, r in enumerate(pf.by_unit, 1)
    ]
    project_table = TableBlock(
        "重点项目投资完成情况（按责任单位）",
        ["序号", "责任单位", "项目数", "年度计划（亿元）", "完成（亿元）", "完成率"],
        unit_rows,
        col_widths_mm=[12, 52, 18, 26, 24, 24],
        font_pt=12,
    )
    problem_rows = [
        [
            str(i),
            u["unit"],
            str(u["assigned"]),
            str(u["resolved"]),
            str(u["overdue_open"]),
            _pct(u["on_time_rate_pct"]),
        ]
        for i, u in enumerate(qf.by_unit, 1)
    ]
    problem_table = TableBlock(
        "企业问题办理情况（按主办单位）",
        ["序号", "主办单位", "交办", "已解决", "逾期未办结", "按时办结率"],
        problem_rows,
        col_widths_mm=[12, 52, 18, 22, 26, 26],
        font_pt=12,
    )
    chart_units = [r for r in pf.by_unit if r.rate is not None][:15]
    project_chart = ChartBlock(
        "重点项目投资完成率（按责任单位）",
        [r.unit for r in chart_units],
        [r.rate for r in chart_units],
        unit="%",
        reference_line=pf.elapsed_rate_pct,
        reference_label=f"红色虚线为时序进度{_pct(pf.elapsed_rate_pct)}",
    )

    score_sections: list[Section] = []
    state = "已发布" if result.published else "按截至日台账计算，尚未发布"
    score_intro = (
        f"按{result.scheme}计分（{state}），各组排名如下。"
        if result.scheme
        else ("本年度尚未制定考评方案，暂不排名。")
    )
    for g in result.groups:
        rows = [
            [str(r.position or ""), r.name, _num(r.total), _movement(r.movement)] for r in g.rows
        ]
        top = "、".join(f"{r.name}（{_num(r.total)}分）" for r in g.top) or "无"
        bottom = "、".join(f"{r.name}（{_num(r.total)}分）" for r in g.bottom) or "无"
        score_sections.append(
            Section(
                g.name,
                paragraphs=[f"飞虎榜：{top}。", f"蜗牛榜：{bottom}。"],
                tables=[
                    TableBlock(
                        f"{g.name}考评得分排名",
                        ["名次", "名称", "得分", "名次变化"],
                        rows,
                        col_widths_mm=[18, 80, 28, 30],
                        font_pt=12,
                    )
                ],
                charts=[
                    ChartBlock(
                        f"{g.name}考评得分",
                        [r.name for r in g.rows[:15]],
                        [r.total for r in g.rows[:15]],
                        unit="分",
                        decimals=2,
                    )
                ]
                if len(g.rows) > 1
                else [],
            )
        )
    boards = [
        TableBlock(
            f"{board}",
            ["分组", "名称", "得分"],
            [
                [g.name, r.name, _num(r.total)]
                for g in result.groups
                for r in (g.top if board == service.TOP else g.bottom)
            ],
            col_widths_mm=[40, 80, 36],
            font_pt=12,
        )
        for board in (service.TOP, service.BOTTOM)
    ]
    overdue_table = TableBlock(
        "逾期未完成事项",
        ["序号", "类别", "事项", "责任单位", "时限", "逾期（工作日）"],
        [
            [str(i), o.kind, o.title, o.unit, f"{o.due:%Y-%m-%d}", str(o.days)]
            for i, o in enumerate(overdue[:60], 1)
        ],
        col_widths_mm=[12, 22, 54, 34, 22, 18],
        font_pt=10.5,
        note=f"共{len(overdue)}项"
        + ("，仅列逾期时间最长的60项" if len(overdue) > 60 else "")
        + _evidence_note(overdue[:60]),
    )
    sections = [
        Section("总体情况", paragraphs=overview),
        Section(
            "重点项目推进情况",
            paragraphs=bond_paragraphs(scope, district, year),
            tables=[project_table],
            charts=[project_chart],
            subsections=[forecast_section(scope, district, year, month)],
        ),
        Section("企业问题办理情况", tables=[problem_table]),
        *(x for fn in EXTRA_SECTIONS if (x := fn(scope, district, year, cutoff)) is not None),
        Section("考评排名情况", paragraphs=[score_intro], subsections=score_sections),
        Section("飞虎榜和蜗牛榜", tables=boards),
        Section(
            "逾期事项",
            paragraphs=[
                "以下事项已超过时限仍未完成，请责任单位抓紧办理，并于5个工作日内书面说明原因。"
            ],
            tables=[overdue_table],
        ),
        *(sec for hook in EXTRA_SECTIONS if (sec := hook(scope, district, year, cutoff))),
        Section(
            "下一步工作要求",
            paragraphs=[
                "各责任单位要对照时间节点查漏补缺，对进度滞后、列入蜗牛榜的事项逐项分析原因，"
                "明确整改措施和完成时限；督查室将持续跟踪督办，结果纳入年度考评。"
            ],
        ),
    ]
    content = BulletinContent(
        issuer_name=s.issuer_name,
        doc_number=heading.doc_number,
        title=f"关于{period.label}重点工作推进情况的通报",
        date=heading.issued_on,
        sections=sections,
        closing_office=s.closing_office,
        addressee=s.addressee,
        preamble=[
            f"现将{period.label}全区重点项目建设、万人助万企问题办理和考评排名情况通报如下。"
        ],
    )
    return Gathered(content, result, heading, pf, qf, tasks, overdue)


def bulletin_docx(
    scope: Scope, district: Division, code: str, *, today: dt.date | None = None
) -> tuple[bytes, Gathered]:
    g = gather(scope, district, code, today=today)
    return build_bulletin(g.content), g


def filename(district: Division, code: str) -> str:
    return f"{district.name}{service.period_of(code).label}督查通报.docx"


# --------------------------------------------------------------------------- issued: stored, served


def content_json(content: BulletinContent) -> dict[str, Any]:
    """The bulletin's text as JSON (Decimals and dates as strings), for showing it again."""
    return json.loads(json.dumps(dataclasses.asdict(content), default=str, ensure_ascii=False))


def content_from_json(data: dict[str, Any]) -> dict[str, Any]:
    """Stored content for the page template (which reads dicts like the dataclasses)."""
    out = dict(data)
    out["date"] = dt.date.fromisoformat(str(data["date"]))
    return out


# Columns that name a table row rather than hold one of its figures.
_LABEL_COLUMNS = frozenset({"责任单位", "主办单位", "名称", "分组", "类别", "事项", "办理单位"})


def _tables(sections: Any) -> list[TableBlock]:
    out: list[TableBlock] = []
    for sec in sections:
        out.extend(sec.tables)
        out.extend(_tables(sec.subsections))
    return out


def figures_of(g: Gathered) -> list[list[str]]:
    """Every figure the bulletin prints, as [name, value] pairs in reading order.

    A list rather than an object: PostgreSQL's jsonb does not keep the keys' order.
    """
    pf, qf, c = g.project_figures, g.problem_figures, g.content
    out: list[list[str]] = [
        ["发文字号", c.doc_number],
        ["成文日期", c.date.isoformat()],
        ["重点项目数", str(pf.project_count)],
        ["重点项目总投资（亿元）", fmt_yi(pf.total_investment_wan)],
        ["年度投资计划（亿元）", fmt_yi(pf.annual_plan_wan)],
        ["累计完成投资（亿元）", fmt_yi(pf.completed_wan)],
        ["投资完成率", _pct(pf.completion_rate_pct)],
        ["时序进度", _pct(pf.elapsed_rate_pct)],
        ["收集企业问题", str(qf.raised)],
        ["已解决企业问题", str(qf.resolved)],
        ["问题解决率", _pct(qf.resolution_pct)],
        ["按时办结率", _pct(qf.on_time_pct)],
        ["企业满意率", _pct(qf.satisfaction_pct)],
        ["逾期未办结问题", str(qf.overdue_open)],
    ]
    out += [[f"督办任务{LIGHT_CN[k]}", str(g.tasks.get(k, 0))] for k in ("red", "yellow", "green")]
    out.append(["逾期未完成事项", str(len(g.overdue))])
    seen: dict[str, int] = {}
    for t in _tables(c.sections):
        for row in t.rows:
            label = "·".join(
                str(cell) for h, cell in zip(t.headers, row, strict=False) if h in _LABEL_COLUMNS
            )
            for h, cell in zip(t.headers, row, strict=False):
                if h in _LABEL_COLUMNS or h == "序号":
                    continue
                name = f"{t.title}·{label}·{h}"
                seen[name] = seen.get(name, 0) + 1
                if seen[name] > 1:  # two rows with the same names: keep both apart
                    name = f"{name}（{seen[name]}）"
                out.append([name, str(cell)])
    return out


@dataclass(frozen=True)
class FigureDiff:
    name: str
    issued: str  # "—" when the issued bulletin did not print it
    now: str  # "—" when the recompute no longer prints it


def figure_diff(issued: list[list[str]], now: list[list[str]]) -> list[FigureDiff]:
    """The figures that differ between the issued bulletin and a recompute, in reading order."""
    old, new = dict(map(tuple, issued)), dict(map(tuple, now))  # type: ignore[arg-type]
    names = list(dict.fromkeys([n for n, _ in issued] + [n for n, _ in now]))
    return [
        FigureDiff(n, old.get(n, "—"), new.get(n, "—")) for n in names if old.get(n) != new.get(n)
    ]


def issued_for(district: Division, code: str) -> IssuedBulletin | None:
    period = service.period_of(code)
    return IssuedBulletin.objects.filter(division=district, period_code=period.code).first()


def ensure_document(scope: Scope, ib: IssuedBulletin) -> IssuedBulletin:
    """A bulletin issued before documents were stored gets its document once, rebuilt as of
    its issue date with its own number; from then on it is served like any other."""
    if ib.body is not None:
        return ib
    heading = Heading(ib.doc_number, ib.issued_on, ib)
    g = gather(scope, ib.division, ib.period_code, today=ib.issued_on, heading=heading)
    body = build_bulletin(g.content)
    if ib.fill_missing_document(
        body, hashlib.sha256(body).hexdigest(), content_json(g.content), figures_of(g)
    ):
        audit.record(
            scope.actor,
            ib,
            AuditEntry.Action.ACTION,
            extra={"文件摘要": ib.sha256},
            verb="补存已印发通报文件",
            division_path=ib.division.path,
        )
        return ib
    return IssuedBulletin.objects.get(pk=ib.pk)


@dataclass
class BulletinFile:
    body: bytes
    filename: str
    issued: IssuedBulletin | None  # set when these are the issued bytes
    doc_number: str
    label: str


def bulletin_file(
    scope: Scope,
    district: Division,
    code: str,
    *,
    recompute: bool = False,
    today: dt.date | None = None,
) -> BulletinFile:
    """The .docx to hand out: the stored bytes once issued (the download is audited), else
    (or with ``recompute``) built from the ledgers now."""
    period = service.period_of(code)
    ib = issued_for(district, period.code)
    if ib is not None and not recompute:
        ib = ensure_document(scope, ib)
        audit.record(
            scope.actor,
            ib,
            AuditEntry.Action.ACTION,
            extra={"期间": period.label, "文件摘要": ib.sha256},
            verb="下载已印发通报",
            division_path=district.path,
        )
        return BulletinFile(
            bytes(ib.body or b""), filename(district, code), ib, ib.doc_number, period.label
        )
    body, g = bulletin_docx(scope, district, code, today=today)
    name = filename(district, code)
    if ib is not None:
        name = name.removesuffix(".docx") + "（按当前数据重算，非印发稿）.docx"
    return BulletinFile(body, name, None, g.heading.doc_number, period.label)
