"""Similar enterprise problems: text normalisation, tokens, weighted vectors, a 0..1 score and
clusters over the similarity graph. Pure Python (jieba for Chinese words), no Django.

The score of two texts depends on those two texts only: words are weighted by jieba's own
IDF table (shipped in the package, `jieba/analyse/idf.txt`), so a pair scores the same
whichever other problems are in the room — a threshold set once keeps its meaning. Character
bigrams are added beside the words, so that rewordings jieba cuts differently ("电力增容" /
"用电增容") still meet.

jieba is loaded lazily, once per process (about a second), with its dictionary cache in the
system's temp directory — never beside the code, never downloaded.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

# Words that say "this is a problem an enterprise raised" and nothing about which problem:
# they would pair every problem with every other.
STOPWORDS = frozenset(
    """
    企业 公司 问题 需要 希望 请求 要求 申请 反映 协调 解决 帮助 帮忙 相关 有关 部门 目前 现在 存在 我们 我司
    本公司 该企业 一直 尚未 没有 不能 无法 影响 情况 进行 工作 政府 有限公司 有限责任 责任 股份 集团 方面
    问题反映 尽快 及时 能否 是否 一下 一些 这个 那个 已经 还是 以及 或者 因为 所以 但是 由于 对于 关于
    正常 导致 造成 严重 较大 比较 非常 多次 一个 其他 相关部门 给予 支持 予以 办理 处理 推进 落实
    迟迟 至今 下来 办不下来 困难 进度 缓慢 咨询 指导 具体 具体情况
    """.split()
)
# A few spellings of the same thing in enterprise problems (left → right before cutting).
SYNONYMS = (
    ("扩容", "增容"),
    ("用电负荷", "用电容量"),
    ("电力容量", "用电容量"),
    ("供电容量", "用电容量"),
    ("变压器容量", "用电容量"),
    ("招聘", "招工"),
    ("用工难", "招工难"),
    ("缺工", "招工难"),
    ("贷款难", "融资难"),
    ("资金紧张", "融资难"),
    ("天然气", "燃气"),
    ("自来水", "供水"),
    ("环境影响评价", "环评"),
    ("技术改造", "技改"),
    ("奖补", "补贴"),
    ("土地使用权证", "土地证"),
    ("不动产权证书", "不动产证"),
    ("不动产登记", "不动产证"),
)
BIGRAM = "#"  # prefix of a character-bigram feature (a word never starts with it)
_CJK = re.compile(r"[\u3400-\u9fff]+")
_KEEP = re.compile(r"[\u3400-\u9fffa-z0-9]")

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _load() -> tuple[Any, dict[str, float], float]:
    """jieba's tokenizer and IDF table, loaded on first use, once per process."""
    if "tok" not in _state:
        with _lock:
            if "tok" not in _state:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                # Explicit: the prefix-dictionary cache lives in the temp directory.
                tok.tmp_dir = tempfile.gettempdir()
                tok.initialize()
                for word in ("增容", "用电容量", "招工难", "融资难", "断头路", "双回路"):
                    tok.add_word(word, freq=2000)
                idf: dict[str, float] = {}
                text = resources.files("jieba.analyse").joinpath("idf.txt").read_text("utf-8")
                for line in text.splitlines():
                    word, _, value = line.partition(" ")
                    if value:
                        idf[word] = float(value)
                values = sorted(idf.values())
                _state["idf"] = idf
                _state["median"] = values[len(values) // 2] if values else 10.0
                _state["tok"] = tok
    return _state["tok"], _state["idf"], _state["median"]


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, synonyms to one spelling, punctuation to spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for a, b in SYNONYMS:
        text = text.replace(a, b)
    return "".join(ch if _KEEP.match(ch) else " " for ch in text)


def words(text: str) -> list[str]:
    """The meaningful words of a text (jieba's cut, no HMM guesses: stable across versions),
    without stopwords and single characters."""
    tok, _, _ = _load()
    out = []
    for w in tok.lcut(normalise(text), HMM=False):
        w = w.strip()
        if len(w) >= 2 and w not in STOPWORDS and not w.isdigit():
            out.append(w)
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping pairs of Chinese characters within each run (not across punctuation)."""
    out = []
    for run in _CJK.findall(normalise(text)):
        out.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
    return out


def vector(text: str) -> dict[str, float]:
    """Unit-length TF-IDF vector: words weighted by jieba's IDF (an unknown word by the
    table's median, since rare words are what tell problems apart), bigrams at a third of
    the median so that words lead and bigrams only bridge rewordings."""
    _, idf, median = _load()
    weights: dict[str, float] = {}
    for w, n in Counter(words(text)).items():
        weights[w] = n * idf.get(w, median)
    stop_bigrams = {BIGRAM + w for w in STOPWORDS if len(w) == 2}
    for b, n in Counter(bigrams(text)).items():
        if b not in stop_bigrams:
            weights[b] = weights.get(b, 0.0) + n * median / 3
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {k: v / norm for k, v in weights.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit vectors, clamped to 0..1 against rounding."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    return max(0.0, min(1.0, dot))


def score(a: str, b: str) -> float:
    """How alike two problem texts are, 0 (nothing shared) .. 1 (the same words)."""
    return cosine(vector(a), vector(b))


def keys(text: str, limit: int = 300) -> str:
    """The distinct words of a text, space-separated and space-framed (" 电力 增容 "), stored
    on the row so the database can prefilter candidates with `contains " word "`."""
    out = " "
    for w in sorted(set(words(text)), key=lambda w: (-len(w), w)):
        if len(out) + len(w) + 1 > limit:
            break
        out += w + " "
    return out if out.strip() else ""


def rare_words(text: str, n: int = 8) -> list[str]:
    """The `n` words of a text that tell it apart best (highest IDF first)."""
    _, idf, median = _load()
    return sorted(set(words(text)), key=lambda w: (-idf.get(w, median), w))[:n]


def pairs(vectors: Sequence[dict[str, float]], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair (i < j) scoring at least `threshold`, found through an inverted index: only
    pairs sharing a feature are scored."""
    index: dict[str, list[int]] = {}
    for i, v in enumerate(vectors):
        for k in v:
            index.setdefault(k, []).append(i)
    out = []
    for i, v in enumerate(vectors):
        seen: set[int] = set()
        for k in v:
            seen.update(j for j in index[k] if j > i)
        for j in sorted(seen):
            s = cosine(v, vectors[j])
            if s >= threshold:
                out.append((i, j, s))
    return out


def clusters(n: int, edges: Iterable[tuple[int, int, float]]) -> list[list[int]]:
    """Single-link clusters of items 0..n-1 over the given edges (union-find), each sorted,
    largest first; singletons left out."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in edges:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def medoid(members: Sequence[int], vectors: Sequence[dict[str, float]]) -> int:
    """The member most like the others (highest summed score): the cluster's representative."""
    return max(
        members,
        key=lambda i: (sum(cosine(vectors[i], vectors[j]) for j in members if j != i), -i),
    )
