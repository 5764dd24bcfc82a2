"""`python -m taizhang.lib.extract FILE …` mirrors `taizhang extract FILE …`."""

from __future__ import annotations

import sys

from . import cli_main

if __name__ == "__main__":
    raise SystemExit(cli_main(sys.argv[1:]))
