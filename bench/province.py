"""Province scale (issue 13): generate a province into PostgreSQL, then time every page of
the issue's table through gunicorn next to the bare SQL that answers the same question.

    .venv/bin/python bench/province.py load --db postgres://postgres@127.0.0.1:55432/province_x --scale 0.05
    .venv/bin/python bench/province.py run --db postgres://postgres@127.0.0.1:55432/province_x [--district 410102]
    .venv/bin/python bench/province.py sqlite [--projects 2000 --problems 50000]

The code is the package bench/province/ (which this script's directory puts first on the
path, so `import province` is the package, not this file); docs/province.md says more.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from province.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
