"""Markup clean-up that keeps a map back to the original offsets.

The extractor works on a normalised copy of the text (bold markers dropped,
wrapped lines re-joined, full-width ASCII folded) but must report offsets into
the caller's original string, so every edit is recorded as a segment map.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Bold markers and newline runs (with the blank/indent space around them) are
# the only edits; everything else is copied verbatim so the map stays simple.
_NOISE_RE = re.compile(r"\*\*|__|[^\S\n]*\n\s*")

# A line ending in one of these closes a sentence, so the break is real.
_TERMINAL = frozenset("。！？；：!?;:…")
_CLOSERS = "”’」』)）】》\"'"
_CLAUSE_MARKS = frozenset("，,、；;")

# Lines that open a heading or a new block; a break before them is kept.
_HEADING_START_RE = re.compile(
    r"(?:#|——|□|■|●|◆|[（(][一二三四五六七八九十0-9]{1,3}[)）]|[一二三四五六七八九十]{1,3}、"
    r"|[0-9]{1,2}[、.．](?![0-9])|第[一二三四五六七八九十]{1,3}[章节部分条])"
)

# Fold full-width ASCII (digits, ％, letters, punctuation) to half-width; the
# translation is 1:1 per character so offsets are unaffected.
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FW_TABLE[0x3000] = 0x20
_FW_PRESENT_RE = re.compile("[\uff01-\uff5e\u3000]")


@dataclass(slots=True)
class NormText:
    """`display` keeps original punctuation for showing sentences; `search` is
    the same length with full-width ASCII folded, for matching."""

    original: str
    display: str
    search: str
    norm_starts: list[int]
    orig_starts: list[int]

    def to_orig(self, i: int) -> int:
        """Original offset of normalised index `i` (0 <= i < len(display))."""
        k = bisect_right(self.norm_starts, i) - 1
        if k < 0:
            return i
        return self.orig_starts[k] + (i - self.norm_starts[k])

    def span_to_orig(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalised span; the end maps via its last character
        so a span never swallows a removed gap that follows it."""
        o_start = self.to_orig(start)
        o_end = self.to_orig(end - 1) + 1
        if o_end <= o_start:
            o_end = o_start + 1
        return o_start, min(o_end, len(self.original))


def _body_like(line: str) -> bool:
    """A line that looks like running text (so a break after it is a wrap)."""
    s = line.strip()
    if not s or _HEADING_START_RE.match(s):
        return False
    if any(c in _CLAUSE_MARKS for c in s):
        return True
    # Headlines are short or use spaces between phrases; wrapped prose does not.
    return len(s) >= 15 and not any(c.isspace() for c in s)


def _is_continuation(text: str, gap_start: int, gap_end: int) -> bool:
    if gap_end >= len(text) or gap_start == 0:
        return False
    line_start = text.rfind("\n", 0, gap_start) + 1
    prev = text[line_start:gap_start].replace("**", "").replace("__", "").rstrip()
    if not prev:
        return False
    tail = prev.rstrip(_CLOSERS)
    if not tail or tail[-1] in _TERMINAL:
        return False
    next_end = text.find("\n", gap_end)
    nxt = text[gap_end : next_end if next_end >= 0 else len(text)].lstrip("*_ \t")
    if not nxt or _HEADING_START_RE.match(nxt):
        return False
    return _body_like(prev)


def normalize(text: str) -> NormText:
    pieces: list[str] = []
    norm_starts: list[int] = [0]
    orig_starts: list[int] = [0]
    npos = 0  # length of the normalised output so far
    last = 0
    for m in _NOISE_RE.finditer(text):
        if m.start() > last:
            # The segment for this chunk was opened when the previous gap ended.
            chunk = text[last : m.start()]
            pieces.append(chunk)
            npos += len(chunk)
        token = m.group()
        if token in ("**", "__"):
            repl = ""
        elif _is_continuation(text, m.start(), m.end()):
            repl = ""
        else:
            repl = "\n"
        if repl:
            norm_starts.append(npos)
            orig_starts.append(m.start())
            pieces.append(repl)
            npos += 1
        last = m.end()
        # The next kept chunk starts a new segment at the original position.
        norm_starts.append(npos)
        orig_starts.append(last)
    if last < len(text):
        pieces.append(text[last:])
    display = "".join(pieces)
    # Collapse duplicate segment starts (a later entry for the same normalised
    # index is the correct one because it reflects the latest skip).
    ns: list[int] = []
    os_: list[int] = []
    for n, o in zip(norm_starts, orig_starts, strict=True):
        if ns and ns[-1] == n:
            os_[-1] = o
        else:
            ns.append(n)
            os_.append(o)
    search = display.translate(_FW_TABLE) if _FW_PRESENT_RE.search(display) else display
    return NormText(text, display, search, ns, os_)
