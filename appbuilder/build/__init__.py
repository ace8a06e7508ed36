"""Build: a validated app model → Sumo content JSON, collector/source JSON and a manifest.

Install parameters (``${name}``) are substituted in every string; the output is deterministic.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appbuilder.build.content import build_folder
from appbuilder.build.manifest import Manifest
from appbuilder.build.monitors import build_monitors
from appbuilder.diagnostics import InputError
from appbuilder.model import App
from appbuilder.parameters import resolve
from appbuilder.templating import substitute_parameters

CONTENT_FILE = "content.json"
SOURCE_FILE = "source.json"
COLLECTOR_FILE = "collector.json"
MANIFEST_FILE = "manifest.json"
MONITORS_FILE = "monitors.json"


@dataclass
class BuildResult:
    """Everything a build produces; ``source`` never holds the token."""

    content: dict[str, Any]
    collector: dict[str, Any] | None
    source: dict[str, Any] | None
    manifest: Manifest
    monitors: dict[str, Any] | None = None


def resolve_parameters(app: App, given: Mapping[str, str]) -> dict[str, str]:
    """Defaults overridden by ``given``; a value failing ``appbuilder.parameters`` checks raises InputError."""
    resolved = resolve(app, given)
    if resolved.diagnostics:
        raise InputError(resolved.diagnostics)
    return resolved.values


def _substitute(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return substitute_parameters(value, values)
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON used for hashing."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def build_source(app: App) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Collector and source request bodies; the API token is added only at install time."""
    source = app.source
    if source is None:
        return None, None
    collector: dict[str, Any] = {"collectorType": "Hosted", "name": source.collector.name,
                                 "description": source.collector.description, "category": source.collector.category,
                                 "fields": dict(sorted(source.collector.fields.items()))}
    config: dict[str, Any] = {"name": source.name, "description": source.description,
                              "category": source.category, "base_url": source.base_url,
                              "supported_apis": list(source.apis), "fields": dict(sorted(source.fields.items()))}
    body = {"sourceType": "Universal", "schemaRef": {"type": source.type}, "config": config}
    return {"collector": collector}, {"source": body}


def build_app(app: App, parameters: Mapping[str, str] | None = None) -> BuildResult:
    """Build ``app`` with the given install parameters (defaults for the rest)."""
    return build_resolved(app, resolve_parameters(app, parameters or {}))


def build_resolved(app: App, values: Mapping[str, str]) -> BuildResult:
    """Build ``app`` with ``values``, every declared parameter's value as already checked by
    ``appbuilder.parameters.resolve`` (the pipeline's validate stage)."""
    content = _substitute(build_folder(app), values)
    collector, source = (_substitute(copy.deepcopy(x), values) if x else None for x in build_source(app))
    if source is not None:  # an API given by an empty install parameter is not collected
        config = source["source"]["config"]
        config["supported_apis"] = [api for api in config["supported_apis"] if api.strip()]
    monitors = build_monitors(app, values)
    manifest = Manifest(
        app=app.name,
        version=app.version,
        folder=content["name"],
        parameters=dict(sorted(values.items())),
        content_hash=content_hash(content),
        source_hash=content_hash({"collector": collector, "source": source}) if source else None,
        token_env=app.source.token_env if app.source else None,
        dashboards=[d["name"] for d in content["children"] if d["type"] == "DashboardV2SyncDefinition"],
        saved_searches=[d["name"] for d in content["children"] if d["type"] == "SavedSearchWithScheduleSyncDefinition"],
        monitors=[m["name"] for m in monitors["monitors"]] if monitors else [],
        monitors_hash=content_hash(monitors) if monitors else None,
        unmanaged=list(app.unmanaged),
    )
    return BuildResult(content, collector, source, manifest, monitors)


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_build(result: BuildResult, out_dir: Path) -> list[Path]:
    """Write the build files into ``out_dir`` (created if needed); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {CONTENT_FILE: result.content, MANIFEST_FILE: result.manifest.to_dict()}
    if result.source is not None:
        files[SOURCE_FILE] = result.source
        files[COLLECTOR_FILE] = result.collector
    if result.monitors is not None:
        files[MONITORS_FILE] = result.monitors
    written = []
    for name, value in files.items():
        path = out_dir / name
        path.write_text(_dump(value), encoding="utf-8")
        written.append(path)
    for name in (SOURCE_FILE, COLLECTOR_FILE, MONITORS_FILE):
        if name not in files:  # left by an earlier build of an app that had one: not part of this build
            (out_dir / name).unlink(missing_ok=True)
    return written
