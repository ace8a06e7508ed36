"""Why a query finds nothing: the scope alone, then growing prefixes; run locally by `appbuilder test` on the
samples, and on any backend that counts and samples queries."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

from appbuilder.commands.test import run_test
from appbuilder.live.diagnose import category_query, diagnose
from appbuilder.live.local import SampleBackend
from appbuilder.query.evaluate import Evaluator

APP = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
EVENTS = [{"timestamp": "2026-11-18T08:00:00Z", "category": "success", "client": {"ip_address": "1.1.1.1"}},
          {"timestamp": "2026-11-18T09:00:00Z", "category": "mfa_failed", "client": {"ip_address": "2.2.2.2"}}]


NOW = datetime(2026, 11, 19, tzinfo=timezone.utc)


def _backend() -> SampleBackend:
    return SampleBackend(Evaluator(EVENTS), NOW, "-7d")


def test_local_test_names_the_json_line_and_the_key_the_samples_have(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    for path in (app / "samples").glob("*.jsonl"):
        path.write_text(path.read_text().replace('"ip_address"', '"ip"'))
    result = run_test(app, variables={}, parameters={}).result
    failures = {c.target: c.failures for c in result.cases if c.kind == "panel" and c.failures}
    message = failures["overview/events_by_category"][0]
    assert message.startswith("the query returns no rows on the sample events: loses every event at line 2 (")
    line = next(n for n, text in enumerate((app / "fragments.yaml").read_text().splitlines(), 1)
                if text.lstrip().startswith("| json") and '"client.ip_address"' in text)
    assert f"fragments.yaml:{line}): json " in message
    assert message.endswith('"client.ip_address": the events have client.ip')
    assert "audit_security/top_actions" not in failures


def test_the_operator_losing_the_events_is_named_with_its_line() -> None:
    query = ('_sourceCategory=x\n| json "category", "client.ip_address" as category, ip\n'
             '| where category = "sso_failed"\n| count by ip')
    found = diagnose(query, _backend())
    assert (found.stage, found.line, found.operator) == ("operator", 3, 'where category = "sso_failed"')
    assert found.message == 'loses every event at line 3: where category = "sso_failed"'
    renamed = diagnose(query.replace("ip_address", "ip"), _backend(), locate=lambda line: f"line {line} (q:9)")
    assert renamed.message.startswith('loses every event at line 2 (q:9): json "category", "client.ip"')
    assert renamed.message.endswith('"client.ip": the events have client.ip_address')


def test_scope_without_events_and_where_the_events_are() -> None:
    class Org(SampleBackend):
        def where(self, query: str) -> list[tuple[str, str, int]] | None:
            self.asked = query
            return [("1pw", "signins", 2)]

    org = Org(Evaluator(EVENTS), NOW, "-7d")
    found = diagnose('_sourceCategory=wrong "no such word"\n| json "category" as c\n| count by c', org)
    assert found.stage == "scope"
    assert found.message == ('no events match the scope `_sourceCategory=wrong "no such word"` in the window; events '
                             "of this query's shape are in _sourceCategory=1pw (_sourceName=signins, 2 events): "
                             "is the source category parameter wrong?")
    assert org.asked == category_query('_sourceCategory=wrong "no such word"\n| json "category" as c\n| count by c')
    assert org.asked.startswith('"no such word"\n| json "category" as c\n| count by _sourceCategory, _sourceName')
    local = diagnose('"no such word" | count', _backend())
    assert local.stage == "scope" and "shape" not in local.message  # samples have no metadata to search


def test_every_operator_keeping_events_blames_no_single_step() -> None:
    found = diagnose('_sourceCategory=x | json "category" as c | count by c', _backend())
    assert found.stage == "none"


def test_category_query_is_one_bounded_metadata_query() -> None:
    text = category_query('_sourceCategory=a | json "x" as x | count')
    assert text.endswith("| count by _sourceCategory, _sourceName\n| sort by _count\n| limit 5")
    assert json.dumps(text).count("_sourceCategory=a") == 0
