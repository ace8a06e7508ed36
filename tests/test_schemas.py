"""The repository's `schemas/`: every YAML kind's JSON Schema, identical to the package's, with a stable `$id`
and the format version; the bundled app's `$schema` comments point at it; and the check-jsonschema
configuration `schemas/README.md` documents validates the bundled app (where check-jsonschema is installed)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from appbuilder.commands.schema import FORMAT_VERSION, SCHEMA_ID, schema_file_name, schema_text
from appbuilder.validate.schema import KINDS

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
README = SCHEMAS / "README.md"


def test_every_kind_is_there_and_equals_the_package_schema() -> None:
    assert sorted(p.name for p in SCHEMAS.iterdir()) == sorted([*map(schema_file_name, KINDS), "README.md"])
    for kind in KINDS:
        assert (SCHEMAS / schema_file_name(kind)).read_text(encoding="utf-8") == schema_text(kind), (
            f"schemas/{schema_file_name(kind)} differs from the package's: run `appbuilder schema --write schemas`")


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_has_a_stable_id_the_format_version_and_stands_alone(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID.format(kind=kind) == f"https://appbuilder.dev/schemas/{kind}.schema.json"
    assert schema["x-format-version"] == FORMAT_VERSION
    refs = re.findall(r'"\$ref":\s*"([^"]*)"', schema_text(kind))
    assert all(ref.startswith("#/") for ref in refs), refs  # within the file: no other file is needed


def test_the_fragments_copy_of_the_variable_definition_equals_the_dashboards() -> None:
    fragments = json.loads(schema_text("fragments"))["$defs"]
    dashboard = json.loads(schema_text("dashboard"))["$defs"]
    assert {k: fragments[k] for k in ("variable", "extra", "omit")} == {k: dashboard[k] for k in
                                                                         ("variable", "extra", "omit")}


def test_the_readme_lists_every_kind() -> None:
    text = README.read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"| `{kind}` | `{schema_file_name(kind)}` |" in text


def test_schema_write_regenerates_the_directory(tmp_path: Path) -> None:
    from appbuilder.cli import cli

    result = CliRunner().invoke(cli, ["schema", "--write", str(tmp_path / "schemas")])
    assert result.exit_code == 0, result.output
    for kind in KINDS:
        assert (tmp_path / "schemas" / schema_file_name(kind)).read_bytes() == \
            (SCHEMAS / schema_file_name(kind)).read_bytes()


def test_the_bundled_apps_schema_comments_resolve_into_schemas() -> None:
    files = sorted((REPO / "app_definitions").rglob("*.yaml"))
    assert len(files) >= 19
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        target = (path.parent / match.group(1)).resolve()
        assert target.parent == SCHEMAS and target.is_file(), (path, match.group(1))


# -- check-jsonschema, as schemas/README.md documents it ----------------------------------------------------------

check_jsonschema = pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed "
                                       "(pip install check-jsonschema, or the test extra)")


def _check(*args: str) -> tuple[int, str]:
    from check_jsonschema.cli.main_command import main

    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _documented_hooks() -> list[dict]:
    block = README.read_text(encoding="utf-8").split("```yaml\nrepos:", 1)[1].split("```", 1)[0]
    config = YAML(typ="safe").load("repos:" + block)
    [repo] = config["repos"]
    assert repo["repo"] == "https://github.com/python-jsonschema/check-jsonschema"
    return list(repo["hooks"])


def test_the_documented_command_passes_on_the_bundled_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert _check("--schemafile", "schemas/app.schema.json", "app_definitions/1password/app.yaml") == \
        (0, "ok -- validation done\n")


def test_the_documented_pre_commit_hooks_validate_every_file_of_the_bundled_app(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    files = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "app_definitions").rglob("*.y*ml"))
    covered: set[str] = set()
    hooks = _documented_hooks()
    assert {h["args"][1] for h in hooks} == {f"schemas/{schema_file_name(k)}" for k in KINDS}
    for hook in hooks:
        assert hook["id"] == "check-jsonschema" and hook["args"][0] == "--schemafile"
        matched = [f for f in files if re.search(hook["files"], f)]
        if hook["args"][1] == "schemas/environments.schema.json":
            continue  # the repository has no appbuilder.yaml
        assert matched, hook["name"]
        code, out = _check(*hook["args"], *matched)
        assert code == 0, f"{hook['name']}: {out}"
        covered.update(matched)
    assert covered == set(files)  # every YAML file of every app is checked by one hook


def test_check_jsonschema_finds_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "app.yaml"
    shutil.copy(REPO / "app_definitions/1password/app.yaml", broken)
    broken.write_text(broken.read_text(encoding="utf-8").replace("version: 2.1.0", "version: two"),
                      encoding="utf-8")
    code, out = _check("--schemafile", str(SCHEMAS / "app.schema.json"), str(broken))
    assert code == 1 and "version" in out
