"""Likely duplicates and the radar's clusters: one function per question (docs/similar.md).

The database narrows the field first — the user's scope, problems still open or raised in
the last `TAIZHANG_RADAR_DAYS` days, not merged, and for one problem's duplicates a cheap
prefilter (same category, same park, or one of its rarest words in the stored
`similar_keys`) — and at most `POOL` of them (the newest) are scored in Python with
`taizhang.lib.similar`. The same functions answer the web pages and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.lib import similar
from taizhang.matters.models import FINISHED, Kind, Matter
from taizhang.matters.problems import problem_text
from taizhang.similar.models import RadarLink

POOL = 500  # most problems scored in Python for one question


def threshold() -> float:
    return settings.TAIZHANG_SIMILAR_THRESHOLD_PCT / 100


def radar_threshold() -> float:
    return settings.TAIZHANG_RADAR_THRESHOLD_PCT / 100


FORMULAS = {
    "score": (
        "相似度 = 两个问题文本（标题＋说明前200字）的加权词向量余弦，0～1："
        "词由 jieba 切分、按其逆文档频率（IDF）加权，另加汉字二元组以接住换了说法的同一问题。"
    ),
    "duplicate": "疑似重复：相似度 ≥ {t}，候选为近{d}天提出或尚未办结、未被合并的问题。",
    "radar": (
        "问题雷达：近{d}天提出或尚未办结、未被合并、未转督办任务的问题（最新{n}件）中，"
        "相似度 ≥ {r} 的两两相连，连通的问题成一簇；至少{k}家企业反映的簇列出，代表标题为簇中与其他问题最相似的一件。"
    ),
}


def formulas() -> dict[str, str]:
    values = {
        "t": f"{threshold():.2f}",
        "r": f"{radar_threshold():.2f}",
        "d": settings.TAIZHANG_RADAR_DAYS,
        "n": POOL,
        "k": settings.TAIZHANG_RADAR_MIN_ENTERPRISES,
    }
    return {k: v.format(**values) for k, v in FORMULAS.items()}


def pool(scope: Scope, today: dt.date | None = None) -> QuerySet[Matter]:
    """Problems that can still be duplicates or part of a pattern, inside the user's scope."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=settings.TAIZHANG_RADAR_DAYS)
    return (
        scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))
        .filter(merged_into__isnull=True)
        .filter(~Q(status__in=FINISHED) | Q(raised_on__gte=since))
        .select_related("enterprise", "enterprise__park", "category", "division")
    )


@dataclass(frozen=True)
class Candidate:
    matter: Matter
    score: float


def similar_to(
    scope: Scope,
    title: str,
    description: str = "",
    *,
    category_id: int | None = None,
    park_id: int | None = None,
    exclude: int | None = None,
    today: dt.date | None = None,
    limit: int = 10,
    base: QuerySet[Matter] | None = None,
) -> list[Candidate]:
    """Likely duplicates of a problem text (a new one being typed, or a stored one), best
    first, each scoring at least the threshold. `base` narrows the candidates further than
    the pool (the new-problem form asks only about problems of the last 30 days)."""
    text = problem_text(title, description)
    query = similar.vector(text)
    if not query:
        return []
    near = Q(pk__in=[])
    if category_id:
        near |= Q(category_id=category_id)
    if park_id:
        near |= Q(enterprise__park_id=park_id)
    for w in similar.rare_words(text):
        near |= Q(similar_keys__contains=f" {w} ")
    qs = (base if base is not None else pool(scope, today)).filter(near)
    qs = qs.select_related("enterprise", "enterprise__park", "category", "division")
    if exclude:
        qs = qs.exclude(pk=exclude)
    found = []
    for m in qs.order_by("-raised_on", "-id")[:POOL]:
        s = similar.cosine(query, similar.vector(problem_text(m.title, m.description)))
        if s >= threshold():
            found.append(Candidate(m, s))
    found.sort(key=lambda c: (-c.score, -c.matter.pk))
    return found[:limit]


def similar_of(scope: Scope, m: Matter, today: dt.date | None = None) -> list[Candidate]:
    """Likely duplicates of a stored problem."""
    return similar_to(
        scope,
        m.title,
        m.description,
        category_id=m.category_id,
        park_id=m.enterprise.park_id if m.enterprise_id else None,
        exclude=m.pk,
        today=today,
    )


def _scored_pool(scope: Scope, today: dt.date | None, qs: QuerySet | None = None):
    rows = list((qs if qs is not None else pool(scope, today)).order_by("-raised_on", "-id")[:POOL])
    return rows, [similar.vector(problem_text(m.title, m.description)) for m in rows]


@dataclass(frozen=True)
class Pair:
    a: Matter
    b: Matter
    score: float


def duplicate_pairs(scope: Scope, today: dt.date | None = None, limit: int = 100) -> list[Pair]:
    """The 疑似重复 list: pairs in the pool scoring at least the threshold, best first."""
    rows, vectors = _scored_pool(scope, today)
    out = [Pair(rows[i], rows[j], s) for i, j, s in similar.pairs(vectors, threshold())]
    out.sort(key=lambda p: (-p.score, -p.a.pk))
    return out[:limit]


@dataclass
class Cluster:
    problems: list[Matter]
    representative: Matter
    scores: dict[int, float] = field(
        default_factory=dict
    )  # problem id → score to the representative

    @property
    def enterprises(self) -> list[str]:
        """Every enterprise that raised the problem, those a kept problem took over included."""
        names = {m.enterprise.name for m in self.problems if m.enterprise_id}
        for m in self.problems:
            names.update(e.name for e in m.other_enterprises.all())
        return sorted(names)

    @property
    def parks(self) -> list[str]:
        return sorted(
            {
                m.enterprise.park.name
                for m in self.problems
                if m.enterprise_id and m.enterprise.park_id
            }
        )

    @property
    def categories(self) -> list[str]:
        return sorted({m.category.name for m in self.problems if m.category_id})

    @property
    def ids(self) -> list[int]:
        return [m.pk for m in self.problems]


def radar(scope: Scope, today: dt.date | None = None) -> list[Cluster]:
    """Clusters of alike problems raised by several enterprises, largest first."""
    linked = RadarLink.objects.values("problem_id")
    qs = pool(scope, today).exclude(pk__in=linked).prefetch_related("other_enterprises")
    rows, vectors = _scored_pool(scope, today, qs)
    out = []
    for members in similar.clusters(len(rows), similar.pairs(vectors, radar_threshold())):
        problems = [rows[i] for i in members]
        rep = similar.medoid(members, vectors)
        scores = {rows[i].pk: similar.cosine(vectors[rep], vectors[i]) for i in members}
        problems.sort(key=lambda m: (-scores[m.pk], m.pk))
        cluster = Cluster(problems, rows[rep], scores)
        if len(cluster.enterprises) >= settings.TAIZHANG_RADAR_MIN_ENTERPRISES:
            out.append(cluster)
    return out
