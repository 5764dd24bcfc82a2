"""Admin for issued bulletins: read-only, because an issued bulletin is a record of what went out."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from taizhang.assessment.models import IssuedBulletin


@admin.register(IssuedBulletin)
class IssuedBulletinAdmin(admin.ModelAdmin):
    list_display = ("doc_number", "division", "period_code", "issued_on", "issued_by", "at")
    list_filter = ("division",)
    readonly_fields = (
        "division",
        "period_code",
        "number",
        "doc_number",
        "issued_on",
        "issued_by",
        "at",
        "sha256",
        "figures",
    )
    exclude = ("body", "content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
