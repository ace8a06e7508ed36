"""`--param`: one check for every command (names, characters, length, patterns on RE2), lengths after substitution."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import edit

from appbuilder.cli import cli
from appbuilder.model import Parameter
from appbuilder.parameters import DEFAULT_PATTERN, MAX_VALUE_LENGTH, check_value
from appbuilder.patterns import compile_pattern

DECLARED = Parameter("source_category", "mini", pattern="[A-Za-z0-9/_ -]+")
UNDECLARED = Parameter("source_category", "mini")


@pytest.mark.parametrize(("value", "reason"), [
    ('a"b', "a double quote"), ("a'b", "a single quote"), ("a|b", "a pipe"), ("a\\b", "a backslash"),
    ("a\nb", "a newline"), ("a\rb", "a newline"), ("a\x00b", "a control character (U+0000)"), ("a`b", "a backquote"),
])
def test_characters_that_break_out_are_refused_whatever_the_pattern(value: str, reason: str) -> None:
    for parameter in (DECLARED, UNDECLARED, Parameter("p", "x", pattern=".*")):
        problem = check_value(parameter, value, "--param")
        assert problem is not None and reason in problem


def test_the_default_pattern_applies_when_none_is_declared() -> None:
    assert check_value(UNDECLARED, "security/1password_prod-*", "--param") is None
    problem = check_value(UNDECLARED, "a b", "--param")
    assert problem is not None and f"does not match the default pattern {DEFAULT_PATTERN}" in problem
    assert check_value(DECLARED, "a b", "--param") is None  # the app's own pattern allows spaces


def test_length_is_limited() -> None:
    problem = check_value(Parameter("p", "x", pattern=".*"), "a" * (MAX_VALUE_LENGTH + 1), "--param")
    assert problem is not None and "characters long" in problem


def test_catastrophic_patterns_run_in_linear_time() -> None:
    pattern = compile_pattern("(a+)+$")  # exponential on a backtracking engine
    started = time.perf_counter()
    assert not pattern.fullmatch("a" * 100_000 + "!")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("pattern", "message"), [
    (r"(a)\1", "backreferences"), ("(?=a)a", "lookahead"), ("(?<!a)b", "lookbehind"),
    ("a{1001}", "at most 1000 repetitions"), ("[a-", "missing ]"), ("a" * 1001, "longer than 1000"),
])
def test_refused_patterns_say_why(pattern: str, message: str) -> None:
    compiled = compile_pattern(pattern)
    assert compiled.error is not None and message in compiled.error
    assert not compiled.fullmatch("a")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["validate", "build", "test", "plan", "install"])
def test_every_command_checks_params_the_same_way(app_dir: Path, command: str) -> None:
    """The same check, message and position before anything else happens (plan and install connect to no org)."""
    code, out = _run(command, "app", "--param", 'source_category=x"|delete')
    assert code == 1
    assert ("app/app.yaml:7:5: error: --param value of parameter 'source_category' contains a double quote, "
            "which could change the queries it is substituted into") in out
    code, out = _run(command, "app", "--param", "source_categry=x")
    assert code == 1 and "app/app.yaml:6:1: error: unknown parameter 'source_categry'" in out
    assert "did you mean 'source_category'?" in out
    assert not Path("out").exists() and not Path("dist").exists()


def test_names_are_checked_after_substitution(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "    pattern: \"[A-Za-z0-9/_-]+\"\n", "")
    code, out = _run("build", "app", "--param", f"source_category={'x' * 121}", "-o", "out")
    assert code == 1 and "the folder name is 129 characters long with the parameters substituted" in out
    assert "Sumo allows at most 128" in out and not Path("out").exists()
    code, _ = _run("build", "app", "--param", f"source_category={'x' * 120}", "-o", "out")
    assert code == 0


def test_a_long_title_is_refused_without_parameters(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "title: Minimal - Main", f"title: {'T' * 256}")
    code, out = _run("validate", "app")
    assert code == 1 and "the dashboard title is 256 characters long; Sumo allows at most 255" in out


def test_query_regexes_run_on_re2_with_a_fallback() -> None:
    import re

    from appbuilder.patterns import compile_regex

    nested = compile_regex("(?P<x>(a+)+b)")
    assert not isinstance(nested, re.Pattern)  # RE2: linear time
    started = time.perf_counter()
    assert nested.search("a" * 100_000 + "c") is None
    assert time.perf_counter() - started < 1.0
    assert nested.search("zaab").group("x") == "aab"
    lookbehind = compile_regex(r"(?<=id=)\d+")  # Sumo (Java) has lookbehind; RE2 does not
    assert isinstance(lookbehind, re.Pattern) and lookbehind.search("id=42").group(0) == "42"
    with pytest.raises(re.error):
        compile_regex("(unclosed")


def test_test_command_survives_a_catastrophic_parse_regex(app_dir: Path) -> None:
    edit(app_dir / "queries.yaml", '      | json "category" as category\n      | count by category',
         '      | json "category" as category\n      | parse regex field=category "(?<x>(a+)+b)" nodrop\n'
         '      | count by category')
    edit(app_dir / "samples/events.jsonl", '"category": "success"', '"category": "' + "a" * 60 + 'c"')
    started = time.perf_counter()
    code, out = _run("test", "app")
    assert code == 0 and "passed, 0 failed" in out
    assert time.perf_counter() - started < 10  # a backtracking engine takes hours on this line


def test_wildcards_keywords_and_parse_patterns_match_in_linear_time() -> None:
    from appbuilder.query.evaluate.rowops import _anchor_regex
    from appbuilder.query.evaluate.values import keyword_regex, wildcard_matcher

    started = time.perf_counter()
    assert not wildcard_matcher("*a*a*a*a*a*a*a*a*a*a*c")("a" * 200)  # hours on a backtracking engine
    assert _anchor_regex("a*a*a*a*a*a*a*a*a*a*c").search("a" * 300) is None  # parse "…*…"
    assert keyword_regex("*a*a*a*a*a*a*a*a*a*c*x").search("a" * 3000) is None
    assert time.perf_counter() - started < 1.0
    assert wildcard_matcher("a*b*c")("aXbYc") and not wildcard_matcher("a*b*c")("aXbY")
    fail = keyword_regex("fail")
    assert fail.search("x FAIL y") and fail.search("fail") and not fail.search("failed")
    assert keyword_regex("disk full", phrase=True).search("the DISK  full error")
    assert _anchor_regex("user=* ip=*").search("x user=bob ip=192.0.2.1").groups() == ("bob", "192.0.2.1")


@pytest.mark.parametrize("args", [["query", "run", "app", "--panel", "main/by_category"],
                                  ["preview", "app", "-o", "site"]])
def test_query_run_and_preview_check_params_too(app_dir: Path, args: list[str]) -> None:
    code, out = _run(*args, "--param", "source_category=a|b")
    assert code == 1 and "app/app.yaml:7:5: error: --param value of parameter 'source_category' contains a pipe" in out
    assert not Path("site").exists()


JWT = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFiYyJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
ACCESS_KEY = "Q3vX9pL2mN8rT5wY7zA1bC4dE6fG0hJ" * 2


@pytest.mark.parametrize("value", [JWT, ACCESS_KEY], ids=["jwt", "access-key"])
def test_a_token_looking_value_is_refused_and_never_echoed(app_dir: Path, value: str) -> None:
    for parameter in (Parameter("p", "x", pattern=".*"), UNDECLARED):
        problem = check_value(parameter, value, "--param")
        assert problem is not None and "looks like a token" in problem and value[:12] not in problem
    result = CliRunner().invoke(cli, ["build", str(app_dir), "--param", f"source_category={value}"])
    assert result.exit_code == 1 and "looks like a token" in result.output and value[:12] not in result.output
    assert not Path("dist").exists()
    bare = CliRunner().invoke(cli, ["build", str(app_dir), "--param", value])
    assert bare.exit_code == 1 and value[:12] not in bare.output and "'********' is not name=value" in bare.output


def test_a_parameter_given_twice_is_a_usage_error(app_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(app_dir), "--param", "source_category=a",
                                      "--param", "source_category=b"])
    assert result.exit_code == 1 and "'source_category' is given twice" in result.output


def test_a_source_host_given_by_a_parameter_must_be_an_events_api_host(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "parameters:\n", "parameters:\n  - {name: region, default: events.1password.com}\n")
    edit(app_dir / "source.yaml", "baseUrl: events.1password.com", "baseUrl: ${region}")
    assert _run("validate", "app")[0] == 0
    code, out = _run("build", "app", "--param", "region=events.1password.eu", "-o", "out")
    assert code == 0 and '"base_url": "events.1password.eu"' in Path("out/source.json").read_text(encoding="utf-8")
    code, out = _run("build", "app", "--param", "region=evil.example.com", "-o", "out2")
    assert code == 1 and "the source's baseUrl is 'evil.example.com' with the parameters substituted" in out
    assert "events.1password.com, events.1password.ca, events.1password.eu, events.ent.1password.com" in out
    assert not Path("out2").exists()
