"""The wheel works installed non-editable: built from the sources, installed into a fresh venv, and run from
another directory on the 1Password app (validate, build, test), with the schemas read from inside the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app_definitions" / "1password"


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


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

    venv = tmp_path / "venv"  # dependencies come from the system site-packages: no network needed
    sh(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index",
       "--ignore-installed", wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
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
