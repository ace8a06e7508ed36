"""JUnit XML for CI test reports: one test case per panel, saved search and expectation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from appbuilder.report import register
from appbuilder.report.text import TEST_RUN


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
    suites = ET.Element("testsuites")
    suites.append(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
