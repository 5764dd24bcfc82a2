"""Time the one export renderer on 100,000 ledger rows (target: under 10 s on this machine).

Run: .venv/bin/python bench/bench_export.py [ROWS]
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from taizhang.exports.render import Column, Table, to_csv, to_xlsx  # noqa: E402


def rows(n: int):
    for i in range(n):
        yield [
            f"WQ2022{i:06d}",
            f"企业（合成）{i % 997}号",
            "融资",
            "区发展和改革委员会",
            dt.date(2022, 1 + i % 12, 1 + i % 28),
            Decimal(i % 100000) / 100,
            87.5 + (i % 10),
            "办理中",
            "=可疑内容" if i % 1000 == 0 else "按期推进",
        ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    cols = [
        Column("编号"),
        Column("企业"),
        Column("类别"),
        Column("主办单位"),
        Column("交办日期", "date"),
        Column("金额（万元）", "money"),
        Column("完成率", "rate"),
        Column("状态"),
        Column("备注"),
    ]
    for name, fn in (("xlsx", to_xlsx), ("csv", to_csv)):
        t0 = time.perf_counter()
        data = fn(
            Table("问题台账", cols, rows(n), unit_name="山城区督查室", as_of=dt.date(2022, 9, 30))
        )
        took = time.perf_counter() - t0
        print(
            f"export {name}: {n} rows in {took:.2f} s ({n / took:,.0f} rows/s), {len(data) / 1e6:.1f} MB"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
