"""Typed model of a loaded app definition.

Every element keeps the position of the YAML node it came from so that later stages (validation, query lint,
tests) can point the user at a file, line and column.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GRID_COLUMNS = 24


@dataclass(frozen=True)
class Position:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class TextOrigin:
    """Where a multi-line text value (a query) starts, to map offsets inside it back to the YAML file.

    For a block scalar (``|``) the text's line ``n`` (1-based) is file line ``first_line + n - 1`` and its
    column ``c`` is file column ``indent + c``. For a flow or quoted scalar only the start is known exactly.
    A text with query fragments expanded into it has one ``LinePiece`` per line saying where that line came from.
    """

    position: Position
    block: bool = False
    first_line: int = 0
    indent: int = 0
    pieces: tuple[LinePiece, ...] = ()

    def locate(self, line: int, column: int) -> Position:
        """Map a 1-based (line, column) inside the text to a position in the YAML file."""
        if self.pieces and 1 <= line <= len(self.pieces):
            piece = self.pieces[line - 1]
            return piece.origin.locate(piece.line, column)
        if self.block and self.first_line:
            return Position(self.position.file, self.first_line + line - 1, self.indent + column)
        if line <= 1:
            return Position(self.position.file, self.position.line, self.position.column + column - 1)
        return self.position


@dataclass(frozen=True)
class LinePiece:
    """One line of an expanded text: line ``line`` of the text at ``origin``; ``via`` tells which fragment
    include(s) brought it there (empty for the query's own lines)."""

    origin: TextOrigin
    line: int
    via: str = ""


def origin_note(origin: TextOrigin | None, line: int) -> str:
    """`` (in fragment 'x' included at file:line:col)`` for a line that came from a fragment, else ``""``."""
    if origin is None or not origin.pieces or not 1 <= line <= len(origin.pieces):
        return ""
    via = origin.pieces[line - 1].via
    return f" ({via})" if via else ""


@dataclass
class Overrides:
    """Sumo JSON carried verbatim (from an export) for what the model does not describe.

    ``extra`` is deep-merged over the JSON the build makes for the element; ``omit`` lists dotted paths of keys
    the build would write but the original lacked.
    """

    extra: dict[str, Any] = field(default_factory=dict)
    omit: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.extra or self.omit)


@dataclass
class Parameter:
    name: str
    default: str
    description: str = ""
    pattern: str | None = None
    position: Position | None = None
    collects: list[str] = field(default_factory=list)  # sample globs of the events collected only when it is set


@dataclass
class Collector:
    name: str
    description: str = ""
    category: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    position: Position | None = None


@dataclass
class Source:
    """The Cloud-to-Cloud source; ``token_env`` names the environment variable holding the secret."""

    name: str
    type: str
    category: str
    base_url: str
    apis: list[str]
    token_env: str
    collector: Collector
    description: str = ""
    token_file: str | None = None
    fields: dict[str, object] = field(default_factory=dict)
    position: Position | None = None


@dataclass
class QueryVariable:
    name: str
    default: str
    label: str = ""
    description: str = ""
    data_type: str = "STRING"


@dataclass
class Query:
    """A named query from queries.yaml; installed as a saved search when ``saved_search`` is set."""

    id: str
    text: str
    origin: TextOrigin
    name: str = ""
    description: str = ""
    saved_search: bool = False
    time_range: str = "-15m"
    by_receipt_time: bool = False
    parsing_mode: str = "Manual"
    variables: list[QueryVariable] = field(default_factory=list)
    schedule: dict[str, Any] | None = None
    live_optional: bool = False  # `live: optional`: `test --live` accepts that it finds no data
    overrides: Overrides = field(default_factory=Overrides)
    position: Position | None = None


@dataclass
class Variable:
    """A dashboard variable; exactly one of from_query / values / metadata_key is set."""

    name: str
    display_name: str = ""
    default: str = "*"
    include_all: bool = True
    query: str | None = None
    query_origin: TextOrigin | None = None
    field: str | None = None
    values: list[str] | None = None
    metadata_key: str | None = None
    metadata_filter: str = ""
    source: dict[str, Any] | None = None
    overrides: Overrides = dataclasses.field(default_factory=Overrides)  # ``field`` is a member name here
    position: Position | None = None


@dataclass
class Layout:
    x: int
    y: int
    width: int
    height: int


@dataclass
class PanelQuery:
    """One query of a panel (Sumo's ``queries[]``); ``type`` is ``logs`` or ``metrics`` (Sumo's ``queryType``)."""

    text: str
    origin: TextOrigin | None = None
    key: str = "A"
    type: str = "logs"
    parse_mode: str = "Manual"
    time_source: str = "Message"
    output_limit: int | None = 1000
    metrics_mode: str | None = None
    metrics_data: Any = None
    overrides: Overrides = field(default_factory=Overrides)
    position: Position | None = None


@dataclass
class Panel:
    """A dashboard panel. ``query``/``query_origin`` are resolved from ``queryRef`` by the loader.

    ``query`` is the text of the first query; ``queries`` holds the queries of a panel written with ``queries:``
    (``all_queries()`` gives them for either form).
    """

    id: str
    title: str
    chart: str
    width: int = 12
    height: int = 8
    explicit_position: tuple[int, int] | None = None
    layout: Layout | None = None
    description: str = ""
    query: str | None = None
    query_origin: TextOrigin | None = None
    query_ref: str | None = None
    time_range: str | None = None
    text: str | None = None
    label: str | None = None
    stacked: bool = False
    settings: dict[str, object] = field(default_factory=dict)
    query_type: str = "logs"
    queries: list[PanelQuery] = field(default_factory=list)
    key: str | None = None
    hidden: bool = False
    visual_settings: dict[str, Any] | None = None
    visual_verbatim: bool = False
    links: list[dict[str, Any]] = field(default_factory=list)
    min_size: dict[str, int] = field(default_factory=dict)
    coloring_rules: list[Any] | None = None
    live_optional: bool = False  # `live: optional`: `test --live` accepts that it finds no data
    overrides: Overrides = field(default_factory=Overrides)
    position: Position | None = None

    def all_queries(self) -> list[PanelQuery]:
        """Every query of the panel: its ``queries`` or, for a panel written with ``query``, that one query."""
        if self.queries:
            return self.queries
        if self.query is None:
            return []
        return [PanelQuery(self.query, self.query_origin, type=self.query_type, position=self.position)]


@dataclass
class Dashboard:
    """One dashboard; ``slug`` is its file stem, used in panel keys and test targets."""

    slug: str
    title: str
    panels: list[Panel]
    description: str = ""
    theme: str = "Light"
    time_range: str = "-1d"
    refresh_interval: int = 0
    variables: list[Variable] = field(default_factory=list)
    layout_order: str | list[str] = "panels"
    overrides: Overrides = field(default_factory=Overrides)
    variables_incomplete: bool = False  # a variable set could not be read (its file's problems are reported)
    path: Path | None = None
    position: Position | None = None


@dataclass
class MonitorTrigger:
    """One trigger of a log monitor; ``level`` is Critical, Warning or MissingData."""

    level: str
    time_range: str
    threshold: float = 0
    comparison: str = "GreaterThan"
    field: str | None = None
    position: Position | None = None


@dataclass
class MonitorNotification:
    """Where an alert goes; ``recipients`` / ``connection_id`` are texts holding ``${param}`` references."""

    kind: str  # "email" or a connection type such as "Webhook" or "Slack"
    levels: list[str]
    recipients: str = ""
    connection_id: str = ""
    subject: str = ""
    message: str = ""
    position: Position | None = None


@dataclass
class Monitor:
    """A log monitor from ``monitors/*.yaml``; ``slug`` is its file stem, used as its test target."""

    slug: str
    name: str
    query: str
    origin: TextOrigin
    triggers: list[MonitorTrigger]
    description: str = ""
    notifications: list[MonitorNotification] = field(default_factory=list)
    evaluation_delay: str = "0m"
    enabled: bool = True
    group_notifications: bool = True
    live_optional: bool = False  # `live: optional`: `test --live` accepts that it finds no data
    path: Path | None = None
    position: Position | None = None


@dataclass
class ContentItem:
    """One entry of the app folder's ``contents`` (its children in order).

    ``kind`` is ``dashboard`` (``ref`` = file as listed in app.yaml), ``savedSearch`` (``ref`` = query id),
    ``folder`` (``name``, ``description``, ``children``) or ``raw`` (``ref`` = JSON file, ``data`` = its content).
    """

    kind: str
    ref: str = ""
    name: str = ""
    description: str = ""
    children: list[ContentItem] = field(default_factory=list)
    data: dict[str, Any] | None = None
    overrides: Overrides = field(default_factory=Overrides)
    position: Position | None = None


@dataclass
class App:
    """A whole app definition as loaded from ``app_definitions/<app>/``."""

    name: str
    version: str
    description: str
    folder: str
    root: Path
    log_types: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    source: Source | None = None
    queries: list[Query] = field(default_factory=list)
    dashboards: list[Dashboard] = field(default_factory=list)
    monitors: list[Monitor] = field(default_factory=list)
    sample_files: list[Path] = field(default_factory=list)
    test_files: list[Path] = field(default_factory=list)
    test_targets: list[tuple[str, Position]] = field(default_factory=list)
    test_variables: list[tuple[str, Position]] = field(default_factory=list)  # variable names set by tests/*.yaml
    queries_unreadable: bool = False
    dashboards_unreadable: list[str] = field(default_factory=list)  # file stems of dashboards that failed to load
    lint_severity: dict[str, str] = field(default_factory=dict)
    lint_severity_positions: dict[str, Position] = field(default_factory=dict)  # where each check is named
    contents: list[ContentItem] | None = None
    overrides: Overrides = field(default_factory=Overrides)
    unmanaged: list[str] = field(default_factory=list)  # parts in Sumo the definition leaves alone (monitors, source)
    position: Position | None = None
    parameters_position: Position | None = None  # the ``parameters`` key in app.yaml

    def query_by_id(self, query_id: str) -> Query | None:
        return next((q for q in self.queries if q.id == query_id), None)

    @property
    def saved_searches(self) -> list[Query]:
        return [q for q in self.queries if q.saved_search]

    def parameter_defaults(self) -> dict[str, str]:
        return {p.name: p.default for p in self.parameters}
