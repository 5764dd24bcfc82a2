"""Web routes of supervision tasks, included from taizhang/urls.py under /tasks/."""

from __future__ import annotations

from django.urls import path

from taizhang.tasks import views
from taizhang.tasks import views_drafts as dv

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("targets/", views.task_list, {"mode": "targets"}, name="task_targets"),
    path("overdue/", views.task_list, {"mode": "overdue"}, name="task_overdue"),
    path("export/<str:mode>.<str:fmt>", views.task_export, name="task_export"),
    path("new/", views.task_new, name="task_new"),
    path("answers/", views.answers_page, name="task_answers"),
    path("drafts/", dv.draft_list, name="draft_list"),
    path("drafts/<int:pk>/", dv.draft_detail, name="draft_detail"),
    path("drafts/<int:pk>/rows/<int:rid>/", dv.draft_row, name="draft_row"),
    path("drafts/<int:pk>/bulk/", dv.draft_bulk, name="draft_bulk"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/act/", views.task_act, name="task_act"),
]
