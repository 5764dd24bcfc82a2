"""schemathesis against the API's own OpenAPI (issue 12, defect 4: 165 server errors found).

Every operation of /api/v1/openapi.json gets a fixed, small number of generated requests,
valid (positive) and invalid (negative), derandomized so CI runs the same cases every time.
They are sent in-process through Django's test client (no server) with a Bearer token of
district A's supervision office and of a unit user, over the permission matrix's world (both
districts, every kind of object). The check is schemathesis' `not_a_server_error`: any 5xx
fails. Bounded: about a minute on the project's CI machine.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from taizhang.api.api import api
from taizhang.core.models import ApiToken
from tests.matrix.world import build_matrix_world

# Examples per operation, generation mode and user: 58 operations × 2 modes × 2 users × 3.
EXAMPLES = 3
USERS = ("sup_a", "unit_a")


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_matrix_world()
        world.tokens = {u: ApiToken.issue(world.users[u], "schemathesis")[1] for u in USERS}
        yield world
        transaction.set_rollback(True)


def _schema() -> Any:
    doc = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), default=str))
    return schemathesis.openapi.from_dict(doc)


def _files(body: dict[str, Any]) -> dict[str, Any]:
    """A multipart body as Django's test client sends it: bytes become uploaded files."""
    out = {}
    for key, value in body.items():
        if isinstance(value, bytes | bytearray):
            out[key] = SimpleUploadedFile(f"{key}.xlsx", bytes(value))
        elif value is not None:
            out[key] = value if isinstance(value, str | list) else json.dumps(value)
    return out


def send(client: Client, token: str, case: Any):
    """The generated case as a request through Django's test client."""
    headers = {k: v for k, v in (case.headers or {}).items() if isinstance(v, str)}
    headers["Authorization"] = f"Bearer {token}"
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    path = case.formatted_path
    method = case.method.upper()
    body = case.body
    if method == "GET":
        return client.get(path, query, headers=headers)
    if query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query, doseq=True)}"
    if case.media_type and "multipart" in case.media_type and isinstance(body, dict):
        return client.generic(method, path, **_multipart(client, _files(body)), headers=headers)
    if isinstance(body, bytes | bytearray):
        ctype = case.media_type or "application/octet-stream"
        return client.generic(method, path, bytes(body), content_type=ctype, headers=headers)
    data = "" if body is None or type(body).__name__ == "NotSet" else json.dumps(body, default=str)
    return client.generic(method, path, data, content_type="application/json", headers=headers)


def _multipart(client: Client, data: dict[str, Any]) -> dict[str, Any]:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, data), "content_type": MULTIPART_CONTENT}


def _runner(
    client: Client, token: str, user: str, strategy: Any, failures: list[str], seen: Counter
):
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        with transaction.atomic():
            r = send(client, token, case)
            transaction.set_rollback(True)
        seen[r.status_code] += 1
        # not_a_server_error: the one check that must hold for every input.
        if r.status_code >= 500:
            failures.append(
                f"{user} {case.method} {case.formatted_path} "
                f"query={case.query} body={str(case.body)[:200]}: "
                f"{r.status_code} {r.content[:200]!r}"
            )

    return run


def test_it_answers_no_5xx_to_any_generated_request(mw, db):
    schema = _schema()
    failures: list[str] = []
    seen: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # every operation, not a part of them
    client = Client(raise_request_exception=False)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            for user in USERS:
                _runner(client, mw.tokens[user], user, strategy, failures, seen)()
    assert failures == [], "\n".join(failures[:40])
    # The requests really reached the operations: accepted ones and refused ones.
    assert sum(seen.values()) > 300, seen
    assert seen[200] and seen[201] and seen[422], seen
