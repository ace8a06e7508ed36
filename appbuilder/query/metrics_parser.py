"""``parse_metrics_query``: a Sumo Logic metrics query into a ``MetricsQuery`` (never raises).

A metrics query is a selector (``metric=CPU_* AND (host=a OR host=b) NOT env=dev``, with ``{{var}}`` and
``${param}`` values) or a row expression over other queries of the panel (``(#A + #B) / 2 along host``),
followed by ``| operator`` segments (``avg``, ``sum by host``, ``pct(95)``, ``topk(10, max)``, ``quantize to
5m using avg``, ``eval _value * 8``, ...). Positions are 1-based within the query text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import appbuilder.query.ast as ast
from appbuilder.query.lexer import Lines
from appbuilder.query.metrics_lexer import (
    BAD,
    EOF,
    OP,
    PARAM,
    ROWREF,
    STRING,
    TEMPLATE,
    WORD,
    Token,
    segments,
    tokenize,
)
from appbuilder.query.parser import scope_boolean
from appbuilder.query.stream import ParseError, Stream, at, describe, duration_ms

AGGREGATES = frozenset({"avg", "sum", "min", "max", "count", "stddev", "latest"})
# Operators with a dedicated check; every other known name is accepted as written.
KNOWN_OPERATORS = AGGREGATES | frozenset({
    "pct", "rate", "quantize", "topk", "bottomk", "eval", "filter", "outlier", "delta", "accum", "timeshift",
    "fillmissing", "where", "parse", "along", "sort", "limit", "predict", "cumulative", "histogram_quantile",
})


@dataclass(eq=False)
class RowRef(ast.Node):
    """``#A``: the result of another query (row) of the same panel."""

    name: str


@dataclass(eq=False)
class MetricsOp(ast.Node):
    """One ``| operator`` segment: its name, argument tokens as written, and ``by`` keys."""

    name: str = ""
    args: list[str] = field(default_factory=list)
    by: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    modelled: bool = True  # false when the form is not one appbuilder checks


@dataclass(eq=False)
class MetricsQuery(ast.Node):
    """A parsed metrics query; ``selector`` and ``rows`` are exclusive (a row expression has no selector)."""

    text: str = ""
    selector: ast.ScopeExpr | None = None
    rows: list[RowRef] = field(default_factory=list)
    along: list[str] = field(default_factory=list)
    operators: list[MetricsOp] = field(default_factory=list)
    issues: list[ast.SyntaxIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def templated(self) -> bool:
        """Whether a whole selector term is a ``{{var}}`` or ``${param}`` (it may hold any selector)."""
        return any(t.kind in ("template", "param") for t in _terms(self.selector))

    @property
    def metrics(self) -> list[str]:
        """Values given to ``metric=`` in the selector (wildcards kept)."""
        return [t.value for t in _terms(self.selector) if t.key and t.key.lower() == "metric"]


def _terms(node: ast.ScopeExpr | None):
    if isinstance(node, ast.ScopeTerm):
        yield node
    elif isinstance(node, ast.ScopeBool):
        for item in node.items:
            yield from _terms(item)
    elif isinstance(node, ast.ScopeNot):
        yield from _terms(node.item)


class _Cursor(Stream):
    """A ``Stream`` whose keywords are metrics words."""

    def is_word(self, *words: str, k: int = 0) -> bool:
        t = self.peek(k) if k else self.tok
        return t.kind == WORD and t.value.lower() in words

    @property
    def eof(self) -> Token:
        return self.tokens[-1]


def _bad_tokens(tokens: list[Token], query: MetricsQuery) -> list[Token]:
    """Report lexical problems and drop their tokens."""
    for t in tokens:
        if t.kind == BAD:
            query.issues.append(ast.SyntaxIssue(t.line, t.column, t.value))
    return [t for t in tokens if t.kind != BAD]


def parse_metrics_query(text: str, *, metadata_filter: bool = False) -> MetricsQuery:
    """Parse a metrics query. Never raises: problems go to ``issues`` with their line and column.
    ``metadata_filter``: the text is a variable's metadata filter (a selector alone, maybe empty)."""
    lines = Lines(text)
    query = MetricsQuery(text=text, line=1, column=1)
    bounds = segments(text)
    head_start, head_end = bounds[0]
    head = tokenize(text, head_start, head_end, lines, expr=False)
    if any(t.kind == ROWREF for t in head):
        head = tokenize(text, head_start, head_end, lines, expr=True)
    head = _bad_tokens(head, query)
    eof = head[-1]
    try:
        if any(t.kind == ROWREF for t in head):
            _row_expression(_Cursor(head), query)
        elif len(head) > 1:
            cur = _Cursor(head)
            query.selector = scope_boolean(cur, _sel_primary)
            if not cur.at_end():
                raise ParseError(cur.tok, f"unexpected {describe(cur.tok)} in the metrics selector")
        elif not metadata_filter:
            raise ParseError(eof, "a metrics query needs a selector such as metric=CPU_Total before any '|'",
                             "for example: metric=CPU_Total _sourceCategory=prod | avg by _sourceHost")
    except ParseError as err:
        query.issues.append(ast.SyntaxIssue(err.token.line, err.token.column, str(err), err.hint))
    for start, end in bounds[1:]:
        if metadata_filter:
            line, column = lines.locate(start - 1)
            query.issues.append(ast.SyntaxIssue(line, column, "a metadata filter takes no operators",
                                                "keep only key=value terms, e.g. account={{account}}"))
            break
        op = _operator(text, start, end, lines, query)
        if op is not None:
            query.operators.append(op)
    return query


def _sel_primary(cur: _Cursor) -> ast.ScopeExpr:
    t = cur.tok
    if cur.is_op("("):
        cur.next()
        inner = scope_boolean(cur, _sel_primary)
        cur.expect_op(")")
        return inner
    if t.kind == WORD and t.value.lower() not in ("and", "or", "not"):
        cur.next()
        if cur.is_op("=", "!="):
            negated = cur.next().value == "!="
            return at(ast.ScopeTerm("field", _sel_value(cur, t), key=t.value, negated=negated), t)
        return at(ast.ScopeTerm("keyword", t.value), t)
    if t.kind in (STRING, TEMPLATE, PARAM):
        cur.next()
        kind = {STRING: "phrase", TEMPLATE: "template", PARAM: "param"}[t.kind]
        return at(ast.ScopeTerm(kind, t.value), t)
    problem = "ends early" if t.kind == EOF else f"has an unexpected {describe(t)}"
    raise ParseError(t, f"the metrics selector {problem}",
                     "a selector holds key=value pairs (metric=..., _sourceCategory=...), AND/OR/NOT and parentheses")


def _sel_value(cur: _Cursor, key: Token) -> str:
    """The value after ``key=``: a word, "string", {{var}}, ${param} or a parenthesised OR-list."""
    v = cur.tok
    if v.kind in (WORD, STRING, TEMPLATE, PARAM) and not (v.kind == WORD and v.value.lower() in ("and", "or")):
        cur.next()
        return v.value
    if cur.is_op("("):
        with cur.nested(cur.next()):
            values = [_sel_value(cur, key)]
            while cur.is_word("or") or cur.is_op(","):
                cur.next()
                values.append(_sel_value(cur, key))
        cur.expect_op(")")
        return " OR ".join(values)
    raise ParseError(v, f"expected a value after '{key.value}=' but found {describe(v)}",
                     f"for example: {key.value}=CPU_Total")


def _row_expression(cur: _Cursor, query: MetricsQuery) -> None:
    """``#A + #B``, ``(#A / #B) * 100``, ``#A along host``: arithmetic over rows and numbers."""

    def operand() -> None:
        t = cur.tok
        if cur.is_op("("):
            with cur.nested(cur.next()):
                expression()
            cur.expect_op(")")
        elif cur.is_op("-"):
            with cur.nested(cur.next()):
                operand()
        elif t.kind == ROWREF:
            query.rows.append(at(RowRef(t.value), cur.next()))
        elif t.kind == WORD and _is_number(t.value):
            cur.next()
        else:
            raise ParseError(t, f"expected a row such as #A or a number but found {describe(t)}",
                             "a row expression combines other queries of the panel: (#A + #B) / 2")

    def expression() -> None:
        operand()
        while cur.is_op("+", "-", "*", "/"):
            cur.next()
            operand()

    expression()
    if cur.is_word("along", "on"):
        cur.next()
        query.along = _keys(cur, "along")
    if not cur.at_end():
        raise ParseError(cur.tok, f"unexpected {describe(cur.tok)} in the row expression")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _keys(cur: _Cursor, after: str) -> list[str]:
    """A comma-separated list of metadata keys (words or templates)."""
    keys: list[str] = []
    while True:
        t = cur.tok
        if t.kind not in (WORD, TEMPLATE, PARAM):
            raise ParseError(t, f"expected a key after '{after}' but found {describe(t)}",
                             f"for example: {after} _sourceHost")
        keys.append(cur.next().value)
        if not cur.is_op(","):
            return keys
        cur.next()


def _operator(text: str, start: int, end: int, lines: Lines, query: MetricsQuery) -> MetricsOp | None:
    tokens = _bad_tokens(tokenize(text, start, end, lines, expr=True), query)
    pipe_line, pipe_col = lines.locate(start - 1)
    if len(tokens) == 1:
        query.issues.append(ast.SyntaxIssue(pipe_line, pipe_col, "empty operator after '|'",
                                            "remove the extra '|' or add an operator"))
        return None
    first = tokens[0]
    op = at(MetricsOp(name=first.value.lower(), start=first.pos, end=end), first)
    assert isinstance(op, MetricsOp)
    cur = _Cursor(tokens[1:])
    try:
        if first.kind != WORD:
            raise ParseError(first, f"expected an operator name but found {describe(first)}",
                             "for example: | avg by _sourceHost")
        _operator_body(op, cur)
    except ParseError as err:
        query.issues.append(ast.SyntaxIssue(err.token.line, err.token.column, str(err), err.hint))
    return op


def _split_by(op: MetricsOp, cur: _Cursor) -> list[Token]:
    """Collect argument tokens up to a top-level ``by`` (or ``group by``); parse the keys into ``op.by``.
    Anything after the keys is kept as an argument and makes the form one appbuilder does not model."""
    args: list[Token] = []
    depth = 0
    while not cur.at_end():
        if depth == 0 and not op.by and cur.is_word("by", "group"):
            by = cur.next()
            if by.value.lower() == "group" and cur.is_word("by"):
                by = cur.next()
            if cur.at_end():
                raise ParseError(by, f"'{op.name} {by.value}' needs at least one key",
                                 f"for example: {op.name} by _sourceHost")
            op.by = _keys(cur, by.value)
            op.modelled = cur.at_end()
            continue
        t = cur.next()
        depth += (t.kind == OP and t.value == "(") - (t.kind == OP and t.value == ")")
        args.append(t)
    op.args = [("#" + t.value if t.kind == ROWREF else t.value) for t in args]
    return args


def _operator_body(op: MetricsOp, cur: _Cursor) -> None:
    args = _split_by(op, cur)
    name = op.name
    modelled = True
    if name not in KNOWN_OPERATORS:
        modelled = False
    elif name in AGGREGATES:
        modelled = not args
    elif name == "pct":
        (value,), modelled = _call_args(op, args, ["a percentile"], "pct(95)", cur.eof)
        if not (len(value) == 1 and _is_number(value[0].value) and 0 <= float(value[0].value) <= 100):
            raise ParseError(value[0], "pct needs a percentile between 0 and 100 but found "
                             f"'{' '.join(t.value for t in value)}'")
    elif name in ("topk", "bottomk"):
        (count, ranking), modelled = _call_args(op, args, ["a number of series", "an aggregate"],
                                                f"{name}(10, avg)", cur.eof)
        if not (len(count) == 1 and (count[0].value.isdigit() or count[0].kind == TEMPLATE)):
            raise ParseError(count[0], f"{name} needs a whole number of series first, e.g. {name}(10, avg)")
        modelled = modelled and len(ranking) == 1 and ranking[0].value.lower() in AGGREGATES
    elif name in ("quantize", "timeshift"):
        words = [t for t in args if not (t.kind == WORD and t.value.lower() == "to")]
        if not words:
            raise ParseError(cur.eof if not args else args[-1], f"{name} needs a time span such as 5m or 1d",
                             f"for example: {'quantize to 5m using avg' if name == 'quantize' else 'timeshift 1d'}")
        if words[0].kind == WORD and duration_ms(words[0].value) is None:
            raise ParseError(words[0], f"expected a time span such as 5m or 1d but found '{words[0].value}'")
        modelled = name == "timeshift" and len(words) == 1 or name == "quantize" and _quantize_tail(words[1:])
    elif name in ("eval", "filter", "where"):
        if not args:
            raise ParseError(cur.eof, f"{name} needs an expression",
                             "for example: | eval _value * 8" if name == "eval" else f"for example: | {name} max > 100")
    elif name in ("rate", "delta"):
        modelled = all(t.kind == WORD and t.value.lower() in ("increasing", "counter") for t in args)
    op.modelled = op.modelled and modelled


def _call_args(op: MetricsOp, args: list[Token], what: list[str], example: str,
               eof: Token) -> tuple[list[list[Token]], bool]:
    """The tokens of each argument of a leading ``(a[, b])``, checking their count, and whether nothing
    follows the closing parenthesis."""
    parts: list[list[Token]] = [[]]
    depth = 0
    end = None
    for index, t in enumerate(args[1:], start=1):
        if t.kind == OP and t.value in ("(", ")"):
            depth += 1 if t.value == "(" else -1
            if depth < 0:
                end = index
                break
        if t.kind == OP and t.value == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    if not args or args[0].value != "(" or end is None or len(parts) != len(what) or not all(parts):
        raise ParseError(args[0] if args else eof, f"{op.name} needs {' and '.join(what)} in parentheses, "
                         f"e.g. {example}")
    return parts, end == len(args) - 1


def _quantize_tail(words: list[Token]) -> bool:
    """``using <aggregate>`` and ``drop last`` after the span are the forms modelled."""
    values = [w.value.lower() for w in words]
    if values[:1] == ["using"]:
        values = values[2:] if len(values) > 1 and values[1] in AGGREGATES else ["?"]
    return values in ([], ["drop", "last"])
