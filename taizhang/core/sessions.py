"""Session lifetime without a database write on every page view (issue 12, defect 3).

Django's SESSION_SAVE_EVERY_REQUEST kept the idle timeout by rewriting the session
row on every request; on SQLite that write queued behind a running import and
readers got "database is locked". Instead:

- the idle timeout (SESSION_COOKIE_AGE) is refreshed at most once a minute
  (REFRESH_SECONDS): a request less than a minute after the last refresh writes nothing;
- an absolute lifetime (TAIZHANG_SESSION_ABSOLUTE_HOURS, default 12) ends a session
  that stays active all day, counted from the login.

Both are checked here against the session's own timestamps, so they hold whatever
the session backend's expiry says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

STARTED = "_tz_started"  # when the user logged in (epoch seconds)
SEEN = "_tz_seen"  # the last refresh of the idle timeout
REFRESH_SECONDS = 60


def now() -> float:
    """The clock; tests replace it to move time."""
    return time.time()


def absolute_seconds() -> int:
    return int(settings.TAIZHANG.get("SESSION_ABSOLUTE_HOURS", 12) * 3600)


def mark_login(sender: Any, request: HttpRequest, user: Any, **kw: Any) -> None:
    """user_logged_in: the absolute lifetime starts at every login, even on a reused session."""
    t = now()
    request.session[STARTED] = t
    request.session[SEEN] = t


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware: log out on idle or absolute expiry, refresh sparingly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request: HttpRequest, session: Any) -> None:
        t = now()
        started = session.get(STARTED)
        seen = session.get(SEEN)
        if started is None or seen is None:  # a session from before this rule: start it now
            session[STARTED] = started if started is not None else t
            session[SEEN] = t
            return
        if t - started > absolute_seconds() or t - seen > settings.SESSION_COOKIE_AGE:
            logout(request)  # flushes the session; login_required then sends to the login page
            return
        if t - seen >= REFRESH_SECONDS:
            # Marks the session modified: SessionMiddleware saves it with a new expiry.
            session[SEEN] = t
