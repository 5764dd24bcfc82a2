"""The audit log's hash chain: link new entries, verify the chain, anchor its head, purge old entries.

One global chain (docs/security-audit.md says why): every entry's `hash` is sha256 over a
canonical serialisation of its content and the previous entry's hash. Appending locks the
single AuditChain row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write lock, taken at
BEGIN IMMEDIATE, already serialises writers), so entries link in the order of their ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from taizhang.core.models import AUDIT_LINKER, AuditChain, AuditEntry

GENESIS = "0" * 64
CHAIN_PK = 1
# The content a hash covers, in this order; `prev_hash` is appended last.
HASHED = (
    "at",
    "actor_id",
    "actor_name",
    "source",
    "ip",
    "action",
    "verb",
    "object_type",
    "object_id",
    "object_repr",
    "division_path",
    "root_type",
    "root_id",
    "changes",
)
_IP_FIELD = AuditEntry._meta.get_field("ip")


def _key(k: Any) -> str:
    # The text json.dumps gives a non-string key (1 -> "1", True -> "true").
    return k if type(k) is str else json.dumps(k) if k is None or isinstance(k, bool) else str(k)


def _norm(value: Any) -> Any:
    """A JSON value as it reads back from either database: keys are strings, and an integral
    float is an integer (PostgreSQL's jsonb prints 1e20 as 100000000000000000000).
    Hot on bulk imports (one call per entry): plain values return at once."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        return int(value) if value.is_integer() else value
    if t is dict:
        return {_key(k): _norm(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [_norm(v) for v in value]
    if isinstance(value, Decimal):
        return _norm(float(value))
    return str(value)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def _at(value: Any) -> int:
    """Microseconds since 1970 UTC: exact, and cheaper than formatting a string."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - _EPOCH) // _MICRO


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes an entry's hash covers, the same whether built before INSERT or read back.

    Frozen: existing chains were hashed with it. A change needs a version stored per entry
    (or a re-anchoring migration), never an in-place edit."""
    content = {
        "at": _at(values["at"]),
        "actor_id": values.get("actor_id"),
        "actor_name": values.get("actor_name") or "",
        "source": values.get("source") or "",
        "ip": _IP_FIELD.get_prep_value(values.get("ip")) or "",
        "action": values.get("action") or "",
        "verb": values.get("verb") or "",
        "object_type": values.get("object_type") or "",
        "object_id": str(values.get("object_id") or ""),
        "object_repr": values.get("object_repr") or "",
        "division_path": values.get("division_path") or "",
        "root_type": values.get("root_type") or "",
        "root_id": str(values.get("root_id") or ""),
        "changes": _norm(values.get("changes") or {}),
    }
    return json.dumps(
        [content[k] for k in HASHED], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def entry_hash(values: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(values) + b"|" + prev_hash.encode()).hexdigest()


def _locked_head() -> AuditChain:
    """The chain row, locked until the surrounding transaction ends; created on first use."""
    for _ in range(2):
        found = AuditChain.objects.select_for_update().filter(pk=CHAIN_PK).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return AuditChain.objects.create(pk=CHAIN_PK, head_hash=GENESIS, start_hash=GENESIS)
        except IntegrityError:
            # Another writer created it first: lock theirs.
            continue
    raise RuntimeError("审计链头无法锁定")


def link(rows: list[dict[str, Any]]) -> None:
    """Set prev_hash and hash on entry rows about to be inserted, in insertion order, and move
    the head. Call inside the transaction that inserts them (the lock is held until its end)."""
    if not rows:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("审计条目必须在事务中链接")
    head = _locked_head()
    prev = head.head_hash
    for row in rows:
        row["prev_hash"] = prev
        prev = row["hash"] = entry_hash(row, prev)
    AuditChain.objects.filter(pk=CHAIN_PK).update(head_hash=prev)


@dataclass
class Verdict:
    ok: bool
    checked: int
    head_id: int | None
    head_hash: str
    broken_id: int | None = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"审计链完整：校验 {self.checked} 条，链头 #{self.head_id} {self.head_hash}"
        where = f"第 #{self.broken_id} 条" if self.broken_id is not None else "链尾"
        return f"审计链断裂：{where}{self.problem}（此前已校验 {self.checked} 条）"


_COLUMNS = ("id", *[c for c in HASHED if c != "actor_id"], "actor_id", "prev_hash", "hash")


def _walk(rows: Iterable[dict[str, Any]], start: str) -> tuple[Verdict, str]:
    expected, checked, last_id = start, 0, None
    for row in rows:
        if row["prev_hash"] != expected:
            return Verdict(
                False,
                checked,
                last_id,
                expected,
                row["id"],
                "的前一哈希与上一条不符：其前有条目被删除、插入或改动",
            ), expected
        if entry_hash(row, row["prev_hash"]) != row["hash"]:
            return Verdict(
                False, checked, last_id, expected, row["id"], "的内容与其哈希不符：该条被改动"
            ), expected
        expected, last_id, checked = row["hash"], row["id"], checked + 1
    return Verdict(True, checked, last_id, expected), expected


def verify(anchor: dict[str, Any] | None = None, *, last: int | None = None) -> Verdict:
    """Walk the chain in id order and report the first broken link.

    `anchor` ({"id", "hash"} from `taizhang audit anchor`) must still be in the chain with the
    same hash. `last` checks only the newest entries against each other and the head (the
    audit page's quick check), not the whole chain.
    """
    head = AuditChain.objects.filter(pk=CHAIN_PK).first()
    start = head.start_hash if head else GENESIS
    qs = AuditEntry.objects.order_by("id").values(*_COLUMNS)
    if last is not None:
        tail = list(AuditEntry.objects.order_by("-id").values(*_COLUMNS)[:last])[::-1]
        if not tail:
            rows: Iterable[dict[str, Any]] = []
        else:
            start = tail[0]["prev_hash"]
            rows = tail
    else:
        rows = qs.iterator(chunk_size=2000)
    verdict, end = _walk(rows, start)
    if not verdict.ok:
        return verdict
    head_hash = head.head_hash if head else GENESIS
    if end != head_hash:
        verdict.ok, verdict.problem = False, "与记录的链头不符：最新的条目被删除，或链头被改动"
        return verdict
    if anchor is not None:
        problem = _check_anchor(anchor, head)
        if problem:
            verdict.ok, verdict.problem = False, problem
            verdict.broken_id = anchor.get("id")
    return verdict


def _check_anchor(anchor: dict[str, Any], head: AuditChain | None) -> str:
    aid, ahash = anchor.get("id"), anchor.get("hash")
    if aid is None:
        # An anchor of an empty chain: only its start can be compared.
        return "" if ahash == (head.start_hash if head else GENESIS) else "与锚点不符"
    if head is not None and head.purged_through is not None and aid <= head.purged_through:
        if aid == head.purged_through:
            return "" if ahash == head.start_hash else "与锚点不符：清理时保存的链起点已被改动"
        return ""  # purged after the anchor was taken: nothing of it left to compare
    found = AuditEntry.objects.filter(pk=aid).values_list("hash", flat=True).first()
    if found is None:
        return "（锚点所指的条目）已不存在：条目被删除"
    if found != ahash:
        return "（锚点所指的条目）的哈希与锚点不符：锚点之前的记录被改写"
    return ""


def anchor() -> dict[str, Any]:
    """The chain head for the office to keep: date, id and hash of the newest entry."""
    newest = AuditEntry.objects.order_by("-id").values("id", "hash", "at").first()
    head = AuditChain.objects.filter(pk=CHAIN_PK).first()
    return {
        "date": timezone.localtime().isoformat(timespec="seconds"),
        "id": newest["id"] if newest else None,
        "hash": newest["hash"] if newest else (head.start_hash if head else GENESIS),
        "entries": AuditEntry.objects.count(),
    }


def retention_days() -> int:
    from django.conf import settings

    # 网络安全法 第二十一条: logs kept at least six months, whatever the setting says.
    return max(180, int(settings.TAIZHANG.get("AUDIT_RETENTION_DAYS", 180)))


@dataclass
class Purged:
    count: int
    through_id: int | None
    start_hash: str


def purge(before: dt.date, *, today: dt.date | None = None) -> Purged:
    """Delete the entries older than `before` from the start of the chain; the last deleted
    entry's hash becomes the chain start, so the rest still verifies.

    Raises ValueError when `before` would delete entries younger than the retention period.
    Deletes only a prefix in id order: an old-dated entry after a younger one stays.
    """
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=retention_days())
    if before > limit:
        raise ValueError(
            f"审计日志至少保留 {retention_days()} 天：只能清理 {limit.isoformat()} 及以前的记录"
        )
    cutoff = dt.datetime.combine(before, dt.time(), timezone.get_current_timezone())
    with transaction.atomic():
        head = _locked_head()
        first_keep = (
            AuditEntry.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
        ).first()
        doomed = AuditEntry.objects.all()
        if first_keep is not None:
            doomed = doomed.filter(id__lt=first_keep)
        last = doomed.order_by("-id").values("id", "hash").first()
        if last is None:
            return Purged(0, head.purged_through, head.start_hash)
        count = doomed.count()
        # QuerySet.delete: the model's delete() refuses single deletions on purpose.
        doomed._raw_delete(doomed.db)
        AuditChain.objects.filter(pk=CHAIN_PK).update(
            start_hash=last["hash"], purged_through=last["id"], purged_before=before
        )
        return Purged(count, last["id"], last["hash"])


# AuditEntry.save links through this (set here so models.py need not import this module).
AUDIT_LINKER[:] = [link]
