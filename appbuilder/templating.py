"""The two template syntaxes: ``{{var}}`` (dashboard variables, resolved by Sumo at view time) and
``${param}`` (install parameters, substituted by appbuilder at build time)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PARAMETER_RE = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")
# a named group of a regular expression, `(?<name>...)` or `(?P<name>...)`; in a query that defines one,
# `${name}` is the group in a replace() replacement, not an install parameter
NAMED_GROUP_RE = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


@dataclass(frozen=True)
class Reference:
    """A ``{{name}}`` or ``${name}`` found in a text; line and column are 1-based within the text."""

    name: str
    line: int
    column: int


def _find(pattern: re.Pattern[str], text: str) -> Iterator[Reference]:
    for match in pattern.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        line_start = text.rfind("\n", 0, match.start()) + 1
        yield Reference(match.group(1), line, match.start() - line_start + 1)


def find_variables(text: str) -> list[Reference]:
    """Every ``{{name}}`` dashboard-variable reference in ``text``."""
    return list(_find(VARIABLE_RE, text))


def _named_groups(text: str) -> set[str]:
    """The names of the regex groups ``text`` defines (their ``${name}`` are not install parameters)."""
    return set(NAMED_GROUP_RE.findall(text)) if "(?" in text else set()


def find_parameters(text: str) -> list[Reference]:
    """Every ``${name}`` install-parameter reference in ``text`` (not the regex groups a query names)."""
    groups = _named_groups(text)
    return [ref for ref in _find(PARAMETER_RE, text) if ref.name not in groups]


def substitute_parameters(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``${name}`` by its value; unknown names are left as they are (validation reports them)."""
    groups = _named_groups(text)
    return PARAMETER_RE.sub(lambda m: m.group(0) if m.group(1) in groups else values.get(m.group(1), m.group(0)),
                            text)


def substitute_variables(text: str, values: Mapping[str, str]) -> str:
    """Replace each ``{{name}}`` by its value; unknown names are left as they are."""
    return VARIABLE_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def expand_query(text: str, variables: Mapping[str, str], parameters: Mapping[str, str]) -> str:
    """``text`` as Sumo runs it: ``{{variables}}`` by their values (``*`` when not given), ``${parameters}``."""
    values = {ref.name: "*" for ref in find_variables(text)} | dict(variables)
    return substitute_parameters(substitute_variables(text, values), parameters)
