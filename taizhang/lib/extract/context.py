"""Document structure and time context: which part of a report a number sits
in, whether it is a target or an achievement, and which year it belongs to."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

TARGET = "target"
ACHIEVEMENT = "achievement"

_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})\s*年")
# Heading keywords. They are only trusted on short heading-like lines so that
# "会议回顾总结去年工作，提出…重点工作" in a lead paragraph does not switch modes.
_REVIEW_KW_RE = re.compile(
    r"回顾|过去[一五]年|过去的一年|去年工作|工作总结|主要成绩|工作成效|完成情况|进展情况|总结"
)
_PLAN_KW_RE = re.compile(
    r"工作重点|重点工作|目标任务|总体要求|工作安排|主要任务|预期目标|主要目标|重点任务"
    r"|工作打算|工作思路|今年工作|今后五年|[0-9]{4}年(?:的)?工作(?!回顾|总结|完成)"
    r"|工作要点|要点|下一步|工作计划|下半年工作|明年工作"
)
_HEADING_KW_RE = re.compile(_REVIEW_KW_RE.pattern + "|" + _PLAN_KW_RE.pattern)
_SUBLEVEL_RE = re.compile(r"\s*[（(][一二三四五六七八九十0-9]{1,3}[)）]")
_TITLE_YEAR_RE = re.compile(r"((?:19|20)[0-9]{2})\s*年[^\n。]{0,12}政府工作报告")

# Forward-looking cues inside the clause of a number. "计划" only counts when
# a verb or time word follows, so "占年度投资计划的121.3%" stays a fact.
FORECAST_RE = re.compile(
    r"预计|预期|力争|争取(?!到)|确保|目标(?:是|为|值)|拟|谋划|有望|建成后|投产后|达产后|还将|即将"
    r"|将于|计划(?=[年在于到开完实建新投总将全达力0-9])|将(?=[达实建新完带形增])"
)
# Time words seen in the sentence before the number; the last one wins.
_TIME_RE = re.compile(
    r"(?P<y>(?:19|20)[0-9]{2})\s*年(?!以来|起|来)"
    r"|(?P<last>去年|上年|上一年|过去一年)"
    r"|(?P<this>今年|本年|全年|年内|当年|上半年|下半年|前三季度|一季度|截至目前|目前|年底前)"
)
_COMPARE_BEFORE = frozenset("较比同于与")


@dataclass(slots=True, frozen=True)
class Section:
    start: int
    kind: str  # TARGET or ACHIEVEMENT
    period: int | None


@dataclass(slots=True)
class DocContext:
    sections: list[Section]
    starts: list[int]
    main_year: int | None  # the report's target year; the year parameter for news
    is_report: bool

    def section_at(self, pos: int) -> Section | None:
        k = bisect_right(self.starts, pos) - 1
        return self.sections[k] if k >= 0 else None


_HEADING_MAX = 48  # longer lines are never headings, so never scan further


def _line_bounds(s: str, pos: int) -> tuple[int, int] | None:
    """Bounds of the short line around `pos`; None for a long line (bounded
    scans keep megabyte-long single-line input linear)."""
    lo = max(0, pos - _HEADING_MAX)
    start = s.rfind("\n", lo, pos) + 1
    if start == 0 and lo > 0:
        return None
    end = s.find("\n", pos, pos + _HEADING_MAX)
    if end < 0:
        if pos + _HEADING_MAX < len(s):
            return None
        end = len(s)
    return start, end


def is_section_heading(line: str) -> bool:
    """Short heading-like line, not a numbered sub-heading such as (一)."""
    stripped = line.strip().lstrip("#").strip()
    if not stripped or len(stripped) > 32 or _SUBLEVEL_RE.match(stripped):
        return False
    body = stripped.rstrip("。：:")
    return not any(c in "。，,；;！？!?" for c in body)


def find_section_headings(s: str) -> list[tuple[int, int, str, str]]:
    """(line_start, line_end, kind, line) for every review/plan heading line."""
    out: list[tuple[int, int, str, str]] = []
    seen: set[int] = set()
    for m in _HEADING_KW_RE.finditer(s):
        bounds = _line_bounds(s, m.start())
        if bounds is None:
            continue
        ls, le = bounds
        if ls in seen:
            continue
        line = s[ls:le]
        if not is_section_heading(line):
            continue
        seen.add(ls)
        kind = TARGET if _PLAN_KW_RE.search(line) else ACHIEVEMENT
        if _REVIEW_KW_RE.search(line) and not re.search(r"目标|重点|安排|任务", line):
            kind = ACHIEVEMENT
        out.append((ls, le, kind, line))
    return out


def analyse(s: str, year: int | None) -> DocContext:
    heads = find_section_headings(s)
    plan_year: int | None = None
    review_year: int | None = None
    for _, _, kind, line in heads:
        ym = _YEAR_RE.search(line)
        if kind == TARGET and plan_year is None and ym:
            plan_year = int(ym.group(1))
        if kind == ACHIEVEMENT and review_year is None and ym:
            review_year = int(ym.group(1))
    title = _TITLE_YEAR_RE.search(s, 0, min(len(s), 2000))
    main = year
    if main is None:
        if plan_year is not None:
            main = plan_year
        elif title:
            main = int(title.group(1))
        elif review_year is not None and heads:
            main = review_year + 1
    if year is not None:
        plan_year = year
    elif plan_year is None:
        plan_year = main
    sections: list[Section] = []
    for ls, _, kind, line in heads:
        ym = _YEAR_RE.search(line)
        if kind == TARGET:
            period = plan_year
            if "今后五年" in line:
                period = int(ym.group(1)) if ym else None
        else:
            if ym:
                period = int(ym.group(1))
            elif re.search(r"过去[五]年|五年", line):
                period = None
            else:
                period = main - 1 if main is not None else None
        sections.append(Section(ls, kind, period))
    return DocContext(sections, [sec.start for sec in sections], main, bool(sections))


def time_cue(prefix: str, main_year: int | None) -> tuple[str | None, int | None]:
    """Last time word before the number: ("year"|"last"|"this", resolved year)."""
    found: tuple[str | None, int | None] = (None, None)
    named: int | None = None  # "2024年全年…": 全年 means the year just named
    for m in _TIME_RE.finditer(prefix):
        if m.start() > 0 and prefix[m.start() - 1] in _COMPARE_BEFORE:
            continue  # 较去年 / 比2020年 name a baseline, not the period
        if m.group("y"):
            named = int(m.group("y"))
            found = ("year", named)
        elif m.group("last"):
            found = ("last", main_year - 1 if main_year is not None else None)
        else:
            found = ("year", named) if named is not None else ("this", main_year)
    return found


# Words that report something done; a bound next to them ("完成60亿元以上") is a result.
PAST_RE = re.compile(r"完成|实现|达到|累计|已经|已|同比|比上年|较上年|超额|创历史")


# A sentence that opens a list of the year's targets ("主要预期目标是：…"): every figure
# after it is a target, bound word or not ("一般公共预算收入增长5.5%").
PLAN_INTRO_RE = re.compile(
    r"(?:预期目标|主要目标|目标任务|发展目标|工作目标|奋斗目标)(?:是|为|如下)?[：:]"
)
# "预计全年…" while reviewing estimates the year being reviewed: a result, not a plan.
_ESTIMATE_RE = re.compile(r"预计(?:全年|今年|年底|到年底|年末)")


def classify(
    ctx: DocContext,
    pos: int,
    sentence_prefix: str,
    clause: str,
    bound: bool = False,
    plan_intro: bool = False,
) -> tuple[str, int | None]:
    """(kind, period) for a number at normalised position `pos`.

    `bound` says the number carries a target comparator (以上, 不低于, 控制在,
    左右 …): in text without review/plan headings that, without a past-tense
    cue, reads as a target ("全年城镇新增就业3760人以上"). `plan_intro` says the
    sentence opened with a target list ("主要预期目标是：").
    """
    forecast = FORECAST_RE.search(clause) is not None
    cue, cue_year = time_cue(sentence_prefix, ctx.main_year)
    sec = ctx.section_at(pos)
    if sec is None:
        set_target = bound and cue != "last" and PAST_RE.search(sentence_prefix + clause) is None
        listed = plan_intro and cue != "last"
        kind = TARGET if forecast or set_target or listed else ACHIEVEMENT
        if cue is not None:
            return kind, cue_year
        return kind, ctx.main_year if not ctx.is_report else None
    if sec.kind == ACHIEVEMENT:
        if forecast and _ESTIMATE_RE.search(sentence_prefix + clause):
            return ACHIEVEMENT, cue_year if cue == "year" else sec.period
        if forecast:
            # A forecast made while reviewing ("预计年产值15亿元") is not done yet
            # and usually has no stated year.
            return TARGET, cue_year if cue == "year" else None
        if cue == "year" or cue == "last":
            return ACHIEVEMENT, cue_year
        return ACHIEVEMENT, sec.period
    # Plan section: a number explicitly placed in the past is a reported fact.
    if not forecast and cue == "last":
        return ACHIEVEMENT, cue_year
    if not forecast and cue == "year" and sec.period is not None and cue_year < sec.period:
        return ACHIEVEMENT, cue_year
    if cue == "year":
        return TARGET, cue_year
    return TARGET, sec.period
