"""A hosted collector and its Cloud-to-Cloud source (as the collector and source kinds read them, markers and
secrets already left out) → ``source.yaml`` data: the inverse of ``build.build_source``. The token is never
read back into the file: ``tokenEnv`` names the environment variable install reads it from."""

from __future__ import annotations

from typing import Any

from appbuilder.export.monitors import NotModelled

TOKEN_ENV = "ONEPASSWORD_EVENTS_TOKEN"
SOURCE_TYPES = ("1Password",)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def source_data(collector: dict[str, Any], source: dict[str, Any], category: str | None) -> dict[str, Any]:
    """The ``source.yaml`` data; ``category`` (the lifted ``${source_category}``) replaces the source's own
    category when it is that value. Raises NotModelled for a source appbuilder does not model."""
    config = source.get("config") if isinstance(source.get("config"), dict) else None
    kind = (source.get("schemaRef") or {}).get("type") if isinstance(source.get("schemaRef"), dict) else None
    if source.get("sourceType") != "Universal" or config is None or kind not in SOURCE_TYPES:
        raise NotModelled(f"it is not a Cloud-to-Cloud source of a modelled type ({', '.join(SOURCE_TYPES)})")
    apis = config.get("supported_apis")
    if not (isinstance(apis, list) and apis and all(isinstance(a, str) for a in apis)):
        raise NotModelled("its supported_apis is not a list of API names")
    col: dict[str, Any] = {"name": _text(collector.get("name"))}
    for key in ("description", "category"):
        if _text(collector.get(key)):
            col[key] = collector[key]
    if collector.get("fields"):
        col["fields"] = {str(k): str(v) for k, v in sorted(collector["fields"].items())}
    src: dict[str, Any] = {"name": _text(config.get("name")), "type": kind}
    if _text(config.get("description")):
        src["description"] = config["description"]
    own = _text(config.get("category"))
    src["category"] = "${source_category}" if category is not None and own == category else own
    src["baseUrl"] = _text(config.get("base_url"))
    src["apis"] = list(apis)
    src["tokenEnv"] = TOKEN_ENV
    if config.get("fields"):
        src["fields"] = dict(sorted(config["fields"].items()))
    return {"collector": col, "source": src}
