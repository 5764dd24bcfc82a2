"""The searchable picker (web/pick.py, web/forms/widgets.py): search, scope, paging, forms."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from taizhang.core.models import Person, Unit
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Matter
from taizhang.tasks import drafts
from taizhang.web.forms.problems import AssignForm, ProblemForm
from tests.enterprise_fixtures import code


def login(world, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def pick(c: Client, kind: str, q: str = "", page: int = 1) -> dict:
    r = c.get(f"/pick/{kind}/", {"q": q, "page": page})
    assert r.status_code == 200, r.content
    return r.json()


def names(answer: dict) -> list[str]:
    return [row["text"] for row in answer["results"]]


def add_enterprise(world, name: str, n: int, division=None) -> Enterprise:
    return ent_services.do_create_enterprise(
        world.scope("admin"),
        {"name": name, "credit_code": code(n), "division": division or world.a},
    )


def test_it_finds_an_enterprise_by_name_pinyin_initials_and_credit_code(eworld):
    w = eworld.w
    xty = add_enterprise(w, "新拓洋科技有限公司", 11)
    add_enterprise(w, "鹤壁市天海电子", 12)
    c = login(w, "sup_a")
    assert "新拓洋科技有限公司" in names(pick(c, "enterprise", "拓洋"))
    by_initials = pick(c, "enterprise", "xtykj")
    assert names(by_initials) == ["新拓洋科技有限公司"]
    assert by_initials["results"][0] == {"id": xty.pk, "text": xty.name, "sub": xty.credit_code}
    assert names(pick(c, "enterprise", "XinTuoYang")) == ["新拓洋科技有限公司"]
    # The credit code, in full or its distinctive tail, upper or lower case.
    assert names(pick(c, "enterprise", xty.credit_code)) == ["新拓洋科技有限公司"]
    assert names(pick(c, "enterprise", xty.credit_code[-8:].lower())) == ["新拓洋科技有限公司"]
    assert names(pick(c, "enterprise", "没有这家")) == []


def test_it_never_offers_an_outsiders_enterprise(eworld):
    w = eworld.w
    # District B's enterprise matches "qb" (淇滨) and its own name; A's office finds neither.
    assert pick(login(w, "sup_b"), "enterprise", "qbhc")["results"]
    assert names(pick(login(w, "sup_a"), "enterprise", "qbhc")) == []
    assert names(pick(login(w, "sup_a"), "enterprise", "淇滨")) == []
    # A cadre is offered only the enterprises they are liaison for.
    assert names(pick(login(w, "cadre_a"), "enterprise", "")) == ["新拓洋生物"]
    assert names(pick(login(w, "cadre_a"), "enterprise", "宝发")) == []


def test_it_refuses_enterprise_users_unknown_kinds_and_anonymous_users(eworld):
    w = eworld.w
    assert login(w, "ent_a").get("/pick/enterprise/?q=").status_code == 404
    assert login(w, "nobody").get("/pick/enterprise/?q=").status_code == 404
    assert login(w, "sup_a").get("/pick/user/?q=").status_code == 404
    r = Client().get("/pick/enterprise/?q=")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_it_pages_twenty_results_at_a_time(world):
    for i in range(25):
        add_enterprise(world, f"测试企业{i:02d}", 100 + i)
    c = login(world, "sup_a")
    first = pick(c, "enterprise", "csqy")
    assert len(first["results"]) == 20 and first["more"] is True
    second = pick(c, "enterprise", "csqy", page=2)
    assert len(second["results"]) == 5 and second["more"] is False
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    # A nonsense page number is the first page, not an error.
    assert len(c.get("/pick/enterprise/?q=csqy&page=x").json()["results"]) == 20


def _queries(c: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_answers_in_the_same_number_of_queries_whatever_the_table_size(world):
    c = login(world, "sup_a")
    add_enterprise(world, "测试企业甲", 200)
    few = {kind: _queries(c, f"/pick/{kind}/?q=") for kind in ("enterprise", "unit", "person")}
    for i in range(30):
        add_enterprise(world, f"测试企业{i:02d}", 201 + i)
        Unit.objects.create(division=world.a, name=f"测试单位{i:02d}", kind="department")
        Person.objects.create(name=f"测试人员{i:02d}", division=world.a)
    many = {kind: _queries(c, f"/pick/{kind}/?q=") for kind in ("enterprise", "unit", "person")}
    assert many == few


def test_it_finds_units_and_people_by_pinyin_within_the_district(eworld):
    w = eworld.w
    c = login(w, "sup_a")
    assert names(pick(c, "unit", "qfgw")) == ["区发改委"]
    assert "淇滨区发改委" not in names(pick(c, "unit", "fgw"))
    assert "淇滨区发改委" in names(pick(login(w, "sup_b"), "unit", "fgw"))
    assert names(pick(c, "person", "lgb")) == ["李干部（科员）"]
    assert names(pick(c, "person", "qbgb")) == []  # B's cadre
    # Only leaders are offered as 责任领导.
    assert names(pick(c, "leader", "")) == ["王区长（区长）"]
    # A unit user picks only their own unit.
    assert names(pick(login(w, "unit_a"), "unit", "")) == ["区发改委"]


def test_it_renders_only_the_current_choice_not_every_enterprise(eworld):
    w = eworld.w
    form = ProblemForm(w.scope("sup_a"), initial={"enterprise": w.enterprise_a.pk})
    html = str(form["enterprise"])
    assert 'data-pick-url="/pick/enterprise/"' in html
    assert "新拓洋生物" in html
    assert "宝发能源" not in html and "<option" not in html


def test_it_refuses_an_out_of_scope_enterprise_with_a_chinese_error_and_saves_nothing(eworld):
    w = eworld.w
    before = Matter.objects.count()
    r = login(w, "sup_a").post(
        "/problems/new/",
        {
            "enterprise": eworld.enterprise_b.pk,
            "category": eworld.ordinary.pk,
            "title": "门口道路破损",
            "source": "visit",
        },
    )
    assert r.status_code == 200
    assert "所选项不存在或不在您的范围内" in r.content.decode()
    assert "淇滨合成企业" not in r.content.decode()
    assert Matter.objects.count() == before


def test_it_accepts_ids_typed_without_javascript(eworld):
    w = eworld.w
    c = login(w, "sup_a")
    # The no-JS fallback: the text input takes "id, id" for a multiple picker.
    r = c.post(
        "/visits/",
        {
            "kind": "visit",
            "date": "2022-03-05",
            "enterprises": f"{w.enterprise_a.pk}, {eworld.enterprise_a2.pk}",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    visit = w.enterprise_a.visits.get()
    assert set(visit.enterprises.values_list("pk", flat=True)) == {
        w.enterprise_a.pk,
        eworld.enterprise_a2.pk,
    }


def test_it_shows_the_chosen_rows_of_an_initial_queryset(eworld):
    w = eworld.w
    form = AssignForm(w.scope("sup_a"), initial={"co_units": Unit.objects.filter(pk=w.unit_a.pk)})
    html = str(form["co_units"])
    assert f'<li data-id="{w.unit_a.pk}">区发改委</li>' in html
    assert f'value="{w.unit_a.pk}"' in html


def test_it_renders_the_draft_table_with_pickers_and_takes_typed_ids(world):
    scope = world.scope("sup_a")
    draft = drafts.do_create_draft(
        scope, text="全年城镇新增就业3760人以上。", year=2024, division=world.a
    )
    r0 = draft.rows.order_by("pk").first()
    c = login(world, "sup_a")
    page = c.get(f"/tasks/drafts/{draft.pk}/").content.decode()
    # No unit or leader is listed as an <option>: each row carries pickers instead.
    assert "区发改委</option>" not in page and "王区长" not in page
    assert f'form="row-{r0.pk}"' in page and 'data-pick-field="co_units"' in page
    # Without JavaScript the co-units are typed as "id, id".
    r = c.post(
        f"/tasks/drafts/{draft.pk}/rows/{r0.pk}/",
        {
            "op": "save",
            "title": r0.title,
            "lead_unit": str(world.unit_a.pk),
            "co_units": f"{world.unit_a_town.pk}",
            "co_units_present": "1",
        },
    )
    assert r.status_code == 302
    r0.refresh_from_db()
    assert r0.lead_unit_id == world.unit_a.pk
    assert list(r0.co_units.values_list("pk", flat=True)) == [world.unit_a_town.pk]
