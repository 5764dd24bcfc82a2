"""会议议定事项台账 (one row a decision); rows of the same 会议日期 + 会议名称 form one meeting.

Offices keep the 议定事项 of their weekly 推进会 in a sheet like this. Each row is checked on
its own (units, dates, the task rules through tasks.services.clean_task_data), then each
meeting as a whole through meetings.services.clean_meeting; the import writes each meeting
with do_create_meeting (its decisions become supervision tasks), all in the import's one
transaction. A meeting already imported (same district, date and name) is left unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from taizhang.core.divisions import district_of
from taizhang.core.errors import messages_of
from taizhang.imports.kinds.base import (
    CREATE,
    ERROR,
    UNCHANGED,
    Col,
    Importer,
    Refs,
    RowError,
    RowResult,
    norm,
)
from taizhang.meetings import services
from taizhang.meetings.models import Meeting, MeetingKind

KIND_LABELS = tuple(str(k.label) for k in MeetingKind)
LABELS = {
    "text": "议定事项",
    "lead_unit": "责任单位",
    "co_units": "配合单位",
    "deadline": "完成时限",
    "leader": "责任领导",
    "chair": "主持人",
    "date": "会议日期",
    "kind": "会议类型",
    "title": "会议名称",
    "division": "所属区划",
}


def _split(text: str) -> list[str]:
    for sep in ("，", ",", "；", ";"):
        text = text.replace(sep, "、")
    return [t.strip() for t in text.split("、") if t.strip()]


class MeetingImporter(Importer):
    kind = "meetings"
    label = "会议议定事项"
    key_label = "会议及议定事项"
    key_columns = ("date", "title", "text")
    columns = [
        Col("date", "会议日期", ("日期", "开会日期"), True, example="2022-03-03", width=12),
        Col("title", "会议名称", ("会议",), True, example="工业园区专班重点产业项目推进会", width=28),
        Col("kind", "会议类型", ("类型",), choices=KIND_LABELS, example="重点产业项目推进会"),
        Col("chair", "主持人", ("主持", "主持领导"), True, example="陈立新"),
        Col("place", "会议地点", ("地点",), example="区行政服务中心三楼会议室", width=20),
        Col("text", "议定事项", ("议定事项内容", "会议议定事项", "事项"), True,
            example="协调耀中纸业技改项目用电增容", width=40),
        Col("lead_unit", "责任单位", ("牵头单位", "主办单位"), True, example="区发展和改革委员会", width=22),
        Col("co_units", "配合单位", ("协办单位",), example="湛河区工业园区管委会", width=22),
        Col("deadline", "完成时限", ("时限", "办结时限"), True, example="2022-03-31", width=12),
    ]  # fmt: skip

    def prepare(self, rows: list[RowResult]) -> None:
        self.refs = Refs(self.scope)
        self.home = self.scope.division
        self.today = timezone.localdate()

    def validate(self, r: RowResult) -> None:
        if not self.scope.can_manage:
            raise RowError("会议名称", "", "只有督查室可以导入会议议定事项")
        day = self.date(r, "date", required=True)
        title = self.text(r, "title", required=True, max_len=120)
        text = self.text(r, "text", required=True, max_len=2000)
        r.label = f"{title}：{text[:30]}"
        if day is None:
            return
        if day > self.today:
            raise RowError("会议日期", day, "会议日期不能晚于今天")
        kind_text = norm(self.raw(r, "kind")) or str(MeetingKind.PROGRESS.label)
        if kind_text not in services.KIND_BY_LABEL:
            raise RowError("会议类型", kind_text, f"会议类型应为{'、'.join(KIND_LABELS)}")
        lead = self.refs.unit("责任单位", self.raw(r, "lead_unit"), self.home)
        near = self.home or district_of(lead.division)
        co = [self.refs.unit("配合单位", n, near) for n in _split(self.text(r, "co_units"))]
        chair = self.refs.person("主持人", self.raw(r, "chair"), near)
        if chair is None:
            raise RowError("主持人", "", "请填写主持人")
        r.key = (day, norm(title), norm(text))
        r.payload = {
            "meeting": (near.pk, day, norm(title)),
            "division": near,
            "date": day,
            "title": title,
            "kind": services.KIND_BY_LABEL[kind_text],
            "chair": chair,
            "place": self.text(r, "place", max_len=120),
            "decision": {
                "text": text,
                "lead_unit": lead,
                "co_units": co,
                "deadline": self.date(r, "deadline", required=True),
            },
        }
        r.action = CREATE

    def finish(self, rows: list[RowResult]) -> None:
        """Group the rows into meetings and check each meeting as a whole."""
        groups: dict[Any, list[RowResult]] = {}
        for r in rows:
            if r.action == CREATE:
                groups.setdefault(r.payload["meeting"], []).append(r)
        for (division_pk, day, _title), group in groups.items():
            first = group[0].payload
            done = Meeting.objects.filter(division_id=division_pk, date=day, title=first["title"])
            if done.exists():
                for r in group:
                    r.action = UNCHANGED
                continue
            data = {k: first[k] for k in ("division", "date", "title", "kind", "chair", "place")}
            data["decisions"] = [r.payload["decision"] for r in group]
            try:
                services.clean_meeting(self.scope, data)
            except ValidationError as e:
                for key, msgs in messages_of(e).items():
                    parts = key.split(".")
                    at = (
                        group[int(parts[1])]
                        if parts[0] == "decisions" and len(parts) > 1
                        else group[0]
                    )
                    column = LABELS.get(parts[-1], "")
                    for m in msgs:
                        at.error(column, at.values.get(parts[-1], ""), m)
                # A meeting is written whole or not at all: its other rows wait too.
                for r in group:
                    if r.action != ERROR:
                        r.error(
                            "会议名称", first["title"], "同一会议的其他行有错误，本会议整体未导入"
                        )
                continue
            group[0].payload["whole"] = data
            for r in group[1:]:
                r.payload["whole"] = None

    def commit_one(self, r: RowResult) -> None:
        # The first row of a meeting writes it with all its decisions; the others ride along.
        if r.payload.get("whole"):
            services.do_create_meeting(self.scope, dict(r.payload["whole"]))
