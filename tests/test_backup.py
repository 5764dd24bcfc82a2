"""`taizhang backup` / `taizhang restore`: every row and every uploaded file comes back,
into an empty database, from an encrypted and checksummed archive."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from taizhang.core.backup import SETUP_MODELS, row_counts

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "attachments/2026/12/现场照片.jpg": bytes(range(256)) * 40,
    "attachments/2026/12/整改报告.pdf": b"%PDF-1.4 \xe6\x95\xb4\xe6\x94\xb9\n" * 100,
    "notices/readme.txt": "走访记录\n".encode(),
}


@pytest.fixture
def key(settings) -> str:
    k = Fernet.generate_key().decode()
    settings.TAIZHANG_BACKUP_KEY = k
    return k


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    for rel, data in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    settings.MEDIA_ROOT = str(root)
    return root


def tables() -> dict[str, str]:
    return {
        m._meta.label_lower: m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed
    }


def restore_process(backup: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return taizhang_process(env, "restore", str(backup), *extra)


def taizhang_process(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(DJANGO_SETTINGS_MODULE="taizhang.settings_test", **env)
    return subprocess.run(
        [sys.executable, "-m", "taizhang", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_backup(path: Path) -> dict[str, int]:
    before = row_counts()
    assert sum(before.values()) > 50 and before["matters.matter"] > 0
    call_command("backup", "-o", str(path), stdout=open(os.devnull, "w"))
    return before


def assert_files_back(root: Path) -> None:
    for rel, data in FILES.items():
        assert (root / rel).read_bytes() == data, rel


def test_it_backs_up_and_restores_every_row_and_file_on_sqlite(eworld, key, media, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 在线备份；PostgreSQL 见下一个测试")
    archive = tmp_path / "taizhang.tzb"
    before = make_backup(archive)
    raw = archive.read_bytes()
    assert "新拓洋".encode() not in raw and b"SQLite format" not in raw  # encrypted
    assert (tmp_path / "taizhang.tzb.sha256").read_text().split()[0] == __import__(
        "hashlib"
    ).sha256(raw).hexdigest()

    target = tmp_path / "restored"
    env = {
        "TAIZHANG_DATA_DIR": str(target),
        "TAIZHANG_MEDIA_ROOT": str(target / "media"),
        "TAIZHANG_BACKUP_KEY": key,
    }
    # A new server: `taizhang migrate` ran (seeding the calendar and categories), no data yet.
    target.mkdir()
    migrated = taizhang_process(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    proc = restore_process(archive, env)
    assert proc.returncode == 0, proc.stderr
    assert "与备份清单一致" in proc.stdout
    db = sqlite3.connect(target / "taizhang.sqlite3")
    try:
        for label, table in tables().items():
            (n,) = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            assert n == before[label], label
    finally:
        db.close()
    assert_files_back(target / "media")

    # The database now holds data: a second restore is refused unless forced.
    proc = restore_process(archive, env)
    assert proc.returncode != 0 and "已有数据" in proc.stderr
    assert restore_process(archive, env, "--force").returncode == 0


def test_it_refuses_a_tampered_archive_or_the_wrong_key(world, key, media, tmp_path, settings):
    archive = tmp_path / "b.tzb"
    call_command("backup", "-o", str(archive), stdout=open(os.devnull, "w"))
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 1
    bad = tmp_path / "bad.tzb"
    bad.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="篡改"):
        call_command("restore", str(bad), "--force")
    settings.TAIZHANG_BACKUP_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="密钥不对"):
        call_command("restore", str(archive), "--force")
    settings.TAIZHANG_BACKUP_KEY = key
    with pytest.raises(CommandError, match="已有数据"):  # checked before anything is written
        call_command("restore", str(archive))


def test_it_asks_for_a_key_before_backing_up(world, settings, tmp_path, monkeypatch):
    settings.TAIZHANG_BACKUP_KEY = ""
    monkeypatch.delenv("TAIZHANG_BACKUP_KEY", raising=False)
    with pytest.raises(CommandError, match="TAIZHANG_BACKUP_KEY"):
        call_command("backup", "-o", str(tmp_path / "x.tzb"))
    assert not (tmp_path / "x.tzb").exists()


@pytest.mark.parametrize("method", ["pg_dump", "dumpdata"])
def test_it_backs_up_and_restores_every_row_and_file_on_postgresql(
    eworld, key, media, tmp_path, method, monkeypatch
):
    if connection.vendor != "postgresql" or not shutil.which("pg_restore"):
        pytest.skip("需要 PostgreSQL 与 pg_dump/pg_restore")
    import psycopg

    from taizhang.core import backup as backup_module

    if method == "dumpdata":  # a server without the PostgreSQL client tools
        monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)

    s = connection.settings_dict
    name = f"{s['NAME']}_restore"
    admin_dsn = f"host={s['HOST']} port={s['PORT']} user={s['USER']} dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
        pg.execute(f'CREATE DATABASE "{name}"')
    try:
        archive = tmp_path / "pg.tzb"
        before = make_backup(archive)
        monkeypatch.undo()
        skip = SETUP_MODELS if method == "dumpdata" else set()  # filled by migrate, not the dump
        env = {
            "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{name}",
            "TAIZHANG_MEDIA_ROOT": str(tmp_path / "restored-media"),
            "TAIZHANG_BACKUP_KEY": key,
        }
        proc = restore_process(archive, env)
        assert proc.returncode == 0, proc.stderr
        with psycopg.connect(admin_dsn.replace("dbname=postgres", f"dbname={name}")) as pg:
            for label, table in tables().items():
                (n,) = pg.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
                assert label in skip or n == before[label], label
        assert_files_back(tmp_path / "restored-media")
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
