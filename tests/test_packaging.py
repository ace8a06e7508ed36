"""The wheel works installed non-editable: built from the sources, installed with its dependencies into a fresh
venv of its own (as a user's `pip install` does; nothing comes from the environment running the tests), and run
from another directory on the 1Password app (validate, build, test), with the schemas read from inside the
package. The core install leaves the preview extra out: `preview` says how to get it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app_definitions" / "1password"


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_wheel_installs_and_runs_from_another_directory(tmp_path: Path) -> None:
    # build from a copy, so the build leaves nothing (build/, *.egg-info) in the working tree
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "appbuilder", src / "appbuilder", ignore=shutil.ignore_patterns("__pycache__"))
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist",
       src, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("appbuilder-*.whl"))

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}  # nothing from here
    venv = tmp_path / "venv"  # its own site-packages only: the wheel's dependencies are installed by pip
    sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--disable-pip-version-check", wheel,
       cwd=tmp_path, env=env)
    installed = sh(python, "-c", "import importlib.util as u; print(u.find_spec('vl_convert') is None)",
                   cwd=tmp_path, env=env).stdout.strip()
    assert installed == "True"  # the preview extra is not part of the core install

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = sh(python, "-c", "import appbuilder, appbuilder.validate.schema as s; "
                 "print(appbuilder.__file__); print(s.schema_path('app'))", cwd=elsewhere, env=env)
    module_file, schema_file = located.stdout.split()
    assert module_file.startswith(str(venv)) and schema_file.startswith(str(venv))

    appbuilder = venv / "bin" / "appbuilder"
    validated = sh(appbuilder, "validate", APP, cwd=elsewhere, env=env)
    assert validated.stdout.strip().endswith("valid (0 errors, 0 warnings)")
    sh(appbuilder, "build", APP, "-o", "out", cwd=elsewhere, env=env)
    manifest = json.loads((elsewhere / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["contentHash"].startswith("sha256:")
    tested = sh(appbuilder, "test", APP, cwd=elsewhere, env=env)
    assert " 0 failed" in tested.stdout
    sh(appbuilder, "schema", "--write", "schemas", cwd=elsewhere, env=env)
    assert json.loads((elsewhere / "schemas" / "app.schema.json").read_text(encoding="utf-8"))["$id"]
    spec = sh(python, "-c", "from appbuilder.fakesumo.contract import contract; print(len(contract().operations))",
              cwd=elsewhere, env=env)  # the fake's copy of Sumo's spec travels in the wheel
    assert int(spec.stdout) > 40
    drawn = subprocess.run([appbuilder, "preview", APP, "-o", "site"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, timeout=120)
    assert drawn.returncode == 1 and "vl-convert-python" in drawn.stderr, drawn.stderr
    assert "pip install 'appbuilder[preview]'" in drawn.stderr and "Traceback" not in drawn.stderr
    assert not (elsewhere / "site").exists()
