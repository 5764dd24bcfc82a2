"""parse → map columns → validate every row → preview → commit in one transaction.

The web job, the CLI, the API and the benchmark all run `analyse` and `commit` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from taizhang.core.context import origin
from taizhang.core.errors import ConflictError, messages_of
from taizhang.core.scope import Scope
from taizhang.imports.conf import limit
from taizhang.imports.kinds.base import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    Importer,
    RowError,
    RowResult,
)
from taizhang.imports.models import ColumnMapping
from taizhang.imports.reading import ReadError, Sheet, cell_text, hkey, read_sheet

Progress = Callable[[int, int], None]


def _kinds() -> dict[str, type[Importer]]:
    from taizhang.imports.kinds.bonds import BondImporter
    from taizhang.imports.kinds.civility import CivilityStandardImporter
    from taizhang.imports.kinds.enterprises import EnterpriseImporter, LiaisonImporter
    from taizhang.imports.kinds.meetings import MeetingImporter
    from taizhang.imports.kinds.petitions import PetitionImporter
    from taizhang.imports.kinds.problems import ProblemImporter
    from taizhang.imports.kinds.projects import ProjectImporter, ReportImporter
    from taizhang.imports.kinds.service_cases import ServiceCaseImporter
    from taizhang.imports.kinds.tasks import TaskImporter

    return {
        k.kind: k
        for k in (
            ProjectImporter,
            ReportImporter,
            EnterpriseImporter,
            LiaisonImporter,
            ProblemImporter,
            TaskImporter,
            PetitionImporter,
            CivilityStandardImporter,
            ServiceCaseImporter,
            BondImporter,
            MeetingImporter,
        )
    }


def kinds() -> dict[str, type[Importer]]:
    return _kinds()


def importer_for(kind: str) -> type[Importer]:
    try:
        return _kinds()[kind]
    except KeyError:
        raise ReadError(f"不支持的导入类型「{kind}」，可选：{'、'.join(_kinds())}") from None


class CommitError(Exception):
    """A row failed while writing; the whole import was rolled back."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(f"第{row}行：{message}")
        self.row, self.message = row, message


@dataclass
class Analysis:
    kind: str
    sheet: Sheet
    columns: list[tuple[str, str | None]]  # (header, field key or None) per sheet column
    missing: list[str] = field(default_factory=list)  # labels of required columns not found
    rows: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, ERROR: 0}
        for r in self.rows:
            out[r.action] += 1
        out["total"] = len(self.rows)
        out["notes"] = self.sheet.skipped_notes
        return out

    @property
    def errors(self) -> list[tuple[int, str, str, str]]:
        return [(r.row, *e) for r in self.rows for e in r.errors]

    def preview(self, sample: int = 100) -> dict[str, Any]:
        imp = importer_for(self.kind)
        labels = {c.key: c.label for c in imp.columns}
        return {
            "kind": self.kind,
            "kind_label": imp.label,
            "columns": [
                {"header": h, "field": f or "", "label": labels.get(f or "", "")}
                for h, f in self.columns
                if h
            ],
            "header_rows": self.sheet.header_rows,
            "missing": self.missing,
            "counts": self.counts,
            "errors": [
                {"row": row, "column": col, "value": val, "reason": reason}
                for row, col, val, reason in self.errors[:500]
            ],
            "create": [{"row": r.row, "label": r.label} for r in self.rows if r.action == CREATE][
                :sample
            ],
            "update": [
                {"row": r.row, "label": r.label, "changes": "、".join(r.changes)}
                for r in self.rows
                if r.action == UPDATE
            ][:sample],
        }


def remembered(kind: str) -> dict[str, str]:
    return dict(ColumnMapping.objects.filter(kind=kind).values_list("header", "field"))


def remember(kind: str, mapping: dict[str, str]) -> None:
    """Keep a user's header → column choices for the next file with the same headers."""
    imp = importer_for(kind)
    valid = {c.key for c in imp.columns}
    for header, fld in mapping.items():
        key = hkey(header)
        if not key or imp.auto_field(header) == fld:
            continue
        if fld in valid:
            ColumnMapping.objects.update_or_create(
                kind=kind, header=key[:120], defaults={"field": fld}
            )
        elif fld == "":
            ColumnMapping.objects.filter(kind=kind, header=key[:120]).delete()


def analyse(
    kind: str,
    scope: Scope,
    data: bytes,
    filename: str,
    *,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> tuple[Analysis, Importer]:
    """Read the file and validate every row; nothing is written."""
    scope.require_manage()
    imp_cls = importer_for(kind)
    chosen = {hkey(h): f for h, f in (mapping or {}).items()}
    memory = remembered(kind)

    def field_of(header: str) -> str | None:
        k = hkey(header)
        if k in chosen:
            return chosen[k] or None
        if k in memory:
            return memory[k]
        return imp_cls.auto_field(header)

    sheet = read_sheet(data, filename, lambda h: field_of(h) is not None)
    columns: list[tuple[str, str | None]] = []
    taken: set[str] = set()
    for h in sheet.headers:
        f = field_of(h) if h else None
        if f in taken:
            f = None  # the first column with a name wins
        if f:
            taken.add(f)
        columns.append((h, f))
    imp = imp_cls(scope, options)
    imp.mapped = taken  # type: ignore[attr-defined]
    for h, f in columns:
        if f and "亿元" in h:
            imp.units[f] = "亿元"
        elif f and ("(元)" in hkey(h) or "（元）" in h):
            imp.units[f] = "元"
    analysis = Analysis(kind=kind, sheet=sheet, columns=columns)
    analysis.missing = [c.label for c in imp_cls.columns if c.required and c.key not in taken]
    if kind == "reports" and not taken & {"amount", "cumulative"}:
        analysis.missing.append("当月完成投资（万元）或累计完成投资（万元）")
    if analysis.missing:
        return analysis, imp
    index = [(i, f) for i, (_h, f) in enumerate(columns) if f]
    rows = []
    for number, cells in sheet.rows:
        values = {f: (cells[i] if i < len(cells) else None) for i, f in index}
        rows.append(RowResult(row=number, cells=cells, values=values))
    analysis.rows = rows
    imp.prepare(rows)
    seen: dict[Any, int] = {}
    total = len(rows)
    for n, r in enumerate(rows, 1):
        try:
            imp.validate(r)
        except RowError as e:
            r.error(e.column, e.value, e.reason)
        except (TypeError, AttributeError, ValueError, ValidationError):
            # The cell helpers record a bad cell and go on with None; a check further on
            # may then trip over that None. The row already says what is wrong with it.
            if not r.errors:
                raise
        if r.errors:
            r.action = ERROR  # validate may have set an action before a later cell failed
        if r.action != ERROR and r.key is not None:
            first = seen.get(r.key)
            if first is not None:
                r.error(
                    imp_cls.key_label,
                    _key_text(r, imp_cls),
                    f"与第{first}行重复（同一{imp_cls.key_label}在表中出现两次）",
                )
            else:
                seen[r.key] = r.row
        if progress and n % 2000 == 0:
            progress(n, total)
    imp.finish(rows)
    if progress:
        progress(total, total)
    return analysis, imp


def _key_text(r: RowResult, imp_cls: type[Importer]) -> str:
    parts = [cell_text(r.values.get(k)) for k in imp_cls.key_columns]
    return " ".join(p for p in parts if p)


def write(analysis: Analysis, imp: Importer, progress: Progress | None = None) -> dict[str, int]:
    """Write the valid rows; call inside the import transaction (see `run`)."""
    todo = [r for r in analysis.rows if r.action in (CREATE, UPDATE)]
    progress = progress or (lambda done, total: None)
    commit_bulk = getattr(imp, "commit_bulk", None)
    if commit_bulk is not None and len(todo) >= limit("IMPORT_BULK_THRESHOLD"):
        commit_bulk(todo, progress)
    else:
        for n, r in enumerate(todo, 1):
            try:
                imp.commit_one(r)
            except ValidationError as e:
                msgs = [m for ms in messages_of(e).values() for m in ms]
                raise CommitError(r.row, "；".join(msgs) or "数据无效") from None
            except (PermissionDenied, ConflictError) as e:
                raise CommitError(r.row, str(e) or "无权执行此操作") from None
            if n % 100 == 0:
                progress(n, len(todo))
        progress(len(todo), len(todo))
    return analysis.counts


def run(
    kind: str,
    scope: Scope,
    data: bytes,
    filename: str,
    *,
    commit: bool = False,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    progress: Progress | None = None,
    on_validated: Callable[[Analysis], None] | None = None,
) -> Analysis:
    """Validate, and with commit=True write every valid row in one transaction.

    On commit the rows are validated again inside the transaction, so the preview
    the user saw cannot go stale between preview and commit.
    """
    if not commit:
        return analyse(
            kind, scope, data, filename, mapping=mapping, options=options, progress=progress
        )[0]
    with origin("import"), transaction.atomic():
        analysis, imp = analyse(
            kind,
            scope,
            data,
            filename,
            mapping=mapping,
            options=options,
            progress=(lambda d, t: progress(d, 2 * t)) if progress else None,
        )
        if analysis.missing:
            raise ReadError("缺少必填列：" + "、".join(analysis.missing))
        if on_validated:
            on_validated(analysis)
        total = len(analysis.rows)
        write(
            analysis,
            imp,
            (lambda d, t: progress(total + d * total // max(t, 1), 2 * total))
            if progress
            else None,
        )
    return analysis
