"""Petition ledgers (信访台账) kept in Excel; natural key: the sheet's own number (信访编号).

Each row is registered through petitions.services.do_register_petition (the same
clean_petition as the web form and the API); a row with a 受理日期 is also accepted on that
day, and with a 承办单位 assigned to it (with its 包案领导, if named). A re-import finds the
number in ImportedKey and changes nothing: later steps go through the workflow.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.divisions import require_within
from taizhang.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    Col,
    Importer,
    Refs,
    RowError,
    RowResult,
    norm,
    service_errors,
)
from taizhang.imports.models import ImportedKey
from taizhang.matters.models import Matter
from taizhang.petitions import services
from taizhang.petitions.models import Category, Channel

LABELS = {
    "title": "信访事项",
    "content": "信访内容",
    "raised_on": "登记日期",
    "channel": "信访渠道",
    "category": "信访类别",
    "petitioner_name": "信访人",
    "petitioner_phone": "联系电话",
    "petitioner_id_number": "身份证号",
    "people_count": "来访人数",
    "division": "所属区划",
    "leader": "包案领导",
    "lead_unit": "承办单位",
}
YES = {"是": True, "√": True, "Y": True, "y": True, "1": True, "否": False, "N": False, "0": False}
FLAGS = (
    ("is_repeat", "重复访"),
    ("is_collective", "集体访"),
    ("is_skip_level", "越级访"),
    ("is_key", "疑难重点"),
)


class PetitionImporter(Importer):
    kind = "petitions"
    label = "信访件"
    key_label = "信访编号"
    key_columns = ("number",)
    columns = [
        Col("number", "信访编号", ("编号", "序号", "件号"), True, example="XF2022-001"),
        Col(
            "title",
            "信访事项",
            ("事项", "反映问题", "标题"),
            True,
            example="反映某村低保评定不公",
            width=30,
        ),
        Col("content", "信访内容", ("内容", "主要诉求"), width=30),
        Col("raised_on", "登记日期", ("收件日期", "来信来访日期"), True, example="2022-03-01"),
        Col(
            "channel",
            "信访渠道",
            ("渠道", "信访方式"),
            True,
            choices=tuple(str(c.label) for c in Channel),
            example="来访",
        ),
        Col(
            "category",
            "信访类别",
            ("类别",),
            choices=tuple(str(c.label) for c in Category),
            example="检举控告",
        ),
        Col("petitioner_name", "信访人", ("姓名", "信访人姓名"), example="张某"),
        Col("petitioner_phone", "联系电话", ("电话", "手机号"), example="13812345678"),
        Col("petitioner_id_number", "身份证号", ("身份证", "证件号码"), width=20),
        Col("people_count", "来访人数", ("人数", "接待人次"), example="1", width=8),
        Col("is_repeat", "重复访", (), choices=("是", "否"), width=8),
        Col("is_collective", "集体访", (), choices=("是", "否"), width=8),
        Col("is_skip_level", "越级访", (), choices=("是", "否"), width=8),
        Col("is_key", "疑难重点", ("疑难", "重点"), choices=("是", "否"), width=8),
        Col("accepted_on", "受理日期", (), example="2022-03-03"),
        Col("lead_unit", "承办单位", ("责任单位", "主办单位"), width=20),
        Col("leader", "包案领导", ("包案", "责任领导"), width=10),
    ]

    @classmethod
    def managed_lists(cls, scope):
        return {"lead_unit": cls.unit_names(scope)}

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        self.home = self.scope.division
        self.keys = dict(ImportedKey.objects.filter(kind=self.kind).values_list("key", "object_id"))
        self.titles = dict(
            Matter.objects.filter(pk__in=self.keys.values()).values_list("pk", "title")
        )
        self.today = timezone.localdate()

    def validate(self, r: RowResult) -> None:
        number = norm(self.raw(r, "number"))
        if not number:
            raise RowError("信访编号", "", "请填写信访编号")
        r.key = number
        title = self.text(r, "title", required=True, max_len=120)
        r.label = title
        if not self.scope.can_manage:
            raise RowError("信访编号", number, "只有督查室可以导入信访件")
        data = {
            "division": self.home,
            "title": title,
            "content": self.text(r, "content"),
            "raised_on": self.date(r, "raised_on", required=True),
            "channel": norm(self.raw(r, "channel")),
            "category": norm(self.raw(r, "category")),
            "petitioner_name": self.text(r, "petitioner_name"),
            "petitioner_phone": norm(self.raw(r, "petitioner_phone")),
            "petitioner_id_number": norm(self.raw(r, "petitioner_id_number")),
            "people_count": norm(self.raw(r, "people_count")) or 1,
        }
        for key, _label in FLAGS:
            data[key] = bool(self.choice(r, key, YES))
        accepted = self.date(r, "accepted_on")
        unit_raw, leader_raw = self.raw(r, "lead_unit"), self.raw(r, "leader")
        unit = self.refs.unit("承办单位", unit_raw, self.home) if norm(unit_raw) else None
        leader = self.refs.person("包案领导", leader_raw, self.home) if norm(leader_raw) else None
        try:
            cleaned = services.clean_petition(self.scope, data)
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        raised = cleaned["raised_on"]
        division = cleaned["division"]
        if accepted is not None and not raised <= accepted <= self.today:
            raise RowError("受理日期", accepted, "受理日期应在登记日期和今天之间")
        if (unit or leader) and accepted is None:
            raise RowError("受理日期", "", "填写承办单位或包案领导时，请同时填写受理日期")
        if leader is not None and unit is None:
            raise RowError("承办单位", "", "填写包案领导时，请同时填写承办单位")
        try:
            if unit is not None:
                require_within(division, unit, "lead_unit", "承办单位")
            if leader is not None:
                require_within(division, leader, "leader", "包案领导")
                if not leader.is_leader:
                    raise RowError("包案领导", leader.name, "包案领导应为领导班子成员")
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        r.payload = {
            **data,
            "division": division,
            "accepted_on": accepted,
            "unit": unit,
            "leader": leader,
        }
        pk = self.keys.get(number)
        if pk is None:
            r.action = CREATE
            return
        if self.titles.get(pk) != title:
            raise RowError(
                "信访编号", number, "该编号的信访件已导入且事项不同；导入不修改已有信访件"
            )
        r.action = UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        p = dict(r.payload)
        accepted, unit, leader = p.pop("accepted_on"), p.pop("unit"), p.pop("leader")
        m = services.do_register_petition(self.scope, p)
        if accepted is not None:
            m = services.do_accept_petition(
                self.scope, m, expected_version=m.version, date=accepted
            ).matter
            if unit is not None:
                services.do_assign_petition(
                    self.scope,
                    m,
                    lead_unit=unit,
                    leader=leader,
                    expected_version=m.version,
                    date=accepted,
                )
        ImportedKey.objects.create(kind=self.kind, key=r.key, object_id=m.pk)
