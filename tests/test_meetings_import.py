"""Importing a 会议议定事项台账: rows of one meeting become one meeting with its decisions."""

from __future__ import annotations

import datetime as dt

from taizhang.imports import engine
from taizhang.meetings.models import Meeting
from tests.import_sheets import xlsx
from tests.task_fixtures import frozen

HEAD = [
    "会议日期",
    "会议名称",
    "会议类型",
    "主持人",
    "会议地点",
    "议定事项",
    "责任单位",
    "配合单位",
    "完成时限",
]
ROWS = [
    ["2022-03-03", "工业园区专班推进会", "重点产业项目推进会", "王区长", "三楼", "协调用电增容", "区发改委", "红旗街道办事处", "2022-03-31"],
    ["2022-03-03", "工业园区专班推进会", "", "王区长", "三楼", "清理占道", "红旗街道办事处", "", "2022-03-20"],
    ["2022-03-04", "新区现场会", "现场会", "王区长", "工地", "加快土地报批", "区发改委", "", "2022-04-30"],
]  # fmt: skip


def sheet(*rows) -> bytes:
    return xlsx([HEAD, *rows])


def test_it_imports_meetings_with_their_decisions_once(world):
    s = world.scope("sup_a")
    with frozen(dt.date(2022, 3, 10)):
        a = engine.run("meetings", s, sheet(*ROWS), "议定事项.xlsx", commit=True)
        assert a.counts["create"] == 3, [r.errors for r in a.rows]
        park = Meeting.objects.get(title="工业园区专班推进会")
        assert [d.text for d in park.decisions.order_by("order")] == ["协调用电增容", "清理占道"]
        assert park.doc_number == "山会纪〔2022〕1号" and park.chair == world.leader_a
        assert Meeting.objects.get(title="新区现场会").kind == "site"
        again = engine.run("meetings", s, sheet(*ROWS), "议定事项.xlsx", commit=True)
    assert again.counts["unchanged"] == 3 and Meeting.objects.count() == 2


def test_it_refuses_a_meeting_whole_when_one_of_its_rows_is_wrong(world):
    bad = [list(r) for r in ROWS]
    bad[1][8] = "2022-03-01"  # before the meeting
    bad[2][6] = "淇滨区发改委"  # another district's unit
    with frozen(dt.date(2022, 3, 10)):
        a = engine.run("meetings", world.scope("sup_a"), sheet(*bad), "议定事项.xlsx", commit=True)
    errs = {r.row: [e[2] for e in r.errors] for r in a.rows if r.errors}
    assert any("不能早于发布日期" in e for e in errs[3])
    assert errs[2] == ["同一会议的其他行有错误，本会议整体未导入"]
    assert any("不在您的管辖范围内" in e for e in errs[4])
    assert not Meeting.objects.exists()
