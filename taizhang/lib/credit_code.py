"""统一社会信用代码 (unified social credit code), GB 32100-2015."""

from __future__ import annotations

import unicodedata

__all__ = [
    "CHARSET",
    "WEIGHTS",
    "CreditCodeError",
    "check_char",
    "is_valid",
    "make",
    "normalize",
    "validate",
]

# I, O, Z, S, V are excluded by the standard to avoid confusion with 1, 0, 2, 5, U.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}


class CreditCodeError(ValueError):
    """The text is not a valid 统一社会信用代码."""


def normalize(s: str) -> str:
    """Full-width to half-width, drop all whitespace, upper-case."""
    # NFKC folds full-width letters/digits (ＡＢ１) to ASCII.
    s = unicodedata.normalize("NFKC", s)
    return "".join(s.split()).upper()


def _check_body(first17: str) -> None:
    if len(first17) != 17:
        raise CreditCodeError(f"本体代码长度应为17位（实际{len(first17)}位）")
    for c in first17:
        if c not in _VALUE:
            raise CreditCodeError(f"含非法字符「{c}」")


def check_char(first17: str) -> str:
    """The check character for the first 17 (already normalized) characters."""
    _check_body(first17)
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def make(first17: str) -> str:
    """Append the check character to a 17-character body."""
    body = normalize(first17)
    return body + check_char(body)


def validate(code: str) -> str:
    """Return the normalized code or raise :class:`CreditCodeError`."""
    if not isinstance(code, str):
        raise CreditCodeError("统一社会信用代码应为文本")
    c = normalize(code)
    if len(c) != 18:
        raise CreditCodeError(f"长度应为18位（实际{len(c)}位）")
    for ch in c:
        if ch not in _VALUE:
            raise CreditCodeError(f"含非法字符「{ch}」")
    expected = check_char(c[:17])
    if c[17] != expected:
        raise CreditCodeError(f"校验位错误，应为「{expected}」")
    return c


def is_valid(code: str) -> bool:
    """True if :func:`validate` would accept ``code``."""
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True
