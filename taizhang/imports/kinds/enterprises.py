"""Enterprises (natural key: 统一社会信用代码) and liaison assignments (包联)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from taizhang.core.scope import Scope
from taizhang.enterprises import services
from taizhang.enterprises.models import Category, Enterprise, Liaison
from taizhang.imports.kinds.base import (
    CREATE,
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
from taizhang.lib.credit_code import normalize as normalize_code
from taizhang.projects.models import IndustryChain, Project

CATEGORIES = (
    {str(c.label): c.value for c in Category}
    | {c.value: c.value for c in Category}
    | {
        "非四上": "",
        "否": "",
        "无": "",
    }
)
ENTERPRISE_LABELS = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "division": "所属区划",
    "park": "所在园区",
    "industry_chain": "产业链",
    "category": "四上类别",
}


class EnterpriseImporter(Importer):
    kind = "enterprises"
    label = "企业"
    key_label = "统一社会信用代码"
    key_columns = ("credit_code",)
    columns = [
        Col(
            "name",
            "企业名称",
            ("名称", "企业全称"),
            True,
            example="新拓洋生物工程有限公司",
            width=30,
        ),
        Col(
            "credit_code",
            "统一社会信用代码",
            ("信用代码", "社会信用代码", "统一信用代码"),
            True,
            example="91410603MA0000000X",
            width=22,
        ),
        Col("division", "所属区划", ("区划", "所在乡镇", "所属乡镇"), example="山城区"),
        Col("park", "所在园区", ("园区", "所属园区"), example=""),
        Col("chain", "产业链", ("所属产业链",), example=""),
        Col(
            "category",
            "四上类别",
            ("四上企业类别", "企业类别"),
            choices=(*[str(c.label) for c in Category], "非四上"),
            example="规上工业",
        ),
        Col("legal_rep", "法定代表人", ("法人", "法人代表"), example="张三"),
        Col("contact", "联系人", (), example="李四"),
        Col("phone", "联系电话", ("电话", "手机"), example="0392-1234567"),
        Col("address", "地址", ("企业地址", "注册地址"), example="山城区红旗街道", width=30),
    ]

    @classmethod
    def managed_lists(cls, scope: Scope) -> dict[str, list[str]]:
        return {
            "chain": list(IndustryChain.objects.order_by("name").values_list("name", flat=True))
        }

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        self.chains = {norm(c.name): c for c in IndustryChain.objects.all()}
        self.existing = {e.credit_code: e for e in Enterprise.objects.select_related("division")}

    def validate(self, r: RowResult) -> None:
        raw_code = self.text(r, "credit_code", required=True)
        code = normalize_code(raw_code)
        r.key = code
        name = self.text(r, "name", required=True, max_len=120)
        r.label = name
        existing = self.existing.get(code)
        if existing is not None and not self.scope.contains(existing):
            raise RowError(
                "统一社会信用代码", raw_code, f"企业「{existing.name}」不在您的管辖范围内"
            )
        division = self.refs.division(
            "所属区划",
            self.raw(r, "division"),
            existing.division if existing else self.scope.division,
        )
        data: dict[str, Any] = {"name": name, "credit_code": code, "division": division}
        if norm(self.raw(r, "park")):
            data["park"] = self.refs.unit("所在园区", self.raw(r, "park"), division)
        if norm(self.raw(r, "chain")):
            chain = self.chains.get(norm(self.raw(r, "chain")))
            if chain is None:
                raise RowError(
                    "产业链", self.raw(r, "chain"), f"产业链「{norm(self.raw(r, 'chain'))}」不存在"
                )
            data["industry_chain"] = chain
        if "category" in self.mapped or existing is None:
            data["category"] = self.choice(r, "category", CATEGORIES) or ""
        for key in ("legal_rep", "contact", "phone", "address"):
            if key in self.mapped or existing is None:
                data[key] = self.text(r, key)
        try:
            clean = services.clean_enterprise(self.scope, data, existing)
        except ValidationError as e:
            service_errors(r, e, ENTERPRISE_LABELS)
            return
        r.payload = data
        if existing is None:
            r.action = CREATE
            return
        r.changes = [ENTERPRISE_LABELS.get(k, k) for k in data if getattr(existing, k) != clean[k]]
        r.action = UPDATE if r.changes else UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        if r.action == CREATE:
            services.do_create_enterprise(self.scope, dict(r.payload))
        else:
            e = Enterprise.objects.get(credit_code=r.key)
            services.do_update_enterprise(
                self.scope, e, dict(r.payload), expected_version=e.version
            )


ROLES = (
    {str(x.label): x.value for x in Liaison.Role}
    | {x.value: x.value for x in Liaison.Role}
    | {
        "包联": Liaison.Role.CADRE,
        "干部": Liaison.Role.CADRE,
        "领导": Liaison.Role.LEADER,
    }
)


class LiaisonImporter(Importer):
    kind = "liaisons"
    label = "包联关系"
    key_label = "包联人+包联对象+开始日期"
    key_columns = ("person", "credit_code", "enterprise", "project", "start")
    columns = [
        Col(
            "person",
            "包联人",
            ("姓名", "包联人姓名", "包联干部", "包联领导"),
            True,
            example="王区长",
        ),
        Col(
            "role",
            "包联身份",
            ("身份", "包联类型"),
            True,
            choices=tuple(str(x.label) for x in Liaison.Role),
            example="包联领导",
        ),
        Col(
            "credit_code",
            "统一社会信用代码",
            ("信用代码", "社会信用代码"),
            example="91410603MA0000000X",
            width=22,
        ),
        Col("enterprise", "企业名称", ("包联企业",), example="新拓洋生物工程有限公司", width=30),
        Col("project", "项目编号", ("包联项目编号",), example=""),
        Col("start", "开始日期", ("包联开始日期", "起始日期"), True, example="2026-01-01"),
        Col("end", "结束日期", ("包联结束日期",), example=""),
        Col("note", "备注", (), example=""),
    ]

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        mine = self.scope.filter(Enterprise.objects.select_related("division"))
        self.by_code = {e.credit_code: e for e in mine}
        self.by_name = {norm(e.name): e for e in mine}
        self.projects = {
            norm(p.code): p for p in self.scope.filter(Project.objects.select_related("division"))
        }
        self.existing = {
            (x.person_id, x.role, x.enterprise_id, x.project_id, x.start): x
            for x in Liaison.objects.all()
        }

    def validate(self, r: RowResult) -> None:
        code = normalize_code(self.text(r, "credit_code")) if self.text(r, "credit_code") else ""
        ent = proj = None
        if code:
            ent = self.by_code.get(code)
            if ent is None:
                raise RowError(
                    "统一社会信用代码",
                    self.raw(r, "credit_code"),
                    f"企业「{code}」不存在或不在您的管辖范围内",
                )
        elif norm(self.raw(r, "enterprise")):
            ent = self.by_name.get(norm(self.raw(r, "enterprise")))
            if ent is None:
                raise RowError(
                    "企业名称", self.raw(r, "enterprise"), "企业不存在或不在您的管辖范围内"
                )
        if norm(self.raw(r, "project")):
            proj = self.projects.get(norm(self.raw(r, "project")))
            if proj is None:
                raise RowError("项目编号", self.raw(r, "project"), "项目不存在或不在您的管辖范围内")
        if (ent is None) == (proj is None):
            raise RowError(
                "企业名称",
                self.raw(r, "enterprise"),
                "包联对象应为一家企业或一个项目（填写信用代码/企业名称，或项目编号）",
            )
        target = ent or proj
        person = self.refs.person("包联人", self.raw(r, "person"), target.division)
        if person is None:
            raise RowError("包联人", "", "请填写包联人")
        role = self.choice(r, "role", ROLES, required=True)
        start = self.date(r, "start", required=True)
        end = self.date(r, "end")
        if end and end < start:
            raise RowError("结束日期", self.raw(r, "end"), "结束日期不能早于开始日期")
        r.label = f"{person.name} → {target}"
        r.key = (person.pk, role, ent.pk if ent else None, proj.pk if proj else None, start)
        r.payload = {
            "person": person,
            "role": role,
            "start": start,
            "end": end,
            "enterprise": ent,
            "project": proj,
            "note": self.text(r, "note")[:200],
        }
        old = self.existing.get(r.key)
        if old is None:
            r.action = CREATE
        elif end and old.end != end:
            r.action, r.changes = UPDATE, ["结束日期"]
        else:
            r.action = UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        if r.action == CREATE:
            services.do_add_liaison(self.scope, **r.payload)
        else:
            p = r.payload
            old = Liaison.objects.get(
                person=p["person"],
                role=p["role"],
                enterprise=p["enterprise"],
                project=p["project"],
                start=p["start"],
            )
            services.do_end_liaison(self.scope, old, end=p["end"])
