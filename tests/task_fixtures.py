"""Supervision-task additions to the test world: a lead unit with its user, one task.

Owner / colleague / outsider: unit_rs leads the employment task, unit_a_town co-operates,
unit_a (another unit of the district) and district B's staff are outsiders to it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest

from taizhang.core.models import Role, Unit
from taizhang.core.scope import Scope
from taizhang.matters.models import Matter
from taizhang.tasks import services


@contextmanager
def frozen(day: dt.date):
    """Freeze 'today' for services and views (they call django.utils.timezone.localdate)."""
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        yield


@dataclass
class TWorld:
    w: object
    unit_rs: Unit
    task: Matter

    def scope(self, name: str) -> Scope:
        return self.w.scope(name)

    @property
    def users(self) -> dict:
        return self.w.users


def employment_task(w, unit_rs, day=dt.date(2024, 1, 10)) -> Matter:
    with frozen(day):
        return services.do_create_task(
            w.scope("sup_a"),
            {
                "title": "城镇新增就业3760人以上",
                "task_source": "work_report",
                "year": 2024,
                "lead_unit": unit_rs,
                "co_units": [w.unit_a_town],
                "leader": w.leader_a,
                "deadline": dt.date(2024, 12, 31),
                "target_value": 3760,
                "target_unit": "人",
                "comparator": ">=",
                "source_sentence": "全年城镇新增就业3760人以上。",
                "raised_on": day,
            },
        )


@pytest.fixture
def tworld(world) -> TWorld:
    from tests.conftest import make_user

    unit_rs = Unit.objects.create(division=world.a, name="区人社局", kind="department")
    world.users["unit_rs"] = make_user("unit_rs", Role.UNIT, unit=unit_rs)
    return TWorld(world, unit_rs, employment_task(world, unit_rs))
