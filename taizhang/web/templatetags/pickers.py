"""`{% picker kind name value %}`: the searchable picker in a hand-written form.

Renders the same markup as the PickerSelect widget (web/forms/widgets.py) for pages
whose forms are not Django forms (tasks/new.html): the current choice only, never
every option. The view reads the value with `picked(request.POST, name)`.
"""

from __future__ import annotations

from typing import Any

from django import template

from taizhang.web.forms.widgets import pick_field, pick_multiple_field

register = template.Library()


@register.simple_tag(takes_context=True)
def picker(context: Any, kind: str, name: str, value: Any = "", multiple: bool = False) -> str:
    scope = context["scope"]
    make = pick_multiple_field if multiple else pick_field
    field = make(kind, scope, label="", required=False)
    return field.widget.render(name, value, attrs={"id": f"id_{name}"})
