"""The 专项债 ledger sheet (专项债项目台账): one row per project and year, upserted.

Each row goes through the same rules as the pages (bond_services.clean_amounts and
amounts_fit_status) in the preview, and through the do_* functions when written: a new row is
do_create_bond, a changed status do_change_bond_status (going back needs the 原因 column),
changed amounts do_update_bond.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.imports.kinds.base import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    Col,
    Importer,
    RowError,
    RowResult,
    norm,
)
from taizhang.projects import bond_services
from taizhang.projects.bonds import BondField, BondProject, BondStatus, bond_index
from taizhang.projects.models import Project

FIELDS = {norm(label): value for value, label in BondField.choices} | {
    v: v for v in BondField.values
}
STATUSES = {norm(label): value for value, label in BondStatus.choices} | {
    v: v for v in BondStatus.values
}
AMOUNT_KEYS = ("applied", "approved", "issued", "received")


class BondImporter(Importer):
    kind = "bonds"
    label = "专项债项目台账"
    key_label = "项目编号+年度"
    key_columns = ("code", "year")
    columns = [
        Col("code", "项目编号", ("编号", "项目代码"), True, example="ZXZ-2022-01"),
        Col("name", "项目名称", ("名称",), example="智慧科技产业园项目", width=30),
        Col("division", "所属区划", ("区划",), example=""),
        Col("year", "年度", ("年份", "申报年度"), True, example=2022),
        Col(
            "field",
            "专项债领域",
            ("领域", "投向领域"),
            True,
            choices=tuple(str(label) for _v, label in BondField.choices),
            example="市政和产业园区基础设施",
            width=22,
        ),
        Col(
            "status",
            "包装状态",
            ("状态", "进展"),
            choices=tuple(str(label) for _v, label in BondStatus.choices),
            example="入库",
        ),
        Col("date", "状态日期", ("日期", "变更日期"), example="2022-06-30"),
        Col("reason", "原因", ("状态回退原因",), example=""),
        Col(
            "applied", "拟申请专项债（万元）", ("拟申请专项债", "拟申请", "申请额度"), example=36000
        ),
        Col("approved", "获批额度（万元）", ("获批额度", "获批"), example=0),
        Col("issued", "已发行（万元）", ("已发行", "发行"), example=0),
        Col("received", "资金到位（万元）", ("资金到位", "到位"), example=0),
        Col("note", "备注", (), example="", width=24),
    ]

    def prepare(self, rows: list[RowResult]) -> None:
        self.today = timezone.localdate()
        self.by_code: dict[str, list[Project]] = defaultdict(list)
        for p in self.scope.filter(Project.objects.all()).select_related("division"):
            self.by_code[norm(p.code).upper()].append(p)
        self.existing = {
            (b.project_id, b.year): b for b in self.scope.filter(BondProject.objects.all())
        }

    def validate(self, r: RowResult) -> None:
        code = norm(self.raw(r, "code")).upper()
        if not code:
            raise RowError("项目编号", "", "请填写项目编号")
        found = self.by_code.get(code, [])
        ref = norm(self.raw(r, "division"))
        if ref:
            found = [p for p in found if ref in (norm(p.division.code), norm(p.division.name))]
        if not found:
            raise RowError(
                "项目编号", self.raw(r, "code"), f"项目编号「{code}」不存在或不在您的管辖范围内"
            )
        if len(found) > 1:
            raise RowError("项目编号", code, f"项目编号「{code}」在多个区划中存在，请填写所属区划")
        project = found[0]
        r.label = project.name
        year = self.integer(r, "year", 2000, self.today.year + 1, required=True)
        field = self.choice(r, "field", FIELDS, required=True)
        status = self.choice(r, "status", STATUSES)
        day = self.date(r, "date")
        if day is not None and day > self.today:
            self.bad(r, "date", self.raw(r, "date"), "状态日期不能晚于今天")
        amounts = {k: self.amount(r, k) for k in AMOUNT_KEYS}
        if r.action == ERROR:
            return
        old = self.existing.get((project.pk, year))
        status = status or (old.status if old else BondStatus.PLANNING)
        given = {k: v for k, v in amounts.items() if v is not None}
        try:
            clean = bond_services.clean_amounts(given, project, old)
        except ValidationError as e:
            for key, messages in e.message_dict.items():
                for m in messages:
                    self.bad(r, key, self.raw(r, key), m)
            return
        for key, messages in bond_services.amounts_fit_status(status, clean).items():
            self.bad(r, key, self.raw(r, key), messages[0])
        reason = self.text(r, "reason", max_len=300)
        if old is not None and bond_index(status) < bond_index(old.status) and not reason:
            self.bad(r, "status", self.raw(r, "status"), "状态回退必须在「原因」列说明")
        if r.action == ERROR:
            return
        r.key = (project.pk, year)
        note = self.text(r, "note", max_len=300)
        r.payload = {
            "project": project.pk,
            "year": year,
            "field": field,
            "status": status,
            "date": day or self.today,
            "reason": reason,
            "amounts": clean,
            "note": note if self.raw(r, "note") is not None else (old.note if old else ""),
        }
        if old is None:
            r.action = CREATE
            return
        changes = []
        if old.status != status:
            changes.append("包装状态")
        if old.field != field:
            changes.append("专项债领域")
        changes += [self.col(k).label for k in AMOUNT_KEYS if getattr(old, k) != clean[k]]
        if old.note != r.payload["note"]:
            changes.append("备注")
        r.action, r.changes = (UPDATE, changes) if changes else (UNCHANGED, [])

    def commit_one(self, r: RowResult) -> None:
        p = r.payload
        project = Project.objects.get(pk=p["project"])
        bond = BondProject.objects.filter(project=project, year=p["year"]).first()
        if bond is None:
            bond_services.do_create_bond(
                self.scope,
                project,
                year=p["year"],
                field=p["field"],
                status=p["status"],
                date=p["date"],
                amounts=p["amounts"],
                note=p["note"],
            )
            return
        # Amounts shrink before the status goes back, grow after it goes forward.
        going_back = bond_index(p["status"]) < bond_index(bond.status)
        data = {"field": p["field"], "note": p["note"], **p["amounts"]}
        if going_back:
            bond = bond_services.do_update_bond(self.scope, bond, data, expected_version=None)
        if bond.status != p["status"]:
            bond_services.do_change_bond_status(
                self.scope,
                bond,
                p["status"],
                date=p["date"],
                reason=p["reason"] or ("按导入台账跨状态更新" if not going_back else ""),
            )
        if not going_back:
            bond_services.do_update_bond(self.scope, bond, data, expected_version=None)
