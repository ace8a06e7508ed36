"""SARIF 2.1.0 for code scanning: one run, a rule per diagnostic code, a result per problem with its region."""

from __future__ import annotations

import json
from pathlib import PurePath, PurePosixPath
from urllib.parse import quote

from appbuilder import __version__
from appbuilder.diagnostics import WARNING, Diagnostic
from appbuilder.report import DiagnosticReport, register

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
UNCLASSIFIED = "appbuilder"


def rule_id(diagnostic: Diagnostic) -> str:
    """The SARIF rule id: the diagnostic's code, or one catch-all id for uncoded problems."""
    return diagnostic.code or UNCLASSIFIED


def _location(diagnostic: Diagnostic) -> dict[str, object]:
    path = PurePosixPath(PurePath(diagnostic.position.file).as_posix())
    artifact: dict[str, object]
    if path.is_absolute():  # an absolute URI needs its scheme: file:///...
        artifact = {"uri": path.as_uri()}
    else:  # a URI reference: spaces, '#', '<stdin>'... percent-encoded
        artifact = {"uri": quote(path.as_posix()), "uriBaseId": "%SRCROOT%"}
    physical: dict[str, object] = {"artifactLocation": artifact}
    if diagnostic.position.line > 0:
        region: dict[str, object] = {"startLine": diagnostic.position.line}
        if diagnostic.position.column > 0:
            region["startColumn"] = diagnostic.position.column
        physical["region"] = region
    location: dict[str, object] = {"physicalLocation": physical}
    if diagnostic.path:
        location["logicalLocations"] = [{"fullyQualifiedName": diagnostic.path}]
    return location


@register("sarif", DiagnosticReport)
def diagnostics_sarif(report: DiagnosticReport) -> str:
    ordered = report.ordered
    rules = sorted({rule_id(d) for d in ordered})
    index = {rule: i for i, rule in enumerate(rules)}
    results = []
    for d in ordered:
        message = d.message + (f" ({d.hint})" if d.hint else "")
        results.append({"ruleId": rule_id(d), "ruleIndex": index[rule_id(d)],
                        "level": "error" if d.is_error else "warning" if d.severity == WARNING else "note",
                        "message": {"text": message}, "locations": [_location(d)]})
    driver = {"name": report.tool, "version": __version__,
              "rules": [{"id": rule, "shortDescription": {"text": rule}} for rule in rules]}
    log = {"$schema": SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}]}
    return json.dumps(log, indent=2)
