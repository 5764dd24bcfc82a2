"""Parse the State Council's annual holiday notice (国务院办公厅关于XXXX年部分节假日安排的通知).

Pure: text in, dates out. The office pastes the notice; what comes out becomes that
year's calendar overrides (days off and make-up working days, 调休上班).

Recognised item lines (one per festival, numbered 一、二、…)::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。
    三、清明节：4月4日（周五）至6日（周日）放假，共3天。
    一、元旦：1月1日（周三）放假1天，不调休。

A date may carry its own year ("2022年12月31日"); otherwise it belongs to the notice's
year. Every weekday written in brackets is checked against the date, and "共N天"
against the range, so a notice pasted under the wrong year is refused, not saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["HolidayNotice", "NoticeError", "NoticeItem", "parse_notice"]


class NoticeError(ValueError):
    """The text is not a holiday notice this parser understands (message in Chinese)."""


@dataclass(frozen=True)
class NoticeItem:
    name: str  # 元旦, 春节, 国庆节、中秋节 …
    days_off: tuple[date, ...]
    workdays: tuple[date, ...]


@dataclass(frozen=True)
class HolidayNotice:
    year: int
    items: tuple[NoticeItem, ...]
    days_off: dict[date, str] = field(default_factory=dict)  # date -> festival
    workdays: dict[date, str] = field(default_factory=dict)  # make-up working day -> festival

    def overrides(self) -> dict[date, bool]:
        """date -> is working day, as CalendarOverride rows want it."""
        out = {d: False for d in self.days_off}
        out.update({d: True for d in self.workdays})
        return dict(sorted(out.items()))

    def rows(self) -> list[tuple[date, str, str]]:
        """(date, 放假/上班, festival) sorted by date, for the preview table."""
        out = [(d, "放假", n) for d, n in self.days_off.items()]
        out += [(d, "上班", n) for d, n in self.workdays.items()]
        return sorted(out)


_CN_NUM = "一二三四五六七八九十"
_ITEM = re.compile(rf"(?:^|\n)\s*[{_CN_NUM}]+\s*[、.．]\s*([^：:\n]+?)\s*[：:]")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# A date, optionally with year and month, optionally followed by a bracket (weekday, lunar date).
_DATE = re.compile(
    r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日\s*(?:[（(]([^）)]*)[）)])?"
)
_RANGE = re.compile(rf"({_DATE.pattern})\s*(?:至|—|－|-|~|～)\s*({_DATE.pattern})")
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
_DAYS_N = re.compile(r"放假\s*(\d+)\s*天")


def _weekday_in(bracket: str | None) -> int | None:
    if not bracket:
        return None
    m = re.search(r"(?:周|星期)([一二三四五六日天])", bracket)
    return _WEEKDAYS[m.group(1)] if m else None


class _Cursor:
    """Resolves partial dates ("23日") against the year and month last written."""

    def __init__(self, year: int, item: str) -> None:
        self.year, self.month, self.item = year, None, item

    def date(self, y: str | None, mo: str | None, d: str, bracket: str | None) -> date:
        if y:
            self.year = int(y)
        if mo:
            self.month = int(mo)
        if self.month is None:
            raise NoticeError(f"「{self.item}」中的“{d}日”前没有月份")
        try:
            out = date(self.year, self.month, int(d))
        except ValueError:
            raise NoticeError(
                f"「{self.item}」中的日期{self.year}年{self.month}月{d}日不存在"
            ) from None
        wd = _weekday_in(bracket)
        if wd is not None and out.weekday() != wd:
            names = "一二三四五六日"
            raise NoticeError(
                f"「{self.item}」：{out.year}年{out.month}月{out.day}日是周{names[out.weekday()]}，"
                f"通知写的是周{names[wd]}。请确认年份是否正确"
            )
        return out


def _sentences(body: str) -> list[str]:
    return [s.strip() for s in re.split(r"[。；;\n]", body) if s.strip()]


def _parse_item(name: str, body: str, year: int) -> NoticeItem:
    cur = _Cursor(year, name)
    off: list[date] = []
    work: list[date] = []
    for sentence in _sentences(body):
        if "上班" in sentence and "放假" not in sentence:
            for m in _DATE.finditer(sentence):
                work.append(cur.date(*m.groups()))
            continue
        if "放假" not in sentence:
            continue
        head = sentence.split("放假", 1)[0]
        found: list[date] = []
        rng = _RANGE.search(head)
        if rng:
            g = rng.groups()
            first = cur.date(*g[1:5])
            last = cur.date(*g[6:10])
            if last < first:
                raise NoticeError(f"「{name}」的放假区间结束日早于开始日")
            if (last - first).days > 30:
                raise NoticeError(f"「{name}」的放假区间超过一个月，请检查日期")
            found = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        else:
            m = _DATE.search(head)
            if m is None:
                raise NoticeError(
                    f"「{name}」：未找到放假日期（应为“1月1日（周四）放假”这样的写法）"
                )
            found = [cur.date(*m.groups())]
            n = _DAYS_N.search(sentence)
            if n and int(n.group(1)) > 1:
                found = [found[0] + timedelta(days=i) for i in range(int(n.group(1)))]
        total = _TOTAL.search(sentence) or _DAYS_N.search(sentence)
        if total and int(total.group(1)) != len(found):
            raise NoticeError(
                f"「{name}」写明共{total.group(1)}天，但解析出的放假日期为{len(found)}天，请检查"
            )
        off.extend(found)
        # A make-up day may follow in the same sentence after a comma.
        tail = sentence.split("放假", 1)[1]
        if "上班" in tail:
            for m in _DATE.finditer(tail):
                work.append(cur.date(*m.groups()))
    if not off:
        raise NoticeError(f"「{name}」：未找到“放假”安排")
    clash = set(off) & set(work)
    if clash:
        d = min(clash)
        raise NoticeError(f"「{name}」：{d.month}月{d.day}日既放假又上班")
    return NoticeItem(name, tuple(off), tuple(work))


def parse_notice(text: str, year: int | None = None) -> HolidayNotice:
    """Holiday dates and make-up working days announced by the notice ``text``.

    ``year`` is taken from the title ("关于2027年部分节假日安排的通知") when not given;
    a given year must agree with the title. Raises :class:`NoticeError` (Chinese message).
    """
    text = (text or "").replace("\r\n", "\n").replace("\u3000", " ").strip()
    if not text:
        raise NoticeError("请粘贴通知全文")
    if len(text) > 20000:
        raise NoticeError("文本过长，请只粘贴放假安排通知的正文")
    titled = _TITLE_YEAR.search(text)
    if titled:
        title_year = int(titled.group(1))
        if year is not None and year != title_year:
            raise NoticeError(f"所选年份{year}年与通知标题中的{title_year}年不一致")
        year = title_year
    if year is None:
        raise NoticeError(
            "未能识别年份：请粘贴含标题（关于XXXX年部分节假日安排的通知）的全文，或选择年份"
        )
    if not 2000 <= year <= 2099:
        raise NoticeError(f"年份{year}超出可处理范围（2000-2099）")
    heads = list(_ITEM.finditer(text))
    if not heads:
        raise NoticeError("未识别到放假安排条目（应为“一、元旦：1月1日（周四）放假…”这样的写法）")
    items: list[NoticeItem] = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[h.end() : end]
        # The closing paragraph ("节假日期间，各地区、各部门要…") is not part of the item.
        body = re.split(r"\n\s*\n|\n\s*节假日期间", body, maxsplit=1)[0]
        items.append(_parse_item(h.group(1).strip(), body, year))
    days_off: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for it in items:
        for d in it.days_off:
            days_off.setdefault(d, it.name)
        for d in it.workdays:
            workdays.setdefault(d, it.name)
    clash = set(days_off) & set(workdays)
    if clash:
        d = min(clash)
        raise NoticeError(f"{d.month}月{d.day}日在一项中放假、在另一项中上班，请检查")
    stray = [d for d in (*days_off, *workdays) if abs(d.year - year) > 1]
    if stray:
        raise NoticeError(f"日期{min(stray):%Y-%m-%d}不属于{year}年前后，请检查年份")
    return HolidayNotice(year, tuple(items), days_off, workdays)
