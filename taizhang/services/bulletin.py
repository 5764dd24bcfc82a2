"""The 政务服务和银企对接 section of the supervision bulletin (assessment.bulletin.gather),
from the same figure functions as the pages and the API."""

from __future__ import annotations

import datetime as dt

from taizhang.bulletins.docx import Section, TableBlock
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_rate, fmt_yi
from taizhang.services.figures import financing_figures, service_figures


def bulletin_section(
    scope: Scope, district: Division, year: int, cutoff: dt.date
) -> Section | None:
    """1 January to the bulletin's cut-off; None when the district has neither cases nor needs."""
    sf = service_figures(scope, district, year, as_of=cutoff)
    ff = financing_figures(scope, district, year, as_of=cutoff)
    if not sf["cases"] and not ff["needs"] and not ff["intentions"]:
        return None
    months = f"1—{cutoff.month}月" if cutoff.month > 1 else "1月"
    paragraphs = []
    if sf["cases"]:
        avg = sf["avg_workdays"]
        paragraphs.append(
            f"{year}年{months}，全区共受理各类行政许可和服务事项{sf['cases']}件，"
            f"按时办结率{fmt_rate(sf['on_time_rate_pct'])}，群众满意度{fmt_rate(sf['satisfaction_rate_pct'])}"
            + (f"，平均办理{avg}个工作日" if avg is not None else "")
            + f"；超期未办结{sf['overdue']}件。"
        )
    if ff["needs"] or ff["intentions"]:
        paragraphs.append(
            f"银企对接发布融资需求{ff['needs']}个，达成银企合作意向{ff['intentions']}个，"
            f"意向金额{fmt_yi(ff['intention_amount_wan'])}亿元，"
            f"授信{fmt_yi(ff['granted_amount_wan'])}亿元。"
        )
    tables = []
    if sf["units"]:
        tables.append(
            TableBlock(
                "政务服务办件办理情况（按办理单位）",
                ["序号", "办理单位", "受理", "超期未办结", "按时办结率", "满意度"],
                [
                    [
                        str(i),
                        u["unit"],
                        str(u["cases"]),
                        str(u["overdue"]),
                        fmt_rate(u["on_time_rate_pct"]),
                        fmt_rate(u["satisfaction_rate_pct"]),
                    ]
                    for i, u in enumerate(sf["units"], 1)
                ],
                col_widths_mm=[12, 52, 18, 26, 24, 24],
                font_pt=12,
            )
        )
    return Section("政务服务和银企对接情况", paragraphs=paragraphs, tables=tables)
