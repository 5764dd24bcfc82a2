"""Key projects (natural key: division + project code) and monthly investment reports."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.audit import _plain
from taizhang.core.bulk import audit_entry, batched, insert_rows
from taizhang.core.models import AuditEntry
from taizhang.core.scope import Scope
from taizhang.imports.kinds.base import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    Col,
    Importer,
    Refs,
    RowError,
    RowResult,
    norm,
    service_errors,
)
from taizhang.imports.reading import cell_text
from taizhang.lib.names import did_you_mean
from taizhang.projects import rollup, services
from taizhang.projects.models import (
    IndustryChain,
    Level,
    MonthlyReport,
    Project,
    ProjectYear,
    Stage,
)

STAGES = {str(s.label): s.value for s in Stage} | {s.value: s.value for s in Stage}
LEVELS = (
    {str(lv.label): lv.value for lv in Level}
    | {str(lv.label)[0]: lv.value for lv in Level}
    | {"省级": Level.PROVINCE, "市级": Level.CITY, "区级": Level.DISTRICT, "县级": Level.DISTRICT}
    | {"县重点": Level.DISTRICT}
)
PROJECT_LABELS = {
    "division": "所属区划",
    "code": "项目编号",
    "name": "项目名称",
    "responsible_unit": "责任单位",
    "industry_chain": "产业链",
    "liaison_leader": "包联领导",
    "total_investment": "总投资（万元）",
    "start_year": "开工年度",
    "end_year": "竣工年度",
    "location": "建设地点",
    "description": "建设内容",
    "level": "项目级别",
    "annual_plan": "年度投资计划（万元）",
    "year": "年度",
    "to_stage": "项目阶段",
    "stage": "项目阶段",
}


class ProjectImporter(Importer):
    kind = "projects"
    label = "重点项目"
    key_label = "项目编号"
    key_columns = ("code",)
    columns = [
        Col("code", "项目编号", ("编号", "项目代码"), True, example="SC-2026-001"),
        Col("name", "项目名称", ("名称",), True, example="新拓洋生物科技产业园项目", width=30),
        Col(
            "division",
            "所属区划",
            ("区划", "所属乡镇", "乡镇（街道）", "所在区划"),
            example="山城区",
        ),
        Col("unit", "责任单位", ("牵头单位", "责任部门", "主责单位"), True, example="区发改委"),
        Col("chain", "产业链", ("所属产业链",), example=""),
        Col("leader", "包联领导", ("分包领导", "联系领导", "分包县级领导"), example=""),
        Col("total", "总投资（万元）", ("总投资", "计划总投资", "项目总投资"), True, example=30000),
        Col(
            "stage",
            "项目阶段",
            ("阶段", "项目状态", "建设阶段"),
            choices=tuple(str(s.label) for s in Stage),
            example="在建",
        ),
        Col("year", "年度", ("计划年度", "清单年度"), example=2026),
        Col(
            "level",
            "项目级别",
            ("级别", "项目类别"),
            choices=tuple(str(lv.label) for lv in Level),
            example="区重点",
        ),
        Col(
            "plan",
            "年度投资计划（万元）",
            ("年度投资计划", "年度计划投资", "年计划投资", "本年计划投资"),
            example=12000,
        ),
        Col("location", "建设地点", ("地点", "建设地址"), example="红旗街道"),
        Col("start_year", "开工年度", ("开工年份", "开工时间"), example=2025),
        Col("end_year", "竣工年度", ("竣工年份", "竣工时间", "计划竣工年度"), example=2027),
        Col(
            "description",
            "建设内容",
            ("建设规模及内容", "建设规模和内容", "主要建设内容"),
            example="新建厂房3万平方米",
            width=40,
        ),
    ]

    @classmethod
    def managed_lists(cls, scope: Scope) -> dict[str, list[str]]:
        return {
            "unit": cls.unit_names(scope),
            "chain": list(IndustryChain.objects.order_by("name").values_list("name", flat=True)),
        }

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        self.chains = {norm(c.name): c for c in IndustryChain.objects.all()}
        self.existing = {
            (p.division_id, p.code): p
            for p in Project.objects.filter(division__in=list(self.refs.divisions_in))
        }
        self.years = {
            (y.project_id, y.year): y
            for y in ProjectYear.objects.filter(project__in=list(self.existing.values()))
        }

    def validate(self, r: RowResult) -> None:
        def get(fn, *args, **kw):
            try:
                return fn(*args, **kw)
            except RowError as e:
                r.error(e.column, e.value, e.reason)
                return None

        division = get(self.refs.division, "所属区划", self.raw(r, "division"), self.scope.division)
        code = get(self.code, r, "code", required=True)
        name = get(self.text, r, "name", required=True, max_len=200)
        r.label = name or ""
        if division is None or not code:
            return
        r.key = (division.pk, code)
        existing = self.existing.get(r.key)
        unit = get(self.refs.unit, "责任单位", self.raw(r, "unit"), division)
        leader = get(self.refs.person, "包联领导", self.raw(r, "leader"), division)
        chain = None
        if norm(self.raw(r, "chain")):
            chain = self.chains.get(norm(self.raw(r, "chain")))
            if chain is None:
                r.error(
                    "产业链",
                    self.raw(r, "chain"),
                    f"产业链「{norm(self.raw(r, 'chain'))}」不存在"
                    + did_you_mean(
                        norm(self.raw(r, "chain")), [c.name for c in self.chains.values()]
                    ),
                )
        total = get(self.amount, r, "total", required=existing is None)
        stage = get(self.choice, r, "stage", STAGES)
        year = get(self.integer, r, "year", 2000, 2100)
        level = get(self.choice, r, "level", LEVELS)
        plan = get(self.amount, r, "plan")
        start_year = get(self.integer, r, "start_year", 1990, 2100)
        end_year = get(self.integer, r, "end_year", 1990, 2100)
        if year is None and (level or plan is not None):
            r.error("年度", "", "填写了项目级别或年度投资计划时，请填写年度")
        if year is not None and (level is None or plan is None) and r.action != ERROR:
            if level is None:
                r.error(
                    "项目级别",
                    self.raw(r, "level"),
                    "填写年度时，请填写项目级别（省重点/市重点/区重点）",
                )
            if plan is None:
                r.error(
                    "年度投资计划（万元）", self.raw(r, "plan"), "填写年度时，请填写年度投资计划"
                )
        if r.action == ERROR:
            return
        data: dict[str, Any] = {
            "division": division,
            "code": code,
            "name": name,
            "responsible_unit": unit,
            "liaison_leader": leader,
            "industry_chain": chain,
            "total_investment": total if total is not None else existing.total_investment,
            "location": self.text(r, "location"),
            "description": self.text(r, "description"),
            "start_year": start_year,
            "end_year": end_year,
        }
        blank_keeps = {
            "location": "location",
            "description": "description",
            "start_year": "start_year",
            "end_year": "end_year",
            "liaison_leader": "leader",
            "industry_chain": "chain",
        }
        for key, column in blank_keeps.items():
            if existing is not None and cell_text(r.values.get(column)) == "":
                data.pop(key)  # an empty cell leaves the stored value alone
        try:
            clean = services.clean_project(self.scope, data, existing)
        except ValidationError as e:
            service_errors(r, e, PROJECT_LABELS)
            return
        effective_total = clean["total_investment"]
        if plan is not None and plan > effective_total:
            r.error("年度投资计划（万元）", self.raw(r, "plan"), "年度投资计划不能超过项目总投资")
            return
        r.payload = {"data": data, "stage": stage, "year": year, "level": level, "plan": plan}
        if existing is None:
            r.action = CREATE
            return
        changes = [
            PROJECT_LABELS[k] for k, v in clean.items() if k in data and getattr(existing, k) != v
        ]
        if stage and stage != existing.stage:
            changes.append("项目阶段")
        if year is not None:
            entry = self.years.get((existing.pk, year))
            if entry is None or entry.level != level or entry.annual_plan != plan:
                changes.append(f"{year}年度清单")
        r.changes = changes
        r.action = UPDATE if changes else UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        p = r.payload
        if r.action == CREATE:
            project = services.do_create_project(
                self.scope, dict(p["data"]), stage=p["stage"] or Stage.PLANNED
            )
        else:
            project = Project.objects.get(division=p["data"]["division"], code=p["data"]["code"])
            project = services.do_update_project(
                self.scope, project, dict(p["data"]), expected_version=project.version
            )
            if p["stage"] and p["stage"] != project.stage:
                services.do_change_stage(
                    self.scope, project, p["stage"], date=timezone.localdate(), reason="Excel导入"
                )
        if p["year"] is not None:
            entry = ProjectYear.objects.filter(project=project, year=p["year"]).first()
            if entry is None or entry.level != p["level"] or entry.annual_plan != p["plan"]:
                services.do_set_project_year(
                    self.scope, project, year=p["year"], level=p["level"], annual_plan=p["plan"]
                )


_YEAR_MONTH = re.compile(r"(\d{4})\D+(\d{1,2})")


class ReportImporter(Importer):
    kind = "reports"
    label = "月度投资报送"
    key_label = "项目编号+年度+月份"
    key_columns = ("code", "year", "month")
    columns = [
        Col("code", "项目编号", ("编号", "项目代码"), True, example="SC-2026-001"),
        Col("name", "项目名称", ("名称",), example="新拓洋生物科技产业园项目", width=30),
        Col("division", "所属区划", ("区划",), example=""),
        Col("year", "年度", ("年份",), True, example=2026),
        Col("month", "月份", ("月", "报送月份"), True, example=3),
        Col(
            "amount",
            "当月完成投资（万元）",
            ("当月完成投资", "本月完成投资", "月度完成投资", "当月完成"),
            example=1500,
        ),
        Col(
            "cumulative",
            "累计完成投资（万元）",
            ("累计完成投资", "本年累计完成投资", "年度累计完成投资", "累计完成"),
            example="",
        ),
        Col(
            "note",
            "形象进度",
            ("工程形象进度", "进展情况", "项目进展"),
            example="主体施工",
            width=30,
        ),
    ]
    options_help = {"cumulative": "按累计完成投资导入（自动换算为当月完成投资）"}

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        self.today = timezone.localdate()
        self.by_code: dict[str, list[Project]] = defaultdict(list)
        for p in Project.objects.select_related("division").only(
            "pk",
            "code",
            "name",
            "total_investment",
            "division__code",
            "division__name",
            "division__path",
        ):
            self.by_code[norm(p.code)].append(p)
        self.in_scope = set(
            Project.objects.filter(division__in=list(self.refs.divisions_in)).values_list(
                "pk", flat=True
            )
        )
        self.reports: dict[tuple[int, int, int], tuple[Decimal, str]] = {}
        self.sums: dict[int, Decimal] = defaultdict(Decimal)
        for pid, y, m, amount, note in MonthlyReport.objects.filter(
            project__in=self.in_scope
        ).values_list("project_id", "year", "month", "amount", "note"):
            self.reports[(pid, y, m)] = (amount, note)
            self.sums[pid] += amount
        self.cumulative = bool(self.options.get("cumulative")) or (
            "amount" not in self.mapped and "cumulative" in self.mapped
        )
        self.projects: dict[int, Project] = {}

    def validate(self, r: RowResult) -> None:
        code = norm(self.raw(r, "code")).upper() if norm(self.raw(r, "code")) else ""
        if not code:
            raise RowError("项目编号", "", "请填写项目编号")
        found = self.by_code.get(code) or self.by_code.get(norm(self.raw(r, "code")), [])
        division_ref = norm(self.raw(r, "division"))
        if division_ref:
            found = [
                p for p in found if division_ref in (norm(p.division.code), norm(p.division.name))
            ]
        if not found:
            raise RowError(
                "项目编号", self.raw(r, "code"), f"项目编号「{code}」不存在，请先导入项目"
            )
        inside = [p for p in found if p.pk in self.in_scope]
        if not inside:
            raise RowError(
                "项目编号", self.raw(r, "code"), f"项目「{found[0].name}」不在您的管辖范围内"
            )
        if len(inside) > 1:
            raise RowError(
                "项目编号",
                self.raw(r, "code"),
                f"项目编号「{code}」在多个区划中存在，请填写所属区划",
            )
        project = inside[0]
        self.projects[project.pk] = project
        r.label = project.name
        year_raw = unicodedata.normalize("NFKC", cell_text(self.raw(r, "month")))
        m = _YEAR_MONTH.search(year_raw)
        if m and cell_text(self.raw(r, "year")) == "":
            r.values["year"], r.values["month"] = m.group(1), m.group(2)
        year = self.integer(r, "year", 2000, 2100, required=True)
        month = self.integer(r, "month", 1, 12, required=True)
        try:
            services.clean_report_period(year, month, self.today)
        except ValidationError as e:
            raise RowError("月份", self.raw(r, "month"), e.messages[0]) from None
        r.key = (project.pk, year, month)
        key = "cumulative" if self.cumulative else "amount"
        value = self.amount(r, key, required=True)
        try:
            value = services.to_decimal(value, "amount", self.col(key).label)
        except ValidationError as e:
            raise RowError(self.col(key).label, self.raw(r, key), e.messages[0]) from None
        r.payload = {
            "project": project.pk,
            "year": year,
            "month": month,
            "value": value,
            "note": self.text(r, "note")[:500],
        }

    def finish(self, rows: list[RowResult]) -> None:
        ok = [r for r in rows if r.action != ERROR]
        ok.sort(key=lambda r: (r.payload["project"], r.payload["year"], r.payload["month"]))
        if self.cumulative:
            months: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
            for (pid, y, m), (amount, _note) in self.reports.items():
                months[(pid, y)][m] = amount
            for r in ok:
                p = r.payload
                known = months[(p["project"], p["year"])]
                before = sum((a for mm, a in known.items() if mm < p["month"]), Decimal(0))
                amount = p["value"] - before
                if amount < 0:
                    r.error(
                        "累计完成投资（万元）",
                        self.raw(r, "cumulative"),
                        f"累计完成投资（{p['value']}万元）小于此前月份累计（{before}万元），请核实",
                    )
                    continue
                known[p["month"]] = amount
                p["value"] = amount
        running: dict[int, Decimal] = {}
        for r in ok:
            if r.action == ERROR:
                continue
            p = r.payload
            project = self.projects[p["project"]]
            label = "当月完成投资（万元）"
            # Months in the file replace the stored ones; the rest count as they are.
            running.setdefault(project.pk, self.sums[project.pk])
            old = self.reports.get(r.key)
            others = running[project.pk] - (old[0] if old else 0)
            try:
                services.check_report_total(p["value"], project.total_investment, others)
            except ValidationError as e:
                r.error(label, p["value"], e.messages[0])
                continue
            total = others + p["value"]
            running[project.pk] = total
            if old is None:
                r.action = CREATE
            elif old[0] == p["value"] and old[1] == p["note"]:
                r.action = UNCHANGED
            else:
                r.action = UPDATE
                r.changes = ["当月完成投资"] if old[0] != p["value"] else ["形象进度"]

    def commit_one(self, r: RowResult) -> None:
        p = r.payload
        project = Project.objects.get(pk=p["project"])
        services.do_submit_monthly_report(
            self.scope, project, year=p["year"], month=p["month"], amount=p["value"], note=p["note"]
        )

    def commit_bulk(self, rows: list[RowResult], progress) -> None:
        user = self.scope.user if getattr(self.scope.user, "pk", None) else None
        ids = sorted({r.payload["project"] for r in rows})
        projects = {
            p.pk: p
            for p in Project.objects.select_for_update()
            .select_related("division")
            .filter(pk__in=ids)
        }
        now = timezone.now()
        creates = [r for r in rows if r.action == CREATE]
        updates = [r for r in rows if r.action == UPDATE]
        done = 0
        for chunk in batched(creates, 2000):
            objs = [
                MonthlyReport(
                    project=projects[r.payload["project"]],
                    year=r.payload["year"],
                    month=r.payload["month"],
                    amount=r.payload["value"],
                    note=r.payload["note"],
                    reported_by=user,
                    reported_at=now,
                )
                for r in chunk
            ]
            MonthlyReport.objects.bulk_create(objs)
            insert_rows(
                AuditEntry,
                [
                    audit_entry(
                        user,
                        o,
                        AuditEntry.Action.CREATE,
                        after=_report_snapshot(o),
                        verb="月度投资报送",
                        division_path=o.project.division.path,
                        root=o.project,
                    )
                    for o in objs
                ],
            )
            done += len(chunk)
            progress(done, len(rows))
        for chunk in batched(updates, 2000):
            wanted = {
                (r.payload["project"], r.payload["year"], r.payload["month"]): r for r in chunk
            }
            objs = list(
                MonthlyReport.objects.filter(
                    project__in={k[0] for k in wanted},
                    year__in={k[1] for k in wanted},
                    month__in={k[2] for k in wanted},
                )
            )
            changed, entries = [], []
            for o in objs:
                r = wanted.get((o.project_id, o.year, o.month))
                if r is None:
                    continue
                o.project = projects[o.project_id]
                before = _report_snapshot(o)
                o.amount, o.note = r.payload["value"], r.payload["note"]
                o.reported_by, o.reported_at, o.corrections = user, now, o.corrections + 1
                changed.append(o)
                entries.append(
                    audit_entry(
                        user,
                        o,
                        AuditEntry.Action.UPDATE,
                        before=before,
                        after=_report_snapshot(o),
                        verb="更正月度投资",
                        division_path=o.project.division.path,
                        root=o.project,
                    )
                )
            MonthlyReport.objects.bulk_update(
                changed, ["amount", "note", "reported_by", "reported_at", "corrections"]
            )
            insert_rows(AuditEntry, entries)
            done += len(chunk)
            progress(done, len(rows))
        # In the import's transaction, as a single report's submission refreshes it.
        rollup.refresh_projects(ids, {r.payload["year"] for r in rows})


_REPORT_FIELDS = [
    "project",
    "year",
    "month",
    "amount",
    "note",
    "reported_by",
    "reported_at",
    "corrections",
]


def _report_snapshot(o: MonthlyReport) -> dict[str, Any]:
    """What audit.snapshot(o) gives, without a query per row for the project and user."""
    meta = MonthlyReport._meta
    return {str(meta.get_field(f).verbose_name): _plain(getattr(o, f)) for f in _REPORT_FIELDS}
