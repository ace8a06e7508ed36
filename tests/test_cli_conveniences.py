"""Small things users hit: build --format json on success, fake-sumo's default local credentials."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests
from helpers import cli_run

REPO = Path(__file__).resolve().parents[1]


def test_build_json_on_success(app_dir: Path) -> None:
    code, out = cli_run("build", "app", "-o", "out", "--format", "json")
    assert code == 0
    report = json.loads(out)  # nothing but the JSON document on stdout
    assert report["valid"] is True and report["built"] is True and report["problems"] == []
    assert report["written"] == [str(Path("out") / n) for n in ("content.json", "manifest.json", "source.json",
                                                                 "collector.json")]
    assert report["manifest"] == json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))


def test_fake_sumo_starts_with_local_credentials(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}  # no SUMOLOGIC_* in the environment
    proc = subprocess.Popen([sys.executable, "-m", "appbuilder", "fake-sumo"],
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        second = proc.stderr.readline()
        assert first.startswith("fake Sumo listening: SUMOLOGIC_BASE_URL=http://127.0.0.1:")
        assert "SUMOLOGIC_ACCESSID=local SUMOLOGIC_ACCESSKEY=local-fake-sumo-key" in second
        base = first.split("=", 1)[1].strip()
        ok = requests.get(f"{base}/v1/collectors", auth=("local", "local-fake-sumo-key"), timeout=10)
        denied = requests.get(f"{base}/v1/collectors", auth=("local", "wrong"), timeout=10)
        assert (ok.status_code, denied.status_code) == (200, 401)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_shell_completion_as_documented() -> None:
    from click.testing import CliRunner

    from appbuilder.cli import cli

    script = CliRunner().invoke(cli, [], prog_name="appbuilder", env={"_APPBUILDER_COMPLETE": "bash_source"})
    assert script.exit_code == 0 and "_appbuilder_completion()" in script.output
    words = CliRunner().invoke(cli, [], prog_name="appbuilder",
                               env={"_APPBUILDER_COMPLETE": "bash_complete", "COMP_WORDS": "appbuilder di",
                                    "COMP_CWORD": "1"})
    assert "plain,diff" in words.output.splitlines()


def test_ports_and_fake_limits_out_of_range_are_usage_errors_and_a_busy_port_is_named() -> None:
    import socket

    from click.testing import CliRunner

    from appbuilder.cli import cli

    runner = CliRunner()
    for args in (["preview", str(REPO / "tests/fixtures/minimal"), "--serve", "--port", "99999"],
                 ["fake-sumo", "--port", "70000"], ["fake-sumo", "--rate-limit", "-1"],
                 ["fake-sumo", "--job-polls", "-2"], ["fake-sumo", "--latency", "-1"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1 and "Invalid value" in result.output and "internal error" not in result.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["fake-sumo", "--port", str(port)])
        assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.output
        assert "internal error" not in result.output
