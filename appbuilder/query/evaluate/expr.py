"""Compile expression nodes into closures over a row (a dict keyed by lower-case field name)."""

from __future__ import annotations

import ipaddress
import math
import re
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timezone

import appbuilder.query.ast as ast
from appbuilder.patterns import compile_regex
from appbuilder.query.evaluate.values import EvalError, Row, to_number, to_str, truthy, wildcard_matcher

Fn = Callable[[Row], object]


class Env:
    """What expressions may need beyond the row: the clock."""

    def __init__(self, now_ms: int, start_ms: int | None = None):
        self.now_ms = now_ms
        self.start_ms = start_ms


def compile_expr(node: ast.Expr, env: Env) -> Fn:
    if isinstance(node, ast.Literal):
        value = node.value
        return lambda r: value
    if isinstance(node, ast.FieldRef):
        key = node.name.lower()
        return lambda r: r.get(key)
    if isinstance(node, ast.Template):
        return lambda r: "*"
    if isinstance(node, ast.Param):
        text = "${" + node.name + "}"
        return lambda r: text
    if isinstance(node, ast.Regex):
        rx = _regex(node.pattern)
        return lambda r: rx
    if isinstance(node, ast.Unary):
        inner = compile_expr(node.operand, env)
        if node.op == "!":
            return lambda r: not truthy(inner(r))
        return lambda r: _neg(inner(r))
    if isinstance(node, ast.Binary):
        return _binary(node, env)
    if isinstance(node, ast.InList):
        return _in_list(node, env)
    if isinstance(node, ast.Ternary):
        c, a, b = (compile_expr(n, env) for n in (node.condition, node.then, node.otherwise))
        return lambda r: a(r) if truthy(c(r)) else b(r)
    if isinstance(node, ast.Call):
        return _call(node, env)
    raise EvalError(f"cannot evaluate {type(node).__name__}")


def compile_predicate(node: ast.Expr, env: Env) -> Callable[[Row], bool]:
    """Like ``compile_expr`` but yields booleans; specialises the common ``x matches "*"``."""
    if isinstance(node, ast.Binary) and node.op in ("and", "or"):
        a, b = compile_predicate(node.left, env), compile_predicate(node.right, env)
        if node.op == "and":
            return lambda r: a(r) and b(r)
        return lambda r: a(r) or b(r)
    if (isinstance(node, ast.Binary) and node.op == "matches" and isinstance(node.left, ast.FieldRef)
            and isinstance(node.right, ast.Literal) and node.right.value == "*"):
        key = node.left.name.lower()
        return lambda r: r.get(key) is not None  # null never matches, not even "*"
    fn = compile_expr(node, env)
    return lambda r: truthy(fn(r))


def compile_sumo_regex(pattern: str) -> re.Pattern[str]:
    """A query's (Java) regular expression compiled locally: ``(?<name>...)`` groups become ``(?P<name>...)``,
    lookbehinds stay. Raises ``re.error`` when invalid."""
    return compile_regex(pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!"))


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return compile_sumo_regex(pattern)
    except re.error as err:
        raise EvalError(f"invalid regular expression /{pattern}/: {err}") from None


def _neg(v: object) -> object:
    n = to_number(v)
    return None if n is None else -n


def _arith(op: str) -> Callable[[object, object], object]:
    def apply(a: object, b: object) -> object:
        x, y = to_number(a), to_number(b)
        if x is None or y is None:
            return None
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if y == 0:
            return None
        return x / y if op == "/" else x % y
    return apply


def compare_values(a: object, b: object) -> int | None:
    """-1/0/1, numerically when both are numbers, else as strings; None when either is null."""
    if a is None or b is None:
        return None
    x, y = to_number(a), to_number(b)
    if x is not None and y is not None and (not isinstance(a, str) or not isinstance(b, str)
                                            or (_numeric_text(a) and _numeric_text(b))):
        return (x > y) - (x < y)
    sa, sb = to_str(a) or "", to_str(b) or ""
    return (sa > sb) - (sa < sb)


def _numeric_text(s: str) -> bool:
    return bool(s) and (s[0].isdigit() or s[0] in "+-.")


def _binary(node: ast.Binary, env: Env) -> Fn:
    op = node.op
    left = compile_expr(node.left, env)
    if op == "and":
        right_p = compile_predicate(node.right, env)
        return lambda r: truthy(left(r)) and right_p(r)
    if op == "or":
        right_p = compile_predicate(node.right, env)
        return lambda r: truthy(left(r)) or right_p(r)
    if op == "matches":
        return _matches(left, node.right, env)
    right = compile_expr(node.right, env)
    if op == "contains":
        def contains(r: Row) -> bool:
            a, b = to_str(left(r)), to_str(right(r))
            return a is not None and b is not None and b in a
        return contains
    if op in "+-*/%":
        fn = _arith(op)
        return lambda r: fn(left(r), right(r))
    if op == "=":
        if isinstance(node.right, ast.Literal) and isinstance(node.right.value, str) \
                and not _numeric_text(node.right.value):
            const = node.right.value
            return lambda r: to_str(left(r)) == const
        return lambda r: compare_values(left(r), right(r)) == 0
    if op == "!=":
        return lambda r: (c := compare_values(left(r), right(r))) is not None and c != 0
    tests = {"<": lambda c: c < 0, ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0}
    test = tests[op]
    return lambda r: (c := compare_values(left(r), right(r))) is not None and test(c)


def _matches(left: Fn, pattern: ast.Expr, env: Env) -> Fn:
    if isinstance(pattern, ast.Regex):
        rx = _regex(pattern.pattern)
        return lambda r: (s := to_str(left(r))) is not None and rx.search(s) is not None
    if isinstance(pattern, ast.Literal) and isinstance(pattern.value, str):
        match = wildcard_matcher(pattern.value)
        return lambda r: (s := to_str(left(r))) is not None and match(s)
    dynamic = compile_expr(pattern, env)
    cache: dict[str, Callable[[str], bool]] = {}

    def matches(r: Row) -> bool:
        s, p = to_str(left(r)), dynamic(r)
        if s is None or p is None:
            return False
        if isinstance(p, re.Pattern):
            return p.search(s) is not None
        p = to_str(p) or ""
        fn = cache.get(p) or cache.setdefault(p, wildcard_matcher(p))
        return fn(s)
    return matches


def _in_list(node: ast.InList, env: Env) -> Fn:
    if node.subquery is not None:
        raise EvalError("'in (<query>)' runs a second query; the local evaluator cannot run it")
    operand = compile_expr(node.operand, env)
    values = [compile_expr(v, env) for v in node.values]
    negated = node.negated
    if all(isinstance(v, ast.Literal) for v in node.values):
        consts = {to_str(v.value) for v in node.values if isinstance(v, ast.Literal)}
        nums = {to_number(c) for c in consts} - {None}

        def in_consts(r: Row) -> bool:
            v = operand(r)
            if v is None:
                return False
            hit = to_str(v) in consts or (not isinstance(v, str) and to_number(v) in nums)
            return hit != negated
        return in_consts
    return lambda r: (v := operand(r)) is not None and any(
        compare_values(v, f(r)) == 0 for f in values) != negated


# -- functions -----------------------------------------------------------------------------------------------

_JAVA_DATE = [("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"), ("dd", "%d"),
              ("HH", "%H"), ("hh", "%I"), ("mm", "%M"), ("ss", "%S"), ("SSS", "{ms}"), ("a", "%p"),
              ("EEEE", "%A"), ("EEE", "%a"), ("Z", "%z"), ("z", "%Z")]


def java_to_strftime(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "'":
            end = fmt.find("'", i + 1)
            end = len(fmt) if end < 0 else end
            out.append(fmt[i + 1:end].replace("%", "%%"))
            i = end + 1
            continue
        for token, repl in _JAVA_DATE:
            if fmt.startswith(token, i):
                out.append(repl)
                i += len(token)
                break
        else:
            out.append("%%" if fmt[i] == "%" else fmt[i])
            i += 1
    return "".join(out)


def format_date(ms: object, fmt: str = "MM/dd/yyyy HH:mm:ss:SSS Z") -> str | None:
    n = to_number(ms)
    if n is None:
        return None
    dt = datetime.fromtimestamp(n / 1000, tz=timezone.utc)
    return dt.strftime(java_to_strftime(fmt)).replace("{ms}", f"{int(n) % 1000:03d}")


def parse_date(text: object, fmt: str) -> int | None:
    s = to_str(text)
    if s is None:
        return None
    try:
        dt = datetime.strptime(s, java_to_strftime(fmt).replace("{ms}", "%f"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def _java_format(fmt: str, args: list[object]) -> str:
    conv = []
    specs = re.findall(r"%[-#+ 0,(]*\d*(?:\.\d+)?([a-zA-Z%])", fmt)
    for spec, arg in zip([s for s in specs if s != "%"], args, strict=False):
        if spec in "dxXo":
            n = to_number(arg)
            conv.append(int(n) if n is not None else 0)
        elif spec in "feEgG":
            conv.append(float(to_number(arg) or 0))
        else:
            conv.append(to_str(arg) or "")
    py = re.sub(r"%([-#+ 0(]*),", r"%\1", fmt)
    try:
        return py % tuple(conv)
    except (TypeError, ValueError):
        return fmt


def _ip(value: object, test: str) -> bool:
    try:
        ip = ipaddress.ip_address(to_str(value) or "")
    except ValueError:
        return False
    return True if test == "valid" else (ip.is_global if test == "public" else ip.is_private)


def _replace(src: object, pattern: object, repl: object) -> object:
    s = to_str(src)
    if s is None:
        return None
    r = to_str(repl) or ""
    if isinstance(pattern, re.Pattern):
        r = re.sub(r"\$(\d+)", r"\\\1", r.replace("\\", "\\\\"))
        r = re.sub(r"\$\{(\w+)\}", r"\\g<\1>", r)
        return pattern.sub(r, s)
    return s.replace(to_str(pattern) or "", r)


def _round(v: object, places: object = 0) -> object:
    n = to_number(v)
    return None if n is None else round(n, int(to_number(places) or 0))


def _math(fn: Callable[[float], float]) -> Callable[..., object]:
    def apply(v: object, *_: object) -> object:
        n = to_number(v)
        try:
            return None if n is None else fn(n)
        except (ValueError, OverflowError):
            return None
    return apply


def functions(env: Env) -> dict[str, Callable[..., object]]:
    """The functions a query may call, by lower-case name (the SQL engine calls some of them too)."""
    return {
        "concat": lambda *a: "".join(to_str(x) or "" for x in a),
        "format": lambda fmt, *a: _java_format(to_str(fmt) or "", list(a)),
        "formatdate": lambda ms, fmt="MM/dd/yyyy HH:mm:ss:SSS Z", *_: format_date(ms, to_str(fmt) or ""),
        "parsedate": lambda s, fmt, *_: parse_date(s, to_str(fmt) or ""),
        "replace": _replace,
        "tolowercase": lambda s: None if s is None else (to_str(s) or "").lower(),
        "touppercase": lambda s: None if s is None else (to_str(s) or "").upper(),
        "trim": lambda s: None if s is None else (to_str(s) or "").strip(),
        "length": lambda s: None if s is None else len(to_str(s) or ""),
        "substring": lambda s, a, b=None: None if s is None else (to_str(s) or "")[
            int(to_number(a) or 0):(None if b is None else int(to_number(b) or 0))],
        "isnull": lambda v: v is None,
        "isempty": lambda v: v is None or v == "",
        "isblank": lambda v: v is None or (to_str(v) or "").strip() == "",
        "isnumeric": lambda v: to_number(v) is not None,
        "isvalidip": lambda v: _ip(v, "valid"),
        "ispublicip": lambda v: _ip(v, "public"),
        "isprivateip": lambda v: _ip(v, "private"),
        "num": to_number, "number": to_number, "todouble": to_number,
        "tolong": lambda v: None if (n := to_number(v)) is None else int(n),
        "toint": lambda v: None if (n := to_number(v)) is None else int(n),
        "tostring": to_str,
        "abs": _math(abs), "ceil": _math(math.ceil), "floor": _math(math.floor), "sqrt": _math(math.sqrt),
        "log": _math(math.log), "log10": _math(math.log10), "exp": _math(math.exp), "round": _round,
        "pow": lambda a, b: None if to_number(a) is None or to_number(b) is None else to_number(a) ** to_number(b),
        "max": lambda *a: max((n for n in map(to_number, a) if n is not None), default=None),
        "min": lambda *a: min((n for n in map(to_number, a) if n is not None), default=None),
        "now": lambda: env.now_ms,
        "queryendtime": lambda: env.now_ms,
        "querystarttime": lambda: env.start_ms,
        "urlencode": lambda s: None if s is None else urllib.parse.quote(to_str(s) or "", safe=""),
        "urldecode": lambda s: None if s is None else urllib.parse.unquote(to_str(s) or ""),
        "tourl": lambda url, text=None: text if text is not None else url,
        "contains": lambda a, b: a is not None and b is not None and (to_str(b) or "") in (to_str(a) or ""),
    }


def _call(node: ast.Call, env: Env) -> Fn:
    args = [compile_expr(a, env) for a in node.args]
    if node.name == "if":
        if len(args) != 3:
            raise EvalError("if() takes a condition and two values")
        cond = compile_predicate(node.args[0], env)
        a, b = args[1], args[2]
        return lambda r: a(r) if cond(r) else b(r)
    fn = functions(env).get(node.name)
    if fn is None:
        raise EvalError(f"function '{node.name}' cannot be evaluated locally")
    if len(args) == 1:
        only = args[0]
        return lambda r: fn(only(r))
    return lambda r: fn(*(a(r) for a in args))
