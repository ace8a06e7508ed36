"""The preview's drawing packages are the `preview` extra: without them, the commands that draw say how to get
them (one line and a hint, exit 1, nothing written); the rest of appbuilder never needs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cli_run

import appbuilder.preview as preview

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def without_vl_convert(monkeypatch: pytest.MonkeyPatch) -> None:
    real = preview.find_spec
    monkeypatch.setattr(preview, "find_spec", lambda name: None if name == "vl_convert" else real(name))


@pytest.mark.parametrize("args", [["preview", "{app}", "-o", "site"], ["preview", "{app}", "--png", "images"],
                                  ["docs", "{app}", "-o", "page.md", "--images", "images"]])
def test_drawing_without_the_extra_names_it(app_dir: Path, without_vl_convert: None, args: list[str]) -> None:
    code, out = cli_run(*[a.format(app=app_dir) for a in args])
    assert code == 1
    assert "needs vl-convert-python" in out and "hint: pip install 'appbuilder[preview]'" in out
    assert not Path("site").exists() and not Path("images").exists() and not Path("page.md").exists()


def test_the_rest_works_without_the_extra(app_dir: Path, without_vl_convert: None) -> None:
    assert cli_run("validate", str(app_dir))[0] == 0
    assert cli_run("docs", str(app_dir), "-o", "page.md")[0] == 0
    assert cli_run("test", str(app_dir))[0] == 0


def test_the_extra_holds_the_drawing_packages_and_the_tests_pull_it_in() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    assert "vl-convert" not in core and "markdown-it" not in core
    extras = project["optional-dependencies"]
    assert {p.split(">")[0] for p in extras["preview"]} == set(preview.PREVIEW_MODULES.values())
    assert "appbuilder[preview]" in extras["test"]
