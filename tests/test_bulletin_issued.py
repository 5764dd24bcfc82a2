"""An issued (印发) bulletin is frozen: its bytes and figures never change after later edits,
it cannot be changed or deleted, and a recompute is offered beside it, never instead of it."""

# ruff: noqa: F811  (the ledger fixture is imported from test_assessment)
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory

from taizhang.assessment import bulletin, service
from taizhang.assessment.models import FrozenError, IssuedBulletin
from taizhang.bulletins.docx import outline
from taizhang.core.models import AuditEntry
from taizhang.matters import services as msvc
from taizhang.tasks import services as tsvc
from tests.test_assessment import TODAY, ledger  # noqa: F401  (fixture)
from tests.test_assessment import _client as client_of

ISSUE_DAY = dt.date(2022, 10, 8)


def _issue(w) -> IssuedBulletin:
    sup = w.scope("sup_a")
    service.do_publish(sup, w.a, "2022Q3", today=ISSUE_DAY)
    return bulletin.do_issue(sup, w.a, "2022Q3", today=ISSUE_DAY)


def _later_edits(ledger) -> None:
    """Unrelated work after the bulletin went out: tasks created and published, a problem edited."""
    w = ledger.w
    sup = w.scope("sup_a")
    for n, deadline in enumerate((dt.date(2022, 9, 1), dt.date(2022, 12, 31)), 1):
        tsvc.do_create_task(
            sup,
            {
                "title": f"后来交办的督办任务{n}",
                "task_source": "work_report",
                "year": 2022,
                "lead_unit": w.unit_a,
                "leader": w.leader_a,
                "deadline": deadline,
                "raised_on": dt.date(2022, 7, 1),
            },
        )
    m = ledger.matter
    m.refresh_from_db()
    msvc.do_finish(w.scope("unit_a"), m, note="再次办结", expected_version=None, date=d(11, 2))
    service.do_publish(sup, w.a, "2022Q4", today=TODAY)


def d(month: int, day: int) -> dt.date:
    return dt.date(2022, month, day)


def test_it_serves_the_issued_bytes_unchanged_after_later_edits(ledger):
    w = ledger.w
    ib = _issue(w)
    assert ib.body[:2] == b"PK" and ib.sha256 == hashlib.sha256(ib.body).hexdigest()
    figures = dict(map(tuple, ib.figures))
    assert figures["发文字号"] == ib.doc_number and "重点项目数" in figures
    c = client_of(w, "sup_a")
    first = c.get("/assessment/bulletin.docx", {"period": "2022Q3"})
    assert hashlib.sha256(first.content).hexdigest() == ib.sha256

    _later_edits(ledger)

    again = c.get("/assessment/bulletin.docx", {"period": "2022Q3"})
    assert hashlib.sha256(again.content).hexdigest() == ib.sha256
    api = c.get("/api/v1/assessment/bulletin", {"period": "2022Q3"})
    assert hashlib.sha256(api.content).hexdigest() == ib.sha256
    stored = IssuedBulletin.objects.get(pk=ib.pk)
    assert stored.figures == ib.figures and bytes(stored.body) == bytes(ib.body)
    # The recompute now prints different task lights, and says it is not the issued one.
    now = dict(map(tuple, bulletin.figures_of(bulletin.gather(w.scope("sup_a"), w.a, "2022Q3"))))
    assert now != figures
    re = c.get("/assessment/bulletin.docx", {"period": "2022Q3", "recompute": "1"})
    assert re.status_code == 200 and hashlib.sha256(re.content).hexdigest() != ib.sha256
    assert "%E9%9D%9E%E5%8D%B0%E5%8F%91%E7%A8%BF" in re["Content-Disposition"]  # 非印发稿
    downloads = AuditEntry.objects.filter(object_id=str(ib.pk), verb="下载已印发通报")
    assert downloads.count() == 3


def test_it_shows_the_issued_text_and_the_differing_figures_beside_it(ledger):
    w = ledger.w
    ib = _issue(w)
    c = client_of(w, "sup_a")
    page = c.get("/assessment/bulletin/", {"period": "2022Q3"}).content.decode()
    assert "已印发通报" in page and ib.doc_number in page
    assert "数字与印发稿一致" in page
    _later_edits(ledger)
    page = c.get("/assessment/bulletin/", {"period": "2022Q3"}).content.decode()
    assert "按当前数据重算" in page and "不是印发稿" in page
    assert "与印发稿不同的数字" in page and "督办任务" in page
    # The article is the stored text: its overview paragraph as issued, not as recomputed.
    assert ib.content["sections"][0]["paragraphs"][0] in page
    assert "印发（占用文号" not in page


def test_it_refuses_to_change_or_delete_an_issued_bulletin(ledger):
    ib = _issue(ledger.w)
    ib.doc_number = "山城督〔2022〕99号"
    with pytest.raises(FrozenError):
        ib.save()
    with pytest.raises(FrozenError):
        ib.delete()
    with pytest.raises(FrozenError):
        IssuedBulletin.objects.filter(pk=ib.pk).update(doc_number="x")
    with pytest.raises(FrozenError):
        IssuedBulletin.objects.filter(pk=ib.pk).delete()
    assert IssuedBulletin.objects.get(pk=ib.pk).doc_number == "山城督〔2022〕1号"
    model_admin = admin.site._registry[IssuedBulletin]
    request = RequestFactory().get("/")
    request.user = ledger.w.users["admin"]
    assert not model_admin.has_change_permission(request, ib)
    assert not model_admin.has_delete_permission(request, ib)
    assert not model_admin.has_add_permission(request)


def test_it_writes_the_issued_document_from_the_command_unless_recompute(ledger, tmp_path):
    ib = _issue(ledger.w)
    _later_edits(ledger)
    out = tmp_path / "b.docx"
    stdout = io.StringIO()
    call_command(
        "bulletin", "--division", "山城区", "--period", "2022Q3", "-o", str(out), stdout=stdout
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() == ib.sha256
    assert "印发稿原文件" in stdout.getvalue()
    stdout = io.StringIO()
    call_command(
        "bulletin",
        "--division",
        "山城区",
        "--period",
        "2022Q3",
        "-o",
        str(out),
        "--recompute",
        stdout=stdout,
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() != ib.sha256
    assert "非印发稿" in stdout.getvalue()


def test_it_stores_a_document_once_for_a_bulletin_issued_before_documents_were_kept(ledger):
    w = ledger.w
    service.do_publish(w.scope("sup_a"), w.a, "2022Q3", today=ISSUE_DAY)
    legacy = IssuedBulletin.objects.create(
        division=w.a,
        period_code="2022Q3",
        number=8,
        doc_number="山城督〔2022〕8号",
        issued_on=ISSUE_DAY,
    )
    c = Client()
    c.force_login(w.users["sup_a"])
    first = c.get("/assessment/bulletin.docx", {"period": "2022Q3"}).content
    stored = IssuedBulletin.objects.get(pk=legacy.pk)
    assert stored.sha256 == hashlib.sha256(first).hexdigest()
    _later_edits(ledger)
    assert c.get("/assessment/bulletin.docx", {"period": "2022Q3"}).content == first


def test_it_numbers_the_preview_like_the_docx_and_shows_its_charts(ledger):
    from docx import Document

    w = ledger.w
    c = client_of(w, "sup_a")
    page = c.get("/assessment/bulletin/", {"period": "2022Q3"}).content.decode()
    docx = Document(io.BytesIO(c.get("/assessment/bulletin.docx", {"period": "2022Q3"}).content))
    texts = [p.text for p in docx.paragraphs]
    assert "<h3>一、总体情况</h3>" in page and "一、总体情况" in texts
    assert "1. 总体情况" not in page
    content = bulletin.gather(w.scope("sup_a"), w.a, "2022Q3").content
    for entry in outline(content.sections):
        assert entry.heading in page and entry.heading in texts
    assert page.count('<figure class="tz-chart">') == sum(
        len(e.section.charts) for e in outline(content.sections)
    )
    assert 'src="data:image/png;base64,' in page


def test_it_lists_the_evidence_of_overdue_matters_by_name(ledger, media):
    from taizhang.attachments import services as attachments
    from taizhang.matters.models import ProblemCategory
    from tests import attachment_files as af

    w = ledger.w
    sup = w.scope("sup_a")
    m = msvc.do_create_problem(
        sup,
        {
            "enterprise": w.enterprise_a,
            "category": ProblemCategory.objects.get(name="用工").pk,
            "title": "用电增容慢",
            "raised_on": dt.date(2022, 8, 1),
        },
        accept=True,
    )
    msvc.do_assign(
        sup,
        m,
        lead_unit=w.unit_a,
        deadline=dt.date(2022, 9, 15),
        expected_version=None,
        date=dt.date(2022, 8, 2),
    )
    attachments.do_attach(w.scope("unit_a"), m, [af.pdf("协调函.pdf")])
    content = bulletin.gather(sup, w.a, "2022Q3").content
    table = next(t for sec in content.sections for t in sec.tables if t.title == "逾期未完成事项")
    assert any("用电增容慢" in row[2] for row in table.rows)
    assert f"已报佐证材料：{m.number}（协调函.pdf）" in table.note
