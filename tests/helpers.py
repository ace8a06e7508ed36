"""Small helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file by ``new``; the test fails if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

FAKE_AUTH = ("suAccessId", "accessKeySecret")  # the access id and key the fake Sumo fixtures accept


def cli_run(*args: str) -> tuple[int, str]:
    """Invoke the appbuilder CLI in-process; asserts no traceback. Returns (exit code, output)."""
    from click.testing import CliRunner

    from appbuilder.cli import cli

    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def shim_env(tmp_path: Path) -> dict[str, str]:
    """The environment with an `appbuilder` on PATH that runs this checkout, and a git identity."""
    import os
    import stat
    import sys

    repo = Path(__file__).resolve().parents[1]
    shim = tmp_path / "shim-bin" / "appbuilder"
    shim.parent.mkdir(exist_ok=True)
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m appbuilder "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ)
    env.update(PATH=f"{shim.parent}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(repo),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return env


def cli_client_options(monkeypatch: object, extra: dict[str, object]) -> None:
    """Make the CLI's deploy verbs, ``export`` and ``test --live`` build their client with ``extra`` on top of what
    the CLI sets (a ``clock`` shared with the fake, the fast settings...)."""
    from appbuilder.cli import deploy, live

    real_options, real_live = deploy._options, live.live_settings

    def options(kwargs):  # type: ignore[no-untyped-def]
        given = real_options(kwargs)
        given.client_options = {**given.client_options, **extra}  # what the CLI sets stays
        return given

    def live_settings(*args, **kwargs):  # type: ignore[no-untyped-def]
        settings, params = real_live(*args, **kwargs)
        settings.options.client_options = {**settings.options.client_options, **extra}
        return settings, params

    from appbuilder.commands import export  # the CLI imports Connection from it when it runs

    real_connection = export.Connection

    def connection(**kwargs):  # type: ignore[no-untyped-def]
        made = real_connection(**kwargs)
        made.client_options = {**made.client_options, **extra}
        return made

    monkeypatch.setattr(deploy, "_options", options)  # type: ignore[attr-defined]
    monkeypatch.setattr(live, "live_settings", live_settings)  # type: ignore[attr-defined]
    monkeypatch.setattr(export, "Connection", connection)  # type: ignore[attr-defined]


def fast_cli_client(monkeypatch: object) -> None:
    """Make the CLI's deploy verbs and ``export`` use a client that does not wait between retries and polls (no
    rate wait)."""
    from appbuilder.deploy.testing import FAST_CLIENT

    cli_client_options(monkeypatch, FAST_CLIENT)


def two_environments_yaml(staging_url: str, prod_url: str) -> str:
    """appbuilder.yaml text: staging (credentials in STG_ID/STG_KEY) and prod (the default variables)."""
    return f"""environments:
  staging:
    baseUrl: {staging_url}
    accessIdEnv: STG_ID
    accessKeyEnv: STG_KEY
    parameters: {{source_category: stg/mini}}
  prod:
    baseUrl: {prod_url}
    parameters: {{source_category: prod/mini}}
"""


def write(directory: Path, text: str | bytes, name: str = "doc.yaml") -> Path:
    """Write ``text`` (UTF-8 when a string, else the bytes as they are) to ``directory/name``; returns the path."""
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def python_output(code: str) -> str:
    """The stripped standard output of ``code`` run by a fresh Python in the repository (a clean ``sys.modules``,
    for tests that a module stays unimported); fails with its standard error when it exits non-zero."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def cached_trees() -> list[object]:
    """The query trees ``parse`` holds in its cache (one per text, shared by every caller)."""
    import gc

    from appbuilder.query.ast import QueryAST
    from appbuilder.query.parser import parse

    return [o for o in gc.get_objects() if isinstance(o, QueryAST) and parse(o.text) is o]


def changed_cached_trees() -> list[str]:
    """The texts of the cached query trees that differ from a fresh parse: a user changed a shared tree."""
    from appbuilder.query.parser import parse

    return [t.text for t in cached_trees() if repr(t) != repr(parse.__wrapped__(t.text))]  # type: ignore[attr-defined]


def logged(fake: object, count: int) -> list[object]:
    """The fake's request log, which holds at least ``count`` records once the client has its replies (the fake
    logs a request before its reply leaves)."""
    records = fake.requests  # type: ignore[attr-defined]
    assert len(records) >= count, [(r.method, r.path, r.status) for r in records]
    return records
