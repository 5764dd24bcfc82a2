"""The web half of the permission matrix: one entry per route name in the resolver.

To add a route, add one line keyed by its URL name, e.g. the office's holiday-notice page:
    "calendar": Route(
        url=lambda s: "/calendar/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=302),
            data=lambda mw, s: {"text": NOTICE_2027, "action": "save"},
            changed=lambda mw: sorted(CalendarOverride.objects.values_list("date", "is_workday")),
        ),
    ),
and, if it takes a POST, `write=Write(E(403, admin=302, sup_a=302, ...), data=lambda mw, s: {...})`:
the roles given the success status (302 here) must change something (an audit entry unless
`changed=` says what), the others nothing. `s` is a district's Side (tests/matrix/world.py:
s.project, s.problem, s.task, s.enterprise, s.milestone, s.liaison, s.draft, s.row, s.job,
s.adjustment, s.division, s.unit, s.cadre, s.accepted, ...). The statuses are those of
district A's object; B's object is checked as the mirror image (harness.mirror), with `b=`
for the exceptions. Give `scoped=False` when the URL names nothing of a district. Use a
shared role table below when one fits; a failing run prints what every role got.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.attachments.models import Attachment
from taizhang.core.models import ApiToken, CalendarOverride
from taizhang.enterprises.models import Enterprise
from taizhang.imports.models import ImportJob
from taizhang.matters.models import Matter, Notification
from taizhang.notify.models import ChannelConfig
from taizhang.projects.models import Milestone, Project
from taizhang.tasks.models import DraftRow
from tests.attachment_files import pdf
from tests.bond_fixtures import side_bond, side_event
from tests.enterprise_fixtures import code
from tests.import_sheets import xlsx
from tests.lib.test_holiday_notice import NOTICE_2027
from tests.matrix.harness import LOGIN, E, Route, Write, duty
from tests.matrix.web_civility import CIVILITY

# Role tables shared by several routes (statuses on district A's object).
POST_ONLY = E(405)  # a POST-only route answers a GET 405 (after the login check)
EVERYONE = E(200)  # every signed-in user; the page shows each only their own rows
STAFF = E(200, ent_a=302)  # staff lists: an enterprise user is sent to its portal
NOT_ENTERPRISE = E(200, ent_a=403)  # staff exports: refused to an enterprise user
OFFICE = E(403, admin=200, sup_a=200, sup_b=200)  # the supervision offices' own pages
# A page of district A (?division=): its staff read it, outsiders do not find the district.
IN_A = E(200, nobody=404, sup_b=404, unit_b=404)
# District A's office and leaders only.
READERS_A = E(403, nobody=404, admin=200, sup_a=200, leader_a=200, sup_b=404, unit_b=404)
# An object of A that the town's unit has nothing to do with.
SEES_A = E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404)
UPLOADER = E(404, sup_a=200)  # an import job is its uploader's alone
# The office changes an object of A that others see but may not change.
OFFICE_WRITE_A = E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, cadre_a=403, ent_a=403)
# The responsible (lead) unit, or the office for it, changes it.
LEAD_WRITE_A = E(404, admin=302, sup_a=302, leader_a=403, unit_a=302, cadre_a=403, ent_a=403)
# The office writes district A's settings; nobody and B's staff do not find the district.
OFFICE_WRITE_DISTRICT = E(403, nobody=404, admin=302, sup_a=302, sup_b=404, unit_b=404)


def _channel(s) -> ChannelConfig:
    """The district's robot channel, made on first use (the matrix world has none of its own).

    Its address is a closed local port: a test-send fails at once and nothing leaves the machine.
    """
    c = ChannelConfig.objects.filter(division=s.division, name="矩阵测试群").first()
    if c is None:
        c = ChannelConfig(division=s.division, kind="wecom", name="矩阵测试群")
        c.url = "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix"
        c.save()
    return c


def _sup_a_token() -> int:
    """sup_a's API token (made once per module's world; each revoke is rolled back)."""
    user = get_user_model().objects.get(username="sup_a")
    token = ApiToken.objects.filter(user=user, name="矩阵").first()
    return (token or ApiToken.issue(user, "矩阵")[0]).pk


def _project_form(mw, s) -> dict:
    p = Project.objects.get(pk=s.project.pk)
    return {
        "division": p.division_id,
        "code": p.code,
        "name": p.name + "（改）",
        "responsible_unit": p.responsible_unit_id,
        "total_investment": str(p.total_investment),
        "version": p.version,
    }


def _enterprise_form(mw, s) -> dict:
    e = Enterprise.objects.get(pk=s.enterprise.pk)
    return {
        "name": e.name,
        "credit_code": e.credit_code,
        "division": e.division_id,
        "category": e.category or "industry",
        "contact": "张经理",
        "version": e.version,
    }


def mw_user(s, username: str) -> int:
    """The id of a world user, from a Side (the URL builders get only the side)."""
    return get_user_model().objects.get(username=username).pk


def _version(model, pk) -> int:
    return model.objects.get(pk=pk).version


def _job_state(mw):
    return list(ImportJob.objects.values_list("pk", "status", "mapping"))


def _sheet() -> SimpleUploadedFile:
    rows = [["项目编号", "项目名称", "责任单位", "总投资"], ["IM-9", "网页导入", "区发改委", "10"]]
    return SimpleUploadedFile("p.xlsx", xlsx(rows))


def _attachment_state(mw):
    return sorted(Attachment.objects.values_list("pk", "deleted_at"))


# Who sees district A's problem (s.problem: enterprise A's, assigned to 区发改委): its
# attachments go wherever the problem does.
SEES_PROBLEM_A = E(200, nobody=404, unit_a_town=404, sup_b=404, unit_b=404)
# Who may add files to it: everyone who sees it except the read-only leader.
ATTACH_TO_PROBLEM_A = E(302, nobody=404, leader_a=403, unit_a_town=404, sup_b=404, unit_b=404)


WEB: dict[str, Route] = {
    # ------------------------------------------------------------------ attachments
    "attachment_download": Route(
        url=lambda s: f"/attachments/{s.attachment.pk}/", get=SEES_PROBLEM_A
    ),
    "attachment_thumb": Route(
        url=lambda s: f"/attachments/{s.attachment.pk}/thumb/", get=SEES_PROBLEM_A
    ),
    "attachment_delete": Route(
        url=lambda s: f"/attachments/{s.attachment.pk}/delete/",
        get=POST_ONLY,
        # The uploader (the office here) or the office; others who see it are refused.
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
            data=lambda mw, s: {"next": "/my/"},
            changed=_attachment_state,
        ),
    ),
    "attachment_upload": Route(
        url=lambda s: "/attachments/new/",
        get=POST_ONLY,
        write=Write(
            ATTACH_TO_PROBLEM_A,
            data=lambda mw, s: {
                "owner_type": "matter",
                "owner_id": s.problem.pk,
                "files": [pdf()],
                "next": "/my/",
            },
            changed=_attachment_state,
        ),
    ),
    # ------------------------------------------------------------------ front, accounts
    "dashboard": Route(
        url=lambda s: f"/?division={s.division.code}",
        # Enterprises go to their portal, the three administrators to their own page.
        get=E(200, nobody=404, ent_a=302, sup_b=404, unit_b=404, **duty(302)),
        b={"ent_a": 302},  # enterprises are sent to their portal before anything is looked up
    ),
    # Phones: each person's today page, the landing after login, the web app's files.
    "today": Route(url=lambda s: "/today/", get=EVERYONE, scoped=False),
    # Duty administrators land on their own page too; the app's files are everyone's.
    "landing": Route(url=lambda s: "/start/", get=E(302, **duty(302)), scoped=False),
    "webmanifest": Route(
        url=lambda s: "/manifest.webmanifest", get=E(200, anon=200, **duty(200)), scoped=False
    ),
    "service_worker": Route(
        url=lambda s: "/sw.js", get=E(200, anon=200, **duty(200)), scoped=False
    ),
    "favicon": Route(url=lambda s: "/favicon.ico", get=E(301, anon=301, **duty(301)), scoped=False),
    "login": Route(
        url=lambda s: "/login/",
        # Signed-in users are sent on (redirect_authenticated_user), whatever they post.
        get=E(302, anon=200, **duty(302)),
        scoped=False,
        fresh_clients=True,
        write=Write(
            E((302, False), anon=302, **duty((302, False))),
            data=lambda mw, s: {"username": "sup_a", "password": "pw-sup_a"},
            changed=lambda mw: Session.objects.count(),
        ),
    ),
    "logout": Route(
        url=lambda s: "/logout/",
        get=E(405, anon=405, **duty(405)),  # logging out takes a POST
        scoped=False,
        fresh_clients=True,
        write=Write(
            E((LOGIN, True), **duty((LOGIN, True))), changed=lambda mw: Session.objects.count()
        ),
    ),
    "password_change": Route(
        url=lambda s: "/password/",
        get=E(200, **duty(200)),
        scoped=False,
        fresh_clients=True,
        write=Write(
            E(200, sup_a=302, **duty(200)),
            # Each role types its own old password; the user's hash must change.
            data=lambda mw, s: {
                "old_password": "pw-sup_a",
                "new_password1": "Xinyang#2026",
                "new_password2": "Xinyang#2026",
            },
            changed=lambda mw: sorted(get_user_model().objects.values_list("password", flat=True)),
        ),
    ),
    "password_change_done": Route(
        url=lambda s: "/password/done/", get=E(200, **duty(200)), scoped=False
    ),
    "account_tokens": Route(
        url=lambda s: "/account/tokens/",
        get=EVERYONE,
        scoped=False,
        # Every signed-in user issues tokens for themself (shown once on the answer page).
        write=Write(E(200), ok=200, data=lambda mw, s: {"name": "对接", "days": "30"}),
    ),
    "account_token_revoke": Route(
        url=lambda s: f"/account/tokens/{_sup_a_token()}/revoke/",
        get=POST_ONLY,
        scoped=False,
        # A token is its owner's alone: everyone else does not find it.
        write=Write(E(404, sup_a=302)),
    ),
    # 三权分立: the audit log is the audit administrator's alone.
    "audit_log": Route(url=lambda s: "/audit/", get=E(403, auditor=200), scoped=False),
    "audit_export": Route(url=lambda s: "/audit/export.csv", get=E(403, auditor=200), scoped=False),
    # One's own second factor. Nobody here has an authenticator: the enrolment page opens,
    # a wrong code changes nothing, verification and new recovery codes send the user on.
    "otp_setup": Route(
        url=lambda s: "/account/2fa/",
        get=E(200, **duty(200)),
        scoped=False,
        write=Write(E(200, **duty(200)), data=lambda mw, s: {"token": "000000"}),
    ),
    "otp_verify": Route(
        url=lambda s: "/account/2fa/verify/",
        get=E(302, **duty(302)),
        scoped=False,
        write=Write(E((302, False), **duty((302, False))), data=lambda mw, s: {"token": "1"}),
    ),
    "otp_recovery": Route(
        url=lambda s: "/account/2fa/recovery/",
        get=E(405, **duty(405)),
        scoped=False,
        write=Write(E((302, False), **duty((302, False)))),
    ),
    # 三权分立 pages: accounts for the system administrator, roles for the security one.
    "account_users": Route(
        url=lambda s: "/accounts/users/",
        get=E(403, sysadmin=200),
        scoped=False,
        write=Write(
            E(403, sysadmin=302),
            data=lambda mw, s: {
                "username": "xin_zhanghao",
                "full_name": "新账号",
                "password": "Xinyang#2026",
            },
        ),
    ),
    "account_user": Route(
        url=lambda s: f"/accounts/users/{mw_user(s, 'nobody')}/",
        get=E(405, sysadmin=405),  # POST only; the other administrators are fenced off first
        scoped=False,
        write=Write(
            E(403, sysadmin=302),
            data=lambda mw, s: {"action": "reset", "password": "Xinyang#2026"},
        ),
    ),
    "account_roles": Route(
        url=lambda s: "/accounts/roles/", get=E(403, secadmin=200), scoped=False
    ),
    "account_role": Route(
        url=lambda s: f"/accounts/roles/{mw_user(s, 'nobody')}/",
        get=E(403, secadmin=200),
        scoped=False,
        write=Write(
            E(403, secadmin=302),
            data=lambda mw, s: {"action": "assign", "role": "cadre", "person": s.cadre.pk},
        ),
    ),
    # ------------------------------------------------------------------ projects
    "project_list": Route(url=lambda s: "/projects/", get=EVERYONE, scoped=False),
    "project_create": Route(
        url=lambda s: "/projects/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "division": s.division.pk,
                "code": "NEW-1",
                "name": "新建项目",
                "responsible_unit": s.unit.pk,
                "total_investment": "100",
            },
        ),
    ),
    "project_export": Route(url=lambda s: "/projects/export.csv", get=EVERYONE, scoped=False),
    "project_detail": Route(
        url=lambda s: f"/projects/{s.project.pk}/",
        get=SEES_A,
    ),
    "project_edit": Route(
        url=lambda s: f"/projects/{s.project.pk}/edit/",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
        write=Write(
            OFFICE_WRITE_A,
            data=_project_form,
        ),
    ),
    "project_stage": Route(
        url=lambda s: f"/projects/{s.project.pk}/stage/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"to_stage": "producing", "date": "2022-05-01", "reason": "投产"},
        ),
    ),
    "project_year": Route(
        url=lambda s: f"/projects/{s.project.pk}/year/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"year": 2023, "level": "city", "annual_plan": "1000"},
        ),
    ),
    "project_milestone": Route(
        url=lambda s: f"/projects/{s.project.pk}/milestones/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"name": "封顶", "planned_date": "2022-09-30"},
        ),
    ),
    "milestone_update": Route(
        url=lambda s: f"/projects/{s.project.pk}/milestones/{s.milestone.pk}/",
        get=POST_ONLY,
        write=Write(
            LEAD_WRITE_A,
            data=lambda mw, s: {
                "version": _version(Milestone, s.milestone.pk),
                "actual_date": "2022-08-10",
                "evidence": "现场照片",
            },
        ),
    ),
    "project_report": Route(
        url=lambda s: f"/projects/{s.project.pk}/reports/",
        get=POST_ONLY,
        write=Write(
            LEAD_WRITE_A,
            data=lambda mw, s: {"year": 2022, "month": 4, "amount": "500"},
        ),
    ),
    "project_liaison_add": Route(
        url=lambda s: f"/projects/{s.project.pk}/liaisons/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"person": s.cadre.pk, "role": "officer", "start": "2022-01-01"},
        ),
    ),
    # ------------------------------------------------------------------ enterprises, visits
    "enterprise_list": Route(url=lambda s: "/enterprises/", get=STAFF, scoped=False),
    "enterprise_export": Route(
        url=lambda s: "/enterprises/export.csv", get=NOT_ENTERPRISE, scoped=False
    ),
    "enterprise_create": Route(
        url=lambda s: "/enterprises/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "name": "新登记企业",
                "credit_code": code(77),
                "division": s.division.pk,
                "category": "industry",
            },
        ),
    ),
    "enterprise_detail": Route(
        url=lambda s: f"/enterprises/{s.enterprise.pk}/",
        get=SEES_A,
    ),
    "enterprise_edit": Route(
        url=lambda s: f"/enterprises/{s.enterprise.pk}/edit/",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
        write=Write(
            OFFICE_WRITE_A,
            data=_enterprise_form,
        ),
    ),
    "liaison_add": Route(
        url=lambda s: f"/enterprises/{s.enterprise.pk}/liaisons/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"person": s.cadre.pk, "role": "officer", "start": "2022-02-01"},
        ),
    ),
    "enterprise_account": Route(
        url=lambda s: f"/enterprises/{s.enterprise.pk}/accounts/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"username": "new_account", "full_name": "张经理"},
        ),
    ),
    "liaison_end": Route(
        url=lambda s: f"/liaisons/{s.liaison.pk}/end/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, cadre_a=403, ent_a=403),
            data=lambda mw, s: {"end": "2022-12-31"},
        ),
    ),
    "visit_list": Route(
        url=lambda s: "/visits/",
        get=STAFF,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, cadre_a=302, ent_a=(302, False), sup_b=200),
            data=lambda mw, s: {
                "kind": "visit",
                "date": "2022-03-05",
                "title": "走访企业",
                "enterprises": [s.enterprise.pk],
                "notes": "了解用工需求",
            },
        ),
    ),
    "visit_export": Route(url=lambda s: "/visits/export.csv", get=NOT_ENTERPRISE, scoped=False),
    # The office's visit of A: its office, leaders and admin read it; the enterprise user
    # (it names their enterprise) is sent to the portal, every other role does not find it.
    "visit_detail": Route(
        url=lambda s: f"/visits/{s.extra['visit'].pk}/",
        get=E(404, admin=200, sup_a=200, leader_a=200, ent_a=302),
    ),
    # The searchable picker's JSON search: staff only, each their own rows (web/pick.py).
    "pick": Route(
        url=lambda s: "/pick/enterprise/?q=",
        get=E(200, nobody=404, ent_a=404),
        scoped=False,
    ),
    # ------------------------------------------------------------------ problems
    "problem_list": Route(url=lambda s: "/problems/", get=STAFF, scoped=False),
    "problem_export": Route(url=lambda s: "/problems/export.csv", get=NOT_ENTERPRISE, scoped=False),
    "problem_new": Route(
        url=lambda s: "/problems/new/",
        get=E(403, admin=200, sup_a=200, cadre_a=200, ent_a=302, sup_b=200),
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, cadre_a=302, ent_a=(302, False), sup_b=200),
            data=lambda mw, s: {
                "enterprise": s.enterprise.pk,
                "category": mw.ew.ordinary.pk,
                "title": "门口道路破损",
                "description": "影响货车进出",
                "source": "visit",
                "raised_on": "2022-03-01",
            },
        ),
    ),
    "problem_figures": Route(
        url=lambda s: f"/problems/figures/?division={s.division.code}",
        get=IN_A,
    ),
    "problem_bulk_assign": Route(
        url=lambda s: "/problems/bulk-assign/",
        get=POST_ONLY,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=404),
            data=lambda mw, s: {
                "ids": [f"{s.accepted.pk}:{_version(Matter, s.accepted.pk)}"],
                "lead_unit": s.unit.pk,
            },
            # Only the office may assign; everyone else is refused before any id is read.
            b={r: 403 for r in ("leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a")},
        ),
    ),
    "problem_detail": Route(
        url=lambda s: f"/problems/{s.problem.pk}/",
        get=SEES_A,
    ),
    "problem_act": Route(
        url=lambda s: f"/problems/{s.problem.pk}/act/",
        get=POST_ONLY,
        write=Write(
            LEAD_WRITE_A,
            data=lambda mw, s: {
                "action": "report",
                "version": _version(Matter, s.problem.pk),
                "note": "已招工30人",
            },
        ),
    ),
    # The one step route of every kind: here a task's 办理中 (problem_act / task_act are its
    # old names, kept for bookmarked forms, and dispatch through the same table).
    "matter_step": Route(
        url=lambda s: f"/matters/{s.task.pk}/steps/progress/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, unit_a=302, unit_a_town=302),
            data=lambda mw, s: {
                "version": _version(Matter, s.task.pk),
                "note": "已新增就业1500人",
            },
        ),
    ),
    "my_work": Route(url=lambda s: "/my/", get=EVERYONE, scoped=False),
    "my_work_export": Route(url=lambda s: "/my/export.csv", get=EVERYONE, scoped=False),
    "notifications_read": Route(
        url=lambda s: "/my/notifications/read/",
        get=POST_ONLY,
        scoped=False,
        write=Write(
            # Marks the user's own unread notifications; those without any change nothing.
            E(
                302,
                nobody=(302, False),
                admin=(302, False),
                leader_a=(302, False),
                cadre_a=(302, False),
            ),
            changed=lambda mw: Notification.objects.filter(read_at__isnull=True).count(),
        ),
    ),
    "portal": Route(
        url=lambda s: "/portal/",
        get=E(403, ent_a=200),
        scoped=False,
        write=Write(
            E(403, ent_a=302),
            data=lambda mw, s: {
                "category": mw.ew.ordinary.pk,
                "title": "门口道路破损",
                "description": "影响货车进出",
            },
        ),
    ),
    "portal_problem": Route(
        url=lambda s: f"/portal/problems/{s.problem.pk}/",
        get=SEES_A,
    ),
    # ------------------------------------------------------------------ imports
    "import_home": Route(
        url=lambda s: "/imports/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=302),
            data=lambda mw, s: {"kind": "projects", "file": _sheet()},
            changed=_job_state,
        ),
    ),
    "import_template": Route(
        url=lambda s: "/imports/template/projects.xlsx",
        get=OFFICE,
        scoped=False,
    ),
    "import_job": Route(url=lambda s: f"/imports/{s.job.pk}/", get=UPLOADER),
    "import_status": Route(url=lambda s: f"/imports/{s.job.pk}/status.json", get=UPLOADER),
    "import_mapping": Route(
        url=lambda s: f"/imports/{s.job.pk}/mapping/",
        get=POST_ONLY,
        write=Write(
            E(404, sup_a=302), data=lambda mw, s: {"map:责任单位": "unit"}, changed=_job_state
        ),
    ),
    "import_commit": Route(
        url=lambda s: f"/imports/{s.job.pk}/commit/",
        get=POST_ONLY,
        write=Write(E(404, sup_a=302), changed=_job_state),
    ),
    "import_cancel": Route(
        url=lambda s: f"/imports/{s.job.pk}/cancel/",
        get=POST_ONLY,
        write=Write(E(404, sup_a=302), changed=_job_state),
    ),
    "import_errors": Route(url=lambda s: f"/imports/{s.job.pk}/errors.xlsx", get=UPLOADER),
    # ------------------------------------------------------------------ tasks
    "task_list": Route(url=lambda s: "/tasks/", get=STAFF, scoped=False),
    "task_targets": Route(url=lambda s: "/tasks/targets/", get=STAFF, scoped=False),
    "task_overdue": Route(url=lambda s: "/tasks/overdue/", get=STAFF, scoped=False),
    "task_export": Route(url=lambda s: "/tasks/export/list.csv", get=EVERYONE, scoped=False),
    "task_new": Route(
        url=lambda s: "/tasks/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=200, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "kind": "task",
                "title": "新增市场主体500户",
                "task_source": "work_report",
                # Published today, for this year (a deadline must not precede the day it is set).
                "year": dt.date.today().year,
                "lead_unit": s.unit.pk,
                "deadline": f"{dt.date.today().year}-12-31",
                "cycle": "monthly",
                "due_day": 25,
            },
        ),
    ),
    "task_answers": Route(
        url=lambda s: f"/tasks/answers/?division={s.division.code}",
        get=IN_A,
    ),
    "draft_list": Route(
        url=lambda s: "/tasks/drafts/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=200, sup_a=302, sup_b=302),
            data=lambda mw, s: {"text": "全年新增市场主体500户以上。", "year": 2024},
        ),
    ),
    "draft_detail": Route(
        url=lambda s: f"/tasks/drafts/{s.draft.pk}/",
        get=E(404, admin=200, sup_a=200, leader_a=403),
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403),
            data=lambda mw, s: {"title": "2024年政府工作报告", "year": 2025},
        ),
    ),
    "draft_row": Route(
        url=lambda s: f"/tasks/drafts/{s.draft.pk}/rows/{s.row.pk}/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403),
            data=lambda mw, s: {"op": "save", "title": "城镇新增就业4000人以上"},
            # Draft rows are a working paper, not audited: the row itself must change.
            changed=lambda mw: sorted(DraftRow.objects.values_list("pk", "title")),
        ),
    ),
    "draft_bulk": Route(
        url=lambda s: f"/tasks/drafts/{s.draft.pk}/bulk/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403),
            data=lambda mw, s: {"op": "delete", "ids": [s.row.pk]},
        ),
    ),
    "task_detail": Route(
        url=lambda s: f"/tasks/{s.task.pk}/",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200, unit_a_town=200),
    ),
    "task_act": Route(
        url=lambda s: f"/tasks/{s.task.pk}/act/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, unit_a=302, unit_a_town=302),
            data=lambda mw, s: {
                "action": "progress",
                "version": _version(Matter, s.task.pk),
                "note": "已新增就业1200人",
            },
        ),
    ),
    # The office pastes the State Council's holiday notice; nobody else opens the calendar.
    "calendar": Route(
        url=lambda s: "/calendar/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=302),
            data=lambda mw, s: {"text": NOTICE_2027, "action": "save"},
            changed=lambda mw: sorted(CalendarOverride.objects.values_list("date", "is_workday")),
        ),
    ),
    # ------------------------------------------------------------------ assessment
    "assessment_scores": Route(
        url=lambda s: f"/assessment/?division={s.division.code}&period=2022Q3",
        get=IN_A,
    ),
    "assessment_scores_export": Route(
        url=lambda s: f"/assessment/export.csv?division={s.division.code}&period=2022Q3",
        get=IN_A,
    ),
    "assessment_card": Route(
        url=lambda s: (
            f"/assessment/card/unit/{s.unit.pk}/?division={s.division.code}&period=2022Q3"
        ),
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    "assessment_publish": Route(
        url=lambda s: "/assessment/publish/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_DISTRICT,
            data=lambda mw, s: {"period": "2022Q3", "division": s.division.code},
        ),
    ),
    "assessment_scheme": Route(
        url=lambda s: f"/assessment/scheme/?division={s.division.code}&year=2022",
        get=READERS_A,
        write=Write(
            OFFICE_WRITE_DISTRICT,
            data=lambda mw, s: {
                "year": 2022,
                "name": "季度综合考评",
                "lead_weight": "1",
                "co_weight": "0.5",
                "empty": "full",
                "board_size": "1",
                "milestone_on_time_rate-on": "1",
                "milestone_on_time_rate-weight": "100",
            },
        ),
    ),
    "assessment_adjustments": Route(
        url=lambda s: f"/assessment/adjustments/?division={s.division.code}&year=2022",
        get=IN_A,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, unit_a=403),
            data=lambda mw, s: {
                "target": f"unit-{s.unit.pk}",
                "points": "1",
                "reason": "获市级表彰",
                "on": "2022-09-10",
            },
        ),
    ),
    "assessment_adjustments_export": Route(
        url=lambda s: f"/assessment/adjustments/export.csv?division={s.division.code}&year=2022",
        get=IN_A,
    ),
    "assessment_adjustment_delete": Route(
        url=lambda s: f"/assessment/adjustments/{s.adjustment.pk}/delete/",
        get=POST_ONLY,
        write=Write(E(404, admin=302, sup_a=302, leader_a=403, unit_a=403)),
    ),
    "assessment_bulletin": Route(
        url=lambda s: f"/assessment/bulletin/?division={s.division.code}&period=2022Q3",
        get=READERS_A,
    ),
    "assessment_bulletin_docx": Route(
        url=lambda s: f"/assessment/bulletin.docx?division={s.division.code}&period=2022Q3",
        get=READERS_A,
    ),
    "assessment_bulletin_issue": Route(
        url=lambda s: "/assessment/bulletin/issue/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_DISTRICT,
            data=lambda mw, s: {"division": s.division.code, "period": "2022Q2"},
        ),
    ),
    "assessment_bulletin_settings": Route(
        url=lambda s: "/assessment/bulletin/settings/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_DISTRICT,
            data=lambda mw, s: {
                "division": s.division.code,
                "issuer_name": "督查室",
                "number_prefix": "督",
                "closing_office": "区委督查室",
                "addressee": "各单位",
            },
        ),
    ),
    # ------------------------------------------------------------------ notice channels
    "notify_channels": Route(
        url=lambda s: "/notify/channels/",
        get=OFFICE,
        scoped=False,
        write=Write(
            # B's office may not add a channel to district A: the form answers with an error.
            E(403, admin=302, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "division": s.division.pk,
                "kind": "wecom",
                "name": "督查室工作群",
                "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "enabled": "1",
            },
        ),
    ),
    "notify_channel": Route(
        url=lambda s: f"/notify/channels/{_channel(s).pk}/",
        get=E(404, admin=200, sup_a=200, leader_a=403),
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403),
            data=lambda mw, s: {
                "division": s.division.pk,
                "kind": "wecom",
                "name": "矩阵测试群",
                "enabled": "0",
            },
        ),
    ),
    "notify_channel_test": Route(
        url=lambda s: f"/notify/channels/{_channel(s).pk}/test/",
        get=POST_ONLY,
        write=Write(E(404, admin=302, sup_a=302, leader_a=403)),
    ),
    "notify_channel_enable": Route(
        url=lambda s: f"/notify/channels/{_channel(s).pk}/enable/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403), data=lambda mw, s: {"enabled": "0"}
        ),
    ),
    "notify_deliveries": Route(url=lambda s: "/notify/deliveries/", get=OFFICE, scoped=False),
    # Everyone's own notice settings: each user changes only their own row.
    "notify_preferences": Route(
        url=lambda s: "/my/notify/",
        get=EVERYONE,
        scoped=False,
        write=Write(E(302), data=lambda mw, s: {"channels": ["wecom"], "mobile": ""}),
    ),
    # 创文 (civility): tests/matrix/web_civility.py
    **CIVILITY,
    # ------------------------------------------------------------------ projx: 专项债, 三个一批, 驻厂专员
    "bond_list": Route(url=lambda s: "/bonds/", get=EVERYONE, scoped=False),
    "bond_export": Route(url=lambda s: "/bonds/export.csv", get=EVERYONE, scoped=False),
    "bond_create": Route(
        url=lambda s: "/bonds/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            # B's office picks A's project: not among its choices, the form comes back.
            E(403, admin=302, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "project": s.project.pk,
                "year": 2021,
                "field": "municipal",
                "status": "planning",
                "date": "2021-05-01",
                "applied": "10",
            },
        ),
    ),
    "bond_detail": Route(url=lambda s: f"/bonds/{side_bond(s).pk}/", get=SEES_A),
    "bond_status": Route(
        url=lambda s: f"/bonds/{side_bond(s).pk}/status/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"to_status": "pooled", "date": "2022-06-01"},
        ),
    ),
    "bond_update": Route(
        url=lambda s: f"/bonds/{side_bond(s).pk}/amounts/",
        get=POST_ONLY,
        write=Write(
            OFFICE_WRITE_A,
            data=lambda mw, s: {"field": "new_infra", "applied": "5", "note": "改"},
        ),
    ),
    "batch_list": Route(url=lambda s: "/batches/", get=EVERYONE, scoped=False),
    "batch_create": Route(
        url=lambda s: "/batches/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            E(403, admin=302, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "division": s.division.pk,
                "kind": "start",
                "date": "2022-04-01",
                "title": "集中开工",
                "projects": [s.project.pk],
            },
        ),
    ),
    "batch_detail": Route(url=lambda s: f"/batches/{side_event(s).pk}/", get=SEES_A),
    "officer_roster": Route(url=lambda s: "/officers/", get=E(200, nobody=404), scoped=False),
    "officer_export": Route(
        url=lambda s: "/officers/export.csv", get=E(200, nobody=404), scoped=False
    ),
    # ------------------------------------------------------------------ meetings
    "meeting_list": Route(url=lambda s: "/meetings/?year=2024", get=STAFF, scoped=False),
    "meeting_export": Route(
        url=lambda s: "/meetings/decisions.csv", get=NOT_ENTERPRISE, scoped=False
    ),
    "meeting_new": Route(
        url=lambda s: "/meetings/new/",
        get=OFFICE,
        scoped=False,
        write=Write(
            # A's chair and unit: B's office is told they are outside its scope (200, nothing saved);
            # the installation-wide admin has no district of its own to put the meeting in.
            E(403, admin=200, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "kind": "progress",
                "date": "2024-01-10",
                "chair": s.cadre.pk,
                "rows": "1",
                "d-0-text": "协调用电增容",
                "d-0-lead_unit": s.unit.pk,
                "d-0-deadline": "2024-12-31",
            },
        ),
    ),
    # The district's office and leaders, the unit that must act on a decision.
    "meeting_detail": Route(
        url=lambda s: f"/meetings/{s.extra['meeting'].pk}/",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    "meeting_minutes": Route(
        url=lambda s: f"/meetings/{s.extra['meeting'].pk}/minutes.docx",
        get=E(404, admin=200, sup_a=200, leader_a=200, unit_a=200),
    ),
    "instruction_list": Route(
        url=lambda s: "/instructions/",
        get=STAFF,
        scoped=False,
        write=Write(
            E(403, admin=200, sup_a=302, sup_b=200),
            data=lambda mw, s: {
                "leader": s.cadre.pk,
                "text": "抓好落实",
                "given_on": "2024-01-10",
                "doc_title": "关于招商引资的报告",
                "lead_unit": s.unit.pk,
            },
        ),
    ),
    # ------------------------------------------------------------------ measures (issue 15)
    "measures": Route(url=lambda s: f"/measures/?division={s.division.code}", get=READERS_A),
    "factcheck": Route(
        url=lambda s: f"/factcheck/?division={s.division.code}",
        get=READERS_A,
        write=Write(
            E(403, nobody=404, admin=200, sup_a=200, leader_a=200, sup_b=404, unit_b=404),
            ok=200,
            data=lambda mw, s: {
                "division": s.division.code,
                "text": "今年上半年，走访企业120次，企业满意率98%。",
                "as_of": "2024-06-30",
            },
        ),
    ),
    "task_measure": Route(
        url=lambda s: f"/tasks/{s.task.pk}/measure/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403, unit_a=403, unit_a_town=403),
            data=lambda mw, s: {"measure": "enterprises.service_officers"},
        ),
    ),
    "draft_row_measure": Route(
        url=lambda s: f"/tasks/drafts/{s.draft.pk}/rows/{s.row.pk}/measure/",
        get=POST_ONLY,
        write=Write(
            E(404, admin=302, sup_a=302, leader_a=403),
            data=lambda mw, s: {"measure": "enterprises.service_officers"},
        ),
    ),
    # ------------------------------------------------------------------ similar problems
    # The office's pages (docs/similar.md); merging posts to matter_step (action merge).
    "problem_similar": Route(url=lambda s: "/problems/similar/", get=OFFICE, scoped=False),
    "radar": Route(url=lambda s: "/radar/", get=OFFICE, scoped=False),
    "radar_export": Route(url=lambda s: "/radar/export.csv", get=OFFICE, scoped=False),
    "radar_task": Route(
        url=lambda s: "/radar/task/",
        get=POST_ONLY,
        scoped=False,
        write=Write(
            # B's office names A's problems: refused with a message, nothing written.
            E(403, admin=302, sup_a=302, sup_b=(302, False)),
            data=lambda mw, s: {
                "prefix": "c0",
                "problems": [s.problem.pk, s.accepted.pk],
                "c0-title": "共性问题督办",
                "c0-lead_unit": s.unit.pk,
            },
        ),
    ),
    # forecast: evidence packs (问责佐证材料包) — the office only; outsiders do not find the object.
    "evidence": Route(
        url=lambda s: "/evidence/?from=2024-01-01&to=2024-12-31", get=OFFICE, scoped=False
    ),
    "matter_evidence": Route(
        url=lambda s: f"/matters/{s.problem.pk}/evidence.docx",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
    ),
    "unit_evidence": Route(
        url=lambda s: f"/units/{s.unit.pk}/evidence.docx?from=2024-01-01&to=2024-12-31",
        get=E(404, admin=200, sup_a=200, leader_a=403, unit_a=403, cadre_a=403, ent_a=403),
    ),
}

# petitions (信访): rows kept in their own module.
from tests.matrix.petition_rows import WEB as _PETITION_WEB  # noqa: E402

WEB.update(_PETITION_WEB)
# 政务服务办件 and 银企对接 (issue 14, part services).
from tests.matrix.services_rows import WEB_ROWS  # noqa: E402

WEB.update(WEB_ROWS)
