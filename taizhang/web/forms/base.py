"""What every web form shares: Chinese wording for Django's own errors, the 万元 amount
field (the importer's parser, so "1.2亿" and "3,500" work in forms too), the business date
field (2000-01-01 … end of next year) and the one-time token of create forms."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import UsedFormToken
from taizhang.lib.amounts import AmountError, parse_amount

# ISO format: a type=date input ignores the locale format (2026/12/03) and shows nothing.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST = date(2000, 1, 1)
NUMBER_HINT = _("请输入数字，如 3500 或 1.2亿")
ALREADY_SUBMITTED = _("该表单已提交")
TOKEN_MEMORY = timedelta(days=7)


def amount_limits(max_digits: int, decimal_places: int) -> str:
    return str(_("金额最多%(whole)d位整数、%(places)d位小数")) % {
        "whole": max_digits - decimal_places,
        "places": decimal_places,
    }


class AmountField(forms.DecimalField):
    """An amount in 万元 as people type it: "3500", "3,500", "3500万元", "1.2亿"."""

    def __init__(self, *, max_digits: int = 16, decimal_places: int = 2, **kwargs: Any) -> None:
        # A text input: a type=number input would refuse "1.2亿" in the browser.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        limits = amount_limits(max_digits, decimal_places)
        messages = {
            "invalid": NUMBER_HINT,
            "max_digits": limits,
            "max_decimal_places": limits,
            "max_whole_digits": limits,
            "min_value": _("金额不能小于%(limit_value)s"),
        }
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(
            max_digits=max_digits,
            decimal_places=decimal_places,
            error_messages=messages,
            **kwargs,
        )

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        try:
            return parse_amount(str(value))
        except AmountError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # DecimalField adds step/min for number inputs; a text input needs none of them.
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput):
            attrs.pop("step", None)
        return attrs


def latest_business_date(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return date(today.year + 1, 12, 31)


class BusinessDateField(forms.DateField):
    """A date of the work (raised, visited, due, reported): 2000-01-01 to the end of next
    year, so that a typo such as 1900-01-01 or 2206-05-01 is refused instead of stored."""

    widget = DATE
    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
    default_error_messages = {"invalid": _("请输入有效日期，如 2026-12-03")}

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is None:
            return
        latest = latest_business_date()
        if not EARLIEST <= value <= latest:
            raise ValidationError(
                _("日期须在2000年1月1日至%(year)d年12月31日之间"),
                code="out_of_range",
                params={"year": latest.year},
            )


# Django's own messages, said the way a clerk reads them; ClerkForm applies them to every
# field that does not set its own.
CLERK_MESSAGES: dict[type[forms.Field], dict[str, Any]] = {
    forms.CharField: {"max_length": _("不能超过%(limit_value)d字（现有%(show_value)d字）")},
    forms.IntegerField: {
        "invalid": _("请输入整数"),
        "min_value": _("不能小于%(limit_value)s"),
        "max_value": _("不能大于%(limit_value)s"),
    },
    forms.DecimalField: {
        "invalid": NUMBER_HINT,
        "min_value": _("不能小于%(limit_value)s"),
        "max_value": _("不能大于%(limit_value)s"),
    },
    forms.DateField: {"invalid": _("请输入有效日期，如 2026-12-03")},
}


class ClerkForm(forms.Form):
    """Base of the web forms: Chinese messages, and the `once` token when `once = True`."""

    once = False  # create forms set True: a hidden one-time token guards resubmission

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, AmountField | BusinessDateField):
                continue  # their own messages are already the clerk's
            for kind, msgs in CLERK_MESSAGES.items():
                if isinstance(field, kind):
                    field.error_messages.update(msgs)
            if isinstance(field, forms.DecimalField):
                if field.max_digits is not None and field.decimal_places is not None:
                    limits = amount_limits(field.max_digits, field.decimal_places)
                    for code in ("max_digits", "max_decimal_places", "max_whole_digits"):
                        field.error_messages[code] = limits
        if type(self).once:
            self.fields["once_token"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=secrets.token_urlsafe(16)
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Said before any other check (such as the duplicate problem's question): the page
        # was sent already. consume_once() still decides when two sends race.
        token = (cleaned or {}).get("once_token") or ""
        if token and UsedFormToken.objects.filter(token=token[:64]).exists():
            raise ValidationError(ALREADY_SUBMITTED, code="already_submitted")
        return cleaned

    def consume_once(self) -> None:
        """Mark this page's token used; call inside the create's transaction.

        A page without a token (an old page, a script) is not refused; a token already used
        is: ValidationError "该表单已提交", and the caller's transaction creates nothing."""
        consume_token(self.cleaned_data.get("once_token") or "")


def consume_token(token: str) -> None:
    if not token:
        return
    # Pages are not kept open for a week: older tokens are forgotten (an indexed delete).
    UsedFormToken.objects.filter(used_at__lt=timezone.now() - TOKEN_MEMORY).delete()
    try:
        with transaction.atomic():  # a savepoint: the outer create stays usable
            UsedFormToken.objects.create(token=token[:64])
    except IntegrityError:
        raise ValidationError(ALREADY_SUBMITTED, code="already_submitted") from None


# Forms that post and redirect (the step forms of the project and task pages) lose what
# was typed on the redirect: the refused submission is kept in the session for the next
# GET of the page, which shows the form again with the input and the errors.
KEPT = "kept_forms"


def keep_form(request: Any, key: str, form: forms.Form) -> None:
    data = {k: form.data.getlist(k) for k in form.data if k != "csrfmiddlewaretoken"}
    errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    kept = request.session.get(KEPT, {})
    kept[key] = {"data": data, "errors": errors}
    request.session[KEPT] = kept


def kept_form(request: Any, key: str, form_class: type[forms.Form], *args: Any) -> Any:
    """The form kept by `keep_form` under `key`, bound and with its errors (once), or None."""
    kept = request.session.get(KEPT) or {}
    if key not in kept:
        return None
    entry = kept.pop(key)
    request.session[KEPT] = kept
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for k, values in entry["data"].items():
        data.setlist(k, values)
    token = data.get("once_token") or ""
    if token and UsedFormToken.objects.filter(token=token[:64]).exists():
        # The page was sent already (that is the error shown): a new send is a new page.
        data["once_token"] = secrets.token_urlsafe(16)
    form = form_class(*args, data=data)
    form.full_clean()
    for field, msgs in entry["errors"].items():
        target = field if field in form.fields else None
        for msg in msgs:
            if msg not in form.errors.get(field or "__all__", []):
                form.add_error(target, msg)
    return form


def check_business_dates(post: Any, names: tuple[str, ...] = ("deadline",)) -> None:
    """The business-date rule for hand-written forms (task page, step forms) that post
    straight to a service: ValidationError keyed by the field, in Chinese."""
    errors: dict[str, list[str]] = {}
    for name in names:
        value = post.get(name) or ""
        if value:
            try:
                BusinessDateField(required=False).clean(value)
            except ValidationError as e:
                errors[name] = list(e.messages)
    if errors:
        raise ValidationError(errors)
