"""Wires the task kinds into the one matter workflow: their light rule (reports, pace)."""

from __future__ import annotations

from taizhang.matters.models import Kind
from taizhang.matters.timing import register_light
from taizhang.tasks.status import light_rule

TASK_KINDS = (Kind.SUPERVISION_TASK, Kind.SUGGESTION, Kind.PROPOSAL)

for _kind in TASK_KINDS:
    register_light(_kind, light_rule)
