"""Enterprises. The service ledger (liaison, visits, problems) extends this app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    search_key = models.CharField(max_length=400, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


from taizhang.core.scope import ScopeRule, register  # noqa: E402

register(Enterprise, ScopeRule(division="division__path", enterprise="pk"))
