from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.lib.pinyin import full, initials, search_key


@pytest.mark.parametrize(
    ("text", "ini", "whole"),
    [
        ("新拓洋", "xty", "xintuoyang"),
        ("重庆银行", "cqyh", "chongqingyinhang"),  # polyphonic 重 via phrase dictionary
        ("长江", "cj", "changjiang"),
        ("绿色", "ls", "lvse"),  # ü written as v
        ("ABC12新区", "abc12xq", "abc12xinqu"),
        ("新拓洋（福建）有限公司", "xtyfjyxgs", "xintuoyangfujianyouxiangongsi"),
        ("ＡＢ公司", "abgs", "abgongsi"),  # full-width Latin folded
        ("", "", ""),
    ],
)
def test_initials_and_full(text: str, ini: str, whole: str):
    assert initials(text) == ini
    assert full(text) == whole


def test_search_key():
    assert search_key("新拓洋") == "新拓洋 xty xintuoyang"
    assert search_key("  XTY新拓洋 ") == "xty新拓洋 xtyxty xtyxintuoyang"
    assert search_key("") == ""


@given(st.text(max_size=30))
def test_keys_are_plain_ascii(text: str):
    for key in (initials(text), full(text)):
        assert key == key.lower()
        assert all(c.isascii() and c.isalnum() for c in key)
    assert search_key(text) == search_key(text).lower()


@given(st.text(alphabet="新拓洋重庆银行长江绿色公司区", min_size=1, max_size=20))
def test_one_initial_per_chinese_char(text: str):
    assert len(initials(text)) == len(text)
    assert len(full(text)) >= len(text)
