"""Query expressions and scopes compiled to DuckDB SQL with the Python evaluator's semantics.

Every compiled expression carries a static type (``str``, ``int``, ``num``, ``bool`` or ``null``) so that the
SQL can apply the evaluator's conversions exactly where it does: text compared as numbers only when both sides
read as numbers, ``null`` never matching, ``/`` always a true division, booleans as ``"true"``/``"false"``. A form
whose semantics SQL would change raises ``NotCompiled``: that part of the query runs on the Python evaluator.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass

import appbuilder.query.ast as ast
from appbuilder.query.evaluate.expr import Env, compile_sumo_regex
from appbuilder.query.evaluate.rowops import fold_scope


class NotCompiled(Exception):
    """A query form the SQL compiler leaves to the Python evaluator (the message says which)."""


@dataclass(frozen=True)
class Sql:
    text: str
    type: str  # "str", "int", "num" (a double), "bool" (never NULL) or "null"
    null: str | None = None  # a cheaper test of "text IS NULL" (a json value: its JSON, without unquoting it)


NULL = Sql("NULL", "null")
# functions of one text that SQL calls in Python, the evaluator's own code (``DuckEngine`` registers them), and
# the type they give ("bool": never NULL)
PY_FUNCTIONS = {"isvalidip": "bool", "ispublicip": "bool", "isprivateip": "bool", "urlencode": "str",
                "urldecode": "str"}


def py_function(name: str) -> str:
    """The SQL name of the evaluator's function ``name`` (one of ``PY_FUNCTIONS``)."""
    return f"appbuilder_{name}"


@functools.cache
def py_functions_run() -> bool:
    """Whether DuckDB can call Python functions here: its UDFs need numpy, which appbuilder does not require
    (without it those functions run on the evaluator, after the SQL)."""
    return importlib.util.find_spec("numpy") is not None
# the characters Python's str.strip() removes that matter in practice (ASCII whitespace, NEL, NBSP)
_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0"


def ident(name: str) -> str:
    """A SQL identifier for a field (fields are case-insensitive: the lower-case name)."""
    return '"' + name.lower().replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def as_str(e: Sql) -> str:
    """``to_str``: numbers as the evaluator prints them, booleans as true/false."""
    if e.type in ("str", "null"):
        return e.text
    if e.type == "int":
        return f"CAST({e.text} AS VARCHAR)"
    if e.type == "bool":
        return f"CASE WHEN {e.text} THEN 'true' ELSE 'false' END"
    raise NotCompiled("a decimal number used as text (its printed form may differ)")


def as_num(e: Sql) -> str:
    """``to_number``: text read as a number (NaN is not a number), booleans are not numbers."""
    if e.type in ("int", "num"):
        return e.text
    if e.type == "str":
        return f"CAST(nullif(TRY_CAST(trim({e.text}) AS DOUBLE), 'NaN'::DOUBLE) AS DOUBLE)"
    return "CAST(NULL AS DOUBLE)"


def truthy(e: Sql) -> str:
    """A SQL boolean that is never NULL: ``"true"`` (any case), a true boolean, a non-zero number."""
    if e.type == "bool":
        return e.text
    if e.type == "str":
        return f"coalesce(lower({e.text}) = 'true', false)"
    if e.type in ("int", "num"):
        return f"coalesce({e.text} <> 0, false)"
    return "false"


def like_pattern(pattern: str) -> str:
    """A ``matches`` wildcard (``*`` any text) as a LIKE pattern with ``\\`` as the escape."""
    out = []
    for ch in pattern:
        out.append("%" if ch == "*" else "\\" + ch if ch in "%_\\" else ch)
    return "".join(out)


def regex_text(pattern: str) -> str:
    """A query's (Java) regex as the RE2 text DuckDB runs; refused when RE2 cannot run it."""
    try:
        return compile_sumo_regex(pattern).pattern
    except re.error as err:
        raise NotCompiled(f"regular expression /{pattern}/: {err}") from None


class ExprCompiler:
    """Compiles expressions against the typed columns of one pipeline step."""

    def __init__(self, columns: dict[str, str], env: Env, nulls: dict[str, str] | None = None):
        self.columns = columns  # lower-case name -> type
        self.env = env
        self.nulls = nulls or {}  # lower-case name -> a cheaper test of its being null (``Pipeline.nulls``)

    def expr(self, node: ast.Expr) -> Sql:
        if isinstance(node, ast.Literal):
            return self._literal(node.value)
        if isinstance(node, ast.FieldRef):
            key = node.name.lower()
            return Sql(ident(key), self.columns[key], self.nulls.get(key)) if key in self.columns else NULL
        if isinstance(node, ast.Template):
            return Sql("'*'", "str")
        if isinstance(node, ast.Unary):
            inner = self.expr(node.operand)
            if node.op == "!":
                return Sql(f"(NOT {truthy(inner)})", "bool")
            return Sql(f"(-{as_num(inner)})", "int" if inner.type == "int" else "num")
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.InList):
            return self._in_list(node)
        if isinstance(node, ast.Ternary):
            return self._choose(self.predicate(node.condition), self.expr(node.then), self.expr(node.otherwise))
        if isinstance(node, ast.Call):
            return self._call(node)
        raise NotCompiled(f"{type(node).__name__} expressions")

    def predicate(self, node: ast.Expr) -> str:
        return truthy(self.expr(node))

    # -- pieces ------------------------------------------------------------------------------------------------
    @staticmethod
    def _literal(value: object) -> Sql:
        if value is None:
            return NULL
        if isinstance(value, bool):
            return Sql("true" if value else "false", "bool")
        if isinstance(value, int):
            return Sql(f"CAST({value} AS BIGINT)", "int")
        if isinstance(value, float):
            return Sql(f"CAST({value!r} AS DOUBLE)", "num")
        return Sql(literal(str(value)), "str")

    @staticmethod
    def _choose(cond: str, a: Sql, b: Sql) -> Sql:
        types = {a.type, b.type} - {"null"}
        if len(types) > 1:
            raise NotCompiled("if() whose branches have different types")
        kind = types.pop() if types else "null"
        if kind == "bool":  # a NULL branch stays NULL in Python (not false)
            raise NotCompiled("if() choosing between booleans")
        return Sql(f"(CASE WHEN {cond} THEN {a.text} ELSE {b.text} END)", kind)

    def _binary(self, node: ast.Binary) -> Sql:
        op = node.op
        if op in ("and", "or"):
            return Sql(f"({self.predicate(node.left)} {op.upper()} {self.predicate(node.right)})", "bool")
        left = self.expr(node.left)
        if op == "matches":
            return Sql(self._matches(left, node.right), "bool")
        right = self.expr(node.right)
        if op == "contains":
            a, b = as_str(left), as_str(right)
            return Sql(f"coalesce(strpos({a}, {b}) > 0, false)", "bool")
        if op in ("+", "-", "*", "/", "%"):
            return self._arith(op, left, right)
        if op == "=" and isinstance(node.right, ast.Literal) and isinstance(node.right.value, str) \
                and not _numeric_text(node.right.value):
            return Sql(f"coalesce({as_str(left)} = {right.text}, false)", "bool")
        return Sql(self._compare(op, left, right), "bool")

    def _matches(self, left: Sql, pattern: ast.Expr) -> str:
        text = as_str(left)
        if isinstance(pattern, ast.Regex):
            return f"coalesce(regexp_matches({text}, {literal(regex_text(pattern.pattern))}), false)"
        if isinstance(pattern, ast.Literal) and isinstance(pattern.value, str):
            if pattern.value == "*":
                return f"(NOT {left.null})" if left.null else f"({text} IS NOT NULL)"
            return f"coalesce({text} LIKE {literal(like_pattern(pattern.value))} ESCAPE '\\', false)"
        raise NotCompiled("matches against a computed pattern")

    @staticmethod
    def _arith(op: str, left: Sql, right: Sql) -> Sql:
        a, b = as_num(left), as_num(right)
        ints = left.type == "int" and right.type == "int"
        if op in "+-*":
            return Sql(f"({a} {op} {b})", "int" if ints else "num")
        if op == "/":
            return Sql(f"(CASE WHEN {b} = 0 THEN NULL ELSE CAST({a} AS DOUBLE) / {b} END)", "num")
        if ints:  # Python's %: the sign of the divisor
            return Sql(f"(CASE WHEN {b} = 0 THEN NULL ELSE (({a} % {b}) + {b}) % {b} END)", "int")
        return Sql(f"(CASE WHEN {b} = 0 THEN NULL ELSE {a} - {b} * floor(CAST({a} AS DOUBLE) / {b}) END)", "num")

    @staticmethod
    def _compare(op: str, left: Sql, right: Sql) -> str:
        """``compare_values``: numerically when both are numbers (text only when both read as numbers and both
        start like one), else as text; false when either side is null."""
        sql_op = {"=": "=", "!=": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">="}[op]
        if "null" in (left.type, right.type):
            return "false"
        if "bool" in (left.type, right.type):
            return f"coalesce({as_str(left)} {sql_op} {as_str(right)}, false)"
        if left.type != "str" and right.type != "str":
            return f"coalesce({left.text} {sql_op} {right.text}, false)"
        na, nb = as_num(left), as_num(right)
        numeric = f"{na} IS NOT NULL AND {nb} IS NOT NULL"
        if left.type == "str" and right.type == "str":  # text against text: both must start like a number
            numeric += "".join(f" AND regexp_matches({side.text}, '^[0-9+\\-.]')" for side in (left, right))
        text = f"{as_str(left)} {sql_op} {as_str(right)}"
        return f"coalesce(CASE WHEN {numeric} THEN {na} {sql_op} {nb} ELSE {text} END, false)"

    def _in_list(self, node: ast.InList) -> Sql:
        if node.subquery is not None or not all(isinstance(v, ast.Literal) for v in node.values):
            raise NotCompiled("in (...) with computed values or a subquery")
        operand = self.expr(node.operand)
        consts = sorted({_to_str(v.value) for v in node.values if isinstance(v, ast.Literal)} - {None})
        listed = ", ".join(literal(c) for c in consts) or "NULL"
        hit = f"{as_str(operand)} IN ({listed})"
        if operand.type in ("int", "num"):
            nums = sorted({n for n in (_to_number(c) for c in consts) if n is not None})
            if nums:
                hit = f"({hit} OR {operand.text} IN ({', '.join(repr(float(n)) for n in nums)}))"
        if operand.type == "null":
            return Sql("false", "bool")
        test = f"NOT ({hit})" if node.negated else f"({hit})"
        return Sql(f"coalesce({operand.text} IS NOT NULL AND {test}, false)", "bool")

    def _call(self, node: ast.Call) -> Sql:
        name = node.name
        if name == "if":
            if len(node.args) != 3:
                raise NotCompiled("if() without three arguments")
            return self._choose(self.predicate(node.args[0]), self.expr(node.args[1]), self.expr(node.args[2]))
        if name in ("now", "queryendtime", "querystarttime") and not node.args:
            value = self.env.now_ms if name != "querystarttime" else self.env.start_ms
            return NULL if value is None else Sql(f"CAST({value} AS BIGINT)", "int")
        args = [self.expr(a) for a in node.args]
        one = args[0] if len(args) == 1 else None
        if one is not None:
            simple = _one_arg(name, one)
            if simple is not None:
                return simple
        if name == "concat":
            return Sql("concat(" + ", ".join(as_str(a) for a in args) + ")" if args else "''", "str")
        if name == "replace" and len(args) == 3 and isinstance(node.args[1], ast.Literal) \
                and isinstance(node.args[1].value, str) and node.args[1].value and args[0].type in ("str", "null"):
            repl = f"coalesce({as_str(args[2])}, '')"
            return Sql(f"replace({args[0].text}, {args[1].text}, {repl})", args[0].type)
        if name == "contains" and len(args) == 2:
            return Sql(f"coalesce(strpos({as_str(args[0])}, {as_str(args[1])}) > 0, false)", "bool")
        if name == "tourl" and len(args) == 2 and all(a.type in ("str", "null") for a in args):
            return Sql(f"coalesce({args[1].text}, {args[0].text})", "str")  # the text shown, else the address
        if name in PY_FUNCTIONS and one is not None and one.type in ("str", "null") and py_functions_run():
            return Sql(f"{py_function(name)}({one.text})", PY_FUNCTIONS[name])
        raise NotCompiled(f"function {name}() with {len(args)} argument(s)")


def _one_arg(name: str, a: Sql) -> Sql | None:
    """The one-argument functions whose SQL form keeps the evaluator's meaning; None for any other."""
    if name == "isnull":
        return Sql(a.null or f"({a.text} IS NULL)", "bool")
    if name == "isempty":
        return Sql(f"coalesce({as_str(a)} = '', true)", "bool")
    if name == "isblank":
        return Sql(f"coalesce(trim({as_str(a)}, {literal(_SPACES)}) = '', true)", "bool")
    if name == "isnumeric":
        return Sql(f"({as_num(a)} IS NOT NULL)", "bool")
    if name in ("num", "number", "todouble"):
        return Sql(as_num(a), "num" if a.type != "int" else "int")
    if name in ("tolong", "toint"):
        return Sql(f"CAST(trunc({as_num(a)}) AS BIGINT)", "int")
    if name == "tostring":
        return Sql(as_str(a), "null" if a.type == "null" else "str")
    if a.type not in ("str", "null"):
        return None
    if name == "tolowercase":
        return Sql(f"lower({a.text})", a.type)
    if name == "touppercase":
        return Sql(f"upper({a.text})", a.type)
    if name == "trim":
        return Sql(f"trim({a.text}, {literal(_SPACES)})", a.type)
    if name == "length":
        return Sql(f"CAST(length({a.text}) AS BIGINT)", "int" if a.type == "str" else "null")
    return None


def _numeric_text(s: str) -> bool:
    return bool(s) and (s[0].isdigit() or s[0] in "+-.")


def _to_str(value: object) -> str | None:
    from appbuilder.query.evaluate.values import to_str

    return to_str(value)


def _to_number(value: object) -> float | int | None:
    from appbuilder.query.evaluate.values import to_number

    return to_number(value)


# -- scope -----------------------------------------------------------------------------------------------------


def scope_sql(node: ast.ScopeExpr | None) -> str | None:
    """The scope as a condition on ``_raw`` (``compile_scope``'s meaning); None when every event matches."""
    return fold_scope(node, lambda rx: f"regexp_matches(\"_raw\", {literal(rx.pattern)})",
                      lambda inner: "false" if inner is None else f"(NOT {inner})",
                      lambda tests: "(" + " AND ".join(tests) + ")", lambda tests: "(" + " OR ".join(tests) + ")")
