"""Quantitative indicator and task-outline extraction from Chinese government
work reports and news texts. Pure Python; no Django imports.

See docs/extractor.md for the output fields and classification rules.
"""

from __future__ import annotations

from .cli import cli_main
from .core import extract
from .fileio import DEFAULT_MAX_BYTES, read_text_file
from .models import ExtractInputError, Indicator, OutlineTask
from .outline import parse_outline

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ExtractInputError",
    "Indicator",
    "OutlineTask",
    "cli_main",
    "extract",
    "parse_outline",
    "read_text_file",
]
