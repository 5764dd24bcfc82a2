from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from taizhang.api.api import api
from taizhang.front import audit_views
from taizhang.front import views as front
from taizhang.projects import views as projects
from taizhang.web import calendar as web_calendar

urlpatterns = [
    path("", front.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Explicit templates: django.contrib.admin ships registration/ templates of its own.
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_name="front/password_change_form.html"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="front/password_change_done.html"),
        name="password_change_done",
    ),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_edit, name="project_create"),
    path("projects/export.<str:fmt>", projects.project_export, name="project_export"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/stage/", projects.project_stage, name="project_stage"),
    path("projects/<int:pk>/year/", projects.project_year, name="project_year"),
    path("projects/<int:pk>/milestones/", projects.project_milestone, name="project_milestone"),
    path(
        "projects/<int:pk>/milestones/<int:mid>/",
        projects.milestone_update,
        name="milestone_update",
    ),
    path("projects/<int:pk>/reports/", projects.project_report, name="project_report"),
    path("", include("taizhang.matters.urls")),  # enterprise service ledger
    path("imports/", include("taizhang.imports.urls")),
    path("tasks/", include("taizhang.tasks.urls")),  # supervision tasks, suggestions, proposals
    path("assessment/", include("taizhang.assessment.urls")),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("calendar/", web_calendar.calendar_page, name="calendar"),
    path("audit/export.<str:fmt>", audit_views.audit_export, name="audit_export"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
