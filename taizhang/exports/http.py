"""Exports as downloads that stream: rows go out as they are read, never a whole scope held.

CSV is sent in chunks while the cursor is read. A workbook's zip can only be sent once it is
complete, so it is written row by row (constant memory) to a temporary file in the system
temp dir and sent from there in blocks; the file is removed when the response is closed.
"""

from __future__ import annotations

import itertools
import tempfile
from urllib.parse import quote

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from taizhang.core.audit_events import record_download
from taizhang.exports.render import CONTENT_TYPES, Table, iter_csv, write_xlsx

BLOCK = 256 * 1024  # bytes per write of a workbook to the client


def _csv_response(table: Table) -> StreamingHttpResponse:
    chunks = iter_csv(table)
    # The first chunk (header and first rows) is made here, inside the view: the query runs
    # and a bad filter or a database error is an ordinary error page, not a cut-off file.
    first = next(chunks)
    return StreamingHttpResponse(
        itertools.chain([first], chunks), content_type=CONTENT_TYPES["csv"]
    )


def _xlsx_response(table: Table) -> FileResponse:
    # A named file on disk, not a SpooledTemporaryFile: a province's workbook is tens of MB.
    # Closed (and so deleted) by FileResponse when the response is closed.
    tmp = tempfile.NamedTemporaryFile(prefix="taizhang-export-", suffix=".xlsx")
    try:
        write_xlsx(table, tmp)
        tmp.flush()
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    response = FileResponse(tmp, content_type=CONTENT_TYPES["xlsx"])
    response.block_size = BLOCK
    return response


def download(table: Table, fmt: str, basename: str) -> HttpResponseBase:
    if fmt == "csv":
        response: HttpResponseBase = _csv_response(table)
    elif fmt == "xlsx":
        response = _xlsx_response(table)
    else:
        raise ValueError(f"不支持的导出格式：{fmt}（可选 xlsx、csv）")
    # Every list export passes here: who exported what, with which filters (the request's).
    record_download(basename, fmt)
    name = f"{basename}_{timezone.localdate():%Y%m%d}.{fmt}"
    # RFC 6266/5987: Chinese file names survive in every current browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
