"""政务服务办件 (the service hall's monthly export); natural key: the hall's 办件编号.

Each row passes services.cases.clean_case (the same check as the office's correction form);
all valid rows are then upserted by services.cases.do_import_cases in the import's one
transaction: a new number is inserted, a known one updated where its cells changed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from taizhang.core.divisions import district_of
from taizhang.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Col,
    Importer,
    Refs,
    RowResult,
    norm,
    service_errors,
)
from taizhang.services.cases import FIELDS, clean_case, do_import_cases
from taizhang.services.models import Evaluation, ServiceCase

LABELS = {
    "number": "办件编号",
    "item": "事项名称",
    "unit": "办理单位",
    "accepted_on": "受理日期",
    "limit_workdays": "承诺时限（工作日）",
    "finished_on": "办结日期",
    "evaluation": "评价",
    "applicant": "申请人",
}
FIELD_LABELS = {
    "item": "事项名称",
    "unit": "办理单位",
    "accepted_on": "受理日期",
    "limit_workdays": "承诺时限",
    "finished_on": "办结日期",
    "evaluation": "评价",
    "applicant": "申请人",
}


class ServiceCaseImporter(Importer):
    kind = "service_cases"
    label = "政务服务办件"
    key_label = "办件编号"
    key_columns = ("number",)
    columns = [
        Col(
            "number",
            "办件编号",
            ("受理编号", "办件号", "申报号", "业务流水号"),
            True,
            example="ZH2022010001",
            width=18,
        ),  # fmt: skip
        Col(
            "item",
            "事项名称",
            ("办理事项", "服务事项", "许可事项"),
            True,
            example="食品经营许可",
            width=28,
        ),  # fmt: skip
        Col(
            "unit",
            "办理单位",
            ("实施部门", "受理部门", "承办单位"),
            True,
            example="区市场监督管理局",
            width=22,
        ),  # fmt: skip
        Col("accepted_on", "受理日期", ("受理时间",), True, example="2022-01-05"),
        Col(
            "limit_workdays",
            "承诺时限（工作日）",
            ("承诺时限", "承诺办结时限", "时限"),
            True,
            example="5",
            width=10,
        ),  # fmt: skip
        Col("finished_on", "办结日期", ("办结时间",), example="2022-01-10"),
        Col(
            "evaluation",
            "评价",
            ("评价结果", "好差评", "满意度"),
            choices=tuple(str(e.label) for e in Evaluation),
            example="满意",
        ),  # fmt: skip
        Col("applicant", "申请人", ("申请单位", "申请人名称"), width=20),
    ]

    @classmethod
    def managed_lists(cls, scope: Any) -> dict[str, list[str]]:
        return {"unit": cls.unit_names(scope)}

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        numbers = [norm(self.raw(r, "number")) for r in rows]
        self.existing = {
            (c.division_id, c.number): c
            for c in ServiceCase.objects.filter(number__in=[n for n in numbers if n])
        }

    def validate(self, r: RowResult) -> None:
        number = norm(self.raw(r, "number"))
        r.key = number or None
        r.label = f"{number} {self.text(r, 'item')}".strip()
        unit = self.refs.unit("办理单位", self.raw(r, "unit"), self.scope.division)
        data = {
            "number": number,
            "item": self.text(r, "item"),
            "unit": unit,
            "accepted_on": self.date(r, "accepted_on", required=True),
            "limit_workdays": self.integer(r, "limit_workdays", 0, 365, required=True),
            "finished_on": self.date(r, "finished_on"),
            "evaluation": norm(self.raw(r, "evaluation")),
            "applicant": self.text(r, "applicant"),
        }
        if r.errors:
            return
        try:
            c = clean_case(self.scope, data)
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        r.payload = c
        case = self.existing.get((district_of(unit.division).pk, number))
        if case is None:
            r.action = CREATE
            return
        changed = [f for f in FIELDS if getattr(case, f) != c[f]]
        r.action = UPDATE if changed else UNCHANGED
        r.changes = [FIELD_LABELS[f] for f in changed]

    def commit_one(self, r: RowResult) -> None:
        do_import_cases(self.scope, [r.payload])

    def commit_bulk(self, rows: list[RowResult], progress) -> None:
        do_import_cases(self.scope, [r.payload for r in rows])
        progress(len(rows), len(rows))
