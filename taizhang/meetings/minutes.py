"""会议纪要 as a GB/T 9704 .docx through the one bulletin builder (bulletins/docx.py).

Layout of a 纪要: the red masthead "<区>人民政府会议纪要", the number 湛会纪〔2022〕3号
under it, the title, the meeting's particulars, the 议定事项 numbered with 责任单位 and
时限, then 出席 / 列席 as the 纪要 format puts them, and the issuing office with the date.
"""

from __future__ import annotations

from taizhang.bulletins.docx import BulletinContent, Section, build_bulletin, cn_date
from taizhang.meetings.models import Meeting


def minutes_content(meeting: Meeting) -> BulletinContent:
    division = meeting.division
    decisions = list(
        meeting.decisions.select_related("matter__lead_unit").prefetch_related("matter__co_units")
    )
    items = [
        str(i.subject) for i in meeting.items.select_related("project", "enterprise", "problem")
    ]
    opening = (
        f"{cn_date(meeting.date)}，{meeting.chair.name}"
        f"{('（' + meeting.chair.position + '）') if meeting.chair.position else ''}"
        f"{'在' + meeting.place if meeting.place else ''}主持召开{meeting.title}"
        + (f"，听取了{'、'.join(items)}等事项的情况汇报" if items else "")
        + "，研究解决项目推进中的困难和问题。现将会议议定事项纪要如下："
    )
    agreed = []
    for d in decisions:
        m = d.matter
        who = m.lead_unit.name if m.lead_unit_id else ""
        co = "、".join(u.name for u in m.co_units.all())
        line = f"{d.order}．{d.text.rstrip('。')}。责任单位：{who}"
        if co:
            line += f"（配合单位：{co}）"
        line += f"；完成时限：{cn_date(m.deadline)}前。" if m.deadline else "。"
        agreed.append(line)
    sections = []
    if meeting.summary:
        sections.append(
            Section("会议情况", paragraphs=[p for p in meeting.summary.splitlines() if p.strip()])
        )
    sections.append(Section("议定事项", paragraphs=agreed))
    attendees = "、".join(
        f"{p.name}" + (f"（{p.position}）" if p.position else "") for p in meeting.attendees.all()
    )
    units = "、".join(u.name for u in meeting.attendee_units.all())
    present = [f"出席：{meeting.chair.name}" + (f"、{attendees}" if attendees else "")]
    if units:
        present.append(f"列席：{units}")
    sections.append(Section("出席和列席人员", paragraphs=present))
    return BulletinContent(
        issuer_name=f"{division.name}人民政府会议纪要",
        doc_number=meeting.doc_number,
        title=f"{meeting.title}纪要",
        date=meeting.date,
        sections=sections,
        closing_office=f"{division.name}人民政府办公室",
        preamble=[opening],
    )


def build_minutes(meeting: Meeting) -> bytes:
    return build_bulletin(minutes_content(meeting))


def minutes_filename(meeting: Meeting) -> str:
    return f"{meeting.doc_number}{meeting.title}纪要.docx"
