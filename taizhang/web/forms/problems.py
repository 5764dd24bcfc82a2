from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import Scope
from taizhang.matters.models import ProblemCategory, Rating, Source
from taizhang.web.forms.base import BusinessDateField, ClerkForm
from taizhang.web.forms.widgets import pick_field, pick_multiple_field


class ProblemForm(ClerkForm):
    once = True
    enterprise = forms.ModelChoiceField(queryset=None, label=_("企业"))
    category = forms.ModelChoiceField(
        queryset=ProblemCategory.objects.filter(active=True), label=_("问题类别")
    )
    title = forms.CharField(label=_("问题标题"), max_length=120)
    description = forms.CharField(
        label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.VISIT)
    raised_on = BusinessDateField(label=_("提出日期"), required=False)

    def __init__(self, scope: Scope, *args, portal: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"] = pick_field("enterprise", scope, label=_("企业"))
        if portal:
            for name in ("enterprise", "source", "raised_on"):
                del self.fields[name]


class AssignForm(ClerkForm):
    lead_unit = forms.ModelChoiceField(queryset=None, label=_("主办单位"))
    co_units = forms.ModelMultipleChoiceField(queryset=None, label=_("协办单位"), required=False)
    deadline = BusinessDateField(label=_("办理时限（留空按类别默认工作日）"), required=False)
    leader = forms.ModelChoiceField(queryset=None, label=_("责任领导"), required=False)
    note = forms.CharField(label=_("交办意见"), required=False, max_length=500)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"] = pick_field("handling_unit", scope, label=_("主办单位"))
        self.fields["co_units"] = pick_multiple_field(
            "handling_unit", scope, label=_("协办单位"), required=False
        )
        self.fields["leader"] = pick_field("leader", scope, label=_("责任领导"), required=False)


class RateForm(ClerkForm):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评价意见（不满意时必填）"), required=False, max_length=500)


class RadarTaskForm(ClerkForm):
    """A radar cluster becomes one supervision task (similar.services.do_task_from_cluster)."""

    title = forms.CharField(label=_("任务名称"), max_length=120)
    lead_unit = forms.ModelChoiceField(queryset=None, label=_("牵头单位"))
    deadline = BusinessDateField(label=_("完成时限（留空为年底）"), required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"] = pick_field("handling_unit", scope, label=_("牵头单位"))
