from __future__ import annotations

from django.contrib import admin

from taizhang.core.admin import AuditedAdmin
from taizhang.projects.models import IndustryChain


@admin.register(IndustryChain)
class IndustryChainAdmin(AuditedAdmin):
    list_display = ["name", "order", "active"]
