"""What every import kind provides: its columns, row validation, and how it writes rows."""

from __future__ import annotations

import datetime as dt
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from taizhang.core.divisions import district_of, within
from taizhang.core.errors import messages_of
from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import Scope
from taizhang.imports.reading import cell_text, hkey, hkey_bare
from taizhang.lib.amounts import AmountError, DateParseError, parse_amount, parse_date
from taizhang.lib.names import did_you_mean

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass(frozen=True)
class Col:
    key: str
    label: str  # the template's header
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[str, ...] = ()  # shown as a drop-down list in the template
    example: Any = ""
    width: int = 14


class RowError(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class RowResult:
    row: int  # as numbered in the sheet
    cells: list[Any]  # the original cells, for the error report
    values: dict[str, Any] = field(default_factory=dict)  # raw cell per column key
    action: str = CREATE
    key: Any = None
    label: str = ""  # a readable name of the record for the preview
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # column, value, reason
    payload: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # labels of changed fields on update

    def error(self, column: str, value: Any, reason: str) -> None:
        self.errors.append((column, cell_text(value), reason))
        self.action = ERROR


def norm(text: Any) -> str:
    """Names compared the way people type them: full-width folded, spaces dropped."""
    return unicodedata.normalize("NFKC", cell_text(text)).replace(" ", "").replace("\u3000", "")


class Importer(ABC):
    """One kind of sheet. Kinds with a batched path for large files also define
    `commit_bulk(rows, progress)`; the engine uses it above IMPORT_BULK_THRESHOLD."""

    kind: ClassVar[str]
    label: ClassVar[str]
    key_label: ClassVar[str]
    columns: ClassVar[list[Col]]
    key_columns: ClassVar[tuple[str, ...]] = ()  # cells that show the key in messages
    options_help: ClassVar[dict[str, str]] = {}

    def __init__(self, scope: Scope, options: dict[str, Any] | None = None) -> None:
        self.scope = scope
        self.options = options or {}
        self.units: dict[str, str] = {}  # column key → unit of amounts from the header

    # Columns ------------------------------------------------------------------
    @classmethod
    def col(cls, key: str) -> Col:
        return next(c for c in cls.columns if c.key == key)

    @classmethod
    def auto_field(cls, header: str) -> str | None:
        """The column a header text names, without remembered mappings."""
        k, bare = hkey(header), hkey_bare(header)
        for c in cls.columns:
            names = (c.label, *c.aliases)
            if k in {hkey(n) for n in names}:
                return c.key
        for c in cls.columns:
            names = (c.label, *c.aliases)
            if bare and bare in {hkey_bare(n) for n in names}:
                return c.key
        return None

    @classmethod
    def managed_lists(cls, scope: Scope) -> dict[str, list[str]]:
        """Column key → the names the system manages for it (units, chains, categories),
        offered as drop-downs in the template; kinds override it for their columns."""
        return {}

    @staticmethod
    def unit_names(scope: Scope) -> list[str]:
        return sorted({u.name for u in scope.units.only("name")})

    # Lifecycle ------------------------------------------------------------------
    def prepare(self, rows: list[RowResult]) -> None:
        """Load everything the rows refer to in a few queries (optional hook)."""
        return None

    @abstractmethod
    def validate(self, r: RowResult) -> None:
        """Check one row and fill r.payload, r.key and r.action; raise RowError."""

    def finish(self, rows: list[RowResult]) -> None:
        """Checks across rows after each row was validated on its own (optional hook)."""
        return None

    @abstractmethod
    def commit_one(self, r: RowResult) -> None:
        """Write one valid row through the module's do_* function."""

    # Cell helpers -------------------------------------------------------------
    def raw(self, r: RowResult, key: str) -> Any:
        return r.values.get(key)

    # The cell helpers below record a bad cell on the row and go on (returning None or ""),
    # so one upload reports every mistake of every row instead of one per row per round.
    def bad(self, r: RowResult, key_or_label: str, raw: Any, reason: str) -> None:
        label = next((c.label for c in self.columns if c.key == key_or_label), key_or_label)
        r.error(label, raw, reason)
        return None

    def text(self, r: RowResult, key: str, *, required: bool = False, max_len: int = 0) -> str:
        value = cell_text(self.raw(r, key))
        if required and not value:
            self.bad(r, key, value, f"请填写{self.col(key).label}")
        elif max_len and len(value) > max_len:
            self.bad(r, key, value, f"不能超过{max_len}字（现有{len(value)}字）")
        return value

    def code(self, r: RowResult, key: str, *, required: bool = False) -> str:
        value = unicodedata.normalize("NFKC", self.text(r, key, required=required)).strip()
        return value.upper() if key == "credit_code" else value

    def amount(self, r: RowResult, key: str, *, required: bool = False) -> Decimal | None:
        raw = self.raw(r, key)
        label = self.col(key).label
        if cell_text(raw) == "":
            if required:
                return self.bad(r, key, raw, f"请填写{label}")
            return None
        try:
            value = parse_amount(raw, self.units.get(key, "万元"))
        except (AmountError, ValueError):
            return self.bad(
                r, key, raw, f"无法识别的金额「{cell_text(raw)}」（如 3500、3500万元、1.2亿）"
            )
        if value < 0:
            return self.bad(r, key, raw, f"{label}不能为负数")
        return value.quantize(Decimal("0.01"))

    def integer(
        self, r: RowResult, key: str, lo: int, hi: int, *, required: bool = False
    ) -> int | None:
        raw = self.raw(r, key)
        label = self.col(key).label
        text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
        for suffix in ("年度", "年", "月份", "月"):
            if text.endswith(suffix):
                text = text[: -len(suffix)]
        if text == "":
            if required:
                return self.bad(r, key, raw, f"请填写{label}")
            return None
        try:
            value = int(Decimal(text))
        except Exception:
            return self.bad(r, key, raw, f"{label}必须是数字，收到「{cell_text(raw)}」")
        if not lo <= value <= hi:
            return self.bad(r, key, raw, f"{label}「{value}」不合理，应在{lo}—{hi}之间")
        return value

    def date(self, r: RowResult, key: str, *, required: bool = False) -> dt.date | None:
        raw = self.raw(r, key)
        label = self.col(key).label
        if cell_text(raw) == "":
            if required:
                return self.bad(r, key, raw, f"请填写{label}")
            return None
        try:
            return parse_date(raw)
        except DateParseError:
            return self.bad(
                r,
                key,
                raw,
                f"无法识别的日期「{cell_text(raw)}」（如 2026-03-05、2026.3.5、2026年3月5日）",
            )

    def choice(
        self, r: RowResult, key: str, choices: dict[str, str], *, required: bool = False
    ) -> str | None:
        raw = self.raw(r, key)
        label = self.col(key).label
        text = norm(raw)
        if text == "":
            if required:
                return self.bad(r, key, raw, f"请填写{label}")
            return None
        if text in choices:
            return choices[text]
        # Codes are accepted but never offered: the list shows the labels people read.
        codes = set(choices.values())
        shown = [k for k in dict.fromkeys(choices) if k not in codes] or list(choices)
        return self.bad(
            r,
            key,
            raw,
            f"{label}「{text}」无效，应为：{'、'.join(shown)}{did_you_mean(text, shown)}",
        )


class Refs:
    """Divisions, units and people by name, split into those in the user's scope and the rest."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.divisions_in = {d.pk: d for d in scope.divisions}
        self.division_by_ref: dict[str, list[Division]] = {}
        for d in Division.objects.all():
            for ref in {norm(d.code), norm(d.name)}:
                self.division_by_ref.setdefault(ref, []).append(d)
        units_in = {u.pk for u in scope.units}
        self.unit_by_name: dict[str, list[Unit]] = {}
        for u in Unit.objects.select_related("division"):
            u.in_scope = u.pk in units_in  # type: ignore[attr-defined]
            self.unit_by_name.setdefault(norm(u.name), []).append(u)
        self.person_by_name: dict[str, list[Person]] = {}
        for p in Person.objects.select_related("division"):
            self.person_by_name.setdefault(norm(p.name), []).append(p)

    def division(self, label: str, raw: Any, default: Division | None) -> Division:
        text = norm(raw)
        if not text:
            if default is None:
                raise RowError(label, raw, f"请填写{label}")
            return default
        found = self.division_by_ref.get(text)
        if not found:
            raise RowError(label, raw, f"区划「{text}」不存在")
        inside = [d for d in found if d.pk in self.divisions_in]
        if not inside:
            raise RowError(label, raw, f"区划「{text}」不在您的管辖范围内")
        return sorted(inside, key=lambda d: len(d.path))[0]

    def unit(self, label: str, raw: Any, near: Division | None) -> Unit:
        text = norm(raw)
        if not text:
            raise RowError(label, raw, f"请填写{label}")
        found = self.unit_by_name.get(text)
        if not found:
            names = [n for n, us in self.unit_by_name.items() if any(u.in_scope for u in us)]  # type: ignore[attr-defined]
            raise RowError(
                label,
                raw,
                f"单位「{text}」不存在，请先在系统中添加该单位或核对名称{did_you_mean(text, names)}",
            )
        inside = [u for u in found if u.in_scope]  # type: ignore[attr-defined]
        if not inside:
            raise RowError(label, raw, f"单位「{text}」不在您的管辖范围内")
        if near is not None:
            # The one division rule (core.divisions): a unit of another district is refused
            # here with the row's message, even for an admin who may see both districts.
            inside = [u for u in inside if within(near, u)]
            if not inside:
                raise RowError(label, raw, f"单位「{text}」不属于{district_of(near).name}")
        return inside[0]

    def person(self, label: str, raw: Any, near: Division | None) -> Person | None:
        text = norm(raw)
        if not text:
            return None
        found = self.person_by_name.get(text, [])
        if near is not None:
            found = [p for p in found if within(near, p)]
        if not found:
            raise RowError(label, raw, f"人员「{text}」不存在或不属于本区")
        if len(found) > 1:
            leaders = [p for p in found if p.is_leader]
            if len(leaders) == 1:
                return leaders[0]
            raise RowError(label, raw, f"有{len(found)}位同名人员「{text}」，请在系统中核对后导入")
        return found[0]


def service_errors(r: RowResult, e: ValidationError, labels: dict[str, str]) -> None:
    """A do_* function's ValidationError as row errors under the sheet's column names.

    A column the cell helpers already refused is not reported twice.
    """
    refused = {col for col, _v, _reason in r.errors}
    for fld, messages in messages_of(e).items():
        column = labels.get(fld, "")
        if column and column in refused:
            continue
        for m in messages:
            r.error(column, r.values.get(fld, ""), m)
