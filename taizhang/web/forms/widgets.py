"""The searchable picker's form half: a widget that renders only the current choice.

A long <select> (265 enterprises, every unit of a district) is replaced by
`PickerSelect` / `PickerSelectMultiple`. They render a plain text input holding the
chosen id(s) plus the chosen rows' names, inside a container carrying `data-pick-url`;
static/taizhang/picker.js turns that into a search box over GET /pick/<kind>/
(web/pick.py). Without JavaScript the text input still works: type an id (several
separated by commas). The field is a ModelChoiceField whose queryset is the user's
scoped queryset, so a posted id outside the scope fails validation with one query and
nothing is rendered from the whole table.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from taizhang.core.params import ID_MAX
from taizhang.core.scope import Scope
from taizhang.web import pick

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _ids(value: Any) -> list[str]:
    """Ids in a posted or initial value: a pk, an instance, a list of them, or "3, 5"."""
    if value in (None, ""):
        return []
    # Lists, tuples, querysets and sets of rows or ids; a single id or "3, 5" otherwise.
    items = value if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
    out: list[str] = []
    for item in items:
        item = getattr(item, "pk", item)
        out.extend(part for part in _SEPARATORS.split(str(item)) if part)
    return out


class PickerSelect(forms.Widget):
    """One row picked by search; renders the current choice only, never every option."""

    allow_multiple_selected = False
    # Set by ModelChoiceField to its ModelChoiceIterator; only used to name the choice.
    choices: Any = ()

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind

    def __deepcopy__(self, memo: dict) -> PickerSelect:
        obj = super().__deepcopy__(memo)
        obj.choices = self.choices
        return obj

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        raw = getlist(name) if getlist else data.get(name)
        # Past the database's integer range no row exists: "0" makes it a plain invalid choice.
        ids = ["0" if i.isdigit() and int(i) > ID_MAX else i for i in _ids(raw)]
        if self.allow_multiple_selected:
            return ids
        return ids[0] if ids else None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        # A multiple picker left empty posts nothing, like a <select multiple>.
        return False if self.allow_multiple_selected else name not in data

    def chosen(self, value: Any) -> list[tuple[str, str]]:
        """(id, name) of the chosen rows that exist in the field's queryset, in one query."""
        # An id past the database's integer range names nothing (and would overflow the query).
        ids = [i for i in _ids(value) if i.isdigit() and int(i) <= ID_MAX]
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if not ids or queryset is None:
            return []
        field = iterator.field
        key = field.to_field_name or "pk"
        found = {
            str(getattr(obj, key)): field.label_from_instance(obj)
            for obj in queryset.filter(**{f"{key}__in": ids})
        }
        return [(i, found[i]) for i in ids if i in found]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> str:
        final = self.build_attrs(self.attrs, attrs)
        chosen = self.chosen(value)
        raw = ",".join(_ids(value))
        input_attrs = {
            **{k: v for k, v in final.items() if k not in {"required"}},
            "type": "text",
            "name": name,
            "value": raw,
            "class": "picker-ids",
            "inputmode": "numeric",
            "autocomplete": "off",
            "placeholder": _("输入编号，多个用逗号分隔")
            if self.allow_multiple_selected
            else _("输入编号"),
        }
        return format_html(
            '<div class="picker" data-pick-field="{}" data-pick-url="{}" data-pick-multiple="{}" '
            'data-pick-placeholder="{}" data-pick-empty="{}" data-pick-more="{}" '
            'data-pick-remove="{}">'
            "<input{}>"
            '<ul class="picker-chosen">{}</ul></div>',
            name,
            reverse("pick", args=[self.kind]),
            "1" if self.allow_multiple_selected else "",
            _("输入名称、拼音首字母搜索")
            if self.kind != "enterprise"
            else _("输入企业名称、拼音首字母或统一社会信用代码"),
            _("没有找到"),
            _("更多…"),
            _("移除"),
            flatatt(input_attrs),
            format_html_join("", '<li data-id="{}">{}</li>', chosen),
        )


class PickerSelectMultiple(PickerSelect):
    allow_multiple_selected = True


def picked(data: Any, name: str, *, multiple: bool = False) -> Any:
    """A picker's posted value for views that read request.POST themselves: an id or ""
    (single), a list of ids (multiple), whether JavaScript posted it or a person typed it."""
    if multiple:
        return PickerSelectMultiple("").value_from_datadict(data, None, name)
    return PickerSelect("").value_from_datadict(data, None, name) or ""


def pick_field(
    kind: str, scope: Scope, *, label: Any, required: bool = True, queryset: Any = None
) -> forms.ModelChoiceField:
    """A ModelChoiceField over the user's rows of `kind`, rendered as a picker.

    `queryset` overrides the kind's rows where a form accepts a little more (a cadre
    joining their own visit); the picker's search still offers the kind's rows.
    """
    key = pick.KINDS[kind].key
    return forms.ModelChoiceField(
        queryset=pick.choices(kind, scope) if queryset is None else queryset,
        label=label,
        required=required,
        to_field_name=None if key == "pk" else key,
        widget=PickerSelect(kind),
        error_messages={"invalid_choice": _("所选项不存在或不在您的范围内")},
    )


def pick_multiple_field(
    kind: str, scope: Scope, *, label: Any, required: bool = True, queryset: Any = None
) -> forms.ModelMultipleChoiceField:
    """The multiple-choice form of `pick_field` (co-units, the enterprises of a visit)."""
    return forms.ModelMultipleChoiceField(
        queryset=pick.choices(kind, scope) if queryset is None else queryset,
        label=label,
        required=required,
        widget=PickerSelectMultiple(kind),
        error_messages={
            "invalid_choice": _("所选项「%(value)s」不存在或不在您的范围内"),
            "invalid_pk_value": _("「%(pk)s」不是有效的编号"),
        },
    )
