"""Sumo Logic management API: the client (one session, one rate budget, retries, redaction) and one handler
per resource kind (folders, content, collectors, sources). Debug logs go to the ``appbuilder.sumo`` logger.
The names below load their module on first use, so importing one submodule (e.g. ``normalise`` for the offline
``export``) does not pull in the HTTP client and ``requests``."""

from __future__ import annotations

from importlib import import_module
from typing import Any

_SUBMODULE = {
    "ClientStats": "ratelimit",
    "CollectorHandler": "collectors",
    "ContentHandler": "content",
    "Credentials": "endpoints",
    "DEPLOYMENTS": "endpoints",
    "FolderHandler": "folders",
    "ImportResult": "content",
    "JobProgress": "jobs",
    "RateBudget": "ratelimit",
    "Redactor": "redact",
    "Reply": "client",
    "SourceHandler": "sources",
    "SumoApiError": "errors",
    "SumoClient": "client",
    "SumoConfigError": "errors",
    "SumoError": "errors",
    "SumoJobFailed": "errors",
    "admin_recommended_path": "folders",
    "base_url_for": "endpoints",
    "canonical_json": "normalise",
    "content_hash": "normalise",
    "normalise_collector": "collectors",
    "normalise_content": "normalise",
    "normalise_source": "sources",
    "personal_path": "folders",
    "render_collector": "collectors",
    "render_source": "sources",
    "resolve_credentials": "endpoints",
    "source_name": "sources",
}

__all__ = sorted(_SUBMODULE)


def __getattr__(name: str) -> Any:
    if name not in _SUBMODULE:
        raise AttributeError(f"module 'appbuilder.sumo' has no attribute {name!r}")
    return getattr(import_module(f"appbuilder.sumo.{_SUBMODULE[name]}"), name)
