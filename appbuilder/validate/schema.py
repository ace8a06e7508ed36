"""JSON Schema validation of YAML documents, with every error mapped back to its file, line and column."""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from appbuilder.diagnostics import Diagnostic, field_path
from appbuilder.recent import Recent
from appbuilder.schemafiles import KINDS, SCHEMA_DIR, UnknownKindError, load_schema, schema_path

__all__ = ["KINDS", "SCHEMA_DIR", "UnknownKindError", "load_schema", "schema_path", "validate_document"]

if TYPE_CHECKING:

    from appbuilder.load.yamlfile import YamlDocument

def _inline_local_refs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace ``{"$ref": "#/$defs/x"}`` by the definition itself: same meaning, much faster validation."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs:
            merged = {**{k: v for k, v in node.items() if k != "$ref"}, **defs[ref[8:]]}
            return _inline_local_refs(merged, defs)
        sibling = re.fullmatch(r"([a-z]+)\.schema\.json#/\$defs/(\w+)", ref) if isinstance(ref, str) else None
        if sibling and sibling.group(1) in KINDS:  # a definition of a sibling schema (same directory)
            other = load_schema(sibling.group(1)).get("$defs", {})
            merged = {**{k: v for k, v in node.items() if k != "$ref"}, **other[sibling.group(2)]}
            return _inline_local_refs(merged, other)
        return {k: _inline_local_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_local_refs(v, defs) for v in node]
    return node


@cache
def _validator(kind: str) -> Draft202012Validator:
    schema = load_schema(kind)
    return Draft202012Validator(_inline_local_refs(schema, schema.get("$defs", {})))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _describe(error: ValidationError) -> tuple[str, str, list[str | int], bool]:
    """Message, hint, the path to point at, and whether to point at the key rather than the value."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        name = str(extra[0]) if extra else "?"
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key '{name}'", hint, [*path, name], True
    if validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else str(error.validator_value)
        description = schema.get("properties", {}).get(missing, {}).get("description", "")
        return f"missing required key '{missing}'", description or f"add '{missing}' here", path, False
    if validator == "enum":
        choices = [json.dumps(v) for v in error.validator_value]
        close = difflib.get_close_matches(json.dumps(error.instance), choices, n=1)
        hint = f"did you mean {close[0]}?" if close else f"use one of: {', '.join(choices)}"
        return f"{json.dumps(error.instance)} is not allowed here", hint, path, False
    if validator == "const":
        return f"must be {json.dumps(error.validator_value)}", "", path, False
    if validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, got {_json_type(error.instance)}", schema.get("description", ""), path, False
    if validator == "pattern":
        hint = schema.get("description", "") or f"must match {error.validator_value}"
        return f"{json.dumps(error.instance)} has the wrong form", hint, path, False
    if validator in ("minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"):
        return error.message, schema.get("description", ""), path, False
    if validator == "uniqueItems":
        return "list has duplicate entries", "each entry may appear once", path, False
    if validator == "not":
        return "this combination of keys is not allowed", _not_hint(error), path, False
    if validator == "oneOf" and isinstance(error.instance, dict):
        options = [s.get("required", []) for s in error.validator_value if isinstance(s, dict)]
        keys = [k[0] for k in options if len(k) == 1]
        if keys:
            present = [k for k in keys if k in error.instance]
            if present:
                return (f"give only one of {', '.join(keys)} (found {', '.join(present)})",
                        "these keys exclude each other", path, False)
            return f"one of {', '.join(keys)} is required", f"add {' or '.join(keys)} here", path, False
    return error.message, schema.get("description", ""), path, False


def _not_hint(error: ValidationError) -> str:
    forbidden = error.validator_value
    if isinstance(forbidden, dict):
        names = [s.get("required", [None])[0] for s in forbidden.get("anyOf", []) if isinstance(s, dict)]
        names += forbidden.get("required", [])
        names = [n for n in names if n]
        if names:
            return f"remove {' / '.join(names)} here"
    return ""


def _leaves(error: ValidationError) -> list[ValidationError]:
    """Replace an anyOf/oneOf error that has no simple explanation by its most relevant sub-error."""
    if error.validator in ("anyOf",) and error.context:
        best = best_match(error.context)
        return [best] if best is not None else [error]
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        return [error]
    if error.validator == "oneOf" and error.context:
        best = best_match(error.context)
        return [best] if best is not None else [error]
    return [error]


# the documents found valid, by kind and data (``repr`` keeps ``1``, ``1.0`` and ``"1"`` apart): an app is
# validated again and again (plan, then install under the lock; every environment) and a document seen valid need
# not be walked again; the repr of a document over 256 KB is not kept
_VALID: Recent[tuple[str, str], bool] = Recent(2048)
_LARGEST = 256 * 1024


def validate_document(doc: YamlDocument, kind: str) -> list[Diagnostic]:
    """Every schema violation in ``doc`` as a positioned diagnostic (empty when valid)."""
    key = (kind, repr(doc.data))
    if _VALID.get(key):
        return []
    diagnostics = _violations(doc, kind)
    if not diagnostics and len(key[1]) <= _LARGEST:
        _VALID.put(key, True)
    return diagnostics


def _violations(doc: YamlDocument, kind: str) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[int, int, str]] = set()
    for raw in _validator(kind).iter_errors(doc.data):
        for error in _leaves(raw):
            message, hint, path, at_key = _describe(error)
            overall = raw.schema.get("description") if isinstance(raw.schema, dict) else None
            if error is not raw and raw.validator == "anyOf" and overall:
                # one failed alternative alone misleads ("use one of: today, …" for "1d"): describe them all
                hint = f"{hint} {overall}" if hint.startswith("did you mean") else overall
            position = doc.position(path, key=at_key)
            message += doc.merge_note(path)
            dedupe = (position.line, position.column, message)
            if dedupe in seen:
                continue
            seen.add(dedupe)
            hint = hint or f"see `appbuilder schema {kind}` for what is allowed here"
            diagnostics.append(Diagnostic(position, message, code="schema", path=field_path(path), hint=hint))
    return sorted(diagnostics, key=Diagnostic.sort_key)
