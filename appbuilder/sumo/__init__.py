"""Sumo Logic management API: the client (one session, one rate budget, retries, redaction) and one handler
per resource kind (folders, content, collectors, sources). Debug logs go to the ``appbuilder.sumo`` logger."""

from appbuilder.sumo.client import Reply, SumoClient
from appbuilder.sumo.collectors import CollectorHandler, normalise_collector, render_collector
from appbuilder.sumo.content import ContentHandler, ImportResult
from appbuilder.sumo.endpoints import DEPLOYMENTS, Credentials, base_url_for, resolve_credentials
from appbuilder.sumo.errors import SumoApiError, SumoConfigError, SumoError, SumoJobFailed
from appbuilder.sumo.folders import FolderHandler, admin_recommended_path, personal_path
from appbuilder.sumo.jobs import JobProgress
from appbuilder.sumo.normalise import canonical_json, content_hash, normalise_content
from appbuilder.sumo.ratelimit import ClientStats, RateBudget
from appbuilder.sumo.redact import Redactor
from appbuilder.sumo.sources import SourceHandler, normalise_source, render_source, source_name

__all__ = [
    "DEPLOYMENTS", "ClientStats", "CollectorHandler", "ContentHandler", "Credentials", "FolderHandler",
    "ImportResult", "JobProgress", "RateBudget", "Redactor", "Reply", "SourceHandler", "SumoApiError",
    "SumoClient", "SumoConfigError", "SumoError", "SumoJobFailed", "admin_recommended_path", "base_url_for",
    "canonical_json", "content_hash", "normalise_collector", "normalise_content", "normalise_source",
    "personal_path", "render_collector", "render_source", "resolve_credentials", "source_name",
]
