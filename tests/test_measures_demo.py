"""On the demo: the seeds' figures the demo reproduces fact-check green; a 2023 target is bound.

Seed 000 (山城区, September 2022 story; checked as of 2022-08-31): the figures the demo
reproduces — 新签约 11个/69亿元 and 新落地 9个/59亿元 (上半年, so checked to 30 June),
35个区重点项目, 完成投资123.3亿元 and 143.2% (1至8月), 265家企业, 403名服务专员,
走访企业1100余次, 207个问题解决, 企业满意率100% — are all ``match``. The rest (自动化率,
留抵退税, 用工, 绿地, 书屋…) have no ledger measure and are ``unchecked``; "总投资217.9亿元"
is named only 总投资 by the extractor (no subject), so it is unchecked too.

Seed 004 (湛河区, February 2022; checked as of 2022-02-23 from 2021-01-01, the start of the
"万人助万企" campaign it reports on): 61条问题、解决61条、解决率100% (去年 → 2021 as a whole),
企业座谈会32次, 走访企业180余次, and 马庄街道's 11个省市重点项目 / 总投资75亿元 / 年度计划20亿元
(湛河区's whole 省市 list is 马庄's) match. Two are ``mismatch``, and rightly so for the
question asked: "已完成投资2.2亿元" is February's figure, but on 23 February only January's
monthly reports count (a month counts once it has ended); "对接市定重点项目24个" is read as the
district's listed projects (17), which is not what 对接 means — the checker knows measures,
not every verb. 选定82名…干部 is named 选定乡 by the extractor and stays unchecked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.core.models import Division
from taizhang.demo.measures import TITLE
from taizhang.matters.models import Matter
from taizhang.measures import factcheck
from tests.seeds import seed_path


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def demo_loaded(demo_module, db):
    return None


def _statuses(seed: str, division: str, as_of: dt.date, start: dt.date | None = None):
    text = seed_path(seed).read_text(encoding="utf-8")
    items = factcheck.check(text, Division.objects.get(name=division), as_of, start)
    return {(i.name, text[i.start : i.end]): i.status for i in items}


def test_it_checks_seed_000_green(demo_loaded):
    got = _statuses("000_f0ff97e69082448c.txt", "山城区", dt.date(2022, 8, 31))
    reproduced = [
        ("新签约项目", "11"),
        ("新签约项目总投资", "69"),
        ("新落地项目", "9"),
        ("新落地项目总投资", "59"),
        ("区重点项目", "35"),
        ("区重点项目完成投资", "123.3"),
        ("区重点项目完成投资占年度投资计划", "143.2"),
        ("辖区企业", "265"),
        ("增配服务专员", "403"),
        ("走访企业", "1100"),
        ("协助企业解决金融", "207"),
        ("企业满意率", "100"),
    ]
    assert {k: got[k] for k in reproduced} == dict.fromkeys(reproduced, "match")
    assert [k for k, v in got.items() if v == "mismatch"] == []
    assert got[("总投资", "217.9")] == "unchecked"
    assert got[("煤炭利用率提高", "95")] == "unchecked"


def test_it_checks_seed_004_green_where_the_demo_reproduces_it(demo_loaded):
    got = _statuses("004_832c63cf59a49ff6.txt", "湛河区", dt.date(2022, 2, 23), dt.date(2021, 1, 1))
    reproduced = [
        ("湛河区共搜集区级问题", "61"),
        ("现已解决", "61"),
        ("解决率", "100"),
        ("召开企业座谈会", "32"),
        ("走访企业", "180"),
        # 政务服务 (registered by taizhang.services): the demo's 686 cases of 2022-01-04 … 02-22.
        ("受理各类行政许可和服务事项", "686"),
        ("按时办结率", "100"),
        ("群众满意度", "99"),
    ]
    assert {k: got[k] for k in reproduced} == dict.fromkeys(reproduced, "match")
    assert got[("有省、市重点项目", "11")] == "match"
    assert sorted(k for k, v in got.items() if v == "mismatch") == [
        ("完成投资", "2.2"),
        ("对接市定重点项目", "24"),
    ]
    assert got[("选定乡", "82")] == "unchecked"


def test_it_reads_a_sentence_of_service_figures_from_the_service_ledger(demo_loaded):
    text = (
        "全区共受理各类行政许可和服务事项686件,按时办结率100%,群众满意度99%。问题按时办结率100%。"
    )
    items = factcheck.check(
        text, Division.objects.get(name="湛河区"), dt.date(2022, 2, 23), dt.date(2021, 1, 1)
    )
    # The rate after 686 件 is the service hall's; a new sentence about problems is not.
    assert [i.measure.code for i in items] == [
        "services.cases",
        "services.on_time_rate",
        "services.satisfaction_rate",
        "problems.on_time_rate",
    ]
    assert [i.status for i in items[:3]] == ["match", "match", "match"]


def test_it_shows_the_bound_2023_target_with_its_ledger_value(demo_loaded):
    m = Matter.objects.get(title=TITLE)
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    body = c.get(f"/api/v1/tasks/{m.pk}/measure").json()
    assert body["measure"] == "projects.completed_investment"
    assert body["params"] == {"level": "省市"}
    # The demo reproduces seed 000's 2023 figure: 省市重点项目完成投资34.7亿元.
    assert (body["ledger_value"], body["unit"]) == ("34.7", "亿元")
    page = c.get(f"/tasks/{m.pk}/").content.decode()
    assert 'data-field="ledger_value">34.7<' in page
