"""The per-item writes of a 1Password update, held to Sumo's OpenAPI spec: a saved search changed in git is one
``PUT /v1/logSearches/{id}`` (``LogSearchDefinition``), one added is a ``POST /v1/logSearches``
(``SaveLogSearchRequest``); ``client_bodies_follow_the_spec`` (conftest) validates every body sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_monitors_contract import app, install  # noqa: F401 - the fixture and helper are shared

from appbuilder.fakesumo.contract import contract
from appbuilder.fakesumo.server import FakeSumo

NEW = """  - id: failed_signin_week
    name: 1Password - Failed Sign-in This Week
    description: Failed sign-in attempts over a week.
    savedSearch: true
    timeRange: -7d
    query: |-
      @include signin_events
      | where !(category matches "*succ*")
      | count by target_user_name
"""


def test_saved_searches_are_written_with_the_log_search_types(app: Path, fake: FakeSumo,  # noqa: F811
                                                              tmp_path: Path, request: pytest.FixtureRequest) -> None:
    install(app, fake, tmp_path)
    queries = app / "queries.yaml"
    text = queries.read_text()
    head, sep, rest = text.partition("    name: 1Password - Failed Sign-in\n")
    changed = head + sep + rest.replace("    timeRange: -1d\n", "    timeRange: -3d\n", 1)
    assert changed != text
    queries.write_text(changed.replace("queries:\n", "queries:\n" + NEW, 1))
    sent = request.node.sent_to_spec
    sent.clear()
    install(app, fake, tmp_path)
    used = {operation.operation_id for operation in
            (contract().operation(r.method, r.path.removeprefix("/api")) for r in sent) if operation}
    assert {"updateLogSearch", "createLogSearch"} <= used, used
    (put,) = [r for r in sent if r.method == "PUT" and "/v1/logSearches/" in r.path]
    assert put.body["name"] == "1Password - Failed Sign-in" and put.body["timeRange"]["from"]["relativeTime"] == "-3d"
