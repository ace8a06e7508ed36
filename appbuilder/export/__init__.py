"""Export: Sumo content JSON → app definition directory (the inverse of build).

``export_definition`` converts, writes, builds the result back and records whatever differs verbatim on the
element it belongs to, then checks that the written definition builds exactly the exported content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import has_errors
from appbuilder.export.attach import attach
from appbuilder.export.convert import FOLDER, Conversion, Converter, Document
from appbuilder.export.errors import ExportError
from appbuilder.export.repair import repair
from appbuilder.export.residual import differences
from appbuilder.export.whole import (
    OrgParts,
    add_parts,
    check_parts,
    full_description,
    require,
    source_category,
    without_marker,
)
from appbuilder.export.writer import schema_home, write_json, write_yaml
from appbuilder.model import App

SOURCE_CATEGORY = "source_category"
APP_COMMENT = "Exported from Sumo Logic by `appbuilder export`."
LINT_COMMENT = ("lint.severity: what query lint reports as errors in the exported queries is a warning here, so the\n"
                "content validates as it is; fix the queries, then remove these lines.")


@dataclass
class ExportResult:
    """What was written: the directory, its files, and notes (content kept verbatim, parameters not found)."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dashboards: int = 0
    saved_searches: int = 0
    monitors: int = 0
    source: bool = False
    values: dict[str, str] = field(default_factory=dict)  # install parameters as Sumo holds them (not written)
    left_out: list[str] = field(default_factory=list)  # what the export did not take, and why


def as_folder(definition: Any) -> tuple[dict[str, Any], bool]:
    """The export as a folder (a single dashboard or saved search becomes the one item of a folder of its name)."""
    if not (isinstance(definition, dict) and isinstance(definition.get("type"), str)
            and isinstance(definition.get("name"), str)):
        raise ExportError("this is not a Sumo content export: expected a JSON object with a \"type\" and a \"name\"",
                          hint="export a folder, a dashboard or a saved search from the Sumo Library "
                               "(⋮ → Export) or through the content export API")
    if definition["type"] == FOLDER and isinstance(definition.get("children"), list):
        return definition, False
    return {"type": FOLDER, "name": definition["name"] or "Exported", "description": "", "children": [definition]}, True


def _lifter(parameters: Mapping[str, str], found: str | None = None
            ) -> tuple[Any, list[dict[str, str]], list[int]]:
    """(the function that lifts literal scopes in a text, the parameters to declare, a one-item lift counter);
    ``found`` is the exported source's category, lifted when no value is given and it is a valid one."""
    unknown = [name for name in parameters if name != SOURCE_CATEGORY]
    if unknown:
        raise ExportError(f"unknown export parameter '{unknown[0]}'",
                          hint=f"export lifts only `--param {SOURCE_CATEGORY}=VALUE`: every literal "
                               f"_sourceCategory=VALUE scope becomes ${{{SOURCE_CATEGORY}}}")
    if SOURCE_CATEGORY not in parameters and found is not None:
        from appbuilder.model import Parameter
        from appbuilder.parameters import check_value

        if not check_value(Parameter(SOURCE_CATEGORY, found), found, "--param"):
            parameters = {SOURCE_CATEGORY: found}
    value = parameters.get(SOURCE_CATEGORY)
    lifted = [0]
    if value is None:
        return (lambda text: text), [], lifted
    if not value:
        raise ExportError(f"--param {SOURCE_CATEGORY}= needs a value", hint="e.g. --param source_category=prod/app")
    from appbuilder.model import Parameter
    from appbuilder.parameters import check_value

    problem = check_value(Parameter(SOURCE_CATEGORY, value), value, "--param")  # as validate will check it
    if problem:
        raise ExportError(problem, hint=f"the exported app declares {SOURCE_CATEGORY} without a pattern, so its "
                          "value may hold letters, digits and _ . / : @ * , + - only; export without --param and "
                          "edit app.yaml to lift another scope")
    pattern = re.compile(r"(?<![\w.])(_sourceCategory\s*=\s*)([\"']?)" + re.escape(value) + r"\2(?![\w/*.\-])",
                         re.IGNORECASE)
    declared = [{"name": SOURCE_CATEGORY, "description": "Source category (_sourceCategory) the app's queries are "
                 "scoped by.", "default": value}]

    def lift(text: str) -> str:
        out, count = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}${{{SOURCE_CATEGORY}}}{m.group(2)}", text)
        lifted[0] += count
        return out

    return lift, declared, lifted


def _write(conversion: Conversion, out_dir: Path, draft: bool = False, schemas: Path | None = None) -> list[Path]:
    """Write every file; a ``draft`` writes the YAML files as JSON (valid YAML, much faster to write)."""
    documents = [Document("app.yaml", "app", conversion.app)]
    if conversion.queries:
        documents.append(Document("queries.yaml", "queries", {"queries": conversion.queries}))
    written: list[Path] = []
    for document in documents + conversion.documents:
        path = out_dir / document.path
        if document.kind == "raw" or draft:
            write_json(path, document.data)
        else:
            comment = APP_COMMENT if document.kind == "app" else ""
            write_yaml(path, document.kind, document.data, comment, schemas)
        written.append(path)
    return written


def _build(out_dir: Path) -> tuple[App, dict[str, Any]]:
    from appbuilder.build import build_app
    from appbuilder.validate import load_checked

    loaded = load_checked(out_dir)  # loaded and schema-checked as validate would
    app, diagnostics = loaded.app, loaded.diagnostics
    if app is None or has_errors(diagnostics):
        raise ExportError("the exported definition does not load (this is a bug in appbuilder export)",
                          hint="please report it with the export file", diagnostics=diagnostics)
    return app, build_app(app).content


def _accept_lint_findings(conversion: Conversion, app: App, out_dir: Path, schemas: Path | None = None
                          ) -> list[str]:
    """Lint errors of the exported queries become warnings in app.yaml (``lint.severity``): the content is
    adopted as it is and validates; the findings stay visible until someone fixes the queries."""
    from appbuilder.validate.querylint import lint_app_queries

    codes = sorted({d.code for d in lint_app_queries(app) if d.is_error and d.code})
    if not codes:
        return []
    conversion.app["lint"] = {"severity": {code: "warning" for code in codes}}
    write_yaml(out_dir / "app.yaml", "app", conversion.app, APP_COMMENT + "\n" + LINT_COMMENT, schemas)
    return [f"the exported queries have lint findings that are errors for appbuilder ({', '.join(codes)}); "
            f"app.yaml's lint.severity makes them warnings until the queries are fixed"]


def _discard(out_dir: Path, created: bool) -> None:
    """Remove what a failed export wrote: ``out_dir`` itself when the export created it, else its contents."""
    import shutil

    if created:
        shutil.rmtree(out_dir, ignore_errors=True)
        return
    for child in out_dir.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _identity(conversion: Conversion, marker: Any, full: str | None) -> None:
    """The app's name and version from the install marker, its description in full (not as shortened)."""
    if marker is not None:
        conversion.app["name"], conversion.app["version"] = marker.app, marker.version
    if full is not None:
        conversion.app["description"] = full


def export_definition(definition: Any, out_dir: Path, parameters: Mapping[str, str] | None = None,
                      parts: OrgParts | None = None) -> ExportResult:
    """Write the app definition of ``definition`` (Sumo content JSON, and ``parts``: the monitors and source read
    with it) to ``out_dir``, which must not exist or be empty; raises ExportError when the input is not Sumo
    content or the result would not build back the same."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"{out_dir} already exists and is not empty",
                          hint="export into a new directory (nothing is overwritten)")
    root, single = as_folder(definition)
    root, marker = without_marker(root)
    full = full_description(str(root.get("description") or ""), parts)
    if full is not None:
        root = {**root, "description": full}
    lift, declared, lifted = _lifter(parameters or {}, source_category(parts))
    conversion = Converter(lift).convert(root)
    _identity(conversion, marker, full)
    if declared:
        app = conversion.app
        conversion.app = {**{k: app[k] for k in ("name", "version", "description", "folder")},
                          "parameters": declared, **{k: v for k, v in app.items() if k not in
                                                     ("name", "version", "description", "folder")}}
        conversion.links[id(root)] = conversion.app
    taken = add_parts(conversion, parts, lift, declared[0]["default"] if declared else None)
    for document in [Document("app.yaml", "app", conversion.app), *conversion.documents]:
        if document.kind != "raw":
            repair(document.data, document.kind)
    repair({"queries": conversion.queries}, "queries")
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        schemas, schema_note = schema_home(out_dir)
        _write(conversion, out_dir, draft=True)
        attach(conversion, root, _build(out_dir)[1])
        files = _write(conversion, out_dir, schemas=schemas)
        app, rebuilt = _build(out_dir)
        problems = differences(root["children"][0], rebuilt["children"][0]) if single else differences(root, rebuilt)
        require(problems)
        if parts is not None:
            from appbuilder.build import build_app

            require(check_parts(parts, taken, build_app(app, taken.values)))
    except BaseException:
        _discard(out_dir, created)  # nothing is left behind by an export that failed
        raise
    notes = list(conversion.notes) + _accept_lint_findings(conversion, app, out_dir, schemas)
    result = ExportResult(out_dir, files, notes + ([schema_note] if schema_note else []))
    result.dashboards = sum(1 for d in conversion.documents if d.kind == "dashboard")
    result.saved_searches = len(conversion.queries)
    result.monitors, result.source, result.values = taken.monitors, taken.source, taken.values
    result.left_out = taken.left_out + (parts.notes if parts else [
        "monitors and source: an export of Library content holds neither; app.yaml lists them as unmanaged "
        "(export --folder from the org brings them)"])
    if declared and not lifted[0]:
        result.notes.append(f"no query is scoped _sourceCategory={declared[0]['default']}; "
                            f"${{{SOURCE_CATEGORY}}} is declared but unused")
    return result
