"""Write the trimmed copy of Sumo's OpenAPI spec that the fake Sumo validates against.

    python3 scripts/gen_spec_schemas.py [SPEC] [-o appbuilder/fakesumo/spec/openapi.json]

SPEC defaults to ``../shared/reference/sumo-logic-openapi.yml`` next to the repository. The output holds the
operations the fake serves (each route of ``appbuilder.fakesumo.server.ROUTER`` whose method and path template
are in the spec): per ``METHOD /path/{template}`` the request body's schema and the response schema per
status; and every component schema they reach: through ``$ref``, and through discriminators (a schema whose
``allOf`` extends a discriminated schema is one of its subtypes). The file is deterministic: keys sorted, the
spec's descriptions, examples and vendor extensions left out (they do not validate anything).

Two additions, each naming its source: ``DOCUMENTED_OPERATIONS``, operations Sumo documents whose paths the spec
lacks although their component schemas are in it (the Search Job API), and ``OVERRIDES``, the few places where
the spec's schema and Sumo's documented requests and published responses disagree; the documentation wins.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT.parent.parent / "shared" / "reference" / "sumo-logic-openapi.yml"
DEFAULT_OUT = ROOT / "appbuilder" / "fakesumo" / "spec" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "patch")
DROPPED = ("description", "example", "examples", "externalDocs", "title", "xml")
REF = "#/components/schemas/"

# Sumo's "Search Job APIs" documentation (help.sumologic.com docs/api/search-job; sumo-api.md section 7): the paths,
# methods and success statuses. The spec has the bodies' component schemas but not the paths (Sumo says the Search
# Job API is not described by its OpenAPI specs), so the operation ids are ours. Errors are the legacy flat shape
# the documentation shows ({"status", "id", "code", "message"}), not the spec's ErrorResponse: no "default".
JOB = "/v1/search/jobs/{id}"
DOCUMENTED_OPERATIONS: dict[str, dict[str, Any]] = {
    "POST /v1/search/jobs": {"operationId": "createSearchJob",
                             "requestBody": {"required": True, "schema": {"$ref": REF + "CreateJobRequest"}},
                             "responses": {"202": {"$ref": REF + "CreateJobResponse"}}},
    f"GET {JOB}": {"operationId": "getSearchJobStatus",
                   "responses": {"200": {"$ref": REF + "SearchJobStatusResponse"}}},
    f"DELETE {JOB}": {"operationId": "deleteSearchJob",
                      "responses": {"200": {"$ref": REF + "SearchJobDeleteResponse"}}},
    f"GET {JOB}/messages": {"operationId": "getSearchJobMessages",
                            "responses": {"200": {"$ref": REF + "SearchQueryPaginatedMessages"}}},
    f"GET {JOB}/records": {"operationId": "getSearchJobRecords",
                           "responses": {"200": {"$ref": REF + "SearchQueryPaginatedRecords"}}},
}


def _time_zone(schema: dict[str, Any]) -> None:
    """CreateJobRequest: the documentation's requests (and Sumo's own Python SDK, sumologic-python-sdk
    ``search_job``) send ``timeZone``; the spec names it ``timezone``. ``timeZone`` is required, ``timezone``
    stays an optional property of the same type (a client may send both)."""
    schema["properties"]["timeZone"] = dict(schema["properties"]["timezone"])
    schema["required"] = sorted({*schema["required"], "timeZone"} - {"timezone"})


def _records_page(schema: dict[str, Any]) -> None:
    """SearchQueryPaginatedRecords: the documentation's published records page is ``{"warning", "fields",
    "records"}`` (the property the schema itself defines); the spec's ``required`` names ``messages``, which
    such a page does not carry."""
    schema["required"] = sorted({*schema["required"], "records"} - {"messages"})


# where the spec and Sumo's documentation disagree: schema name -> the change (each function names its source)
OVERRIDES = {"CreateJobRequest": _time_zone, "SearchQueryPaginatedRecords": _records_page}


def fake_templates() -> list[tuple[str, str]]:
    """(METHOD, /path/{param}) of every route the fake serves."""
    sys.path.insert(0, str(ROOT))
    from appbuilder.fakesumo.server import ROUTER

    return ROUTER.templates()


def served(method: str, spec_path: str, templates: list[tuple[str, str]]) -> bool:
    """True when a route of the fake (``templates``) has the spec operation's method and path shape (literals
    equal, parameters as parameters)."""
    from appbuilder.fakesumo.contract import segments  # the fake's own matching of paths to templates

    wanted = segments(spec_path)
    return any(m == method.upper() and segments(t) == wanted for m, t in templates)


def _clean(node: Any) -> Any:
    """A schema without the keywords that validate nothing (a property may still be called ``description``)."""
    if isinstance(node, list):
        return [_clean(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED or key.startswith("x-"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _clean(schema) for name, schema in value.items()}
        else:
            out[key] = _clean(value)
    return out


def _json_schema(content: dict[str, Any] | None) -> Any:
    media = (content or {}).get("application/json") or {}
    return _clean(media["schema"]) if "schema" in media else None


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"][len(REF):]} if isinstance(node.get("$ref"), str) and node["$ref"].startswith(REF) \
            else set()
        mapping = (node.get("discriminator") or {}).get("mapping") or {}
        found |= {target[len(REF):] for target in mapping.values()}
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _extends(schema: dict[str, Any]) -> set[str]:
    """The schemas a schema extends through ``allOf``."""
    return {part["$ref"][len(REF):] for part in schema.get("allOf") or []
            if isinstance(part, dict) and str(part.get("$ref", "")).startswith(REF)}


def operations(spec: dict[str, Any], templates: list[tuple[str, str]]) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            if not served(method, path, templates):
                continue
            op = item[method]
            entry: dict[str, Any] = {"operationId": op.get("operationId")}
            body = op.get("requestBody")
            if body is not None:
                entry["requestBody"] = {"required": bool(body.get("required")),
                                        "schema": _json_schema(body.get("content"))}
            entry["responses"] = {str(status): _json_schema(response.get("content"))
                                  for status, response in (op.get("responses") or {}).items()}
            ops[f"{method.upper()} {path}"] = entry
    return ops


def reachable(schemas: dict[str, Any], roots: set[str]) -> set[str]:
    """``roots`` and every schema they reach by ``$ref`` or as a subtype of a discriminated schema."""
    children: dict[str, set[str]] = {}
    for name, schema in schemas.items():
        for parent in _extends(schema):
            children.setdefault(parent, set()).add(name)
    seen: set[str] = set()
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        schema = schemas[name]
        todo.extend(_refs(schema))
        if "discriminator" in schema:
            todo.extend(children.get(name, ()))
    return seen


def generate(spec_file: Path) -> str:
    from ruamel.yaml import YAML

    spec = YAML(typ="safe", pure=False).load(spec_file.read_text(encoding="utf-8"))
    templates = fake_templates()
    ops = operations(spec, templates)
    ops.update({key: op for key, op in DOCUMENTED_OPERATIONS.items()
                if key not in ops and served(*key.split(" ", 1), templates)})
    schemas = spec["components"]["schemas"]
    names = reachable(schemas, _refs(ops))
    trimmed = {name: _clean(schemas[name]) for name in sorted(names)}
    for name, change in OVERRIDES.items():
        if name in trimmed:
            change(trimmed[name])
    document = {
        "source": f"{spec_file.name}, OpenAPI {spec.get('openapi')}, info.version {spec['info'].get('version')}; "
                  f"Search Job API paths from Sumo's documentation; overrides: {', '.join(sorted(OVERRIDES))}",
        "operations": ops,
        "schemas": trimmed,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not args.spec.is_file():
        print(f"{args.spec}: no such file (pass the path of Sumo's OpenAPI spec)", file=sys.stderr)
        return 2
    text = generate(args.spec)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
