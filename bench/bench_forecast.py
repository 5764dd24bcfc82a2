"""Back-test of the year-end forecast on the demo's history (issue 15).

    .venv/bin/python bench/bench_forecast.py

Loads the demo into a throw-away SQLite database, then for 山城区's key-project list forecasts
each year's end from each month (seeing only earlier years, as the dashboard would) and
prints, per month of forecast, the mean absolute error in percentage points of the method
actually used (seasonal index, or the linear pace when fewer than two full past years
exist) and of the linear pace alone, against how the year really ended.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TAIZHANG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
os.environ.pop("DATABASE_URL", None)
os.environ["TAIZHANG_DATA_DIR"] = tempfile.mkdtemp(prefix="tz-bench-forecast-")
warnings.filterwarnings("ignore", message="No directory at")

DIVISION = "410603"


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from taizhang.core.models import Division
    from taizhang.core.scope import Scope
    from taizhang.demo import load as demo
    from taizhang.projects.forecast import backtest, mean_abs_error

    call_command("migrate", verbosity=0)
    demo.load()
    scope = Scope(get_user_model().objects.get(username="admin"))
    division = Division.objects.get(code=DIVISION)
    years = list(range(2022, timezone.localdate().year))
    rows = backtest(scope, division, years)
    print(f"{division.name} 重点项目清单（全部级别），回测年度：{sorted({r.year for r in rows})}")
    for year in sorted({r.year for r in rows}):
        yr = [r for r in rows if r.year == year]
        print(
            f"  {year}: 实际完成 {yr[0].actual_pct}% ，方法 {yr[0].method}"
            f"（往年 {yr[0].history_years or '—'}）"
        )
    used = mean_abs_error(rows)
    linear = mean_abs_error(rows, "linear_pct")
    seasonal_rows = [r for r in rows if r.method == "seasonal"]
    seasonal = mean_abs_error(seasonal_rows)
    seasonal_linear = mean_abs_error(seasonal_rows, "linear_pct")
    print("预测月份  所用方法MAE(百分点)  线性MAE  | 仅季节指数年度: 季节MAE  线性MAE")
    for m in range(1, 13):
        print(
            f"{m:>6}月  {used.get(m, '—'):>10}  {linear.get(m, '—'):>10}  |"
            f"  {seasonal.get(m, '—'):>10}  {seasonal_linear.get(m, '—'):>8}"
        )


if __name__ == "__main__":
    main()
