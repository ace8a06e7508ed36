"""`appbuilder new NAME [--from-samples FILE.jsonl]`: scaffold an app that validates and tests green.

The app gets editor schema comments: relative paths to the nearest ``schemas/`` directory above it (the
repository's, see ``schemas/README.md``), else to copies written to ``NAME/.schemas``. Then one dashboard with
one panel, one saved search, a sample file, a test file, a CHANGELOG.md and a ``.gitignore``. With samples, the
field the queries group by is picked from them (a text field every event has, with a few distinct values), so
query lint checks the JSON paths against real events and the test expects the real counts.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.commands.schema import write_schemas
from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import read_jsonl
from appbuilder.model import Position

SLUG = re.compile(r"[a-z][a-z0-9_-]{0,63}")
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT_SAMPLES = [
    {"timestamp": "2026-01-05T10:00:00Z", "category": "success", "user": {"name": "alice"}},
    {"timestamp": "2026-01-05T10:05:00Z", "category": "failure", "user": {"name": "bob"}},
    {"timestamp": "2026-01-05T11:00:00Z", "category": "success", "user": {"name": "carol"}},
    {"timestamp": "2026-01-06T09:30:00Z", "category": "success", "user": {"name": "alice"}},
]


@dataclass
class NewOutcome:
    """The files written, or the problems that stopped the scaffold (nothing is written then)."""

    root: Path
    written: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    group_field: str = ""

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted JSON paths (identifier keys only) of the scalar leaves of one event."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and KEY.fullmatch(key):
                out.update(_leaves(item, f"{prefix}{key}."))
    elif prefix:
        out[prefix[:-1]] = value
    return out


def pick_group_field(events: list[dict[str, Any]]) -> str:
    """The text field to count by: present in most events, then fewest distinct values above one (identifiers such
    as ``actor_uuid`` last: counting by an id says little), then first seen."""
    seen: dict[str, list[Any]] = {}
    for event in events:
        for path, value in _leaves(event).items():
            seen.setdefault(path, []).append(value)
    candidates = []
    for order, (path, values) in enumerate(seen.items()):
        if all(isinstance(v, str) for v in values):
            distinct = len(set(values))
            few = 1 < distinct <= 20
            identifier = path.rsplit(".", 1)[-1].lower().endswith(("uuid", "_id", "id"))
            candidates.append((-len(values), not few, identifier, distinct if few else 0, order, path))
    if not candidates:
        return ""
    return min(candidates)[-1]


def read_samples(path: Path, diagnostics: list[Diagnostic]) -> tuple[list[dict[str, Any]], str]:
    """The sample events of a JSON Lines file and its text; a line that is not a JSON object is a diagnostic
    (read safely: a binary, huge or deeply nested file is a problem, never an exception)."""
    lines = read_jsonl(path, str(path), what="sample event")
    diagnostics.extend(lines.diagnostics)
    events = [event for _, event in lines.rows]
    if not events and not diagnostics:
        diagnostics.append(Diagnostic(Position(str(path)), "no events in this file", code="samples",
                                      hint="give a JSON Lines file with one event per line"))
    return events, "".join(line + "\n" for line in lines.raw)


def covering_time_range(events: list[dict[str, Any]]) -> str:
    """A relative time range (whole days) that holds every sample event, so panels see all of them."""
    from appbuilder.query.evaluate.values import timestamp_ms

    times = [t for t in (timestamp_ms(e.get("timestamp")) for e in events) if isinstance(t, int)]
    span_days = (max(times) - min(times)) // 86_400_000 if times else 0
    return f"-{span_days + 1}d"


def _files(slug: str, title: str, path: str, events: list[dict[str, Any]]) -> dict[str, str]:
    alias = path.replace(".", "_")
    window = covering_time_range(events)
    values = [_leaves(e).get(path) for e in events]
    counts = Counter(v for v in values if isinstance(v, str))
    top, top_count = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    scope = "_sourceCategory=${source_category}"
    query = f'{scope}\n| json "{path}" as {alias}\n| count by {alias}\n| sort by _count'
    token_env = re.sub(r"[^A-Z0-9_]", "_", slug.upper()) + "_EVENTS_TOKEN"

    def indented(text: str, spaces: int) -> str:
        return "\n".join(" " * spaces + line for line in text.splitlines())

    return {
        "app.yaml": f"""# yaml-language-server: $schema=.schemas/app.schema.json
name: {title}
version: 0.1.0
description: >-
  {title}: events collected by the Cloud-to-Cloud source, counted by {path}.
folder: {title}
logTypes:
  - {title} Events
parameters:
  - name: source_category
    description: Source category (_sourceCategory) of the source; every query is scoped by it.
    default: {slug}
    pattern: "[A-Za-z0-9][A-Za-z0-9_./-]*"
source: source.yaml
queries: queries.yaml
dashboards:
  - dashboards/overview.yaml
samples:
  - samples/*.jsonl
tests:
  - tests/*.yaml
""",
        "source.yaml": f"""# yaml-language-server: $schema=.schemas/source.schema.json
collector:
  name: {title}
  description: Hosted collector for the {title} source.
source:
  name: {title} Events
  type: 1Password
  category: ${{source_category}}
  baseUrl: events.1password.com
  apis: [sign-in, itemUsage]
  # the API token is read from this environment variable at install time; never commit it
  tokenEnv: {token_env}
""",
        "queries.yaml": f"""# yaml-language-server: $schema=.schemas/queries.schema.json
queries:
  - id: events_by_{alias}
    name: {title} - Events by {path}
    description: Events counted by {path}.
    savedSearch: true
    timeRange: {window}
    query: |-
{indented(query, 6)}
""",
        "dashboards/overview.yaml": f"""# yaml-language-server: $schema=../.schemas/dashboard.schema.json
title: {title} - Overview
description: Events of the {title} source.
timeRange: {window}
panels:
  - id: events_by_{alias}
    title: Events by {path}
    description: Events counted by {path}.
    chart: pie
    position: {{x: 0, y: 0}}
    width: 12
    height: 8
    query: |-
{indented(query, 6)}
""",
        "tests/panels.yaml": f"""# yaml-language-server: $schema=../.schemas/tests.schema.json
# Expected results on samples/*.jsonl (run: appbuilder test); update them with the samples.
tests:
  - name: every {path} value is counted
    target: overview/events_by_{alias}
    columns: [{alias}, _count]
    rowCount: {len(counts)}
    rows:
      - {{{alias}: {json.dumps(top)}, _count: {top_count}}}
  - name: the saved search counts the same
    target: query:events_by_{alias}
    rowCount: {len(counts)}
""",
        "CHANGELOG.md": f"# Changelog: {title}\n\n## 0.1.0\n\n- First version.\n",
        ".gitignore": "backups/\ndist/\n",
    }


LOCAL_SCHEMAS = ".schemas"


def repository_schemas(target: Path) -> Path | None:
    """The nearest ``schemas/`` above ``target`` holding the app schema (a repository laid out like appbuilder's,
    or one that ran ``appbuilder schema --write schemas``); None when there is none."""
    for directory in target.resolve().parents:
        candidate = directory / "schemas"
        if (candidate / "app.schema.json").is_file():
            return candidate
    return None


def _relative(schemas: Path, target: Path) -> str:
    return Path(os.path.relpath(schemas, target.resolve())).as_posix()


def with_schema_dir(files: dict[str, str], base: str) -> dict[str, str]:
    """``files`` with their ``$schema`` comments pointing into ``base`` (relative to the app directory); a file
    in a sub-directory climbs out of it first."""
    out = {}
    for name, text in files.items():
        up = "../" * name.count("/")
        out[name] = text.replace(f"$schema={up}{LOCAL_SCHEMAS}/", f"$schema={up}{base}/", 1)
    return out


def run_new(target: Path, samples: Path | None = None) -> NewOutcome:
    """Scaffold the app directory ``target`` (must not exist or be empty); ``samples`` seeds samples/events.jsonl."""
    outcome = NewOutcome(target)
    slug = target.name
    if not SLUG.fullmatch(slug):
        outcome.diagnostics.append(Diagnostic(Position(str(target)), f"'{slug}' is not a usable app name",
                                              code="new-name", hint="lower-case letters, digits, - and _, "
                                              "starting with a letter (e.g. acme-vpn)"))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        outcome.diagnostics.append(Diagnostic(Position(str(target)), "already exists and is not an empty directory",
                                              code="new-exists", hint="choose a new directory"))
    if samples is not None:
        events, sample_text = read_samples(samples, outcome.diagnostics)
    else:
        events = DEFAULT_SAMPLES
        sample_text = "".join(json.dumps(e) + "\n" for e in events)
    group = pick_group_field(events) if events else ""
    if events and not group:
        outcome.diagnostics.append(Diagnostic(Position(str(samples)), "no text field found in the sample events",
                                              code="samples", hint="the queries need a text field to count by"))
    if outcome.diagnostics:
        return outcome
    outcome.group_field = group
    title = " ".join(part.capitalize() for part in re.split(r"[-_]", slug) if part)
    repository = repository_schemas(target)
    files = with_schema_dir(_files(slug, title, group, events), _relative(repository, target) if repository
                            else LOCAL_SCHEMAS)
    files["samples/events.jsonl"] = sample_text  # one event a line, each ending with a newline
    try:
        for name, text in files.items():
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            outcome.written.append(path)
        if repository is None:
            outcome.written += write_schemas(target / LOCAL_SCHEMAS)
    except OSError as exc:
        outcome.diagnostics.append(Diagnostic(Position(str(exc.filename or target)),
                                              f"cannot write: {exc.strerror or exc}", code="new-write",
                                              hint="choose a directory you can write to"))
    return outcome
