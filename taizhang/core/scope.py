"""The one access mechanism: every list, detail, write, export and dashboard query passes here.

A model registers a ScopeRule naming the lookups that tie its rows to a division,
to units, to people and to an enterprise. A user's Profile decides which of those
lookups applies. Users without a profile see nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from taizhang.core.models import ADMIN_ROLES, AuditEntry, Division, Person, Profile, Role, Unit


@dataclass(frozen=True)
class Active:
    """People reached through dated assignment rows (包联), counted only while the row runs.

    `path` names the relation ("liaisons", "project__liaisons"); its rows have
    person, start and end. Conditions sit in one Q, so they hold for the same row.
    """

    path: str

    def q(self, person_id: int, today: dt.date) -> Q:
        p = self.path
        return Q(**{f"{p}__person": person_id, f"{p}__start__lte": today}) & (
            Q(**{f"{p}__end__isnull": True}) | Q(**{f"{p}__end__gte": today})
        )


def crosses_many(model: type[Model], lookup: str) -> bool:
    """Whether a lookup path (e.g. "matter__co_units") passes a to-many relation."""
    opts = model._meta
    for part in lookup.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or lookup ("startswith"): the path has ended
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation or field.related_model is None:
            return False
        opts = field.related_model._meta
    return False


class _AmongRows(Func):
    """``pk`` among the primary keys a subquery returns, read once per statement.

    PostgreSQL: ``pk = ANY(ARRAY(subquery))``. The array is an InitPlan, computed once
    before the scan, and ``= ANY`` is an index condition, so "lead unit OR co-unit" is a
    BitmapOr of two index scans (a unit's count over 2M problems: 618 ms as a correlated
    EXISTS, which PostgreSQL turns into a filter on every row, 16 ms this way). Neither
    form lets the planner turn the subquery into a join it could misjudge on a table
    without statistics, the trap of a plain ``pk IN (subquery)`` (minutes, once).
    SQLite materialises ``IN (subquery)`` once and probes it.
    """

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra
        )


def _row_filter(model: type[Model] | None, lookup: str, q: Q) -> Q:
    """`q` as a filter on the model's own rows.

    A condition through a to-many relation (co-units, liaison rows) joined into the outer
    query would repeat rows and need DISTINCT over every column; instead the rows it
    reaches are read once by a subquery (:class:`_AmongRows`). The subquery keeps all of
    `q` in one filter() so an Active assignment's conditions hold for the same row.
    """
    if model is None or not crosses_many(model, lookup):
        return q
    return Q(_AmongRows(F("pk"), Subquery(model._base_manager.filter(q).values("pk"))))


@dataclass(frozen=True)
class ScopeRule:
    division: str
    units: tuple[str, ...] = ()
    people: tuple[str | Active, ...] = ()
    enterprise: str | None = None
    # A lookup that crosses a to-many relation needs no flag: it is found from the model
    # itself and filtered as a semi-join (`_row_filter`).


_RULES: dict[type[Model], ScopeRule] = {}


def register(model: type[Model], rule: ScopeRule) -> None:
    _RULES[model] = rule


def rule_for(model: type[Model]) -> ScopeRule:
    try:
        return _RULES[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} has no ScopeRule; every business model needs one"
        ) from None


class Scope:
    def __init__(self, user: Any) -> None:
        self.user = user
        profile: Profile | None = None
        if user is not None and getattr(user, "is_authenticated", False):
            profile = (
                Profile.objects.select_related("division", "unit", "person", "enterprise")
                .filter(user=user)
                .first()
            )
        self.profile = profile
        self.role: str | None = profile.role if profile else None
        self.division: Division | None = profile.division if profile else None
        self.unit: Unit | None = profile.unit if profile else None
        self.person = profile.person if profile else None
        self.enterprise = profile.enterprise if profile else None
        # Rows this request already read through filter(): a list page asks "may I act on
        # this row?" for each of its rows, which must not cost one query per row.
        self._inside: set[tuple[type[Model], Any]] = set()

    @property
    def actor(self) -> Any:
        """The user to stamp on records, or None for an anonymous scope."""
        return self.user if getattr(self.user, "pk", None) else None

    @property
    def actor_name(self) -> str:
        user = self.actor
        return (user.get_full_name() or user.get_username()) if user else "系统"

    # Capabilities -------------------------------------------------------
    @property
    def filler_name(self) -> str:
        """Who prints a ledger (填报单位 on exports): the unit, the office or the enterprise."""
        if self.unit is not None:
            return self.unit.name
        if self.division is not None:
            return f"{self.division.name}{'督查室' if self.can_manage else ''}"
        if self.enterprise is not None:
            return self.enterprise.name
        return ""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_manage(self) -> bool:
        """Supervision office and admins create, assign and close business records."""
        return self.role in {Role.SUPERVISOR, Role.ADMIN}

    @property
    def reads_division(self) -> bool:
        return self.role in {Role.LEADER, Role.SUPERVISOR, Role.ADMIN}

    @property
    def is_duty_admin(self) -> bool:
        """One of the three 三权分立 administrators: no business data at all."""
        return self.role in ADMIN_ROLES

    def audit_entries(self, qs: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """The audit log is the audit administrator's: all of it, or their division's subtree.

        Entries of accounts without a division (the administrators' own work) have an empty
        path and are read by an installation-wide audit administrator only.
        """
        if self.role != Role.AUDITOR:
            raise PermissionDenied("只有审计管理员可以查看审计日志")
        if self.division is None:
            return qs
        return qs.filter(division_path__startswith=self.division.path)

    def sees_whole(self, division: Division) -> bool:
        """Whether :meth:`filter` keeps every row under ``division`` (the office, leaders and
        admins of it or above: their rule is the division path alone), so a rollup of the
        division's subtree answers for this reader."""
        if self.role == Role.ADMIN and self.division is None:
            return True
        if self.role in {Role.ADMIN, Role.LEADER, Role.SUPERVISOR} and self.division is not None:
            return division.path.startswith(self.division.path)
        return False

    def require_manage(self) -> None:
        if not self.can_manage:
            raise PermissionDenied("只有督查室或业务管理员可以执行此操作")

    # Row filtering ------------------------------------------------------
    def _q(self, rule: ScopeRule, model: type[Model] | None = None) -> Q | None:
        """The filter for this user, None for everything, Q(pk__in=[]) for nothing."""
        nothing = Q(pk__in=[])
        # The three 三权分立 administrators (and users without a role) fall through to nothing.
        if self.role == Role.ADMIN:
            return (
                None
                if self.division is None
                else Q(**{f"{rule.division}__startswith": self.division.path})
            )
        if self.role in {Role.LEADER, Role.SUPERVISOR}:
            if self.division is None:
                return nothing
            return Q(**{f"{rule.division}__startswith": self.division.path})
        if self.role == Role.UNIT and self.unit is not None and rule.units:
            q = Q()
            for lookup in rule.units:
                q |= _row_filter(model, lookup, Q(**{lookup: self.unit.pk}))
            return q
        if self.role == Role.CADRE and self.person is not None and rule.people:
            q = Q()
            today = timezone.localdate()
            for lookup in rule.people:
                if isinstance(lookup, Active):
                    q |= _row_filter(model, lookup.path, lookup.q(self.person.pk, today))
                else:
                    q |= _row_filter(model, lookup, Q(**{lookup: self.person.pk}))
            return q
        if self.role == Role.ENTERPRISE and self.enterprise is not None and rule.enterprise:
            lookup = rule.enterprise
            return _row_filter(model, lookup, Q(**{lookup: self.enterprise.pk}))
        return nothing

    def filter(self, qs: QuerySet) -> QuerySet:
        rule = rule_for(qs.model)
        q = self._q(rule, qs.model)
        # No DISTINCT: lookups across to-many relations are semi-joins, so rows never repeat
        # and the database never sorts whole rows to drop duplicates.
        return qs if q is None else qs.filter(q)

    def get(self, qs: QuerySet, pk: Any) -> Any:
        """One row inside scope, or 404: outsiders cannot tell a hidden row from a missing one."""
        try:
            row = self.filter(qs).get(pk=pk)
        # OverflowError: an id wider than the database's integer (SQLite refuses to bind it).
        except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
            raise Http404("未找到该记录，或您无权查看") from None
        # Read through the scope: its allowed actions need not ask the database again.
        self._inside.add((type(row), row.pk))
        return row

    def contains(self, obj: Model) -> bool:
        if (type(obj), obj.pk) in self._inside:
            return True
        return self.filter(type(obj).objects.filter(pk=obj.pk)).exists()

    def vouch(self, rows: Any) -> None:
        """Remember rows read through :meth:`filter` in this request as inside the scope."""
        self._inside.update((type(r), r.pk) for r in rows)

    # Reference data visible for filters and forms -------------------------
    @cached_property
    def divisions(self) -> QuerySet[Division]:
        if self.is_duty_admin:
            return Division.objects.none()
        if self.role == Role.ADMIN and self.division is None:
            return Division.objects.all()
        if self.division is not None:
            return Division.objects.filter(path__startswith=self.division.path)
        # Units, cadres and enterprises pick among their district's places; the rows
        # they see are still limited by their own unit, person or enterprise.
        home = None
        if self.unit is not None:
            home = self.unit.division
        elif self.person is not None:
            home = self.person.division
        elif self.enterprise is not None:
            home = self.enterprise.division
        if home is None:
            return Division.objects.none()
        base = home.district() or home
        return Division.objects.filter(path__startswith=base.path)

    @cached_property
    def units(self) -> QuerySet[Unit]:
        if self.role == Role.UNIT and self.unit is not None:
            return Unit.objects.filter(pk=self.unit.pk)
        return Unit.objects.filter(division__in=self.divisions)

    def division_by_ref(self, ref: str) -> Division:
        """A division by code or exact name, inside scope; 404 otherwise."""
        ref = (ref or "").strip()
        qs = self.divisions.filter(Q(code=ref) | Q(name=ref))
        found = list(qs[:2])
        if not found and ref:
            # A name written without its city's, as reports write it: 城乡一体化示范区 for
            # 平顶山市城乡一体化示范区 (the city is the division's parent).
            tail = self.divisions.filter(name__endswith=ref).select_related("parent")[:5]
            found = [d for d in tail if d.parent and d.name == d.parent.name + ref]
        if not found:
            raise Http404(f"未找到区划「{ref}」，或您无权查看")
        if len(found) > 1:
            # The same town name can exist in two districts: the shallowest match wins.
            found.sort(key=lambda d: len(d.path))
        return found[0]


def scope_of(request_or_user: Any) -> Scope:
    """Cached per request so a page builds the scope once."""
    user = getattr(request_or_user, "user", request_or_user)
    holder = request_or_user if hasattr(request_or_user, "user") else None
    if holder is not None:
        cached = getattr(holder, "_taizhang_scope", None)
        if cached is not None and cached.user is user:
            return cached
    scope = Scope(user)
    if holder is not None:
        holder._taizhang_scope = scope
    return scope


# core's own models; every other app registers its models beside their definitions.
register(AuditEntry, ScopeRule(division="division_path"))
register(Unit, ScopeRule(division="division__path", units=("pk",)))
register(Person, ScopeRule(division="division__path", units=("unit",), people=("pk",)))
