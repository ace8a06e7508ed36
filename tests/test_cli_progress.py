"""The deploy verbs hand the client a progress callback that prints retries and job polls on stderr."""

from __future__ import annotations

import pytest

from appbuilder.cli.deploy import _options


def test_deploy_options_print_client_progress_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    options = _options({"access_id": None, "access_key": None, "deployment": None, "base_url": None,
                        "folder": None, "admin_mode": False})
    options.client_options["progress"]("429 from Sumo (GET /v1/collectors), retrying in 1.0 s (attempt 2/6)")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "429 from Sumo (GET /v1/collectors), retrying in 1.0 s (attempt 2/6)\n"
