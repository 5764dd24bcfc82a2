"""Input schemas of the workflow steps every kind shares (受理, 交办, 办理中, 办结, 评价, 销号,
退回, 延期). Field names are the do_* functions' keyword arguments; titles are the labels
shown in error messages and in the API's OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from taizhang.core.params import ID_MAX
from taizhang.matters.steps import StepInput

ALLOW_EARLIER = "确认重办时限早于原办理时限"


class NoteInput(StepInput):
    # 受理, 销号: an optional remark.

    note: str = Field("", title="意见", max_length=2000)


class DecisionInput(StepInput):
    # 同意延期 / 不同意延期.

    note: str = Field("", title="审批意见", max_length=2000)


class AssignInput(StepInput):
    lead_unit: int = Field(title="主办单位", description="单位编号", ge=1, le=ID_MAX)
    co_units: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(
        default_factory=list, title="协办单位", description="单位编号"
    )
    deadline: dt.date | None = Field(
        None, title="办理时限", description="留空按问题类别（或事项类型）默认工作日数计算"
    )
    leader: int | None = Field(None, title="责任领导", description="人员编号", ge=1, le=ID_MAX)
    note: str = Field("", title="交办意见", max_length=500)


class ProgressInput(StepInput):
    # 办理中: what has been done so far.

    note: str = Field(title="办理进展", max_length=2000)


class FinishInput(StepInput):
    # 办结: the result.

    note: str = Field(title="办理结果", max_length=2000)


class RateInput(StepInput):
    rating: str = Field(
        title="评价", description="satisfied 满意 / basic 基本满意 / unsatisfied 不满意"
    )
    comment: str = Field("", title="评价意见", description="不满意时必填", max_length=500)
    new_deadline: dt.date | None = Field(
        None,
        title="重办时限",
        description="不满意时的重办时限；留空自评价日起按事项类型的规则计算，且不早于原办理时限",
    )
    allow_earlier: bool = Field(False, title=ALLOW_EARLIER, description="仅督查室可确认")


class ReturnInput(StepInput):
    note: str = Field(title="退回理由", max_length=2000)
    deadline: dt.date | None = Field(
        None,
        title="重办时限",
        description="留空自退回日起按事项类型的规则计算，且不早于原办理时限",
    )
    allow_earlier: bool = Field(
        False, title=ALLOW_EARLIER, description="重办时限早于原办理时限时须确认"
    )


class ExtensionInput(StepInput):
    deadline: dt.date = Field(title="延期后时限")
    reason: str = Field(title="延期理由", max_length=300)
