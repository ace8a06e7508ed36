"""Query engines besides the Python evaluator: DuckDB runs the row-heavy part of a query as SQL."""
