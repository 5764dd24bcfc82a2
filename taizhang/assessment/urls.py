"""Web routes of the assessment pages, included from taizhang/urls.py under /assessment/."""

from __future__ import annotations

from django.urls import path

from taizhang.assessment import views

urlpatterns = [
    path("", views.scores, name="assessment_scores"),
    path("export.<str:fmt>", views.scores_export, name="assessment_scores_export"),
    path("card/<str:kind>/<int:pk>/", views.card, name="assessment_card"),
    path("publish/", views.publish, name="assessment_publish"),
    path("scheme/", views.scheme_edit, name="assessment_scheme"),
    path("adjustments/", views.adjustments, name="assessment_adjustments"),
    path(
        "adjustments/export.<str:fmt>",
        views.adjustments_export,
        name="assessment_adjustments_export",
    ),
    path(
        "adjustments/<int:pk>/delete/", views.adjustment_delete, name="assessment_adjustment_delete"
    ),
    path("bulletin/", views.bulletin_page, name="assessment_bulletin"),
    path("bulletin.docx", views.bulletin_download, name="assessment_bulletin_docx"),
    path("bulletin/issue/", views.bulletin_issue, name="assessment_bulletin_issue"),
    path("bulletin/settings/", views.bulletin_settings, name="assessment_bulletin_settings"),
]
