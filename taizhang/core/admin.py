"""Admin for reference data. Business records (projects, problems, tasks) are not edited here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from taizhang.core import audit, audit_events
from taizhang.core.models import (
    ApiToken,
    AuditEntry,
    CalendarOverride,
    Division,
    Person,
    Profile,
    ReportingPeriod,
    Unit,
)


class AuditedMixin:
    """Admin edits of reference data and accounts land in the audit log like every other change."""

    # Never copy secrets into the log.
    audit_exclude = frozenset({"password"})

    def _snap(self, obj):
        fields = [f.name for f in obj._meta.concrete_fields if f.name not in self.audit_exclude]
        return audit.snapshot(obj, fields)

    def save_model(self, request, obj, form, change):
        before = self._snap(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            obj,
            "update" if change else "create",
            before=before,
            after=self._snap(obj),
            verb="后台维护",
        )

    def delete_model(self, request, obj):
        audit.record(request.user, obj, "delete", before=self._snap(obj), verb="后台维护")
        super().delete_model(request, obj)


class AuditedAdmin(AuditedMixin, admin.ModelAdmin):
    pass


class AuditedUserAdmin(AuditedMixin, UserAdmin):
    pass


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)


@admin.register(Division)
class DivisionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "division"]
    search_fields = ["name"]
    list_filter = ["kind"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "position", "unit", "division", "is_leader"]
    search_fields = ["name", "position"]


@admin.register(Profile)
class ProfileAdmin(AuditedAdmin):
    list_display = ["user", "role", "division", "unit", "person", "enterprise"]
    list_filter = ["role"]
    raw_id_fields = ["person", "enterprise"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ["date", "is_workday", "note"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(AuditedAdmin):
    list_display = ["division", "year", "month"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "read_only", "created", "expires_at", "last_used"]
    readonly_fields = ["digest", "created", "last_used"]

    # Tokens are issued by their owner (/account/tokens/) or `taizhang token`, where they are
    # audited and shown once; the admin only lists and deletes them.
    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        audit_events.record_token(request.user, obj, "吊销接口令牌")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            audit_events.record_token(request.user, token, "吊销接口令牌")
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "source", "action", "verb", "object_repr"]
    list_filter = ["source", "action", "object_type"]
    search_fields = ["object_repr", "actor_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
