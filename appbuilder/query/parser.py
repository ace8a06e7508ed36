"""``parse(text)``: a Sumo log query into a ``QueryAST``. Never raises; problems go to ``ast.issues``.

Trees are cached by text: the lint, both engines, the test runner and the fake's search jobs parse the same
queries again and again. A tree is shared by every caller, so it is read, never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import appbuilder.query.ast as ast
from appbuilder.query.exprparser import parse_expr
from appbuilder.query.lexer import (
    EOF,
    IDENT,
    OP,
    PARAM,
    PIPE,
    STRING,
    SUBQUERY,
    TEMPLATE,
    WORD,
    Token,
    tokenize,
)
from appbuilder.query.opparser import OPERATOR_PARSERS
from appbuilder.query.stream import MAX_TREE_DEPTH, Malformed, ParseError, Stream, at, check_tree_depth, describe
from appbuilder.query.vocab import FUNCTIONS, KNOWN_UNMODELLED

_SCOPE_KEYWORDS = {"and", "or", "not"}
# functions whose documentation requires `as <field>`; others may be applied to a field in place
_ALIAS_REQUIRED = {"concat", "format", "replace", "if", "formatdate", "now", "querystarttime", "queryendtime",
                   "querytimerange"}


@lru_cache(maxsize=4096)
def parse(text: str) -> ast.QueryAST:
    """Parse a whole query. Syntax problems are collected in ``issues``; this never raises. The same text gives
    the same (shared) tree: do not change it."""
    query = ast.QueryAST(text=text, line=1, column=1)
    try:
        tokens, lex_issues, comments = tokenize(text)
    except Exception as exc:  # defensive: the lexer is meant to accept any text
        query.issues.append(ast.SyntaxIssue(1, 1, f"cannot read the query: {exc}"))
        return query
    query.comments = [c.value for c in comments]
    query.issues.extend(ast.SyntaxIssue(i.line, i.column, i.message) for i in lex_issues)
    segments = _split(tokens)
    query.scope = _parse_scope(segments[0], query)
    for seg in segments[1:]:
        op = _parse_segment(seg, query, text)
        if op is not None:
            query.operators.append(op)
    return query


def _split(tokens: list[Token]) -> list[list[Token]]:
    """Segments between top-level pipes; each ends with an EOF token placed at the pipe. A ``|`` inside
    parentheses (``join (...) as t1``, ``in (... | limit 5)``) stays in its segment as an OP token, unless the
    parentheses never balance (then every pipe splits, so the error is reported where the segment ends)."""
    inner = _pipes_inside_parentheses(tokens)
    segments: list[list[Token]] = [[]]
    for index, t in enumerate(tokens):
        if index in inner:
            segments[-1].append(Token(OP, "|", "|", t.pos, t.line, t.column))
        elif t.kind in (PIPE, EOF):
            last = segments[-1][-1] if segments[-1] else None
            line, column = (last.line, last.column + len(last.text)) if last and "\n" not in last.text else (
                t.line, t.column)  # a problem "at the end of the operator" points just past its last token
            segments[-1].append(Token(EOF, "", "", t.pos, line, column))
            if t.kind == PIPE:
                segments.append([t])  # keep the pipe for positions; dropped by _parse_segment
        else:
            segments[-1].append(t)
    return segments if segments[-1] else segments[:-1]


def _pipes_inside_parentheses(tokens: list[Token]) -> set[int]:
    depth = 0
    inner: set[int] = set()
    for index, t in enumerate(tokens):
        if t.kind == OP and t.value in ("(", ")"):
            depth += 1 if t.value == "(" else -1
            if depth < 0:
                return set()
        elif t.kind == PIPE and depth:
            inner.add(index)
    return inner if depth == 0 else set()


# -- scope --------------------------------------------------------------------------------------------------


def _parse_scope(tokens: list[Token], query: ast.QueryAST) -> ast.ScopeExpr | None:
    s = Stream(tokens)
    if s.at_end():
        return None
    try:
        expr = scope_boolean(s, _scope_primary)
        if not s.at_end():
            raise ParseError(s.tok, f"unexpected {describe(s.tok)} in the search scope")
        return expr
    except ParseError as err:
        query.issues.append(ast.SyntaxIssue(err.token.line, err.token.column, str(err), err.hint))
        return None


def _is_scope_word(t: Token, *words: str) -> bool:
    return t.kind == WORD and t.value.lower() in words


def scope_boolean(s: Stream, primary: Callable[[Stream], ast.ScopeExpr]) -> ast.ScopeExpr:
    """Terms joined by OR, AND (or nothing: an implicit AND) and NOT/``!`` (keywords in any case), as in the
    scope of a log query and the selector of a metrics query; ``primary`` reads one term or parenthesis."""
    start = s.tok
    s.enter(start)
    try:
        items = [_scope_and(s, primary)]
        while _is_scope_word(s.tok, "or"):
            s.next()
            items.append(_scope_and(s, primary))
    finally:
        s.depth -= 1
    return items[0] if len(items) == 1 else at(ast.ScopeBool("or", items), start)


def _scope_and(s: Stream, primary: Callable[[Stream], ast.ScopeExpr]) -> ast.ScopeExpr:
    start = s.tok
    items = [_scope_not(s, primary)]
    while True:
        if _is_scope_word(s.tok, "and"):
            s.next()
        elif s.at_end() or _is_scope_word(s.tok, "or") or s.is_op(")"):
            break
        items.append(_scope_not(s, primary))
    return items[0] if len(items) == 1 else at(ast.ScopeBool("and", items), start)


def _scope_not(s: Stream, primary: Callable[[Stream], ast.ScopeExpr]) -> ast.ScopeExpr:
    start = s.tok
    if _is_scope_word(s.tok, "not") or s.is_op("!"):
        s.next()
        with s.nested(start):
            return at(ast.ScopeNot(_scope_not(s, primary)), start)
    return primary(s)


def _scope_primary(s: Stream) -> ast.ScopeExpr:
    t = s.tok
    if s.accept_op("("):
        inner = scope_boolean(s, _scope_primary)
        s.expect_op(")")
        return inner
    if t.kind == WORD and t.value.lower() not in _SCOPE_KEYWORDS:
        s.next()
        if s.is_op("=", "!="):
            negated = s.next().value == "!="
            v = s.tok
            if v.kind not in (WORD, STRING, TEMPLATE, PARAM):
                raise ParseError(v, f"expected a value after '{t.value}=' but found {describe(v)}")
            s.next()
            return at(ast.ScopeTerm("field", v.value if v.kind != TEMPLATE else v.text, key=t.value,
                                    negated=negated), t)
        kind = "appparam" if t.value.startswith("$$") else "keyword"
        return at(ast.ScopeTerm(kind, t.value), t)
    if t.kind == STRING:
        s.next()
        return at(ast.ScopeTerm("phrase", t.value), t)
    if t.kind == TEMPLATE:
        s.next()
        return at(ast.ScopeTerm("template", t.value), t)
    if t.kind == PARAM:
        s.next()
        return at(ast.ScopeTerm("param", t.value), t)
    if t.kind == SUBQUERY:
        s.next()
        return at(ast.ScopeTerm("subquery", t.value), t)
    raise ParseError(t, f"unexpected {describe(t)} in the search scope",
                     "the scope holds keywords, \"phrases\", key=value metadata, AND/OR/NOT and parentheses")


# -- operator segments --------------------------------------------------------------------------------------


def _parse_segment(tokens: list[Token], query: ast.QueryAST, text: str) -> ast.Operator | None:
    pipe, tokens = tokens[0], tokens[1:]
    s = Stream(tokens)
    first = s.tok
    end = tokens[-1].pos
    if first.kind == EOF:
        query.issues.append(ast.SyntaxIssue(pipe.line, pipe.column, "empty operator after '|'",
                                            "remove the extra '|' or add an operator"))
        return None
    op: ast.Operator
    try:
        op = _dispatch(s, first, text, end)
        if not s.at_end():
            raise ParseError(s.tok, f"unexpected {describe(s.tok)} after {op.name or 'the operator'}")
        if len(tokens) > MAX_TREE_DEPTH // 2:  # a level of the tree takes tokens: short segments cannot be too deep
            check_tree_depth(op)
    except ParseError as err:
        name = first.value.lower() if first.kind == IDENT else ""
        args_start = first.pos + len(first.text) if first.kind == IDENT else first.pos
        op = ast.GenericOp(args=text[args_start:end].strip(), known=False)
        if _unmodelled_form(name, err):
            op.known, op.fallback = True, str(err)
        else:
            query.issues.append(ast.SyntaxIssue(err.token.line, err.token.column, str(err), err.hint))
            op.broken = True
        op.name = name
    op.name = op.name or (first.value.lower() if first.kind == IDENT else "")
    op.line, op.column, op.start, op.end = first.line, first.column, first.pos, end
    return op


def _unmodelled_form(name: str, err: ParseError) -> bool:
    """Whether a modelled operator's parser stopped at a form it does not model (kept as a generic operator
    with a warning) rather than at a malformed query: something missing at the end of the operator, a
    ``Malformed`` finding, or a bad ``where``/expression stay syntax errors."""
    return (name in OPERATOR_PARSERS and name != "where" and not isinstance(err, Malformed)
            and err.token.kind != EOF)


def _dispatch(s: Stream, first: Token, text: str, end: int) -> ast.Operator:
    name = first.value.lower() if first.kind == IDENT else ""
    if name in OPERATOR_PARSERS:
        s.next()
        op = OPERATOR_PARSERS[name](s, first)
        op.name = name
        return op
    nxt = s.peek()
    if name in KNOWN_UNMODELLED and nxt.kind == OP and nxt.value == "(":
        # `| base64decode(x) as y` is an expression; `| total(n) by host` is the operator written with `(`
        mark = s.i
        try:
            op = _parse_eval(s)
            if s.at_end():
                return op
        except ParseError:
            pass
        s.i = mark
    elif not (name in KNOWN_UNMODELLED and not s.is_word("as", k=1)) and (
            name == "if" or first.kind != IDENT or name in FUNCTIONS or _looks_like_expression(s)):
        return _parse_eval(s)
    # An operator appbuilder does not model: keep its text.
    s.next()
    args = text[s.tok.pos:end].strip() if not s.at_end() else ""
    while not s.at_end():
        s.next()
    op = ast.GenericOp(args=args, known=name in KNOWN_UNMODELLED)
    op.name = name
    return op


def _looks_like_expression(s: Stream) -> bool:
    """``ip as x``, ``a / b as c``, ``urlencode(x) as y``: an identifier followed by an operator or ``as``."""
    nxt = s.peek()
    if nxt.kind == OP and nxt.value not in ("[", "]", "."):
        return True
    return nxt.kind == IDENT and nxt.value.lower() in ("as", "matches", "in", "contains")


def _parse_eval(s: Stream) -> ast.EvalOp:
    start = s.tok
    expr = parse_expr(s)
    if s.accept_word("as"):
        alias = s.field_name("a field name after 'as'")
    elif isinstance(expr, ast.Call) and expr.name not in _ALIAS_REQUIRED and expr.args \
            and isinstance(expr.args[0], ast.FieldRef):
        alias = expr.args[0].name  # `| num(x)`, `| round(x)` replace the field in place
    else:
        raise ParseError(s.tok if not s.at_end() else start,
                         "an expression operator needs 'as <field>' to name its result",
                         "for example: | if(x > 5, \"big\", \"small\") as size")
    return ast.EvalOp(expr=expr, alias=alias)

