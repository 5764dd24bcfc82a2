"""Supervision tasks (督办任务分解表); natural key: the sheet's own task number.

Each row becomes a task through tasks.services.do_create_task, exactly as a row
published from a work-report draft: already assigned to its lead unit. The sheet's
number is kept in ImportedKey so a re-import finds the task again; an existing task
is never changed by an import (changes go through the workflow).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.divisions import district_of
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
from taizhang.matters.models import Kind, Matter
from taizhang.tasks import services
from taizhang.tasks.models import Cycle, TaskSource

SOURCES = [
    str(s.label) for s in TaskSource if s not in (TaskSource.SUGGESTION, TaskSource.PROPOSAL)
]
LABELS = {
    "title": "任务名称",
    "task_source": "任务来源",
    "lead_unit": "牵头单位",
    "co_units": "配合单位",
    "leader": "责任领导",
    "deadline": "完成时限",
    "target_value": "目标值",
    "comparator": "比较方式",
    "cycle": "报送周期",
    "due_day": "报送截止日",
    "year": "年度",
    "division": "所属区划",
}


class TaskImporter(Importer):
    kind = "tasks"
    label = "督办任务"
    key_label = "任务编号"
    key_columns = ("number",)
    columns = [
        Col("number", "任务编号", ("编号", "序号", "任务序号"), True, example="2024-01"),
        Col(
            "title",
            "任务名称",
            ("任务", "目标任务", "工作任务", "任务内容"),
            True,
            example="城镇新增就业3760人以上",
            width=34,
        ),
        Col("task_source", "任务来源", ("来源",), choices=tuple(SOURCES), example="政府工作报告"),
        Col(
            "lead_unit",
            "牵头单位",
            ("责任单位", "主办单位"),
            True,
            example="区人力资源和社会保障局",
            width=22,
        ),  # fmt: skip
        Col(
            "co_units", "配合单位", ("协办单位", "配合部门"), example="区财政局、区商务局", width=24
        ),  # fmt: skip
        Col("leader", "责任领导", ("分管领导", "包联领导"), example="王建国"),
        Col("deadline", "完成时限", ("时限", "完成时间"), example="2024-12-31"),
        Col("target_value", "目标值", ("目标", "指标值"), example="3760"),
        Col("target_unit", "计量单位", ("单位",), example="人", width=8),
        Col(
            "comparator", "比较方式", ("比较",), choices=("≥", ">", "=", "≈", "≤", "<"), example="≥"
        ),
        Col(
            "cycle",
            "报送周期",
            ("周期",),
            choices=tuple(str(c.label) for c in Cycle),
            example="每月",
        ),
        Col("due_day", "报送截止日", ("报送日", "每月报送日"), example="25", width=10),
        Col("year", "年度", (), example="2024", width=8),
        Col("description", "具体内容", ("工作要求", "备注"), width=30),
    ]

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
            raise RowError("任务编号", "", "请填写任务编号")
        r.key = number
        title = self.text(r, "title", required=True, max_len=120)
        r.label = title
        if not self.scope.can_manage:
            raise RowError("任务编号", number, "只有督查室可以导入督办任务")
        lead = self.refs.unit("牵头单位", self.raw(r, "lead_unit"), self.home)
        co_raw = self.text(r, "co_units")
        co = [
            self.refs.unit("配合单位", name, self.home)
            for name in co_raw.replace("，", "、")
            .replace(",", "、")
            .replace("；", "、")
            .split("、")
            if name.strip()
        ]
        leader = self.refs.person("责任领导", self.raw(r, "leader"), self.home)
        year = self.integer(r, "year", 2000, 2100)
        deadline = self.date(r, "deadline")
        data = {
            "division": self.home or district_of(lead.division),
            "title": title,
            "description": self.text(r, "description"),
            "task_source": norm(self.raw(r, "task_source")) or TaskSource.WORK_REPORT,
            "lead_unit": lead,
            "co_units": co,
            "leader": leader,
            "deadline": deadline,
            "year": year or (deadline.year if deadline else self.today.year),
            "target_value": self.text(r, "target_value"),
            "target_unit": self.text(r, "target_unit"),
            "comparator": self.text(r, "comparator"),
            "cycle": norm(self.raw(r, "cycle")) or Cycle.MONTHLY,
            "due_day": self.text(r, "due_day") or 25,
        }
        try:
            services.clean_task_data(self.scope, data, Kind.SUPERVISION_TASK)
        except ValidationError as e:
            service_errors(r, e, LABELS)
            return
        r.payload = data
        pk = self.keys.get(number)
        if pk is None:
            r.action = CREATE
            return
        if self.titles.get(pk) != title:
            raise RowError(
                "任务编号",
                number,
                "该编号的任务已导入且名称不同；已有任务的变更请在系统中办理，导入不修改已有任务",
            )
        r.action = UNCHANGED

    def commit_one(self, r: RowResult) -> None:
        m = services.do_create_task(self.scope, dict(r.payload))
        ImportedKey.objects.create(kind=self.kind, key=r.key, object_id=m.pk)
