"""On the demo data: 山城区 Q3 2022 published; its bulletin via the management command shows
the dashboard's headline figures when LibreOffice reads the .docx back."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from taizhang.assessment.models import PublishedScore, ScorePeriod
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_rate, fmt_yi
from taizhang.projects.figures import project_figures


@pytest.fixture
def demo_db(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


def _user(name: str):
    return get_user_model().objects.get(username=name)


def test_demo_publishes_shancheng_q3_with_boards_and_movement(demo_db):
    sp = ScorePeriod.objects.get(division__code="410603", code="2022Q3")
    scores = PublishedScore.objects.filter(period=sp)
    groups = set(scores.values_list("group", flat=True))
    assert {"乡镇/街道", "区直部门", "园区", "县级干部"} <= groups
    assert scores.filter(board="飞虎榜").exists() and scores.filter(board="蜗牛榜").exists()
    assert scores.exclude(movement=None).exists()  # Q2 was published before it
    commended = scores.get(unit__name="牟山园区管委会")
    adj = next(ln for ln in commended.card["lines"] if ln["code"] == "adjustments")
    assert adj["points"] == "2.00" and "省级表彰" in adj["items"][0]["detail"]
    assert not ScorePeriod.objects.filter(division__code="410411").exists()


def test_scores_page_and_drill_down_on_demo(demo_db):
    c = Client()
    c.force_login(_user("sc_duchashi"))
    r = c.get("/assessment/", {"period": "2022Q3"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "飞虎榜" in body and "蜗牛榜" in body and "已发布" in body
    sp = ScorePeriod.objects.get(division__code="410603", code="2022Q3")
    ps = PublishedScore.objects.filter(period=sp, target_kind="unit").order_by("position").first()
    r = c.get(f"/assessment/card/unit/{ps.unit_id}/", {"period": "2022Q3"})
    assert r.status_code == 200
    assert ps.name in r.content.decode() and "/projects/" in r.content.decode()
    # 湛河区's office sees nothing of 山城区
    z = Client()
    z.force_login(_user("zh_duchashi"))
    assert z.get("/assessment/", {"period": "2022Q3", "division": "山城区"}).status_code == 404
    assert z.get(f"/assessment/card/unit/{ps.unit_id}/", {"period": "2022Q3"}).status_code == 404


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is required in CI")
    return found


def _to_text(soffice: str, src: Path, outdir: Path) -> str:
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "txt:Text (encoded):UTF8",
                "--outdir",
                str(outdir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return (outdir / (src.stem + ".txt")).read_text(encoding="utf-8-sig")


def test_bulletin_command_prints_the_dashboard_figures(demo_db, tmp_path):
    out = tmp_path / "shancheng-2022Q3.docx"
    call_command(
        "bulletin",
        "--division",
        "山城区",
        "--period",
        "2022Q3",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    assert out.stat().st_size > 10_000
    # The dashboard's figures for the quarter's last month (September 2022).
    sc = Division.objects.get(code="410603")
    fig = project_figures(Scope(_user("sc_duchashi")), sc, 2022, 9)
    expected = [
        fmt_yi(fig.total_investment_wan),
        fmt_yi(fig.completed_wan),
        fmt_rate(fig.completion_rate_pct),
        str(fig.project_count),
    ]
    c = Client()
    c.force_login(_user("sc_duchashi"))
    dashboard = c.get("/", {"year": 2022, "month": 9}).content.decode()
    for text in expected[:3]:
        assert text in dashboard
    from docx import Document

    plain = "\n".join(p.text for p in Document(str(out)).paragraphs)
    for text in [*expected, "山城督〔2022〕8号", "飞虎榜", "蜗牛榜"]:
        assert text in plain
    soffice = _soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    text = _to_text(soffice, out, tmp_path)
    for t in [*expected, "山城督〔2022〕8号", "飞虎榜", "蜗牛榜", "2022年10月8日"]:
        assert t in text, t


def test_bulletin_page_preview_and_download(demo_db):
    c = Client()
    c.force_login(_user("sc_lingdao"))
    r = c.get("/assessment/bulletin/", {"period": "2022Q3"})
    assert r.status_code == 200 and "山城督〔2022〕8号" in r.content.decode()
    r = c.get("/assessment/bulletin.docx", {"period": "2022Q3"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK"
    u = Client()
    u.force_login(_user("sc_fgw"))
    assert u.get("/assessment/bulletin.docx", {"period": "2022Q3"}).status_code == 403
