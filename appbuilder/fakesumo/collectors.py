"""Collector Management API v1 routes: hosted collectors and the 1Password Cloud-to-Cloud source.

Errors use the flat ``{"status", "id", "code", "message"}`` shape. GET answers carry a quoted ``ETag``;
PUT needs ``If-Match`` (missing → 403, stale → 412). ``api_token`` never leaves the server unmasked.
"""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.fakesumo.errors import ApiError
from appbuilder.fakesumo.routing import Backend, Request, Response, Router
from appbuilder.fakesumo.state import Collector, Source, Store

MASK = "********"
SUPPORTED_APIS = ("sign-in", "itemUsage")
REQUIRED_CONFIG = ("name", "base_url", "api_token", "supported_apis")
COLLECTOR_FIELDS = ("name", "description", "category", "timeZone", "fields", "cutoffTimestamp",
                    "cutoffRelativeTime", "hostName", "ephemeral", "sourceSyncMode", "targetCpu")


def _int_id(raw: str, what: str) -> int:
    try:
        return int(raw)
    except ValueError:
        code = "BadRequestCollectorId" if what == "collector" else "BadRequestSourceId"
        raise ApiError(400, code, f"Invalid {what} id {raw!r}.") from None


def _collector(state: Store, raw_id: str) -> Collector:
    collector = state.collectors.get(_int_id(raw_id, "collector"))
    if collector is None:
        raise ApiError(404, "notfound", f"Collector with id {raw_id} does not exist.")
    return collector


def _check_if_match(req: Request, etag: str) -> None:
    given = req.headers.get("If-Match")
    if not given:
        raise ApiError(403, "forbidden", "An If-Match header with the ETag from a GET is required.")
    if given.strip() != etag:
        raise ApiError(412, "precondition.failed",
                       "The If-Match header does not match the current version; GET it again.")


def _wrapped(req: Request, key: str) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise ApiError(400, "bad.request", f'The body must be {{"{key}": {{...}}}}.')
    return body[key]


# -- collectors --------------------------------------------------------------------------------
def _collector_fields(state: Store, data: dict[str, Any], self_id: int | None) -> dict[str, Any]:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "InvalidCollector", "Collector 'name' is required.")
    if len(name) > 128:
        raise ApiError(400, "CollectorNameTooLong", "Collector names are limited to 128 characters.")
    if len(str(data.get("description") or "")) > 1024:
        raise ApiError(400, "CollectorDescriptionTooLong", "Descriptions are limited to 1024 characters.")
    if data.get("fields") is not None and not isinstance(data.get("fields"), dict):
        raise ApiError(400, "InvalidCollector", "'fields' must be an object.")
    for other in state.collectors.values():
        if other.data["name"] == name and other.id != self_id:
            raise ApiError(400, "DuplicateResourceName", f"A collector named {name!r} already exists.")
    out: dict[str, Any] = {"name": name, "description": "", "category": "", "timeZone": "UTC", "fields": {}}
    out.update({k: data[k] for k in COLLECTOR_FIELDS if data.get(k) is not None})
    return out


def list_collectors(fake: Backend, req: Request) -> Response:
    try:
        limit = int(req.query.get("limit", 1000))
        offset = int(req.query.get("offset", 0))
    except ValueError:
        raise ApiError(400, "bad.request", "limit and offset must be integers.") from None
    kind = req.query.get("filter", "all")
    if kind not in ("all", "installed", "hosted", "dead", "alive"):
        raise ApiError(400, "bad.request", f"Unknown filter {kind!r}.")
    items = [] if kind in ("installed", "dead") else list(fake.state.collectors.values())
    return Response(200, {"collectors": [copy.deepcopy(c.data) for c in items[offset:offset + limit]]})


def get_collector(fake: Backend, req: Request) -> Response:
    collector = _collector(fake.state, req.params["id"])
    return Response(200, {"collector": copy.deepcopy(collector.data)}, {"ETag": collector.etag})


def get_collector_by_name(fake: Backend, req: Request) -> Response:
    for collector in fake.state.collectors.values():
        if collector.data["name"] == req.params["name"]:
            return Response(200, {"collector": copy.deepcopy(collector.data)}, {"ETag": collector.etag})
    raise ApiError(404, "notfound", f"Collector with name {req.params['name']!r} does not exist.")


def create_collector(fake: Backend, req: Request) -> Response:
    state = fake.state
    data = _wrapped(req, "collector")
    if data.get("collectorType") != "Hosted":
        raise ApiError(400, "InvalidCollectorType", "Only Hosted collectors can be created with the API.")
    if "id" in data:
        raise ApiError(400, "createValidationError", "Omit 'id' when creating a collector.")
    fields = _collector_fields(state, data, None)
    collector_id = state.new_numeric_id()
    collector = Collector(collector_id, {
        "id": collector_id, **fields,
        "links": [{"rel": "sources", "href": f"/v1/collectors/{collector_id}/sources"}],
        "collectorType": "Hosted", "collectorVersion": "", "lastSeenAlive": state.now_ms(), "alive": True,
    })
    state.collectors[collector_id] = collector
    return Response(200, {"collector": copy.deepcopy(collector.data)}, {"ETag": collector.etag})


def update_collector(fake: Backend, req: Request) -> Response:
    state = fake.state
    collector = _collector(state, req.params["id"])
    _check_if_match(req, collector.etag)
    data = _wrapped(req, "collector")
    if data.get("id") != collector.id:
        raise ApiError(400, "BadRequestCollectorId", "The body's 'id' must match the collector in the URL.")
    if data.get("collectorType", "Hosted") != "Hosted":
        raise ApiError(400, "CannotModifyCollector", "'collectorType' cannot be changed.")
    fields = _collector_fields(state, data, collector.id)
    for key in COLLECTOR_FIELDS:
        collector.data.pop(key, None)
    collector.data.update(fields)
    collector.version += 1
    return Response(200, {"collector": copy.deepcopy(collector.data)}, {"ETag": collector.etag})


def delete_collector(fake: Backend, req: Request) -> Response:
    state = fake.state
    collector = _collector(state, req.params["id"])
    for source in [s for s in state.sources.values() if s.collector_id == collector.id]:
        del state.sources[source.id]
    del state.collectors[collector.id]
    return Response(200)


def ui_edit(state: Store, collector_name: str, source_name: str | None, changes: dict[str, Any]) -> None:
    """Change a stored collector, or with ``source_name`` its source's ``config``, the way a person in the Sumo
    UI would: shallow-merge ``changes`` and bump the version (so the ETag changes). KeyError when not found."""
    collector = next((c for c in state.collectors.values() if c.data.get("name") == collector_name), None)
    if collector is None:
        raise KeyError(f"no collector named {collector_name!r}")
    if source_name is None:
        collector.data.update(copy.deepcopy(changes))
        collector.version += 1
        return
    source = next((s for s in state.sources.values()
                   if s.collector_id == collector.id and s.name == source_name), None)
    if source is None:
        raise KeyError(f"no source named {source_name!r} in collector {collector_name!r}")
    source.data.setdefault("config", {}).update(copy.deepcopy(changes))
    source.version += 1


# -- sources -----------------------------------------------------------------------------------
def public_source(source: Source, download: bool = False) -> dict[str, Any]:
    """The source as GET returns it: token masked, current state, no id in download form."""
    data = copy.deepcopy(source.data)
    config = data.get("config")
    if isinstance(config, dict) and "api_token" in config:
        config["api_token"] = MASK
    data["state"] = {"state": "Stopping" if source.stopping else "Collecting"}
    if download:
        data.pop("id", None)
    return data


def _source(state: Store, collector: Collector, raw_id: str) -> Source:
    source = state.sources.get(_int_id(raw_id, "source"))
    if source is None or source.collector_id != collector.id:
        raise ApiError(404, "notfound",
                       f"Source with id {raw_id} does not exist in collector {collector.id}.")
    return source


def _seen(state: Store, source: Source) -> None:
    """A Stopping C2C source is shown by one GET, then it is gone."""
    if source.stopping:
        state.sources.pop(source.id, None)


def _check_source(state: Store, collector: Collector, data: dict[str, Any], code: str,
                  self_source: Source | None) -> dict[str, Any]:
    if not data.get("sourceType"):
        raise ApiError(400, "EmptySourceType", "'sourceType' is required.")
    if data["sourceType"] != "Universal":
        raise ApiError(400, "InvalidSourceType",
                       f"sourceType {data['sourceType']!r} is not supported here; use \"Universal\".")
    schema = data.get("schemaRef")
    if not isinstance(schema, dict) or schema.get("type") != "1Password":
        raise ApiError(400, code, 'schemaRef must be {"type": "1Password"}.')
    config = data.get("config")
    if not isinstance(config, dict):
        raise ApiError(400, code, "'config' must be an object.")
    config = copy.deepcopy(config)
    if self_source is not None and config.get("api_token") == MASK:
        config["api_token"] = self_source.data["config"]["api_token"]
    missing = [k for k in REQUIRED_CONFIG if config.get(k) in (None, "", [])]
    if missing:
        raise ApiError(400, code, f"config is missing required field(s): {', '.join(missing)}.")
    for key in ("name", "base_url", "api_token"):
        if not isinstance(config[key], str):
            raise ApiError(400, code, f"config.{key} must be a string.")
    apis = config["supported_apis"]
    if (not isinstance(apis, list) or any(a not in SUPPORTED_APIS for a in apis)
            or len(set(apis)) != len(apis)):
        raise ApiError(400, code, f"config.supported_apis must be a list of distinct values from "
                                  f"{', '.join(SUPPORTED_APIS)}; got {apis!r}.")
    for key, kind in (("category", str), ("description", str), ("fields", dict)):
        if config.get(key) is not None and not isinstance(config[key], kind):
            raise ApiError(400, code, f"config.{key} must be a {kind.__name__}.")
    for other in state.sources.values():
        if other.collector_id == collector.id and other is not self_source and other.name == config["name"]:
            raise ApiError(400, "DuplicateResourceName",
                           f"A source named {config['name']!r} already exists in this collector.")
    return {"schemaRef": {"type": "1Password"}, "config": config, "sourceType": "Universal"}


def list_sources(fake: Backend, req: Request) -> Response:
    state = fake.state
    collector = _collector(state, req.params["cid"])
    download = req.query.get("download", "").lower() == "true"
    sources = [s for s in state.sources.values() if s.collector_id == collector.id]
    body: dict[str, Any] = {"sources": [public_source(s, download) for s in sources]}
    for source in sources:
        _seen(state, source)
    return Response(200, {"api.version": "v1", **body} if download else body)


def get_source(fake: Backend, req: Request) -> Response:
    state = fake.state
    source = _source(state, _collector(state, req.params["cid"]), req.params["sid"])
    download = req.query.get("download", "").lower() == "true"
    body: dict[str, Any] = {"source": public_source(source, download)}
    _seen(state, source)
    return Response(200, {"api.version": "v1", **body} if download else body, {"ETag": source.etag})


def create_source(fake: Backend, req: Request) -> Response:
    state = fake.state
    collector = _collector(state, req.params["cid"])
    data = _wrapped(req, "source")
    if "id" in data:
        raise ApiError(400, "createValidationError", "Omit 'id' when creating a source.")
    clean = _check_source(state, collector, data, "createValidationError", None)
    source_id = state.new_numeric_id()
    source = Source(source_id, collector.id, {"id": source_id, **clean})
    state.sources[source_id] = source
    return Response(200, {"source": public_source(source)}, {"ETag": source.etag})


def update_source(fake: Backend, req: Request) -> Response:
    state = fake.state
    collector = _collector(state, req.params["cid"])
    source = _source(state, collector, req.params["sid"])
    _check_if_match(req, source.etag)
    data = _wrapped(req, "source")
    if data.get("id") != source.id:
        raise ApiError(400, "BadRequestSourceId", "The body's 'id' must match the source in the URL.")
    if source.stopping:
        raise ApiError(400, "CannotModifySource", "The source is being deleted.")
    clean = _check_source(state, collector, data, "updateValidationError", source)
    source.data = {"id": source.id, **clean}
    source.version += 1
    return Response(200, {"source": public_source(source)}, {"ETag": source.etag})


def delete_source(fake: Backend, req: Request) -> Response:
    state = fake.state
    source = _source(state, _collector(state, req.params["cid"]), req.params["sid"])
    source.stopping = True  # C2C deletion is asynchronous: Stopping, then gone
    return Response(200)


def register(router: Router) -> None:
    base = "/v1/collectors"
    router.add("GET", f"{base}/name/{{name}}", get_collector_by_name)
    router.add_resource(base, list_all=list_collectors, create=create_collector, get=get_collector,
                        update=update_collector, delete=delete_collector)
    router.add_resource(f"{base}/{{cid}}/sources", list_all=list_sources, create=create_source, get=get_source,
                        update=update_source, delete=delete_source, key="sid")
