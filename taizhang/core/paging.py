"""Paging in the database, for every list of the web and the API.

Two rules that keep a list's cost independent of the size of the user's scope (a
province's 2 million problems as much as a town's 30):

* **Counts stop at 10,000.** A list says "共 10,000+ 条" rather than counting millions
  of rows on every page; the count reads at most CAP + 1 index entries.
* **Deep pages seek.** The API hands out a cursor (``next``) holding the last row's sort
  keys; the next page is `WHERE (keys) < (cursor) ORDER BY keys LIMIT n`, which reads
  one page from the index however deep it is. OFFSET serves the first pages (and the
  web's numbered pages, which stop at the capped count).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable

from taizhang.core.errors import invalid

CAP = 10_000


def capped_count(qs: QuerySet | Sequence[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the number of rows up to `cap`; (cap, False) when there are more.

    `SELECT COUNT(*) FROM (SELECT pk … LIMIT cap + 1)`: the database stops after
    cap + 1 rows instead of counting a whole province per page.
    """
    cap = CAP if cap is None else cap
    if not isinstance(qs, QuerySet):
        n = len(qs)  # rows a page already holds (a short computed list): nothing to save
    else:
        n = qs.order_by().values("pk")[: cap + 1].count()
    return (cap, False) if n > cap else (n, True)


def count_label(count: int, exact: bool) -> str:
    """How a list prints its size: "3512" or "10,000+"."""
    return str(count) if exact else f"{count:,}+"


# From this offset on a page is found by its keys first (`rows_at`).
DEEP = 200


def rows_at(qs: QuerySet | Sequence[Any], start: int, stop: int) -> list[Any]:
    """The rows start..stop of a sorted list.

    Deep in a list, the database would compute every skipped row's annotations (a light's
    calendar subqueries) only to throw them away: 10,000 rows for page 500. So deep pages,
    and every page of a list with annotations, first take the page's primary keys in list
    order (sort keys only, from the index), then read those rows with everything the list
    adds to them. On page 1 this matters too: PostgreSQL plans the annotations for every
    row the ORDER BY sorts (a province's project lights built a hashed subplan over all
    milestones: 250 ms; keys first, then 25 rows: 50 ms).
    """
    if (
        not isinstance(qs, QuerySet)
        or qs._iterable_class is not ModelIterable
        or qs.query.combinator
        or (start < DEEP and not qs.query.annotations)
    ):
        return list(qs[start:stop])
    pks = list(qs.values_list("pk", flat=True)[start:stop])
    found = {row.pk: row for row in qs.order_by().filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]


class CappedPaginator(Paginator):
    """Django's Paginator with the count capped at CAP.

    Beyond the cap the last numbered page is the one holding row CAP; the list says
    "10,000+" and asks for a narrower filter (`more_than_cap`), as search engines do.
    """

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped_count(self.object_list)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self._capped[0]

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_at(self.object_list, bottom, top), number, self)

    @property
    def exact(self) -> bool:
        return self._capped[1]

    @property
    def more_than_cap(self) -> bool:
        return not self._capped[1]

    @property
    def count_label(self) -> str:
        return count_label(*self._capped)


# Keyset (seek) pages ---------------------------------------------------------------


def _order_keys(qs: QuerySet) -> list[tuple[str, bool]] | None:
    """The list's sort keys as (field, descending), or None when it cannot seek.

    Seeking needs keys that are never NULL (PostgreSQL and SQLite order NULLs on
    different ends) and that end in the primary key (so the order is total).
    """
    order = list(qs.query.order_by or qs.model._meta.ordering or [])
    keys: list[tuple[str, bool]] = []
    for item in order:
        if not isinstance(item, str):
            return None
        desc = item.startswith("-")
        name = item.lstrip("-")
        if name == "pk":
            name = qs.model._meta.pk.name
        if "__" in name:
            return None
        try:
            field = qs.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None  # an annotation (a light's rank): pages by OFFSET only
        if field.null or field.is_relation and not field.many_to_one:
            return None
        keys.append((field.attname if field.many_to_one else name, desc))
    if not keys or keys[-1][0] != qs.model._meta.pk.attname:
        return None
    return keys


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _encode(keys: list[tuple[str, bool]], values: list[Any]) -> str:
    raw = json.dumps([[k for k, _ in keys], [_plain(v) for v in values]], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(keys: list[tuple[str, bool]], cursor: str) -> list[Any]:
    bad = invalid("after", "翻页游标无效，请从第一页重新开始")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        names, values = json.loads(raw)
    except (ValueError, TypeError):
        raise bad from None
    if names != [k for k, _ in keys] or not isinstance(values, list) or len(values) != len(keys):
        raise invalid("after", "翻页游标与当前排序不符，请从第一页重新开始")
    if any(not isinstance(v, str | int | float) or isinstance(v, bool) for v in values):
        raise bad
    return values


def _after(keys: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows after the cursor in the list's order: a row-value comparison spelled as ORs."""
    q = Q(pk__in=[])
    equal = Q()
    for (name, desc), value in zip(keys, values, strict=True):
        q |= equal & Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
        equal &= Q(**{name: value})
    # The first key's bound, implied by the ORs, spelled out: the planner reads it as the
    # start of an index range instead of testing the ORs on every row of the scope.
    (first, desc), value = keys[0], values[0]
    return Q(**{f"{first}__{'lte' if desc else 'gte'}": value}) & q


@dataclass
class Window:
    """One page of a list for the API: its rows, the capped count and the next cursor."""

    items: list[Any]
    count: int
    count_exact: bool
    next: str | None

    def as_dict(self, items: list[Any]) -> dict[str, Any]:
        return {
            "count": self.count,
            "count_exact": self.count_exact,
            "next": self.next,
            "items": items,
        }


def window(qs: QuerySet, *, offset: int = 0, limit: int = 100, after: str | None = None) -> Window:
    """A page of `qs` (already filtered by scope and sorted) read in the database.

    With `after` (a cursor from an earlier page's ``next``) the page seeks past that row
    and `offset` must be 0; without it the page starts at `offset`. ``next`` is given
    while more rows follow and the order can seek.
    """
    keys = _order_keys(qs)
    page = qs
    if after:
        if keys is None:
            raise invalid("after", "此排序不支持游标翻页，请改用 offset")
        if offset:
            raise invalid("offset", "使用游标翻页时 offset 应为 0")
        page = qs.filter(_after(keys, _decode(keys, after)))
    rows = rows_at(page, offset, offset + limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    count, exact = capped_count(qs)
    cursor = None
    if more and keys is not None and rows:
        last = rows[-1]
        cursor = _encode(keys, [getattr(last, name) for name, _ in keys])
    return Window(rows, count, exact, cursor)
