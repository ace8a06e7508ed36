"""YAML text of exported definitions: readable (multi-line queries as ``|`` block scalars, kept verbatim) and
exact (every document is read back and compared before it is written)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from appbuilder.validate.schema import schema_path


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 100_000  # never fold a long line: queries stay as they were
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


_DUMPER = _yaml()
_READER = YAML(typ="safe")


def _blocks(value: Any, checked: bool) -> Any:
    """Multi-line strings as literal block scalars, recursively; ``checked``: only those proven to read back."""
    if isinstance(value, dict):
        return {k: _blocks(v, checked) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v, checked) for v in value]
    if isinstance(value, str) and "\n" in value and _printable(value) and (not checked or _round_trips(value)):
        return LiteralScalarString(value)
    return value


def _printable(text: str) -> bool:
    return "\r" not in text and all(ch.isprintable() or ch in "\n\t" for ch in text)


def _round_trips(text: str) -> bool:
    buffer = io.StringIO()
    _DUMPER.dump({"q": LiteralScalarString(text)}, buffer)
    return _reads_back(buffer.getvalue(), {"q": text})


def _reads_back(text: str, data: Any) -> bool:
    """Whether ``text`` is YAML holding exactly ``data`` (the emitter can write block scalars it cannot read)."""
    try:
        return bool(_READER.load(text) == data)
    except YAMLError:
        return False


def yaml_text(data: dict[str, Any], header: str = "") -> str:
    """The YAML text of ``data`` (key order kept), after ``header`` lines (comments)."""
    buffer = io.StringIO()
    _DUMPER.dump(_blocks(data, checked=False), buffer)
    text = buffer.getvalue()
    if not _reads_back(text, data):  # some text a block scalar cannot keep exactly: write that one quoted
        buffer = io.StringIO()
        _DUMPER.dump(_blocks(data, checked=True), buffer)
        text = buffer.getvalue()
    return header + text


SCHEMA_DIR = "schemas"


def schema_home(out_dir: Path) -> tuple[Path, str]:
    """Where the ``$schema`` comments of a definition written to ``out_dir`` point: the ``schemas/`` directory
    of the repository around it (found upwards), else ``schemas/`` written inside it (``appbuilder schema
    --write``); never the installed package, which may be in a virtualenv. (directory, a note when written)"""
    from appbuilder.commands.schema import schema_file_name, update_schemas

    for parent in out_dir.resolve().parents:
        if (parent / SCHEMA_DIR / schema_file_name("app")).is_file():
            return parent / SCHEMA_DIR, ""
    update_schemas(out_dir / SCHEMA_DIR)
    return out_dir / SCHEMA_DIR, (f"the editor schemas are in {out_dir / SCHEMA_DIR} (the $schema comments point "
                                  f"there; `appbuilder schema --write DIR` updates them)")


def schema_header(kind: str, file: Path, schemas: Path | None = None) -> str:
    """The ``yaml-language-server`` line that points an editor at the schema of ``kind`` (in ``schemas``, else
    the packaged one)."""
    target = str(schemas.resolve() / f"{kind}.schema.json" if schemas is not None else schema_path(kind))
    try:
        reference = os.path.relpath(target, file.parent.resolve())
    except ValueError:
        reference = target
    return f"# yaml-language-server: $schema={Path(reference).as_posix()}\n"


def write_yaml(path: Path, kind: str, data: dict[str, Any], comment: str = "", schemas: Path | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = schema_header(kind, path, schemas) + "".join(f"# {line}\n" for line in comment.splitlines())
    path.write_text(yaml_text(data, header), encoding="utf-8")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
