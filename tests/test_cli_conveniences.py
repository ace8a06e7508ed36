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
