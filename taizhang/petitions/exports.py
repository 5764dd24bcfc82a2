"""The petition ledger through the one export renderer: petitioner masked unless the office
asks for 含个人信息 (the view decides who may, and audits that export as such)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, each
from taizhang.matters.models import Matter
from taizhang.petitions import rules

COLUMNS = [
    Column("编号", "text", 14),
    Column("信访事项", "text", 36),
    Column("信访人", "text", 10),
    Column("联系电话", "text", 14),
    Column("身份证号", "text", 20),
    Column("信访渠道", "text", 10),
    Column("信访类别", "text", 10),
    Column("标记", "text", 18),
    Column("来访人数", "number", 8),
    Column("登记日期", "date", 12),
    Column("受理日期", "date", 12),
    Column("承办单位", "text", 18),
    Column("包案领导", "text", 10),
    Column("办理时限", "date", 12),
    Column("答复日期", "date", 12),
    Column("评价", "text", 8),
    Column("化解日期", "date", 12),
    Column("调解结果", "text", 10),
    Column("状态", "text", 8),
    Column("亮灯", "text", 6),
]


def petition_row(m: Matter, *, personal: bool, label: Labels | None = None) -> list[Any]:
    label = label or Labels()
    d = m.petition
    name, phone, idn = d.petitioner_name, d.petitioner_phone, d.petitioner_id_number
    if not personal:
        name, phone, idn = rules.mask_name(name), rules.mask_phone(phone), rules.mask_id(idn)
    light = getattr(m, "light", None)
    return [
        m.number,
        m.title,
        name or "匿名",
        phone,
        idn,
        label(d, "channel"),
        label(d, "category"),
        "、".join(d.flag_labels),
        d.people_count,
        m.raised_on,
        m.accepted_on,
        m.lead_unit.name if m.lead_unit_id else "",
        m.leader.name if m.leader_id else "",
        m.deadline,
        m.finished_on,
        label(m, "rating"),
        d.resolved_on,
        label(d, "mediation_outcome"),
        d.status_label,
        {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}.get(light or "", ""),
    ]


def petition_table(
    scope: Scope, rows: Iterable[Matter], today: dt.date, *, personal: bool = False
) -> Table:
    label = Labels()
    return Table(
        title="信访件台账（含信访人个人信息）" if personal else "信访件台账",
        columns=COLUMNS,
        rows=(petition_row(m, personal=personal, label=label) for m in each(rows)),
        unit_name=scope.filler_name,
        as_of=today,
        notes=[
            "注：受理时限为登记之日起15日，办理时限为受理之日起60日，经批准可延长不超过30日"
            "（《信访工作条例》，按自然日计算）。"
            + ("本表含信访人个人信息，请严格保密。" if personal else "信访人信息已脱敏。")
        ],
        sheet_name="信访件",
    )
