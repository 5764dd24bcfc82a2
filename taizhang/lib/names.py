"""The managed name a person probably meant ("高端装备" → "高端装备制造")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(text: str, names: Iterable[str]) -> str | None:
    """The one name `text` most likely stands for, or None when nothing is close.

    A name that contains what was typed (a shortened name) or is contained in it (an
    added suffix such as 有限公司) wins when it is the only such name; otherwise the
    closest spelling by difflib's ratio, if it is similar enough to suggest.
    """
    text = text.strip()
    if not text:
        return None
    pool = list(dict.fromkeys(n for n in names if n))
    if text in pool:
        return text
    around = [n for n in pool if text in n or (len(n) >= 2 and n in text)]
    if len(around) == 1:
        return around[0]
    if len(around) > 1:
        # Several names contain it: the one closest in length says the least that is new.
        return min(around, key=lambda n: (abs(len(n) - len(text)), n))
    found = difflib.get_close_matches(text, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(text: str, names: Iterable[str]) -> str:
    """ "（您是否要填「高端装备制造」？）" or "" — appended to a refusal."""
    name = closest(text, names)
    return f"（您是否要填「{name}」？）" if name and name != text else ""
