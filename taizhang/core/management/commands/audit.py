"""`taizhang audit verify|anchor|purge`: the audit chain from the command line (docs/security-audit.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taizhang.core import audit_events, chain
from taizhang.core.context import origin


class Command(BaseCommand):
    help = "审计日志哈希链：verify 校验、anchor 输出链头锚点、purge 清理超过保留期的记录"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        v = sub.add_parser("verify", help="逐条校验哈希链，报告第一处断链（断链时退出码非零）")
        v.add_argument("--anchor", help="此前保存的锚点文件（JSON），核对其所指条目仍在链上")
        a = sub.add_parser("anchor", help="输出链头（日期、编号、哈希），供督查室另行保存")
        a.add_argument("-o", "--output", help="写入该文件（追加一行 JSON），不写则打印")
        p = sub.add_parser("purge", help="删除某日期以前的记录（不得短于保留期）")
        p.add_argument("--before", required=True, help="YYYY-MM-DD：删除此日期以前的记录")

    def handle(self, *args, what: str, **opts) -> None:
        getattr(self, f"_{what}")(**opts)

    def _verify(self, anchor: str | None = None, **opts) -> None:
        point = None
        if anchor:
            point = _read_anchor(anchor)
        verdict = chain.verify(point)
        if not verdict.ok:
            raise CommandError(verdict.message(), returncode=2)
        self.stdout.write(verdict.message())
        if point is not None:
            self.stdout.write(f"锚点 #{point.get('id')}（{point.get('date', '')}）核对一致")

    def _anchor(self, output: str | None = None, **opts) -> None:
        line = json.dumps(chain.anchor(), ensure_ascii=False)
        if output:
            with Path(output).open("a", encoding="utf-8") as f:
                f.write(line + "\n")
            self.stdout.write(f"锚点已追加到 {output}")
        else:
            self.stdout.write(line)

    def _purge(self, before: str, **opts) -> None:
        try:
            day = dt.date.fromisoformat(before)
        except ValueError as e:
            raise CommandError("日期格式应为 YYYY-MM-DD") from e
        try:
            with origin("command"):
                done = chain.purge(day)
                if done.count:
                    audit_events.record_event(
                        None,
                        verb="清理审计日志",
                        object_type="core.auditchain",
                        object_id=chain.CHAIN_PK,
                        object_repr="审计日志",
                        division_path="",
                        details={
                            "清理此日期以前": day.isoformat(),
                            "条数": done.count,
                            "至编号": done.through_id,
                            "新链起点": done.start_hash,
                        },
                    )
        except ValueError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已清理 {done.count} 条；链起点 #{done.through_id} {done.start_hash}")


def _read_anchor(path: str) -> dict:
    """The last line of an anchor file (anchors are appended one JSON object a line)."""
    try:
        lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
        found = json.loads(lines[-1])
    except (OSError, IndexError, ValueError) as e:
        raise CommandError(f"无法读取锚点文件 {path}：{e}") from e
    if not isinstance(found, dict) or "hash" not in found:
        raise CommandError(f"锚点文件 {path} 格式不正确")
    return found
