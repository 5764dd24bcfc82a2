"""The 信访 section of the supervision bulletin (assessment.bulletin.register_section): the
year's figures up to the bulletin's cut-off, from the one figures function."""

from __future__ import annotations

import datetime as dt

from taizhang.bulletins.docx import Section
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_rate
from taizhang.petitions.figures import petition_figures


def petition_section(
    scope: Scope, district: Division, year: int, cutoff: dt.date
) -> Section | None:
    f = petition_figures(scope, district, year, cutoff)
    if not (f.petitions_accepted or f.people_received or f.cases_under_leader):
        return None  # no petitions this year: no empty section
    text = (
        f"{year}年截至{cutoff.month}月{cutoff.day}日，全区受理信访件{f.petitions_accepted}件，"
        f"接待群众{f.people_received}人次；疑难、重点、重复访信访件落实领导包案"
        f"{f.cases_under_leader}件，化解疑难重点信访{f.difficult_resolved}起；"
        f"按期答复率{fmt_rate(f.on_time_pct)}，回访满意率{fmt_rate(f.satisfaction_pct)}。"
    )
    return Section("信访工作情况", paragraphs=[text])
