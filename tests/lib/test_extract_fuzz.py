"""Property tests: `extract()` and `parse_outline()` never crash and always
return offsets that point at a non-empty slice of the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.lib.extract import extract, parse_outline

# Characters the rules care about, so random text actually reaches them.
_RULE_CHARS = (
    "0123456789０１２３４５６７８９一二两三四五六七八九十百千万亿零〇点分之%％‰.,，。、；;：:"
    '\n\r\t **__“”"《》「」()（）个人家户亩元亿元万元万平方米个百分点以上以下以内左右约近超余多'
    "分别增长至到-—~～第届年月日PMⅣ级是一是二是工作重点回顾目标任务"
)
rule_text = st.text(alphabet=st.sampled_from(list(_RULE_CHARS)), max_size=200)
any_text = st.text(max_size=300)
years = st.none() | st.integers(min_value=1900, max_value=2100)


def _check(text: str, year: int | None) -> None:
    result = extract(text, year)
    assert isinstance(result, list)
    for ind in result:
        assert 0 <= ind.start < ind.end <= len(text)
        assert text[ind.start : ind.end]
        assert ind.kind in ("target", "achievement")
        assert ind.comparator in (">=", "<=", ">", "<", "=", "≈")
        assert isinstance(ind.to_dict(), dict)
    for task in parse_outline(text):
        assert 0 <= task.start < task.end <= len(text)
        assert text[task.start : task.end]


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(any_text, years)
def test_arbitrary_unicode_never_crashes(text: str, year: int | None) -> None:
    _check(text, year)


@settings(
    max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(rule_text, years)
def test_rule_dense_text_never_crashes(text: str, year: int | None) -> None:
    _check(text, year)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.sampled_from(["全年城镇新增就业", "3760人以上", "**", "\n", "“1+8+N”",
                                 "6%-6.5%", "(一) 坚持创新。", "一是培育主体。", "2024年工作重点"]),
                max_size=20), years)  # fmt: skip
def test_fragment_soup(parts: list[str], year: int | None) -> None:
    _check("".join(parts), year)
