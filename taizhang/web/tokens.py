"""/account/tokens/: a user's own API tokens, issued (shown once), listed and revoked."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from taizhang.core.errors import messages_of
from taizhang.core.tokens import do_issue_token, do_revoke_token, max_days, tokens_of
from taizhang.web.forms.base import ClerkForm


class TokenForm(ClerkForm):
    name = forms.CharField(label=_("用途"), max_length=60)
    days = forms.IntegerField(label=_("有效天数"), min_value=1)
    read_only = forms.BooleanField(label=_("只读（只能查询，不能修改数据）"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = max_days()
        self.fields["days"].widget.attrs["max"] = max_days()
        self.fields["days"].initial = max_days()


@login_required
def account_tokens(request: HttpRequest) -> HttpResponse:
    raw = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = do_issue_token(
                request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                read_only=form.cleaned_data["read_only"],
            )
            form = TokenForm()
        except ValidationError as e:
            for field, msgs in messages_of(e).items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
    response = render(
        request,
        "web/tokens.html",
        {"form": form, "raw": raw, "tokens": tokens_of(request.user), "max_days": max_days()},
    )
    # The page may carry a raw token: no copy in any cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = do_revoke_token(request.user, pk)
    messages.success(request, _("已吊销令牌「%(name)s」") % {"name": token.name})
    return redirect("account_tokens")
