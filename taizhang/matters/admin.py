from __future__ import annotations

from django.contrib import admin

from taizhang.matters.models import ProblemCategory


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    """The managed list of problem categories and their default working-day limits."""

    list_display = ["name", "default_workdays", "is_complex", "order", "active"]
    list_editable = ["default_workdays", "is_complex", "order", "active"]
