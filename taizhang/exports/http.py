from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from taizhang.core.audit_events import record_download
from taizhang.exports.render import Table, render


def download(table: Table, fmt: str, basename: str) -> HttpResponse:
    body, content_type = render(table, fmt)
    # Every list export passes here: who exported what, with which filters (the request's).
    record_download(basename, fmt)
    name = f"{basename}_{timezone.localdate():%Y%m%d}.{fmt}"
    response = HttpResponse(body, content_type=content_type)
    # RFC 6266/5987: Chinese file names survive in every current browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
