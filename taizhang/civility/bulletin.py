"""The 创文 bulletin (创文工作通报): the figures, the unit board and the 飞虎榜/蜗牛榜, built
by the one bulletin builder (bulletins/docx.py, GB/T 9704) from the same figure functions
as the page and the API."""

from __future__ import annotations

from taizhang.bulletins.docx import BulletinContent, Section, TableBlock, build_bulletin
from taizhang.civility import figures
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_rate


def _n(v) -> str:
    return "—" if v is None else str(v)


def civility_content(scope: Scope, division: Division, year: int) -> BulletinContent:
    f = figures.civility_figures(scope, division, year)
    units = figures.unit_board(scope, division, year, f.as_of)
    h = figures.honours(units)

    def rows(board):
        return [
            [
                str(i),
                r.name,
                str(r.failures),
                fmt_rate(r.failure_rate_pct),
                str(r.overdue_open),
                _n(r.avg_workdays),
            ]
            for i, r in enumerate(board, start=1)
        ]

    headers = ["序号", "责任单位", "发现问题", "问题发生率", "逾期未整改", "平均整改用时（工作日）"]
    widths = [12, 48, 20, 24, 24, 28]
    summary = (
        f"截至{f.as_of.month}月{f.as_of.day}日，{division.name}{year}年创文测评体系共"
        f"{f.sections}个测评项目板块、{f.contents}项测评内容、{f.standards}条测评标准，"
        f"设测评点位{f.points}个。全年开展检查{f.inspections}次，发现问题{f.failures}个，"
        f"已整改{f.rectified}个，按时整改率{fmt_rate(f.rectified_on_time_rate_pct)}，"
        f"逾期未整改{f.overdue_open}个。"
    )
    return BulletinContent(
        issuer_name=f"{division.name}创文督查通报",
        doc_number=f"创文办〔{year}〕1号",
        title=f"关于{year}年创建全国文明城市督查情况的通报",
        date=f.as_of,
        addressee="各镇（街道），区直各单位：",
        preamble=[summary],
        sections=[
            Section(
                "飞虎榜",
                paragraphs=[h.rule],
                tables=[TableBlock("飞虎榜", headers, rows(h.tigers), widths)],
            ),
            Section(
                "蜗牛榜",
                paragraphs=["以下单位问题较多或整改迟缓，请对照标准限时整改到位。"],
                tables=[TableBlock("蜗牛榜", headers, rows(h.snails), widths)],
            ),
            Section(
                "各责任单位情况",
                tables=[
                    TableBlock(
                        "责任单位检查与整改情况",
                        headers,
                        rows(units),
                        widths,
                        note=figures.FORMULAS["failure_rate_pct"],
                    )
                ],
            ),
        ],
        closing_office=f"{division.name}创建全国文明城市工作指挥部办公室",
    )


def civility_docx(scope: Scope, division: Division, year: int) -> bytes:
    return build_bulletin(civility_content(scope, division, year))
