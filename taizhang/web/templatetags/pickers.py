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
def picker(
    context: Any,
    kind: str,
    name: str,
    value: Any = "",
    multiple: bool = False,
    form: str = "",
    label: str = "",
) -> str:
    """The picker for field `name`; `form` names the <form> it belongs to when it stands
    outside it (the draft table's rows), `label` labels it when no <label> points at it."""
    scope = context["scope"]
    make = pick_multiple_field if multiple else pick_field
    field = make(kind, scope, label="", required=False)
    attrs: dict[str, str] = {"form": form} if form else {}
    if label:
        # Repeated per row, so it goes without an id (ids must be unique) and says its name.
        attrs["aria-label"] = label
    else:
        attrs["id"] = f"id_{name}"
    return field.widget.render(name, value, attrs=attrs)


@register.filter
def concat(prefix: Any, value: Any) -> str:
    """`"row-"|concat:r.pk` → "row-12" (Django's add filter turns that into "")."""
    return f"{prefix}{value}"
