"""Sumo's published OpenAPI spec, executable: the fake checks request and response bodies against it.

The schemas come from ``spec/openapi.json``, a trimmed copy of the spec written by
``scripts/gen_spec_schemas.py`` (the operations the fake serves and the component schemas they reach, plus the
Search Job API's documented operations, which the spec's paths lack, and two documented overrides). A request
is matched to a spec operation by method and path template (a literal segment beats a parameter, so
``/v1/monitors/root`` is ``getMonitorsLibraryRoot``, not ``monitorsReadById``); any route of the fake whose path
is in the spec is checked, with nothing to register.

OpenAPI 3.0 is read the way Sumo's JSON reader behaves, with ``jsonschema`` (Draft 2020-12) and ``referencing``:

- a ``discriminator`` picks the subtype: the ``mapping`` when the spec gives one, else the subtype whose schema
  name is the value (OpenAPI's implicit mapping; a subtype is a schema whose ``allOf`` extends the base). An
  unknown value is an error, so ``MonitorsLibraryMonitor`` is refused where ``MonitorsLibraryMonitorExport``
  is expected. A ``…Response`` base also takes its own name (Sumo lists a folder's children as
  ``MonitorsLibraryBaseResponse`` stubs); an absent value takes the property's ``default`` when it names a
  subtype (``TriggerCondition.detectionMethod``);
- a property whose value is ``null`` counts as absent;
- properties the schema does not name are ignored (no schema in the spec forbids them anyway).

``check_request`` refuses a body that breaks its operation's request schema with a 400 in Sumo's
``ErrorResponse`` shape; ``check_response`` turns a reply of the fake that breaks its response schema into a 500
(a bug of the fake, never of the client), and records it in ``violations`` so a test can name it.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from appbuilder.fakesumo.errors import ApiError, refuse
from appbuilder.sumo.normalise import without_nulls

URI = "urn:appbuilder:sumo-openapi"
REF = "#/components/schemas/"
DISPATCH = "#/dispatch/"
MAX_PROBLEMS = 20
MAX_VERDICTS = 256  # bodies whose verdict is remembered


@dataclass(frozen=True)
class Operation:
    """One spec operation: ``key`` is ``METHOD /path/{template}``."""

    key: str
    operation_id: str
    segments: tuple[str | None, ...]  # None for a path parameter
    request: dict[str, Any] | None
    request_required: bool
    responses: dict[str, Any] = field(default_factory=dict)

    def response_schema(self, status: int) -> dict[str, Any] | None:
        """The schema of a response with ``status`` (the spec's ``default`` for statuses it does not list)."""
        schema = self.responses.get(str(status))
        if schema is None and str(status) not in self.responses:
            schema = self.responses.get("default")
        return schema  # type: ignore[no-any-return]


def segments(template: str) -> tuple[str | None, ...]:
    """A path template's segments, ``None`` for a parameter (``{id}``)."""
    return tuple(None if re.fullmatch(r"\{\w+\}", s) else s for s in template.strip("/").split("/"))


@dataclass(frozen=True)
class Family:
    """A discriminated schema: its discriminator property and its subtypes by value."""

    prop: str
    values: dict[str, str]

    def names_of(self, subtype: str) -> list[str]:
        return sorted(value for value, target in self.values.items() if target == subtype)


def _families(schemas: dict[str, Any]) -> dict[str, Family]:
    """Every discriminated schema with the subtypes its discriminator values name."""
    extends: dict[str, list[str]] = {}
    for name, schema in schemas.items():
        for part in schema.get("allOf") or []:
            target = str(part.get("$ref", "")) if isinstance(part, dict) else ""
            if target.startswith(REF):
                extends.setdefault(target[len(REF):], []).append(name)
    found: dict[str, Family] = {}
    for name, schema in schemas.items():
        discriminator = schema.get("discriminator")
        if not isinstance(discriminator, dict):
            continue
        values = {child: child for child in sorted(extends.get(name, []))}
        if name.endswith("Response"):  # a read may answer the base type itself: a published reply types folder
            values[name] = name  # children "MonitorsLibraryBaseResponse"
        for value, target in (discriminator.get("mapping") or {}).items():
            values.pop(target[len(REF):], None)
            values[value] = target[len(REF):]
        if values:
            found[name] = Family(str(discriminator["propertyName"]), values)
    return found


def _base(part: Any) -> str:
    target = str(part.get("$ref", "")) if isinstance(part, dict) else ""
    return target[len(REF):] if target.startswith(REF) else ""


def _rewrite(node: Any, families: dict[str, Family], own: str | None = None) -> Any:
    """``node`` with every ``$ref`` to a discriminated schema pointed at its dispatcher, except the ``allOf``
    link by which a subtype (``own``) extends its base: that one requires the value naming ``own`` (a body
    checked against a subtype directly must still be that subtype)."""
    if isinstance(node, list):
        return [_rewrite(v, families, own) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "allOf" and own is not None:
            out[key] = [_rewrite(part, families) for part in value]
            for i, part in enumerate(value):
                family = families.get(_base(part))
                if family is not None:
                    names = family.names_of(own)
                    out[key][i] = {"allOf": [part, {"properties": {family.prop: {"enum": names}}}]} if names else part
        elif key == "$ref" and _base(node) in families:
            out[key] = DISPATCH + _base(node)
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _rewrite(schema, families) for name, schema in value.items()}
        else:
            out[key] = _rewrite(value, families)
    return out


def _dispatcher(name: str, schema: dict[str, Any], family: Family) -> dict[str, Any]:
    prop, values = family.prop, family.values
    branches = [{"if": {"properties": {prop: {"const": value}}, "required": [prop]},
                 "then": {"$ref": REF + target}} for value, target in sorted(values.items())]
    default = ((schema.get("properties") or {}).get(prop) or {}).get("default")
    if default in values:  # an absent discriminator takes the spec's default (TriggerCondition.detectionMethod)
        branches.append({"if": {"not": {"required": [prop]}}, "then": {"$ref": REF + values[default]}})
    return {"allOf": [{"$ref": REF + name}, *branches],
            "properties": {prop: {"type": "string", "enum": sorted(values)}}}


class Contract:
    """The operations of the trimmed spec and a validator for their bodies."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.source = str(document.get("source", ""))
        schemas: dict[str, Any] = document["schemas"]
        families = _families(schemas)
        translated = {
            "components": {"schemas": {name: _rewrite(schema, families, name) for name, schema in schemas.items()}},
            "dispatch": {name: _dispatcher(name, schemas[name], family) for name, family in families.items()},
        }
        resource = Resource.from_contents(translated, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(URI, resource)
        self.operations: list[Operation] = []
        for key, op in sorted(document["operations"].items()):
            method, template = key.split(" ", 1)
            body = op.get("requestBody")
            self.operations.append(Operation(
                key, str(op.get("operationId") or ""), (method, *segments(template)),
                _rewrite(body["schema"], families) if body and body.get("schema") else None,
                bool(body and body.get("required")),
                {status: _rewrite(s, families) for status, s in (op.get("responses") or {}).items() if s}))
        self._validators: dict[str, Draft202012Validator] = {}
        self._verdicts: dict[tuple[str, str], tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def operation(self, method: str, path: str) -> Operation | None:
        """The spec operation for a request (``path`` below ``/api``), or None when the spec has none."""
        wanted = (method.upper(), *path.strip("/").split("/"))
        best: tuple[int, Operation] | None = None
        for op in self.operations:
            if len(op.segments) != len(wanted) or op.segments[0] != wanted[0]:
                continue
            if all(s is None or s == w for s, w in zip(op.segments[1:], wanted[1:], strict=True)):
                literals = sum(s is not None for s in op.segments)
                if best is None or literals > best[0]:
                    best = (literals, op)
        return None if best is None else best[1]

    def problems(self, schema: dict[str, Any], instance: Any) -> list[str]:
        """What is wrong with ``instance`` under ``schema`` (a schema of an ``Operation``): one message per
        problem, each starting with the JSON path of the value (``children[0].triggers[1].threshold: ...``)."""
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator = Draft202012Validator(_absolute(schema), registry=self._registry)
            self._validators[key] = validator
        seen = (key, json.dumps(instance, sort_keys=True))  # the same body again (a re-install, an export read
        known = self._verdicts.get(seen)  # back, the deploy tests' own check) is not validated twice
        if known is not None:
            return list(known)
        found = sorted(_message(error) for error in validator.iter_errors(without_nulls(instance)))[:MAX_PROBLEMS]
        with self._lock:
            if len(self._verdicts) >= MAX_VERDICTS:
                self._verdicts.pop(next(iter(self._verdicts)))
            self._verdicts[seen] = tuple(found)
        return found


def _absolute(node: Any) -> Any:
    """An operation's schema with its references made absolute (into the registered spec resource)."""
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    if not isinstance(node, dict):
        return node
    return {k: URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute(v)
            for k, v in node.items()}


def _where(error: ValidationError) -> str:
    text = ""
    for part in error.absolute_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: ValidationError) -> str:
    where = _where(error)
    missing = re.fullmatch(r"'(.+)' is a required property", error.message)
    if missing:
        return f"{where}.{missing.group(1)}: is required" if where else f"{missing.group(1)}: is required"
    return f"{where}: {error.message}" if where else error.message


@cache
def contract() -> Contract:
    """The contract of the packaged spec (read once)."""
    text = resources.files("appbuilder.fakesumo").joinpath("spec/openapi.json").read_text(encoding="utf-8")
    return Contract(json.loads(text))


# the error code of a refused request by operation, else by API (the codes are the fake's: the spec names none)
INVALID_CODES = {"beginAsyncImport": "content:invalid_sync_definition",
                 "createFolder": "content:invalid_folder", "updateFolder": "content:invalid_folder",
                 "addContentPermissions": "content:invalid_permission_request",
                 "removeContentPermissions": "content:invalid_permission_request"}
API_CODES = (("/v2/dashboards", "dashboard:invalid_request"), ("/v1/logSearches", "logsearch:invalid_request"),
             ("/v1/monitors", "monitor:invalid_request"), ("/v1/search/jobs", "searchjob.invalid.request"))


def invalid_code(op: Operation) -> str:
    path = "/" + "/".join(s or "{}" for s in op.segments[1:])
    return INVALID_CODES.get(op.operation_id) or next(
        (code for prefix, code in API_CODES if path.startswith(prefix)), "bad.request")


def check_request(method: str, path: str, body: bytes) -> None:
    """Raise Sumo's 400 when ``body`` breaks the request schema of the spec operation for method and path."""
    op = contract().operation(method, path)
    if op is None or op.request is None:
        return
    if not body:
        if op.request_required:
            raise ApiError(400, invalid_code(op), f"A JSON request body is required ({op.operation_id}).")
        return
    try:
        instance = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "bad.request", f"The request body is not valid JSON: {exc}") from None
    refuse(invalid_code(op), request_problems(method, path, instance))


def request_problems(method: str, path: str, body: Any) -> list[str]:
    """What is wrong with a request body under the spec (empty when it conforms or the spec takes none)."""
    op = contract().operation(method, path)
    if op is None or op.request is None:
        return []
    return contract().problems(op.request, body)


def spec_body(method: str, path: str, body: bytes) -> Any:
    """The JSON body of a request to an operation of the spec that takes one (None otherwise, or unreadable)."""
    op = contract().operation(method, path) if body else None
    if op is None or op.request is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def check_response(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with a reply of the fake under the spec (empty when it conforms or the spec is silent)."""
    op = contract().operation(method, path)
    schema = None if op is None else op.response_schema(status)
    if op is None or schema is None:
        return []
    return [f"{op.operation_id} {status}: {p}" for p in contract().problems(schema, body)]
