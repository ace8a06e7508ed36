"""`appbuilder uninstall`: back up, then remove the app folder (and with --with-source the source, and the
collector when appbuilder created it and it holds no other source)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from appbuilder.deploy.apply import job_progress
from appbuilder.deploy.backup import write_backup
from appbuilder.deploy.marker import split_collector_description
from appbuilder.deploy.session import DeployOptions, DeployOutcome, Progress, load_and_build, run_connected
from appbuilder.deploy.state import Remote, RemoteState

Confirm = Callable[[list[str]], bool]


@dataclass
class UninstallOutcome(DeployOutcome):
    target: str | None = None
    removals: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None
    aborted: bool = False

    reports_diagnostics: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return self._report({"target": self.target, "removals": self.removals, "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "aborted": self.aborted})


def _removals(state: RemoteState, with_source: bool, app: str) -> tuple[list[str], bool]:
    """What will be removed, and whether the collector goes too."""
    items = []
    if state.folder is not None:
        items.append(f"folder {state.target.label} ({len(state.folder.get('children') or [])} items)")
    drop_collector = False
    if with_source and state.source is not None:
        items.append(f"source {state.source.get('config', {}).get('name') or state.source.get('name')!r}")
    if with_source and state.collector is not None:
        _, created_by = split_collector_description(state.collector.get("description"))
        drop_collector = created_by == app and not state.other_sources
        if drop_collector:
            items.append(f"collector {state.collector.get('name')!r} (created by appbuilder, no other sources)")
    return items, drop_collector


def _remove(state: RemoteState, remote: Remote, with_source: bool, drop_collector: bool,
            outcome: UninstallOutcome, progress: Progress | None) -> None:
    if state.folder_id is not None:
        remote.content.delete_content(state.folder_id, admin=remote.admin or None,
                                      progress=job_progress("delete", progress))
        outcome.steps.append(f"removed folder {state.target.label}")
    if with_source and state.collector is not None and state.source is not None:
        remote.sources.delete(state.collector["id"], state.source["id"])
        outcome.steps.append(f"removed source {state.source.get('config', {}).get('name')!r}")
    if drop_collector and state.collector is not None:
        remote.collectors.delete(state.collector["id"])
        outcome.steps.append(f"removed collector {state.collector.get('name')!r}")


def run_uninstall(path: Path, parameters: Mapping[str, str], options: DeployOptions, *,
                  with_source: bool = False, confirm: Confirm | None = None,
                  backup_root: Path = Path("backups"), progress: Progress | None = None) -> UninstallOutcome:
    """Remove what install made; ``confirm`` (given the list of removals) may say no; backup before delete."""
    built = load_and_build(path, parameters)
    outcome = UninstallOutcome(diagnostics=built.validation.diagnostics)
    if built.build is None:
        return outcome
    manifest = built.build.manifest
    source_body = (built.build.source or {}).get("source") or {}
    collector_body = (built.build.collector or {}).get("collector") or {}

    def uninstall(remote: Remote) -> None:
        state = remote.read(str(manifest["folder"]), options.folder,
                            collector_body.get("name") if with_source else None,
                            (source_body.get("config") or {}).get("name"))
        outcome.target = state.target.label
        outcome.removals, drop_collector = _removals(state, with_source, str(manifest["app"]))
        if not outcome.removals:
            return
        if confirm is not None and not confirm(outcome.removals):
            outcome.aborted = True
            return
        exported = (remote.export_folder(state, job_progress("backup export", progress))
                    if state.folder is not None else None)
        keep_source = with_source and state.source is not None
        backup = write_backup(
            backup_root, str(manifest["app"]), "uninstall",
            {**state.target.to_dict(), "parentPath": remote.folder_path(state)}, content=exported,
            source=state.source if keep_source else None, collector=state.collector if keep_source else None,
            extra={"version": manifest["version"], "contentId": state.folder_id,
                   "tokenEnv": manifest.get("tokenEnv")},
            redactor=remote.client.redactor)
        outcome.backup = backup.path
        if progress:
            progress(f"backup saved in {backup.path}")
        _remove(state, remote, with_source, drop_collector, outcome, progress)

    run_connected(options, outcome, uninstall)
    return outcome
