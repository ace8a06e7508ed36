"""Sumo Logic deployments, their API base URLs, and credential resolution (flags over environment)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from appbuilder.sumo.errors import SumoConfigError

ENV_ACCESS_ID = "SUMOLOGIC_ACCESSID"
ENV_ACCESS_KEY = "SUMOLOGIC_ACCESSKEY"
ENV_ENVIRONMENT = "SUMOLOGIC_ENVIRONMENT"
ENV_BASE_URL = "SUMOLOGIC_BASE_URL"

DEFAULT_DEPLOYMENT = "us1"

# Deployment name -> API base URL (without a trailing slash; paths start with "/v1" or "/v2").
DEPLOYMENTS: dict[str, str] = {
    "us1": "https://api.sumologic.com/api",
    "us2": "https://api.us2.sumologic.com/api",
    "eu": "https://api.eu.sumologic.com/api",
    "au": "https://api.au.sumologic.com/api",
    "ca": "https://api.ca.sumologic.com/api",
    "de": "https://api.de.sumologic.com/api",
    "in": "https://api.in.sumologic.com/api",
    "jp": "https://api.jp.sumologic.com/api",
    "kr": "https://api.kr.sumologic.com/api",
    "fed": "https://api.fed.sumologic.com/api",
    "ch": "https://api.ch.sumologic.com/api",
    "esc": "https://api.esc.sumologic.com/api",
}


def base_url_for(deployment: str) -> str:
    """The API base URL of a deployment name (case-insensitive); raises SumoConfigError when unknown."""
    key = deployment.strip().lower()
    if key in DEPLOYMENTS:
        return DEPLOYMENTS[key]
    valid = ", ".join(DEPLOYMENTS)
    raise SumoConfigError(
        f"unknown Sumo Logic deployment {deployment!r}; valid deployments are: {valid}",
        hint=f"set --deployment / {ENV_ENVIRONMENT} to one of them, or give --base-url / {ENV_BASE_URL}",
    )


def checked_base_url(url: str) -> tuple[str, str | None]:
    """An explicit base URL made ready to use (trailing slashes stripped), and a note when it was completed.

    Every API path sits under ``/api``: a URL without a path gets it added (with a note saying so); the web UI's
    address (``service.…``) or any other path is refused with a hint naming the deployment's API URL."""
    text = url.strip().rstrip("/")
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SumoConfigError(
            f"invalid Sumo Logic API base URL {url!r}",
            hint="expected something like https://api.us2.sumologic.com/api",
        )
    host = (parsed.hostname or "").lower()
    deployment = _deployment_of_host(host)
    suggested = DEPLOYMENTS.get(deployment or "", "https://api.<deployment>.sumologic.com/api")
    if host.startswith("service."):
        raise SumoConfigError(
            f"{text} is the address of the Sumo Logic web UI, not of its API",
            hint=f"use --base-url {suggested}" + (f" (or --deployment {deployment})" if deployment else ""),
        )
    if parsed.path in ("", "/"):
        completed = text + "/api"
        return completed, f"note: the API base URL is {completed} (added /api to {text}; every API path is under it)"
    if not parsed.path.rstrip("/").endswith("/api"):
        raise SumoConfigError(
            f"the API base URL {url!r} should end in /api (it has the path {parsed.path!r})",
            hint=f"use --base-url {parsed.scheme}://{parsed.netloc}/api"
            + (f" (the API of deployment {deployment})" if deployment else "")
            + "; API paths such as /v2/content are added by appbuilder",
        )
    return text, None


def _deployment_of_host(host: str) -> str | None:
    """``us2`` for ``api.us2.sumologic.com`` or ``service.us2.sumologic.com`` (the web UI's host), by the API
    hosts of ``DEPLOYMENTS``; None for any other host."""
    api_host = "api." + host.removeprefix("service.") if host.startswith("service.") else host
    return next((name for name, url in DEPLOYMENTS.items() if urlparse(url).hostname == api_host), None)


def deployment_of(base_url: str) -> str | None:
    """The deployment name whose base URL this is, if any."""
    text = base_url.rstrip("/")
    return next((name for name, url in DEPLOYMENTS.items() if url == text), None)


@dataclass(frozen=True)
class Credentials:
    """Everything needed to talk to one Sumo Logic deployment. ``repr`` never shows the key."""

    access_id: str
    access_key: str = field(repr=False)
    base_url: str
    deployment: str | None = None
    defaulted: bool = False  # no deployment or base URL was given anywhere: the default one is used
    url_note: str | None = None  # the given base URL was completed (``/api`` added)

    @property
    def note(self) -> str | None:
        """One line saying the default deployment is used and how to choose another, or that the base URL given
        was completed (None otherwise)."""
        if not self.defaulted:
            return self.url_note
        return (f"note: using Sumo Logic deployment {DEFAULT_DEPLOYMENT} ({self.base_url}), the default; set "
                f"{ENV_ENVIRONMENT} (e.g. us2, eu) or {ENV_BASE_URL}, or pass --deployment / --base-url, to use "
                "another")

    @property
    def where(self) -> str:
        """Human description of the target, for messages: ``deployment us2 (https://…/api)``."""
        if self.deployment:
            return f"deployment {self.deployment} ({self.base_url})"
        return f"base URL {self.base_url}"


def resolve_credentials(
    access_id: str | None = None,
    access_key: str | None = None,
    environment: str | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """Credentials from explicit values (CLI flags) falling back to the SUMOLOGIC_* environment variables.

    An explicit base URL (flag, then environment) wins over a deployment name; with neither, us1 is used (as
    Sumo's Terraform provider does) and ``Credentials.note`` says so.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    the_id = access_id or environ.get(ENV_ACCESS_ID, "").strip()
    the_key = access_key or environ.get(ENV_ACCESS_KEY, "").strip()
    missing = []
    if not the_id:
        missing.append(f"{ENV_ACCESS_ID} (or --access-id)")
    if not the_key:
        missing.append(f"{ENV_ACCESS_KEY} (or --access-key)")
    if missing:
        raise SumoConfigError(
            "missing Sumo Logic credentials: set " + " and ".join(missing),
            hint="create an access key in Sumo Logic (Administration > Security > Access Keys) "
            "on the deployment you install to",
        )
    url = base_url or environ.get(ENV_BASE_URL, "").strip() or None
    completed: str | None = None
    if base_url:
        resolved, completed = checked_base_url(base_url)
    elif environment:
        resolved = base_url_for(environment)
    elif url:
        resolved, completed = checked_base_url(url)
    else:
        chosen = environ.get(ENV_ENVIRONMENT, "").strip()
        resolved = base_url_for(chosen or DEFAULT_DEPLOYMENT)
        return Credentials(the_id, the_key, resolved, deployment_of(resolved), defaulted=not chosen)
    return Credentials(the_id, the_key, resolved, deployment_of(resolved), url_note=completed)
