"""Table entries of the permission matrix and the runner that checks one entry for every role.

An entry says, for district A's object, what each role gets; district B's object gets the
mirror image (sup_b and unit_b stand where sup_a and unit_a stood, every district-A role
gets 404: it must not even learn that the object exists). A write is sent once per role in
its own savepoint, and must change something (by default: write an audit entry) exactly
when the role gets the success status; a tuple (status, changed) states both where they part
(a redirect that refused with a message: (302, False)). A 200 page or JSON answer for a role
of one district must not name an object of the other (MARKS). A failure prints what every
role got, as an E(...) call to review before pasting it into the table.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client

from taizhang.core.models import AuditEntry
from tests.streams import streamed

# "anon" is a client without a session; "nobody" a user without a profile.
ROLES = (
    "anon",
    "nobody",
    "admin",
    "sup_a",
    "leader_a",
    "unit_a",
    "unit_a_town",
    "cadre_a",
    "ent_a",
    "sup_b",
    "unit_b",
    "sysadmin",
    "secadmin",
    "auditor",
)
# The three 三权分立 administrators: no business data, so every business route refuses them
# (403, before anything is looked up). E() gives them 403 unless an entry names them.
DUTY_ROLES = ("sysadmin", "secadmin", "auditor")
DUTY_DEFAULT = 403
A_ROLES = ("sup_a", "leader_a", "unit_a", "unit_a_town", "cadre_a", "ent_a")
B_ROLES = ("sup_b", "unit_b")
# On district B's object, role X gets what MIRROR[X] got on district A's.
MIRROR = {
    "anon": "anon",
    "nobody": "nobody",
    "admin": "admin",
    "sup_b": "sup_a",
    "unit_b": "unit_a",
    "sysadmin": "sysadmin",
    "secadmin": "secadmin",
    "auditor": "auditor",
}
LOGIN = "login"  # web, anonymous: 302 to the login page
# Text of district A's and B's objects: a 200 page or JSON for a role of the other district
# must not contain any of them.
MARKS = {
    "a": ("新拓洋生物科技产业园", "招工难", "山城区城镇新增就业"),
    "b": ("淇滨区物流园", "淇滨合成企业", "融资难", "淇滨区城镇新增就业"),
}


def E(default: int, **roles: int | str) -> dict[str, int | str]:
    """Expected status of every signed-in role: `default` unless named.

    Anonymous users are filled in by the runner (web: redirect to login, API: 401) unless named;
    the three 三权分立 administrators get DUTY_DEFAULT (403) unless named.
    """
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {
        r: roles.get(r, DUTY_DEFAULT if r in DUTY_ROLES else default)
        for r in ROLES
        if r != "anon" or "anon" in roles
    }


def duty(value: Any) -> dict[str, Any]:
    """The same expectation for the three 三权分立 administrators, to splat into E(...)."""
    return dict.fromkeys(DUTY_ROLES, value)


def mirror(expect: dict[str, Any]) -> dict[str, Any]:
    if {v for r, v in expect.items() if r != "anon" and r not in DUTY_ROLES} == {405}:
        return dict(expect)  # a POST-only route refuses a GET before looking anything up
    return {r: expect[MIRROR[r]] if r in MIRROR else 404 for r in expect}


@dataclass(frozen=True)
class Write:
    """A write: `data(mw, side)` builds a valid payload; `ok` is the success status."""

    expect: dict[str, int | str]
    data: Callable[[Any, Any], Any] = lambda mw, s: {}
    ok: int = 302
    b: dict[str, Any] | None = None  # district B's exceptions to the mirror image
    changed: Callable[[Any], Any] | None = None  # what must change on success (default: audit)
    files: bool = False  # API: send as multipart instead of JSON (web forms always are)
    method: str = "POST"


@dataclass(frozen=True)
class Route:
    """One web route or API operation. `url(side)` builds it for a district's objects."""

    url: Callable[[Any], str]
    get: dict[str, int | str] | None = None
    write: Write | None = None
    scoped: bool = True  # the URL names an object of the district: B's side is checked too
    b: dict[str, Any] | None = None  # district B's exceptions to the mirror image
    leak_check: bool = True
    fresh_clients: bool = False  # the write logs in or out: use a new client per role


@dataclass
class Result:
    got: dict[str, Any] = field(default_factory=dict)
    want: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def check(self, label: str) -> None:
        diff = {
            r: (self.want.get(r), self.got.get(r))
            for r in self.want
            if self.got.get(r) != self.want.get(r)
        }
        if diff or self.notes:
            lines = [f"{label}: role: (expected, got)"]
            lines += [f"  {r}: {w!r} → {g!r}" for r, (w, g) in diff.items()]
            lines += self.notes
            lines.append("  got as a table entry: " + compact(self.got))
            if any(k.startswith("b:") for k in self.got):
                b = {k[2:]: v for k, v in self.got.items() if k.startswith("b:")}
                lines.append("  got on B's object: " + compact(b))
            raise AssertionError("\n".join(lines))


def compact(got: dict[str, Any]) -> str:
    """The observed statuses as an E(...) call, to review and paste into a table."""
    plain = {r: v for r, v in got.items() if not r.startswith("b:")}
    plain.pop("anon", None)
    for r in DUTY_ROLES:  # named only where they differ from their own default
        if plain.get(r) == DUTY_DEFAULT:
            plain.pop(r)
    if not plain:
        return "E()"
    default, _ = Counter(plain.values()).most_common(1)[0]
    named = ", ".join(f"{r}={v!r}" for r, v in plain.items() if v != default)
    return f"E({default!r}{', ' if named else ''}{named})"


def status_of(r, api: bool) -> int | str:
    if not api and r.status_code == 302 and "/login/" in r.get("Location", ""):
        return LOGIN
    return r.status_code


def body_text(r) -> str | None:
    ctype = r.get("Content-Type", "")
    if "json" in ctype:
        return json.dumps(r.json(), ensure_ascii=False)
    if "text/" in ctype:
        # CSV exports stream: read them too, so the leak check still covers them.
        return streamed(r).decode("utf-8-sig", "replace")
    return None


def leaks(role: str, r) -> str | None:
    """A page or answer for a role of one district naming an object of the other."""
    other = "b" if role in A_ROLES else "a" if role in B_ROLES else None
    if other is None or r.status_code != 200:
        return None
    text = body_text(r)
    if text is None:
        return None
    found = [m for m in MARKS[other] if m in text]
    return f"  {role} sees {found}" if found else None


def audit_count(mw) -> int:
    return AuditEntry.objects.count()


def send(client: Client, method: str, url: str, data: Any, *, api: bool, files: bool):
    if method == "GET":
        return client.get(url)
    if api and not files:
        return client.generic(
            method, url, json.dumps(data, default=str), content_type="application/json"
        )
    return getattr(client, method.lower())(url, data)


def _want(expected: Any, ok: int) -> tuple[Any, bool]:
    """An expected write result: a status (changes iff it is the success status) or a tuple."""
    return expected if isinstance(expected, tuple) else (expected, expected == ok)


def fresh_client(mw, role: str) -> Client:
    c = Client()
    if role != "anon":
        c.force_login(mw.users[role])
    return c


def run_route(mw, route: Route, *, api: bool, label: str) -> None:
    """Send the route's GET and write for every role on each district's object; compare all."""
    res, wres = Result(), Result()
    sides = (("a", mw.a), ("b", mw.b)) if route.scoped else (("a", mw.a),)
    anon_default = 401 if api else LOGIN
    if route.get is not None:
        for side_key, side in sides:
            want = route.get if side_key == "a" else mirror(route.get) | (route.b or {})
            url = route.url(side)
            for role in ROLES:
                key = role if side_key == "a" else f"b:{role}"
                r = mw.clients[role].get(url)
                res.got[key], res.want[key] = status_of(r, api), want.get(role, anon_default)
                if res.got[key] == 500:
                    res.notes.append(f"  {key} GET {url}: {r.content[:300]!r}")
                if route.leak_check and (note := leaks(role, r)):
                    res.notes.append(f"  {url}{note}")
    if route.write is not None:
        w = route.write
        changed = w.changed or audit_count
        for side_key, side in sides:
            want = w.expect if side_key == "a" else mirror(w.expect) | (w.b or {})
            url = route.url(side)
            for role in ROLES:
                key = role if side_key == "a" else f"b:{role}"
                with transaction.atomic():
                    client = fresh_client(mw, role) if route.fresh_clients else mw.clients[role]
                    before = changed(mw)
                    r = send(client, w.method, url, w.data(mw, side), api=api, files=w.files)
                    after = changed(mw)
                    transaction.set_rollback(True)
                wres.got[key] = (status_of(r, api), after != before)
                wres.want[key] = _want(want.get(role, anon_default), w.ok)
                if wres.got[key] != wres.want[key] and wres.want[key][1]:
                    wres.notes.append(f"  {key} {w.method} {url}: {r.content[:300]!r}")
    errors = []
    for part, result in (("GET", res), (route.write.method if route.write else "", wres)):
        try:
            result.check(f"{label} {part}")
        except AssertionError as e:
            errors.append(str(e))
    if errors:
        raise AssertionError("\n".join(errors))
