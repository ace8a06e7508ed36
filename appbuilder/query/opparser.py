"""Parsers for the operators appbuilder models; each takes the segment's token stream after the name."""

from __future__ import annotations

from collections.abc import Callable

import appbuilder.query.ast as ast
from appbuilder.query.exprparser import parse_expr, table_ref
from appbuilder.query.lexer import FIELD, IDENT, NUMBER, OP, STRING, TEMPLATE, Token
from appbuilder.query.stream import Malformed, ParseError, Stream, at, describe
from appbuilder.query.vocab import AGGREGATES
from appbuilder.templating import NAMED_GROUP_RE


def parse_json(s: Stream, name: Token) -> ast.JsonOp:
    op = ast.JsonOp()
    while not s.at_end():
        if _at_field_option(s):
            op.source = _field_option(s)
        elif s.accept_word("auto"):
            op.auto = True
        elif s.accept_word("nodrop"):
            op.nodrop = True
        elif s.accept_word("maxdepth"):
            s.integer("a depth")
        elif s.accept_word("extractarrays", "refonly"):
            pass
        elif s.accept_word("keys"):
            op.keys = _strings(s)
        elif s.tok.kind == STRING:
            op.paths, op.path_positions = _strings_at(s)
        elif s.accept_word("as"):
            op.aliases = s.field_list()
        else:
            raise ParseError(s.tok, f"unexpected {describe(s.tok)} in json",
                             'json [field=<f>] "<key>", ... [as <f>, ...] [nodrop]')
    if not op.auto and not op.paths:
        raise Malformed(name, "json needs at least one quoted key (or 'auto')",
                        'json "<key>"[, "<key>" ...] [as <field>, ...]')
    return op


def _at_field_option(s: Stream) -> bool:
    return s.is_word("field") and s.peek().kind == OP and s.peek().value == "="


def _field_option(s: Stream) -> str:
    """Consume ``field=<name>`` and return the name."""
    s.next()
    s.next()
    return s.field_name()


def _strings(s: Stream) -> list[str]:
    return _strings_at(s)[0]


def _strings_at(s: Stream) -> tuple[list[str], list[tuple[int, int]]]:
    """A comma-separated list of quoted strings, with the (line, column) of each."""
    positions = [(s.tok.line, s.tok.column)]
    values = [s.string()]
    while s.is_op(",") and s.peek().kind == STRING:
        s.next()
        positions.append((s.tok.line, s.tok.column))
        values.append(s.string())
    return values, positions


def parse_parse(s: Stream, name: Token) -> ast.Operator:
    if s.accept_word("regex") or name.value.lower() == "extract":
        return _parse_regex(s)
    op = ast.ParseOp()
    while not s.at_end():
        if _at_field_option(s):
            op.source = _field_option(s)
        elif s.tok.kind == STRING and not op.pattern:
            op.pattern = s.next().value
        elif s.accept_word("as"):
            op.fields = s.field_list(("nodrop",))
        elif s.accept_word("nodrop"):
            op.nodrop = True
        else:
            raise ParseError(s.tok, f"unexpected {describe(s.tok)} in parse",
                             'parse [field=<f>] "<start>*<stop>" as <field>[, ...] [nodrop]')
    if not op.pattern:
        raise Malformed(name, "parse needs a quoted pattern", 'parse "<start>*<stop>" as <field>')
    wildcards = op.pattern.count("*")
    if not op.fields:
        raise Malformed(name, "parse needs 'as <field>, ...' naming what each * captures")
    if wildcards != len(op.fields):
        raise Malformed(name, f"parse pattern has {wildcards} '*' but {len(op.fields)} field name(s) follow 'as'",
                        "give one field name per * in the pattern")
    return op


def _parse_regex(s: Stream) -> ast.ParseRegexOp:
    op = ast.ParseRegexOp()
    while not s.at_end():
        if _at_field_option(s):
            op.source = _field_option(s)
        elif s.tok.kind == STRING and not op.pattern:
            t = s.next()
            op.pattern = t.value
        elif s.accept_word("nodrop"):
            op.nodrop = True
        elif s.accept_word("multi"):
            op.multi = True
        elif s.accept_word("as"):
            s.field_list()  # accepted by Sumo for compatibility; named groups define the fields
        else:
            raise ParseError(s.tok, f"unexpected {describe(s.tok)} in parse regex",
                             'parse regex [field=<f>] "(?<name>...)" [nodrop] [multi]')
    op.groups = NAMED_GROUP_RE.findall(op.pattern)
    if not op.groups:
        raise Malformed(s.tok, "parse regex needs at least one named group such as (?<name>...)")
    return op


def parse_where(s: Stream, name: Token) -> ast.WhereOp:
    if s.at_end():
        raise ParseError(s.tok, "where needs a condition")
    return ast.WhereOp(condition=parse_expr(s))


def parse_aggregate(s: Stream, name: Token) -> ast.AggregateOp:
    op = ast.AggregateOp()
    s.i -= 1  # re-read the function name
    while True:
        op.aggs.append(_agg_call(s))
        if s.is_op(",") and s.is_word(*AGGREGATES, k=1):
            s.next()
            continue
        break
    by = s.accept_word("group")
    by = s.accept_word("by") or by
    if by:
        if s.at_end():
            raise Malformed(s.tok, f"'{op.aggs[-1].func} {by.value}' needs at least one field to group by",
                            f"for example: | {op.aggs[-1].func} by host")
        op.by = _group_keys(s)
    elif not s.at_end() and s.tok.kind in (IDENT, FIELD, TEMPLATE):
        op.by = _group_keys(s)  # `count _timeslice, x`, `count as c x`, `sum(bytes) host` group without `by`
    return op


def _agg_call(s: Stream) -> ast.AggCall:
    t = s.next()
    func = t.value.lower()
    if func not in AGGREGATES:
        raise ParseError(t, f"expected an aggregate function but found {describe(t)}")
    args: list[ast.Expr] = []
    if s.accept_op("("):
        if not s.is_op(")"):
            if s.is_op("*"):
                args.append(at(ast.FieldRef("*"), s.next()))
            else:
                args.append(parse_expr(s))
            while s.accept_op(","):
                args.append(parse_expr(s))
        s.expect_op(")")
    elif func not in ("count", "count_frequent"):
        raise ParseError(s.tok, f"{func} needs an argument in parentheses, e.g. {func}(bytes)")
    elif func == "count_frequent":
        args.append(at(ast.FieldRef(s.field_name()), t))
        while s.accept_op(","):
            args.append(at(ast.FieldRef(s.field_name()), t))
    alias = s.field_name("a field name after 'as'") if s.accept_word("as") else None
    return at(ast.AggCall(func, args, alias), t)


def _group_keys(s: Stream) -> list[ast.Expr]:
    keys = [parse_expr(s)]
    while s.accept_op(","):
        keys.append(parse_expr(s))
    return keys


def parse_timeslice(s: Stream, name: Token) -> ast.TimesliceOp:
    op = ast.TimesliceOp()
    s.accept_word("by")
    if s.tok.kind == NUMBER and s.is_word("buckets", k=1):
        op.buckets = int(s.integer())
        s.next()
    elif not s.at_end() and not s.is_word("as"):
        op.span = s.span()
    if s.accept_word("as"):
        op.alias = s.field_name()
    return op


def parse_sort(s: Stream, name: Token) -> ast.SortOp:
    op = ast.SortOp()
    s.accept_word("by")
    while True:
        start = s.tok
        desc = True
        if s.is_op("+", "-"):
            desc = s.next().value == "-"
        expr = parse_expr(s)
        if s.accept_word("asc"):
            desc = False
        elif s.accept_word("desc"):
            desc = True
        op.keys.append(at(ast.SortKey(expr, desc), start))
        if not s.accept_op(","):
            break
    return op


def parse_top(s: Stream, name: Token) -> ast.TopOp:
    op = ast.TopOp(count=s.integer("the number of rows"))
    op.fields = _group_keys_until_by(s)
    if s.accept_word("by"):
        op.by = parse_expr(s)
    return op


def _group_keys_until_by(s: Stream) -> list[ast.Expr]:
    keys = [at(ast.FieldRef(s.field_name()), s.tokens[s.i - 1])]
    while s.accept_op(","):
        keys.append(at(ast.FieldRef(s.field_name()), s.tokens[s.i - 1]))
    return keys


def parse_topk(s: Stream, name: Token) -> ast.TopkOp:
    s.expect_op("(")
    op = ast.TopkOp(count=s.integer("the number of rows"))
    s.expect_op(",")
    op.expr = parse_expr(s)
    s.expect_op(")")
    if s.accept_word("by"):
        op.by = _group_keys(s)
    return op


def parse_limit(s: Stream, name: Token) -> ast.LimitOp:
    return ast.LimitOp(count=s.integer("the number of rows"))


def parse_fields(s: Stream, name: Token) -> ast.FieldsOp:
    op = ast.FieldsOp()
    if s.accept_op("-"):
        op.exclude = True
    else:
        s.accept_op("+")
    op.names = s.field_list()
    return op


def parse_transpose(s: Stream, name: Token) -> ast.TransposeOp:
    op = ast.TransposeOp()
    s.expect_word("row")
    op.row_fields = s.field_list(("column",))
    s.expect_word("column")
    op.column_fields = s.field_list(("as",))
    if s.accept_word("as"):
        op.outputs = [_name_or_star(s)]
        while s.accept_op(","):
            op.outputs.append(_name_or_star(s))
    return op


def _name_or_star(s: Stream) -> str:
    if s.accept_op("*"):
        return "*"
    t = s.tok
    if t.kind == NUMBER:
        s.next()
        return t.value
    return s.field_name()


def parse_lookup(s: Stream, name: Token) -> ast.LookupOp:
    op = ast.LookupOp()
    while True:
        if s.accept_op("*"):
            op.outputs.append(("*", "*"))
        else:
            col = s.field_name("a lookup column")
            alias = s.field_name() if s.accept_word("as") else col
            op.outputs.append((col, alias))
        if not s.accept_op(","):
            break
    s.expect_word("from")
    op.table = table_ref(s, "on")
    s.expect_word("on")
    while True:
        left = s.field_name("a lookup key")
        right = s.field_name("a field name") if s.accept_op("=") else left
        op.on.append((left, right))
        if not s.accept_op(","):
            break
    return op


def parse_compare(s: Stream, name: Token) -> ast.CompareOp:
    op = ast.CompareOp()
    s.accept_word("with")
    while True:
        start = s.expect_word("timeshift")
        shift = at(ast.TimeShift(s.span()), start)
        if s.tok.kind == NUMBER and s.tok.value.isdigit():
            shift.periods = int(s.next().value)
        if s.is_word("avg", "min", "max"):
            shift.function = s.next().value.lower()
        if s.accept_word("as"):
            shift.alias = s.field_name()
        op.shifts.append(shift)
        if not s.accept_op(","):
            break
    return op


def parse_outlier(s: Stream, name: Token) -> ast.OutlierOp:
    op = ast.OutlierOp(target=s.field_name("the field to analyse"))
    if s.accept_word("by"):
        op.by = [s.field_name()]
        while s.is_op(",") and not (s.peek().kind == IDENT and s.peek(2).kind == OP and s.peek(2).value == "="):
            s.next()
            op.by.append(s.field_name())
    while not s.at_end():
        s.accept_op(",")
        key_tok = s.tok
        key = s.field_name("an option such as window=10").lower()
        s.expect_op("=")
        value = ""
        while not s.at_end() and not s.is_op(","):
            value += s.next().value
        try:
            if key == "window":
                op.window = int(value)
            elif key == "threshold":
                op.threshold = float(value)
            elif key == "consecutive":
                op.consecutive = int(value)
            elif key == "direction":
                if value not in ("+-", "-+", "+", "-"):
                    raise ValueError(value)
                op.direction = "+-" if value == "-+" else value
            else:
                raise ParseError(key_tok, f"unknown outlier option '{key}'",
                                 "options are window, threshold, consecutive, direction")
        except ValueError:
            raise Malformed(key_tok, f"invalid value '{value}' for outlier option '{key}'") from None
    return op


def parse_fillmissing(s: Stream, name: Token) -> ast.FillmissingOp:
    op = ast.FillmissingOp()
    if s.accept_word("timeslice"):
        if s.accept_op("("):
            op.timeslice = s.span()
            s.expect_op(")")
        elif not s.at_end() and not s.is_op(","):
            op.timeslice = s.span()
    while not s.at_end():
        s.next()
    return op


def parse_withtime(s: Stream, name: Token) -> ast.WithtimeOp:
    return ast.WithtimeOp(field=s.field_name("the field to pair with the message time"))


OPERATOR_PARSERS: dict[str, Callable[[Stream, Token], ast.Operator]] = {
    "json": parse_json,
    "parse": parse_parse,
    "extract": parse_parse,
    "where": parse_where,
    "timeslice": parse_timeslice,
    "sort": parse_sort,
    "order": parse_sort,
    "top": parse_top,
    "topk": parse_topk,
    "limit": parse_limit,
    "fields": parse_fields,
    "transpose": parse_transpose,
    "lookup": parse_lookup,
    "compare": parse_compare,
    "outlier": parse_outlier,
    "fillmissing": parse_fillmissing,
    "withtime": parse_withtime,
}
OPERATOR_PARSERS.update({name: parse_aggregate for name in AGGREGATES})
