"""Install parameters (``--param name=value``): one check for every command, then the values to substitute.

A value is refused when its name is not declared, when it holds a character that could break out of a query or
a name (quotes, pipes, backslashes, newlines and other control characters), when it is too long, or when it does
not match the parameter's pattern (a safe default pattern when the app declares none). Lengths of names are
checked after substitution: Sumo allows folder names of at most 128 characters and other names of at most 255.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import App, Parameter, Position
from appbuilder.patterns import compile_pattern
from appbuilder.schemafiles import load_schema
from appbuilder.templating import substitute_parameters
from appbuilder.tokens import find_tokens

# used when a parameter declares no pattern: letters, digits and the separators of source categories, names and
# lists (no spaces, quotes, pipes or backslashes); empty is allowed
DEFAULT_PATTERN = r"[A-Za-z0-9_./:@*,+-]*"
MAX_VALUE_LENGTH = 1024
MAX_FOLDER_NAME = 128
MAX_NAME = 255
_UNSAFE = {'"': "a double quote", "'": "a single quote", "`": "a backquote", "|": "a pipe (|)",
           "\\": "a backslash"}


@dataclass
class ResolvedParameters:
    """The value of every declared parameter (given or default) and the problems of the given ones."""

    values: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _unsafe_character(value: str) -> str | None:
    for char in value:
        if char in _UNSAFE:
            return _UNSAFE[char]
        if ord(char) < 32 or ord(char) == 127:
            return "a newline" if char in "\r\n" else f"a control character (U+{ord(char):04X})"
    return None


def _shown(value: str) -> str:
    """A value as quoted in messages: printable, and cut when long."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


def check_value(parameter: Parameter, value: str, origin: str) -> str | None:
    """Why ``value`` cannot be used for ``parameter`` (``origin`` says where it came from), or None."""
    unsafe = _unsafe_character(value)
    if unsafe:
        return f"{origin} value of parameter '{parameter.name}' contains {unsafe}, which could change the queries " \
               f"it is substituted into"
    if find_tokens(value):
        return f"{origin} value of parameter '{parameter.name}' looks like a token or an access key; secrets " \
               f"never go into the build"
    if len(value) > MAX_VALUE_LENGTH:
        return f"{origin} value of parameter '{parameter.name}' is {len(value)} characters long (at most " \
               f"{MAX_VALUE_LENGTH})"
    pattern = compile_pattern(parameter.pattern if parameter.pattern is not None else DEFAULT_PATTERN)
    if pattern.error is None and not pattern.fullmatch(value):
        return f"{origin} value {_shown(value)} of parameter '{parameter.name}' does not match " \
               f"{'its pattern' if parameter.pattern is not None else 'the default pattern'} {pattern.text}"
    return None


def pattern_hint(parameter: Parameter) -> str:
    if parameter.pattern is None:
        return (f"without a pattern of its own a value may hold letters, digits and _ . / : @ * , + - ; declare a "
                f"pattern for '{parameter.name}' in app.yaml to allow others")
    return parameter.description or f"give a value matching {parameter.pattern}"


def resolve(app: App, given: Mapping[str, str]) -> ResolvedParameters:
    """Check the given values (and the lengths of names once substituted); defaults fill the rest."""
    declared = {p.name: p for p in app.parameters}
    result = ResolvedParameters()
    where = app.parameters_position or app.position or Position(str(app.root))
    for name in given:
        if name not in declared:
            close = difflib.get_close_matches(name, sorted(declared), n=1)
            known = ", ".join(sorted(declared)) or "none"
            result.diagnostics.append(Diagnostic(where, f"unknown parameter '{name}'",
                                                 code="unknown-parameter", path="parameters",
                                                 hint=f"did you mean '{close[0]}'?" if close else
                                                 f"declared parameters: {known}"))
    for name, parameter in declared.items():
        value = given.get(name, parameter.default)
        result.values[name] = value
        if name in given:
            problem = check_value(parameter, value, "--param")
            if problem:
                result.diagnostics.append(Diagnostic(parameter.position or where, problem, code="parameter-value",
                                                     path=f"parameters[{name}]", hint=pattern_hint(parameter)))
    if not result.diagnostics:
        result.diagnostics += check_name_lengths(app, result.values) + check_events_host(app, result.values)
    return result


def events_hosts() -> list[str]:
    """The 1Password Events API hosts a source may read from (the source schema's list)."""
    return list(load_schema("source")["$defs"]["eventsHost"]["enum"])


def check_events_host(app: App, values: Mapping[str, str]) -> list[Diagnostic]:
    """A source ``baseUrl`` given by a parameter must be one of the Events API hosts once substituted."""
    if app.source is None or "${" not in app.source.base_url:
        return []
    final = substitute_parameters(app.source.base_url, values)
    hosts = events_hosts()
    if final in hosts:
        return []
    return [Diagnostic(app.source.position or Position(str(app.root)), f"the source's baseUrl is {final!r} with the "
                       f"parameters substituted, not a 1Password Events API host", code="parameter-value",
                       path="source.baseUrl", hint=f"give one of {', '.join(hosts)}")]


def _names(app: App) -> Iterator[tuple[str, int, str, Position | None]]:
    """(text, limit, what, position) of every name that becomes a Sumo name."""
    yield app.folder, MAX_FOLDER_NAME, "folder name", app.position
    for dashboard in app.dashboards:
        yield dashboard.title, MAX_NAME, "dashboard title", dashboard.position
    for query in app.saved_searches:
        yield query.name, MAX_NAME, "saved-search name", query.position
    for monitor in app.monitors:
        yield monitor.name, MAX_NAME, "monitor name", monitor.position
    if app.source:
        yield app.source.name, MAX_NAME, "source name", app.source.position
        yield app.source.collector.name, MAX_NAME, "collector name", app.source.collector.position


def check_name_lengths(app: App, values: Mapping[str, str]) -> list[Diagnostic]:
    """Names longer than Sumo allows once the parameters are substituted."""
    found = []
    for text, limit, what, position in _names(app):
        final = substitute_parameters(text, values)
        if len(final) > limit:
            via = " with the parameters substituted" if final != text else ""
            found.append(Diagnostic(position or Position(str(app.root)), f"the {what} is {len(final)} characters "
                                    f"long{via}; Sumo allows at most {limit}", code="name-too-long",
                                    hint="shorten it" + (" or the parameter value" if via else "")))
    return found

