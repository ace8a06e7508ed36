"""Fixtures shared by the offline-core tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MINIMAL_APP = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the minimal fixture at ``./app`` (cwd = tmp_path, so positions read ``app/...``)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(MINIMAL_APP, tmp_path / "app")
    return Path("app")
