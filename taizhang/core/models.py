"""Organisation, people, roles, audit log, calendar overrides and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.lib.pinyin import search_key


class Division(models.Model):
    """An administrative division; `path` makes subtree queries one indexed prefix match."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区/县")
        TOWN = "town", _("乡/镇/街道")
        VILLAGE = "village", _("村/社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    # "{name} {initials} {pinyin}" for the searchable picker (web/pick.py); kept in step
    # with the name in save(), so the admin, the demo and fixtures all fill it.
    search_key = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names = []
        node: Division | None = self
        while node is not None and node.level not in {self.Level.PROVINCE}:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def subtree(self) -> models.QuerySet[Division]:
        return Division.objects.filter(path__startswith=self.path)

    def district(self) -> Division | None:
        node: Division | None = self
        while node is not None:
            if node.level == self.Level.DISTRICT:
                return node
            node = node.parent
        return None


class UnitKind(models.TextChoices):
    """What a unit is: a department, a town, a park committee."""

    DEPARTMENT = "department", _("区直部门")
    TOWN = "town", _("乡镇/街道")
    PARK = "park", _("园区管委会")
    OTHER = "other", _("其他")


class Unit(models.Model):
    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    name = models.CharField(_("单位名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=UnitKind.choices)
    search_key = models.CharField(max_length=400, blank=True, editable=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["division__path", "kind", "name"]
        constraints = [models.UniqueConstraint("division", "name", name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)


class Person(models.Model):
    name = models.CharField(_("姓名"), max_length=40)
    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    position = models.CharField(_("职务"), max_length=80, blank=True)
    is_leader = models.BooleanField(_("县级领导"), default=False)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    search_key = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["division__path", "-is_leader", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）" if self.position else self.name

    def save(self, *args, **kwargs) -> None:
        # bulk_create skips save(): callers writing people in bulk set search_key themselves.
        self.search_key = search_key(self.name)
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    LEADER = "leader", _("区领导")
    SUPERVISOR = "supervisor", _("督查室")
    UNIT = "unit", _("单位工作人员")
    CADRE = "cadre", _("包联干部")
    ENTERPRISE = "enterprise", _("企业用户")
    # The business administrator of a division (or of everything): every business record,
    # no account or audit duties. It was labelled 系统管理员 before 三权分立 gave that name
    # to the account administrator below.
    ADMIN = "admin", _("业务管理员")
    # 三权分立 (GB/T 22239-2019 level 3): three administrators who see no business data.
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


# The three administrator roles of 三权分立; an account holds at most one of them.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class Profile(models.Model):
    """The one place that says who a user is in the organisation; scope derives from it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self) -> str:
        return f"{self.user.username} · {self.get_role_display()}"


class AccountSecurity(models.Model):
    """Password age and the forced-change flag of one account (no row: never reset by an admin).

    Kept beside the user rather than on Profile: the installation superuser has no profile
    and still needs a password policy.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security"
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("账号安全状态")
        verbose_name_plural = _("账号安全状态")

    def __str__(self) -> str:
        return f"{self.user} · {'须改密' if self.must_change_password else '正常'}"


class PasswordHistory(models.Model):
    """Hashes of an account's earlier passwords, so the last few cannot be reused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.set_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Recent failed logins of one username: each further try waits a growing delay.

    Keyed by the typed username (it need not exist), so guessing names reveals nothing.
    A delay, never a lock: the owner's correct password works once the delay has passed.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    # Indexed: rows past the window are purged on each failure (random names must not pile up).
    last_failure = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")

    def __str__(self) -> str:
        return f"{self.username} × {self.failures}"


# The function that links new entries into the hash chain: set by taizhang.core.chain when
# the core app is ready, so this module does not import the chain (which imports it).
AUDIT_LINKER: list = []


class AuditEntry(models.Model):
    """Append-only record of a change to business data. The app never updates or deletes one."""

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        ACTION = "action", _("操作")

    class Source(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口")
        IMPORT = "import", _("导入")
        COMMAND = "command", _("命令行")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # DO_NOTHING without a database constraint: deleting a user must not UPDATE its entries
    # (that would break their hashes); the id and actor_name stay as they were written.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    verb = models.CharField(_("说明"), max_length=120, blank=True)
    object_type = models.CharField(max_length=60, db_index=True)
    object_id = models.CharField(max_length=40, db_index=True)
    object_repr = models.CharField(max_length=200)
    division_path = models.CharField(max_length=255, db_index=True, blank=True)
    # The record a child row belongs to (a milestone's project), so one trail shows both.
    root_type = models.CharField(max_length=60, blank=True)
    root_id = models.CharField(max_length=40, blank=True)
    changes = models.JSONField(default=dict)
    # The hash chain (core/chain.py): hash = sha256(canonical content + prev_hash).
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["root_type", "root_id", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志不可修改")
        from django.db import transaction

        if not AUDIT_LINKER:
            raise RuntimeError("审计哈希链未加载（taizhang.core.chain）")
        # The head is locked until the caller's transaction ends, so entries link in id order.
        with transaction.atomic():
            values = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
            AUDIT_LINKER[0]([values])
            self.prev_hash, self.hash = values["prev_hash"], values["hash"]
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise PermissionError("审计日志不可删除")


class AuditChain(models.Model):
    """The one row that holds the audit chain's head; appending locks it (core/chain.py)."""

    head_hash = models.CharField(max_length=64)
    # Where the chain starts: the genesis value, or after a purge the last purged entry's hash.
    start_hash = models.CharField(max_length=64)
    purged_through = models.BigIntegerField(null=True, blank=True)
    purged_before = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("审计链")
        verbose_name_plural = _("审计链")

    def __str__(self) -> str:
        return self.head_hash


class CalendarOverride(models.Model):
    """A correction to the State Council calendar, e.g. a local holiday or next year's notice."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"


class CalendarYear(models.Model):
    """A year whose State Council holiday notice the office has entered (overrides saved).

    Deadlines counted through a year the calendar library does not know are 未确认
    until the year is confirmed here.
    """

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    confirmed_by_notice = models.BooleanField(_("已按通知确认"), default=False)
    notice_text = models.TextField(_("通知全文"), blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("放假安排年度")
        verbose_name_plural = _("放假安排年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年{'已确认' if self.confirmed_by_notice else '未确认'}"


class Workday(models.Model):
    """The working-day calendar as a table, so SQL can count working days.

    ``ordinal`` = working days on or before ``date``, counted from the table's first
    day; working days in (a, b] = ordinal(b) - ordinal(a). Derived data: refilled
    from the calendar (library, statutory fallback, overrides) by
    taizhang.core.calendar.refill_workdays, never edited by hand.
    """

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    ordinal = models.PositiveIntegerField(_("累计工作日序号"))
    confirmed = models.BooleanField(_("已确认"))

    class Meta:
        verbose_name = _("工作日表")
        verbose_name_plural = _("工作日表")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} #{self.ordinal}"


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("名称"), max_length=60)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    # Null only on tokens issued before expiry existed; new ones always expire.
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    read_only = models.BooleanField(_("只读"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user, name: str, *, days: int | None = None, read_only: bool = False
    ) -> tuple[ApiToken, str]:
        """A new token and its raw value (shown once). Audited callers use core.tokens.do_issue_token."""
        import datetime as dt

        if days is None:
            days = int(settings.TAIZHANG.get("TOKEN_DAYS", 90))
        raw = "tz_" + secrets.token_urlsafe(32)
        made = cls.objects.create(
            user=user,
            name=name,
            digest=cls.hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=days),
            read_only=read_only,
        )
        return made, raw

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class ReportingPeriod(models.Model):
    """The month a division is currently reporting on; dashboards open on it.

    The supervision office moves it forward when a month's reports are closed,
    so everyone looks at the same period instead of a half-reported current month.
    """

    division = models.OneToOneField(Division, on_delete=models.CASCADE, verbose_name=_("区划"))
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))

    class Meta:
        verbose_name = _("当前报告期")
        verbose_name_plural = _("当前报告期")

    def __str__(self) -> str:
        return f"{self.division} {self.year}年{self.month}月"


class UsedFormToken(models.Model):
    """One-time tokens of create forms that have been submitted once.

    A form carries a random token; the create that succeeds inserts it here in its own
    transaction, so the unique key refuses a second submission of the same page (browser
    Back then submit) even when two requests race, and a refused create keeps the token
    usable. Rows older than a week are deleted by the next create (web/forms/base.py)."""

    token = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("已提交表单")
        verbose_name_plural = _("已提交表单")

    def __str__(self) -> str:
        return self.token
