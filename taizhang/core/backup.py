"""`taizhang backup` / `taizhang restore`: the database and the uploaded files in one
encrypted, checksummed archive (issue 12, 数据备份恢复).

The archive is a gzip tar, encrypted as one Fernet token (AES-128-CBC + HMAC-SHA256)
with the key in TAIZHANG_BACKUP_KEY. Inside:

- ``manifest.json``: format, time, database engine and method, the row count of every
  model, and the SHA-256 of every other member;
- the database: ``database.sqlite3`` (SQLite's online backup API: a consistent copy
  while the site runs), ``database.pgdump`` (``pg_dump -Fc``) or, when pg_dump is not
  installed, ``database.json`` (Django's dumpdata);
- ``media/…``: every file under the media root (uploaded attachments), if it exists.

Restore refuses a database that already holds data unless forced, checks every
checksum before touching anything, and afterwards compares each model's row count
with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

FORMAT = "taizhang-backup/1"
# Tables `migrate` fills by itself: they do not make a database "non-empty".
SETUP_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Seeded by migrate (the workday calendar, the default problem categories, the audit
# chain's head row, the default bank list of 银企对接): a new server on which
# `taizhang migrate` already ran still counts as empty.
SEEDED_MODELS = {"core.workday", "matters.problemcategory", "core.auditchain", "services.bank"}


class BackupError(Exception):
    """A refusal or failure, with a message for the operator (Chinese)."""


def media_root() -> Path:
    """Uploaded files: MEDIA_ROOT if the site sets one, else TAIZHANG_MEDIA_ROOT, else data/media."""
    configured = str(getattr(settings, "MEDIA_ROOT", "") or "")
    return Path(configured or os.environ.get("TAIZHANG_MEDIA_ROOT") or settings.DATA_DIR / "media")


def fernet() -> Fernet:
    key = getattr(settings, "TAIZHANG_BACKUP_KEY", "") or os.environ.get("TAIZHANG_BACKUP_KEY", "")
    if not key:
        raise BackupError(
            "未设置备份密钥 TAIZHANG_BACKUP_KEY。用 `taizhang backup --generate-key` 生成一个，"
            "保存在服务器以外的安全处（丢失密钥即无法恢复备份）"
        )
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise BackupError(
            "TAIZHANG_BACKUP_KEY 格式不正确：应为 `taizhang backup --generate-key` 生成的 44 个字符"
        ) from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def row_counts() -> dict[str, int]:
    """Rows per model, for the manifest and the check after a restore."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        out[model._meta.label_lower] = model._base_manager.using("default").count()
    return dict(sorted(out.items()))


def is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model._meta.label_lower in SETUP_MODELS | SEEDED_MODELS:
            continue
        if model._meta.db_table in tables and model._base_manager.exists():
            return False
    return True


# ---------------------------------------------------------------- database dumps


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if s.get(key):
            env[var] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return env


def _dump_database(workdir: Path) -> tuple[str, str]:
    """Write the database into workdir; returns (method, member name)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        target = workdir / "database.sqlite3"
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)  # online: readers and writers keep going
        finally:
            dest.close()
        return "sqlite-backup", target.name
    if vendor == "postgresql" and shutil.which("pg_dump"):
        target = workdir / "database.pgdump"
        name = str(connection.settings_dict["NAME"])
        proc = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target), name],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            raise BackupError(f"pg_dump 失败：{proc.stderr.strip()[:500]}")
        return "pg_dump", target.name
    target = workdir / "database.json"
    with target.open("w", encoding="utf-8") as f:
        call_command(
            "dumpdata",
            exclude=["contenttypes", "auth.permission", "sessions"],
            natural_foreign=True,
            stdout=f,
        )
    return "dumpdata", target.name


def _load_database(path: Path, method: str) -> None:
    vendor = connection.vendor
    if method == "sqlite-backup":
        if vendor != "sqlite":
            raise BackupError("该备份来自 SQLite，只能恢复到 SQLite 数据库")
        connection.close()
        connection.ensure_connection()
        src = sqlite3.connect(path)
        try:
            src.backup(connection.connection)  # replaces schema and rows as one copy
        finally:
            src.close()
        connection.close()
        return
    if method == "pg_dump":
        if vendor != "postgresql":
            raise BackupError("该备份来自 PostgreSQL（pg_dump），只能恢复到 PostgreSQL 数据库")
        if not shutil.which("pg_restore"):
            raise BackupError("未找到 pg_restore，请安装 PostgreSQL 客户端后再恢复")
        name = str(connection.settings_dict["NAME"])
        connection.close()
        proc = subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "-d", name]
            + ["--single-transaction", str(path)],
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            raise BackupError(f"pg_restore 失败：{proc.stderr.strip()[:500]}")
        return
    if method == "dumpdata":
        call_command("migrate", verbosity=0)
        # Migrations and post_migrate seed rows (problem categories, the workday calendar)
        # that the dump also holds: empty every table, then recreate only the content
        # types and permissions the dump left out, which its natural keys refer to.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        from django.contrib.auth.management import create_permissions
        from django.contrib.contenttypes.management import create_contenttypes

        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
        call_command("loaddata", str(path), verbosity=0)
        return
    raise BackupError(f"不认识的备份方式：{method}")


# ---------------------------------------------------------------- archive


@dataclass
class Outcome:
    path: Path
    manifest: dict[str, Any]
    size: int
    digest: str


def backup(output: Path) -> Outcome:
    box = fernet()
    with tempfile.TemporaryDirectory(prefix="tz-backup-") as tmp:
        work = Path(tmp)
        method, member = _dump_database(work)
        members: dict[str, bytes] = {member: (work / member).read_bytes()}
        root = media_root()
        if root.is_dir():
            for f in sorted(p for p in root.rglob("*") if p.is_file()):
                members["media/" + f.relative_to(root).as_posix()] = f.read_bytes()
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": connection.vendor, "method": method, "member": member},
            "counts": row_counts(),
            "sha256": {name: sha256(data) for name, data in members.items()},
        }
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            for name, data in members.items():
                _add(tar, name, data)
    token = box.encrypt(buf.getvalue())
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = output.with_name(output.name + ".part")
    tmp_out.write_bytes(token)
    os.chmod(tmp_out, 0o600)  # personal data inside, even if encrypted
    tmp_out.replace(output)
    digest = sha256(token)
    output.with_name(output.name + ".sha256").write_text(f"{digest}  {output.name}\n")
    return Outcome(output, manifest, len(token), digest)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Decrypt and check every checksum; nothing is written before this passes."""
    try:
        raw = fernet().decrypt(path.read_bytes())
    except InvalidToken:
        raise BackupError("无法解密备份：密钥不对，或文件已损坏/被篡改") from None
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        for info in tar.getmembers():
            if not info.isfile():
                continue
            f = tar.extractfile(info)
            members[info.name] = f.read() if f else b""
    try:
        manifest = json.loads(members.pop("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("备份中缺少 manifest.json 或其格式不正确") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{manifest.get('format')!r}")
    expected = manifest.get("sha256", {})
    if set(expected) != set(members):
        raise BackupError("备份内容与清单不符（文件缺失或多出）")
    for name, data in members.items():
        if sha256(data) != expected[name]:
            raise BackupError(f"校验和不符：{name}")
    return manifest, members


def restore(path: Path, *, force: bool = False) -> dict[str, Any]:
    manifest, members = read_archive(path)
    name = str(connection.settings_dict.get("NAME") or "")
    if (
        connection.vendor == "sqlite"
        and name
        and not name.startswith("file:")
        and name != ":memory:"
    ):
        Path(name).parent.mkdir(parents=True, exist_ok=True)  # a new server's empty data dir
    if not force and not is_empty():
        raise BackupError("目标数据库已有数据，拒绝覆盖；确需覆盖请加 --force（先另做一份备份）")
    root = media_root()
    media = {k[len("media/") :]: v for k, v in members.items() if k.startswith("media/")}
    for rel in media:
        target = (root / rel).resolve()
        if not target.is_relative_to(root.resolve()):
            raise BackupError(f"备份中的文件路径不安全：{rel}")
    db = manifest["database"]
    with tempfile.TemporaryDirectory(prefix="tz-restore-") as tmp:
        dump = Path(tmp) / db["member"]
        dump.write_bytes(members[db["member"]])
        _load_database(dump, db["method"])
    for rel, data in media.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    counts = row_counts()
    wanted = manifest["counts"]
    skip = SETUP_MODELS if db["method"] == "dumpdata" else set()
    diff = {
        label: (n, counts.get(label))
        for label, n in wanted.items()
        if label not in skip and counts.get(label) != n
    }
    if diff:
        raise BackupError(f"恢复后行数与备份清单不符：{diff}")
    return {"manifest": manifest, "counts": counts, "files": len(media)}
