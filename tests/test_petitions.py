"""Petitions (信访): registration checks, the step flow with 领导包案, 带案下访 and mediation,
deadlines in calendar days, masking and the audited view of personal data, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from taizhang.core.models import AuditEntry, Person
from taizhang.matters.models import Matter, MatterStep
from taizhang.matters.steps import take_step
from taizhang.matters.timing import annotate_timing
from taizhang.petitions import rules
from taizhang.petitions import services as ps
from taizhang.petitions.figures import petition_figures
from taizhang.petitions.models import PetitionDetail, PetitionVisit
from tests.petition_fixtures import GOOD_PHONE, id_with_check, new_petition, petition_data
from tests.streams import streamed
from tests.task_fixtures import frozen

VALID_ID = id_with_check("41060319900101123")


# ---------------------------------------------------------------- pure rules


def test_it_checks_the_id_number_checksum_and_birth_date():
    assert rules.id_number_error(VALID_ID) is None
    wrong = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")
    assert "校验位" in rules.id_number_error(wrong)
    assert "18位" in rules.id_number_error("41060319900101")
    assert "出生日期" in rules.id_number_error(id_with_check("41060319901332123"))


def test_it_checks_mobile_numbers():
    assert rules.mobile_error(GOOD_PHONE) is None
    assert rules.mobile_error("12812345678") is not None
    assert rules.mobile_error("1381234567") is not None


def test_it_masks_name_phone_and_id():
    assert rules.mask_name("张三") == "张*"
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_id("410402199001011234") == "4104**********1234"


def test_it_counts_deadlines_in_calendar_days():
    start = dt.date(2022, 9, 30)  # the National Day holiday follows: calendar days ignore it
    assert rules.due("accept", start) == dt.date(2022, 10, 15)
    assert rules.due("handle", start) == dt.date(2022, 11, 29)


# ---------------------------------------------------------------- bad input, nothing saved


@pytest.mark.parametrize(
    ("over", "field", "text"),
    [
        ({"petitioner_id_number": "410603199001011230"}, "petitioner_id_number", "身份证号"),
        ({"petitioner_phone": "0375-1234567"}, "petitioner_phone", "手机号码"),
        ({"accept_deadline": dt.date(2022, 2, 27)}, "accept_deadline", "不能早于登记日期"),
        ({"accept_deadline": dt.date(2022, 3, 30)}, "accept_deadline", "15日"),
        ({"is_collective": True, "people_count": 3}, "people_count", "集体访"),
        ({"channel": "fax"}, "channel", "信访渠道"),
        ({"title": ""}, "title", "请填写"),
    ],
)
def test_it_refuses_bad_registrations_in_chinese_with_nothing_saved(world, over, field, text):
    before = (Matter.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as e:
        ps.do_register_petition(world.scope("sup_a"), petition_data(world.a, **over))
    assert any(text in msg for msg in e.value.message_dict[field])
    assert (Matter.objects.count(), AuditEntry.objects.count()) == before


def test_it_refuses_a_registration_dated_in_the_future(world):
    with frozen(dt.date(2022, 3, 1)), pytest.raises(ValidationError) as e:
        ps.do_register_petition(
            world.scope("sup_a"), petition_data(world.a, raised_on=dt.date(2022, 3, 2))
        )
    assert "不能晚于今天" in e.value.message_dict["raised_on"][0]


def test_it_lets_only_the_office_register(world):
    with pytest.raises(PermissionDenied):
        ps.do_register_petition(world.scope("unit_a"), petition_data(world.a))


# ---------------------------------------------------------------- the flow


def step(scope, m: Matter, action: str, day: str, **data) -> Matter:
    """Take a step on `day` (steps are dated the day they are taken)."""
    with frozen(dt.date.fromisoformat(day)):
        return take_step(scope, m, action, {"version": m.version, **data}).matter


def test_it_runs_register_accept_assign_visit_reply_rate_resolve(world):
    sup = world.scope("sup_a")
    m = ps.do_register_petition(sup, petition_data(world.a))
    assert m.kind == "petition" and m.status == "submitted"
    assert m.deadline == dt.date(2022, 3, 16)  # 受理 within 15 days
    assert m.number.startswith("XF2022-")
    m = step(sup, m, "accept", "2022-03-03")
    assert m.deadline == dt.date(2022, 5, 2)  # 办理 within 60 days of 受理
    m = step(sup, m, "assign", "2022-03-04", lead_unit=world.unit_a.pk)
    m = step(sup, m, "take_charge", "2022-03-05", leader=world.leader_a.pk)
    assert m.leader == world.leader_a
    assert m.petition.leader_since == dt.date(2022, 3, 5)
    v = ps.do_record_visit(
        world.scope("leader_a"), m, date=dt.date(2022, 3, 20), place="某村", met="信访人"
    )
    assert v.leader == world.leader_a
    ps.do_record_mediation(
        world.scope("unit_a"), m, outcome="success", agreement="双方达成协议", date="2022-03-25"
    )
    m.refresh_from_db()
    m = step(world.scope("unit_a"), m, "report", "2022-04-01", note="已答复")
    assert m.status == "reported" and m.finished_on == dt.date(2022, 4, 1)
    m = step(sup, m, "rate", "2022-04-05", rating="satisfied")
    assert m.status == "rated"
    m = step(sup, m, "close", "2022-04-08", resolved=True)
    assert m.status == "closed"
    m.petition.refresh_from_db()
    assert m.petition.resolved_on == dt.date(2022, 4, 8)
    labels = list(m.steps.values_list("label", flat=True))
    assert labels[0] == "登记" and "领导包案：王区长" in labels and labels[-1] == "化解办结"
    f = petition_figures(sup, world.a, 2022)
    assert (f.petitions_accepted, f.people_received, f.cases_under_leader) == (1, 2, 1)
    assert (f.difficult_resolved, f.replied_on_time, str(f.satisfaction_pct)) == (1, 1, "100.0")


def test_it_rejects_a_petition_with_a_reason(world):
    sup = world.scope("sup_a")
    m = new_petition(sup, world.a, accepted=None)
    with pytest.raises(ValidationError):
        step(sup, m, "reject", "2022-03-02", note="")
    m = step(sup, m, "reject", "2022-03-02", note="属民事纠纷")
    assert m.status == "closed" and m.petition.rejected_on == dt.date(2022, 3, 2)
    assert petition_figures(sup, world.a, 2022).petitions_accepted == 0


def test_it_refuses_a_leader_from_another_district_or_not_a_leader(world):
    sup = world.scope("sup_a")
    m = new_petition(sup, world.a, unit=world.unit_a)
    outsider = Person.objects.create(name="淇滨区领导", division=world.b, is_leader=True)
    for person, text in ((outsider, "不属于山城区"), (world.cadre_a, "领导班子成员")):
        with pytest.raises(ValidationError) as e:
            take_step(sup, m, "take_charge", {"version": m.version, "leader": person.pk})
        assert text in e.value.message_dict["leader"][0]
    m.refresh_from_db()
    assert m.leader_id is None and m.steps.filter(action="take_charge").count() == 0


def test_it_refuses_an_accept_deadline_before_acceptance_or_beyond_60_days(world):
    sup = world.scope("sup_a")
    m = new_petition(sup, world.a, accepted=None)
    for day, text in (("2022-03-01", "不能早于受理日期"), ("2022-06-30", "60日")):
        with pytest.raises(ValidationError) as e:
            step(sup, m, "accept", "2022-03-02", deadline=day)
        assert text in e.value.message_dict["deadline"][0]
    m.refresh_from_db()
    assert m.status == "submitted"


def test_it_allows_an_extension_of_at_most_30_days(world):
    sup, unit = world.scope("sup_a"), world.scope("unit_a")
    m = new_petition(sup, world.a, unit=world.unit_a)  # 办理时限 2022-05-02
    with pytest.raises(ValidationError) as e:
        take_step(
            unit,
            m,
            "request_extension",
            {"version": m.version, "deadline": "2022-06-02", "reason": "复杂"},
        )
    assert "30日" in e.value.message_dict["deadline"][0]
    m = take_step(
        unit,
        m,
        "request_extension",
        {"version": m.version, "deadline": "2022-06-01", "reason": "复杂"},
    ).matter
    m = take_step(sup, m, "approve_extension", {"version": m.version}).matter
    assert m.deadline == dt.date(2022, 6, 1)


def test_it_lights_an_unaccepted_petition_red_after_15_days(world):
    sup = world.scope("sup_a")
    with frozen(dt.date(2022, 3, 1)):
        m = new_petition(sup, world.a, accepted=None)
    red = annotate_timing(Matter.objects.filter(pk=m.pk), dt.date(2022, 3, 20)).get()
    assert red.light == "red"
    green = annotate_timing(Matter.objects.filter(pk=m.pk), dt.date(2022, 3, 2)).get()
    assert green.light == "green"


def test_it_needs_a_leader_in_charge_before_a_visit(world):
    sup = world.scope("sup_a")
    m = new_petition(sup, world.a, unit=world.unit_a)
    with pytest.raises(ValidationError) as e:
        ps.do_record_visit(sup, m, date="2022-03-10", place="", met="信访人")
    assert "place" in e.value.message_dict and "leader" in e.value.message_dict
    assert PetitionVisit.objects.count() == 0


def test_it_refuses_a_mediation_agreement_missing_or_a_visit_before_registration(world):
    sup = world.scope("sup_a")
    m = new_petition(sup, world.a, unit=world.unit_a, leader=world.leader_a)
    with pytest.raises(ValidationError) as e:
        ps.do_record_mediation(sup, m, outcome="success", agreement="", date="2022-03-10")
    assert "调解协议" in e.value.message_dict["agreement"][0]
    with pytest.raises(ValidationError) as e:
        ps.do_record_visit(sup, m, date="2022-02-01", place="某村", met="信访人")
    assert "不能早于登记日期" in e.value.message_dict["date"][0]


# ---------------------------------------------------------------- personal data


def _case(world) -> Matter:
    return new_petition(world.scope("sup_a"), world.a, unit=world.unit_a, leader=world.leader_a)


@pytest.mark.parametrize("who", ["sup_a", "admin", "unit_a", "leader_a"])
def test_it_shows_the_handlers_the_petitioner_and_audits_each_view(world, who):
    m = _case(world)
    before = AuditEntry.objects.filter(verb=ps.REVEAL_VERB).count()
    data = ps.personal_data(world.scope(who), m)
    assert data["petitioner_name"] == "张三丰" and data["petitioner_phone"] == GOOD_PHONE
    entries = AuditEntry.objects.filter(verb=ps.REVEAL_VERB)
    assert entries.count() == before + 1
    assert entries.latest("pk").changes["事件"] == [None, ps.REVEAL_EVENT]


@pytest.mark.parametrize("who", ["unit_a_town", "cadre_a", "ent_a", "unit_b", "sup_b"])
def test_it_hides_the_case_from_outsiders(world, who):
    m = _case(world)
    with pytest.raises(Http404):
        world.scope(who).get(Matter.objects.all(), m.pk)
    assert not ps.is_handler(world.scope(who), m)
    with pytest.raises(PermissionDenied):
        ps.personal_data(world.scope(who), m)
    assert not AuditEntry.objects.filter(verb=ps.REVEAL_VERB).exists()


def test_it_masks_the_petitioner_for_a_leader_not_in_charge(world):
    m = new_petition(world.scope("sup_a"), world.a, unit=world.unit_a)
    with pytest.raises(PermissionDenied):
        ps.personal_data(world.scope("leader_a"), m)


def test_it_never_writes_personal_data_into_the_audit_log(world):
    m = _case(world)
    for e in AuditEntry.objects.filter(root_id=str(m.pk)):
        text = str(e.changes)
        assert GOOD_PHONE not in text and "张三丰" not in text and VALID_ID not in text


def _client(world, who: str) -> Client:
    c = Client()
    c.force_login(world.users[who])
    return c


def test_it_shows_pages_masked_and_the_personal_page_only_to_handlers(world):
    m = _case(world)
    for who in ("sup_a", "unit_a", "leader_a"):
        body = _client(world, who).get(f"/petitions/{m.pk}/").content.decode()
        assert "138****5678" in body and GOOD_PHONE not in body and "张**" in body
        personal = _client(world, who).get(f"/petitions/{m.pk}/personal/")
        assert personal.status_code == 200 and GOOD_PHONE in personal.content.decode()
    assert _client(world, "unit_b").get(f"/petitions/{m.pk}/personal/").status_code == 404
    assert _client(world, "unit_a_town").get(f"/petitions/{m.pk}/").status_code == 404
    listing = _client(world, "sup_a").get("/petitions/").content.decode()
    assert "张**" in listing and "张三丰" not in listing


def test_it_exports_masked_unless_the_office_asks_for_personal_data(world):
    _case(world)
    plain = streamed(_client(world, "sup_a").get("/petitions/export.csv")).decode("utf-8-sig")
    assert "138****5678" in plain and GOOD_PHONE not in plain
    assert _client(world, "unit_a").get("/petitions/export.csv?personal=1").status_code == 403
    full = streamed(_client(world, "sup_a").get("/petitions/export.csv?personal=1")).decode(
        "utf-8-sig"
    )
    assert GOOD_PHONE in full and VALID_ID in full
    assert AuditEntry.objects.filter(verb=ps.EXPORT_PERSONAL_VERB).count() == 1


def test_it_answers_the_api_masked_and_the_personal_route_audited(world):
    m = _case(world)
    sup = _client(world, "sup_a")
    body = sup.get(f"/api/v1/petitions/{m.pk}").json()
    assert body["petitioner_phone"] == "138****5678" and body["may_reveal"] is True
    assert sup.get(f"/api/v1/petitions/{m.pk}/personal").json()["petitioner_phone"] == GOOD_PHONE
    assert _client(world, "unit_b").get(f"/api/v1/petitions/{m.pk}/personal").status_code == 404
    assert _client(world, "ent_a").get(f"/api/v1/petitions/{m.pk}").status_code == 404
    listing = sup.get("/api/v1/petitions", {"flag": "leader"}).json()
    assert listing["count"] == 1 and listing["items"][0]["petitioner_name"] == "张**"


def test_it_registers_through_the_api_and_refuses_bad_ids_in_chinese(world):
    sup = _client(world, "sup_a")
    payload = {
        "title": "反映拖欠工资",
        "raised_on": "2022-03-01",
        "channel": "hotline",
        "petitioner_id_number": "410603199001011230",
    }
    before = Matter.objects.count()
    r = sup.post("/api/v1/petitions", payload, content_type="application/json")
    assert r.status_code == 422 and "身份证号" in r.json()["detail"]
    assert Matter.objects.count() == before
    payload["petitioner_id_number"] = VALID_ID
    r = sup.post("/api/v1/petitions", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["petitioner_id_number"] == VALID_ID[:4] + "*" * 10 + VALID_ID[-4:]
    assert PetitionDetail.objects.get(matter_id=r.json()["id"]).channel == "hotline"


def test_it_registers_through_the_web_form(world):
    sup = _client(world, "sup_a")
    r = sup.post(
        "/petitions/new/",
        {
            "title": "反映某村道路积水",
            "raised_on": "2022-03-01",
            "channel": "visit",
            "category": "request",
            "people_count": "6",
            "is_collective": "1",
            "petitioner_phone": "139123",
        },
    )
    assert r.status_code == 200 and "手机号码" in r.content.decode()
    assert not Matter.objects.filter(title="反映某村道路积水").exists()
    r = sup.post(
        "/petitions/new/",
        {
            "title": "反映某村道路积水",
            "raised_on": "2022-03-01",
            "channel": "visit",
            "people_count": "6",
            "is_collective": "1",
        },
    )
    m = Matter.objects.get(title="反映某村道路积水")
    assert r.status_code == 302 and m.petition.is_collective and m.petition.people_count == 6


def test_it_takes_steps_from_the_case_page_forms(world):
    m = new_petition(world.scope("sup_a"), world.a, accepted=None)
    sup = _client(world, "sup_a")
    page = sup.get(f"/petitions/{m.pk}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="reject"' in page
    r = sup.post(
        f"/matters/{m.pk}/steps/accept/",
        {"version": m.version, "next": f"/petitions/{m.pk}/"},
    )
    assert r.status_code == 302 and r["Location"] == f"/petitions/{m.pk}/"
    assert MatterStep.objects.filter(matter=m, action="accept").exists()


def test_it_reports_the_year_in_the_bulletin_and_nothing_without_petitions(world):
    from taizhang.petitions.bulletin import petition_section

    sup = world.scope("sup_a")
    assert petition_section(sup, world.a, 2022, dt.date(2022, 6, 30)) is None
    _case(world)
    section = petition_section(sup, world.a, 2022, dt.date(2022, 6, 30))
    assert section is not None and section.heading == "信访工作情况"
    assert "受理信访件1件" in section.paragraphs[0] and "领导包案1件" in section.paragraphs[0]


def test_it_links_the_handling_units_work_to_the_petition_page(world):
    m = _case(world)
    body = _client(world, "unit_a").get("/my/").content.decode()
    assert f'href="/petitions/{m.pk}/"' in body
    today = _client(world, "unit_a").get("/today/").content.decode()
    assert f"/petitions/{m.pk}/" in today


def test_it_takes_visit_photos_through_the_attachments_api(world, media):
    from taizhang.attachments.models import Attachment
    from tests import attachment_files as af

    m = _case(world)
    v = ps.do_record_visit(world.scope("sup_a"), m, date="2022-03-10", place="某村", met="信访人")
    body = {"owner_type": "petition_visit", "owner_id": v.pk, "files": [af.jpeg("下访.jpg")]}
    r = _client(world, "leader_a").post("/api/v1/attachments", body)
    assert r.status_code == 201, r.content
    assert Attachment.objects.filter(original_name="下访.jpg", owner_id=v.pk).count() == 1
    body["files"] = [af.jpeg("外区.jpg")]
    assert _client(world, "unit_b").post("/api/v1/attachments", body).status_code == 404
    assert not Attachment.objects.filter(original_name="外区.jpg").exists()
