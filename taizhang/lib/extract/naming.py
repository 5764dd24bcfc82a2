"""Turning the words around a number into an indicator name."""

from __future__ import annotations

import re

_QUOTES_RE = re.compile(r"[“”\"‘’'「」『』《》〈〉【】\s]")
_INNER_RE = re.compile(
    r"同比|较上年同期|比上年同期|较上年|比上年|较去年同期|较去年|比去年|较年初|较同期|了|累计"
)
# Time words, cue verbs and area prefixes that open a clause but are not part
# of what is measured ("全年完成地区生产总值" → "地区生产总值").
_LEAD_RE = re.compile(
    r"^(?:[、，,：:；;—\-·…/●•▪■◆○◇□★☆]"
    # List markers of bulleted lines: "1." "2、" "（3）" — never part of what is measured.
    r"|[0-9]{1,2}[.．、](?![0-9])|[（(][0-9一二三四五六七八九十]{1,3}[)）]"
    r"|(?:19|20)[0-9]{2}年(?:底|末|初|前|以来|上半年|下半年|全年)?(?:至(?:19|20)[0-9]{2}年)?"
    r"|[0-9一二三四五六七八九十]{1,2}(?:至|-|—|到)[0-9一二三四五六七八九十]{1,2}月份?"
    r"|[0-9一二三四五六七八九十]{1,2}月(?:份|底|末|初|中旬|上旬|下旬)?(?:前|以来)?"
    r"|全年|今年|去年|本年|当年|年内|上半年|下半年|前三季度|一季度|近年来|近两年|近三年|以来"
    r"|全国|全省|全市|全区|全县|全镇|全乡|全街道|该区|该县|该市|该镇|该街道|我区|我县|我市"
    r"|其中|累计|共计|合计|总计|共(?!享|建|同|青|产|性)|力争|确保|预计|计划|争取到|争取|目标|实现"
    r"|实施|纳入|办理|可(?=完成|实现|达到)"
    r"|完成(?!投资$)|达到|截至目前|截至"
    r"|目前|先后|同时|此外|另外|并且|还将|即将|还有|已经|已|均|在|把|向|为|将|拟|谋划|分别)+"
)
_TRAIL_RE = re.compile(
    r"(?:[、，,：:；;\s]|不低于|不少于|不小于|至少|不超过|不高于|不多于|控制在|低于|少于|突破|超过"
    r"|超出|高于|多于|超|大约|约|将近|接近|近|达到|达|完成|实现|累计|共计|共|总计|合计|为|是|到"
    r"|至|的|有|在|分别|可达|可|稳定在|保持在|稳定|保持"
    r"|压缩到|压缩至|缩短到|缩短至|缩小到|缩小至|缩小为"
    # "控制在每立方米40微克以下": the per-unit phrase belongs to the unit, not the name.
    r"|每(?:立方米|平方米|平方公里|人|户|亩|吨|千瓦时))+$"
)
# Endings after which the measured thing follows the number ("改造64个老旧小区").
_WEAK_END_RE = re.compile(
    r"(?:改造|提升|建成|建设|新建|培育|引进|盘活|打造|实施|办理|开展|解决|协助|走访|保障|设置|组建"
    r"|成立|增配|承接|涉及|建立|构建|完善|聚焦|抓好|关停|拆除|腾空|拥有|投入|发布|对接|参加"
    r"|召开|清理|整治|治理|创建|认定|获批|申报|开工|签约|落地|吸纳|帮助|培训|安置|招聘|提供"
    r"|改建|扩建|铺设|修建|硬化|栽植|种植|选定|收集|帮扶|包联|慰问|救助|资助|扶持|奖励|评选"
    r"|表彰|推出|新增|签订|达成|带动|覆盖|惠及|举办|组织|开办|开设|增加|减少|谋划|规划|实现"
    r"|完成|达到|整合|储备|摸排|排查|化解|受理|办结|设|建|有|对|为|向|在|和|及|与|等|将|把"
    r"|从|共|是|中|了)$"
)
_POST_RE = re.compile(r"[^\s,，。;；:：!！?？()（）、0-9%‰]{1,24}")
_POST_STOP_RE = re.compile(
    r"完成|实现|进行|实行|取得|已|正在|正|被|是|相继|办理|落实|开工|建成|投产|和|及|与|的|以|等"
    r"|达到|覆盖|涉及|改造|入驻|位列|提升|用于|计划|预计|将|获|列入|纳入|共|全部|均|分别|同比"
    r"|增长|下降|总投资|投资|累计"
)
CHANGE_WORDS = frozenset(
    ("增长", "下降", "提高", "降低", "提升", "回升", "减少", "增加", "上升", "增幅", "增速",
     "下滑", "降幅", "增", "降", "提高到", "提升到", "提高至", "提升至", "缩短", "压缩")
)  # fmt: skip
_SUBJ_CUT_RE = re.compile(
    r"逐月|持续|稳步|明显|不断|同比|较|比|达到|达|完成|实现|增长|下降|提高|回升|为|是|[0-9]|约"
    r"|近|超|分别"
)
_MAX_NAME = 24


# "北塘区实现地区生产总值…": the place that achieved it is not part of the measure's name.
_ACTOR_RE = re.compile(
    r"^[\u4e00-\u9fff]{1,6}?(?:区|县|市|镇|乡|街道|园区)(?:累计|共)?(?:实现|完成)(?=[\u4e00-\u9fff]{2})"
)


def drop_actor(name: str, keep: frozenset[str]) -> str:
    """Name without a leading "<place>实现"; kept whole when only a bare word would remain."""
    m = _ACTOR_RE.match(name)
    if m is None or name[m.end() :] in keep or name[m.start() : m.end()].startswith("地区"):
        return name
    return name[m.end() :]


def clean(raw: str) -> str:
    s = _QUOTES_RE.sub("", raw)
    s = _INNER_RE.sub("", s)
    prev = None
    while prev != s:
        prev = s
        s = _LEAD_RE.sub("", s, count=1)
        s = _TRAIL_RE.sub("", s, count=1)
    return s


# Verbs that take the measured thing as their object after the number: "改造提升15个老旧小区"
# is counted in 老旧小区, so the verb is not part of the name.
_VERB_END_RE = re.compile(
    r"(?:改造提升|提升改造|改造|提升|整治|打造|盘活|培育|引进|建成|新建改扩建)$"
)


def ends_with_verb(cleaned: str) -> bool:
    return _VERB_END_RE.search(cleaned) is not None


def weak_subject(raw_pre: str, cleaned: str) -> bool:
    """True when the words before the number are not a subject on their own."""
    if not cleaned:
        return True
    if cleaned[0] == "对" and cleaned[1:2] != "外":
        return True  # "对辖区265家企业": the object follows the count
    tail = _QUOTES_RE.sub("", raw_pre).rstrip()
    return bool(_WEAK_END_RE.search(tail) or _WEAK_END_RE.search(cleaned))


def post_noun(s: str, pos: int) -> tuple[str, int]:
    """Noun phrase right after a count ("64个老旧小区" → "老旧小区") and its end."""
    m = _POST_RE.match(s, pos)
    if not m:
        return "", pos
    text = m.group()
    stop = _POST_STOP_RE.search(text)
    if stop is not None:
        text = text[: stop.start()]
    if text.startswith(("以上", "以下", "以内", "左右", "外", "后", "前")):
        return "", pos
    name = _QUOTES_RE.sub("", text)
    if not name:
        return "", pos
    return name, pos + len(text)


def previous_subject(s: str, start: int, end: int) -> str:
    """Leading noun phrase of the clause s[start:end] ("规上工业产值24.52亿元")."""
    text = _LEAD_RE.sub("", _QUOTES_RE.sub("", s[start:end]))
    cut = _SUBJ_CUT_RE.search(text)
    if cut is not None:
        text = text[: cut.start()]
    return clean(text)


def shorten(name: str) -> str:
    if len(name) <= _MAX_NAME:
        return name
    tail = name[-_MAX_NAME:]
    for sep in "、的和及与":
        k = tail.find(sep)
        if 0 <= k < len(tail) - 2:
            return tail[k + 1 :]
    return tail


def split_subjects(text: str) -> list[str]:
    """Subjects listed before 分别: "规上工业增加值、固定资产投资".

    A short first item shares the head of the last one: "城镇、农村居民人均可支配
    收入" → 城镇居民人均可支配收入, 农村居民人均可支配收入.
    """
    parts = [clean(p) for p in re.split(r"[、和与及]", _QUOTES_RE.sub("", text))]
    parts = [p for p in parts if p]
    if len(parts) >= 2:
        last = parts[-1]
        parts = [
            p + last[len(p) :] if len(p) <= 4 and len(last) > len(p) + 2 else p for p in parts[:-1]
        ] + [last]
    return parts
