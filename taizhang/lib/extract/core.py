"""`extract()`: find every quantitative indicator in a report or news text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal

from .context import PLAN_INTRO_RE, DocContext, analyse, classify
from .models import Indicator, json_number
from .naming import (
    CHANGE_WORDS,
    clean,
    drop_actor,
    ends_with_verb,
    post_noun,
    previous_subject,
    shorten,
    split_subjects,
    weak_subject,
)
from .normalize import NormText, normalize
from .numerals import (
    ALL_UNITS,
    NUMBER_RE,
    RATE_UNITS,
    TIME_UNITS,
    base_of,
    cn_is_weak,
    is_cn_numeral,
    parse_number,
    split_multiplier,
)

_SENT_END_RE = re.compile(r"[。！？!?\n]")
_CLAUSE_RE = re.compile(r"[，,；;：:。！？!?\n()]")
# Short quoted or titled spans name plans, slogans and documents
# ("1+8+N", "52311"机制, 《…办法》); numbers inside them are not quantities.
_QUOTE_RE = re.compile(
    r"“[^“”\n]{0,40}”|\"[^\"\n]{0,40}\"|「[^」\n]{0,40}」|『[^』\n]{0,40}』"
    r"|《[^》\n]{0,80}》|‘[^‘’\n]{0,40}’"
)
_SUFFIX_RE = re.compile(r"以上|以下|以内|之内|左右|上下")
_SUFFIX_CMP = {"以上": ">=", "以下": "<=", "以内": "<=", "之内": "<=", "左右": "≈", "上下": "≈"}
_PREFIX_CMP_RE = re.compile(
    r"(不低于|不少于|不小于|至少|不超过|不高于|不多于|控制在|低于|少于|突破|超过|超出|高于|多于|超"
    r"|大约|约|将近|接近|近|达到|达|完成|实现)(?:了)?$"
)
# Unambiguous multi-character bounds may be separated from the number by a
# short verb ("至少建成5个").
_LOOSE_CMP_RE = re.compile(
    r"(不低于|不少于|不小于|至少|不超过|不高于|不多于|控制在|突破|超过|高于|低于)[^，,；;：:]{1,3}$"
)
_PREFIX_CMP = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=",
    "不超过": "<=", "不高于": "<=", "不多于": "<=", "控制在": "<=", "低于": "<=", "少于": "<=",
    "突破": ">", "超过": ">", "超出": ">", "高于": ">", "多于": ">", "超": ">",
    "大约": "≈", "约": "≈", "将近": "≈", "接近": "≈", "近": "≈",
}  # fmt: skip
_CONJ = ("和", "及", "与", "或", "并")
_SIGNS = "-−"
# "进度落后10个百分点的予以通报": a threshold inside a rule, not a figure of the ledger.
_RULE_RE = re.compile(r"予以|约谈|问责|通报批评|扣分|追责")
# Indicators measured without a unit: ratios and coefficients ("城乡居民收入比缩小到1.9").
_RATIO_RE = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{0,10}(?:收入比|比值|系数))[：:]?"
    r"(?:缩小到|缩小至|缩小为|下降到|下降至|降至|降到|控制在|保持在|稳定在|为|达到|达)?"
    r"(?<![0-9.])(?P<num>[0-9]+(?:\.[0-9]+)?)(?![0-9.%‰])"
)
_UNIT_HEADS = frozenset(u[0] for u in ALL_UNITS)
_PRE_WINDOW = 60  # bound the look-back so pathological input stays linear
_SENTENCE_MAX = 400


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _comparator(raw_pre: str, suffix: str, approx: bool) -> str:
    if suffix:
        return _SUFFIX_CMP[suffix]
    m = _PREFIX_CMP_RE.search(raw_pre[-6:]) or _LOOSE_CMP_RE.search(raw_pre[-9:])
    if m is not None and m.group(1) in _PREFIX_CMP:
        return _PREFIX_CMP[m.group(1)]
    return "≈" if approx else "="


@dataclass(slots=True)
class _Spans:
    """Sorted boundary positions of one document, for bisect look-ups."""

    sent_ends: list[int]
    clause_ends: list[int]
    q_starts: list[int]
    q_ends: list[int]

    def in_quote(self, pos: int) -> bool:
        k = bisect_right(self.q_starts, pos) - 1
        return k >= 0 and self.q_ends[k] > pos

    def sentence(self, pos: int, n: int) -> tuple[int, int]:
        i = bisect_left(self.sent_ends, pos)
        start = self.sent_ends[i - 1] + 1 if i > 0 else 0
        end = self.sent_ends[i] if i < len(self.sent_ends) else n
        return start, end

    def clause_start(self, pos: int) -> int:
        i = bisect_left(self.clause_ends, pos)
        return self.clause_ends[i - 1] + 1 if i > 0 else 0

    def clause_end(self, pos: int, n: int) -> int:
        i = bisect_left(self.clause_ends, pos)
        return self.clause_ends[i] if i < len(self.clause_ends) else n


def _spans(s: str) -> _Spans:
    q_starts: list[int] = []
    q_ends: list[int] = []
    for m in _QUOTE_RE.finditer(s):
        q_starts.append(m.start())
        q_ends.append(m.end())
    return _Spans(
        [m.start() for m in _SENT_END_RE.finditer(s)],
        [m.start() for m in _CLAUSE_RE.finditer(s)],
        q_starts,
        q_ends,
    )


def _sentence_text(nt: NormText, start: int, end: int, pos: int) -> str:
    if end < len(nt.search) and nt.search[end] in "。！？!?":
        end += 1  # keep the full stop
    if end - start > _SENTENCE_MAX:
        # Unpunctuated blobs would otherwise copy megabytes into every result.
        start = max(start, pos - _SENTENCE_MAX // 2)
        end = min(end, start + _SENTENCE_MAX)
    return nt.display[start:end].strip()


class _Extractor:
    def __init__(self, text: str, year: int | None) -> None:
        self.nt = normalize(text)
        self.s = self.nt.search
        self.n = len(self.s)
        self.ctx: DocContext = analyse(self.s, year)
        self.sp = _spans(self.s)
        self.out: list[Indicator] = []
        self.prev_end = -1  # end of the last emitted number+unit(+suffix)
        self.prev_post_end = -1  # end of the noun that followed it, if any
        self.prev_sent = -1  # sentence start of the last emitted value
        self.fb_key = -1  # position of the 分别 being expanded
        self.fb_count = 0
        self.fb_subjects: list[str] = []
        self.fb_verb = ""
        self.fb_sent = -1

    def run(self) -> list[Indicator]:
        for m in NUMBER_RE.finditer(self.s):
            self._handle(m)
        for m in _RATIO_RE.finditer(self.s):
            self._ratio(m)
        self.out.sort(key=lambda ind: (ind.start, ind.end))
        return self.out

    def _handle(self, m: re.Match[str]) -> None:
        s = self.s
        pos = m.start()
        if self.sp.in_quote(pos):
            return
        if m.group("pct"):
            spans = [m.span("p1")] + ([m.span("p2")] if m.group("p2") else [])
            unit = "%"
            approx = False
        else:
            spans = [m.span("n1")] + ([m.span("n2")] if m.group("n2") else [])
            unit = m.group("unit")
            approx = m.group("approx") is not None
        after = m.end()
        sm = _SUFFIX_RE.match(s, after)
        suffix = sm.group() if sm else ""
        tail = sm.end() if sm else after
        nxt = s[tail] if tail < self.n else ""
        if suffix in ("以上", "以下") and _is_cjk(nxt):
            return  # "亿元以上项目": a size class, not a value
        if not suffix and nxt in ("外", "后", "前"):
            return  # "1公里外", "三年后": a location or time, not a quantity
        if nxt == "的" and _RULE_RE.search(s, tail, min(self.n, tail + 40)):
            return  # "进度落后10个百分点的予以通报": a rule's threshold
        if unit in TIME_UNITS and not suffix and _is_cjk(nxt) and nxt not in "内以左之就":
            return  # "15分钟养老服务圈": part of a programme name
        terminal = not _is_cjk(nxt)

        clause_start = self.sp.clause_start(pos)
        clause_end = self.sp.clause_end(tail, self.n)
        pre_start = clause_start
        if self.prev_end > clause_start:
            # Words after the previous value belong to it only when the next
            # number follows them directly ("288个楼栋13747户居民").
            pre_start = self.prev_post_end if self.prev_post_end == pos else self.prev_end
        pre_start = max(pre_start, pos - _PRE_WINDOW)
        # "增长-1.5%": a minus glued to the number after a word (not a range's dash).
        negative = not m.group("pct") and pos >= 2 and s[pos - 1] in _SIGNS and _is_cjk(s[pos - 2])
        raw_pre = s[pre_start : pos - 1 if negative else pos]
        cleaned = clean(raw_pre)
        weak = weak_subject(raw_pre, cleaned)

        first = spans[0]
        numeral = s[first[0] : first[1]]
        if is_cn_numeral(numeral) and (
            numeral == "一" or (cn_is_weak(numeral) and (not terminal or weak))
        ):
            return  # 八个方面, 两件大事, 三家村, 一起, 一批: words, not counts
        if unit == "岁" and not terminal:
            return  # "65岁的桃农" describes a person

        sent_start, sent_end = self.sp.sentence(pos, self.n)
        post, post_end = "", tail
        name = ""
        fb = s.rfind("分别", max(clause_start, pos - _PRE_WINDOW), pos)
        if fb >= 0:
            name = self._fenbie_name(fb, clause_start, pos)
        if not name:
            name = cleaned
            if weak and unit not in RATE_UNITS and unit not in TIME_UNITS:
                post, post_end = post_noun(s, tail)
                if post:
                    # "…项目和2.5万亩…": words before 和 belong to the previous item.
                    lead = "" if cleaned.endswith(_CONJ) or ends_with_verb(cleaned) else cleaned
                    name = lead + post
                    if name[0] == "对":
                        name = name[1:]
            if not name:
                name = clean(s[tail : min(clause_end, tail + _PRE_WINDOW)])[:16]
            if not name or name in CHANGE_WORDS:
                name = self._borrow_subject(clause_start, name, sent_start)
        name = drop_actor(name, _BARE_AMOUNT_NAMES)
        if (
            name in _BARE_AMOUNT_NAMES
            and self.out
            and self.prev_sent == sent_start
            and self.out[-1].unit in _COUNT_UNITS
        ):
            # "新签约项目42个、总投资261.2亿元" / "实施省市重点项目25个，完成投资80亿元":
            # the amount belongs to the projects just counted.
            name = _LEADING_VERB_RE.sub("", self.out[-1].name) + name
        elif name in _BARE_AMOUNT_NAMES and self.out and self.prev_sent == sent_start:
            # "石林镇年度计划投资20亿元，完成投资25.6亿元": the same place's amount.
            actor = _ACTOR_RE.match(self.out[-1].name)
            if actor:
                name = actor.group() + name
        if name.startswith("占") and self.out and self.prev_sent == sent_start:
            # "完成投资34.7亿元、占年度投资计划的121.3%": a share of the previous value
            name = self.out[-1].name + name
        name = shorten(name)

        values: list[tuple[int, int, Decimal, str]] = []
        for a, b in spans:
            num_text, u = split_multiplier(s[a:b], unit)
            val = parse_number(num_text)
            if val is None:
                return
            if negative and a == first[0]:
                val, a = -val, a - 1
            values.append((a, a + len(num_text) + (1 if negative and a < first[0] else 0), val, u))

        if len(values) == 2:
            comparators = [">=", "<="]
        else:
            comparators = [_comparator(raw_pre, suffix, approx)]
        bound = comparators[0] in (">=", "<=") or "左右" in suffix
        kind, period = classify(
            self.ctx,
            pos,
            s[max(sent_start, pos - 200) : pos],
            s[max(clause_start, pos - _PRE_WINDOW) : min(clause_end, tail + _PRE_WINDOW)],
            bound,
            PLAN_INTRO_RE.search(s, max(sent_start, pos - 600), pos) is not None,
        )
        sentence = _sentence_text(self.nt, sent_start, sent_end, pos)
        for (a, b, val, u), cmp_ in zip(values, comparators, strict=True):
            start, end = self.nt.span_to_orig(a, b)
            self.out.append(
                Indicator(
                    name=name,
                    value=json_number(val),
                    unit=u,
                    base_value=json_number(base_of(val, u)),
                    comparator=cmp_,
                    kind=kind,
                    period=period,
                    sentence=sentence,
                    start=start,
                    end=end,
                )
            )
        self.prev_end = tail
        self.prev_sent = sent_start
        self.prev_post_end = post_end if post else -1

    def _fenbie_name(self, fb: int, clause_start: int, pos: int) -> str:
        """Names for "A、B分别增长5%、7.6%": the k-th value gets the k-th subject."""
        if fb != self.fb_key:
            self.fb_key = fb
            self.fb_count = 0
            subjects = split_subjects(self.s[max(clause_start, fb - _PRE_WINDOW) : fb])
            if subjects or self.sp.sentence(fb, self.n)[0] != self.fb_sent:
                self.fb_subjects = subjects
            # else: "…分别达到A、B，分别增长x%、y%" reuses the subjects just listed
            self.fb_sent = self.sp.sentence(fb, self.n)[0]
            self.fb_verb = clean(self.s[fb + 2 : pos])
        k = self.fb_count
        self.fb_count += 1
        if len(self.fb_subjects) < 2 or k >= len(self.fb_subjects):
            return ""
        return self.fb_subjects[k] + self.fb_verb

    def _borrow_subject(self, clause_start: int, verb: str, sent_start: int) -> str:
        """ "增速逐月回升，较年初提高了33.2个百分点": reuse the previous clause's subject.

        When the sentence already named a value ("地区生产总值：完成210.3亿元，增长6.1%"),
        the change belongs to that value's name.
        """
        if self.out and self.prev_sent == sent_start:
            last = self.out[-1]
            if last.unit not in RATE_UNITS and not last.name.endswith(tuple(CHANGE_WORDS)):
                return last.name + verb
        if clause_start <= 0:
            return verb
        sent_start, _ = self.sp.sentence(clause_start - 1, self.n)
        prev_end = clause_start - 1
        if prev_end <= sent_start:
            return verb
        prev_start = max(self.sp.clause_start(prev_end), sent_start, prev_end - _PRE_WINDOW)
        subject = previous_subject(self.s, prev_start, prev_end)
        return subject + verb

    def _ratio(self, m: re.Match[str]) -> None:
        """A unitless indicator such as a ratio ("城乡居民收入比：2.08")."""
        a, b = m.span("num")
        if self.sp.in_quote(a) or (b < self.n and self.s[b] in _UNIT_HEADS):
            return  # a unit follows: the main pattern has read it (or rightly skipped it)
        name = clean(m.group("name"))
        val = parse_number(m.group("num"))
        if not name or val is None:
            return
        sent_start, sent_end = self.sp.sentence(a, self.n)
        clause_start = self.sp.clause_start(m.start("name"))
        kind, period = classify(
            self.ctx,
            a,
            self.s[max(sent_start, a - 200) : a],
            self.s[clause_start : self.sp.clause_end(b, self.n)],
            False,
            PLAN_INTRO_RE.search(self.s, max(sent_start, a - 600), a) is not None,
        )
        start, end = self.nt.span_to_orig(a, b)
        self.out.append(
            Indicator(
                name=name,
                value=json_number(val),
                unit="",
                base_value=json_number(val),
                comparator="=",
                kind=kind,
                period=period,
                sentence=_sentence_text(self.nt, sent_start, sent_end, a),
                start=start,
                end=end,
            )
        )


_BARE_AMOUNT_NAMES = frozenset({"总投资", "完成投资", "投资", "完成产值", "实现产值", "计划总投资"})
_COUNT_UNITS = frozenset({"个", "项", "家", "宗"})
_LEADING_VERB_RE = re.compile(r"^(?:全年|今年|共|累计)?(?:实施|推进|谋划|建设|新建|开工|引进)")
_ACTOR_RE = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:镇|乡|街道|园区|管委会)")


def extract(text: str, year: int | None = None) -> list[Indicator]:
    """Every quantitative indicator in `text`, ordered by position.

    `year` is the document's main (target) year; the review year defaults to
    the year before it. Never raises on odd input: non-strings give [].
    """
    if not isinstance(text, str) or not text:
        return []
    return _Extractor(text, year).run()
