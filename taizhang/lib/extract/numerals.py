"""Number and unit recognition: one precompiled pattern plus value parsing.

cn2an is only ever applied to a span the pattern already matched together with
a unit, never to free text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

# Units that take a 万/亿 multiplier ("3.7亿元", "2万人"); base_value folds it in.
_SCALABLE = (
    "元", "美元", "人", "人次", "户", "亩", "吨", "平方米", "立方米", "平方公里", "公里",
    "公顷", "千瓦", "千瓦时", "株", "套", "辆", "台", "头", "只", "件", "个", "册", "标准箱",
    "名",  # "1.2万名": 万 folds into the unit like 万人
)  # fmt: skip
_PLAIN = (
    "个百分点", "百分点", "%", "‰", "倍", "家次", "家", "次", "项", "条", "座", "所", "处",
    "栋", "间", "张", "份", "批", "场", "类", "种", "支", "位", "宗", "棵", "篇", "部",
    "起", "例", "米", "千克", "公斤", "兆瓦", "岁", "千元", "微克/立方米", "微克", "元/吨",
    "吨/日", "立方米/日", "元/平方米", "万元/亩", "元/人",
)  # fmt: skip
TIME_UNITS = frozenset(("个工作日", "工作日", "天", "小时", "分钟", "个月"))
RATE_UNITS = frozenset(("个百分点", "百分点", "%", "‰", "倍"))
# A bare multiplier ("人口1.2万") is accepted last, after every real unit.
_BARE = ("万亿", "万", "亿")

PREFIX_SCALE: dict[str, int] = {"万亿": 10**12, "亿": 10**8, "万": 10**4}
UNIT_SCALE: dict[str, int] = {"千元": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}
for _u in _SCALABLE:
    for _p, _s in PREFIX_SCALE.items():
        UNIT_SCALE[_p + _u] = _s
UNIT_SCALE["万元/亩"] = 10**4

ALL_UNITS: frozenset[str] = frozenset(
    [*_SCALABLE, *_PLAIN, *TIME_UNITS, *_BARE, *(k for k in UNIT_SCALE if k not in _BARE)]
)

CN_DIGITS = "零〇一二两三四五六七八九"
CN_CHARS = CN_DIGITS + "十百千万亿"
_CN_NUM = rf"[{CN_DIGITS}十百千][{CN_CHARS}]*(?:点[{CN_DIGITS}]+)?"
_AR_NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
# Ordinals (第十二届), session counts (十一届六次) and plan codes glued to
# letters or "+" (PM2.5, 1+8+N) are excluded right in the pattern.
_NUM = rf"(?:(?<![0-9A-Za-z.+第届])(?:{_AR_NUM})|(?<![{CN_CHARS}第届])(?:{_CN_NUM}))"
_NUM2 = rf"(?:{_AR_NUM}|{_CN_NUM})"
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(ALL_UNITS, key=len, reverse=True))
_RANGE_SEP = "(?:-|—|–|~|～|至|到)"

NUMBER_RE = re.compile(
    rf"(?P<pct>百分之(?P<p1>{_CN_NUM})(?:{_RANGE_SEP}百分之(?P<p2>{_CN_NUM}))?)"
    rf"|(?P<n1>{_NUM})(?:(?:%|‰)?{_RANGE_SEP}(?P<n2>{_NUM2}))?(?P<approx>余|多)?"
    rf"(?P<unit>{_UNIT_ALT})"
)


def is_cn_numeral(s: str) -> bool:
    return not ("0" <= s[0] <= "9")


def cn_is_weak(s: str) -> bool:
    """Single-character numerals (三家村, 八个方面) or ones with no digit
    (百城, 千万元) are usually words, not counts."""
    return len(s) == 1 or not any(c in CN_DIGITS for c in s)


@lru_cache(maxsize=4096)
def parse_number(s: str) -> Decimal | None:
    """Value of an Arabic or Chinese numeral span; None when it is not a number."""
    if "0" <= s[0] <= "9":
        try:
            return Decimal(s.replace(",", ""))
        except InvalidOperation:
            return None
    cn = s.replace("两", "二").replace("〇", "零")
    if cn[0] in "百千":
        cn = "一" + cn
    try:
        out = cn2an.cn2an(cn, "strict")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    try:
        return Decimal(str(out))
    except InvalidOperation:
        return None


def split_multiplier(numeral: str, unit: str) -> tuple[str, str]:
    """Move a trailing 万/亿 of a Chinese numeral into the unit ("两万人" →
    "两" + "万人") so Chinese and Arabic forms report the same unit."""
    if len(numeral) < 2 or not is_cn_numeral(numeral):
        return numeral, unit
    for mult in ("万亿", "亿", "万"):
        if numeral.endswith(mult) and len(numeral) > len(mult):
            new_unit = mult + unit
            if new_unit in ALL_UNITS and numeral[: -len(mult)][-1] not in "万亿":
                return numeral[: -len(mult)], new_unit
    return numeral, unit


def base_of(value: Decimal, unit: str) -> Decimal:
    scale = UNIT_SCALE.get(unit)
    return value * scale if scale else value
