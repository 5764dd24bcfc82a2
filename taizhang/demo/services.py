"""Demo 政务服务办件 and 银企对接 for 湛河区 (410411), from seed 004:

"能力作风建设年活动开展以来，全区共受理各类行政许可和服务事项686件，按时办结率100%，
群众满意度99%" and "通过银企对接……目前已初步达成银企合作意向18个，意向金额5亿元".

The 686 cases are accepted between 4 January and 22 February 2022, every one finished within
its committed limit, 679 rated 满意 and 7 基本满意 (679 ÷ 686 = 98.98% → 99.0%; 680 would
give 99.1%). 22 financing needs are published, 18 reach an intention totalling exactly
50000 万元. The figures are computed from these rows by taizhang.services.figures. A few
cases of this year (one of them overdue) give the 转督办 button something to do.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from taizhang.core.calendar import get_calendar
from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.enterprises.models import Enterprise
from taizhang.services import cases, financing
from taizhang.services.models import Bank, ensure_default_banks

DISTRICT = "410411"
CASES = 686
BASIC_SATISFIED = 7  # the rest (679) are 满意
# (事项名称, 办理单位 department, 承诺时限 in working days)
ITEMS = [
    ("食品经营许可", "市场监督管理局", 10),
    ("企业设立登记", "市场监督管理局", 3),
    ("个体工商户变更登记", "市场监督管理局", 1),
    ("建设工程施工许可", "住房和城乡建设局", 7),
    ("商品房预售许可", "住房和城乡建设局", 10),
    ("建设用地规划许可", "自然资源局", 15),
    ("不动产首次登记", "自然资源局", 5),
    ("就业失业登记", "人力资源和社会保障局", 1),
    ("社会保险登记", "人力资源和社会保障局", 2),
    ("企业投资项目备案", "发展和改革委员会", 3),
    ("固定资产投资项目节能审查", "发展和改革委员会", 15),
    ("工业企业技术改造项目备案", "工业和信息化局", 5),
    ("建设项目环境影响评价审批", "生态环境局", 20),
    ("对外贸易经营者备案", "商务局", 2),
    ("容缺受理综合窗口事项", "营商环境服务中心", 5),
]
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "中原银行", "平顶山银行", "农村商业银行", "中国邮政储蓄银行"]  # fmt: skip
# 18 intentions, 万元; the figures add them up to 50000 (5亿元).
INTENTIONS = [5000, 4500, 4000, 3500, 3500, 3000, 3000, 3000, 2800, 2700, 2500, 2500, 2400, 2200, 2000, 1600, 1000, 800]  # fmt: skip
PURPOSES = ["技改设备购置", "原材料采购流动资金", "新建生产线", "厂房扩建", "研发投入", "订单备货"]


def load(scope: Scope, org: Org) -> None:
    load_cases(scope, org)
    load_financing(scope, org)


def load_cases(scope: Scope, org: Org) -> None:
    rng = random.Random(686)
    cal = get_calendar()
    start, end = dt.date(2022, 1, 4), dt.date(2022, 2, 22)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if cal.is_workday(d)]
    basic = set(rng.sample(range(CASES), BASIC_SATISFIED))
    rows = []
    for n in range(CASES):
        item, dep, limit = ITEMS[n % len(ITEMS)]
        accepted = days[n * len(days) // CASES]
        # 容缺办理、压缩时限: finished within the limit, often early (即办件 the same day).
        used = rng.randint(0, limit)
        finished = cal.add_workdays(accepted, used).date if used else accepted
        rows.append(
            cases.clean_case(
                scope,
                {
                    "number": f"ZH2022{n + 1:05d}",
                    "item": item,
                    "unit": org.units[(DISTRICT, dep)],
                    "accepted_on": accepted,
                    "limit_workdays": limit,
                    "finished_on": finished,
                    "evaluation": "basic" if n in basic else "satisfied",
                },
            )
        )
    cases.do_import_cases(scope, rows)
    _live_cases(scope, org)


def _live_cases(scope: Scope, org: Org) -> None:
    """This year's latest import: most finished on time, one still open past its limit."""
    cal = get_calendar()
    today = timezone.localdate()
    first = cal.add_workdays(today, -30).date
    rows = []
    for n, (item, dep, limit) in enumerate(ITEMS[:10]):
        accepted = cal.add_workdays(first, n).date
        finished = None if n == 5 else cal.add_workdays(accepted, min(limit, 2)).date
        if finished is not None and finished > today:
            finished = today
        rows.append(
            cases.clean_case(
                scope,
                {
                    "number": f"ZH{today.year}9{n + 1:04d}",
                    "item": item,
                    "unit": org.units[(DISTRICT, dep)],
                    "accepted_on": accepted,
                    "limit_workdays": limit,
                    "finished_on": finished,
                    "evaluation": "satisfied" if finished else "",
                },
            )
        )
    cases.do_import_cases(scope, rows)


def load_financing(scope: Scope, org: Org) -> None:
    enterprises = list(
        Enterprise.objects.filter(division=org.divisions[DISTRICT]).order_by("pk")[:22]
    )
    ensure_default_banks()
    banks = [Bank.objects.get(name=b) for b in BANKS]
    assert sum(INTENTIONS) == 50000 and len(enterprises) == 22
    for n, ent in enumerate(enterprises):
        published = dt.date(2022, 1, 5) + dt.timedelta(days=2 * n)
        intention = INTENTIONS[n] if n < len(INTENTIONS) else None
        need = financing.do_create_need(
            scope,
            {
                "enterprise": ent,
                "amount": Decimal(intention or 1500) * Decimal("1.2"),
                "purpose": PURPOSES[n % len(PURPOSES)],
                "term_months": (12, 24, 36)[n % 3],
                "published_on": published,
            },
        )
        bank = banks[n % len(banks)]
        r = financing.do_add_response(
            scope, need, {"bank": bank, "started_on": published + dt.timedelta(days=3)}
        )
        if intention is None:
            # Needs still being matched, and one the bank turned down.
            if n == len(enterprises) - 1:
                financing.do_advance_response(
                    scope, r, status="failed", date=dt.date(2022, 3, 1), expected_version=r.version
                )
            continue
        r = financing.do_advance_response(
            scope,
            r,
            status="intention",
            date=min(published + dt.timedelta(days=10), dt.date(2022, 2, 22)),
            amount=intention,
            expected_version=r.version,
        )
        if n % 3 == 0:
            # Later in 2022 a third of the intentions became credit lines, some drawn down.
            r = financing.do_advance_response(
                scope,
                r,
                status="granted",
                date=dt.date(2022, 4, 1) + dt.timedelta(days=7 * n),
                amount=Decimal(intention) * Decimal("0.8"),
                expected_version=r.version,
            )
            if n % 2 == 0:
                financing.do_advance_response(
                    scope,
                    r,
                    status="loaned",
                    date=dt.date(2022, 7, 1) + dt.timedelta(days=7 * n),
                    amount=r.granted_amount,
                    expected_version=r.version,
                )
