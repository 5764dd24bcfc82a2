from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Person, UnitKind
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Category, Liaison, VisitKind
from taizhang.matters.models import ProblemCategory
from taizhang.projects.models import IndustryChain
from taizhang.web import pick
from taizhang.web.forms.base import BusinessDateField, ClerkForm
from taizhang.web.forms.widgets import pick_field, pick_multiple_field


class EnterpriseForm(ClerkForm):
    once = True
    name = forms.CharField(label=_("企业名称"), max_length=120)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    division = forms.ModelChoiceField(queryset=None, label=_("所属区划"))  # a picker, see __init__
    park = forms.ModelChoiceField(queryset=None, label=_("所在园区"), required=False)
    industry_chain = forms.ModelChoiceField(
        queryset=IndustryChain.objects.filter(active=True), label=_("产业链"), required=False
    )
    category = forms.ChoiceField(
        label=_("四上类别"), required=False, choices=[("", "非四上企业"), *Category.choices]
    )
    legal_rep = forms.CharField(label=_("法定代表人"), max_length=40, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=40, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"] = pick_field("division", scope, label=_("所属区划"))
        # A district has a handful of parks: a plain select stays.
        self.fields["park"].queryset = scope.units.filter(kind=UnitKind.PARK)


class LiaisonForm(ClerkForm):
    person = forms.ModelChoiceField(queryset=None, label=_("包联人"))
    role = forms.ChoiceField(label=_("包联身份"), choices=Liaison.Role.choices)
    start = BusinessDateField(label=_("开始日期"))
    end = BusinessDateField(label=_("结束日期"), required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"] = pick_field("person", scope, label=_("包联人"))


class VisitForm(ClerkForm):
    once = True
    # The enterprise first: on a phone it is what the cadre knows when they start.
    enterprises = forms.ModelMultipleChoiceField(queryset=None, label=_("企业"))
    kind = forms.ChoiceField(label=_("类型"), choices=VisitKind.choices)
    date = BusinessDateField(label=_("日期"))
    title = forms.CharField(label=_("主题"), max_length=120, required=False)
    notes = forms.CharField(
        label=_("情况记录"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    persons = forms.ModelMultipleChoiceField(queryset=None, label=_("参加人员"), required=False)

    def __init__(self, scope: Scope, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprises"] = pick_multiple_field("enterprise", scope, label=_("企业"))
        # The picker offers leaders; a cadre may also name themself (clean_visit adds them).
        self.fields["persons"] = pick_multiple_field(
            "leader",
            scope,
            label=_("参加人员"),
            required=False,
            queryset=pick.choices("leader", scope)
            | Person.objects.filter(pk=scope.person.pk if scope.person else None),
        )
        # Filled by visits.js only when the user presses 记录位置; empty stores no position.
        self.fields["latitude"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields["longitude"] = forms.CharField(widget=forms.HiddenInput, required=False)


class RaisedProblemForm(ClerkForm):
    """One problem raised on the spot during a visit (现场收集问题)."""

    title = forms.CharField(label=_("问题标题"), max_length=120)
    category = forms.ModelChoiceField(
        queryset=ProblemCategory.objects.filter(active=True), label=_("问题类别")
    )
    description = forms.CharField(
        label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, scope: Scope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only needed when the visit covers several enterprises; blank means its only one.
        self.fields["enterprise"] = pick_field(
            "enterprise", scope, label=_("所属企业（走访多家企业时填写）"), required=False
        )


# Blank rows are skipped (an extra form left empty is valid); visits.js adds rows.
RaisedProblemFormSet = forms.formset_factory(
    RaisedProblemForm, extra=1, max_num=20, validate_max=True
)
