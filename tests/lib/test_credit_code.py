from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.lib.credit_code import (
    CHARSET,
    CreditCodeError,
    check_char,
    is_valid,
    make,
    normalize,
    validate,
)

# Published codes (company registry / widely cited examples) that pass the
# GB 32100-2015 check.
REAL_CODES = [
    "91350100M000100Y43",  # the standard's commonly cited example
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_valid(code: str):
    assert is_valid(code)
    assert validate(code) == code
    assert check_char(code[:17]) == code[17]


def test_check_zero_when_remainder_31():
    # 31 - 0 == 31 must map to "0": an all-zero body has sum 0.
    assert check_char("0" * 17) == "0"
    assert make("0" * 17) == "0" * 18


def test_normalize_full_width_lower_and_spaces():
    raw = "  ９１３５０１００ｍ０００１００ｙ４３ \n"
    assert normalize(raw) == "91350100M000100Y43"
    assert validate(raw) == "91350100M000100Y43"
    assert validate("91350100m000100y43") == "91350100M000100Y43"


def test_error_length():
    with pytest.raises(CreditCodeError, match="长度应为18位"):
        validate("91350100M000100Y4")


def test_error_illegal_char():
    with pytest.raises(CreditCodeError, match="含非法字符「O」"):
        validate("91350100MO00100Y43")
    with pytest.raises(CreditCodeError, match="含非法字符「I」"):
        validate("91350100M000100YI3"[:17] + "I")


def test_error_check_digit():
    with pytest.raises(CreditCodeError, match="校验位错误，应为「3」"):
        validate("91350100M000100Y44")
    assert not is_valid("91350100M000100Y44")
    assert not is_valid("")


def test_error_is_value_error():
    assert issubclass(CreditCodeError, ValueError)
    with pytest.raises(CreditCodeError):
        validate(None)  # type: ignore[arg-type]


def test_make_rejects_bad_body():
    with pytest.raises(CreditCodeError, match="含非法字符「S」"):
        make("91350100S000100Y4")
    with pytest.raises(CreditCodeError):
        make("123")


bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@given(body=bodies)
def test_make_validate_round_trip(body: str):
    code = make(body)
    assert validate(code) == code
    assert code[:17] == body


@given(body=bodies, wrong=st.sampled_from(CHARSET))
def test_single_check_char_change_is_detected(body: str, wrong: str):
    code = make(body)
    if wrong != code[17]:
        assert not is_valid(code[:17] + wrong)


@given(body=bodies, pos=st.integers(0, 16), ch=st.sampled_from(CHARSET))
def test_single_body_substitution_is_detected(body: str, pos: int, ch: str):
    code = make(body)
    mutated = code[:pos] + ch + code[pos + 1 :]
    # Weights are units mod 31 (31 is prime), so any single substitution changes the check.
    assert is_valid(mutated) == (mutated == code)
