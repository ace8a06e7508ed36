"""Options shared by the verbs: the access key from standard input (`--access-key -`), and a warning when a key
is given literally on the command line (shell history, `ps`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FAKE_AUTH, fast_cli_client

from appbuilder.cli import cli
from appbuilder.fakesumo import FakeSumo


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SUMOLOGIC_ACCESSID", "SUMOLOGIC_ACCESSKEY", "SUMOLOGIC_ENVIRONMENT", "SUMOLOGIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    fast_cli_client(monkeypatch)  # these tests are about the key, not the pace of the calls


def plan(app: Path, fake: FakeSumo, key: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["plan", str(app), "--access-id", FAKE_AUTH[0], "--access-key", key,
                                      "--base-url", fake.base_url], input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_the_access_key_is_read_from_standard_input(app_dir: Path, fake: FakeSumo, no_env_key: None) -> None:
    code, out, err = plan(app_dir, fake, "-", stdin=FAKE_AUTH[1] + "\n")
    assert code == 0, err
    assert "create" in out and "warning" not in err
    assert FAKE_AUTH[1] not in out + err


def test_an_empty_standard_input_is_an_error(app_dir: Path, fake: FakeSumo, no_env_key: None) -> None:
    code, _, err = plan(app_dir, fake, "-", stdin="")
    assert code == 1 and "no access key on standard input" in err
    assert fake.requests == []


def test_a_literal_key_works_with_a_warning_that_never_shows_it(app_dir: Path, fake: FakeSumo,
                                                                no_env_key: None) -> None:
    code, out, err = plan(app_dir, fake, FAKE_AUTH[1])
    assert code == 0, err
    assert "warning: an access key given on the command line is kept in the shell's history" in err
    assert "--access-key -" in err and FAKE_AUTH[1] not in out + err


def test_export_takes_the_key_from_standard_input_too(fake: FakeSumo, tmp_path: Path, no_env_key: None) -> None:
    result = CliRunner().invoke(cli, ["export", "--folder", "/Library/Users/nobody/Nothing", "-o",
                                      str(tmp_path / "out"), "--access-id", FAKE_AUTH[0], "--access-key", "-",
                                      "--base-url", fake.base_url], input=FAKE_AUTH[1] + "\n")
    assert "no access key" not in result.output and "warning" not in result.stderr
    assert any(r.path.startswith("/api/") for r in fake.requests)  # it reached the org with the key
    assert all(r.status != 401 for r in fake.requests)
