"""Where the shared seed documents are, and what a test does when they are not there.

The seeds are news reports and work-report summaries kept beside the repository
(`../shared/seeds/`), read in place and never copied into it. On a developer's machine
without them the tests that need them skip; under CI (`CI` set) a missing seed fails
the run, so a green CI can never mean "77 tests quietly skipped".
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
REPORT_2024 = "003_4378414b239cb3e2.txt"


def seed_path(name: str) -> Path:
    """The seed file `name`; skips the test (fails it under CI) when it is missing."""
    path = SEEDS / name
    if not path.exists():
        missing(f"种子文件不存在：{path}")
    return path


def seed_paths(pattern: str) -> list[Path]:
    paths = sorted(SEEDS.glob(pattern))
    if not paths:
        missing(f"种子文件不存在：{SEEDS / pattern}")
    return paths


def missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message + "（CI 中必须提供种子文件）")
    pytest.skip(message)
