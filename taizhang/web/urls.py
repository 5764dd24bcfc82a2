"""Every web page's route. Views live beside this module; the domain apps hold no routes."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from taizhang.web import (
    account,
    assessment,
    attachments,
    audit,
    calendar,
    dashboard,
    duty,
    enterprises,
    evidence,
    imports,
    notify,
    pick,
    problems,
    projects,
    pwa,
    steps,
    task_drafts,
    tasks,
    today,
    tokens,
)
from taizhang.web.exports import enterprises as enterprise_exports
from taizhang.web.exports import problems as problem_exports

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Phones: the person's own page, where login sends each role, the installable web app.
    path("today/", today.today_page, name="today"),
    path("start/", today.landing, name="landing"),
    path("manifest.webmanifest", pwa.manifest, name="webmanifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("login/", account.TaizhangLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One's own account: password (forced change too), authenticator, recovery codes.
    path("password/", account.password_change, name="password_change"),
    path("password/done/", account.password_change_done, name="password_change_done"),
    path("account/2fa/", account.otp_setup, name="otp_setup"),
    path("account/2fa/verify/", account.otp_verify, name="otp_verify"),
    path("account/2fa/recovery/", account.otp_recovery, name="otp_recovery"),
    # 三权分立: accounts (系统管理员), roles and scopes (安全管理员); the audit log is below.
    path("accounts/users/", duty.account_users, name="account_users"),
    path("accounts/users/<int:pk>/", duty.account_user, name="account_user"),
    path("accounts/roles/", duty.account_roles, name="account_roles"),
    path("accounts/roles/<int:pk>/", duty.account_role, name="account_role"),
    # A user's own API tokens.
    path("account/tokens/", tokens.account_tokens, name="account_tokens"),
    path(
        "account/tokens/<int:pk>/revoke/", tokens.account_token_revoke, name="account_token_revoke"
    ),
    # Key projects.
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
    path(
        "projects/<int:pk>/liaisons/",
        enterprises.project_liaison_add,
        name="project_liaison_add",
    ),
    # Enterprise service ledger.
    path("enterprises/", enterprises.enterprise_list, name="enterprise_list"),
    path(
        "enterprises/export.<str:fmt>",
        enterprise_exports.enterprise_export,
        name="enterprise_export",
    ),
    path("enterprises/new/", enterprises.enterprise_edit, name="enterprise_create"),
    path("enterprises/<int:pk>/", enterprises.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", enterprises.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/liaisons/", enterprises.liaison_add, name="liaison_add"),
    path(
        "enterprises/<int:pk>/accounts/",
        enterprises.enterprise_account,
        name="enterprise_account",
    ),
    path("liaisons/<int:lid>/end/", enterprises.liaison_end, name="liaison_end"),
    path("visits/", enterprises.visit_list, name="visit_list"),
    path("visits/<int:pk>/", enterprises.visit_detail, name="visit_detail"),
    # The searchable picker's JSON search (web/pick.py), one kind of choice per URL.
    path("pick/<str:kind>/", pick.pick, name="pick"),
    path("visits/export.<str:fmt>", enterprise_exports.visit_export, name="visit_export"),
    path("problems/", problems.problem_list, name="problem_list"),
    path("problems/export.<str:fmt>", problem_exports.problem_export, name="problem_export"),
    path("problems/new/", problems.problem_new, name="problem_new"),
    path("problems/figures/", problems.figures_page, name="problem_figures"),
    path("problems/bulk-assign/", problems.problem_bulk_assign, name="problem_bulk_assign"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/act/", problems.problem_act, name="problem_act"),
    path("my/", problems.my_work_view, name="my_work"),
    path("my/export.<str:fmt>", problem_exports.my_work_export, name="my_work_export"),
    path("my/notifications/read/", problems.notifications_read, name="notifications_read"),
    path("portal/", problems.portal, name="portal"),
    path("portal/problems/<int:pk>/", problems.problem_detail, name="portal_problem"),
    # Every workflow step of every kind of matter (the kind's step table says which).
    path("matters/<int:pk>/steps/<str:action>/", steps.matter_step, name="matter_step"),
    # Imports.
    path("imports/", imports.import_home, name="import_home"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/status.json", imports.import_status, name="import_status"),
    path("imports/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/commit/", imports.import_commit, name="import_commit"),
    path("imports/<int:pk>/cancel/", imports.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/errors.xlsx", imports.import_errors, name="import_errors"),
    # Supervision tasks, suggestions, proposals.
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/targets/", tasks.task_list, {"mode": "targets"}, name="task_targets"),
    path("tasks/overdue/", tasks.task_list, {"mode": "overdue"}, name="task_overdue"),
    path("tasks/export/<str:mode>.<str:fmt>", tasks.task_export, name="task_export"),
    path("tasks/new/", tasks.task_new, name="task_new"),
    path("tasks/answers/", tasks.answers_page, name="task_answers"),
    path("tasks/drafts/", task_drafts.draft_list, name="draft_list"),
    path("tasks/drafts/<int:pk>/", task_drafts.draft_detail, name="draft_detail"),
    path("tasks/drafts/<int:pk>/rows/<int:rid>/", task_drafts.draft_row, name="draft_row"),
    path("tasks/drafts/<int:pk>/bulk/", task_drafts.draft_bulk, name="draft_bulk"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/act/", tasks.task_act, name="task_act"),
    # Assessment.
    path("assessment/", assessment.scores, name="assessment_scores"),
    path("assessment/export.<str:fmt>", assessment.scores_export, name="assessment_scores_export"),
    path("assessment/card/<str:kind>/<int:pk>/", assessment.card, name="assessment_card"),
    path("assessment/publish/", assessment.publish, name="assessment_publish"),
    path("assessment/scheme/", assessment.scheme_edit, name="assessment_scheme"),
    path("assessment/adjustments/", assessment.adjustments, name="assessment_adjustments"),
    path(
        "assessment/adjustments/export.<str:fmt>",
        assessment.adjustments_export,
        name="assessment_adjustments_export",
    ),
    path(
        "assessment/adjustments/<int:pk>/delete/",
        assessment.adjustment_delete,
        name="assessment_adjustment_delete",
    ),
    path("assessment/bulletin/", assessment.bulletin_page, name="assessment_bulletin"),
    path("assessment/bulletin.docx", assessment.bulletin_download, name="assessment_bulletin_docx"),
    path("assessment/bulletin/issue/", assessment.bulletin_issue, name="assessment_bulletin_issue"),
    path(
        "assessment/bulletin/settings/",
        assessment.bulletin_settings,
        name="assessment_bulletin_settings",
    ),
    # Working-day calendar: the State Council's holiday notice pasted by the office.
    path("calendar/", calendar.calendar_page, name="calendar"),
    # Attachments (佐证材料): the only way a stored file leaves the server.
    path("attachments/new/", attachments.upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.download, name="attachment_download"),
    path("attachments/<int:pk>/thumb/", attachments.thumbnail, name="attachment_thumb"),
    path("attachments/<int:pk>/delete/", attachments.delete, name="attachment_delete"),
    # Audit trail.
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.<str:fmt>", audit.audit_export, name="audit_export"),
    # Notice channels (robots, SMS), the delivery log, everyone's own notice settings.
    path("notify/channels/", notify.channel_list, name="notify_channels"),
    path("notify/channels/<int:pk>/", notify.channel_edit, name="notify_channel"),
    path("notify/channels/<int:pk>/test/", notify.channel_test, name="notify_channel_test"),
    path("notify/channels/<int:pk>/enable/", notify.channel_enable, name="notify_channel_enable"),
    path("notify/deliveries/", notify.delivery_log, name="notify_deliveries"),
    path("my/notify/", notify.preferences, name="notify_preferences"),
    # forecast: evidence packs (问责佐证材料包) of a matter and of a unit in a period.
    path("evidence/", evidence.evidence_page, name="evidence"),
    path("matters/<int:pk>/evidence.docx", evidence.matter_evidence, name="matter_evidence"),
    path("units/<int:pk>/evidence.docx", evidence.unit_evidence, name="unit_evidence"),
]
