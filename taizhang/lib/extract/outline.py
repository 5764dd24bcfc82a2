"""`parse_outline()`: qualitative tasks for a task-drafting table.

Reads numbered level-1 headings ("(一)…", "（一）…", or "一、…" when no
parenthesised ones exist) in the forward-looking part of a report, and the
"一是…二是…" items under each of them.
"""

from __future__ import annotations

import re

from .context import TARGET, find_section_headings, is_section_heading
from .models import OutlineTask
from .normalize import NormText, normalize

_LINE_RE = re.compile(r"[^\n]+")
_L1_PAREN_RE = re.compile(r"[ \t]*[(（][ \t]*[一二三四五六七八九十]{1,3}[ \t]*[)）][ \t]*")
_L1_DUN_RE = re.compile(r"[ \t]*[一二三四五六七八九十]{1,3}、[ \t]*")
# "一是" only counts at the start of a line or right after a sentence or list
# break, so words like "唯一是" inside prose are not taken for markers.
_ITEM_RE = re.compile(r"(?m)(?:^|(?<=[。；;！？!?：:]))[ \t]*([一二三四五六七八九十]{1,2})是")
_PLAN_HEAD_RE = re.compile(
    r"工作重点|重点工作|目标任务|工作安排|主要任务|重点任务|工作打算|今年工作|[0-9]{4}年(?:的)?工作(?!回顾|总结)"
)
_TITLE_STRIP = " \t：:，,；;。"


def _region_start(s: str) -> int | None:
    """Start of the forward-looking part; 0 when the text has no section
    headings at all; None when it has review headings but no plan part."""
    heads = find_section_headings(s)
    if not heads:
        return 0
    for _, line_end, kind, line in heads:
        if kind == TARGET and _PLAN_HEAD_RE.search(line):
            return line_end
    for _, line_end, kind, _line in heads:
        if kind == TARGET:
            return line_end
    return None


def _heading_text(line: str) -> str:
    return line.strip().rstrip("。；;：: \t")


def _items(nt: NormText, heading: str, start: int, end: int) -> list[OutlineTask]:
    s = nt.search
    marks = [m.start(1) for m in _ITEM_RE.finditer(s, start, end)]
    out: list[OutlineTask] = []
    for i, a in enumerate(marks):
        b = marks[i + 1] if i + 1 < len(marks) else end
        raw = nt.display[a:b]
        b = a + len(raw.rstrip())
        item = nt.display[a:b].replace("\n", "")
        body = item[item.index("是") + 1 :]
        cut = body.find("。")
        if cut < 0:
            cut = min((k for k in (body.find("；"), body.find(";")) if k >= 0), default=len(body))
        title = body[:cut].strip(_TITLE_STRIP)
        if not title or b <= a:
            continue
        o_start, o_end = nt.span_to_orig(a, b)
        out.append(OutlineTask(heading, title, item.strip(), o_start, o_end, 2))
    return out


def parse_outline(text: str) -> list[OutlineTask]:
    if not isinstance(text, str) or not text.strip():
        return []
    nt = normalize(text)
    s = nt.search
    region = _region_start(s)
    if region is None:
        return []
    lines = [(m.start(), m.end()) for m in _LINE_RE.finditer(s, region)]
    paren = any(_L1_PAREN_RE.match(s, a, b) for a, b in lines)
    l1_re = _L1_PAREN_RE if paren else _L1_DUN_RE
    # Blocks: (heading text, heading line span, body start, body end).
    blocks: list[tuple[str, int, int, int, int]] = []
    cur: list[object] | None = None
    body_start = region
    seen_l1 = False
    stop = len(s)
    for a, b in lines:
        m = l1_re.match(s, a, b)
        if m:
            if cur is not None:
                blocks.append((*cur, body_start, a))  # type: ignore[arg-type]
            elif not seen_l1 and a > body_start:
                blocks.append(("", -1, -1, body_start, a))
            # "（一）抓产业。全年实施…": the heading ends at its first full stop
            # and the rest of the line is body text.
            stop_at = s.find("。", m.end(), b)
            h_end = b if stop_at < 0 else stop_at + 1
            cur = [_heading_text(nt.display[m.end() : h_end]), a, h_end]
            body_start = h_end
            seen_l1 = True
            continue
        line = s[a:b]
        if seen_l1 and (
            (paren and _L1_DUN_RE.match(line))
            or (is_section_heading(line) and not _ITEM_RE.match(line))
        ):
            if not _PLAN_HEAD_RE.search(line):
                # Next top-level part (e.g. 加强政府自身建设): the task list ends.
                stop = a
                break
    if cur is not None:
        blocks.append((*cur, body_start, stop))  # type: ignore[arg-type]
    elif not seen_l1:
        blocks.append(("", -1, -1, region, stop))

    out: list[OutlineTask] = []
    for heading, h_start, h_end, b_start, b_end in blocks:
        items = _items(nt, heading, b_start, b_end)
        if h_start >= 0 and heading:
            sentence = heading
            if not items:
                body = nt.display[b_start:b_end].replace("\n", "").strip()
                if body:
                    sentence = f"{heading}。{body}"
            o_start, o_end = nt.span_to_orig(h_start, h_end)
            out.append(OutlineTask(heading, heading, sentence, o_start, o_end, 1))
        out.extend(items)
    return out
