"""Connection failures in one line with a hint (refused, unknown host, TLS), retried briefly; base URLs
completed with /api or refused with the deployment's API URL."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from helpers import FAKE_AUTH, cli_run, fast_cli_client

from appbuilder.clock import VirtualClock
from appbuilder.fakesumo import FakeSumo
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.endpoints import resolve_credentials
from appbuilder.sumo.errors import SumoApiError, SumoConfigError

PERSONAL = "/v2/content/folders/personal"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def failing_call(base_url: str, progress: list[str] | None = None) -> tuple[SumoApiError, VirtualClock]:
    clock = VirtualClock()
    credentials = resolve_credentials(*FAKE_AUTH, base_url=base_url, env={})
    tell = progress.append if progress is not None else None
    with SumoClient(credentials, clock=clock, max_attempts=6, timeout=5.0, progress=tell) as client, \
            pytest.raises(SumoApiError) as raised:
        client.get(PERSONAL)
    return raised.value, clock


def assert_one_clear_line(error: SumoApiError) -> None:
    text = str(error)
    assert "\n" not in text
    for noise in ("HTTPConnectionPool", "HTTPSConnectionPool", "Max retries", "Errno", "object at 0x"):
        assert noise not in text, text
    assert "--base-url" in error.hint and "--deployment" in error.hint


def test_a_refused_connection_is_one_line_and_retried_once() -> None:
    port = closed_port()
    error, clock = failing_call(f"http://127.0.0.1:{port}/api")
    assert error.code == "connection.refused" and error.attempts == 2
    assert f"connection refused by 127.0.0.1:{port}" in str(error)
    assert_one_clear_line(error)
    assert "HTTPS_PROXY" in error.hint
    assert sum(clock.sleeps) < 2, clock.sleeps  # not the ~12 s of six attempts with backoff


def test_the_retry_line_of_a_refused_connection_counts_its_own_budget() -> None:
    lines: list[str] = []
    error, _ = failing_call(f"http://127.0.0.1:{closed_port()}/api", lines)
    assert error.attempts == 2
    assert len(lines) == 1 and lines[0].endswith("(attempt 2/2)"), lines  # not "2/6", then failed after 2


def test_an_unknown_host_is_one_line_and_names_the_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolve(host: object, *args: object, **kwargs: object) -> object:
        if host == "api.nowhere.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    error, _ = failing_call("https://api.nowhere.example/api")
    assert error.code == "connection.dns" and error.attempts == 2
    assert str(error).startswith(f"GET {PERSONAL} failed: cannot resolve the host name api.nowhere.example")
    assert_one_clear_line(error)
    assert "HTTPS_PROXY" in error.hint


def test_a_tls_failure_is_one_line_and_not_retried(fake: FakeSumo) -> None:
    """https:// to a server speaking plain HTTP: a real TLS handshake failure."""
    error, clock = failing_call(fake.base_url.replace("http://", "https://"))
    assert error.code == "connection.tls" and error.attempts == 1 and clock.sleeps == []
    assert "TLS error talking to 127.0.0.1:" in str(error)
    assert_one_clear_line(error)
    assert "REQUESTS_CA_BUNDLE" in error.hint


def test_the_cli_prints_a_refused_connection_as_one_error_line(app_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fast_cli_client(monkeypatch)
    monkeypatch.setenv("SUMOLOGIC_ACCESSKEY", "k")
    code, out = cli_run("plan", str(app_dir), "--access-id", "a", "--base-url",
                        f"http://127.0.0.1:{closed_port()}/api")
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "connection refused" in errors[0] and "Errno" not in out, out


@pytest.mark.parametrize(("given", "used"), [
    ("https://api.sumologic.com", "https://api.sumologic.com/api"),
    ("https://api.us2.sumologic.com/", "https://api.us2.sumologic.com/api"),
    ("https://api.eu.sumologic.com/api/", "https://api.eu.sumologic.com/api"),
    ("https://sumo-proxy.example.com/sumo/api", "https://sumo-proxy.example.com/sumo/api"),
])
def test_a_base_url_without_api_is_completed_with_a_note(given: str, used: str) -> None:
    credentials = resolve_credentials("id", "key", base_url=given, env={})
    assert credentials.base_url == used
    assert (credentials.note is not None) == (not given.rstrip("/").endswith("/api"))
    if credentials.note:
        assert f"the API base URL is {used}" in credentials.note


@pytest.mark.parametrize(("given", "message", "hint"), [
    ("https://service.us2.sumologic.com", "web UI", "--base-url https://api.us2.sumologic.com/api"),
    ("https://service.sumologic.com/ui/", "web UI", "--deployment us1"),
    ("https://api.eu.sumologic.com/api/v2", "should end in /api", "https://api.eu.sumologic.com/api"),
])
def test_a_base_url_that_cannot_be_the_api_is_refused_with_the_deployment_url(given: str, message: str,
                                                                              hint: str) -> None:
    with pytest.raises(SumoConfigError) as raised:
        resolve_credentials("id", "key", base_url=given, env={})
    assert message in raised.value.message and hint in raised.value.hint


def test_plan_against_a_base_url_without_api_reaches_the_api(fake: FakeSumo, app_dir: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """It used to answer 'the item does not exist (any more)' for every call."""
    from helpers import fast_cli_client

    fast_cli_client(monkeypatch)
    assert fake.base_url.endswith("/api")
    monkeypatch.setenv("SUMOLOGIC_ACCESSID", FAKE_AUTH[0])
    monkeypatch.setenv("SUMOLOGIC_ACCESSKEY", FAKE_AUTH[1])
    code, out = cli_run("plan", str(app_dir), "--base-url", fake.base_url[: -len("/api")])
    assert code == 0, out
    assert f"note: the API base URL is {fake.base_url}" in out and "does not exist" not in out
