"""The audit log's hash chain: every write path links, verify names the first broken row,
anchors catch a rewritten chain, purge keeps the rest verifiable, deleting a user rewrites nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from taizhang.core import audit, audit_events, chain
from taizhang.core.bulk import audit_entry, insert_rows
from taizhang.core.models import AuditChain, AuditEntry, Role
from tests.conftest import make_user


def _change(world, who: str) -> None:
    """A business change through the ordinary audit.record path."""
    audit.record(
        world.users[who],
        world.pa,
        AuditEntry.Action.UPDATE,
        before={"名称": "旧名"},
        after={"名称": "新名"},
        division_path=world.a.path,
    )


def _entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("id"))


def _note(text: str, at: dt.datetime | None = None) -> AuditEntry:
    e = audit_events.record_event(
        None, verb=text, object_type="test.note", object_id=1, division_path=""
    )
    if at is not None:
        # Backdate with raw SQL and rehash the chain from there, as if written then.
        _sql("UPDATE core_auditentry SET at = %s WHERE id = %s", [at, e.pk])
        _rehash_from(e.pk)
    return e


def _sql(sql: str, params: list) -> None:
    with connection.cursor() as c:
        c.execute(sql, params)


def _rehash_from(first_id: int) -> None:
    """What a forger with database access would do: recompute every hash from a row onwards."""
    rows = list(
        AuditEntry.objects.filter(id__gte=first_id)
        .order_by("id")
        .values("id", *chain.HASHED, "prev_hash")
    )
    prev = rows[0]["prev_hash"]
    for row in rows:
        h = chain.entry_hash(row, prev)
        _sql(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, h, row["id"]],
        )
        prev = h
    _sql("UPDATE core_auditchain SET head_hash = %s", [prev])


def test_it_links_every_entry_to_the_one_before(world):
    _change(world, "sup_a")
    entries = _entries()
    assert len(entries) >= 3
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert AuditChain.objects.get().head_hash == entries[-1].hash
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == len(entries), verdict.message()


def test_it_chains_bulk_inserts_like_single_saves(world):
    rows = [
        audit_entry(world.users["sup_a"], world.pa, AuditEntry.Action.ACTION, verb=f"批量{i}")
        for i in range(5)
    ]
    insert_rows(AuditEntry, rows)
    _note("之后单条")
    entries = _entries()
    assert [e.verb for e in entries[-6:]] == [
        "批量0",
        "批量1",
        "批量2",
        "批量3",
        "批量4",
        "之后单条",
    ]
    assert chain.verify().ok


def test_it_hashes_values_as_the_database_returns_them(world):
    # Numbers, int keys, nested lists and an IPv6 address survive the JSON column unchanged.
    e = audit_events.record_event(
        world.users["sup_a"],
        verb="数值",
        object_type="test.note",
        details={"金额": 1e20, "比例": 0.1, "键": {1: [1, 2.5, None, True]}},
        ip="2001:DB8::1",
    )
    stored = AuditEntry.objects.values("id", *chain.HASHED, "prev_hash", "hash").get(pk=e.pk)
    assert chain.entry_hash(stored, stored["prev_hash"]) == stored["hash"]


def test_it_names_the_row_changed_with_raw_sql(world, capsys):
    for i in range(4):
        _note(f"第{i}条")
    victim = _entries()[2]
    _sql("UPDATE core_auditentry SET actor_name = %s WHERE id = %s", ["别人", victim.pk])
    verdict = chain.verify()
    assert not verdict.ok and verdict.broken_id == victim.pk
    with pytest.raises(CommandError) as e:
        call_command("audit", "verify")
    assert f"#{victim.pk}" in str(e.value) and "改动" in str(e.value)
    assert e.value.returncode != 0


def test_it_names_the_row_after_a_deleted_one_and_a_cut_tail(world):
    for i in range(4):
        _note(f"第{i}条")
    entries = _entries()
    _sql("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    assert chain.verify().broken_id == entries[2].pk
    _sql("DELETE FROM core_auditentry WHERE id >= %s", [entries[1].pk])
    verdict = chain.verify()
    assert not verdict.ok and "链头" in verdict.problem


def test_it_finds_a_rewritten_chain_with_an_earlier_anchor(world, tmp_path, capsys):
    for i in range(3):
        _note(f"第{i}条")
    anchor_file = tmp_path / "anchor.jsonl"
    call_command("audit", "anchor", "-o", str(anchor_file))
    anchor = json.loads(anchor_file.read_text().splitlines()[-1])
    assert anchor["id"] == _entries()[-1].pk and anchor["hash"] == _entries()[-1].hash
    call_command("audit", "verify", "--anchor", str(anchor_file))
    assert "核对一致" in capsys.readouterr().out
    # A forger edits an old row and recomputes every later hash and the head.
    _note("锚点之后")
    first = _entries()[0]
    _sql("UPDATE core_auditentry SET verb = %s WHERE id = %s", ["改过", first.pk])
    _rehash_from(first.pk)
    assert chain.verify().ok  # the chain alone cannot tell ...
    with pytest.raises(CommandError) as e:  # ... the kept anchor can
        call_command("audit", "verify", "--anchor", str(anchor_file))
    assert f"#{anchor['id']}" in str(e.value)


def test_it_keeps_entries_and_chain_when_a_user_is_deleted(world):
    user = world.users["unit_a"]
    _change(world, "unit_a")
    audit_events.record_event(user, verb="某事", object_type="test.note")
    mine = list(AuditEntry.objects.filter(actor_id=user.pk).values_list("id", "actor_name"))
    assert mine
    user_id = user.pk
    get_user_model().objects.filter(pk=user_id).delete()
    # Still there, still naming the user, and nothing was rewritten.
    assert list(AuditEntry.objects.filter(actor_id=user_id).values_list("id", "actor_name")) == mine
    assert chain.verify().ok
    # Pages that join the actor (audit.history) get None, not an error.
    assert [e.actor for e in audit.history(world.pa) if e.actor_id == user_id] == [None]


def test_it_refuses_to_purge_entries_younger_than_the_retention(world, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "AUDIT_RETENTION_DAYS": 30}  # below the floor
    too_recent = timezone.localdate() - dt.timedelta(days=100)
    with pytest.raises(CommandError, match="180"):
        call_command("audit", "purge", "--before", too_recent.isoformat())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "purge", "--before", "2024-13-01")
    assert chain.verify().ok and AuditEntry.objects.count() > 0


def test_it_purges_old_entries_and_keeps_the_rest_verifiable(world, capsys):
    old = timezone.now() - dt.timedelta(days=400)
    AuditEntry.objects.all().delete()  # QuerySet delete: start from an empty log
    AuditChain.objects.all().delete()
    olds = [_note(f"旧{i}", at=old) for i in range(3)]
    news = [_note(f"新{i}") for i in range(2)]
    assert chain.verify().ok
    last_old_hash = AuditEntry.objects.get(pk=olds[-1].pk).hash
    before = (timezone.localdate() - dt.timedelta(days=200)).isoformat()
    call_command("audit", "purge", "--before", before)
    assert "已清理 3 条" in capsys.readouterr().out
    left = _entries()
    assert [e.pk for e in left[:2]] == [n.pk for n in news]
    head = AuditChain.objects.get()
    assert head.start_hash == last_old_hash and head.purged_through == olds[-1].pk
    # The purge is itself an entry at the end of the chain.
    assert left[-1].verb == "清理审计日志" and left[-1].changes["条数"] == [None, 3]
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == 3, verdict.message()
    # Purging again finds nothing older.
    call_command("audit", "purge", "--before", before)
    assert "已清理 0 条" in capsys.readouterr().out


def test_it_hashes_existing_rows_when_migrating(world):
    _change(world, "sup_a")
    n = AuditEntry.objects.count()
    _sql("UPDATE core_auditentry SET prev_hash = '', hash = ''", [])
    assert not chain.verify().ok
    # Found by name, whatever number the migration gets when branches are merged.
    folder = Path(chain.__file__).parent / "migrations"
    (found,) = folder.glob("*_audit_chain_and_token_scopes.py")
    migration = importlib.import_module(f"taizhang.core.migrations.{found.stem}")
    migration.chain_existing(apps, None)
    verdict = chain.verify()
    assert verdict.ok and verdict.checked == n


def test_it_shows_the_chain_status_on_the_audit_page(world, client):
    client.force_login(make_user("auditor_c", Role.AUDITOR, division=world.a))
    assert "哈希链完整" in client.get("/audit/").content.decode()
    victim = _entries()[-1]
    _sql("UPDATE core_auditentry SET verb = %s WHERE id = %s", ["改过", victim.pk])
    body = client.get("/audit/").content.decode()
    assert "审计链断裂" in body and f"#{victim.pk}" in body
