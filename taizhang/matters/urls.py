"""Web routes of the enterprise-service ledger, included from taizhang/urls.py."""

from __future__ import annotations

from django.urls import path

from taizhang.enterprises import list_exports as ent_exports
from taizhang.enterprises import views as ent
from taizhang.matters import list_exports, views

urlpatterns = [
    path("enterprises/", ent.enterprise_list, name="enterprise_list"),
    path("enterprises/export.<str:fmt>", ent_exports.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", ent.enterprise_edit, name="enterprise_create"),
    path("enterprises/<int:pk>/", ent.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", ent.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/liaisons/", ent.liaison_add, name="liaison_add"),
    path("enterprises/<int:pk>/accounts/", ent.enterprise_account, name="enterprise_account"),
    path("projects/<int:pk>/liaisons/", ent.project_liaison_add, name="project_liaison_add"),
    path("liaisons/<int:lid>/end/", ent.liaison_end, name="liaison_end"),
    path("visits/", ent.visit_list, name="visit_list"),
    path("visits/export.<str:fmt>", ent_exports.visit_export, name="visit_export"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/export.<str:fmt>", list_exports.problem_export, name="problem_export"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("problems/figures/", views.figures_page, name="problem_figures"),
    path("problems/bulk-assign/", views.problem_bulk_assign, name="problem_bulk_assign"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/act/", views.problem_act, name="problem_act"),
    path("my/", views.my_work_view, name="my_work"),
    path("my/export.<str:fmt>", list_exports.my_work_export, name="my_work_export"),
    path("my/notifications/read/", views.notifications_read, name="notifications_read"),
    path("portal/", views.portal, name="portal"),
    path("portal/problems/<int:pk>/", views.problem_detail, name="portal_problem"),
]
