"""The command line of bench/province.py."""

from __future__ import annotations

import argparse

import province
from province.load import cmd_load
from province.run import cmd_run
from province.sqlite import cmd_sqlite


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=province.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load", help="generate a province into a new PostgreSQL database")
    p.add_argument("--db", required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    p = sub.add_parser("run", help="time the issue's cases through gunicorn")
    p.add_argument("--db", required=True)
    p.add_argument("--district", help="district code (default: the one with most problems)")
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120, help="client timeout, seconds")
    p.add_argument("--worker-timeout", type=int, default=30, help="gunicorn --timeout")
    p.add_argument("--budget", type=float, default=90, help="seconds per case before runs are cut")
    p.add_argument("--only", help="regex: run only the cases whose name matches")
    p.add_argument(
        "--wrk",
        type=int,
        metavar="SECONDS",
        help="also load detail and dashboard cases with wrk at 8 connections for SECONDS each",
    )
    p = sub.add_parser("sqlite", help="one big district on SQLite, every list in-process")
    p.add_argument("--projects", type=int, default=2000)
    p.add_argument("--problems", type=int, default=50_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    {"load": cmd_load, "run": cmd_run, "sqlite": cmd_sqlite}[args.cmd](args)
