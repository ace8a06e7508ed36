"""The collection set-up of an app's docs page: what a person does in 1Password and which host to read from,
before appbuilder creates the collector and the Cloud-to-Cloud source (``appbuilder docs``)."""

from __future__ import annotations

from collections.abc import Mapping

from appbuilder.model import App, Source
from appbuilder.templating import PARAMETER_RE, substitute_parameters

SUMO_SOURCE_PAGE = ("https://help.sumologic.com/docs/send-data/hosted-collectors/cloud-to-cloud-integration-framework/"
                    "1password-source/")
EVENTS_REPORTING_GUIDE = "https://support.1password.com/events-reporting/"
EVENTS_API_SERVERS = "https://developer.1password.com/docs/events-api/servers"


def _api(api: str, values: Mapping[str, str]) -> str:
    """An API of the source as the page shows it: an install parameter's value, or that it is left out."""
    match = PARAMETER_RE.fullmatch(api)
    if match is None:
        return f"`{api}`"
    name = match.group(1)
    value = values.get(name, "")
    if value:
        return f"`{value}` (the parameter `{name}`)"
    return (f"the value of the parameter `{name}`, empty here: not collected, and what reads only those events "
            "stays empty (`appbuilder plan` names it)")


def _hosts(source: Source, values: Mapping[str, str]) -> list[str]:
    from appbuilder.parameters import events_hosts

    host = substitute_parameters(source.base_url, values)
    match = PARAMETER_RE.fullmatch(source.base_url)
    lines = ["   | 1Password account on | Events API host |", "   | --- | --- |"]
    lines += [f"   | {h.removeprefix('events.')} | `{h}` |" for h in events_hosts()]
    where = (f"the install parameter `{match.group(1)}` (here `{host}`)" if match
             else f"`baseUrl` in `source.yaml` (here `{host}`)")
    return [f"2. **Pick the Events API host of your account's region.** The host is `events.` followed by the "
            f"domain you sign in to 1Password at ([1Password's list]({EVENTS_API_SERVERS})); this app takes it "
            f"from {where}.", "", *lines, ""]


def source_setup(app: App, values: Mapping[str, str]) -> list[str]:
    """Numbered steps 1-3 (the token, the region's host, the source appbuilder creates); none without a source."""
    source = app.source
    if source is None:
        return []
    apis = ", ".join(_api(api, values) for api in source.apis)
    return [
        f"1. **Issue an Events Reporting token in 1Password.** In your 1Password account, set up Events Reporting "
        f"for Sumo Logic ([1Password's guide]({EVENTS_REPORTING_GUIDE})) and issue a bearer token that may read "
        f"the events this app reads ({', '.join(app.log_types) or 'its log types'}). Put it in the environment "
        f"variable `{source.token_env}` before installing (or pass `--token-file`); it is never written to git, "
        "build output, plans or backups.", "",
        *_hosts(source, values),
        f"3. **The collector and the source.** appbuilder creates the hosted collector **{source.collector.name}** "
        f"and the Cloud-to-Cloud **{source.type}** source **{source.name}** (category "
        f"`{substitute_parameters(source.category, values)}`; APIs: {apis}), as Sumo's "
        f"[Cloud-to-Cloud 1Password source]({SUMO_SOURCE_PAGE}) describes it, or finds them by name.", "",
    ]
