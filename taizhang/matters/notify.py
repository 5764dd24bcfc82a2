"""Who hears about a matter, and in-app notifications (plus e-mail when the user has an address).

Push channels (WeCom/DingTalk/Feishu robots, SMS) live in taizhang.notify, an app above this
one: it registers a listener with `on_notice`, and `notify` hands it every notice so that it
can queue deliveries (sent later by `taizhang notify`, never inside the request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from taizhang.core.models import Division, Role
from taizhang.matters.models import Matter, Notification

NoticeListener = Callable[[list, Matter, str, str, str], None]
_listeners: list[NoticeListener] = []


def on_notice(listener: NoticeListener) -> None:
    """Register `listener(users, matter, kind, title, body)`, called once per notice."""
    if listener not in _listeners:
        _listeners.append(listener)


def unit_users(unit_ids: Iterable[int]) -> list:
    ids = [i for i in unit_ids if i]
    if not ids:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True, profile__role=Role.UNIT, profile__unit_id__in=ids
        )
    )


def supervisors_of(division: Division) -> list:
    """The supervision office of the division or of any division above it."""
    ancestors = [p for p in division.path.strip("/").split("/") if p]
    return list(
        get_user_model().objects.filter(
            is_active=True, profile__role=Role.SUPERVISOR, profile__division__code__in=ancestors
        )
    )


def enterprise_users(enterprise_id: int | None) -> list:
    if not enterprise_id:
        return []
    return list(
        get_user_model().objects.filter(
            is_active=True, profile__role=Role.ENTERPRISE, profile__enterprise_id=enterprise_id
        )
    )


def leader_users(person_id: int | None) -> list:
    if not person_id:
        return []
    return list(get_user_model().objects.filter(is_active=True, profile__person_id=person_id))


def notify(
    users: Iterable, matter: Matter, kind: str, title: str, body: str = "", *, email: bool = False
) -> int:
    """One notification per distinct user; e-mail those with an address when asked."""
    seen: dict[int, object] = {}
    for u in users:
        if u is not None and u.pk not in seen:
            seen[u.pk] = u
    rows = [
        Notification(
            user=u,
            matter=matter,
            kind=kind,
            title=title,
            body=body,
            emailed=bool(email and u.email),
        )
        for u in seen.values()
    ]
    Notification.objects.bulk_create(rows)
    for listener in _listeners:
        listener(list(seen.values()), matter, kind, title, body)
    if email:
        for u in seen.values():
            if u.email:
                send_mail(
                    f"【台账】{title}",
                    body or title,
                    settings.DEFAULT_FROM_EMAIL,
                    [u.email],
                    fail_silently=True,
                )
    return len(rows)
