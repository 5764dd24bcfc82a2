"""The 推进会 section of the supervision bulletin (assessment/bulletin.py calls it through
its EXTRA_SECTIONS hook): the figures of meeting_figures as of the bulletin's cut-off day."""

from __future__ import annotations

import datetime as dt

from taizhang.bulletins.docx import Section, TableBlock
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.meetings.figures import FORMULAS, meeting_figures


def meetings_section(
    scope: Scope, district: Division, year: int, cutoff: dt.date
) -> Section | None:
    fig = meeting_figures(scope, district, year, as_of=cutoff)
    if not fig["meetings"]:
        return None
    rate = fig["on_time_rate_pct"]
    text = (
        f"{year}年以来，共召开重点产业项目推进会等会议{fig['meetings']}次，议定事项{fig['decisions']}条，"
        f"已办结{fig['done']}条（按时办结{fig['done_on_time']}条），逾期未办结{fig['overdue']}条，"
        f"在办{fig['open']}条" + (f"，按时办结率{rate}%。" if rate is not None else "。")
    )
    rows = [
        [f"{r['month']}月", str(r["meetings"]), str(r["decisions"]), str(r["done"]),
         str(r["done_on_time"]), str(r["overdue"])]
        for r in fig["by_month"]
    ]  # fmt: skip
    table = TableBlock(
        title="各月会议及议定事项落实情况",
        headers=["月份", "会议", "议定事项", "已办结", "按时办结", "逾期未办结"],
        rows=rows,
        note="注："
        + FORMULAS["on_time_rate_pct"]
        + f"；统计截至{cutoff.year}年{cutoff.month}月{cutoff.day}日。",
    )
    return Section("推进会议定事项落实情况", paragraphs=[text], tables=[table])
