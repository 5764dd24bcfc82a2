"""Issue 12, headers: a Content-Security-Policy without 'unsafe-inline' on every HTML page
(so no template may carry an inline script, an on*= handler or a style attribute),
`Cache-Control: no-store` on pages and API answers but not on static files, HSTS on in
production settings, and `taizhang check --deploy` warning about the demo secret key."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import deque
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from taizhang.core.middleware import CSP
from taizhang.envconf import DEMO_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "taizhang").glob("**/templates/**/*.html"))

INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I
)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
JS_URL = re.compile(r"javascript:", re.I)
RULES = {
    "inline <script>": INLINE_SCRIPT,
    "on*= handler": HANDLER,
    "style= attribute": STYLE_ATTR,
    "<style> element": STYLE_TAG,
    "javascript: URL": JS_URL,
}

from taizhang.core.models import Role  # noqa: E402
from tests.conftest import make_user  # noqa: E402

EXPECTED_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def offences(html: str) -> list[str]:
    return [f"{name}: {m.group(0)[:80]}" for name, rx in RULES.items() for m in rx.finditer(html)]


def test_it_finds_the_templates_to_scan():
    assert len(TEMPLATES) > 40
    assert offences('<div style="width:3%"><script>x()</script><a onclick="y()">') != []
    assert offences('<script src="/static/a.js" defer></script><div class="x">') == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "taizhang")))
def test_it_keeps_every_template_free_of_inline_script_and_style(path):
    assert offences(path.read_text(encoding="utf-8")) == []


PAGES = [
    "/",
    "/projects/",
    "/problems/",
    "/enterprises/",
    "/tasks/",
    "/my/",
    "/assessment/",
    "/imports/",
    "/calendar/",
]
HREF = re.compile(r'href="(/[^"#?]*)')
SKIP = ("/logout", "/admin", "/static/", "/api/", "export", ".docx", ".xlsx", ".csv", "/template")


def check_page(url: str, r) -> None:
    assert r["Content-Security-Policy"] == EXPECTED_CSP, url
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert "no-store" in r["Cache-Control"], url
    assert offences(r.content.decode()) == [], url


def test_it_sends_the_policy_and_no_store_on_every_page_and_renders_no_inline_code(world):
    anon = Client()
    r = anon.get("/login/")
    check_page("/login/", r)
    c = Client()
    c.force_login(world.users["sup_a"])
    seen: set[str] = set()
    queue = deque(PAGES)
    while queue and len(seen) < 80:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = c.get(url)
        if r.status_code in (301, 302):
            continue
        assert r.status_code == 200, url
        if not r["Content-Type"].startswith("text/html"):
            continue
        check_page(url, r)
        for link in HREF.findall(r.content.decode()):
            if link not in seen and not any(s in link for s in SKIP):
                queue.append(link)
    assert len(seen) > 25  # the walk really went past the main pages
    # The audit log is the audit administrator's page (三权分立).
    auditor = Client()
    auditor.force_login(make_user("auditor_h", Role.AUDITOR, division=world.a))
    check_page("/audit/", auditor.get("/audit/"))
    assert c.get("/no-such-page/")["Content-Security-Policy"] == EXPECTED_CSP


def test_it_keeps_static_files_cacheable_and_api_answers_out_of_caches(world):
    c = Client()
    r = c.get("/static/taizhang/app.css")
    assert r.status_code == 200 and "no-store" not in r.get("Cache-Control", "")
    c.force_login(world.users["sup_a"])
    r = c.get("/api/v1/projects")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"


def test_it_relaxes_styles_only_on_the_api_docs_page(world):
    c = Client()
    c.force_login(world.users["admin"])
    r = c.get("/api/v1/docs")
    assert r.status_code == 200
    policy = r["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline'" in policy
    assert CSP == EXPECTED_CSP


def _settings_value(name: str, **env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "TAIZHANG_DEMO", "TAIZHANG_TESTING", "SECURE_HSTS_SECONDS"}
    }
    clean.update(env)
    code = f"import taizhang.settings as s; print(s.{name})"
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_it_turns_hsts_on_in_production_settings():
    assert _settings_value("SECURE_HSTS_SECONDS", SECRET_KEY="x" * 60) == "31536000"
    assert _settings_value("SECURE_HSTS_SECONDS", TAIZHANG_DEMO="1") == "0"
    assert (
        _settings_value("SECURE_HSTS_SECONDS", SECRET_KEY="x" * 60, SECURE_HSTS_SECONDS="600")
        == "600"
    )


def test_it_warns_about_the_demo_secret_key_on_check_deploy(settings, monkeypatch):
    # The browser tests set this for Playwright's live server in the same process; a real
    # deployment never has it, and --deploy rightly treats it as an error (async.E001).
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.SECRET_KEY = DEMO_SECRET_KEY
    err = io.StringIO()
    call_command("check", "--deploy", stderr=err, stdout=io.StringIO())
    assert "taizhang.W001" in err.getvalue() and "演示密钥" in err.getvalue()
    settings.SECRET_KEY = "a-real-production-key-" + "k3y" * 20
    err = io.StringIO()
    call_command("check", "--deploy", stderr=err, stdout=io.StringIO())
    assert "taizhang.W001" not in err.getvalue()
