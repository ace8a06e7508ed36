"""Checks on a query beyond syntax: field flow, json aliases, dashboard restrictions, chart fit."""

from __future__ import annotations

import difflib

import appbuilder.query.ast as ast
from appbuilder.query.issues import (
    DEFAULT_SEVERITY,
    ERROR,
    FIELD_CHECKS,
    INFO,
    WARNING,
    LintContext,
    QueryIssue,
    event_fields_from_samples,
    finish_issues,
    normalize_json_path,
)
from appbuilder.query.parser import parse
from appbuilder.query.vocab import (
    AFTER_AGGREGATE_ONLY,
    BUILTIN_FIELDS,
    DASHBOARD_FORBIDDEN,
    GEO_COLUMNS,
    GEOIP_DEFAULT,
    MODELLED,
    THREAT_COLUMNS,
    THREATIP_OUTPUTS,
)

__all__ = ["ERROR", "INFO", "WARNING", "LintContext", "QueryIssue", "event_fields_from_samples", "lint_query",
           "lint_tree"]


def fields_known(tree: ast.QueryAST, ctx: LintContext) -> bool:
    """Whether the fields of the events the query reads are known: the app ships samples (``event_fields``)
    and the scope does not read a view or partition (``_view=``, ``_index=``) or an app parameter (``$$x``)."""
    if ctx.event_fields is None:
        return False
    stack: list[ast.ScopeExpr] = [tree.scope] if tree.scope is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ScopeBool):
            stack.extend(node.items)
        elif isinstance(node, ast.ScopeNot):
            stack.append(node.item)
        elif node.kind == "appparam" or node.value.startswith("$$") or (
                node.kind == "field" and (node.key or "").lower() in ("_view", "_index")):
            return False
    return True


class _Linter:
    def __init__(self, tree: ast.QueryAST, ctx: LintContext):
        self.tree = tree
        self.ctx = ctx
        self.fields_known = fields_known(tree, ctx)
        self.issues: list[QueryIssue] = []
        self.defined: set[str] = set(BUILTIN_FIELDS)
        self.open = False  # true once an operator may have created fields we cannot name
        self.aggregated = False
        self.agg_outputs: list[str] = []
        self.grouped_by_timeslice = False
        self.timeslice_alias: ast.TimesliceOp | None = None
        self.compare_seen = False

    def report(self, node: ast.Node, code: str, message: str, hint: str = "") -> None:
        self.report_at((node.line, node.column), code, message, hint)

    def report_at(self, where: tuple[int, int], code: str, message: str, hint: str = "") -> None:
        severity = INFO if code in FIELD_CHECKS and not self.fields_known else DEFAULT_SEVERITY.get(code, ERROR)
        self.issues.append(QueryIssue(where[0] or 1, where[1] or 1, code, severity, message, hint))

    def define(self, *names: str) -> None:
        for name in names:
            if name and name != "*":
                self.defined.add(name.lower())

    def known(self, name: str) -> bool:
        return (self.open or name.lower() in self.defined or name.startswith(("{{", "${"))
                or name == "*")

    def use_expr(self, expr: ast.Expr | None, code: str = "field-undefined") -> None:
        for node in ast.walk_expr(expr):
            if isinstance(node, ast.FieldRef):
                self.use(node, node.name, code)

    def use(self, node: ast.Node, name: str, code: str = "field-undefined") -> None:
        if self.known(name):
            return
        close = difflib.get_close_matches(name.lower(), sorted(self.defined), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "define it first with json, parse, lookup or '... as'"
        what = "grouped or sorted on" if code == "group-by-unknown-field" else "used"
        self.report(node, code, f"field '{name}' is {what} before any operator defines it", hint)

    # -- the walk ---------------------------------------------------------------------------------------------
    def run(self) -> list[QueryIssue]:
        for issue in self.tree.issues:
            self.issues.append(QueryIssue(issue.line, issue.column, "syntax", ERROR, issue.message, issue.hint))
        self.scope(self.tree.scope)
        for op in self.tree.operators:
            self.operator(op)
        self.final_checks()
        return self.issues

    def scope(self, node: ast.ScopeExpr | None) -> None:
        if isinstance(node, ast.ScopeTerm) and node.kind == "field" and node.key:
            self.define(node.key)
        elif isinstance(node, ast.ScopeBool):
            for item in node.items:
                self.scope(item)
        elif isinstance(node, ast.ScopeNot):
            self.scope(node.item)

    def operator(self, op: ast.Operator) -> None:
        if self.ctx.chart and op.name in AFTER_AGGREGATE_ONLY and not self.aggregated:
            self.report(op, "operator-before-aggregate",
                        f"'{op.name}' in a dashboard panel must come after the first aggregate (count, sum, ...)")
        handler = getattr(self, "op_" + type(op).__name__, None)
        if handler is not None:
            handler(op)

    def op_JsonOp(self, op: ast.JsonOp) -> None:
        if op.source:
            self.use(op, op.source)
        if op.auto:
            self.open = True
            self.define(*op.keys, *op.aliases)
            return
        if op.aliases and len(op.aliases) != len(op.paths):
            self.report(op, "json-alias-count",
                        f"json extracts {len(op.paths)} key(s) but names {len(op.aliases)} field(s) after 'as'",
                        "give exactly one field name per quoted key, in the same order")
        if self.ctx.event_fields is not None and not op.source:
            for index, path in enumerate(op.paths):
                norm = normalize_json_path(path)
                if norm not in self.ctx.event_fields:
                    known = sorted(self.ctx.event_fields)
                    close = [f for f in known if f.startswith(norm)] or difflib.get_close_matches(norm, known, n=1)
                    where = op.path_positions[index] if index < len(op.path_positions) else (op.line, op.column)
                    hint = f"did you mean '{close[0]}'?" if close else "check the key against the sample events"
                    self.report_at(where, "unknown-json-path",
                                   f"JSON key '{path}' does not occur in the source's events", hint)
        self.define(*(op.aliases or op.paths))
        for alias in op.aliases:
            self.check_alias(op, alias)

    def op_ParseOp(self, op: ast.ParseOp) -> None:
        if op.source:
            self.use(op, op.source)
        self.define(*op.fields)

    def op_ParseRegexOp(self, op: ast.ParseRegexOp) -> None:
        if op.source:
            self.use(op, op.source)
        if op.multi and self.ctx.chart:
            self.report(op, "dashboard-forbidden-operator", "'parse ... multi' is not allowed in dashboard panels")
        self.define(*op.groups)

    def op_WhereOp(self, op: ast.WhereOp) -> None:
        self.use_expr(op.condition)

    def op_EvalOp(self, op: ast.EvalOp) -> None:
        self.use_expr(op.expr)
        self.define(op.alias)
        self.check_alias(op, op.alias)

    def op_AggregateOp(self, op: ast.AggregateOp) -> None:
        for agg in op.aggs:
            for arg in agg.args:
                self.use_expr(arg)
        for key in op.by:
            self.use_expr(key, "group-by-unknown-field")
        keys = [k.name for k in op.by if isinstance(k, ast.FieldRef)]
        outputs = [name for a in op.aggs for name in a.outputs]
        for agg in op.aggs:
            if agg.alias:
                self.check_alias(agg, agg.alias)
        self.open = any(isinstance(k, ast.Template) for k in op.by)
        self.defined = set()
        self.define(*keys, *outputs)
        self.aggregated = True
        self.agg_outputs = outputs
        self.grouped_by_timeslice = any(k.lower() == "_timeslice" for k in keys) or (
            self.timeslice_alias is not None and self.timeslice_alias.alias is not None
            and any(k.lower() == self.timeslice_alias.alias.lower() for k in keys))

    def op_TimesliceOp(self, op: ast.TimesliceOp) -> None:
        self.define(op.alias or "_timeslice")
        self.timeslice_alias = op

    def op_SortOp(self, op: ast.SortOp) -> None:
        for key in op.keys:
            self.use_expr(key.expr, "group-by-unknown-field")

    def op_TopOp(self, op: ast.TopOp) -> None:
        for f in op.fields:
            self.use_expr(f, "group-by-unknown-field")
        if isinstance(op.by, ast.FieldRef):
            self.use(op.by, op.by.name, "group-by-unknown-field")
            by_name = op.by.name
        else:
            if op.by is not None:
                for node in ast.walk_expr(op.by):
                    if isinstance(node, ast.Call):
                        for arg in node.args:
                            self.use_expr(arg)
            by_name = "_count"
        self.defined = set()
        self.define(*(f.name for f in op.fields if isinstance(f, ast.FieldRef)), by_name)
        self.aggregated = True

    def op_TopkOp(self, op: ast.TopkOp) -> None:
        self.use_expr(op.expr)
        for key in op.by:
            self.use_expr(key, "group-by-unknown-field")
        self.define("_rank")

    def op_FieldsOp(self, op: ast.FieldsOp) -> None:
        for name in op.names:
            self.use(op, name)
        if op.exclude:
            self.defined -= {n.lower() for n in op.names}
        else:
            self.defined = {n.lower() for n in op.names} | {d for d in self.defined if d.startswith("_")}

    def op_TransposeOp(self, op: ast.TransposeOp) -> None:
        for name in op.row_fields + op.column_fields:
            self.use(op, name, "group-by-unknown-field")
        self.defined = {n.lower() for n in op.row_fields}
        if op.outputs is None or "*" in op.outputs:
            self.open = True
        self.define(*(op.outputs or []))

    def op_LookupOp(self, op: ast.LookupOp) -> None:
        table = op.table.lower()
        builtin = table.startswith(("geo://", "sumo://"))
        for left, right in op.on:
            self.use(op, right if builtin else left)
        columns = GEO_COLUMNS if table.startswith("geo://") else THREAT_COLUMNS if "threat" in table else None
        for col, alias in op.outputs:
            if col == "*":
                self.open = True
                continue
            if columns is not None and col.lower() not in columns:
                self.report(op, "unknown-lookup-column", f"'{col}' is not a column of {op.table}",
                            "columns: " + ", ".join(sorted(columns)))
            self.define(alias)

    def op_CompareOp(self, op: ast.CompareOp) -> None:
        if self.compare_seen:
            self.report(op, "compare-repeated", "compare can be used only once per query",
                        "list several shifts in one compare: compare with timeshift 1d, timeshift 1w")
        self.compare_seen = True
        if not self.aggregated:
            self.report(op, "compare-needs-aggregate",
                        "compare must follow an aggregate such as 'count by ...' or 'count by _timeslice'",
                        "for example: | count by category | compare with timeshift 1d")
        if self.timeslice_alias is not None and self.timeslice_alias.alias:
            self.report(self.timeslice_alias, "compare-timeslice-alias",
                        "do not alias the timeslice in a query that uses compare")
        for shift in op.shifts:
            self.define(*(f"{out}_{shift.suffix}" for out in self.agg_outputs))

    def op_WithtimeOp(self, op: ast.WithtimeOp) -> None:
        self.use(op, op.field)
        self.define(f"{op.field}_withtime")

    def op_OutlierOp(self, op: ast.OutlierOp) -> None:
        self.use(op, op.target)
        for name in op.by:
            self.use(op, name, "group-by-unknown-field")
        if not self.aggregated or not self.grouped_by_timeslice:
            self.report(op, "outlier-needs-timeslice",
                        "outlier needs a time series: an aggregate grouped by _timeslice before it",
                        "for example: | timeslice 1h | count by _timeslice | outlier _count")
        self.define(*(f"{op.target}_{s}" for s in ("error", "lower", "upper", "indicator", "violation", "std")))

    def op_GenericOp(self, op: ast.GenericOp) -> None:
        if op.name in DASHBOARD_FORBIDDEN and self.ctx.chart:
            self.report(op, "dashboard-forbidden-operator", f"'{op.name}' is not allowed in dashboard panels")
        if op.broken or (self.tree.issues and any(i.line == op.line for i in self.tree.issues)):
            self.open = True
            return
        if op.fallback:
            self.report(op, "unmodelled-form",
                        f"appbuilder does not model this form of '{op.name}' ({op.fallback}); it is kept as written "
                        "and not checked")
            self.open = True
            return
        if op.known:
            self.report(op, "unknown-operator",
                        f"appbuilder does not model '{op.name}'; it is not checked and `appbuilder test` "
                        "cannot run it", "")
        else:
            self.report(op, "unknown-operator", f"unknown operator '{op.name}'",
                        "check the spelling against the Sumo Logic operator list")
        if op.name == "geoip":
            self.define(*GEOIP_DEFAULT)
        elif op.name == "threatip":
            self.define(*THREATIP_OUTPUTS)
        else:
            self.open = True

    def check_alias(self, node: ast.Node, alias: str) -> None:
        if alias.lower() in MODELLED:
            self.report(node, "alias-is-operator-name",
                        f"field name '{alias}' is also an operator name; Sumo advises against it",
                        f"use a different name, e.g. '{alias}_value'")

    def final_checks(self) -> None:
        if self.ctx.chart == "map" and not self.open:
            missing = [n for n in ("latitude", "longitude") if n not in self.defined]
            if missing:
                self.report(self.tree, "map-needs-lat-long",
                            f"a map panel needs latitude and longitude in its result; missing {', '.join(missing)}",
                            "end with: | lookup latitude, longitude from geo://location on ip=<field> "
                            "| count by latitude, longitude")


def lint_tree(tree: ast.QueryAST, ctx: LintContext) -> list[QueryIssue]:
    return finish_issues(_Linter(tree, ctx).run(), tree.text, ctx)


def lint_query(text: str, ctx: LintContext) -> list[QueryIssue]:
    """Every problem found in ``text``; positions are 1-based within the text."""
    return lint_tree(parse(text), ctx)
