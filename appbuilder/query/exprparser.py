"""The expression grammar shared by where, if, ``<expr> as x`` and aggregates (the cursor is ``stream``)."""

from __future__ import annotations

import appbuilder.query.ast as ast
from appbuilder.query.lexer import EOF, FIELD, IDENT, NUMBER, OP, PARAM, REGEX, STRING, TEMPLATE, URL
from appbuilder.query.stream import ParseError, Stream, at, describe, number_value

_COMPARISONS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


# -- expressions (lowest precedence first) --------------------------------------------------------------------


def parse_expr(s: Stream) -> ast.Expr:
    start = s.tok
    s.enter(start)
    try:
        cond = parse_or(s)
        if s.accept_op("?"):
            then = parse_expr(s)
            s.expect_op(":")
            other = parse_expr(s)
            return at(ast.Ternary(cond, then, other), start)
        return cond
    finally:
        s.depth -= 1


def parse_or(s: Stream) -> ast.Expr:
    start = s.tok
    left = parse_and(s)
    while s.is_word("or") or s.is_op("||"):
        s.next()
        left = at(ast.Binary("or", left, parse_and(s)), start)
    return left


def parse_and(s: Stream) -> ast.Expr:
    start = s.tok
    left = parse_not(s)
    while s.is_word("and") or s.is_op("&&"):
        s.next()
        left = at(ast.Binary("and", left, parse_not(s)), start)
    return left


def parse_not(s: Stream) -> ast.Expr:
    start = s.tok
    if s.is_word("not") and not s.peek().kind == EOF:
        s.next()
        with s.nested(start):
            return at(ast.Unary("!", parse_not(s)), start)
    return parse_comparison(s)


def parse_comparison(s: Stream) -> ast.Expr:
    start = s.tok
    left = parse_additive(s)
    t = s.tok
    if t.kind == OP and t.value in _COMPARISONS:
        s.next()
        return at(ast.Binary(_COMPARISONS[t.value], left, parse_additive(s)), start)
    negated = False
    if s.is_word("not") and s.is_word("in", "matches", "contains", k=1):
        s.next()
        negated = True
    if s.accept_word("in"):
        s.expect_op("(")
        if _subquery_ahead(s):
            return at(ast.InList(left, [], negated, subquery=_until_close(s)), start)
        values = [parse_expr(s)]
        while s.accept_op(","):
            values.append(parse_expr(s))
        s.expect_op(")")
        return at(ast.InList(left, values, negated), start)
    for word in ("matches", "contains"):
        if s.accept_word(word):
            node: ast.Expr = at(ast.Binary(word, left, parse_additive(s)), start)
            return at(ast.Unary("!", node), start) if negated else node
    return left


def _subquery_ahead(s: Stream) -> bool:
    """Whether a ``|`` comes before the ``)`` closing the parenthesis just opened."""
    depth = 0
    for t in s.tokens[s.i:]:
        if t.kind == OP and t.value == "|" and depth == 0:
            return True
        if t.kind == OP and t.value in ("(", ")"):
            depth += 1 if t.value == "(" else -1
            if depth < 0:
                return False
    return False


def _until_close(s: Stream) -> str:
    """The text of the tokens up to the ``)`` closing the open parenthesis (consumed)."""
    parts: list[str] = []
    depth = 0
    while not s.at_end():
        t = s.next()
        if t.kind == OP and t.value in ("(", ")"):
            depth += 1 if t.value == "(" else -1
            if depth < 0:
                return " ".join(parts)
        parts.append(t.text)
    raise ParseError(s.tok, "expected ')' but found the end of the operator")


def table_ref(s: Stream, *stops: str) -> str:
    """A lookup table: ``geo://location``, ``path://"/Library/x"``, ``https://host/t.csv``, a quoted path, a
    bare path such as ``shared/owners`` or an app parameter ``$$table``; it ends before ``stops`` words or ``,``."""
    t = s.tok
    if t.kind in (URL, STRING):
        return s.next().value
    parts: list[str] = []
    while not s.at_end() and not s.is_word(*stops) and not s.is_op(",", ")"):
        parts.append(s.next().text)
    if not parts:
        raise ParseError(t, f"expected a lookup table such as geo://location or a path but found {describe(t)}")
    return "".join(parts)


def parse_additive(s: Stream) -> ast.Expr:
    start = s.tok
    left = parse_multiplicative(s)
    while s.is_op("+", "-"):
        op = s.next().value
        left = at(ast.Binary(op, left, parse_multiplicative(s)), start)
    return left


def parse_multiplicative(s: Stream) -> ast.Expr:
    start = s.tok
    left = parse_unary(s)
    while s.is_op("*", "/", "%"):
        op = s.next().value
        left = at(ast.Binary(op, left, parse_unary(s)), start)
    return left


def parse_unary(s: Stream) -> ast.Expr:
    start = s.tok
    if s.is_op("-", "!", "+"):
        op = s.next().value
        with s.nested(start):
            operand = parse_unary(s)
        return operand if op == "+" else at(ast.Unary(op, operand), start)
    return parse_primary(s)


def parse_primary(s: Stream) -> ast.Expr:
    t = s.tok
    if t.kind == NUMBER:
        s.next()
        try:
            value, is_duration = number_value(t.value)
        except ValueError:
            raise ParseError(t, f"'{t.text}' is not a number") from None
        return at(ast.Literal(value, is_duration), t)
    if t.kind == STRING:
        s.next()
        return at(ast.Literal(t.value), t)
    if t.kind == REGEX:
        s.next()
        return at(ast.Regex(t.value), t)
    if t.kind == TEMPLATE:
        s.next()
        return at(ast.Template(t.value), t)
    if t.kind == PARAM:
        s.next()
        return at(ast.Param(t.value), t)
    if t.kind == FIELD:
        s.next()
        return at(ast.FieldRef(t.value, quoted=True), t)
    if t.kind == IDENT:
        s.next()
        low = t.value.lower()
        if s.is_op("("):
            s.next()
            args: list[ast.Expr] = []
            if low == "lookupcontains" and not s.is_op(")"):
                first = s.tok
                args.append(at(ast.Literal(table_ref(s)), first))
            elif not s.is_op(")"):
                args.append(_call_arg(s))
            while args and s.accept_op(","):
                args.append(_call_arg(s))
            s.expect_op(")")
            return at(ast.Call(low, args), t)
        if low in ("true", "false"):
            return at(ast.Literal(low == "true"), t)
        if low == "null":
            return at(ast.Literal(None), t)
        return at(ast.FieldRef(t.value), t)
    if t.kind == OP and t.value == "(":
        s.next()
        inner = parse_expr(s)
        s.expect_op(")")
        return inner
    if t.kind == URL:
        s.next()
        return at(ast.Literal(t.value), t)
    raise ParseError(t, f"expected a value, field or function but found {describe(t)}")


def _call_arg(s: Stream) -> ast.Expr:
    if s.is_op("*") and s.peek().kind == OP and s.peek().value in (")", ","):
        t = s.next()
        return at(ast.FieldRef("*"), t)
    return parse_expr(s)
