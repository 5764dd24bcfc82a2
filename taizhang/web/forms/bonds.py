"""Forms of the 专项债 ledger and 三个一批 events."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import Scope
from taizhang.projects.bonds import BatchKind, BondField, BondStatus
from taizhang.web.forms.base import AmountField, BusinessDateField, ClerkForm
from taizhang.web.forms.widgets import pick_field, pick_multiple_field


class BondForm(ClerkForm):
    once = True
    project = forms.ModelChoiceField(queryset=None, label=_("项目"))
    year = forms.IntegerField(label=_("年度"))
    field = forms.ChoiceField(label=_("专项债领域"), choices=BondField.choices)
    status = forms.ChoiceField(label=_("包装状态"), choices=BondStatus.choices)
    date = BusinessDateField(label=_("进入该状态日期"))
    applied = AmountField(label=_("拟申请专项债（万元）"), required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"] = pick_field("project", scope, label=_("项目"))


class BondStatusForm(ClerkForm):
    to_status = forms.ChoiceField(label=_("新状态"), choices=BondStatus.choices)
    date = BusinessDateField(label=_("变更日期"))
    reason = forms.CharField(label=_("原因（回退或跨状态必填）"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BondAmountsForm(ClerkForm):
    field = forms.ChoiceField(label=_("专项债领域"), choices=BondField.choices)
    applied = AmountField(label=_("拟申请（万元）"), required=False)
    approved = AmountField(label=_("获批（万元）"), required=False)
    issued = AmountField(label=_("发行（万元）"), required=False)
    received = AmountField(label=_("到位（万元）"), required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BatchEventForm(ClerkForm):
    once = True
    division = forms.ModelChoiceField(queryset=None, label=_("所属区划"))
    kind = forms.ChoiceField(label=_("活动类型"), choices=BatchKind.choices)
    date = BusinessDateField(label=_("活动日期"))
    title = forms.CharField(label=_("活动名称"), max_length=120)
    place = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    projects = forms.ModelMultipleChoiceField(queryset=None, label=_("参加项目"))
    note = forms.CharField(label=_("备注"), max_length=500, required=False)
    advance_stages = forms.BooleanField(
        label=_("同时把尚未到该阶段的项目变更为签约/开工/投产（以活动日期为准）"), required=False
    )

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"] = pick_field("division", scope, label=_("所属区划"))
        self.fields["projects"] = pick_multiple_field("project", scope, label=_("参加项目"))
