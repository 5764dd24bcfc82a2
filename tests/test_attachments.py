"""Attachments (佐证材料): checks by content, what is stored, downloads, deletion, purge."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.utils import timezone
from PIL import Image

from taizhang.attachments import services
from taizhang.attachments.models import Attachment
from taizhang.core.models import AuditEntry
from tests import attachment_files as af
from tests.enterprise_fixtures import EWorld


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def client_for(ew: EWorld, role: str) -> Client:
    c = Client()
    c.force_login(ew.users[role])
    return c


BAD = {
    "oversize": (af.oversize, "超过上限 20 MB"),
    "html_as_jpg": (af.html_as_jpg, "扩展名是 .jpg，但内容是网页或脚本"),
    "exe": (af.exe, "内容是可执行程序"),
    "zip_bomb": (af.zip_bomb, "疑似“压缩炸弹”"),
    "traversal": (af.traversal, "含有路径或特殊字符"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_it_refuses_a_bad_file_in_chinese_and_stores_nothing(eworld, media, case):
    make, message = BAD[case]
    m = eworld.problem_a
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        services.do_attach(eworld.scope("unit_a"), m, [af.jpeg(), make()], user=None)
    assert message in " ".join(err.value.message_dict["files"])
    # The good photo of the same batch is not kept either: all or nothing.
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("case", ["oversize", "html_as_jpg", "exe", "zip_bomb"])
def test_it_refuses_a_bad_web_upload_with_a_message_and_stores_nothing(eworld, media, case):
    make, message = BAD[case]
    m = eworld.problem_a
    r = client_for(eworld, "unit_a").post(
        "/attachments/new/",
        {"owner_type": "matter", "owner_id": m.pk, "files": [make()], "next": "/my/"},
        follow=True,
    )
    assert r.status_code == 200
    assert message in r.content.decode()
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_stores_a_browser_path_name_under_its_last_part_and_a_random_name(eworld, media):
    # Django's upload parser keeps only "x.jpg" of "../../x.jpg"; the stored name is random.
    m = eworld.problem_a
    f = af.jpeg(gps=False)
    r = client_for(eworld, "unit_a").post(
        "/attachments/new/",
        {"owner_type": "matter", "owner_id": m.pk, "files": [f], "next": "/my/"},
        format="multipart",
    )
    assert r.status_code == 302
    a = Attachment.objects.get()
    assert "/" not in a.original_name and ".." not in a.original_name
    path = Path(media / a.stored_name).resolve()
    assert path.is_file() and media.resolve() in path.parents
    assert a.original_name not in a.stored_name


def test_it_strips_the_gps_position_from_photos_unless_asked_to_keep_it(eworld, media):
    m = eworld.problem_a
    s = eworld.scope("unit_a")
    stripped, kept = services.do_attach(s, m, [af.jpeg("a.jpg")]) + services.do_attach(
        s, m, [af.jpeg("b.jpg")], keep_location=True
    )

    def gps(a: Attachment) -> dict:
        with Image.open(media / a.stored_name) as img:
            return dict(img.getexif().get_ifd(0x8825))

    assert gps(stripped) == {}
    assert gps(kept)[1] == "N" and kept.keep_exif_location
    with Image.open(media / stripped.stored_name) as img:
        assert img.getexif()[0x010F] == "TestCam"  # other EXIF (camera) stays


def test_it_makes_a_thumbnail_and_records_the_image_size(eworld, media):
    a = services.do_attach(eworld.scope("unit_a"), eworld.problem_a, [af.jpeg()])[0]
    assert (a.width, a.height) == (800, 600)
    with Image.open(media / a.thumb_name) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
        assert not thumb.getexif().get(0x8825)


def test_it_accepts_png_pdf_docx_xlsx_and_converts_heic_to_jpeg(eworld, media):
    made = services.do_attach(
        eworld.scope("sup_a"),
        eworld.problem_a,
        [af.png(), af.pdf(), af.docx(), af.xlsx(), af.heic()],
    )
    types = {a.original_name: a.content_type for a in made}
    assert types == {
        "截图.png": "image/png",
        "验收报告.pdf": "application/pdf",
        "情况说明.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "台账.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "IMG_0001.HEIC": "image/jpeg",
    }
    converted = made[-1]
    assert converted.download_name == "IMG_0001.jpg" and converted.converted_from == "HEIC"
    assert (media / converted.stored_name).read_bytes()[:3] == b"\xff\xd8\xff"


def test_it_refuses_a_pdf_named_jpg_and_more_files_than_the_limit(eworld, media, settings):
    s, m = eworld.scope("unit_a"), eworld.problem_a
    with pytest.raises(ValidationError, match="扩展名与内容不符"):
        services.do_attach(s, m, [af.pdf("scan.jpg")])
    settings.TAIZHANG = {**settings.TAIZHANG, "ATTACH_MAX_FILES": 2}
    services.do_attach(s, m, [af.pdf()])
    with pytest.raises(ValidationError, match="最多 2 个佐证材料，已有 1 个"):
        services.do_attach(s, m, [af.pdf(), af.png()])
    assert len(stored_files(media)) == 1


def test_it_lets_an_outsider_neither_attach_nor_find_a_file(eworld, media):
    m = eworld.problem_a
    a = services.do_attach(eworld.scope("unit_a"), m, [af.pdf()])[0]
    with pytest.raises(Http404):
        services.do_attach(eworld.scope("sup_b"), m, [af.pdf()])
    with pytest.raises(Http404):
        services.get_attachment(eworld.scope("sup_b"), a.pk)
    with pytest.raises(PermissionDenied):  # leaders read, they do not hand in evidence
        services.do_attach(eworld.scope("leader_a"), m, [af.pdf()])
    assert Attachment.objects.count() == 1


def test_it_serves_a_download_to_the_owner_with_safe_headers_and_audits_it(eworld, media):
    a = services.do_attach(eworld.scope("unit_a"), eworld.problem_a, [af.docx()])[0]
    r = client_for(eworld, "ent_a").get(f"/attachments/{a.pk}/")
    assert r.status_code == 200
    assert r["Content-Type"] == a.content_type
    assert r["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert "%E6%83%85%E5%86%B5" in r["Content-Disposition"]  # 情况说明.docx, encoded
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == (media / a.stored_name).read_bytes()
    e = AuditEntry.objects.filter(verb="下载佐证材料").get()
    assert e.object_id == str(a.pk) and e.root_id == str(eworld.problem_a.pk)
    assert client_for(eworld, "unit_b").get(f"/attachments/{a.pk}/").status_code == 404
    assert client_for(eworld, "unit_b").get(f"/attachments/{a.pk}/thumb/").status_code == 404


def test_it_serves_a_thumbnail_inline_without_an_audit_entry(eworld, media):
    a = services.do_attach(eworld.scope("unit_a"), eworld.problem_a, [af.jpeg()])[0]
    c = client_for(eworld, "sup_a")  # the login itself is audited; count after it
    before = AuditEntry.objects.count()
    r = c.get(f"/attachments/{a.pk}/thumb/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["Content-Disposition"].startswith("inline;")
    assert AuditEntry.objects.count() == before


def test_it_soft_deletes_with_an_audit_entry_and_purges_the_file_after_retention(eworld, media):
    m = eworld.problem_a
    a = services.do_attach(eworld.scope("unit_a"), m, [af.jpeg()])[0]
    with pytest.raises(PermissionDenied):  # neither uploader nor office
        services.do_delete_attachment(eworld.scope("unit_a_town"), a)
    r = client_for(eworld, "unit_a").post(f"/attachments/{a.pk}/delete/", {"next": "/my/"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.deleted_at is not None and a.deleted_by == eworld.users["unit_a"]
    assert AuditEntry.objects.filter(
        object_id=str(a.pk), action=AuditEntry.Action.DELETE, root_id=str(m.pk)
    ).exists()
    assert (media / a.stored_name).is_file()  # kept for the retention period
    assert list(services.attachments_of(m)) == []
    assert client_for(eworld, "unit_a").get(f"/attachments/{a.pk}/").status_code == 404
    call_command("purgefiles", stdout=io.StringIO())  # deleted today: still kept
    assert (media / a.stored_name).is_file()
    Attachment.objects.filter(pk=a.pk).update(deleted_at=timezone.now() - dt.timedelta(days=400))
    out = io.StringIO()
    call_command("purgefiles", stdout=out)
    assert "已清除 1 个" in out.getvalue()
    assert stored_files(media) == []
    a.refresh_from_db()
    assert a.purged_at is not None


def test_it_uploads_lists_and_downloads_through_the_api(eworld, media):
    m = eworld.problem_a
    c = client_for(eworld, "unit_a")
    r = c.post(
        "/api/v1/attachments",
        {"owner_type": "matter", "owner_id": m.pk, "files": [af.jpeg(), af.pdf()]},
    )
    assert r.status_code == 201, r.content
    made = r.json()
    assert [x["name"] for x in made] == ["现场照片.jpg", "验收报告.pdf"]
    assert made[0]["has_thumbnail"] and made[0]["width"] == 800
    listed = c.get(f"/api/v1/attachments?owner_type=matter&owner_id={m.pk}").json()
    assert [x["id"] for x in listed] == [x["id"] for x in made]
    r = c.get(made[1]["download"])
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content).startswith(b"%PDF-")
    outsider = client_for(eworld, "unit_b")
    assert outsider.get(made[1]["download"]).status_code == 404
    assert outsider.get(f"/api/v1/attachments?owner_type=matter&owner_id={m.pk}").status_code == 404


def test_it_answers_a_refused_api_upload_with_422_in_chinese(eworld, media):
    r = client_for(eworld, "unit_a").post(
        "/api/v1/attachments",
        {"owner_type": "matter", "owner_id": eworld.problem_a.pk, "files": [af.exe()]},
    )
    assert r.status_code == 422
    assert "可执行程序" in r.json()["detail"]
    assert Attachment.objects.count() == 0 and stored_files(media) == []
    r = client_for(eworld, "unit_a").post(
        "/api/v1/attachments", {"owner_type": "nothing", "owner_id": 1, "files": [af.pdf()]}
    )
    assert r.status_code == 422 and "不能给「nothing」上传" in r.json()["detail"]


def test_it_wires_an_s3_bucket_from_the_environment(monkeypatch):
    from django.core.files.storage import storages as handler
    from storages.backends.s3 import S3Storage

    from taizhang.envconf import storages_from_env

    assert storages_from_env("/srv/data")["default"]["OPTIONS"]["location"] == os.path.join(
        "/srv/data", "media"
    )
    monkeypatch.setenv("TAIZHANG_S3_BUCKET", "taizhang-files")
    monkeypatch.setenv("TAIZHANG_S3_ENDPOINT_URL", "https://minio.example.internal:9000")
    monkeypatch.setenv("TAIZHANG_S3_ACCESS_KEY", "ak")
    monkeypatch.setenv("TAIZHANG_S3_SECRET_KEY", "sk")
    cfg = storages_from_env("/srv/data")
    assert cfg["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    opts = cfg["default"]["OPTIONS"]
    assert opts["bucket_name"] == "taizhang-files" and opts["default_acl"] == "private"
    assert opts["location"] == "attachments"
    # The options are ones S3Storage takes: building it needs no network.
    store = handler.create_storage(cfg["default"])
    assert isinstance(store, S3Storage) and store.bucket_name == "taizhang-files"
    assert store.endpoint_url == "https://minio.example.internal:9000"
    monkeypatch.delenv("TAIZHANG_S3_SECRET_KEY")
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="须同时设置"):
        storages_from_env("/srv/data")


def test_it_purges_files_no_row_names_once_a_day_old(eworld, media):
    a = services.do_attach(eworld.scope("unit_a"), eworld.problem_a, [af.jpeg()])[0]
    orphan = media / "2022" / "03" / "left-by-a-rollback.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.4")
    fresh = media / "2022" / "03" / "still-uploading.pdf"
    fresh.write_bytes(b"%PDF-1.4")
    old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(orphan, (old, old))
    os.utime(media / a.stored_name, (old, old))
    assert services.purge_orphans() == 1
    assert not orphan.exists() and fresh.exists()
    assert (media / a.stored_name).exists() and (media / a.thumb_name).exists()


def test_it_reads_the_upload_limit_in_megabytes_and_refuses_a_typo(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from taizhang.envconf import env_megabytes

    monkeypatch.setenv("TAIZHANG_UPLOAD_MAX_MB", "5")
    assert env_megabytes("TAIZHANG_UPLOAD_MAX_MB", 20) == 5 * 1024 * 1024
    monkeypatch.setenv("TAIZHANG_UPLOAD_MAX_MB", "5MB")
    with pytest.raises(ImproperlyConfigured, match="TAIZHANG_UPLOAD_MAX_MB"):
        env_megabytes("TAIZHANG_UPLOAD_MAX_MB", 20)
    monkeypatch.delenv("TAIZHANG_UPLOAD_MAX_MB")
    assert env_megabytes("TAIZHANG_UPLOAD_MAX_MB", 20) == 20 * 1024 * 1024


def test_it_follows_a_lowered_size_limit(eworld, media, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "ATTACH_MAX_BYTES": 1024}
    with pytest.raises(ValidationError, match="超过上限 1 KB"):
        services.do_attach(eworld.scope("unit_a"), eworld.problem_a, [af.jpeg()])
    assert stored_files(media) == []


def test_it_strips_the_gps_position_from_a_png_too(eworld, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with_gps = af.photo_bytes("PNG")
    with Image.open(io.BytesIO(with_gps)) as img:
        assert img.getexif().get_ifd(0x8825)  # the sample does carry a position
    a = services.do_attach(
        eworld.scope("unit_a"), eworld.problem_a, [SimpleUploadedFile("图.png", with_gps)]
    )[0]
    with Image.open(media / a.stored_name) as img:
        assert img.format == "PNG" and dict(img.getexif().get_ifd(0x8825)) == {}
