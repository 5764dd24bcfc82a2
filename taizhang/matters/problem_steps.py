"""Enterprise problems (万人助万企) in the one step table: registered when the matters app
is ready (MattersConfig.ready)."""

from __future__ import annotations

from taizhang.matters import services as s
from taizhang.matters.merge import MERGE, MergeInput, do_merge_step
from taizhang.matters.models import Kind
from taizhang.matters.step_inputs import (
    AssignInput,
    DecisionInput,
    ExtensionInput,
    FinishInput,
    NoteInput,
    ProgressInput,
    RateInput,
    ReturnInput,
)
from taizhang.matters.steps import Step, register_kind
from taizhang.matters.workflow import PROBLEM_TRANSITIONS, table_of

T = table_of(PROBLEM_TRANSITIONS)

# The do_* function and input of each action, shared by every kind that keeps the action.
COMMON_STEPS = {
    "accept": (NoteInput, s.do_accept),
    "assign": (AssignInput, s.do_assign),
    "progress": (ProgressInput, s.do_progress),
    "report": (FinishInput, s.do_finish),
    "rate": (RateInput, s.do_rate),
    "close": (NoteInput, s.do_close),
    "return": (ReturnInput, s.do_send_back),
    "request_extension": (ExtensionInput, s.do_request_extension),
    "approve_extension": (DecisionInput, s.do_approve_extension),
    "refuse_extension": (DecisionInput, s.do_refuse_extension),
}


def common_step(transition) -> Step:
    schema, do = COMMON_STEPS[transition.action]
    return Step(transition, schema, do)


def register() -> None:
    register_kind(
        Kind.ENTERPRISE_PROBLEM,
        # 合并 closes a duplicate into the problem it repeats (matters/merge.py).
        [*(common_step(t) for t in T.values()), Step(MERGE, MergeInput, do_merge_step)],
        rater="企业",
        default_workdays=7,
        redo_label="退回重办",
    )
