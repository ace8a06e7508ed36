"""Local evaluator of Sumo log queries over JSON events (the sample data of an app)."""

from appbuilder.query.evaluate.engine import Evaluator, Table, evaluate, window_start
from appbuilder.query.evaluate.values import EvalError, Lookups, timestamp_ms

__all__ = ["EvalError", "Evaluator", "Lookups", "Table", "evaluate", "timestamp_ms", "window_start"]
