"""Pinyin keys for searching Chinese names (新拓洋 → xty / xintuoyang)."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

__all__ = ["full", "initials", "search_key"]

# Everything except ASCII letters/digits (spaces, punctuation, 全角括号) is dropped
# from the keys so "新拓洋（福建）" still matches "xtyfj".
_NOT_KEY = re.compile(r"[^a-z0-9]")


def _clean(parts: list[str]) -> str:
    return _NOT_KEY.sub("", "".join(parts).lower())


def _prepare(text: str) -> str:
    # Full-width Latin letters/digits (ＡＢ１) to ASCII before pypinyin sees them.
    return unicodedata.normalize("NFKC", text)


def initials(text: str) -> str:
    """First letter of each character's pinyin; Latin letters/digits kept, lower-case."""
    # Non-Chinese runs come back whole ("ABC12"), which keeps them intact.
    return _clean(lazy_pinyin(_prepare(text), style=Style.FIRST_LETTER))


def full(text: str) -> str:
    """Toneless pinyin without separators (ü written as v); Latin/digits kept."""
    return _clean(lazy_pinyin(_prepare(text), style=Style.NORMAL))


def search_key(text: str) -> str:
    """``"{text} {initials} {full}"`` lower-cased, for a stored search column.

    The text part is NFKC-folded and stripped; empty parts are left out.
    """
    prepared = _prepare(text).strip()
    parts = (prepared, initials(prepared), full(prepared))
    return " ".join(p for p in parts if p).lower()
