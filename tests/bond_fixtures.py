"""Bond and batch-event rows of a matrix side, made on first use (the matrix world has none)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taizhang.projects.bonds import BatchEvent, BondProject, BondStatusChange


def side_bond(s) -> BondProject:
    """District side `s`'s project on the 2022 bond ledger, 包装, applying for a tenth of it."""
    bond = BondProject.objects.filter(project=s.project, year=2022).first()
    if bond is None:
        bond = BondProject.objects.create(
            project=s.project,
            year=2022,
            field="municipal",
            status="packaging",
            applied=(s.project.total_investment / 10).quantize(Decimal("0.01")),
        )
        BondStatusChange.objects.create(
            bond=bond, from_status="", to_status="packaging", date=dt.date(2022, 3, 1)
        )
    return bond


def side_event(s) -> BatchEvent:
    """District side `s`'s 集中开工 event with its project."""
    event = BatchEvent.objects.filter(division=s.division, title="矩阵集中开工").first()
    if event is None:
        event = BatchEvent.objects.create(
            division=s.division, kind="start", date=dt.date(2022, 4, 1), title="矩阵集中开工"
        )
        event.projects.set([s.project])
    return event
