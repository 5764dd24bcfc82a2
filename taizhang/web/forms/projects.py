from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.scope import Scope
from taizhang.projects.models import IndustryChain, Level, Stage
from taizhang.web.forms.base import AmountField, BusinessDateField, ClerkForm
from taizhang.web.forms.widgets import pick_field


class ProjectForm(ClerkForm):
    once = True
    division = forms.ModelChoiceField(queryset=None, label=_("所属区划"))
    code = forms.CharField(label=_("项目编号"), max_length=40)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    industry_chain = forms.ModelChoiceField(
        queryset=IndustryChain.objects.filter(active=True), label=_("产业链"), required=False
    )
    responsible_unit = forms.ModelChoiceField(queryset=None, label=_("责任单位"))
    liaison_leader = forms.ModelChoiceField(queryset=None, label=_("包联领导"), required=False)
    location = forms.CharField(label=_("建设地点"), max_length=200, required=False)
    total_investment = AmountField(label=_("总投资（万元）"), min_value=0)
    start_year = forms.IntegerField(label=_("开工年度"), required=False)
    end_year = forms.IntegerField(label=_("竣工年度"), required=False)
    description = forms.CharField(
        label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"] = pick_field("division", scope, label=_("所属区划"))
        self.fields["responsible_unit"] = pick_field("unit", scope, label=_("责任单位"))
        self.fields["liaison_leader"] = pick_field(
            "leader", scope, label=_("包联领导"), required=False
        )


class StageForm(ClerkForm):
    to_stage = forms.ChoiceField(label=_("新阶段"), choices=Stage.choices)
    date = BusinessDateField(label=_("变更日期"))
    reason = forms.CharField(label=_("原因（回退或跨阶段必填）"), required=False, max_length=300)


class YearForm(ClerkForm):
    year = forms.IntegerField(label=_("年度"))
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    annual_plan = AmountField(label=_("年度投资计划（万元）"))


class MilestoneForm(ClerkForm):
    once = True
    name = forms.CharField(label=_("节点名称"), max_length=120)
    planned_date = BusinessDateField(label=_("计划完成日期"))
    actual_date = BusinessDateField(label=_("实际完成日期"), required=False)
    evidence = forms.CharField(label=_("佐证说明"), max_length=500, required=False)


class MonthlyReportForm(ClerkForm):
    once = True
    year = forms.IntegerField(label=_("年度"))
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    amount = AmountField(label=_("当月完成投资（万元）"))
    note = forms.CharField(label=_("形象进度"), max_length=500, required=False)
