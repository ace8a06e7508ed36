"""JUnit XML for CI test reports: one test case per panel, saved search and expectation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from appbuilder.report import DiagnosticReport, register
from appbuilder.report.text import TEST_RUN

_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _document(suite: ET.Element) -> str:
    suites = ET.Element("testsuites")
    suites.append(suite)
    return _HEADER + ET.tostring(suites, encoding="unicode")


@register("junit", DiagnosticReport)
def diagnostics_junit(report: DiagnosticReport) -> str:
    """An app that does not validate is not tested: one errored test case listing its problems, so a CI test
    publisher still finds its file."""
    suite = ET.Element("testsuite", name=f"{report.tool} validate", tests="1", failures="0", errors="1",
                       skipped="0", time="0.000")
    case = ET.SubElement(suite, "testcase", classname=report.tool, name="validate", time="0.000")
    error = ET.SubElement(case, "error", message=report.summary or "the app does not validate")
    error.text = "\n".join(str(d) for d in report.ordered if d.is_error)
    return _document(suite)


@register("junit", TEST_RUN)
def test_run_junit(result: Any) -> str:
    suite = ET.Element("testsuite", name=f"appbuilder test {result.app}", tests=str(len(result.cases)),
                       failures=str(result.failed), errors="0", skipped=str(result.skipped),
                       time=f"{result.seconds:.3f}")
    for case in result.cases:
        el = ET.SubElement(suite, "testcase", classname=f"{result.app}.{case.kind}", name=case.name,
                           time=f"{case.seconds:.3f}")
        if case.skipped:
            ET.SubElement(el, "skipped", message=case.skipped)
        if case.failures:
            failure = ET.SubElement(el, "failure", message=case.failures[0])
            failure.text = "\n".join(case.failures)
    return _document(suite)
