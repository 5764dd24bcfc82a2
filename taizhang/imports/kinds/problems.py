"""Enterprise problems (问题台账); natural key: the ledger's own problem number.

An imported problem enters the workflow as 待受理, like one registered on the web;
the sheet's number is kept in ImportedKey so a re-import finds it again. A number
the system gave (WQ2026-00012, as in an export) matches that problem directly.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.bulk import insert_rows
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise
from taizhang.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    Col,
    Importer,
    RowError,
    RowResult,
    norm,
    service_errors,
)
from taizhang.imports.models import ImportedKey
from taizhang.lib.credit_code import normalize as normalize_code
from taizhang.lib.names import did_you_mean
from taizhang.matters import services
from taizhang.matters.models import Kind, Matter, ProblemCategory, Source
from taizhang.matters.problems import NewProblem, clean_problem, insert_problems

SOURCES = {str(s.label): s.value for s in Source} | {s.value: s.value for s in Source}
_SYSTEM_NUMBER = re.compile(r"WQ(\d{4})-(\d+)")
# clean_problem's field names as the sheet's column headers, for row errors.
LABELS = {
    "enterprise": "企业名称",
    "category": "问题类别",
    "title": "问题标题",
    "description": "具体内容",
    "source": "问题来源",
    "raised_on": "提出日期",
}


class ProblemImporter(Importer):
    kind = "problems"
    label = "企业问题"
    key_label = "问题编号"
    key_columns = ("number",)
    columns = [
        Col("number", "问题编号", ("编号", "问题序号", "台账编号"), True, example="WT-2026-0001"),
        Col(
            "credit_code",
            "统一社会信用代码",
            ("信用代码", "社会信用代码"),
            example="91410603MA0000000X",
            width=22,
        ),
        Col(
            "enterprise",
            "企业名称",
            ("企业", "反映企业"),
            example="新拓洋生物工程有限公司",
            width=30,
        ),
        Col("category", "问题类别", ("类别", "问题类型"), True, example="用工"),
        Col(
            "title",
            "问题标题",
            ("问题", "问题简述", "诉求", "问题名称"),
            True,
            example="招工难",
            width=30,
        ),
        Col(
            "description",
            "具体内容",
            ("问题描述", "具体问题", "问题详情", "诉求内容"),
            example="缺少熟练技术工人30名",
            width=40,
        ),
        Col(
            "source",
            "问题来源",
            ("来源",),
            choices=tuple(str(s.label) for s in Source),
            example="走访",
        ),
        Col(
            "raised_on",
            "提出日期",
            ("反映时间", "提出时间", "收集日期", "反映日期"),
            example="2026-03-05",
        ),
        Col("raised_by_name", "提出人", ("反映人",), example="张三"),
    ]

    @classmethod
    def managed_lists(cls, scope: Scope) -> dict[str, list[str]]:
        active = ProblemCategory.objects.filter(active=True).order_by("pk")
        return {"category": list(active.values_list("name", flat=True))}

    def prepare(self, rows: list[RowResult]) -> None:
        self.today = timezone.localdate()
        mine = list(self.scope.filter(Enterprise.objects.select_related("division")))
        self.by_code = {e.credit_code: e for e in mine}
        self.by_name = {norm(e.name): e for e in mine}
        ids = {e.pk for e in mine}
        self.in_scope = lambda e: e.pk in ids
        self.categories = {norm(c.name): c for c in ProblemCategory.objects.filter(active=True)}
        self.keys = dict(ImportedKey.objects.filter(kind=self.kind).values_list("key", "object_id"))
        wanted = set(self.keys.values())
        for r in rows:
            m = _SYSTEM_NUMBER.fullmatch(norm(r.values.get("number")).upper())
            if m:
                wanted.add(int(m.group(2)))
        self.matters = {
            m.pk: m
            for m in Matter.objects.filter(pk__in=wanted, kind=Kind.ENTERPRISE_PROBLEM).only(
                "pk",
                "title",
                "description",
                "enterprise_id",
                "category_id",
                "raised_on",
                "division_id",
            )
        }

    def validate(self, r: RowResult) -> None:
        """Find the enterprise and category the cells name; the rules are clean_problem's.

        Every bad cell of the row is reported, not only the first.
        """
        number = norm(self.raw(r, "number")).upper()
        if not number:
            self.bad(r, "number", "", "请填写问题编号")
        r.key = number or None
        code = self.text(r, "credit_code")
        ent = None
        if code:
            ent = self.by_code.get(normalize_code(code))
            if ent is None:
                self.bad(r, "credit_code", code, f"企业「{code}」不存在或不在您的管辖范围内")
        elif norm(self.raw(r, "enterprise")):
            typed = norm(self.raw(r, "enterprise"))
            ent = self.by_name.get(typed)
            if ent is None:
                self.bad(
                    r,
                    "enterprise",
                    self.raw(r, "enterprise"),
                    "企业不存在或不在您的管辖范围内，请先导入企业"
                    + did_you_mean(typed, self.by_name),
                )
        else:
            self.bad(r, "enterprise", "", "请填写统一社会信用代码或企业名称")
        cat_name = norm(self.raw(r, "category"))
        category = self.categories.get(cat_name)
        if category is None:
            names = [c.name for c in self.categories.values()]
            self.bad(
                r,
                "category",
                self.raw(r, "category"),
                f"请填写问题类别，应为：{'、'.join(names)}"
                if not cat_name
                else f"问题类别「{cat_name}」无效，应为：{'、'.join(names)}{did_you_mean(cat_name, names)}",
            )
        title = self.text(r, "title", required=True)
        data = {
            "enterprise": ent,
            "category": category,
            "title": title,
            "description": self.text(r, "description"),
            "source": self.choice(r, "source", SOURCES),
            "raised_on": self.date(r, "raised_on"),
            "raised_by_name": self.text(r, "raised_by_name")[:60],
        }
        if ent is None or category is None or not number:
            return  # clean_problem needs both; the row's errors are recorded above
        r.label = f"{ent.name}：{data['title']}"
        try:
            p = clean_problem(self.scope, data, today=self.today, in_scope=self.in_scope)
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        if r.errors:
            return
        r.payload = p.as_data()
        title, description = p.title, p.description
        pk = self.keys.get(number)
        m = _SYSTEM_NUMBER.fullmatch(number)
        if pk is None and m:
            pk = int(m.group(2))
            if pk not in self.matters:
                raise RowError("问题编号", number, f"系统中没有编号为「{number}」的问题")
        existing = self.matters.get(pk) if pk is not None else None
        if existing is None:
            r.action = CREATE
            return
        same = (
            existing.title,
            existing.description,
            existing.enterprise_id,
            existing.category_id,
        ) == (title, description, ent.pk, category.pk)
        if not same:
            raise RowError(
                "问题编号",
                number,
                "该问题已在台账中且内容不同；已有问题的变更请在系统中办理，导入不修改已有问题",
            )
        r.action = UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        m = services.do_create_problem(self.scope, dict(r.payload))
        ImportedKey.objects.create(kind=self.kind, key=r.key, object_id=m.pk)

    def commit_bulk(self, rows: list[RowResult], progress) -> None:
        """The rows do_create_problem writes, in batches; imported history notifies nobody."""
        done = 0
        for matters in insert_problems(self.scope, (NewProblem(**r.payload) for r in rows)):
            chunk = rows[done : done + len(matters)]
            insert_rows(
                ImportedKey,
                [
                    {"kind": self.kind, "key": r.key, "object_id": m.pk}
                    for r, m in zip(chunk, matters, strict=True)
                ],
            )
            done += len(matters)
            progress(done, len(rows))
