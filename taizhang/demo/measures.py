"""Demo: one 2023 target of 山城区's work report bound to its ledger measure.

"省市重点项目完成投资28亿元以上" is bound to ``projects.completed_investment`` at the 省市
level, so its task page shows the ledger's 34.7亿元 (seed 000's 2023 figure, reproduced by
the demo's monthly reports) beside the target. Only domain ``do_*`` functions are called.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taizhang.core.scope import Scope
from taizhang.demo.org import Org
from taizhang.matters.models import Matter
from taizhang.measures import services
from taizhang.tasks import services as task_services
from taizhang.tasks.models import TaskSource

DISTRICT = "410603"
TITLE = "2023年省市重点项目完成投资28亿元以上"


def load(scope: Scope, org: Org) -> Matter:
    district = org.divisions[DISTRICT]
    m = task_services.do_create_task(
        scope,
        {
            "division": district,
            "title": TITLE,
            "task_source": TaskSource.WORK_REPORT,
            "year": 2023,
            "lead_unit": org.units[(DISTRICT, "发展和改革委员会")],
            "deadline": dt.date(2023, 12, 31),
            "target_value": Decimal(28),
            "target_unit": "亿元",
            "comparator": ">=",
            "source_sentence": "省市重点项目完成投资28亿元以上。",
            "raised_on": dt.date(2023, 1, 16),
        },
        is_synthetic=True,
    )
    services.do_bind_task(scope, m, code="projects.completed_investment", params={"level": "省市"})
    return m
