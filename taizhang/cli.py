"""The `taizhang` console command: Django's management commands under one name.

`taizhang extract` runs without Django so that a clerk can use it on any text
file without a database.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "extract":
        from taizhang.lib.extract import cli_main

        raise SystemExit(cli_main(args[1:]))
    if args and args[0] == "demo":
        # The demo runs on loopback with an embedded database; no secret needs configuring.
        os.environ.setdefault("TAIZHANG_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["taizhang", *args])


if __name__ == "__main__":
    main()
