"""Load the demo: organisation, accounts and ledgers from the seed documents. Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from taizhang.core.context import origin
from taizhang.core.models import ADMIN_ROLES, Division, Profile, Role
from taizhang.core.scope import Scope
from taizhang.demo import org as demo_org
from taizhang.demo import projects as demo_projects
from taizhang.tasks import lights as task_lights

MARKER_DIVISION = "410603"


def demo_loaded() -> bool:
    return Division.objects.filter(code=MARKER_DIVISION).exists()


def accounts() -> list[tuple[str, str, str]]:
    names = {u for u, *_ in demo_org_accounts()}
    out = []
    profiles = Profile.objects.select_related("user", "division", "unit", "person", "enterprise")
    for p in profiles.order_by("pk"):
        if p.user.username in names:
            where = p.division or p.unit or p.person or p.enterprise
            where = where or ("不看业务数据" if p.role in ADMIN_ROLES else "全部")
            out.append(
                (p.user.username, f"{p.user.first_name}（{p.get_role_display()}）", str(where))
            )
    return out


def demo_org_accounts() -> list[tuple[str]]:
    return [
        (u,)
        for u in [
            "admin",
            "sc_duchashi",
            "sc_lingdao",
            "sc_fgw",
            "sc_moushan",
            "sc_baolian",
            "zh_duchashi",
            "zh_mazhuang",
            "sfq_duchashi",
            "qy_xintuoyang",
            "xt_guanli",
            "aq_guanli",
            "sj_guanli",
        ]
    ]


# Called as each stage starts: (stage number from 1, number of stages, stage name).
Progress = Callable[[int, int, str], None]


def load(stdout=None, progress: Progress | None = None) -> bool:
    """Returns False when the demo was already there (nothing is written twice)."""
    if demo_loaded():
        return False
    stages = 6 + len(EXTRA_LOADERS)

    def step(n: int, name: str) -> None:
        if progress is not None:
            progress(n, stages, name)

    with transaction.atomic(), origin("command"):
        step(1, "区划、单位和演示账号")
        org = demo_org.load_org()
        demo_org.create_accounts(org)
        demo_org.set_periods(org)
        admin = get_user_model().objects.get(username="admin")
        scope = Scope(admin)
        assert scope.role == Role.ADMIN
        ld = demo_projects.Loader(scope, org)
        step(2, "山城区重点项目")
        demo_projects.load_shancheng(ld)
        step(3, "湛河区重点项目")
        demo_projects.load_zhanhe(ld)
        step(4, "示范区重点项目")
        demo_projects.load_shifanqu(ld)
        step(5, "本年度重点项目清单、月报和节点")
        demo_projects.load_current_year(ld)
        for i, hook in enumerate(EXTRA_LOADERS, start=6):
            step(i, getattr(hook, "stage", hook.__name__))
            hook(scope, org)
        # The demo's tasks are bulk-created: their stored light dates are written once here.
        task_lights.rebuild()
        step(stages, "完成")
    return True


# Other modules (enterprise ledger, supervision tasks) append their loaders here.
EXTRA_LOADERS: list = []


def _load_enterprises(scope, org) -> None:
    from taizhang.demo import enterprises as demo_enterprises

    demo_enterprises.load(scope, org)


_load_enterprises.stage = "包联企业、走访和企业问题"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_enterprises)


def _load_assessment(scope, org) -> None:
    from taizhang.demo import assessment as demo_assessment

    demo_assessment.load(scope, org)


_load_assessment.stage = "考评方案和季度考评"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_assessment)


def _load_tasks(scope, org) -> None:
    from taizhang.demo import tasks as demo_tasks

    demo_tasks.load(scope, org)


_load_tasks.stage = "政府工作报告督查任务"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_tasks)


def _load_petitions(scope, org) -> None:
    from taizhang.demo import petitions as demo_petitions

    demo_petitions.load(scope, org)


_load_petitions.stage = "示范区纪工委信访件"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_petitions)


def _load_civility(scope, org) -> None:
    from taizhang.demo import civility as demo_civility

    demo_civility.load(scope, org)


_load_civility.stage = "创文测评体系、点位、检查和整改"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_civility)


def _load_services(scope, org) -> None:
    from taizhang.demo import services as demo_services

    demo_services.load(scope, org)


_load_services.stage = "湛河区政务服务办件和银企对接"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_services)


def _load_bonds(scope, org) -> None:
    from taizhang.demo import bonds as demo_bonds

    demo_bonds.load(scope, org)


_load_bonds.stage = "专项债项目和三个一批活动"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_bonds)


def _load_meetings(scope, org) -> None:
    from taizhang.demo import meetings as demo_meetings

    demo_meetings.load(scope, org)


_load_meetings.stage = "湛河区推进会和领导批示"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_meetings)


def _load_similar(scope, org) -> None:
    from taizhang.demo import similar as demo_similar

    demo_similar.load(scope, org)


_load_similar.stage = "疑似重复问题和问题雷达"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_similar)


def _load_forecast(scope, org) -> None:
    from taizhang.demo import forecast as demo_forecast

    demo_forecast.load(scope, org)


_load_forecast.stage = "往年重点项目月报（年末预测的季节规律）"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_forecast)


def _issue_bulletins(scope, org) -> None:
    # Last: an issued bulletin is stored as issued, so it must see every ledger loaded above.
    from taizhang.demo import assessment as demo_assessment

    demo_assessment.issue_bulletins(scope, org)


_issue_bulletins.stage = "印发督查通报"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_issue_bulletins)


def _load_measures(scope, org) -> None:
    from taizhang.demo import measures as demo_measures

    demo_measures.load(scope, org)


_load_measures.stage = "绑定台账指标"  # type: ignore[attr-defined]
EXTRA_LOADERS.append(_load_measures)
