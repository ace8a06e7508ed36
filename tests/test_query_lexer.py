"""Tokeniser: scope words, strings, regexes, comments, URLs, templates and positions."""

from appbuilder.query.lexer import (
    EOF,
    FIELD,
    IDENT,
    NUMBER,
    OP,
    PARAM,
    PIPE,
    REGEX,
    STRING,
    SUBQUERY,
    TEMPLATE,
    URL,
    WORD,
    tokenize,
)


def kinds(text: str) -> list[tuple[str, str]]:
    tokens, issues, _ = tokenize(text)
    assert not issues, issues
    return [(t.kind, t.value) for t in tokens if t.kind != EOF]


def test_scope_words_keep_punctuation_and_wildcards():
    assert kinds('_sourceCategory=*fortigate* "type=\\"traffic\\"" !(vpn)') == [
        (WORD, "_sourceCategory"), (OP, "="), (WORD, "*fortigate*"), (STRING, 'type="traffic"'),
        (OP, "!"), (OP, "("), (WORD, "vpn"), (OP, ")"),
    ]


def test_scope_templates_params_and_app_params():
    assert kinds("_sourceCategory={{_sourceCategory}} ${scope} $$logsrc") == [
        (WORD, "_sourceCategory"), (OP, "="), (TEMPLATE, "_sourceCategory"), (PARAM, "scope"), (WORD, "$$logsrc"),
    ]


def test_pipe_switches_to_operator_tokens():
    got = kinds('x | where a >= 10 and b != "y" | count by %"Client IP"')
    assert got == [
        (WORD, "x"), (PIPE, "|"), (IDENT, "where"), (IDENT, "a"), (OP, ">="), (NUMBER, "10"), (IDENT, "and"),
        (IDENT, "b"), (OP, "!="), (STRING, "y"), (PIPE, "|"), (IDENT, "count"), (IDENT, "by"), (FIELD, "Client IP"),
    ]


def test_regex_literal_after_matches_but_division_after_operand():
    got = kinds("x | where t matches /^(a|b)$/ | a / b as c")
    assert (REGEX, "^(a|b)$") in got
    assert (OP, "/") in got
    assert sum(1 for k, _ in got if k == PIPE) == 2  # the | inside the regex is not a pipe


def test_comments_are_skipped_and_collected():
    tokens, issues, comments = tokenize("x\n// | count\n| limit 5 // tail")
    assert not issues
    assert [t.value for t in tokens if t.kind == IDENT] == ["limit"]
    assert [c.value.strip() for c in comments] == ["| count", "tail"]


def test_urls_are_single_tokens():
    got = kinds('x | lookup a from geo://location on ip=c | lookup b from path://"/Library/x y" on k')
    assert (URL, "geo://location") in got
    assert (URL, 'path://"/Library/x y"') in got


def test_subquery_in_scope_is_one_token():
    got = kinds("x [subquery: _view=v | compose ip keywords] | count")
    assert got[1] == (SUBQUERY, "subquery: _view=v | compose ip keywords")
    assert got[2] == (PIPE, "|")


def test_positions_are_one_based_lines_and_columns():
    tokens, _, _ = tokenize('x\n| json "a"\n  | count')
    count = next(t for t in tokens if t.value == "count")
    assert (count.line, count.column) == (3, 5)
    string = next(t for t in tokens if t.kind == STRING)
    assert (string.line, string.column) == (2, 8)


def test_numbers_with_units_and_string_escapes():
    got = kinds('x | timeslice 15m | parse "\\"ip\\":[\\"*\\"]" as ip | where n > 1.5')
    assert (NUMBER, "15m") in got and (NUMBER, "1.5") in got
    assert (STRING, '"ip":["*"]') in got


def test_unterminated_string_is_reported_not_raised():
    tokens, issues, _ = tokenize('x | where a = "oops')
    assert issues and "unterminated string" in issues[0].message
    assert (issues[0].line, issues[0].column) == (1, 15)
    assert tokens[-1].kind == EOF


def test_templates_in_operator_position():
    assert (TEMPLATE, "topK") in kinds("x | limit {{topK}}")
