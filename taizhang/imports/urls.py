from __future__ import annotations

from django.urls import path

from taizhang.imports import views

urlpatterns = [
    path("", views.import_home, name="import_home"),
    path("template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_job, name="import_job"),
    path("<int:pk>/status.json", views.import_status, name="import_status"),
    path("<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
