"""Syntax tree of a Sumo log query. Every node carries the 1-based line and column of its first token."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    line: int = field(default=0, kw_only=True)
    column: int = field(default=0, kw_only=True)


# -- expressions -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Literal(Node):
    value: object  # str, int, float, bool or None
    is_duration: bool = False


@dataclass(eq=False)
class FieldRef(Node):
    name: str
    quoted: bool = False  # written as %"..."


@dataclass(eq=False)
class Template(Node):
    """A ``{{var}}`` dashboard variable, opaque until substituted."""

    name: str


@dataclass(eq=False)
class Param(Node):
    """A ``${param}`` install parameter, opaque until substituted."""

    name: str


@dataclass(eq=False)
class Regex(Node):
    pattern: str


@dataclass(eq=False)
class Call(Node):
    name: str
    args: list[Expr]


@dataclass(eq=False)
class Unary(Node):
    op: str  # "-", "!"
    operand: Expr


@dataclass(eq=False)
class Binary(Node):
    op: str  # + - * / % = != < > <= >= and or matches contains
    left: Expr
    right: Expr


@dataclass(eq=False)
class InList(Node):
    operand: Expr
    values: list[Expr]
    negated: bool = False
    subquery: str | None = None  # `x in (<query> | ... | limit 5)`: the values come from a query


@dataclass(eq=False)
class Ternary(Node):
    condition: Expr
    then: Expr
    otherwise: Expr


Expr = Literal | FieldRef | Template | Param | Regex | Call | Unary | Binary | InList | Ternary


# -- scope -------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class ScopeTerm(Node):
    """One scope term: ``keyword`` (a word, maybe with wildcards), ``phrase`` (quoted), ``field``
    (``key=value``; metadata when the key starts with ``_``), ``template``, ``param``, ``appparam``
    (``$$logsrc``) or ``subquery``."""

    kind: str
    value: str
    key: str | None = None
    negated: bool = False  # key!=value


@dataclass(eq=False)
class ScopeBool(Node):
    op: str  # "and" | "or"
    items: list[ScopeExpr]


@dataclass(eq=False)
class ScopeNot(Node):
    item: ScopeExpr


ScopeExpr = ScopeTerm | ScopeBool | ScopeNot


# -- operators ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Operator(Node):
    name: str = ""
    start: int = 0  # character offsets of the segment in the query text
    end: int = 0


@dataclass(eq=False)
class JsonOp(Operator):
    paths: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    source: str | None = None  # field=
    nodrop: bool = False
    auto: bool = False
    keys: list[str] = field(default_factory=list)  # json auto keys "..."
    path_positions: list[tuple[int, int]] = field(default_factory=list)  # (line, column) of each quoted key


@dataclass(eq=False)
class ParseOp(Operator):
    pattern: str = ""
    fields: list[str] = field(default_factory=list)
    source: str | None = None
    nodrop: bool = False


@dataclass(eq=False)
class ParseRegexOp(Operator):
    pattern: str = ""
    groups: list[str] = field(default_factory=list)  # named groups in order
    source: str | None = None
    nodrop: bool = False
    multi: bool = False


@dataclass(eq=False)
class WhereOp(Operator):
    condition: Expr | None = None


@dataclass(eq=False)
class EvalOp(Operator):
    """``<expr> as <field>`` (also ``if(...) as x``, ``concat(...) as x``, ``num(x)``)."""

    expr: Expr | None = None
    alias: str = ""


@dataclass(eq=False)
class AggCall(Node):
    func: str
    args: list[Expr]
    alias: str | None = None

    @property
    def output(self) -> str:
        """The result column (the first one of a ``pct`` with several percentiles)."""
        if self.alias:
            return self.alias
        if self.func in ("pct", "pct_sampling") and len(self.args) >= 2 and isinstance(self.args[0], FieldRef):
            pct = self.args[1].value if isinstance(self.args[1], Literal) else "?"
            return f"_{self.args[0].name}_pct_{pct}"
        return "_approxcount" if self.func == "count_frequent" else f"_{self.func}"

    def per_output(self) -> list[AggCall]:
        """One call per result column: ``pct(x, 50, 95)`` is ``pct(x, 50)`` and ``pct(x, 95)`` (columns
        ``_x_pct_50`` and ``_x_pct_95``); any other call is itself."""
        if self.func not in ("pct", "pct_sampling") or len(self.args) <= 2 or self.alias:
            return [self]
        return [AggCall(self.func, [self.args[0], p], line=self.line, column=self.column) for p in self.args[1:]]

    @property
    def outputs(self) -> list[str]:
        return [call.output for call in self.per_output()]


@dataclass(eq=False)
class AggregateOp(Operator):
    aggs: list[AggCall] = field(default_factory=list)
    by: list[Expr] = field(default_factory=list)


@dataclass(eq=False)
class TimesliceOp(Operator):
    span: str | None = None  # "1d", "15m", or a {{var}} text
    buckets: int | None = None
    alias: str | None = None


@dataclass(eq=False)
class SortKey(Node):
    expr: Expr
    descending: bool = True


@dataclass(eq=False)
class SortOp(Operator):
    keys: list[SortKey] = field(default_factory=list)


@dataclass(eq=False)
class TopOp(Operator):
    count: int | str = 10
    fields: list[Expr] = field(default_factory=list)
    by: Expr | None = None


@dataclass(eq=False)
class TopkOp(Operator):
    count: int | str = 10
    expr: Expr | None = None
    by: list[Expr] = field(default_factory=list)


@dataclass(eq=False)
class LimitOp(Operator):
    count: int | str = 0  # a {{var}} text when templated


@dataclass(eq=False)
class FieldsOp(Operator):
    names: list[str] = field(default_factory=list)
    exclude: bool = False


@dataclass(eq=False)
class TransposeOp(Operator):
    row_fields: list[str] = field(default_factory=list)
    column_fields: list[str] = field(default_factory=list)
    outputs: list[str] | None = None  # may contain "*"


@dataclass(eq=False)
class LookupOp(Operator):
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (table column, field); ("*", "*")
    table: str = ""  # geo://location, sumo://threat/cs, path://"...", https://...
    on: list[tuple[str, str]] = field(default_factory=list)  # (left, right) as written


@dataclass(eq=False)
class TimeShift(Node):
    span: str
    periods: int = 1
    function: str = "avg"
    alias: str | None = None

    @property
    def suffix(self) -> str:
        if self.alias:
            return self.alias
        return self.span if self.periods == 1 else f"{self.span}_{self.periods}_{self.function}"


@dataclass(eq=False)
class CompareOp(Operator):
    shifts: list[TimeShift] = field(default_factory=list)


@dataclass(eq=False)
class OutlierOp(Operator):
    target: str = ""
    by: list[str] = field(default_factory=list)
    window: int = 10
    threshold: float = 3.0
    consecutive: int = 1
    direction: str = "+-"


@dataclass(eq=False)
class FillmissingOp(Operator):
    timeslice: str | None = None
    raw: str = ""


@dataclass(eq=False)
class GenericOp(Operator):
    """An operator appbuilder does not model: name and raw argument text."""

    args: str = ""
    known: bool = False  # a real Sumo operator, just not modelled here
    fallback: str = ""  # why a modelled operator's own parser did not take this form
    broken: bool = False  # its text has a syntax error (reported; the operator is not judged further)


@dataclass(eq=False)
class WithtimeOp(Operator):
    """``withtime <field>``: pairs the field with the message time as ``<field>_withtime``."""

    field: str = ""


@dataclass(eq=False)
class QueryAST(Node):
    text: str = ""
    scope: ScopeExpr | None = None
    operators: list[Operator] = field(default_factory=list)
    issues: list[SyntaxIssue] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(eq=False)
class SyntaxIssue:
    line: int
    column: int
    message: str
    hint: str = ""


def walk_expr(expr: Expr | None):
    """Yield ``expr`` and every sub-expression."""
    if expr is None:
        return
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, InList):
            stack.append(node.operand)
            stack.extend(node.values)
        elif isinstance(node, Ternary):
            stack.extend((node.condition, node.then, node.otherwise))
