"""银企对接: needs, bank responses through their stages, refusals, figures by bank, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from taizhang.services import financing as fin
from taizhang.services.figures import financing_figures
from taizhang.services.models import Bank, BankResponse, FinancingNeed, ensure_default_banks
from tests.enterprise_fixtures import new_problem

DAY = dt.date(2022, 3, 1)


def need(world, amount="3000", **extra) -> FinancingNeed:
    return fin.do_create_need(
        world.scope("sup_a"),
        {
            "enterprise": world.enterprise_a.pk,
            "amount": amount,
            "purpose": "技改流动资金",
            "term_months": "36",
            "published_on": DAY,
            **extra,
        },
    )


def bank(name: str) -> Bank:
    ensure_default_banks()  # a demo test module run before this one flushes the migration's rows
    return Bank.objects.get(name=name)


def advance(world, r: BankResponse, status: str, date, amount=None) -> BankResponse:
    r.refresh_from_db()
    return fin.do_advance_response(
        world.scope("sup_a"), r, status=status, date=date, amount=amount, expected_version=r.version
    )


def test_it_refuses_a_need_with_a_zero_or_negative_amount_and_saves_nothing(world):
    for amount, words in (("0", "必须大于0"), ("-5", "必须大于0"), ("abc", "必须是数字")):
        with pytest.raises(ValidationError, match=words):
            need(world, amount)
    with pytest.raises(ValidationError, match="期限"):
        need(world, term_months="0")
    assert not FinancingNeed.objects.exists()


def test_it_moves_a_response_through_its_stages_and_refuses_them_out_of_order(world):
    n = need(world)
    s = world.scope("sup_a")
    r = fin.do_add_response(s, n, {"bank": "中原银行", "started_on": "2022-03-02"})
    with pytest.raises(ValidationError, match="已在对接该需求"):
        fin.do_add_response(s, n, {"bank": "中原银行", "started_on": "2022-03-02"})
    with pytest.raises(ValidationError, match="不在银行名录"):
        fin.do_add_response(s, n, {"bank": "不存在银行", "started_on": "2022-03-02"})
    with pytest.raises(ValidationError, match="下一步只能是"):
        advance(world, r, "loaned", "2022-03-05", "100")
    with pytest.raises(ValidationError, match="不能早于上一环节"):
        advance(world, r, "intention", "2022-03-01", "2000")
    r = advance(world, r, "intention", "2022-03-10", "2000")
    r = advance(world, r, "granted", "2022-04-01", "1500")
    with pytest.raises(ValidationError, match="不能超过授信金额"):
        advance(world, r, "loaned", "2022-04-10", "1600")
    r = advance(world, r, "loaned", "2022-04-10", "1500")
    assert (r.status, r.loaned_amount) == ("loaned", Decimal("1500.00"))
    with pytest.raises(ValidationError, match="下一步只能是：无"):
        advance(world, r, "failed", "2022-04-11")


def test_it_counts_intentions_and_amounts_by_bank_as_of_a_day(world):
    s = world.scope("sup_a")
    n1, n2 = need(world), need(world, "5000")
    a = fin.do_add_response(s, n1, {"bank": "中原银行", "started_on": DAY})
    b = fin.do_add_response(s, n2, {"bank": "中国银行", "started_on": DAY})
    c = fin.do_add_response(s, n2, {"bank": "中原银行", "started_on": DAY})
    advance(world, a, "intention", "2022-03-10", "2000")
    advance(world, b, "intention", "2022-03-12", "3000.5")
    advance(world, b, "granted", "2022-05-01", "2500")
    advance(world, c, "intention", "2022-03-15", "1000")
    advance(world, c, "failed", "2022-06-01")
    f = financing_figures(s, world.a, 2022, as_of=dt.date(2022, 4, 30))
    assert (f["needs"], f["intentions"]) == (2, 3)
    assert f["intention_amount_wan"] == Decimal("6000.50")
    assert f["granted_amount_wan"] == Decimal("0")
    f = financing_figures(s, world.a, 2022)
    # 中原银行's second intention failed in June: no longer an intention at year end.
    assert f["intentions"] == 2 and f["intention_amount_wan"] == Decimal("5000.50")
    assert f["granted_amount_wan"] == Decimal("2500.00")
    banks = {x["bank"]: x for x in f["banks"]}
    assert banks["中国银行"]["granted_amount_wan"] == Decimal("2500.00")
    assert banks["中原银行"]["intentions"] == 1
    assert financing_figures(world.scope("sup_b"), world.a, 2022)["needs"] == 0


def test_it_turns_a_financing_problem_into_a_need_once(eworld):
    w = eworld.w
    s = w.scope("sup_a")
    p = new_problem(
        eworld, "ent_a", w.enterprise_a, "贷款难", raised_on=DAY, category=eworld.complex
    )
    n = fin.do_need_from_problem(s, p, {"amount": "800", "term_months": "12"})
    assert n.problem == p and n.enterprise == w.enterprise_a and n.purpose == "贷款难"
    with pytest.raises(ValidationError, match="不能重复转换"):
        fin.do_need_from_problem(s, p, {"amount": "800", "term_months": "12"})
    other = new_problem(eworld, "ent_a", w.enterprise_a, "招工", raised_on=DAY)
    with pytest.raises(ValidationError, match="融资"):
        fin.do_need_from_problem(s, other, {"amount": "800", "term_months": "12"})


def test_it_shows_a_need_to_its_enterprise_and_office_only(eworld):
    w = eworld.w
    n = need(w)
    assert w.scope("ent_a").get(FinancingNeed.objects.all(), n.pk) == n
    assert w.scope("cadre_a").get(FinancingNeed.objects.all(), n.pk) == n  # its liaison
    for outsider in ("sup_b", "unit_b", "ent_b", "unit_a"):
        with pytest.raises(Http404):
            w.scope(outsider).get(FinancingNeed.objects.all(), n.pk)
    with pytest.raises(PermissionDenied):
        fin.do_add_response(w.scope("ent_a"), n, {"bank": "中原银行"})


def test_it_counts_a_cadres_view_of_the_figures_once_per_response(eworld):
    w = eworld.w
    s = w.scope("sup_a")
    r = fin.do_add_response(s, need(w), {"bank": "中原银行", "started_on": DAY})
    advance(w, r, "intention", "2022-03-10", "2000")
    # The liaison cadre of enterprise A sees the same figures as the office.
    f = financing_figures(w.scope("cadre_a"), w.a, 2022)
    assert (f["needs"], f["intentions"], f["intention_amount_wan"]) == (1, 1, Decimal("2000.00"))
    assert [b["intentions"] for b in f["banks"]] == [1]
